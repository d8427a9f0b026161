"""Clusters: named areas of a board that the moderator sorts cards into."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import history, ordering
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
    history.remember(
        session,
        workshop,
        actor,
        "add_cluster",
        undo=[history.step("cluster:delete", cluster_id=cluster.id)],
        redo=[history.step("cluster:restore", cluster_id=cluster.id, index=final_index, card_ids=[])],
    )
    return Outcome(data, [event])


def update_cluster(session: Session, actor: Actor, *, cluster_id: int, **changes: Any) -> Outcome:
    actor.require_moderator("change a cluster")
    workshop = lock_workshop(session, actor.workshop_id)
    cluster = find_cluster(session, actor, cluster_id)
    before = {
        name: getattr(cluster, name) for name in reject_unknown(changes, ("name", "list_style", "headline"))
    }
    for name, value in changes.items():
        setattr(cluster, name, value)
    data = cluster_out.dump(cluster)
    event = record(session, workshop, actor, "cluster.updated", {"cluster": data})
    history.remember(
        session,
        workshop,
        actor,
        "edit_cluster",
        undo=[history.step("cluster:update", cluster_id=cluster.id, **before)],
        redo=[history.step("cluster:update", cluster_id=cluster.id, **changes)],
    )
    return Outcome(data, [event])


def move_cluster(session: Session, actor: Actor, *, cluster_id: int, index: int) -> Outcome:
    actor.require_moderator("reorder clusters")
    workshop = lock_workshop(session, actor.workshop_id)
    cluster = find_cluster(session, actor, cluster_id)
    before = cluster.position
    others = [c for c in board_clusters(session, cluster.board_id) if c.id != cluster.id]
    final_index = ordering.place(others, cluster, index)
    data = {"cluster_id": cluster.id, "board_id": cluster.board_id, "index": final_index}
    event = record(session, workshop, actor, "cluster.moved", data)
    history.remember(
        session,
        workshop,
        actor,
        "move_cluster",
        undo=[history.step("cluster:move", cluster_id=cluster.id, index=before)],
        redo=[history.step("cluster:move", cluster_id=cluster.id, index=final_index)],
    )
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
    ordering.carry_stacks(session, released)
    before = cluster.position
    cluster.deleted_at = utcnow()
    others = [c for c in board_clusters(session, cluster.board_id) if c.id != cluster.id]
    ordering.renumber(others)
    data = {
        "cluster_id": cluster.id,
        "board_id": cluster.board_id,
        "card_ids": [card.id for card in released],
    }
    event = record(session, workshop, actor, "cluster.deleted", data)
    history.remember(
        session,
        workshop,
        actor,
        "delete_cluster",
        undo=[
            history.step("cluster:restore", cluster_id=cluster.id, index=before, card_ids=data["card_ids"])
        ],
        redo=[history.step("cluster:delete", cluster_id=cluster.id)],
    )
    return Outcome(data, [event])


def restore_cluster(
    session: Session, actor: Actor, *, cluster_id: int, index: int | None, card_ids: list[int]
) -> Outcome:
    """Bring a deleted cluster back at `index`, with those of its former cards that still lie in
    the board's unsorted area (undo of a delete, redo of an add)."""
    actor.require_moderator("restore a cluster")
    workshop = lock_workshop(session, actor.workshop_id)
    cluster = session.get(Cluster, cluster_id)
    if cluster is None or cluster.board.workshop_id != workshop.id or cluster.deleted_at is None:
        raise NotFound(f"Cluster {cluster_id} is not a deleted cluster of this workshop.")
    cluster.deleted_at = None
    others = [c for c in board_clusters(session, cluster.board_id) if c.id != cluster.id]
    final_index = ordering.place(others, cluster, index)
    unsorted = ordering.cards_in(session, cluster.board_id, None)
    wanted = set(card_ids)
    returning = sorted((c for c in unsorted if c.id in wanted), key=lambda c: card_ids.index(c.id))
    for card in returning:
        card.cluster_id = cluster.id
    ordering.renumber(returning)
    ordering.renumber([c for c in unsorted if c.id not in wanted])
    ordering.carry_stacks(session, returning)
    session.flush()
    data = {
        "cluster": cluster_out.dump(cluster),
        "index": final_index,
        "card_ids": [card.id for card in returning],
    }
    event = record(session, workshop, actor, "cluster.restored", data)
    return Outcome(data, [event])
