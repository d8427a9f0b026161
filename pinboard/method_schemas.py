"""Marshmallow schemas of the Metaplan methods' socket events: dot voting and the timer."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from .schemas import Flag, Id, Strict

BUDGET_MAX = 20
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
