/* walletdesk agent workspace: inbox over /api/v1, live updates over /ws/app.
 * All text from customers and agents is inserted with textContent, never as HTML. */
(function () {
  "use strict";
  var root = document.getElementById("workspace");
  var me = +root.dataset.agentId, csrf = root.dataset.csrf;
  var $ = function (id) { return document.getElementById(id); };
  var state = {view: "mine", q: "", team: "", current: null, lastSeq: 0, shown: {}, pending: {}};
  var ws = null, ready = false, retryDelay = 500, inboxTimer = null, typingTimer = null, typingSent = 0;

  function api(method, path, body) {
    return fetch("/api/v1" + path, {
      method: method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      if (r.status === 401) { location.href = "/login?next=/app"; throw new Error("signed out"); }
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) throw new Error(typeof data.detail === "string" ? data.detail : "request failed (" + r.status + ")");
        return data;
      });
    });
  }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  function newId() { return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2)); }
  function when(iso) { var d = new Date(iso); return d.toLocaleString(); }

  // --- inbox ---------------------------------------------------------------------------
  function loadInbox() {
    var params = new URLSearchParams({view: state.view});
    if (state.q) params.set("q", state.q);
    if (state.team) params.set("team_id", state.team);
    if (state.sort) params.set("sort", state.sort);
    api("GET", "/conversations?" + params).then(renderInbox).catch(function () {});
  }
  function refreshInboxSoon() { clearTimeout(inboxTimer); inboxTimer = setTimeout(loadInbox, 250); }
  function renderInbox(rows) {
    var ul = $("conversation-list");
    ul.textContent = "";
    if (!rows.length) { ul.appendChild(el("li", "muted empty-list", "Nothing here.")); return; }
    rows.forEach(function (c) {
      var li = el("li", "conv" + (c.id === state.current ? " active" : ""));
      li.dataset.id = c.id;
      var top = el("div", "conv-top");
      top.appendChild(el("strong", "", c.customer_name));
      top.appendChild(el("span", "badge status-" + c.status, c.status.replace("_", " ")));
      li.appendChild(top);
      li.appendChild(el("div", "preview", c.preview));
      var meta = [c.team_name || "no team", c.language || "", c.assignee_name ? "→ " + c.assignee_name : "unassigned"];
      if (c.after_hours) meta.push("after hours");
      li.appendChild(el("div", "meta", meta.filter(Boolean).join(" · ")));
      if (c.has_secret_redaction) li.appendChild(el("span", "badge danger", "secret removed"));
      var clock = slaBadge(c.sla);
      if (clock) li.appendChild(clock);
      li.addEventListener("click", function () { openConversation(c.id); });
      ul.appendChild(li);
    });
  }

  function duration(ms) {
    var m = Math.round(Math.abs(ms) / 60000);
    return m < 60 ? m + "m" : m < 1440 ? Math.floor(m / 60) + "h " + (m % 60) + "m" : Math.floor(m / 1440) + "d " + Math.floor((m % 1440) / 60) + "h";
  }
  function slaBadge(sla) {
    if (!sla || !sla.due) return null;
    var label = sla.clock === "first_response" ? "reply" : "resolve";
    if (sla.paused) return el("span", "badge sla paused", "SLA " + label + " clock paused");
    var left = new Date(sla.due) - Date.now();
    var badge = el("span", "badge sla" + (left < 0 || sla.breached ? " overdue" : left < 15 * 60000 ? " soon" : ""),
      left < 0 ? "SLA " + label + " overdue " + duration(left) : "SLA " + label + " in " + duration(left));
    badge.dataset.due = sla.due; badge.dataset.label = label;
    return badge;
  }
  setInterval(function () {  // the countdowns tick without reloading
    Array.prototype.forEach.call(document.querySelectorAll(".badge.sla[data-due]"), function (b) {
      var left = new Date(b.dataset.due) - Date.now();
      b.textContent = left < 0 ? "SLA " + b.dataset.label + " overdue " + duration(left) : "SLA " + b.dataset.label + " in " + duration(left);
      b.classList.toggle("overdue", left < 0); b.classList.toggle("soon", left >= 0 && left < 15 * 60000);
    });
  }, 30000);

  // --- one conversation ----------------------------------------------------------------
  function openConversation(id) {
    if (state.current && state.current !== id) send({type: "unsubscribe", conversation_id: state.current});
    state.current = id; state.lastSeq = 0; state.shown = {}; state.shownOnce = false;
    $("messages").textContent = "";
    api("GET", "/conversations/" + id).then(function (data) {
      $("empty").hidden = true; $("conversation").hidden = false; $("customer-panel").hidden = false;
      renderHeader(data.conversation, data.assignee_name, data.team_name, data.customer);
      renderCustomer(data.customer, data.other_conversations);
      renderBot(data.conversation, data.bot_turns || []);
      loadSuggestions(id);
      data.messages.forEach(showMessage);
      state.shownOnce = true;
      send({type: "subscribe", conversation_id: id, last_seq: state.lastSeq});
      Array.prototype.forEach.call(document.querySelectorAll(".conv"), function (li) { li.classList.toggle("active", +li.dataset.id === id); });
    }).catch(function (e) { $("empty").hidden = false; $("empty").textContent = e.message; $("conversation").hidden = true; });
  }
  function renderHeader(c, assigneeName, teamName, customer) {
    $("conv-title").textContent = (customer ? (customer.display_name || "Visitor #" + customer.id) : "") + " — #" + c.id;
    $("conv-meta").textContent = [c.status.replace("_", " "), c.channel, c.language || "", teamName || "no team",
      assigneeName ? "assigned to " + assigneeName : "unassigned"].filter(Boolean).join(" · ");
    var flags = $("conv-flags"); flags.textContent = "";
    if (customer) flags.appendChild(customer.verified_user_id
      ? el("span", "badge verified", "✔ Verified user " + customer.verified_user_id)
      : customer.email_verified
        ? el("span", "badge verified", "✔ Email verified by code: " + (customer.email || ""))
        : el("span", "badge unverified", "Unverified visitor: do not discuss account details"));
    if (c.has_secret_redaction) flags.appendChild(el("span", "badge danger", "A seed phrase or key was removed from this conversation"));
    if (c.after_hours) flags.appendChild(el("span", "badge", "Written outside working hours"));
    var clock = slaBadge(c.sla); if (clock) flags.appendChild(clock);
    var closed = c.status === "resolved" || c.status === "closed";
    $("resolve").hidden = closed; $("reopen").hidden = !closed;
    $("complaint-link").href = "/app/complaints/new?conversation_id=" + encodeURIComponent(c.id);
    $("take").hidden = c.assignee_id === me || closed;
  }
  function renderCustomer(cust, others) {
    var dl = $("customer-details"); dl.textContent = "";
    [["Name", cust.display_name || "—"], ["E-mail", cust.email || "—"], ["Language", cust.language || "—"],
     ["Customer since", when(cust.created_at)]].forEach(function (row) {
      dl.appendChild(el("dt", "", row[0])); dl.appendChild(el("dd", "", row[1]));
    });
    cust.identities.forEach(function (i) { dl.appendChild(el("dt", "", i.channel)); dl.appendChild(el("dd", "mono", i.external_id)); });
    if ($("workspace").dataset.manager === "true") {
      var privacy = el("a", "", "Personal data: export / erase"); privacy.href = "/admin/customers/" + encodeURIComponent(cust.id);
      dl.appendChild(el("dt", "", "GDPR")); var dd = el("dd"); dd.appendChild(privacy); dl.appendChild(dd);
    }
    var ul = $("other-conversations"); ul.textContent = "";
    if (!others.length) ul.appendChild(el("li", "muted", "None"));
    others.forEach(function (o) {
      var li = el("li"); var a = el("a", "", "#" + o.id + " · " + o.status.replace("_", " ") + " · " + (o.preview || o.subject));
      a.href = "#"; a.addEventListener("click", function (e) { e.preventDefault(); openConversation(o.id); });
      li.appendChild(a); ul.appendChild(li);
    });
  }
  var HANDOFF = {low_confidence: "the bot was not confident", asked_for_human: "the customer asked for a person",
    repeated_failure: "two answers in a row did not help", sensitive_topic: "a sensitive topic",
    out_of_scope: "the question is outside the knowledge base", bot_unavailable: "the bot was not available"};
  function renderBot(c, turns) {
    $("bot-panel").hidden = !turns.length && !c.handoff_reason;
    $("bot-handoff").textContent = c.handoff_reason ? "Handed to a person: " + (HANDOFF[c.handoff_reason] || c.handoff_reason) : "";
    var ol = $("bot-turns"); ol.textContent = "";
    turns.forEach(function (turn) {
      var li = el("li");
      li.appendChild(el("div", "", "“" + turn.query + "”"));
      li.appendChild(el("div", "meta", [turn.language, turn.outcome.replace("_", " "), "confidence " + turn.confidence.toFixed(2),
        turn.helpful === false ? "not helpful" : turn.helpful ? "helpful" : ""].filter(Boolean).join(" · ")));
      var cands = el("ul", "candidates");
      turn.candidates.slice(0, 3).forEach(function (cand) { cands.appendChild(el("li", "", cand.title + " — " + cand.score.toFixed(2))); });
      li.appendChild(cands);
      ol.appendChild(li);
    });
  }
  function loadSuggestions(id) {
    api("GET", "/conversations/" + id + "/suggestions").then(function (rows) {
      if (state.current !== id) return;
      var ul = $("suggestions"); ul.textContent = "";
      if (!rows.length) { ul.appendChild(el("li", "muted", "No matching articles.")); return; }
      rows.forEach(function (a) {
        var li = el("li");
        li.appendChild(el("strong", "", a.title));
        li.appendChild(el("span", "meta", " " + a.score.toFixed(2)));
        var b = el("button", "insert", "Insert answer");
        b.type = "button";
        b.addEventListener("click", function () {
          var box = $("reply-text");
          box.value = (box.value ? box.value + "\n\n" : "") + a.answer;
          box.focus();
        });
        li.appendChild(b);
        ul.appendChild(li);
      });
    }).catch(function () {});
  }
  function showMessage(m) {
    if (m.conversation_id !== state.current || state.shown[m.seq]) return;
    if (m.client_id && state.pending[m.client_id]) { state.pending[m.client_id].remove(); delete state.pending[m.client_id]; }
    var li = el("li", "msg " + m.sender_kind + (m.internal ? " note" : ""));
    var head = el("div", "msg-head");
    head.appendChild(el("span", "who", m.internal ? (m.sender_name + " · internal note") : (m.sender_name || m.sender_kind)));
    head.appendChild(el("time", "", when(m.created_at)));
    if (m.sender_kind !== "system") li.appendChild(head);
    li.appendChild(el("div", "body", m.text));
    var meta = m.meta || {};
    if (meta.attachments && meta.attachments.length) {
      var files = el("ul", "files");
      meta.attachments.forEach(function (a) {
        var link = el("a", "", a.filename + " (" + Math.max(1, Math.round(a.size / 1024)) + " KB)");
        link.href = "/app/attachments/" + encodeURIComponent(a.id);
        var item = el("li"); item.appendChild(link); files.appendChild(item);
      });
      li.appendChild(files);
    }
    (meta.attachments_refused || []).forEach(function (r) { li.appendChild(el("div", "refused", "Not stored: " + r.filename + " — " + r.reason)); });
    if (meta.delivery) li.appendChild(el("div", "delivery " + meta.delivery.status, meta.delivery.status === "sent" ? "✓ emailed" : meta.delivery.status === "failed" ? "✗ email not delivered" : ""));
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
  function onFrame(f) {
    switch (f.type) {
      case "welcome":
        ready = true; retryDelay = 500;
        send({type: "inbox", on: true});
        if (state.current) send({type: "subscribe", conversation_id: state.current, last_seq: state.lastSeq});
        Object.keys(state.pending).forEach(function (cid) { var p = state.pending[cid]; send(p.frame); });
        loadInbox();
        break;
      case "subscribed": f.messages.forEach(showMessage); break;
      case "message": showMessage(f.message); refreshInboxSoon(); break;
      case "ack": showMessage(f.message); break;
      case "conversation":
        refreshInboxSoon();
        if (f.conversation.id === state.current) openHeaderRefresh(f.conversation.id);
        break;
      case "typing":
        if (f.conversation_id === state.current && f.sender_kind === "customer") {
          $("customer-typing").hidden = !f.state;
        }
        break;
      case "error":
        if (f.client_id && state.pending[f.client_id]) {
          if (f.retry) setTimeout(function () { var p = state.pending[f.client_id]; if (p) send(p.frame); }, 1000);
          else { state.pending[f.client_id].classList.add("failed"); $("reply-error").textContent = f.detail; delete state.pending[f.client_id]; }
        }
        break;
    }
  }
  function openHeaderRefresh(id) {
    api("GET", "/conversations/" + id).then(function (d) { if (state.current === id) renderHeader(d.conversation, d.assignee_name, d.team_name, d.customer); });
  }
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(scheme + location.host + "/ws/app");
    ws.onmessage = function (e) { try { onFrame(JSON.parse(e.data)); } catch (err) { /* ignore */ } };
    ws.onclose = function (e) {
      ready = false;
      if (e.code === 4401) { location.href = "/login?next=/app"; return; }
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
  $("sort").addEventListener("change", function () { state.sort = $("sort").value; loadInbox(); });
  $("presence").addEventListener("change", function () { api("PUT", "/me/presence", {presence: $("presence").value}).then(loadInbox); });

  function act(path, body) { api("POST", "/conversations/" + state.current + path, body).then(function () { openHeaderRefresh(state.current); loadInbox(); }).catch(function (e) { alert(e.message); }); }
  $("take").addEventListener("click", function () { act("/assign", {agent_id: me}); });
  $("resolve").addEventListener("click", function () { act("/resolve"); });
  $("reopen").addEventListener("click", function () { act("/reopen"); });
  $("transfer").addEventListener("change", function () {
    var v = $("transfer").value; if (!v) return;
    var parts = v.split(":"); var body = parts[0] === "agent" ? {agent_id: +parts[1]} : {team_id: +parts[1]};
    $("transfer").value = ""; act("/assign", body);
  });
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
  });
  $("reply-text").addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("reply").requestSubmit(); }
  });
  $("reply-text").addEventListener("input", function () {
    var note = document.querySelector('input[name="mode"]:checked').value === "note";
    if (note || !state.current) return;
    var now = Date.now();
    if (now - typingSent > 2500) { send({type: "typing", conversation_id: state.current, state: true}); typingSent = now; }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { send({type: "typing", conversation_id: state.current, state: false}); typingSent = 0; }, 3000);
  });

  connect();
  // /app#42 opens conversation 42 (links from complaints and follow-ups)
  var linked = /^#(\d{1,10})$/.exec(location.hash);
  if (linked) openConversation(+linked[1]);
})();
