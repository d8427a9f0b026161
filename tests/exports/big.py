"""A large workshop (by default 3,000 cards on 5 boards) for the export tests and bench/export.py.

The cards are written straight into the database: what is measured is the export, not posting.
Texts are drawn from the example records, with every special character the exports must keep.
With `metaplan=True` the boards also use the Metaplan methods: every cluster has a headline,
every seventh card is a paper card, every tenth lies on a stack (onto the card before it), and
each board has a closed round of dot voting with the phones' dots and dots counted on the wall.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from typing import Any

from pinboard.database import Database
from pinboard.models import Card, Cluster, Participant, Vote, VoteRound, WallDots, Workshop, utcnow

TEXTS = [
    "Augenhöhe für kommunale Steuerung und Empowerment herstellen",
    "Bürgerschaftliches Engagement funktioniert am besten (hyper)lokal → eigene Betroffenheit",
    "Bürger/innen als Ressource oder Partner?",
    "„Auffinden“ der relevanten Initiativen als Herausforderung",
    "Akteur*innen aus Verwaltung – Politik – Zivilgesellschaft an einen Tisch",
    "Temporäre AGs zu Spezialthema (Sponsoring, etc.)",
    "Keine Beteiligung an Ohnmacht!",
    "Zielgruppenorientiert Handeln: richtige Sprache wählen, lebenslagenorientiert",
    "Wie stehen Zeit, Geld, politische Ausrichtung und Zielumsetzung im Verhältnis? → Spannungsfeld?",
    "Mut haben, Dinge zu beenden",
    "Straßenfest als Türöffner\nmit Nachbarschaftsbüro",
    "# heading *stars* <b> | pipes | <script>",
]
CLUSTER_NAMES = [
    "Rahmenbedingungen und Grundhaltung",
    "Spannungsfelder",
    "Handwerkszeug/ Techniken/ Tools",
    "Dialoggestaltung (Zeitpunkt, Auftrag, Personenkreis)",
    "Einbezug von Wirtschaft und Investoren",
    "Erforderliche Kompetenzen",
    "Grundhaltung/ Haltungsänderung",
    "Offene Fragen",
]
COLORS = ["yellow", "orange", "pink", "green", "blue", "white"]
STYLES = ["bullet", "number", "letter"]


def make_big_workshop(
    database: Database, *, cards: int = 3000, boards: int = 5, clusters: int = 8, unsorted: int = 40,
    language: str = "de", metaplan: bool = False,
) -> str:  # fmt: skip
    """Create the workshop; returns its id."""
    from pinboard.workshops import create_workshop

    rng = random.Random(5)
    per_board = cards // boards
    with database.write() as session:
        created = create_workshop(
            session,
            title="Netzwerktreffen Kommunale Steuerung – große Runde",
            event="Die vernetzte Kommune",
            date=dt.date(2017, 6, 14),
            place="Düsseldorf",
            language=language,
            agenda=["Begrüßung und Einführung", "Erfahrungsaustausch", "Sammeln der Ergebnisse"],
            boards=[
                {
                    "title": f"Phase {n + 1}: Austausch an Thementischen",
                    "clusters": CLUSTER_NAMES[:clusters],
                    "numbered_clusters": n % 2 == 1,
                }
                for n in range(boards)
            ],  # fmt: skip
        )
        workshop: Workshop = created.workshop
        people = [
            Participant(
                workshop_id=workshop.id, display_name=f"Teilnehmer*in {n}", token_hash=secrets.token_hex(32)
            )
            for n in range(40)
        ]
        session.add_all(people)
        session.flush()
        rows = []
        for board in workshop.boards:
            board_clusters: list[Cluster] = list(board.clusters)
            for index, cluster in enumerate(board_clusters):
                cluster.list_style = STYLES[index % 3]
            in_clusters = per_board - unsorted
            containers: list[int | None] = [c.id for c in board_clusters] or [None]
            counts: dict[int | None, int] = {}
            for n in range(per_board):
                container = containers[n % len(containers)] if n < in_clusters else None
                position = counts.get(container, 0)
                counts[container] = position + 1
                paper = metaplan and n % 7 == 6
                rows.append(
                    Card(
                        workshop_id=workshop.id,
                        board_id=board.id,
                        cluster_id=container,
                        position=position,
                        text=f"{rng.choice(TEXTS)} ({n + 1})",
                        color=rng.choice(COLORS),
                        author_id=None if paper else rng.choice(people).id,
                        author_role="moderator" if paper else "participant",
                        on_paper=paper,
                    )
                )
        session.add_all(rows)
        if metaplan:
            session.flush()
            _use_the_methods(session, workshop, rows, people, rng)
        return workshop.id


def _use_the_methods(
    session: Any, workshop: Workshop, rows: list[Card], people: list[Participant], rng: random.Random
) -> None:
    """Headlines, stacks and a closed round of dot voting on every board (paper cards are made above)."""
    for board in workshop.boards:
        for cluster in board.clusters:
            cluster.headline = f"Was wir zu „{cluster.name}“ festhalten"
    containers: dict[tuple[int, int | None], list[Card]] = {}
    for card in rows:
        containers.setdefault((card.board_id, card.cluster_id), []).append(card)
    for cards in containers.values():
        tops: list[Card] = []
        for index, card in enumerate(cards):
            if index % 10 == 9 and tops:
                card.stacked_on_id = tops[-1].id
                card.position = sum(1 for c in cards[:index] if c.stacked_on_id == tops[-1].id)
            else:
                card.position = len(tops)
                tops.append(card)
    now = utcnow()
    for board in workshop.boards:
        round_ = VoteRound(
            workshop_id=workshop.id, board_id=board.id, budget=5, per_card_cap=2, opened_at=now, closed_at=now
        )
        session.add(round_)
        session.flush()
        tops = [card for card in rows if card.board_id == board.id and card.stacked_on_id is None]
        for person in people:
            for card in rng.sample(tops, 5):
                session.add(Vote(round_id=round_.id, participant_id=person.id, card_id=card.id))
        for card in rng.sample(tops, 20):
            session.add(WallDots(round_id=round_.id, card_id=card.id, dots=rng.randint(1, 9)))
