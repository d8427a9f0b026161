"""Marshmallow schemas: one per inbound payload (HTTP body or socket event) and per snapshot part.

Inbound schemas reject unknown fields, wrong types and out-of-range values with a message per
field; the adapters turn a ValidationError into the protocol's `invalid` error.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

LIST_STYLES = ("bullet", "number", "letter")
LANGUAGES = ("de", "en")
COLORS = ("yellow", "orange", "pink", "green", "blue", "white")
CARD_TEXT_MAX = 500
NAME_MAX = 120
TITLE_MAX = 200
MAX_ID = 2**31 - 1


class Id(fields.Integer):
    """A database id: a positive JSON integer, never a bool, float or string."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


class Index(fields.Integer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, validate=validate.Range(0, 100_000), **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


class Flag(fields.Boolean):
    """Only JSON true/false, not 1, "yes" or "on"."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Text(fields.String):
    """Text as the user typed it, trimmed, within limits, with no control characters."""

    def __init__(self, max_length: int, *, single_line: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_length = max_length
        self.single_line = single_line

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise ValidationError("Must not be empty.")
        if len(text) > self.max_length:
            raise ValidationError(f"At most {self.max_length} characters.")
        for char in text:
            if "\ud800" <= char <= "\udfff":
                raise ValidationError("Contains an invalid character.")
            if unicodedata.category(char) == "Cc" and (self.single_line or char not in "\n\t"):
                raise ValidationError("Contains a control character.")
        return text


class OptionalText(Text):
    """Like Text, but an empty string is allowed (it clears the field)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if isinstance(value, str) and not value.strip():
            return ""
        return super()._deserialize(value, attr, data, **kwargs)


def utc_iso(value: dt.datetime | None) -> str | None:
    """Stored naive in UTC; sent as ISO 8601 with milliseconds and an explicit Z."""
    if value is None:
        return None
    return value.isoformat(timespec="milliseconds") + "Z"


class UtcDateTime(fields.DateTime):
    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return utc_iso(value)


class Strict(Schema):
    class Meta:
        unknown = RAISE


class RequireSomeField(Strict):
    """An update that names its target and at least one thing to change."""

    target_fields: tuple[str, ...] = ()

    @validates_schema
    def something_to_change(self, data: dict[str, Any], **_: Any) -> None:
        if not set(data) - set(self.target_fields):
            raise ValidationError("Nothing to change.")


# ---- HTTP bodies ---------------------------------------------------------------------------


class BoardSpec(Strict):
    title = Text(TITLE_MAX, required=True)
    clusters = fields.List(Text(NAME_MAX), load_default=list, validate=validate.Length(max=50))
    numbered_clusters = Flag()
    participants_can_move = Flag()
    participants_choose_cluster = Flag()
    participants_choose_color = Flag()
    hidden = Flag()


class WorkshopCreate(Strict):
    title = Text(TITLE_MAX, required=True)
    event = OptionalText(TITLE_MAX, load_default="")
    date = fields.Date(allow_none=True, load_default=None)
    place = OptionalText(TITLE_MAX, load_default="")
    language = fields.String(load_default="de", validate=validate.OneOf(LANGUAGES))
    agenda = fields.List(Text(TITLE_MAX), load_default=list, validate=validate.Length(max=40))
    boards = fields.List(fields.Nested(BoardSpec), load_default=list, validate=validate.Length(max=30))
    organiser_password = fields.String(load_default=None)


class JoinRequest(Strict):
    code = fields.String(required=True, validate=validate.Length(1, 20))
    name = OptionalText(NAME_MAX, load_default="")


# ---- socket events -------------------------------------------------------------------------


class SyncRequest(Strict):
    since = fields.Integer(strict=True, validate=validate.Range(0, 2**62), load_default=None)


class CardCreate(Strict):
    client_id = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{8,64}$"))
    board_id = Id(required=True)
    cluster_id = Id(allow_none=True, load_default=None)
    text = Text(CARD_TEXT_MAX, single_line=False, required=True)
    color = fields.String(validate=validate.OneOf(COLORS), load_default=None)
    on_paper = Flag(load_default=False)  # typed in from a paper card (moderator and assistants)


class CardUpdate(RequireSomeField):
    target_fields = ("card_id",)
    card_id = Id(required=True)
    text = Text(CARD_TEXT_MAX, single_line=False)
    color = fields.String(validate=validate.OneOf(COLORS))


class CardMove(Strict):
    card_id = Id(required=True)
    cluster_id = Id(required=True, allow_none=True)
    board_id = Id()
    index = Index(load_default=None)


class CardDelete(Strict):
    card_id = Id(required=True)


class ClusterCreate(Strict):
    board_id = Id(required=True)
    name = Text(NAME_MAX, required=True)
    index = Index(load_default=None)
    list_style = fields.String(validate=validate.OneOf(LIST_STYLES), load_default="bullet")


class ClusterUpdate(RequireSomeField):
    target_fields = ("cluster_id",)
    cluster_id = Id(required=True)
    name = Text(NAME_MAX)
    list_style = fields.String(validate=validate.OneOf(LIST_STYLES))
    headline = OptionalText(NAME_MAX)  # the headline card; empty clears it


class ClusterMove(Strict):
    cluster_id = Id(required=True)
    index = Index(required=True)


class ClusterDelete(Strict):
    cluster_id = Id(required=True)


class BoardCreate(Strict):
    title = Text(TITLE_MAX, required=True)
    clusters = fields.List(Text(NAME_MAX), load_default=list, validate=validate.Length(max=50))
    index = Index(load_default=None)
    numbered_clusters = Flag()
    participants_can_move = Flag()
    participants_choose_cluster = Flag()
    participants_choose_color = Flag()
    hidden = Flag()


class BoardUpdate(RequireSomeField):
    target_fields = ("board_id",)
    board_id = Id(required=True)
    title = Text(TITLE_MAX)
    locked = Flag()
    numbered_clusters = Flag()
    participants_can_move = Flag()
    participants_choose_cluster = Flag()
    participants_choose_color = Flag()
    hidden = Flag()


class BoardMove(Strict):
    board_id = Id(required=True)
    index = Index(required=True)


class BoardActivate(Strict):
    board_id = Id(required=True)


class CardsReveal(Strict):
    board_id = Id(required=True)
    # None (or absent): every hidden card of the board; else just these.
    card_ids = fields.List(Id(), allow_none=True, load_default=None, validate=validate.Length(1, 1000))


class ParticipantDone(Strict):
    board_id = Id(required=True)
    done = Flag(required=True)


class WorkshopUpdate(RequireSomeField):
    title = Text(TITLE_MAX)
    event = OptionalText(TITLE_MAX)
    date = fields.Date(allow_none=True)
    place = OptionalText(TITLE_MAX)
    language = fields.String(validate=validate.OneOf(LANGUAGES))
    agenda = fields.List(Text(TITLE_MAX), validate=validate.Length(max=40))


# ---- outbound --------------------------------------------------------------------------------


class CardOut(Schema):
    id = fields.Integer()
    board_id = fields.Integer()
    cluster_id = fields.Integer(allow_none=True)
    position = fields.Integer()
    text = fields.String()
    color = fields.String()
    author_id = fields.Integer(allow_none=True)
    author_name = fields.Method("get_author_name")
    author_role = fields.String()
    client_id = fields.String(allow_none=True)
    hidden = fields.Boolean()
    on_paper = fields.Boolean()
    stacked_on_id = fields.Integer(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()

    def get_author_name(self, card: Any) -> str:
        return card.author.display_name if card.author is not None else ""


class ClusterOut(Schema):
    id = fields.Integer()
    board_id = fields.Integer()
    name = fields.String()
    position = fields.Integer()
    list_style = fields.String()
    headline = fields.String()


class BoardSettingsOut(Schema):
    locked = fields.Boolean()
    participants_can_move = fields.Boolean()
    participants_choose_cluster = fields.Boolean()
    numbered_clusters = fields.Boolean()
    participants_choose_color = fields.Boolean()
    hidden = fields.Boolean()


class BoardOut(Schema):
    id = fields.Integer()
    title = fields.String()
    position = fields.Integer()
    settings = fields.Function(lambda board: BoardSettingsOut().dump(board))


class WorkshopOut(Schema):
    id = fields.String()
    title = fields.String()
    event = fields.String(attribute="event_name")
    date = fields.Date(allow_none=True)
    place = fields.String()
    language = fields.String()
    agenda = fields.List(fields.String())
    join_code = fields.String(allow_none=True)
    active_board_id = fields.Integer(allow_none=True)
    focus = fields.Method("get_focus")
    created_at = UtcDateTime()

    def get_focus(self, workshop: Any) -> dict[str, int | None] | None:
        if workshop.focus_card_id is None and workshop.focus_cluster_id is None:
            return None
        return {"card_id": workshop.focus_card_id, "cluster_id": workshop.focus_cluster_id}


card_out = CardOut()


def card_dict(card: Any, author_name: str) -> dict[str, Any]:
    """What `card_out.dump` makes of a card (or a row with the card's columns), some twenty times
    faster: for the thousands of cards of a snapshot (tests/test_snapshots.py checks they agree)."""
    return {
        "id": card.id,
        "board_id": card.board_id,
        "cluster_id": card.cluster_id,
        "position": card.position,
        "text": card.text,
        "color": card.color,
        "author_id": card.author_id,
        "author_name": author_name,
        "author_role": card.author_role,
        "client_id": card.client_id,
        "hidden": card.hidden,
        "on_paper": card.on_paper,
        "stacked_on_id": card.stacked_on_id,
        "created_at": utc_iso(card.created_at),
        "updated_at": utc_iso(card.updated_at),
    }


cluster_out = ClusterOut()
board_out = BoardOut()
workshop_out = WorkshopOut()
