// Searchable pick-lists: a <select data-filter="..."> gets a search box above it that
// narrows its options to those containing every typed word (name, organisation,
// category: whatever the option's text holds). No inline script (Content-Security-Policy);
// without JavaScript the plain select still works.
(function () {
  "use strict";
  function words(text) {
    return text.toLowerCase().split(/\s+/).filter(Boolean);
  }
  function setUp(select) {
    var all = Array.prototype.slice.call(select.options).map(function (o) {
      return { value: o.value, text: o.text };
    });
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1";
    box.id = select.id + "_search";
    box.setAttribute("autocomplete", "off");
    box.setAttribute("aria-controls", select.id);
    box.placeholder = "Search: name, organisation or category";
    var label = document.createElement("label");
    label.className = "visually-hidden";
    label.htmlFor = box.id;
    label.textContent = "Search the list";
    var count = document.createElement("div");
    count.className = "form-text mt-0 mb-1";
    count.id = select.id + "_count";
    count.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(count, select);
    function apply() {
      var wanted = words(box.value);
      var current = select.value;
      var shown = 0;
      while (select.options.length) { select.remove(0); }
      all.forEach(function (o) {
        var text = o.text.toLowerCase();
        var match = wanted.every(function (w) { return text.indexOf(w) !== -1; });
        // The empty choice and the one chosen stay, so a search never loses a choice.
        if (match || !o.value || o.value === current) {
          select.add(new Option(o.text, o.value, false, o.value === current));
          if (match && o.value) { shown += 1; }
        }
      });
      var total = all.filter(function (o) { return o.value; }).length;
      count.textContent = wanted.length ? shown + " of " + total + " match" : "";
      select.size = wanted.length ? Math.min(8, Math.max(2, select.options.length)) : 1;
    }
    box.addEventListener("input", apply);
    box.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "Enter") {
        if (event.key === "Enter") { event.preventDefault(); }
        select.focus();
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-filter]"), setUp);
  });
})();
