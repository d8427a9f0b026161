"""A participant's client gone wild: it floods a pinboard server with `card:create` events, never
waiting for an answer, until the server disconnects it or it has sent MAX_EVENTS. A process of
its own, so that its work does not slow down the test's other clients (tests/test_abuse.py).

    python tests/flooder.py URL WORKSHOP_ID TOKEN BOARD_ID MAX_EVENTS [websocket|polling]

Prints `flooding` when connected, then one JSON line:
{"sent", "answered", "outcomes": {"ok" | error code: count}, "seconds" (until the disconnect),
"disconnected"}.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from collections import Counter
from typing import Any

import socketio


def main(
    url: str, workshop_id: str, token: str, board_id: int, max_events: int, transport: str = "websocket"
) -> dict[str, Any]:
    client = socketio.Client(reconnection=False)
    disconnected = threading.Event()
    disconnected_at: list[float] = []

    def on_disconnect(*_: Any) -> None:
        disconnected_at.append(time.monotonic())
        disconnected.set()

    client.on("disconnect", on_disconnect)
    client.connect(url, auth={"workshop": workshop_id, "token": token}, transports=[transport])
    websocket = client.eio.ws
    acks: list[dict[str, Any]] = []
    print("flooding", flush=True)
    started = time.monotonic()
    sent = 0
    while sent < max_events and not disconnected.is_set():
        payload = {"client_id": uuid.uuid4().hex, "board_id": board_id, "text": f"Flut {sent}"}
        try:
            client.emit("card:create", payload, callback=acks.append)
        except socketio.exceptions.SocketIOError:
            break
        sent += 1
    was_disconnected = disconnected.wait(10)
    seconds = (disconnected_at[0] if disconnected_at else time.monotonic()) - started
    client.disconnect()
    if websocket is not None:
        websocket.shutdown()
    outcomes = Counter("ok" if ack["ok"] else ack["error"]["code"] for ack in list(acks))
    return {
        "sent": sent,
        "answered": len(acks),
        "outcomes": dict(outcomes),
        "seconds": seconds,
        "disconnected": was_disconnected,
    }


if __name__ == "__main__":
    url, workshop_id, token, board_id, max_events, *transport = sys.argv[1:]
    print(json.dumps(main(url, workshop_id, token, int(board_id), int(max_events), *transport)), flush=True)
