/* walletdesk workspace: the optional contact reason chosen when resolving (reports: "why
 * customers contact us"). Fills <select id="resolve-reason"> with the knowledge base's
 * categories and the labels (GET /api/v1/contact-reasons); workspace.js sends the choice with
 * the resolve. The picker is shown only while the Resolve button is. */
(function () {
  "use strict";
  var picker = document.getElementById("resolve-reason");
  var resolve = document.getElementById("resolve");
  if (!picker || !resolve) return;
  // the knowledge base's categories by their headings in the agent's language (the page's
  // localization.contact_reason_names); a label is shown as it is named
  var names = {};
  try { names = JSON.parse(picker.dataset.names || "{}"); } catch (e) { names = {}; }
  function nameOf(reason) { return Object.prototype.hasOwnProperty.call(names, reason) ? names[reason] : reason; }
  function follow() { picker.hidden = resolve.hidden; picker.value = ""; }
  new MutationObserver(follow).observe(resolve, {attributes: true, attributeFilter: ["hidden"]});
  follow();
  fetch("/api/v1/contact-reasons", {credentials: "same-origin", headers: {Accept: "application/json"}})
    .then(function (r) { return r.ok ? r.json() : []; })
    .then(function (reasons) {
      reasons.forEach(function (reason) {
        var option = document.createElement("option");
        option.value = reason; option.textContent = nameOf(reason);  // text, never HTML
        picker.appendChild(option);
      });
    })
    .catch(function () { /* without choices the resolve still works, without a reason */ });
})();
