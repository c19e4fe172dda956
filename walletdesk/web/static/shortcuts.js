/* walletdesk workspace keyboard shortcuts; "?" lists them. Single keys act only when the
 * agent is not typing in a field; Esc (leave the field, close the list) and Ctrl+Enter
 * (send) work while typing. The actions are the workspace's own buttons, so a shortcut does
 * exactly what the click does. */
(function () {
  "use strict";
  var ws = window.wdWorkspace;
  if (!ws) return;
  var TEXTS = JSON.parse((document.getElementById("wd-texts") || {}).textContent || "{}");
  function gettext(s) { return TEXTS[s] || s; }
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  function visible(node) { return node && !node.hidden && !node.disabled && node.offsetParent !== null; }
  function press(id) { var b = $(id); if (visible(b)) { b.click(); return true; } return false; }

  function move(step) {
    var rows = Array.prototype.slice.call(document.querySelectorAll("#conversation-list .conv"));
    if (!rows.length) return;
    var at = rows.findIndex(function (li) { return li.classList.contains("active"); });
    var next = rows[at < 0 ? (step > 0 ? 0 : rows.length - 1) : Math.min(Math.max(at + step, 0), rows.length - 1)];
    ws.open(+next.dataset.id);
    next.scrollIntoView({block: "nearest"});
  }
  function compose(mode) {
    if (!ws.current()) return;
    var radio = document.querySelector('input[name="mode"][value="' + mode + '"]');
    if (radio && !radio.checked) { radio.checked = true; radio.dispatchEvent(new Event("change", {bubbles: true})); }
    $("reply-text").focus();
  }
  function toggleMode() {
    var note = document.querySelector('input[name="mode"]:checked');
    compose(note && note.value === "note" ? "reply" : "note");
  }
  function canned() {  // the canned-reply picker opens on a "/" typed in the reply box
    if (!ws.current()) return;
    var box = $("reply-text");
    box.focus();
    var at = box.selectionStart, before = box.value.slice(0, at);
    var insert = before && !/\s$/.test(before) ? " /" : "/";
    box.value = before + insert + box.value.slice(box.selectionEnd);
    box.setSelectionRange(at + insert.length, at + insert.length);
    box.dispatchEvent(new Event("input", {bubbles: true}));
  }
  function search() { var s = $("search"); s.focus(); s.select(); }

  var SHORTCUTS = [
    ["j", gettext("Next conversation"), function () { move(1); }],
    ["k", gettext("Previous conversation"), function () { move(-1); }],
    ["r", gettext("Reply to the customer"), function () { compose("reply"); }],
    ["n", gettext("Write an internal note"), function () { compose("note"); }],
    ["t", gettext("Switch between reply and note"), toggleMode],
    ["c", gettext("Canned replies"), canned],
    ["e", gettext("Resolve"), function () { press("resolve"); }],
    ["a", gettext("Assign to me"), function () { press("take"); }],
    ["s", gettext("Snooze"), function () { var s = $("snooze"); if (visible(s)) s.focus(); }],
    ["x", gettext("Select the conversation (bulk actions)"), function () {
      var box = document.querySelector("#conversation-list .conv.active .bulk-check");
      if (box) box.click();
    }],
    ["/", gettext("Search"), search],
    ["?", gettext("Show these shortcuts"), toggleHelp],
  ];
  var TYPING = [["Esc", gettext("Leave the text field / close this list")],
    ["Ctrl+Enter", gettext("Send the reply or note")]];
  var byKey = {};
  SHORTCUTS.forEach(function (s) { byKey[s[0]] = s[2]; });

  // --- the "?" overlay -------------------------------------------------------------------
  var overlay = el("div", "shortcuts-overlay"); overlay.id = "shortcuts-overlay"; overlay.hidden = true;
  overlay.setAttribute("role", "dialog"); overlay.setAttribute("aria-modal", "true");
  overlay.setAttribute("aria-labelledby", "shortcuts-title");
  var card = el("div", "shortcuts-card");
  var title = el("h3", "", gettext("Keyboard shortcuts")); title.id = "shortcuts-title";
  card.appendChild(title);
  function table(rows) {
    var t = el("table", "shortcuts-table"), body = el("tbody");
    rows.forEach(function (r) {
      var tr = el("tr"), key = el("td"), what = el("td", "", r[1]);
      key.appendChild(el("kbd", "", r[0]));
      tr.appendChild(key); tr.appendChild(what); body.appendChild(tr);
    });
    t.appendChild(body); return t;
  }
  card.appendChild(table(SHORTCUTS));
  card.appendChild(el("h4", "", gettext("While typing")));
  card.appendChild(table(TYPING));
  var close = el("button", "", gettext("Close")); close.type = "button";
  close.addEventListener("click", toggleHelp);
  card.appendChild(close);
  overlay.appendChild(card);
  overlay.addEventListener("click", function (e) { if (e.target === overlay) toggleHelp(); });
  document.body.appendChild(overlay);
  var before = null;
  function toggleHelp() {
    overlay.hidden = !overlay.hidden;
    if (!overlay.hidden) { before = document.activeElement; close.focus(); }
    else if (before && before.focus) before.focus();
  }

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }
  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.isComposing) return;
    if (e.key === "Escape") {
      if (!overlay.hidden) { toggleHelp(); e.preventDefault(); return; }
      if (typing(e.target)) { e.target.blur(); }
      return;
    }
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && e.target === $("reply-text")) {
      e.preventDefault(); $("reply").requestSubmit(); return;
    }
    if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (!overlay.hidden && e.key !== "?") return;
    var action = byKey[e.key];
    if (!action) return;
    e.preventDefault();
    action();
  });
})();
