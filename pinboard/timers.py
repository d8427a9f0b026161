"""The timer of a board: the moderator starts, pauses, resumes, extends and stops a countdown.

Times are the server's: a timer payload carries `ends_at` (ISO UTC, while running), `remaining`
(seconds left as of `server_time`) and `server_time`, so that screens can correct for their
clock's offset and show the same second. With `lock_on_end` the board is locked when the time
is up, by a background task of every server process (watch_timers), whether or not a moderator
is connected; ending a timer is idempotent, so several processes may race for it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .actors import Actor
from .boards import find_board
from .database import Database
from .errors import Invalid, NotFound
from .event_log import Outcome, lock_workshop, record
from .models import Board, BoardTimer, Event, utcnow
from .schemas import UtcDateTime, board_out

log = logging.getLogger("pinboard.timers")
WATCH_INTERVAL = 0.5
_iso = UtcDateTime()


def _ms(delta: dt.timedelta) -> int:
    return max(0, int(delta.total_seconds() * 1000))


def timer_payload(timer: BoardTimer, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    if timer.state == "running" and timer.ends_at is not None:
        remaining_ms = _ms(timer.ends_at - now)
    elif timer.state == "paused":
        remaining_ms = timer.remaining_ms or 0
    else:
        remaining_ms = 0
    return {
        "board_id": timer.board_id,
        "state": timer.state,
        "seconds": timer.seconds,
        "ends_at": _iso._serialize(timer.ends_at, None, None) if timer.state == "running" else None,
        "remaining": remaining_ms / 1000,
        "lock_on_end": timer.lock_on_end,
        "server_time": _iso._serialize(now, None, None),
    }


def _timer(session: Session, board_id: int) -> BoardTimer | None:
    return session.get(BoardTimer, board_id, populate_existing=True)


def _changed(session: Session, actor: Actor, workshop: Any, timer: BoardTimer, type_: str) -> Outcome:
    session.flush()
    data = timer_payload(timer)
    event = record(session, workshop, actor, type_, data)
    return Outcome(data, [event])


def start_timer(
    session: Session, actor: Actor, *, board_id: int, seconds: int, lock_on_end: bool = False
) -> Outcome:
    """Start a countdown of `seconds` on the board, replacing any timer it had."""
    actor.require_moderator("start a timer")
    workshop = lock_workshop(session, actor.workshop_id)
    board = find_board(session, actor, board_id)
    now = utcnow()
    timer = _timer(session, board.id)
    if timer is None:
        timer = BoardTimer(board_id=board.id, workshop_id=workshop.id)
        session.add(timer)
    timer.state = "running"
    timer.seconds = seconds
    timer.ends_at = now + dt.timedelta(seconds=seconds)
    timer.remaining_ms = None
    timer.lock_on_end = lock_on_end
    timer.started_at = now
    return _changed(session, actor, workshop, timer, "timer.started")


def _existing(
    session: Session, actor: Actor, board_id: int, states: tuple[str, ...], action: str
) -> BoardTimer:
    board = find_board(session, actor, board_id)
    timer = _timer(session, board.id)
    if timer is None or timer.state not in states:
        raise Invalid(f"There is no timer to {action} on this board.")
    return timer


def pause_timer(session: Session, actor: Actor, *, board_id: int) -> Outcome:
    actor.require_moderator("pause a timer")
    workshop = lock_workshop(session, actor.workshop_id)
    timer = _existing(session, actor, board_id, ("running",), "pause")
    timer.remaining_ms = _ms(timer.ends_at - utcnow()) if timer.ends_at else 0
    timer.state = "paused"
    timer.ends_at = None
    return _changed(session, actor, workshop, timer, "timer.paused")


def resume_timer(session: Session, actor: Actor, *, board_id: int) -> Outcome:
    actor.require_moderator("resume a timer")
    workshop = lock_workshop(session, actor.workshop_id)
    timer = _existing(session, actor, board_id, ("paused",), "resume")
    timer.ends_at = utcnow() + dt.timedelta(milliseconds=timer.remaining_ms or 0)
    timer.remaining_ms = None
    timer.state = "running"
    return _changed(session, actor, workshop, timer, "timer.resumed")


def extend_timer(session: Session, actor: Actor, *, board_id: int, seconds: int) -> Outcome:
    """Give a running or paused timer more time; an ended one runs again for `seconds`."""
    actor.require_moderator("extend a timer")
    workshop = lock_workshop(session, actor.workshop_id)
    timer = _existing(session, actor, board_id, ("running", "paused", "ended"), "extend")
    extra = dt.timedelta(seconds=seconds)
    timer.seconds += seconds
    if timer.state == "paused":
        timer.remaining_ms = (timer.remaining_ms or 0) + seconds * 1000
    elif timer.state == "running" and timer.ends_at is not None:
        timer.ends_at += extra
    else:
        timer.state = "running"
        timer.ends_at = utcnow() + extra
        timer.remaining_ms = None
    return _changed(session, actor, workshop, timer, "timer.extended")


def stop_timer(session: Session, actor: Actor, *, board_id: int) -> Outcome:
    """Take the timer off the board."""
    actor.require_moderator("stop a timer")
    workshop = lock_workshop(session, actor.workshop_id)
    timer = _existing(session, actor, board_id, ("running", "paused", "ended"), "stop")
    session.delete(timer)
    data = {"board_id": board_id}
    event = record(session, workshop, actor, "timer.stopped", data)
    return Outcome(data, [event])


# ---- reading and ending --------------------------------------------------------------------


def server_time() -> str:
    """The server's clock now, as the timers state it (screens correct their clocks by it)."""
    return _iso._serialize(utcnow(), None, None)  # type: ignore[no-any-return]


def timer_state(session: Session, board_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per board with a timer: its payload. One query for any number of boards."""
    if not board_ids:
        return {}
    now = utcnow()
    timers = session.scalars(select(BoardTimer).where(BoardTimer.board_id.in_(board_ids)))
    return {timer.board_id: timer_payload(timer, now) for timer in timers}


class _Clock:
    """The actor the event log names for what the timer does by itself."""

    label = "timer"


def due_timers(session: Session, now: dt.datetime) -> list[tuple[str, int]]:
    rows = session.execute(
        select(BoardTimer.workshop_id, BoardTimer.board_id).where(
            BoardTimer.state == "running", BoardTimer.ends_at <= now
        )
    )
    return [(workshop_id, board_id) for workshop_id, board_id in rows]


def end_timer(session: Session, workshop_id: str, board_id: int, now: dt.datetime) -> list[Event]:
    """End a due timer (and lock its board if asked). Nothing when another process got there first."""
    try:
        workshop = lock_workshop(session, workshop_id)
    except NotFound:
        return []
    timer = _timer(session, board_id)
    if timer is None or timer.state != "running" or timer.ends_at is None or timer.ends_at > now:
        return []
    clock: Any = _Clock()
    timer.state = "ended"
    timer.remaining_ms = 0
    session.flush()
    events = [record(session, workshop, clock, "timer.ended", timer_payload(timer, now))]
    board = session.get_one(Board, board_id)
    if timer.lock_on_end and not board.locked:
        board.locked = True
        events.append(record(session, workshop, clock, "board.updated", {"board": board_out.dump(board)}))
    return events


def end_due_timers(database: Database, broadcast: Callable[[str, list[Event]], None]) -> int:
    """One pass: end every due timer, each in its own write transaction, and broadcast."""
    now = utcnow()
    with database.read() as session:
        due = due_timers(session, now)
    ended = 0
    for workshop_id, board_id in due:
        with database.write() as session:
            events = end_timer(session, workshop_id, board_id, now)
        if events:
            broadcast(workshop_id, events)
            ended += 1
    return ended


def watch_timers(
    database: Database,
    broadcast: Callable[[str, list[Event]], None],
    sleep: Callable[[float], Any],
    interval: float = WATCH_INTERVAL,
) -> None:
    """The background task: wake every `interval` seconds and end the timers that are due."""
    while True:
        sleep(interval)
        try:
            end_due_timers(database, broadcast)
        except Exception:
            log.exception("could not end the due timers")
