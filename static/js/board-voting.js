// The projector's view of the Metaplan methods: the board's timer (mm:ss in the server's time,
// corrected for this screen's clock offset) and, once a round of dot voting is closed, a dot
// badge on each card. Self-contained: it follows the connection and decorates the rendered cards.

import { followMethods, mmss, secondsLeft } from "./methods-state.js";

export function attachMethods({ connection, currentBoard }) {
  const clock = document.createElement("div");
  clock.className = "board-timer";
  clock.id = "board-timer";
  clock.hidden = true;
  clock.setAttribute("role", "timer");
  document.getElementById("main")?.append(clock);

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
    for (const node of document.querySelectorAll(".card[data-card-id]")) {
      const dots = tally ? tally[node.dataset.cardId] ?? 0 : 0;
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

  followMethods(connection, tick);
  setInterval(tick, 250);
}
