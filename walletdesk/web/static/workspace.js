/* walletdesk agent workspace: inbox over /api/v1, live updates over /ws/app.
 * All text from customers and agents is inserted with textContent, never as HTML. */
(function () {
  "use strict";
  var root = document.getElementById("workspace");
  var me = +root.dataset.agentId, csrf = root.dataset.csrf;
  var $ = function (id) { return document.getElementById(id); };
  // texts from the page's catalog (rendered by the server as JSON; English is the key)
  var TEXTS = JSON.parse(($("wd-texts") || {}).textContent || "{}");
  function gettext(s) { return TEXTS[s] || s; }
  function fmt(s, v) { return s.replace(/\{(\w+)\}/g, function (m, k) { return v[k] !== undefined ? v[k] : m; }); }
  // the names of the codes the workspace shows (a conversation's status, where it came from, a
  // colleague's presence, why the bot handed over), in the agent's language: the server's one
  // table (walletdesk.code_names), rendered into the page; a code it lacks reads readably
  var CODE_NAMES = JSON.parse(($("wd-code-names") || {}).textContent || "{}");
  function codeName(domain, code) {
    var table = CODE_NAMES[domain] || {};
    return Object.prototype.hasOwnProperty.call(table, code) ? table[code] : String(code).replace(/_/g, " ");
  }
  function statusName(s) { return codeName("conversation_status", s); }
  // where a conversation came from (Conversation.channel) and a customer's identities
  function channelName(c) { return codeName("conversation_channel", c); }
  // a language tag ("zh-Hans") as the agent says it ("简体中文"); the tag where the browser cannot
  function languageName(tag) {
    if (!tag) return "";
    try { return new Intl.DisplayNames([document.documentElement.lang || "en"], {type: "language"}).of(tag) || tag; } catch (e) { return tag; }
  }
  // the customer's name, or "Visitor #42" in the agent's language (the API's rows say it in English)
  function customerName(name, id) {
    return name && name !== "Visitor #" + id ? name : fmt(gettext("Visitor #{id}"), {id: id});
  }
  var state = {view: "mine", q: "", team: "", current: null, lastSeq: 0, shown: {}, pending: {}};
  var directory = JSON.parse(document.getElementById("directory").textContent || "{}");
  var manager = root.dataset.manager === "true";
  var ws = null, ready = false, retryDelay = 500, inboxTimer = null, inboxAsked = 0, typingTimer = null, typingSent = 0;
  // the heartbeat (decision 0059): the server marks me seen while the socket is open; the page
  // pings every heartbeat_s (from the welcome) and reconnects when nothing came back for 2.5
  // of them (a connection that died silently: a sleeping laptop, a changed network)
  var heartbeatMs = 30000, heartbeatTimer = null, lastHeard = 0;

  function api(method, path, body) {
    return fetch("/api/v1" + path, {
      method: method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      if (r.status === 401) { signedOut(); throw new Error("signed out"); }
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) {
          // the detail is in the agent's language: scripts test the status and the code, never its words
          var err = new Error(typeof data.detail === "string" ? data.detail : fmt(gettext("request failed ({status})"), {status: r.status}));
          err.status = r.status; err.code = data.code;
          throw err;
        }
        return data;
      });
    });
  }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  function newId() { return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2)); }
  function when(iso) { var d = new Date(iso); return d.toLocaleString(document.documentElement.lang || undefined); }

  // --- inbox ---------------------------------------------------------------------------
  function loadInbox() {
    var params = new URLSearchParams({view: state.view});
    if (state.q) params.set("q", state.q);
    if (state.team) params.set("team_id", state.team);
    if (state.sort) params.set("sort", state.sort);
    if ($("label-filter") && $("label-filter").value) params.set("label_id", $("label-filter").value);  // labels.js fills it
    var asked = ++inboxAsked;  // only the newest answer is drawn: an older, slower one would show another view
    api("GET", "/conversations?" + params).then(function (rows) { if (asked === inboxAsked) renderInbox(rows); }).catch(function () {});
  }
  function refreshInboxSoon() { clearTimeout(inboxTimer); inboxTimer = setTimeout(loadInbox, 250); }
  function renderInbox(rows) {
    var ul = $("conversation-list");
    ul.textContent = "";
    document.dispatchEvent(new CustomEvent("wd:inbox", {detail: rows}));  // workspace_tools.js (bulk select)
    if (!rows.length) { ul.appendChild(el("li", "muted empty-list", gettext("Nothing here."))); return; }
    rows.forEach(function (c) {
      var li = el("li", "conv" + (c.id === state.current ? " active" : ""));
      li.dataset.id = c.id;
      var top = el("div", "conv-top");
      top.appendChild(el("strong", "", customerName(c.customer_name, c.customer_id)));
      top.appendChild(el("span", "badge status-" + c.status, statusName(c.status)));
      li.appendChild(top);
      li.appendChild(el("div", "preview", c.preview));
      var meta = [c.team_name || gettext("no team"), c.language || "", c.assignee_name ? "→ " + c.assignee_name : gettext("unassigned")];
      if (c.after_hours) meta.push(gettext("after hours"));
      li.appendChild(el("div", "meta", meta.filter(Boolean).join(" · ")));
      if (c.has_secret_redaction) li.appendChild(el("span", "badge danger", gettext("secret removed")));
      var clock = slaBadge(c.sla);
      if (clock) li.appendChild(clock);
      if (window.wdLabels && c.labels && c.labels.length) li.appendChild(window.wdLabels.chips(c.labels));
      li.addEventListener("click", function () { openConversation(c.id); });
      ul.appendChild(li);
    });
    document.dispatchEvent(new CustomEvent("wd:inbox-rendered", {detail: rows}));  // workspace_tools.js
  }

  // durations in Babel's words for the agent's language (localization.duration_patterns):
  // "26m", "1h 26m" in English, "1小时26分钟" in Chinese; at most two units, to the minute
  var UNITS = JSON.parse(($("wd-durations") || {}).textContent || "{}");
  var plurals = null;
  try { plurals = new Intl.PluralRules(document.documentElement.lang || "en"); } catch (e) { plurals = null; }
  function unit(n, name) {
    var forms = UNITS[name] || {}, form = plurals ? plurals.select(n) : "other";
    var pattern = forms[form] || forms.other || forms[Object.keys(forms)[0]];
    return pattern ? fmt(pattern.replace("{0}", "{n}"), {n: n.toLocaleString(document.documentElement.lang || undefined)}) : n + " " + name;
  }
  function duration(ms) {
    var m = Math.round(Math.abs(ms) / 60000), parts;
    if (m < 60) parts = [[m, "minute"]];
    else if (m < 1440) parts = [[Math.floor(m / 60), "hour"], [m % 60, "minute"]];
    else parts = [[Math.floor(m / 1440), "day"], [Math.floor((m % 1440) / 60), "hour"]];
    var said = parts.filter(function (p, i) { return p[0] || i === 0; }).map(function (p) { return unit(p[0], p[1]); });
    return said.length > 1 ? fmt((UNITS.list || "{0} {1}").replace("{0}", "{a}").replace("{1}", "{b}"), {a: said[0], b: said[1]}) : said[0];
  }
  function slaText(label, left) {
    return fmt(left < 0 ? gettext("SLA {what} overdue {time}") : gettext("SLA {what} in {time}"), {what: label, time: duration(left)});
  }
  function slaBadge(sla) {
    if (!sla || !sla.due) return null;
    var label = sla.clock === "first_response" ? gettext("reply") : gettext("resolve");
    if (sla.paused) return el("span", "badge sla paused", fmt(gettext("SLA {what} clock paused"), {what: label}));
    var left = new Date(sla.due) - Date.now();
    var badge = el("span", "badge sla" + (left < 0 || sla.breached ? " overdue" : left < 15 * 60000 ? " soon" : ""),
      slaText(label, left));
    badge.dataset.due = sla.due; badge.dataset.label = label;
    return badge;
  }
  setInterval(function () {  // the countdowns tick without reloading
    Array.prototype.forEach.call(document.querySelectorAll(".badge.sla[data-due]"), function (b) {
      var left = new Date(b.dataset.due) - Date.now();
      b.textContent = slaText(b.dataset.label, left);
      b.classList.toggle("overdue", left < 0); b.classList.toggle("soon", left >= 0 && left < 15 * 60000);
    });
  }, 30000);

  // --- drafts --------------------------------------------------------------------------
  // each conversation's unsent reply (or note) stays in this tab across a reload or a visit to
  // another conversation (sessionStorage: gone with the tab). Keyed by agent, cleared when sent,
  // on sign-out and when the session ends; a page signed in as someone else drops them on load.
  // Signing out from another page (reports, admin …) lands on the sign-in page, whose
  // signed_out.js removes them too (the same "wd-draft:" keys).
  var DRAFT = "wd-draft:", leaving = false;  // leaving: signing out, nothing is kept any more
  function drafts() { try { return leaving ? null : window.sessionStorage; } catch (e) { return null; } }
  function draftKey(id) { return DRAFT + me + ":" + id; }
  function saveDraft(id) {
    var store = drafts(); if (!store || !id) return;
    var text = $("reply-text").value, note = document.querySelector('input[name="mode"]:checked').value === "note";
    try {
      if (text.trim()) store.setItem(draftKey(id), JSON.stringify({text: text, note: note}));
      else store.removeItem(draftKey(id));
    } catch (e) { /* storage full or off: the draft is not kept */ }
  }
  function restoreDraft(id) {
    var store = drafts(), draft = null;
    try { draft = store && JSON.parse(store.getItem(draftKey(id)) || "null"); } catch (e) { draft = null; }
    $("reply-text").value = draft && typeof draft.text === "string" ? draft.text : "";
    if (draft) document.querySelector('input[name="mode"][value="' + (draft.note ? "note" : "reply") + '"]').checked = true;
  }
  function clearDrafts(everyone) {  // everyone: all of them (sign-out); else the other agents' ones
    var store = drafts(); if (!store) return;
    if (everyone) leaving = true;
    try {
      for (var i = store.length - 1; i >= 0; i--) {
        var key = store.key(i);
        if (key && key.indexOf(DRAFT) === 0 && (everyone || key.indexOf(DRAFT + me + ":") !== 0)) store.removeItem(key);
      }
    } catch (e) { /* storage off */ }
  }
  function signedOut() { clearDrafts(true); location.href = "/login?next=/app"; }
  clearDrafts(false);
  Array.prototype.forEach.call(document.querySelectorAll('form[action="/logout"]'), function (f) {
    f.addEventListener("submit", function () { clearDrafts(true); });
  });
  // a draft changed by a script (a canned reply, "Insert answer") is caught when the page goes
  window.addEventListener("pagehide", function () { saveDraft(state.current); });

  // --- the address ---------------------------------------------------------------------
  // the open conversation is in the address (/app#42): a reload reopens it, and each
  // conversation opened here is a step of the browser's history, so Back and Forward move
  // between them and the list (/app)
  var EMPTY = $("empty").textContent;
  function conversationInUrl() { var m = /^#(\d{1,10})$/.exec(location.hash); return m ? +m[1] : null; }
  function listUrl() { return location.pathname + location.search; }
  function followUrl() {
    var id = conversationInUrl();
    if (id) { if (id !== state.showing) openConversation(id, true); }
    else if (state.showing || root.dataset.pane !== "list") showList(true);
  }
  // back to the list: the step before when this conversation was opened from it, else a new step
  function backToList() {
    var step = history.state;
    if (step && step.wd === "conversation" && step.id === state.showing && step.from === null) history.back();
    else showList(false);
  }
  function showList(fromHistory) {
    saveDraft(state.current); $("reply-text").value = "";
    if (state.current) send({type: "unsubscribe", conversation_id: state.current});
    state.current = null; state.showing = null; state.conv = null;
    $("conversation").hidden = true; $("customer-panel").hidden = true;
    $("empty").hidden = false; $("empty").textContent = EMPTY;
    Array.prototype.forEach.call(document.querySelectorAll(".conv.active"), function (li) { li.classList.remove("active"); });
    setPane("list");
    if (!fromHistory && conversationInUrl()) history.pushState({wd: "list"}, "", listUrl());
  }

  // --- one conversation ----------------------------------------------------------------
  // fromHistory: opened by the address (a reload, Back or Forward, a typed /app#42): no new step
  function openConversation(id, fromHistory) {
    if (state.current && state.current !== id) send({type: "unsubscribe", conversation_id: state.current});
    if (state.current !== id) { saveDraft(state.current); restoreDraft(id); }
    if (!fromHistory && conversationInUrl() !== id) history.pushState({wd: "conversation", id: id, from: conversationInUrl()}, "", "#" + id);
    state.current = id; state.showing = id; state.lastSeq = 0; state.shown = {}; state.shownOnce = false;
    state.customerLabel = ""; state.goneAway = false; $("conversation").classList.remove("gone");
    $("messages").textContent = "";
    Array.prototype.forEach.call(document.querySelectorAll(".conv"), function (li) { li.classList.toggle("active", +li.dataset.id === id); });
    setPane("thread");
    api("GET", "/conversations/" + id).then(function (data) {
      if (state.current !== id) return;  // another one was opened meanwhile
      $("empty").hidden = true; $("conversation").hidden = false; $("customer-panel").hidden = false;
      renderHeader(data.conversation, data.assignee_name, data.team_name, data.customer);
      renderCustomer(data.customer, data.other_conversations);
      renderBot(data.conversation, data.bot_turns || []);
      loadSuggestions(id);
      loadTransferTargets();
      data.messages.forEach(showMessage);
      state.shownOnce = true;
      send({type: "subscribe", conversation_id: id, last_seq: state.lastSeq});
    }).catch(function (e) {
      if (state.current !== id) return;
      // one I may not see (no such id, another team's, out of an outsourced agent's reach) is
      // refused as "not found" (the API never says which): say so, in the pane that shows it
      state.current = null;
      $("empty").hidden = false; $("conversation").hidden = true; $("customer-panel").hidden = true;
      Array.prototype.forEach.call(document.querySelectorAll(".conv.active"), function (li) { li.classList.remove("active"); });
      var card = el("div", "card"), back = el("button", "empty-back", gettext("← Inbox"));
      card.setAttribute("role", "alert");
      card.appendChild(el("p", "", e.status === 404 || e.status === 422
        ? fmt(gettext("Conversation #{id} is not in your queues any more: it was transferred to another agent or team, or the link is wrong."), {id: id})
        : fmt(gettext("Conversation #{id} could not be opened: {error}"), {id: id, error: e.message})));
      back.type = "button"; back.addEventListener("click", backToList);
      card.appendChild(back);
      $("empty").textContent = ""; $("empty").appendChild(card);
    });
  }
  // on a phone the list, the thread and the customer are panes shown one at a time
  function setPane(name) { root.dataset.pane = name; }
  function renderHeader(c, assigneeName, teamName, customer) {
    state.conv = c;
    document.dispatchEvent(new CustomEvent("wd:conversation", {detail: c}));  // labels.js, canned.js
    if (customer) state.customerLabel = customerName(customer.display_name, customer.id);
    renderOwnership(c, assigneeName);
    if (c.assignee_id === me && c.assignee_joined === false) {
      // given to me while I was away: opening it is when the customer learns I am here
      api("POST", "/conversations/" + c.id + "/accept").catch(function () {});
    }
    $("conv-title").textContent = (customer ? customerName(customer.display_name, customer.id) : "") + " — #" + c.id;
    $("conv-meta").textContent = [statusName(c.status), channelName(c.channel), languageName(c.language), teamName || gettext("no team"),
      assigneeName ? fmt(gettext("assigned to {name}"), {name: assigneeName}) : gettext("unassigned")].filter(Boolean).join(" · ");
    var flags = $("conv-flags"); flags.textContent = "";
    if (customer) flags.appendChild(customer.verified_user_id
      ? el("span", "badge verified", fmt(gettext("✔ Verified user {id}"), {id: customer.verified_user_id}))
      : customer.email_verified
        ? el("span", "badge verified", fmt(gettext("✔ Email verified by code: {email}"), {email: customer.email || ""}))
        : el("span", "badge unverified", gettext("Unverified visitor: do not discuss account details")));
    if (c.has_secret_redaction) flags.appendChild(el("span", "badge danger", gettext("A seed phrase or key was removed from this conversation")));
    if (c.after_hours) flags.appendChild(el("span", "badge", gettext("Written outside working hours")));
    var clock = slaBadge(c.sla); if (clock) flags.appendChild(clock);
    var closed = c.status === "resolved" || c.status === "closed";
    $("resolve").hidden = closed; $("reopen").hidden = !closed;
    $("complaint-link").href = "/app/complaints/new?conversation_id=" + encodeURIComponent(c.id);
    $("take").hidden = c.assignee_id === me || closed;
  }
  function renderCustomer(cust, others) {
    var dl = $("customer-details"); dl.textContent = "";
    [[gettext("Name"), cust.display_name || "—"], [gettext("E-mail"), cust.email || "—"], [gettext("Language"), cust.language ? (languageName(cust.language) === cust.language ? cust.language : languageName(cust.language) + " (" + cust.language + ")") : "—"],
     [gettext("Customer since"), when(cust.created_at)]].forEach(function (row) {
      dl.appendChild(el("dt", "", row[0])); dl.appendChild(el("dd", "", row[1]));
    });
    cust.identities.forEach(function (i) { dl.appendChild(el("dt", "", channelName(i.channel))); dl.appendChild(el("dd", "mono", i.external_id)); });
    if ($("workspace").dataset.manager === "true") {
      var privacy = el("a", "", gettext("Personal data: export / erase")); privacy.href = "/admin/customers/" + encodeURIComponent(cust.id);
      dl.appendChild(el("dt", "", gettext("GDPR"))); var dd = el("dd"); dd.appendChild(privacy); dl.appendChild(dd);
    }
    var ul = $("other-conversations"); ul.textContent = "";
    if (!others.length) ul.appendChild(el("li", "muted", gettext("None")));
    others.forEach(function (o) {
      var li = el("li"); var a = el("a", "", "#" + o.id + " · " + statusName(o.status) + " · " + (o.preview || o.subject));
      a.href = "#"; a.addEventListener("click", function (e) { e.preventDefault(); openConversation(o.id); });
      li.appendChild(a); ul.appendChild(li);
    });
    document.dispatchEvent(new CustomEvent("wd:customer", {detail: cust}));  // workspace_tools.js (edit)
  }
  // a bot turn's outcome (walletdesk.bot.models.BotTurn.outcome), as the agent reads it
  var OUTCOME = {answered: gettext("answered"), answered_choice: gettext("answered (article picked)"),
    suggested: gettext("articles offered"), handed_off: gettext("handed off"), clarify: gettext("asked to clarify"),
    refused: gettext("refused"), verify_email: gettext("e-mail verification asked"), verified: gettext("official-channel check"),
    chain_lookup: gettext("left to the chain lookup"), account_context: gettext("answered from the account data"),
    small_talk: gettext("small talk answered")};
  // what a small-talk turn was (its reason: walletdesk.bot.small_talk)
  var SMALL_TALK = {greeting: gettext("a greeting"), thanks: gettext("thanks"), ack: gettext("an acknowledgement"),
    farewell: gettext("a goodbye")};
  // A turn has two kinds of number (walletdesk.bot.queries.turn_payload): each article's match
  // against the others, and the bot's own chance that its best match is right, which also weighs
  // how close the other articles and off-topic questions are: "match 82%" can go with "12%".
  var JUDGEMENT = {sure: gettext("the bot was sure enough to answer ({percent}%)"),
    unsure: gettext("the bot was not sure enough to answer ({percent}%)"),
    off_topic: gettext("looked off-topic")};
  function percent(x) { return Math.round((x || 0) * 100); }
  function renderBot(c, turns) {
    $("bot-panel").hidden = !turns.length && !c.handoff_reason;
    $("bot-handoff").textContent = c.handoff_reason ? fmt(gettext("Handed to a person: {reason}"), {reason: codeName("handoff_reason", c.handoff_reason)}) : "";
    var ol = $("bot-turns"); ol.textContent = "";
    turns.forEach(function (turn) {
      var li = el("li");
      li.appendChild(el("div", "", "“" + turn.query + "”"));
      var outcome = OUTCOME[turn.outcome] || turn.outcome.replace(/_/g, " ");
      if (turn.outcome === "small_talk" && SMALL_TALK[turn.reason]) outcome += " (" + SMALL_TALK[turn.reason] + ")";
      var meta = el("div", "meta", [turn.language, outcome,
        JUDGEMENT[turn.judgement] ? fmt(JUDGEMENT[turn.judgement], {percent: percent(turn.confidence)}) : "",
        turn.helpful === false ? gettext("not helpful") : turn.helpful ? gettext("helpful") : ""].filter(Boolean).join(" · "));
      if (turn.judgement) meta.title = gettext("The bot's own estimate that its best match is right. It also weighs how close the other articles and off-topic questions are, so it can be low next to a high match.");
      li.appendChild(meta);
      var cands = el("ul", "candidates");
      cands.title = gettext("Match: how closely the question fits each article, compared with the others.");
      turn.candidates.slice(0, 3).forEach(function (cand, i) {
        cands.appendChild(el("li", "", fmt(i ? gettext("{title} (match {percent}%)") : gettext("best match: {title} (match {percent}%)"),
          {title: cand.title, percent: percent(cand.score)})));
      });
      li.appendChild(cands);
      ol.appendChild(li);
    });
  }
  function loadSuggestions(id) {
    // the previous conversation's articles go at once: "Insert answer" must never put another
    // customer's article in this reply while the request runs (or after it failed)
    var list = $("suggestions"); list.textContent = "";
    list.appendChild(el("li", "muted", gettext("Looking for articles…")));
    api("GET", "/conversations/" + id + "/suggestions").then(function (rows) {
      if (state.current !== id) return;
      var ul = $("suggestions"); ul.textContent = "";
      if (!rows.length) { ul.appendChild(el("li", "muted", gettext("No matching articles."))); return; }
      rows.forEach(function (a) {
        var li = el("li");
        li.appendChild(el("strong", "", a.title));
        li.appendChild(el("span", "meta", " " + a.score.toFixed(2)));
        var b = el("button", "insert", gettext("Insert answer"));
        b.type = "button";
        b.addEventListener("click", function () {
          var box = $("reply-text");
          box.value = (box.value ? box.value + "\n\n" : "") + a.answer;
          box.focus();
        });
        li.appendChild(b);
        ul.appendChild(li);
      });
    }).catch(function () {
      if (state.current !== id) return;
      var ul = $("suggestions"); ul.textContent = "";
      ul.appendChild(el("li", "muted", gettext("Suggestions are unavailable right now.")));
    });
  }
  // a system note for agents stored in English with its msgid and values (walletdesk.i18n.
  // agent_note), shown in the agent's language; the agent's own words after it (meta.detail)
  // are taken from the text, which is masked for outsourced agents. A text that is no longer
  // the note's English (masked, erased) is shown as it is.
  function phraseText(p, say) {
    var values = {};
    Object.keys(p.values || {}).forEach(function (k) {
      var v = p.values[k]; values[k] = v && typeof v === "object" ? phraseText(v, say) : v;
    });
    return fmt(say(p.msgid), values);
  }
  function noteText(m) {
    var p = (m.meta || {}).phrase;
    if (!p || typeof p.msgid !== "string" || typeof m.text !== "string") return m.text;
    var english = phraseText(p, function (s) { return s; });
    if (m.text === english) return phraseText(p, gettext);
    if (m.meta.detail && m.text.indexOf(english + " ") === 0) {
      var said = phraseText(p, gettext);  // no space after a full-width colon ("：")
      return said + (/[\u3000-\u303f\uff00-\uffef]$/.test(said) ? "" : " ") + m.text.slice(english.length + 1);
    }
    return m.text;
  }
  // the removed secrets' placeholders (walletdesk.safety.protect) in the agent's language
  function readable(text) {
    return typeof text !== "string" ? text : text.split("[seed phrase removed]").join(gettext("[seed phrase removed]"))
      .split("[private key removed]").join(gettext("[private key removed]"));
  }
  function showMessage(m) {
    if (m.conversation_id !== state.current || state.shown[m.seq]) return;
    if (m.client_id && state.pending[m.client_id]) { state.pending[m.client_id].remove(); delete state.pending[m.client_id]; }
    var li = el("li", "msg " + m.sender_kind + (m.internal ? " note" : ""));
    var head = el("div", "msg-head");
    var who = m.sender_name || (m.sender_kind === "customer" ? state.customerLabel || gettext("Customer")
      : m.sender_kind === "bot" ? gettext("Bot") : m.sender_kind === "agent" ? gettext("Agent") : m.sender_kind);
    head.appendChild(el("span", "who", m.internal ? (who + " · " + gettext("internal note")) : who));
    head.appendChild(el("time", "", when(m.created_at)));
    if (m.sender_kind !== "system") li.appendChild(head);
    li.appendChild(el("div", "body", readable(noteText(m))));
    var meta = m.meta || {};
    if (meta.attachments && meta.attachments.length) {  // pictures inline, other files as links (uploads.js)
      if (WalletdeskFiles.isCaptionOnly(m)) li.querySelector(".body").hidden = true;
      WalletdeskFiles.render(li, meta.attachments, {
        source: function (a) { return Promise.resolve("/app/attachments/" + encodeURIComponent(a.id) + "/view"); },
        href: function (a) { return "/app/attachments/" + encodeURIComponent(a.id); }, closeLabel: gettext("Close")});
    }
    (meta.attachments_refused || []).forEach(function (r) { li.appendChild(el("div", "refused", fmt(gettext("Not stored: {file} — {reason}"), {file: r.filename, reason: r.reason}))); });
    if (meta.delivery) li.appendChild(el("div", "delivery " + meta.delivery.status, meta.delivery.status === "sent" ? gettext("✓ emailed") : meta.delivery.status === "failed" ? gettext("✗ email not delivered") : ""));
    li.dataset.seq = m.seq;
    state.shown[m.seq] = li;
    var ol = $("messages"), next = null;
    Object.keys(state.shown).forEach(function (s) { s = +s; if (s > m.seq && (!next || s < +next.dataset.seq)) next = state.shown[s]; });
    ol.insertBefore(li, next || ol.querySelector(".pending") || null);
    if (m.seq > state.lastSeq) state.lastSeq = m.seq;
    if (m.sender_kind === "customer") { $("customer-typing").hidden = true; if (state.shownOnce) loadSuggestions(state.current); }
    ol.scrollTop = ol.scrollHeight;
  }

  // --- socket --------------------------------------------------------------------------
  function send(frame) { if (ws && ready) ws.send(JSON.stringify(frame)); }
  function heartbeat() {
    if (!ws || !ready) return;
    if (Date.now() - lastHeard > heartbeatMs * 2.5) { ws.close(); return; }  // onclose reconnects
    send({type: "ping"});
  }
  function onFrame(f) {
    lastHeard = Date.now();
    document.dispatchEvent(new CustomEvent("wd:frame", {detail: f}));  // notifications.js
    switch (f.type) {
      case "welcome":
        ready = true; retryDelay = 500;
        if (f.heartbeat_s > 0) heartbeatMs = f.heartbeat_s * 1000;
        clearInterval(heartbeatTimer); heartbeatTimer = setInterval(heartbeat, heartbeatMs);
        send({type: "inbox", on: true});
        if (state.current) send({type: "subscribe", conversation_id: state.current, last_seq: state.lastSeq});
        Object.keys(state.pending).forEach(function (cid) { var p = state.pending[cid]; send(p.frame); });
        loadInbox();
        break;
      case "subscribed": f.messages.forEach(showMessage); break;
      case "message": showMessage(f.message); refreshInboxSoon(); break;
      case "message_edited": if (state.shown[f.message.seq] && f.message.conversation_id === state.current) state.shown[f.message.seq].querySelector(".body").textContent = readable(f.message.text); refreshInboxSoon(); break;
      case "ack": showMessage(f.message); break;
      case "conversation":
        refreshInboxSoon();
        if (f.conversation.id === state.current) openHeaderRefresh(f.conversation.id, f.conversation);
        break;
      case "presence": if (state.current) loadTransferTargets(); break;
      case "typing":
        if (f.conversation_id === state.current && f.sender_kind === "customer") {
          $("customer-typing").hidden = !f.state;
        }
        break;
      case "error":
        if (f.client_id && state.pending[f.client_id]) {
          if (f.retry) setTimeout(function () { var p = state.pending[f.client_id]; if (p) send(p.frame); },
                                  (f.retry_after > 0 ? f.retry_after : 1) * 1000 * (1 + Math.random() * 0.5));
          else {
            state.pending[f.client_id].classList.add("failed"); $("reply-error").textContent = f.detail; delete state.pending[f.client_id];
            if (f.code === "not_found" && state.current) openHeaderRefresh(state.current, state.conv);
          }
        }
        break;
    }
  }
  function openHeaderRefresh(id, summary) {
    api("GET", "/conversations/" + id).then(function (d) { if (state.current === id) renderHeader(d.conversation, d.assignee_name, d.team_name, d.customer); })
      .catch(function (e) { if (state.current === id && e.status === 404) transferredAway(summary || state.conv); });
  }
  function nameOf(kind, id) { return id && directory[kind] && directory[kind][id] || ""; }
  // the conversation went out of my reach (transferred to another team's agent or queue):
  // say where it went, keep what was said on screen, and stop offering a reply that would fail
  function transferredAway(c) {
    if (state.goneAway) return;
    state.goneAway = true;
    var to = c ? (nameOf("agents", c.assignee_id) || nameOf("teams", c.team_id)) : "";
    var team = c ? nameOf("teams", c.team_id) : "";
    $("conv-meta").textContent = (to ? fmt(gettext("Transferred to {name}"), {name: to}) : gettext("Transferred")) + (team && team !== to ? " · " + team : "");
    setReplyState("gone", to ? fmt(gettext("This conversation was transferred to {name}. You can no longer reply to it or see new messages."), {name: to})
      : gettext("This conversation was transferred. You can no longer reply to it or see new messages."));
    $("conversation").classList.add("gone");  // no actions on what is not mine any more
    send({type: "unsubscribe", conversation_id: state.current});
    loadInbox();
  }
  // who may write what: the owner and supervisors reply; a colleague who still sees someone
  // else's conversation reads it and adds internal notes
  function renderOwnership(c, assigneeName) {
    if (state.goneAway) return;
    var closed = c.status === "resolved" || c.status === "closed";
    if (c.assignee_id && c.assignee_id !== me && !manager && !closed) {
      setReplyState("notes", fmt(gettext("{name} owns this conversation now: you can read it and add internal notes."), {name: assigneeName || gettext("Another agent")}));
    } else {
      setReplyState("open", "");
    }
  }
  function setReplyState(mode, note) {
    $("reply-note").textContent = note; $("reply-note").hidden = !note;
    var replyRadio = document.querySelector('input[name="mode"][value="reply"]');
    var noteRadio = document.querySelector('input[name="mode"][value="note"]');
    replyRadio.disabled = mode !== "open";
    noteRadio.disabled = mode === "gone";
    if (mode === "notes" && replyRadio.checked) noteRadio.checked = true;
    if (mode === "open" && replyRadio.disabled === false && !noteRadio.checked) replyRadio.checked = true;
    $("reply-text").disabled = mode === "gone";
    Array.prototype.forEach.call($("reply").querySelectorAll("button, input[type=file]"), function (b) { b.disabled = mode === "gone"; });
  }
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(scheme + location.host + "/ws/app");
    ws.onmessage = function (e) { try { onFrame(JSON.parse(e.data)); } catch (err) { /* ignore */ } };
    ws.onclose = function (e) {
      ready = false; clearInterval(heartbeatTimer);
      if (e.code === 4401) { signedOut(); return; }
      setTimeout(connect, retryDelay); retryDelay = Math.min(retryDelay * 2, 10000);
    };
  }

  // --- controls ------------------------------------------------------------------------
  Array.prototype.forEach.call(document.querySelectorAll("#views button"), function (b) {
    b.addEventListener("click", function () {
      state.view = b.dataset.view;
      Array.prototype.forEach.call(document.querySelectorAll("#views button"), function (x) { x.classList.toggle("active", x === b); });
      loadInbox();
    });
  });
  var searchTimer = null;
  $("search").addEventListener("input", function () { clearTimeout(searchTimer); searchTimer = setTimeout(function () { state.q = $("search").value.trim(); loadInbox(); }, 250); });
  $("team-filter").addEventListener("change", function () { state.team = $("team-filter").value; loadInbox(); });
  if ($("label-filter")) $("label-filter").addEventListener("change", loadInbox);
  $("sort").addEventListener("change", function () { state.sort = $("sort").value; loadInbox(); });
  $("presence").addEventListener("change", function () { api("PUT", "/me/presence", {presence: $("presence").value}).then(loadInbox); });

  function act(path, body) { api("POST", "/conversations/" + state.current + path, body).then(function (c) { openHeaderRefresh(state.current, c); loadInbox(); }).catch(function (e) { alert(e.message); }); }
  $("take").addEventListener("click", function () { act("/assign", {agent_id: me}); });
  $("resolve").addEventListener("click", function () {
    var reason = $("resolve-reason"); act("/resolve", {contact_reason: (reason && reason.value) || null}); });
  $("reopen").addEventListener("click", function () { act("/reopen"); });
  // the transfer list: presence and load of each colleague (never me), whether each team is open
  var targets = {agents: {}, teams: {}};
  function loadTransferTargets() {
    var id = state.current; if (!id) return;
    api("GET", "/conversations/" + id + "/transfer-targets").then(function (t) {
      if (state.current !== id) return;
      var agents = $("transfer-agents"), teams = $("transfer-teams");
      agents.textContent = ""; teams.textContent = ""; targets = {agents: {}, teams: {}};
      t.agents.forEach(function (a) {
        targets.agents[a.id] = a;
        // online without a connection (the workspace closed): routing offers them nothing
        var presence = a.presence === "online" && a.connected === false ? gettext("online, not connected")
          : codeName("presence", a.presence);
        var o = el("option", "", a.name + " — " + presence + " · " + a.load + "/" + a.capacity +
          (a.load >= a.capacity ? " " + gettext("full") : "") + (a.speaks_language ? "" : " · " + gettext("other language")));
        o.value = "agent:" + a.id; agents.appendChild(o);
      });
      t.teams.forEach(function (team) {
        targets.teams[team.id] = team;
        var o = el("option", "", team.name + " — " + (team.open_now ? fmt(gettext("open · {count} online"), {count: team.agents_online})
          : team.opens_label ? fmt(gettext("closed until {time}"), {time: team.opens_label}) : gettext("closed now")));
        o.value = "team:" + team.id; teams.appendChild(o);
      });
    }).catch(function () {});
  }
  // fresh statuses each time the list is opened (a click on a select already focused fires no focus)
  $("transfer").addEventListener("focus", loadTransferTargets);
  $("transfer").addEventListener("mousedown", loadTransferTargets);
  $("transfer").addEventListener("change", function () {
    var v = $("transfer").value; if (!v) return;
    var parts = v.split(":"); var body = parts[0] === "agent" ? {agent_id: +parts[1]} : {team_id: +parts[1]};
    $("transfer").value = "";
    var warning = [transferWarning(parts[0], +parts[1]), languageWarning(parts[0], +parts[1])].filter(Boolean).join("\n\n");
    if (warning && !window.confirm(warning + "\n\n" + gettext("Transfer anyway?"))) return;
    act("/assign", body);
  });
  // whether the one it goes to can read the customer: the transfer list says it of each colleague
  // (speaks_language; one without languages speaks any, as routing has it) and of a team through
  // its members in the list (never me: my own languages and teams are in the page)
  var ME = JSON.parse(($("wd-me") || {}).textContent || "{}");
  function languageWarning(kind, id) {
    var lang = state.conv && state.conv.language;
    if (!lang) return "";
    var said = languageName(lang);
    if (kind === "agent") {
      var a = targets.agents[id];
      return a && a.speaks_language === false
        ? fmt(gettext("{name} does not speak {language}, the conversation's language."), {name: a.name, language: said}) : "";
    }
    var team = targets.teams[id];
    var members = Object.keys(targets.agents).map(function (k) { return targets.agents[k]; })
      .filter(function (m) { return (m.team_ids || []).indexOf(id) >= 0; });
    if (!team || !members.length || members.some(function (m) { return m.speaks_language; })) return "";
    var mine = (ME.team_ids || []).indexOf(id) >= 0 && (!(ME.languages || []).length || ME.languages.indexOf(lang) >= 0);
    return fmt(mine ? gettext("Nobody in {team} but you speaks {language}, the conversation's language.")
      : gettext("Nobody in {team} speaks {language}, the conversation's language."), {team: team.name, language: said});
  }
  function transferWarning(kind, id) {
    if (kind === "team") {
      var team = targets.teams[id];
      if (team && !team.open_now) return fmt(team.opens_label
        ? gettext("{team} is closed now (back {opens}). The customer will be told when the team is back and wait until then.")
        : gettext("{team} is closed now. The customer will be told when the team is back and wait until then."), {team: team.name, opens: team.opens_label});
      if (team && !team.agents_online) return fmt(gettext("Nobody in {team} is online: the customer will wait in its queue."), {team: team.name});
      return "";
    }
    var a = targets.agents[id];
    if (a && a.presence === "online" && a.connected === false) return fmt(
      gettext("{name} is online but not connected. The customer will be told they are waiting for an agent until {name} opens the conversation."), {name: a.name});
    if (a && a.presence !== "online") return fmt(a.presence === "away"
      ? gettext("{name} is away. The customer will be told they are waiting for an agent until {name} opens the conversation.")
      : gettext("{name} is offline. The customer will be told they are waiting for an agent until {name} opens the conversation."), {name: a.name});
    if (a && a.load >= a.capacity) return fmt(gettext("{name} already has {load} conversations (capacity {capacity})."), {name: a.name, load: a.load, capacity: a.capacity});
    return "";
  }
  $("back-to-list").addEventListener("click", backToList);
  $("show-customer").addEventListener("click", function () { setPane("customer"); });
  $("back-to-thread").addEventListener("click", function () { setPane("thread"); });
  $("reply").addEventListener("submit", function (e) {
    e.preventDefault();
    var text = $("reply-text").value.trim();
    if (!text || !state.current) return;
    var note = document.querySelector('input[name="mode"]:checked').value === "note";
    var frame = {type: "message", conversation_id: state.current, client_id: newId(), text: text, internal: note};
    var li = el("li", "msg agent pending" + (note ? " note" : ""));
    li.appendChild(el("div", "body", text)); li.frame = frame;
    state.pending[frame.client_id] = li; $("messages").appendChild(li);
    $("reply-error").textContent = "";
    send(frame);
    $("reply-text").value = "";
    saveDraft(state.current);  // sent: no draft left
  });
  $("reply-text").addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("reply").requestSubmit(); }
  });
  // a file picked or pasted goes with the typed text as its caption, which stays until it is sent
  WalletdeskFiles.bind($("reply-text"), $("attach"), $("file-input"), function (file) {
    if (!state.current) return;
    var note = document.querySelector('input[name="mode"]:checked').value === "note";
    var form = new FormData(), text = $("reply-text").value.trim();
    form.append("file", file, file.name || "screenshot.png");
    if (text) form.append("text", text);
    form.append("client_id", newId());
    if (note) form.append("internal", "1");
    $("reply-error").textContent = "";
    WalletdeskFiles.upload("/api/v1/conversations/" + state.current + "/attachments", form, {"X-CSRF-Token": csrf})
      .then(function (res) { if (text && $("reply-text").value.trim() === text) { $("reply-text").value = ""; saveDraft(state.current); } showMessage(res.message); })
      .catch(function (err) { $("reply-error").textContent = err.message; });
  });
  $("reply-text").addEventListener("input", function () { saveDraft(state.current); });
  Array.prototype.forEach.call(document.querySelectorAll('input[name="mode"]'), function (r) {
    r.addEventListener("change", function () { saveDraft(state.current); });
  });
  $("reply-text").addEventListener("input", function () {
    var note = document.querySelector('input[name="mode"]:checked').value === "note";
    if (note || !state.current) return;
    var now = Date.now();
    if (now - typingSent > 2500) { send({type: "typing", conversation_id: state.current, state: true}); typingSent = now; }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { send({type: "typing", conversation_id: state.current, state: false}); typingSent = 0; }, 3000);
  });

  // for notifications.js, shortcuts.js and workspace_tools.js
  window.wdWorkspace = {me: me, api: api, open: openConversation, reload: loadInbox, act: act,
    current: function () { return state.current; }};
  connect();
  // /app#42 opens conversation 42 (a reload, links from complaints and follow-ups)
  followUrl();
  window.addEventListener("popstate", function () {
    // the same address entered again (no other step comes back with the open one): afresh
    var id = conversationInUrl();
    if (id && id === state.showing) openConversation(id, true); else followUrl();
  });
  window.addEventListener("hashchange", followUrl);
})();
