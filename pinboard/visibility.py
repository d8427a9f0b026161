"""What one viewer may see of a card: the projection of the hidden card query.

A hidden card (posted while its board ran a hidden card query, and not revealed yet) is
visible only to its author and the moderator (cards typed in by assistants: to the assistants).
Everyone else, the other participants and the read-only projector, gets a placeholder: that
there is a card, and where, but not what it says, its colour, or who wrote it. The placeholder
keeps `hidden: true`, so screens draw it face down.

Pure functions on the protocol's dicts (docs/protocol.md): the snapshot, `sync` and the
broadcast apply them, so a hidden card's text never leaves the server on a connection that
may not see it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .actors import Actor

# What a placeholder blanks out; everything else (id, place, times) stays.
PLACEHOLDER = {"text": "", "color": None, "author_id": None, "author_name": "", "client_id": None}
# The events that carry a whole card; every other event carries ids and places only.
CARD_EVENTS = ("card.created", "card.updated", "card.restored")


def may_see(viewer: Actor, card: Mapping[str, Any]) -> bool:
    """Whether `viewer` may see the card's text, colour and author."""
    if not card.get("hidden"):
        return True
    if viewer.is_moderator:
        return True
    if viewer.is_assistant:  # the assistants' own typing
        return card.get("author_id") is None and card.get("author_role") == "assistant"
    return viewer.is_participant and card.get("author_id") == viewer.participant_id


def placeholder(card: Mapping[str, Any]) -> dict[str, Any]:
    return {**card, **PLACEHOLDER, "hidden": True}


def card_for(viewer: Actor, card: Mapping[str, Any]) -> dict[str, Any]:
    """The card as `viewer` may see it: itself, or its placeholder."""
    return dict(card) if may_see(viewer, card) else placeholder(card)


def reader(workshop_id: str, card: Mapping[str, Any]) -> Actor | None:
    """Who besides the moderator may read the hidden card: its author (a participant), the
    assistants (a card one of them typed in), or nobody else (the moderator's own card)."""
    if card.get("author_id") is not None:
        return Actor.participant(workshop_id, card["author_id"])
    if card.get("author_role") == "assistant":
        return Actor.assistant(workshop_id)
    return None


def needs_projection(event_type: str, data: Mapping[str, Any]) -> bool:
    """Whether the event carries a hidden card, so that not everyone may receive it as it is."""
    return event_type in CARD_EVENTS and bool(data["card"].get("hidden"))


def event_for(viewer: Actor, event_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The event's data as `viewer` may receive it."""
    if not needs_projection(event_type, data):
        return dict(data)
    return {**data, "card": card_for(viewer, data["card"])}


def public_event(event_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The event's data for a viewer who is neither the moderator nor the card's author."""
    if not needs_projection(event_type, data):
        return dict(data)
    return {**data, "card": placeholder(data["card"])}
