/* Incident banners (walletdesk.incidents): the widget, the embed and the help centre show
   the published, unresolved announcements in the visitor's language, from /status/active.
   Everything is inserted as text, never as HTML. */
(function () {
  "use strict";
  var box = document.getElementById("wd-announcements");
  if (!box) return;
  var REFRESH_MS = 60000;

  function lang() {
    return box.getAttribute("data-lang") || document.documentElement.lang || "";
  }

  function item(a, statusUrl) {
    var div = document.createElement("div");
    div.className = "wd-announcement wd-severity-" + String(a.severity).replace(/[^a-z]/g, "");
    div.setAttribute("data-announcement-id", String(a.id));
    div.setAttribute("lang", a.locale || "");
    var head = document.createElement("p");
    head.className = "wd-announcement-head";
    var title = document.createElement("strong");
    title.textContent = a.title;
    var status = document.createElement("span");
    status.className = "wd-announcement-status";
    status.textContent = a.status_name;
    head.appendChild(title);
    head.appendChild(document.createTextNode(" "));
    head.appendChild(status);
    div.appendChild(head);
    if (a.body) {
      var body = document.createElement("p");
      body.className = "wd-announcement-body";
      body.textContent = a.body;
      div.appendChild(body);
    }
    var more = document.createElement("a");
    more.href = statusUrl + "#incident-" + a.id;
    more.target = "_blank";
    more.rel = "noopener";
    more.textContent = box.getAttribute("data-more") || "…";
    div.appendChild(more);
    return div;
  }

  // in the embed (widget.js loader), the operator's page shows the first title by the
  // launcher while the chat is closed; posted to that page's origin only
  var parent = new URLSearchParams(location.hash.slice(1)).get("parent") || "";
  var parentOrigin = /^https?:\/\/[^\/]+$/.test(parent) && window.parent !== window ? parent : null;
  var posted = null;

  function render(data) {
    var items = (data && data.announcements) || [];
    box.textContent = "";
    items.forEach(function (a) { box.appendChild(item(a, data.status_url || "/status")); });
    box.hidden = items.length === 0;
    var title = items.length ? items[0].title : "";
    if (parentOrigin && title !== posted) {
      posted = title;
      window.parent.postMessage({type: "walletdesk:announcement", title: title}, parentOrigin);
    }
  }

  function load(fresh) {  // fresh: past the browser's 30 s cache (an incident just resolved)
    fetch("/status/active?lang=" + encodeURIComponent(lang()),
          {credentials: "omit", cache: fresh === true ? "no-cache" : "default"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) render(data); })
      .catch(function () { /* no banner rather than a broken page */ });
  }

  load();
  setInterval(load, REFRESH_MS);
  window.wdAnnouncements = {reload: function () { load(true); }};
})();
