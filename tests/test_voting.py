"""Dot voting (pinboard/voting.py): budget, cap, privacy of the tally, deleted cards, exports."""

from __future__ import annotations

from typing import Any

import pytest

from pinboard import cards as card_ops
from pinboard import voting
from pinboard.actors import Actor
from pinboard.database import Database
from pinboard.errors import BudgetExceeded, CapReached, Forbidden, Invalid, NotFound
from pinboard.results import results_document
from pinboard.snapshots import build_snapshot
from tests.conftest import WorkshopFixture, make_participant, new_client_id


def post(db: Database, actor: Actor, board_id: int, text: str) -> int:
    with db.write() as s:
        return int(
            card_ops.create_card(s, actor, client_id=new_client_id(), board_id=board_id, text=text).data["id"]
        )


def run(db: Database, operation: Any, actor: Actor, **arguments: Any) -> Any:
    with db.write() as s:
        return operation(s, actor, **arguments)


def board_vote(db: Database, actor: Actor, board_id: int) -> dict[str, Any] | None:
    with db.read() as s:
        snapshot = build_snapshot(s, actor)
    return next(b for b in snapshot["boards"] if b["id"] == board_id)["vote"]


@pytest.fixture
def setup(db: Database, workshop: WorkshopFixture) -> tuple[Actor, Actor, list[int]]:
    anna, _ = make_participant(db, workshop, "Anna")
    ben, _ = make_participant(db, workshop, "Ben")
    b0 = workshop.board_ids[0]
    return anna, ben, [post(db, anna, b0, "Eins"), post(db, ben, b0, "Zwei"), post(db, anna, b0, "Drei")]


def test_a_round_counts_dots_and_publishes_the_tally(
    db: Database, workshop: WorkshopFixture, setup: Any
) -> None:
    anna, ben, (one, two, three) = setup
    b0 = workshop.board_ids[0]
    opened = run(db, voting.open_vote, workshop.moderator, board_id=b0, budget=3, per_card_cap=2)
    assert opened.data == {
        "board_id": b0,
        "round_id": opened.data["round_id"],
        "budget": 3,
        "per_card_cap": 2,
        "show_live": False,
    }
    assert [e.type for e in opened.events] == ["vote.opened"]
    cast = run(db, voting.cast_vote, anna, card_id=two)
    assert cast.data["dots_left"] == 2 and cast.data["mine"] == {str(two): 1}
    assert cast.events[0].data == {"board_id": b0, "round_id": opened.data["round_id"], "votes_cast": 1}
    run(db, voting.cast_vote, anna, card_id=two)
    with pytest.raises(CapReached):
        run(db, voting.cast_vote, anna, card_id=two)
    run(db, voting.cast_vote, anna, card_id=one)
    with pytest.raises(BudgetExceeded):
        run(db, voting.cast_vote, anna, card_id=three)
    retracted = run(db, voting.retract_vote, anna, card_id=one)
    assert retracted.data["dots_left"] == 1 and retracted.events[0].type == "vote.retracted"
    with pytest.raises(Invalid):
        run(db, voting.retract_vote, ben, card_id=one)  # Ben has no dot there
    run(db, voting.cast_vote, ben, card_id=three)
    run(db, voting.cast_vote, ben, card_id=two)

    # While open: the moderator sees the counts, the others only their own dots.
    assert board_vote(db, workshop.moderator, b0)["tally"] == {str(two): 3, str(three): 1}  # type: ignore[index]
    for viewer in (ben, workshop.projector):
        state = board_vote(db, viewer, b0)
        assert state is not None and state["tally"] is None and state["votes_cast"] == 4
    assert board_vote(db, ben, b0)["mine"] == {str(three): 1, str(two): 1}  # type: ignore[index]
    assert board_vote(db, ben, b0)["dots_left"] == 1  # type: ignore[index]

    closed = run(db, voting.close_vote, workshop.moderator, board_id=b0)
    assert closed.data["tally"] == {str(two): 3, str(three): 1}
    assert closed.data["ranking"] == [two, three]
    state = board_vote(db, workshop.projector, b0)
    assert state is not None and state["open"] is False and state["tally"] == {str(two): 3, str(three): 1}
    with pytest.raises(Invalid):
        run(db, voting.cast_vote, anna, card_id=one)  # no open round any more

    with db.read() as s:
        document = results_document(s, workshop.id)
    votes = {item.card_id: item.votes for s in document.sections for g in s.groups for item in g.items}
    assert votes[one] == 0 and votes[two] == 3 and votes[three] == 1
    other_board = {item.votes for g in document.sections[1].groups for item in g.items}
    assert other_board <= {None}


def test_votes_on_a_deleted_card_drop_out_and_free_the_dots(
    db: Database, workshop: WorkshopFixture, setup: Any
) -> None:
    anna, _, (one, two, _) = setup
    b0 = workshop.board_ids[0]
    run(db, voting.open_vote, workshop.moderator, board_id=b0, budget=2, per_card_cap=2)
    run(db, voting.cast_vote, anna, card_id=one)
    run(db, voting.cast_vote, anna, card_id=one)
    run(db, card_ops.delete_card, workshop.moderator, card_id=one)
    assert run(db, voting.cast_vote, anna, card_id=two).data["dots_left"] == 1
    with pytest.raises(NotFound):
        run(db, voting.cast_vote, anna, card_id=one)
    assert run(db, voting.close_vote, workshop.moderator, board_id=b0).data["tally"] == {str(two): 1}


def test_who_may_do_what(db: Database, workshop: WorkshopFixture, setup: Any) -> None:
    anna, _, (one, _, _) = setup
    b0 = workshop.board_ids[0]
    for actor in (anna, workshop.projector):
        with pytest.raises(Forbidden):
            run(db, voting.open_vote, actor, board_id=b0, budget=3, per_card_cap=1)
    with pytest.raises(Invalid):
        run(db, voting.cast_vote, anna, card_id=one)  # no round open
    run(db, voting.open_vote, workshop.moderator, board_id=b0, budget=3, per_card_cap=1)
    with pytest.raises(Invalid):
        run(db, voting.open_vote, workshop.moderator, board_id=b0, budget=3, per_card_cap=1)  # one at a time
    with pytest.raises(Invalid):
        run(
            db, voting.open_vote, workshop.moderator, board_id=workshop.board_ids[1], budget=2, per_card_cap=3
        )
    for actor in (workshop.moderator, workshop.projector):
        with pytest.raises(Forbidden):
            run(db, voting.cast_vote, actor, card_id=one)
    with pytest.raises(Forbidden):
        run(db, voting.close_vote, anna, board_id=b0)


def test_a_hidden_card_cannot_get_dots(db: Database, workshop: WorkshopFixture, setup: Any) -> None:
    anna, ben, _ = setup
    b0 = workshop.board_ids[0]
    with db.write() as s:
        from pinboard.models import Board

        s.get_one(Board, b0).hidden = True
    hidden = post(db, ben, b0, "Geheim")
    run(db, voting.open_vote, workshop.moderator, board_id=b0, budget=3, per_card_cap=1)
    with pytest.raises(NotFound):
        run(db, voting.cast_vote, anna, card_id=hidden)


def test_show_live_puts_the_card_total_in_the_events(
    db: Database, workshop: WorkshopFixture, setup: Any
) -> None:
    anna, ben, (one, _, _) = setup
    b0 = workshop.board_ids[0]
    run(db, voting.open_vote, workshop.moderator, board_id=b0, budget=3, per_card_cap=3, show_live=True)
    run(db, voting.cast_vote, anna, card_id=one)
    cast = run(db, voting.cast_vote, ben, card_id=one)
    assert cast.events[0].data["votes"] == 2 and cast.events[0].data["card_id"] == one
    assert board_vote(db, workshop.projector, b0)["tally"] == {str(one): 2}  # type: ignore[index]


def test_dots_given_back_when_a_card_leaves_do_not_come_back_with_it(
    db: Database, workshop: WorkshopFixture, setup: Any
) -> None:
    """Found by fuzzing: a card moved to another board and back brought its dots back, on top
    of the dots spent meanwhile: two dots with a budget of one."""
    anna, _ben, (one, two, _three) = setup
    b0, b1 = workshop.board_ids
    run(db, voting.open_vote, workshop.moderator, board_id=b0, budget=1, per_card_cap=1)
    run(db, voting.cast_vote, anna, card_id=one)
    run(db, card_ops.move_card, workshop.moderator, card_id=one, cluster_id=None, board_id=b1)
    assert run(db, voting.cast_vote, anna, card_id=two).data["dots_left"] == 0
    run(db, card_ops.move_card, workshop.moderator, card_id=one, cluster_id=None, board_id=b0)
    assert board_vote(db, anna, b0)["mine"] == {str(two): 1}  # type: ignore[index]
    assert board_vote(db, workshop.moderator, b0)["tally"] == {str(two): 1}  # type: ignore[index]
    with pytest.raises(BudgetExceeded):
        run(db, voting.cast_vote, anna, card_id=one)
