// The supervisors' dashboard. No third-party script: this file reads the launch data
// Telegram puts after "#" in the page's address, speaks Telegram's Mini App events itself
// (https://core.telegram.org/api/web-events), asks the bot for the team and draws it.
// Every word shown comes from index.html (data-word-* on <body>); data is only ever put
// on the page as text, never as HTML.
"use strict";

(function () {
  const WEB_ORIGIN = "https://web.telegram.org";
  const STORE_KEY = "bearings.launch";
  const body = document.body;
  const state = { board: null, sort: { key: "next_visit", dir: 1 } };

  // --- words -------------------------------------------------------------------------

  function word(name, values) {
    const key = "word" + name.replace(/(^|-)([a-z])/g, (_, __, c) => c.toUpperCase());
    let text = body.dataset[key] || "";
    for (const [k, v] of Object.entries(values || {})) text = text.split("{" + k + "}").join(String(v));
    return text;
  }

  function counted(name, n) {
    return word(name + (n === 1 ? "-one" : "-many"), { n: n });
  }

  function day(iso) {
    if (!iso) return word("none");
    const date = new Date(iso.slice(0, 10) + "T00:00:00Z");
    return date.toLocaleDateString("en-GB", {
      weekday: "short", day: "numeric", month: "short", timeZone: "UTC",
    });
  }

  // --- Telegram: launch data, theme, events ---------------------------------------------

  function launchParams() {
    const hash = location.hash.replace(/^#/, "");
    const params = new URLSearchParams(hash);
    if (params.has("tgWebAppData")) {
      const launch = {
        initData: params.get("tgWebAppData") || "",
        theme: params.get("tgWebAppThemeParams") || "",
      };
      try { sessionStorage.setItem(STORE_KEY, JSON.stringify(launch)); } catch (e) { /* private mode */ }
      // Keep the signed data out of the address bar and the history.
      history.replaceState(null, "", location.pathname + location.search);
      return launch;
    }
    try { return JSON.parse(sessionStorage.getItem(STORE_KEY) || "null") || { initData: "", theme: "" }; }
    catch (e) { return { initData: "", theme: "" }; }
  }

  function applyTheme(theme) {
    if (!theme || typeof theme !== "object") return;
    const root = document.documentElement.style;
    for (const [key, value] of Object.entries(theme)) {
      if (/^[a-z_]+$/.test(key) && /^#[0-9a-fA-F]{3,8}$/.test(String(value))) {
        root.setProperty("--tg-theme-" + key.replace(/_/g, "-"), value);
      }
    }
    const bg = theme.bg_color;
    if (bg && /^#[0-9a-fA-F]{6}$/.test(bg)) {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(bg.slice(i, i + 2), 16));
      document.documentElement.dataset.scheme = r * 0.299 + g * 0.587 + b * 0.114 < 128 ? "dark" : "light";
    }
  }

  function receiveEvent(type, data) {
    if (type === "theme_changed" && data) applyTheme(data.theme_params);
  }

  window.Telegram = window.Telegram || {};
  window.Telegram.WebView = { receiveEvent: receiveEvent };
  window.TelegramGameProxy = { receiveEvent: receiveEvent };
  const inFrame = window.parent != null && window.parent !== window;
  if (inFrame) {
    window.addEventListener("message", (event) => {
      if (event.origin !== WEB_ORIGIN || event.source !== window.parent) return;
      try {
        const message = JSON.parse(event.data);
        if (message && message.eventType) receiveEvent(message.eventType, message.eventData);
      } catch (e) { /* not ours */ }
    });
  }

  // Whether the event reached a Telegram app (false: opened in a plain browser).
  function postEvent(type, data) {
    const payload = data === undefined ? "" : JSON.stringify(data);
    if (window.TelegramWebviewProxy && window.TelegramWebviewProxy.postEvent) {
      window.TelegramWebviewProxy.postEvent(type, payload);
      return true;
    }
    if (window.external && "notify" in window.external) {
      window.external.notify(JSON.stringify({ eventType: type, eventData: data }));
      return true;
    }
    if (inFrame) {
      window.parent.postMessage(JSON.stringify({ eventType: type, eventData: data }), WEB_ORIGIN);
      return true;
    }
    return false;
  }

  function openInChat(token) {
    const username = state.board && state.board.bot_username;
    if (!username || !/^c_[a-z2-7]+$/.test(token)) return;
    const path = "/" + encodeURIComponent(username) + "?start=" + token;
    if (!postEvent("web_app_open_tg_link", { path_full: path })) {
      window.location.href = "https://t.me" + path;
    }
  }

  // --- drawing -----------------------------------------------------------------------

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function show(id, visible) { document.getElementById(id).hidden = !visible; }

  function fail(kind) {
    show("status", false);
    show("problem", true);
    show("problem-" + kind, true);
  }

  function stageRank(stage) {
    const stages = state.board.stages.map((pair) => pair[0]);
    const rank = stages.indexOf(stage);
    return rank < 0 ? stages.length : rank;
  }

  function compare(a, b) {
    const key = state.sort.key;
    let x = a[key], y = b[key];
    if (key === "stage") { x = stageRank(a.stage); y = stageRank(b.stage); }
    if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1;
    if (y === null || y === undefined) return -1;
    let order;
    if (typeof x === "number") order = x - y;
    else order = String(x).localeCompare(String(y), "en-GB", { numeric: true, sensitivity: "base" });
    return order * state.sort.dir || a.reference.localeCompare(b.reference, "en-GB", { numeric: true });
  }

  function filtered() {
    const worker = document.getElementById("filter-worker").value;
    const stage = document.getElementById("filter-stage").value;
    const overdue = document.getElementById("filter-overdue").checked;
    return state.board.cases.filter((row) =>
      (!worker || row.worker === worker) &&
      (!stage || row.stage === stage) &&
      (!overdue || row.visit_state === "overdue"));
  }

  function drawCaseload() {
    const rows = filtered().sort(compare);
    const headings = [...document.querySelectorAll("#caseload thead th")]
      .map((th) => th.textContent.trim());
    const tbody = document.querySelector("#caseload tbody");
    tbody.replaceChildren();
    for (const row of rows) {
      const tr = el("tr");
      tr.dataset.reference = row.reference;
      tr.dataset.nextVisit = row.next_visit || "";
      tr.dataset.visitState = row.visit_state;
      tr.dataset.openFlags = String(row.open_flags);
      tr.dataset.stage = row.stage;
      tr.appendChild(el("td", row.reference, "reference"));
      tr.appendChild(el("td", row.worker, "worker"));
      tr.appendChild(el("td", row.stage_label, "stage"));
      const visit = el("td", day(row.next_visit), "visit");
      if (row.visit_state === "overdue") {
        visit.classList.add("overdue");
        visit.textContent += " · " + word("overdue");
      } else if (row.visit_state === "today") {
        visit.classList.add("today");
        visit.textContent = word("today");
      }
      tr.appendChild(visit);
      tr.appendChild(el("td", day(row.next_review), "review"));
      tr.appendChild(el("td", row.open_flags || word("none"), "number flags"));
      tr.appendChild(el(
        "td", row.engagement ? word("engagement-" + row.engagement) : word("none"), "engagement"));
      const cell = el("td", null, "action");
      const button = el("button", word("open"), "open");
      button.type = "button";
      button.setAttribute("aria-label", word("open-label", { reference: row.reference }));
      button.addEventListener("click", () => openInChat(row.link));
      cell.appendChild(button);
      tr.appendChild(cell);
      // On a phone each row is a card; its cells say what they are (the column headings).
      tr.childNodes.forEach((td, i) => { td.dataset.label = headings[i] || ""; });
      tbody.appendChild(tr);
    }
    if (!rows.length) {
      const tr = el("tr");
      const td = el("td", word("no-match"), "hint");
      td.colSpan = 8;
      tr.appendChild(td);
      tbody.appendChild(tr);
    }
    document.getElementById("showing").textContent =
      word("showing", { shown: rows.length, total: state.board.cases.length });
    for (const th of document.querySelectorAll("#caseload th")) {
      const button = th.querySelector("button[data-sort]");
      if (button && button.dataset.sort === state.sort.key) {
        th.setAttribute("aria-sort", state.sort.dir > 0 ? "ascending" : "descending");
      } else {
        th.removeAttribute("aria-sort");
      }
    }
  }

  function fillSelect(id, allWord, options) {
    const select = document.getElementById(id);
    select.replaceChildren(el("option", word(allWord)));
    select.firstChild.value = "";
    for (const [value, text] of options) {
      const option = el("option", text);
      option.value = value;
      select.appendChild(option);
    }
    select.addEventListener("change", drawCaseload);
  }

  function drawFlags(flags) {
    const tbody = document.querySelector("#flags tbody");
    for (const flag of flags) {
      const tr = el("tr");
      tr.appendChild(el("td", flag.reference || word("none"), "reference"));
      tr.appendChild(el("td", flag.worker, "worker"));
      tr.appendChild(el("td", word("urgency-" + flag.urgency), flag.urgency === "today" ? "urgent" : ""));
      tr.appendChild(el("td", word("state-" + flag.state)));
      const hours = flag.age_hours;
      const days = Math.floor(hours / 24);
      tr.appendChild(el("td", hours < 48 ? word("hours", { n: hours }) : counted("days", days), "number"));
      tbody.appendChild(tr);
    }
    if (!flags.length) {
      const tr = el("tr");
      const td = el("td", word("no-flags"), "hint");
      td.colSpan = 5;
      tr.appendChild(td);
      tbody.appendChild(tr);
    }
  }

  function drawDue(items) {
    const list = document.getElementById("due");
    for (const item of items) {
      const li = el("li");
      li.appendChild(el("span", day(item.on), "when" + (item.overdue ? " overdue" : "")));
      li.appendChild(document.createTextNode(
        word(item.kind) + " · " + item.reference + " · " + item.worker));
      list.appendChild(li);
    }
    if (!items.length) list.appendChild(el("li", word("no-due"), "hint"));
  }

  function drawWorkers(workers) {
    const list = document.getElementById("workers");
    for (const worker of workers) {
      const li = el("li");
      li.appendChild(el("span", worker.name, "name"));
      const parts = [counted("cases", worker.cases)];
      if (worker.visits_overdue) parts.push(counted("visits", worker.visits_overdue));
      if (worker.reviews_due) parts.push(counted("reviews", worker.reviews_due));
      if (worker.open_flags) parts.push(counted("flags", worker.open_flags));
      if (worker.actions_overdue) parts.push(counted("actions", worker.actions_overdue));
      parts.push(worker.last_bearings
        ? word("bearings", { date: day(worker.last_bearings) })
        : word("bearings-none"));
      li.appendChild(el("span", parts.join(" · "), "line"));
      list.appendChild(li);
    }
    if (!workers.length) list.appendChild(el("li", word("no-workers"), "hint"));
  }

  function draw(board) {
    state.board = board;
    document.getElementById("team-name").textContent = board.team_name;
    document.title = board.team_name + " – Bearings";
    document.getElementById("week").textContent =
      word("week", { start: day(board.week_start), end: day(board.week_end) });
    document.getElementById("total-cases").textContent = board.cases.length;
    document.getElementById("total-overdue").textContent =
      board.cases.filter((row) => row.visit_state === "overdue").length;
    document.getElementById("total-flags").textContent = board.flags.length;
    document.getElementById("total-due").textContent = board.due.length;
    const workers = [...new Set(board.cases.map((row) => row.worker))]
      .sort((a, b) => a.localeCompare(b, "en-GB"));
    fillSelect("filter-worker", "all-workers", workers.map((name) => [name, name]));
    fillSelect("filter-stage", "all-stages", board.stages);
    document.getElementById("filter-overdue").addEventListener("change", drawCaseload);
    for (const button of document.querySelectorAll("#caseload button[data-sort]")) {
      button.addEventListener("click", () => {
        const key = button.dataset.sort;
        state.sort = { key: key, dir: state.sort.key === key ? -state.sort.dir : 1 };
        drawCaseload();
      });
    }
    drawCaseload();
    drawFlags(board.flags);
    drawDue(board.due);
    drawWorkers(board.workers);
    show("status", false);
    show("board", true);
    body.dataset.ready = "true";
  }

  async function load() {
    const launch = launchParams();
    try { applyTheme(JSON.parse(launch.theme || "{}")); } catch (e) { /* keep the defaults */ }
    postEvent("web_app_ready");
    postEvent("web_app_expand");
    document.getElementById("filters").addEventListener("submit", (event) => event.preventDefault());
    let response;
    try {
      response = await fetch("api/dashboard", {
        headers: { Authorization: "tma " + launch.initData },
        cache: "no-store",
        credentials: "omit",
      });
    } catch (e) {
      fail("failed");
      return;
    }
    if (response.status === 401) fail("unauthorised");
    else if (response.status === 403) fail("forbidden");
    else if (!response.ok) fail("failed");
    else draw(await response.json());
    body.dataset.loaded = String(response.status);
  }

  load();
})();
