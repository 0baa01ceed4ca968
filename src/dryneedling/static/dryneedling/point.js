/* The point form (issue 10): choosing a charted finding fills the muscle and side it names
 * (from the JSON in #finding-fills) and checks the guardrails at once, so a point from a finding
 * takes: choose the finding, time or type the seconds, record. The server fills them too when
 * they come empty, and refuses a finding that names another muscle or side.
 * Choosing a muscle (issue 11) offers a needle for it (#needle-fills): the session's last needle,
 * unless it is longer than the muscle's typical maximum (or there is none yet), then the muscle's
 * typical needle from the knowledge base. A needle the clinician set by hand is never replaced.
 * ES2019, no inline code. */
(function () {
  "use strict";

  function json(id) {
    var node = document.getElementById(id);
    if (!node) return {};
    try { return JSON.parse(node.textContent || "{}") || {}; } catch (e) { return {}; }
  }
  function fills() { return json("finding-fills"); }

  var NEEDLE_FIELDS = ["needle_length_mm", "needle_diameter_mm"];

  function offerNeedle(form, muscleId) {
    if (form.getAttribute("data-needle-by-hand")) return;  // a fresh form (after a swap) has none
    var data = json("needle-fills");
    var typical = (data.muscles || {})[muscleId];
    if (!typical) return;
    var last = data.last;
    var needle = last && last.needle_length_mm <= typical.max_length_mm ? last : typical;
    NEEDLE_FIELDS.forEach(function (name) {
      var field = form.querySelector('[name="' + name + '"]');
      if (field && needle[name] !== undefined) field.value = String(needle[name]);
    });
  }

  function setValue(form, name, value) {
    var field = form.querySelector('[name="' + name + '"]');
    if (!field || value === undefined || value === null) return;
    field.value = value;
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("change", function (ev) {
    var field = ev.target;
    if (!field || !field.form || field.form.id !== "point-form") return;
    if (ev.isTrusted && NEEDLE_FIELDS.indexOf(field.name) >= 0) field.form.setAttribute("data-needle-by-hand", "1");
    if (field.name === "muscle_id") offerNeedle(field.form, field.value);
  });

  document.addEventListener("change", function (ev) {
    var select = ev.target;
    if (!select || select.name !== "finding_id" || !select.form || select.form.id !== "point-form") return;
    var chosen = fills()[select.value];
    if (!chosen) return;
    setValue(select.form, "muscle_id", chosen.muscle_id);
    setValue(select.form, "side", chosen.side);
    var check = select.form.querySelector("[data-guardrails-check]");
    if (!check) return;
    // Right after a swap htmx may not have wired the new button yet: process it first (idempotent),
    // or the click would do nothing and the guardrails would stay unchecked.
    if (window.htmx) window.htmx.process(check);
    check.click();
  });
})();
