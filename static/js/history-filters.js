// Fill the filters of the live-search lists from the address after the
// browser's Back and Forward buttons.
//
// A filter form that pushes its fields into the address (hx-get with
// hx-push-url) must show the filters of the list on the page. htmx restores
// a page from the snapshot of its HTML taken when the page was left. Typed
// text is not in the HTML, and a live search changes the box before the
// request that leaves the page, so the snapshot's box may be empty or hold a
// later query. After every restore, each such form therefore takes its
// fields' values from the restored address, which contains the query the
// list was read with.
(function () {
  "use strict";

  function fillFromAddress(form) {
    const parameters = new URLSearchParams(window.location.search);
    for (const field of form.elements) {
      if (!field.name || ["submit", "button", "reset", "hidden"].includes(field.type)) {
        continue;
      }
      const values = parameters.getAll(field.name);
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = values.includes(field.value);
      } else if (field.type === "select-multiple") {
        for (const option of field.options) {
          option.selected = values.includes(option.value);
        }
      } else {
        field.value = values.length ? values[0] : "";
      }
    }
  }

  function fillForms() {
    document.querySelectorAll("form[hx-get][hx-push-url]").forEach(fillFromAddress);
  }

  document.addEventListener("htmx:historyRestore", fillForms);
  // A page the browser keeps in its back-forward cache comes back with the
  // values its fields had when the user left it.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      fillForms();
    }
  });
})();
