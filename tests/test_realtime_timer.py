"""The board timer over Socket.IO (docs/protocol.md, "Timer"): every event and error, who may
send what, and the end of a timer that locks its board with no moderator connected."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pinboard import timers
from pinboard.app import socketio_of
from pinboard.database import Database
from pinboard.models import BoardTimer, utcnow
from tests.test_realtime import Room, assert_failed, build_room, events

TIMER_KEYS = {"board_id", "state", "seconds", "ends_at", "remaining", "lock_on_end", "server_time"}


@pytest.fixture
def room(app_db: Database, socket_client: Any) -> Room:
    return build_room(app_db, socket_client)


def stable(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The snapshot without what changes as the clock runs (server_time, remaining)."""
    for board in snapshot["boards"]:
        if board["timer"]:
            board["timer"] = {
                k: v for k, v in board["timer"].items() if k not in ("server_time", "remaining")
            }
    return snapshot


def moderator(room: Room, event: str, **payload: Any) -> dict[str, Any]:
    ack = room.clients["moderator"].emit(event, {"board_id": room.b0, **payload}, callback=True)
    assert ack["ok"] is True, ack
    return ack  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("event", "payload", "type_", "state"),
    [
        ("timer:start", {"seconds": 120}, "timer.started", "running"),
        ("timer:pause", {}, "timer.paused", "paused"),
        ("timer:resume", {}, "timer.resumed", "running"),
        ("timer:extend", {"seconds": 60}, "timer.extended", "running"),
        ("timer:stop", {}, "timer.stopped", None),
    ],
)
def test_each_timer_event_acks_and_broadcasts(
    room: Room, event: str, payload: dict[str, Any], type_: str, state: str | None
) -> None:
    moderator(room, "timer:start", seconds=300, lock_on_end=True)
    if event == "timer:resume":
        moderator(room, "timer:pause")
    room.received()
    ack = moderator(room, event, **payload)
    assert ack["seq"] == room.seq()
    message = {"seq": ack["seq"], "type": type_, "data": ack["data"]}
    assert room.received() == {name: [message] for name in room.clients}
    assert events(room.outsider) == []
    timer = next(b for b in room.snapshot()["boards"] if b["id"] == room.b0)["timer"]
    if state is None:
        assert ack["data"] == {"board_id": room.b0} and timer is None
        return
    assert set(ack["data"]) == TIMER_KEYS and ack["data"]["state"] == state == timer["state"]
    assert ack["data"]["lock_on_end"] is (event != "timer:start")
    dt.datetime.fromisoformat(ack["data"]["server_time"].replace("Z", "+00:00"))
    if state == "running":
        ends_at = dt.datetime.fromisoformat(ack["data"]["ends_at"].replace("Z", "+00:00"))
        server_time = dt.datetime.fromisoformat(ack["data"]["server_time"].replace("Z", "+00:00"))
        assert abs((ends_at - server_time).total_seconds() - ack["data"]["remaining"]) < 0.01
    if event == "timer:extend":
        assert ack["data"]["seconds"] == 360 and ack["data"]["remaining"] > 355


@pytest.mark.parametrize("sender", ["anna", "projector"])
@pytest.mark.parametrize(
    "event", ["timer:start", "timer:pause", "timer:resume", "timer:extend", "timer:stop"]
)
def test_only_the_moderator_may_run_the_timer(room: Room, sender: str, event: str) -> None:
    moderator(room, "timer:start", seconds=300)
    room.received()
    before = stable(room.snapshot())
    payload = {"board_id": room.b0, **({"seconds": 60} if event in ("timer:start", "timer:extend") else {})}
    assert_failed(room.clients[sender].emit(event, payload, callback=True), "forbidden")
    room.assert_nothing_broadcast()
    assert stable(room.snapshot()) == before


@pytest.mark.parametrize(
    ("event", "payload", "code"),
    [
        ("timer:start", {"seconds": 0}, "invalid"),
        ("timer:start", {"seconds": 4 * 3600 + 1}, "invalid"),
        ("timer:start", {"seconds": "60"}, "invalid"),
        ("timer:start", {"seconds": 60, "lock_on_end": "yes"}, "invalid"),
        ("timer:pause", {}, "invalid"),  # nothing running
        ("timer:resume", {}, "invalid"),
        ("timer:extend", {"seconds": 60}, "invalid"),
        ("timer:stop", {}, "invalid"),
        ("timer:start", {"seconds": 60, "board_id": 999999}, "not_found"),
    ],
)
def test_timer_errors(room: Room, event: str, payload: dict[str, Any], code: str) -> None:
    before = room.snapshot()
    ack = room.clients["moderator"].emit(event, {"board_id": room.b0, **payload}, callback=True)
    assert_failed(ack, code)
    room.assert_nothing_broadcast()
    assert room.snapshot() == before


def test_a_timer_locks_its_board_when_due_with_no_moderator_connected(room: Room, app: Any) -> None:
    moderator(room, "timer:start", seconds=2, lock_on_end=True)
    room.clients["moderator"].disconnect()
    del room.clients["moderator"]
    room.received()
    with room.db.write() as s:
        s.get_one(BoardTimer, room.b0).ends_at = utcnow() - dt.timedelta(milliseconds=10)
    realtime = app.extensions["pinboard.realtime"]
    assert realtime.socketio is socketio_of(app)
    assert timers.end_due_timers(room.db, realtime.broadcast) == 1
    received = room.received()
    assert [m["type"] for m in received["anna"]] == ["timer.ended", "board.updated"]
    assert received["anna"][1]["data"]["board"]["settings"]["locked"] is True
    assert received["projector"] == received["anna"] == received["ben"]
    assert timers.end_due_timers(room.db, realtime.broadcast) == 0
    ack = room.clients["anna"].emit(
        "card:create", {"client_id": "a" * 32, "board_id": room.b0, "text": "Zu spät"}, callback=True
    )
    assert_failed(ack, "locked")
