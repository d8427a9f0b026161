// Undo and redo in the console's head: `history:undo` / `history:redo` on the console's own
// connection. The state comes with the moderator's snapshot (`history`) and after every change a
// moderator makes, from any window, as a `history` message (docs/protocol.md, "Undo and redo").

import { announce, t } from "./page.js";

const $ = (id) => document.getElementById(id);

// "move_card" -> "move a card" (translated); an unknown label stays as it is.
function action(label) {
  const key = `history_${label}`;
  const text = t(key);
  return text === key ? String(label ?? "") : text;
}

export function initHistory({ connection, notify, showError, errorMessage }) {
  const group = $("history-buttons");
  const buttons = { undo: $("undo"), redo: $("redo") };
  let state = null;

  function render() {
    group.hidden = state == null;
    if (!state) return;
    for (const [kind, button] of Object.entries(buttons)) {
      const can = Boolean(state[`can_${kind}`]);
      const what = can ? t(`${kind}What`, { action: action(state[`${kind}_label`]) }) : "";
      button.disabled = !can || Boolean(button.dataset.pending);
      button.title = what;
      $(`${kind}-what`).textContent = what;
    }
  }

  async function run(kind) {
    const button = buttons[kind];
    if (button.dataset.pending) return;
    button.dataset.pending = "1";
    render();
    const ack = await connection.call(`history:${kind}`, {});
    delete button.dataset.pending;
    render();
    if (ack.ok) {
      notify(t(kind === "undo" ? "undone" : "redone", { action: action(ack.data.label) }));
    } else if (ack.error.code === "nothing_to_undo" || ack.error.code === "nothing_to_redo") {
      state = { ...state, [`can_${kind}`]: false };
      render();
      announce(t(kind === "undo" ? "nothingToUndo" : "nothingToRedo"));
    } else {
      showError(errorMessage(ack.error));
    }
    // Keep the focus on the button the moderator pressed, or on the other one.
    if (document.activeElement === document.body || document.activeElement === button) {
      (button.disabled ? buttons[kind === "undo" ? "redo" : "undo"] : button).focus();
    }
  }

  buttons.undo.addEventListener("click", () => run("undo"));
  buttons.redo.addEventListener("click", () => run("redo"));
  connection.socket.on("history", (message) => {
    state = message;
    render();
  });
  connection.addEventListener("snapshot", ({ detail }) => {
    state = detail.model.history ?? state;
    render();
  });
  // Caught up by events after a reconnect: the moderator's answer carries the undo state too.
  connection.addEventListener("synced", ({ detail }) => {
    if (!detail.history) return;
    state = detail.history;
    render();
  });
}
