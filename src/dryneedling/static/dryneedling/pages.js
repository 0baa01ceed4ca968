// Small page behaviours that need no widget: picking a proposed muscle fills the finding form.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-pick-muscle]");
    if (!button) return;
    var form = button.closest("form");
    var muscle = form && form.querySelector("[name=muscle_id]");
    var side = form && form.querySelector("[name=side]");
    if (muscle) muscle.value = button.getAttribute("data-pick-muscle");
    if (side && button.getAttribute("data-pick-side")) side.value = button.getAttribute("data-pick-side");
    if (muscle) muscle.focus();
  });
})();
