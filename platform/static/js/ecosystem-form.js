/* 生态申报 forms (templates/ecosystem/provider/): the typed/limit counters under text areas with a length limit
   (服务商简介 0/500, 其他需要说明的情况 0/1000). Progressive enhancement, no inline script (CSP): the server draws the
   counter as saved and still checks every length; this only keeps it live while typing. */
(function () {
  "use strict";

  function init() {
    document.querySelectorAll("[data-counter-for]").forEach(function (counter) {
      var input = document.getElementById(counter.getAttribute("data-counter-for"));
      if (!input) { return; }
      var limit = parseInt(input.getAttribute("maxlength"), 10) || 0;
      var update = function () {
        var length = Array.from(input.value || "").length;
        counter.textContent = String(length) + "/" + String(limit);
        counter.classList.toggle("is-over", !!limit && length > limit);
      };
      input.addEventListener("input", update);
      update();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
