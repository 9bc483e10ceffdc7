/* Repeatable rows of the admission form (templates/pilots/admission_form.html): "+添加" and 删除 for needs,
   projects and each project's indicators. Progressive enhancement, no inline script (CSP): without JavaScript the
   page already shows empty extra rows and a 删除此行 checkbox per row.

   A container [data-rows][data-prefix=P] holds its Django formset's P-TOTAL_FORMS, a list [data-rows-list] and a
   <template data-row-template> whose names carry P-__prefix__; "+添加" copies the template with the next index
   (a project's template carries its own indicators container, so nested rows keep working). 删除 ticks the row's
   DELETE box and hides the row; the server drops ticked rows. */
(function () {
  "use strict";

  function own(container, selector) {
    var found = container.querySelectorAll(selector);
    for (var i = 0; i < found.length; i++) {
      if (found[i].closest("[data-rows]") === container) { return found[i]; }
    }
    return null;
  }

  function rowsOf(container) {
    var list = own(container, "[data-rows-list]");
    if (!list) { return []; }
    return Array.prototype.filter.call(list.children, function (row) { return row.hasAttribute("data-row"); });
  }

  function renumber(container) {
    var n = 0;
    rowsOf(container).forEach(function (row) {
      if (row.hidden) { return; }
      n += 1;
      var number = row.querySelector("[data-row-number]");
      if (number && number.closest("[data-rows]") === container) { number.textContent = String(n); }
    });
    var add = own(container, "[data-row-add]");
    var max = parseInt(container.getAttribute("data-max"), 10);
    if (add) { add.disabled = !!max && n >= max; }
  }

  function datePickers(root) {
    if (!window.flatpickr) { return; }
    var zh = window.flatpickr.l10ns && window.flatpickr.l10ns.zh;
    root.querySelectorAll("input[data-date-picker]").forEach(function (input) {
      if (input._flatpickr) { return; }
      window.flatpickr(input, { locale: zh ? Object.assign({}, zh, { firstDayOfWeek: 1 }) : "default", dateFormat: "Y-m-d", allowInput: true, animate: false });
    });
  }

  function enhanceDelete(root) {
    root.querySelectorAll("[data-row-delete]").forEach(function (label) {
      if (label.hasAttribute("data-enhanced")) { return; }
      label.setAttribute("data-enhanced", "");
      var box = label.querySelector("input[type=checkbox]");
      var row = label.closest("[data-row]");
      if (!box || !row) { return; }
      label.hidden = true;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link danger-link";
      button.textContent = label.getAttribute("data-text") || "删除";
      button.addEventListener("click", function () {
        box.checked = true;
        row.hidden = true;
        renumber(row.closest("[data-rows]"));
      });
      label.parentNode.insertBefore(button, label.nextSibling);
      if (box.checked) { row.hidden = true; }
    });
  }

  function enhance(container) {
    var add = own(container, "[data-row-add]");
    var template = own(container, "template[data-row-template]");
    var prefix = container.getAttribute("data-prefix");
    var total = container.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    if (!add || !template || !prefix || !total) { return; }
    add.hidden = false;
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      var html = template.innerHTML.split(prefix + "-__prefix__").join(prefix + "-" + index);
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var list = own(container, "[data-rows-list]");
      var row = holder.querySelector("[data-row]");
      if (!list || !row) { return; }
      list.appendChild(row);
      total.value = String(index + 1);
      enhanceDelete(row);
      row.querySelectorAll("[data-rows]").forEach(enhance);
      datePickers(row);
      renumber(container);
      var first = row.querySelector("input:not([type=hidden]):not([type=checkbox]), textarea, select");
      if (first) { first.focus(); }
    });
    renumber(container);
  }

  function init() {
    var form = document.getElementById("admission-form") || document.getElementById("acceptance-form") ||
      document.querySelector("form[data-rows-form]");
    if (!form) { return; }
    enhanceDelete(form);
    form.querySelectorAll("[data-rows]").forEach(function (container) {
      if (!container.closest("template")) { enhance(container); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
