// Intake form: show a conditional question only when its condition holds. The rule is in
// data-show-if="key=value|value;key2=value" (any clause shows it); the server applies the same
// rule, so a hidden question is never required and whatever it holds is dropped.
(function () {
  "use strict";
  var form = document.querySelector("form.intake-form");
  if (!form) return;

  function values(name) {
    var out = [];
    form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) out.push(input.value);
      } else if (input.value) {
        out.push(input.value);
      }
    });
    return out;
  }

  function holds(rule) {
    return rule.split(";").some(function (clause) {
      var parts = clause.split("=");
      var wanted = (parts[1] || "").split("|");
      return values(parts[0]).some(function (v) { return wanted.indexOf(v) !== -1; });
    });
  }

  function update() {
    form.querySelectorAll("[data-show-if]").forEach(function (block) {
      block.hidden = !holds(block.getAttribute("data-show-if"));
    });
  }

  form.addEventListener("change", update);
  update();
})();
