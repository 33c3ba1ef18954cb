// The journal's insights chart (the editor of an entry is the notes editor, static/notes/editor.js).
//
// <figure data-journal-chart> holds the JSON of the weeks and a table of the same numbers. With
// Chart.js (vendor/chart.umd.min.js, loaded before this script) the bars (entries per week) and the
// line (the week's average mood) are drawn and the table folds away, one click from view; without it
// the table is the answer.
(function () {
  "use strict";

  function reducedMotion() {
    return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }

  // --- the chart ----------------------------------------------------------------------------------

  function drawChart(figure) {
    var source = document.getElementById("journal-chart-data");
    var box = figure.querySelector("[data-chart-box]");
    if (!source || !box || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var styles = getComputedStyle(document.documentElement);
    var bars = styles.getPropertyValue("--pico-primary-background").trim() || "#00895a";
    var line = styles.getPropertyValue("--pico-color").trim() || "#373c44";
    box.hidden = false;
    new window.Chart(box.querySelector("canvas"), {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: data.entries_label, data: data.entries, backgroundColor: bars, yAxisID: "y" },
          { type: "line", label: data.mood_label, data: data.mood, borderColor: line, backgroundColor: line,
            spanGaps: true, tension: 0.2, yAxisID: "mood" }
        ]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: reducedMotion() ? false : { duration: 300 },
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: data.entries_label } },
          mood: { position: "right", min: 1, max: 5, ticks: { stepSize: 1 }, grid: { drawOnChartArea: false } }
        }
      }
    });
    var table = figure.querySelector("[data-chart-table]");
    if (table) { table.removeAttribute("open"); }
  }

  function start() {
    document.querySelectorAll("[data-journal-chart]").forEach(drawChart);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
