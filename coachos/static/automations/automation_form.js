// The automation form works without JavaScript (every part is shown, irrelevant ones are ignored).
// With it: only the parts for the chosen trigger and action types show, and actions can be added
// and removed without a round trip.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-automation-form]");
  if (!form) return;
  form.classList.add("js");

  const value = (name) => {
    const checked = form.querySelector(`input[name="${name}"]:checked`);
    if (checked) return checked.value;
    const field = form.querySelector(`[name="${name}"]:not([type="radio"])`);
    return field ? field.value : "";
  };
  const show = (element, visible) => {
    element.hidden = !visible;
  };

  const refreshTrigger = () => {
    const trigger = value("trigger_type");
    form.querySelectorAll("[data-trigger]").forEach((el) => show(el, el.dataset.trigger.split(" ").includes(trigger)));
    const event = value("event");
    form.querySelectorAll("[data-event]").forEach((el) => show(el, trigger === "event" && el.dataset.event === event));
    const frequency = value("frequency");
    form.querySelectorAll("[data-frequency]").forEach((el) => show(el, el.dataset.frequency === frequency));
    const condition = value("condition");
    form.querySelectorAll("[data-condition]").forEach((el) => show(el, el.dataset.condition.split(" ").includes(condition)));
    const credits = (trigger === "event" && event === "package.low_credits") || (trigger === "condition" && condition === "low_credits");
    form.querySelectorAll("[data-credits]").forEach((el) => show(el, credits));
  };

  const refreshAction = (row) => {
    const typeField = row.querySelector('select[name$="-type"]');
    const type = typeField ? typeField.value : "";
    const kindField = row.querySelector('select[name$="-message_kind"]');
    const ownText = !kindField || ["automation", "promotion"].includes(kindField.value);
    row.querySelectorAll("[data-for]").forEach((el) => {
      let visible = el.dataset.for.split(" ").includes(type);
      if (visible && (el.dataset.part === "text" || el.dataset.part === "subject") && type !== "notify_team") {
        visible = ownText;
      }
      show(el, visible);
    });
  };

  const actions = form.querySelector("[data-actions]");
  const template = document.getElementById("action-template");
  const total = form.querySelector('input[name="actions-TOTAL_FORMS"]');
  const maxForms = form.querySelector('input[name="actions-MAX_NUM_FORMS"]');
  const addButton = form.querySelector("[data-add-action]");

  const numberRows = () => {
    [...actions.querySelectorAll("[data-action-row]")].filter((row) => !row.hidden).forEach((row, i) => {
      const number = row.querySelector("[data-number]");
      if (number) number.textContent = String(i + 1);
    });
  };

  const addRemoveButton = (row) => {
    const deleteBox = row.querySelector('input[name$="-DELETE"]');
    if (!deleteBox || row.querySelector("[data-remove-action]")) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary outline";
    button.dataset.removeAction = "";
    button.textContent = addButton ? addButton.dataset.removeLabel || "Remove" : "Remove";
    button.addEventListener("click", () => {
      deleteBox.checked = true;
      row.hidden = true;
      numberRows();
      const next = [...actions.querySelectorAll("[data-action-row]")].find((r) => !r.hidden);
      if (next) next.querySelector("select").focus();
    });
    deleteBox.closest(".remove-action").appendChild(button);
  };

  const wireRow = (row) => {
    row.querySelectorAll("select").forEach((s) => s.addEventListener("change", () => refreshAction(row)));
    addRemoveButton(row);
    refreshAction(row);
  };

  actions.querySelectorAll("[data-action-row]").forEach(wireRow);
  // Spare empty rows (there for people without JavaScript) wait behind "Add another action".
  const rows = [...actions.querySelectorAll("[data-action-row]")];
  const isEmpty = (row) => !row.querySelector('select[name$="-type"]').value;
  const spare = rows.filter(isEmpty);
  spare.slice(rows.length === spare.length ? 1 : 0).forEach((row) => { row.hidden = true; row.dataset.spare = ""; });
  numberRows();
  form.querySelectorAll('input[name="trigger_type"], select[name="event"], select[name="frequency"], select[name="condition"]')
    .forEach((el) => el.addEventListener("change", refreshTrigger));
  refreshTrigger();

  if (addButton && template && total) {
    addButton.hidden = false;
    addButton.addEventListener("click", () => {
      const waiting = actions.querySelector("[data-action-row][data-spare]");
      if (waiting) {
        waiting.hidden = false;
        delete waiting.dataset.spare;
        numberRows();
        waiting.querySelector("select").focus();
        return;
      }
      const index = Number(total.value);
      if (maxForms && index >= Number(maxForms.value)) return;
      const html = template.innerHTML.replace(/__prefix__/g, String(index));
      const holder = document.createElement("div");
      holder.innerHTML = html;
      const row = holder.querySelector("[data-action-row]");
      actions.appendChild(row);
      total.value = String(index + 1);
      wireRow(row);
      numberRows();
      row.querySelector("select").focus();
    });
  }
  const dry = document.getElementById("dry-run");
  if (dry) dry.focus();
});
