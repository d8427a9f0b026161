"""The workshop file: the complete workshop as JSON, and importing it as a new workshop.

    {"format": "pinboard-workshop", "version": 1, "exported_at": "…Z",
     "workshop": {"id", "title", "event", "date", "place", "language", "agenda", "created_at",
                  "active_board"},
     "participants": [{"ref": 1, "name": "Anna"}, …],
     "boards": [{"title", "settings": {…}, "clusters": [{"name", "list_style", "cards": [Card]}],
                 "unsorted": [Card]}]}
    Card: {"position", "text", "color", "author_role", "author_ref", "author_name",
           "created_at", "updated_at"}

`ref` numbers the participants within the file (1, 2, …), so the file carries no database ids
and no credentials: importing creates a new workshop with new ids, keys and join code, and its
participants cannot log in again (their tokens are not in the file). See docs/export.md.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy.orm import Session

from .. import credentials
from ..boards import SETTINGS
from ..errors import Invalid
from ..models import Card, Participant, utcnow
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
VERSION = 1
MAX_CARDS = 20_000
MAX_PARTICIPANTS = 10_000

_timestamp = UtcDateTime()


def _time(value: dt.datetime | None) -> str | None:
    return _timestamp._serialize(value, None, None)


# ---- export ----------------------------------------------------------------------------------


def workshop_file(data: WorkshopData) -> dict[str, Any]:
    workshop = data.workshop
    refs = {participant.id: ref for ref, participant in enumerate(data.participants, start=1)}
    names = data.participant_names()

    def card(card: Card) -> dict[str, Any]:
        return {
            "position": card.position,
            "text": card.text,
            "color": card.color,
            "author_role": card.author_role,
            "author_ref": refs.get(card.author_id) if card.author_id is not None else None,
            "author_name": names.get(card.author_id, "") if card.author_id is not None else "",
            "created_at": _time(card.created_at),
            "updated_at": _time(card.updated_at),
        }

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
        "boards": [
            {
                "title": board.title,
                "settings": {name: bool(getattr(board, name)) for name in SETTINGS},
                "clusters": [
                    {
                        "name": cluster.name,
                        "list_style": cluster.list_style,
                        "cards": [card(c) for c in data.cards_in(board, cluster)],
                    }
                    for cluster in data.clusters_of(board)
                ],
                "unsorted": [card(c) for c in data.cards_in(board, None)],
            }
            for board in data.boards
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


class CardIn(_Strict):
    position = fields.Integer(strict=True, validate=validate.Range(0, MAX_CARDS), load_default=None)
    text = Text(CARD_TEXT_MAX, single_line=False, required=True)
    color = fields.String(validate=validate.OneOf(COLORS), load_default="yellow")
    author_role = fields.String(
        validate=validate.OneOf(("participant", "moderator")), load_default="participant"
    )
    author_ref = fields.Integer(strict=True, allow_none=True, load_default=None)
    author_name = fields.String(load_default="")  # informative: the name comes from participants
    created_at = _Time(allow_none=True, load_default=None)
    updated_at = _Time(allow_none=True, load_default=None)


class ClusterIn(_Strict):
    name = Text(NAME_MAX, required=True)
    list_style = fields.String(validate=validate.OneOf(LIST_STYLES), load_default="bullet")
    cards = fields.List(fields.Nested(CardIn), load_default=list)


class SettingsIn(_Strict):
    locked = Flag(load_default=False)
    participants_can_move = Flag(load_default=False)
    participants_choose_cluster = Flag(load_default=False)
    numbered_clusters = Flag(load_default=False)


class BoardIn(_Strict):
    title = Text(TITLE_MAX, required=True)
    settings = fields.Nested(SettingsIn, load_default=dict)
    clusters = fields.List(fields.Nested(ClusterIn), load_default=list, validate=validate.Length(max=50))
    unsorted = fields.List(fields.Nested(CardIn), load_default=list)


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


class WorkshopFileIn(_Strict):
    format = fields.String(required=True, validate=validate.Equal(FORMAT))
    version = fields.Integer(strict=True, required=True, validate=validate.Equal(VERSION))
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
        total = 0
        for board in data.get("boards", []):
            containers = [cluster["cards"] for cluster in board["clusters"]] + [board["unsorted"]]
            for cards in containers:
                total += len(cards)
                for card in cards:
                    if card["author_ref"] is not None and card["author_ref"] not in known:
                        raise ValidationError(f"Unknown author_ref {card['author_ref']}.", "boards")
        if total > MAX_CARDS:
            raise ValidationError(f"At most {MAX_CARDS} cards.", "boards")
        active = data["workshop"].get("active_board")
        if active is not None and not 0 <= active < len(data.get("boards", [])):
            raise ValidationError("active_board is not the index of a board.", "workshop")


def load_workshop_file(payload: Any) -> dict[str, Any]:
    """The validated content of a workshop file; Invalid (with the fields) when it is not one."""
    if not isinstance(payload, dict):
        raise Invalid("A workshop file is a JSON object.")
    # Format and version first: a file of another version gets that answer, not a list of fields.
    if payload.get("format") != FORMAT:
        raise Invalid("This is not a pinboard workshop file.", {"format": [f"Must be {FORMAT!r}."]})
    if payload.get("version") != VERSION or isinstance(payload.get("version"), bool):
        raise Invalid(
            f"This server reads version {VERSION} of the workshop file.",
            {"version": [f"Must be {VERSION}."]},
        )
    try:
        return WorkshopFileIn().load(payload)  # type: ignore[no-any-return]
    except ValidationError as error:
        raise Invalid("This is not a valid pinboard workshop file.", error.normalized_messages()) from None


def _ordered(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cards in their order: by position where given, the file's order otherwise."""
    return sorted(cards, key=lambda card: card["position"] if card["position"] is not None else len(cards))


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
    now = utcnow()
    for board, spec in zip(workshop.boards, content["boards"], strict=True):
        containers = [(None, spec["unsorted"])]
        for cluster, cluster_spec in zip(board.clusters, spec["clusters"], strict=True):
            cluster.list_style = cluster_spec["list_style"]
            containers.append((cluster.id, cluster_spec["cards"]))
        for cluster_id, cards in containers:
            for position, card in enumerate(_ordered(cards)):
                author = participants.get(card["author_ref"]) if card["author_ref"] is not None else None
                session.add(
                    Card(
                        workshop_id=workshop.id,
                        board_id=board.id,
                        cluster_id=cluster_id,
                        position=position,
                        text=card["text"],
                        color=card["color"],
                        author_id=author.id if author else None,
                        author_role=card["author_role"],
                        created_at=card["created_at"] or now,
                        updated_at=card["updated_at"] or card["created_at"] or now,
                    )
                )
    active = details["active_board"]
    if active is not None:
        workshop.active_board_id = workshop.boards[active].id
    session.flush()
    return created
