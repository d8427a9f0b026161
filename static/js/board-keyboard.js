// The keyboard path for every card move on the moderator's board: Enter or Space on a card opens
// the card dialog (move it: target and position; and the card tools of board-card-tools.js), Alt+ArrowUp/Down reorder within a list, Alt+ArrowLeft/Right
// hop to the previous or next cluster. Focus stays on the moved card. Mixed into ModeratorTools.

import { el, t } from "./page.js";

const $ = (id) => document.getElementById(id);

export const keyboardMethods = {
  onCardKey(event) {
    const card = event.target;
    if (!card.classList?.contains("card") || this.dragging) return;
    const cardId = Number(card.dataset.cardId);
    if ((event.key === "Enter" || event.key === " ") && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      if (this.picking()) this.pickStackTarget(cardId); // "Stack onto…": this is the card to stack onto
      else if (!this.busy()) this.openMoveDialog(cardId);
      return;
    }
    if (this.picking()) return;
    if (!event.altKey || !["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"].includes(event.key)) return;
    event.preventDefault();
    // Quick presses queue up: each one starts from where the previous move left the card.
    const key = event.key;
    this.keyMoves = (this.keyMoves ?? Promise.resolve()).then(() => this.keyMove(cardId, key));
  },

  async keyMove(cardId, key) {
    const where = this.locate(cardId);
    if (!where) return;
    const containers = this.containers(this.currentBoard());
    if (key === "ArrowUp" && where.index > 0) {
      await this.moveCard(cardId, where.clusterId, where.index - 1);
    } else if (key === "ArrowDown" && where.index < where.cards.length - 1) {
      await this.moveCard(cardId, where.clusterId, where.index + 1);
    } else if (key === "ArrowLeft" || key === "ArrowRight") {
      const target = containers[where.position + (key === "ArrowLeft" ? -1 : 1)];
      if (target) await this.moveCard(cardId, target.clusterId, Math.min(where.index, target.cards.length));
    }
  },

  setUpMoveDialog() {
    this.moveDialog = $("move-dialog");
    this.moveTarget = $("move-target");
    this.movePosition = $("move-position");
    this.moveHint = $("move-position-hint");
    this.moveText = $("move-card-text");
    this.moveTarget.addEventListener("change", () => this.updateMoveLimits(true));
    $("move-top").addEventListener("click", () => {
      this.movePosition.value = "1";
    });
    $("move-bottom").addEventListener("click", () => {
      this.movePosition.value = this.movePosition.max;
    });
    $("move-cancel").addEventListener("click", () => this.moveDialog.close());
    $("move-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.submitMove();
    });
    this.moveDialog.addEventListener("close", () => {
      const entry = this.moveCardId != null ? this.view.cardEntry(this.moveCardId) : null;
      entry?.el.focus();
    });
  },

  openMoveDialog(cardId) {
    const where = this.locate(cardId);
    if (!where || this.moveDialog.open) return;
    this.moveCardId = cardId;
    const card = where.cards[where.index];
    this.moveText.textContent = card.hidden ? t("hiddenCard") : card.text;
    this.stopEditText(false);
    this.wallSaved = null;
    this.updateCardTools(card);
    const containers = this.containers(this.currentBoard());
    this.moveTarget.replaceChildren(
      ...containers.map((c) => el("option", { value: String(c.clusterId ?? "") }, c.name)),
    );
    this.moveTarget.value = String(where.clusterId ?? "");
    this.updateMoveLimits(false);
    this.movePosition.value = String(where.index + 1);
    this.moveDialog.showModal();
    this.moveTarget.focus();
  },

  updateMoveLimits(toBottom) {
    const where = this.locate(this.moveCardId);
    const target = this.moveTargetContainer();
    if (!where || !target) return;
    const max = target.clusterId === where.clusterId ? target.cards.length : target.cards.length + 1;
    this.movePosition.max = String(max);
    this.moveHint.textContent = max > 1 ? t("positionHint", { max }) : t("positionOnly");
    if (toBottom) this.movePosition.value = String(max);
  },

  // The chosen target, looked up by cluster id: clusters may change while the dialog is open.
  moveTargetContainer() {
    const board = this.currentBoard();
    if (!board) return null;
    const value = this.moveTarget.value;
    return this.containers(board).find((c) => String(c.clusterId ?? "") === value) ?? null;
  },

  submitMove() {
    const where = this.locate(this.moveCardId);
    const target = this.moveTargetContainer();
    this.moveDialog.close();
    if (!where || !target) return;
    const max = Number(this.movePosition.max) || 1;
    const position = Math.min(Math.max(Math.round(Number(this.movePosition.value)) || max, 1), max);
    if (target.clusterId === where.clusterId && position - 1 === where.index) return;
    this.moveCard(this.moveCardId, target.clusterId, position - 1);
  },
};
