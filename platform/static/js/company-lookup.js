// Company-name lookup against the directory: picking a result fills USCC, region, address and industry section,
// which stay editable.
(function () {
  "use strict";
  var input = document.querySelector("[data-company-lookup]");
  if (!input) { return; }
  var list = document.createElement("ul");
  list.className = "lookup-results";
  list.setAttribute("role", "listbox");
  input.insertAdjacentElement("afterend", list);
  var timer = null;

  function fill(name, value) {
    var field = document.getElementById("id_company_" + name);
    if (field) { field.value = value || ""; }
  }

  function show(results) {
    list.innerHTML = "";
    results.forEach(function (company) {
      var item = document.createElement("li");
      item.setAttribute("role", "option");
      item.textContent = company.name + "（" + company.uscc + "）";
      item.addEventListener("mousedown", function (event) {
        event.preventDefault();
        input.value = company.name;
        fill("uscc", company.uscc);
        fill("region", company.region);
        fill("address", company.registered_address);
        fill("industry_section", company.industry_section);
        list.innerHTML = "";
      });
      list.appendChild(item);
    });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    var query = input.value.trim();
    if (query.length < 2) { list.innerHTML = ""; return; }
    timer = window.setTimeout(function () {
      fetch("/api/v1/directory/companies/?q=" + encodeURIComponent(query), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(show);
    }, 250);
  });
  input.addEventListener("blur", function () { window.setTimeout(function () { list.innerHTML = ""; }, 150); });
})();
