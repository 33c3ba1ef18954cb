// The P&L chart: monthly net as bars. Data comes from the page's json_script block; the same
// numbers are in the table, so the chart is a picture, never the only source.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("pnl-chart-data");
    var canvas = document.getElementById("pnl-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var styles = getComputedStyle(document.documentElement);
    var positive = styles.getPropertyValue("--pico-primary-background").trim() || "#00895a";
    var negative = styles.getPropertyValue("--danger").trim() || "#b42318";
    var format = new Intl.NumberFormat(document.documentElement.lang || undefined, {
      style: "currency", currency: data.currency
    });
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{
          label: data.label,
          data: data.net,
          backgroundColor: data.net.map(function (v) { return v < 0 ? negative : positive; })
        }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (ctx) { return format.format(ctx.parsed.y); } } }
        },
        scales: { y: { ticks: { callback: function (v) { return format.format(v); } } } }
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
