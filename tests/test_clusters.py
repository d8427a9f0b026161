"""Clusters: created, renamed, reordered and deleted by the moderator only; deleting loses no card."""

from __future__ import annotations

from typing import Any

import pytest

from pinboard import boards, cards, clusters, ordering
from pinboard.actors import Actor
from pinboard.database import Database
from pinboard.errors import Forbidden, NotFound
from pinboard.models import Cluster, Workshop
from tests.conftest import WorkshopFixture, make_participant, make_workshop, new_client_id


def names(db: Database, board_id: int) -> list[str]:
    with db.read() as s:
        return [cluster.name for cluster in clusters.board_clusters(s, board_id)]


def cluster_positions(db: Database, board_id: int) -> list[int]:
    with db.read() as s:
        return [cluster.position for cluster in clusters.board_clusters(s, board_id)]


def texts(db: Database, board_id: int, cluster_id: int | None = None) -> list[str]:
    with db.read() as s:
        return [card.text for card in ordering.cards_in(s, board_id, cluster_id)]


def card(
    db: Database, workshop: WorkshopFixture, text: str, cluster_id: int | None = None, board: int = 0
) -> int:
    with db.write() as s:
        return cards.create_card(
            s,
            workshop.moderator,
            client_id=new_client_id(),
            board_id=workshop.board_ids[board],
            text=text,
            cluster_id=cluster_id,
        ).data["id"]


def run(db: Database, operation: Any, actor: Actor, **kwargs: Any) -> Any:
    with db.write() as s:
        return operation(s, actor, **kwargs)


def last_seq(db: Database, workshop_id: str) -> int:
    with db.read() as s:
        return s.get_one(Workshop, workshop_id).last_seq


# ---- create ------------------------------------------------------------------------------


def test_create_appends_a_cluster_with_an_event(db: Database, workshop: WorkshopFixture) -> None:
    board = workshop.board_ids[0]
    outcome = run(db, clusters.create_cluster, workshop.moderator, board_id=board, name="Ideen")
    assert outcome.data == {
        "id": outcome.data["id"],
        "board_id": board,
        "name": "Ideen",
        "position": 2,
        "list_style": "bullet",
        "headline": "",
    }
    [event] = outcome.events
    assert (event.type, event.data, event.seq) == (
        "cluster.created",
        {"cluster": outcome.data, "index": 2},
        1,
    )
    assert names(db, board) == ["Rahmenbedingungen", "Spannungsfelder", "Ideen"]


@pytest.mark.parametrize(
    ("index", "used", "expected"),
    [
        (0, 0, ["Neu", "Rahmenbedingungen", "Spannungsfelder"]),
        (1, 1, ["Rahmenbedingungen", "Neu", "Spannungsfelder"]),
        (50, 2, ["Rahmenbedingungen", "Spannungsfelder", "Neu"]),
    ],
)
def test_create_at_an_index(
    db: Database, workshop: WorkshopFixture, index: int, used: int, expected: list[str]
) -> None:
    board = workshop.board_ids[0]
    outcome = run(
        db,
        clusters.create_cluster,
        workshop.moderator,
        board_id=board,
        name="Neu",
        index=index,
        list_style="number",
    )
    assert outcome.events[0].data["index"] == used
    assert outcome.data["list_style"] == "number"
    assert names(db, board) == expected
    assert cluster_positions(db, board) == [0, 1, 2]


def test_create_on_a_board_of_another_workshop_is_not_found(db: Database, workshop: WorkshopFixture) -> None:
    other = make_workshop(db)
    with pytest.raises(NotFound):
        run(db, clusters.create_cluster, workshop.moderator, board_id=other.board_ids[0], name="x")
    assert names(db, other.board_ids[0]) == ["Rahmenbedingungen", "Spannungsfelder"]


# ---- update and move ---------------------------------------------------------------------


def test_update_renames_and_restyles(db: Database, workshop: WorkshopFixture) -> None:
    cluster = workshop.cluster_ids[0][0]
    outcome = run(
        db,
        clusters.update_cluster,
        workshop.moderator,
        cluster_id=cluster,
        name="Rahmen",
        list_style="letter",
    )
    assert (outcome.data["name"], outcome.data["list_style"], outcome.data["position"]) == (
        "Rahmen",
        "letter",
        0,
    )
    assert (outcome.events[0].type, outcome.events[0].data) == ("cluster.updated", {"cluster": outcome.data})
    assert names(db, workshop.board_ids[0]) == ["Rahmen", "Spannungsfelder"]


def test_move_reorders_densely(db: Database, workshop: WorkshopFixture) -> None:
    board = workshop.board_ids[0]
    run(db, clusters.create_cluster, workshop.moderator, board_id=board, name="Drei")
    first = workshop.cluster_ids[0][0]
    outcome = run(db, clusters.move_cluster, workshop.moderator, cluster_id=first, index=2)
    assert outcome.data == {"cluster_id": first, "board_id": board, "index": 2}
    assert (outcome.events[0].type, outcome.events[0].data) == ("cluster.moved", outcome.data)
    assert names(db, board) == ["Spannungsfelder", "Drei", "Rahmenbedingungen"]
    assert cluster_positions(db, board) == [0, 1, 2]


@pytest.mark.parametrize(("index", "used"), [(99, 1), (-3, 0)])
def test_move_clamps_the_index(db: Database, workshop: WorkshopFixture, index: int, used: int) -> None:
    second = workshop.cluster_ids[0][1]
    outcome = run(db, clusters.move_cluster, workshop.moderator, cluster_id=second, index=index)
    assert outcome.data["index"] == used
    assert names(db, workshop.board_ids[0]).index("Spannungsfelder") == used


def test_moving_a_cluster_keeps_its_cards(db: Database, workshop: WorkshopFixture) -> None:
    first = workshop.cluster_ids[0][0]
    card(db, workshop, "drin", first)
    run(db, clusters.move_cluster, workshop.moderator, cluster_id=first, index=1)
    assert texts(db, workshop.board_ids[0], first) == ["drin"]


# ---- delete ------------------------------------------------------------------------------


def test_delete_moves_its_cards_in_order_to_the_end_of_unsorted(
    db: Database, workshop: WorkshopFixture
) -> None:
    board = workshop.board_ids[0]
    first, second = workshop.cluster_ids[0]
    card(db, workshop, "u1")
    ids = [card(db, workshop, text, first) for text in ("c1", "c2", "c3")]
    card(db, workshop, "u2")
    card(db, workshop, "other", second)
    outcome = run(db, clusters.delete_cluster, workshop.moderator, cluster_id=first)
    assert outcome.data == {"cluster_id": first, "board_id": board, "card_ids": ids}
    assert (outcome.events[0].type, outcome.events[0].data) == ("cluster.deleted", outcome.data)
    assert texts(db, board) == ["u1", "u2", "c1", "c2", "c3"]
    with db.read() as s:
        assert [c.position for c in ordering.cards_in(s, board, None)] == [0, 1, 2, 3, 4]
    assert texts(db, board, second) == ["other"]
    assert names(db, board) == ["Spannungsfelder"]
    assert cluster_positions(db, board) == [0]


def test_delete_keeps_the_cards_order_after_moves(db: Database, workshop: WorkshopFixture) -> None:
    board, cluster = workshop.board_ids[0], workshop.cluster_ids[0][0]
    a, b, c = (card(db, workshop, text, cluster) for text in "abc")
    run(db, cards.move_card, workshop.moderator, card_id=c, cluster_id=cluster, index=0)
    outcome = run(db, clusters.delete_cluster, workshop.moderator, cluster_id=cluster)
    assert outcome.data["card_ids"] == [c, a, b]
    assert texts(db, board) == ["c", "a", "b"]


def test_delete_leaves_out_deleted_cards_but_loses_no_live_one(
    db: Database, workshop: WorkshopFixture
) -> None:
    board, cluster = workshop.board_ids[0], workshop.cluster_ids[0][0]
    keep, gone = card(db, workshop, "bleibt", cluster), card(db, workshop, "weg", cluster)
    run(db, cards.delete_card, workshop.moderator, card_id=gone)
    outcome = run(db, clusters.delete_cluster, workshop.moderator, cluster_id=cluster)
    assert outcome.data["card_ids"] == [keep]
    assert texts(db, board) == ["bleibt"]


def test_a_deleted_cluster_is_kept_marked_and_is_not_found_afterwards(
    db: Database, workshop: WorkshopFixture
) -> None:
    cluster = workshop.cluster_ids[0][0]
    run(db, clusters.delete_cluster, workshop.moderator, cluster_id=cluster)
    with db.read() as s:
        assert s.get_one(Cluster, cluster).deleted_at is not None
    for operation, kwargs in (
        (clusters.update_cluster, {"name": "x"}),
        (clusters.move_cluster, {"index": 0}),
        (clusters.delete_cluster, {}),
    ):
        with pytest.raises(NotFound):
            run(db, operation, workshop.moderator, cluster_id=cluster, **kwargs)
    assert last_seq(db, workshop.id) == 1


def test_a_new_cluster_after_a_delete_is_placed_among_the_live_ones(
    db: Database, workshop: WorkshopFixture
) -> None:
    board = workshop.board_ids[0]
    run(db, clusters.delete_cluster, workshop.moderator, cluster_id=workshop.cluster_ids[0][0])
    outcome = run(db, clusters.create_cluster, workshop.moderator, board_id=board, name="Neu")
    assert outcome.events[0].data["index"] == 1
    assert names(db, board) == ["Spannungsfelder", "Neu"]
    assert cluster_positions(db, board) == [0, 1]


def test_board_payload_leaves_out_deleted_clusters(db: Database, workshop: WorkshopFixture) -> None:
    run(db, clusters.delete_cluster, workshop.moderator, cluster_id=workshop.cluster_ids[0][0])
    with db.read() as s:
        payload = boards.board_payload(boards.find_board(s, workshop.moderator, workshop.board_ids[0]))
    assert [c["name"] for c in payload["clusters"]] == ["Spannungsfelder"]


# ---- permissions and other workshops -----------------------------------------------------


OPERATIONS = [
    (clusters.create_cluster, lambda w: {"board_id": w.board_ids[0], "name": "x"}),
    (clusters.update_cluster, lambda w: {"cluster_id": w.cluster_ids[0][0], "name": "x"}),
    (clusters.move_cluster, lambda w: {"cluster_id": w.cluster_ids[0][0], "index": 1}),
    (clusters.delete_cluster, lambda w: {"cluster_id": w.cluster_ids[0][0]}),
]


@pytest.mark.parametrize(("operation", "arguments"), OPERATIONS, ids=lambda o: getattr(o, "__name__", ""))
@pytest.mark.parametrize("who", ["participant", "projector"])
def test_only_the_moderator_changes_clusters(
    db: Database, workshop: WorkshopFixture, operation: Any, arguments: Any, who: str
) -> None:
    actor = make_participant(db, workshop)[0] if who == "participant" else workshop.projector
    with pytest.raises(Forbidden):
        run(db, operation, actor, **arguments(workshop))
    assert names(db, workshop.board_ids[0]) == ["Rahmenbedingungen", "Spannungsfelder"]
    assert last_seq(db, workshop.id) == 0


@pytest.mark.parametrize(("operation", "arguments"), OPERATIONS[1:], ids=lambda o: getattr(o, "__name__", ""))
def test_clusters_of_another_workshop_are_not_found(
    db: Database, workshop: WorkshopFixture, operation: Any, arguments: Any
) -> None:
    other = make_workshop(db)
    with pytest.raises(NotFound):
        run(db, operation, workshop.moderator, **arguments(other))
    assert names(db, other.board_ids[0]) == ["Rahmenbedingungen", "Spannungsfelder"]
