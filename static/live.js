// The live meeting room: keeps a meeting page up to date over a WebSocket. Without it (or without
// JavaScript) the page still works by ordinary requests and reloads.
"use strict";

(() => {
  const root = document.querySelector(".ss-live[data-live]");
  if (!root || !("WebSocket" in window)) return;
  const csrf = root.dataset.csrf || "";
  const state = document.getElementById("live-state");
  let last = Number(root.dataset.lastEvent || 0);
  let delay = 500;

  const fillCsrf = (el) =>
    el.querySelectorAll('input[name="csrf_token"]').forEach((input) => {
      if (!input.value) input.value = csrf;
    });

  function showConnected(connected) {
    if (!state) return;
    state.hidden = false;
    state.textContent = connected ? state.dataset.connected : state.dataset.reconnecting;
    state.classList.toggle("ss-live-state--down", !connected);
    // While disconnected nothing on the page may pass for current.
    root.classList.toggle("ss-stale", !connected);
  }

  function apply(fragment) {
    document.querySelectorAll(fragment.target).forEach((el) => {
      if (fragment.mode === "replace") {
        el.innerHTML = fragment.html;
        fillCsrf(el);
      } else if (fragment.mode === "append") {
        const template = document.createElement("template");
        template.innerHTML = fragment.html;
        fillCsrf(template.content);
        el.append(template.content);
      } else if (fragment.mode === "value") {
        // Never overwrite what someone typed and has not saved yet. A field that takes the new text
        // is based on its revision from now on.
        if (el.dataset.dirty === "1") return;
        if (el.value !== fragment.html) el.value = fragment.html;
        const base = el.form && el.form.querySelector("[data-minutes-base]");
        if (base && fragment.base) base.value = fragment.base;
      } else if (fragment.mode === "typing") {
        showTyping(el, fragment);
      }
    });
  }

  // "Ingrid Smit typt de notulen…" while someone else's saves come in, then "Laatst opgeslagen door…".
  const typingTimers = new WeakMap();
  function showTyping(el, fragment) {
    el.hidden = false;
    window.clearTimeout(typingTimers.get(el));
    const other = el.dataset.me !== String(fragment.writer);
    el.textContent = other ? fragment.typing : fragment.html;
    if (other) {
      typingTimers.set(
        el,
        window.setTimeout(() => {
          el.textContent = fragment.html;
        }, 8000),
      );
    }
  }

  function followChair(kind) {
    const follow = document.getElementById("follow");
    if (kind !== "meeting.item_current" || !follow || !follow.checked) return;
    const current = document.querySelector(".ss-agenda__item--current");
    if (current) current.scrollIntoView({ block: "center", behavior: "smooth" });
  }

  function connect() {
    const url = new URL(root.dataset.live, window.location.href);
    url.protocol = window.location.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("after", String(last));
    const socket = new WebSocket(url);
    socket.onopen = () => {
      delay = 500;
      showConnected(true);
    };
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.event !== null && message.event <= last) return;
      (message.fragments || []).forEach(apply);
      if (message.event !== null) {
        last = message.event;
        root.dataset.lastEvent = String(last);
      }
      followChair(message.kind);
      tick();
    };
    socket.onclose = (event) => {
      const why = CLOSED[event.code];
      if (why) {
        closedByServer(why);
        return;
      }
      showConnected(false);
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10000);
    };
  }

  // The server closes a socket with a reason: the session ended (log in again), access changed or
  // ended (the page reloads to show what may be seen now), or too many sockets (this one was the
  // oldest). None of these reconnects by itself, so two tabs never take turns closing each other.
  const CLOSED = { 4401: "ended", 4403: "lost", 4409: "changed", 4429: "tooMany" };

  function closedByServer(why) {
    showConnected(false);
    if (!state) return;
    // Anything typed and not yet saved (minutes, a decision, an action) keeps the page as it is.
    const typing =
      document.querySelector('[data-dirty="1"]') ||
      [...document.querySelectorAll("textarea, input[type=text], input:not([type])")].some(
        (el) => el.value !== el.defaultValue,
      );
    if ((why === "lost" || why === "changed") && !typing) {
      window.location.reload();
      return;
    }
    state.textContent = `${state.dataset[why]} `;
    const button = document.createElement(why === "ended" ? "a" : "button");
    if (why === "ended") {
      const back = window.location.pathname + window.location.search;
      button.href = `/inloggen?next=${encodeURIComponent(back)}`;
      button.textContent = state.dataset.login;
    } else if (why === "tooMany") {
      button.type = "button";
      button.textContent = state.dataset.reconnect;
      button.addEventListener("click", () => {
        button.disabled = true;
        connect();
      });
    } else {
      button.type = "button";
      button.textContent = state.dataset.reload;
      button.addEventListener("click", () => window.location.reload());
    }
    state.append(button);
  }

  // The time left on the current item, counted down every second.
  function tick() {
    document.querySelectorAll(".ss-countdown[data-started]").forEach((el) => {
      const total = Number(el.dataset.minutes) * 60;
      const used = Math.floor((Date.now() - Number(el.dataset.started)) / 1000);
      const left = total - used;
      const abs = Math.abs(left);
      const text = `${Math.floor(abs / 60)}:${String(abs % 60).padStart(2, "0")}`;
      el.textContent = left >= 0 ? `${el.dataset.left} ${text}` : `${text} ${el.dataset.over}`;
      el.classList.toggle("ss-countdown--over", left < 0);
    });
  }
  window.setInterval(tick, 1000);
  tick();

  // The minutes go out a moment after typing stops, and when the field is left. Each save names the
  // revision of the stored text it was based on; when someone else saved another text in between, the
  // server writes nothing and sends a notice with both texts (its buttons submit the form). A save
  // that fails says so and is tried again; the text stays in the field ("dirty") until it is saved.
  document.querySelectorAll("textarea[data-live-minutes]").forEach((area) => {
    const form = area.form;
    const base = form.querySelector("[data-minutes-base]");
    const status = form.querySelector("[data-minutes-status]");
    const notice = form.querySelector("[data-minutes-conflict]");
    let timer;
    let busy = false;
    let again = false;
    const say = (text) => {
      if (status && status.textContent !== text) status.textContent = text;
    };
    // A new conflict is announced; the same one again (typed on) only updates "Jouw tekst" quietly.
    const part = (el, name) => el.querySelector(`[data-minutes-${name}]`)?.textContent;
    function showConflict(html) {
      const next = document.createElement("div");
      next.innerHTML = html;
      const same = ["why", "stored"].every((name) => part(notice, name) === part(next, name));
      if (same && notice.querySelector("[data-minutes-mine]")) {
        notice.querySelector("[data-minutes-mine]").textContent = part(next, "mine");
      } else {
        notice.replaceChildren(...next.childNodes);
      }
    }
    async function save() {
      window.clearTimeout(timer);
      if (busy) {
        again = true;
        return;
      }
      if (area.dataset.dirty !== "1" || form.dataset.sending === "1") return;
      busy = true;
      const sent = area.value;
      const body = new URLSearchParams({ csrf_token: csrf, minutes: sent, base: base.value });
      let answer = null;
      try {
        const response = await fetch(form.action, {
          method: "POST",
          body,
          headers: { "X-CSRF-Token": csrf, Accept: "application/json" },
          redirect: "manual",
          credentials: "same-origin",
        });
        const type = response.headers.get("Content-Type") || "";
        if (type.startsWith("application/json")) answer = await response.json();
      } catch (_) {
        answer = null;
      }
      busy = false;
      if (answer && answer.saved) {
        // Typed on while it was on its way: still dirty, the next save takes the rest.
        base.value = answer.base;
        if (area.value === sent) area.dataset.dirty = "0";
        notice.replaceChildren();
        say(answer.status);
      } else if (answer && answer.conflict) {
        showConflict(answer.conflict);
        say(answer.status);
      } else {
        // Not saved (no connection, logged out, refused): the text stays, and is tried again unless the
        // server said why it cannot be saved.
        say((answer && answer.status) || status.dataset.unsaved);
        if (!answer) timer = window.setTimeout(save, 5000);
      }
      if (again) {
        again = false;
        save();
      }
    }
    area.addEventListener("input", () => {
      area.dataset.dirty = "1";
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 1000);
    });
    area.addEventListener("change", save);
    form.addEventListener("submit", () => {
      form.dataset.sending = "1";
      window.clearTimeout(timer);
    });
  });
  // Leaving the page with minutes that are not saved asks first (the form's own buttons send them).
  window.addEventListener("beforeunload", (event) => {
    const unsaved = [...document.querySelectorAll('textarea[data-live-minutes][data-dirty="1"]')];
    if (unsaved.some((area) => area.form.dataset.sending !== "1")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // Chair's keyboard shortcuts: a letter submits the form marked with it (not while typing). Off until
  // the chair turns them on (WCAG 2.1.4: a single letter must not act by accident); the choice is kept
  // in this browser. Closing an item (C) still asks first.
  const shortcuts = document.getElementById("shortcuts");
  if (shortcuts) {
    shortcuts.checked = window.localStorage.getItem("samenspel.shortcuts") === "on";
    shortcuts.addEventListener("change", () =>
      window.localStorage.setItem("samenspel.shortcuts", shortcuts.checked ? "on" : "off"),
    );
  }
  document.addEventListener("keydown", (event) => {
    if (!shortcuts || !shortcuts.checked) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest("input, textarea, select, [contenteditable]")) return;
    const form = document.querySelector(`form[data-shortcut="${event.key.toLowerCase()}"]`);
    if (form) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  document.querySelectorAll(".ss-follow").forEach((p) => {
    p.hidden = false;
  });
  connect();
})();
