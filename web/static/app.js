// Dargo's only script: keyboard shortcuts in the inbox and on a ticket, the
// notice that another staff member is on the same ticket, and leaving the
// status out of a note. Every page works without it.
(function () {
  "use strict";
  function typing(e) {
    var t = e.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  var list = document.querySelector("[data-keys=inbox]");
  if (list) {
    var rows = Array.prototype.slice.call(list.querySelectorAll(".ticket-row"));
    var at = -1;
    var select = function (i) {
      if (!rows.length) return;
      at = Math.max(0, Math.min(rows.length - 1, i));
      rows.forEach(function (r, j) { r.classList.toggle("selected", j === at); });
      rows[at].querySelector("a").focus();
    };
    document.addEventListener("keydown", function (e) {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === "j") { select(at + 1); e.preventDefault(); }
      else if (e.key === "k") { select(at - 1); e.preventDefault(); }
      else if (e.key === "/") { document.getElementById("q").focus(); e.preventDefault(); }
    });
  }

  var ticket = document.querySelector("[data-keys=ticket]");
  if (ticket) {
    var number = ticket.getAttribute("data-number");
    var last = ticket.getAttribute("data-last");
    var text = document.getElementById("text");
    var notice = document.getElementById("collision");
    var state = "viewing";
    document.addEventListener("keydown", function (e) {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === "r") { text.focus(); e.preventDefault(); }
      else if (e.key === "e") { document.getElementById("resolve-form").submit(); }
      else if (e.key === "u") { window.location.href = "/inbox"; }
    });
    // A note sets no status: its control is hidden by CSS and, here, also
    // left out of the form (the server ignores it from a note anyway).
    var form = document.getElementById("reply-form");
    var then = document.getElementById("then");
    var mode = function () { then.disabled = document.getElementById("kind-note").checked; };
    form.addEventListener("change", function (e) { if (e.target.name === "kind") mode(); });
    mode();
    text.addEventListener("input", function () {
      if (state !== "replying") { state = "replying"; beat(); }
    });
    var beat = function () {
      var body = new URLSearchParams({ state: state });
      fetch("/inbox/tickets/" + number + "/presence", { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) {
          if (!d) return;
          var parts = (d.others || []).map(function (o) { return o.email + " is " + o.state + "."; });
          if (String(d.last_message) !== last) parts.push("A new message arrived: reload to read it before replying.");
          notice.textContent = parts.join(" ");
          notice.hidden = parts.length === 0;
        })
        .catch(function () {});
    };
    setInterval(beat, 15000);
  }
})();
