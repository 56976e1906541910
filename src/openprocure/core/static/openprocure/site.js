// Behaviour both sites' pages share, kept out of the HTML: the Content-Security-Policy runs no
// inline script or event handler.
//   <select data-autosubmit>  submits its form when the choice changes (language, sort order);
//   <button data-print>       prints the page.
//   .menu-toggle              opens and folds the menu on a narrow screen;
//   .fold-toggle              the same for the .foldable panel it controls (aria-controls), e.g.
//                             the catalog's filters;
//   <select data-reveal="x">  inside an element with data-reveal-scope="x": shows only the
//                             scope's fieldsets whose data-reveal-when is the chosen value, and
//                             disables the others so that they post nothing (the server refuses
//                             values that do not apply, so the page works the same without this;
//                             a fieldset with an error stays shown);
//   every table               is labelled cell by cell with its column heading, so that on a phone
//                             its rows can be shown stacked (CSS, class "stacked").
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function labelTables() {
    document.querySelectorAll("table").forEach(function (table) {
      var heads = table.tHead ? table.tHead.rows : null;
      if (!heads || heads.length === 0) {
        return;
      }
      var labels = [];
      Array.prototype.forEach.call(heads[heads.length - 1].cells, function (cell) {
        var span = cell.colSpan || 1;
        for (var i = 0; i < span; i += 1) {
          labels.push(cell.textContent.trim());
        }
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            if (!cell.hasAttribute("data-label") && labels[column]) {
              cell.setAttribute("data-label", labels[column]);
            }
            column += cell.colSpan || 1;
          });
        });
      });
      table.classList.add("stacked");
    });
  }

  function wireMenu() {
    var toggle = document.querySelector(".menu-toggle");
    var menu = document.getElementById(toggle ? toggle.getAttribute("aria-controls") : "");
    if (!toggle || !menu) {
      return;
    }
    toggle.addEventListener("click", function () {
      var open = menu.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  function wireFolds() {
    document.querySelectorAll(".fold-toggle").forEach(function (toggle) {
      var panel = document.getElementById(toggle.getAttribute("aria-controls") || "");
      if (!panel) {
        return;
      }
      toggle.addEventListener("click", function () {
        var open = panel.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    });
  }

  function reveal(select) {
    var name = select.getAttribute("data-reveal");
    var scope = select.closest('[data-reveal-scope="' + name + '"]');
    if (!scope) {
      return;
    }
    scope.querySelectorAll("fieldset[data-reveal-when]").forEach(function (fieldset) {
      // A fieldset holding an error stays in view, so the person sees what to clear.
      var shown =
        fieldset.getAttribute("data-reveal-when") === select.value || fieldset.querySelector(".errorlist") !== null;
      fieldset.hidden = !shown;
      fieldset.disabled = !shown;
    });
  }

  function wireReveals() {
    document.querySelectorAll("select[data-reveal]").forEach(reveal);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      labelTables(); wireMenu(); wireFolds(); wireReveals();
    });
  } else {
    labelTables();
    wireMenu();
    wireFolds();
    wireReveals();
  }
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof HTMLSelectElement && field.hasAttribute("data-reveal")) {
      reveal(field);
    }
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
