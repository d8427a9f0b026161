// The projector's view of the Metaplan methods: the board's timer (mm:ss in the server's time,
// corrected for this screen's clock offset) and, once a round of dot voting is closed, a dot
// badge on each card (a stack's badge counts the dots of all its cards, wall dots included: the
// tally has them). Self-contained: it follows the connection and decorates the rendered cards.

import { followMethods, mmss, secondsLeft } from "./methods-state.js";

export function attachMethods({ connection, currentBoard }) {
  const clock = document.createElement("div");
  clock.className = "board-timer";
  clock.id = "board-timer";
  clock.hidden = true;
  clock.setAttribute("role", "timer");
  // In the header: centred over it on the projector, in line after the moderator's tools (where
  // an overlay would cover the undo buttons of a laptop's narrower header).
  const spacer = document.querySelector(".board-topbar .spacer");
  if (spacer) spacer.before(clock);
  else document.getElementById("main")?.append(clock);

  function tick() {
    const board = currentBoard();
    const timer = board?.timer;
    clock.hidden = !timer;
    if (timer) {
      clock.textContent = mmss(secondsLeft(timer));
      clock.classList.toggle("paused", timer.state === "paused");
      clock.classList.toggle("ended", timer.state === "ended" || secondsLeft(timer) === 0);
    }
    const tally = board?.vote && !board.vote.open ? board.vote.tally ?? {} : board?.vote?.show_live ? board.vote.tally ?? {} : null;
    const stacks = tally ? stacksOf(connection.model) : new Map();
    for (const node of document.querySelectorAll(".card[data-card-id]")) {
      // Dots count for a stack's top; dots given to a card before it was stacked count for it too.
      const ids = [node.dataset.cardId, ...(stacks.get(node.dataset.cardId) ?? [])];
      const dots = tally ? ids.reduce((sum, id) => sum + (tally[id] ?? 0), 0) : 0;
      let badge = node.querySelector(":scope > .dot-badge");
      if (!dots) {
        badge?.remove();
        continue;
      }
      if (!badge) {
        badge = document.createElement("span");
        badge.className = "dot-badge";
        node.append(badge);
      }
      if (badge.textContent !== `● ${dots}`) badge.textContent = `● ${dots}`;
    }
  }

  // Stacks are drawn as one card: top card id -> ids of the cards on it.
  function stacksOf(model) {
    const stacks = new Map();
    for (const list of model?.containers() ?? []) {
      for (const top of list) if (top.stack?.length) stacks.set(String(top.id), top.stack.map((card) => String(card.id)));
    }
    return stacks;
  }

  followMethods(connection, tick);
  setInterval(tick, 250);
}
