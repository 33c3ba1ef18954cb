// The progress pages' small script; every page works without it (forms post, parts come back whole).
//
// - A measurement logged through htmx answers with the event `progressMeasured` ({chart, kind, points}):
//   the kind's chart is redrawn in place with CoachOSProgress.update (charts.js), no reload. A kind
//   that has no chart on the page yet reloads the charts' part.
// - The unit list follows the kind chosen (each kind option says its units and the reader's own).
// - The goal form shows only the fields of the target chosen.
// - In the client page's section (a part loaded by htmx, whose page does not load the chart scripts) this
//   script brings Chart.js and charts.js itself, from the URLs on its own <script> tag.
(function () {
  "use strict";

  if (window.CoachOSProgressPages) {  // loaded again by a section swapped in once more
    window.CoachOSProgressPages.boot(document);
    return;
  }

  var own = document.currentScript;
  var sources = { chart: own && own.dataset.chartSrc, charts: own && own.dataset.chartsSrc };
  var loading = null;

  function load(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function ensureCharts(root) {
    if (!root.querySelector || !root.querySelector("figure[data-progress-chart]")) { return; }
    if (window.CoachOSProgress) { window.CoachOSProgress.scan(root); return; }
    if (!sources.chart || !sources.charts) { return; }  // the page loads them itself (defer)
    loading = loading || (window.Chart ? Promise.resolve() : load(sources.chart)).then(function () {
      return window.CoachOSProgress ? null : load(sources.charts);
    });
    loading.then(function () { window.CoachOSProgress.scan(document); }, function () { /* the tables stay */ });
  }

  // --- units follow the kind -----------------------------------------------------------------------
  function syncUnits(select, chosen) {
    var form = select.form;
    var name = select.name === "measurement_kind" ? "target_unit" : "unit";
    var unit = form && form.querySelector('select[name="' + name + '"]');
    var option = select.options[select.selectedIndex];
    if (!unit || !option || !option.dataset.units) { return; }
    var allowed = option.dataset.units.split(" ");
    Array.prototype.forEach.call(unit.options, function (o) {
      var fits = !o.value || allowed.indexOf(o.value) >= 0;
      o.hidden = !fits;
      o.disabled = !fits;
    });
    if (chosen || (unit.value && allowed.indexOf(unit.value) < 0)) { unit.value = option.dataset.unit || ""; }
  }

  // --- the goal form: only the chosen target's fields -------------------------------------------------
  function syncTarget(form) {
    var checked = form.querySelector('input[name="target_type"]:checked');
    var value = checked ? checked.value : "none";
    form.querySelectorAll("[data-goal-target-for]").forEach(function (box) {
      box.hidden = box.dataset.goalTargetFor !== value;
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.matches) { return; }
    if (target.matches("select[data-progress-kind]")) { syncUnits(target, true); }
    if (target.matches('input[name="target_type"]') && target.form) { syncTarget(target.form); }
  });

  // --- a measurement logged: redraw its chart ----------------------------------------------------------
  function refreshCharts() {
    var part = document.querySelector('[data-progress-part="charts"]');
    if (part && window.htmx && part.dataset.refreshUrl) {
      window.htmx.ajax("GET", part.dataset.refreshUrl, { target: part, swap: "outerHTML" });
    }
  }

  document.addEventListener("progressMeasured", function (event) {
    var detail = event.detail || {};
    var figure = detail.chart && document.getElementById(detail.chart);
    var recent = document.querySelector("[data-recent-entries]");
    // A first measurement (no list of entries yet) or a kind without a chart: the whole part again.
    if (!figure || !recent || !window.CoachOSProgress) { refreshCharts(); return; }
    window.CoachOSProgress.update(figure, detail.points || []);
    if (detail.kind === "weight") {  // "Log your first weight" has been done
      document.querySelectorAll("[data-first-weight]").forEach(function (node) { node.remove(); });
    }
    if (window.htmx) { window.htmx.trigger(recent, "progressStale"); }
  });

  // --- keyboard focus survives a part being replaced -------------------------------------------------
  // A tick, a form sent: the part comes back new, and the focus would fall to the page's top. It goes back
  // to the same control (by its id, or the same kind of control in the same task or milestone).
  var focusWas = null;
  // Noted before the request: its button is disabled while it runs, and a disabled button loses focus.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var active = document.activeElement;
    var target = event.detail && event.detail.target;
    // Only a request from inside a part, with the focus in it (the parts that read themselves again
    // meanwhile, the week's summary, leave it alone).
    if (!active || !target || !target.contains(active) || !target.closest("[data-progress-part]")) { return; }
    var holder = active.id ? active : active.closest("[id]");
    focusWas = holder && { id: holder.id, self: holder === active, tag: active.tagName, cls: active.className.split(" ")[0] };
  });
  document.addEventListener("htmx:afterSettle", function () {
    var was = focusWas;
    if (!was || (document.activeElement && document.activeElement !== document.body)) { return; }
    var holder = document.getElementById(was.id);
    var again = holder && (was.self ? holder : holder.querySelector(was.tag.toLowerCase()
      + (was.cls ? "." + CSS.escape(was.cls) : "")));
    if (again && typeof again.focus === "function") { again.focus(); focusWas = null; }
  });

  function boot(root) {
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll("select[data-progress-kind]").forEach(function (select) { syncUnits(select, false); });
    scope.querySelectorAll("form[data-goal-form]").forEach(syncTarget);
    if (scope.matches && scope.matches("form[data-goal-form]")) { syncTarget(scope); }
    ensureCharts(scope);
  }

  window.CoachOSProgressPages = { boot: boot };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { boot(document); });
  } else {
    boot(document);
  }
  document.addEventListener("htmx:load", function (event) { boot(event.target); });
})();
