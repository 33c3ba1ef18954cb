// Conversations, live. The server renders every page so that it works without this script (read,
// send with a plain form, page back with a link); here the thread becomes live:
// - a socket (/ws/v1/events) with reconnect and backoff brings new messages, edits, reactions, read
//   receipts and typing; after every (re)connect the page fetches what it missed (?after=last id)
//   and merges by id and client key, so nothing is lost or shown twice;
// - sending is one POST per message with a key made here: a retry after a lost answer is the same
//   message; a failed send stays in the thread with Retry;
// - older messages load as you scroll up, keeping your place; files upload with a progress bar.
// User text is only ever set as text (textContent); links are made from it by building <a>
// elements for http(s) addresses, never by parsing HTML.
(() => {
  "use strict";

  const readJson = (id) => {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  };
  const config = readJson("chat-config");
  const T = readJson("chat-strings") || {};
  if (!config) return;

  const fmt = (template, values) => String(template || "").replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  };

  const csrfToken = () => {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch { return ""; }
  };
  const headers = (json = true) => {
    const h = { "X-CSRFToken": csrfToken(), "X-Business": config.business, Accept: "application/json" };
    if (json) h["Content-Type"] = "application/json";
    return h;
  };
  // {ok, status, data}; throws only when the network failed (no answer at all).
  const api = async (method, url, body) => {
    const response = await fetch(url, {
      method, credentials: "same-origin", headers: headers(body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    if (response.status !== 204) {
      try { data = await response.json(); } catch { data = null; }
    }
    return { ok: response.ok, status: response.status, data };
  };
  const problemText = (result) => (result && result.data && (result.data.detail || result.data.title)) || T.networkError;
  const newKey = () => (window.crypto && crypto.randomUUID ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`);

  // --- safe links ----------------------------------------------------------------------------------
  const URL_RE = /\b((?:https?:\/\/|www\.)[^\s<>"']+)/gi;
  const TRAILING = /[.,;:!?)\]}'"]+$/;
  const linkify = (parent, text) => {
    const lines = String(text).split("\n");
    lines.forEach((line, index) => {
      if (index) parent.append(el("br"));
      let last = 0;
      for (const match of line.matchAll(URL_RE)) {
        let url = match[1];
        const trailing = (url.match(TRAILING) || [""])[0];
        if (trailing) url = url.slice(0, -trailing.length);
        if (!url) continue;
        const start = match.index;
        if (start > last) parent.append(document.createTextNode(line.slice(last, start)));
        const href = /^www\./i.test(url) ? `https://${url}` : url;
        let safe = null;
        try {
          const parsed = new URL(href);
          if (parsed.protocol === "http:" || parsed.protocol === "https:") safe = parsed.href;
        } catch { safe = null; }
        parent.append(safe ? el("a", { href: safe, rel: "nofollow noopener" , text: url }) : document.createTextNode(url));
        last = start + url.length;
      }
      if (last < line.length) parent.append(document.createTextNode(line.slice(last)));
    });
  };

  // --- times in the viewer's zone ---------------------------------------------------------------
  const locale = config.locale || document.documentElement.lang || "en";
  const zone = config.zone || undefined;
  const clockFormat = new Intl.DateTimeFormat(locale, { hour: "numeric", minute: "2-digit", timeZone: zone });
  const fullFormat = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: zone });
  const dayParts = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone: zone });
  const dayKey = (date) => {
    const parts = Object.fromEntries(dayParts.formatToParts(date).map((p) => [p.type, p.value]));
    return `${parts.year}-${parts.month}-${parts.day}`;
  };
  const dayLabel = (key) => {
    const [year, month, day] = key.split("-").map(Number);
    const noon = new Date(Date.UTC(year, month - 1, day, 12));
    const thisYear = Number(dayKey(new Date()).slice(0, 4));
    const options = { weekday: "long", month: "long", day: "numeric", timeZone: "UTC" };
    if (year !== thisYear) options.year = "numeric";
    return new Intl.DateTimeFormat(locale, options).format(noon);
  };
  const sizeLabel = (bytes) => {
    const mb = bytes / (1024 * 1024);
    const unit = mb >= 1 ? "megabyte" : "kilobyte";
    const value = mb >= 1 ? mb : Math.max(1, bytes / 1024);
    try { return new Intl.NumberFormat(locale, { style: "unit", unit, maximumFractionDigits: 1 }).format(value); } catch { return `${Math.round(value)}`; }
  };

  // --- the socket ----------------------------------------------------------------------------------
  class Events {
    constructor(onFrame, onState) {
      this.onFrame = onFrame;
      this.onState = onState;
      this.attempt = 0;
      this.stopped = false;
      this.socket = null;
      this.timer = null;
      this.pinger = null;
      window.addEventListener("online", () => { this.attempt = 0; this.connectSoon(0); });
      // The browser knows the network is gone: this socket is dead even if it has not noticed yet.
      window.addEventListener("offline", () => {
        const socket = this.socket;
        this.socket = null;
        clearInterval(this.pinger);
        if (socket) socket.close();
        this.onState("offline");
      });
    }

    url() {
      return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${config.socket}`;
    }

    connect() {
      if (this.stopped) return;
      clearTimeout(this.timer);
      let socket;
      try { socket = new WebSocket(this.url()); } catch { this.retry(); return; }
      this.socket = socket;
      socket.addEventListener("open", () => {
        this.attempt = 0;
        this.onState("open");
        clearInterval(this.pinger);
        this.pinger = setInterval(() => this.send({ type: "ping" }), 25_000);
      });
      socket.addEventListener("message", (event) => {
        let frame = null;
        try { frame = JSON.parse(event.data); } catch { return; }
        if (frame && typeof frame === "object") this.onFrame(frame);
      });
      socket.addEventListener("close", (event) => {
        clearInterval(this.pinger);
        if (this.socket !== socket) return;
        this.socket = null;
        if (event.code === 4401 || event.code === 4403) {
          this.stopped = true;
          this.onState("refused");
          return;
        }
        this.onState(navigator.onLine === false ? "offline" : "closed");
        if (navigator.onLine !== false) this.retry(); // offline: the "online" event reconnects
      });
    }

    retry() {
      const delay = Math.min(30_000, 1000 * 2 ** this.attempt) * (0.75 + Math.random() / 2);
      this.attempt += 1;
      this.connectSoon(delay);
    }

    connectSoon(delay) {
      clearTimeout(this.timer);
      if (this.socket && this.socket.readyState <= WebSocket.OPEN) return;
      this.timer = setTimeout(() => this.connect(), delay);
    }

    send(frame) {
      if (this.socket && this.socket.readyState === WebSocket.OPEN) {
        this.socket.send(JSON.stringify(frame));
        return true;
      }
      return false;
    }
  }

  const statusLine = document.querySelector("[data-chat-status]");
  let statusTimer = null;
  const showStatus = (state) => {
    document.documentElement.dataset.chatSocket = state; // "open" once live (tests wait for it)
    if (!statusLine) return;
    clearTimeout(statusTimer);
    if (state === "open") {
      statusLine.hidden = true;
      statusLine.textContent = "";
      return;
    }
    const text = state === "offline" ? T.offline : state === "refused" ? T.signedOut : T.reconnecting;
    // A blip of a second is not worth a message.
    statusTimer = setTimeout(() => { statusLine.textContent = text; statusLine.hidden = false; }, state === "closed" ? 2000 : 0);
  };

  const thread = document.querySelector("[data-chat-thread]");
  if (thread) startThread(thread);
  else if (document.querySelector("[data-chat-list]")) startList(document.querySelector("[data-chat-list]"));

  // ================================================================================================
  function startList(list) {
    const events = new Events((frame) => {
      if (frame.type === "message.created" && frame.message) {
        const row = list.querySelector(`[data-conversation="${Number(frame.conversation)}"]`);
        if (!row) {
          if (statusLine) { statusLine.textContent = T.newMessages; statusLine.hidden = false; }
          return;
        }
        const m = frame.message;
        const preview = row.querySelector("[data-preview]");
        if (preview) {
          const flat = String(m.body || "").split(/\s+/).join(" ").trim();
          preview.textContent = `${m.sender && m.sender.name ? `${m.sender.name}: ` : ""}${flat.slice(0, 140) || "📎"}`;
        }
        const time = row.querySelector("[data-time]");
        if (time) { time.textContent = clockFormat.format(new Date(m.created_at)); time.setAttribute("datetime", m.created_at); }
        if (!(m.sender && m.sender.id === config.me)) {
          const badge = row.querySelector("[data-unread]");
          if (badge) {
            badge.textContent = String((Number(badge.textContent) || 0) + 1);
            badge.hidden = false;
          }
          row.classList.add("unread");
        }
        const item = row.closest("li") || row;
        if (item.parentElement && item.parentElement.firstElementChild !== item) item.parentElement.prepend(item);
      } else if (frame.type === "message.read" && frame.user === config.me) {
        const row = list.querySelector(`[data-conversation="${Number(frame.conversation)}"]`);
        const badge = row && row.querySelector("[data-unread]");
        if (badge) { badge.hidden = true; badge.textContent = ""; row.classList.remove("unread"); }
      }
    }, showStatus);
    events.connect();
  }

  // ================================================================================================
  function startThread(root) {
    const id = config.conversation;
    const me = config.me;
    const others = new Set(config.others || []);
    const log = root.querySelector("[data-chat-log]");
    const scroller = root.querySelector("[data-chat-scroll]");
    const composer = root.querySelector("[data-chat-composer]");
    const textarea = root.querySelector("[data-chat-body]");
    const typingLine = root.querySelector("[data-chat-typing]");
    const errorBox = root.querySelector("[data-chat-error]");
    const fileInput = root.querySelector("[data-chat-file]");
    const uploadsList = root.querySelector("[data-chat-uploads]");
    const sendButton = root.querySelector("[data-chat-send]");
    const byText = root.querySelector("[data-chat-by-text]");
    const emojiButton = root.querySelector("[data-chat-emoji]");
    const emojiPanel = root.querySelector("[data-chat-emoji-panel]");
    const reportDialog = root.querySelector("[data-chat-report]");
    const empty = root.querySelector("[data-chat-empty]");
    const live = Boolean(config.live);
    const pending = new Map(); // client key -> {body, channel, attachments, element, offline}
    let lastRead = Number(config.lastRead) || 0;
    let readTimer = null;

    const messages = () => [...log.querySelectorAll("li.msg[data-id]")];
    const lastSeenId = () => messages().reduce((max, li) => Math.max(max, Number(li.dataset.id) || 0), 0);
    const firstId = () => {
      const first = log.querySelector("li.msg[data-id]");
      return first ? Number(first.dataset.id) : 0;
    };
    const nearBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 120;
    const toBottom = () => { scroller.scrollTop = scroller.scrollHeight; };
    const isMine = (m) => Boolean(m.sender && m.sender.id !== null && m.sender.id === me);
    const stateLabel = (state) => T[state] || "";

    // --- building a message (the same shape as chat/_message.html) -------------------------------
    const renderMeta = (m, mine) => {
      const meta = el("p", { class: "msg-meta" }, el("span", { class: "msg-sender", text: mine ? T.you : (m.sender && m.sender.name) || "" }));
      if (m.channel === "sms" || m.channel === "email") {
        meta.append(" ", el("span", { class: "msg-channel", text: m.channel === "sms" ? T.text : T.email }));
      }
      const at = new Date(m.created_at);
      meta.append(" ", el("time", { class: "msg-time", datetime: m.created_at, title: fullFormat.format(at), text: clockFormat.format(at) }));
      if (m.edited && !m.deleted) meta.append(" ", el("span", { class: "msg-edited", text: T.edited }));
      return meta;
    };
    const renderBody = (m) => {
      if (m.deleted) return el("p", { class: "msg-body msg-deleted", text: T.deleted });
      if (!m.body) return null;
      const body = el("div", { class: "msg-body" });
      linkify(body, m.body);
      return body;
    };
    const renderFiles = (m) => {
      if (m.deleted || !m.attachments || !m.attachments.length) return null;
      const list = el("ul", { class: "msg-files" });
      for (const a of m.attachments) {
        if (a.is_image && a.thumbnail_url) {
          list.append(el("li", {}, el("a", { class: "msg-image", href: `${a.url}?inline=1`, target: "_blank", rel: "noopener", "aria-label": fmt(T.openImage, { name: a.name }) },
            el("img", { src: a.thumbnail_url, alt: a.name, loading: "lazy" }))));
        } else {
          list.append(el("li", {}, el("a", { class: "msg-file", href: a.url, download: true, text: a.name }), " ", el("span", { class: "msg-size", text: sizeLabel(a.size) })));
        }
      }
      return list;
    };
    const renderReactions = (m) => {
      if (m.deleted || !m.reactions || !m.reactions.length) return null;
      const p = el("p", { class: "msg-reactions" });
      for (const r of m.reactions) {
        const mine = (r.users || []).includes(me);
        p.append(el("button", { type: "button", class: "reaction", dataset: { emoji: r.emoji }, "aria-pressed": String(mine) },
          `${r.emoji} `, el("span", { class: "reaction-count", text: String(r.count) })));
      }
      return p;
    };
    const renderState = (m, mine) => {
      if (!mine || !m.state) return null;
      return el("p", { class: "msg-state", dataset: { state: m.state }, text: stateLabel(m.state) + (m.error ? `: ${m.error}` : "") });
    };
    const flags = (m, mine) => {
      const age = Date.now() - new Date(m.created_at).getTime();
      return {
        canEdit: mine && !m.deleted && m.kind === "in_app" && age < config.editSeconds * 1000,
        canDelete: !m.deleted && m.kind !== "system" && (mine || config.owner),
        canReport: !config.team && !mine && !m.deleted && m.kind !== "system",
      };
    };
    const renderMessage = (m) => {
      const mine = isMine(m);
      const f = flags(m, mine);
      const li = el("li", {
        class: `msg ${m.kind === "system" ? "system" : mine ? "mine" : "theirs"}${m.deleted ? " deleted" : ""}`,
        id: `m-${m.id}`, dataset: { id: String(m.id), day: dayKey(new Date(m.created_at)), created: m.created_at, kind: m.kind },
      });
      if (m.client_key) li.dataset.key = m.client_key;
      if (m.sender && m.sender.id) li.dataset.sender = String(m.sender.id);
      if (f.canEdit) li.dataset.canEdit = "";
      if (f.canDelete) li.dataset.canDelete = "";
      if (f.canReport) li.dataset.canReport = "";
      li.append(el("div", { class: "msg-bubble" }, renderMeta(m, mine), renderBody(m), renderFiles(m), renderReactions(m), renderState(m, mine)));
      enhance(li);
      return li;
    };

    // Updates an existing message in place (a live log must not announce it again).
    const patch = (li, m) => {
      if (li.classList.contains("editing")) { li.deferred = m; return li; }
      const fresh = renderMessage(m);
      const focused = li.contains(document.activeElement) ? document.activeElement : null;
      const focusKey = focused ? (focused.dataset.emoji ? `[data-emoji="${CSS.escape(focused.dataset.emoji)}"]` : focused.dataset.action ? `[data-action="${focused.dataset.action}"]` : null) : null;
      li.className = fresh.className;
      for (const key of ["id", "key", "day", "created", "kind", "sender"]) {
        if (fresh.dataset[key] !== undefined) li.dataset[key] = fresh.dataset[key];
      }
      for (const key of ["canEdit", "canDelete", "canReport"]) {
        if (fresh.dataset[key] !== undefined) li.dataset[key] = ""; else delete li.dataset[key];
      }
      li.id = fresh.id;
      const bubble = li.querySelector(".msg-bubble");
      const newBubble = fresh.querySelector(".msg-bubble");
      if (bubble && newBubble && bubble.innerHTML !== newBubble.innerHTML) {
        // Replace the parts that changed, not the whole bubble.
        const parts = [".msg-meta", ".msg-body", ".msg-files", ".msg-reactions", ".msg-state"];
        for (const selector of parts) {
          const old = bubble.querySelector(`:scope > ${selector}`);
          const next = newBubble.querySelector(`:scope > ${selector}`);
          if (old && next) { if (old.outerHTML !== next.outerHTML) old.replaceWith(next); }
          else if (old) old.remove();
          else if (next) bubble.append(next);
        }
        // Keep the order meta, body, files, reactions, state.
        for (const selector of parts) {
          const node = bubble.querySelector(`:scope > ${selector}`);
          if (node) bubble.append(node);
        }
      }
      li.querySelector(".msg-retry")?.remove();
      const actions = li.querySelector(".msg-actions");
      if (actions) actions.remove();
      enhance(li);
      if (focusKey) li.querySelector(focusKey)?.focus();
      return li;
    };

    // --- order and days ------------------------------------------------------------------------
    const insertInOrder = (li) => {
      const newId = Number(li.dataset.id);
      const after = messages().find((node) => Number(node.dataset.id) > newId);
      const firstPending = log.querySelector("li.msg.pending");
      if (after) log.insertBefore(li, after);
      else if (firstPending && li !== firstPending) log.insertBefore(li, firstPending);
      else log.append(li);
    };
    const normalizeDays = () => {
      const items = [...log.children];
      const nextDay = new Array(items.length).fill(null);
      let upcoming = null;
      for (let i = items.length - 1; i >= 0; i -= 1) {
        nextDay[i] = upcoming;
        if (items[i].classList.contains("msg")) upcoming = items[i].dataset.day;
      }
      let previous = null;
      items.forEach((item, i) => {
        if (item.classList.contains("chat-day")) {
          const wanted = nextDay[i];
          if (!wanted || wanted === previous || wanted !== item.dataset.day) item.remove();
          else previous = item.dataset.day;
          return;
        }
        if (!item.classList.contains("msg")) return;
        if (item.dataset.day !== previous) {
          const label = el("li", { class: "chat-day", dataset: { day: item.dataset.day } }, el("h2", { text: dayLabel(item.dataset.day) }));
          log.insertBefore(label, item);
          previous = item.dataset.day;
        }
      });
      if (empty && log.querySelector("li.msg")) empty.hidden = true;
    };

    const findMessage = (m) => {
      let li = log.querySelector(`li.msg[data-id="${Number(m.id)}"]`);
      if (!li && m.client_key && isMine(m)) {
        li = [...log.querySelectorAll("li.msg[data-key]")].find((node) => node.dataset.key === m.client_key) || null;
      }
      return li;
    };
    // Puts a message where it belongs: a new one in id order, a known one (by id, or by the key
    // of one being sent) updated in place.
    const upsert = (m) => {
      const stick = nearBottom();
      const existing = findMessage(m);
      if (existing) {
        const wasPending = existing.classList.contains("pending");
        if (wasPending) pending.delete(existing.dataset.key);
        patch(existing, m);
        if (wasPending) {
          // Confirmed: it moves above messages still being sent, and in id order.
          const later = messages().find((node) => node !== existing && Number(node.dataset.id) > m.id);
          const nextNode = existing.nextElementSibling;
          if (later && nextNode !== later) insertInOrder(existing);
        }
      } else {
        insertInOrder(renderMessage(m));
      }
      normalizeDays();
      if (stick) toBottom();
    };

    // --- reading ---------------------------------------------------------------------------------
    const visible = () => document.visibilityState === "visible";
    const markRead = () => {
      if (!live || !visible()) return;
      const newest = messages().filter((li) => !li.classList.contains("mine")).reduce((max, li) => Math.max(max, Number(li.dataset.id)), 0);
      if (newest <= lastRead) return;
      clearTimeout(readTimer);
      readTimer = setTimeout(async () => {
        const upTo = newest;
        if (upTo <= lastRead) return;
        try {
          const result = await api("POST", `${config.api}/read`, { up_to: upTo });
          if (result.ok) lastRead = Math.max(lastRead, upTo);
        } catch { /* the next visit or reconnect marks it */ }
      }, 250);
    };
    const countsAsOther = (userId) => (others.size ? others.has(userId) : userId !== me);
    // Read and delivered marks are "up to": they hold for one's earlier messages too.
    const RANK = { sending: 0, sent: 1, delivered: 2, read: 3 };
    const stateUpTo = (upTo, wanted) => {
      for (const li of log.querySelectorAll("li.msg.mine[data-id]")) {
        if (Number(li.dataset.id) > upTo || li.dataset.kind !== "in_app") continue;
        const state = li.querySelector(".msg-state");
        if (state && (RANK[state.dataset.state] ?? 9) < RANK[wanted]) {
          state.dataset.state = wanted;
          state.textContent = stateLabel(wanted);
        }
      }
    };
    const readUpTo = (upTo) => stateUpTo(upTo, "read");

    // --- fetching what was missed, and history ------------------------------------------------------
    let catching = null;
    const catchUp = () => {
      if (!live) return Promise.resolve();
      if (catching) return catching;
      catching = (async () => {
        for (let round = 0; round < 20; round += 1) {
          const after = lastSeenId();
          let result;
          try { result = await api("GET", `${config.api}/messages?after=${after}&limit=200`); } catch { break; }
          if (!result.ok || !Array.isArray(result.data)) break;
          result.data.forEach(upsert);
          if (result.data.length < 200) break;
        }
        markRead();
      })().finally(() => { catching = null; });
      return catching;
    };

    const olderLink = root.querySelector("[data-chat-older]");
    const olderLabel = olderLink ? olderLink.textContent : "";
    let hasOlder = Boolean(olderLink);
    let loadingOlder = false;
    const loadOlder = async () => {
      if (!hasOlder || loadingOlder || !firstId()) return;
      loadingOlder = true;
      if (olderLink) olderLink.textContent = T.loading;
      log.setAttribute("aria-busy", "true");
      try {
        const result = await api("GET", `${config.api}/messages?before=${firstId()}&limit=50`);
        if (!result.ok || !Array.isArray(result.data)) throw new Error("older");
        // Whatever changes above what is on screen, the screen stays where it was: the message that
        // was first keeps its place (checked again once the browser has laid the page out).
        const firstNode = log.firstElementChild;
        const anchor = log.querySelector("li.msg[data-id]");
        const offset = () => anchor.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
        const before = offset();
        for (const m of result.data) {
          if (findMessage(m)) continue;
          log.insertBefore(renderMessage(m), firstNode);
        }
        normalizeDays();
        if (result.data.length < 50) {
          hasOlder = false;
          olderLink?.parentElement?.remove();
        } else if (olderLink) {
          olderLink.textContent = olderLabel;
          olderLink.href = `?before=${firstId()}`;
        }
        const keep = () => { scroller.scrollTop += offset() - before; };
        keep();
        requestAnimationFrame(keep);
      } catch {
        if (olderLink) olderLink.textContent = T.olderFailed;
      } finally {
        log.removeAttribute("aria-busy");
        loadingOlder = false;
      }
    };
    if (olderLink && live) {
      olderLink.addEventListener("click", (event) => { event.preventDefault(); loadOlder(); });
      if ("IntersectionObserver" in window) {
        new IntersectionObserver((entries) => {
          if (entries.some((e) => e.isIntersecting)) loadOlder();
        }, { root: scroller, rootMargin: "200px 0px 0px 0px" }).observe(olderLink);
      }
    }

    // --- sending -----------------------------------------------------------------------------------
    const uploads = []; // {id, name, size, is_image, thumbnail_url, url, xhr, row, done, failed}
    const uploading = () => uploads.some((u) => !u.done && !u.failed);
    const updateSend = () => {
      if (sendButton) sendButton.disabled = uploading();
    };
    const showError = (text) => {
      if (!errorBox) return;
      errorBox.textContent = "";
      if (text) errorBox.append(el("p", { text }));
      errorBox.hidden = !text;
    };

    const renderPending = (p) => {
      const now = new Date();
      const li = el("li", { class: "msg mine pending", dataset: { key: p.client_key, day: dayKey(now), created: now.toISOString(), kind: p.channel === "sms" ? "sms_out" : "in_app" } });
      const fake = { id: 0, sender: { id: me, name: T.you }, channel: p.channel, created_at: now.toISOString(), body: p.body, attachments: p.attachments, deleted: false, edited: false, reactions: [], state: "sending" };
      li.append(el("div", { class: "msg-bubble" }, renderMeta(fake, true), renderBody(fake), renderFiles(fake), renderState(fake, true)));
      return li;
    };
    const setPendingState = (p, state, error) => {
      const li = p.element;
      if (!li || !li.isConnected) return;
      li.classList.toggle("failed", state === "failed");
      const line = li.querySelector(".msg-state");
      if (line) { line.dataset.state = state; line.textContent = stateLabel(state) + (error ? `: ${error}` : ""); }
      li.querySelector(".msg-retry")?.remove();
      if (state === "failed") {
        const retry = el("button", { type: "button", class: "secondary", text: T.retry });
        const discard = el("button", { type: "button", class: "secondary outline", text: T.discard });
        retry.addEventListener("click", () => post(p));
        discard.addEventListener("click", () => { pending.delete(p.client_key); li.remove(); normalizeDays(); });
        li.querySelector(".msg-bubble").append(el("div", { class: "msg-retry" }, retry, discard));
      }
    };
    const post = async (p) => {
      p.offline = false;
      setPendingState(p, "sending");
      let result;
      try {
        result = await api("POST", `${config.api}/messages`, { body: p.body, client_key: p.client_key, channel: p.channel, attachments: p.attachments.map((a) => a.id) });
      } catch {
        p.offline = true;
        setPendingState(p, "failed", T.networkError);
        return;
      }
      if (result.ok && result.data) {
        upsert(result.data);
        return;
      }
      if (result.status >= 500) p.offline = true;
      setPendingState(p, "failed", problemText(result));
    };
    const send = () => {
      if (!composer || uploading()) return;
      const body = textarea.value;
      const ready = uploads.filter((u) => u.done);
      if (!body.trim() && !ready.length) { textarea.focus(); return; }
      const channel = byText && byText.checked ? "sms" : "in_app";
      const p = { client_key: newKey(), body, channel, attachments: ready.map((u) => ({ id: u.id, name: u.name, size: u.size, is_image: u.is_image, thumbnail_url: u.thumbnail_url, url: u.url })) };
      p.element = renderPending(p);
      pending.set(p.client_key, p);
      log.append(p.element);
      normalizeDays();
      toBottom();
      textarea.value = "";
      uploads.splice(0).forEach((u) => u.row.remove());
      updateSend();
      showError("");
      post(p);
      textarea.focus();
    };
    const resendOffline = () => {
      for (const p of pending.values()) if (p.offline) post(p);
    };

    // --- typing ------------------------------------------------------------------------------------
    let typingSentAt = 0;
    const typers = new Map(); // user id -> {name, timer}
    const showTypers = () => {
      if (!typingLine) return;
      const names = [...typers.values()].map((t) => t.name || T.someone);
      typingLine.textContent = names.length === 0 ? "" : names.length === 1 ? fmt(T.typingOne, { name: names[0] }) : T.typingMany;
    };
    const typing = (frame) => {
      const current = typers.get(frame.user);
      if (current) clearTimeout(current.timer);
      typers.set(frame.user, { name: frame.name, timer: setTimeout(() => { typers.delete(frame.user); showTypers(); }, 6000) });
      showTypers();
    };
    const stopTyping = (userId) => {
      const current = typers.get(userId);
      if (current) { clearTimeout(current.timer); typers.delete(userId); showTypers(); }
    };

    // --- the socket ----------------------------------------------------------------------------------
    let deliverTimer = null;
    const events = new Events((frame) => {
      if (frame.conversation !== id) return;
      if ((frame.type === "message.created" || frame.type === "message.updated") && frame.message) {
        const m = frame.message;
        const isNew = !findMessage(m);
        upsert(m);
        if (isMine(m) && m.kind === "in_app" && (m.state === "delivered" || m.state === "read")) stateUpTo(m.id, m.state);
        if (frame.type === "message.created" && !isMine(m)) {
          if (m.sender && m.sender.id) stopTyping(m.sender.id);
          if (visible()) markRead();
          else if (isNew) {
            // Not looking: fetching says "delivered" to the sender.
            clearTimeout(deliverTimer);
            deliverTimer = setTimeout(() => {
              const before = messages().filter((li) => Number(li.dataset.id) < m.id).pop();
              api("GET", `${config.api}/messages?after=${before ? before.dataset.id : 0}&limit=200`).then((r) => {
                if (r.ok && Array.isArray(r.data)) r.data.forEach(upsert);
              }).catch(() => {});
            }, 500);
          }
        }
      } else if (frame.type === "message.read") {
        if (frame.user !== me && countsAsOther(frame.user)) readUpTo(Number(frame.up_to));
      } else if (frame.type === "typing") {
        if (frame.user !== me) typing(frame);
      }
    }, (state) => {
      showStatus(state);
      if (state === "open") {
        events.send({ type: "viewing", conversation: visible() ? id : null });
        catchUp().then(resendOffline);
      }
    });

    document.addEventListener("visibilitychange", () => {
      events.send({ type: "viewing", conversation: visible() ? id : null });
      if (visible()) markRead();
    });

    // --- message actions: react, edit, delete, report ------------------------------------------------
    function enhance(li) {
      if (!li.dataset.id || li.classList.contains("pending") || li.classList.contains("system") || li.classList.contains("deleted")) return;
      if (li.querySelector(".msg-actions")) return;
      const actions = el("div", { class: "msg-actions" });
      actions.append(el("button", { type: "button", class: "secondary outline", dataset: { action: "react" }, "aria-expanded": "false", text: T.react }));
      if (li.dataset.canEdit !== undefined) actions.append(el("button", { type: "button", class: "secondary outline", dataset: { action: "edit" }, text: T.edit }));
      if (li.dataset.canDelete !== undefined) actions.append(el("button", { type: "button", class: "secondary outline", dataset: { action: "delete" }, text: T.delete }));
      if (li.dataset.canReport !== undefined) actions.append(el("button", { type: "button", class: "secondary outline", dataset: { action: "report" }, text: T.report }));
      li.append(actions);
    }
    log.querySelectorAll("li.msg").forEach(enhance);

    const messageUrl = (li) => `${config.api}/messages/${Number(li.dataset.id)}`;
    // A change to one message; the answer is the message as it now is (a report answers its own id).
    const act = async (li, method, suffix, body, answersMessage = true) => {
      try {
        const result = await api(method, messageUrl(li) + suffix, body);
        if (result.ok && answersMessage && result.data && result.data.id) upsert(result.data);
        else if (!result.ok) showError(problemText(result));
        return result;
      } catch {
        showError(T.networkError);
        return null;
      }
    };
    const closeReactMenus = (except) => {
      log.querySelectorAll(".chat-react-menu").forEach((menu) => {
        if (menu === except) return;
        menu.closest("li.msg")?.querySelector('[data-action="react"]')?.setAttribute("aria-expanded", "false");
        menu.remove();
      });
    };
    const toggleReactMenu = (li, button) => {
      const open = li.querySelector(".chat-react-menu");
      closeReactMenus(null);
      if (open) { button.focus(); return; }
      const menu = el("div", { class: "chat-react-menu", role: "group", "aria-label": T.react });
      for (const emoji of config.quickReactions || []) {
        menu.append(el("button", { type: "button", dataset: { react: emoji }, "aria-label": fmt(T.reactWith, { emoji }), text: emoji }));
      }
      li.querySelector(".msg-actions").after(menu);
      button.setAttribute("aria-expanded", "true");
      menu.querySelector("button")?.focus();
    };
    const startEdit = (li) => {
      const body = li.querySelector(".msg-body");
      const current = body ? body.innerText : "";
      li.classList.add("editing");
      const box = el("textarea", { rows: "3", maxlength: "4000", "aria-label": T.edit });
      box.value = current;
      const save = el("button", { type: "button", text: T.save });
      const cancel = el("button", { type: "button", class: "secondary outline", text: T.cancel });
      const form = el("div", { class: "msg-edit" }, box, el("div", { class: "actions" }, save, cancel));
      const finish = () => {
        form.remove();
        if (body) body.hidden = false;
        li.classList.remove("editing");
        if (li.deferred) { const m = li.deferred; li.deferred = null; upsert(m); }
        li.querySelector('[data-action="edit"]')?.focus();
      };
      const submit = async () => {
        if (box.value === current) { finish(); return; }
        const result = await act(li, "PATCH", "", { body: box.value });
        if (result && result.ok) finish();
      };
      save.addEventListener("click", submit);
      cancel.addEventListener("click", finish);
      box.addEventListener("keydown", (event) => {
        if (event.key === "Escape") { event.preventDefault(); finish(); }
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); submit(); }
      });
      if (body) body.hidden = true;
      li.querySelector(".msg-bubble").append(form);
      box.focus();
    };
    let reporting = null;
    reportDialog?.addEventListener("close", async () => {
      const li = reporting;
      reporting = null;
      if (!li || reportDialog.returnValue !== "report") return;
      const reason = reportDialog.querySelector("[data-chat-report-reason]").value;
      const result = await act(li, "POST", "/report", { reason }, false);
      if (result && result.ok && statusLine) {
        statusLine.textContent = T.reported;
        statusLine.hidden = false;
        setTimeout(() => { statusLine.hidden = true; }, 6000);
      }
      li.querySelector('[data-action="report"]')?.focus();
    });

    log.addEventListener("click", async (event) => {
      const target = event.target.closest("button");
      if (!target || !log.contains(target)) return;
      const li = target.closest("li.msg");
      if (!li || !li.dataset.id) return;
      if (target.classList.contains("reaction")) {
        const emoji = target.dataset.emoji;
        if (target.getAttribute("aria-pressed") === "true") await act(li, "DELETE", `/reactions?emoji=${encodeURIComponent(emoji)}`);
        else await act(li, "POST", "/reactions", { emoji });
        return;
      }
      if (target.dataset.react) {
        const emoji = target.dataset.react;
        closeReactMenus(null);
        const mineAlready = li.querySelector(`.reaction[data-emoji="${CSS.escape(emoji)}"][aria-pressed="true"]`);
        if (!mineAlready) await act(li, "POST", "/reactions", { emoji });
        li.querySelector('[data-action="react"]')?.focus();
        return;
      }
      const action = target.dataset.action;
      if (action === "react") toggleReactMenu(li, target);
      else if (action === "edit") {
        if (Date.now() - new Date(li.dataset.created).getTime() > config.editSeconds * 1000) {
          showError(T.editWindowOver);
          delete li.dataset.canEdit;
          target.remove();
          return;
        }
        startEdit(li);
      } else if (action === "delete") {
        if (window.confirm(T.confirmDelete)) await act(li, "DELETE", "");
      } else if (action === "report" && reportDialog) {
        reporting = li;
        reportDialog.querySelector("[data-chat-report-reason]").value = "";
        reportDialog.showModal();
      }
    });
    log.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && event.target.closest(".chat-react-menu")) {
        const li = event.target.closest("li.msg");
        closeReactMenus(null);
        li?.querySelector('[data-action="react"]')?.focus();
      }
    });
    // The edit button goes when the 5 minutes are over.
    setInterval(() => {
      for (const li of log.querySelectorAll("li.msg[data-can-edit]")) {
        if (Date.now() - new Date(li.dataset.created).getTime() > config.editSeconds * 1000 && !li.classList.contains("editing")) {
          delete li.dataset.canEdit;
          li.querySelector('[data-action="edit"]')?.remove();
        }
      }
    }, 15_000);

    // --- the composer --------------------------------------------------------------------------------
    if (composer && live) {
      root.querySelector("[data-chat-keys]")?.removeAttribute("hidden");
      composer.addEventListener("submit", (event) => { event.preventDefault(); send(); });
      textarea.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          send();
        }
      });
      textarea.addEventListener("input", () => {
        if (!textarea.value.trim()) return;
        const now = Date.now();
        if (now - typingSentAt > 3000 && events.send({ type: "typing", conversation: id })) typingSentAt = now;
      });

      // Files: each uploads at once, with its progress; sent with the next message.
      const upload = (file) => {
        const u = { name: file.name, size: file.size, done: false, failed: false };
        const progress = el("progress", { max: "100", value: "0", "aria-label": fmt(T.uploading, { name: file.name }) });
        const remove = el("button", { type: "button", class: "secondary outline", "aria-label": fmt(T.removeFile, { name: file.name }), text: "✕" });
        u.row = el("li", { class: "upload" }, el("span", { class: "upload-name", text: file.name }), progress, remove);
        uploadsList.append(u.row);
        uploads.push(u);
        remove.addEventListener("click", () => {
          if (u.xhr && !u.done) u.xhr.abort();
          uploads.splice(uploads.indexOf(u), 1);
          u.row.remove();
          updateSend();
          textarea.focus();
        });
        const fail = (reason) => {
          u.failed = true;
          progress.remove();
          u.row.append(el("span", { class: "upload-error", role: "alert", text: fmt(T.uploadFailed, { name: file.name, reason }) }));
          updateSend();
        };
        if (file.size > config.maxBytes) {
          fail(fmt(T.tooLarge, { size: Math.round(config.maxBytes / (1024 * 1024)) }));
          return;
        }
        const xhr = new XMLHttpRequest();
        u.xhr = xhr;
        xhr.open("POST", config.upload);
        const h = headers(false);
        for (const [key, value] of Object.entries(h)) xhr.setRequestHeader(key, value);
        xhr.upload.addEventListener("progress", (event) => {
          if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
        });
        xhr.addEventListener("load", () => {
          let data = null;
          try { data = JSON.parse(xhr.responseText); } catch { data = null; }
          if (xhr.status === 201 && data && data.id) {
            Object.assign(u, { id: data.id, is_image: data.is_image, thumbnail_url: data.thumbnail_url, url: data.url, name: data.name, done: true });
            progress.value = 100;
            progress.setAttribute("aria-label", fmt(T.uploaded, { name: data.name }));
            u.row.classList.add("done");
            updateSend();
          } else {
            fail((data && (data.detail || data.title)) || T.networkError);
          }
        });
        xhr.addEventListener("error", () => fail(T.networkError));
        const form = new FormData();
        form.append("file", file);
        xhr.send(form);
        updateSend();
      };
      fileInput?.addEventListener("change", () => {
        [...fileInput.files].forEach(upload);
        fileInput.value = "";
      });
      byText?.addEventListener("change", () => {
        if (fileInput) fileInput.disabled = byText.checked;
      });

      // Emoji: a small picker that types into the message.
      if (emojiButton && emojiPanel) {
        emojiButton.hidden = false;
        const setOpen = (open) => {
          emojiPanel.hidden = !open;
          emojiButton.setAttribute("aria-expanded", String(open));
          if (open) emojiPanel.querySelector("button")?.focus();
        };
        emojiButton.addEventListener("click", () => setOpen(emojiPanel.hidden));
        emojiPanel.addEventListener("click", (event) => {
          const button = event.target.closest("button[data-emoji]");
          if (!button) return;
          const start = textarea.selectionStart ?? textarea.value.length;
          const end = textarea.selectionEnd ?? start;
          textarea.setRangeText(button.dataset.emoji, start, end, "end");
          setOpen(false);
          textarea.focus();
        });
        emojiPanel.addEventListener("keydown", (event) => {
          if (event.key === "Escape") { event.preventDefault(); setOpen(false); emojiButton.focus(); return; }
          const buttons = [...emojiPanel.querySelectorAll("button")];
          const index = buttons.indexOf(document.activeElement);
          const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 8, ArrowUp: -8 }[event.key];
          if (step && index >= 0) {
            event.preventDefault();
            buttons[Math.max(0, Math.min(buttons.length - 1, index + step))].focus();
          }
        });
        document.addEventListener("click", (event) => {
          if (!emojiPanel.hidden && !emojiPanel.contains(event.target) && !emojiButton.contains(event.target)) setOpen(false);
        });
      }
    }

    // --- start ---------------------------------------------------------------------------------------
    const target = location.hash.startsWith("#m-") ? document.getElementById(location.hash.slice(1)) : null;
    if (target && scroller.contains(target)) {
      target.classList.add("highlight");
      scroller.scrollTop = target.offsetTop - scroller.offsetTop - 40;
    } else {
      toBottom();
    }
    if (live) {
      events.connect();
      markRead();
    }
  }
})();
