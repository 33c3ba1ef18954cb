// The client list: tick clients, then add or remove a tag for all of them (the form
// #bulk-tags; the checkboxes belong to it through their form="" attribute, so the page works
// without this script). This adds "select all on this page" and a count of the ticked clients.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-bulk-form]");
  if (!form) return;
  const boxes = [...document.querySelectorAll("[data-bulk-client]")];
  const all = document.querySelector("[data-select-all-box]");
  const allLabel = document.querySelector("[data-select-all]");
  const count = form.querySelector("[data-bulk-count]");

  const update = () => {
    const ticked = boxes.filter((box) => box.checked).length;
    if (count) count.textContent = ticked ? `(${ticked} selected)` : "";
    if (all) {
      all.checked = ticked > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
  };
  boxes.forEach((box) => box.addEventListener("change", update));
  if (all && allLabel) {
    allLabel.hidden = false;
    all.addEventListener("change", () => {
      boxes.forEach((box) => { box.checked = all.checked; });
      update();
    });
  }
  update();
});
