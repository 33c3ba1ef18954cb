// The Insights charts: revenue over the period and utilization per coach. The same numbers are in the
// page's tables, so a chart is a picture, never the only source.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("insights-chart-data");
    if (!source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var styles = getComputedStyle(document.documentElement);
    var colour = styles.getPropertyValue("--pico-primary-background").trim() || "#00895a";
    var money = new Intl.NumberFormat(document.documentElement.lang || undefined, {style: "currency", currency: data.currency});
    var revenue = document.getElementById("revenue-chart");
    if (revenue && data.revenue) {
      new window.Chart(revenue, {
        type: "bar",
        data: {labels: data.revenue.labels, datasets: [{label: data.revenue.label, data: data.revenue.values, backgroundColor: colour}]},
        options: {responsive: true, maintainAspectRatio: false, animation: false,
          plugins: {legend: {display: false}, tooltip: {callbacks: {label: function (ctx) { return money.format(ctx.parsed.y); }}}},
          scales: {y: {ticks: {callback: function (v) { return money.format(v); }}}}}
      });
    }
    var util = document.getElementById("utilization-chart");
    if (util && data.utilization.labels.length) {
      new window.Chart(util, {
        type: "bar",
        data: {labels: data.utilization.labels, datasets: [{label: data.utilization.label, data: data.utilization.values, backgroundColor: colour}]},
        options: {indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
          plugins: {legend: {display: false}}, scales: {x: {min: 0, max: 100}}}
      });
    }
    document.documentElement.setAttribute("data-insights-charts", "drawn");
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
