// Reorder a collection's items by drag and drop, or with the keyboard (focus an item, then the up and
// down arrow keys). Each change posts the new order; the status line says what happened.
(function () {
  "use strict";
  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return match ? decodeURIComponent(match[1]) : (input ? input.value : "");
  }
  document.querySelectorAll("ol[data-reorder-url]").forEach(function (list) {
    var status = document.querySelector("[data-reorder-status]");
    var dragged = null;
    function save(focusItem) {
      var ids = Array.prototype.map.call(list.querySelectorAll("li[data-id]"), function (li) { return Number(li.dataset.id); });
      fetch(list.dataset.reorderUrl, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()},
        body: JSON.stringify({resources: ids})
      }).then(function (response) {
        if (status) { status.textContent = response.ok ? (list.dataset.savedText || "Order saved.") : (list.dataset.failedText || "The order could not be saved. Reload the page."); }
        list.dataset.saved = response.ok ? "1" : "0";
      });
      if (focusItem) { focusItem.focus(); }
    }
    list.addEventListener("dragstart", function (e) {
      dragged = e.target.closest("li[data-id]");
      if (!dragged) { return; }
      dragged.classList.add("dragging");
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", dragged.dataset.id);
    });
    list.addEventListener("dragover", function (e) {
      if (!dragged) { return; }
      e.preventDefault();
      var over = e.target.closest("li[data-id]");
      if (!over || over === dragged) { return; }
      var box = over.getBoundingClientRect();
      var after = e.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? over.nextSibling : over);
    });
    list.addEventListener("drop", function (e) { e.preventDefault(); });
    list.addEventListener("dragend", function () {
      if (!dragged) { return; }
      dragged.classList.remove("dragging");
      dragged = null;
      save();
    });
    list.addEventListener("keydown", function (e) {
      var item = e.target.closest("li[data-id]");
      if (!item || e.target !== item) { return; }
      if (e.key === "ArrowUp" && item.previousElementSibling) {
        e.preventDefault();
        list.insertBefore(item, item.previousElementSibling);
        save(item);
      } else if (e.key === "ArrowDown" && item.nextElementSibling) {
        e.preventDefault();
        list.insertBefore(item.nextElementSibling, item);
        save(item);
      }
    });
  });
})();
