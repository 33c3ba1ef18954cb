// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // Pre-select the browser's time zone on a fresh form (never over what the person chose).
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  document.querySelectorAll("select[data-detect-timezone]").forEach((select) => {
    const form = select.closest("form");
    const redisplayed = form && form.querySelector(".field-error, .form-errors");
    if (!redisplayed && zone && [...select.options].some((o) => o.value === zone)) {
      select.value = zone;
    }
  });
  document.querySelectorAll("[data-select-on-focus]").forEach((input) => {
    input.addEventListener("focus", () => input.select());
  });
});
