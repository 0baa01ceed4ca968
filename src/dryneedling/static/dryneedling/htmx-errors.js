// htmx swaps no 4xx/5xx answer by default, so a refused htmx action (a 403 "Record point", say)
// would change nothing on the page. Show the answer's reason in the page's alert region instead:
// the 403 page marks it with data-refusal; any other failure gets a plain sentence.
(function () {
  "use strict";
  function reasonOf(xhr) {
    var text = "";
    try {
      var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
      var marked = doc.querySelector("[data-refusal]");
      if (marked) text = marked.textContent.trim();
    } catch (error) {
      text = "";
    }
    if (text) return text;
    if (xhr.status === 403) return "Not allowed.";
    if (xhr.status === 404) return "This record is not available.";
    return "The request failed (status " + xhr.status + "). Reload the page and try again.";
  }
  document.addEventListener("htmx:responseError", function (event) {
    var region = document.getElementById("request-refusal");
    if (!region || !event.detail || !event.detail.xhr) return;
    region.textContent = reasonOf(event.detail.xhr);  // text only: never markup from the answer
    region.hidden = false;
    region.scrollIntoView({ block: "nearest" });
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var region = document.getElementById("request-refusal");
    if (region) { region.hidden = true; region.textContent = ""; }
  });
})();
