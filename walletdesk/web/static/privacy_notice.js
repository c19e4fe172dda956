/* walletdesk widget: the operator's privacy notice (text + link, in the customer's language),
 * shown until the customer acknowledges it; the acknowledgement goes over the socket
 * ({"type": "privacy_ack"}) and is recorded on the customer. */
window.WalletdeskPrivacy = (function () {
  "use strict";
  var TEXTS = JSON.parse((document.getElementById("wd-texts") || {}).textContent || "{}");
  function gettext(s) { return TEXTS[s] || s; }

  function show(notice, send) {
    var box = document.getElementById("privacy-notice");
    if (!box) return;
    box.textContent = "";
    if (!notice) { box.hidden = true; return; }
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
    ok.addEventListener("click", function () { send({type: "privacy_ack"}); box.hidden = true; });
    box.appendChild(ok);
    box.hidden = false;
  }

  return {show: show};
})();
