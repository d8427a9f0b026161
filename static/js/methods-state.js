// Dot voting and the timer in the client's model: keeps each board's `vote` and `timer` (from the
// snapshot) up to date from the vote.* and timer.* events, and estimates the offset of the
// server's clock (server_time minus the local clock when a message arrived; the largest value
// seen is the one with the least delay), so that every screen shows the same remaining second.

let offsetMs = null;

export function observeServerTime(serverTime) {
  if (!serverTime) return;
  const value = Date.parse(serverTime) - Date.now();
  if (Number.isFinite(value) && (offsetMs === null || value > offsetMs)) offsetMs = value;
}

export function serverNow() {
  return Date.now() + (offsetMs ?? 0);
}

// Seconds left on a timer (rounded up), as the server's clock says.
export function secondsLeft(timer) {
  if (!timer) return null;
  if (timer.state === "running" && timer.ends_at) return Math.max(0, Math.ceil((Date.parse(timer.ends_at) - serverNow()) / 1000));
  return Math.max(0, Math.ceil(timer.remaining ?? 0));
}

export function mmss(seconds) {
  const s = Math.max(0, seconds | 0);
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

function applyVote(board, type, data) {
  if (type === "vote.opened") {
    board.vote = { ...data, open: true, votes_cast: 0, tally: data.show_live ? {} : null, ranking: null, mine: {}, dots_left: data.budget };
  } else if (!board.vote || board.vote.round_id !== data.round_id) {
    return;
  } else if (type === "vote.cast" || type === "vote.retracted") {
    board.vote.votes_cast = data.votes_cast;
    if (data.card_id != null && board.vote.tally) board.vote.tally[String(data.card_id)] = data.votes;
  } else if (type === "vote.recorded") {
    // Dots counted on the wall: the new total of the card, or the whole tally once closed.
    board.vote.votes_cast = data.votes_cast;
    if (data.tally) Object.assign(board.vote, { tally: data.tally, ranking: data.ranking });
    else if (data.votes != null && board.vote.tally) board.vote.tally[String(data.card_id)] = data.votes;
  } else if (type === "vote.closed") {
    Object.assign(board.vote, { open: false, tally: data.tally, ranking: data.ranking, dots_left: null });
  }
}

// Follow a Connection: call `onUpdate()` after anything that changes votes or timers.
export function followMethods(connection, onUpdate) {
  // The clock as of this answer: events replayed by a catch-up carry the times they happened.
  connection.addEventListener("synced", ({ detail }) => observeServerTime(detail.serverTime));
  connection.addEventListener("snapshot", ({ detail }) => {
    for (const board of detail.model.boards) observeServerTime(board.timer?.server_time);
    onUpdate();
  });
  connection.addEventListener("change", ({ detail: message }) => {
    const { type, data } = message;
    const board = connection.model?.board(data.board_id ?? data.board?.id);
    if (!board) return;
    if (type.startsWith("vote.")) applyVote(board, type, data);
    else if (type === "timer.stopped") board.timer = null;
    else if (type.startsWith("timer.")) {
      observeServerTime(data.server_time);
      board.timer = { ...data };
    } else return;
    onUpdate(message);
  });
}

// What an ack of vote:cast / vote:retract tells the sender about their own dots.
export function applyOwnVote(connection, data) {
  const board = connection.model?.board(data.board_id);
  if (board?.vote && board.vote.round_id === data.round_id) Object.assign(board.vote, { mine: data.mine, dots_left: data.dots_left });
}
