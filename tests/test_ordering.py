"""Dense, server-authoritative positions: clamp_index, place, renumber, cards_in."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pinboard import cards, ordering
from pinboard.database import Database
from tests.conftest import WorkshopFixture, new_client_id


@dataclass(eq=False)
class Item:
    name: str
    position: int = -1


class CountingItem:
    """Counts assignments to `position`, as SQLAlchemy would mark a row dirty."""

    def __init__(self, position: int) -> None:
        self._position = position
        self.writes = 0

    @property
    def position(self) -> int:
        return self._position

    @position.setter
    def position(self, value: int) -> None:
        self.writes += 1
        self._position = value


def items(*names: str) -> list[Item]:
    return [Item(name, position) for position, name in enumerate(names)]


def order(things: list[Item]) -> list[tuple[str, int]]:
    return [(item.name, item.position) for item in sorted(things, key=lambda i: i.position)]


# ---- clamp_index -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "length", "expected"),
    [
        (None, 3, 3),
        (0, 3, 0),
        (2, 3, 2),
        (3, 3, 3),
        (4, 3, 3),
        (10**6, 3, 3),
        (-1, 3, 0),
        (-99, 0, 0),
        (None, 0, 0),
        (0, 0, 0),
    ],
)
def test_clamp_index(index: int | None, length: int, expected: int) -> None:
    assert ordering.clamp_index(index, length) == expected


# ---- place -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "expected_index", "expected"),
    [
        (0, 0, ["new", "a", "b", "c"]),
        (1, 1, ["a", "new", "b", "c"]),
        (3, 3, ["a", "b", "c", "new"]),
        (None, 3, ["a", "b", "c", "new"]),
        (42, 3, ["a", "b", "c", "new"]),
        (-5, 0, ["new", "a", "b", "c"]),
    ],
)
def test_place_inserts_at_the_clamped_index_and_renumbers(
    index: int | None, expected_index: int, expected: list[str]
) -> None:
    existing = items("a", "b", "c")
    new = Item("new")
    assert ordering.place(existing, new, index) == expected_index
    assert order([*existing, new]) == [(name, pos) for pos, name in enumerate(expected)]


def test_place_into_an_empty_list() -> None:
    new = Item("new", position=7)
    assert ordering.place([], new, 5) == 0
    assert new.position == 0


def test_place_leaves_the_given_sequence_alone() -> None:
    existing = items("a", "b")
    snapshot = list(existing)
    ordering.place(existing, Item("new"), 0)
    assert existing == snapshot


def test_place_closes_gaps_among_existing_items() -> None:
    existing = [Item("a", 0), Item("b", 4), Item("c", 9)]
    new = Item("new")
    assert ordering.place(existing, new, 1) == 1
    assert order([*existing, new]) == [("a", 0), ("new", 1), ("b", 2), ("c", 3)]


# ---- renumber ----------------------------------------------------------------------------


def test_renumber_makes_positions_dense_in_sequence_order() -> None:
    things = [Item("x", 5), Item("y", 2), Item("z", 2)]
    ordering.renumber(things)
    assert [(t.name, t.position) for t in things] == [("x", 0), ("y", 1), ("z", 2)]


def test_renumber_writes_only_positions_that_change() -> None:
    things = [CountingItem(0), CountingItem(1), CountingItem(5), CountingItem(3)]
    ordering.renumber(things)
    assert [t.position for t in things] == [0, 1, 2, 3]
    assert [t.writes for t in things] == [0, 0, 1, 0]


# ---- cards_in (database) -----------------------------------------------------------------


def test_cards_in_lists_one_container_in_order_without_deleted_cards(
    db: Database, workshop: WorkshopFixture
) -> None:
    board, other_board = workshop.board_ids
    cluster = workshop.cluster_ids[0][0]
    ids = {}
    with db.write() as s:
        for name, (board_id, cluster_id) in {
            "u1": (board, None),
            "c1": (board, cluster),
            "u2": (board, None),
            "c2": (board, cluster),
            "o1": (other_board, None),
            "u3": (board, None),
        }.items():
            ids[name] = cards.create_card(
                s,
                workshop.moderator,
                client_id=new_client_id(),
                board_id=board_id,
                text=name,
                cluster_id=cluster_id,
            ).data["id"]
    with db.write() as s:
        cards.delete_card(s, workshop.moderator, card_id=ids["u2"])
    with db.read() as s:
        assert [c.text for c in ordering.cards_in(s, board, None)] == ["u1", "u3"]
        assert [c.text for c in ordering.cards_in(s, board, cluster)] == ["c1", "c2"]
        assert [c.text for c in ordering.cards_in(s, other_board, None)] == ["o1"]
        assert ordering.cards_in(s, other_board, workshop.cluster_ids[1][0]) == []
