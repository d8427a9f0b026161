// A bare Node Socket.IO 4 server for bench/load.py, the peer of bench/bare_server.py: it speaks
// just enough of pinboard's protocol (the HTTP join, auth, sync, card:create, card:move), acks
// every event and broadcasts it as `event {seq, type, data}` to the workshop's room.
//
//   NODE_PATH=~/.cache/pinboard-bench/node_modules node bench/bare_server.js 5000
//
// bench/load.py installs npm's socket.io@4 into ~/.cache/pinboard-bench (never into the repo).

const http = require("http");
const crypto = require("crypto");
const { Server } = require("socket.io");

const port = Number(process.argv[2] || 5000);
const state = { seq: 0, workshop: "bench", code: "BENCH1", cardId: 0, participantId: 0 };
const boards = [{ id: 1, clusters: [{ id: 1 }, { id: 2 }, { id: 3 }], unsorted: [] }];
const snapshot = () => ({ seq: state.seq, boards });

function answer(response, body) {
  response.writeHead(200, { "Content-Type": "application/json" });
  response.end(JSON.stringify(body));
}

const server = http.createServer((request, response) => {
  const path = request.url.split("?")[0];
  if (path.startsWith("/socket.io/")) return; // Socket.IO's own handler answers
  request.resume();
  request.on("end", () => {
    if (path === "/healthz") return answer(response, { status: "ok" });
    if (path === "/api/workshops" && request.method === "POST")
      return answer(response, { id: state.workshop, join_code: state.code, moderator_key: "m", projector_key: "p" });
    if (path.startsWith("/api/workshops/")) return answer(response, snapshot());
    if (path === "/api/join" && request.method === "POST")
      return answer(response, {
        workshop_id: state.workshop,
        participant_id: ++state.participantId,
        participant_token: crypto.randomBytes(18).toString("base64url"),
      });
    response.writeHead(404);
    response.end("not found");
  });
});
server.on("connection", (sock) => sock.setNoDelay(true));

const io = new Server(server, { cors: { origin: "*" } });

function broadcast(type, data) {
  state.seq += 1;
  io.to("w").emit("event", { seq: state.seq, type, data });
  return state.seq;
}

io.use((socket, next) => {
  if (socket.handshake.auth && socket.handshake.auth.workshop === state.workshop) return next();
  next(new Error("unknown workshop"));
});

io.on("connection", (socket) => {
  socket.join("w");
  socket.on("sync", (_payload, ack) => ack({ ok: true, data: { snapshot: snapshot() }, seq: state.seq }));
  socket.on("card:create", (payload, ack) => {
    const card = { id: ++state.cardId, board_id: payload.board_id, cluster_id: null, text: payload.text,
                   client_id: payload.client_id };
    const seq = broadcast("card.created", { card, index: 0 });
    ack({ ok: true, data: card, seq });
  });
  socket.on("card:move", (payload, ack) => {
    const seq = broadcast("card.moved", { ...payload, index: payload.index || 0 });
    ack({ ok: true, data: null, seq });
  });
});

server.listen(port, "127.0.0.1");
