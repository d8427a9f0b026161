// The board screen: the projector's read-only view (/p/<id>#key=PROJECTOR_KEY) and the
// moderator's interactive board (/m/<id>/board#key=MODERATOR_KEY). Both show the active board
// (following board.activated) filling the screen: clusters in board order, the unsorted cards
// beside them, and the join panel with the QR code. The moderator's sorting tools live in
// board-moderator.js and are loaded only for the moderator. During a hidden card query a bar
// above the board says how many cards have come in (face down) and how many are done.
// User text (cards, names, titles) is only ever set with textContent.

import { Connection } from "./connection.js";
import { BoardView } from "./board-render.js";
import { FocusView } from "./board-focus.js";
import { announce, el, keyFromFragment, pageData, t } from "./page.js";

const data = pageData();
const workshopId = data.workshopId;
const role = data.role === "moderator" ? "moderator" : "projector";
const isModerator = role === "moderator";

const $ = (id) => document.getElementById(id);
const ui = {
  workshopTitle: $("workshop-title"),
  boardTitle: $("board-title"),
  lockedChip: $("locked-chip"),
  otherBoardChip: $("other-board-chip"),
  codeChip: $("code-chip"),
  participants: $("participants"),
  participantsText: $("participants-text"),
  status: $("status"),
  consoleLink: $("console-link"),
  joinToggle: $("join-toggle"),
  joinToggleText: $("join-toggle-text"),
  fullscreen: $("fullscreen"),
  fullscreenText: $("fullscreen-text"),
  message: $("board-message"),
  messageText: $("board-message-text"),
  layout: $("board-layout"),
  inbox: $("inbox"),
  inboxList: $("inbox-cards"),
  inboxCount: $("inbox-count"),
  clusters: $("clusters"),
  joinPanel: $("join-panel"),
  joinQr: $("join-qr"),
  joinUrl: $("join-url"),
  joinCode: $("join-code"),
  queryBar: $("query-bar"),
  queryCount: $("query-count"),
  queryDone: $("query-done"),
  focusOverlay: $("focus-overlay"),
  focusStage: $("focus-stage"),
};

// ---- the key -------------------------------------------------------------------------------
// The moderator's board is often what the room sees on the projector: the secret key is taken
// out of the address bar (and kept for this tab, so a reload still works).

function readKey() {
  const storageKey = `pinboard:key:${role}:${workshopId}`;
  const params = new URLSearchParams(window.location.hash.slice(1));
  const fromFragment = keyFromFragment();
  if (fromFragment && isModerator) {
    try {
      sessionStorage.setItem(storageKey, fromFragment);
      params.delete("key");
      const rest = params.toString();
      history.replaceState(null, "", window.location.pathname + window.location.search + (rest ? `#${rest}` : ""));
    } catch {
      // No session storage: the key stays in the address bar.
    }
  }
  if (fromFragment) return fromFragment;
  try {
    return sessionStorage.getItem(storageKey);
  } catch {
    return null;
  }
}

const key = readKey();
const requestedBoardId = Number(new URLSearchParams(window.location.hash.slice(1)).get("board")) || null;
let pinnedBoardId = isModerator ? requestedBoardId : null; // the console may open a board that is not active

// ---- connection, model and view --------------------------------------------------------------

const auth = { workshop: workshopId };
auth[isModerator ? "moderator_key" : "projector_key"] = key ?? "";
const connection = new Connection({ auth });

let model = null;
let loaded = false;
let frame = 0;
const arrived = new Set(); // ids of cards created since the page loaded, to animate once
const turned = new Set(); // ids of cards just revealed, to turn face up once

function currentBoard() {
  if (!model) return null;
  if (pinnedBoardId != null) {
    const pinned = model.board(pinnedBoardId);
    if (pinned) return pinned;
    pinnedBoardId = null;
  }
  return model.activeBoard();
}

let moderator = null;
if (isModerator) {
  const { ModeratorTools } = await import("./board-moderator.js");
  moderator = new ModeratorTools({ connection, currentBoard, requestRender: () => renderNow() });
}

// The timer and dot badges (static/js/board-voting.js).
import("./board-voting.js").then(({ attachMethods }) => attachMethods({ connection, currentBoard }));

const view = new BoardView(
  { layout: ui.layout, inbox: ui.inbox, inboxList: ui.inboxList, inboxCount: ui.inboxCount, clusters: ui.clusters },
  { interactive: isModerator, hooks: moderator?.hooks ?? {} },
);
moderator?.attach(view);

// A card animates once when it arrives or is turned face up: moving its element later (a card
// before it left its list) would play the animation again, unless it is marked as played.
ui.layout.addEventListener("animationend", (event) => {
  if (event.target.classList?.contains("card")) event.target.dataset.animated = "done";
});

// The card or cluster in focus, over the dimmed board; the board behind it takes no input.
const focusView = new FocusView({
  root: ui.focusOverlay,
  stage: ui.focusStage,
  onShow: (shown) => {
    ui.layout.inert = shown;
    ui.queryBar.inert = shown;
  },
});

function scheduleRender() {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    renderNow();
  });
}

function renderNow() {
  if (!model) return;
  focusView.render(model, { moderator: isModerator });
  if (moderator?.busy()) return; // a drag in progress: rendered when it ends
  const board = currentBoard();
  renderHeader(board);
  renderQuery(board);
  if (!board) {
    showMessage(t("noBoard"), "info");
    view.render(null);
    return;
  }
  hideMessage();
  view.render(board);
  for (const id of turned) {
    const entry = view.cardEntry(id);
    if (!entry) continue;
    entry.el.classList.remove("turned");
    delete entry.el.dataset.animated;
    void entry.el.offsetWidth; // restart the animation if the element was reused
    entry.el.classList.add("turned");
  }
  turned.clear();
  for (const id of arrived) {
    const entry = view.cardEntry(id);
    if (!entry) continue;
    entry.el.classList.remove("arrived");
    delete entry.el.dataset.animated;
    void entry.el.offsetWidth; // restart the animation if the element was reused
    entry.el.classList.add("arrived");
    if (!isModerator) entry.el.scrollIntoView({ block: "nearest", inline: "nearest" });
  }
  arrived.clear();
  moderator?.afterRender(board);
}

// ---- header --------------------------------------------------------------------------------

function renderHeader(board) {
  const workshop = model.workshop;
  ui.workshopTitle.textContent = workshop.title;
  ui.boardTitle.textContent = board ? board.title : workshop.title;
  document.title = `${board ? `${board.title} · ` : ""}${workshop.title} · pinboard`;
  ui.lockedChip.hidden = !board?.settings?.locked;
  ui.otherBoardChip.hidden = !board || board.id === model.workshop.active_board_id;
  renderParticipants();
  renderJoin(workshop.join_code);
}

function renderParticipants() {
  const count = model?.participantCount ?? 0;
  ui.participants.hidden = !model;
  ui.participantsText.textContent = count === 1 ? t("participantsOne") : t("participantsOther", { count });
}

// ---- the hidden card query ------------------------------------------------------------------

function renderQuery(board) {
  const hiddenCount = model && board ? model.hiddenCards(board).length : 0;
  const running = Boolean(board?.settings?.hidden);
  ui.queryBar.hidden = !board || (!running && hiddenCount === 0);
  moderator?.updateRevealAll(hiddenCount);
  if (ui.queryBar.hidden) return;
  ui.queryBar.classList.toggle("is-running", running);
  let count;
  if (hiddenCount > 0) count = hiddenCount === 1 ? t("cardsInOne") : t("cardsIn", { count: hiddenCount });
  else count = cardCount(board) > 0 ? t("allRevealed") : t("cardsInNone");
  ui.queryCount.textContent = count;
  ui.queryDone.hidden = !running;
  ui.queryDone.textContent = t("doneOf", { done: board.done_count ?? 0, total: model.participantCount ?? 0 });
}

function cardCount(board) {
  return board.unsorted.length + board.clusters.reduce((sum, cluster) => sum + cluster.cards.length, 0);
}

let shownCode = null;
function renderJoin(code) {
  if (!code || code === shownCode) return;
  shownCode = code;
  const path = `/j/${encodeURIComponent(code)}`;
  ui.joinQr.src = `${path}/qr.svg`;
  // The address phones can reach: the server's public address when the page has it (a board opened
  // on localhost shows the laptop's LAN address, like the QR code), else this page's own.
  let host = window.location.host;
  try {
    if (data.publicBaseUrl) host = new URL(data.publicBaseUrl).host;
  } catch {
    // keep this page's host
  }
  ui.joinUrl.replaceChildren(el("span", {}, host), el("wbr"), el("span", {}, path));
  ui.joinCode.textContent = code;
  ui.codeChip.textContent = t("codeChip", { code });
  updateJoinVisibility();
}

function showMessage(text, kind) {
  ui.message.hidden = false;
  ui.messageText.className = `banner ${kind}`;
  ui.messageText.textContent = text;
  ui.layout.hidden = true;
}

function hideMessage() {
  ui.message.hidden = true;
  ui.layout.hidden = false;
}

function setStatus(status) {
  ui.status.dataset.status = status;
  ui.status.textContent = t(status);
}

// ---- join panel (shown or hidden, remembered per workshop and screen) ---------------------------

const joinStorageKey = `pinboard:board:${workshopId}:${role}:join`;
let joinHidden = false;
try {
  joinHidden = localStorage.getItem(joinStorageKey) === "hidden";
} catch {
  joinHidden = false;
}

function updateJoinVisibility() {
  ui.joinPanel.hidden = joinHidden;
  ui.layout.classList.toggle("join-hidden", joinHidden);
  ui.joinToggle.setAttribute("aria-expanded", String(!joinHidden));
  ui.joinToggleText.textContent = joinHidden ? t("showJoin") : t("hideJoin");
  ui.codeChip.hidden = !joinHidden || !shownCode;
}

ui.joinToggle.addEventListener("click", () => {
  joinHidden = !joinHidden;
  try {
    localStorage.setItem(joinStorageKey, joinHidden ? "hidden" : "shown");
  } catch {
    // Not remembered, but still toggled.
  }
  updateJoinVisibility();
});
updateJoinVisibility();

// ---- full screen ---------------------------------------------------------------------------

if (document.fullscreenEnabled) {
  ui.fullscreen.hidden = false;
  ui.fullscreen.addEventListener("click", () => {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else document.documentElement.requestFullscreen().catch(() => {});
  });
  document.addEventListener("fullscreenchange", () => {
    const on = Boolean(document.fullscreenElement);
    ui.fullscreenText.textContent = on ? t("exitFullscreen") : t("fullscreen");
    document.body.classList.toggle("is-fullscreen", on);
  });
}

// ---- the moderator's console link (a button: no link target shown on hover on the projector) --

if (ui.consoleLink && key) {
  ui.consoleLink.hidden = false;
  ui.consoleLink.addEventListener("click", (event) => {
    event.preventDefault();
    window.location.assign(`/m/${encodeURIComponent(workshopId)}#key=${encodeURIComponent(key)}`);
  });
}

// ---- events --------------------------------------------------------------------------------

connection.addEventListener("status", (event) => setStatus(event.detail.status));

function refused() {
  setStatus("refused");
  showMessage(isModerator && !key ? t("refusedModerator") : t("refusedText"), "error");
}

connection.addEventListener("refused", refused);

connection.addEventListener("snapshot", (event) => {
  model = event.detail.model;
  loaded = true;
  renderNow();
});

connection.addEventListener("change", (event) => {
  const message = event.detail;
  if (!loaded) return;
  if (message.type === "card.created") {
    const card = message.data.card;
    if (card.board_id === currentBoard()?.id) {
      arrived.add(card.id);
      announce(card.hidden ? t("newHiddenCard") : t("newCard", { text: card.text }));
    }
  } else if (message.type === "cards.revealed") {
    if (message.data.board_id === currentBoard()?.id) {
      for (const card of message.data.cards) turned.add(card.id);
      const count = message.data.cards.length;
      announce(count === 1 ? t("revealedOne") : t("revealed", { count }));
    }
  } else if (message.type === "board.activated") {
    pinnedBoardId = null; // the moderator switched boards: follow, like everyone else
  }
  scheduleRender();
});

connection.addEventListener("presence", () => {
  renderParticipants();
  if (model && !moderator?.busy()) renderQuery(currentBoard());
});

if (!key) {
  refused();
} else {
  connection.start();
}
