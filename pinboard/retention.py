"""Deleting workshops: by the moderator, or automatically some days after their last activity.

Deleting removes the workshop with everything that belongs to it (boards, clusters, cards,
participants, events) through the foreign keys' ON DELETE CASCADE.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .actors import Actor
from .database import Database
from .event_log import lock_workshop
from .models import Board, Card, Cluster, Event, Participant, Workshop, utcnow

log = logging.getLogger("pinboard.retention")
PURGE_INTERVAL_SECONDS = 3600

# Children first: SQLite enforces the cascade only with PRAGMA foreign_keys=ON, and an explicit
# order keeps deletion correct on any database whatever its foreign-key settings.
_OWNED_BY_WORKSHOP = (Event, Card, Participant)


def _delete_everything(session: Session, workshop_id: str) -> None:
    for model in _OWNED_BY_WORKSHOP:
        session.execute(delete(model).where(model.workshop_id == workshop_id))
    board_ids = select(Board.id).where(Board.workshop_id == workshop_id)
    session.execute(delete(Cluster).where(Cluster.board_id.in_(board_ids)))
    session.execute(delete(Board).where(Board.workshop_id == workshop_id))
    session.execute(delete(Workshop).where(Workshop.id == workshop_id))


def delete_workshop(session: Session, actor: Actor) -> str:
    """Delete the actor's workshop for good (moderator only); returns its id."""
    actor.require_moderator("delete the workshop")
    workshop = lock_workshop(session, actor.workshop_id)
    _delete_everything(session, workshop.id)
    return workshop.id


def purge_inactive(session: Session, days: int, now: dt.datetime | None = None) -> list[str]:
    """Delete every workshop whose last activity is more than `days` days ago; return their ids."""
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    stale = list(session.scalars(select(Workshop.id).where(Workshop.last_activity_at < cutoff)))
    for workshop_id in stale:
        _delete_everything(session, workshop_id)
    return stale


def purge_periodically(database: Database, days: int, sleep: Callable[[float], None]) -> None:
    """Run forever (as a background task): purge once an hour. Every process may run it; a
    workshop is deleted once, whoever gets there first."""
    while True:
        try:
            with database.write() as session:
                deleted = purge_inactive(session, days)
            if deleted:
                log.info("purged %d workshop(s) inactive for more than %d days", len(deleted), days)
        except Exception:  # noqa: BLE001 - a failed round must not end the task
            log.exception("purging inactive workshops failed")
        sleep(PURGE_INTERVAL_SECONDS)
