// The assistant's screen: a helper at a laptop or tablet types in the paper cards collected in
// the room and the dots counted on the paper wall, for the active board or one they choose.
// Everything goes through the connection's outbox, so nothing typed is lost on weak Wi-Fi; the
// assistant key (from the URL fragment) may add and edit cards and record wall dots, nothing else.

import { Connection } from "./connection.js";
import { followMethods } from "./methods-state.js";
import { announce, el, keyFromFragment, pageData, t } from "./page.js";

const { workshopId } = pageData();
const assistantKey = keyFromFragment();
const $ = (id) => document.getElementById(id);
const TEXT_MAX = 500;
const DOTS_MAX = 999;
const COLORS = ["yellow", "orange", "pink", "green", "blue", "white"];
const TYPED_KEY = `pinboard:assistant:${workshopId}:typed`;
const OUTBOX_KEY = `pinboard:outbox:${workshopId}:assistant`;

const ui = {
  status: $("status"),
  board: $("board-select"),
  form: $("entry-form"),
  text: $("entry-text"),
  error: $("entry-error"),
  cluster: $("entry-cluster"),
  feedback: $("entry-feedback"),
  typedList: $("typed-list"),
  dotsTable: $("dots-table"),
};

let connection = null;
let chosenBoardId = null; // null: follow the workshop's active board
let typed = readTyped(); // the cards typed in on this device, newest first
const view = { tab: "cards", editing: null, confirming: null };
const dotState = new Map(); // card id -> {state: "saving" | "saved" | "error", message?, entryId?}
const announcedFailures = new Set(); // outbox entries whose refusal was already announced
let feedbackTimer = null;
let reloadTimer = null;

// ---- storage -----------------------------------------------------------------------------------

function readTyped() {
  try {
    const items = JSON.parse(localStorage.getItem(TYPED_KEY) || "[]");
    return Array.isArray(items) ? items : [];
  } catch {
    return [];
  }
}

function forgetTyping() {
  typed = [];
  try {
    localStorage.removeItem(TYPED_KEY);
    localStorage.removeItem(OUTBOX_KEY);
  } catch {
    // nothing stored
  }
}

function saveTyped() {
  try {
    localStorage.setItem(TYPED_KEY, JSON.stringify(typed));
  } catch {
    // Storage full or disabled: the list lives in memory until the page closes.
  }
}

// ---- the model -----------------------------------------------------------------------------------

const model = () => connection?.model ?? null;

function currentBoard() {
  const m = model();
  if (!m) return null;
  return (chosenBoardId != null && m.board(chosenBoardId)) || m.activeBoard();
}

// Every card as a top card with the cards stacked on it (stacks count as one).
function topCards(container) {
  return container.filter((card) => card.stacked_on_id == null);
}

function findCard(cardId) {
  const m = model();
  if (!m || cardId == null) return null;
  for (const board of m.boards) {
    for (const cluster of [{ name: null, id: null, cards: board.unsorted }, ...board.clusters]) {
      for (const card of cluster.cards) {
        if (card.id === cardId) return { card, board, cluster };
        const stacked = (card.stack ?? []).find((s) => s.id === cardId);
        if (stacked) return { card: stacked, board, cluster };
      }
    }
  }
  return null;
}

function clusterLabel(board, cluster, index) {
  return board.settings.numbered_clusters ? `${index + 1}. ${cluster.name}` : cluster.name;
}

// ---- errors --------------------------------------------------------------------------------------

function errorText(error) {
  switch (error?.code) {
    case "forbidden":
    case "unauthorized":
      return t("errForbidden");
    case "not_found":
      return t("errNotFound");
    case "locked":
      return t("errLocked");
    case "invalid": {
      const details = Object.values(error.fields ?? {}).flat(Infinity).filter((m) => typeof m === "string");
      return t("errInvalid", { message: details.length ? details.join(" ") : error.message ?? "" });
    }
    default:
      return error?.message ?? "";
  }
}

function showFatal(title, text) {
  $("fatal-heading").textContent = title;
  $("fatal-text").textContent = text;
  $("fatal").hidden = false;
  $("main").classList.add("is-fatal");
  document.title = `${title} · pinboard`;
}

function setStatus(status) {
  ui.status.dataset.status = status;
  ui.status.textContent = t(status);
}

// ---- the board picker ----------------------------------------------------------------------------

function renderBoardPicker() {
  const m = model();
  const board = currentBoard();
  if (!m || !board) {
    ui.board.replaceChildren(new Option(t("noBoard"), ""));
    ui.board.disabled = true;
    return;
  }
  const activeId = m.activeBoard()?.id;
  const options = m.boards.map((b, index) => {
    const title = `${index + 1}. ${b.title}`;
    return new Option(b.id === activeId ? t("activeSuffix", { title }) : title, String(b.id));
  });
  const same = ui.board.options.length === options.length && options.every((o, i) => ui.board.options[i].text === o.text && ui.board.options[i].value === o.value);
  if (!same) ui.board.replaceChildren(...options);
  ui.board.value = String(board.id);
  ui.board.disabled = false;
  $("badge-active").hidden = board.id !== activeId;
  $("badge-other").hidden = board.id === activeId;
  $("badge-locked").hidden = !board.settings.locked;
  $("badge-hidden").hidden = !board.settings.hidden;
}

function renderClusterPicker() {
  const board = currentBoard();
  const chosen = ui.cluster.value;
  const options = [new Option(t("unsorted"), "")];
  board?.clusters.forEach((cluster, index) => options.push(new Option(clusterLabel(board, cluster, index), String(cluster.id))));
  const same = ui.cluster.options.length === options.length && options.every((o, i) => ui.cluster.options[i].text === o.text && ui.cluster.options[i].value === o.value);
  if (!same) ui.cluster.replaceChildren(...options);
  ui.cluster.value = options.some((o) => o.value === chosen) ? chosen : "";
}

// ---- typing in paper cards -----------------------------------------------------------------------

function chosenColor() {
  return ui.form.querySelector('input[name="color"]:checked')?.value ?? "yellow";
}

function setEntryError(message) {
  ui.error.textContent = message;
  ui.error.hidden = !message;
  if (message) ui.text.setAttribute("aria-invalid", "true");
  else ui.text.removeAttribute("aria-invalid");
}

function checkText(text) {
  if (!text) return t("emptyText");
  if (text.length > TEXT_MAX) return t("tooLong", { max: TEXT_MAX });
  return "";
}

function submitEntry(event) {
  event.preventDefault();
  const board = currentBoard();
  if (!connection || !board) return;
  const text = ui.text.value.trim();
  const problem = checkText(text);
  setEntryError(problem);
  if (problem) {
    ui.text.focus();
    return;
  }
  const clusterId = ui.cluster.value ? Number(ui.cluster.value) : null;
  const color = chosenColor();
  const entry = connection.send("card:create", { board_id: board.id, cluster_id: clusterId, text, color, on_paper: true });
  typed.unshift({ clientId: entry.payload.client_id, cardId: null, text, color, boardId: board.id, clusterId });
  saveTyped();
  ui.text.value = "";
  ui.text.focus();
  const online = connection.socket.connected;
  flashFeedback(online ? t("added", { text: shorten(text) }) : t("queued"), online ? "ok" : "queued", entry.payload.client_id);
  announce(online ? t("added", { text }) : t("queued"));
  renderTyped();
}

function shorten(text, max = 60) {
  const line = text.replace(/\s+/g, " ");
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

// The line under the form says what became of the last card (or change); `clientId` names the
// card it is about, so that a card sent later replaces "saved on this device" with "added".
function flashFeedback(message, kind = "ok", clientId = null) {
  ui.feedback.textContent = kind === "error" ? message : `✓ ${message}`;
  ui.feedback.dataset.kind = kind;
  ui.feedback.dataset.clientId = clientId ?? "";
  ui.feedback.classList.remove("fresh");
  void ui.feedback.offsetWidth; // restart the highlight
  ui.feedback.classList.add("fresh");
  clearTimeout(feedbackTimer);
  feedbackTimer = setTimeout(() => {
    ui.feedback.textContent = "";
  }, 6000);
}

// ---- the list of cards typed in here -------------------------------------------------------------

function outboxEntries(event) {
  return connection ? connection.outbox.entries.filter((entry) => entry.event === event) : [];
}

function createEntryOf(item) {
  return outboxEntries("card:create").find((entry) => entry.payload.client_id === item.clientId) ?? null;
}

// A card whose ack this page never saw (it closed first): found on the board by its client_id.
function adoptCardOf(item) {
  const m = model();
  const card = m && [...m.allCards()].flatMap((top) => [top, ...(top.stack ?? [])]).find((c) => c.client_id === item.clientId);
  if (!card) return;
  item.cardId = card.id;
  saveTyped();
}

function pendingUpdateOf(item) {
  if (item.cardId == null) return null;
  const updates = outboxEntries("card:update").filter((entry) => entry.payload.card_id === item.cardId && !entry.error);
  return updates[updates.length - 1] ?? null;
}

// What a typed card is now: waiting in the outbox, refused, on the board, or gone from it.
function stateOf(item) {
  const queued = createEntryOf(item);
  if (!queued && item.cardId == null) adoptCardOf(item);
  if (queued?.error) return { kind: "failed", entry: queued, message: t("failed", { message: errorText(queued.error) }) };
  if (queued || item.cardId == null) {
    const online = connection?.status === "online";
    return { kind: "pending", message: online ? t("sending") : t("waiting") };
  }
  const found = findCard(item.cardId);
  if (!found) return { kind: "gone", message: t("gone") };
  const update = pendingUpdateOf(item);
  if (update) return { kind: "saving", found, update, message: connection?.status === "online" ? t("sending") : t("waiting") };
  return { kind: "on-board", found, message: found.card.hidden ? t("hiddenOnBoard") : t("onBoard") };
}

function placeOf(found) {
  if (!found) return "";
  const { board, cluster } = found;
  if (cluster.id == null) return t("inCluster", { board: board.title, cluster: t("unsorted") });
  return t("inCluster", { board: board.title, cluster: clusterLabel(board, cluster, board.clusters.indexOf(cluster)) });
}

function renderTyped() {
  const focused = rememberFocus();
  const count = typed.length;
  $("typed-count").textContent = count === 1 ? t("typedOne") : t("typedOther", { count });
  $("typed-count").hidden = count === 0;
  $("typed-empty").hidden = count > 0;
  const waiting = connection ? connection.outbox.pending().filter((e) => e.event === "card:create").length : 0;
  $("outbox-note").hidden = waiting === 0 || connection?.status === "online";
  $("outbox-note").textContent = t("waitingNote", { count: waiting });
  const existing = new Map([...ui.typedList.children].map((li) => [li.dataset.clientId, li]));
  const items = typed.map((item) => {
    const li = existing.get(item.clientId) ?? el("li", { class: "typed-item", dataset: { clientId: item.clientId } });
    existing.delete(item.clientId);
    if (view.editing === item.clientId && li.querySelector("form")) return li; // keep what is being typed
    fillTypedItem(li, item);
    return li;
  });
  items.forEach((li, index) => {
    if (ui.typedList.children[index] !== li) ui.typedList.insertBefore(li, ui.typedList.children[index] ?? null);
  });
  for (const li of existing.values()) li.remove();
  restoreFocus(focused);
}

function fillTypedItem(li, item) {
  const state = stateOf(item);
  const card = state.found?.card;
  const text = state.update?.payload.text ?? card?.text ?? item.text;
  const color = state.update?.payload.color ?? card?.color ?? item.color;
  li.dataset.state = state.kind;
  li.classList.remove("editing");
  const body = el(
    "div",
    { class: "typed-card", dataset: { color: color || "yellow" } },
    el("p", { class: "typed-text" }, card?.hidden && !card.text ? t("hiddenCard") : text),
    el("p", { class: "typed-meta" },
      el("span", { class: `typed-state state-${state.kind}` }, state.message),
      state.found ? el("span", { class: "typed-place" }, placeOf(state.found)) : null,
    ),
  );
  const actions = el("div", { class: "typed-actions" });
  if (state.kind === "on-board" && view.confirming === item.clientId) {
    actions.append(
      el("span", { class: "confirm-question" }, t("deleteConfirm")),
      el("button", { type: "button", class: "danger", dataset: { action: "delete-yes" }, onclick: () => deleteCard(item) }, t("deleteYes")),
      el("button", { type: "button", class: "quiet", dataset: { action: "delete-no" }, onclick: () => { view.confirming = null; renderTyped(); } }, t("cancel")),
    );
  } else if (state.kind === "on-board" || state.kind === "saving") {
    actions.append(
      el("button", { type: "button", dataset: { action: "edit" }, onclick: () => startEdit(item) },
        t("edit"), el("span", { class: "visually-hidden" }, ` ${t("quotedText", { text: shorten(text, 40) })}`)),
    );
  } else if (state.kind === "failed" || state.kind === "gone") {
    actions.append(
      el("button", { type: "button", class: "quiet", dataset: { action: "remove" }, onclick: () => removeItem(item, state.entry) },
        t("remove"), el("span", { class: "visually-hidden" }, ` ${t("quotedText", { text: shorten(text, 40) })}`)),
    );
  }
  li.replaceChildren(body, actions);
}

function rememberFocus() {
  const active = document.activeElement;
  const li = active?.closest?.(".typed-item");
  if (!li || !active.dataset.action) return null;
  return { clientId: li.dataset.clientId, action: active.dataset.action };
}

function restoreFocus(focused) {
  if (!focused || document.activeElement?.closest?.(".typed-item")) return;
  const li = [...ui.typedList.children].find((item) => item.dataset.clientId === focused.clientId);
  (li?.querySelector(`[data-action="${focused.action}"]:not(:disabled)`) ?? li?.querySelector("button:not(:disabled)"))?.focus();
}

function removeItem(item, entry) {
  if (entry) connection.discard(entry);
  typed = typed.filter((other) => other.clientId !== item.clientId);
  saveTyped();
  renderTyped();
  ui.text.focus();
}

function startEdit(item) {
  const found = findCard(item.cardId);
  if (!found) return;
  view.editing = item.clientId;
  view.confirming = null;
  const li = [...ui.typedList.children].find((node) => node.dataset.clientId === item.clientId);
  if (!li) return;
  const idBase = `edit-${item.clientId}`;
  const area = el("textarea", { id: `${idBase}-text`, rows: 3, maxlength: TEXT_MAX, "aria-describedby": `${idBase}-error` });
  const pending = pendingUpdateOf(item)?.payload ?? {};
  area.value = pending.text ?? found.card.text;
  const color = el("select", { id: `${idBase}-color` }, COLORS.map((c) => new Option(t(`color_${c}`), c)));
  color.value = pending.color ?? (found.card.color || "yellow");
  const error = el("p", { class: "error-text", id: `${idBase}-error`, hidden: true });
  const form = el(
    "form",
    { class: "edit-form", novalidate: true, onsubmit: (event) => saveEdit(event, item, area, color, error) },
    el("div", { class: "field" }, el("label", { for: area.id }, t("editText")), area, error),
    el("div", { class: "edit-row" },
      el("div", { class: "field" }, el("label", { for: color.id }, t("editColor")), color),
      el("div", { class: "edit-buttons" },
        el("button", { type: "submit", class: "primary" }, t("save")),
        el("button", { type: "button", onclick: () => stopEdit(item) }, t("cancel")),
        el("button", { type: "button", class: "danger", onclick: () => askDelete(item) }, t("deleteCard")),
      ),
    ),
  );
  area.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      stopEdit(item);
    } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  li.classList.add("editing");
  li.replaceChildren(form);
  area.focus();
  area.setSelectionRange(area.value.length, area.value.length);
}

function stopEdit(item, focusAction = "edit") {
  view.editing = null;
  renderTyped();
  const li = [...ui.typedList.children].find((node) => node.dataset.clientId === item.clientId);
  (li?.querySelector(`[data-action="${focusAction}"]`) ?? ui.text).focus();
}

function saveEdit(event, item, area, color, error) {
  event.preventDefault();
  const found = findCard(item.cardId);
  const text = area.value.trim();
  const problem = checkText(text);
  error.textContent = problem;
  error.hidden = !problem;
  if (problem) {
    area.setAttribute("aria-invalid", "true");
    area.focus();
    return;
  }
  if (!found) {
    stopEdit(item);
    return;
  }
  const changes = {};
  if (text !== found.card.text) changes.text = text;
  if (color.value !== found.card.color) changes.color = color.value;
  if (Object.keys(changes).length) connection.send("card:update", { card_id: item.cardId, ...changes });
  stopEdit(item);
}

function askDelete(item) {
  view.editing = null;
  view.confirming = item.clientId;
  renderTyped();
  const li = [...ui.typedList.children].find((node) => node.dataset.clientId === item.clientId);
  li?.querySelector('[data-action="delete-no"]')?.focus();
}

function deleteCard(item) {
  view.confirming = null;
  connection.send("card:delete", { card_id: item.cardId });
  typed = typed.filter((other) => other.clientId !== item.clientId);
  saveTyped();
  renderTyped();
  announce(t("deleted"));
  ui.text.focus();
}

// ---- wall dots -----------------------------------------------------------------------------------

function voteOf(board) {
  return board?.vote ?? null;
}

function dotCounts(vote, cardId) {
  const key = String(cardId);
  const wall = vote.wall?.[key] ?? 0;
  if (!vote.tally) return { wall, phones: null, total: null };
  const total = vote.tally[key] ?? 0;
  return { wall, phones: Math.max(0, total - wall), total };
}

function renderTabs() {
  const board = currentBoard();
  const vote = voteOf(board);
  $("tab-dots-note").textContent = !vote ? t("tabNoteNone") : vote.open ? t("tabNoteOpen") : t("tabNoteClosed");
  for (const [name, tab, panel] of [["cards", $("tab-cards"), $("panel-cards")], ["dots", $("tab-dots"), $("panel-dots")]]) {
    const selected = view.tab === name;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    panel.hidden = !selected;
  }
}

function selectTab(name, focus = false) {
  view.tab = name;
  renderTabs();
  renderDots();
  if (focus) $(`tab-${name}`).focus();
}

function dotsSignature(board) {
  const containers = [...board.clusters.map((c) => [c.id, c.name, topCards(c.cards)]), [null, "", topCards(board.unsorted)]];
  return JSON.stringify([board.id, board.settings.numbered_clusters, containers.map(([id, name, cards]) => [id, name, cards.map((c) => [c.id, c.text, c.color, c.hidden, (c.stack ?? []).length])])]);
}

function renderDots() {
  const board = currentBoard();
  const vote = voteOf(board);
  $("dots-empty").hidden = Boolean(vote);
  ui.dotsTable.hidden = !vote;
  $("dots-hint").hidden = !vote;
  if (!board || !vote) {
    $("dots-round").textContent = "";
    return;
  }
  $("dots-round").textContent = vote.open
    ? vote.tally ? t("roundOpen", { count: vote.votes_cast }) : t("roundOpenHidden")
    : t("roundClosed", { count: vote.votes_cast });
  const signature = dotsSignature(board);
  if (ui.dotsTable.dataset.signature !== signature) buildDotsTable(board, signature);
  for (const row of ui.dotsTable.querySelectorAll("tr[data-card-id]")) updateDotsRow(row, vote);
}

function buildDotsTable(board, signature) {
  const focusedCard = document.activeElement?.closest?.("tr[data-card-id]")?.dataset.cardId ?? null;
  const drafts = new Map([...ui.dotsTable.querySelectorAll("tr[data-card-id]")].map((row) => [row.dataset.cardId, row.querySelector("input").value]));
  for (const body of ui.dotsTable.querySelectorAll("tbody")) body.remove();
  const groups = board.clusters.map((cluster, index) => [clusterLabel(board, cluster, index), cluster.cards]);
  groups.push([t("unsorted"), board.unsorted]);
  let total = 0;
  for (const [name, cards] of groups) {
    const tops = topCards(cards);
    if (!tops.length) continue; // empty clusters would only push the cards apart
    const body = el("tbody", {}, el("tr", { class: "group" }, el("th", { scope: "rowgroup", colspan: 4 }, name)));
    for (const card of tops) body.append(dotsRow(card, drafts.get(String(card.id))));
    total += tops.length;
    ui.dotsTable.append(body);
  }
  if (!total) ui.dotsTable.append(el("tbody", {}, el("tr", { class: "no-cards" }, el("td", { colspan: 4, class: "hint" }, t("noCards")))));
  ui.dotsTable.dataset.signature = signature;
  if (focusedCard) ui.dotsTable.querySelector(`tr[data-card-id="${focusedCard}"] input`)?.focus();
}

function dotsRow(card, draft) {
  const hidden = card.hidden && !card.text;
  const label = hidden ? t("hiddenCard") : card.text;
  const inputId = `wall-${card.id}`;
  const input = el("input", {
    type: "number", id: inputId, min: 0, max: DOTS_MAX, step: 1, inputmode: "numeric",
    "aria-label": t("wallDotsFor", { text: shorten(label, 80) }), "aria-describedby": `${inputId}-state`, disabled: hidden,
  });
  if (draft != null) input.value = draft;
  input.addEventListener("change", () => recordDots(card.id, input));
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    recordDots(card.id, input);
    const inputs = [...ui.dotsTable.querySelectorAll("input:not(:disabled)")];
    inputs[inputs.indexOf(input) + 1]?.focus();
  });
  input.addEventListener("focus", () => input.select());
  const stackCount = (card.stack ?? []).length;
  return el("tr", { dataset: { cardId: String(card.id) }, class: hidden ? "is-hidden" : null },
    el("th", { scope: "row", class: "dots-card" },
      el("span", { class: "chip", dataset: { color: hidden ? "hidden" : card.color || "yellow" }, "aria-hidden": "true" }),
      el("span", { class: "dots-text" }, label),
      card.on_paper ? el("span", { class: "paper-tag" }, t("paper")) : null,
      stackCount ? el("span", { class: "stack-tag" }, t("stackCount", { count: stackCount })) : null,
    ),
    el("td", { class: "num phones" }),
    el("td", { class: "num wall" }, el("div", { class: "wall-field" }, el("span", { class: "dots-state", id: `${inputId}-state` }), input)),
    el("td", { class: "num total" }),
  );
}

function updateDotsRow(row, vote) {
  const cardId = Number(row.dataset.cardId);
  const counts = dotCounts(vote, cardId);
  const input = row.querySelector("input");
  const state = dotState.get(cardId);
  const busy = state?.state === "saving" || state?.state === "error";
  if (document.activeElement !== input && !busy) input.value = String(counts.wall);
  for (const [cell, value] of [[row.querySelector(".phones"), counts.phones], [row.querySelector(".total"), counts.total]]) {
    cell.textContent = value == null ? "–" : String(value);
    cell.title = value == null ? t("hiddenNumberLabel") : "";
  }
  const stateNode = row.querySelector(".dots-state");
  stateNode.dataset.state = state?.state ?? "";
  if (!state) stateNode.textContent = "";
  else if (state.state === "saving") stateNode.textContent = connection?.status === "online" ? t("dotsSaving") : t("dotsWaiting");
  else if (state.state === "saved") stateNode.textContent = `✓ ${t("dotsSaved")}`;
  else stateNode.textContent = state.message;
  if (state?.state === "error") input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

function recordDots(cardId, input) {
  const board = currentBoard();
  const vote = voteOf(board);
  if (!vote || !connection) return;
  const raw = input.value.trim();
  const dots = Number(raw);
  if (raw === "" || !Number.isInteger(dots) || dots < 0 || dots > DOTS_MAX) {
    dotState.set(cardId, { state: "error", message: t("dotsInvalid") });
    renderDots();
    return;
  }
  const known = dotState.get(cardId);
  if (known?.state === "saving" ? known.dots === dots : known?.state !== "error" && dots === dotCounts(vote, cardId).wall) return;
  const entry = connection.send("vote:record", { card_id: cardId, dots });
  dotState.set(cardId, { state: "saving", entryId: entry.id, dots });
  renderDots();
}

// What the ack of our own vote:record says: the wall dots and, where we may see it, the total.
function applyRecorded(data) {
  const board = model()?.board(data.board_id);
  const vote = voteOf(board);
  if (!vote || vote.round_id !== data.round_id) return;
  vote.wall = { ...(vote.wall ?? {}), [String(data.card_id)]: data.dots };
  vote.votes_cast = data.votes_cast;
  if (data.tally) Object.assign(vote, { tally: data.tally, ranking: data.ranking });
  else if (vote.tally) vote.tally[String(data.card_id)] = data.votes;
}

// Someone else's wall dots: the event carries the new total (methods-state.js applies it) but not
// the wall count itself, which only a snapshot tells staff. Ours come with the ack.
function onRecordedEvent(data) {
  if (dotState.get(data.card_id)?.state !== "saving") reloadSoon();
}

// ---- following the server ------------------------------------------------------------------------

function reloadSoon() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(reloadSnapshot, 250);
}

async function reloadSnapshot() {
  const ack = await connection.call("sync", {});
  const m = model();
  if (!ack.ok || !ack.data.snapshot || !m) return;
  const applied = m.seq;
  m.load(ack.data.snapshot);
  if (m.seq < applied) connection.sync(); // events that came in meanwhile
  renderAll();
}

function onSent({ entry, ack }) {
  if (!ack?.ok) return;
  if (entry.event === "card:create") {
    model()?.keepOwnCard(ack.data); // whole, even where a hidden card query sends a placeholder
    const item = typed.find((one) => one.clientId === entry.payload.client_id);
    if (ui.feedback.dataset.clientId === entry.payload.client_id && ui.feedback.dataset.kind === "queued") {
      flashFeedback(t("added", { text: shorten(entry.payload.text) }), "ok", entry.payload.client_id);
    }
    if (item) {
      item.cardId = ack.data.id;
      saveTyped();
    }
  } else if (entry.event === "card:update") {
    model()?.keepOwnCard(ack.data);
    announce(t("updated"));
  } else if (entry.event === "vote:record") {
    applyRecorded(ack.data);
    if (dotState.get(entry.payload.card_id)?.entryId === entry.id) dotState.set(entry.payload.card_id, { state: "saved" });
    const found = findCard(entry.payload.card_id);
    announce(t("dotsRecorded", { count: entry.payload.dots, text: shorten(found?.card.text ?? "", 40) }));
  }
  renderAll();
}

// Refused changes other than a new card are shown where they belong and leave the outbox; a
// refused new card stays there (and in the list, with its text) until the assistant removes it.
function onOutbox({ entries }) {
  for (const entry of entries.filter((e) => e.error && e.event === "card:create" && !announcedFailures.has(e.id))) {
    announcedFailures.add(entry.id);
    const message = t("failed", { message: errorText(entry.error) });
    announce(message);
    flashFeedback(message, "error", entry.payload.client_id);
  }
  for (const entry of entries.filter((e) => e.error && e.event !== "card:create")) {
    if (entry.event === "vote:record") {
      dotState.set(entry.payload.card_id, { state: "error", message: t("dotsFailed", { message: errorText(entry.error) }) });
    } else {
      announce(t("updateFailed", { message: errorText(entry.error) }));
      flashFeedback(t("updateFailed", { message: errorText(entry.error) }), "error");
    }
    connection.discard(entry);
  }
  renderAll();
}

function renderAll() {
  const m = model();
  if (!m) return;
  const title = m.workshop.title;
  $("workshop-title").textContent = title;
  $("workshop-title-bar").textContent = title;
  document.title = `${t("pageTitle", { title })} · pinboard`;
  renderBoardPicker();
  renderClusterPicker();
  renderTabs();
  renderTyped();
  renderDots();
}

function wire() {
  ui.form.addEventListener("submit", submitEntry);
  ui.text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ui.form.requestSubmit();
    }
  });
  ui.text.addEventListener("input", () => {
    if (!ui.error.hidden && ui.text.value.trim()) setEntryError("");
  });
  ui.board.addEventListener("change", () => {
    const id = Number(ui.board.value);
    chosenBoardId = id === model()?.activeBoard()?.id ? null : id;
    renderAll();
  });
  const tabs = [$("tab-cards"), $("tab-dots")];
  tabs.forEach((tab, index) => {
    tab.addEventListener("click", () => selectTab(index === 0 ? "cards" : "dots"));
    tab.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
      event.preventDefault();
      selectTab(index === 0 ? "dots" : "cards", true);
    });
  });
}

function start() {
  wire();
  if (!assistantKey) {
    setStatus("refused");
    showFatal(t("noKeyTitle"), t("noKey"));
    return;
  }
  connection = new Connection({ auth: { workshop: workshopId, assistant_key: assistantKey }, outboxKey: OUTBOX_KEY });
  for (const entry of connection.outbox.entries) if (entry.error) announcedFailures.add(entry.id); // shown already
  followMethods(connection, () => {});
  connection.addEventListener("status", ({ detail }) => {
    setStatus(detail.status);
    renderAll();
  });
  connection.addEventListener("refused", ({ detail }) => {
    setStatus("refused");
    if (detail?.message === "deleted") {
      forgetTyping(); // the workshop is gone: so is what this device kept of it
      showFatal(t("deletedTitle"), t("deletedText"));
    } else showFatal(t("refusedTitle"), t("refusedText"));
  });
  connection.addEventListener("snapshot", () => renderAll());
  connection.addEventListener("change", ({ detail: message }) => {
    if (message.type === "vote.recorded") onRecordedEvent(message.data);
    renderAll();
  });
  connection.addEventListener("sent", ({ detail }) => onSent(detail));
  connection.addEventListener("outbox", ({ detail }) => onOutbox(detail));
  renderTyped();
  connection.start();
}

start();
