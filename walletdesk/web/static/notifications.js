/* walletdesk workspace notifications: a short tone (WebAudio, generated: no sound file), a
 * desktop notification (asked for with a button, never on page load) and the unread count in
 * the tab title, for: a conversation offered to me, a customer writing in one of mine, an
 * @mention in an internal note. What notifies is the agent's own preference, kept on the
 * server (/api/v1/me/notification-preferences). Texts are inserted with textContent only. */
(function () {
  "use strict";
  var ws = window.wdWorkspace;
  var root = document.getElementById("workspace");
  if (!ws || !root) return;
  var TEXTS = JSON.parse((document.getElementById("wd-texts") || {}).textContent || "{}");
  function gettext(s) { return TEXTS[s] || s; }
  function fmt(s, v) { return s.replace(/\{(\w+)\}/g, function (m, k) { return v[k] !== undefined ? v[k] : m; }); }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }

  var me = ws.me;
  var prefs = {sound: true, desktop: false, on_offered: true, on_customer_message: true, on_mention: true};
  var baseTitle = document.title;
  var unread = {};  // conversation id → what happened there since the agent last looked
  var mentions = {};  // mention id → mention, unread
  var mine = {}, offered = {};  // conversations known to be mine / already announced as queued
  var audio = null;
  var api = {beeps: 0, shown: 0};  // counters for people (and browser tests) to check
  window.wdNotifications = api;

  // --- the tone --------------------------------------------------------------------------
  function context() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!audio && Ctx) audio = new Ctx();
    return audio;
  }
  // browsers start audio only after the page was used: wake the context on the first input
  ["pointerdown", "keydown"].forEach(function (kind) {
    document.addEventListener(kind, function () { var a = context(); if (a && a.state === "suspended") a.resume(); }, {capture: true, passive: true});
  });
  function tone() {
    var a = context();
    if (!a) return;
    var t = a.currentTime, osc = a.createOscillator(), gain = a.createGain();
    osc.type = "sine";
    osc.frequency.setValueAtTime(880, t);
    osc.frequency.setValueAtTime(1175, t + 0.09);  // two short notes, A5 then D6
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.18, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.28);
    osc.connect(gain); gain.connect(a.destination);
    osc.start(t); osc.stop(t + 0.3);
    api.beeps += 1;
  }

  // --- title and desktop notice ----------------------------------------------------------
  function count() { return Object.keys(unread).length; }
  function renderTitle() {
    var n = count();
    document.title = (n ? "(" + n + ") " : "") + baseTitle;
    var badge = document.getElementById("notif-count");
    if (badge) { badge.textContent = n ? String(n) : ""; badge.hidden = !n; }
  }
  function desktop(title, body, conversationId) {
    if (!prefs.desktop || !("Notification" in window) || Notification.permission !== "granted") return;
    if (document.visibilityState === "visible" && document.hasFocus()) return;  // the page says it
    try {
      var n = new Notification(title, {body: body || "", tag: "wd-" + conversationId});
      n.onclick = function () { window.focus(); ws.open(conversationId); n.close(); };
      api.shown += 1;
    } catch (e) { /* some browsers allow notifications from a service worker only */ }
  }
  function notify(kind, conversationId, title, body) {
    var looking = ws.current() === conversationId && document.visibilityState === "visible" && document.hasFocus();
    if (!looking) { unread[conversationId] = kind; renderTitle(); }
    if (prefs.sound) tone();
    desktop(title, body, conversationId);
  }
  function seen(conversationId) {
    if (unread[conversationId]) { delete unread[conversationId]; renderTitle(); }
    var ids = Object.keys(mentions).filter(function (id) { return mentions[id].conversation_id === conversationId; });
    if (ids.length) {
      ids.forEach(function (id) { delete mentions[id]; });
      renderMentions();
      ws.api("POST", "/me/mentions/read", {conversation_id: conversationId}).catch(function () {});
    }
  }

  // --- what happened ---------------------------------------------------------------------
  var OPEN = {assigned: 1, waiting_customer: 1};
  document.addEventListener("wd:frame", function (e) {
    var f = e.detail;
    if (f.type === "message") {
      var m = f.message;
      if (m.sender_kind === "customer" && f.assignee_id === me && prefs.on_customer_message) {
        notify("message", f.conversation_id, gettext("New message from a customer"), m.text);
      }
    } else if (f.type === "conversation") {
      var c = f.conversation;
      if (c.assignee_id === me && OPEN[c.status] && !mine[c.id]) {
        mine[c.id] = true;
        if (prefs.on_offered) notify("offered", c.id, gettext("A conversation was assigned to you"), c.preview || c.subject);
      } else if (c.assignee_id !== me) {
        delete mine[c.id];
        if (c.status === "queued" && !offered[c.id]) {
          offered[c.id] = true;
          if (prefs.on_offered) notify("offered", c.id, gettext("A new conversation is waiting"), c.preview || c.subject);
        }
      }
    } else if (f.type === "notification") {
      if (f.kind === "mention") {
        mentions[f.mention.id] = f.mention;
        renderMentions();
        if (prefs.on_mention) notify("mention", f.conversation_id, fmt(gettext("{name} mentioned you"), {name: f.mention.by}), f.mention.excerpt);
      } else if (f.kind === "snooze_ended") {
        notify("snooze", f.conversation_id, gettext("A snoozed conversation is back"), f.subject);
      }
    }
  });
  document.addEventListener("wd:conversation", function (e) { seen(e.detail.id); });
  window.addEventListener("focus", function () { var id = ws.current(); if (id) seen(id); });

  // --- the bell: unread mentions and the preferences --------------------------------------
  var bar = root.querySelector(".presence") || root;
  var bell = el("button", "notif-bell", gettext("Notifications"));
  bell.type = "button"; bell.id = "notif-toggle"; bell.setAttribute("aria-expanded", "false");
  var badge = el("span", "notif-count"); badge.id = "notif-count"; badge.hidden = true;
  bell.appendChild(badge);
  bar.appendChild(bell);
  var panel = el("section", "notif-panel"); panel.id = "notif-panel"; panel.hidden = true;
  panel.setAttribute("aria-label", gettext("Notifications"));
  panel.appendChild(el("h4", "", gettext("Mentions")));
  var list = el("ul", "plain notif-mentions"); list.id = "notif-mentions";
  panel.appendChild(list);
  panel.appendChild(el("h4", "", gettext("Notify me about")));
  var FIELDS = [["on_offered", gettext("a conversation offered to me")], ["on_customer_message", gettext("a customer writing in one of mine")],
    ["on_mention", gettext("an @mention in a note")], ["sound", gettext("Play a sound")], ["desktop", gettext("Show desktop notifications")]];
  var boxes = {};
  FIELDS.forEach(function (f) {
    var label = el("label", "notif-pref"), box = el("input");
    // disabled until the saved preferences arrive: a click before would be overwritten by them
    box.type = "checkbox"; box.name = f[0]; box.disabled = true; boxes[f[0]] = box;
    box.addEventListener("change", function () {
      var change = {}; change[f[0]] = box.checked;
      if (f[0] === "desktop" && box.checked) askPermission();
      ws.api("PUT", "/me/notification-preferences", change).then(setPrefs).catch(function () { box.checked = !box.checked; });
    });
    label.appendChild(box); label.appendChild(document.createTextNode(" " + f[1]));
    panel.appendChild(label);
  });
  var permission = el("p", "muted notif-permission"); panel.appendChild(permission);
  var allow = el("button", "", gettext("Allow desktop notifications in this browser"));
  allow.type = "button"; allow.id = "notif-allow";
  allow.addEventListener("click", askPermission);
  panel.appendChild(allow);
  var test = el("button", "", gettext("Play the sound")); test.type = "button";
  test.addEventListener("click", tone);
  panel.appendChild(test);
  bar.parentNode.insertBefore(panel, bar.nextSibling);
  bell.addEventListener("click", function () {
    panel.hidden = !panel.hidden;
    bell.setAttribute("aria-expanded", String(!panel.hidden));
  });

  function askPermission() {  // only ever from a click: browsers (and people) dislike asking on load
    if (!("Notification" in window)) return renderPermission();
    Notification.requestPermission().then(renderPermission, renderPermission);
  }
  function renderPermission() {
    var state = "Notification" in window ? Notification.permission : "unsupported";
    permission.textContent = state === "granted" ? gettext("Desktop notifications are allowed in this browser.")
      : state === "denied" ? gettext("This browser blocks notifications from the desk; allow them in its site settings.")
        : state === "unsupported" ? gettext("This browser cannot show desktop notifications.")
          : gettext("Desktop notifications need your permission in this browser.");
    allow.hidden = state !== "default";
  }
  function setPrefs(p) {
    prefs = p;
    Object.keys(boxes).forEach(function (k) { boxes[k].checked = !!p[k]; boxes[k].disabled = false; });
  }
  function renderMentions() {
    list.textContent = "";
    var rows = Object.keys(mentions).map(function (k) { return mentions[k]; }).sort(function (a, b) { return b.id - a.id; });
    if (!rows.length) { list.appendChild(el("li", "muted", gettext("No unread mentions."))); return; }
    rows.forEach(function (m) {
      var li = el("li"), a = el("a", "", fmt(gettext("{name} in #{id}"), {name: m.by, id: m.conversation_id}));
      a.href = "#"; a.addEventListener("click", function (e) { e.preventDefault(); ws.open(m.conversation_id); });
      li.appendChild(a); li.appendChild(el("div", "meta", m.excerpt));
      list.appendChild(li);
    });
  }

  // --- on load: preferences, what is mine, mentions not yet read --------------------------
  renderPermission();
  renderMentions();
  ws.api("GET", "/me/notification-preferences").then(setPrefs).catch(function () {
    Object.keys(boxes).forEach(function (k) { boxes[k].disabled = false; });  // the defaults, then
  });
  ["mine", "snoozed"].forEach(function (view) {
    ws.api("GET", "/conversations?limit=200&view=" + view).then(function (rows) {
      rows.forEach(function (c) { mine[c.id] = true; });
    }).catch(function () {});
  });
  ws.api("GET", "/me/mentions").then(function (rows) {
    rows.forEach(function (m) { mentions[m.id] = m; unread[m.conversation_id] = "mention"; });
    renderMentions(); renderTitle();
  }).catch(function () {});
})();
