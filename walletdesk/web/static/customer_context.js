/* walletdesk workspace: the customer's context in the side panel — what the operator's
 * backend says about the verified customer (account level, points, recent transactions, app
 * version, its other fields) and what the widget reported about the device. Loaded when a
 * conversation opens, again with "Refresh". Everything is inserted with textContent: the
 * operator's values and the device report are never read as HTML. */
(function () {
  "use strict";
  var ws = window.wdWorkspace;
  var section = document.getElementById("customer-context");
  if (!ws || !section || !window.wdPanelTexts) return;
  var TEXTS = JSON.parse((document.getElementById("wd-texts") || {}).textContent || "{}");
  function gettext(s) { return TEXTS[s] || s; }
  function fmt(s, v) { return s.replace(/\{(\w+)\}/g, function (m, k) { return v[k] !== undefined ? v[k] : m; }); }
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined && text !== null) e.textContent = String(text); return e; }
  var lang = document.documentElement.lang || undefined;
  var stateEl = $("customer-context-state"), accountEl = $("customer-context-account");
  var txEl = $("customer-context-transactions"), deviceEl = $("customer-context-device");
  var current = null, asked = 0;
  // the codes' words (panel_texts.js): why the context is unavailable, a wallet's chain
  var CODES = window.wdPanelTexts;

  function row(dl, label, value, cls) {
    if (value === null || value === undefined || value === "") return;
    dl.appendChild(el("dt", "", label));
    dl.appendChild(el("dd", cls || "", value));
  }
  function when(iso) { var d = new Date(iso); return isNaN(d) ? iso : d.toLocaleString(lang); }
  function clear() { accountEl.textContent = ""; txEl.textContent = ""; deviceEl.textContent = ""; }

  function load(id, refresh) {
    current = id;
    var mine = ++asked;
    section.hidden = false;
    stateEl.className = "context-state muted";
    stateEl.textContent = gettext("Loading the customer's context…");
    $("customer-context-refresh").disabled = true;
    ws.api("GET", "/conversations/" + encodeURIComponent(id) + "/customer-context" + (refresh ? "?refresh=true" : ""))
      .then(function (data) { if (mine === asked) render(data); })
      .catch(function (err) {
        if (mine !== asked) return;
        clear();
        stateEl.className = "context-state unavailable";
        stateEl.textContent = fmt(gettext("Context unavailable: {reason}"), {reason: err.message});
      })
      .then(function () { if (mine === asked) $("customer-context-refresh").disabled = false; });
  }

  function render(data) {
    clear();
    var op = data.operator || {};
    if (op.state === "ok") {
      stateEl.className = "context-state muted";
      stateEl.textContent = fmt(gettext("From your system, {time}"), {time: when(op.fetched_at)}) +
        (data.masked ? " · " + gettext("personal data masked") : "");
      row(accountEl, gettext("Account level"), op.account_level);
      row(accountEl, gettext("Points"), typeof op.points === "number" ? op.points.toLocaleString(lang) : null);
      row(accountEl, gettext("App version"), op.app_version);
      (op.fields || []).forEach(function (f) { row(accountEl, f.name, f.value, "context-field"); });
      renderTransactions(op.recent_transactions);
    } else if (op.state === "unavailable") {
      stateEl.className = "context-state unavailable";
      stateEl.textContent = fmt(gettext("Context unavailable: your system's account data could not be read ({reason}). Try Refresh in a moment."),
        {reason: CODES.operatorReason(op.reason)});
    } else if (op.state === "unverified") {
      stateEl.className = "context-state muted";
      stateEl.textContent = gettext("No account data: the customer's identity is not verified.");
    } else {
      stateEl.textContent = "";
    }
    renderDevice(data.device);
    // nothing at all to show (no endpoint configured, no device report): no empty box
    section.hidden = op.state === "not_configured" && !data.device;
  }

  function renderTransactions(list) {
    if (!list) return;
    if (!list.length) { txEl.appendChild(el("li", "muted", gettext("No recent transactions."))); return; }
    txEl.appendChild(el("li", "context-heading", gettext("Recent transactions")));
    list.forEach(function (t) {
      var li = el("li", "context-tx");
      li.appendChild(el("div", "", [t.type, [t.amount, t.asset].filter(Boolean).join(" "), t.status].filter(Boolean).join(" · ")));
      var meta = [t.at ? when(t.at) : "", t.network || "", t.id ? "#" + t.id : ""].filter(Boolean).join(" · ");
      if (meta) li.appendChild(el("div", "meta", meta));
      if (t.hash) li.appendChild(el("div", "mono context-id", t.hash));
      if (t.address) li.appendChild(el("div", "mono context-id", t.address));
      txEl.appendChild(li);
    });
  }

  function renderDevice(device) {
    if (!device) return;
    deviceEl.appendChild(el("dt", "context-heading", gettext("Device (reported by the widget)")));
    deviceEl.appendChild(el("dd", "meta", when(device.reported_at)));
    row(deviceEl, gettext("App version"), device.app_version);
    row(deviceEl, gettext("OS"), device.os);
    row(deviceEl, gettext("Platform"), device.platform);
    row(deviceEl, gettext("Language"), device.language);
    (device.wallet_addresses || []).forEach(function (a) {
      row(deviceEl, a.chain ? fmt(gettext("Wallet ({chain})"), {chain: CODES.chainName(a.chain)}) : gettext("Wallet"), a.address, "mono context-id");
    });
  }

  // workspace.js says which conversation is shown (also when it only refreshes its header)
  document.addEventListener("wd:conversation", function (e) {
    if (e.detail && e.detail.id !== current) load(e.detail.id, false);
  });
  $("customer-context-refresh").addEventListener("click", function () { if (current) load(current, true); });
})();
