// The note editor (coachos/notes/views_editor.py): a small rich-text area over the plain text box,
// and autosave. Without script the page is a plain form and still saves.
//
// Autosave: the title and text go to the note's autosave URL a moment after typing stops (a new note
// is made by its first autosave). Every change is first kept in localStorage, so a closed tab, a
// crash or a dropped connection loses nothing: the copy is sent when the page opens again or the
// connection is back, and removed once the server has it. Each save names the version it started
// from; when the note changed elsewhere (another tab, another person) the server answers 409 and the
// page asks "reload / keep mine" — it never overwrites silently. Tabs of the same note tell each other
// about saves (BroadcastChannel), so an idle tab follows along and a busy one shows the conflict.
// Sharing and tags are never autosaved: the Save button saves them (and reads the action items).
(() => {
  "use strict";
  const form = document.querySelector("form[data-note-editor]");
  const area = form && form.querySelector("[data-rte-area]");
  if (!form || !area) return;
  const read = (id) => {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  };
  const config = read("note-editor-config") || {};
  const words = read("note-editor-strings") || {};
  const templates = read("note-editor-templates") || [];

  const rte = form.querySelector("[data-rte]");
  const toolbar = form.querySelector("[data-rte-toolbar]");
  const textarea = form.querySelector("textarea[name=body_html]");
  const title = form.querySelector("input[name=title]");
  const statusLine = form.querySelector("[data-note-status]");
  const conflictBox = form.querySelector("[data-note-conflict]");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const DELAY = 1000;

  // --- what may be kept: the same rules as the server's sanitizer (coachos/notes/richtext.py) ---------
  const TAGS = new Set(["P", "BR", "STRONG", "B", "EM", "I", "U", "S", "UL", "OL", "LI", "A", "H2", "H3", "H4",
    "BLOCKQUOTE", "CODE", "PRE"]);
  const DROP = new Set(["SCRIPT", "STYLE", "TEMPLATE", "IFRAME", "OBJECT", "EMBED", "NOSCRIPT", "TITLE", "TEXTAREA",
    "SELECT", "SVG", "MATH", "XMP", "NOEMBED", "NOFRAMES", "PLAINTEXT", "FRAMESET", "APPLET", "META", "LINK",
    "HEAD", "BUTTON", "INPUT", "IMG", "VIDEO", "AUDIO", "CANVAS", "OPTION"]);
  const BLOCKS = new Set(["P", "UL", "OL", "LI", "H1", "H2", "H3", "H4", "H5", "H6", "BLOCKQUOTE", "PRE", "DIV",
    "TABLE"]);
  const INLINE = new Set(["#text", "STRONG", "B", "EM", "I", "U", "S", "A", "CODE", "BR"]);
  const SAFE_URL = /^(https?:\/\/|mailto:)/i;

  const clean = (html) => {
    const holder = document.createElement("template"); // inert: nothing in it runs or loads
    holder.innerHTML = html;
    const walk = (parent) => {
      for (const node of [...parent.childNodes]) {
        if (node.nodeType === Node.TEXT_NODE) continue;
        if (node.nodeType !== Node.ELEMENT_NODE) { node.remove(); continue; }
        const tag = node.tagName.toUpperCase();
        if (DROP.has(tag)) { node.remove(); continue; }
        walk(node);
        if (tag === "DIV" || /^H[156]$/.test(tag) || tag === "TABLE") {
          // A browser's own lines (div) become paragraphs unless they hold blocks themselves.
          const hasBlock = [...node.children].some((child) => BLOCKS.has(child.tagName.toUpperCase()));
          if (hasBlock) { node.replaceWith(...node.childNodes); continue; }
          const paragraph = document.createElement("p");
          paragraph.append(...node.childNodes);
          node.replaceWith(paragraph);
          continue;
        }
        if (!TAGS.has(tag)) { node.replaceWith(...node.childNodes); continue; }
        for (const attribute of [...node.attributes]) {
          const keep = (tag === "A" && attribute.name === "href" && SAFE_URL.test(attribute.value.trim()))
            || (tag === "LI" && attribute.name === "data-action" && ["client", "coach"].includes(attribute.value));
          if (!keep) node.removeAttribute(attribute.name);
        }
      }
    };
    walk(holder.content);
    return holder.innerHTML;
  };

  // The HTML to send: cleaned, loose text wrapped in paragraphs, empty paragraphs left out.
  const serialize = () => {
    const source = document.createElement("template");
    source.innerHTML = clean(area.innerHTML);
    const out = document.createElement("template");
    let paragraph = null;
    for (const node of [...source.content.childNodes]) {
      if (INLINE.has(node.nodeName.toUpperCase())) {
        if (!paragraph) { paragraph = document.createElement("p"); out.content.append(paragraph); }
        paragraph.append(node);
      } else {
        paragraph = null;
        out.content.append(node);
      }
    }
    for (const node of [...out.content.childNodes]) {
      if (node.nodeName === "P" && !node.textContent.trim()) node.remove();
    }
    return out.innerHTML;
  };

  // --- the rich-text area ----------------------------------------------------------------------------
  document.execCommand("defaultParagraphSeparator", false, "p");
  area.innerHTML = clean(textarea.value);
  area.hidden = false;
  if (toolbar) toolbar.hidden = false;
  rte.classList.add("rte-ready");
  const label = rte.querySelector("label[for]");
  if (label) {
    label.removeAttribute("for");
    label.addEventListener("click", () => area.focus());
  }

  let savedRange = null;
  const inArea = (node) => node && area.contains(node.nodeType === Node.ELEMENT_NODE ? node : node.parentNode);
  const currentItem = () => {
    const selection = window.getSelection();
    if (!selection || !selection.anchorNode || !inArea(selection.anchorNode)) return null;
    const start = selection.anchorNode.nodeType === Node.ELEMENT_NODE ? selection.anchorNode : selection.anchorNode.parentElement;
    const item = start && start.closest("li");
    return item && area.contains(item) ? item : null;
  };
  const refresh = () => {
    if (!toolbar) return;
    toolbar.querySelectorAll("button[aria-pressed]").forEach((button) => {
      const command = button.dataset.command;
      let on = false;
      if (command.startsWith("action-")) {
        const item = currentItem();
        on = Boolean(item) && item.dataset.action === command.slice(7);
      } else {
        try { on = document.queryCommandState(command); } catch (error) { on = false; }
      }
      button.setAttribute("aria-pressed", String(on));
    });
  };
  document.addEventListener("selectionchange", () => {
    const selection = window.getSelection();
    if (selection && selection.rangeCount && inArea(selection.anchorNode)) {
      savedRange = selection.getRangeAt(0).cloneRange();
      refresh();
    }
  });
  const restoreSelection = () => {
    area.focus();
    if (!savedRange) return;
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(savedRange);
  };

  // A link is asked for in a small form under the toolbar (not the browser's prompt): Enter adds it,
  // Escape closes it, an empty address removes the link, and focus goes back to the text.
  let linkBox = null;
  let linkRange = null;  // the text the link is for, kept while the address is typed
  const backToText = () => {
    if (linkRange) savedRange = linkRange.cloneRange();
    restoreSelection();
  };
  const closeLink = () => {
    if (!linkBox) return;
    linkBox.hidden = true;
    backToText();
  };
  const applyLink = () => {
    const input = linkBox.querySelector("input");
    const error = linkBox.querySelector("[data-link-error]");
    const url = input.value.trim();
    if (url && url !== "https://" && !SAFE_URL.test(url)) {
      error.textContent = words.link_bad || "";
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    linkBox.hidden = true;
    backToText();
    if (!url || url === "https://") { document.execCommand("unlink"); changed(); return; }
    const selection = window.getSelection();
    if (selection && selection.isCollapsed) {
      const link = document.createElement("a");
      link.href = url;
      link.textContent = url;
      document.execCommand("insertHTML", false, link.outerHTML);
    } else {
      document.execCommand("createLink", false, url);
    }
    refresh();
    changed();
  };
  const buildLinkBox = () => {
    const box = document.createElement("div");
    box.className = "rte-link";
    box.hidden = true;
    const id = `${area.id || "rte"}-link`;
    box.innerHTML = `<label for="${id}"></label><input type="url" id="${id}" inputmode="url" autocomplete="url" aria-describedby="${id}-error">`
      + `<small class="field-error" id="${id}-error" data-link-error hidden></small>`
      + `<span class="rte-link-actions"><button type="button" class="small" data-link="apply"></button>`
      + `<button type="button" class="secondary outline small" data-link="remove"></button>`
      + `<button type="button" class="secondary outline small" data-link="cancel"></button></span>`;
    box.querySelector("label").textContent = words.link_prompt || "Link";
    box.querySelector('[data-link="apply"]').textContent = words.link_apply || "Add link";
    box.querySelector('[data-link="remove"]').textContent = words.link_remove || "Remove link";
    box.querySelector('[data-link="cancel"]').textContent = words.link_cancel || "Cancel";
    box.addEventListener("click", (event) => {
      const which = event.target.closest("button[data-link]");
      if (!which) return;
      if (which.dataset.link === "apply") applyLink();
      else if (which.dataset.link === "remove") { box.querySelector("input").value = ""; applyLink(); }
      else closeLink();
    });
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); event.stopPropagation(); applyLink(); }
      else if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); closeLink(); }
    });
    (toolbar || area).insertAdjacentElement("afterend", box);
    return box;
  };
  const addLink = () => {
    linkBox = linkBox || buildLinkBox();
    linkRange = savedRange ? savedRange.cloneRange() : null;
    const selection = window.getSelection();
    let current = "";
    if (selection && selection.anchorNode && inArea(selection.anchorNode)) {
      const start = selection.anchorNode.nodeType === Node.ELEMENT_NODE ? selection.anchorNode : selection.anchorNode.parentElement;
      const anchor = start && start.closest("a");
      if (anchor && area.contains(anchor)) current = anchor.getAttribute("href") || "";
    }
    const input = linkBox.querySelector("input");
    input.value = current || "https://";
    input.removeAttribute("aria-invalid");
    linkBox.querySelector("[data-link-error]").hidden = true;
    linkBox.hidden = false;
    input.focus();
    input.select();
  };
  const markAction = (who) => {
    let item = currentItem();
    if (!item) {
      document.execCommand("insertUnorderedList");
      item = currentItem();
    }
    if (!item) return;
    if (item.dataset.action === who) delete item.dataset.action;
    else item.dataset.action = who;
  };
  const run = (command) => {
    restoreSelection();
    if (command === "link") { addLink(); return; }
    else if (command === "action-client") markAction("client");
    else if (command === "action-coach") markAction("coach");
    else document.execCommand(command);
    refresh();
    changed();
  };
  if (toolbar) {
    // One tab stop for the toolbar; the arrow keys, Home and End move between its buttons (WAI-ARIA toolbar).
    const buttons = Array.from(toolbar.querySelectorAll("button"));
    buttons.forEach((button, index) => { button.tabIndex = index === 0 ? 0 : -1; });
    toolbar.addEventListener("keydown", (event) => {
      const at = buttons.indexOf(document.activeElement);
      if (at < 0) return;
      let next = null;
      if (event.key === "ArrowRight" || event.key === "ArrowDown") next = (at + 1) % buttons.length;
      else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = (at - 1 + buttons.length) % buttons.length;
      else if (event.key === "Home") next = 0;
      else if (event.key === "End") next = buttons.length - 1;
      if (next === null) return;
      event.preventDefault();
      buttons[at].tabIndex = -1;
      buttons[next].tabIndex = 0;
      buttons[next].focus();
    });
    // Keep the text's selection when a button is pressed with the mouse.
    toolbar.addEventListener("mousedown", (event) => { if (event.target.closest("button")) event.preventDefault(); });
    toolbar.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-command]");
      if (button) run(button.dataset.command);
    });
  }
  area.addEventListener("keydown", (event) => {
    const mod = event.ctrlKey || event.metaKey;
    if (mod && event.key.toLowerCase() === "k") { event.preventDefault(); run("link"); }
  });
  form.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  area.addEventListener("paste", (event) => {
    const data = event.clipboardData;
    if (!data) return;
    event.preventDefault();
    const html = data.getData("text/html");
    if (html) document.execCommand("insertHTML", false, clean(html));
    else document.execCommand("insertText", false, data.getData("text/plain"));
  });

  // --- templates: one click adds a template's sections ------------------------------------------------
  form.querySelectorAll("button[data-template]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", (event) => {
      event.preventDefault();
      const template = templates.find((t) => String(t.id) === button.dataset.template);
      if (!template) return;
      if (!area.textContent.trim()) area.innerHTML = template.body_html;
      else area.insertAdjacentHTML("beforeend", template.body_html);
      const chosen = form.querySelector("input[name=note_template]");
      if (chosen && !noteId) chosen.value = template.id;
      if (!title.value.trim()) title.value = template.name;
      area.focus();
      setStatus(words.template_added);
      changed();
    });
  });

  // A new note: picking the client before writing anything shows their sessions to link to.
  const clientSelect = form.querySelector("select[name=client]");
  if (clientSelect && config.mode === "new") {
    clientSelect.addEventListener("change", () => {
      if (noteId || !clientSelect.value) return;
      if (title.value.trim() || area.textContent.trim()) { schedule(); return; } // what is typed can be saved now
      const next = new URL(window.location.href);
      next.searchParams.set("client", clientSelect.value);
      next.searchParams.delete("session");
      window.location.assign(next.toString());
    });
  }

  // --- sharing and tags: shown at once, saved with the Save button --------------------------------
  let settingsChanged = false;
  const share = form.querySelector("[data-share]");
  const shareBox = share && share.querySelector("input[type=checkbox]");
  if (shareBox) {
    shareBox.addEventListener("change", () => {
      share.classList.toggle("is-shared", shareBox.checked);
      settingsChanged = true;
      setStatus(words.settings_unsaved, true);
    });
  }
  const tags = form.querySelector("input[name=tags]");
  if (tags) tags.addEventListener("input", () => { settingsChanged = true; setStatus(words.settings_unsaved, true); });

  // --- autosave ---------------------------------------------------------------------------------------
  const slug = window.location.pathname.split("/")[2] || "";
  let storageKey = `coachos.notes.draft:${slug}:${config.draft_key}`;
  let noteId = config.note || null;
  let version = config.version || null;
  let autosaveUrl = config.autosave_url || null;
  let conflictVersion = null;
  let sending = false;
  let submitting = false;
  let beaconed = false;
  let timer = null;
  let retryTimer = null;
  let retryDelay = 5000;
  const tab = (() => {
    try {
      let id = window.sessionStorage.getItem("coachos.notes.tab");
      if (!id) { id = Math.random().toString(36).slice(2); window.sessionStorage.setItem("coachos.notes.tab", id); }
      return id;
    } catch (error) { return Math.random().toString(36).slice(2); }
  })();

  const snapshot = () => ({ title: title.value, body_html: serialize() });
  const same = (a, b) => Boolean(a && b) && a.title === b.title && a.body_html === b.body_html;
  let lastSent = snapshot(); // what the server has

  function setStatus(text, warning = false) {
    statusLine.textContent = text || "";
    statusLine.classList.toggle("is-warning", Boolean(warning));
  }
  const readLocal = () => {
    try { return JSON.parse(window.localStorage.getItem(storageKey) || "null"); } catch (error) { return null; }
  };
  const storeLocal = () => {
    try {
      window.localStorage.setItem(storageKey, JSON.stringify({ ...snapshot(), base_version: version, tab, at: Date.now() }));
    } catch (error) { /* storage full or refused: the server copy is all there is */ }
  };
  const clearLocal = (sent) => {
    const draft = readLocal();
    if (draft && (!sent || same(draft, sent))) {
      try { window.localStorage.removeItem(storageKey); } catch (error) { /* nothing to do */ }
    }
  };
  const versionInput = () => {
    let input = form.querySelector("input[name=base_version]");
    if (!input && noteId) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "base_version";
      form.append(input);
    }
    return input;
  };
  const syncVersion = () => { const input = versionInput(); if (input && version) input.value = version; };
  const schedule = (delay = DELAY) => {
    window.clearTimeout(timer);
    timer = window.setTimeout(send, delay);
  };
  const retry = () => {
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(send, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 60000);
  };
  const json = async (response) => {
    if (!(response.headers.get("Content-Type") || "").includes("json")) return null;
    try { return await response.json(); } catch (error) { return null; }
  };
  const post = (url, body) => fetch(url, {
    method: "POST", body, credentials: "same-origin",
    headers: { "X-CSRFToken": csrf, Accept: "application/json", "X-Requested-With": "fetch" },
  });

  function changed() {
    const now = snapshot();
    if (same(now, lastSent)) {
      clearLocal();
      return;
    }
    storeLocal();
    if (conflictVersion === null) setStatus(words.unsaved);
    schedule();
  }

  const saved = (sent, data) => {
    retryDelay = 5000;
    version = data.version;
    syncVersion();
    lastSent = sent;
    clearLocal(sent);
    setStatus((words.saved || "").replace("%(time)s", data.saved || ""));
    if (channel && noteId) channel.postMessage({ note: noteId, version, tab, ...sent });
    if (!same(snapshot(), sent)) { storeLocal(); schedule(); }
  };

  async function create(sent) {
    const client = form.querySelector("[name=client]");
    if (!client || !client.value) { setStatus(words.choose_client, true); return; }
    const body = new FormData(form);
    body.set("title", sent.title);
    body.set("body_html", sent.body_html);
    body.delete("shared"); // sharing is never autosaved
    sending = true;
    setStatus(words.saving);
    let response;
    try { response = await post(config.create_url, body); } catch (error) {
      sending = false;
      setStatus(navigator.onLine ? words.failed : words.offline, true);
      retry();
      return;
    }
    sending = false;
    const data = await json(response);
    if (response.status === 201 && data) {
      noteId = data.id;
      autosaveUrl = data.autosave_url;
      clearLocal();
      storageKey = `coachos.notes.draft:${slug}:note:${noteId}`;
      form.action = data.edit_url;
      window.history.replaceState(null, "", data.edit_url);
      form.querySelectorAll("select[name=client], select[name=session]").forEach((select) => { select.disabled = true; });
      form.querySelectorAll("button[data-template]").forEach((button) => { button.hidden = true; });
      saved(sent, data);
    } else if (data && data.detail) {
      setStatus(data.detail, true);
    } else {
      setStatus(words.failed, true);
      retry();
    }
  }

  async function send() {
    timer = null;
    if (conflictVersion !== null || sending || submitting) return;
    const sent = snapshot();
    if (same(sent, lastSent)) return;
    if (!navigator.onLine) { setStatus(words.offline, true); return; }
    if (!noteId) { await create(sent); return; }
    const body = new FormData();
    body.append("title", sent.title);
    body.append("body_html", sent.body_html);
    body.append("base_version", version);
    sending = true;
    setStatus(words.saving);
    let response;
    try { response = await post(autosaveUrl, body); } catch (error) {
      sending = false;
      setStatus(navigator.onLine ? words.failed : words.offline, true);
      retry();
      return;
    }
    sending = false;
    const data = await json(response);
    if (response.ok && data) saved(sent, data);
    else if (response.status === 409 && data) showConflict(words.conflict, data.current_version);
    else if (response.status === 422 && data) setStatus(data.detail || words.failed, true);
    else { setStatus(words.failed, true); retry(); }
  }

  // --- conflicts ------------------------------------------------------------------------------------
  const apply = (copy) => {
    title.value = copy.title;
    area.innerHTML = clean(copy.body_html);
  };
  let keepAction = null;
  function showConflict(text, current, keep) {
    conflictVersion = current;
    window.clearTimeout(timer);
    conflictBox.querySelector("[data-note-conflict-text]").textContent = text;
    conflictBox.hidden = false;
    setStatus("");
    keepAction = keep || null;
  }
  const reloadButton = conflictBox.querySelector("[data-note-reload]");
  const keepButton = conflictBox.querySelector("[data-note-keep]");
  reloadButton.textContent = words.reload;
  keepButton.textContent = words.keep;
  reloadButton.addEventListener("click", () => {
    clearLocal();
    submitting = true; // nothing more is sent from this page
    window.location.reload();
  });
  keepButton.addEventListener("click", () => {
    // The person chose: their text becomes the next version (the other stays in the history).
    if (keepAction) keepAction();
    version = conflictVersion;
    conflictVersion = null;
    conflictBox.hidden = true;
    syncVersion();
    lastSent = { title: null, body_html: null };
    storeLocal();
    send();
  });

  // Another tab of this note saved: follow it when idle here, show the conflict when not.
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("coachos-notes") : null;
  if (channel) {
    channel.addEventListener("message", (event) => {
      const message = event.data || {};
      if (!noteId || message.note !== noteId || message.tab === tab || !(message.version > version)) return;
      if (same(snapshot(), lastSent) && conflictVersion === null) {
        apply(message);
        version = message.version;
        syncVersion();
        lastSent = snapshot();
        setStatus(words.updated);
      } else {
        showConflict(words.conflict, message.version);
      }
    });
  }

  // --- opening the page: an unsent copy on this device? ---------------------------------------------
  const draft = readLocal();
  if (config.conflict) {
    showConflict(words.conflict, version);
  } else if (draft && same(draft, lastSent)) {
    clearLocal();
  } else if (draft && (!noteId || draft.base_version === version)) {
    apply(draft);
    setStatus(words.restored, true);
    schedule(0);
  } else if (draft) {
    showConflict(words.conflict_local, version, () => apply(draft));
  }

  area.addEventListener("input", changed);
  title.addEventListener("input", changed);
  window.addEventListener("online", () => { retryDelay = 5000; send(); });
  window.addEventListener("offline", () => setStatus(words.offline, true));
  form.addEventListener("submit", () => {
    textarea.value = serialize();
    submitting = true;
    settingsChanged = false;
    window.clearTimeout(timer);
    window.clearTimeout(retryTimer);
    syncVersion();
  });
  // Leaving with unsent text: one last try that outlives the page (the copy on the device stays
  // until a later page load sees that the server has it).
  window.addEventListener("pagehide", () => {
    if (submitting || !noteId || conflictVersion !== null || !navigator.sendBeacon) return;
    const sent = snapshot();
    if (same(sent, lastSent)) return;
    const body = new FormData();
    body.append("csrfmiddlewaretoken", csrf);
    body.append("title", sent.title);
    body.append("body_html", sent.body_html);
    body.append("base_version", version);
    beaconed = navigator.sendBeacon(autosaveUrl, body);
  });
  // Back from the browser's page cache after that last try: the version here is old, so start afresh.
  window.addEventListener("pageshow", (event) => { if (event.persisted && beaconed) window.location.reload(); });
  window.addEventListener("beforeunload", (event) => {
    if (settingsChanged && !submitting) { event.preventDefault(); event.returnValue = ""; }
  });
})();
