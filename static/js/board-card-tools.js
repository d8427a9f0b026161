// The moderator's card tools on the board: the Metaplan colours of a card, revealing hidden
// cards (a hidden card query) one by one from the card's dialog or all at once from the bar
// above the board, editing a card's text (a typo on a paper card), deleting it (undo brings it
// back), putting it in focus, and the dots counted for it on the wall after a round of dot
// voting. Mixed into ModeratorTools; the dialog itself is the card dialog (board-keyboard.js).

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
    this.editBox = $("card-edit");
    this.editText = $("card-edit-text");
    $("card-edit-open").addEventListener("click", () => this.startEditText());
    $("card-edit-cancel").addEventListener("click", () => this.stopEditText(true));
    $("card-edit-save").addEventListener("click", () => this.saveText());
    this.editText.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault(); // the dialog stays open: only the editing ends
        this.stopEditText(true);
      } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        this.saveText();
      }
    });
    $("card-delete").addEventListener("click", () => this.deleteCard(this.moveCardId));
    $("card-focus").addEventListener("click", () => {
      const cardId = this.moveCardId;
      this.moveDialog.close();
      this.setFocus({ card_id: cardId });
    });
    this.wallInput = $("wall-dots-input");
    $("wall-dots-save").addEventListener("click", () => this.saveWallDots());
    this.wallInput.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault(); // not the dialog's Move
        this.saveWallDots();
      }
    });
  },

  // The open dialog, brought up to date with the model (after an unstack, an edit, new dots):
  // closed when its card is gone from the board or now lies on another.
  refreshCardDialog() {
    if (!this.moveDialog?.open || this.moveCardId == null) return;
    const where = this.locate(this.moveCardId);
    if (!where) {
      this.moveDialog.close();
      return;
    }
    const card = where.cards[where.index];
    this.moveText.textContent = card.hidden ? t("hiddenCard") : card.text;
    this.updateCardTools(card);
  },

  startEditText() {
    const card = this.dialogCard();
    if (!card || card.hidden) return;
    this.editText.value = card.text;
    this.editText.removeAttribute("aria-invalid");
    this.editBox.hidden = false;
    $("card-actions").hidden = true;
    this.editText.focus();
  },

  stopEditText(focusButton) {
    this.editBox.hidden = true;
    $("card-actions").hidden = false;
    if (focusButton) $("card-edit-open").focus();
  },

  async saveText() {
    const card = this.dialogCard();
    const text = this.editText.value.trim();
    if (!card) return;
    if (!text) {
      this.editText.setAttribute("aria-invalid", "true");
      this.toast(t("textRequired"));
      this.editText.focus();
      return;
    }
    if (text === card.text) {
      this.stopEditText(true);
      return;
    }
    const ack = await this.send("card:update", { card_id: card.id, text });
    if (!ack.ok) return;
    this.stopEditText(true);
    this.refreshCardDialog();
    announce(t("textSaved"));
  },

  async deleteCard(cardId) {
    const where = cardId != null ? this.locate(cardId) : null;
    if (!where) return;
    // Focus goes on to the next card of the list (or the one before it) once this one is gone.
    const neighbour = where.cards[where.index + 1] ?? where.cards[where.index - 1] ?? null;
    this.moveDialog.close();
    const ack = await this.send("card:delete", { card_id: cardId });
    if (!ack.ok) return;
    if (neighbour) this.view.cardEntry(neighbour.id)?.el.focus();
    announce(t("cardDeleted"));
    this.toast(t("cardDeleted"), "info", { label: t("undo"), run: () => this.runHistory("undo") });
  },

  async setFocus(target) {
    const ack = await this.send("focus:set", target);
    if (ack.ok && (target.card_id != null || target.cluster_id != null)) $("focus-end")?.focus();
  },

  // The wall dots field: shown once the board has (had) a round of dot voting.
  updateWallDots(card) {
    const box = $("wall-dots");
    const vote = this.currentBoard()?.vote;
    box.hidden = !vote;
    if (!vote || !card) return;
    const id = String(card.id);
    if (document.activeElement !== this.wallInput) this.wallInput.value = String(vote.wall?.[id] ?? 0);
    const total = vote.tally ? (vote.tally[id] ?? 0) : null;
    const saved = this.wallSaved?.cardId === card.id ? this.wallSaved.text : null; // kept until the dialog opens again
    $("wall-dots-hint").textContent = saved ?? (total == null ? "" : t("wallDotsTotal", { votes: total }));
  },

  async saveWallDots() {
    const card = this.dialogCard();
    const dots = Number(this.wallInput.value);
    if (!card) return;
    if (this.wallInput.value.trim() === "" || !Number.isInteger(dots) || dots < 0 || dots > 999) {
      this.wallInput.setAttribute("aria-invalid", "true");
      this.toast(t("wallDotsInvalid"));
      this.wallInput.focus();
      return;
    }
    this.wallInput.removeAttribute("aria-invalid");
    const ack = await this.send("vote:record", { card_id: card.id, dots });
    if (!ack.ok) return;
    // The wall dots and, while the round is open, the total are only in the ack (not the event).
    const vote = this.currentBoard()?.vote;
    if (vote && vote.round_id === ack.data.round_id) {
      vote.wall = { ...(vote.wall ?? {}), [String(ack.data.card_id)]: ack.data.dots };
      if (vote.tally) vote.tally[String(ack.data.card_id)] = ack.data.votes;
    }
    const message = t("wallDotsSaved", { dots: ack.data.dots, votes: ack.data.votes });
    this.wallSaved = { cardId: card.id, text: message };
    this.refreshCardDialog();
    announce(message);
  },

  dialogCard() {
    const where = this.moveCardId != null ? this.locate(this.moveCardId) : null;
    return where ? where.cards[where.index] : null;
  },

  // The card's tools in the open dialog: its colour pressed; "reveal" while it is hidden.
  // A hidden card's colour is not shown either (the room may be watching this screen).
  updateCardTools(card) {
    const hidden = Boolean(card?.hidden);
    $("move-card-text").classList.toggle("is-hidden", hidden);
    $("move-card-text").classList.toggle("is-paper", Boolean(card?.on_paper) && !hidden);
    $("move-hidden-note").hidden = !hidden;
    this.moveReveal.hidden = !hidden;
    $("card-edit-open").hidden = hidden;
    for (const swatch of this.swatches) {
      swatch.setAttribute("aria-pressed", String(!hidden && card?.color === swatch.dataset.color));
    }
    this.updateStackList(card);
    this.updateWallDots(card);
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
