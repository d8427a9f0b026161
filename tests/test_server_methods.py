"""Dot voting and the timer against the real server (`python run.py`): concurrent casts from
several connections of one participant, and a timer that locks its board with no moderator."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import socketio

from tests.test_server import create_workshop, join

pytestmark = pytest.mark.server


def connect(url: str, auth: dict[str, Any], received: list[dict[str, Any]] | None = None) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    if received is not None:
        client.on("event", received.append)
    client.connect(url, auth=auth, transports=["websocket"], wait_timeout=10)
    return client


def test_concurrent_casts_from_three_connections_never_exceed_the_budget(live_server) -> None:
    server = live_server()
    workshop = create_workshop(server.url)
    mod = connect(server.url, {"workshop": workshop["id"], "moderator_key": workshop["moderator_key"]})
    snapshot = mod.call("sync", {}, timeout=10)["data"]["snapshot"]
    board_id = snapshot["boards"][0]["id"]
    card = mod.call(
        "card:create", {"client_id": "c" * 32, "board_id": board_id, "text": "Eine Idee"}, timeout=10
    )
    card_id = card["data"]["id"]
    assert mod.call("vote:open", {"board_id": board_id, "budget": 5, "per_card_cap": 5}, timeout=10)["ok"]
    token = join(server.url, workshop["join_code"], "Anna")["participant_token"]
    phones = [connect(server.url, {"workshop": workshop["id"], "token": token}) for _ in range(3)]
    acks: list[dict[str, Any]] = []
    lock = threading.Lock()
    start = threading.Barrier(3)

    def cast(phone: socketio.Client) -> None:
        start.wait()
        for _ in range(4):
            ack = phone.call("vote:cast", {"card_id": card_id}, timeout=15)
            with lock:
                acks.append(ack)

    threads = [threading.Thread(target=cast, args=(phone,)) for phone in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(acks) == 12
    assert sum(ack["ok"] for ack in acks) == 5
    assert {ack["error"]["code"] for ack in acks if not ack["ok"]} == {"budget_exceeded"}
    assert sorted(ack["data"]["dots_left"] for ack in acks if ack["ok"]) == [0, 1, 2, 3, 4]
    closed = mod.call("vote:close", {"board_id": board_id}, timeout=10)
    assert closed["data"]["tally"] == {str(card_id): 5}
    for client in [mod, *phones]:
        client.disconnect()


def test_a_timer_locks_the_board_with_no_moderator_connected(live_server) -> None:
    server = live_server()
    workshop = create_workshop(server.url)
    token = join(server.url, workshop["join_code"], "Anna")["participant_token"]
    received: list[dict[str, Any]] = []
    phone = connect(server.url, {"workshop": workshop["id"], "token": token}, received)
    board_id = phone.call("sync", {}, timeout=10)["data"]["snapshot"]["boards"][0]["id"]
    mod = connect(server.url, {"workshop": workshop["id"], "moderator_key": workshop["moderator_key"]})
    started = mod.call("timer:start", {"board_id": board_id, "seconds": 2, "lock_on_end": True}, timeout=10)
    assert started["ok"] and started["data"]["state"] == "running"
    mod.disconnect()  # nobody with the moderator key is connected any more
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(m["type"] == "board.updated" for m in received):
        time.sleep(0.05)
    types = [m["type"] for m in received]
    assert types == ["timer.started", "timer.ended", "board.updated"], types
    assert received[2]["data"]["board"]["settings"]["locked"] is True
    assert [m["seq"] for m in received] == list(range(received[0]["seq"], received[0]["seq"] + 3))
    ack = phone.call(
        "card:create", {"client_id": "d" * 32, "board_id": board_id, "text": "Zu spät"}, timeout=10
    )
    assert ack["error"]["code"] == "locked"
    board = phone.call("sync", {}, timeout=10)["data"]["snapshot"]["boards"][0]
    assert board["timer"]["state"] == "ended" and board["settings"]["locked"] is True
    phone.disconnect()
