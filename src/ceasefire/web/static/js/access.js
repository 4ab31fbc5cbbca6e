/*
 * Humanitarian access forms (progressive enhancement; the forms work without it):
 * - [data-add-row="cargo"|"incident"] buttons add one more empty line of cargo or observed incident;
 * - the movement form (#movement-form) previews the lead-time warning (48 hours, 24 in an
 *   emergency) from its window start; the server computes the real warning when it stores it.
 */
(function () {
  "use strict";

  function clearInputs(node) {
    node.querySelectorAll("input, textarea, select").forEach(function (input) {
      if (input.tagName === "SELECT") {
        input.selectedIndex = 0;
      } else {
        input.value = "";
      }
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    });
    node.querySelectorAll(".field-error").forEach(function (p) {
      p.remove();
    });
  }

  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    var kind = button.getAttribute("data-add-row");
    var container = document.querySelector(kind === "cargo" ? "[data-cargo-rows]" : "[data-incident-rows]");
    if (!container) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var rows = container.children;
      if (!rows.length || rows.length >= 50) {
        return;
      }
      var copy = rows[rows.length - 1].cloneNode(true);
      clearInputs(copy);
      container.appendChild(copy);
      var first = copy.querySelector("input, textarea, select");
      if (first) {
        first.focus();
      }
    });
  });

  var form = document.getElementById("movement-form");
  var preview = document.getElementById("lead-preview");
  if (form && preview) {
    var start = form.querySelector("[name=window_start]");
    var emergency = form.querySelector("[name=emergency]");
    var update = function () {
      var hours = Number(form.getAttribute(emergency.checked ? "data-emergency-lead-hours" : "data-lead-hours"));
      if (!start.value) {
        preview.hidden = true;
        return;
      }
      // The field is Damascus wall-clock time; the browser's zone may differ, so the preview is approximate.
      var ahead = (new Date(start.value + ":00+03:00").getTime() - Date.now()) / 3600000;
      if (isNaN(ahead) || ahead >= hours) {
        preview.hidden = true;
        return;
      }
      preview.textContent = preview.getAttribute("data-text-prefix") + " " + Math.max(ahead, 0).toFixed(1) + " h / " + hours + " h";
      preview.hidden = false;
    };
    start.addEventListener("change", update);
    emergency.addEventListener("change", update);
    update();
  }
})();
