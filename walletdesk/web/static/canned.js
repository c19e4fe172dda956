/* walletdesk canned replies in the reply box: type "/" and a few letters (at the start or
 * after a space), pick with ↑ ↓ and Enter / Tab (or click), Esc closes. The server fills the
 * placeholders for the open conversation; texts are inserted as plain text. */
(function () {
  "use strict";
  var root = document.getElementById("workspace");
  var box = document.getElementById("reply-text");
  if (!root || !box) return;
  // texts from the page's catalog (localization.script_texts)
  var TEXTS = JSON.parse((document.getElementById("wd-texts") || {}).textContent || "{}");
  function gettext(s) { return TEXTS[s] || s; }
  function fmt(s, v) { return s.replace(/\{(\w+)\}/g, function (_, k) { return v[k] !== undefined ? v[k] : ""; }); }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  var picker = el("ul", "canned-picker");
  picker.id = "canned-picker"; picker.hidden = true; picker.setAttribute("role", "listbox");
  box.parentNode.insertBefore(picker, box);
  var conversationId = null, items = [], active = 0, token = null, timer = null, seq = 0;
  var SCOPE = {personal: gettext("mine"), team: gettext("team"), everyone: gettext("everyone")};

  document.addEventListener("wd:conversation", function (e) {
    if (e.detail.id !== conversationId) close();
    conversationId = e.detail.id;
  });
  function trigger() {  // the "/word" just before the caret, if any
    if (box.selectionStart !== box.selectionEnd) return null;
    var upto = box.value.slice(0, box.selectionStart);
    var m = /(^|\s)\/([^\s\/]{0,40})$/.exec(upto);
    return m ? {start: upto.length - m[2].length - 1, end: upto.length, query: m[2]} : null;
  }
  function open() { return !picker.hidden; }
  function close() { picker.hidden = true; items = []; token = null; seq++; }
  box.addEventListener("input", function () {
    var t = trigger();
    if (!t || !conversationId) { if (open() || token) close(); return; }
    token = t;
    clearTimeout(timer);
    timer = setTimeout(function () { search(t.query); }, 120);
  });
  box.addEventListener("blur", function () { setTimeout(function () { if (document.activeElement !== box) close(); }, 150); });
  function search(q) {
    var mine = ++seq, id = conversationId;
    fetch("/api/v1/conversations/" + id + "/canned-replies?q=" + encodeURIComponent(q), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (rows) { if (mine === seq && token && id === conversationId) { items = rows; active = 0; render(q); } })
      .catch(function () {});
  }
  function render(q) {
    picker.textContent = "";
    if (!items.length) { picker.appendChild(el("li", "none", q ? fmt(gettext("No canned reply matches “/{query}”"), {query: q}) : gettext("No canned replies yet"))); }
    items.forEach(function (item, i) {
      var li = el("li", i === active ? "active" : "");
      li.setAttribute("role", "option"); li.dataset.replyId = item.id;
      li.appendChild(el("span", "shortcut", "/" + item.shortcut));
      li.appendChild(el("span", "title", item.title));
      li.appendChild(el("span", "scope", SCOPE[item.scope] + " · " + item.language));
      li.appendChild(el("span", "text", item.text));
      li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
      picker.appendChild(li);
    });
    picker.hidden = false;
  }
  function highlight(i) {
    active = (i + items.length) % items.length;
    Array.prototype.forEach.call(picker.children, function (li, n) { li.classList.toggle("active", n === active); });
    var li = picker.children[active]; if (li && li.scrollIntoView) li.scrollIntoView({block: "nearest"});
  }
  function choose(i) {
    var item = items[i], t = trigger() || token;
    if (!item || !t) return;
    var before = box.value.slice(0, t.start), after = box.value.slice(t.end);
    box.value = before + item.text + after;
    var caret = before.length + item.text.length;
    close();
    box.focus();
    box.setSelectionRange(caret, caret);
    box.dispatchEvent(new Event("input", {bubbles: true}));
  }
  // capture phase: runs before the reply box's own Enter-to-send handler
  document.addEventListener("keydown", function (e) {
    if (e.target !== box || !open()) return;
    if (e.key === "Escape") { close(); }
    else if (e.key === "ArrowDown" && items.length) { highlight(active + 1); }
    else if (e.key === "ArrowUp" && items.length) { highlight(active - 1); }
    else if ((e.key === "Enter" || e.key === "Tab") && items.length && !e.shiftKey) { choose(active); }
    else return;
    e.preventDefault(); e.stopPropagation();
  }, true);
})();
