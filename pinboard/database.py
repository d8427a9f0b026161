"""Engines and session scopes.

Writes run in `Database.write()`, reads in `Database.read()`. On SQLite a write takes the
database's write lock up front (BEGIN IMMEDIATE) after an in-process lock, so a write
transaction never fails with SQLITE_BUSY half-way; readers in WAL mode never wait.
On PostgreSQL both scopes are plain transactions; writers serialise per workshop on the
workshop row (see event_log.lock_workshop).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


class Database:
    def __init__(self, url: str, *, sqlite_synchronous: str = "FULL", busy_timeout_ms: int = 10000) -> None:
        self.url = url
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        if self.is_sqlite:
            self._prepare_sqlite_directory(url)
            self.engine = self._sqlite_engine(url, sqlite_synchronous, busy_timeout_ms, "BEGIN")
            self.write_engine = self._sqlite_engine(
                url, sqlite_synchronous, busy_timeout_ms, "BEGIN IMMEDIATE"
            )
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
            self.write_engine = self.engine
        self._read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(self.write_engine, expire_on_commit=False)
        self._write_lock = threading.Lock() if self.is_sqlite else None
        self.closed = False

    @staticmethod
    def _prepare_sqlite_directory(url: str) -> None:
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def _sqlite_engine(url: str, synchronous: str, busy_timeout_ms: int, begin: str) -> Engine:
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def configure(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def begin_transaction(connection):  # type: ignore[no-untyped-def]
            connection.exec_driver_sql(begin)

        return engine

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read_sessions() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back on an exception."""
        if self._write_lock is None:
            with self._write_sessions() as session, session.begin():
                yield session
            return
        with self._write_lock, self._write_sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close every pooled connection; background tasks check `closed` and stop touching it."""
        self.closed = True
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()
