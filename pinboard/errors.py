"""Domain errors. Each carries the protocol's error code; adapters turn them into acks or HTTP."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "invalid"
    http_status = 400

    def __init__(self, message: str, fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields

    def to_dict(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return error


class Invalid(DomainError):
    code = "invalid"
    http_status = 400


class Unauthorized(DomainError):
    """No valid credential was presented at all."""

    code = "unauthorized"
    http_status = 401


class Forbidden(DomainError):
    code = "forbidden"
    http_status = 403


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class Locked(DomainError):
    code = "locked"
    http_status = 409


class BudgetExceeded(DomainError):
    """Dot voting: the participant has no dots left in this round."""

    code = "budget_exceeded"
    http_status = 409


class CapReached(DomainError):
    """Dot voting: the participant already has the most dots one card may get from them."""

    code = "cap_reached"
    http_status = 409


class NothingToUndo(DomainError):
    code = "nothing_to_undo"
    http_status = 409


class NothingToRedo(DomainError):
    code = "nothing_to_redo"
    http_status = 409


class RateLimited(DomainError):
    code = "rate_limited"
    http_status = 429


class TooLarge(DomainError):
    code = "too_large"
    http_status = 413


def reject_unknown(changes: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """The changes, if every name in them may be changed; Invalid otherwise."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise Invalid(f"Cannot change {', '.join(sorted(unknown))}.")
    return changes
