// The analytics charts (Chart.js, vendored): data from the canvas's data-chart attribute.
(function () {
  "use strict";
  function draw() {
    if (!window.Chart) { return; }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var data = JSON.parse(canvas.dataset.chart || "{}");
      var datasets = data.values ? [{data: data.values}] : [{label: "opened", data: data.opened}, {label: "completed", data: data.completed}];
      new window.Chart(canvas, {type: "bar", data: {labels: data.labels, datasets: datasets},
        options: {animation: false, plugins: {legend: {display: !data.values}}, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}});
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
