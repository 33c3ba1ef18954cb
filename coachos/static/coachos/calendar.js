// The coach's calendar: FullCalendar on the page's JSON feed; the session panel is loaded with
// htmx into a <dialog>; a drag-and-drop move is one fetch() POST that reverts when refused, asks
// first when the new time is outside the coach's working hours, and offers Undo for ten seconds.
(() => {
  "use strict";

  const CHANGES_MS = 5_000; // how often the page asks whether anything changed (one cheap query)
  const REFRESH_MS = 30_000; // a full reload now and then, for what the fingerprint does not cover (renames)
  const VIEW_KEYS = { timeGridDay: "day", timeGridWeek: "week", dayGridMonth: "month", listWeek: "agenda" };

  // --- the business's time zone, computed with Intl ----------------------------------------------
  // FullCalendar without a time zone plugin cannot compute offsets for a named zone (it would
  // treat "now" as UTC). This small implementation gives it the zone's real offsets, so dates it
  // sends and exposes are exact instants and "today" is the business's today.
  class IntlTimeZone {
    constructor(name) {
      this.format = new Intl.DateTimeFormat("en-US", {
        timeZone: name, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
        hour: "numeric", minute: "numeric", second: "numeric",
      });
    }

    timestampToArray(ms) {
      const parts = {};
      for (const part of this.format.formatToParts(new Date(ms))) parts[part.type] = Number(part.value);
      const millis = ((ms % 1000) + 1000) % 1000;
      return [parts.year, parts.month - 1, parts.day, parts.hour % 24, parts.minute, parts.second, millis];
    }

    offsetAt(ms) { // minutes east of UTC at an instant
      return Math.round((Date.UTC(...this.timestampToArray(ms)) - ms) / 60_000);
    }

    offsetForArray(array) { // minutes east of UTC for a wall-clock time (a skipped time moves forward)
      const wall = Date.UTC(...array);
      const first = this.offsetAt(wall - this.offsetAt(wall) * 60_000);
      const second = this.offsetAt(wall - first * 60_000);
      return first === second ? first : Math.min(first, second);
    }
  }

  // --- small helpers --------------------------------------------------------------------------------
  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function init() {
    const root = document.getElementById("calendar");
    if (!root || !window.FullCalendar) return;
    const data = root.dataset;
    const dialog = document.getElementById("calendar-dialog");
    const panel = document.getElementById("calendar-panel");
    const status = document.getElementById("calendar-status");
    const coachSelect = document.getElementById("calendar-coach");
    const cancelledToggle = document.getElementById("calendar-cancelled");
    const newButton = document.querySelector("[data-calendar-new]");
    const hoursScript = document.getElementById("calendar-business-hours");
    const confirmDialog = document.getElementById("calendar-confirm");
    const confirmTitle = document.getElementById("calendar-confirm-title");
    const confirmDetail = document.getElementById("calendar-confirm-detail");
    const confirmNotify = document.getElementById("calendar-confirm-notify");
    const confirmMove = document.getElementById("calendar-confirm-move");
    const confirmKeep = document.getElementById("calendar-confirm-keep");
    const hours = hoursScript ? JSON.parse(hoursScript.textContent) : {};
    const narrow = window.matchMedia("(max-width: 640px)").matches;
    let dragging = false;
    let moving = 0;
    let version = null; // the server's fingerprint of the events shown (see "live refresh" below)
    let asking = false;

    function announce(message, kind) {
      status.textContent = message || "";
      status.dataset.kind = kind || "info";
    }

    function businessHours() {
      const coach = coachSelect.value;
      const ranges = coach ? hours[coach] || [] : Object.values(hours).flat();
      return ranges.length ? ranges : false;
    }

    function syncUrl() {
      const params = new URLSearchParams(window.location.search);
      params.set("view", VIEW_KEYS[calendar.view.type] || "week");
      params.set("date", calendar.formatIso(calendar.getDate(), { omitTime: true }).slice(0, 10));
      params.set("coach", coachSelect.value);
      if (cancelledToggle.checked) params.delete("cancelled");
      else params.set("cancelled", "0");
      window.history.replaceState(null, "", `${window.location.pathname}?${params}`);
      if (newButton) newButton.search = coachSelect.value ? `?coach=${encodeURIComponent(coachSelect.value)}` : "";
    }

    function openPanel(url) {
      htmx.ajax("GET", url, { target: panel, swap: "innerHTML" });
    }

    function newSessionUrl(start) {
      const params = new URLSearchParams();
      if (start) params.set("start", start);
      if (coachSelect.value) params.set("coach", coachSelect.value);
      return `${data.newUrl}?${params}`;
    }

    function details(event) {
      const props = event.extendedProps;
      const meta = [];
      if (props.status !== "scheduled") meta.push(props.statusLabel);
      if (props.sessionType !== event.title) meta.push(props.sessionType);
      if (!coachSelect.value && props.coach) meta.push(props.coach);
      if (props.room) meta.push(props.room);
      return meta;
    }

    function renderEvent(arg) {
      const props = arg.event.extendedProps;
      // 15–30 minutes has room for one line only: time and name side by side, cut with an ellipsis.
      const minutes = arg.event.end ? (arg.event.end - arg.event.start) / 60_000 : 60;
      const oneLine = arg.view.type.startsWith("timeGrid") && minutes <= 30;
      const box = element("div", oneLine ? "cal-event cal-event-oneline" : "cal-event");
      if (arg.timeText) box.append(element("div", "cal-event-time", arg.timeText));
      const title = element("div", "cal-event-title");
      title.append(element("span", "cal-event-name", arg.event.title));
      if (props.spots) title.append(" ", element("span", "cal-event-spots", props.spots));
      if (props.confirmed) {
        const mark = element("span", "cal-event-mark", "✓");
        mark.setAttribute("aria-hidden", "true");
        // The agenda has room for the words; elsewhere the ✓ shows and the words are for screen readers.
        const words = arg.view.type === "listWeek" ? "cal-event-confirmed" : "visually-hidden";
        title.append(" ", mark, element("span", words, data.labelConfirmed));
      }
      box.append(title);
      const meta = details(arg.event);
      if (meta.length) box.append(element("div", "cal-event-meta", meta.join(" · ")));
      return { domNodes: [box] };
    }

    // --- moving by drag: ask before leaving working hours; Undo for a few seconds ------------------
    async function postMove(url, fields) {
      moving += 1;
      let response = null;
      let body = {};
      try {
        response = await fetch(url, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "X-CSRFToken": csrfToken(),
            Accept: "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
          },
          body: new URLSearchParams(fields),
        });
        body = await response.json();
      } catch (error) {
        // A network failure or a body that is not JSON: treated as refused below.
      } finally {
        moving -= 1;
      }
      return { ok: Boolean(response && response.ok), status: response ? response.status : 0, body };
    }

    // "Move outside working hours?" with "Notify the client" (on by default). Resolves to
    // { move: bool, notify: bool }.
    function askOutsideHours(problem) {
      return new Promise((resolve) => {
        confirmTitle.textContent = problem.title || "";
        confirmDetail.textContent = problem.detail || "";
        confirmNotify.checked = true;
        let answered = false;
        const answer = (move) => {
          if (answered) return;
          answered = true;
          confirmDialog.close();
          resolve({ move, notify: confirmNotify.checked });
        };
        confirmMove.onclick = () => answer(true);
        confirmKeep.onclick = () => answer(false);
        confirmDialog.onclose = () => answer(false);
        confirmDialog.showModal();
        confirmMove.focus();
      });
    }

    let undoTimer = null;
    function offerUndo(url, message, undo) {
      window.clearTimeout(undoTimer);
      announce(message, "success");
      if (!undo) return;
      const button = element("button", "calendar-undo secondary", data.labelUndo);
      button.type = "button";
      button.addEventListener("click", async () => {
        window.clearTimeout(undoTimer);
        button.disabled = true;
        announce(data.labelSaving);
        // Undo is a move back to the old time, with the coach's choice about telling the client.
        const result = await postMove(url, {
          starts_at: undo.starts_at, outside_hours_ok: "1", notify: undo.notify ? "1" : "0",
        });
        announce(result.ok ? data.labelUndone : result.body.detail || data.labelMoveFailed,
          result.ok ? "success" : "error");
        calendar.refetchEvents();
      });
      status.append(" ", button);
      undoTimer = window.setTimeout(() => button.remove(), (undo.seconds || 10) * 1000);
    }

    async function moveEvent(info) {
      announce(data.labelSaving);
      const url = `${info.event.url}move/`;
      const fields = { starts_at: info.event.startStr };
      let result = await postMove(url, fields);
      if (!result.ok && result.status === 409 && result.body.code === "outside_hours") {
        announce("");
        const choice = await askOutsideHours(result.body);
        if (!choice.move) {
          info.revert();
          announce(data.labelNotMoved);
          calendar.refetchEvents();
          return;
        }
        announce(data.labelSaving);
        result = await postMove(url, { ...fields, outside_hours_ok: "1", notify: choice.notify ? "1" : "0" });
      }
      if (result.ok) {
        offerUndo(url, result.body.message, result.body.undo);
      } else {
        info.revert();
        announce(result.body.detail || data.labelMoveFailed, "error");
      }
      // The server's calendar is the truth (a refresh may have landed while the move was sent).
      calendar.refetchEvents();
    }

    const initialView = data.initialView || (narrow ? "timeGridDay" : "timeGridWeek");
    const views = "timeGridDay,timeGridWeek,dayGridMonth,listWeek";

    const calendar = new FullCalendar.Calendar(root, {
      plugins: [FullCalendar.createPlugin({ name: "coachos-intl-time-zone", namedTimeZonedImpl: IntlTimeZone })],
      timeZone: data.timeZone,
      locale: data.locale,
      firstDay: 1,
      initialView,
      initialDate: data.initialDate || undefined,
      headerToolbar: { left: "prev,next today", center: "title", right: views },
      buttonText: {
        today: data.labelToday, day: data.labelDay, week: data.labelWeek, month: data.labelMonth,
        list: data.labelAgenda,
      },
      buttonHints: { prev: data.labelPrevious, next: data.labelNext },
      noEventsText: data.labelEmpty,
      height: "100%",
      allDaySlot: false,
      nowIndicator: true,
      scrollTime: "07:00:00",
      scrollTimeReset: false,
      slotDuration: "00:30:00",
      dayMaxEvents: true,
      eventDisplay: "block",
      // Every view asks for exactly its own range, so a refetch never serves a stale wider one.
      lazyFetching: false,
      selectable: true,
      selectMirror: true,
      selectLongPressDelay: 400,
      editable: true,
      eventDurationEditable: false,
      eventLongPressDelay: 400,
      eventInteractive: true,
      businessHours: businessHours(),
      events: {
        url: data.eventsUrl,
        extraParams: () => ({ coach: coachSelect.value, cancelled: cancelledToggle.checked ? "1" : "0" }),
        failure: () => announce(data.labelLoadFailed, "error"),
      },
      loading: (isLoading) => root.setAttribute("aria-busy", String(isLoading)),
      datesSet: () => {
        syncUrl();
        version = null; // a new range: its events are being fetched now; take its fingerprint too
        checkChanges();
      },
      eventContent: renderEvent,
      eventDidMount: (info) => {
        const props = info.event.extendedProps;
        const name = [info.event.title, props.spots, props.confirmed ? `✓ ${data.labelConfirmed}` : ""]
          .filter(Boolean).join(" ");
        info.el.title = [`${info.timeText} ${name}`.trim(), ...details(info.event)].join(" · ");
        info.el.setAttribute("aria-label", info.el.title);
      },
      eventClick: (info) => {
        info.jsEvent.preventDefault();
        // A busy slot (another coach's client) has no panel to open.
        if (info.event.url) openPanel(info.event.url);
      },
      select: (info) => openPanel(newSessionUrl(info.startStr)),
      eventDragStart: () => { dragging = true; },
      eventDragStop: () => { dragging = false; },
      eventDrop: moveEvent,
    });
    calendar.render();

    // --- filters ---------------------------------------------------------------------------------
    coachSelect.addEventListener("change", () => {
      version = null;
      calendar.setOption("businessHours", businessHours());
      calendar.refetchEvents();
      checkChanges();
      syncUrl();
    });
    cancelledToggle.addEventListener("change", () => {
      version = null;
      calendar.refetchEvents();
      checkChanges();
      syncUrl();
    });
    if (newButton) {
      newButton.addEventListener("click", (event) => {
        event.preventDefault();
        openPanel(newSessionUrl(calendar.formatIso(calendar.getDate(), { omitTime: true }).slice(0, 10)));
      });
    }

    // --- live refresh: a client's "Y" by text, or what others booked or changed, shows up within
    // seconds. Every few seconds the page asks for a fingerprint of its range (one cheap query) and
    // reloads the events only when it changed (the fingerprint is taken before the reload, so a
    // change landing during it is seen on the next tick).
    async function checkChanges() {
      if (asking || document.hidden || dragging || moving) return;
      const view = calendar.view;
      const params = new URLSearchParams({
        start: calendar.formatIso(view.activeStart),
        end: calendar.formatIso(view.activeEnd),
        coach: coachSelect.value,
        cancelled: cancelledToggle.checked ? "1" : "0",
      });
      asking = true;
      try {
        const response = await fetch(`${data.changesUrl}?${params}`, {
          credentials: "same-origin", headers: { Accept: "application/json" },
        });
        if (!response.ok) return;
        const body = await response.json();
        const changed = version !== null && body.version !== version;
        version = body.version;
        if (changed && !dragging && !moving) calendar.refetchEvents();
      } catch (error) {
        // Offline for a moment: the next tick asks again.
      } finally {
        asking = false;
      }
    }
    window.setInterval(checkChanges, CHANGES_MS);
    window.setInterval(() => {
      if (!document.hidden && !dragging && !moving) calendar.refetchEvents();
    }, REFRESH_MS);
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) calendar.refetchEvents();
    });
    document.body.addEventListener("calendar:changed", () => calendar.refetchEvents());

    // --- the panel dialog ----------------------------------------------------------------------------
    document.body.addEventListener("htmx:beforeSwap", (event) => {
      // A refused change (422) comes back as the panel with its message: show it.
      if (event.detail.target === panel && event.detail.xhr.status === 422) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });
    document.body.addEventListener("htmx:afterSwap", (event) => {
      if (event.detail.target !== panel) return;
      if (!dialog.open) dialog.showModal();
      const focus = panel.querySelector("[data-autofocus]")
        || panel.querySelector(".form-errors ~ form :is(input, select, textarea), [aria-invalid='true']")
        || panel.querySelector("form.session-new :is(input:not([type=hidden]), select, textarea)")
        || panel.querySelector("#calendar-panel-title");
      if (focus) focus.focus();
    });
    document.body.addEventListener("htmx:responseError", (event) => {
      if (event.detail.target === panel) announce(data.labelPanelFailed, "error");
    });
    document.body.addEventListener("htmx:sendError", (event) => {
      if (event.detail.target === panel) announce(data.labelPanelFailed, "error");
    });
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog || event.target.closest("[data-close-dialog]")) dialog.close();
    });
    dialog.addEventListener("close", () => {
      calendar.unselect();
      panel.replaceChildren();
    });
  }

  // --- the day by coach (server-rendered): a session or "New" opens the same panel in a dialog;
  // after a change there the page reloads when the dialog closes, so the grid shows it.
  function initDayGrid() {
    const dialog = document.querySelector("[data-day-dialog]");
    if (!dialog) return;
    const panel = document.getElementById("calendar-panel");
    let changed = false;
    document.body.addEventListener("htmx:beforeSwap", (event) => {
      if (event.detail.target === panel && event.detail.xhr.status === 422) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });
    document.body.addEventListener("htmx:afterSwap", (event) => {
      if (event.detail.target !== panel) return;
      if (!dialog.open) dialog.showModal();
      const focus = panel.querySelector("[data-autofocus]") || panel.querySelector("#calendar-panel-title");
      if (focus) focus.focus();
    });
    document.body.addEventListener("calendar:changed", () => { changed = true; });
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog || event.target.closest("[data-close-dialog]")) dialog.close();
    });
    dialog.addEventListener("close", () => {
      panel.replaceChildren();
      if (changed) window.location.reload();
    });
    // Picking a coach shows them at once; a typed day is shown with the Show button.
    const form = document.getElementById("day-filters");
    if (form) {
      for (const field of form.querySelectorAll("select")) {
        field.addEventListener("change", () => form.requestSubmit());
      }
    }
  }

  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("DOMContentLoaded", initDayGrid);
})();
