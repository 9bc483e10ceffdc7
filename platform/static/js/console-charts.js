/* The national console's charts (templates/console/home.html, tenant_detail.html), drawn with the vendored ECharts
   (static/vendor/echarts). No inline script (CSP): each chart is a <div data-chart="ID"> whose data sits in
   <script type="application/json" id="ID"> written by Django's json_script, shaped by shared_apps/oversight/charts.py:
   {"kind": "line"|"bar", "x": [...], "series": [{"name", "data": [...]}], "empty": "text when x is empty"}.
   Without JavaScript (or ECharts) the page's tables carry the same figures. */
(function () {
  "use strict";

  function payload(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (error) { return null; }
  }

  function option(data) {
    var bar = data.kind === "bar";
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: bar ? undefined : { top: 0, type: "scroll" },
      grid: { left: 48, right: 16, top: bar ? 16 : 40, bottom: 32, containLabel: true },
      xAxis: { type: "category", data: data.x, boundaryGap: bar },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (series) {
        return { name: series.name, type: bar ? "bar" : "line", data: series.data, showSymbol: data.x.length < 40 };
      })
    };
  }

  function draw(element) {
    var data = payload(element.getAttribute("data-chart"));
    if (!data) { return; }
    if (!data.x || !data.x.length) {
      element.classList.add("console-chart-empty");
      element.textContent = data.empty || "";
      return;
    }
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption(option(data));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() {
    if (!window.echarts) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
