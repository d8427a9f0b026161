// Undo and redo on the moderator's board (docs/protocol.md "Undo and redo"): two buttons in the
// header saying what they would undo or redo, and Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y outside text
// fields and dialogs. The server sends `history {can_undo, can_redo, undo_label, redo_label}` after
// each of the moderator's changes (the snapshot has it too); an undo runs ordinary operations,
// so the board follows by the usual events. Mixed into ModeratorTools.

import { announce, t } from "./page.js";

const $ = (id) => document.getElementById(id);

// The label of an operation, translated ("move_card" -> "move card").
function what(label) {
  const key = `history_${label}`;
  const text = t(key);
  return text === key ? String(label ?? "").replaceAll("_", " ") : text;
}

function isTextField(node) {
  if (!node) return false;
  if (node.isContentEditable) return true;
  if (node.tagName === "TEXTAREA" || node.tagName === "SELECT") return true;
  return node.tagName === "INPUT" && !["button", "checkbox", "radio", "submit", "reset"].includes(node.type);
}

export const historyMethods = {
  setUpHistory() {
    this.undoButton = $("undo");
    this.redoButton = $("redo");
    this.historyState = null;
    this.historyRunning = false;
    this.undoButton.addEventListener("click", () => this.runHistory("undo"));
    this.redoButton.addEventListener("click", () => this.runHistory("redo"));
    // Not an event of the log: only the moderator's connections get it (see connection.js).
    this.connection.socket.on("history", (state) => this.showHistory(state));
    this.connection.addEventListener("snapshot", ({ detail }) => this.showHistory(detail.model.history));
    // Caught up by events after a reconnect: the moderator's answer carries the undo state too.
    this.connection.addEventListener("synced", ({ detail }) => {
      if (detail.history) this.showHistory(detail.history);
    });
    document.addEventListener("keydown", (event) => this.onHistoryKey(event));
  },

  onHistoryKey(event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    const key = event.key.toLowerCase();
    const direction = key === "z" ? (event.shiftKey ? "redo" : "undo") : key === "y" && !event.shiftKey ? "redo" : null;
    if (!direction) return;
    if (isTextField(event.target) || document.querySelector("dialog[open]")) return; // the field's own undo
    event.preventDefault();
    this.runHistory(direction);
  },

  showHistory(state) {
    if (!state) return;
    this.historyState = state;
    this.updateHistoryButton(this.undoButton, state.can_undo, state.undo_label, "undo", "undoWhat");
    this.updateHistoryButton(this.redoButton, state.can_redo, state.redo_label, "redo", "redoWhat");
  },

  // The button says "Undo" and, beneath, what (its name: "Undo: card moved").
  updateHistoryButton(button, can, label, plain, withWhat) {
    const text = can && label ? what(label) : "";
    button.disabled = !can || this.historyRunning;
    button.querySelector(".bt-history-what").textContent = text;
    $(`${plain}-colon`).hidden = !text;
    const name = text ? t(withWhat, { what: text }) : t(plain);
    button.title = `${name} (${plain === "undo" ? "Ctrl+Z" : "Ctrl+Shift+Z"})`;
  },

  async runHistory(direction) {
    const state = this.historyState;
    if (this.historyRunning || (state && !(direction === "undo" ? state.can_undo : state.can_redo))) {
      if (!this.historyRunning) announce(t(direction === "undo" ? "nothingToUndo" : "nothingToRedo"));
      return;
    }
    this.historyRunning = true;
    this.showHistory(state);
    let ack;
    try {
      ack = await this.call(`history:${direction}`, {});
    } finally {
      this.historyRunning = false;
      this.showHistory(this.historyState);
    }
    if (!ack.ok) {
      const code = ack.error?.code;
      if (code === "nothing_to_undo") this.toast(t("nothingToUndo"), "info");
      else if (code === "nothing_to_redo") this.toast(t("nothingToRedo"), "info");
      else this.toast(t("actionFailed", { message: ack.error?.message ?? "" }));
      return;
    }
    const skipped = ack.data.skipped ?? [];
    if (skipped.length) this.toast(t("historySkipped", { what: skipped.map(what).join(", ") }), "info");
    announce(t(direction === "undo" ? "undone" : "redone", { what: what(ack.data.label) }));
  },
};
