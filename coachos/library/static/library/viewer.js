// Engagement beats: while the viewer's page is visible, count the seconds and send them every 15 s
// (and when the page is hidden or left). A hidden tab stops the clock.
(function () {
  "use strict";
  var root = document.querySelector("[data-beat-url]");
  if (!root) { return; }
  var url = root.dataset.beatUrl;
  var input = document.querySelector("input[name=csrfmiddlewaretoken]");
  var token = input ? input.value : "";
  var since = document.visibilityState === "visible" ? Date.now() : null;
  var pending = 0;
  function collect() {
    if (since !== null) { pending += (Date.now() - since) / 1000; since = Date.now(); }
  }
  function send(leaving) {
    collect();
    var seconds = Math.min(60, Math.round(pending));
    if (seconds < 1) { return; }
    pending = 0;
    var body = JSON.stringify({seconds: seconds});
    fetch(url, {method: "POST", credentials: "same-origin", keepalive: !!leaving,
                headers: {"Content-Type": "application/json", "X-CSRFToken": token}, body: body});
  }
  setInterval(function () { if (document.visibilityState === "visible") { send(false); } }, 15000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { send(true); since = null; } else { since = Date.now(); }
  });
  window.addEventListener("pagehide", function () { send(true); });
})();
