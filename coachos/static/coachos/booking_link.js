// The booking link's Copy buttons (a real <button>, so Enter and Space work) and telling the
// server once that the link was shared, which ticks the "Share your booking link" step.
(() => {
  if (window.coachosBookingLink) return;  // the include may appear twice on a page
  window.coachosBookingLink = true;

  const csrf = () => {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    const header = document.body.getAttribute("hx-headers");
    if (header) {
      try { return JSON.parse(header)["X-CSRFToken"]; } catch (error) { /* fall through */ }
    }
    return match ? decodeURIComponent(match[1]) : "";
  };

  const ping = (element) => {
    const section = element.closest("[data-shared-url]");
    if (!section || section.dataset.pinged) return;
    section.dataset.pinged = "1";
    fetch(section.dataset.sharedUrl, {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "X-CSRFToken": csrf() },
    }).catch(() => { delete section.dataset.pinged; });
  };

  const copy = async (input) => {
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(input.value);
        return true;
      }
    } catch (error) { /* fall back below */ }
    input.focus();
    input.select();
    return Boolean(document.execCommand && document.execCommand("copy"));
  };

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-copy-target]");
    if (button) {
      const input = document.getElementById(button.dataset.copyTarget);
      if (!input) return;
      const label = button.dataset.label || button.textContent;
      button.dataset.label = label;
      const copied = await copy(input);
      ping(button);
      if (copied) {
        button.textContent = button.dataset.copiedLabel || label;
        setTimeout(() => { button.textContent = label; }, 2000);
      }
      return;
    }
    const link = event.target.closest("a[data-share-ping]");
    if (link) ping(link);
  });
})();
