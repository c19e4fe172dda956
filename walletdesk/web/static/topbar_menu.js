/* The top bar's menu button: on a narrow screen the bar is one row, the brand and this button,
 * and everything else (the desk's pages, who is signed in, Security, Log out, the language)
 * folds behind it and opens over the page; on a wide screen the button stays hidden
 * (styles.css) and everything shows in the bar. Escape, or a click outside the bar, closes it.
 * Without this script everything shows, wrapped onto lines, on every screen. */
(function () {
  "use strict";
  var button = document.querySelector(".topbar .menu-toggle");
  var menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!menu) return;
  var bar = button.closest(".topbar");
  function isOpen() { return menu.classList.contains("open"); }
  function setOpen(open) {
    menu.classList.toggle("open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  bar.classList.add("has-menu");
  button.hidden = false;
  button.addEventListener("click", function () { setOpen(!isOpen()); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && isOpen()) { setOpen(false); button.focus(); }
  });
  document.addEventListener("click", function (event) {
    if (isOpen() && !bar.contains(event.target)) setOpen(false);
  });
})();
