// The moderator's tools on the board: drag cards between clusters and the unsorted cards
// (SortableJS, mouse and touch), a keyboard path for every move (a card dialog on Enter/Space,
// Alt+arrow keys), adding, renaming, restyling, reordering and deleting clusters and giving them
// headlines, the cards' colours, editing and deleting cards, revealing the hidden cards of a
// hidden card query, stacking duplicates (also by dropping a card onto another), paper cards and
// wall dots, the focus, undo and redo.
// Whatever the server answers, the board is drawn again from the model: the server's order wins.

import Sortable from "../vendor/sortablejs-1.15.7/sortable.esm.js";
import { announce, el, t } from "./page.js";
import { clusterMethods } from "./board-clusters.js";
import { keyboardMethods } from "./board-keyboard.js";
import { cardToolMethods } from "./board-card-tools.js";
import { stackingMethods } from "./board-stacking.js";
import { historyMethods } from "./board-history.js";
import { paperMethods } from "./board-paper.js";

const SEQ_WAIT_MS = 2000;
const TOAST_MS = 6000;
const $ = (id) => document.getElementById(id);

export class ModeratorTools {
  constructor({ connection, currentBoard, requestRender }) {
    this.connection = connection;
    this.currentBoard = currentBoard;
    this.requestRender = requestRender;
    this.view = null;
    this.dragging = false;
    this.pending = 0; // card moves sent and not yet drawn
    this.sortables = new Map(); // list element -> Sortable
    this.moveCardId = null;
    this.deleteClusterId = null;
    this.hooks = {
      containerCreated: (list) => this.makeSortable(list),
      containerRemoved: (list) => this.dropSortable(list),
      clusterCreated: (entry) => this.decorateCluster(entry),
      clusterUpdated: (entry, cluster, index, total) => this.updateCluster(entry, cluster, index, total),
    };
    this.setUpAddCluster();
    this.setUpMoveDialog();
    this.setUpDeleteDialog();
    this.setUpCardTools();
    this.setUpStacking();
    this.setUpHistory();
    this.setUpPaperCards();
    $("focus-end").addEventListener("click", () => this.endFocus());
  }

  attach(view) {
    this.view = view;
    const layout = $("board-layout");
    layout.addEventListener("keydown", (event) => this.onCardKey(event));
    layout.addEventListener("dblclick", (event) => {
      const card = event.target.closest?.(".card");
      if (!card || this.picking() || this.pickedClick) return;
      this.openMoveDialog(Number(card.dataset.cardId));
    });
    this.clusterSortable = Sortable.create(view.refs.clusters, {
      group: "clusters",
      draggable: ".cluster",
      handle: ".area-head",
      filter: "button, select, input, label, .rename-form",
      preventOnFilter: false,
      animation: 150,
      forceFallback: true,
      fallbackOnBody: true,
      delay: 150,
      delayOnTouchOnly: true,
      ghostClass: "drag-placeholder",
      chosenClass: "drag-chosen",
      dragClass: "drag-moving",
      onStart: () => {
        this.dragging = true;
      },
      onEnd: (event) => this.onClusterDrop(event),
    });
  }

  busy() {
    return this.dragging || this.pending > 0;
  }

  afterRender() {
    this.refreshCardDialog();
    if (this.picking() && !this.locate(this.stackSource)) this.endStackPick(); // the card went away
  }

  async endFocus() {
    const ack = await this.send("focus:set", {});
    if (ack.ok) announce(t("focusEnded"));
  }

  // ---- talking to the server -------------------------------------------------------------

  // Resolve once the model has applied the event with `seq` (the ack can overtake the event when
  // several server processes share a message queue), or after a short wait.
  waitForSeq(seq) {
    const model = this.connection.model;
    if (seq == null || !model || model.seq >= seq) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.connection.removeEventListener("change", check);
        this.connection.removeEventListener("snapshot", check);
        resolve();
      };
      const check = () => {
        if (this.connection.model.seq >= seq) done();
      };
      const timer = setTimeout(done, SEQ_WAIT_MS);
      this.connection.addEventListener("change", check);
      this.connection.addEventListener("snapshot", check);
    });
  }

  // Send a change, wait until the model has it, then draw. Returns the ack.
  async call(event, payload) {
    this.pending += 1;
    let ack;
    try {
      ack = await this.connection.call(event, payload);
      if (ack.ok) await this.waitForSeq(ack.seq);
    } finally {
      this.pending -= 1;
    }
    this.requestRender();
    return ack;
  }

  // As call(), and a failure is shown as a message.
  async send(event, payload, { failText = "actionFailed" } = {}) {
    const ack = await this.call(event, payload);
    if (!ack.ok) this.toast(t(failText, { message: ack.error?.message ?? "" }));
    return ack;
  }

  // A short message at the bottom: an error (kind "error") or a note ("info"), with an optional
  // action button ({label, run}).
  toast(message, kind = "error", action = null) {
    const box = $("toasts");
    const close = el("button", { type: "button", class: "quiet", "aria-label": t("dismiss") }, "×");
    const toast = el("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status" }, el("span", {}, message));
    const remove = () => toast.remove();
    if (action) {
      const button = el("button", { type: "button", class: "toast-action" }, action.label);
      button.addEventListener("click", () => {
        remove();
        action.run();
      });
      toast.append(button);
    }
    toast.append(close);
    close.addEventListener("click", remove);
    box.append(toast);
    setTimeout(remove, TOAST_MS);
  }

  // ---- dragging cards --------------------------------------------------------------------

  makeSortable(list) {
    const sortable = Sortable.create(list, {
      group: "cards",
      draggable: ".card",
      animation: 150,
      forceFallback: true,
      fallbackOnBody: true,
      fallbackTolerance: 3,
      delay: 150,
      delayOnTouchOnly: true,
      scroll: true,
      bubbleScroll: true,
      ghostClass: "drag-placeholder",
      chosenClass: "drag-chosen",
      dragClass: "drag-moving",
      onStart: (event) => {
        this.dragging = true;
        document.body.classList.add("is-dragging");
        this.startStackDrag(event.item);
      },
      // Over the middle of another card the drop stacks (board-stacking.js): no reordering there.
      onMove: (event, originalEvent) => this.cardMoveAllowed(event, originalEvent),
      onEnd: (event) => this.onCardDrop(event),
    });
    this.sortables.set(list, sortable);
  }

  dropSortable(list) {
    this.sortables.get(list)?.destroy();
    this.sortables.delete(list);
  }

  onCardDrop(event) {
    this.dragging = false;
    document.body.classList.remove("is-dragging");
    const cardId = Number(event.item.dataset.cardId);
    const stackOnto = this.endStackDrag();
    if (stackOnto != null && stackOnto !== cardId) {
      // Dropped onto a card: stack it there. Until the server's event, the card is drawn where
      // the model has it (SortableJS may have moved it on the way to the target).
      this.requestRender();
      this.stackByDrag(cardId, stackOnto);
      return;
    }
    const target = event.to.dataset.clusterId;
    const clusterId = target ? Number(target) : null;
    const index = event.newDraggableIndex ?? event.newIndex;
    if (event.from === event.to && event.oldDraggableIndex === index) {
      this.requestRender();
      return;
    }
    this.moveCard(cardId, clusterId, index, { focus: false });
  }

  async moveCard(cardId, clusterId, index, { focus = true } = {}) {
    const board = this.currentBoard();
    if (!board) return;
    const ack = await this.send(
      "card:move",
      { card_id: cardId, cluster_id: clusterId, board_id: board.id, index },
      { failText: "moveFailed" },
    );
    const entry = this.view.cardEntry(cardId);
    if (focus && entry) {
      entry.el.focus({ preventScroll: true });
      entry.el.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
    if (ack.ok) {
      const where = this.locate(cardId);
      if (where) announce(t("movedTo", { target: where.name, position: where.index + 1 }));
    }
  }

  // Where a card is on the current board: {clusterId, list, index, name}.
  locate(cardId) {
    const board = this.currentBoard();
    if (!board) return null;
    const containers = this.containers(board);
    for (const container of containers) {
      const index = container.cards.findIndex((card) => card.id === cardId);
      if (index !== -1) return { ...container, index, position: containers.indexOf(container) };
    }
    return null;
  }

  // The unsorted cards, then every cluster in board order.
  containers(board) {
    const numbered = Boolean(board.settings?.numbered_clusters);
    return [
      { clusterId: null, cards: board.unsorted, name: t("unsorted") },
      ...board.clusters.map((cluster, i) => ({
        clusterId: cluster.id,
        cards: cluster.cards,
        name: numbered ? `${i + 1}. ${cluster.name}` : cluster.name,
      })),
    ];
  }
}

Object.assign(ModeratorTools.prototype, keyboardMethods, clusterMethods, cardToolMethods, stackingMethods, historyMethods, paperMethods);
