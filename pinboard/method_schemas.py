"""Marshmallow schemas of the Metaplan methods' socket events: dot voting, wall dots, the timer,
stacking, focus and undo."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from .schemas import Flag, Id, Strict

BUDGET_MAX = 20
WALL_DOTS_MAX = 999
TIMER_MAX_SECONDS = 4 * 3600
EXTEND_MAX_SECONDS = 3600


class Count(fields.Integer):
    """A whole JSON number within bounds, never a bool, float or string."""

    def __init__(self, low: int, high: int, **kwargs: Any) -> None:
        super().__init__(strict=True, validate=validate.Range(low, high), **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


class VoteOpen(Strict):
    board_id = Id(required=True)
    budget = Count(1, BUDGET_MAX, required=True)
    per_card_cap = Count(1, BUDGET_MAX, required=True)
    show_live = Flag(load_default=False)

    @validates_schema
    def cap_within_budget(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("per_card_cap", 0) > data.get("budget", BUDGET_MAX):
            raise ValidationError("At most the budget.", "per_card_cap")


class VoteCard(Strict):
    card_id = Id(required=True)


class BoardOnly(Strict):
    board_id = Id(required=True)


class TimerStart(Strict):
    board_id = Id(required=True)
    seconds = Count(1, TIMER_MAX_SECONDS, required=True)
    lock_on_end = Flag(load_default=False)


class TimerExtend(Strict):
    board_id = Id(required=True)
    seconds = Count(1, EXTEND_MAX_SECONDS, required=True)


class WallDotsRecord(Strict):
    card_id = Id(required=True)
    dots = Count(0, WALL_DOTS_MAX, required=True)


class CardStack(Strict):
    card_id = Id(required=True)
    onto_card_id = Id(required=True)


class CardUnstack(Strict):
    card_id = Id(required=True)


class FocusSet(Strict):
    """At most one of card_id and cluster_id; neither (or null) ends the focus."""

    card_id = Id(allow_none=True, load_default=None)
    cluster_id = Id(allow_none=True, load_default=None)

    @validates_schema
    def one_thing_at_a_time(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("card_id") is not None and data.get("cluster_id") is not None:
            raise ValidationError("Focus either a card or a cluster, not both.", "cluster_id")


class Nothing(Strict):
    """Events without a payload (history:undo, history:redo): an empty object or none."""
