"""The workshop file: the complete workshop as JSON, and importing it as a new workshop.

    {"format": "pinboard-workshop", "version": 2, "exported_at": "…Z",
     "workshop": {"id", "title", "event", "date", "place", "language", "agenda", "created_at",
                  "active_board"},
     "participants": [{"ref": 1, "name": "Anna"}, …],
     "boards": [{"title", "settings": {…},
                 "clusters": [{"name", "list_style", "headline", "cards": [Card]}],
                 "unsorted": [Card],
                 "vote_rounds": [{"budget", "per_card_cap", "show_live", "open", "opened_at",
                                  "closed_at", "dots": [{"card": 3, "phone": 4, "wall": 2}]}]}]}
    Card: {"ref", "position", "text", "color", "hidden", "on_paper", "author_role", "author_ref",
           "author_name", "created_at", "updated_at", "stack": [Card without a stack]}

`ref` numbers the participants and the cards within the file (1, 2, …), so the file carries no
database ids and no credentials: importing creates a new workshop with new ids, keys and join
code, and its participants cannot log in again (their tokens are not in the file). A round's
dots are counts per card: the phones' dots (who placed them is not in the file; an import gives
them to the imported participants in turn, within budget and cap) and the dots counted on the
wall. Version 1 (no headlines, flags of the Metaplan methods, stacks or votes) is still read.
See docs/export.md.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import credentials
from ..boards import BOARD_SETTINGS
from ..errors import Invalid
from ..method_schemas import BUDGET_MAX, WALL_DOTS_MAX, Count
from ..models import Board, Card, Participant, Vote, VoteRound, WallDots, utcnow
from ..results import WorkshopData
from ..schemas import (
    CARD_TEXT_MAX,
    COLORS,
    LANGUAGES,
    LIST_STYLES,
    NAME_MAX,
    TITLE_MAX,
    Flag,
    OptionalText,
    Text,
    UtcDateTime,
)
from ..workshops import NewWorkshop, create_workshop

FORMAT = "pinboard-workshop"
VERSION = 2  # what export writes
VERSIONS = (1, 2)  # what import reads
MAX_CARDS = 20_000
MAX_PARTICIPANTS = 10_000
MAX_ROUNDS = 100  # rounds of dot voting a board
AUTHOR_ROLES = ("participant", "moderator", "assistant")

_timestamp = UtcDateTime()


def _time(value: dt.datetime | None) -> str | None:
    return _timestamp._serialize(value, None, None)


# ---- export ----------------------------------------------------------------------------------


@dataclass
class RoundDots:
    """A round of dot voting with its dots per card id: the phones' and those counted on the wall."""

    round: VoteRound
    phone: dict[int, int] = field(default_factory=dict)
    wall: dict[int, int] = field(default_factory=dict)


def load_vote_rounds(session: Session, workshop_id: str) -> dict[int, list[RoundDots]]:
    """Every round of every board (by board id, in the order they were opened) with its dots on
    cards still on the round's board: three queries whatever the size of the workshop."""
    rounds = {
        round_.id: RoundDots(round_)
        for round_ in session.scalars(
            select(VoteRound).where(VoteRound.workshop_id == workshop_id).order_by(VoteRound.id)
        )
    }
    on_its_board = (VoteRound.workshop_id == workshop_id) & Card.deleted_at.is_(None)
    on_its_board &= Card.board_id == VoteRound.board_id
    phones = session.execute(
        select(Vote.round_id, Vote.card_id, func.count(Vote.id))
        .join(VoteRound, VoteRound.id == Vote.round_id)
        .join(Card, Card.id == Vote.card_id)
        .where(on_its_board)
        .group_by(Vote.round_id, Vote.card_id)
    )
    for round_id, card_id, count in phones:
        rounds[round_id].phone[card_id] = int(count)
    walls = session.execute(
        select(WallDots.round_id, WallDots.card_id, WallDots.dots)
        .join(VoteRound, VoteRound.id == WallDots.round_id)
        .join(Card, Card.id == WallDots.card_id)
        .where(on_its_board, WallDots.dots > 0)
    )
    for round_id, card_id, dots in walls:
        rounds[round_id].wall[card_id] = int(dots)
    by_board: dict[int, list[RoundDots]] = defaultdict(list)
    for dots in rounds.values():
        by_board[dots.round.board_id].append(dots)
    return dict(by_board)


def workshop_file(
    data: WorkshopData, vote_rounds: dict[int, list[RoundDots]] | None = None
) -> dict[str, Any]:
    workshop = data.workshop
    refs = {participant.id: ref for ref, participant in enumerate(data.participants, start=1)}
    names = data.participant_names()
    card_refs: dict[int, int] = {}  # card id -> ref, numbered in file order

    def card_entry(card: Card, *, top: bool = True) -> dict[str, Any]:
        card_refs[card.id] = len(card_refs) + 1
        entry = {
            "ref": card_refs[card.id],
            "position": card.position,
            "text": card.text,
            "color": card.color,
            "hidden": card.hidden,
            "on_paper": card.on_paper,
            "author_role": card.author_role,
            "author_ref": refs.get(card.author_id) if card.author_id is not None else None,
            "author_name": names.get(card.author_id, "") if card.author_id is not None else "",
            "created_at": _time(card.created_at),
            "updated_at": _time(card.updated_at),
        }
        if top:
            entry["stack"] = [card_entry(under, top=False) for under in data.stack_of(card)]
        return entry

    def board_entry(board: Board) -> dict[str, Any]:
        entry = {
            "title": board.title,
            "settings": {name: bool(getattr(board, name)) for name in BOARD_SETTINGS},
            "clusters": [
                {
                    "name": cluster.name,
                    "list_style": cluster.list_style,
                    "headline": cluster.headline,
                    "cards": [card_entry(c) for c in data.cards_in(board, cluster)],
                }
                for cluster in data.clusters_of(board)
            ],
            "unsorted": [card_entry(c) for c in data.cards_in(board, None)],
        }
        entry["vote_rounds"] = [
            _round_entry(dots, card_refs) for dots in (vote_rounds or {}).get(board.id, [])
        ]
        return entry

    active = next(
        (index for index, board in enumerate(data.boards) if board.id == workshop.active_board_id), None
    )
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _time(utcnow()),
        "workshop": {
            "id": workshop.id,
            "title": workshop.title,
            "event": workshop.event_name,
            "date": workshop.date.isoformat() if workshop.date else None,
            "place": workshop.place,
            "language": workshop.language,
            "agenda": list(workshop.agenda or []),
            "created_at": _time(workshop.created_at),
            "active_board": active,
        },
        "participants": [
            {"ref": refs[participant.id], "name": participant.display_name}
            for participant in data.participants
        ],
        "boards": [board_entry(board) for board in data.boards],
    }


def _round_entry(dots: RoundDots, card_refs: dict[int, int]) -> dict[str, Any]:
    round_ = dots.round
    counted = sorted(
        (card_refs[card_id], card_id) for card_id in {*dots.phone, *dots.wall} if card_id in card_refs
    )
    return {
        "budget": round_.budget,
        "per_card_cap": round_.per_card_cap,
        "show_live": round_.show_live,
        "open": round_.closed_at is None,
        "opened_at": _time(round_.opened_at),
        "closed_at": _time(round_.closed_at),
        "dots": [
            {"card": ref, "phone": dots.phone.get(card_id, 0), "wall": dots.wall.get(card_id, 0)}
            for ref, card_id in counted
        ],
    }


def dump_workshop_file(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")


# ---- import ----------------------------------------------------------------------------------


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class _Time(fields.AwareDateTime):
    """An ISO 8601 time with its offset (…Z), stored naive in UTC."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dt.datetime:
        parsed = super()._deserialize(value, attr, data, **kwargs)
        return parsed.astimezone(dt.UTC).replace(tzinfo=None)


class StackedCardIn(_Strict):
    """A card lying on another card's stack (version 2); the fields of every card."""

    ref = fields.Integer(
        strict=True, allow_none=True, load_default=None, validate=validate.Range(1, MAX_CARDS)
    )
    position = fields.Integer(strict=True, validate=validate.Range(0, MAX_CARDS), load_default=None)
    text = Text(CARD_TEXT_MAX, single_line=False, required=True)
    color = fields.String(validate=validate.OneOf(COLORS), load_default="yellow")
    hidden = Flag(load_default=False)
    on_paper = Flag(load_default=False)
    author_role = fields.String(validate=validate.OneOf(AUTHOR_ROLES), load_default="participant")
    author_ref = fields.Integer(strict=True, allow_none=True, load_default=None)
    author_name = fields.String(load_default="")  # informative: the name comes from participants
    created_at = _Time(allow_none=True, load_default=None)
    updated_at = _Time(allow_none=True, load_default=None)


class CardIn(StackedCardIn):
    stack = fields.List(fields.Nested(StackedCardIn), load_default=list)  # in stack order


class ClusterIn(_Strict):
    name = Text(NAME_MAX, required=True)
    list_style = fields.String(validate=validate.OneOf(LIST_STYLES), load_default="bullet")
    headline = OptionalText(NAME_MAX, load_default="")
    cards = fields.List(fields.Nested(CardIn), load_default=list)


class SettingsIn(_Strict):
    locked = Flag(load_default=False)
    participants_can_move = Flag(load_default=False)
    participants_choose_cluster = Flag(load_default=False)
    numbered_clusters = Flag(load_default=False)
    participants_choose_color = Flag(load_default=False)
    hidden = Flag(load_default=False)


class DotsIn(_Strict):
    """The dots on one card in a round: placed with phones, and counted on the wall."""

    card = fields.Integer(strict=True, required=True, validate=validate.Range(1, MAX_CARDS))  # its ref
    phone = Count(0, MAX_PARTICIPANTS * BUDGET_MAX, load_default=0)
    wall = Count(0, WALL_DOTS_MAX, load_default=0)


class VoteRoundIn(_Strict):
    budget = Count(1, BUDGET_MAX, required=True)
    per_card_cap = Count(1, BUDGET_MAX, required=True)
    show_live = Flag(load_default=False)
    open = Flag(load_default=False)
    opened_at = _Time(allow_none=True, load_default=None)
    closed_at = _Time(allow_none=True, load_default=None)
    dots = fields.List(fields.Nested(DotsIn), load_default=list)

    @validates_schema
    def consistent(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("per_card_cap", 0) > data.get("budget", BUDGET_MAX):
            raise ValidationError("At most the budget.", "per_card_cap")
        if data.get("open") and data.get("closed_at") is not None:
            raise ValidationError("An open round has no closing time.", "closed_at")
        cards = [dots["card"] for dots in data.get("dots", [])]
        if len(set(cards)) != len(cards):
            raise ValidationError("Each card at most once.", "dots")


class BoardIn(_Strict):
    title = Text(TITLE_MAX, required=True)
    settings = fields.Nested(SettingsIn, load_default=dict)
    clusters = fields.List(fields.Nested(ClusterIn), load_default=list, validate=validate.Length(max=50))
    unsorted = fields.List(fields.Nested(CardIn), load_default=list)
    vote_rounds = fields.List(
        fields.Nested(VoteRoundIn), load_default=list, validate=validate.Length(max=MAX_ROUNDS)
    )


class WorkshopIn(_Strict):
    id = fields.String(allow_none=True, load_default=None)  # the exported workshop's id: informative only
    title = Text(TITLE_MAX, required=True)
    event = OptionalText(TITLE_MAX, load_default="")
    date = fields.Date(allow_none=True, load_default=None)
    place = OptionalText(TITLE_MAX, load_default="")
    language = fields.String(load_default="de", validate=validate.OneOf(LANGUAGES))
    agenda = fields.List(Text(TITLE_MAX), load_default=list, validate=validate.Length(max=40))
    created_at = _Time(allow_none=True, load_default=None)  # informative: the new workshop starts now
    active_board = fields.Integer(strict=True, allow_none=True, load_default=None)


class ParticipantIn(_Strict):
    ref = fields.Integer(strict=True, required=True, validate=validate.Range(1, 2**31 - 1))
    name = OptionalText(NAME_MAX, load_default="")


def _board_cards(board: dict[str, Any]) -> list[dict[str, Any]]:
    """Every card of a board in file order, each stack's cards right after its top."""
    containers = [cluster["cards"] for cluster in board["clusters"]] + [board["unsorted"]]
    return [one for cards in containers for card in cards for one in (card, *card["stack"])]


class WorkshopFileIn(_Strict):
    format = fields.String(required=True, validate=validate.Equal(FORMAT))
    version = fields.Integer(strict=True, required=True, validate=validate.OneOf(VERSIONS))
    exported_at = fields.String(allow_none=True, load_default=None)
    workshop = fields.Nested(WorkshopIn, required=True)
    participants = fields.List(
        fields.Nested(ParticipantIn), load_default=list, validate=validate.Length(max=MAX_PARTICIPANTS)
    )
    boards = fields.List(fields.Nested(BoardIn), load_default=list, validate=validate.Length(max=30))
    organiser_password = fields.String(allow_none=True, load_default=None)  # as in POST /api/workshops

    @validates_schema
    def consistent(self, data: dict[str, Any], **_: Any) -> None:
        refs = [participant["ref"] for participant in data.get("participants", [])]
        if len(set(refs)) != len(refs):
            raise ValidationError("Each participant ref must be unique.", "participants")
        known = set(refs)
        boards = data.get("boards", [])
        cards = [_board_cards(board) for board in boards]
        if sum(len(board_cards) for board_cards in cards) > MAX_CARDS:
            raise ValidationError(f"At most {MAX_CARDS} cards.", "boards")
        card_refs = [card["ref"] for board_cards in cards for card in board_cards if card["ref"] is not None]
        if len(set(card_refs)) != len(card_refs):
            raise ValidationError("Each card ref must be unique.", "boards")
        for board, board_cards in zip(boards, cards, strict=True):
            for card in board_cards:
                if card["author_ref"] is not None and card["author_ref"] not in known:
                    raise ValidationError(f"Unknown author_ref {card['author_ref']}.", "boards")
            _check_rounds(board["vote_rounds"], {card["ref"] for card in board_cards}, len(refs))
        active = data["workshop"].get("active_board")
        if active is not None and not 0 <= active < len(boards):
            raise ValidationError("active_board is not the index of a board.", "workshop")


def _check_rounds(rounds: list[dict[str, Any]], card_refs: set[int | None], voters: int) -> None:
    """A board's rounds: only the last may be open; dots on the board's own cards; no more phone
    dots than the file's participants can have placed (budget and cap)."""
    if any(round_["open"] for round_ in rounds[:-1]):
        raise ValidationError("Only a board's last round of dot voting may be open.", "boards")
    for round_ in rounds:
        for dots in round_["dots"]:
            if dots["card"] not in card_refs:
                raise ValidationError(f"Dots on card {dots['card']}, which is not on this board.", "boards")
            if dots["phone"] > voters * round_["per_card_cap"]:
                raise ValidationError(
                    f"More phone dots on card {dots['card']} than the participants may place.", "boards"
                )
        if sum(dots["phone"] for dots in round_["dots"]) > voters * round_["budget"]:
            raise ValidationError("More phone dots than the participants have.", "boards")


def load_workshop_file(payload: Any) -> dict[str, Any]:
    """The validated content of a workshop file; Invalid (with the fields) when it is not one."""
    if not isinstance(payload, dict):
        raise Invalid("A workshop file is a JSON object.")
    # Format and version first: a file of another version gets that answer, not a list of fields.
    if payload.get("format") != FORMAT:
        raise Invalid("This is not a pinboard workshop file.", {"format": [f"Must be {FORMAT!r}."]})
    version = payload.get("version")
    if isinstance(version, bool) or version not in VERSIONS:
        raise Invalid(
            "This server reads versions 1 and 2 of the workshop file.", {"version": ["Must be 1 or 2."]}
        )
    try:
        return WorkshopFileIn().load(payload)  # type: ignore[no-any-return]
    except ValidationError as error:
        raise Invalid("This is not a valid pinboard workshop file.", error.normalized_messages()) from None


def _ordered(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cards in their order: by position where given, the file's order otherwise."""
    return sorted(cards, key=lambda card: card["position"] if card["position"] is not None else len(cards))


class _Importer:
    """Builds the imported workshop's cards and dots, in a few flushes whatever its size."""

    def __init__(self, session: Session, workshop_id: str, participants: dict[int, Participant]) -> None:
        self.session = session
        self.workshop_id = workshop_id
        self.participants = participants
        self.by_ref: dict[int, Card] = {}
        self.now = utcnow()

    def card(self, spec: dict[str, Any], board_id: int, cluster_id: int | None, position: int) -> Card:
        author = self.participants.get(spec["author_ref"]) if spec["author_ref"] is not None else None
        card = Card(
            workshop_id=self.workshop_id,
            board_id=board_id,
            cluster_id=cluster_id,
            position=position,
            text=spec["text"],
            color=spec["color"],
            hidden=spec["hidden"],
            on_paper=spec["on_paper"],
            author_id=author.id if author else None,
            author_role=spec["author_role"],
            created_at=spec["created_at"] or self.now,
            updated_at=spec["updated_at"] or spec["created_at"] or self.now,
        )
        self.session.add(card)
        if spec["ref"] is not None:
            self.by_ref[spec["ref"]] = card
        return card

    def cards(self, board: Board, spec: dict[str, Any]) -> list[tuple[Card, dict[str, Any]]]:
        """The board's cards in their containers; returns each top with its file entry."""
        containers = [(None, spec["unsorted"])]
        for cluster, cluster_spec in zip(board.clusters, spec["clusters"], strict=True):
            cluster.list_style = cluster_spec["list_style"]
            cluster.headline = cluster_spec["headline"]
            containers.append((cluster.id, cluster_spec["cards"]))
        return [
            (self.card(card, board.id, cluster_id, position), card)
            for cluster_id, cards in containers
            for position, card in enumerate(_ordered(cards))
        ]

    def stack(self, top: Card, spec: dict[str, Any]) -> None:
        for position, under in enumerate(_ordered(spec["stack"])):
            self.card(under, top.board_id, top.cluster_id, position).stacked_on_id = top.id

    def rounds(self, board: Board, rounds: list[dict[str, Any]]) -> None:
        """The board's rounds of dot voting. Phone dots go to the imported participants in turn:
        nobody gets more than ceil(dots / participants) of them, on a card or in all, so budget
        and cap hold whenever the file's counts fit them (load_workshop_file checks that)."""
        voters = list(self.participants.values())
        for spec in rounds:
            round_ = VoteRound(
                workshop_id=self.workshop_id,
                board_id=board.id,
                budget=spec["budget"],
                per_card_cap=spec["per_card_cap"],
                show_live=spec["show_live"],
                opened_at=spec["opened_at"] or self.now,
                closed_at=None if spec["open"] else spec["closed_at"] or self.now,
            )
            self.session.add(round_)
            self.session.flush()
            turn = 0
            for dots in sorted(spec["dots"], key=lambda dots: dots["card"]):
                card = self.by_ref[dots["card"]]
                if dots["wall"]:
                    self.session.add(WallDots(round_id=round_.id, card_id=card.id, dots=dots["wall"]))
                for _ in range(dots["phone"]):
                    voter = voters[turn % len(voters)]
                    self.session.add(Vote(round_id=round_.id, participant_id=voter.id, card_id=card.id))
                    turn += 1


def import_workshop(session: Session, content: dict[str, Any]) -> NewWorkshop:
    """Create a new workshop from a validated workshop file (see load_workshop_file)."""
    details = content["workshop"]
    created = create_workshop(
        session,
        title=details["title"],
        event=details["event"],
        date=details["date"],
        place=details["place"],
        language=details["language"],
        agenda=details["agenda"],
        boards=[
            {"title": board["title"], "clusters": [c["name"] for c in board["clusters"]], **board["settings"]}
            for board in content["boards"]
        ],
    )
    workshop = created.workshop
    participants = {}
    for entry in content["participants"]:
        participant = Participant(
            workshop_id=workshop.id,
            display_name=entry["name"],
            # The file has no tokens: an imported participant cannot log in again.
            token_hash=credentials.hash_secret(credentials.new_secret()),
        )
        participants[entry["ref"]] = participant
        session.add(participant)
    session.flush()
    importer = _Importer(session, workshop.id, participants)
    boards = list(zip(workshop.boards, content["boards"], strict=True))
    tops = [top for board, spec in boards for top in importer.cards(board, spec)]
    session.flush()  # the tops' ids, for their stacks
    for top, spec in tops:
        importer.stack(top, spec)
    session.flush()  # the stacked cards' ids, for the dots
    for board, spec in boards:
        importer.rounds(board, spec["vote_rounds"])
    active = details["active_board"]
    if active is not None:
        workshop.active_board_id = workshop.boards[active].id
    session.flush()
    return created
