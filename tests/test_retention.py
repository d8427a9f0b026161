"""Deleting a workshop removes everything in it; purging removes workshops idle for too long."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from pinboard.cards import create_card
from pinboard.database import Database
from pinboard.errors import Forbidden
from pinboard.models import Board, Card, Cluster, Event, Participant, Workshop, utcnow
from pinboard.retention import delete_workshop, purge_inactive
from tests.conftest import WorkshopFixture, make_participant, make_workshop, new_client_id

MODELS = (Workshop, Board, Cluster, Card, Participant, Event)


def counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def populate(db: Database, workshop: WorkshopFixture) -> None:
    participant, _ = make_participant(db, workshop, "Anna")
    with db.write() as session:
        for board_id in workshop.board_ids:
            create_card(session, participant, client_id=new_client_id(), board_id=board_id, text="Karte")


def test_deleting_a_workshop_removes_everything_in_it_and_nothing_else(db: Database) -> None:
    doomed, kept = make_workshop(db), make_workshop(db)
    populate(db, doomed)
    populate(db, kept)
    before = counts(db)
    with db.write() as session:
        assert delete_workshop(session, doomed.moderator) == doomed.id
    after = counts(db)
    assert after == {
        "workshops": 1,
        "boards": 2,
        "clusters": 3,
        "cards": 2,
        "participants": 1,
        "events": 2,
    }
    assert before["cards"] == 4 and before["events"] == 4
    with db.read() as session:
        assert session.get(Workshop, kept.id) is not None


@pytest.mark.parametrize("who", ["projector", "participant"])
def test_only_the_moderator_deletes_a_workshop(db: Database, workshop: WorkshopFixture, who: str) -> None:
    actor = workshop.projector if who == "projector" else make_participant(db, workshop)[0]
    with pytest.raises(Forbidden), db.write() as session:
        delete_workshop(session, actor)
    assert counts(db)["workshops"] == 1


def test_purge_deletes_only_workshops_idle_for_longer_than_the_limit(db: Database) -> None:
    idle, recent = make_workshop(db), make_workshop(db)
    populate(db, idle)
    with db.write() as session:
        session.get_one(Workshop, idle.id).last_activity_at = utcnow() - dt.timedelta(days=31)
        session.get_one(Workshop, recent.id).last_activity_at = utcnow() - dt.timedelta(days=29)
    with db.write() as session:
        assert purge_inactive(session, 30) == [idle.id]
    assert counts(db)["workshops"] == 1
    assert counts(db)["cards"] == 0
