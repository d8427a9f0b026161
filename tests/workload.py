"""A workshop with everything a snapshot has to show, at any size: clusters with headlines, cards
by many participants, stacks, hidden cards, a dot voting with dots on most cards, a timer, done
signals and the moderator's history.

Rows are inserted in one transaction (posting thousands of cards one by one would only measure
posting); tests/test_snapshots.py counts the snapshot's queries on it and bench/snapshot.py times it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from pinboard.database import Database
from pinboard.models import BoardTimer, Card, Cluster, DoneSignal, HistoryEntry, Vote, VoteRound, utcnow
from tests.conftest import WorkshopFixture, make_participant, make_workshop, new_client_id

CLUSTERS_PER_BOARD = 4


def build_workshop(
    database: Database, boards: int, cards_per_board: int, participants: int = 20
) -> WorkshopFixture:
    spec = [
        {"title": f"Board {b}", "clusters": [f"Cluster {b}.{c}" for c in range(CLUSTERS_PER_BOARD)]}
        for b in range(boards)
    ]
    workshop = make_workshop(database, boards=spec)
    people = [make_participant(database, workshop, f"P{n}")[0].participant_id for n in range(participants)]
    with database.write() as session:
        for board_id, cluster_ids in zip(workshop.board_ids, workshop.cluster_ids, strict=True):
            cards = _cards(workshop.id, board_id, cluster_ids, cards_per_board, people)
            session.add_all(cards)
            session.flush()
            _stack(cards)
            _vote(session, workshop.id, board_id, cards, people)
            session.add_all(DoneSignal(board_id=board_id, participant_id=p) for p in people[::3])
        for cluster_ids in workshop.cluster_ids:
            for cluster_id in cluster_ids[::2]:
                session.get_one(Cluster, cluster_id).headline = "Überschrift"
        session.add(
            BoardTimer(
                board_id=workshop.board_ids[0],
                workshop_id=workshop.id,
                state="running",
                seconds=300,
                ends_at=utcnow() + dt.timedelta(minutes=5),
            )
        )
        session.add(
            HistoryEntry(workshop_id=workshop.id, seq=1, label="move", undo=[], redo=[], state="done")
        )
    return workshop


def _cards(
    workshop_id: str, board_id: int, cluster_ids: list[int], count: int, people: list[int]
) -> list[Card]:
    containers: list[int | None] = [None, *cluster_ids]
    return [
        Card(
            workshop_id=workshop_id,
            board_id=board_id,
            cluster_id=containers[n % len(containers)],
            position=n,
            text=f"Karte {n}: Wege aus der Versäulung, Netzwerke und Empowerment",
            author_id=people[n % len(people)],
            client_id=new_client_id(),
            hidden=n % 7 == 0,
        )
        for n in range(count)
    ]


def _stack(cards: list[Card]) -> None:
    """Some cards lie on the card posted before them in the same container."""
    step = CLUSTERS_PER_BOARD + 1  # _cards deals the cards out to the containers in turn
    for n in range(step, len(cards), 3):
        top = cards[n - step]
        if top.stacked_on_id is None:
            cards[n].stacked_on_id = top.id


def _vote(session: Session, workshop_id: str, board_id: int, cards: list[Card], people: list[int]) -> None:
    vote_round = VoteRound(
        workshop_id=workshop_id, board_id=board_id, budget=5, per_card_cap=2, show_live=True
    )
    session.add(vote_round)
    session.flush()
    session.add_all(
        Vote(round_id=vote_round.id, participant_id=person, card_id=cards[(n * 37 + i) % len(cards)].id)
        for n, person in enumerate(people)
        for i in range(5)
    )
