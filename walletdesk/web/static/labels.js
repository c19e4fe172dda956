/* walletdesk labels: coloured chips everywhere, and in the agent workspace the label filter
 * of the inbox and the labels of the open conversation (add with the menu, remove with ×).
 * Names are inserted with textContent; colours are set through the CSSOM (the page's CSP
 * allows no inline style attributes). */
(function () {
  "use strict";
  // texts from the page's catalog (localization.script_texts)
  var TEXTS = JSON.parse((document.getElementById("wd-texts") || {}).textContent || "{}");
  function gettext(s) { return TEXTS[s] || s; }
  function fmt(s, v) { return s.replace(/\{(\w+)\}/g, function (_, k) { return v[k] !== undefined ? v[k] : ""; }); }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  function paint(node, color, textColor) { node.style.backgroundColor = color; node.style.color = textColor; }
  function chip(label, onRemove) {
    var c = el("span", "label-chip" + (onRemove ? " removable" : ""));
    c.appendChild(el("span", "label-name", label.name));  // cut with an ellipsis (desk-tools.css)
    c.dataset.labelId = label.id;
    c.title = label.description || label.name;
    paint(c, label.color, label.text_color);
    if (onRemove) {
      var x = el("button", "", "×");
      x.type = "button"; x.title = fmt(gettext("Remove label {name}"), {name: label.name}); x.setAttribute("aria-label", x.title);
      x.addEventListener("click", function (e) { e.stopPropagation(); onRemove(label); });
      c.appendChild(x);
    }
    return c;
  }
  function chips(labels) {
    var row = el("div", "labels-row");
    (labels || []).forEach(function (l) { row.appendChild(chip(l)); });
    return row;
  }
  Array.prototype.forEach.call(document.querySelectorAll(".label-chip[data-color]"), function (c) {
    paint(c, c.dataset.color, c.dataset.textColor);
  });
  window.wdLabels = {chips: chips};

  var root = document.getElementById("workspace");
  if (!root) return;
  var csrf = root.dataset.csrf;
  var all = [], current = null, shownFor = null;
  function api(method, path) {
    return fetch("/api/v1" + path, {method: method, credentials: "same-origin",
      headers: {"X-CSRF-Token": csrf}}).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) throw new Error(typeof data.detail === "string" ? data.detail : fmt(gettext("request failed ({status})"), {status: r.status}));
        return data;
      });
    });
  }

  var filter = document.getElementById("label-filter");
  api("GET", "/labels").then(function (rows) {
    all = rows;
    if (filter) rows.forEach(function (l) { var o = el("option", "", l.name); o.value = l.id; filter.appendChild(o); });
    if (current) load(current);
  }).catch(function () {});

  var box = document.getElementById("conv-labels");
  // the labels row (and the header around it, which wraps as it grows) takes room from the
  // thread below: a thread showing its newest message keeps showing it
  // (a scroll event may come after the thread shrank: it is judged by the height it had)
  var thread = document.getElementById("messages"), stuck = true, height = 0;
  if (thread && window.ResizeObserver) {
    thread.addEventListener("scroll", function () { stuck = thread.scrollHeight - thread.scrollTop - (height || thread.clientHeight) < 4; });
    new ResizeObserver(function () {
      if (stuck) thread.scrollTop = thread.scrollHeight;
      height = thread.clientHeight;
    }).observe(thread);
  }
  function render(labels) {
    if (!box) return;
    box.textContent = "";
    var have = {};
    labels.forEach(function (l) { have[l.id] = true; box.appendChild(chip(l, remove)); });
    var free = all.filter(function (l) { return !have[l.id]; });
    if (!free.length) return;
    var pick = el("select", "add-label");
    pick.setAttribute("aria-label", gettext("Add a label"));
    var first = el("option", "", gettext("+ Label")); first.value = ""; pick.appendChild(first);
    free.forEach(function (l) { var o = el("option", "", l.name); o.value = l.id; pick.appendChild(o); });
    pick.addEventListener("change", function () {
      if (!pick.value) return;
      api("PUT", "/conversations/" + current + "/labels/" + pick.value).then(render).catch(function (e) { alert(e.message); });
    });
    box.appendChild(pick);
  }
  function remove(label) {
    api("DELETE", "/conversations/" + current + "/labels/" + label.id).then(render).catch(function (e) { alert(e.message); });
  }
  function load(id) {
    api("GET", "/conversations/" + id + "/labels").then(function (labels) { if (id === current) render(labels); }).catch(function () {});
  }
  // the workspace announces the conversation it shows (opened, or changed by anyone)
  document.addEventListener("wd:conversation", function (e) {
    current = e.detail.id;
    if (shownFor !== current && box) box.textContent = "";
    shownFor = current;
    load(current);
  });
})();
