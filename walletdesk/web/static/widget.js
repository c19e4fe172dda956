/* walletdesk customer widget: live chat over /ws/widget (protocol: docs/widget.md).
 * Messages are kept by sequence number, so a resumed socket never shows one twice; messages
 * typed while offline wait in a local outbox and are re-sent with the same client id. */
(function () {
  "use strict";
  // the texts come from the catalog of the widget's language (the customer's), rendered into
  // the page by the server as {English: translation} (docs/decisions/0017-babel-catalogs.md)
  var TEXTS = JSON.parse((document.getElementById("wd-texts") || {}).textContent || "{}");
  function gettext(s) { return TEXTS[s] || s; }
  var lang = document.documentElement.lang || "en";
  // the language the customer's page asked for (?lang=), else the browser's: the desk's notices
  var requestedLanguage = new URLSearchParams(location.search).get("lang") || navigator.language;
  function buildTexts() { return {placeholder: gettext("Write a message…"), send: gettext("Send"), connecting: gettext("Connecting…"),
    online: gettext("Online"), offline: gettext("Reconnecting…"), position: gettext("You are number {n} in line."),
    // Translators: {time} is a duration in the customer's words, e.g. "45 minutes", "3 hours"
    wait: gettext("Expected wait: about {time}."),
    nobody: gettext("All agents are busy or away; we'll be with you as soon as someone is free."),
    after: gettext("Our team is away. We're back {t}. Leave a message and we'll reply then."),
    typing: gettext("{name} is typing…"), safety: gettext("We will never ask for your recovery phrase or private key."),
    failed: gettext("Not sent: {d}"), sending: gettext("Sending…"), agent: gettext("Support"), you: gettext("You"),
    solved: gettext("That solved it"), human: gettext("Talk to a person"), more: gettext("Read the full article"),
    none: gettext("None of these"), open: gettext("open"), openTitle: gettext("Open “{title}” in the help centre"),
    bot: gettext("Assistant"), away: gettext("Agents away · leave a message"),
    // Translators: the chat's header while the customer waits in line and agents are there, all busy
    busy: gettext("Agents busy · you're in line"),
    // Translators: the chat's header outside the team's working hours; {t} is when it is back, e.g. "Mon 2026-12-07 09:00 CST"
    closedUntil: gettext("Closed until {t} · leave a message"),
    closed: gettext("Closed now · leave a message"),
    rated: gettext("Thanks, you rated this {n}/5."), already: gettext("You have already rated this conversation."),
    reopened: gettext("The conversation was reopened: you can rate it once it is resolved again."),
    hello: gettext("Hi! Ask us anything about your wallet."),
    // what the desk put in place of a secret it removed from a message (walletdesk.safety.protect)
    seedRemoved: gettext("[seed phrase removed]"), keyRemoved: gettext("[private key removed]"),
    // Translators: the place in line, then the expected wait (a language without spaces between sentences drops the space)
    queue: gettext("{position} {wait}")}; }
  var t = buildTexts();
  function fmt(s, v) { return s.replace(/\{(\w+)\}/g, function (_, k) { return v[k] !== undefined ? v[k] : ""; }); }
  // a message as the customer reads it: the removed secrets' placeholders in their language
  function readable(text) {
    return typeof text !== "string" ? text
      : text.split("[seed phrase removed]").join(t.seedRemoved).split("[private key removed]").join(t.keyRemoved);
  }

  var KEY_TOKEN = "walletdesk.visitor", KEY_OUTBOX = "walletdesk.outbox";
  var store = window.localStorage;
  var list = document.getElementById("messages");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var notice = document.getElementById("notice");
  var typingEl = document.getElementById("typing");
  var connEl = document.getElementById("conn-state");
  var closeBtn = document.getElementById("close-widget");
  input.placeholder = t.placeholder;
  document.getElementById("send").textContent = t.send;
  document.getElementById("safety").textContent = t.safety;
  document.documentElement.lang = lang;

  var ws = null, ready = false, retryDelay = 500, lastSeq = 0, conversationId = null;
  var shown = {};           // seq -> li
  var seen = {};            // seq -> message: drawn again when the texts change language
  var lastQueue = null;
  var answered = {};        // survey id -> rating: the card is shown as answered, even after a reload
  var connected = false;
  var availability = null;  // the desk's answer: can a person take the conversation now?
  var outbox = loadOutbox(); // [{client_id, text}]
  var typingTimer = null, typingSent = 0, agentTypingTimer = null;

  // the text being written, kept per conversation for this tab (sessionStorage: it survives a
  // reload, not the tab: a half-typed recovery phrase is not kept in the browser for good)
  var drafts = null;
  try { drafts = window.sessionStorage; } catch (e) { drafts = null; }
  function draftKey() { return "walletdesk.draft." + (conversationId === null ? "new" : conversationId); }
  function saveDraft() {
    if (!drafts) return;
    try { if (input.value) drafts.setItem(draftKey(), input.value); else drafts.removeItem(draftKey()); } catch (e) { /* full or refused */ }
  }
  function clearDraft() {
    if (!drafts) return;
    try { drafts.removeItem(draftKey()); drafts.removeItem("walletdesk.draft.new"); } catch (e) { /* refused */ }
  }
  function restoreDraft() {
    if (!drafts || input.value) return;  // what was typed meanwhile wins
    try { input.value = drafts.getItem(draftKey()) || drafts.getItem("walletdesk.draft.new") || ""; } catch (e) { /* refused */ }
  }
  function loadOutbox() { try { return JSON.parse(store.getItem(KEY_OUTBOX) || "[]"); } catch (e) { return []; } }
  function saveOutbox() { store.setItem(KEY_OUTBOX, JSON.stringify(outbox)); }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function bubble(kind, name, text, extraClass) {
    var li = document.createElement("li");
    li.className = "msg " + kind + (extraClass ? " " + extraClass : "");
    if (kind !== "system") {
      var who = document.createElement("span");
      who.className = "who";
      who.textContent = kind === "customer" ? t.you : kind === "bot" ? t.bot : (name || t.agent);
      li.appendChild(who);
    }
    var body = document.createElement("div");
    body.className = "body";
    body.textContent = readable(text);   // always text: message content is never parsed as HTML
    li.appendChild(body);
    return li;
  }
  function scroll() { list.scrollTop = list.scrollHeight; }
  // once the bot has let the conversation go (to a person's queue, to a person, or resolved)
  // its "Talk to a person" buttons are gone, those of earlier answers too, also after a reload
  // (the desk ignores them then: walletdesk.bot.actions.customer_feedback)
  function showStatus(status) {
    if (!status) return;
    list.classList.toggle("bot-done", status !== "bot");
    conversationStatus = status;
    Array.prototype.forEach.call(list.querySelectorAll(".csat"), ratingCardState);
  }
  // a rating card asks about the conversation as resolved: while it is open again (reopened by
  // the customer or an agent) the card waits, and works again once it is resolved (the desk
  // refuses a rating meanwhile: walletdesk.cases.surveys)
  var conversationStatus = null;
  function ratingCardState(card) {
    if (answered[card.dataset.surveyId] !== undefined || card.classList.contains("sent")) return;
    if (card.dataset.conversationId && +card.dataset.conversationId !== conversationId) return;
    var open = conversationStatus !== null && conversationStatus !== "resolved" && conversationStatus !== "closed";
    Array.prototype.forEach.call(card.querySelectorAll("button"), function (x) { x.disabled = open; });
    var status = card.parentNode && card.parentNode.querySelector(".csat-status");
    if (status) { status.textContent = open ? t.reopened : ""; status.hidden = !open; }
  }
  // the customer's current conversation is the one their own latest message went to (a new
  // one after a close starts with the bot; its status frames follow)
  function follow(m) {
    if (!m || !m.conversation_id || m.conversation_id === conversationId) return;
    conversationId = m.conversation_id;
    list.classList.remove("bot-done");
  }

  function showMessage(m) {
    if (m.internal) return;
    if (shown[m.seq]) return;
    seen[m.seq] = m;
    if (m.client_id) {
      var pending = list.querySelector('li.pending[data-client-id="' + CSS.escape(m.client_id) + '"]');
      if (pending) pending.remove();
      dropFromOutbox(m.client_id);
    }
    var greeting = list.querySelector(".greeting");
    if (greeting) greeting.remove();
    var li = bubble(m.sender_kind, m.sender_name, m.text);
    if (m.meta) addBotExtras(li, m.meta);
    if (m.meta && m.meta.attachments) showFiles(li, m);
    var card = li.querySelector(".csat");
    if (card) { card.dataset.conversationId = m.conversation_id; ratingCardState(card); }
    li.dataset.seq = m.seq;
    shown[m.seq] = li;
    // keep order by seq even if frames arrive out of order
    var after = null;
    Object.keys(shown).forEach(function (s) { s = +s; if (s > m.seq && (!after || s < +after.dataset.seq)) after = shown[s]; });
    var firstPending = list.querySelector("li.pending");
    list.insertBefore(li, after || firstPending || null);
    if (m.seq > lastSeq) lastSeq = m.seq;
    if (m.sender_kind !== "customer") typingEl.hidden = true;
    scroll();
    updateUnread();
  }
  function link(href, text) {
    var a = document.createElement("a");
    a.href = href; a.target = "_blank"; a.rel = "noopener"; a.textContent = text;
    return a;
  }
  // the bot's article link, suggestions and "solved / talk to a person" buttons
  function addBotExtras(li, meta) {
    if (meta.article && meta.article.url) {
      var p = document.createElement("p"); p.className = "bot-link";
      p.appendChild(link(meta.article.url, t.more)); li.appendChild(p);
    }
    if (meta.articles && meta.articles.length && meta.kind === "suggestions" && meta.turn_id !== undefined) {
      addChoices(li, meta);
    } else if (meta.articles && meta.articles.length) {
      var ul = document.createElement("ul"); ul.className = "bot-suggestions";
      meta.articles.forEach(function (a) { var item = document.createElement("li"); item.appendChild(link(a.url, a.title)); ul.appendChild(item); });
      li.appendChild(ul);
    }
    // the answer to a pick marks the pick in its question (also after a reload)
    if (meta.kind === "answer" && meta.choice) markChosen(meta.turn_id, meta.choice);
    // a proactive message (walletdesk.outreach): the customer's one-click opt-out
    if (meta.campaign_id && meta.stop_url) {
      var stop = document.createElement("p"); stop.className = "outreach-stop";
      stop.appendChild(link(meta.stop_url, meta.stop_label || "Stop these messages")); li.appendChild(stop);
    }
    if (meta.kind === "csat_answer") markRated(meta.survey_id, meta.rating);
    if (meta.kind === "announcement_resolved" && window.wdAnnouncements) window.wdAnnouncements.reload();
    if (meta.kind === "overflow_offer") addOverflowOffer(li, meta);
    if (meta.kind === "overflow_chosen") {
      markOverflowChosen(meta.offer_id, meta.choice);
      if (meta.url && /^https?:\/\//.test(meta.url)) {
        var pick = document.createElement("p"); pick.className = "bot-link";
        pick.appendChild(link(meta.url, gettext("Pick a time for the call"))); li.appendChild(pick);
      }
    }
    if (meta.kind === "csat") {
      var stars = document.createElement("div"); stars.className = "csat";
      stars.dataset.surveyId = meta.survey_id;
      var status = document.createElement("p"); status.className = "csat-status"; status.hidden = true;
      for (var n = 1; n <= 5; n++) (function (score) {
        var b = document.createElement("button"); b.type = "button"; b.textContent = "★ " + score;
        b.dataset.score = score;
        b.addEventListener("click", function () {
          Array.prototype.forEach.call(stars.querySelectorAll("button"), function (x) { x.disabled = true; });
          stars.classList.add("sent");  // the answer (or refusal) says what happens next
          b.classList.add("chosen");
          var clientId = newId();
          ratings[clientId] = {survey: meta.survey_id, score: score};
          send({type: "rating", survey_id: meta.survey_id, rating: score, client_id: clientId});
        });
        stars.appendChild(b);
      })(n);
      li.appendChild(stars);
      li.appendChild(status);
      if (answered[meta.survey_id] !== undefined) markRated(meta.survey_id, answered[meta.survey_id], null, stars);
    }
    if (meta.actions && meta.actions.length) {
      var bar = document.createElement("div"); bar.className = "bot-actions";
      meta.actions.forEach(function (action) {
        var b = document.createElement("button"); b.type = "button";
        b.textContent = action === "solved" ? t.solved : action === "not_solved" ? t.none : t.human;
        b.dataset.action = action;
        if (action === "human" && meta.actions.length === 1) bar.classList.add("only-human");
        b.addEventListener("click", function () {
          Array.prototype.forEach.call(bar.querySelectorAll("button"), function (x) { x.disabled = true; });
          // a question answered with "None of these" or "Talk to a person" takes no pick
          var box = li.querySelector(".bot-choices");
          if (box) Array.prototype.forEach.call(box.querySelectorAll("button"), function (x) { x.disabled = true; });
          send({type: "bot_action", turn_id: meta.turn_id === undefined ? null : meta.turn_id, action: action});
        });
        bar.appendChild(b);
      });
      li.appendChild(bar);
    }
  }
  // "Do you mean A or B?": each offered article is a button that answers in the chat (the
  // bot_action "choose", docs/widget.md); its small "open" link keeps the help-centre page
  var choicePending = {}, chosenByTurn = {};  // client id -> turn id; turn id -> slug
  function choiceBox(turnId) { return list.querySelector('.bot-choices[data-turn-id="' + CSS.escape(String(turnId)) + '"]'); }
  function addChoices(li, meta) {
    var box = document.createElement("div"); box.className = "bot-choices";
    box.dataset.turnId = meta.turn_id;
    box.setAttribute("role", "group"); box.setAttribute("aria-label", li.querySelector(".body").textContent);
    meta.articles.forEach(function (a) {
      var row = document.createElement("div"); row.className = "bot-choice";
      var b = document.createElement("button"); b.type = "button"; b.className = "choice";
      b.textContent = a.title; b.dataset.slug = a.slug;
      b.addEventListener("click", function () {
        if (!(ws && ready)) return;  // offline: the buttons wait for the connection
        Array.prototype.forEach.call(li.querySelectorAll("button"), function (x) { x.disabled = true; });
        b.classList.add("chosen");
        status.hidden = true;
        var clientId = newId(); choicePending[clientId] = meta.turn_id;
        send({type: "bot_action", turn_id: meta.turn_id, action: "choose", slug: a.slug, client_id: clientId});
      });
      row.appendChild(b);
      if (a.url) {
        var open = link(a.url, t.open); open.className = "choice-open";
        open.setAttribute("aria-label", fmt(t.openTitle, {title: a.title}));
        row.appendChild(open);
      }
      box.appendChild(row);
    });
    var status = document.createElement("p"); status.className = "choice-status"; status.hidden = true;
    li.appendChild(box); li.appendChild(status);
    if (chosenByTurn[meta.turn_id]) markChosen(meta.turn_id, chosenByTurn[meta.turn_id]);
  }
  function markChosen(turnId, slug, note) {
    if (slug) chosenByTurn[turnId] = slug;
    var box = choiceBox(turnId);
    if (!box) return;
    var li = box.parentNode, status = li.querySelector(".choice-status");
    if (slug) {
      Array.prototype.forEach.call(li.querySelectorAll("button"), function (x) { x.disabled = true; });
      Array.prototype.forEach.call(box.querySelectorAll("button"), function (x) { x.classList.toggle("chosen", x.dataset.slug === slug); });
    } else {  // refused: the buttons come back with the reason
      Array.prototype.forEach.call(li.querySelectorAll("button"), function (x) { x.disabled = false; x.classList.remove("chosen"); });
    }
    if (note) { status.textContent = note; status.hidden = false; } else if (slug) status.hidden = true;
  }
  // a long wait (overflow, docs/widget.md): keep the page open, the answer by e-mail, or a call back
  function overflowTexts() { return {wait: gettext("Keep this page open"), email: gettext("Answer by e-mail"),
    callback: gettext("Book a call back"), address: gettext("Your e-mail address"),
    onFile: gettext("Use {email} (or type another)"), phone: gettext("Your phone number"),
    confirm: gettext("Confirm")}; }
  var overflowChosen = {}, overflowPending = {};  // offer id -> choice; client id -> offer id
  function overflowBox(offerId) { return list.querySelector('.overflow-offer[data-offer-id="' + CSS.escape(String(offerId)) + '"]'); }
  function addOverflowOffer(li, meta) {
    var OVERFLOW = overflowTexts();
    var box = document.createElement("div"); box.className = "overflow-offer bot-actions";
    box.dataset.offerId = meta.offer_id;
    var form = document.createElement("form"); form.className = "overflow-form"; form.hidden = true;
    var field = document.createElement("input"); field.maxLength = 254; field.setAttribute("aria-label", "");
    var ok = document.createElement("button"); ok.type = "submit"; ok.textContent = OVERFLOW.confirm;
    var status = document.createElement("p"); status.className = "overflow-status"; status.hidden = true;
    form.appendChild(field); form.appendChild(ok);
    var current = null;
    function choose(choice, value) {
      var clientId = newId(); overflowPending[clientId] = meta.offer_id;
      var frame = {type: "overflow_choice", offer_id: meta.offer_id, choice: choice, client_id: clientId};
      if (choice === "email" && value) frame.email = value;
      if (choice === "callback" && value) frame.phone = value;
      send(frame);
    }
    ["wait", "email", "callback"].forEach(function (choice) {
      var b = document.createElement("button"); b.type = "button"; b.textContent = OVERFLOW[choice];
      b.dataset.choice = choice;
      b.addEventListener("click", function () {
        if (choice === "wait") { choose("wait"); return; }
        current = choice; form.hidden = false; field.value = "";
        field.type = choice === "email" ? "email" : "tel";
        field.autocomplete = choice === "email" ? "email" : "tel";
        field.required = !(choice === "email" && meta.email_hint);
        field.placeholder = choice === "email" ? (meta.email_hint ? fmt(OVERFLOW.onFile, {email: meta.email_hint}) : OVERFLOW.address) : OVERFLOW.phone;
        field.setAttribute("aria-label", choice === "email" ? OVERFLOW.address : OVERFLOW.phone);
        field.focus();
      });
      box.appendChild(b);
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); if (current) choose(current, field.value.trim()); });
    li.appendChild(box); li.appendChild(form); li.appendChild(status);
    if (overflowChosen[meta.offer_id]) markOverflowChosen(meta.offer_id, overflowChosen[meta.offer_id]);
  }
  function markOverflowChosen(offerId, choice, note) {
    if (choice) overflowChosen[offerId] = choice;
    var box = overflowBox(offerId);
    if (!box) return;
    var li = box.parentNode, form = li.querySelector(".overflow-form"), status = li.querySelector(".overflow-status");
    if (choice) {
      Array.prototype.forEach.call(box.querySelectorAll("button"), function (b) { b.disabled = true; b.classList.toggle("chosen", b.dataset.choice === choice); });
      form.hidden = true;
    }
    if (note) { status.textContent = note; status.hidden = false; } else if (choice) status.hidden = true;
  }
  var ratings = {};  // client id of a rating frame -> survey id
  function markRated(surveyId, rating, note, card) {
    answered[surveyId] = rating;
    var stars = card || list.querySelector('.csat[data-survey-id="' + CSS.escape(String(surveyId)) + '"]');
    if (!stars) return;
    Array.prototype.forEach.call(stars.querySelectorAll("button"), function (x) {
      x.disabled = true; x.classList.toggle("chosen", rating !== null && +x.dataset.score === rating);
    });
    var status = stars.parentNode.querySelector(".csat-status");
    if (status) { status.textContent = note || (rating ? fmt(t.rated, {n: rating}) : t.already); status.hidden = false; }
  }
  function dropFromOutbox(clientId) {
    var before = outbox.length;
    outbox = outbox.filter(function (p) { return p.client_id !== clientId; });
    if (outbox.length !== before) saveOutbox();
  }
  function showPending(p) {
    if (list.querySelector('li.pending[data-client-id="' + CSS.escape(p.client_id) + '"]')) return;
    var li = bubble("customer", "", p.text, "pending");
    li.dataset.clientId = p.client_id;
    var state = document.createElement("span");
    state.className = "state";
    state.textContent = t.sending;
    li.appendChild(state);
    list.appendChild(li);
    scroll();
  }
  function markFailed(clientId, detail) {
    var li = list.querySelector('li.pending[data-client-id="' + CSS.escape(clientId) + '"]');
    dropFromOutbox(clientId);
    if (li) { li.classList.add("failed"); li.querySelector(".state").textContent = fmt(t.failed, {d: detail}); }
  }

  function showQueue(q) {
    lastQueue = q;
    showConnection();
    // the banner takes room from the thread: its last message stays in view
    var atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
    if (!q) { notice.hidden = true; return; }
    var text;
    if (q.after_hours) {
      // the same words for the time as the desk's own notice in the thread
      text = fmt(t.after, {t: q.opens_label || (q.opens_at ? new Date(q.opens_at).toLocaleString(lang) : "—")});
    } else {
      text = fmt(t.queue, {position: fmt(t.position, {n: q.position}),
        // the desk says the wait in the customer's words (eta_label), as its notice in the thread does
        wait: q.eta_s ? fmt(t.wait, {time: q.eta_label || Math.max(1, Math.round(q.eta_s / 60)) + " min"}) : t.nobody});
    }
    notice.textContent = text;
    notice.hidden = false;
    if (atEnd) scroll();
  }

  // the header says whether someone who could take the conversation is there, not only
  // whether the socket is: "Online" only while an agent of the right team and language is
  // connected and the team is open (the desk's "availability", docs/widget.md); while the
  // conversation waits in line its queue frame says the same, and wins: agents there but all
  // busy (an expected wait) is "busy", not "Online" above "All our agents are busy"
  function presence() {
    var q = lastQueue;
    if (q) return q.after_hours ? {state: "closed", opens_label: q.opens_label, opens_at: q.opens_at}
      : {state: q.eta_s ? "busy" : "away"};
    return availability || {state: "away"};
  }
  function showConnection() {
    if (!connected) { connEl.textContent = t.offline; connEl.dataset.state = "offline"; return; }
    var p = presence(), when = p.opens_label || (p.opens_at ? new Date(p.opens_at).toLocaleString(lang) : "");
    connEl.textContent = p.state === "online" ? t.online : p.state === "busy" ? t.busy
      : p.state === "away" ? t.away
      : when ? fmt(t.closedUntil, {t: when}) : t.closed;
    connEl.dataset.state = p.state;
  }
  // asked again while the widget stays open: agents come and go
  function askAvailability() { if (document.visibilityState === "visible") send({type: "availability"}); }
  setInterval(askAvailability, 60000);
  document.addEventListener("visibilitychange", askAvailability);
  function send(frame) { if (ws && ready) ws.send(JSON.stringify(frame)); }
  function flushOutbox() { outbox.forEach(function (p) { showPending(p); send({type: "message", client_id: p.client_id, text: p.text}); }); }
  // a message the desk could not take now ("busy" under load, or "unavailable") is resent
  // alone, with the same client id, after the retry_after it asked for plus some jitter, so
  // that the refused widgets do not all come back at the same instant (docs/api.md)
  function retryLater(clientId, after) {
    var delay = (typeof after === "number" && after > 0 ? after : 1) * 1000 * (1 + Math.random() * 0.5);
    setTimeout(function () {
      outbox.forEach(function (p) { if (p.client_id === clientId) send({type: "message", client_id: p.client_id, text: p.text}); });
    }, delay);
  }

  // the widget's own texts (buttons, the rating card's thanks …) speak the conversation's
  // language once the desk knows it, like the desk's notices in the thread beside them
  function followLanguage(code) {
    if (!code || code === lang) return;
    fetch("/widget/texts?lang=" + encodeURIComponent(code)).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    }).then(function (data) {
      if (data.locale === lang) return;
      Object.keys(data.texts).forEach(function (k) { TEXTS[k] = data.texts[k]; });
      lang = data.locale; t = buildTexts();
      document.documentElement.lang = lang;
      input.placeholder = t.placeholder;
      document.getElementById("send").textContent = t.send;
      document.getElementById("safety").textContent = t.safety;
      showConnection();
      showQueue(lastQueue);
      Object.keys(shown).forEach(function (s) { shown[s].remove(); delete shown[s]; });
      Object.keys(seen).forEach(function (s) { showMessage(seen[s]); });
    }).catch(function () {});  // the texts stay in the browser's language
  }

  // the browser's time zone, once: proactive messages wait for the customer's morning
  function reportTimeZone() {
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
    var sent = zone + "|" + store.getItem(KEY_TOKEN);
    if (!zone || !filesToken || store.getItem("walletdesk-tz") === sent) return;
    fetch("/api/widget/outreach", {method: "PUT", body: JSON.stringify({timezone: zone}),
      headers: {Authorization: "Bearer " + filesToken, "Content-Type": "application/json"}})
      .then(function (res) { if (res.ok) store.setItem("walletdesk-tz", sent); }).catch(function () {});
  }

  function onFrame(f) {
    switch (f.type) {
      case "welcome":
        store.setItem(KEY_TOKEN, f.visitor_token);
        filesToken = f.files_token || null;
        if (f.conversation) readSeq = Math.max(readSeq, f.conversation.read_seq || 0);
        ready = true; retryDelay = 500;
        availability = f.availability || null;
        connected = true; showConnection();
        if (window.WalletdeskPrivacy) WalletdeskPrivacy.show(f.privacy_notice, send, f.visitor_token);
        if (f.conversation) { conversationId = f.conversation.id; showStatus(f.conversation.status); (f.messages || []).forEach(showMessage); showQueue(f.queue); followLanguage(f.conversation.language); }
        restoreDraft();  // the conversation is known now: its draft
        if (f.conversation) reportTimeZone();
        else if (!list.querySelector("li")) { var hello = bubble("system", "", t.hello); hello.className += " greeting"; list.appendChild(hello); }
        flushOutbox();
        updateUnread();
        break;
      case "resume":
        if (f.conversation) { conversationId = f.conversation.id; showStatus(f.conversation.status); }
        (f.messages || []).forEach(showMessage);
        showQueue(f.queue);
        if (f.conversation) followLanguage(f.conversation.language);
        break;
      case "ack": follow(f.message); showMessage(f.message); reportTimeZone(); break;
      case "message": showMessage(f.message); break;
      case "message_edited": if (shown[f.message.seq]) shown[f.message.seq].querySelector(".body").textContent = readable(f.message.text); break;
      case "queue": if (f.conversation_id === conversationId || conversationId === null) showQueue(f); break;
      case "availability": availability = f; showConnection(); break;
      case "status":
        if (f.conversation_id === conversationId || conversationId === null) showStatus(f.status);
        if (f.status !== "queued") { showQueue(null); send({type: "availability"}); }
        break;
      case "typing":
        typingEl.textContent = fmt(t.typing, {name: f.name || (f.sender_kind === "bot" ? t.bot : t.agent)});
        typingEl.hidden = !f.state;
        clearTimeout(agentTypingTimer);
        agentTypingTimer = setTimeout(function () { typingEl.hidden = true; }, 6000);
        break;
      case "overflow_chosen": markOverflowChosen(f.offer_id, f.choice); break;
      case "rated":
        Object.keys(ratings).forEach(function (cid) {
          if (ratings[cid].survey === f.survey_id) { markRated(f.survey_id, ratings[cid].score); delete ratings[cid]; }
        });
        break;
      case "error":
        if (f.client_id && overflowPending[f.client_id] !== undefined) {
          var offerId = overflowPending[f.client_id]; delete overflowPending[f.client_id];
          markOverflowChosen(offerId, null, fmt(t.failed, {d: f.detail}));
          break;
        }
        if (f.client_id && choicePending[f.client_id] !== undefined) {
          var turnId = choicePending[f.client_id]; delete choicePending[f.client_id];
          // still the bot's, a pick can be tried again; else the buttons stay off
          markChosen(turnId, null, fmt(t.failed, {d: f.detail}));
          if (f.code === "conflict" || f.code === "not_found") {
            var stale = choiceBox(turnId);
            if (stale) Array.prototype.forEach.call(stale.parentNode.querySelectorAll("button"), function (x) { x.disabled = true; });
          }
          break;
        }
        if (f.client_id && ratings[f.client_id] !== undefined) {
          var surveyId = ratings[f.client_id].survey; delete ratings[f.client_id];
          if (f.code === "conflict") markRated(surveyId, null, t.already);
          else if (f.code === "invalid") {  // reopened meanwhile: the card waits for the resolve
            var refused = list.querySelector('.csat[data-survey-id="' + CSS.escape(String(surveyId)) + '"]');
            if (refused) {
              refused.classList.remove("sent");
              Array.prototype.forEach.call(refused.querySelectorAll("button"), function (x) { x.classList.remove("chosen"); });
              ratingCardState(refused);
            }
          }
          else markRated(surveyId, null, fmt(t.failed, {d: f.detail}));
          break;
        }
        if (f.retry && f.client_id) retryLater(f.client_id, f.retry_after);
        else if (f.client_id) markFailed(f.client_id, f.detail);
        break;
    }
  }

  // --- files (uploads.js) and the launcher's unread count ---------------------------------
  var FILE_UI = {attach: gettext("Attach a file"), retry: gettext("Retry"), close: gettext("Close")};
  var filesToken = null, readSeq = 0, unreadPosted = -1, fileUrls = {};
  var fragment = new URLSearchParams(location.hash.slice(1));
  // the operator's page that framed us (widget.js loader); counts are posted to it only
  var parentOrigin = /^https?:\/\/[^\/]+$/.test(fragment.get("parent") || "") ? fragment.get("parent") : null;
  var launcherOpen = !(document.body.classList.contains("embedded") && parentOrigin);

  function fetchFile(a) {
    if (fileUrls[a.id]) return Promise.resolve(fileUrls[a.id]);
    return fetch("/api/widget/attachments/" + encodeURIComponent(a.id), {headers: {Authorization: "Bearer " + filesToken}})
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.blob(); })
      .then(function (b) { fileUrls[a.id] = URL.createObjectURL(b); return fileUrls[a.id]; });
  }
  function showFiles(li, m) {
    if (WalletdeskFiles.isCaptionOnly(m)) li.querySelector(".body").hidden = true;
    WalletdeskFiles.render(li, m.meta.attachments, {
      source: fetchFile, closeLabel: FILE_UI.close,
      open: function (a) {
        fetchFile(a).then(function (url) {
          var save = document.createElement("a"); save.href = url; save.download = a.filename;
          document.body.appendChild(save); save.click(); save.remove();
        });
      }
    });
  }
  function sendFile(file) {
    var clientId = newId(), caption = input.value.trim();
    input.value = "";
    clearDraft();
    var li = bubble("customer", "", file.name || "file", "pending");
    li.dataset.clientId = clientId;
    var state = document.createElement("span"); state.className = "state"; li.appendChild(state);
    list.appendChild(li); scroll();
    function attempt() {
      li.classList.remove("failed"); state.textContent = t.sending;
      var old = li.querySelector(".wd-retry"); if (old) old.remove();
      if (!filesToken) { failed({status: 0}); return; }
      var form = new FormData();
      form.append("file", file, file.name || "screenshot.png");
      if (caption) form.append("text", caption);
      form.append("client_id", clientId);
      if (conversationId !== null) form.append("conversation_id", conversationId);
      form.append("language", requestedLanguage || "");
      // a refused file is explained in the widget's language
      WalletdeskFiles.upload("/api/widget/attachments", form, {Authorization: "Bearer " + filesToken, "Accept-Language": lang}).then(function (res) {
        var first = conversationId === null;
        conversationId = res.conversation_id;
        showMessage(res.message);
        if (first && ws) ws.close();  // the socket joins the new conversation as it reconnects
      }).catch(failed);
    }
    function failed(err) {
      li.classList.add("failed");
      state.textContent = fmt(t.failed, {d: err.status ? err.message : t.offline});
      if (caption && !input.value) { input.value = caption; saveDraft(); }  // what was typed is never lost
      scroll();
      if (!err.status || err.status >= 500 || err.status === 401) {
        var retry = document.createElement("button"); retry.type = "button"; retry.className = "wd-retry";
        retry.textContent = FILE_UI.retry; retry.addEventListener("click", attempt); li.appendChild(retry);
      }
    }
    attempt();
  }
  var attachBtn = document.getElementById("attach");
  if (attachBtn && window.WalletdeskFiles) {
    attachBtn.setAttribute("aria-label", FILE_UI.attach); attachBtn.title = FILE_UI.attach;
    WalletdeskFiles.bind(input, attachBtn, document.getElementById("file-input"), sendFile);
  }

  function unreadCount() {
    var n = 0;
    Object.keys(shown).forEach(function (s) { if (+s > readSeq && /\b(agent|bot)\b/.test(shown[s].className)) n++; });
    return n;
  }
  function updateUnread() {
    var seen = launcherOpen && document.visibilityState === "visible";
    if (seen && conversationId !== null && lastSeq > readSeq && ready) {
      readSeq = lastSeq;
      send({type: "read", seq: lastSeq});
    }
    var n = seen ? 0 : unreadCount();
    if (parentOrigin && n !== unreadPosted) window.parent.postMessage({type: "walletdesk:unread", count: n}, parentOrigin);
    unreadPosted = n;
  }
  window.addEventListener("message", function (e) {
    if (!parentOrigin || e.source !== window.parent || e.origin !== parentOrigin) return;
    if (e.data && e.data.type === "walletdesk:visibility") { launcherOpen = !!e.data.open; updateUnread(); }
  });
  document.addEventListener("visibilitychange", updateUnread);

  // the server refuses a whole hello frame holding a control character or a lone surrogate
  var UNSENDABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/;
  function deviceContext(raw) {
    if (!raw || raw.length > 4000) return null;
    try {
      var ctx = JSON.parse(raw), clean = true;
      if (!ctx || typeof ctx !== "object" || Array.isArray(ctx)) return null;
      JSON.stringify(ctx, function (k, v) { if (UNSENDABLE.test(k) || (typeof v === "string" && UNSENDABLE.test(v))) clean = false; return v; });
      return clean ? ctx : null;
    } catch (e) { return null; }
  }

  function connect() {
    connEl.textContent = t.connecting; connEl.dataset.state = "connecting";
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(scheme + location.host + "/ws/widget");
    ws.onopen = function () {
      var hello = {type: "hello", visitor_token: store.getItem(KEY_TOKEN), last_seq: lastSeq, language: requestedLanguage};
      // a signed identity from the operator's page (widget.js loader puts it in the fragment)
      var id = new URLSearchParams(location.hash.slice(1));
      if (id.get("user_id")) { hello.user_id = id.get("user_id"); hello.user_hash = id.get("user_hash"); }
      if (id.get("name")) hello.name = id.get("name");
      // device and app context from the operator's page (the loader) or an in-app web view's URL;
      // left out (never the chat) when it is not a small JSON object of clean text (docs/widget.md)
      var ctx = deviceContext(id.get("context"));
      if (ctx) hello.device_context = ctx;
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = function (e) { try { onFrame(JSON.parse(e.data)); } catch (err) { /* ignore bad frame */ } };
    ws.onclose = function () {
      ready = false; connected = false;
      showConnection();
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 10000);
    };
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    var p = {client_id: newId(), text: text};
    outbox.push(p); saveOutbox();
    showPending(p);
    send({type: "message", client_id: p.client_id, text: text});
    input.value = "";
    clearDraft();  // it is in the outbox now, sent again until the desk has it
    send({type: "typing", state: false}); typingSent = 0;
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  input.addEventListener("input", function () {
    saveDraft();
    var now = Date.now();
    if (now - typingSent > 2500) { send({type: "typing", state: true}); typingSent = now; }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { send({type: "typing", state: false}); typingSent = 0; }, 3000);
  });
  if (closeBtn) closeBtn.addEventListener("click", function () { window.parent.postMessage("walletdesk:close", "*"); });
  connect();
})();
