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
    // Back from a ticket (u, e, Send and next's end) the address names the
    // row to return to: select it, as j and k would.
    var back = /^#t-\d+$/.test(location.hash) && document.getElementById(location.hash.slice(1));
    if (back) select(rows.indexOf(back.closest(".ticket-row")));
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
      else if (e.key === "u") { window.location.href = ticket.getAttribute("data-back") || "/inbox"; }
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

  // Undo (issue 13): count down the seconds an action's mail still waits;
  // when they are up the mail is on its way and Undo is gone. Without the
  // script the page says the seconds as they were, and a late Undo says so.
  Array.prototype.forEach.call(document.querySelectorAll(".undo[data-left]"), function (item) {
    var left = parseInt(item.getAttribute("data-left"), 10) || 0;
    var shown = item.querySelector(".undo-left");
    var tick = function () {
      if (left <= 0) {
        clearInterval(timer);
        item.querySelector(".undo-when").textContent = "The mail is on its way.";
        var form = item.querySelector("form");
        if (form) form.remove();
        return;
      }
      shown.textContent = String(left);
      left--;
    };
    var timer = setInterval(tick, 1000);
    tick();
  });
})();
