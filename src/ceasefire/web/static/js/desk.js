// The analyst's desk: select every report of the page, count the selection, and "/" to search.
// Everything works without this file (the forms post normally); it only saves keystrokes.
(function () {
  "use strict";

  function boxes(form) {
    return Array.prototype.slice.call(form.querySelectorAll('input[type="checkbox"][name="report_id"]:not(:disabled), input[type="checkbox"][name="incident_id"]:not(:disabled)'));
  }

  function setUp(form) {
    var all = form.querySelector("[data-desk-select-all]");
    var count = form.querySelector("[data-desk-count]");
    function refresh() {
      var items = boxes(form);
      var chosen = items.filter(function (b) { return b.checked; }).length;
      if (count) { count.textContent = chosen ? "(" + chosen + ")" : ""; }
      if (all) {
        all.checked = items.length > 0 && chosen === items.length;
        all.indeterminate = chosen > 0 && chosen < items.length;
      }
    }
    if (all) {
      all.addEventListener("change", function () {
        boxes(form).forEach(function (b) { b.checked = all.checked; });
        refresh();
      });
    }
    form.addEventListener("change", function (event) {
      if (event.target && (event.target.name === "report_id" || event.target.name === "incident_id")) { refresh(); }
    });
    refresh();
  }

  document.querySelectorAll("[data-desk-bulk]").forEach(setUp);

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT");
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      var search = document.querySelector("[data-desk-search]");
      if (search) { event.preventDefault(); search.focus(); }
    }
  });
})();
