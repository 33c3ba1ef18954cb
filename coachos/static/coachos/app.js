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
  // Sign-up: the country follows the time zone until the person picks one; picking a country
  // suggests its main time zone when the chosen zone is not one of that country's.
  document.querySelectorAll("select[data-country-zones]").forEach((country) => {
    const form = country.closest("form");
    const zoneSelect = form && form.querySelector("select[data-detect-timezone]");
    if (!zoneSelect) return;
    const countryOf = JSON.parse(country.dataset.countryZones || "{}");
    const mainZone = JSON.parse(country.dataset.countryMainZone || "{}");
    let chosen = Boolean(form.querySelector(".field-error, .form-errors"));
    const follow = () => { if (!chosen && countryOf[zoneSelect.value]) country.value = countryOf[zoneSelect.value]; };
    follow();
    zoneSelect.addEventListener("change", follow);
    country.addEventListener("change", () => {
      chosen = true;
      const zone = mainZone[country.value];
      if (zone && countryOf[zoneSelect.value] !== country.value) zoneSelect.value = zone;
    });
  });
  document.querySelectorAll("[data-select-on-focus]").forEach((input) => {
    input.addEventListener("focus", () => input.select());
  });

  // Dropdown menus (<details class="dropdown">): one open at a time; Escape, a click outside
  // or moving focus elsewhere closes them, as people expect from a menu.
  const dropdowns = [...document.querySelectorAll("details.dropdown")];
  const closeAll = (except) => dropdowns.forEach((d) => { if (d !== except) d.open = false; });
  dropdowns.forEach((details) => {
    details.addEventListener("toggle", () => { if (details.open) closeAll(details); });
    details.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && details.open) {
        details.open = false;
        details.querySelector("summary").focus();
      }
    });
    details.addEventListener("focusout", (event) => {
      if (details.open && event.relatedTarget && !details.contains(event.relatedTarget)) details.open = false;
    });
  });
  document.addEventListener("click", (event) => {
    if (!event.target.closest("details.dropdown")) closeAll(null);
  });

  // Disclosures: a button[data-disclosure] with aria-controls folds the element it names (the
  // back-office menu and the client filters on phones). The button only appears with script;
  // without it the content stays visible. Escape closes and gives focus back to the button.
  document.querySelectorAll("button[data-disclosure]").forEach((button) => {
    const root = button.closest("[data-disclosure-root]");
    if (!root || !document.getElementById(button.getAttribute("aria-controls"))) return;
    const setOpen = (open) => {
      button.setAttribute("aria-expanded", String(open));
      root.classList.toggle("disclosure-open", open);
    };
    setOpen(button.getAttribute("aria-expanded") === "true");
    root.classList.add("disclosure-ready");
    button.hidden = false;
    button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
    root.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  });

  // On phones a table.stack shows each row as a card; label each cell with its column heading.
  document.querySelectorAll("table.stack").forEach((table) => {
    const headings = [...table.querySelectorAll("thead th")].map((th) =>
      th.querySelector(".visually-hidden") ? "" : th.textContent.trim());
    table.querySelectorAll("tbody tr").forEach((row) => {
      [...row.children].forEach((cell, i) => {
        if (!cell.hasAttribute("data-label")) cell.setAttribute("data-label", headings[i] || "");
      });
    });
  });
});

// Destructive forms ask first: <form data-confirm="Remove …?">.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
