// Booking pages: the visitor's time zone, the zone menu, and the hold countdown.
// Every page works without this file (times then show in the business's zone).
(() => {
  document.documentElement.classList.add("js");

  const browserZone = (() => {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch { return ""; }
  })();

  // First visit: show times in the browser's zone. The server remembers the zone for the visit,
  // so this happens once, and never over a zone the person chose.
  const zoneBar = document.querySelector("[data-tz-auto]");
  if (zoneBar && browserZone && !zoneBar.hasAttribute("data-tz-chosen")) {
    const url = new URL(window.location.href);
    const select = zoneBar.querySelector("select[name=tz]");
    const known = !select || [...select.options].some((o) => o.value === browserZone);
    if (!url.searchParams.has("tz") && known && browserZone !== zoneBar.dataset.tzCurrent) {
      url.searchParams.set("tz", browserZone);
      window.location.replace(url.toString());
      return;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    // The zone menu applies at once.
    document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
      select.addEventListener("change", () => select.form && select.form.requestSubmit());
    });

    // One click books one slot: a second click while the page loads does nothing.
    const guarded = document.querySelectorAll("form.week-form, form.details-form");
    guarded.forEach((form) => {
      form.addEventListener("submit", (event) => {
        if (form.dataset.sent) { event.preventDefault(); return; }
        form.dataset.sent = "1";
        if (event.submitter) event.submitter.setAttribute("aria-busy", "true");
      });
    });
    // Coming back with the Back button restores the page as it was: make it usable again.
    window.addEventListener("pageshow", (event) => {
      if (!event.persisted) return;
      guarded.forEach((form) => {
        delete form.dataset.sent;
        form.querySelectorAll("[aria-busy]").forEach((el) => el.removeAttribute("aria-busy"));
      });
    });

    // The hold countdown. The server decides whether the hold is still good; this only shows it.
    const timer = document.querySelector("[data-hold-timer]");
    if (!timer) return;
    const left = timer.querySelector("[data-hold-left]");
    const running = timer.querySelector("[data-hold-running]");
    const over = timer.querySelector("[data-hold-over]");
    const announce = document.querySelector("[data-hold-announce]");
    const deadline = Date.now() + Number(timer.dataset.seconds || 0) * 1000;
    let warned = false;
    const tick = () => {
      const seconds = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      const text = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
      if (left) left.textContent = text;
      if (seconds <= 60 && !warned && announce) {
        warned = true;
        announce.textContent = timer.dataset.warning || "One minute left to confirm.";
      }
      if (seconds === 0) {
        clearInterval(handle);
        timer.classList.add("over");
        if (running) running.hidden = true;
        if (over) over.hidden = false;
        if (announce && over) announce.textContent = over.textContent;
      }
    };
    const handle = setInterval(tick, 1000);
    tick();
  });
})();
