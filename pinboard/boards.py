"""Boards: the phases of a workshop, each with clusters, cards and settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from . import history, ordering
from .actors import Actor
from .errors import NotFound, reject_unknown
from .event_log import Outcome, lock_workshop, record
from .models import Board, Cluster, DoneSignal, Workshop
from .schemas import board_out, cluster_out

# The settings of version 1 of the workshop file (pinboard/exports/workshop_json.py).
SETTINGS = ("locked", "participants_can_move", "participants_choose_cluster", "numbered_clusters")
# The Metaplan methods' settings: participants choose their cards' colours; a hidden card query
# (new cards stay hidden until the moderator reveals them, see pinboard/card_query.py).
METHOD_SETTINGS = ("participants_choose_color", "hidden")
BOARD_SETTINGS = (*SETTINGS, *METHOD_SETTINGS)


def build_board(
    workshop: Workshop, *, position: int, title: str, clusters: list[str] | None = None, **settings: Any
) -> Board:
    board = Board(title=title, position=position, **_defaults(settings))
    board.clusters = [
        Cluster(name=name, position=index, list_style="bullet") for index, name in enumerate(clusters or [])
    ]
    workshop.boards.append(board)
    return board


def _defaults(settings: dict[str, Any]) -> dict[str, bool]:
    return {name: bool(settings.get(name, False)) for name in BOARD_SETTINGS}


def find_board(session: Session, actor: Actor, board_id: int) -> Board:
    board = session.get(Board, board_id)
    if board is None or board.workshop_id != actor.workshop_id:
        raise NotFound(f"Board {board_id} does not exist in this workshop.")
    return board


def _workshop_boards(session: Session, workshop_id: str) -> list[Board]:
    return list(
        session.scalars(
            select(Board).where(Board.workshop_id == workshop_id).order_by(Board.position, Board.id)
        )
    )


def board_payload(board: Board) -> dict[str, Any]:
    payload = board_out.dump(board)
    payload["clusters"] = [cluster_out.dump(c) for c in board.clusters if c.deleted_at is None]
    return payload


def create_board(
    session: Session,
    actor: Actor,
    *,
    title: str,
    clusters: list[str],
    index: int | None = None,
    **settings: Any,
) -> Outcome:
    actor.require_moderator("add a board")
    workshop = lock_workshop(session, actor.workshop_id)
    existing = _workshop_boards(session, workshop.id)
    board = build_board(workshop, position=len(existing), title=title, clusters=clusters, **settings)
    final_index = ordering.place(existing, board, index)
    session.flush()
    data = board_payload(board)
    event = record(session, workshop, actor, "board.created", {"board": data, "index": final_index})
    return Outcome(data, [event])


def update_board(session: Session, actor: Actor, *, board_id: int, **changes: Any) -> Outcome:
    """Change a board's title and settings. Turning the hidden card query on starts a new round:
    the done signals of the last one are cleared (a second event says so: done_count 0)."""
    actor.require_moderator("change a board")
    workshop = lock_workshop(session, actor.workshop_id)
    board = find_board(session, actor, board_id)
    new_round = changes.get("hidden") is True and not board.hidden
    before = {name: getattr(board, name) for name in reject_unknown(changes, ("title", *BOARD_SETTINGS))}
    for name, value in changes.items():
        setattr(board, name, value)
    data = board_out.dump(board)
    events = [record(session, workshop, actor, "board.updated", {"board": data})]
    history.remember(
        session,
        workshop,
        actor,
        "edit_board",
        undo=[history.step("board:update", board_id=board.id, **before)],
        redo=[history.step("board:update", board_id=board.id, **changes)],
    )
    if new_round:
        cleared = session.execute(delete(DoneSignal).where(DoneSignal.board_id == board.id))
        if cleared.rowcount:  # type: ignore[attr-defined]
            done = {"board_id": board.id, "done_count": 0}
            events.append(record(session, workshop, actor, "participant.done", done))
    return Outcome(data, events)


def move_board(session: Session, actor: Actor, *, board_id: int, index: int) -> Outcome:
    actor.require_moderator("reorder boards")
    workshop = lock_workshop(session, actor.workshop_id)
    board = find_board(session, actor, board_id)
    others = [b for b in _workshop_boards(session, workshop.id) if b.id != board.id]
    final_index = ordering.place(others, board, index)
    data = {"board_id": board.id, "index": final_index}
    event = record(session, workshop, actor, "board.moved", data)
    return Outcome(data, [event])


def activate_board(session: Session, actor: Actor, *, board_id: int) -> Outcome:
    """Make a board the one phones and the projector follow."""
    actor.require_moderator("choose the active board")
    workshop = lock_workshop(session, actor.workshop_id)
    board = find_board(session, actor, board_id)
    workshop.active_board_id = board.id
    data = {"board_id": board.id}
    event = record(session, workshop, actor, "board.activated", data)
    return Outcome(data, [event])
