// The moderator console: share the workshop (join code, QR code, projector links), run the
// boards (phases) in order, and edit the workshop's details. Everything shown comes from the
// live model, so several moderator tabs stay in step.

import { Connection } from "./connection.js";
import { initDeleteWorkshop, showDeleted } from "./console-danger.js";
import { initHistory } from "./console-history.js";
import { announce, el, keyFromFragment, pageData, t } from "./page.js";
import { StepList, autosize, iconButton, localPath, messagesOf, placeDetailErrors, rememberWorkshop, setFieldError, validationMessage } from "./start.js";

const { workshopId } = pageData();
const moderatorKey = keyFromFragment();
const $ = (id) => document.getElementById(id);

let connection = null;
let links = null;
let linksRequested = false;

// ---- feedback --------------------------------------------------------------------------------

function toast(message, kind = "ok") {
  const box = $("toasts");
  const item = el("div", { class: `toast ${kind}` });
  if (kind === "error") {
    item.setAttribute("role", "alert");
    item.append(
      el("span", {}, message),
      el("button", { type: "button", class: "quiet", onclick: () => item.remove() }, el("span", { "aria-hidden": "true" }, "✕"), el("span", { class: "visually-hidden" }, t("dismiss"))),
    );
  } else {
    item.setAttribute("aria-hidden", "true"); // the #announcer region says it
    item.append(el("span", {}, `✓ ${message}`));
  }
  box.append(item);
  while (box.children.length > 4) box.firstElementChild.remove();
  window.setTimeout(() => item.remove(), kind === "error" ? 12000 : 3000);
}

function notify(message) {
  announce(message);
  toast(message);
}

export function errorMessage(error) {
  switch (error?.code) {
    case "offline":
      return t("errOffline");
    case "timeout":
      return t("errTimeout");
    case "forbidden":
    case "unauthorized":
      return t("errForbidden");
    case "not_found":
      return t("errNotFound");
    case "invalid":
      return t("errInvalid", { message: error.fields ? messagesOf(error.fields).join(" ") : validationMessage(error.message) });
    default:
      return t("errOther", { message: error?.message ?? "" });
  }
}

function fatal(message) {
  $("fatal-text").textContent = message;
  $("fatal").hidden = false;
  document.querySelector("main").classList.add("is-fatal");
}

// One client event; the pending flag stops double sends without moving the focus away.
async function perform(event, payload, control = null) {
  if (control) {
    if (control.dataset.pending) return { ok: false, error: { code: "pending" } };
    control.dataset.pending = "1";
    control.setAttribute("aria-busy", "true");
  }
  const ack = await connection.call(event, payload);
  if (control) {
    delete control.dataset.pending;
    control.removeAttribute("aria-busy");
  }
  return ack;
}

// ---- copying ---------------------------------------------------------------------------------

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = el("textarea", { readonly: true, "aria-hidden": "true" }, text);
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    let done = false;
    try {
      done = document.execCommand("copy");
    } catch {
      done = false;
    }
    area.remove();
    return done;
  }
}

function shareTargets() {
  if (!links) return {};
  const origin = new URL(links.moderator, window.location.href).origin;
  return {
    moderator: links.moderator,
    participant: links.participant,
    projector: links.projector,
    moderatorBoard: `${origin}${moderatorBoardPath()}`,
    assistant: links.assistant,
  };
}

function moderatorBoardPath(boardId = null) {
  const key = encodeURIComponent(moderatorKey);
  return `/m/${encodeURIComponent(workshopId)}/board#key=${key}${boardId == null ? "" : `&board=${boardId}`}`;
}

// ---- the share panel and the secret notice -----------------------------------------------------

let revealed = false;
let assistantRevealed = false;

// Hidden, the field shows only the path, with the key as dots (the projector may be showing this).
function maskedLink(link) {
  const url = new URL(link, window.location.href);
  return `${url.pathname}#key=${"•".repeat(12)}`;
}

function renderModeratorLink() {
  const link = links?.moderator ?? `${window.location.origin}/m/${workshopId}#key=${moderatorKey}`;
  $("moderator-link").value = revealed ? link : maskedLink(link);
  $("reveal-moderator").textContent = revealed ? t("hide") : t("show");
  $("reveal-moderator").setAttribute("aria-expanded", String(revealed));
}

// The assistant link, masked like the moderator link until "Show".
function renderAssistantLink() {
  const link = links?.assistant;
  $("assistant-link").value = link ? (assistantRevealed ? link : maskedLink(link)) : "";
  $("reveal-assistant").textContent = assistantRevealed ? t("hide") : t("show");
  $("reveal-assistant").setAttribute("aria-expanded", String(assistantRevealed));
}

async function loadLinks() {
  let response;
  try {
    response = await fetch(`/api/workshops/${encodeURIComponent(workshopId)}/links`, {
      headers: { Authorization: `Bearer ${moderatorKey}`, Accept: "application/json" },
      cache: "no-store",
    });
  } catch {
    toast(t("linksFailed"), "error");
    return false;
  }
  if (response.status === 401 || response.status === 404) {
    fatal(t("refusedText"));
    return true;
  }
  if (!response.ok) {
    toast(t("linksFailed"), "error");
    return false;
  }
  const answer = await response.json();
  links = answer.links;
  const code = answer.join_code;
  $("join-code").textContent = code;
  const qr = $("qr");
  const qrPath = `/j/${encodeURIComponent(code)}/qr.svg`;
  qr.src = qrPath;
  qr.hidden = false;
  $("participant-link").value = links.participant;
  $("projector-link").value = links.projector;
  $("projector-open").href = localPath(links.projector);
  for (const id of ["moderator-board-link", "open-board-top"]) {
    $(id).href = moderatorBoardPath();
    $(id).hidden = false;
  }
  renderModeratorLink();
  renderAssistantLink();
  return true;
}

function initShare() {
  $("reveal-moderator").addEventListener("click", () => {
    revealed = !revealed;
    renderModeratorLink();
  });
  $("reveal-assistant").addEventListener("click", () => {
    assistantRevealed = !assistantRevealed;
    renderAssistantLink();
  });
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const text = shareTargets()[button.dataset.copy];
      if (!text) return;
      if (await copyText(text)) notify(t("copied"));
      else toast(t("copyFailed"), "error");
    });
  }
  for (const input of document.querySelectorAll(".copy-field input, .copy-row input")) {
    input.addEventListener("focus", () => input.select());
  }
  renderModeratorLink();
  renderAssistantLink();
}

// ---- header ----------------------------------------------------------------------------------

function renderHeader(model) {
  const workshop = model.workshop;
  $("workshop-title").textContent = workshop.title;
  $("workshop-title-bar").textContent = workshop.title;
  document.title = `${workshop.title} · pinboard`;
  const parts = [workshop.event, workshop.place];
  if (workshop.date) {
    const date = new Date(`${workshop.date}T12:00:00`);
    parts.push(Number.isNaN(date.valueOf()) ? workshop.date : new Intl.DateTimeFormat(document.documentElement.lang, { dateStyle: "long" }).format(date));
  }
  $("workshop-meta").textContent = parts.filter(Boolean).join(" · ");
  const n = model.participantCount;
  $("participant-count").textContent = n === 0 ? t("participantsNone") : n === 1 ? t("participantsOne") : t("participants", { n });
}

// ---- boards ----------------------------------------------------------------------------------

const SETTINGS = [
  ["participants_choose_cluster", "settingChoose"],
  ["participants_can_move", "settingMove"],
  ["numbered_clusters", "settingNumbered"],
  ["participants_choose_color", "settingColor"],
  ["hidden", "settingHidden"],
];

const items = new Map(); // board id -> {root, refs…}
let boardsRendered = false;

// A button's visible text, and for screen readers which board it acts on ("Lock “Einstieg”").
function labelled(text, title) {
  return [text, el("span", { class: "visually-hidden" }, ` ${t("quoted", { title })}`)];
}

function cardCount(board) {
  return board.unsorted.length + board.clusters.reduce((sum, cluster) => sum + cluster.cards.length, 0);
}

function hiddenCount(board) {
  return connection.model.hiddenCards(board).length;
}

function createBoardItem(boardId) {
  const item = { boardId, renaming: false };
  item.position = el("span", { class: "board-pos", "aria-hidden": "true" });
  item.title = el("h3", { class: "board-title" });
  item.titleWrap = el("div", { class: "board-title-wrap" }, item.title);
  item.activeBadge = el("span", { class: "badge active" });
  item.lockedBadge = el("span", { class: "badge locked" });
  item.count = el("span", { class: "badge count" });
  item.hiddenBadge = el("span", { class: "badge hidden-cards" });
  item.doneBadge = el("span", { class: "badge done" });
  item.up = iconButton("↑", "", () => moveBoard(item, -1), { action: "up" });
  item.down = iconButton("↓", "", () => moveBoard(item, 1), { action: "down" });
  item.chips = el("ul", { class: "chips" });
  item.activate = el("button", { type: "button", class: "primary", onclick: () => activateBoard(item) });
  item.activeNote = el("span", { class: "active-note" });
  item.lock = el("button", { type: "button", onclick: () => toggleLock(item) });
  item.reveal = el("button", { type: "button", class: "reveal", onclick: () => revealAll(item) });
  item.rename = el("button", { type: "button", class: "quiet", onclick: () => startRename(item) });
  item.open = el("a", { class: "button quiet", target: "_blank", rel: "noopener" });
  item.settingsLegend = el("legend", { class: "visually-hidden" });
  item.checks = {};
  const checkLabels = SETTINGS.map(([name, label]) => {
    const input = el("input", { type: "checkbox", name, onchange: () => changeSetting(item, name, input) });
    item.checks[name] = input;
    return el("label", { class: "check" }, input, el("span", {}, t(label)));
  });
  item.root = el(
    "li",
    { class: "board-item", dataset: { boardId: String(boardId) } },
    el("div", { class: "board-item-head" },
      item.position,
      el("div", { class: "board-head-text" },
        item.titleWrap,
        el("div", { class: "badges" }, item.activeBadge, item.lockedBadge, item.count, item.hiddenBadge, item.doneBadge),
      ),
      el("div", { class: "order-buttons" }, item.up, item.down),
    ),
    item.chips,
    el("div", { class: "board-actions" }, item.activate, item.activeNote, item.reveal, item.lock, item.rename, item.open),
    el("fieldset", { class: "board-settings" }, item.settingsLegend, checkLabels),
  );
  return item;
}

function updateBoardItem(item, board, index, total, isActive) {
  const title = board.title;
  const settings = board.settings;
  item.root.classList.toggle("is-active", isActive);
  item.root.classList.toggle("is-locked", settings.locked);
  item.root.setAttribute("aria-current", isActive ? "step" : "false");
  item.position.textContent = String(index + 1);
  if (!item.renaming) item.title.textContent = title;
  item.activeBadge.textContent = t("active");
  item.activeBadge.hidden = !isActive;
  item.lockedBadge.textContent = t("locked");
  item.lockedBadge.hidden = !settings.locked;
  const count = cardCount(board);
  item.count.textContent = count === 1 ? t("cardsOne") : t("cards", { n: count });
  const hidden = hiddenCount(board);
  item.hiddenBadge.hidden = hidden === 0;
  item.hiddenBadge.textContent = t("hiddenCards", { n: hidden });
  item.doneBadge.hidden = !settings.hidden;
  item.doneBadge.textContent = t("doneOf", { done: board.done_count ?? 0, total: connection.model.participantCount ?? 0 });
  item.reveal.hidden = hidden === 0;
  item.reveal.replaceChildren(...labelled(t("revealAll"), title));

  item.up.disabled = index === 0;
  item.down.disabled = index === total - 1;
  for (const [button, key] of [[item.up, "moveUp"], [item.down, "moveDown"]]) {
    button.title = t(key, { title });
    button.querySelector(".visually-hidden").textContent = t(key, { title });
  }

  const chips = board.clusters.map((cluster, i) => {
    const name = settings.numbered_clusters ? `${i + 1}. ${cluster.name}` : cluster.name;
    const headline = cluster.headline
      ? el("span", { class: "chip-headline" }, el("span", { class: "visually-hidden" }, `${t("headline")}: `), cluster.headline)
      : null;
    return el("li", { class: "chip" }, el("span", { class: "chip-name" }, name, headline), el("span", { class: "chip-count" }, String(cluster.cards.length)));
  });
  if (board.unsorted.length || !board.clusters.length) {
    chips.push(el("li", { class: "chip unsorted" }, el("span", { class: "chip-name" }, t("unsorted")), el("span", { class: "chip-count" }, String(board.unsorted.length))));
  }
  item.chips.replaceChildren(...chips);
  if (!board.clusters.length) item.chips.append(el("li", { class: "chip-hint hint" }, t("noClusters")));

  item.activate.hidden = isActive;
  item.activate.replaceChildren(...labelled(t("makeActive"), title));
  item.activeNote.hidden = !isActive;
  item.activeNote.textContent = t("activeHint");
  item.lock.replaceChildren(...labelled(settings.locked ? t("unlock") : t("lock"), title));
  item.lock.classList.toggle("is-on", settings.locked);
  item.rename.replaceChildren(...labelled(t("rename"), title));
  item.rename.hidden = item.renaming;
  item.open.href = moderatorBoardPath(board.id);
  item.open.replaceChildren(...labelled(t("openOnBoard"), title));
  item.settingsLegend.textContent = t("settingsOf", { title });
  for (const [name] of SETTINGS) {
    if (!item.checks[name].dataset.pending) item.checks[name].checked = Boolean(settings[name]);
  }
}

function renderBoards() {
  const model = connection.model;
  const list = $("board-list");
  const focused = document.activeElement;
  const activeId = model.workshop.active_board_id ?? model.boards[0]?.id;
  const seen = new Set();
  model.boards.forEach((board, index) => {
    let item = items.get(board.id);
    if (!item) {
      item = createBoardItem(board.id);
      items.set(board.id, item);
      if (boardsRendered) item.root.classList.add("is-new");
    }
    seen.add(board.id);
    updateBoardItem(item, board, index, model.boards.length, board.id === activeId);
    if (list.children[index] !== item.root) list.insertBefore(item.root, list.children[index] ?? null);
  });
  for (const [id, item] of items) {
    if (!seen.has(id)) {
      item.root.remove();
      items.delete(id);
    }
  }
  boardsRendered = true;
  if (focused && focused !== document.activeElement && focused.isConnected) focused.focus();
}

function boardOf(item) {
  return connection.model.board(item.boardId);
}

async function activateBoard(item) {
  const ack = await perform("board:activate", { board_id: item.boardId }, item.activate);
  if (!ack.ok) {
    if (ack.error.code !== "pending") toast(errorMessage(ack.error), "error");
    return;
  }
  renderAll();
  item.lock.focus();
  notify(t("activated", { title: boardOf(item)?.title ?? "" }));
}

async function toggleLock(item) {
  const board = boardOf(item);
  if (!board) return;
  const locked = !board.settings.locked;
  const ack = await perform("board:update", { board_id: item.boardId, locked }, item.lock);
  if (!ack.ok) {
    if (ack.error.code !== "pending") toast(errorMessage(ack.error), "error");
    return;
  }
  renderAll();
  notify(t(locked ? "lockedDone" : "unlockedDone", { title: board.title }));
}

async function revealAll(item) {
  const ack = await perform("cards:reveal", { board_id: item.boardId }, item.reveal);
  if (!ack.ok) {
    if (ack.error.code !== "pending") toast(errorMessage(ack.error), "error");
    return;
  }
  renderAll();
  item.lock.focus();
  const n = ack.data.cards.length;
  notify(n === 1 ? t("revealedOne", { title: boardOf(item)?.title ?? "" }) : t("revealedDone", { n, title: boardOf(item)?.title ?? "" }));
}

async function moveBoard(item, delta) {
  const model = connection.model;
  const index = model.boards.findIndex((b) => b.id === item.boardId);
  const to = index + delta;
  if (index === -1 || to < 0 || to >= model.boards.length) return;
  const button = delta < 0 ? item.up : item.down;
  const ack = await perform("board:move", { board_id: item.boardId, index: to }, button);
  if (!ack.ok) {
    if (ack.error.code !== "pending") toast(errorMessage(ack.error), "error");
    return;
  }
  renderAll();
  (button.disabled ? (delta < 0 ? item.down : item.up) : button).focus();
  notify(t("movedDone", { title: boardOf(item)?.title ?? "", n: ack.data.index + 1 }));
}

async function changeSetting(item, name, input) {
  const value = input.checked;
  input.dataset.pending = "1";
  const ack = await connection.call("board:update", { board_id: item.boardId, [name]: value });
  delete input.dataset.pending;
  const board = boardOf(item);
  if (!ack.ok) {
    if (board) input.checked = Boolean(board.settings[name]);
    toast(errorMessage(ack.error), "error");
    return;
  }
  renderAll();
  notify(t("settingSaved", { title: board?.title ?? "" }));
}

function startRename(item) {
  const board = boardOf(item);
  if (!board) return;
  item.renaming = true;
  const errorId = `rename-error-${item.boardId}`;
  const input = el("input", {
    type: "text",
    value: board.title,
    maxlength: 200,
    autocomplete: "off",
    "aria-label": t("newTitle", { title: board.title }),
    "aria-describedby": errorId,
  });
  const error = el("p", { class: "error-text", id: errorId, hidden: true });
  const stop = (focusRename = true) => {
    item.renaming = false;
    item.titleWrap.replaceChildren(item.title);
    renderAll();
    if (focusRename) item.rename.focus();
  };
  const form = el(
    "form",
    {
      class: "rename-form",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        const title = input.value.trim();
        error.hidden = true;
        input.removeAttribute("aria-invalid");
        if (!title) {
          error.textContent = t("titleMissing");
          error.hidden = false;
          input.setAttribute("aria-invalid", "true");
          input.focus();
          return;
        }
        if (title === boardOf(item)?.title) {
          stop();
          return;
        }
        const ack = await perform("board:update", { board_id: item.boardId, title }, form);
        if (!ack.ok) {
          if (ack.error.code === "pending") return;
          error.textContent = ack.error.fields?.title ? messagesOf(ack.error.fields.title).join(" ") : errorMessage(ack.error);
          error.hidden = false;
          input.setAttribute("aria-invalid", "true");
          input.focus();
          return;
        }
        stop();
        notify(t("renamed", { title }));
      },
    },
    el("div", { class: "rename-row" },
      input,
      el("button", { type: "submit", class: "primary" }, t("save")),
      el("button", { type: "button", onclick: () => stop() }, t("cancel")),
    ),
    error,
  );
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      stop();
    }
  });
  item.titleWrap.replaceChildren(form);
  item.rename.hidden = true;
  input.focus();
  input.select();
}

function initAddBoard() {
  const form = $("add-board-form");
  autosize(form.elements.clusters);
  $("add-board").addEventListener("toggle", () => form.elements.clusters.dispatchEvent(new Event("input")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    setFieldError(form, "title", "");
    setFieldError(form, "clusters", "");
    const title = form.elements.title.value.trim();
    const lines = [];
    form.elements.clusters.value.split("\n").forEach((line, number) => {
      if (line.trim()) lines.push({ name: line.trim(), number: number + 1 });
    });
    if (!title) {
      setFieldError(form, "title", t("titleMissing"));
      form.elements.title.focus();
      return;
    }
    const payload = { title, clusters: lines.map((l) => l.name) };
    for (const [name] of SETTINGS) payload[name] = form.elements[name].checked;
    const ack = await perform("board:create", payload, form);
    if (!ack.ok) {
      if (ack.error.code === "pending") return;
      const fields = ack.error.fields;
      if (fields?.title) setFieldError(form, "title", messagesOf(fields.title).join(" "));
      if (fields?.clusters) {
        const message = Array.isArray(fields.clusters)
          ? messagesOf(fields.clusters).join(" ")
          : Object.entries(fields.clusters)
              .map(([j, messages]) => t("line", { n: lines[Number(j)]?.number ?? Number(j) + 1, message: messagesOf(messages).join(" ") }))
              .join(" ");
        setFieldError(form, "clusters", message);
      }
      if (!fields?.title && !fields?.clusters) toast(errorMessage(ack.error), "error");
      form.querySelector('[aria-invalid="true"]')?.focus();
      return;
    }
    form.reset();
    form.elements.clusters.dispatchEvent(new Event("input"));
    renderAll();
    notify(t("boardAdded", { title }));
    form.elements.title.focus();
  });
}

// ---- workshop details --------------------------------------------------------------------------

let details = null;

function initDetails() {
  const form = $("details-form");
  const saved = $("details-saved");
  let savedTimer = null;
  details = {
    form,
    dirty: false,
    saving: false,
    agenda: new StepList($("details-agenda"), { onChange: () => markDirty() }),
  };
  function markDirty() {
    details.dirty = true;
    saved.hidden = true;
  }
  form.addEventListener("input", (event) => {
    if (event.target.closest("#details-agenda")) return; // the step list reports its own changes
    markDirty();
  });
  $("details-reload").addEventListener("click", () => {
    details.dirty = false;
    fillDetails(true);
    form.elements.title.focus();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const name of ["title", "event", "date", "place", "agenda"]) setFieldError(form, name, "");
    details.agenda.setErrors({});
    const value = (name) => form.elements[name].value.trim();
    const steps = details.agenda.values();
    const payload = {
      title: value("title"),
      event: value("event"),
      place: value("place"),
      date: value("date") || null,
      language: form.elements.language.value,
      agenda: steps.map((s) => s.text),
    };
    if (!payload.title) {
      setFieldError(form, "title", t("titleMissing"));
      form.elements.title.focus();
      return;
    }
    details.saving = true;
    const ack = await perform("workshop:update", payload, $("details-save"));
    details.saving = false;
    if (!ack.ok) {
      if (ack.error.code === "pending") return;
      const fields = ack.error.fields ?? {};
      const placed = placeDetailErrors(form, fields, [], details.agenda, steps);
      if (!placed) toast(errorMessage(ack.error), "error");
      form.querySelector('[aria-invalid="true"]')?.focus();
      return;
    }
    details.dirty = false;
    fillDetails(true);
    renderHeader(connection.model);
    saved.hidden = false;
    window.clearTimeout(savedTimer);
    savedTimer = window.setTimeout(() => {
      saved.hidden = true;
    }, 6000);
    notify(t("detailsSaved"));
  });
}

function fillDetails(force = false) {
  if (!details || !connection?.model) return;
  const remote = $("details-remote");
  if (details.saving) return;
  const workshop = connection.model.workshop;
  const version = JSON.stringify([workshop.title, workshop.event, workshop.place, workshop.date, workshop.language, workshop.agenda]);
  if (details.dirty && !force) {
    if (version !== details.version) remote.hidden = false;
    return;
  }
  details.version = version;
  remote.hidden = true;
  const form = details.form;
  form.elements.title.value = workshop.title ?? "";
  form.elements.event.value = workshop.event ?? "";
  form.elements.place.value = workshop.place ?? "";
  form.elements.date.value = workshop.date ?? "";
  form.elements.language.value = workshop.language ?? "de";
  details.agenda.setSteps(workshop.agenda ?? []);
}

// ---- wiring ----------------------------------------------------------------------------------

function renderAll() {
  if (!connection?.model) return;
  renderHeader(connection.model);
  renderBoards();
}

function remember() {
  const model = connection?.model;
  if (!model) return;
  rememberWorkshop({ id: workshopId, title: model.workshop.title, moderatorLink: `/m/${workshopId}#key=${moderatorKey}` });
}

function setStatus(status) {
  if ($("main").classList.contains("is-deleted")) return; // the connection closed for good
  const node = $("status");
  node.dataset.status = status;
  node.textContent = t(status);
}

function start() {
  initShare();
  if (!moderatorKey) {
    setStatus("refused");
    fatal(t("noKey"));
    return;
  }
  initDetails();
  initAddBoard();
  connection = new Connection({ auth: { workshop: workshopId, moderator_key: moderatorKey } });
  connection.addEventListener("status", (event) => setStatus(event.detail.status));
  connection.addEventListener("refused", ({ detail }) => {
    setStatus("refused");
    if (detail?.message === "deleted") showDeleted({ workshopId, title: connection.model?.workshop.title ?? "", elsewhere: true });
    else fatal(t("refusedText"));
  });
  initHistory({ connection, notify, showError: (message) => toast(message, "error"), errorMessage });
  initDeleteWorkshop({
    workshopId,
    moderatorKey,
    current: () => ({ title: connection.model?.workshop.title ?? "", code: connection.model?.workshop.join_code ?? "" }),
    onDeleted: () => connection.close(),
  });
  connection.addEventListener("snapshot", () => {
    // Only once the key is known to be good, so that a wrong key causes no failed request.
    if (!links && !linksRequested) {
      linksRequested = true;
      loadLinks().then((ok) => {
        if (!ok) linksRequested = false;
      });
    }
    renderAll();
    fillDetails();
    remember();
  });
  connection.addEventListener("presence", () => renderAll());
  connection.addEventListener("change", (event) => {
    renderAll();
    if (event.detail.type === "workshop.updated") {
      fillDetails();
      remember();
    }
  });
  connection.start();
}

start();
