// Fill the filters of the lists from the address after the browser's Back and
// Forward buttons.
//
// A filter form that pushes its fields into the address (hx-get with
// hx-push-url) must show the filters of the list on the page. htmx restores
// a page from the snapshot of its HTML taken when the page was left. Typed
// text is not in the HTML, and a live search changes the box before the
// request that leaves the page, so the snapshot's box may be empty or hold a
// later query. After every restore, each such form therefore takes its
// fields' values from the restored address, which contains the query the
// list was read with.
//
// A plain GET filter form marked data-fill-from-address has the same problem
// without htmx. After Back or Forward the browser gives its fields the values
// they had when the page was left, such as a filter changed before «Buscar»
// was pressed again, not the filters the address and the list were read
// with. Such a form is filled from the address when the page comes back that
// way, and left alone on other loads, where the user may already be choosing.
(function () {
  "use strict";

  const LIVE_SEARCH_FORMS = "form[hx-get][hx-push-url]";
  const ADDRESS_FORMS = "form[data-fill-from-address]";

  function fillSelect(select, values) {
    if (select.multiple) {
      for (const option of select.options) {
        option.selected = values.includes(option.value);
      }
      return;
    }
    // Not option by option: unselecting the selected option of a single
    // select makes the browser select its first option again at once.
    select.value = values.length ? values[0] : "";
    if (select.selectedIndex === -1) {
      // A value the list ignores (unknown) shows the list's default, the
      // option without a value, as the server renders it.
      select.value = "";
    }
  }

  function fillFromAddress(form) {
    const parameters = new URLSearchParams(window.location.search);
    for (const field of form.elements) {
      if (!field.name || ["submit", "button", "reset", "hidden"].includes(field.type)) {
        continue;
      }
      const values = parameters.getAll(field.name);
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = values.includes(field.value);
      } else if (field.tagName === "SELECT") {
        fillSelect(field, values);
      } else {
        field.value = values.length ? values[0] : "";
      }
    }
  }

  function fillForms(selector) {
    document.querySelectorAll(selector).forEach(fillFromAddress);
  }

  document.addEventListener("htmx:historyRestore", function () {
    fillForms(LIVE_SEARCH_FORMS);
  });

  function isHistoryLoad() {
    const [navigation] = performance.getEntriesByType("navigation");
    return navigation !== undefined && navigation.type === "back_forward";
  }

  window.addEventListener("pageshow", function (event) {
    // A page the browser keeps in its back-forward cache comes back with the
    // values its fields had when the user left it.
    if (event.persisted) {
      fillForms(LIVE_SEARCH_FORMS);
    }
    // A page loaded again from the history gets its fields' saved values
    // after this deferred script runs, and before pageshow (as observed in
    // Chromium 156).
    if (event.persisted || isHistoryLoad()) {
      fillForms(ADDRESS_FORMS);
    }
  });
})();
