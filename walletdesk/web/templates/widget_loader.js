/* walletdesk widget loader: <script src="{{ origin }}/widget.js" async></script> */
(function () {
  if (window.__walletdesk) return;
  window.__walletdesk = true;
  var origin = {{ origin | tojson }};
  var button = document.createElement("button");
  button.type = "button";
  button.setAttribute("aria-label", "Chat with support");
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
  frame.src = origin + "/widget?embed=1" + (identity.toString() ? "#" + identity.toString() : "");
  frame.title = "Support chat";
  frame.style.cssText = "position:fixed;right:20px;bottom:88px;width:370px;height:560px;max-width:calc(100vw - 24px);" +
    "max-height:calc(100vh - 110px);border:0;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);" +
    "display:none;z-index:2147483647;background:#fff";
  button.addEventListener("click", function () {
    frame.style.display = frame.style.display === "none" ? "block" : "none";
  });
  window.addEventListener("message", function (event) {
    if (event.origin === origin && event.data === "walletdesk:close") frame.style.display = "none";
  });
  function mount() { document.body.appendChild(frame); document.body.appendChild(button); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
