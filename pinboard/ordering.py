"""Server-authoritative order of cards in a container and of clusters and boards.

A card stacked onto another (its top) is not in a container: it lies in the top's stack, in
stack order, and always carries the top's board and cluster.

Positions are dense 0..n-1 after every insertion. A client applies a move by taking the
item out and inserting it at the broadcast index; because the server applies operations one
workshop at a time in sequence order, every replica that applies the same events agrees.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .models import Card


class Positioned(Protocol):
    position: int


def clamp_index(index: int | None, length: int) -> int:
    if index is None or index > length:
        return length
    return max(index, 0)


def place(items: Sequence[Positioned], item: Positioned, index: int | None) -> int:
    """Put `item` at `index` among `items` (which must not contain it); renumber; return index."""
    ordered = list(items)
    final_index = clamp_index(index, len(ordered))
    ordered.insert(final_index, item)
    renumber(ordered)
    return final_index


def renumber(items: Sequence[Positioned]) -> None:
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position


def _in_container(board_id: int, cluster_id: int | None) -> tuple[Any, ...]:
    in_cluster = Card.cluster_id.is_(None) if cluster_id is None else Card.cluster_id == cluster_id
    return (Card.board_id == board_id, in_cluster, Card.deleted_at.is_(None), Card.stacked_on_id.is_(None))


def cards_in(session: Session, board_id: int, cluster_id: int | None) -> list[Card]:
    """The live cards of one container (a cluster, or the board's unsorted area), in order."""
    return list(
        session.scalars(
            select(Card).where(*_in_container(board_id, cluster_id)).order_by(Card.position, Card.id)
        )
    )


def end_of(
    session: Session, board_id: int, cluster_id: int | None, without: int | None = None
) -> tuple[int, int]:
    """Index and position for a card appended to a container, from one aggregate query instead of
    loading every card of a big board for each new one (the position is past the last either way)."""
    count, last = session.execute(
        select(func.count(), func.max(Card.position)).where(
            *_in_container(board_id, cluster_id), Card.id != without if without is not None else True
        )
    ).one()
    return int(count), 0 if last is None else int(last) + 1


def take_out(session: Session, card: Card) -> None:
    """Close the gap a card leaves in its container, in one UPDATE (positions are dense)."""
    _shift(session, card, Card.position > card.position, -1)


def make_room(session: Session, card: Card, board_id: int, cluster_id: int | None, index: int | None) -> int:
    """Open a place at `index` (clamped) of a container for `card`, which must be out of it
    already (take_out); return the index. One UPDATE instead of renumbering loaded cards: on a
    board of hundreds of cards that is the difference between a fraction of a millisecond and
    tens of milliseconds for every move, during which the server does nothing else."""
    size, _ = end_of(session, board_id, cluster_id, without=card.id)
    final_index = clamp_index(index, size)
    _shift(session, card, Card.position >= final_index, +1, (board_id, cluster_id))
    return final_index


def _shift(
    session: Session, card: Card, where: Any, by: int, container: tuple[int, int | None] | None = None
) -> None:
    board_id, cluster_id = container or (card.board_id, card.cluster_id)
    session.execute(
        update(Card)
        .where(*_in_container(board_id, cluster_id), Card.id != card.id, where)
        .values(position=Card.position + by)
        .execution_options(synchronize_session="evaluate")
    )


def stack_of(session: Session, top_id: int) -> list[Card]:
    """The live cards stacked onto a top card, in stack order."""
    return list(
        session.scalars(
            select(Card)
            .where(Card.stacked_on_id == top_id, Card.deleted_at.is_(None))
            .order_by(Card.position, Card.id)
        )
    )


def carry_stacks(session: Session, tops: Sequence[Card]) -> None:
    """Stacked cards go wherever their top goes."""
    for top in tops:
        session.execute(
            update(Card)
            .where(Card.stacked_on_id == top.id)
            .values(board_id=top.board_id, cluster_id=top.cluster_id)
            .execution_options(synchronize_session="fetch")
        )
