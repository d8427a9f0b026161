"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select

from pinboard import cards
from pinboard.database import Database
from pinboard.migrations import alembic_config, upgrade_database
from pinboard.models import Base, Card, Workshop
from tests.conftest import TABLES, make_participant, make_workshop, new_client_id


def head(db: Database) -> str | None:
    return ScriptDirectory.from_config(alembic_config(db)).get_current_head()


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_differences(db: Database) -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_the_models_match_the_migrations(db: Database) -> None:
    assert schema_differences(db) == []


def test_the_database_is_at_the_single_head(db: Database) -> None:
    script = ScriptDirectory.from_config(alembic_config(db))
    assert len(script.get_heads()) == 1
    assert current_revision(db) == head(db) is not None


def test_upgrade_creates_every_table_in_a_new_database(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'sub' / 'fresh.sqlite3'}")
    try:
        assert inspect(database.engine).get_table_names() == []
        upgrade_database(database)
        assert set(inspect(database.engine).get_table_names()) == {*TABLES, "alembic_version"}
        assert current_revision(database) == head(database)
        assert schema_differences(database) == []
    finally:
        database.dispose()


def test_upgrade_is_idempotent(db: Database) -> None:
    upgrade_database(db)
    upgrade_database(db)
    assert current_revision(db) == head(db)
    assert schema_differences(db) == []


def test_data_survives_a_second_upgrade(db: Database) -> None:
    workshop = make_workshop(db)
    participant, _ = make_participant(db, workshop, "Anna")
    with db.write() as s:
        card_id = cards.create_card(
            s, participant, client_id=new_client_id(), board_id=workshop.board_ids[0], text="bleibt"
        ).data["id"]
    upgrade_database(db)
    with db.read() as s:
        stored = s.get_one(Workshop, workshop.id)
        assert (stored.title, stored.last_seq, stored.join_code) == (
            "Kommunale Steuerung und Empowerment",
            1,
            workshop.join_code,
        )
        assert [b.id for b in stored.boards] == workshop.board_ids
        assert s.scalars(select(Card.text).where(Card.id == card_id)).one() == "bleibt"


def test_0002_gives_existing_rows_the_new_columns_and_downgrades(db: Database) -> None:
    """Boards, clusters and cards of a 0001 database come through 0002 visible, without colour
    choice and without headlines; 0002 also goes back down cleanly."""
    from alembic import command
    from sqlalchemy import text

    workshop = make_workshop(db)
    participant, _ = make_participant(db, workshop, "Anna")
    with db.write() as s:
        cards.create_card(
            s, participant, client_id=new_client_id(), board_id=workshop.board_ids[0], text="aus 0001"
        )
    config = alembic_config(db)
    with db.write_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    assert current_revision(db) == "0001"
    assert "done_signals" not in inspect(db.engine).get_table_names()
    assert "hidden" not in {column["name"] for column in inspect(db.engine).get_columns("cards")}

    upgrade_database(db)
    assert current_revision(db) == head(db)  # 0002, or a later head (0003: dot voting, timers)
    assert schema_differences(db) == []
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT text, hidden FROM cards")).all() == [("aus 0001", False)]
        boards = connection.execute(text("SELECT hidden, participants_choose_color FROM boards"))
        assert {tuple(row) for row in boards} == {(False, False)}
        assert {row[0] for row in connection.execute(text("SELECT headline FROM clusters"))} == {""}
