"""Shared fixtures: database backends, the app and its clients, real server processes.

Every database test runs on SQLite and, when PINBOARD_TEST_DATABASE_URL is set (always in
.ci/run), on PostgreSQL too. Tests that need Redis read PINBOARD_TEST_REDIS_URL.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from pinboard.actors import Actor
from pinboard.app import create_app, database_of, socketio_of
from pinboard.config import Settings
from pinboard.database import Database
from pinboard.migrations import upgrade_database
from pinboard.workshops import NewWorkshop, create_workshop, join

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("PINBOARD_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("PINBOARD_TEST_REDIS_URL", "")
TABLES = (
    "history_entries", "events", "wall_dots", "votes", "vote_rounds", "board_timers", "done_signals",
    "cards", "clusters", "participants", "boards", "workshops",
)  # fmt: skip

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not PG_URL, reason="PINBOARD_TEST_DATABASE_URL is not set (.ci/run sets it)"
        ),
    ),
]


# ---- databases ---------------------------------------------------------------------------


def _sqlalchemy_pg_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of its own for this test session, created on the server the env var names."""
    admin_url = _sqlalchemy_pg_url(PG_URL)
    name = f"pinboard_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    database = Database(url)
    upgrade_database(database)
    database.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
            {"name": name},
        )
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'pinboard.sqlite3'}"
    url = request.getfixturevalue("postgres_url")
    _empty_postgres(url)
    return url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade_database(database)
    yield database
    database.dispose()


@pytest.fixture
def count_queries(db: Database) -> Callable[..., Any]:
    """Counts the SQL statements run inside `with count_queries() as counter:` (on `db`, or on
    the database given, e.g. an app's: `count_queries(app_db)`)."""

    class Counter:
        def __init__(self, database: Database = db) -> None:
            self.statements: list[str] = []
            self.engines = {database.engine, database.write_engine}

        def __enter__(self) -> Counter:
            for engine in self.engines:
                event.listen(engine, "before_cursor_execute", self._count)
            return self

        def __exit__(self, *_: Any) -> None:
            for engine in self.engines:
                event.remove(engine, "before_cursor_execute", self._count)

        def _count(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "COMMIT")):
                self.statements.append(statement)

        @property
        def count(self) -> int:
            return len(self.statements)

    return Counter


# ---- domain helpers ----------------------------------------------------------------------


@dataclass
class WorkshopFixture:
    id: str
    join_code: str
    moderator_key: str
    projector_key: str
    board_ids: list[int]
    cluster_ids: list[list[int]]
    moderator: Actor
    projector: Actor


def make_workshop(database: Database, **overrides: Any) -> WorkshopFixture:
    spec: dict[str, Any] = {
        "title": "Kommunale Steuerung und Empowerment",
        "event": "Die vernetzte Kommune",
        "place": "Düsseldorf",
        "agenda": ["Begrüßung", "Einstieg", "Austausch"],
        "boards": [
            {"title": "Einstieg", "clusters": ["Rahmenbedingungen", "Spannungsfelder"]},
            {"title": "Erfahrungsaustausch", "clusters": ["Grundhaltung"]},
        ],
    }
    spec.update(overrides)
    with database.write() as session:
        created: NewWorkshop = create_workshop(session, **spec)
        workshop = created.workshop
        board_ids = [board.id for board in workshop.boards]
        cluster_ids = [[cluster.id for cluster in board.clusters] for board in workshop.boards]
    return WorkshopFixture(
        id=workshop.id,
        join_code=workshop.join_code or "",
        moderator_key=created.moderator_key,
        projector_key=created.projector_key,
        board_ids=board_ids,
        cluster_ids=cluster_ids,
        moderator=Actor.moderator(workshop.id),
        projector=Actor.projector(workshop.id),
    )


def make_participant(database: Database, workshop: WorkshopFixture, name: str = "") -> tuple[Actor, str]:
    with database.write() as session:
        joined = join(session, code=workshop.join_code, name=name)
        return Actor.participant(workshop.id, joined.participant.id), joined.token


@pytest.fixture
def workshop(db: Database) -> WorkshopFixture:
    return make_workshop(db)


def new_client_id() -> str:
    return uuid.uuid4().hex


# ---- the app and its test clients --------------------------------------------------------


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        instance_path=str(tmp_path / "instance"),
        database_url=database_url,
        secret_key="test-secret",
        async_mode="threading",
    )


@pytest.fixture
def app(settings: Settings):  # type: ignore[no-untyped-def]
    application = create_app(settings, test_config={"TESTING": True})
    yield application
    database_of(application).dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def runner(app):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


@pytest.fixture
def app_db(app) -> Database:  # type: ignore[no-untyped-def]
    return database_of(app)


@pytest.fixture
def socket_client(app):  # type: ignore[no-untyped-def]
    """Factory: a Flask-SocketIO test client connected with the given auth dict."""
    clients = []

    def connect(auth: dict[str, Any] | None, **kwargs: Any):  # type: ignore[no-untyped-def]
        test_client = socketio_of(app).test_client(app, auth=auth, **kwargs)
        clients.append(test_client)
        return test_client

    yield connect
    for test_client in clients:
        if test_client.is_connected():
            test_client.disconnect()


# ---- real server processes ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    """A real `python run.py` process on a free port."""

    workdir: Path
    database_url: str
    async_mode: str = "eventlet"
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> LiveServer:
        env = {
            **os.environ,
            "PINBOARD_DATABASE_URL": self.database_url,
            "PINBOARD_INSTANCE_PATH": str(self.workdir / "instance"),
            "PINBOARD_ASYNC_MODE": self.async_mode,
            "PINBOARD_CONFIG": str(self.workdir / "absent.toml"),
            "PYTHONUNBUFFERED": "1",
            **self.env,
        }
        self.log_path = self.workdir / f"server-{self.port}-{secrets.token_hex(3)}.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(ROOT / "run.py"), "--port", str(self.port)],
                cwd=self.workdir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not answer within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def live_server(tmp_path: Path, database_url: str) -> Iterator[Callable[..., LiveServer]]:
    """Factory: start real servers (same database); all are stopped at teardown."""
    servers: list[LiveServer] = []

    def start(async_mode: str = "eventlet", **env: str) -> LiveServer:
        server = LiveServer(tmp_path, database_url, async_mode=async_mode, env=env).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run installs it)")
    return path


def pytest_configure(config: pytest.Config) -> None:
    """In CI (PINBOARD_REQUIRE_ALL_TESTS=1) a missing service or browser is an error, not a skip."""
    if not os.environ.get("PINBOARD_REQUIRE_ALL_TESTS"):
        return
    missing = [
        name
        for name, present in (
            ("PINBOARD_TEST_DATABASE_URL", PG_URL),
            ("PINBOARD_TEST_REDIS_URL", REDIS_URL),
            ("chromium", shutil.which("chromium")),
            ("nginx", shutil.which("nginx") or Path("/usr/sbin/nginx").exists()),
            ("redis-server", shutil.which("redis-server")),
        )
        if not present
    ]
    if missing:
        raise pytest.UsageError(f"PINBOARD_REQUIRE_ALL_TESTS is set but missing: {', '.join(missing)}")
