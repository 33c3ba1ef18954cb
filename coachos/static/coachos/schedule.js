// Schedule setup pages: small enhancements; each page works without them.
(() => {
  if (window.coachosSchedule) return; // the script may be included twice (portal include)
  window.coachosSchedule = true;

  const ready = (run) => {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
    else run();
  };

  ready(() => {
    // Weekly hours: "+ Add a range" clones the day's empty row (Django formset __prefix__).
    document.querySelectorAll("[data-add-range]").forEach((button) => {
      const code = button.dataset.addRange;
      const template = document.getElementById(`range-template-${code}`);
      const list = document.querySelector(`[data-ranges="${code}"]`);
      const total = document.getElementById(`id_${code}-TOTAL_FORMS`);
      if (!template || !list || !total) return;
      const closed = document.querySelector(`[data-closed="${code}"]`);
      // The empty row each day gets without JS: tuck it away until asked for.
      list.querySelectorAll(".range-row[data-blank]").forEach((row) => { row.hidden = true; });
      const showClosed = () => {
        if (closed) closed.hidden = [...list.children].some((row) => !row.hidden);
      };
      showClosed();
      button.hidden = false;
      button.addEventListener("click", () => {
        let row = list.querySelector(".range-row[hidden]");
        if (row) {
          row.hidden = false;
        } else {
          const index = parseInt(total.value, 10) || 0;
          list.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
          total.value = String(index + 1);
          row = list.lastElementChild;
        }
        showClosed();
        const first = row && row.querySelector("input");
        if (first) first.focus();
      });
    });

    // Time off / extra time: hide the time fields while "Whole days" is chosen.
    document.querySelectorAll("[data-span-choice]").forEach((choice) => {
      const form = choice.closest("form");
      const timeFields = form ? [...form.querySelectorAll("[data-span-times]")] : [];
      const update = () => {
        const checked = choice.querySelector("input[type=radio]:checked");
        const wholeDays = checked && checked.value === "days";
        timeFields.forEach((field) => {
          // Never hide a field that shows an error.
          field.hidden = Boolean(wholeDays) && !field.querySelector(".field-error");
        });
      };
      choice.addEventListener("change", update);
      update();
    });

    // Copy a calendar link.
    document.querySelectorAll("button[data-copy]").forEach((button) => {
      const input = document.getElementById(button.dataset.copy);
      if (!input) return;
      button.hidden = false;
      const label = button.textContent;
      button.addEventListener("click", async () => {
        let copied = false;
        try {
          if (navigator.clipboard && window.isSecureContext) {
            await navigator.clipboard.writeText(input.value);
            copied = true;
          }
        } catch (error) {
          copied = false;
        }
        if (!copied) {
          input.focus();
          input.select();
          copied = document.execCommand && document.execCommand("copy");
        }
        if (copied) {
          button.textContent = button.dataset.copiedLabel || label;
          setTimeout(() => { button.textContent = label; }, 2000);
        }
      });
    });
  });
})();
