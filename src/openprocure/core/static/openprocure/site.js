// Behaviour both sites' pages share, kept out of the HTML: the Content-Security-Policy runs no
// inline script or event handler.
//   <select data-autosubmit>  submits its form when the choice changes (language, sort order);
//   <button data-print>       prints the page.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
      HTMLFormElement.prototype.submit.call(field.form);
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (target) {
      event.preventDefault();
      window.print();
    }
  });
})();
