"""The board timer (pinboard/timers.py): start, pause, resume, extend, stop, and ending on time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pinboard import timers
from pinboard.actors import Actor
from pinboard.database import Database
from pinboard.errors import Forbidden, Invalid
from pinboard.models import Board, BoardTimer, Event, utcnow
from tests.conftest import WorkshopFixture, make_participant


def run(db: Database, operation: Any, actor: Actor, **arguments: Any) -> Any:
    with db.write() as s:
        return operation(s, actor, **arguments)


def test_start_pause_resume_extend_stop(db: Database, workshop: WorkshopFixture) -> None:
    b0, mod = workshop.board_ids[0], workshop.moderator
    started = run(db, timers.start_timer, mod, board_id=b0, seconds=300)
    data = started.data
    assert set(data) == {"board_id", "state", "seconds", "ends_at", "remaining", "lock_on_end", "server_time"}
    assert data["state"] == "running" and data["ends_at"].endswith("Z") and 299 <= data["remaining"] <= 300
    assert started.events[0].type == "timer.started"
    paused = run(db, timers.pause_timer, mod, board_id=b0).data
    assert paused["state"] == "paused" and paused["ends_at"] is None and 299 <= paused["remaining"] <= 300
    with pytest.raises(Invalid):
        run(db, timers.pause_timer, mod, board_id=b0)
    extended = run(db, timers.extend_timer, mod, board_id=b0, seconds=60).data
    assert (
        extended["state"] == "paused" and 359 <= extended["remaining"] <= 360 and extended["seconds"] == 360
    )
    resumed = run(db, timers.resume_timer, mod, board_id=b0).data
    assert resumed["state"] == "running" and 358 <= resumed["remaining"] <= 360
    assert run(db, timers.stop_timer, mod, board_id=b0).data == {"board_id": b0}
    with pytest.raises(Invalid):
        run(db, timers.stop_timer, mod, board_id=b0)


def test_only_the_moderator_runs_timers(db: Database, workshop: WorkshopFixture) -> None:
    anna, _ = make_participant(db, workshop, "Anna")
    for actor in (anna, workshop.projector):
        with pytest.raises(Forbidden):
            run(db, timers.start_timer, actor, board_id=workshop.board_ids[0], seconds=60)
        for operation in (timers.pause_timer, timers.resume_timer, timers.stop_timer):
            with pytest.raises(Forbidden):
                run(db, operation, actor, board_id=workshop.board_ids[0])


def test_a_due_timer_ends_once_and_locks_its_board(db: Database, workshop: WorkshopFixture) -> None:
    b0 = workshop.board_ids[0]
    run(db, timers.start_timer, workshop.moderator, board_id=b0, seconds=1, lock_on_end=True)
    run(db, timers.start_timer, workshop.moderator, board_id=workshop.board_ids[1], seconds=600)
    with db.write() as s:
        s.get_one(BoardTimer, b0).ends_at = utcnow() - dt.timedelta(seconds=1)
    broadcasts: list[tuple[str, list[Event]]] = []
    assert timers.end_due_timers(db, lambda w, events: broadcasts.append((w, [e.type for e in events]))) == 1
    assert broadcasts == [(workshop.id, ["timer.ended", "board.updated"])]
    assert timers.end_due_timers(db, lambda *_: broadcasts.append(("again", []))) == 0  # idempotent
    with db.write() as s:
        assert timers.end_timer(s, workshop.id, b0, utcnow()) == []  # another process comes too late
    with db.read() as s:
        assert s.get_one(Board, b0).locked is True
        assert s.get_one(BoardTimer, b0).state == "ended"
        assert s.get_one(BoardTimer, workshop.board_ids[1]).state == "running"
        assert timers.timer_state(s, [b0])[b0]["remaining"] == 0


def test_without_lock_on_end_the_board_stays_open(db: Database, workshop: WorkshopFixture) -> None:
    b0 = workshop.board_ids[0]
    run(db, timers.start_timer, workshop.moderator, board_id=b0, seconds=1)
    with db.write() as s:
        s.get_one(BoardTimer, b0).ends_at = utcnow() - dt.timedelta(seconds=1)
    types: list[str] = []
    timers.end_due_timers(db, lambda _w, events: types.extend(e.type for e in events))
    assert types == ["timer.ended"]
    with db.read() as s:
        assert s.get_one(Board, b0).locked is False
