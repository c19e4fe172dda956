/* The interface-language picker in the top bar: choosing a language saves it at once
 * (without scripts the form's own button does). */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("form.locale-picker"), function (form) {
    var select = form.querySelector("select"), button = form.querySelector("button");
    if (button) button.hidden = true;
    select.addEventListener("change", function () { form.requestSubmit(); });
  });
})();
