"""The projection of the hidden card query (pinboard/visibility.py): pure functions, no database."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pinboard import visibility
from pinboard.actors import Actor

WORKSHOP = "Jx_zeFuN_mAj"
MODERATOR = Actor.moderator(WORKSHOP)
PROJECTOR = Actor.projector(WORKSHOP)
ANNA = Actor.participant(WORKSHOP, 3)
BEN = Actor.participant(WORKSHOP, 4)


def card(**fields: Any) -> dict[str, Any]:
    return {
        "id": 17,
        "board_id": 2,
        "cluster_id": 5,
        "position": 1,
        "text": "Verwaltung als Partnerin",
        "color": "green",
        "author_id": 3,
        "author_name": "Anna",
        "author_role": "participant",
        "client_id": "a1b2c3d4e5f6",
        "hidden": True,
        "created_at": "2017-06-14T09:30:00.000Z",
        "updated_at": "2017-06-14T09:31:00.000Z",
        **fields,
    }


PLACEHOLDER = {
    **card(),
    "text": "",
    "color": None,
    "author_id": None,
    "author_name": "",
    "client_id": None,
    "hidden": True,
}


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [(MODERATOR, True), (ANNA, True), (BEN, False), (PROJECTOR, False)],
    ids=["moderator", "author", "another participant", "projector"],
)
def test_a_hidden_card_is_seen_by_its_author_and_the_moderator_only(viewer: Actor, sees: bool) -> None:
    hidden = card()
    assert visibility.may_see(viewer, hidden) is sees
    assert visibility.card_for(viewer, hidden) == (hidden if sees else PLACEHOLDER)


@pytest.mark.parametrize(
    "viewer", [MODERATOR, ANNA, BEN, PROJECTOR], ids=["moderator", "author", "other", "projector"]
)
def test_a_visible_card_is_seen_by_everyone(viewer: Actor) -> None:
    shown = card(hidden=False)
    assert visibility.may_see(viewer, shown)
    assert visibility.card_for(viewer, shown) == shown


def test_the_placeholder_keeps_where_and_when_but_not_what_or_who() -> None:
    projected = visibility.card_for(PROJECTOR, card())
    kept = ("id", "board_id", "cluster_id", "position", "author_role", "hidden", "created_at", "updated_at")
    assert {key: projected[key] for key in kept} == {key: card()[key] for key in kept}
    assert set(projected) == set(card())
    assert "Verwaltung" not in repr(projected) and "Anna" not in repr(projected)
    assert "a1b2c3d4e5f6" not in repr(projected)


def test_a_moderators_hidden_card_is_hidden_from_participants_too() -> None:
    # The moderator's cards have no author id: no participant may match it.
    theirs = card(author_id=None, author_name="", author_role="moderator")
    assert visibility.may_see(MODERATOR, theirs)
    assert not visibility.may_see(ANNA, theirs)
    assert not visibility.may_see(PROJECTOR, theirs)


def test_projecting_never_changes_its_input() -> None:
    original = card()
    kept = copy.deepcopy(original)
    visibility.card_for(BEN, original)
    visibility.event_for(BEN, "card.created", {"card": original, "index": 0})
    visibility.public_event("card.updated", {"card": original})
    assert original == kept


@pytest.mark.parametrize("event_type", ["card.created", "card.updated"])
def test_events_that_carry_a_hidden_card_are_projected(event_type: str) -> None:
    data = {"card": card(), "index": 3} if event_type == "card.created" else {"card": card()}
    assert visibility.needs_projection(event_type, data)
    assert visibility.event_for(MODERATOR, event_type, data) == data
    assert visibility.event_for(ANNA, event_type, data) == data
    expected = {**data, "card": PLACEHOLDER}
    assert visibility.event_for(BEN, event_type, data) == expected
    assert visibility.event_for(PROJECTOR, event_type, data) == expected
    assert visibility.public_event(event_type, data) == expected


@pytest.mark.parametrize(
    ("event_type", "data"),
    [
        ("card.created", {"card": card(hidden=False), "index": 0}),
        ("card.updated", {"card": card(hidden=False)}),
        ("card.moved", {"card_id": 17, "board_id": 2, "cluster_id": None, "index": 0}),
        ("card.deleted", {"card_id": 17, "board_id": 2, "cluster_id": 5}),
        ("cards.revealed", {"board_id": 2, "cards": [card(hidden=False)]}),
        ("participant.done", {"board_id": 2, "done_count": 4}),
        ("cluster.deleted", {"cluster_id": 5, "board_id": 2, "card_ids": [17]}),
    ],
)
def test_every_other_event_is_the_same_for_everyone(event_type: str, data: dict[str, Any]) -> None:
    assert not visibility.needs_projection(event_type, data)
    for viewer in (MODERATOR, ANNA, BEN, PROJECTOR):
        assert visibility.event_for(viewer, event_type, data) == data
    assert visibility.public_event(event_type, data) == data
