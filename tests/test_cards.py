"""Cards: posting (idempotent), editing, deleting and moving, with every role's permissions."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from pinboard import boards, cards, clusters, ordering
from pinboard.actors import Actor
from pinboard.database import Database
from pinboard.errors import Forbidden, Invalid, Locked, NotFound
from pinboard.models import Card, Workshop
from tests.conftest import WorkshopFixture, make_participant, make_workshop, new_client_id


@pytest.fixture
def anna(db: Database, workshop: WorkshopFixture) -> Actor:
    return make_participant(db, workshop, "Anna")[0]


@pytest.fixture
def ben(db: Database, workshop: WorkshopFixture) -> Actor:
    return make_participant(db, workshop, "Ben")[0]


def create(db: Database, actor: Actor, board_id: int, text: str = "Idee", **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("client_id", new_client_id())
    with db.write() as s:
        return cards.create_card(s, actor, board_id=board_id, text=text, **kwargs).data


def move(db: Database, actor: Actor, card_id: int, cluster_id: int | None, **kwargs: Any) -> dict[str, Any]:
    with db.write() as s:
        return cards.move_card(s, actor, card_id=card_id, cluster_id=cluster_id, **kwargs).data


def update(db: Database, actor: Actor, card_id: int, **kwargs: Any) -> dict[str, Any]:
    with db.write() as s:
        return cards.update_card(s, actor, card_id=card_id, **kwargs).data


def delete(db: Database, actor: Actor, card_id: int) -> dict[str, Any]:
    with db.write() as s:
        return cards.delete_card(s, actor, card_id=card_id).data


def set_board(db: Database, workshop: WorkshopFixture, board_id: int, **settings: bool) -> None:
    with db.write() as s:
        boards.update_board(s, workshop.moderator, board_id=board_id, **settings)


def texts(db: Database, board_id: int, cluster_id: int | None = None) -> list[str]:
    with db.read() as s:
        return [card.text for card in ordering.cards_in(s, board_id, cluster_id)]


def positions(db: Database, board_id: int, cluster_id: int | None = None) -> list[int]:
    with db.read() as s:
        return [card.position for card in ordering.cards_in(s, board_id, cluster_id)]


def last_seq(db: Database, workshop_id: str) -> int:
    with db.read() as s:
        return s.get_one(Workshop, workshop_id).last_seq


def card_count(db: Database, workshop_id: str) -> int:
    with db.read() as s:
        return s.scalar(select(func.count(Card.id)).where(Card.workshop_id == workshop_id)) or 0


# ---- create ------------------------------------------------------------------------------


def test_new_cards_go_to_the_end_of_unsorted_and_the_event_carries_the_index(
    db: Database, workshop: WorkshopFixture, anna: Actor
) -> None:
    board = workshop.board_ids[0]
    create(db, anna, board, "eins")
    create(db, workshop.moderator, board, "zwei")
    with db.write() as s:
        outcome = cards.create_card(s, anna, client_id=new_client_id(), board_id=board, text="drei")
    [event] = outcome.events
    assert event.type == "card.created"
    assert event.data == {"card": outcome.data, "index": 2}
    assert outcome.seq == event.seq == 3
    assert outcome.data["position"] == 2
    assert texts(db, board) == ["eins", "zwei", "drei"]
    assert positions(db, board) == [0, 1, 2]


def test_a_new_card_has_the_default_colour_and_its_author(
    db: Database, workshop: WorkshopFixture, anna: Actor
) -> None:
    card = create(db, anna, workshop.board_ids[0], "Mehr Zeit\nfür Austausch")
    assert card["color"] == cards.DEFAULT_COLOR == "yellow"
    assert card["text"] == "Mehr Zeit\nfür Austausch"
    assert card["cluster_id"] is None
    assert (card["author_id"], card["author_name"], card["author_role"]) == (
        anna.participant_id,
        "Anna",
        "participant",
    )


def test_a_chosen_colour_is_kept_and_the_moderator_is_an_author_too(
    db: Database, workshop: WorkshopFixture
) -> None:
    card = create(db, workshop.moderator, workshop.board_ids[0], color="green")
    assert card["color"] == "green"
    assert (card["author_id"], card["author_name"], card["author_role"]) == (None, "", "moderator")


def test_the_moderator_posts_into_a_cluster_at_its_end(db: Database, workshop: WorkshopFixture) -> None:
    board, cluster = workshop.board_ids[0], workshop.cluster_ids[0][1]
    create(db, workshop.moderator, board, "a", cluster_id=cluster)
    with db.write() as s:
        outcome = cards.create_card(
            s, workshop.moderator, client_id=new_client_id(), board_id=board, text="b", cluster_id=cluster
        )
    assert outcome.data["cluster_id"] == cluster
    assert outcome.events[0].data["index"] == 1
    assert texts(db, board, cluster) == ["a", "b"]
    assert texts(db, board) == []


def test_a_participant_may_not_choose_a_cluster_by_default(
    db: Database, workshop: WorkshopFixture, anna: Actor
) -> None:
    with pytest.raises(Forbidden):
        create(db, anna, workshop.board_ids[0], cluster_id=workshop.cluster_ids[0][0])
    assert card_count(db, workshop.id) == 0
    assert last_seq(db, workshop.id) == 0


def test_a_participant_chooses_a_cluster_where_the_board_allows_it(
    db: Database, workshop: WorkshopFixture, anna: Actor
) -> None:
    board, cluster = workshop.board_ids[0], workshop.cluster_ids[0][0]
    set_board(db, workshop, board, participants_choose_cluster=True)
    card = create(db, anna, board, "sortiert", cluster_id=cluster)
    assert card["cluster_id"] == cluster
    assert texts(db, board, cluster) == ["sortiert"]


@pytest.mark.parametrize("who", ["moderator", "participant"])
def test_a_cluster_of_another_board_is_invalid(
    db: Database, workshop: WorkshopFixture, anna: Actor, who: str
) -> None:
    set_board(db, workshop, workshop.board_ids[0], participants_choose_cluster=True)
    actor = workshop.moderator if who == "moderator" else anna
    with pytest.raises(Invalid) as raised:
        create(db, actor, workshop.board_ids[0], cluster_id=workshop.cluster_ids[1][0])
    assert raised.value.fields == {"cluster_id": ["Not on this board."]}
    assert card_count(db, workshop.id) == 0


def test_boards_and_clusters_of_another_workshop_are_not_found(
    db: Database, workshop: WorkshopFixture
) -> None:
    other = make_workshop(db)
    with pytest.raises(NotFound):
        create(db, workshop.moderator, other.board_ids[0])
    with pytest.raises(NotFound):
        create(db, workshop.moderator, workshop.board_ids[0], cluster_id=other.cluster_ids[0][0])
    with pytest.raises(NotFound):
        create(db, workshop.moderator, 2**31 - 1)
    assert card_count(db, workshop.id) == card_count(db, other.id) == 0


def test_a_deleted_cluster_is_not_found(db: Database, workshop: WorkshopFixture) -> None:
    cluster = workshop.cluster_ids[0][0]
    with db.write() as s:
        clusters.delete_cluster(s, workshop.moderator, cluster_id=cluster)
    with pytest.raises(NotFound):
        create(db, workshop.moderator, workshop.board_ids[0], cluster_id=cluster)


# ---- idempotency -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["moderator", "participant"])
def test_a_resend_returns_the_same_card_and_records_nothing(
    db: Database, workshop: WorkshopFixture, anna: Actor, who: str
) -> None:
    actor = workshop.moderator if who == "moderator" else anna
    client_id = new_client_id()
    first = create(db, actor, workshop.board_ids[0], "einmal", client_id=client_id)
    with db.write() as s:
        again = cards.create_card(
            s, actor, client_id=client_id, board_id=workshop.board_ids[0], text="einmal"
        )
    assert again.data == first
    assert again.events == [] and again.seq is None
    assert last_seq(db, workshop.id) == 1
    assert texts(db, workshop.board_ids[0]) == ["einmal"]


def test_a_resend_returns_the_first_card_even_if_the_payload_changed(
    db: Database, workshop: WorkshopFixture, anna: Actor
) -> None:
    client_id = new_client_id()
    first = create(db, anna, workshop.board_ids[0], "erst", client_id=client_id)
    again = create(db, anna, workshop.board_ids[1], "anders", client_id=client_id, color="blue")
    assert again == first
    assert card_count(db, workshop.id) == 1


@pytest.mark.parametrize(("first", "second"), [("anna", "ben"), ("anna", "moderator"), ("moderator", "anna")])
def test_a_client_id_of_another_author_is_invalid(
    db: Database, workshop: WorkshopFixture, anna: Actor, ben: Actor, first: str, second: str
) -> None:
    actors = {"anna": anna, "ben": ben, "moderator": workshop.moderator}
    client_id = new_client_id()
    create(db, actors[first], workshop.board_ids[0], client_id=client_id)
    with pytest.raises(Invalid) as raised:
        create(db, actors[second], workshop.board_ids[0], client_id=client_id)
    assert set(raised.value.fields or {}) == {"client_id"}
    assert card_count(db, workshop.id) == 1
    assert last_seq(db, workshop.id) == 1


def test_the_same_client_id_in_another_workshop_is_another_card(
    db: Database, workshop: WorkshopFixture
) -> None:
    other = make_workshop(db)
    client_id = new_client_id()
    mine = create(db, workshop.moderator, workshop.board_ids[0], "hier", client_id=client_id)
    theirs = create(db, other.moderator, other.board_ids[0], "dort", client_id=client_id)
    assert mine["id"] != theirs["id"]
    assert (mine["text"], theirs["text"]) == ("hier", "dort")


# ---- update and delete -------------------------------------------------------------------


def test_a_participant_edits_their_own_card(db: Database, workshop: WorkshopFixture, anna: Actor) -> None:
    card = create(db, anna, workshop.board_ids[0], "Tippfeler")
    set_board(db, workshop, workshop.board_ids[0], participants_choose_color=True)
    with db.write() as s:
        outcome = cards.update_card(s, anna, card_id=card["id"], text="Tippfehler", color="pink")
    assert (outcome.data["text"], outcome.data["color"]) == ("Tippfehler", "pink")
    assert outcome.data["updated_at"] >= card["updated_at"]
    [event] = outcome.events
    assert (event.type, event.data, event.actor) == ("card.updated", {"card": outcome.data}, anna.label)
    assert update(db, anna, card["id"], color="blue")["text"] == "Tippfehler"
    assert texts(db, workshop.board_ids[0]) == ["Tippfehler"]


def test_a_participant_deletes_their_own_card(db: Database, workshop: WorkshopFixture, anna: Actor) -> None:
    card = create(db, anna, workshop.board_ids[0], "weg damit")
    with db.write() as s:
        outcome = cards.delete_card(s, anna, card_id=card["id"])
    assert outcome.data == {
        "card_id": card["id"],
        "board_id": workshop.board_ids[0],
        "cluster_id": None,
        "stacked_on_id": None,
    }
    assert outcome.events[0].type == "card.deleted"
    assert outcome.events[0].data == outcome.data
    assert texts(db, workshop.board_ids[0]) == []
    assert card_count(db, workshop.id) == 1  # kept, marked deleted, so that an undo can restore it


@pytest.mark.parametrize("author", ["ben", "moderator"])
def test_a_participant_may_not_edit_or_delete_cards_of_others(
    db: Database, workshop: WorkshopFixture, anna: Actor, ben: Actor, author: str
) -> None:
    card = create(db, ben if author == "ben" else workshop.moderator, workshop.board_ids[0], "nicht deins")
    with pytest.raises(Forbidden):
        update(db, anna, card["id"], text="doch")
    with pytest.raises(Forbidden):
        delete(db, anna, card["id"])
    assert texts(db, workshop.board_ids[0]) == ["nicht deins"]
    assert last_seq(db, workshop.id) == 1


def test_the_moderator_edits_and_deletes_any_card(
    db: Database, workshop: WorkshopFixture, anna: Actor
) -> None:
    card = create(db, anna, workshop.board_ids[0], "roh")
    edited = update(db, workshop.moderator, card["id"], text="geglättet")
    assert edited["text"] == "geglättet"
    assert edited["author_id"] == anna.participant_id  # still Anna's card
    delete(db, workshop.moderator, card["id"])
    assert texts(db, workshop.board_ids[0]) == []


def test_a_deleted_card_is_not_found(db: Database, workshop: WorkshopFixture, anna: Actor) -> None:
    card = create(db, anna, workshop.board_ids[0])
    delete(db, anna, card["id"])
    for actor in (anna, workshop.moderator):
        with pytest.raises(NotFound):
            update(db, actor, card["id"], text="zurück")
        with pytest.raises(NotFound):
            move(db, actor, card["id"], None, index=0)
        with pytest.raises(NotFound):
            delete(db, actor, card["id"])
    assert last_seq(db, workshop.id) == 2


def test_cards_of_another_workshop_are_not_found(db: Database, workshop: WorkshopFixture) -> None:
    other = make_workshop(db)
    theirs = create(db, other.moderator, other.board_ids[0], "fremd")
    with pytest.raises(NotFound):
        update(db, workshop.moderator, theirs["id"], text="meins")
    with pytest.raises(NotFound):
        move(db, workshop.moderator, theirs["id"], workshop.cluster_ids[0][0])
    with pytest.raises(NotFound):
        move(db, workshop.moderator, theirs["id"], None, board_id=workshop.board_ids[0])
    with pytest.raises(NotFound):
        delete(db, workshop.moderator, theirs["id"])
    assert texts(db, other.board_ids[0]) == ["fremd"]
    assert last_seq(db, workshop.id) == 0


def test_unknown_card_ids_are_not_found(db: Database, workshop: WorkshopFixture) -> None:
    with pytest.raises(NotFound):
        update(db, workshop.moderator, 2**31 - 1, text="?")


# ---- the projector is read-only --------------------------------------------------------------


def test_the_projector_may_not_touch_cards(db: Database, workshop: WorkshopFixture) -> None:
    card = create(db, workshop.moderator, workshop.board_ids[0], "bleibt")
    attempts = [
        lambda s: cards.create_card(
            s, workshop.projector, client_id=new_client_id(), board_id=workshop.board_ids[0], text="x"
        ),
        lambda s: cards.update_card(s, workshop.projector, card_id=card["id"], text="x"),
        lambda s: cards.move_card(
            s, workshop.projector, card_id=card["id"], cluster_id=workshop.cluster_ids[0][0]
        ),
        lambda s: cards.delete_card(s, workshop.projector, card_id=card["id"]),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden), db.write() as s:
            attempt(s)
    assert texts(db, workshop.board_ids[0]) == ["bleibt"]
    assert last_seq(db, workshop.id) == 1


def test_the_projector_may_not_resend_a_create_either(db: Database, workshop: WorkshopFixture) -> None:
    client_id = new_client_id()
    create(db, workshop.moderator, workshop.board_ids[0], client_id=client_id)
    with pytest.raises(Forbidden):
        create(db, workshop.projector, workshop.board_ids[0], client_id=client_id)


# ---- locked boards -----------------------------------------------------------------------


@pytest.fixture
def locked_board(db: Database, workshop: WorkshopFixture, anna: Actor) -> tuple[int, dict[str, Any]]:
    """The first board with one of Anna's cards, participants allowed to move, then locked."""
    board = workshop.board_ids[0]
    set_board(db, workshop, board, participants_can_move=True, participants_choose_cluster=True)
    card = create(db, anna, board, "vor dem Sperren")
    set_board(db, workshop, board, locked=True)
    return board, card


def test_a_locked_board_stops_participants(
    db: Database, workshop: WorkshopFixture, anna: Actor, locked_board: tuple[int, dict[str, Any]]
) -> None:
    board, card = locked_board
    before = last_seq(db, workshop.id)
    with pytest.raises(Locked):
        create(db, anna, board, "zu spät")
    with pytest.raises(Locked):
        create(db, anna, board, "zu spät", cluster_id=workshop.cluster_ids[0][0])
    with pytest.raises(Locked):
        update(db, anna, card["id"], text="geändert")
    with pytest.raises(Locked):
        delete(db, anna, card["id"])
    with pytest.raises(Locked):
        move(db, anna, card["id"], workshop.cluster_ids[0][0])
    assert texts(db, board) == ["vor dem Sperren"]
    assert last_seq(db, workshop.id) == before


def test_the_moderator_still_sorts_a_locked_board(
    db: Database, workshop: WorkshopFixture, locked_board: tuple[int, dict[str, Any]]
) -> None:
    """Documented rule: locking stops participants; the moderator may still create and move."""
    board, card = locked_board
    cluster = workshop.cluster_ids[0][0]
    added = create(db, workshop.moderator, board, "Nachtrag")
    assert move(db, workshop.moderator, card["id"], cluster)["cluster_id"] == cluster
    assert update(db, workshop.moderator, added["id"], text="Nachtrag!")["text"] == "Nachtrag!"
    assert texts(db, board, cluster) == ["vor dem Sperren"]
    delete(db, workshop.moderator, added["id"])
    assert texts(db, board) == []


def test_locking_one_board_leaves_the_others_open(
    db: Database, workshop: WorkshopFixture, anna: Actor, locked_board: tuple[int, dict[str, Any]]
) -> None:
    assert create(db, anna, workshop.board_ids[1], "woanders")["board_id"] == workshop.board_ids[1]


def test_unlocking_opens_the_board_again(
    db: Database, workshop: WorkshopFixture, anna: Actor, locked_board: tuple[int, dict[str, Any]]
) -> None:
    board, card = locked_board
    set_board(db, workshop, board, locked=False)
    assert update(db, anna, card["id"], text="wieder offen")["text"] == "wieder offen"


# ---- moving ------------------------------------------------------------------------------


@pytest.fixture
def four(db: Database, workshop: WorkshopFixture) -> dict[str, int]:
    """Cards a, b, c, d in the first board's unsorted area; returns their ids by text."""
    return {t: create(db, workshop.moderator, workshop.board_ids[0], t)["id"] for t in "abcd"}


def test_move_within_a_container(db: Database, workshop: WorkshopFixture, four: dict[str, int]) -> None:
    board = workshop.board_ids[0]
    with db.write() as s:
        outcome = cards.move_card(s, workshop.moderator, card_id=four["d"], cluster_id=None, index=1)
    assert outcome.data == {"card_id": four["d"], "board_id": board, "cluster_id": None, "index": 1}
    assert outcome.events[0].type == "card.moved"
    assert outcome.events[0].data == outcome.data
    assert texts(db, board) == ["a", "d", "b", "c"]
    move(db, workshop.moderator, four["a"], None, index=3)
    assert texts(db, board) == ["d", "b", "c", "a"]
    assert positions(db, board) == [0, 1, 2, 3]


@pytest.mark.parametrize(("index", "used"), [(None, 3), (3, 3), (99, 3), (-4, 0), (0, 0)])
def test_move_clamps_the_index_and_reports_the_one_used(
    db: Database, workshop: WorkshopFixture, four: dict[str, int], index: int | None, used: int
) -> None:
    board = workshop.board_ids[0]
    data = move(db, workshop.moderator, four["b"], None, index=index)
    assert data["index"] == used
    assert texts(db, board).index("b") == used
    assert positions(db, board) == [0, 1, 2, 3]


def test_move_into_a_cluster_between_its_cards(
    db: Database, workshop: WorkshopFixture, four: dict[str, int]
) -> None:
    board, cluster = workshop.board_ids[0], workshop.cluster_ids[0][0]
    move(db, workshop.moderator, four["a"], cluster)
    move(db, workshop.moderator, four["b"], cluster)
    data = move(db, workshop.moderator, four["c"], cluster, index=1)
    assert data == {"card_id": four["c"], "board_id": board, "cluster_id": cluster, "index": 1}
    assert texts(db, board, cluster) == ["a", "c", "b"]
    assert positions(db, board, cluster) == [0, 1, 2]
    assert texts(db, board) == ["d"]


def test_move_between_clusters_and_back_to_unsorted(
    db: Database, workshop: WorkshopFixture, four: dict[str, int]
) -> None:
    board = workshop.board_ids[0]
    first, second = workshop.cluster_ids[0]
    move(db, workshop.moderator, four["a"], first)
    move(db, workshop.moderator, four["b"], first)
    move(db, workshop.moderator, four["a"], second)
    assert texts(db, board, first) == ["b"]
    assert texts(db, board, second) == ["a"]
    move(db, workshop.moderator, four["b"], None, index=0)
    assert texts(db, board, first) == []
    assert texts(db, board) == ["b", "c", "d"]


@pytest.mark.parametrize("how", ["move", "delete"])
def test_the_container_a_card_leaves_stays_dense(
    db: Database, workshop: WorkshopFixture, four: dict[str, int], how: str
) -> None:
    board = workshop.board_ids[0]
    if how == "move":
        move(db, workshop.moderator, four["a"], workshop.cluster_ids[0][0])
    else:
        delete(db, workshop.moderator, four["a"])
    assert texts(db, board) == ["b", "c", "d"]
    assert positions(db, board) == [0, 1, 2]


def test_move_to_another_board(db: Database, workshop: WorkshopFixture, four: dict[str, int]) -> None:
    first_board, second_board = workshop.board_ids
    second_cluster = workshop.cluster_ids[1][0]
    create(db, workshop.moderator, second_board, "x")
    data = move(db, workshop.moderator, four["a"], None, board_id=second_board, index=0)
    assert data == {"card_id": four["a"], "board_id": second_board, "cluster_id": None, "index": 0}
    assert texts(db, second_board) == ["a", "x"]
    data = move(db, workshop.moderator, four["b"], second_cluster)
    assert (data["board_id"], data["cluster_id"], data["index"]) == (second_board, second_cluster, 0)
    assert texts(db, second_board, second_cluster) == ["b"]
    assert texts(db, first_board) == ["c", "d"]
    assert update(db, workshop.moderator, four["b"], color="blue")["board_id"] == second_board


def test_move_to_a_cluster_not_on_the_named_board_is_invalid(
    db: Database, workshop: WorkshopFixture, four: dict[str, int]
) -> None:
    with pytest.raises(Invalid):
        move(db, workshop.moderator, four["a"], workshop.cluster_ids[1][0], board_id=workshop.board_ids[0])
    assert texts(db, workshop.board_ids[0]) == ["a", "b", "c", "d"]


def test_move_to_a_place_that_does_not_exist_is_not_found(
    db: Database, workshop: WorkshopFixture, four: dict[str, int]
) -> None:
    other = make_workshop(db)
    cluster = workshop.cluster_ids[0][0]
    with db.write() as s:
        clusters.delete_cluster(s, workshop.moderator, cluster_id=cluster)
    for target in (
        {"cluster_id": other.cluster_ids[0][0]},
        {"cluster_id": None, "board_id": other.board_ids[0]},
        {"cluster_id": cluster},
        {"cluster_id": None, "board_id": 2**31 - 1},
    ):
        with pytest.raises(NotFound), db.write() as s:
            cards.move_card(s, workshop.moderator, card_id=four["a"], **target)
    assert texts(db, workshop.board_ids[0]) == ["a", "b", "c", "d"]


# ---- participants moving -----------------------------------------------------------------


def test_participants_may_not_move_cards_by_default(
    db: Database, workshop: WorkshopFixture, anna: Actor
) -> None:
    card = create(db, anna, workshop.board_ids[0])
    with pytest.raises(Forbidden):
        move(db, anna, card["id"], workshop.cluster_ids[0][0])
    with pytest.raises(Forbidden):
        move(db, anna, card["id"], None, index=0)
    assert texts(db, workshop.board_ids[0], workshop.cluster_ids[0][0]) == []


def test_participants_can_move_lets_them_sort_any_card_of_the_board(
    db: Database, workshop: WorkshopFixture, anna: Actor, ben: Actor
) -> None:
    board, cluster = workshop.board_ids[0], workshop.cluster_ids[0][0]
    set_board(db, workshop, board, participants_can_move=True)
    own = create(db, anna, board, "meins")
    bens = create(db, ben, board, "Bens")
    assert move(db, anna, bens["id"], cluster)["cluster_id"] == cluster
    assert move(db, anna, own["id"], cluster, index=0)["index"] == 0
    assert texts(db, board, cluster) == ["meins", "Bens"]
    assert move(db, anna, bens["id"], None, board_id=board)["cluster_id"] is None
    assert texts(db, board) == ["Bens"]


def test_participants_can_move_stays_within_the_board(
    db: Database, workshop: WorkshopFixture, anna: Actor
) -> None:
    first_board, second_board = workshop.board_ids
    set_board(db, workshop, first_board, participants_can_move=True)
    set_board(db, workshop, second_board, participants_can_move=True)
    card = create(db, anna, first_board)
    with pytest.raises(Forbidden):
        move(db, anna, card["id"], None, board_id=second_board)
    with pytest.raises(Forbidden):
        move(db, anna, card["id"], workshop.cluster_ids[1][0])
    assert texts(db, first_board) == ["Idee"]
    assert texts(db, second_board) == []
