"""Abuse on a real server (`python run.py`, default limits): a participant flooding events is
rate-limited and then disconnected while another participant keeps posting, and messages over
the size limits are refused.

The latencies printed here (`pytest -s`) are figures for the report, not assertions: the only
time bound is the generous timeout of each call.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from pinboard.config import Settings
from tests.conftest import LiveServer
from tests.test_server import create_workshop, join, snapshot

pytestmark = pytest.mark.server

DEFAULTS = Settings()
FLOODER = Path(__file__).with_name("flooder.py")
CALL_TIMEOUT = 10.0  # the generous bound: every call of a well-behaved participant answers within it
FLOOD_EVENTS = 5000


def participant(
    server: LiveServer,
    workshop: dict[str, Any],
    name: str,
    transport: str = "websocket",
    token: str | None = None,
) -> Any:
    token = token or join(server.url, workshop["join_code"], name)["participant_token"]
    # Our own HTTP session, closed by close(): the library drops its own unclosed when the server
    # ends a long-polling connection.
    client = socketio.Client(reconnection=False, http_session=requests.Session())
    client.connect(
        server.url, auth={"workshop": workshop["id"], "token": token}, transports=[transport], wait_timeout=10
    )
    client.token = token
    client.websocket = client.eio.ws  # the library forgets it, unclosed, when the server closes it
    return client


def close(client: Any) -> None:
    client.disconnect()
    if client.websocket is not None:
        client.websocket.shutdown()
    client.eio.http.close()


def new_card(board_id: int, text: str) -> dict[str, Any]:
    return {"client_id": uuid.uuid4().hex, "board_id": board_id, "text": text}


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def cards_by_author(state: dict[str, Any]) -> Counter[str]:
    board = state["boards"][0]
    every = board["unsorted"] + [card for cluster in board["clusters"] for card in cluster["cards"]]
    return Counter(card["author_name"] for card in every)


def figures(latencies: list[float]) -> str:
    if not latencies:
        return "none"
    ms = sorted(1000 * value for value in latencies)
    return f"n={len(ms)} median={statistics.median(ms):.1f} ms max={ms[-1]:.1f} ms"


def test_a_flooding_participant_is_cut_off_while_another_keeps_posting(
    live_server: Callable[..., LiveServer],
) -> None:
    server = live_server()
    workshop = create_workshop(server.url)
    board_id = snapshot(server.url, workshop["id"], workshop["moderator_key"])["boards"][0]["id"]
    flood_token = join(server.url, workshop["join_code"], "Flut")["participant_token"]
    ben = participant(server, workshop, "Ben")
    latencies: dict[str, list[float]] = {"before": [], "during": [], "after": []}

    def post(phase: str) -> None:
        started = time.monotonic()
        text = f"Ben {phase} {len(latencies[phase])}"
        ack = ben.call("card:create", new_card(board_id, text), timeout=CALL_TIMEOUT)
        latencies[phase].append(time.monotonic() - started)
        assert ack["ok"] is True, ack

    for _ in range(5):
        post("before")
    flooder = subprocess.Popen(
        [
            sys.executable,
            str(FLOODER),
            server.url,
            workshop["id"],
            flood_token,
            str(board_id),
            str(FLOOD_EVENTS),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert flooder.stdout is not None and flooder.stdout.readline().strip() == "flooding"
        # Ben posts at a brisk human pace (well within his own limit) while the flood lasts.
        while flooder.poll() is None and len(latencies["during"]) < 25:
            post("during")
            time.sleep(0.05)
        output, _ = flooder.communicate(timeout=30)
    finally:
        flooder.kill()
    for _ in range(5):
        post("after")
    flood = json.loads(output)

    outcomes = flood["outcomes"]
    assert flood["disconnected"] is True, flood
    assert set(outcomes) <= {"ok", "rate_limited"}, flood
    # The event that reaches the threshold is answered by closing the connection.
    assert outcomes["rate_limited"] >= DEFAULTS.rate_limit_disconnect_after - 1, flood
    # The burst, plus what the bucket refilled while the flood lasted.
    refill = DEFAULTS.rate_limit_per_minute / 60 * flood["seconds"]
    assert 1 <= outcomes["ok"] <= DEFAULTS.rate_limit_burst + refill + 1, flood
    assert len(latencies["during"]) >= 1

    # Nothing acknowledged is lost or doubled, and nothing refused was stored.
    authors = cards_by_author(snapshot(server.url, workshop["id"], workshop["moderator_key"]))
    assert authors["Flut"] == outcomes["ok"]
    assert authors["Ben"] == sum(len(values) for values in latencies.values())
    assert "closing a flooding connection of participant:" in server.log()
    assert flood_token not in server.log()

    # Cut off is not banned: the participant may connect again.
    again = participant(server, workshop, "Flut", token=flood_token)
    assert again.connected
    close(again)
    close(ben)
    print(
        f"\nflood: {flood['sent']} events sent, {flood['answered']} answered {outcomes}, "
        f"disconnected after {flood['seconds']:.2f} s\n"
        + "\n".join(f"Ben's card:create {phase}: {figures(values)}" for phase, values in latencies.items())
    )


def test_oversized_messages_are_refused(live_server: Callable[..., LiveServer]) -> None:
    server = live_server()
    workshop = create_workshop(server.url)
    board_id = snapshot(server.url, workshop["id"], workshop["moderator_key"])["boards"][0]["id"]
    anna = participant(server, workshop, "Anna")
    ben = participant(server, workshop, "Ben", transport="polling")
    clara = participant(server, workshop, "Clara")

    # Over max_message_bytes: answered with too_large, the connection stays.
    for client in (anna, ben):
        ack = client.call(
            "card:create", new_card(board_id, "x" * (DEFAULTS.max_message_bytes + 1)), timeout=10
        )
        assert ack["ok"] is False and ack["error"]["code"] == "too_large", ack
        assert str(DEFAULTS.max_message_bytes) in ack["error"]["message"]
        assert client.connected

    # Over the transport's buffer (2 MB): the server closes the connection without reading it.
    huge = new_card(board_id, "y" * 2_000_000)
    for client in (anna, ben):
        client.emit("card:create", huge)
        assert wait_until(lambda c=client: not c.connected), "the connection stayed open"

    # Nobody else noticed, and nothing of it was stored.
    ack = clara.call("card:create", new_card(board_id, "Clara ist noch da"), timeout=10)
    assert ack["ok"] is True, ack
    assert cards_by_author(snapshot(server.url, workshop["id"], workshop["moderator_key"])) == {"Clara": 1}
    for client in (anna, ben, clara):
        close(client)
