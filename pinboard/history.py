"""Undo and redo of the moderator's operations, built on the event log.

Every undoable operation of the moderator leaves a history entry beside its events: the steps
that undo it and the steps that do it again, each an ordinary domain operation (a move back, a
restore, a re-hide). Undoing runs those steps, so the change reaches every screen as ordinary
events with sequence numbers; nothing is rewritten in the log.

`history:undo` takes the newest entry that is done, `history:redo` the entry undone last. A new
operation clears what could be redone. An entry whose steps no longer apply (say, its card was
deleted by its author meanwhile) is dropped and the one before it is taken; the ack names it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .actors import Actor
from .errors import DomainError, NothingToRedo, NothingToUndo
from .event_log import Outcome, lock_workshop
from .models import Event, HistoryEntry, Workshop

REPLAYING = "pinboard.history.replaying"
Step = dict[str, Any]


def step(operation: str, **arguments: Any) -> Step:
    return {"op": operation, "args": arguments}


def remember(
    session: Session, workshop: Workshop, actor: Actor, label: str, *, undo: list[Step], redo: list[Step]
) -> None:
    """Keep an operation the moderator just made (its events are recorded) for undo."""
    if not actor.is_moderator or session.info.get(REPLAYING):
        return
    session.execute(
        update(HistoryEntry)
        .where(HistoryEntry.workshop_id == workshop.id, HistoryEntry.state == "undone")
        .values(state="dead")
        .execution_options(synchronize_session=False)
    )
    session.add(
        HistoryEntry(
            workshop_id=workshop.id, seq=workshop.last_seq, label=label, undo=undo, redo=redo, state="done"
        )
    )


def undo(session: Session, actor: Actor) -> Outcome:
    actor.require_moderator("undo")
    lock_workshop(session, actor.workshop_id)
    return _replay(session, actor, _newest_done, "undo", "undone", NothingToUndo("There is nothing to undo."))


def redo(session: Session, actor: Actor) -> Outcome:
    actor.require_moderator("redo")
    lock_workshop(session, actor.workshop_id)
    return _replay(session, actor, _last_undone, "redo", "done", NothingToRedo("There is nothing to redo."))


def state(session: Session, workshop_id: str) -> dict[str, Any]:
    """What the moderator's undo and redo buttons offer."""
    done, undone = _newest_done(session, workshop_id), _last_undone(session, workshop_id)
    return {
        "can_undo": done is not None,
        "can_redo": undone is not None,
        "undo_label": done.label if done else None,
        "redo_label": undone.label if undone else None,
    }


def _newest_done(session: Session, workshop_id: str) -> HistoryEntry | None:
    return session.scalars(
        select(HistoryEntry)
        .where(HistoryEntry.workshop_id == workshop_id, HistoryEntry.state == "done")
        .order_by(HistoryEntry.id.desc())
        .limit(1)
    ).first()


def _last_undone(session: Session, workshop_id: str) -> HistoryEntry | None:
    return session.scalars(
        select(HistoryEntry)
        .where(HistoryEntry.workshop_id == workshop_id, HistoryEntry.state == "undone")
        .order_by(HistoryEntry.id)
        .limit(1)
    ).first()


def _replay(
    session: Session,
    actor: Actor,
    pick: Callable[[Session, str], HistoryEntry | None],
    direction: str,
    new_state: str,
    nothing: DomainError,
) -> Outcome:
    skipped: list[str] = []
    while (entry := pick(session, actor.workshop_id)) is not None:
        try:
            with session.begin_nested():
                events = _run(session, actor, entry.undo if direction == "undo" else entry.redo)
        except DomainError:
            entry.state = "dead"
            skipped.append(entry.label)
            continue
        entry.state = new_state
        return Outcome({"label": entry.label, direction + "ne": True, "skipped": skipped}, events)
    raise nothing


def _run(session: Session, actor: Actor, steps: list[Step]) -> list[Event]:
    operations = _operations()
    events: list[Event] = []
    session.info[REPLAYING] = True
    try:
        for item in steps:
            events.extend(operations[item["op"]](session, actor, **item["args"]).events)
    finally:
        session.info.pop(REPLAYING, None)
    return events


def _operations() -> dict[str, Callable[..., Outcome]]:
    # Imported here: those modules call remember(), so they import this one.
    from . import boards, card_query, cards, clusters, stacks

    return {
        "card:move": cards.move_card,
        "card:update": cards.update_card,
        "card:delete": cards.delete_card,
        "card:restore": cards.restore_card,
        "card:stack": stacks.stack_card,
        "card:unstack": stacks.unstack_card,
        "cluster:update": clusters.update_cluster,
        "cluster:move": clusters.move_cluster,
        "cluster:delete": clusters.delete_cluster,
        "cluster:restore": clusters.restore_cluster,
        "board:update": boards.update_board,
        "cards:reveal": card_query.reveal_cards,
        "cards:hide": card_query.hide_cards,
    }
