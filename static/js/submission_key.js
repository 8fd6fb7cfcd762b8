// One save per click: keep a create form's one-time submission key across Back.
// Every create form carries <input name="submission_key" data-submission-key> with a
// fresh key from the server. The key shown on this visit of the page is remembered
// (sessionStorage, this tab only) under the page's address and the form's place on it.
// Coming back to the page (Back/Forward, or Reload) puts the remembered key back even
// when the browser fetched the page again with a new one, so that a second Save is
// answered with the first save's result instead of saving twice. A new visit (a link,
// the address bar, after a save) remembers the new key: that is a new form.
// A page restored whole from the back-forward cache still holds its own key: untouched.
(function () {
  "use strict";
  var PREFIX = "casemgmt.submission-key:";

  function navigationType() {
    var entries = window.performance && performance.getEntriesByType &&
      performance.getEntriesByType("navigation");
    return entries && entries.length ? entries[0].type : "navigate";
  }

  function slot(input, index) {
    var form = input.form;
    var action = form ? (form.getAttribute("action") || "") : "";
    return PREFIX + window.location.pathname + window.location.search + "|" + action + "|" + index;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var type = navigationType();
    var returning = type === "back_forward" || type === "reload";
    var inputs = document.querySelectorAll("input[data-submission-key]");
    Array.prototype.forEach.call(inputs, function (input, index) {
      var name = slot(input, index);
      try {
        var kept = window.sessionStorage.getItem(name);
        if (returning && kept) {
          input.value = kept;
        } else {
          window.sessionStorage.setItem(name, input.value);
        }
      } catch (error) {
        // Storage refused (private mode, quota): the server's key still stops a double click.
      }
    });
  });
})();
