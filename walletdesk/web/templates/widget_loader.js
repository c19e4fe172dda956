/* walletdesk widget loader: <script src="{{ origin }}/widget.js" async></script> */
(function () {
  if (window.__walletdesk) return;
  window.__walletdesk = true;
  var origin = {{ origin | tojson }};
  // the launcher's words, in the language of the visitor's browser (the desk's catalogs)
  var label = {{ _("Chat with support") | tojson }}, unreadLabel = {{ _("Chat with support ({n} unread)") | tojson }};
  var button = document.createElement("button");
  button.type = "button";
  button.setAttribute("aria-label", label);
  button.textContent = "?";
  button.style.cssText = "position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;" +
    "border:0;background:#1f6feb;color:#fff;font:bold 24px sans-serif;cursor:pointer;z-index:2147483646;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.25)";
  var frame = document.createElement("iframe");
  // identity verification: window.walletdeskSettings = {userId, userHash, name} (docs/widget.md);
  // passed in the fragment, which never reaches a server log
  var settings = window.walletdeskSettings || {};
  var identity = new URLSearchParams();
  if (settings.userId) { identity.set("user_id", settings.userId); identity.set("user_hash", settings.userHash || ""); }
  if (settings.name) identity.set("name", settings.name);
  // device and app context (docs/widget.md): {app_version, os, platform, language,
  // wallet_addresses}; the desk keeps only the fields the operator allows
  if (settings.context && typeof settings.context === "object") {
    try { var context = JSON.stringify(settings.context); if (context.length <= 4000) identity.set("context", context); } catch (e) { /* not serialisable: left out */ }
  }
  // the widget posts its unread count to this page's origin only
  identity.set("parent", location.origin);
  // the widget's language: the operator's choice (settings.locale, e.g. the app's language),
  // else the visitor's browser
  var lang = /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/.test(settings.locale || "") ? "&lang=" + encodeURIComponent(settings.locale) : "";
  frame.src = origin + "/widget?embed=1" + lang + "#" + identity.toString();
  frame.title = {{ _("Support chat") | tojson }};
  frame.style.cssText = "position:fixed;right:20px;bottom:88px;width:370px;height:560px;max-width:calc(100vw - 24px);" +
    "max-height:calc(100vh - 110px);border:0;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);" +
    "display:none;z-index:2147483647;background:#fff";
  // unread replies while the chat is closed: a red count on the button
  var badge = document.createElement("span");
  badge.setAttribute("data-walletdesk-unread", "");
  badge.style.cssText = "position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;padding:0 6px;" +
    "border-radius:11px;background:#d1242f;color:#fff;font:bold 12px/22px sans-serif;text-align:center;" +
    "box-sizing:border-box;display:none";
  button.appendChild(badge);
  // a known incident (walletdesk.incidents): its title by the launcher while the chat is closed
  var notice = document.createElement("div");
  notice.setAttribute("data-walletdesk-announcement", "");
  notice.setAttribute("role", "status");
  notice.style.cssText = "position:fixed;right:84px;bottom:26px;max-width:260px;padding:8px 12px;border-radius:8px;" +
    "background:#fff8c5;color:#3b2300;border-left:4px solid #bf8700;font:13px/1.35 sans-serif;cursor:pointer;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.2);z-index:2147483646;display:none";
  var announced = "";
  function showAnnouncement(title) {
    announced = String(title || "").slice(0, 200);
    notice.textContent = announced;
    notice.style.display = announced && frame.style.display === "none" ? "block" : "none";
  }
  notice.addEventListener("click", function () { setOpen(true); });
  function setOpen(open) {
    frame.style.display = open ? "block" : "none";
    notice.style.display = !open && announced ? "block" : "none";
    // the widget counts replies as read only while it is shown
    if (frame.contentWindow) frame.contentWindow.postMessage({type: "walletdesk:visibility", open: open}, origin);
  }
  function showUnread(count) {
    var n = Math.max(0, Math.min(parseInt(count, 10) || 0, 999));
    badge.textContent = n > 9 ? "9+" : String(n);
    badge.style.display = n > 0 ? "block" : "none";
    button.setAttribute("aria-label", n > 0 ? unreadLabel.replace("{n}", String(n)) : label);
  }
  button.addEventListener("click", function () { setOpen(frame.style.display === "none"); });
  frame.addEventListener("load", function () { setOpen(frame.style.display !== "none"); });
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    if (event.data === "walletdesk:close") setOpen(false);
    else if (event.data && event.data.type === "walletdesk:unread") showUnread(event.data.count);
    else if (event.data && event.data.type === "walletdesk:announcement") showAnnouncement(event.data.title);
  });
  function mount() { document.body.appendChild(frame); document.body.appendChild(button); document.body.appendChild(notice); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
