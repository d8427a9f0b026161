// One load-generator process of bench/load.py on Node: socket.io-client 4 clients playing a
// workshop, the peer of bench/load_clients.py (same phases, same figures, same report).
//
//   NODE_PATH=~/.cache/pinboard-bench/node_modules node bench/load_clients.js '<plan as JSON>'
//
// bench/load.py installs npm's socket.io-client@4 into ~/.cache/pinboard-bench (never into the
// repository) and drives this process through its stdin and stdout, one JSON object a line:
// at each phase the generator writes {"phase": n} and waits for a line on stdin (bench/load.py
// answers once every generator and the orchestrator have reached the phase, with its own
// time.monotonic() in it); at the end it writes {"report": {...}} (or {"failed": "..."}).
// Times are CLOCK_MONOTONIC (process.hrtime.bigint() on Linux, the clock of Python's
// time.monotonic()), so a card's post time in one generator and its arrival in another compare.

"use strict";

const readline = require("readline");
const { io } = require("socket.io-client");

const CALL_TIMEOUT = 15000;
const plan = JSON.parse(process.argv[2]);
const now = () => Number(process.hrtime.bigint()) / 1e9; // seconds, CLOCK_MONOTONIC
const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, Math.max(0, seconds * 1000)));

// ---- talking to bench/load.py ------------------------------------------------------------

const lines = readline.createInterface({ input: process.stdin });
const waiting = [];
let clockLagMs = 0; // how far this clock is ahead of the orchestrator's: a pipe's latency, >= 0
lines.on("line", (line) => {
  const message = JSON.parse(line);
  const lag = (now() - message.monotonic) * 1000;
  if (Math.abs(lag) > Math.abs(clockLagMs)) clockLagMs = lag;
  const resolve = waiting.shift();
  if (resolve) resolve(message);
});

function send(message) {
  process.stdout.write(JSON.stringify(message) + "\n");
}

function phase(number) {
  const answered = new Promise((resolve) => waiting.push(resolve));
  send({ phase: number });
  return answered.then((message) => {
    if (message.abort) throw new Error(`phase ${number}: aborted by the orchestrator`);
  });
}

// ---- the clients -------------------------------------------------------------------------

const tally = { arrivals: {}, duplicates: 0, gaps: 0, frames: 0, lastArrival: 0 };
const errors = {};
const error = (kind) => {
  errors[kind] = (errors[kind] || 0) + 1;
};

class Client {
  constructor(url) {
    this.url = url;
    this.seq = this.synced = 0;
    this.seen = new Set();
    this.cardIds = [];
    this.disconnected = false;
  }

  async connect(auth) {
    this.socket = io(this.url, {
      transports: ["websocket"],
      auth,
      forceNew: true, // one connection per client, as a phone has
      reconnection: false,
      timeout: CALL_TIMEOUT,
      // Node's ws offers permessage-deflate unless told not to, and eventlet's server accepts it
      // (and then compresses every frame for every client); python-socketio's client does not.
      perMessageDeflate: plan.deflate ? { threshold: 1024 } : false,
    });
    this.socket.on("event", (message) => {
      tally.frames += 1;
      this.apply(message);
    });
    this.socket.on("events", (messages) => {
      tally.frames += 1;
      for (const message of messages) this.apply(message);
    });
    await new Promise((resolve, reject) => {
      this.socket.once("connect", resolve);
      this.socket.once("connect_error", reject);
    });
    this.socket.on("disconnect", () => {
      this.disconnected = true;
    });
    const answer = await this.socket.timeout(CALL_TIMEOUT).emitWithAck("sync", {});
    if (!answer.ok) throw new Error(`sync failed: ${JSON.stringify(answer)}`);
    this.seq = this.synced = answer.data.snapshot.seq;
  }

  apply(message) {
    const seq = message.seq;
    if (seq <= this.synced) return; // an old event, sent while the sync answer was on its way
    if (seq > this.seq + 1) tally.gaps += 1; // several processes: events published by two may cross
    this.seq = Math.max(this.seq, seq);
    if (message.type !== "card.created") return;
    const card = message.data.card;
    const clientId = card.client_id;
    if (this.seen.has(clientId)) {
      tally.duplicates += 1;
      return;
    }
    this.seen.add(clientId);
    this.cardIds.push(card.id);
    const at = now();
    const entry = tally.arrivals[clientId];
    if (entry === undefined) tally.arrivals[clientId] = [1, at];
    else {
      entry[0] += 1;
      entry[1] = at;
    }
    tally.lastArrival = at;
  }

  call(event, payload) {
    return this.socket.timeout(CALL_TIMEOUT).emitWithAck(event, payload);
  }
}

const workshop = plan.workshop;
const boardId = Number(workshop.board_id);
const clusterIds = workshop.cluster_ids;
const clients = [];
const phones = [];
const joinMs = [];
const ackMs = [];
const moveMs = [];
const posted = {};
let moderator = null;

const errorName = (err) => (err && err.message === "operation has timed out" ? "TimeoutError" : (err && err.name) || "Error");

async function connectStaff() {
  const projector = new Client(plan.urls[0]);
  await projector.connect({ workshop: workshop.id, projector_key: workshop.projector_key });
  moderator = new Client(plan.urls[0]);
  await moderator.connect({ workshop: workshop.id, moderator_key: workshop.moderator_key });
  clients.push(projector, moderator);
}

async function join(number, at) {
  await sleep(at - now());
  const url = plan.urls[number % plan.urls.length];
  const started = now();
  let phone = null;
  try {
    const response = await fetch(`${url}/api/join`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code: workshop.join_code }),
    });
    if (response.status !== 200) {
      await response.arrayBuffer();
      error(`join http ${response.status}`);
      return;
    }
    const joined = await response.json();
    phone = new Client(url);
    await phone.connect({ workshop: joined.workshop_id, token: joined.participant_token });
  } catch (err) {
    error(`join ${errorName(err)}`);
    if (phone && phone.socket) phone.socket.disconnect();
    return;
  }
  joinMs.push((now() - started) * 1000);
  clients.push(phone);
  phones.push(phone);
}

async function post(phone, number) {
  const clientId = `${plan.index}-${number}-${Math.random().toString(16).slice(2, 10)}`;
  const payload = { client_id: clientId, board_id: boardId, text: `Karte ${number}` };
  const started = now();
  posted[clientId] = started;
  let answer;
  try {
    answer = await phone.call("card:create", payload);
  } catch (err) {
    error(`card:create ${errorName(err)}`);
    return;
  }
  if (!answer.ok) {
    error(`card:create ${answer.error && answer.error.code}`);
    return;
  }
  ackMs.push((now() - started) * 1000);
}

async function moveFor(duration) {
  const interval = 1 / plan.moves;
  const end = now() + duration;
  while (now() < end) {
    await sleep(interval);
    if (!moderator.cardIds.length || !clusterIds.length) continue;
    const pick = (list) => list[Math.floor(Math.random() * list.length)];
    const payload = { card_id: pick(moderator.cardIds), board_id: boardId, cluster_id: pick(clusterIds), index: 0 };
    const started = now();
    let answer;
    try {
      answer = await moderator.call("card:move", payload);
    } catch (err) {
      error(`card:move ${errorName(err)}`);
      continue;
    }
    if (!answer.ok) error(`card:move ${answer.error && answer.error.code}`);
    else moveMs.push((now() - started) * 1000);
  }
}

async function postFor(duration) {
  const tasks = [];
  if (moderator !== null && plan.moves > 0) tasks.push(moveFor(duration));
  if (phones.length && plan.rate > 0) {
    const interval = 1 / plan.rate;
    const start = now();
    const count = Math.floor(duration * plan.rate);
    for (let number = 0; number < count; number++) {
      await sleep(start + number * interval - now());
      tasks.push(post(phones[number % phones.length], number));
    }
  }
  await Promise.all(tasks);
}

async function drain() {
  const end = now() + plan.drain;
  while (now() < end) {
    await sleep(0.25);
    if (now() - tally.lastArrival > 1.0) break;
  }
}

const cpuSeconds = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

async function play() {
  if (plan.staff) await connectStaff();
  await phase(1); // everyone ready, the join storm starts
  const started = now();
  const spacing = plan.join_over / Math.max(1, workshop.phones);
  await Promise.all(plan.phones.map((number) => join(number, started + number * spacing)));
  await phase(2); // everyone joined; the orchestrator measures memory
  await phase(3); // posting starts
  const cpuBefore = cpuSeconds();
  const wallBefore = now();
  await postFor(plan.duration);
  await phase(4); // every process has posted its last card
  await drain();
  const cpu = cpuSeconds() - cpuBefore;
  const wall = now() - wallBefore;
  return {
    index: plan.index,
    generator: "node",
    clients: clients.length,
    disconnected: clients.filter((client) => client.disconnected).length,
    join_ms: joinMs,
    ack_ms: ackMs,
    move_ms: moveMs,
    posted,
    arrivals: tally.arrivals,
    duplicates: tally.duplicates,
    gaps: tally.gaps,
    frames: tally.frames,
    errors,
    cpu_seconds: cpu,
    wall_seconds: wall,
    clock_lag_ms: clockLagMs,
  };
}

play()
  .then((report) => send({ report }))
  .catch((err) => send({ failed: `${errorName(err)}: ${err && err.message}` }))
  .finally(() => {
    for (const client of clients) if (client.socket) client.socket.disconnect();
    lines.close();
    setTimeout(() => process.exit(0), 200);
  });
