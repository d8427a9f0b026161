"""Clusters: named areas of a board that the moderator sorts cards into."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import ordering
from .actors import Actor
from .boards import find_board
from .errors import NotFound, reject_unknown
from .event_log import Outcome, lock_workshop, record
from .models import Cluster, utcnow
from .schemas import cluster_out


def find_cluster(session: Session, actor: Actor, cluster_id: int) -> Cluster:
    cluster = session.get(Cluster, cluster_id)
    if cluster is None or cluster.deleted_at is not None or cluster.board.workshop_id != actor.workshop_id:
        raise NotFound(f"Cluster {cluster_id} does not exist in this workshop.")
    return cluster


def board_clusters(session: Session, board_id: int) -> list[Cluster]:
    return list(
        session.scalars(
            select(Cluster)
            .where(Cluster.board_id == board_id, Cluster.deleted_at.is_(None))
            .order_by(Cluster.position, Cluster.id)
        )
    )


def create_cluster(
    session: Session,
    actor: Actor,
    *,
    board_id: int,
    name: str,
    index: int | None = None,
    list_style: str = "bullet",
) -> Outcome:
    actor.require_moderator("add a cluster")
    workshop = lock_workshop(session, actor.workshop_id)
    board = find_board(session, actor, board_id)
    existing = board_clusters(session, board.id)
    cluster = Cluster(board_id=board.id, name=name, position=len(existing), list_style=list_style)
    session.add(cluster)
    final_index = ordering.place(existing, cluster, index)
    session.flush()
    data = cluster_out.dump(cluster)
    event = record(session, workshop, actor, "cluster.created", {"cluster": data, "index": final_index})
    return Outcome(data, [event])


def update_cluster(session: Session, actor: Actor, *, cluster_id: int, **changes: Any) -> Outcome:
    actor.require_moderator("change a cluster")
    workshop = lock_workshop(session, actor.workshop_id)
    cluster = find_cluster(session, actor, cluster_id)
    for name, value in reject_unknown(changes, ("name", "list_style", "headline")).items():
        setattr(cluster, name, value)
    data = cluster_out.dump(cluster)
    event = record(session, workshop, actor, "cluster.updated", {"cluster": data})
    return Outcome(data, [event])


def move_cluster(session: Session, actor: Actor, *, cluster_id: int, index: int) -> Outcome:
    actor.require_moderator("reorder clusters")
    workshop = lock_workshop(session, actor.workshop_id)
    cluster = find_cluster(session, actor, cluster_id)
    others = [c for c in board_clusters(session, cluster.board_id) if c.id != cluster.id]
    final_index = ordering.place(others, cluster, index)
    data = {"cluster_id": cluster.id, "board_id": cluster.board_id, "index": final_index}
    event = record(session, workshop, actor, "cluster.moved", data)
    return Outcome(data, [event])


def delete_cluster(session: Session, actor: Actor, *, cluster_id: int) -> Outcome:
    """Remove a cluster; its cards move, in their order, to the end of the board's unsorted area."""
    actor.require_moderator("delete a cluster")
    workshop = lock_workshop(session, actor.workshop_id)
    cluster = find_cluster(session, actor, cluster_id)
    unsorted = ordering.cards_in(session, cluster.board_id, None)
    released = ordering.cards_in(session, cluster.board_id, cluster.id)
    for card in released:
        card.cluster_id = None
    ordering.renumber(unsorted + released)
    cluster.deleted_at = utcnow()
    others = [c for c in board_clusters(session, cluster.board_id) if c.id != cluster.id]
    ordering.renumber(others)
    data = {
        "cluster_id": cluster.id,
        "board_id": cluster.board_id,
        "card_ids": [card.id for card in released],
    }
    event = record(session, workshop, actor, "cluster.deleted", data)
    return Outcome(data, [event])
