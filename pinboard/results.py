"""The results document ("Ergebnisdokumentation") of a workshop, independent of any file format.

`load_workshop` reads a workshop in one query per table (no query per board, cluster or card);
`build_document` turns it into a `ResultsDocument` that reads like the record moderators write
by hand (see docs/export.md):

    title block     document type, workshop title, event line
    1 Ablauf        the agenda as numbered items 1) 2) 3)
    2 <board>       one section per board in board order; its clusters as groups (numbered
    3 <board>       2.1, 2.2 where the board asks for it), the cards as items in board order,
    …               the unsorted cards in a group of their own after the clusters

The renderers in pinboard/exports/ only lay this model out; none of them reads the database.
Beside its text an item carries what the Metaplan methods add (docs/export.md): its dots from
the board's latest closed round, phones' and wall's together (`votes`); the cards stacked onto it,
each an item of its own (`stacked`, printed beneath it as "auch: …"); and whether it was written
on paper and typed in (`on_paper`, "Papierkarte").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import NotFound
from .models import Board, Card, Cluster, Participant, Workshop
from .voting import closed_tallies

ListStyle = Literal["bullet", "number", "letter"]

ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


# ---- labels ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Labels:
    """The fixed words of the document in one language."""

    language: str
    document_type: str
    agenda: str
    unsorted: str
    pictures: str
    picture_alt: str  # "{board}" is replaced
    vote_one: str
    votes_many: str  # "{count}" is replaced
    on_paper: str
    stacked: str  # before each card of a stack, beneath its top: "auch: <text>"
    stack_count: str  # "{count}" is replaced: the cards a stack holds (board pictures)
    yes: str  # a true flag in the card table
    cards_file: str  # file name prefix of the card table (CSV)
    workshop_file: str  # file name prefix of the workshop file (JSON)
    csv_columns: tuple[str, ...]
    colors: dict[str, str]

    def votes(self, count: int) -> str:
        return self.vote_one if count == 1 else self.votes_many.format(count=count)

    def date(self, day: dt.date) -> str:
        if self.language == "en":
            return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"
        return f"{day:%d.%m.%Y}"

    def event_line(self, event: str, day: dt.date | None, place: str) -> str | None:
        """The line under the title: Im Rahmen der Veranstaltung „E“ am 14.06.2017 in P, leaving
        out what is missing without leaving words behind (Am 14.06.2017 in P; In P; None)."""
        if self.language == "en":
            parts = [
                f"As part of the event “{event}”" if event else "",
                f"on {self.date(day)}" if day else "",
                f"in {place}" if place else "",
            ]
        else:
            parts = [
                f"Im Rahmen der Veranstaltung „{event}“" if event else "",
                f"am {self.date(day)}" if day else "",
                f"in {place}" if place else "",
            ]
        line = " ".join(part for part in parts if part)
        return line[:1].upper() + line[1:] if line else None


LABELS = {
    "de": Labels(
        language="de",
        document_type="Ergebnisdokumentation",
        agenda="Ablauf",
        unsorted="Nicht zugeordnet",
        pictures="Fotoprotokoll",
        picture_alt="Fotoprotokoll: {board}",
        vote_one="1 Punkt",
        votes_many="{count} Punkte",
        on_paper="Papierkarte",
        stacked="auch:",
        stack_count="{count} Karten",
        yes="ja",
        cards_file="Karten",
        workshop_file="Workshop",
        csv_columns=(
            "Board",
            "Cluster",
            "Position",
            "Text",
            "Farbe",
            "Punkte",
            "Autor*in",
            "Erstellt (UTC)",
            "Überschrift",
            "Gestapelte Karten",
            "Papierkarte",
        ),  # fmt: skip
        colors={
            "yellow": "gelb",
            "orange": "orange",
            "pink": "rosa",
            "green": "grün",
            "blue": "blau",
            "white": "weiß",
        },
    ),
    "en": Labels(
        language="en",
        document_type="Results",
        agenda="Agenda",
        unsorted="Unsorted",
        pictures="Board pictures",
        picture_alt="Board picture: {board}",
        vote_one="1 dot",
        votes_many="{count} dots",
        on_paper="paper card",
        stacked="also:",
        stack_count="{count} cards",
        yes="yes",
        cards_file="Cards",
        workshop_file="Workshop",
        csv_columns=(
            "Board",
            "Cluster",
            "Position",
            "Text",
            "Colour",
            "Votes",
            "Author",
            "Created (UTC)",
            "Headline",
            "Stacked cards",
            "Paper card",
        ),  # fmt: skip
        colors={
            "yellow": "yellow",
            "orange": "orange",
            "pink": "pink",
            "green": "green",
            "blue": "blue",
            "white": "white",
        },
    ),
}


def labels_for(language: str) -> Labels:
    return LABELS.get(language, LABELS["de"])


# ---- the document model ---------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One card as a list item; a stack is one item, its top, with the other cards in `stacked`."""

    text: str
    color: str = "yellow"
    card_id: int | None = None
    created_at: dt.datetime | None = None
    author: str = ""  # the author's display name; empty unless the document shows authors
    votes: int | None = None  # dot count; None while the board has no voting
    stacked: tuple[Item, ...] = ()  # the cards stacked onto this one, in stack order (no votes)
    on_paper: bool = False  # the card was written on paper in the room and typed in afterwards

    @property
    def stack_size(self) -> int:
        """How many cards the item stands for: 1, or the whole stack."""
        return 1 + len(self.stacked)


@dataclass(frozen=True)
class Group:
    """A cluster (or the board's unsorted cards) under a sub-heading of its own."""

    name: str
    number: str | None  # "3.1" on a board with numbered clusters
    list_style: ListStyle
    items: tuple[Item, ...]
    cluster_id: int | None = None
    unsorted: bool = False
    headline: str = ""  # the cluster's headline card, printed under the heading; empty for none

    @property
    def heading(self) -> str:
        return f"{self.number} {self.name}" if self.number else self.name


@dataclass(frozen=True)
class BoardSection:
    number: int
    title: str
    board_id: int
    groups: tuple[Group, ...]

    @property
    def heading(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def card_count(self) -> int:
        return sum(len(group.items) for group in self.groups)


@dataclass(frozen=True)
class AgendaSection:
    number: int
    heading: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class ResultsDocument:
    workshop_id: str
    language: str
    labels: Labels
    title: str
    event_line: str | None
    date: dt.date | None
    agenda: AgendaSection | None
    sections: tuple[BoardSection, ...]
    authors: bool = False

    @property
    def document_type(self) -> str:
        return self.labels.document_type

    @property
    def pictures_heading(self) -> str:
        """The heading of the board pictures, numbered after the last section."""
        last = self.sections[-1].number if self.sections else (self.agenda.number if self.agenda else 0)
        return f"{last + 1} {self.labels.pictures}"

    def section(self, board_id: int) -> BoardSection:
        for section in self.sections:
            if section.board_id == board_id:
                return section
        raise NotFound(f"Board {board_id} does not exist in this workshop.")

    def meta(self, item: Item) -> str:
        """What is shown beside a card's text: "3 Punkte, Anna, Papierkarte"; empty for nothing."""
        parts = [self.labels.votes(item.votes)] if item.votes is not None else []
        notes = self.notes(item)
        return ", ".join([*parts, notes] if notes else parts)

    def notes(self, item: Item) -> str:
        """The meta without the dots: "Anna, Papierkarte" (the board pictures draw dots apart)."""
        parts = []
        if item.author:
            parts.append(item.author)
        if item.on_paper:
            parts.append(self.labels.on_paper)
        return ", ".join(parts)

    @property
    def card_count(self) -> int:
        return sum(section.card_count for section in self.sections)


LETTERS = "abcdefghijklmnopqrstuvwxyz"


def letter(index: int) -> str:
    """a … z, aa, ab … (as the projector numbers letter lists)."""
    out = ""
    n = index
    while True:
        out = LETTERS[n % 26] + out
        n = n // 26 - 1
        if n < 0:
            return out


def list_marker(style: str, index: int) -> str:
    """The marker of the index-th item (0-based) of a list: "", "1." or "a."."""
    if style == "number":
        return f"{index + 1}."
    if style == "letter":
        return f"{letter(index)}."
    return ""


# ---- reading a workshop ---------------------------------------------------------------------


@dataclass
class WorkshopData:
    """A workshop's rows, read in one query per table, in board order."""

    workshop: Workshop
    participants: list[Participant]
    boards: list[Board]
    clusters: dict[int, list[Cluster]] = field(default_factory=dict)  # by board id
    # The cards lying in a container (no stacked ones), by (board, cluster).
    cards: dict[tuple[int, int | None], list[Card]] = field(default_factory=dict)
    # Dots per card id by board id, from each board's latest closed round of dot voting.
    votes: dict[int, dict[int, int]] = field(default_factory=dict)
    # The cards stacked onto a card, in stack order, by the id of that (top) card.
    stacks: dict[int, list[Card]] = field(default_factory=dict)

    def participant_names(self) -> dict[int, str]:
        return {participant.id: participant.display_name for participant in self.participants}

    def clusters_of(self, board: Board) -> list[Cluster]:
        return self.clusters.get(board.id, [])

    def cards_in(self, board: Board, cluster: Cluster | None) -> list[Card]:
        return self.cards.get((board.id, cluster.id if cluster else None), [])

    def stack_of(self, card: Card) -> list[Card]:
        return self.stacks.get(card.id, [])


def load_workshop(session: Session, workshop_id: str) -> WorkshopData:
    """Everything the documents need: seven queries whatever the size of the workshop."""
    workshop = session.scalars(select(Workshop).where(Workshop.id == workshop_id)).one_or_none()
    if workshop is None:
        raise NotFound("This workshop does not exist.")
    participants = list(
        session.scalars(
            select(Participant).where(Participant.workshop_id == workshop.id).order_by(Participant.id)
        )
    )
    boards = list(
        session.scalars(
            select(Board).where(Board.workshop_id == workshop.id).order_by(Board.position, Board.id)
        )
    )
    board_ids = select(Board.id).where(Board.workshop_id == workshop.id).scalar_subquery()
    clusters: dict[int, list[Cluster]] = defaultdict(list)
    for cluster in session.scalars(
        select(Cluster)
        .where(Cluster.board_id.in_(board_ids), Cluster.deleted_at.is_(None))
        .order_by(Cluster.position, Cluster.id)
    ):
        clusters[cluster.board_id].append(cluster)
    live_clusters = {cluster.id for board_clusters in clusters.values() for cluster in board_clusters}
    cards: dict[tuple[int, int | None], list[Card]] = defaultdict(list)
    live_cards = list(
        session.scalars(
            select(Card)
            .where(Card.workshop_id == workshop.id, Card.deleted_at.is_(None))
            .order_by(Card.position, Card.id)
        )
    )
    tops = {card.id for card in live_cards if card.stacked_on_id is None}
    stacks: dict[int, list[Card]] = defaultdict(list)
    for card in live_cards:
        if card.stacked_on_id in tops:
            stacks[card.stacked_on_id].append(card)  # type: ignore[index]
            continue
        # A card never stays in a deleted cluster (deleting one moves its cards), nor on a stack
        # whose top is gone; should one be there all the same, it is shown on its own rather
        # than lost (in a deleted cluster: with the unsorted cards).
        cluster_id = card.cluster_id if card.cluster_id in live_clusters else None
        cards[(card.board_id, cluster_id)].append(card)
    votes = closed_tallies(session, workshop.id)
    return WorkshopData(workshop, participants, boards, dict(clusters), dict(cards), votes, dict(stacks))


# ---- building the document ------------------------------------------------------------------


def build_document(data: WorkshopData, *, authors: bool = False) -> ResultsDocument:
    workshop = data.workshop
    labels = labels_for(workshop.language)
    names = data.participant_names() if authors else {}

    def item(card: Card, *, top: bool = True) -> Item:
        return Item(
            text=card.text,
            color=card.color,
            card_id=card.id,
            created_at=card.created_at,
            author=names.get(card.author_id, "") if card.author_id is not None else "",
            # The dots on a stack count for its top (pinboard/voting.py).
            votes=data.votes[card.board_id].get(card.id, 0) if top and card.board_id in data.votes else None,
            stacked=tuple(item(under, top=False) for under in data.stack_of(card)) if top else (),
            on_paper=card.on_paper,
        )

    agenda = None
    if workshop.agenda:
        agenda = AgendaSection(1, f"1 {labels.agenda}", tuple(str(step) for step in workshop.agenda))
    first_number = 2 if agenda else 1
    sections = []
    for offset, board in enumerate(data.boards):
        number = first_number + offset
        groups = []
        for index, cluster in enumerate(data.clusters_of(board)):
            groups.append(
                Group(
                    name=cluster.name,
                    number=f"{number}.{index + 1}" if board.numbered_clusters else None,
                    list_style=cluster.list_style if cluster.list_style in ("number", "letter") else "bullet",  # type: ignore[arg-type]
                    items=tuple(item(card) for card in data.cards_in(board, cluster)),
                    cluster_id=cluster.id,
                    headline=cluster.headline,
                )
            )
        unsorted = data.cards_in(board, None)
        if unsorted:
            groups.append(
                Group(
                    name=labels.unsorted,
                    number=None,
                    list_style="bullet",
                    items=tuple(item(card) for card in unsorted),
                    unsorted=True,
                )
            )
        sections.append(BoardSection(number, board.title, board.id, tuple(groups)))
    return ResultsDocument(
        workshop_id=workshop.id,
        language=labels.language,
        labels=labels,
        title=workshop.title,
        event_line=labels.event_line(workshop.event_name, workshop.date, workshop.place),
        date=workshop.date,
        agenda=agenda,
        sections=tuple(sections),
        authors=authors,
    )


def results_document(session: Session, workshop_id: str, *, authors: bool = False) -> ResultsDocument:
    return build_document(load_workshop(session, workshop_id), authors=authors)
