"""Workshops: creating one, joining it, recognising its credentials, changing its details."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import boards as board_ops
from . import credentials
from .actors import Actor
from .errors import NotFound, Unauthorized, reject_unknown
from .event_log import Outcome, lock_workshop, record
from .models import Participant, Workshop, utcnow
from .schemas import workshop_out

PROJECTOR = "projector"
ASSISTANT = "assistant"


@dataclass(frozen=True)
class NewWorkshop:
    workshop: Workshop
    moderator_key: str
    projector_key: str

    @property
    def assistant_key(self) -> str:
        return credentials.derive_secret(self.moderator_key, ASSISTANT)


@dataclass(frozen=True)
class NewParticipant:
    participant: Participant
    token: str


def _unused_join_code(session: Session) -> str:
    while True:
        code = credentials.new_join_code()
        taken = session.scalar(select(Workshop.id).where(Workshop.join_code == code))
        if taken is None:
            return code


def create_workshop(
    session: Session,
    *,
    title: str,
    event: str = "",
    date: dt.date | None = None,
    place: str = "",
    language: str = "de",
    agenda: list[str] | None = None,
    boards: list[dict[str, Any]] | None = None,
) -> NewWorkshop:
    moderator_key = credentials.new_secret()
    projector_key = credentials.derive_secret(moderator_key, PROJECTOR)
    workshop = Workshop(
        id=credentials.new_workshop_id(),
        title=title,
        event_name=event,
        date=date,
        place=place,
        language=language,
        agenda=list(agenda or []),
        join_code=_unused_join_code(session),
        moderator_key_hash=credentials.hash_secret(moderator_key),
        projector_key_hash=credentials.hash_secret(projector_key),
        assistant_key_hash=credentials.hash_secret(credentials.derive_secret(moderator_key, ASSISTANT)),
        last_seq=0,
    )
    session.add(workshop)
    for position, spec in enumerate(boards or []):
        board_ops.build_board(workshop, position=position, **spec)
    session.flush()
    if workshop.boards:
        workshop.active_board_id = workshop.boards[0].id
    return NewWorkshop(workshop, moderator_key, projector_key)


def assistant_key(session: Session, actor: Actor, moderator_key: str) -> str:
    """The assistant key, derived from the moderator key like the projector key. Workshops made
    before assistants existed get its hash stored the first time the moderator asks."""
    actor.require_moderator("hand out the assistant link")
    key = credentials.derive_secret(moderator_key, ASSISTANT)
    workshop = find_open_workshop(session, actor.workshop_id)
    if workshop.assistant_key_hash is None:
        workshop.assistant_key_hash = credentials.hash_secret(key)
    return key


def find_open_workshop(session: Session, workshop_id: str) -> Workshop:
    workshop = session.get(Workshop, workshop_id) if credentials.is_workshop_id(workshop_id) else None
    if workshop is None or workshop.closed_at is not None:
        raise NotFound("This workshop does not exist or has been closed.")
    return workshop


def last_seqs(session: Session, workshop_ids: Iterable[str]) -> dict[str, int]:
    """The last seq of each open workshop among `workshop_ids`, in one query."""
    rows = session.execute(
        select(Workshop.id, Workshop.last_seq).where(
            Workshop.id.in_(list(workshop_ids)), Workshop.closed_at.is_(None)
        )
    )
    return {workshop_id: last_seq for workshop_id, last_seq in rows}


def join(session: Session, *, code: str, name: str = "") -> NewParticipant:
    normalised = credentials.normalise_join_code(code)
    if not credentials.is_join_code(normalised):
        raise NotFound(f"There is no open workshop with the code {normalised!r}.")
    workshop = session.scalars(
        select(Workshop).where(Workshop.join_code == normalised, Workshop.closed_at.is_(None))
    ).one_or_none()
    if workshop is None:
        raise NotFound(f"There is no open workshop with the code {normalised!r}.")
    token = credentials.new_secret()
    participant = Participant(
        workshop_id=workshop.id,
        display_name=name,
        token_hash=credentials.hash_secret(token),
    )
    session.add(participant)
    workshop.last_activity_at = utcnow()
    session.flush()
    return NewParticipant(participant, token)


def authenticate(
    session: Session,
    workshop_id: str,
    *,
    moderator_key: str | None = None,
    projector_key: str | None = None,
    token: str | None = None,
    assistant_key: str | None = None,
) -> Actor:
    """The actor a credential stands for in this workshop; Unauthorized when it stands for none."""
    if not isinstance(workshop_id, str) or not credentials.is_workshop_id(workshop_id):
        raise Unauthorized("A valid workshop id is required.")
    workshop = session.get(Workshop, workshop_id)
    if workshop is None or workshop.closed_at is not None:
        raise Unauthorized("This workshop does not exist or has been closed.")
    if isinstance(moderator_key, str) and credentials.secret_matches(
        moderator_key, workshop.moderator_key_hash
    ):
        return Actor.moderator(workshop.id)
    if isinstance(projector_key, str) and credentials.secret_matches(
        projector_key, workshop.projector_key_hash
    ):
        return Actor.projector(workshop.id)
    if (
        isinstance(assistant_key, str)
        and workshop.assistant_key_hash is not None
        and credentials.secret_matches(assistant_key, workshop.assistant_key_hash)
    ):
        return Actor.assistant(workshop.id)
    if isinstance(token, str):
        participant = session.scalars(
            select(Participant).where(
                Participant.token_hash == credentials.hash_secret(token),
                Participant.workshop_id == workshop.id,
            )
        ).one_or_none()
        if participant is not None:
            return Actor.participant(workshop.id, participant.id)
    raise Unauthorized("The credential is missing or not valid for this workshop.")


def authenticate_bearer(session: Session, workshop_id: str, secret: str) -> Actor:
    return authenticate(
        session, workshop_id, moderator_key=secret, projector_key=secret, token=secret, assistant_key=secret
    )


_FIELD_NAMES = {"event": "event_name"}
UPDATABLE = ("title", "event", "date", "place", "language", "agenda")


def update_workshop(session: Session, actor: Actor, **changes: Any) -> Outcome:
    actor.require_moderator("change the workshop")
    workshop = lock_workshop(session, actor.workshop_id)
    for name, value in reject_unknown(changes, UPDATABLE).items():
        setattr(workshop, _FIELD_NAMES.get(name, name), value)
    data = workshop_out.dump(workshop)
    event = record(session, workshop, actor, "workshop.updated", {"workshop": data})
    return Outcome(data, [event])
