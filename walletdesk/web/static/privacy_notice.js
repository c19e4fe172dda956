/* walletdesk widget: the operator's privacy notice (text + link, in the customer's language),
 * shown until the customer acknowledges it; the acknowledgement goes over the socket
 * ({"type": "privacy_ack"}) and is recorded on the customer. A visitor who has not written yet
 * has no customer row: the acknowledgement of this notice version is kept in localStorage
 * with the visitor token and sent again on each connection, so the server records it with
 * the first message, and a reload does not show the notice again. */
window.WalletdeskPrivacy = (function () {
  "use strict";
  var TEXTS = JSON.parse((document.getElementById("wd-texts") || {}).textContent || "{}");
  function gettext(s) { return TEXTS[s] || s; }

  var KEY_ACK = "walletdesk.privacy_ack";
  function version(notice, visitor) { return [visitor || "", notice.locale, notice.updated_at].join("|"); }
  function remembered(notice, visitor) {
    try { return window.localStorage.getItem(KEY_ACK) === version(notice, visitor); } catch (e) { return false; }
  }
  function remember(notice, visitor) {
    try { window.localStorage.setItem(KEY_ACK, version(notice, visitor)); } catch (e) { /* storage off: asked again */ }
  }

  function show(notice, send, visitor) {
    var box = document.getElementById("privacy-notice");
    if (!box) return;
    box.textContent = "";
    if (!notice) { box.hidden = true; return; }
    if (visitor && remembered(notice, visitor)) {  // acknowledged before a reload, not yet recorded
      send({type: "privacy_ack"}); box.hidden = true; return;
    }
    var p = document.createElement("p");
    p.textContent = notice.text;
    box.appendChild(p);
    if (notice.url) {
      var a = document.createElement("a");
      a.href = notice.url; a.target = "_blank"; a.rel = "noopener noreferrer";
      a.textContent = gettext("Privacy policy");
      box.appendChild(a);
    }
    var ok = document.createElement("button");
    ok.type = "button"; ok.id = "privacy-ack"; ok.textContent = gettext("OK, understood");
    ok.addEventListener("click", function () { remember(notice, visitor); send({type: "privacy_ack"}); box.hidden = true; });
    box.appendChild(ok);
    box.hidden = false;
  }

  return {show: show};
})();
