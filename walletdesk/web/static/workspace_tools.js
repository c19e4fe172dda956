/* walletdesk workspace tools: snooze the open conversation, select conversations in the
 * inbox for bulk actions, edit the customer's details and private note in the side panel,
 * and complete @mentions of agents in internal notes. Everything goes through /api/v1; all
 * text is inserted with textContent. */
(function () {
  "use strict";
  var ws = window.wdWorkspace;
  var root = document.getElementById("workspace");
  if (!ws || !root) return;
  var TEXTS = JSON.parse((document.getElementById("wd-texts") || {}).textContent || "{}");
  function gettext(s) { return TEXTS[s] || s; }
  function fmt(s, v) { return s.replace(/\{(\w+)\}/g, function (m, k) { return v[k] !== undefined ? v[k] : m; }); }
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  var directory = JSON.parse(($("directory") || {}).textContent || "{}");
  var agents = Object.keys(directory.agents || {}).map(function (id) { return {id: +id, name: directory.agents[id]}; })
    .sort(function (a, b) { return a.name.localeCompare(b.name); });
  var manager = root.dataset.manager === "true";
  var me = ws.me;

  // --- snooze times ------------------------------------------------------------------------
  function at(days, hour) { var d = new Date(); d.setDate(d.getDate() + days); d.setHours(hour, 0, 0, 0); return d; }
  function nextMonday() { var d = new Date(); return at(((8 - d.getDay()) % 7) || 7, 9); }
  var CHOICES = [
    ["1h", gettext("for 1 hour"), function () { return new Date(Date.now() + 3600e3); }],
    ["4h", gettext("for 4 hours"), function () { return new Date(Date.now() + 4 * 3600e3); }],
    ["tomorrow", gettext("until tomorrow 9:00"), function () { return at(1, 9); }],
    ["monday", gettext("until Monday 9:00"), nextMonday],
    ["reply", gettext("until the customer replies"), function () { return null; }],
    ["pick", gettext("until a time I pick…"), undefined],
  ];
  function untilFor(choice) {
    var found = CHOICES.filter(function (c) { return c[0] === choice; })[0];
    if (!found) return undefined;
    var when = found[2] ? found[2]() : undefined;
    return when === null ? null : when && when.toISOString();
  }

  // --- snooze the open conversation --------------------------------------------------------
  var actions = root.querySelector(".thread-head .actions");
  var snooze = el("select", "snooze-select"); snooze.id = "snooze";
  snooze.setAttribute("aria-label", gettext("Snooze"));
  snooze.appendChild(new Option(gettext("Snooze…"), ""));
  CHOICES.forEach(function (c) { snooze.appendChild(new Option(c[1], c[0])); });
  var picker = el("input", "snooze-pick"); picker.type = "datetime-local"; picker.id = "snooze-at"; picker.hidden = true;
  picker.setAttribute("aria-label", gettext("Snooze until"));
  var wake = el("button", "", gettext("Wake now")); wake.type = "button"; wake.id = "unsnooze"; wake.hidden = true;
  var snoozedBadge = el("span", "badge snoozed"); snoozedBadge.id = "snoozed-badge"; snoozedBadge.hidden = true;
  if (actions) {
    var anchor = $("resolve");
    [snoozedBadge, snooze, picker, wake].forEach(function (n) { actions.insertBefore(n, anchor); });
  }
  // ws.act: the workspace's own "post, then refresh the header and the inbox"
  function snoozeCurrent(until) { if (ws.current()) ws.act("/snooze", {until: until}); }
  snooze.addEventListener("change", function () {
    var choice = snooze.value; snooze.value = "";
    if (!choice) return;
    if (choice === "pick") { picker.hidden = false; picker.focus(); return; }
    snoozeCurrent(untilFor(choice));
  });
  picker.addEventListener("change", function () {
    if (!picker.value) return;
    var when = new Date(picker.value);  // the agent's local time
    picker.hidden = true; picker.value = "";
    snoozeCurrent(when.toISOString());
  });
  wake.addEventListener("click", function () { if (ws.current()) ws.act("/unsnooze"); });
  document.addEventListener("wd:conversation", function (e) {
    var c = e.detail;
    var mayAct = (c.status === "assigned" || c.status === "waiting_customer") && (c.assignee_id === me || manager);
    snooze.hidden = !mayAct || c.snoozed; picker.hidden = true;
    wake.hidden = !(mayAct && c.snoozed);
    snoozedBadge.hidden = !c.snoozed;
    snoozedBadge.textContent = !c.snoozed ? "" : c.snooze_due_at
      ? fmt(gettext("Snoozed until {time}"), {time: new Date(c.snooze_due_at).toLocaleString(document.documentElement.lang || undefined)})
      : gettext("Snoozed until the customer replies");
  });

  // --- bulk select in the inbox ------------------------------------------------------------
  var selected = {};
  var BULK = [];  // [name, label, () → params or undefined to cancel]
  function registerBulk(name, label, params) { BULK.push([name, label, params]); renderBar(); }
  window.wdBulk = {register: registerBulk, selected: function () { return Object.keys(selected).map(Number); }};
  var list = $("conversation-list");
  var bar = el("div", "bulk-bar"); bar.id = "bulk-bar"; bar.hidden = true;
  list.parentNode.insertBefore(bar, list);
  var assignTo = el("select"); assignTo.id = "bulk-assign-to"; assignTo.setAttribute("aria-label", gettext("Assign to"));
  var labelWith = el("select"); labelWith.id = "bulk-label"; labelWith.setAttribute("aria-label", gettext("Add a label"));
  var labels = [];
  ws.api("GET", "/labels").then(function (rows) { labels = rows; renderBar(); }).catch(function () {});
  function renderBar() {
    var ids = Object.keys(selected);
    bar.hidden = !ids.length;
    bar.textContent = "";
    bar.appendChild(el("span", "bulk-count", fmt(gettext("{n} selected"), {n: ids.length})));
    BULK.forEach(function (b) {
      var button = el("button", "", b[1]); button.type = "button"; button.dataset.bulk = b[0];
      button.addEventListener("click", function () { run(b[0], b[2]); });
      bar.appendChild(button);
    });
    assignTo.textContent = "";
    assignTo.appendChild(new Option(gettext("Assign to…"), ""));
    agents.forEach(function (a) { assignTo.appendChild(new Option(a.name, String(a.id))); });
    bar.appendChild(assignTo);
    labelWith.textContent = "";
    labelWith.appendChild(new Option(gettext("Add a label…"), ""));
    labels.forEach(function (l) { labelWith.appendChild(new Option(l.name, String(l.id))); });
    labelWith.hidden = !labels.length;
    bar.appendChild(labelWith);
    var clear = el("button", "link", gettext("Clear")); clear.type = "button";
    clear.addEventListener("click", function () { selected = {}; syncChecks(); renderBar(); });
    bar.appendChild(clear);
    var result = el("span", "bulk-result muted"); result.id = "bulk-result"; bar.appendChild(result);
  }
  assignTo.addEventListener("change", function () {
    var id = +assignTo.value; assignTo.value = "";
    if (id) run("assign", function () { return {agent_id: id}; });
  });
  labelWith.addEventListener("change", function () {
    var id = +labelWith.value; labelWith.value = "";
    if (id) run("label", function () { return {label_id: id}; });
  });
  function run(name, paramsFor) {
    var params = paramsFor ? paramsFor() : {};
    if (params === undefined) return;
    var ids = Object.keys(selected).map(Number);
    if (!ids.length) return;
    ws.api("POST", "/conversations/bulk", {action: name, conversation_ids: ids, params: params}).then(function (r) {
      selected = {};
      syncChecks();
      renderBar();
      var msg = fmt(gettext("{n} done"), {n: r.done.length});
      if (r.failed.length) msg += " · " + fmt(gettext("{n} not changed: {why}"), {n: r.failed.length, why: r.failed[0].detail});
      $("bulk-result").textContent = msg; bar.hidden = false;
      ws.reload();
      var current = ws.current(); if (current && r.done.indexOf(current) >= 0) ws.open(current);
    }).catch(function (e) { alert(e.message); });
  }
  registerBulk("assign", gettext("Assign to me"), function () { return {agent_id: me}; });
  registerBulk("snooze", gettext("Snooze 1 hour"), function () { return {until: untilFor("1h")}; });
  registerBulk("resolve", gettext("Resolve"), function () { return {}; });
  function syncChecks() {
    Array.prototype.forEach.call(list.querySelectorAll(".bulk-check"), function (box) { box.checked = !!selected[box.value]; });
  }
  document.addEventListener("wd:inbox", function (e) {  // keep only what is still listed
    var listed = {}; e.detail.forEach(function (c) { listed[c.id] = true; });
    Object.keys(selected).forEach(function (id) { if (!listed[id]) delete selected[id]; });
    if (!$("bulk-result") || !$("bulk-result").textContent) renderBar();
  });
  document.addEventListener("wd:inbox-rendered", function () {
    Array.prototype.forEach.call(list.querySelectorAll(".conv"), function (li) {
      var box = el("input", "bulk-check"); box.type = "checkbox"; box.value = li.dataset.id;
      box.setAttribute("aria-label", fmt(gettext("Select conversation #{id}"), {id: li.dataset.id}));
      box.checked = !!selected[li.dataset.id];
      box.addEventListener("click", function (e) { e.stopPropagation(); });
      box.addEventListener("change", function () {
        if (box.checked) selected[box.value] = true; else delete selected[box.value];
        renderBar();
      });
      li.insertBefore(box, li.firstChild);
    });
  });

  // --- the customer's details in the side panel --------------------------------------------
  document.addEventListener("wd:customer", function (e) {
    var cust = e.detail, dl = $("customer-details");
    dl.appendChild(el("dt", "", gettext("Private note")));
    dl.appendChild(el("dd", "customer-note", cust.note || "—"));
    if (!cust.can_edit) return;
    var dd = el("dd"), edit = el("button", "customer-edit", gettext("Edit details")); edit.type = "button"; edit.id = "customer-edit";
    dd.appendChild(edit); dl.appendChild(el("dt", "", "")); dl.appendChild(dd);
    edit.addEventListener("click", function () { showForm(cust, dd); });
  });
  // the customer languages (walletdesk.i18n.SUPPORTED), each named in itself
  var LANGUAGES = [["zh-Hans", "简体中文"], ["zh-Hant", "繁體中文"], ["en", "English"], ["es", "Español"]];
  function field(form, label, name, value, tag) {
    var l = el("label", "stack", label), input = el(tag || "input");
    input.name = name; input.value = value || ""; input.id = "customer-" + name;
    if (tag === "textarea") input.rows = 3;
    l.appendChild(input); form.appendChild(l); return input;
  }
  function showForm(cust, dd) {
    var form = el("form", "customer-form"); form.id = "customer-form";
    var name = field(form, gettext("Name"), "display_name", cust.display_name);
    name.maxLength = 120;
    var email = field(form, gettext("E-mail"), "email", cust.email);
    email.type = "email"; email.maxLength = 254;
    var language = field(form, gettext("Language"), "language", "", "select");
    language.appendChild(new Option(gettext("Not set"), ""));
    LANGUAGES.forEach(function (l) { language.appendChild(new Option(l[1], l[0])); });
    if (cust.language && !LANGUAGES.some(function (l) { return l[0] === cust.language; })) language.appendChild(new Option(cust.language, cust.language));
    language.value = cust.language || "";
    var note = field(form, gettext("Private note (staff only)"), "note", cust.note, "textarea");
    note.maxLength = 2000;
    var error = el("p", "error"); form.appendChild(error);
    var save = el("button", "primary", gettext("Save")); save.type = "submit";
    var cancel = el("button", "", gettext("Cancel")); cancel.type = "button";
    form.appendChild(save); form.appendChild(cancel);
    dd.textContent = ""; dd.appendChild(form); name.focus();
    cancel.addEventListener("click", function () { var id = ws.current(); if (id) ws.open(id); });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var changes = {display_name: name.value, email: email.value, note: note.value};
      if (language.value !== (cust.language || "")) changes.language = language.value;  // a choice is kept
      ws.api("PATCH", "/customers/" + cust.id, changes).then(function () {
        var id = ws.current(); if (id) ws.open(id);
        ws.reload();  // the inbox shows the name too
      }).catch(function (err) { error.textContent = err.message; });
    });
  }

  // --- @mentions in internal notes ---------------------------------------------------------
  var box = $("reply-text");
  var menu = el("ul", "mention-picker"); menu.id = "mention-picker"; menu.hidden = true; menu.setAttribute("role", "listbox");
  box.parentNode.insertBefore(menu, box);
  var matches = [], active = 0, token = null;
  // only colleagues who may see the open conversation can be notified: offer only them
  var mentionable = [], mentionableFor = null;
  document.addEventListener("wd:conversation", function (e) {
    var id = e.detail.id;
    if (id === mentionableFor) return;
    mentionableFor = id; mentionable = []; skippedNotice.hidden = true;
    ws.api("GET", "/conversations/" + id + "/mentionable").then(function (list) {
      if (mentionableFor !== id) return;
      mentionable = list;
      if (token) updateMatches();  // typed "@" before the list arrived
    }).catch(function () {});
  });
  var skippedNotice = el("p", "mention-skipped muted"); skippedNotice.id = "mention-skipped"; skippedNotice.hidden = true;
  skippedNotice.setAttribute("role", "status");
  box.parentNode.insertBefore(skippedNotice, box);
  document.addEventListener("wd:frame", function (e) {
    var f = e.detail;
    if (f.type !== "notification" || f.kind !== "mentions_skipped" || f.conversation_id !== ws.current()) return;
    skippedNotice.textContent = fmt(gettext("Not notified (cannot see this conversation): {names}"), {names: f.mentions_skipped.join(", ")});
    skippedNotice.hidden = false;
  });
  function noteMode() { var m = document.querySelector('input[name="mode"]:checked'); return m && m.value === "note"; }
  function mentionToken() {  // "@na" right before the caret
    var before = box.value.slice(0, box.selectionStart);
    var m = /(^|\s)@([^\s@]{0,30})$/.exec(before);
    return m ? {start: before.length - m[2].length - 1, end: box.selectionStart, query: m[2].toLowerCase()} : null;
  }
  function closeMenu() { menu.hidden = true; matches = []; token = null; }
  function renderMenu() {
    menu.textContent = "";
    matches.forEach(function (a, i) {
      var li = el("li", i === active ? "active" : "", a.name); li.setAttribute("role", "option");
      li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(i); });
      menu.appendChild(li);
    });
    menu.hidden = !matches.length;
  }
  function pick(i) {
    var a = matches[i]; if (!a || !token) return;
    var before = box.value.slice(0, token.start), after = box.value.slice(token.end);
    var text = "@" + a.name + " ";
    box.value = before + text + after;
    var caret = before.length + text.length;
    closeMenu(); box.focus(); box.setSelectionRange(caret, caret);
  }
  box.addEventListener("input", function () {
    token = noteMode() ? mentionToken() : null;
    if (!token) return closeMenu();
    updateMatches();
  });
  function updateMatches() {
    matches = mentionable.filter(function (a) {
      var n = a.name.toLowerCase();
      return a.id !== me && (!token.query || n.indexOf(token.query) === 0 || n.indexOf(" " + token.query) > 0);
    }).slice(0, 8);
    active = 0; renderMenu();
  }
  box.addEventListener("blur", function () { setTimeout(closeMenu, 150); });
  document.addEventListener("keydown", function (e) {  // capture: before Enter-to-send
    if (e.target !== box || menu.hidden) return;
    if (e.key === "Escape") closeMenu();
    else if (e.key === "ArrowDown") { active = (active + 1) % matches.length; renderMenu(); }
    else if (e.key === "ArrowUp") { active = (active - 1 + matches.length) % matches.length; renderMenu(); }
    else if ((e.key === "Enter" || e.key === "Tab") && !e.shiftKey) pick(active);
    else return;
    e.preventDefault(); e.stopPropagation();
  }, true);
})();
