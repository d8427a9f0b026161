"""The full state of a workshop as one client may see it, built in a fixed number of queries.

Hidden cards reach only their author and the moderator; everyone else gets placeholders
(pinboard/visibility.py).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from . import history
from .actors import Actor
from .card_query import done_state
from .models import Board, Card, Cluster, Participant
from .schemas import board_out, card_dict, cluster_out, workshop_out
from .timers import timer_state
from .visibility import card_for
from .voting import vote_state
from .workshops import find_open_workshop


def participant_count(session: Session, workshop_id: str) -> int:
    count = session.scalar(select(func.count(Participant.id)).where(Participant.workshop_id == workshop_id))
    return int(count or 0)


def card_rows(session: Session, workshop_id: str) -> list[Row[Any]]:
    """The workshop's live cards in board order, with their authors' names: plain rows, as a
    snapshot of thousands of cards spends most of its time making and dumping ORM objects."""
    return list(
        session.execute(
            select(*Card.__table__.columns, Participant.display_name.label("author_name"))
            .outerjoin(Participant, Participant.id == Card.author_id)
            .where(Card.workshop_id == workshop_id, Card.deleted_at.is_(None))
            .order_by(Card.position, Card.id)
        )
    )


def build_snapshot(session: Session, actor: Actor) -> dict[str, Any]:
    workshop = find_open_workshop(session, actor.workshop_id)
    boards = session.scalars(
        select(Board).where(Board.workshop_id == workshop.id).order_by(Board.position, Board.id)
    ).all()
    board_ids = [board.id for board in boards]
    clusters = session.scalars(
        select(Cluster)
        .where(Cluster.board_id.in_(board_ids), Cluster.deleted_at.is_(None))
        .order_by(Cluster.position, Cluster.id)
    ).all()
    cards_by_container: dict[tuple[int, int | None], list[dict[str, Any]]] = defaultdict(list)
    stacks: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for card in card_rows(session, workshop.id):
        payload = card_for(actor, card_dict(card, card.author_name or ""))
        if card.stacked_on_id is None:
            payload["stack"] = stacks[card.id]
            cards_by_container[(card.board_id, card.cluster_id)].append(payload)
        else:
            stacks[card.stacked_on_id].append(payload)
    clusters_by_board: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for cluster in clusters:
        payload = cluster_out.dump(cluster)
        payload["cards"] = cards_by_container[(cluster.board_id, cluster.id)]
        clusters_by_board[cluster.board_id].append(payload)
    done = done_state(session, board_ids, actor.participant_id)
    votes, timers = vote_state(session, actor, board_ids), timer_state(session, board_ids)
    snapshot = {
        "seq": workshop.last_seq,
        "workshop": workshop_out.dump(workshop),
        "you": {"role": actor.role.value, "participant_id": actor.participant_id},
        "participant_count": participant_count(session, workshop.id),
        "boards": [
            {
                **board_out.dump(board),
                "clusters": clusters_by_board[board.id],
                "unsorted": cards_by_container[(board.id, None)],
                "done_count": done.get(board.id, (0, False))[0],
                "done": done.get(board.id, (0, False))[1],
                "vote": votes.get(board.id),
                "timer": timers.get(board.id),
            }
            for board in boards
        ],
    }
    if actor.is_moderator:
        snapshot["history"] = history.state(session, workshop.id)
    return snapshot
