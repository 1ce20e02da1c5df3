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

  // Undo (issue 13): count down the seconds Undo still works (it closes a
  // moment before the mail goes); when they are up Undo is gone. Without the
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

// Never lose a word (issue 13). A form with data-draft-url saves its text
// as a draft two seconds after typing stops and when the page is hidden,
// and says so next to the text. The file input checks sizes and the number
// of files before anything is uploaded (the limits are in its data-
// attributes: what the files already kept leave) and says which file did
// not fit next to the field. A form shown again with a problem opens at it.
// Without a script the server keeps the text and files on every error.
(function () {
  "use strict";
  var problem = document.querySelector(".compose-top .error");
  if (problem) {
    problem.scrollIntoView({ block: "center" });
    problem.focus({ preventScroll: true });
  }

  function size(n) {
    if (n < 1000) return n + " B";
    if (n < 1000000) return Math.floor((n + 500) / 1000) + " KB";
    return (n / 1e6).toFixed(1) + " MB";
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-draft-url]"), function (form) {
    var url = form.getAttribute("data-draft-url");
    var status = form.querySelector(".draft-status");
    var fields = function () {
      var p = new URLSearchParams();
      ["subject", "text", "description"].forEach(function (n) {
        var el = form.elements.namedItem(n);
        if (el && el.value !== undefined) p.set(n, el.value);
      });
      var kind = form.querySelector("input[name=kind]:checked");
      if (kind) p.set("kind", kind.value);
      return p.toString();
    };
    var saved = fields(), timer = null, sending = false;
    var say = function (t) { if (status) status.textContent = t; };
    var save = function () {
      timer = null;
      var body = fields();
      if (sending || body === saved) return;
      say("Saving draft…");
      fetch(url, { method: "POST", body: new URLSearchParams(body), credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) throw new Error(r.status);
          saved = body;
          say("Draft saved");
        })
        .catch(function () { say("Draft not saved yet: your text is still here, and is kept when you send."); });
    };
    var later = function () { clearTimeout(timer); timer = setTimeout(save, 2000); };
    form.addEventListener("input", function (e) { if (e.target.type !== "file") later(); });
    form.addEventListener("change", function (e) { if (e.target.name === "kind") later(); });
    form.addEventListener("submit", function () { sending = true; clearTimeout(timer); });
    var flush = function () {
      var body = fields();
      if (sending || body === saved) return;
      clearTimeout(timer);
      if (navigator.sendBeacon(url, new URLSearchParams(body))) saved = body;
    };
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") flush(); });
    window.addEventListener("pagehide", flush);
    window.addEventListener("pageshow", function (e) { if (e.persisted) sending = false; });
  });

  var input = document.querySelector("input[type=file][data-max-bytes]");
  if (input && window.DataTransfer) {
    var note = document.getElementById(input.getAttribute("aria-describedby"));
    input.addEventListener("change", function () {
      var room = Number(input.getAttribute("data-max-bytes"));
      var max = Number(input.getAttribute("data-max-total"));
      var slots = Number(input.getAttribute("data-max-files"));
      var limit = input.getAttribute("data-limit");
      var keep = new DataTransfer(), refused = [];
      Array.prototype.forEach.call(input.files, function (f) {
        if (slots <= 0) {
          refused.push(f.name + " was not attached: that would be more files than a message may have.");
        } else if (f.size > room) {
          refused.push(f.name + " (" + size(f.size) + ") is too large: attachments may be " + limit + " in all" +
            (room > max - 1000000 ? "" : ", and " + size(room) + " is left") + ". It was not attached.");
        } else {
          keep.items.add(f);
          room -= f.size;
          slots--;
        }
      });
      if (refused.length) input.files = keep.files;
      note.textContent = refused.join(" ");
      note.hidden = refused.length === 0;
      if (refused.length) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    });
  }
})();

// Staff notifications (issue 14). On a ticket, f follows or unfollows it
// (the Follow button does the same without a script). In a note, typing @
// offers colleagues to mention, from the page's own list (no request):
// arrows move, Enter, Tab or a click insert "@handle ", Esc closes.
// Without the script @mia typed out mentions Mia all the same.
(function () {
  "use strict";
  if (!document.querySelector("[data-keys=ticket]")) return;
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (e.key !== "f" || e.ctrlKey || e.metaKey || e.altKey) return;
    var form = document.getElementById("follow-form");
    if (form) { e.preventDefault(); form.submit(); }
  });

  var text = document.getElementById("text");
  var list = document.getElementById("mention-list");
  var data = document.getElementById("mentionables");
  var note = document.getElementById("kind-note");
  if (!text || !list || !data || !note) return;
  var staff;
  try { staff = JSON.parse(data.textContent) || []; } catch (err) { return; }
  staff.forEach(function (s) { s.label = s.display_name || s.name || s.handle; });
  text.setAttribute("aria-autocomplete", "list");
  text.setAttribute("aria-controls", "mention-list");
  text.setAttribute("aria-expanded", "false");
  var shown = [], at = 0, start = -1;

  // typed is the @word the caret ends, as the server reads mentions: an @
  // not inside a word (so mail addresses are left alone).
  var typed = function () {
    if (!note.checked || text.selectionStart !== text.selectionEnd) return null;
    var before = text.value.slice(0, text.selectionStart);
    var m = /(?:^|[^\p{L}\p{N}_.+-])@([\p{L}\p{N}._-]*)$/u.exec(before);
    return m && { start: before.length - m[1].length - 1, query: m[1].toLowerCase() };
  };
  var close = function () {
    list.hidden = true;
    shown = [];
    text.setAttribute("aria-expanded", "false");
    text.removeAttribute("aria-activedescendant");
  };
  var mark = function (i) {
    at = i;
    Array.prototype.forEach.call(list.children, function (li, j) { li.setAttribute("aria-selected", String(j === at)); });
    text.setAttribute("aria-activedescendant", "mention-" + at);
  };
  var pick = function (i) {
    var s = shown[i];
    if (!s) return;
    var insert = "@" + s.handle + " ";
    text.value = text.value.slice(0, start) + insert + text.value.slice(text.selectionStart);
    text.setSelectionRange(start + insert.length, start + insert.length);
    close();
    text.focus();
    text.dispatchEvent(new Event("input", { bubbles: true })); // the draft saves it
  };
  var offer = function () {
    var w = typed();
    shown = !w ? [] : staff.filter(function (s) {
      return s.handle.indexOf(w.query) === 0 ||
        s.label.toLowerCase().split(/\s+/).some(function (part) { return part.indexOf(w.query) === 0; });
    }).slice(0, 8);
    if (!shown.length) { close(); return; }
    start = w.start;
    list.textContent = "";
    shown.forEach(function (s, i) {
      var li = document.createElement("li");
      li.id = "mention-" + i;
      li.setAttribute("role", "option");
      li.textContent = s.label;
      if (s.label !== s.handle) {
        var h = document.createElement("span");
        h.className = "muted";
        h.textContent = " @" + s.handle;
        li.appendChild(h);
      }
      // mousedown, not click: the box keeps the focus and the caret.
      li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(i); });
      list.appendChild(li);
    });
    list.hidden = false;
    text.setAttribute("aria-expanded", "true");
    mark(0);
  };
  text.addEventListener("input", offer);
  text.addEventListener("blur", close);
  note.form.addEventListener("change", function (e) { if (e.target.name === "kind") close(); });
  text.addEventListener("keydown", function (e) {
    if (list.hidden) return;
    if (e.key === "ArrowDown") mark((at + 1) % shown.length);
    else if (e.key === "ArrowUp") mark((at + shown.length - 1) % shown.length);
    else if (e.key === "Enter" || e.key === "Tab") pick(at);
    else if (e.key === "Escape") close();
    else return;
    e.preventDefault();
  });
})();

// Bulk actions (issue 17): the inbox list's selection. Ticking rows (or
// "select all on this page", or x on the row j/k selected) shows the bar
// with "N selected"; the action list shows only its own value field; Clear
// selection resets the form. Without this script the bar is a plain form
// that is always shown, with every field.
(function () {
  "use strict";
  var form = document.getElementById("bulk");
  if (!form) return;
  var picks = Array.prototype.slice.call(document.querySelectorAll("input.pick[form=bulk]"));
  var all = document.getElementById("pick-all");
  var count = document.getElementById("bulk-count");
  var action = document.getElementById("bulk-action");
  var values = Array.prototype.slice.call(form.querySelectorAll(".bulk-value"));
  form.setAttribute("data-js", "");
  var update = function () {
    var n = 0;
    picks.forEach(function (p) {
      if (p.checked) n++;
      var row = p.closest("tr");
      if (row) row.classList.toggle("picked", p.checked);
    });
    if (all) {
      all.checked = n > 0 && n === picks.length;
      all.indeterminate = n > 0 && n < picks.length;
    }
    count.textContent = n + " selected";
    form.hidden = n === 0;
  };
  var show = function () {
    values.forEach(function (v) {
      v.hidden = (" " + v.getAttribute("data-for") + " ").indexOf(" " + action.value + " ") < 0;
    });
  };
  picks.forEach(function (p) { p.addEventListener("change", update); });
  if (all) {
    all.addEventListener("change", function () {
      picks.forEach(function (p) { p.checked = all.checked; });
      update();
    });
  }
  action.addEventListener("change", show);
  form.addEventListener("reset", function () { setTimeout(function () { update(); show(); }, 0); });
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key !== "x" || e.ctrlKey || e.metaKey || e.altKey) return;
    if (t && (t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName) || t.tagName === "INPUT" && t.type !== "checkbox")) return;
    var row = document.querySelector("tr.ticket-row.selected");
    var box = row && row.querySelector("input.pick");
    if (!box) return;
    box.checked = !box.checked;
    update();
    e.preventDefault();
  });
  update();
  show();
})();

// ---- Saved replies (issue 17) ----
// The composer's picker: "Saved replies" or m (not while typing) opens a
// dialog listing the replies the server finds for what is typed in its
// search box; choosing one shows it filled in for this ticket, with the
// actions sending it will apply; Insert puts that text at the caret (what
// was typed stays) and names the saved reply in the form, so the server
// counts its use and applies its actions on send (a box unticks them).
// Without the script the button keeps the text as the draft and opens the
// same picker as a page.
(function () {
  "use strict";
  var open = document.getElementById("saved-open");
  var dialog = document.getElementById("saved-dialog");
  var text = document.getElementById("text");
  if (!open || !dialog || !text || typeof dialog.showModal !== "function") return;
  var q = document.getElementById("saved-q");
  var results = document.getElementById("saved-results");
  var preview = document.getElementById("saved-preview");
  var base = open.getAttribute("data-picker");
  var caret = null; // where the caret was in the text box; null: never there
  var remember = function () { caret = text.selectionEnd; };
  text.addEventListener("keyup", remember);
  text.addEventListener("click", remember);
  text.addEventListener("blur", remember);

  var get = function (href, params, done) {
    var u = new URL(href, location.href);
    Object.keys(params).forEach(function (k) { u.searchParams.set(k, params[k]); });
    u.searchParams.set("fragment", "1");
    fetch(u.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(done)
      .catch(function () { window.location.href = href; });
  };
  var seq = 0;
  var search = function () {
    var n = ++seq;
    get(base, { q: q.value }, function (html) {
      if (n !== seq) return; // an older answer, overtaken by typing
      results.innerHTML = html; // our own escaped template output
      preview.innerHTML = "";
    });
  };
  var timer;
  q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 120); });
  q.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); clearTimeout(timer); search(); }
    else if (e.key === "ArrowDown") {
      var first = results.querySelector("a[data-saved]");
      if (first) { first.focus(); e.preventDefault(); }
    }
  });
  var byKey = false; // opened by m: focus the search box once the key is up, so no "m" lands in it
  var show = function () {
    q.value = "";
    preview.innerHTML = "";
    dialog.showModal();
    if (!byKey) q.focus();
    search();
  };
  document.addEventListener("keyup", function () {
    if (byKey) { byKey = false; q.value = ""; q.focus(); }
  });
  open.addEventListener("click", function (e) { e.preventDefault(); show(); });
  document.getElementById("saved-close").addEventListener("click", function () { dialog.close(); });
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (e.key !== "m" || e.ctrlKey || e.metaKey || e.altKey || dialog.open) return;
    e.preventDefault();
    byKey = true;
    show();
  });
  results.addEventListener("click", function (e) {
    var a = e.target.closest("a[data-saved]");
    if (!a) return;
    e.preventDefault();
    clearTimeout(timer);
    var n = ++seq; // a search still on its way must not clear this preview
    get(a.getAttribute("href"), {}, function (html) {
      if (n !== seq) return;
      preview.innerHTML = html;
      var ins = document.getElementById("saved-insert");
      if (ins) ins.focus();
    });
  });
  preview.addEventListener("click", function (e) {
    if (!e.target.closest("#saved-insert")) return;
    e.preventDefault();
    var box = document.getElementById("saved-preview-box");
    insert(document.getElementById("saved-text").textContent);
    document.getElementById("saved-reply-id").value = box.getAttribute("data-id");
    document.getElementById("saved-chosen-title").textContent = box.getAttribute("data-title");
    document.getElementById("saved-chosen").hidden = false;
    var actions = box.getAttribute("data-actions");
    document.getElementById("saved-actions-text").textContent = actions;
    document.getElementById("saved-actions-row").hidden = !actions;
    document.getElementById("saved-actions").checked = true;
    var status = box.getAttribute("data-status");
    var then = document.getElementById("then");
    if (status && then) then.value = status;
    dialog.close();
    text.focus();
  });
  // insert puts s at the caret (the end when the box was never used),
  // with a blank line from the text around it; nothing typed is lost.
  var insert = function (s) {
    var v = text.value;
    var at = caret === null ? v.length : Math.min(caret, v.length);
    var before = v.slice(0, at), after = v.slice(at);
    if (before.trim() !== "") before = before.replace(/\s*$/, "") + "\n\n";
    if (after.trim() !== "") s += "\n\n"; else after = "";
    text.value = before + s + after;
    caret = (before + s).length;
    text.setSelectionRange(caret, caret);
    text.dispatchEvent(new Event("input", { bubbles: true })); // the draft is saved as if typed
  };
})();
// Satisfaction ratings (issue 18): a rating link's page sends the chosen
// rating at once, so one click in the mail records it; opening the page
// alone (a mail scanner without script) records nothing, and without
// script the page's one button sends it.
(function () {
  var form = document.querySelector("form[data-rate-auto]");
  if (!form) return;
  var sending = form.querySelector(".rate-sending");
  if (sending) sending.hidden = false;
  var button = form.querySelector("button[type=submit]");
  if (button) button.disabled = true;
  form.submit();
})();

// Time zones (issue 18): customers' pages carry times in UTC as
// <time datetime="…Z" data-local>; say them in this browser's zone. On
// /account, a staff member who chose no zone is offered this browser's.
(function () {
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  var short = { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" };
  var long = { weekday: "short", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "long" };
  var say = function (opts, d) { return new Intl.DateTimeFormat(undefined, opts).format(d); };
  document.querySelectorAll("time[data-local]").forEach(function (el) {
    var d = new Date(el.getAttribute("datetime"));
    if (isNaN(d.getTime())) return;
    el.textContent = say(short, d);
    el.title = say(long, d) + (zone ? " (" + zone + ")" : "");
    el.setAttribute("data-local", zone);
  });
  var select = document.querySelector("select[data-suggest]");
  if (!select || !zone || select.value !== "") return;
  // Browsers may say a zone by an older name of the tz database; the
  // picker lists today's, and the server knows both.
  var renamed = { "Asia/Calcutta": "Asia/Kolkata", "Asia/Saigon": "Asia/Ho_Chi_Minh", "Asia/Katmandu": "Asia/Kathmandu",
    "Asia/Rangoon": "Asia/Yangon", "Europe/Kiev": "Europe/Kyiv", "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
    "America/Godthab": "America/Nuuk", "Atlantic/Faeroe": "Atlantic/Faroe", "America/Indianapolis": "America/Indiana/Indianapolis",
    "America/Louisville": "America/Kentucky/Louisville", "Africa/Asmera": "Africa/Asmara", "Pacific/Truk": "Pacific/Chuuk",
    "Pacific/Ponape": "Pacific/Pohnpei", "Asia/Ulan_Bator": "Asia/Ulaanbaatar", "America/Cordoba": "America/Argentina/Cordoba" };
  zone = renamed[zone] || zone;
  var known = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
  if (!known) select.add(new Option(zone + " (this browser)", zone));
  select.value = zone;
  var hint = document.getElementById("time-zone-hint");
  if (hint) {
    var note = document.createElement("strong");
    note.id = "time-zone-suggested";
    note.textContent = "Suggested from this browser: " + zone + ". Save to use it, or pick Desk default.";
    hint.parentNode.insertBefore(note, hint);
  }
})();
