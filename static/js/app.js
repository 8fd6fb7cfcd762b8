// casemgmt front-end behaviour. No inline scripts anywhere (Content-Security-Policy).
(function () {
  "use strict";
  // Forms and buttons with data-confirm ask before an irreversible action.
  // The attribute may sit on the form or on the button that submitted it.
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) ||
      event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
  // Move focus to the error summary so keyboard and screen-reader users hear it.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("form-errors");
    if (summary) { summary.focus(); }
  });
})();
