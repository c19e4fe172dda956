/* walletdesk: transfers looked up on chain, in the workspace's side panel (docs/chains.md).
 * Reads /api/v1/conversations/{id}/chain-lookups when a conversation opens and after its
 * customer writes; "Refresh" asks the chain again. All text goes in with textContent; links
 * only to http(s) explorer addresses. */
(function () {
  "use strict";
  var ws = window.wdWorkspace;
  var section = document.getElementById("chain-lookups");
  var list = document.getElementById("chain-lookup-list");
  if (!ws || !section || !list || !window.wdPanelTexts) return;
  var TEXTS = JSON.parse((document.getElementById("wd-texts") || {}).textContent || "{}");
  function gettext(s) { return TEXTS[s] || s; }
  function fmt(s, v) { return s.replace(/\{(\w+)\}/g, function (m, k) { return v[k] !== undefined ? v[k] : m; }); }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  var STATUS = {not_found: gettext("not found"), pending: gettext("pending"), confirmed: gettext("confirmed"),
    failed: gettext("failed"), unsupported: gettext("network not configured"),
    unavailable: gettext("endpoint did not answer"), ask_network: gettext("network asked")};
  var shownFor = null, timer = null;
  var REFRESH_EVERY_S = 20;  // walletdesk.chains.actions.REFRESH_EVERY_S
  // the codes' words (panel_texts.js) and the agent's language for times
  var CODES = window.wdPanelTexts, lang = document.documentElement.lang || undefined;
  function chains(slugs) { return (slugs || []).map(function (c) { return CODES.chainName(c); }).join(", "); }
  function time(iso) { var d = new Date(iso); return isNaN(d) ? "" : d.toLocaleTimeString(lang); }

  function short(tx) { return tx.length > 20 ? tx.slice(0, 10) + "…" + tx.slice(-6) : tx; }
  function row(dl, label, value) {
    if (value === undefined || value === null || value === "") return;
    dl.appendChild(el("dt", "", label)); dl.appendChild(el("dd", "", String(value)));
  }

  function render(lookups) {
    list.textContent = "";
    section.hidden = !lookups.length;
    lookups.forEach(function (l) {
      var r = l.result || {};
      var li = el("li", "chain-lookup status-" + l.status);
      li.dataset.lookupId = l.id;
      var head = el("div", "head");
      head.appendChild(el("strong", "", l.chain ? CODES.chainName(l.chain, l.network) : gettext("network unknown")));
      head.appendChild(el("span", "badge chain-status", STATUS[l.status] || l.status));
      li.appendChild(head);
      var tx = el("div", "tx");
      tx.appendChild(el("code", "", short(l.tx)));
      tx.title = l.tx;
      if (l.explorer_url && /^https?:\/\//.test(l.explorer_url)) {
        var a = el("a", "explorer", gettext("Explorer ↗"));
        a.href = l.explorer_url; a.target = "_blank"; a.rel = "noopener noreferrer";
        tx.appendChild(a);
      }
      li.appendChild(tx);
      var dl = el("dl");
      row(dl, gettext("Confirmations"), r.confirmations);
      // a token contract the desk does not know (decision 0054): never named by the symbol it
      // declares; that symbol, the contract and the known token it imitates are shown apart
      if (r.amount) row(dl, gettext("Amount"), r.amount + " " + (r.unverified_token ? gettext("unverified token") : (r.token || r.token_contract || "")));
      if (r.unverified_token) {
        var warn = el("dd", "token-unverified");
        warn.appendChild(el("strong", "", gettext("Unverified token")));
        warn.appendChild(el("div", "", fmt(gettext("contract {contract}"), {contract: r.token_contract || "?"})));
        if (r.claimed_token) warn.appendChild(el("div", "", fmt(gettext("calls itself “{symbol}”"), {symbol: r.claimed_token})));
        if (r.imitated_token) warn.appendChild(el("div", "", fmt(gettext("not the real {symbol}: a different contract (likely a fake)"), {symbol: r.imitated_token})));
        dl.appendChild(el("dt", "", gettext("Token"))); dl.appendChild(warn);
      }
      row(dl, gettext("From"), r.sender);
      row(dl, gettext("To"), r.recipient);
      if (r.fee_offered_gwei) row(dl, gettext("Fee offered / base fee"), fmt(gettext("{offered} / {base} gwei"), {offered: r.fee_offered_gwei, base: r.base_fee_gwei || "?"}));
      if (r.failure) row(dl, gettext("Failure"), CODES.chainFailure(r.failure));
      row(dl, gettext("Memo"), r.memo);
      if (r.wrong_network) row(dl, gettext("Network named"), fmt(gettext("{named} (found on another network)"), {named: CODES.chainName(r.wrong_network)}));
      if (r.memo_missing) row(dl, gettext("Memo missing"), r.memo_missing);
      if (r.error) row(dl, gettext("Error"), CODES.chainError(r.error));
      if (l.status === "ask_network") row(dl, gettext("Could be on"), chains(l.candidates));
      li.appendChild(dl);
      var foot = el("div", "foot muted");
      foot.appendChild(el("span", "", fmt(gettext("checked {time}"), {time: time(l.checked_at)})));
      var refresh = el("button", "chain-refresh", gettext("Refresh"));
      refresh.type = "button";
      refresh.addEventListener("click", function () {
        // the server refuses a refresh within REFRESH_EVERY_S (20 s) of the last check (429):
        // said here in the agent's language, without asking
        var wait = Math.ceil(REFRESH_EVERY_S - (Date.now() - new Date(l.checked_at).getTime()) / 1000);
        if (l.checked_at && wait > 0 && wait <= REFRESH_EVERY_S) {
          var note = foot.querySelector(".too-soon") || foot.appendChild(el("span", "too-soon muted"));
          note.textContent = fmt(gettext("Checked moments ago: refresh again in {seconds} s"), {seconds: wait});
          return;
        }
        refresh.disabled = true;
        ws.api("POST", "/conversations/" + l.conversation_id + "/chain-lookups/" + l.id + "/refresh")
          .then(function () { load(l.conversation_id); })
          .catch(function (e) { refresh.disabled = false; foot.appendChild(el("span", "error", e.message)); });
      });
      foot.appendChild(refresh);
      li.appendChild(foot);
      list.appendChild(li);
    });
  }

  function load(id) {
    shownFor = id;
    ws.api("GET", "/conversations/" + id + "/chain-lookups")
      .then(function (rows) { if (shownFor === id) render(rows); })
      .catch(function () { if (shownFor === id) render([]); });
  }
  function loadSoon(id, delay) { clearTimeout(timer); timer = setTimeout(function () { load(id); }, delay); }

  document.addEventListener("wd:conversation", function (e) {
    if (e.detail && e.detail.id !== shownFor) { list.textContent = ""; section.hidden = true; }
    if (e.detail) load(e.detail.id);
  });
  document.addEventListener("wd:frame", function (e) {
    var f = e.detail || {};
    var m = f.type === "message" && f.message;
    if (!m || m.conversation_id !== ws.current()) return;
    // the bot's answer about a transfer: the lookup is stored; a customer's message: it may
    // name one (looked up after it is stored, for conversations with people too)
    if (m.meta && m.meta.kind === "chain_lookup") loadSoon(m.conversation_id, 0);
    else if (m.sender_kind === "customer") loadSoon(m.conversation_id, 2500);
  });
})();
