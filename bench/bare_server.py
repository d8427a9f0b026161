"""A bare python-socketio server: the ceiling of the stack for bench/load.py.

    python bench/bare_server.py --port 5000 [--async-mode eventlet|gevent|threading]

It speaks just enough of pinboard's protocol for the load generator (POST /api/workshops,
GET /api/workshops/<id>, POST /api/join, /healthz; Socket.IO auth, `sync`, `card:create`,
`card:move`) and does nothing else: no validation, no database, no event log. It acks every
event and broadcasts it as `event {seq, type, data}` to the workshop's room, one workshop, in
memory. Served like pinboard/cli.py serves pinboard: eventlet's WSGI server with TCP_NODELAY on
the listening socket, one event at a time per connection.
"""

from __future__ import annotations

import argparse
import itertools
import json
import secrets
import socket
from typing import Any


def make_app(async_mode: str) -> tuple[Any, Any]:
    import socketio

    sio = socketio.Server(async_mode=async_mode, async_handlers=False, cors_allowed_origins="*")
    state = {"seq": 0, "workshop": "bench", "code": "BENCH1"}
    card_ids = itertools.count(1)
    participant_ids = itertools.count(1)
    boards = [{"id": 1, "clusters": [{"id": 1}, {"id": 2}, {"id": 3}], "unsorted": []}]

    def snapshot() -> dict[str, Any]:
        return {"seq": state["seq"], "boards": boards}

    def broadcast(type_: str, data: dict[str, Any]) -> int:
        state["seq"] += 1
        sio.emit("event", {"seq": state["seq"], "type": type_, "data": data}, to="w")
        return state["seq"]

    @sio.on("connect")
    def connect(sid: str, environ: dict[str, Any], auth: Any) -> None:
        if not isinstance(auth, dict) or auth.get("workshop") != state["workshop"]:
            raise socketio.exceptions.ConnectionRefusedError("unknown workshop")
        sio.enter_room(sid, "w")

    @sio.on("sync")
    def sync(sid: str, payload: Any = None) -> dict[str, Any]:
        return {"ok": True, "data": {"snapshot": snapshot()}, "seq": state["seq"]}

    @sio.on("card:create")
    def card_create(sid: str, payload: dict[str, Any]) -> dict[str, Any]:
        card = {"id": next(card_ids), "board_id": payload.get("board_id"), "cluster_id": None,
                "text": payload.get("text"), "client_id": payload.get("client_id")}  # fmt: skip
        seq = broadcast("card.created", {"card": card, "index": 0})
        return {"ok": True, "data": card, "seq": seq}

    @sio.on("card:move")
    def card_move(sid: str, payload: dict[str, Any]) -> dict[str, Any]:
        seq = broadcast("card.moved", {**payload, "index": payload.get("index") or 0})
        return {"ok": True, "data": None, "seq": seq}

    def http(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        if path == "/healthz":
            body: Any = {"status": "ok"}
        elif path == "/api/workshops" and method == "POST":
            body = {
                "id": state["workshop"],
                "join_code": state["code"],
                "moderator_key": "m",
                "projector_key": "p",
            }
        elif path.startswith("/api/workshops/"):
            body = snapshot()
        elif path == "/api/join" and method == "POST":
            body = {"workshop_id": state["workshop"], "participant_id": next(participant_ids),
                    "participant_token": secrets.token_urlsafe(24)}  # fmt: skip
        else:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    return sio, socketio.WSGIApp(sio, http)


def serve(port: int, async_mode: str) -> None:
    _, app = make_app(async_mode)
    if async_mode == "eventlet":
        import eventlet.wsgi

        listener = eventlet.listen(("127.0.0.1", port), backlog=2048)
        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        eventlet.wsgi.server(listener, app, log_output=False, max_size=10_000)
    elif async_mode == "gevent":
        from gevent import pywsgi

        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(2048)
        pywsgi.WSGIServer(listener, app, log=None).serve_forever()
    else:
        from werkzeug.serving import run_simple

        run_simple("127.0.0.1", port, app, threaded=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--async-mode", default="eventlet", choices=("eventlet", "gevent", "threading"))
    args = parser.parse_args()
    if args.async_mode == "eventlet":
        import eventlet

        eventlet.monkey_patch()
    elif args.async_mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
    serve(args.port, args.async_mode)


if __name__ == "__main__":
    main()
