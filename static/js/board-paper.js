// Paper cards (docs/protocol.md "Paper cards and wall dots"): the moderator types in cards
// written on paper, into a cluster or the unsorted cards, in a colour. The dialog stays open for
// the next card until "Done"; each card is a `card:create` with `on_paper: true` and its own
// client_id (resending the same one cannot add it twice). Mixed into ModeratorTools.

import { newClientId } from "./connection.js";
import { announce, el, t } from "./page.js";

const $ = (id) => document.getElementById(id);

export const paperMethods = {
  setUpPaperCards() {
    this.paperDialog = $("paper-dialog");
    this.paperText = $("paper-text");
    this.paperTarget = $("paper-target");
    this.paperStatus = $("paper-status");
    this.paperTargetValue = "";
    $("add-paper-open").addEventListener("click", () => this.openPaperDialog());
    $("paper-close").addEventListener("click", () => this.paperDialog.close());
    this.paperDialog.addEventListener("close", () => $("add-paper-open").focus());
    this.paperText.addEventListener("input", () => this.paperText.removeAttribute("aria-invalid"));
    // Ctrl+Enter adds the card from the text field (Enter alone is a new line of the card).
    this.paperText.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        this.addPaperCard();
      }
    });
    $("paper-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.addPaperCard();
    });
  },

  openPaperDialog() {
    const board = this.currentBoard();
    if (!board || this.paperDialog.open) return;
    const containers = this.containers(board);
    this.paperTarget.replaceChildren(...containers.map((c) => el("option", { value: String(c.clusterId ?? "") }, c.name)));
    const known = containers.some((c) => String(c.clusterId ?? "") === this.paperTargetValue);
    this.paperTarget.value = known ? this.paperTargetValue : "";
    this.paperText.value = "";
    this.paperText.removeAttribute("aria-invalid");
    this.paperStatus.textContent = "";
    this.paperDialog.showModal();
    this.paperText.focus();
  },

  async addPaperCard() {
    const board = this.currentBoard();
    const text = this.paperText.value.trim();
    if (!board || this.addingPaper) return;
    if (!text) {
      this.paperText.setAttribute("aria-invalid", "true");
      this.paperStatus.textContent = t("textRequired");
      this.paperText.focus();
      return;
    }
    const value = this.paperTarget.value;
    const color = this.paperDialog.querySelector("input[name='paper-color']:checked")?.value ?? "yellow";
    const payload = {
      client_id: newClientId(), board_id: board.id, cluster_id: value ? Number(value) : null, text, color, on_paper: true,
    };
    this.addingPaper = true;
    let ack;
    try {
      ack = await this.send("card:create", payload);
    } finally {
      this.addingPaper = false;
    }
    if (!ack.ok) {
      this.paperText.focus();
      return;
    }
    this.paperTargetValue = value;
    this.paperText.value = "";
    this.paperStatus.textContent = t("paperAdded", { text });
    announce(t("paperAdded", { text }));
    this.paperText.focus();
    this.view.cardEntry(ack.data.id)?.el.scrollIntoView({ block: "nearest", inline: "nearest" });
  },
};
