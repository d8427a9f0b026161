// Stacking duplicates on the moderator's board (docs/protocol.md "Stacking duplicates"). From
// the card dialog, "Stack onto…" starts picking: a bar says what to do, and the next card clicked
// or tapped (or focused and chosen with Enter or Space) is the one the card goes onto; Escape or
// Cancel stops. The dialog lists the cards on a stack, each with "Take off the stack".
// Mixed into ModeratorTools.

import { announce, el, t } from "./page.js";

const $ = (id) => document.getElementById(id);

// A hidden card stays face down on the moderator's board too (the room may be watching).
function shownText(card) {
  return card.hidden ? t("hiddenCard") : card.text;
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
