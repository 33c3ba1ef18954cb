// The installable app, page side (the worker is /sw.js, coachos/common/templates/pwa/sw.js):
// registers the service worker, says when the page is offline (a banner), refuses to send
// forms while offline (nothing is queued or lost silently), offers "Add to home screen" in the
// portal, forgets saved pages at log-out, and turns push notifications on or off for this device
// (the panel on the notification settings page). Every page works without it.
(() => {
  "use strict";
  const script = document.currentScript;
  const text = (name) => (script && script.dataset[name]) || "";
  const root = document.documentElement;
  const servedOffline = root.hasAttribute("data-served-offline");

  if ("serviceWorker" in navigator && script && script.dataset.sw && !root.hasAttribute("data-offline-page")) {
    navigator.serviceWorker.register(script.dataset.sw, { scope: "/" }).catch(() => {});
  }

  // --- the offline banner --------------------------------------------------------------------
  let banner = null;
  const bannerHost = () => document.getElementById("main") || document.body;
  function showBanner(message, { kind = "warning", action = null } = {}) {
    if (!banner) {
      banner = document.createElement("div");
      banner.className = "messages offline-banner";
      banner.setAttribute("role", "status");
      banner.setAttribute("aria-live", "polite");
      banner.dataset.offlineBanner = "";
      bannerHost().prepend(banner);
    }
    const line = document.createElement("p");
    line.className = `message message-${kind}`;
    line.textContent = message;
    if (action) {
      line.append(" ");
      line.append(action);
    }
    banner.replaceChildren(line);
  }
  function hideBanner() {
    if (banner) banner.remove();
    banner = null;
  }
  function reloadButton() {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link";
    button.textContent = text("reload");
    button.addEventListener("click", () => window.location.reload());
    return button;
  }
  function refuse(event) {
    event.preventDefault();
    event.stopImmediatePropagation();
    showBanner(text("refused"), { kind: "error" });
    // Said where the person is looking too: next to the button they pressed (the form keeps what was typed).
    const form = event.target;
    if (form instanceof HTMLFormElement) {
      let note = form.querySelector("[data-offline-form-note]");
      if (!note) {
        note = document.createElement("div");
        note.className = "messages";
        note.dataset.offlineFormNote = "";
        note.setAttribute("role", "alert");
        const anchor = event.submitter && form.contains(event.submitter) ? event.submitter : null;
        if (anchor) anchor.before(note); else form.append(note);
      }
      const line = document.createElement("p");
      line.className = "message message-error";
      line.textContent = text("refused");
      note.replaceChildren(line);
    }
  }
  window.addEventListener("online", () => {
    document.querySelectorAll("[data-offline-form-note]").forEach((note) => note.remove());
  });

  function sayState() {
    if (root.hasAttribute("data-offline-page")) return;
    if (!navigator.onLine) {
      showBanner(servedOffline ? text("offlineCopy") : text("offlineNow"));
    } else if (servedOffline) {
      showBanner(text("backOnline"), { kind: "success", action: reloadButton() });
    } else {
      hideBanner();
    }
  }

  // Sending while offline: refused here, before anything leaves the page (the worker refuses
  // too, for a connection that is gone although the browser thinks it is there).
  document.addEventListener("submit", (event) => {
    if (!navigator.onLine) refuse(event);
  }, true);
  document.addEventListener("htmx:beforeRequest", (event) => {
    const verb = (event.detail && event.detail.requestConfig && event.detail.requestConfig.verb) || "get";
    if (!navigator.onLine && verb.toLowerCase() !== "get") {
      event.preventDefault();
      showBanner(text("refused"), { kind: "error" });
    }
  });
  window.addEventListener("offline", sayState);
  window.addEventListener("online", sayState);

  // Logging out: the pages kept on this device go with the session.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement) || !/logout/.test(form.action) || !("caches" in window)) return;
    event.preventDefault();
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("coachos-pages-")).map((n) => caches.delete(n))))
      .catch(() => {})
      .finally(() => form.submit());
  });

  // --- "Add to home screen" (the portal only) --------------------------------------------------
  const DISMISSED = "coachos-install-dismissed";
  const inPortal = () => Boolean(document.querySelector("nav.portalnav"));
  const dismissed = () => { try { return localStorage.getItem(DISMISSED) === "1"; } catch (e) { return false; } };
  function installCard(onInstall) {
    const card = document.createElement("div");
    card.className = "messages install-prompt";
    card.dataset.installPrompt = "";
    const line = document.createElement("p");
    line.className = "message message-info";
    line.textContent = onInstall ? text("installText") : text("iosHint");
    const actions = document.createElement("span");
    actions.className = "actions";
    if (onInstall) {
      const yes = document.createElement("button");
      yes.type = "button";
      yes.textContent = text("install");
      yes.addEventListener("click", () => { card.remove(); onInstall(); });
      actions.append(" ", yes);
    }
    const no = document.createElement("button");
    no.type = "button";
    no.className = "secondary outline";
    no.textContent = text("notNow");
    no.addEventListener("click", () => {
      try { localStorage.setItem(DISMISSED, "1"); } catch (e) { /* private mode */ }
      card.remove();
    });
    actions.append(" ", no);
    line.append(actions);
    card.append(line);
    bannerHost().prepend(card);
  }
  window.addEventListener("beforeinstallprompt", (event) => {
    if (!inPortal() || dismissed()) return;
    event.preventDefault();
    installCard(() => { event.prompt(); });
  });
  const standalone = window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
  const ios = /iphone|ipad|ipod/i.test(navigator.userAgent);

  // --- push notifications on this device (notification settings) ------------------------------
  function base64ToBytes(value) {
    const padded = (value + "=".repeat((4 - (value.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }
  function deviceLabel() {
    const ua = navigator.userAgent;
    const browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrome\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "Browser";
    const system = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Mac OS X/.test(ua) ? "macOS" : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : "";
    return system ? `${browser} · ${system}` : browser;
  }
  async function setUpPushPanel(panel) {
    const status = panel.querySelector("[data-push-status]");
    const on = panel.querySelector("[data-push-on]");
    const off = panel.querySelector("[data-push-off]");
    const say = (key) => { status.textContent = panel.dataset[key] || ""; };
    const csrf = () => (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
      say("unsupported");
      return;
    }
    const registration = await navigator.serviceWorker.ready;
    const show = async () => {
      const subscription = await registration.pushManager.getSubscription();
      on.hidden = Boolean(subscription);
      off.hidden = !subscription;
      if (Notification.permission === "denied") say("blocked");
      else say(subscription ? "onHere" : "offHere");
      return subscription;
    };
    const post = (url, body) => fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body),
    });
    on.addEventListener("click", async () => {
      if (!navigator.onLine) { showBanner(text("refused"), { kind: "error" }); return; }
      on.disabled = true;
      try {
        if ((await Notification.requestPermission()) !== "granted") { say("blocked"); return; }
        const subscription = await registration.pushManager.subscribe({
          userVisibleOnly: true, applicationServerKey: base64ToBytes(panel.dataset.publicKey),
        });
        const response = await post(panel.dataset.subscribeUrl, { ...subscription.toJSON(), label: deviceLabel() });
        if (!response.ok) { await subscription.unsubscribe(); say("failed"); return; }
        window.location.reload();
      } catch (error) {
        say("failed");
      } finally {
        on.disabled = false;
      }
    });
    off.addEventListener("click", async () => {
      if (!navigator.onLine) { showBanner(text("refused"), { kind: "error" }); return; }
      const subscription = await registration.pushManager.getSubscription();
      if (subscription) {
        await post(panel.dataset.unsubscribeUrl, { endpoint: subscription.endpoint });
        await subscription.unsubscribe();
      }
      window.location.reload();
    });
    panel.hidden = false;
    await show();
  }

  document.addEventListener("DOMContentLoaded", () => {
    sayState();
    if (root.hasAttribute("data-offline-page")) {
      if (root.hasAttribute("data-offline-refused")) {
        const note = document.querySelector("[data-offline-refused-note]");
        if (note) note.hidden = false;
      }
      const retry = document.querySelector("[data-offline-retry]");
      // After a refused form, going back keeps what was typed; otherwise try the page again.
      const refused = root.hasAttribute("data-offline-refused");
      if (retry) retry.addEventListener("click", (event) => {
        event.preventDefault();
        if (refused && window.history.length > 1) window.history.back();
        else window.location.reload();
      });
    }
    if (inPortal() && ios && !standalone && !dismissed()) installCard(null);
    document.querySelectorAll("[data-push-panel]").forEach((panel) => { setUpPushPanel(panel).catch(() => {}); });
  });
})();
