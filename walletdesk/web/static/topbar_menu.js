/* The top bar's menu button: on a narrow screen a supervisor's or admin's links (about
 * fifteen) fold behind it and open as wrapped lines; on a wide screen the button stays hidden
 * (styles.css) and every link shows. Without this script the links show wrapped on every
 * screen. */
(function () {
  "use strict";
  var button = document.querySelector(".topbar .menu-toggle");
  var nav = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!nav) return;
  var bar = button.closest(".topbar");
  function setOpen(open) {
    nav.classList.toggle("open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  bar.classList.add("has-menu");
  button.hidden = false;
  button.addEventListener("click", function () { setOpen(!nav.classList.contains("open")); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && nav.classList.contains("open")) { setOpen(false); button.focus(); }
  });
})();
