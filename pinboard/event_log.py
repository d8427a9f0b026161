"""The per-workshop event log: gapless sequence numbers allocated inside the writing transaction.

Every write operation first locks its workshop row (SELECT ... FOR UPDATE on PostgreSQL; on
SQLite the BEGIN IMMEDIATE write lock already serialises writers), so operations on one
workshop apply in sequence-number order in every process, and no two events share a number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .actors import Actor
from .errors import NotFound
from .models import Event, Workshop, utcnow


@dataclass
class Outcome:
    """What a write operation hands back to its adapter: the ack's data and the new events."""

    data: Any = None
    events: list[Event] = field(default_factory=list)

    @property
    def seq(self) -> int | None:
        return self.events[-1].seq if self.events else None


def lock_workshop(session: Session, workshop_id: str) -> Workshop:
    workshop = session.scalars(
        select(Workshop).where(Workshop.id == workshop_id).with_for_update()
    ).one_or_none()
    if workshop is None or workshop.closed_at is not None:
        raise NotFound("This workshop does not exist or has been closed.")
    return workshop


def record(session: Session, workshop: Workshop, actor: Actor, type_: str, data: dict[str, Any]) -> Event:
    """Append one event; the caller must hold the workshop lock (see lock_workshop)."""
    workshop.last_seq += 1
    workshop.last_activity_at = utcnow()
    event = Event(workshop_id=workshop.id, seq=workshop.last_seq, type=type_, data=data, actor=actor.label)
    session.add(event)
    return event


def event_message(event: Event) -> dict[str, Any]:
    """The `event` message every client of the workshop receives."""
    return {"seq": event.seq, "type": event.type, "data": event.data}


def events_since(session: Session, workshop_id: str, since: int, limit: int) -> list[Event] | None:
    """The events after `since` in order, or None when there are more than `limit`."""
    events = session.scalars(
        select(Event)
        .where(Event.workshop_id == workshop_id, Event.seq > since)
        .order_by(Event.seq)
        .limit(limit + 1)
    ).all()
    if len(events) > limit:
        return None
    return list(events)
