// The participant's phone: join once (name optional), then post cards to the board the
// moderator made active, and edit or delete one's own cards. Everything typed goes through the
// connection's persistent outbox, so a card written in a dead spot of the venue's Wi-Fi is sent,
// exactly once, when the phone is back online, even after a reload.
// During a hidden card query the participant's cards stay hidden from everyone but them and the
// moderator; "I'm done" tells the moderator how many have finished (never who).
// The focus, the timer and dot voting are participant-methods.js's part of the page.
// User text (cards, names, titles) is only ever set with textContent (el() does that).

import { Connection } from "./connection.js";
import { announce, el, pageData, t } from "./page.js";
import { PhoneMethods } from "./participant-methods.js";

const MAX_CHARS = 500;
const NEAR_LIMIT = 450;
const SHOW_WAITING_AFTER_MS = 2000;

const data = pageData();
const workshopId = data.workshopId;
const identityKey = `pinboard:participant:${workshopId}`;
const orphansKey = `pinboard:orphans:${workshopId}`; // unsent cards of a previous identity
const nameKey = "pinboard:name"; // the last name used on this device, offered next time
const outboxKeyOf = (participantId) => `pinboard:outbox:${workshopId}:${participantId}`;

const $ = (id) => document.getElementById(id);
const ui = {
  workshopTitle: $("workshop-title"),
  boardTitle: $("board-title"),
  status: $("status"),
  welcome: $("welcome"),
  welcomeNotice: $("welcome-notice"),
  joinForm: $("join-form"),
  joinName: $("join-name"),
  joinError: $("join-error"),
  joinButton: $("join-button"),
  joined: $("joined"),
  lockedBanner: $("locked-banner"),
  lockedSorting: $("locked-sorting"),
  lockedTimeUp: $("locked-time-up"),
  noBoard: $("no-board"),
  composer: $("composer"),
  text: $("card-text"),
  counter: $("card-counter"),
  clusterField: $("cluster-field"),
  cluster: $("card-cluster"),
  post: $("post-button"),
  outboxNote: $("outbox-note"),
  list: $("my-cards"),
  listHeading: $("my-cards-heading"),
  listEmpty: $("my-cards-empty"),
  listCount: $("my-cards-count"),
  identityText: $("identity-text"),
  leaveOpen: $("leave-open"),
  leavePanel: $("leave-panel"),
  leaveWarning: $("leave-warning"),
  leaveConfirm: $("leave-confirm"),
  leaveCancel: $("leave-cancel"),
  queryBanner: $("query-banner"),
  colorField: $("color-field"),
  donePanel: $("done-panel"),
  doneAsk: $("done-ask"),
  doneYes: $("done-yes"),
  doneButton: $("done-button"),
  undoneButton: $("undone-button"),
  doneCount: $("done-count"),
  doneError: $("done-error"),
};

// ---- storage -----------------------------------------------------------------------------

function readJSON(key, fallback = null) {
  try {
    const raw = localStorage.getItem(key);
    return raw == null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

function writeJSON(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Private mode or full storage: the page still works until it is closed.
  }
}

function forget(key) {
  try {
    localStorage.removeItem(key);
  } catch {
    // nothing to do
  }
}

function rememberedName() {
  try {
    return localStorage.getItem(nameKey) || "";
  } catch {
    return "";
  }
}

// ---- state -------------------------------------------------------------------------------

let identity = null; // {token, participantId, name}
let connection = null;
let status = "connecting";
let lastBoardId = null;
let lastLocked = null;
let lastHidden = null;
let doneSending = false;
let acked = []; // changes the server confirmed whose event this replica has not applied yet
const drafts = new Map(); // item key -> text being edited
const confirmingDelete = new Set(); // item keys showing the delete question
const rendered = new Map(); // item key -> {node, signature, state}
const knownFailures = new Set(); // outbox entry ids whose failure was announced
let focusAfterRender = null; // {key, action}
let waitingTimer = null;
const methods = new PhoneMethods({ render: () => renderAll() });

const codePoints = (text) => [...text].length;

function model() {
  return connection?.model ?? null;
}

function activeBoard() {
  return model()?.activeBoard() ?? null;
}

function isLocked(board = activeBoard()) {
  return Boolean(board?.settings?.locked);
}

// ---- screens -----------------------------------------------------------------------------

function showWelcome(notice = "", name = rememberedName()) {
  ui.joined.hidden = true;
  ui.welcome.hidden = false;
  ui.status.hidden = true;
  ui.boardTitle.hidden = true;
  ui.workshopTitle.textContent = "pinboard";
  ui.workshopTitle.classList.add("brand");
  ui.welcomeNotice.textContent = notice;
  ui.welcomeNotice.hidden = !notice;
  ui.joinError.hidden = true;
  ui.joinButton.disabled = false;
  ui.joinName.value = name;
}

function showJoined() {
  ui.welcome.hidden = true;
  ui.joined.hidden = false;
  ui.status.hidden = false;
  ui.leavePanel.hidden = true;
  ui.leaveOpen.setAttribute("aria-expanded", "false");
  ui.identityText.textContent = identity.name ? t("postingAs", { name: identity.name }) : t("postingAnonymously");
  renderStatus();
  renderAll();
}

// ---- joining and leaving -----------------------------------------------------------------

async function join(name) {
  ui.joinError.hidden = true;
  ui.joinButton.disabled = true;
  const label = ui.joinButton.textContent;
  ui.joinButton.textContent = t("joining");
  const fail = (message) => {
    ui.joinButton.disabled = false;
    ui.joinButton.textContent = label;
    ui.joinError.textContent = message;
    ui.joinError.hidden = false;
  };
  let response;
  try {
    response = await fetch("/api/join", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code: data.joinCode, name }),
    });
  } catch {
    fail(t("joinNetwork"));
    return;
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.status === 404) {
    fail(t("joinClosed"));
    return;
  }
  if (!response.ok || !body?.participant_token) {
    fail(t("joinFailed", { message: body?.error?.message ?? response.statusText }));
    return;
  }
  ui.joinButton.textContent = label;
  identity = { token: body.participant_token, participantId: body.participant_id, name };
  writeJSON(identityKey, identity);
  try {
    localStorage.setItem(nameKey, name);
  } catch {
    // not remembered; fine
  }
  adoptOrphans();
  enter();
  ui.text.focus();
}

// Unsent cards of an identity this device gave up (left, or the token was refused) are sent
// under the new identity; their client_id keeps a card that did arrive from arriving twice.
function adoptOrphans() {
  const orphans = readJSON(orphansKey, []);
  if (!orphans.length) return;
  const key = outboxKeyOf(identity.participantId);
  writeJSON(key, [...readJSON(key, []), ...orphans]);
  forget(orphansKey);
}

function abandonIdentity() {
  if (connection) {
    connection.close();
    const unsent = connection.outbox.entries.filter((entry) => entry.event === "card:create");
    if (unsent.length) writeJSON(orphansKey, [...readJSON(orphansKey, []), ...unsent]);
    forget(connection.outbox.storageKey);
  }
  forget(identityKey);
  connection = null;
  methods.forget();
  acked = [];
  drafts.clear();
  confirmingDelete.clear();
  rendered.clear();
  knownFailures.clear();
  ui.list.replaceChildren();
  lastBoardId = null;
  lastLocked = null;
  lastHidden = null;
}

function enter() {
  status = "connecting";
  connection = new Connection({
    auth: { workshop: workshopId, token: identity.token },
    outboxKey: outboxKeyOf(identity.participantId),
  });
  // Failures kept from an earlier visit are on screen already; announce only new ones.
  for (const entry of connection.outbox.entries) if (entry.error) knownFailures.add(entry.id);
  const current = connection;
  const mine = (handler) => (event) => {
    if (connection === current) handler(event);
  };
  methods.follow(connection); // first: votes and timers are applied before the page renders
  connection.addEventListener("status", mine(({ detail }) => {
    status = detail.status;
    renderStatus();
    renderAll();
  }));
  connection.addEventListener("snapshot", mine(() => renderAll()));
  connection.addEventListener("change", mine(({ detail }) => onChange(detail)));
  connection.addEventListener("presence", mine(() => renderAll()));
  connection.addEventListener("outbox", mine(({ detail }) => onOutbox(detail.entries)));
  connection.addEventListener("sent", mine(({ detail }) => onSent(detail)));
  connection.addEventListener("refused", mine(() => {
    const name = identity?.name ?? "";
    abandonIdentity();
    identity = null;
    showWelcome(t("sessionEnded"), name);
  }));
  showJoined();
  connection.start();
}

// ---- connection events -------------------------------------------------------------------

function onChange(message) {
  if (message.type === "cards.revealed" && message.data.board_id === activeBoard()?.id) {
    const me = identity?.participantId;
    if (message.data.cards.some((card) => card.author_id === me)) announce(t("announceRevealed"));
  }
  if (message.type === "board.activated") {
    const board = activeBoard();
    if (board && board.id !== lastBoardId && lastBoardId != null) {
      announce(t("announceBoard", { board: board.title }));
    }
  }
  renderAll();
}

function onSent({ entry, ack }) {
  const seq = ack?.seq ?? null;
  if (seq != null && model() && seq > model().seq) acked.push({ seq, entry, data: ack.data });
  // Our own card, whole: during a hidden card query the live event brings only a placeholder.
  if (ack?.ok && (entry.event === "card:create" || entry.event === "card:update")) model()?.keepOwnCard(ack.data);
  if (entry.event === "card:create") {
    announce(t("announcePosted"));
  } else if (entry.event === "card:update") {
    announce(t("announceUpdated"));
  } else if (entry.event === "card:delete") {
    announce(t("announceDeleted"));
  }
  renderAll();
}

function onOutbox(entries) {
  for (const entry of entries) {
    if (entry.error && !knownFailures.has(entry.id)) {
      knownFailures.add(entry.id);
      announce(t("announceFailed", { message: entry.error.message }));
    }
  }
  clearTimeout(waitingTimer);
  if (entries.some((entry) => !entry.error)) {
    waitingTimer = setTimeout(renderOutboxNote, SHOW_WAITING_AFTER_MS + 50);
  }
  renderAll();
}

// ---- rendering ---------------------------------------------------------------------------

function renderStatus() {
  ui.status.dataset.status = status;
  ui.status.textContent = t(status);
}

function renderAll() {
  if (!connection || !identity) return;
  const board = activeBoard();
  renderHeader(board);
  renderBoardState(board);
  renderClusterPicker(board);
  renderColorPicker(board);
  renderComposer();
  renderDone(board);
  renderOutboxNote();
  renderList(board);
  methods.update({ model: model(), board, status });
}

function renderHeader(board) {
  const current = model();
  ui.workshopTitle.textContent = current?.workshop?.title ?? "pinboard";
  ui.workshopTitle.classList.toggle("brand", !current);
  ui.boardTitle.textContent = board?.title ?? "";
  ui.boardTitle.hidden = !board;
  document.title = board ? `${board.title} · ${current.workshop.title}` : document.title;
}

function renderBoardState(board) {
  const locked = isLocked(board);
  ui.lockedBanner.hidden = !locked;
  // Locked by the timer at its end: say that, not that the moderator is sorting.
  const timeUp = board?.timer?.state === "ended" && Boolean(board.timer.lock_on_end);
  ui.lockedSorting.hidden = timeUp;
  ui.lockedTimeUp.hidden = !timeUp;
  ui.noBoard.hidden = !(model() && !board);
  if (board && lastBoardId === board.id && lastLocked !== null && locked !== lastLocked) {
    announce(t(locked ? "announceLocked" : "announceUnlocked"));
  }
  const hidden = Boolean(board?.settings?.hidden);
  ui.queryBanner.hidden = !hidden;
  if (board && lastBoardId === board.id && lastHidden !== null && hidden && !lastHidden) announce(t("announceQuery"));
  lastBoardId = board?.id ?? lastBoardId;
  lastLocked = board ? locked : lastLocked;
  lastHidden = board ? hidden : lastHidden;
}

function renderColorPicker(board) {
  ui.colorField.hidden = !board?.settings?.participants_choose_color;
}

function chosenColor() {
  if (ui.colorField.hidden) return null;
  return ui.colorField.querySelector("input[name=color]:checked")?.value ?? null;
}

// "I'm done": shown during a hidden card query; the board says how many are done.
function renderDone(board) {
  const show = Boolean(board?.settings?.hidden);
  ui.donePanel.hidden = !show;
  if (!show) return;
  const done = Boolean(board.done);
  ui.doneAsk.hidden = done;
  ui.doneYes.hidden = !done;
  ui.doneButton.disabled = doneSending || status !== "online";
  ui.undoneButton.disabled = doneSending || status !== "online";
  ui.doneCount.textContent = t("doneOf", { done: board.done_count ?? 0, total: model()?.participantCount ?? 0 });
}

async function sayDone(done) {
  const board = activeBoard();
  if (!connection || !board || doneSending) return;
  doneSending = true;
  ui.doneError.hidden = true;
  renderAll();
  const ack = await connection.call("participant:done", { board_id: board.id, done });
  doneSending = false;
  const current = model()?.board(board.id);
  if (ack.ok && current) {
    current.done = ack.data.done;
    if (ack.seq == null || ack.seq > model().seq) current.done_count = ack.data.done_count;
    announce(t(done ? "announceDone" : "announceNotDone"));
  } else if (!ack.ok) {
    ui.doneError.textContent = t("doneFailed", { message: ack.error?.message ?? "" });
    ui.doneError.hidden = false;
  }
  renderAll();
  (done ? ui.undoneButton : ui.doneButton).focus();
}

function renderClusterPicker(board) {
  const choose = Boolean(board?.settings?.participants_choose_cluster) && board.clusters.length > 0;
  ui.clusterField.hidden = !choose;
  if (!choose) return;
  const numbered = Boolean(board.settings.numbered_clusters);
  const signature = JSON.stringify([board.id, numbered, board.clusters.map((c) => [c.id, c.name])]);
  if (ui.cluster.dataset.signature === signature) return;
  const previous = ui.cluster.value;
  ui.cluster.replaceChildren(
    el("option", { value: "" }, t("unsorted")),
    ...board.clusters.map((cluster, index) =>
      el("option", { value: cluster.id }, numbered ? `${index + 1}. ${cluster.name}` : cluster.name),
    ),
  );
  ui.cluster.value = board.clusters.some((c) => String(c.id) === previous) ? previous : "";
  ui.cluster.dataset.signature = signature;
}

function counterState(count) {
  if (count > MAX_CHARS) return "over";
  if (count >= NEAR_LIMIT) return "near";
  return "ok";
}

function renderCounter(counter, count) {
  const state = counterState(count);
  counter.dataset.state = state;
  counter.textContent = t(state === "over" ? "tooLong" : "counter", { count, max: MAX_CHARS });
  return state;
}

function renderComposer() {
  const count = codePoints(ui.text.value.trim());
  const state = renderCounter(ui.counter, count);
  const board = activeBoard();
  ui.post.disabled = !board || isLocked(board) || count === 0 || state === "over";
  ui.text.setAttribute("aria-invalid", state === "over" ? "true" : "false");
}

function renderOutboxNote() {
  const pending = connection ? connection.outbox.pending() : [];
  const old = pending.some((entry) => Date.now() - entry.queuedAt >= SHOW_WAITING_AFTER_MS);
  const show = pending.length > 0 && (status !== "online" || old);
  ui.outboxNote.hidden = !show;
  if (!show) return;
  const count = pending.length === 1 ? t("waiting1") : t("waitingMany", { count: pending.length });
  ui.outboxNote.textContent = status === "online" ? count : `${count} ${t("waitingOffline")}`;
}

// The list: the participant's cards on the active board, newest first, merged from the
// replica, the changes the server confirmed but whose events have not arrived yet, and the
// outbox (pending and failed entries). One item per card: a queued card:create whose client_id
// is already in the replica is the same card.
function listItems(board) {
  const current = model();
  if (!current || !board) return [];
  const me = identity.participantId;
  acked = acked.filter((a) => a.seq > current.seq);
  const entries = connection.outbox.entries;

  const myCards = current.cardsBy(me);
  const knownClientIds = new Set(myCards.map((card) => card.client_id).filter(Boolean));
  const ackedOf = (event) => acked.filter((a) => a.entry.event === event);
  const ackedCreates = ackedOf("card:create").filter((a) => !knownClientIds.has(a.data?.client_id));
  for (const a of ackedCreates) knownClientIds.add(a.data.client_id);
  const ackedUpdates = new Map(ackedOf("card:update").map((a) => [a.data.id, a.data]));
  const ackedDeletes = new Set(ackedOf("card:delete").map((a) => a.entry.payload.card_id));

  const pendingUpdate = new Map();
  const pendingDelete = new Set();
  for (const entry of entries) {
    if (entry.error) continue;
    if (entry.event === "card:update") pendingUpdate.set(entry.payload.card_id, entry);
    if (entry.event === "card:delete") pendingDelete.add(entry.payload.card_id);
  }

  const items = [];
  // Failed entries first: they need the participant's attention.
  for (const entry of [...entries].reverse()) {
    if (!entry.error) continue;
    if (entry.event === "card:create" && knownClientIds.has(entry.payload.client_id)) continue;
    const card = entry.payload.card_id != null ? current.card(entry.payload.card_id) : null;
    items.push({
      key: `e:${entry.id}`,
      state: "failed",
      entry,
      text: entry.payload.text ?? card?.text ?? "",
      color: card?.color ?? entry.payload.color ?? "yellow",
      boardId: entry.payload.board_id ?? card?.board_id,
    });
  }
  // Cards still on their way, newest first.
  for (const entry of [...entries].reverse()) {
    if (entry.error || entry.event !== "card:create" || knownClientIds.has(entry.payload.client_id)) continue;
    items.push({
      key: `c:${entry.payload.client_id}`,
      state: "pending",
      entry,
      text: entry.payload.text,
      color: entry.payload.color ?? "yellow",
      boardId: entry.payload.board_id,
      clusterId: entry.payload.cluster_id ?? null,
    });
  }
  // Confirmed cards of the active board, newest first.
  const cards = [...myCards, ...ackedCreates.map((a) => a.data)]
    .filter((card) => card.board_id === board.id && !ackedDeletes.has(card.id))
    .sort((a, b) => (b.created_at || "").localeCompare(a.created_at || "") || b.id - a.id);
  for (const card of cards) {
    const update = pendingUpdate.get(card.id);
    const confirmed = ackedUpdates.get(card.id) ?? card;
    let state = "confirmed";
    if (pendingDelete.has(card.id)) state = "deleting";
    else if (update) state = "saving";
    items.push({
      key: card.client_id ? `c:${card.client_id}` : `k:${card.id}`,
      state,
      card,
      text: update?.payload.text ?? confirmed.text,
      color: confirmed.color ?? "yellow",
      boardId: card.board_id,
      clusterId: card.cluster_id,
      hidden: Boolean(confirmed.hidden ?? card.hidden),
      stack: stackCount(card),
    });
  }
  return items;
}

// How many cards lie in the stack this card belongs to (0: none): the moderator may stack a
// participant's card onto another that says the same.
function stackCount(card) {
  const top = card.stacked_on_id != null ? model()?.topOf(card.id) : card;
  const size = 1 + (top?.stack?.length ?? 0);
  return size > 1 ? size : 0;
}

// Where the card is, once the moderator (or the participant) put it in a cluster.
function clusterName(board, clusterId) {
  if (clusterId == null) return null;
  return board?.clusters.find((c) => c.id === clusterId)?.name ?? null;
}

function timeOf(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const locale = document.documentElement.lang || undefined;
  return date.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
}

function renderList(board) {
  const items = listItems(board);
  const locked = isLocked(board);
  const active = document.activeElement;
  const seen = new Set();
  const current = model();

  items.forEach((item, index) => {
    seen.add(item.key);
    const elsewhere = item.boardId != null && board && item.boardId !== board.id;
    const otherBoard = elsewhere ? current.board(item.boardId) : null;
    const cluster = otherBoard ? null : clusterName(board, item.clusterId);
    const signature = JSON.stringify([
      item.state, item.text, item.color, item.hidden, item.stack, item.entry?.error?.message, cluster, otherBoard?.title,
      item.card?.created_at, locked, status === "online", drafts.has(item.key), confirmingDelete.has(item.key),
    ]);
    const previous = rendered.get(item.key);
    let node = previous?.node;
    if (!previous || previous.signature !== signature) {
      const hadFocus = previous && previous.node.contains(active) ? active.dataset.action : null;
      node = buildItem(item, { locked, cluster, otherBoard });
      if (previous?.state === "pending" && item.state === "confirmed") node.classList.add("arrived");
      if (previous) previous.node.replaceWith(node);
      rendered.set(item.key, { node, signature, state: item.state });
      const wanted = focusAfterRender?.key === item.key ? focusAfterRender.action : hadFocus;
      if (wanted) {
        // Keep the keyboard where it was: on the same control of the rebuilt card.
        queueMicrotask(() => (node.querySelector(`[data-action="${wanted}"]:not(:disabled)`) ?? node).focus());
      }
    }
    const at = ui.list.children[index];
    if (at !== node) ui.list.insertBefore(node, at ?? null);
  });
  for (const [key, entry] of rendered) {
    if (seen.has(key)) continue;
    const hadFocus = entry.node.contains(active);
    entry.node.remove();
    rendered.delete(key);
    drafts.delete(key);
    confirmingDelete.delete(key);
    if (hadFocus) ui.listHeading.focus();
  }
  focusAfterRender = null;

  const shown = items.filter((item) => item.state !== "failed").length;
  ui.listEmpty.hidden = items.length > 0;
  ui.listCount.textContent = shown === 0 ? "" : shown === 1 ? t("cardCount1") : t("cardCount", { count: shown });
}

function stateLabel(item) {
  switch (item.state) {
    case "pending":
      return status === "online" ? t("sending") : t("waiting");
    case "saving":
      return t("saving");
    case "deleting":
      return t("deleting");
    case "failed":
      return item.entry.event === "card:delete"
        ? t("failedDelete", { message: item.entry.error.message })
        : t("failed", { message: item.entry.error.message });
    default: {
      const time = timeOf(item.card?.created_at);
      return time ? t("postedAt", { time }) : t("posted");
    }
  }
}

// A small text button of a card; data-action lets a rebuilt card get the keyboard focus back.
function button(action, label, onclick, options = {}) {
  const attributes = { type: "button", class: options.class ?? "quiet", "data-action": action };
  return el("button", { ...attributes, disabled: options.disabled, onclick }, label);
}

function buildItem(item, { locked, cluster, otherBoard }) {
  const editing = drafts.has(item.key);
  const meta = [];
  if (item.hidden) meta.push(el("span", { class: "hidden-chip" }, t("hiddenUntilRevealed")));
  if (item.stack) meta.push(el("span", { class: "stack-chip" }, t("inStack", { count: item.stack })));
  if (otherBoard) meta.push(el("span", { class: "where" }, t("onBoard", { board: otherBoard.title })));
  else if (cluster) meta.push(el("span", { class: "where" }, t("inCluster", { cluster })));

  const node = el("li", {
    class: "card my-card",
    tabindex: "-1",
    dataset: { color: item.color, state: item.state, key: item.key },
  });
  if (editing) {
    node.append(buildEditor(item, locked));
    return node;
  }
  node.append(el("p", { class: "card-text" }, item.text));
  const info = el(
    "div",
    { class: "card-meta" },
    el("span", { class: "card-state", role: item.state === "failed" ? "alert" : null }, stateLabel(item)),
    ...meta,
  );

  if (item.state === "failed") {
    node.append(
      info,
      el(
        "div",
        { class: "card-actions" },
        item.text ? button("copy", t("copy"), () => copyText(item.text, node)) : null,
        button("retry", t("retry"), () => retry(item.entry)),
        button("dismiss", t("dismiss"), () => dismiss(item.entry)),
      ),
    );
  } else if (item.card) {
    const busy = locked || item.state !== "confirmed";
    if (confirmingDelete.has(item.key) && !busy) {
      node.append(
        info,
        el(
          "div",
          { class: "card-actions confirm-delete", role: "group", "aria-label": t("deleteQuestion") },
          el("span", { class: "question" }, t("deleteQuestion")),
          button("confirm-delete", t("deleteConfirm"), () => removeCard(item), { class: "danger" }),
          button("cancel-delete", t("cancel"), () => cancelDelete(item)),
        ),
      );
    } else {
      // State on the left, the actions on the right of the same line where they fit.
      node.append(
        el(
          "div",
          { class: "card-foot" },
          info,
          el(
            "div",
            { class: "card-actions" },
            button("edit", t("edit"), () => startEdit(item), { disabled: busy }),
            button("delete", t("delete"), () => askDelete(item), { class: "quiet danger", disabled: busy }),
          ),
        ),
      );
    }
  } else {
    node.append(info);
  }
  return node;
}

function buildEditor(item, locked) {
  const id = `edit-${item.card.id}`;
  const counter = el("span", { class: "counter", id: `${id}-counter` });
  const area = el("textarea", { id, rows: 4, "aria-describedby": `${id}-counter`, "data-action": "edit-text" });
  area.value = drafts.get(item.key);
  const save = el("button", { type: "submit", class: "primary", "data-action": "save" }, t("save"));
  const update = () => {
    drafts.set(item.key, area.value);
    const count = codePoints(area.value.trim());
    const state = renderCounter(counter, count);
    save.disabled = locked || count === 0 || state === "over";
    area.setAttribute("aria-invalid", state === "over" ? "true" : "false");
  };
  area.addEventListener("input", update);
  area.addEventListener("keydown", (event) => {
    if (event.key === "Escape") cancelEdit(item);
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      save.click();
    }
  });
  update();
  const form = el(
    "form",
    { class: "card-editor", novalidate: true, onsubmit: (event) => { event.preventDefault(); saveEdit(item); } },
    el("label", { for: id, class: "visually-hidden" }, t("editLabel")),
    area,
    el("div", { class: "composer-meta" }, counter),
    el(
      "div",
      { class: "card-actions" },
      save,
      button("cancel-edit", t("cancel"), () => cancelEdit(item)),
    ),
  );
  return form;
}

// ---- actions -----------------------------------------------------------------------------

function post() {
  const board = activeBoard();
  const text = ui.text.value.trim();
  const count = codePoints(text);
  if (!connection || !board || isLocked(board) || count === 0 || count > MAX_CHARS) return;
  const payload = { board_id: board.id, text };
  if (!ui.clusterField.hidden && ui.cluster.value !== "") payload.cluster_id = Number(ui.cluster.value);
  const color = chosenColor();
  if (color) payload.color = color;
  ui.text.value = "";
  connection.send("card:create", payload);
  if (status !== "online") announce(t("announceQueued"));
  renderComposer();
  ui.text.focus();
}

function startEdit(item) {
  drafts.set(item.key, item.text);
  confirmingDelete.delete(item.key);
  focusAfterRender = { key: item.key, action: "edit-text" };
  renderAll();
}

function cancelEdit(item) {
  drafts.delete(item.key);
  focusAfterRender = { key: item.key, action: "edit" };
  renderAll();
}

function saveEdit(item) {
  const text = (drafts.get(item.key) ?? "").trim();
  const count = codePoints(text);
  if (count === 0 || count > MAX_CHARS || isLocked()) return;
  drafts.delete(item.key);
  if (text !== item.text) connection.send("card:update", { card_id: item.card.id, text });
  focusAfterRender = { key: item.key, action: "edit" };
  renderAll();
}

function askDelete(item) {
  confirmingDelete.add(item.key);
  focusAfterRender = { key: item.key, action: "cancel-delete" };
  renderAll();
}

function cancelDelete(item) {
  confirmingDelete.delete(item.key);
  focusAfterRender = { key: item.key, action: "delete" };
  renderAll();
}

function removeCard(item) {
  confirmingDelete.delete(item.key);
  connection.send("card:delete", { card_id: item.card.id });
}

function retry(entry) {
  knownFailures.delete(entry.id);
  connection.discard(entry);
  connection.send(entry.event, entry.payload);
}

function dismiss(entry) {
  knownFailures.delete(entry.id);
  connection.discard(entry);
}

async function copyText(text, node) {
  let copied = false;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      copied = true;
    }
  } catch {
    copied = false;
  }
  if (!copied) {
    // Plain HTTP on the venue's network has no Clipboard API: copy from a hidden textarea.
    const scratch = el("textarea", { class: "copy-scratch", readonly: true, "aria-hidden": "true" });
    scratch.value = text;
    const focused = document.activeElement;
    document.body.append(scratch);
    scratch.select();
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
    scratch.remove();
    focused?.focus();
  }
  if (copied) {
    announce(t("copied"));
  } else {
    const target = node.querySelector(".card-text");
    if (target) window.getSelection()?.selectAllChildren(target);
    announce(t("copyFailed"));
  }
}

// ---- wiring ------------------------------------------------------------------------------

ui.joinForm.addEventListener("submit", (event) => {
  event.preventDefault();
  join(ui.joinName.value.trim());
});

ui.composer.addEventListener("submit", (event) => {
  event.preventDefault();
  post();
});

ui.text.addEventListener("input", renderComposer);
ui.text.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    post();
  }
});

ui.doneButton.addEventListener("click", () => sayDone(true));
ui.undoneButton.addEventListener("click", () => sayDone(false));

ui.leaveOpen.addEventListener("click", () => {
  const open = ui.leavePanel.hidden;
  ui.leavePanel.hidden = !open;
  ui.leaveOpen.setAttribute("aria-expanded", String(open));
  const waiting = connection ? connection.outbox.pending().filter((e) => e.event === "card:create").length : 0;
  ui.leaveWarning.hidden = waiting === 0;
  ui.leaveWarning.textContent = waiting ? t("leaveWaiting", { count: waiting }) : "";
  if (open) ui.leaveCancel.focus();
});

ui.leaveCancel.addEventListener("click", () => {
  ui.leavePanel.hidden = true;
  ui.leaveOpen.setAttribute("aria-expanded", "false");
  ui.leaveOpen.focus();
});

ui.leaveConfirm.addEventListener("click", () => {
  const name = identity?.name ?? "";
  abandonIdentity();
  identity = null;
  showWelcome("", name);
  ui.joinName.focus();
  ui.joinName.select();
});

identity = readJSON(identityKey);
if (identity?.token && identity.participantId != null) {
  enter();
} else {
  identity = null;
  showWelcome();
}
