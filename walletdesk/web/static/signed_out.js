/* The sign-in page, where signing out lands (POST /logout) from any page: the reply drafts the
 * workspace kept in this tab (workspace.js, sessionStorage keys "wd-draft:<agent>:<conversation>")
 * are removed, whoever wrote them; nobody is signed in here any more. Only those keys: the
 * origin's other storage (the widget's visitor token and unsent messages, a privacy notice's
 * acknowledgement, in localStorage) stays, which Clear-Site-Data: "storage" would also wipe. */
(function () {
  "use strict";
  var DRAFT = "wd-draft:", store;
  try { store = window.sessionStorage; } catch (e) { return; }
  try {
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (key && key.indexOf(DRAFT) === 0) store.removeItem(key);
    }
  } catch (e) { /* storage off: nothing was kept */ }
})();
