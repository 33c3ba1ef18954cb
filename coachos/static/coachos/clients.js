// The client page: each section loads on its own (htmx, hx-trigger="load, retry"). When a
// section's request fails (a server error or the network), that section alone shows
// "This section could not load" with a Retry button; the other sections are unaffected.
(() => {
  const sectionOf = (event) => {
    const target = event.detail && (event.detail.target || event.detail.elt);
    return target instanceof Element ? target.closest(".section-body") : null;
  };

  const showError = (body) => {
    const template = document.getElementById("section-error-template");
    body.replaceChildren(template.content.cloneNode(true));
    body.removeAttribute("aria-busy");
    body.classList.add("failed");
  };

  const onFailure = (event) => {
    const body = sectionOf(event);
    if (body) showError(body);
  };
  document.addEventListener("htmx:responseError", onFailure);
  document.addEventListener("htmx:sendError", onFailure);
  document.addEventListener("htmx:timeout", onFailure);

  document.addEventListener("htmx:afterSwap", (event) => {
    const body = sectionOf(event);
    if (body) {
      body.removeAttribute("aria-busy");
      body.classList.remove("failed");
    }
  });

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-section-retry]") : null;
    if (!button) return;
    const body = button.closest(".section-body");
    if (!body || !window.htmx) {
      window.location.reload();
      return;
    }
    const loading = document.createElement("p");
    loading.className = "section-loading";
    loading.textContent = body.dataset.loadingText || "Loading…";
    body.replaceChildren(loading);
    body.setAttribute("aria-busy", "true");
    window.htmx.trigger(body, "retry");
  });
})();
