"""Boards: the workshop's phases, created, changed, reordered and activated by the moderator only."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from pinboard import boards
from pinboard.actors import Actor
from pinboard.database import Database
from pinboard.errors import Forbidden, NotFound
from pinboard.models import Board, Workshop
from tests.conftest import WorkshopFixture, make_participant, make_workshop

DEFAULT_SETTINGS = {
    "locked": False,
    "participants_can_move": False,
    "participants_choose_cluster": False,
    "numbered_clusters": False,
    "participants_choose_color": False,
    "hidden": False,
}


def run(db: Database, operation: Any, actor: Actor, **kwargs: Any) -> Any:
    with db.write() as s:
        return operation(s, actor, **kwargs)


def titles(db: Database, workshop_id: str) -> list[tuple[str, int]]:
    with db.read() as s:
        return [
            (board.title, board.position)
            for board in s.scalars(
                select(Board).where(Board.workshop_id == workshop_id).order_by(Board.position, Board.id)
            )
        ]


def stored_workshop(db: Database, workshop_id: str) -> Workshop:
    with db.read() as s:
        return s.get_one(Workshop, workshop_id)


# ---- create ------------------------------------------------------------------------------


def test_create_appends_a_board_with_its_clusters(db: Database, workshop: WorkshopFixture) -> None:
    outcome = run(db, boards.create_board, workshop.moderator, title="Ergebnisse", clusters=["Eins", "Zwei"])
    data = outcome.data
    assert (data["title"], data["position"], data["settings"]) == ("Ergebnisse", 2, DEFAULT_SETTINGS)
    assert [(c["name"], c["position"], c["board_id"]) for c in data["clusters"]] == [
        ("Eins", 0, data["id"]),
        ("Zwei", 1, data["id"]),
    ]
    [event] = outcome.events
    assert (event.type, event.data, event.seq) == ("board.created", {"board": data, "index": 2}, 1)
    assert titles(db, workshop.id) == [("Einstieg", 0), ("Erfahrungsaustausch", 1), ("Ergebnisse", 2)]


def test_create_with_settings(db: Database, workshop: WorkshopFixture) -> None:
    outcome = run(
        db,
        boards.create_board,
        workshop.moderator,
        title="Sortieren",
        clusters=[],
        participants_can_move=True,
        numbered_clusters=True,
    )
    assert outcome.data["settings"] == {
        **DEFAULT_SETTINGS,
        "participants_can_move": True,
        "numbered_clusters": True,
    }
    assert outcome.data["clusters"] == []


@pytest.mark.parametrize(
    ("index", "used", "expected"),
    [
        (0, 0, ["Neu", "Einstieg", "Erfahrungsaustausch"]),
        (1, 1, ["Einstieg", "Neu", "Erfahrungsaustausch"]),
        (None, 2, ["Einstieg", "Erfahrungsaustausch", "Neu"]),
        (9, 2, ["Einstieg", "Erfahrungsaustausch", "Neu"]),
    ],
)
def test_create_at_an_index(
    db: Database, workshop: WorkshopFixture, index: int | None, used: int, expected: list[str]
) -> None:
    outcome = run(db, boards.create_board, workshop.moderator, title="Neu", clusters=[], index=index)
    assert outcome.events[0].data["index"] == used
    assert outcome.data["position"] == used
    assert titles(db, workshop.id) == [(title, pos) for pos, title in enumerate(expected)]


def test_creating_a_board_does_not_change_the_active_board(db: Database, workshop: WorkshopFixture) -> None:
    run(db, boards.create_board, workshop.moderator, title="Neu", clusters=[], index=0)
    assert stored_workshop(db, workshop.id).active_board_id == workshop.board_ids[0]


# ---- update ------------------------------------------------------------------------------


def test_update_changes_title_and_settings(db: Database, workshop: WorkshopFixture) -> None:
    board = workshop.board_ids[1]
    outcome = run(db, boards.update_board, workshop.moderator, board_id=board, title="Austausch", locked=True)
    assert outcome.data == {
        "id": board,
        "title": "Austausch",
        "position": 1,
        "settings": {**DEFAULT_SETTINGS, "locked": True},
    }
    assert (outcome.events[0].type, outcome.events[0].data) == ("board.updated", {"board": outcome.data})
    outcome = run(
        db, boards.update_board, workshop.moderator, board_id=board, participants_choose_cluster=True
    )
    assert outcome.data["settings"] == {
        **DEFAULT_SETTINGS,
        "locked": True,
        "participants_choose_cluster": True,
    }
    with db.read() as s:
        stored = s.get_one(Board, board)
        assert (stored.title, stored.locked, stored.participants_choose_cluster) == ("Austausch", True, True)
    assert stored_workshop(db, workshop.id).last_seq == 2


# ---- move --------------------------------------------------------------------------------


def test_move_reorders_densely(db: Database, workshop: WorkshopFixture) -> None:
    run(db, boards.create_board, workshop.moderator, title="Drei", clusters=[])
    first = workshop.board_ids[0]
    outcome = run(db, boards.move_board, workshop.moderator, board_id=first, index=2)
    assert outcome.data == {"board_id": first, "index": 2}
    assert (outcome.events[0].type, outcome.events[0].data) == ("board.moved", outcome.data)
    assert titles(db, workshop.id) == [("Erfahrungsaustausch", 0), ("Drei", 1), ("Einstieg", 2)]


@pytest.mark.parametrize(("index", "used"), [(99, 1), (-1, 0), (0, 0)])
def test_move_clamps_the_index(db: Database, workshop: WorkshopFixture, index: int, used: int) -> None:
    outcome = run(db, boards.move_board, workshop.moderator, board_id=workshop.board_ids[1], index=index)
    assert outcome.data["index"] == used
    assert [t for t, _ in titles(db, workshop.id)].index("Erfahrungsaustausch") == used
    assert [p for _, p in titles(db, workshop.id)] == [0, 1]


def test_moving_a_board_keeps_the_active_board(db: Database, workshop: WorkshopFixture) -> None:
    run(db, boards.move_board, workshop.moderator, board_id=workshop.board_ids[0], index=1)
    assert stored_workshop(db, workshop.id).active_board_id == workshop.board_ids[0]


# ---- activate ----------------------------------------------------------------------------


def test_activate_makes_a_board_the_one_everyone_follows(db: Database, workshop: WorkshopFixture) -> None:
    second = workshop.board_ids[1]
    outcome = run(db, boards.activate_board, workshop.moderator, board_id=second)
    assert outcome.data == {"board_id": second}
    assert (outcome.events[0].type, outcome.events[0].data) == ("board.activated", {"board_id": second})
    assert stored_workshop(db, workshop.id).active_board_id == second


def test_activate_a_board_created_later(db: Database) -> None:
    workshop = make_workshop(db, boards=[])
    created = run(db, boards.create_board, workshop.moderator, title="Erstes", clusters=[])
    run(db, boards.activate_board, workshop.moderator, board_id=created.data["id"])
    assert stored_workshop(db, workshop.id).active_board_id == created.data["id"]


# ---- permissions and other workshops -----------------------------------------------------


OPERATIONS = [
    (boards.create_board, lambda w: {"title": "x", "clusters": []}),
    (boards.update_board, lambda w: {"board_id": w.board_ids[0], "locked": True}),
    (boards.move_board, lambda w: {"board_id": w.board_ids[0], "index": 1}),
    (boards.activate_board, lambda w: {"board_id": w.board_ids[1]}),
]


@pytest.mark.parametrize(("operation", "arguments"), OPERATIONS, ids=lambda o: getattr(o, "__name__", ""))
@pytest.mark.parametrize("who", ["participant", "projector"])
def test_only_the_moderator_changes_boards(
    db: Database, workshop: WorkshopFixture, operation: Any, arguments: Any, who: str
) -> None:
    actor = make_participant(db, workshop)[0] if who == "participant" else workshop.projector
    with pytest.raises(Forbidden):
        run(db, operation, actor, **arguments(workshop))
    assert titles(db, workshop.id) == [("Einstieg", 0), ("Erfahrungsaustausch", 1)]
    stored = stored_workshop(db, workshop.id)
    assert (stored.last_seq, stored.active_board_id) == (0, workshop.board_ids[0])
    with db.read() as s:
        assert not s.get_one(Board, workshop.board_ids[0]).locked


@pytest.mark.parametrize(("operation", "arguments"), OPERATIONS[1:], ids=lambda o: getattr(o, "__name__", ""))
def test_boards_of_another_workshop_are_not_found(
    db: Database, workshop: WorkshopFixture, operation: Any, arguments: Any
) -> None:
    other = make_workshop(db)
    with pytest.raises(NotFound):
        run(db, operation, workshop.moderator, **arguments(other))
    assert titles(db, other.id) == [("Einstieg", 0), ("Erfahrungsaustausch", 1)]
    assert stored_workshop(db, other.id).active_board_id == other.board_ids[0]
    assert stored_workshop(db, workshop.id).last_seq == 0


def test_find_board(db: Database, workshop: WorkshopFixture) -> None:
    other = make_workshop(db)
    with db.read() as s:
        assert boards.find_board(s, workshop.moderator, workshop.board_ids[0]).title == "Einstieg"
        with pytest.raises(NotFound):
            boards.find_board(s, workshop.moderator, other.board_ids[0])
        with pytest.raises(NotFound):
            boards.find_board(s, workshop.moderator, 2**31 - 1)
