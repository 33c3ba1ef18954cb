// Progress charts: a measurement over time, with its goal as a dashed line.
//
// Each <figure data-progress-chart> holds a <script type="application/json"> with
//   {"label", "unit", "points": [[iso, value], ...], "goal": number|null, "better": "up"|"down", "locale"}
// and a table of the same values. The table is the source for screen readers and the fallback when
// Chart.js (vendor/chart.umd.min.js, the global `Chart`) is missing: once the chart draws, the table is
// only hidden visually and a button shows it again. Dates are placed on a linear axis of milliseconds
// and labelled with Intl.DateTimeFormat (no date adapter): "2025-03-01" is a calendar day (drawn and
// written in UTC so that it never slips to the 28th), a full ISO instant is written in `zone` when the
// JSON gives one, else in the browser's.
//
// window.CoachOSProgress.render(figure) draws (again); .update(figure, points) replaces the points,
// e.g. after a measurement was logged, without reloading the page.
(function () {
  "use strict";

  var DAY = 86400000;
  var DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

  function reducedMotion() {
    return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }

  function localeOf(data) {
    var locale = (data.locale || document.documentElement.lang || "").replace(/_/g, "-");
    try {
      return Intl.DateTimeFormat.supportedLocalesOf([locale]).length ? locale : undefined;
    } catch (e) {
      return undefined;
    }
  }

  function parsePoints(raw) {
    var points = [];
    (raw || []).forEach(function (pair) {
      var iso = String(pair[0]);
      var value = Number(pair[1]);  // Decimal values arrive as strings
      var dateOnly = DATE_ONLY.test(iso);
      var t = dateOnly ? Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) : Date.parse(iso);
      if (isFinite(t) && isFinite(value)) { points.push({ x: t, y: value, dateOnly: dateOnly }); }
    });
    points.sort(function (a, b) { return a.x - b.x; });
    return points;
  }

  function formatters(data) {
    var locale = localeOf(data);
    var zone = data.zone || undefined;
    var number = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
    function dateFormat(options, utc) {
      var opts = Object.assign({}, options);
      if (utc) { opts.timeZone = "UTC"; } else if (zone) { opts.timeZone = zone; }
      try { return new Intl.DateTimeFormat(locale, opts); } catch (e) { delete opts.timeZone; return new Intl.DateTimeFormat(locale, opts); }
    }
    var day = dateFormat({ dateStyle: "medium" }, true);
    var instant = dateFormat({ dateStyle: "medium", timeStyle: "short" }, false);
    var ticks = {
      day: dateFormat({ day: "numeric", month: "short" }, true),
      month: dateFormat({ month: "short", year: "2-digit" }, true),
      year: dateFormat({ year: "numeric" }, true)
    };
    return {
      value: function (v) { return (number.format(v) + " " + (data.unit || "")).trim(); },
      number: function (v) { return number.format(v); },
      point: function (p) { return p.dateOnly ? day.format(p.x) : instant.format(p.x); },
      tick: function (kind, v) { return ticks[kind].format(v); }
    };
  }

  // Calendar-aligned ticks (UTC): month starts every 1, 2, 3, 6 or 12 months over a long span, else
  // days every 1, 2, 7, 14 or 28 — as few as fit, like the PDF charts.
  function dateTicks(min, max, maxTicks) {
    maxTicks = Math.max(2, maxTicks);
    var span = (max - min) / DAY;
    if (span > 62) {
      var start = new Date(min);
      var index = start.getUTCFullYear() * 12 + start.getUTCMonth() + (start.getUTCDate() === 1 && start.getUTCHours() === 0 ? 0 : 1);
      var steps = [1, 2, 3, 6, 12, 24, 60, 120];
      for (var s = 0; s < steps.length; s++) {
        var months = [];
        for (var i = index; ; i++) {
          var t = Date.UTC(Math.floor(i / 12), i % 12, 1);
          if (t > max) { break; }
          if (i % steps[s] === 0) { months.push(t); }
        }
        if (months.length <= maxTicks) { return { kind: steps[s] >= 12 ? "year" : "month", values: months }; }
      }
    }
    var first = Math.ceil(min / DAY) * DAY;
    var daySteps = [1, 2, 7, 14, 28, 56];
    for (var d = 0; d < daySteps.length; d++) {
      var days = [];
      for (var v = first; v <= max; v += daySteps[d] * DAY) { days.push(v); }
      if (days.length <= maxTicks) { return { kind: "day", values: days }; }
    }
    return { kind: "day", values: [first] };
  }

  function colours(figure) {
    var styles = getComputedStyle(figure);
    return {
      line: styles.getPropertyValue("--progress-line").trim() || styles.getPropertyValue("--pico-primary").trim() || "#1d4ed8",
      goal: styles.getPropertyValue("--progress-goal").trim() || styles.getPropertyValue("--pico-muted-color").trim() || "#6b7280",
      grid: styles.getPropertyValue("--pico-muted-border-color").trim() || "#e5e7eb",
      text: styles.getPropertyValue("--pico-muted-color").trim() || "#6b7280"
    };
  }

  function readData(figure) {
    var source = figure.querySelector('script[type="application/json"]');
    if (!source) { return null; }
    try { return JSON.parse(source.textContent); } catch (e) { return null; }
  }

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : all;
    });
  }

  function summary(figure, data, points, fmt) {
    if (!points.length) { return figure.dataset.emptySummary || ""; }
    var text = fill(figure.dataset.summary || "{label}: {first} to {last}, latest {latest}.", {
      label: data.label || "",
      first: fmt.point(points[0]),
      last: fmt.point(points[points.length - 1]),
      latest: fmt.value(points[points.length - 1].y)
    });
    if (data.goal !== null && data.goal !== undefined && figure.dataset.goalSummary) {
      text += " " + fill(figure.dataset.goalSummary, { goal: fmt.value(Number(data.goal)) });
    }
    return text;
  }

  function goalData(data, points) {
    var goal = data.goal === null || data.goal === undefined ? NaN : Number(data.goal);
    if (!isFinite(goal) || !points.length) { return []; }
    return [{ x: points[0].x, y: goal }, { x: points[points.length - 1].x, y: goal }];
  }

  function bounds(points) {
    var min = points[0].x;
    var max = points[points.length - 1].x;
    if (max - min < DAY) { min -= DAY / 2; max += DAY / 2; }  // one day: give the point room
    return { min: min, max: max };
  }

  function pointRadius(ctx) {
    var count = ctx.dataset.data.length;
    if (ctx.dataIndex === count - 1) { return 4; }  // the latest value stands out
    return count > 60 ? 0 : 2.5;
  }

  function configure(figure, data, points, fmt) {
    var c = colours(figure);
    var range = bounds(points);
    var goalLabel = figure.dataset.goalLabel || "Goal";
    return {
      type: "line",
      data: {
        datasets: [
          { label: data.label || "", data: points, parsing: false, borderColor: c.line, backgroundColor: c.line,
            borderWidth: 2, tension: 0, pointRadius: pointRadius, pointHoverRadius: 5, pointHitRadius: 8 },
          { label: goalLabel, data: goalData(data, points), parsing: false, borderColor: c.goal,
            backgroundColor: c.goal, borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, pointHitRadius: 0,
            fill: false }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reducedMotion() ? false : { duration: 300 },
        interaction: { mode: "nearest", axis: "x", intersect: false },
        layout: { padding: { right: 6, top: 4 } },  // room for the latest point's larger dot
        plugins: {
          legend: { display: goalData(data, points).length > 0, position: "bottom",
            labels: { boxWidth: 14, boxHeight: 2, color: c.text } },
          tooltip: {
            filter: function (item) { return item.datasetIndex === 0; },
            callbacks: {
              title: function (items) { return items.length ? fmt.point(items[0].raw) : ""; },
              label: function (item) { return fmt.value(item.parsed.y); }
            }
          }
        },
        scales: {
          x: {
            type: "linear",
            min: range.min,
            max: range.max,
            grid: { display: false },
            afterBuildTicks: function (scale) {
              var ticks = dateTicks(scale.min, scale.max, Math.floor((scale.width || 320) / 64));
              scale.$progressTickKind = ticks.kind;
              scale.ticks = ticks.values.map(function (v) { return { value: v }; });
            },
            ticks: {
              color: c.text,
              maxRotation: 0,
              autoSkip: true,
              callback: function (value) { return fmt.tick(this.$progressTickKind || "day", value); }
            }
          },
          y: {
            grace: "8%",
            grid: { color: c.grid },
            ticks: { color: c.text, maxTicksLimit: 6, callback: function (value) { return fmt.number(value); } }
          }
        }
      }
    };
  }

  function rebuildTable(figure, points, fmt) {
    var wrap = figure.querySelector("[data-chart-table]");
    var body = wrap && wrap.querySelector("tbody");
    if (!body) { return; }
    wrap.hidden = !points.length;
    var valueLabel = body.dataset.valueLabel || "";
    var rows = document.createDocumentFragment();
    for (var i = points.length - 1; i >= 0; i--) {  // newest first, as the page writes them
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = fmt.point(points[i]);
      var td = document.createElement("td");
      td.className = "num";
      td.setAttribute("data-label", valueLabel);
      td.textContent = fmt.value(points[i].y);
      tr.appendChild(th);
      tr.appendChild(td);
      rows.appendChild(tr);
    }
    body.replaceChildren(rows);
    var empty = figure.querySelector("[data-chart-empty]");
    if (empty) { empty.hidden = points.length > 0; }
  }

  function setUpToggle(figure) {
    var button = figure.querySelector("[data-chart-toggle]");
    var table = figure.querySelector("[data-chart-table]");
    if (!button || !table || button.dataset.bound) { return; }
    button.dataset.bound = "1";
    button.addEventListener("click", function () {
      var shown = table.classList.toggle("is-shown");
      button.setAttribute("aria-expanded", shown ? "true" : "false");
      button.textContent = shown ? button.dataset.hide : button.dataset.show;
    });
  }

  function resolve(figure) {
    return typeof figure === "string" ? document.getElementById(figure) : figure;
  }

  function render(target) {
    var figure = resolve(target);
    if (!figure) { return null; }
    var data = readData(figure);
    if (!data) { return null; }
    var points = parsePoints(data.points);
    var fmt = formatters(data);
    var state = figure.$progress;
    if (state && state.chart) { state.chart.destroy(); }
    figure.$progress = { data: data, points: points, chart: null };
    var box = figure.querySelector("[data-chart-canvas]");
    if (!points.length || !box || typeof window.Chart === "undefined") {
      figure.classList.remove("is-drawn");  // the table (or the empty note) is the chart
      return null;
    }
    var canvas = box.querySelector("canvas");
    if (!canvas) {
      canvas = document.createElement("canvas");
      box.appendChild(canvas);
    }
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", summary(figure, data, points, fmt));
    var chart = new window.Chart(canvas, configure(figure, data, points, fmt));
    figure.$progress.chart = chart;
    figure.classList.add("is-drawn");
    var button = figure.querySelector("[data-chart-toggle]");
    if (button) { button.hidden = false; }
    setUpToggle(figure);
    return chart;
  }

  function update(target, rawPoints) {
    var figure = resolve(target);
    if (!figure) { return null; }
    var data = (figure.$progress && figure.$progress.data) || readData(figure);
    if (!data) { return null; }
    data.points = rawPoints;
    var source = figure.querySelector('script[type="application/json"]');
    if (source) { source.textContent = JSON.stringify(data); }  // a later render() draws the same
    var points = parsePoints(rawPoints);
    var fmt = formatters(data);
    rebuildTable(figure, points, fmt);
    var chart = figure.$progress && figure.$progress.chart;
    if (!chart || !points.length) { return render(figure); }
    var range = bounds(points);
    chart.data.datasets[0].data = points;
    chart.data.datasets[1].data = goalData(data, points);
    chart.options.scales.x.min = range.min;
    chart.options.scales.x.max = range.max;
    figure.$progress.points = points;
    figure.querySelector("[data-chart-canvas] canvas").setAttribute("aria-label", summary(figure, data, points, fmt));
    chart.update(reducedMotion() ? "none" : undefined);
    return chart;
  }

  function scan(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var figures = Array.prototype.slice.call(scope.querySelectorAll("figure[data-progress-chart]"));
    if (scope.matches && scope.matches("figure[data-progress-chart]")) { figures.push(scope); }
    figures.forEach(function (figure) {
      if (!figure.$progress) { render(figure); }
    });
  }

  window.CoachOSProgress = { render: render, update: update, scan: scan, dateTicks: dateTicks };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(document); });
  } else {
    scan(document);
  }
  // Parts of pages swapped in by htmx (the client page's sections) draw their charts too.
  document.addEventListener("htmx:load", function (event) { scan(event.target); });
})();
