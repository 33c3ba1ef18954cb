/* Coach OS service worker (served from /sw.js by coachos/common/pwa.py; its scope is the whole site).
 *
 * - Install: cache the shell (the offline page, the stylesheets, scripts and icons every page loads)
 *   under this version; activate: drop every older version's caches, so an update takes effect.
 * - Static files: from the cache, else the network (and kept).
 * - Pages of the portal and the back office: from the network, keeping a copy; offline, the copy
 *   (marked so the page shows its offline banner), else the offline page.
 * - Anything sent (POST, …) goes to the network only: offline, it is refused with a clear message,
 *   never queued or silently dropped.
 * - Push: show the notification; a click opens (or focuses) its page.
 */
"use strict";
const CONFIG = {{ config|safe }};
const SHELL_CACHE = `coachos-shell-${CONFIG.version}`;
const PAGES_CACHE = `coachos-pages-${CONFIG.version}`;
const MAX_PAGES = 60;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => cache.addAll(CONFIG.shell.map((url) => new Request(url, { cache: "reload", credentials: "omit" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names
        .filter((name) => name.startsWith("coachos-") && name !== SHELL_CACHE && name !== PAGES_CACHE)
        .map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  // The page asks for this when someone logs out: their pages must not stay on the device.
  if (event.data && event.data.type === "forget-pages") {
    event.waitUntil(caches.delete(PAGES_CACHE));
  }
});

// A page rebuilt from a kept copy keeps the copy's headers (its Content-Security-Policy above all),
// less the length, which the added attribute changes.
function headersOf(response) {
  const headers = new Headers(response.headers);
  headers.delete("Content-Length");
  headers.set("Content-Type", "text/html; charset=utf-8");
  return headers;
}

const isPage = (url) => CONFIG.pagePrefixes.some((prefix) => url.pathname.startsWith(prefix));

function offlineRefusal(request) {
  const accept = request.headers.get("Accept") || "";
  if (request.mode === "navigate" || accept.includes("text/html")) {
    return caches.match(CONFIG.offline, { ignoreVary: true }).then((page) => {
      if (!page) return new Response(CONFIG.offlineAction, { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
      return page.text().then((html) => new Response(
        html.replace("<html ", "<html data-offline-refused "), { status: 503, headers: headersOf(page) },
      ));
    });
  }
  return Promise.resolve(new Response(JSON.stringify({
    type: "about:blank", title: "Offline", status: 503, detail: CONFIG.offlineAction,
  }), { status: 503, headers: { "Content-Type": "application/problem+json" } }));
}

// The installed app starts at "/", which sends a person on to their portal (or back office): offline,
// the last such home page opened stands in for it.
const START_KEY = "/__start__";
const isHome = (url) => /^\/(portal|o)\/[^/]+\/$/.test(url.pathname);

async function keepPage(request, response) {
  const cache = await caches.open(PAGES_CACHE);
  if (isHome(new URL(request.url))) await cache.put(START_KEY, response.clone());
  await cache.put(request.url, response);
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - MAX_PAGES))) await cache.delete(old);
}

async function cachedPage(request) {
  const key = new URL(request.url).pathname === "/" ? START_KEY : request.url;
  const copy = await caches.match(key, { cacheName: PAGES_CACHE, ignoreVary: true });
  if (copy) {
    const html = await copy.text();
    return new Response(html.replace("<html ", "<html data-served-offline "), { status: 200, headers: headersOf(copy) });
  }
  const offline = await caches.match(CONFIG.offline, { ignoreVary: true });
  return offline || Response.error();
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") {
    event.respondWith(fetch(request).catch(() => offlineRefusal(request)));
    return;
  }
  if (url.pathname.startsWith(CONFIG.staticPrefix)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request).then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(SHELL_CACHE).then((cache) => cache.put(request, copy));
      }
      return response;
    })));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).then((response) => {
      // Only a page that is itself what was asked for (not a redirect to the login page).
      if (response.ok && !response.redirected && isPage(url)) {
        const copy = response.clone();
        event.waitUntil(keepPage(request, copy));
      }
      return response;
    }).catch(() => cachedPage(request)));
  }
});

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { title: event.data ? event.data.text() : "" };
  }
  event.waitUntil(self.registration.showNotification(data.title || "Coach OS", {
    body: data.body || "",
    tag: data.tag || undefined,
    icon: CONFIG.icon,
    badge: CONFIG.icon,
    data: { url: data.url || "/" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
  if (target.origin !== self.location.origin) return;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
    for (const win of windows) {
      if (win.url === target.href && "focus" in win) return win.focus();
    }
    return self.clients.openWindow(target.href);
  }));
});
