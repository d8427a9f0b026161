// Stacking duplicates on the moderator's board (docs/protocol.md "Stacking duplicates"). From
// the card dialog, "Stack onto…" starts picking: a bar says what to do, and the next card clicked
// or tapped (or focused and chosen with Enter or Space) is the one the card goes onto; Escape or
// Cancel stops. The dialog lists the cards on a stack, each with "Take off the stack".
// Dragging (mouse or touch) a card onto the middle of another card stacks it there as well: the
// card under the pointer is marked ("Stack"), SortableJS does not reorder while the pointer is in
// its middle (cardMoveAllowed, the cards' onMove), and the drop sends card:stack instead of
// card:move. Near a card's edges the drag reorders as before. Mixed into ModeratorTools.

import { announce, el, t } from "./page.js";

const $ = (id) => document.getElementById(id);

// A card's middle, where a dragged card stacks: the inner half of its height (and, in a list
// with several columns, where neighbours are beside each other, of its width too). Near its edges
// a dragged card goes before or after it, as before.
const STACK_ZONE = 0.25; // the margin on each side, as a share of the card's size

// A hidden card stays face down on the moderator's board too (the room may be watching).
function shownText(card) {
  return card.hidden ? t("hiddenCard") : card.text;
}

function columnsOf(list) {
  return list ? getComputedStyle(list).gridTemplateColumns.trim().split(/\s+/).length : 1;
}

// What dropping at (x, y) does with `card`: "middle" (stack onto it), "before", "after", or
// null when (x, y) is not on the card.
function zoneOf(card, x, y) {
  const rect = card.getBoundingClientRect();
  if (!rect.width || !rect.height) return null;
  const across = (x - rect.left) / rect.width;
  const down = (y - rect.top) / rect.height;
  if (across < 0 || across > 1 || down < 0 || down > 1) return null;
  const inner = (share) => share > STACK_ZONE && share < 1 - STACK_ZONE;
  if (columnsOf(card.parentElement) < 2) {
    if (inner(down)) return "middle";
    return down > 0.5 ? "after" : "before";
  }
  if (inner(down) && inner(across)) return "middle";
  // Which edge is nearest, measured in the card's own proportions.
  const dx = across - 0.5;
  const dy = down - 0.5;
  return (Math.abs(dy) >= Math.abs(dx) ? dy > 0 : dx > 0) ? "after" : "before";
}

// The nearest card sibling of `node` before or after it, skipping anything else in the list.
function cardSibling(node, after) {
  let next = after ? node.nextElementSibling : node.previousElementSibling;
  while (next && (!next.classList.contains("card") || next.hidden)) {
    next = after ? next.nextElementSibling : next.previousElementSibling;
  }
  return next;
}

export const stackingMethods = {
  setUpStacking() {
    this.stackSource = null;
    this.pickBar = $("stack-pick");
    this.pickText = $("stack-pick-text");
    $("stack-pick-cancel").addEventListener("click", () => this.cancelStackPick());
    $("card-stack").addEventListener("click", () => {
      const cardId = this.moveCardId;
      this.moveDialog.close();
      this.startStackPick(cardId);
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.stackSource != null) {
        event.preventDefault();
        this.cancelStackPick();
      }
    });
    // Capture: while picking, a click on a card chooses it instead of starting a drag or dialog.
    // `pickedClick` remembers that the current run of clicks began with the pick, so that a
    // double click on the target opens no dialog.
    $("board-layout").addEventListener("click", (event) => {
      if (this.stackSource == null) {
        if (event.detail <= 1) this.pickedClick = false;
        return;
      }
      const card = event.target.closest?.(".card");
      if (!card) return;
      event.preventDefault();
      event.stopPropagation();
      this.pickedClick = true;
      this.pickStackTarget(Number(card.dataset.cardId));
    }, true);
  },

  picking() {
    return this.stackSource != null;
  },

  startStackPick(cardId) {
    const where = this.locate(cardId);
    if (!where) return;
    const card = where.cards[where.index];
    this.stackSource = cardId;
    this.pickText.textContent = t("stackPick", { text: shownText(card) });
    this.pickBar.hidden = false;
    document.body.classList.add("is-picking");
    for (const sortable of this.sortables.values()) sortable.option("disabled", true);
    const entry = this.view.cardEntry(cardId);
    entry?.el.classList.add("stack-source");
    entry?.el.focus({ preventScroll: true });
    announce(this.pickText.textContent);
  },

  endStackPick() {
    const source = this.stackSource;
    this.stackSource = null;
    this.pickBar.hidden = true;
    document.body.classList.remove("is-picking");
    for (const sortable of this.sortables.values()) sortable.option("disabled", false);
    if (source != null) this.view.cardEntry(source)?.el.classList.remove("stack-source");
    return source;
  },

  cancelStackPick() {
    const source = this.endStackPick();
    if (source == null) return;
    announce(t("stackCancelled"));
    this.view.cardEntry(source)?.el.focus();
  },

  async pickStackTarget(targetId) {
    if (targetId === this.stackSource) {
      announce(t("stackSelf"));
      return;
    }
    const source = this.endStackPick();
    const target = this.locate(targetId);
    if (source == null || !target) return;
    const text = shownText(target.cards[target.index]);
    const ack = await this.send("card:stack", { card_id: source, onto_card_id: targetId }, { failText: "stackFailed" });
    const top = ack.ok ? targetId : source;
    this.view.cardEntry(top)?.el.focus();
    if (ack.ok) announce(t("stacked", { text }));
  },

  // ---- dragging a card onto another --------------------------------------------------------

  // A card drag began (SortableJS onStart): follow the pointer to find the card to stack onto.
  startStackDrag(item) {
    this.dragItem = item;
    this.stackTarget = null;
    this.dragPoint = null;
    this.onDragPointer = (event) => {
      const point = event.touches?.[0] ?? event;
      if (point.clientX == null) return;
      this.dragPoint = { x: point.clientX, y: point.clientY };
      this.updateStackTarget();
    };
    for (const type of ["mousemove", "touchmove", "pointermove"]) {
      document.addEventListener(type, this.onDragPointer, { capture: true, passive: true });
    }
    // The cards also move under a pointer that stands still (SortableJS's animation, scrolling).
    const tick = () => {
      if (this.dragItem !== item) return;
      this.updateStackTarget();
      this.stackFrame = requestAnimationFrame(tick);
    };
    this.stackFrame = requestAnimationFrame(tick);
  },

  // The drag ended: stop following the pointer; returns the card id to stack onto, or null.
  endStackDrag() {
    for (const type of ["mousemove", "touchmove", "pointermove"]) {
      document.removeEventListener(type, this.onDragPointer, { capture: true });
    }
    cancelAnimationFrame(this.stackFrame);
    const target = this.stackTarget;
    this.setStackTarget(null);
    this.dragItem = null;
    this.dragPoint = null;
    return target ? Number(target.dataset.cardId) : null;
  },

  // The card whose middle is under the pointer (not the dragged one), or null.
  stackTargetAt(x, y) {
    // SortableJS's drag image has pointer-events: none, so this is what lies beneath it.
    const card = document.elementFromPoint(x, y)?.closest?.("#board-layout .cards > .card");
    if (!card || card === this.dragItem || !this.view.cardEntry(Number(card.dataset.cardId))) return null;
    return zoneOf(card, x, y) === "middle" ? card : null;
  },

  updateStackTarget() {
    if (!this.dragItem || !this.dragPoint) return;
    this.setStackTarget(this.stackTargetAt(this.dragPoint.x, this.dragPoint.y));
  },

  setStackTarget(card) {
    if (card === this.stackTarget) return;
    this.stackTarget?.classList.remove("stack-target");
    this.stackTarget = card;
    document.body.classList.toggle("is-stack-drop", Boolean(card));
    if (!card) return;
    card.dataset.stackHint = t("stackHint");
    card.classList.add("stack-target");
    const where = this.locate(Number(card.dataset.cardId));
    if (where) announce(t("stackDropHint", { text: shownText(where.cards[where.index]) }));
  },

  // SortableJS's onMove for the cards: false keeps the dragged card where it is. Over a card's
  // middle it stays put (the drop stacks); near its edges it goes before (top, left) or after
  // (bottom, right) that card, and stays put where it already is, so that it does not jump back
  // and forth on the way to the middle of its neighbour. Beside a card of a one-column list (its
  // padding, on the way in from another list) nothing moves yet, so the card aimed at stays put.
  cardMoveAllowed(event, originalEvent) {
    const related = event.related;
    const x = originalEvent?.clientX;
    const y = originalEvent?.clientY;
    if (!related?.classList?.contains("card") || x == null || y == null) return true;
    const zone = zoneOf(related, x, y);
    if (!zone) {
      const rect = related.getBoundingClientRect();
      const beside = y >= rect.top && y <= rect.bottom && (x < rect.left || x > rect.right);
      return !(beside && columnsOf(related.parentElement) < 2);
    }
    if (zone === "middle") {
      if (this.dragItem) {
        this.dragPoint = { x, y };
        this.updateStackTarget();
      }
      return false;
    }
    const after = zone === "after";
    if (cardSibling(event.dragged, !after) === related) return false; // already there
    return after ? 1 : -1;
  },

  async stackByDrag(cardId, targetId) {
    if (cardId === targetId) return;
    // The target may have gone meanwhile (deleted elsewhere): the server says so, in a message.
    const target = this.locate(targetId);
    const text = target ? shownText(target.cards[target.index]) : "";
    const entry = this.view.cardEntry(cardId);
    entry?.el.classList.add("stacking");
    const ack = await this.send("card:stack", { card_id: cardId, onto_card_id: targetId }, { failText: "stackFailed" });
    entry?.el.classList.remove("stacking");
    if (ack.ok) announce(t("stacked", { text }));
  },

  // The cards on the dialog's card, each with "Take off the stack".
  updateStackList(card) {
    const details = $("card-stack-list");
    const stack = card?.stack ?? [];
    details.hidden = stack.length === 0;
    if (!stack.length) return;
    $("card-stack-summary").textContent = stack.length === 1 ? t("stackSummaryOne") : t("stackSummary", { count: stack.length });
    const signature = JSON.stringify(stack.map((one) => [one.id, one.text, one.hidden, one.color, one.author_name]));
    if (details.dataset.signature === signature) return;
    details.dataset.signature = signature;
    $("card-stack-items").replaceChildren(...stack.map((one) => {
      const text = shownText(one);
      // The visible words first in the button's name, the card's text after them (for screen readers).
      const button = el("button", { type: "button", class: "quiet" }, t("unstack"), el("span", { class: "visually-hidden" }, `: ${text}`));
      button.addEventListener("click", () => this.unstackCard(one.id, text));
      const author = one.author_role === "participant" && one.author_name && !one.hidden
        ? el("span", { class: "card-stack-author" }, t("byAuthor", { name: one.author_name })) : null;
      return el("li", { dataset: { color: one.hidden ? "" : one.color || "yellow" } },
        el("span", { class: "card-stack-text" }, text, author), button);
    }));
  },

  async unstackCard(cardId, text) {
    const ack = await this.send("card:unstack", { card_id: cardId });
    if (!ack.ok) return;
    announce(t("unstacked", { text }));
    this.refreshCardDialog();
    const next = $("card-stack-items").querySelector("button") ?? $("card-stack");
    next.focus();
  },
};
