/* walletdesk customer widget: live chat over /ws/widget (protocol: docs/widget.md).
 * Messages are kept by sequence number, so a resumed socket never shows one twice; messages
 * typed while offline wait in a local outbox and are re-sent with the same client id. */
(function () {
  "use strict";
  var UI = {
    en: {placeholder: "Write a message…", send: "Send", connecting: "Connecting…", online: "Online",
      offline: "Reconnecting…", position: "You are number {n} in line.", wait: "Expected wait: about {m} min.",
      nobody: "All agents are busy or away; we'll be with you as soon as someone is free.",
      after: "Our team is away. We're back {t}. Leave a message and we'll reply then.",
      typing: "{name} is typing…", safety: "We will never ask for your recovery phrase or private key.",
      failed: "Not sent: {d}", sending: "Sending…", agent: "Support", you: "You",
      solved: "That solved it", human: "Talk to a person", more: "Read the full article", bot: "Assistant",
      hello: "Hi! Ask us anything about your wallet."},
    "zh-Hans": {placeholder: "输入消息…", send: "发送", connecting: "连接中…", online: "在线",
      offline: "正在重新连接…", position: "您当前排在第 {n} 位。", wait: "预计等待约 {m} 分钟。",
      nobody: "客服暂时繁忙或不在线，有空闲客服时会立即为您服务。",
      after: "客服团队目前不在线，将于 {t} 回来。请留言，我们会在上班后回复。",
      typing: "{name} 正在输入…", safety: "我们绝不会索要您的助记词或私钥。",
      failed: "发送失败：{d}", sending: "发送中…", agent: "客服", you: "我",
      solved: "已解决", human: "转人工", more: "查看完整文章", bot: "智能助手",
      hello: "您好！有任何钱包相关的问题都可以问我们。"},
    "zh-Hant": {placeholder: "輸入訊息…", send: "傳送", connecting: "連線中…", online: "在線",
      offline: "正在重新連線…", position: "您目前排在第 {n} 位。", wait: "預計等待約 {m} 分鐘。",
      nobody: "客服暫時忙碌或不在線，有空閒客服時會立即為您服務。",
      after: "客服團隊目前不在線，將於 {t} 回來。請留言，我們會在上班後回覆。",
      typing: "{name} 正在輸入…", safety: "我們絕不會索取您的助記詞或私鑰。",
      failed: "傳送失敗：{d}", sending: "傳送中…", agent: "客服", you: "我",
      solved: "已解決", human: "轉真人", more: "查看完整文章", bot: "智能助理",
      hello: "您好！有任何錢包相關的問題都可以問我們。"},
    es: {placeholder: "Escribe un mensaje…", send: "Enviar", connecting: "Conectando…", online: "En línea",
      offline: "Reconectando…", position: "Eres el número {n} en la fila.", wait: "Espera estimada: unos {m} min.",
      nobody: "Todos los agentes están ocupados o ausentes; te atenderemos en cuanto uno quede libre.",
      after: "Nuestro equipo no está disponible. Volvemos {t}. Déjanos un mensaje y te responderemos.",
      typing: "{name} está escribiendo…", safety: "Nunca te pediremos tu frase de recuperación ni tu clave privada.",
      failed: "No enviado: {d}", sending: "Enviando…", agent: "Soporte", you: "Tú",
      solved: "Resuelto", human: "Hablar con una persona", more: "Leer el artículo", bot: "Asistente",
      hello: "¡Hola! Pregúntanos lo que quieras sobre tu billetera."}
  };
  function pickLanguage(tag) {
    tag = (tag || "en").toLowerCase();
    if (tag.indexOf("zh") === 0) return /hant|tw|hk|mo/.test(tag) ? "zh-Hant" : "zh-Hans";
    var base = tag.split("-")[0];
    return UI[base] ? base : "en";
  }
  var lang = pickLanguage(navigator.language);
  var t = UI[lang];
  function fmt(s, v) { return s.replace(/\{(\w+)\}/g, function (_, k) { return v[k] !== undefined ? v[k] : ""; }); }

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
  var outbox = loadOutbox(); // [{client_id, text}]
  var typingTimer = null, typingSent = 0, agentTypingTimer = null;

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
    body.textContent = text;   // always text: message content is never parsed as HTML
    li.appendChild(body);
    return li;
  }
  function scroll() { list.scrollTop = list.scrollHeight; }

  function showMessage(m) {
    if (m.internal) return;
    if (shown[m.seq]) return;
    if (m.client_id) {
      var pending = list.querySelector('li.pending[data-client-id="' + CSS.escape(m.client_id) + '"]');
      if (pending) pending.remove();
      dropFromOutbox(m.client_id);
    }
    var greeting = list.querySelector(".greeting");
    if (greeting) greeting.remove();
    var li = bubble(m.sender_kind, m.sender_name, m.text);
    if (m.meta) addBotExtras(li, m.meta);
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
    if (meta.articles && meta.articles.length) {
      var ul = document.createElement("ul"); ul.className = "bot-suggestions";
      meta.articles.forEach(function (a) { var item = document.createElement("li"); item.appendChild(link(a.url, a.title)); ul.appendChild(item); });
      li.appendChild(ul);
    }
    if (meta.kind === "csat") {
      var stars = document.createElement("div"); stars.className = "csat";
      for (var n = 1; n <= 5; n++) (function (score) {
        var b = document.createElement("button"); b.type = "button"; b.textContent = "★ " + score;
        b.dataset.score = score;
        b.addEventListener("click", function () {
          Array.prototype.forEach.call(stars.querySelectorAll("button"), function (x) { x.disabled = true; });
          b.classList.add("chosen");
          send({type: "rating", survey_id: meta.survey_id, rating: score});
        });
        stars.appendChild(b);
      })(n);
      li.appendChild(stars);
    }
    if (meta.actions && meta.actions.length) {
      var bar = document.createElement("div"); bar.className = "bot-actions";
      meta.actions.forEach(function (action) {
        var b = document.createElement("button"); b.type = "button";
        b.textContent = action === "solved" ? t.solved : t.human;
        b.dataset.action = action;
        b.addEventListener("click", function () {
          Array.prototype.forEach.call(bar.querySelectorAll("button"), function (x) { x.disabled = true; });
          send({type: "bot_action", turn_id: meta.turn_id === undefined ? null : meta.turn_id, action: action});
        });
        bar.appendChild(b);
      });
      li.appendChild(bar);
    }
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
    if (!q) { notice.hidden = true; return; }
    var text;
    if (q.after_hours) {
      text = fmt(t.after, {t: q.opens_at ? new Date(q.opens_at).toLocaleString(lang) : "—"});
    } else {
      text = fmt(t.position, {n: q.position}) + " " +
        (q.eta_s ? fmt(t.wait, {m: Math.max(1, Math.round(q.eta_s / 60))}) : t.nobody);
    }
    notice.textContent = text;
    notice.hidden = false;
  }

  function send(frame) { if (ws && ready) ws.send(JSON.stringify(frame)); }
  function flushOutbox() { outbox.forEach(function (p) { showPending(p); send({type: "message", client_id: p.client_id, text: p.text}); }); }

  function onFrame(f) {
    switch (f.type) {
      case "welcome":
        store.setItem(KEY_TOKEN, f.visitor_token);
        ready = true; retryDelay = 500;
        connEl.textContent = t.online;
        if (f.conversation) { conversationId = f.conversation.id; (f.messages || []).forEach(showMessage); showQueue(f.queue); }
        else if (!list.querySelector("li")) { var hello = bubble("system", "", t.hello); hello.className += " greeting"; list.appendChild(hello); }
        flushOutbox();
        break;
      case "resume":
        if (f.conversation) conversationId = f.conversation.id;
        (f.messages || []).forEach(showMessage);
        showQueue(f.queue);
        break;
      case "ack": showMessage(f.message); break;
      case "message": showMessage(f.message); break;
      case "queue": if (f.conversation_id === conversationId || conversationId === null) showQueue(f); break;
      case "status": if (f.status !== "queued") showQueue(null); break;
      case "typing":
        typingEl.textContent = fmt(t.typing, {name: f.name || t.agent});
        typingEl.hidden = !f.state;
        clearTimeout(agentTypingTimer);
        agentTypingTimer = setTimeout(function () { typingEl.hidden = true; }, 6000);
        break;
      case "error":
        if (f.retry && f.client_id) setTimeout(flushOutbox, 1000);
        else if (f.client_id) markFailed(f.client_id, f.detail);
        break;
    }
  }

  function connect() {
    connEl.textContent = t.connecting;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(scheme + location.host + "/ws/widget");
    ws.onopen = function () {
      var hello = {type: "hello", visitor_token: store.getItem(KEY_TOKEN), last_seq: lastSeq, language: navigator.language};
      // a signed identity from the operator's page (widget.js loader puts it in the fragment)
      var id = new URLSearchParams(location.hash.slice(1));
      if (id.get("user_id")) { hello.user_id = id.get("user_id"); hello.user_hash = id.get("user_hash"); }
      if (id.get("name")) hello.name = id.get("name");
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = function (e) { try { onFrame(JSON.parse(e.data)); } catch (err) { /* ignore bad frame */ } };
    ws.onclose = function () {
      ready = false;
      connEl.textContent = t.offline;
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
    send({type: "typing", state: false}); typingSent = 0;
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  input.addEventListener("input", function () {
    var now = Date.now();
    if (now - typingSent > 2500) { send({type: "typing", state: true}); typingSent = now; }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { send({type: "typing", state: false}); typingSent = 0; }, 3000);
  });
  if (closeBtn) closeBtn.addEventListener("click", function () { window.parent.postMessage("walletdesk:close", "*"); });
  connect();
})();
