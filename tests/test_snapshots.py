"""The snapshot: the whole workshop as one client sees it, in a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pinboard import boards, cards, clusters, snapshots
from pinboard.actors import Actor
from pinboard.database import Database
from pinboard.errors import NotFound
from pinboard.models import Card, Workshop, utcnow
from pinboard.schemas import card_out
from tests.conftest import WorkshopFixture, make_participant, make_workshop, new_client_id
from tests.workload import build_workshop


def snapshot(db: Database, actor: Actor) -> dict[str, Any]:
    with db.read() as s:
        return snapshots.build_snapshot(s, actor)


def post(s: Session, actor: Actor, board_id: int, text: str, cluster_id: int | None = None) -> int:
    return cards.create_card(
        s, actor, client_id=new_client_id(), board_id=board_id, text=text, cluster_id=cluster_id
    ).data["id"]


def card_texts(container: list[dict[str, Any]]) -> list[str]:
    return [card["text"] for card in container]


def test_snapshot_structure(db: Database, workshop: WorkshopFixture) -> None:
    anna, _ = make_participant(db, workshop, "Anna")
    make_participant(db, workshop)
    first_board, second_board = workshop.board_ids
    first_cluster = workshop.cluster_ids[0][0]
    with db.write() as s:
        post(s, anna, first_board, "lose")
        post(s, workshop.moderator, first_board, "sortiert", first_cluster)
        post(s, workshop.moderator, first_board, "auch sortiert", first_cluster)
        post(s, workshop.moderator, second_board, "zweites Board")
    snap = snapshot(db, workshop.moderator)
    assert set(snap) == {"seq", "workshop", "you", "participant_count", "boards", "history"}
    assert snap["seq"] == 4
    assert snap["you"] == {"role": "moderator", "participant_id": None}
    assert snap["participant_count"] == 2
    assert snap["workshop"]["id"] == workshop.id
    assert snap["workshop"]["join_code"] == workshop.join_code
    assert snap["workshop"]["active_board_id"] == first_board
    assert snap["workshop"]["agenda"] == ["Begrüßung", "Einstieg", "Austausch"]
    one, two = snap["boards"]
    assert set(one) == {
        "id",
        "title",
        "position",
        "settings",
        "clusters",
        "unsorted",
        "done_count",
        "done",
    } | {
        "vote",
        "timer",
    }
    assert one["vote"] is None and one["timer"] is None  # no dot voting, no timer yet
    assert (one["done_count"], one["done"]) == (0, False)
    assert (one["id"], one["title"], one["position"]) == (first_board, "Einstieg", 0)
    assert one["settings"]["locked"] is False
    assert [c["name"] for c in one["clusters"]] == ["Rahmenbedingungen", "Spannungsfelder"]
    assert card_texts(one["clusters"][0]["cards"]) == ["sortiert", "auch sortiert"]
    assert one["clusters"][1]["cards"] == []
    assert card_texts(one["unsorted"]) == ["lose"]
    assert one["unsorted"][0]["author_name"] == "Anna"
    assert one["unsorted"][0]["author_id"] == anna.participant_id
    assert card_texts(two["unsorted"]) == ["zweites Board"]
    assert [c["name"] for c in two["clusters"]] == ["Grundhaltung"]


def test_snapshot_says_who_you_are(db: Database, workshop: WorkshopFixture) -> None:
    anna, _ = make_participant(db, workshop)
    assert snapshot(db, anna)["you"] == {"role": "participant", "participant_id": anna.participant_id}
    assert snapshot(db, workshop.projector)["you"] == {"role": "projector", "participant_id": None}


def test_snapshot_shows_no_secret(db: Database, workshop: WorkshopFixture) -> None:
    anna, token = make_participant(db, workshop)
    text = repr(snapshot(db, anna))
    for secret in (workshop.moderator_key, workshop.projector_key, token):
        assert secret not in text
    assert "hash" not in text


def test_boards_clusters_and_cards_are_in_their_order(db: Database, workshop: WorkshopFixture) -> None:
    moderator, board = workshop.moderator, workshop.board_ids[0]
    first, second = workshop.cluster_ids[0]
    with db.write() as s:
        ids = [post(s, moderator, board, text, first) for text in "abc"]
        cards.move_card(s, moderator, card_id=ids[2], cluster_id=first, index=0)
        clusters.move_cluster(s, moderator, cluster_id=second, index=0)
        boards.move_board(s, moderator, board_id=board, index=1)
    snap = snapshot(db, moderator)
    assert [b["title"] for b in snap["boards"]] == ["Erfahrungsaustausch", "Einstieg"]
    assert [b["position"] for b in snap["boards"]] == [0, 1]
    clusters_ = snap["boards"][1]["clusters"]
    assert [c["name"] for c in clusters_] == ["Spannungsfelder", "Rahmenbedingungen"]
    assert card_texts(clusters_[1]["cards"]) == ["c", "a", "b"]
    assert [c["position"] for c in clusters_[1]["cards"]] == [0, 1, 2]


def test_deleted_cards_and_clusters_are_left_out(db: Database, workshop: WorkshopFixture) -> None:
    moderator, board = workshop.moderator, workshop.board_ids[0]
    first = workshop.cluster_ids[0][0]
    with db.write() as s:
        gone = post(s, moderator, board, "gelöscht")
        post(s, moderator, board, "bleibt")
        post(s, moderator, board, "aus dem Cluster", first)
        cards.delete_card(s, moderator, card_id=gone)
        clusters.delete_cluster(s, moderator, cluster_id=first)
    one = snapshot(db, moderator)["boards"][0]
    assert [c["name"] for c in one["clusters"]] == ["Spannungsfelder"]
    assert card_texts(one["unsorted"]) == ["bleibt", "aus dem Cluster"]
    assert all(card["cluster_id"] is None for card in one["unsorted"])


def test_snapshot_keeps_to_its_workshop(db: Database, workshop: WorkshopFixture) -> None:
    other = make_workshop(db, boards=[{"title": "Fremd", "clusters": ["F"]}])
    make_participant(db, other)
    with db.write() as s:
        post(s, other.moderator, other.board_ids[0], "fremd")
    snap = snapshot(db, workshop.moderator)
    assert [b["title"] for b in snap["boards"]] == ["Einstieg", "Erfahrungsaustausch"]
    assert all(b["unsorted"] == [] for b in snap["boards"])
    assert (snap["seq"], snap["participant_count"]) == (0, 0)


def test_snapshot_of_an_empty_workshop(db: Database) -> None:
    workshop = make_workshop(db, boards=[])
    snap = snapshot(db, workshop.moderator)
    assert (snap["seq"], snap["boards"], snap["participant_count"]) == (0, [], 0)
    assert snap["workshop"]["active_board_id"] is None


def test_snapshot_of_a_closed_workshop_is_not_found(db: Database, workshop: WorkshopFixture) -> None:
    with db.write() as s:
        s.get_one(Workshop, workshop.id).closed_at = utcnow()
    with pytest.raises(NotFound):
        snapshot(db, workshop.moderator)


# ---- a fixed number of queries -------------------------------------------------------------


def fill(db: Database, boards_: int, clusters_: int, cards_per_cluster: int, authors: int) -> WorkshopFixture:
    """A workshop whose every cluster and unsorted area holds cards by several participants.

    The cards are inserted as rows in one go: posting 2,500 cards one by one would only slow the test.
    """
    spec = [{"title": f"B{b}", "clusters": [f"C{c}" for c in range(clusters_)]} for b in range(boards_)]
    workshop = make_workshop(db, boards=spec)
    people = [make_participant(db, workshop, f"P{n}")[0] for n in range(authors)]
    with db.write() as s:
        s.add_all(
            Card(
                workshop_id=workshop.id,
                board_id=board,
                cluster_id=cluster,
                position=n,
                text=f"{cluster}-{n}",
                author_id=people[n % authors].participant_id,
                client_id=new_client_id(),
            )
            for board, cluster_ids in zip(workshop.board_ids, workshop.cluster_ids, strict=True)
            for cluster in [None, *cluster_ids]
            for n in range(cards_per_cluster)
        )
    return workshop


def test_snapshot_uses_the_same_few_queries_however_big_the_workshop(
    db: Database, count_queries: Any
) -> None:
    tiny = fill(db, boards_=1, clusters_=1, cards_per_cluster=1, authors=1)
    big = fill(db, boards_=5, clusters_=4, cards_per_cluster=100, authors=10)
    with count_queries() as tiny_counter:
        tiny_snap = snapshot(db, tiny.moderator)
    with count_queries() as big_counter:
        big_snap = snapshot(db, big.moderator)
    assert sum(len(c["cards"]) for c in tiny_snap["boards"][0]["clusters"]) == 1
    assert sum(len(c["cards"]) for b in big_snap["boards"] for c in b["clusters"]) == 5 * 4 * 100
    assert sum(len(b["unsorted"]) for b in big_snap["boards"]) == 5 * 100
    assert {card["author_name"] for b in big_snap["boards"] for card in b["unsorted"]} == {
        f"P{n}" for n in range(10)
    }
    assert big_counter.count == tiny_counter.count, big_counter.statements
    # 7-9: dot voting (with wall dots), timers; 10-11: the moderator's undo and redo
    assert tiny_counter.count <= 11, tiny_counter.statements


def cards_of(snap: dict[str, Any]) -> list[dict[str, Any]]:
    tops = [
        card
        for board in snap["boards"]
        for c in [*board["clusters"], {"cards": board["unsorted"]}]
        for card in c["cards"]
    ]
    return tops + [card for top in tops for card in top["stack"]]


@pytest.mark.parametrize("role", ["moderator", "participant", "projector"])
def test_snapshot_and_sync_take_the_same_queries_for_10_cards_and_for_200(
    db: Database, app_db: Database, count_queries: Any, socket_client: Any, role: str
) -> None:
    """Votes, stacks, hidden cards, headlines, a timer and done signals on every board: whatever
    a workshop holds, its snapshot and a full sync cost the same queries (no N+1)."""
    counts = []
    for boards_, cards_per_board in ((1, 10), (5, 40)):
        workshop = build_workshop(db, boards_, cards_per_board)
        _, token = make_participant(db, workshop, "Zaungast")
        actor = {"moderator": workshop.moderator, "projector": workshop.projector}.get(
            role
        ) or Actor.participant(workshop.id, make_participant(db, workshop, "Anna")[0].participant_id)
        auth = {
            "moderator": {"moderator_key": workshop.moderator_key},
            "projector": {"projector_key": workshop.projector_key},
            "participant": {"token": token},
        }[role]
        test_client = socket_client({"workshop": workshop.id, **auth})
        with count_queries() as snapshot_counter:
            snap = snapshot(db, actor)
        with count_queries(app_db) as sync_counter:
            ack = test_client.emit("sync", {}, callback=True)
        assert ack["ok"], ack
        cards_seen = cards_of(ack["data"]["snapshot"])
        assert len(cards_of(snap)) == len(cards_seen) == boards_ * cards_per_board
        assert any(card["stack"] for card in cards_seen if "stack" in card)
        assert any(card["hidden"] for card in cards_seen)
        assert all(board["vote"]["votes_cast"] for board in snap["boards"]), snap["boards"][0]["vote"]
        assert any(cluster["headline"] for board in snap["boards"] for cluster in board["clusters"])
        counts.append((snapshot_counter.statements, sync_counter.statements))
    (small_snapshot, small_sync), (big_snapshot, big_sync) = counts
    assert len(big_snapshot) == len(small_snapshot), big_snapshot
    assert len(big_sync) == len(small_sync), big_sync


def test_the_snapshot_shows_each_card_as_the_card_schema_does(db: Database) -> None:
    """The snapshot writes its thousands of cards without marshmallow: the same fields, the same values."""
    workshop = build_workshop(db, 2, 30)
    with db.write() as s:
        assistant = post(s, Actor.assistant(workshop.id), workshop.board_ids[0], "vom Flipchart")
        s.get_one(Card, assistant).on_paper = True
    snap = snapshot(db, workshop.moderator)
    with db.read() as s:
        expected = {card.id: card_out.dump(card) for card in s.scalars(select(Card))}
    seen = {card["id"]: {k: v for k, v in card.items() if k != "stack"} for card in cards_of(snap)}
    assert seen == expected
    assert [list(card) for card in seen.values()][0] == list(card_out.fields)
