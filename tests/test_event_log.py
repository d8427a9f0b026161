"""The event log: per-workshop sequence numbers from 1, without gaps, only for committed changes."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select

from pinboard import boards, cards, clusters, event_log, workshops
from pinboard.database import Database
from pinboard.errors import Forbidden, Invalid, Locked, NotFound
from pinboard.models import Event, Workshop, utcnow
from tests.conftest import WorkshopFixture, make_participant, make_workshop, new_client_id


def last_seq(db: Database, workshop_id: str) -> int:
    with db.read() as s:
        return s.get_one(Workshop, workshop_id).last_seq


def logged(db: Database, workshop_id: str) -> list[tuple[int, str]]:
    with db.read() as s:
        events = s.scalars(select(Event).where(Event.workshop_id == workshop_id).order_by(Event.id))
        return [(event.seq, event.type) for event in events]


def add_card(db: Database, workshop: WorkshopFixture, text: str = "Idee") -> Any:
    with db.write() as s:
        return cards.create_card(
            s, workshop.moderator, client_id=new_client_id(), board_id=workshop.board_ids[0], text=text
        )


def test_sequence_numbers_are_gapless_across_operations(db: Database, workshop: WorkshopFixture) -> None:
    moderator, board, cluster = workshop.moderator, workshop.board_ids[0], workshop.cluster_ids[0][0]
    seqs = []
    with db.write() as s:
        card = cards.create_card(s, moderator, client_id=new_client_id(), board_id=board, text="a")
        seqs.append(card.seq)
    for operation, kwargs in [
        (cards.update_card, {"card_id": card.data["id"], "text": "b"}),
        (cards.move_card, {"card_id": card.data["id"], "cluster_id": cluster}),
        (clusters.create_cluster, {"board_id": board, "name": "Neu"}),
        (clusters.delete_cluster, {"cluster_id": cluster}),
        (boards.create_board, {"title": "Drei", "clusters": ["x"]}),
        (boards.move_board, {"board_id": board, "index": 2}),
        (boards.update_board, {"board_id": board, "locked": True}),
        (boards.activate_board, {"board_id": workshop.board_ids[1]}),
        (workshops.update_workshop, {"title": "Neu"}),
        (cards.delete_card, {"card_id": card.data["id"]}),
    ]:
        with db.write() as s:
            seqs.append(operation(s, moderator, **kwargs).seq)
    assert seqs == list(range(1, 12))
    assert [seq for seq, _ in logged(db, workshop.id)] == seqs
    assert last_seq(db, workshop.id) == 11


def test_several_operations_in_one_transaction_number_consecutively(
    db: Database, workshop: WorkshopFixture
) -> None:
    with db.write() as s:
        first = cards.create_card(
            s, workshop.moderator, client_id=new_client_id(), board_id=workshop.board_ids[0], text="a"
        )
        second = cards.create_card(
            s, workshop.moderator, client_id=new_client_id(), board_id=workshop.board_ids[0], text="b"
        )
    assert (first.seq, second.seq) == (1, 2)
    assert logged(db, workshop.id) == [(1, "card.created"), (2, "card.created")]


def test_each_workshop_counts_on_its_own(db: Database, workshop: WorkshopFixture) -> None:
    other = make_workshop(db)
    assert [add_card(db, workshop).seq for _ in range(3)] == [1, 2, 3]
    assert [add_card(db, other).seq for _ in range(2)] == [1, 2]
    assert add_card(db, workshop).seq == 4
    assert (last_seq(db, workshop.id), last_seq(db, other.id)) == (4, 2)


@pytest.mark.parametrize(
    ("error", "attempt"),
    [
        (
            Forbidden,
            lambda s, w, p: cards.create_card(
                s, w.projector, client_id=new_client_id(), board_id=w.board_ids[0], text="x"
            ),
        ),
        (Forbidden, lambda s, w, p: clusters.create_cluster(s, p, board_id=w.board_ids[0], name="x")),
        (NotFound, lambda s, w, p: cards.update_card(s, w.moderator, card_id=2**31 - 1, text="x")),
        (
            Invalid,
            lambda s, w, p: cards.create_card(
                s,
                w.moderator,
                client_id=new_client_id(),
                board_id=w.board_ids[0],
                text="x",
                cluster_id=w.cluster_ids[1][0],
            ),
        ),
    ],
)
def test_a_failed_operation_records_nothing_and_uses_no_number(
    db: Database, workshop: WorkshopFixture, error: type[Exception], attempt: Any
) -> None:
    participant, _ = make_participant(db, workshop)
    add_card(db, workshop)
    with pytest.raises(error), db.write() as s:
        attempt(s, workshop, participant)
    assert last_seq(db, workshop.id) == 1
    assert logged(db, workshop.id) == [(1, "card.created")]
    assert add_card(db, workshop).seq == 2


def test_a_locked_board_refusal_uses_no_number(db: Database, workshop: WorkshopFixture) -> None:
    participant, _ = make_participant(db, workshop)
    with db.write() as s:
        boards.update_board(s, workshop.moderator, board_id=workshop.board_ids[0], locked=True)
    with pytest.raises(Locked), db.write() as s:
        cards.create_card(s, participant, client_id=new_client_id(), board_id=workshop.board_ids[0], text="x")
    assert last_seq(db, workshop.id) == 1
    assert add_card(db, workshop).seq == 2


def test_a_transaction_that_fails_after_an_operation_rolls_its_events_back(
    db: Database, workshop: WorkshopFixture
) -> None:
    with pytest.raises(Forbidden), db.write() as s:
        cards.create_card(
            s, workshop.moderator, client_id=new_client_id(), board_id=workshop.board_ids[0], text="a"
        )
        cards.create_card(
            s, workshop.projector, client_id=new_client_id(), board_id=workshop.board_ids[0], text="b"
        )
    assert last_seq(db, workshop.id) == 0
    assert logged(db, workshop.id) == []
    assert add_card(db, workshop).seq == 1


def test_concurrent_writers_get_distinct_gapless_numbers(db: Database, workshop: WorkshopFixture) -> None:
    seqs: list[int] = []
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(8):
                seqs.append(add_card(db, workshop).seq)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(seqs) == list(range(1, 33))
    assert [seq for seq, _ in logged(db, workshop.id)] == list(range(1, 33))


def test_events_name_the_actor_never_a_credential(db: Database, workshop: WorkshopFixture) -> None:
    participant, token = make_participant(db, workshop)
    with db.write() as s:
        cards.create_card(s, participant, client_id=new_client_id(), board_id=workshop.board_ids[0], text="a")
        boards.activate_board(s, workshop.moderator, board_id=workshop.board_ids[1])
    with db.read() as s:
        events = s.scalars(select(Event).where(Event.workshop_id == workshop.id).order_by(Event.seq)).all()
        assert [e.actor for e in events] == [f"participant:{participant.participant_id}", "moderator"]
        text = repr([(e.actor, e.data) for e in events])
    assert token not in text and workshop.moderator_key not in text


def test_event_message(db: Database, workshop: WorkshopFixture) -> None:
    outcome = add_card(db, workshop, "Hallo")
    assert event_log.event_message(outcome.events[0]) == {
        "seq": 1,
        "type": "card.created",
        "data": {"card": outcome.data, "index": 0},
    }


def test_outcome_seq_is_that_of_its_last_event() -> None:
    assert event_log.Outcome(data={}).seq is None
    assert event_log.Outcome(events=[Event(seq=4), Event(seq=5)]).seq == 5


# ---- lock_workshop -----------------------------------------------------------------------


def test_lock_workshop_refuses_unknown_and_closed_workshops(db: Database, workshop: WorkshopFixture) -> None:
    with db.write() as s:
        assert event_log.lock_workshop(s, workshop.id).id == workshop.id
        with pytest.raises(NotFound):
            event_log.lock_workshop(s, "no-such-workshop")
        s.get_one(Workshop, workshop.id).closed_at = utcnow()
    with pytest.raises(NotFound), db.write() as s:
        event_log.lock_workshop(s, workshop.id)
    with pytest.raises(NotFound):
        add_card(db, workshop)


# ---- events_since ------------------------------------------------------------------------


@pytest.fixture
def five(db: Database, workshop: WorkshopFixture) -> list[str]:
    texts = ["a", "b", "c", "d", "e"]
    for text in texts:
        add_card(db, workshop, text)
    return texts


def since(db: Database, workshop_id: str, seq: int, limit: int = 100) -> list[int] | None:
    with db.read() as s:
        events = event_log.events_since(s, workshop_id, seq, limit)
    return None if events is None else [event.seq for event in events]


def test_events_since_returns_the_later_events_in_order(
    db: Database, workshop: WorkshopFixture, five: list[str]
) -> None:
    assert since(db, workshop.id, 0) == [1, 2, 3, 4, 5]
    assert since(db, workshop.id, 3) == [4, 5]
    assert since(db, workshop.id, 5) == []
    assert since(db, workshop.id, 99) == []
    with db.read() as s:
        events = event_log.events_since(s, workshop.id, 2, 10)
        assert events is not None
        assert [e.data["card"]["text"] for e in events] == ["c", "d", "e"]


def test_events_since_with_a_limit(db: Database, workshop: WorkshopFixture, five: list[str]) -> None:
    assert since(db, workshop.id, 0, limit=5) == [1, 2, 3, 4, 5]
    assert since(db, workshop.id, 0, limit=4) is None
    assert since(db, workshop.id, 1, limit=4) == [2, 3, 4, 5]
    assert since(db, workshop.id, 2, limit=1) is None
    assert since(db, workshop.id, 5, limit=0) == []
    assert since(db, workshop.id, 4, limit=0) is None


def test_events_since_keeps_to_its_workshop(db: Database, workshop: WorkshopFixture, five: list[str]) -> None:
    other = make_workshop(db)
    add_card(db, other)
    assert since(db, other.id, 0) == [1]
    assert since(db, workshop.id, 0) == [1, 2, 3, 4, 5]
    assert since(db, "no-such-workshop", 0) == []
