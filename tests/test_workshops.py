"""Workshops: creating, joining, authenticating, updating."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from pinboard import credentials, workshops
from pinboard.actors import Actor, Role
from pinboard.database import Database
from pinboard.errors import Forbidden, NotFound, Unauthorized
from pinboard.models import Event, Participant, Workshop, utcnow
from tests.conftest import WorkshopFixture, make_participant, make_workshop


def close(db: Database, workshop_id: str) -> None:
    with db.write() as s:
        s.get_one(Workshop, workshop_id).closed_at = utcnow()


def row_values(db: Database, table: str, **where: object) -> list[str]:
    """Every column of the matching rows, as text, straight from the database."""
    condition = " AND ".join(f"{name} = :{name}" for name in where)
    with db.read() as s:
        rows = s.execute(text(f"SELECT * FROM {table} WHERE {condition}"), where).all()
    assert rows
    return [str(value) for row in rows for value in row]


# ---- create ------------------------------------------------------------------------------


def test_create_stores_details_boards_clusters_and_the_first_active_board(db: Database) -> None:
    with db.write() as s:
        created = workshops.create_workshop(
            s,
            title="Kommunale Steuerung",
            event="Die vernetzte Kommune",
            date=dt.date(2017, 6, 14),
            place="Düsseldorf",
            language="en",
            agenda=["Begrüßung", "Austausch"],
            boards=[
                {"title": "Einstieg", "clusters": ["A", "B"], "participants_can_move": True},
                {"title": "Austausch", "numbered_clusters": True},
            ],
        )
        workshop_id = created.workshop.id
    with db.read() as s:
        workshop = s.get_one(Workshop, workshop_id)
        assert (workshop.title, workshop.event_name, workshop.place) == (
            "Kommunale Steuerung",
            "Die vernetzte Kommune",
            "Düsseldorf",
        )
        assert (workshop.date, workshop.language, workshop.agenda) == (
            dt.date(2017, 6, 14),
            "en",
            ["Begrüßung", "Austausch"],
        )
        assert [(b.title, b.position) for b in workshop.boards] == [("Einstieg", 0), ("Austausch", 1)]
        assert [(c.name, c.position) for c in workshop.boards[0].clusters] == [("A", 0), ("B", 1)]
        assert workshop.boards[1].clusters == []
        assert workshop.boards[0].participants_can_move and not workshop.boards[0].locked
        assert workshop.boards[1].numbered_clusters and not workshop.boards[1].participants_can_move
        assert workshop.active_board_id == workshop.boards[0].id
        assert workshop.last_seq == 0
        assert workshop.closed_at is None


def test_create_without_boards_has_no_active_board(db: Database) -> None:
    workshop = make_workshop(db, boards=[])
    with db.read() as s:
        assert s.get_one(Workshop, workshop.id).active_board_id is None
    assert workshop.board_ids == []


def test_create_records_no_event(db: Database, workshop: WorkshopFixture) -> None:
    with db.read() as s:
        assert s.scalars(select(Event).where(Event.workshop_id == workshop.id)).all() == []


def test_join_code_is_six_characters_of_the_alphabet(db: Database, workshop: WorkshopFixture) -> None:
    assert len(workshop.join_code) == 6
    assert set(workshop.join_code) <= set(credentials.JOIN_CODE_ALPHABET)


def test_join_code_is_unique_even_when_the_generator_repeats(
    db: Database, workshop: WorkshopFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered = iter([workshop.join_code, workshop.join_code, "KARF7V"])
    monkeypatch.setattr(credentials, "new_join_code", lambda: next(offered))
    second = make_workshop(db)
    assert second.join_code == "KARF7V"
    assert second.id != workshop.id


def test_keys_are_returned_once_and_stored_only_as_hashes(db: Database, workshop: WorkshopFixture) -> None:
    stored = row_values(db, "workshops", id=workshop.id)
    for key in (workshop.moderator_key, workshop.projector_key):
        assert len(key) >= 32
        assert not any(key in value for value in stored)
    assert credentials.hash_secret(workshop.moderator_key) in stored
    assert credentials.hash_secret(workshop.projector_key) in stored
    assert workshop.moderator_key != workshop.projector_key


def test_projector_key_is_derived_from_the_moderator_key(workshop: WorkshopFixture) -> None:
    assert workshop.projector_key == credentials.derive_secret(workshop.moderator_key, "projector")


def test_every_workshop_has_its_own_id_code_and_keys(db: Database, workshop: WorkshopFixture) -> None:
    other = make_workshop(db)
    assert other.id != workshop.id
    assert other.join_code != workshop.join_code
    assert other.moderator_key != workshop.moderator_key
    assert other.projector_key != workshop.projector_key


# ---- join --------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", [str.lower, lambda c: f"  {c[:3]} {c[3:].lower()} "])
def test_join_matches_the_code_ignoring_case_and_spaces(
    db: Database, workshop: WorkshopFixture, typed
) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        joined = workshops.join(s, code=typed(workshop.join_code), name="Anna")
        participant_id, token = joined.participant.id, joined.token
    with db.read() as s:
        participant = s.get_one(Participant, participant_id)
        assert participant.workshop_id == workshop.id
        assert participant.display_name == "Anna"
        assert participant.token_hash == credentials.hash_secret(token)


def test_join_gives_each_participant_their_own_token_stored_only_hashed(
    db: Database, workshop: WorkshopFixture
) -> None:
    anna, anna_token = make_participant(db, workshop, "Anna")
    ben, ben_token = make_participant(db, workshop)
    assert anna.participant_id != ben.participant_id
    assert anna_token != ben_token
    stored = row_values(db, "participants", workshop_id=workshop.id)
    assert not any(token in value for token in (anna_token, ben_token) for value in stored)


def test_join_records_no_event(db: Database, workshop: WorkshopFixture) -> None:
    make_participant(db, workshop)
    with db.read() as s:
        assert s.get_one(Workshop, workshop.id).last_seq == 0


def test_join_with_an_unknown_code_is_not_found(db: Database, workshop: WorkshopFixture) -> None:
    unknown = "KARF7V" if workshop.join_code != "KARF7V" else "KARF7W"
    with pytest.raises(NotFound, match=unknown), db.write() as s:
        workshops.join(s, code=unknown.lower())


def test_join_a_closed_workshop_is_not_found(db: Database, workshop: WorkshopFixture) -> None:
    close(db, workshop.id)
    with pytest.raises(NotFound), db.write() as s:
        workshops.join(s, code=workshop.join_code)


# ---- authenticate ------------------------------------------------------------------------


def authenticate(db: Database, workshop_id: object, **credentials_: object) -> Actor:
    with db.read() as s:
        return workshops.authenticate(s, workshop_id, **credentials_)  # type: ignore[arg-type]


def test_authenticate_each_role(db: Database, workshop: WorkshopFixture) -> None:
    participant, token = make_participant(db, workshop)
    assert authenticate(db, workshop.id, moderator_key=workshop.moderator_key) == workshop.moderator
    assert authenticate(db, workshop.id, projector_key=workshop.projector_key) == workshop.projector
    assert authenticate(db, workshop.id, token=token) == participant
    assert participant.role is Role.PARTICIPANT


def test_authenticate_bearer_recognises_each_role(db: Database, workshop: WorkshopFixture) -> None:
    participant, token = make_participant(db, workshop)
    with db.read() as s:
        assert workshops.authenticate_bearer(s, workshop.id, workshop.moderator_key).is_moderator
        assert workshops.authenticate_bearer(s, workshop.id, workshop.projector_key) == workshop.projector
        assert workshops.authenticate_bearer(s, workshop.id, token) == participant


@pytest.mark.parametrize(
    "credential",
    [
        {},
        {"moderator_key": "wrong"},
        {"moderator_key": ""},
        {"projector_key": "wrong"},
        {"token": "wrong"},
        {"moderator_key": None, "projector_key": None, "token": None},
    ],
)
def test_authenticate_refuses_wrong_or_missing_credentials(
    db: Database, workshop: WorkshopFixture, credential: dict
) -> None:
    with pytest.raises(Unauthorized):
        authenticate(db, workshop.id, **credential)


def test_a_lesser_key_does_not_open_a_greater_role(db: Database, workshop: WorkshopFixture) -> None:
    _, token = make_participant(db, workshop)
    with pytest.raises(Unauthorized):
        authenticate(db, workshop.id, moderator_key=workshop.projector_key)
    with pytest.raises(Unauthorized):
        authenticate(db, workshop.id, moderator_key=token, projector_key=token)


def test_credentials_of_another_workshop_are_refused(db: Database, workshop: WorkshopFixture) -> None:
    other = make_workshop(db)
    _, other_token = make_participant(db, other)
    with pytest.raises(Unauthorized):
        authenticate(db, workshop.id, token=other_token)
    with pytest.raises(Unauthorized):
        authenticate(db, workshop.id, moderator_key=other.moderator_key)
    with pytest.raises(Unauthorized):
        authenticate(db, workshop.id, projector_key=other.projector_key)


@pytest.mark.parametrize("bad", [123, 1.5, ["key"], {"key": 1}, b"bytes", True])
def test_authenticate_refuses_non_string_credentials(db: Database, workshop: WorkshopFixture, bad) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Unauthorized):
        authenticate(db, workshop.id, moderator_key=bad, projector_key=bad, token=bad)


@pytest.mark.parametrize("bad_id", [None, "", 42, ["x"], "no-such-workshop"])
def test_authenticate_refuses_a_bad_workshop_id(db: Database, workshop: WorkshopFixture, bad_id) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Unauthorized):
        authenticate(db, bad_id, moderator_key=workshop.moderator_key)


def test_authenticate_refuses_every_credential_of_a_closed_workshop(
    db: Database, workshop: WorkshopFixture
) -> None:
    _, token = make_participant(db, workshop)
    close(db, workshop.id)
    for credential in (
        {"moderator_key": workshop.moderator_key},
        {"projector_key": workshop.projector_key},
        {"token": token},
    ):
        with pytest.raises(Unauthorized):
            authenticate(db, workshop.id, **credential)


# ---- update_workshop ---------------------------------------------------------------------


def test_moderator_updates_the_workshop_and_an_event_is_recorded(
    db: Database, workshop: WorkshopFixture
) -> None:
    with db.write() as s:
        outcome = workshops.update_workshop(
            s, workshop.moderator, title="Neu", event="Tagung", date=dt.date(2024, 5, 1), agenda=["Eins"]
        )
    assert outcome.data["title"] == "Neu"
    assert outcome.data["event"] == "Tagung"
    assert outcome.data["date"] == "2024-05-01"
    assert outcome.seq == 1
    [event] = outcome.events
    assert (event.type, event.actor, event.data) == (
        "workshop.updated",
        "moderator",
        {"workshop": outcome.data},
    )
    with db.read() as s:
        stored = s.get_one(Workshop, workshop.id)
        assert (stored.title, stored.event_name, stored.agenda, stored.last_seq) == (
            "Neu",
            "Tagung",
            ["Eins"],
            1,
        )
        assert s.scalars(select(Event.type).where(Event.workshop_id == workshop.id)).all() == [
            "workshop.updated"
        ]


def test_update_workshop_never_shows_a_key(db: Database, workshop: WorkshopFixture) -> None:
    with db.write() as s:
        outcome = workshops.update_workshop(s, workshop.moderator, place="Köln")
    dumped = repr(outcome.data)
    assert workshop.moderator_key not in dumped and "hash" not in dumped
    assert outcome.data["join_code"] == workshop.join_code


def test_only_the_moderator_updates_the_workshop(db: Database, workshop: WorkshopFixture) -> None:
    participant, _ = make_participant(db, workshop)
    for actor in (participant, workshop.projector):
        with pytest.raises(Forbidden), db.write() as s:
            workshops.update_workshop(s, actor, title="Hijacked")
    with db.read() as s:
        stored = s.get_one(Workshop, workshop.id)
        assert (stored.title, stored.last_seq) == ("Kommunale Steuerung und Empowerment", 0)


def test_update_a_closed_workshop_is_not_found(db: Database, workshop: WorkshopFixture) -> None:
    close(db, workshop.id)
    with pytest.raises(NotFound), db.write() as s:
        workshops.update_workshop(s, workshop.moderator, title="Too late")


def test_find_open_workshop(db: Database, workshop: WorkshopFixture) -> None:
    with db.read() as s:
        assert workshops.find_open_workshop(s, workshop.id).id == workshop.id
        with pytest.raises(NotFound):
            workshops.find_open_workshop(s, "no-such-workshop")
    close(db, workshop.id)
    with pytest.raises(NotFound), db.read() as s:
        workshops.find_open_workshop(s, workshop.id)
