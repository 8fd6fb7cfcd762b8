// Instrument forms: follow the instrument's skip rule in the page. An item with
// data-asked-if-item / data-asked-if-answer is shown only when that item has that answer;
// hidden items are cleared. The server applies the same rule whatever the page sends.
(function () {
  "use strict";
  function update(form) {
    var items = form.querySelectorAll("[data-asked-if-item]");
    items.forEach(function (fieldset) {
      var source = fieldset.getAttribute("data-asked-if-item");
      var wanted = fieldset.getAttribute("data-asked-if-answer");
      var checked = form.querySelector('input[name="item_' + source + '"]:checked');
      var asked = checked !== null && checked.value === wanted;
      fieldset.hidden = !asked;
      if (!asked) {
        fieldset.querySelectorAll("input:checked").forEach(function (input) {
          input.checked = false;
        });
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.instrument-form").forEach(function (form) {
      update(form);
      form.addEventListener("change", function () { update(form); });
    });
  });
})();
