"""Alembic migrations, applied when the server starts and by `pinboard db upgrade`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from ..database import Database

HERE = Path(__file__).parent
# Any fixed number: it only has to be the same in every pinboard process.
_MIGRATION_LOCK_ID = 73_241_905


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    return config


def upgrade_database(database: Database, revision: str = "head") -> None:
    """Bring the schema to `revision`; several processes starting at once upgrade it only once."""
    config = alembic_config(database)
    with database.write_engine.begin() as connection:
        if not database.is_sqlite:
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
