// Upload with a progress bar: the form is sent with XMLHttpRequest (its upload progress events drive
// the bar); errors come back as JSON and are shown next to the form. Without script the form posts.
(function () {
  "use strict";
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var box = form.querySelector("[data-upload-progress]");
    var bar = box && box.querySelector("progress");
    var percent = form.querySelector("[data-upload-percent]");
    var errorBox = form.querySelector("[data-upload-error]");
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !bar) { return; }
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      var request = new XMLHttpRequest();
      request.open("POST", form.action || window.location.href);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) { return; }
        var value = Math.round((e.loaded / e.total) * 100);
        bar.value = value;
        if (percent) { percent.textContent = value + "%"; }
      });
      request.addEventListener("load", function () {
        var body = {};
        try { body = JSON.parse(request.responseText); } catch (err) { body = {}; }
        if (request.status === 201 && body.url) { window.location.assign(body.url); return; }
        box.hidden = true;
        button.disabled = false;
        var messages = [];
        Object.keys(body.errors || {}).forEach(function (key) { messages = messages.concat(body.errors[key]); });
        if (!messages.length) { messages = [form.dataset.errorText || "The upload failed. Try again."]; }
        errorBox.textContent = messages.join(" ");
        errorBox.hidden = false;
      });
      request.addEventListener("error", function () {
        box.hidden = true;
        button.disabled = false;
        errorBox.textContent = form.dataset.networkText || "The connection was lost. Try again.";
        errorBox.hidden = false;
      });
      errorBox.hidden = true;
      box.hidden = false;
      bar.value = 0;
      button.disabled = true;
      request.send(new FormData(form));
    });
  });
})();
