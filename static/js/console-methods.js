// The "Methods" panel of the moderator console: the timer and dot voting of one board. It opens
// a connection of its own with the moderator key, so the console's module stays as it is.

import { Connection } from "./connection.js";
import { keyFromFragment, pageData } from "./page.js";
import { followMethods, mmss, secondsLeft } from "./methods-state.js";

const strings = JSON.parse(document.getElementById("methods-strings").textContent);
const say = (key, values = {}) => strings[key].replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
const $ = (id) => document.getElementById(id);
const boardSelect = $("methods-board");
const status = $("methods-status");

const connection = new Connection({ auth: { workshop: pageData().workshopId, moderator_key: keyFromFragment() ?? "" } });

function board() {
  const model = connection.model;
  if (!model) return null;
  return model.board(Number(boardSelect.value)) ?? model.activeBoard();
}

function fillBoards() {
  const model = connection.model;
  if (!model) return;
  const chosen = boardSelect.value || String(model.workshop.active_board_id ?? "");
  boardSelect.replaceChildren(...model.boards.map((b) => new Option(b.title, String(b.id))));
  boardSelect.value = model.boards.some((b) => String(b.id) === chosen) ? chosen : String(model.boards[0]?.id ?? "");
}

function render() {
  const current = board();
  const timer = current?.timer;
  $("methods-timer").textContent = timer ? mmss(secondsLeft(timer)) : "--:--";
  const vote = current?.vote;
  $("vote-open").disabled = !!vote?.open;
  $("vote-close").disabled = !vote?.open;
  if (!status.dataset.error) status.textContent = vote ? say(vote.open ? "open" : "closed", { count: vote.votes_cast }) : say("none");
}

async function call(event, payload) {
  const current = board();
  if (!current) return;
  const ack = await connection.call(event, { board_id: current.id, ...payload });
  if (ack && ack.ok === false) {
    status.dataset.error = "1";
    status.textContent = say("failed", { message: ack.error?.message ?? "" });
  } else delete status.dataset.error;
  render();
}

const number = (id) => Math.max(1, Math.round(Number($(id).value) || 1));
const whole = (id, max) => Math.min(max, Math.max(0, Math.round(Number($(id).value) || 0)));

function startTimer() {
  const seconds = whole("timer-minutes", 240) * 60 + whole("timer-seconds", 59);
  if (seconds < 1) {
    status.dataset.error = "1";
    status.textContent = say("noTime");
    return;
  }
  call("timer:start", { seconds, lock_on_end: $("timer-lock").checked });
}

for (const button of document.querySelectorAll("[data-timer]")) {
  button.addEventListener("click", () => {
    const action = button.dataset.timer;
    if (action === "start") startTimer();
    else if (action === "extend") call("timer:extend", { seconds: 60 });
    else call(`timer:${action}`, {});
  });
}
$("vote-open").addEventListener("click", () => {
  const budget = number("vote-budget");
  call("vote:open", { budget, per_card_cap: Math.min(budget, number("vote-cap")), show_live: $("vote-live").checked });
});
$("vote-close").addEventListener("click", () => call("vote:close", {}));
boardSelect.addEventListener("change", render);

followMethods(connection, () => {
  fillBoards();
  render();
});
connection.addEventListener("change", () => fillBoards());
setInterval(render, 250);
connection.start();
