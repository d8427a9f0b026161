"""A large workshop (by default 3,000 cards on 5 boards) for the export tests and bench/export.py.

The cards are written straight into the database: what is measured is the export, not posting.
Texts are drawn from the example records, with every special character the exports must keep.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets

from pinboard.database import Database
from pinboard.models import Card, Cluster, Participant, Workshop

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
    language: str = "de",
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
                rows.append(
                    Card(
                        workshop_id=workshop.id,
                        board_id=board.id,
                        cluster_id=container,
                        position=position,
                        text=f"{rng.choice(TEXTS)} ({n + 1})",
                        color=rng.choice(COLORS),
                        author_id=rng.choice(people).id,
                        author_role="participant",
                    )
                )
        session.add_all(rows)
        return workshop.id
