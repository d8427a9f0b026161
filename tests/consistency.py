"""Invariants the database must hold whatever clients sent: used after fuzzing.

`problems(database)` lists every broken invariant (empty when all hold): gapless event sequence
numbers, dense positions of boards, clusters and cards, cards in clusters of their own board,
dots within budget and cap, and on SQLite the file's integrity and foreign keys.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select, text

from pinboard.database import Database
from pinboard.models import Board, Card, Cluster, Event, Vote, VoteRound, Workshop


def _dense(groups: dict[Any, list[int]], what: str) -> list[str]:
    return [
        f"{what} {key}: positions {sorted(positions)}"
        for key, positions in groups.items()
        if sorted(positions) != list(range(len(positions)))
    ]


def _events(session: Any) -> list[str]:
    found = []
    seqs: dict[str, list[int]] = defaultdict(list)
    for workshop_id, seq in session.execute(select(Event.workshop_id, Event.seq)):
        seqs[workshop_id].append(seq)
    for workshop in session.scalars(select(Workshop)):
        if sorted(seqs[workshop.id]) != list(range(1, workshop.last_seq + 1)):
            found.append(f"workshop {workshop.id}: events are not 1..{workshop.last_seq}")
    return found


def _positions(session: Any) -> list[str]:
    boards: dict[str, list[int]] = defaultdict(list)
    for workshop_id, position in session.execute(select(Board.workshop_id, Board.position)):
        boards[workshop_id].append(position)
    clusters: dict[int, list[int]] = defaultdict(list)
    live_clusters: dict[int, int] = {}
    for cluster_id, board_id, position in session.execute(
        select(Cluster.id, Cluster.board_id, Cluster.position).where(Cluster.deleted_at.is_(None))
    ):
        clusters[board_id].append(position)
        live_clusters[cluster_id] = board_id
    cards: dict[tuple[int, int | None], list[int]] = defaultdict(list)
    stacks: dict[int, list[int]] = defaultdict(list)
    places: dict[int, tuple[int, int | None]] = {}
    stacked: list[tuple[int, int]] = []
    found = []
    for card_id, board_id, cluster_id, position, top_id in session.execute(
        select(Card.id, Card.board_id, Card.cluster_id, Card.position, Card.stacked_on_id).where(
            Card.deleted_at.is_(None)
        )
    ):
        places[card_id] = (board_id, cluster_id)
        if top_id is None:
            cards[(board_id, cluster_id)].append(position)
        else:  # its position is its place in the stack
            stacks[top_id].append(position)
            stacked.append((card_id, top_id))
        if cluster_id is not None and live_clusters.get(cluster_id) != board_id:
            found.append(f"card {card_id} is in cluster {cluster_id}, not a live cluster of board {board_id}")
    for card_id, top_id in stacked:
        if places.get(top_id) != places[card_id] or top_id in dict(stacked):
            found.append(f"card {card_id} lies on {top_id}, which is not a live top in the same place")
    found += _dense(boards, "boards of workshop")
    found += _dense(clusters, "clusters of board")
    found += _dense(cards, "cards of (board, cluster)")
    found += _dense(stacks, "cards stacked on")
    return found


def _votes(session: Any) -> list[str]:
    """Live dots (on cards not deleted and on the round's board) within budget and cap."""
    found = []
    rounds = {r.id: r for r in session.scalars(select(VoteRound))}
    per_participant: dict[tuple[int, int], int] = defaultdict(int)
    per_card: dict[tuple[int, int, int], int] = defaultdict(int)
    live = (
        select(Vote.round_id, Vote.participant_id, Vote.card_id)
        .join(Card, Card.id == Vote.card_id)
        .join(VoteRound, VoteRound.id == Vote.round_id)
        .where(Card.deleted_at.is_(None), Card.board_id == VoteRound.board_id)
    )
    for round_id, participant_id, card_id in session.execute(live):
        per_participant[(round_id, participant_id)] += 1
        per_card[(round_id, participant_id, card_id)] += 1
    for (round_id, participant_id), count in per_participant.items():
        if count > rounds[round_id].budget:
            found.append(f"participant {participant_id} has {count} dots in round {round_id}")
    for (round_id, participant_id, card_id), count in per_card.items():
        if count > rounds[round_id].per_card_cap:
            found.append(f"participant {participant_id} has {count} dots on card {card_id}")
    return found


def _sqlite_file(session: Any) -> list[str]:
    found = []
    integrity = session.execute(text("PRAGMA integrity_check")).scalars().all()
    if integrity != ["ok"]:
        found.append(f"integrity_check: {integrity}")
    foreign = session.execute(text("PRAGMA foreign_key_check")).all()
    if foreign:
        found.append(f"foreign_key_check: {foreign}")
    return found


def problems(database: Database) -> list[str]:
    with database.read() as session:
        found = _events(session) + _positions(session) + _votes(session)
        if database.is_sqlite:
            found += _sqlite_file(session)
    return found
