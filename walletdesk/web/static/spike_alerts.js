/* The workspace's badge for supervisors and admins: open spike alerts (walletdesk.incidents),
   polled from /admin/incidents/badge, which says them in the agent's language with the
   number's plural form ("⚠ 1 incident alert"); links to /admin/incidents. */
(function () {
  "use strict";
  var badge = document.getElementById("spike-alerts");
  if (!badge) return;
  var REFRESH_MS = 60000;
  function load() {
    fetch("/admin/incidents/badge", {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        var n = data ? Math.max(0, parseInt(data.open, 10) || 0) : 0;
        badge.textContent = data && data.text ? String(data.text) : "⚠ " + n;
        badge.hidden = n === 0;
      })
      .catch(function () {});
  }
  load();
  setInterval(load, REFRESH_MS);
})();
