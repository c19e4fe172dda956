/* The workspace's badge for supervisors and admins: open spike alerts (walletdesk.incidents),
   polled from /admin/incidents/badge; links to /admin/incidents. */
(function () {
  "use strict";
  var badge = document.getElementById("spike-alerts");
  if (!badge) return;
  var REFRESH_MS = 60000;
  var template = badge.getAttribute("data-text") || "{n}";
  function load() {
    fetch("/admin/incidents/badge", {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        var n = data ? Math.max(0, parseInt(data.open, 10) || 0) : 0;
        badge.textContent = template.replace("{n}", String(n));
        badge.hidden = n === 0;
      })
      .catch(function () {});
  }
  load();
  setInterval(load, REFRESH_MS);
})();
