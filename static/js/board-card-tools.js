// The moderator's card tools on the board: the Metaplan colours of a card and revealing hidden
// cards (a hidden card query), one by one from the card's dialog or all at once from the bar
// above the board. Mixed into ModeratorTools; the dialog itself is the move dialog
// (board-keyboard.js).

import { announce, t } from "./page.js";

const $ = (id) => document.getElementById(id);

export const cardToolMethods = {
  setUpCardTools() {
    this.revealAllButton = $("reveal-all");
    this.revealAllButton.addEventListener("click", () => this.revealAll());
    this.moveReveal = $("move-reveal");
    this.moveReveal.addEventListener("click", () => this.revealCard(this.moveCardId));
    this.swatches = [...document.querySelectorAll("#move-palette .swatch")];
    for (const swatch of this.swatches) {
      swatch.addEventListener("click", () => this.setColor(this.moveCardId, swatch.dataset.color, swatch));
    }
  },

  // The card's tools in the open dialog: its colour pressed; "reveal" while it is hidden.
  // A hidden card's colour is not shown either (the room may be watching this screen).
  updateCardTools(card) {
    const hidden = Boolean(card?.hidden);
    $("move-card-text").classList.toggle("is-hidden", hidden);
    $("move-hidden-note").hidden = !hidden;
    this.moveReveal.hidden = !hidden;
    for (const swatch of this.swatches) {
      swatch.setAttribute("aria-pressed", String(!hidden && card?.color === swatch.dataset.color));
    }
  },

  updateRevealAll(hiddenCount) {
    if (!this.revealAllButton) return;
    this.revealAllButton.disabled = hiddenCount === 0 || this.revealing === true;
  },

  async revealAll() {
    const board = this.currentBoard();
    if (!board || this.revealing) return;
    this.revealing = true;
    this.revealAllButton.disabled = true;
    let ack;
    try {
      ack = await this.send("cards:reveal", { board_id: board.id }, { failText: "revealFailed" });
    } finally {
      this.revealing = false;
    }
    if (!ack.ok) this.requestRender();
  },

  async revealCard(cardId) {
    const board = this.currentBoard();
    if (!board || cardId == null) return;
    const ack = await this.send("cards:reveal", { board_id: board.id, card_ids: [cardId] }, { failText: "revealFailed" });
    if (ack.ok && this.moveDialog.open) {
      const where = this.locate(cardId);
      const card = where?.cards[where.index];
      if (card) {
        $("move-card-text").textContent = card.text;
        this.updateCardTools(card);
      }
      this.swatches[0]?.focus();
    }
  },

  async setColor(cardId, color, swatch) {
    if (cardId == null) return;
    const ack = await this.send("card:update", { card_id: cardId, color }, { failText: "colorFailed" });
    if (!ack.ok) return;
    const where = this.locate(cardId);
    if (where && this.moveDialog.open) this.updateCardTools(where.cards[where.index]);
    swatch?.focus();
    announce(t("colorChanged", { color: t(`color_${color}`) }));
  },
};
