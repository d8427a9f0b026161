"""Who is acting: the moderator, a read-only projector, or a participant of one workshop."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .errors import Forbidden


class Role(StrEnum):
    MODERATOR = "moderator"
    PROJECTOR = "projector"
    PARTICIPANT = "participant"
    # Types in paper cards and wall dots; may not change the workshop.
    ASSISTANT = "assistant"


@dataclass(frozen=True)
class Actor:
    role: Role
    workshop_id: str
    participant_id: int | None = None

    @classmethod
    def moderator(cls, workshop_id: str) -> Actor:
        return cls(Role.MODERATOR, workshop_id)

    @classmethod
    def projector(cls, workshop_id: str) -> Actor:
        return cls(Role.PROJECTOR, workshop_id)

    @classmethod
    def assistant(cls, workshop_id: str) -> Actor:
        return cls(Role.ASSISTANT, workshop_id)

    @classmethod
    def participant(cls, workshop_id: str, participant_id: int) -> Actor:
        return cls(Role.PARTICIPANT, workshop_id, participant_id)

    @property
    def is_moderator(self) -> bool:
        return self.role is Role.MODERATOR

    @property
    def is_assistant(self) -> bool:
        return self.role is Role.ASSISTANT

    @property
    def is_staff(self) -> bool:
        """The moderator or an assistant: people who run the room, not participants in it."""
        return self.role in (Role.MODERATOR, Role.ASSISTANT)

    @property
    def is_participant(self) -> bool:
        return self.role is Role.PARTICIPANT

    @property
    def label(self) -> str:
        """How the event log names the actor: never a credential."""
        if self.participant_id is not None:
            return f"participant:{self.participant_id}"
        return self.role.value

    def require_moderator(self, action: str) -> None:
        if not self.is_moderator:
            raise Forbidden(f"Only the moderator may {action}.")

    def require_staff(self, action: str) -> None:
        if not self.is_staff:
            raise Forbidden(f"Only the moderator or an assistant may {action}.")

    def require_writer(self, action: str) -> None:
        if self.role is Role.PROJECTOR:
            raise Forbidden(f"The projector view is read-only and may not {action}.")
