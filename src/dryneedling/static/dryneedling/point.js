/* The point form (issue 10): choosing a charted finding fills the muscle and side it names
 * (from the JSON in #finding-fills) and checks the guardrails at once, so a point from a finding
 * takes: choose the finding, time or type the seconds, record. The server fills them too when
 * they come empty, and refuses a finding that names another muscle or side. ES2019, no inline code. */
(function () {
  "use strict";

  function fills() {
    var node = document.getElementById("finding-fills");
    if (!node) return {};
    try { return JSON.parse(node.textContent || "{}"); } catch (e) { return {}; }
  }

  function setValue(form, name, value) {
    var field = form.querySelector('[name="' + name + '"]');
    if (!field || value === undefined || value === null) return;
    field.value = value;
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("change", function (ev) {
    var select = ev.target;
    if (!select || select.name !== "finding_id" || !select.form || select.form.id !== "point-form") return;
    var chosen = fills()[select.value];
    if (!chosen) return;
    setValue(select.form, "muscle_id", chosen.muscle_id);
    setValue(select.form, "side", chosen.side);
    var check = select.form.querySelector("[data-guardrails-check]");
    if (check) check.click();
  });
})();
