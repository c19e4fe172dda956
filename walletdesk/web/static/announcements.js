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

  // a banner can be folded to its title line (the toggle in its head): remembered per
  // announcement for the visitor's session; in a short frame (a phone) banners start folded,
  // so the conversation keeps most of the height beside the queue notice
  var FOLDED_KEY = "wd-folded-announcements";
  var SHORT = "(max-height: 700px)";

  function foldedChoices() {
    try { return JSON.parse(sessionStorage.getItem(FOLDED_KEY) || "{}") || {}; }
    catch (e) { return {}; }
  }

  function isFolded(id) {
    var chosen = foldedChoices()[id];
    if (typeof chosen === "boolean") return chosen;
    return !!(window.matchMedia && window.matchMedia(SHORT).matches);
  }

  function rememberFolded(id, folded) {
    var choices = foldedChoices();
    choices[id] = folded;
    try { sessionStorage.setItem(FOLDED_KEY, JSON.stringify(choices)); }
    catch (e) { /* storage refused: folded for this page only */ }
  }

  function setFolded(div, button, folded) {
    div.classList.toggle("wd-folded", folded);
    button.setAttribute("aria-expanded", folded ? "false" : "true");
    button.textContent = folded ? (box.getAttribute("data-expand") || "+")
      : (box.getAttribute("data-collapse") || "\u2212");
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
    var id = String(a.id);
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "wd-announcement-toggle";
    var details = document.createElement("div");
    details.className = "wd-announcement-details";
    details.id = "wd-announcement-details-" + id.replace(/[^0-9]/g, "");
    toggle.setAttribute("aria-controls", details.id);
    toggle.addEventListener("click", function () {
      var folded = !div.classList.contains("wd-folded");
      setFolded(div, toggle, folded);
      rememberFolded(id, folded);
    });
    div.appendChild(head);
    div.appendChild(toggle);
    if (a.body) {
      var body = document.createElement("p");
      body.className = "wd-announcement-body";
      body.textContent = a.body;
      details.appendChild(body);
    }
    var more = document.createElement("a");
    more.href = statusUrl + "#incident-" + a.id;
    more.target = "_blank";
    more.rel = "noopener";
    more.textContent = box.getAttribute("data-more") || "…";
    details.appendChild(more);
    div.appendChild(details);
    setFolded(div, toggle, isFolded(id));
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
