/* advocacy: small progressive enhancements; every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest && target.closest("[data-print]")) {
      window.print();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // A form that opens its answer in a new tab changed something here too (e.g. "Look
    // at my profile" unlocks the next step): show it once the request has gone out.
    if (form.hasAttribute && form.hasAttribute("data-reload-after")) {
      window.setTimeout(function () { window.location.reload(); }, 700);
    }
  });
})();
