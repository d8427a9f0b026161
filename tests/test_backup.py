"""`pinboard backup` copies a running database consistently."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pinboard.backup import BackupError, backup
from pinboard.cards import create_card
from pinboard.cli import cli
from pinboard.database import Database
from pinboard.migrations import upgrade_database
from pinboard.snapshots import build_snapshot
from tests.conftest import LiveServer, make_participant, make_workshop, new_client_id
from tests.outbox import Outbox
from tests.replica import Replica, shape_of
from tests.test_server import create_workshop, moderator_client, participant_client, snapshot


def test_a_backup_taken_during_a_burst_of_writes_restores_a_consistent_board(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'live.sqlite3'}")
    upgrade_database(db)
    workshop = make_workshop(db)
    participant, _ = make_participant(db, workshop)
    stop = threading.Event()
    written: list[int] = []

    def write_cards() -> None:
        while not stop.is_set():
            with db.write() as session:
                outcome = create_card(
                    session, participant, client_id=new_client_id(), board_id=workshop.board_ids[0], text="x"
                )
            written.append(outcome.seq)

    writer = threading.Thread(target=write_cards)
    writer.start()
    try:
        while len(written) < 50:
            threading.Event().wait(0.01)
        copy = backup(db, tmp_path / "copy.sqlite3")
        while len(written) < 100:
            threading.Event().wait(0.01)
    finally:
        stop.set()
        writer.join(10)

    with sqlite3.connect(copy) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    restored = Database(f"sqlite:///{copy}")
    with restored.read() as session:
        state = build_snapshot(session, workshop.moderator)
    cards = state["boards"][0]["unsorted"]
    # A consistent cut: the event log and the cards agree, with no gap and nothing half-written.
    assert len(cards) == state["seq"] >= 50
    assert [c["position"] for c in cards] == list(range(len(cards)))
    assert len(written) > len(cards)  # the server kept writing after the copy was taken
    restored.dispose()
    db.dispose()


def test_backup_refuses_to_overwrite(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'live.sqlite3'}")
    upgrade_database(db)
    (tmp_path / "exists.sqlite3").write_text("keep me")
    with pytest.raises(BackupError, match="exists already"):
        backup(db, tmp_path / "exists.sqlite3")
    assert (tmp_path / "exists.sqlite3").read_text() == "keep me"
    db.dispose()


def test_backup_command(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    db = Database(database_url)
    upgrade_database(db)
    make_workshop(db)
    monkeypatch.setenv("PINBOARD_DATABASE_URL", database_url)
    monkeypatch.setenv("PINBOARD_CONFIG", str(tmp_path / "absent.toml"))
    target = tmp_path / "backup.dump"
    result = CliRunner().invoke(cli, ["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0
    again = CliRunner().invoke(cli, ["backup", str(target)])
    assert again.exit_code == 1
    assert "exists already" in again.output
    db.dispose()


def test_purge_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINBOARD_DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite3'}")
    monkeypatch.setenv("PINBOARD_CONFIG", str(tmp_path / "absent.toml"))
    assert CliRunner().invoke(cli, ["purge"]).exit_code == 2  # no --days and no setting
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0
    result = CliRunner().invoke(cli, ["purge", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "deleted 0 workshop(s)" in result.output


# ---- the real stack: `pinboard backup` while a live server takes a burst of writes ---------


def _restore(database_url: str, copy: Path, tmp_path: Path) -> tuple[str, Callable[[], None]]:
    """Restore the copy as docs/operations.md says; answers the restored database's URL and how
    to drop it again."""
    if database_url.startswith("sqlite"):
        restored = tmp_path / "restored" / "pinboard.sqlite3"
        restored.parent.mkdir()
        shutil.copyfile(copy, restored)
        return f"sqlite:///{restored}", lambda: None
    live = make_url(database_url)
    name = f"{live.database}_restored"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = live.set(database=name)
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    completed = subprocess.run(
        ["pg_restore", "--no-owner", f"--dbname={plain}", str(copy)], capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


@pytest.mark.server
def test_pinboard_backup_during_a_burst_restores_exactly_the_board_as_of_its_seq(
    live_server: Any, database_url: str, tmp_path: Path
) -> None:
    """Participants post and the moderator sorts on a real server while `pinboard backup` runs.
    Restored and served by a new server, the copy is exactly the board as it stood at the copy's
    seq: the first state replayed with the live event log up to that seq, card for card, in order."""
    server = live_server(
        PINBOARD_RATE_LIMIT_PER_MINUTE="1000000",
        PINBOARD_RATE_LIMIT_BURST="1000000",
        PINBOARD_SYNC_MAX_EVENTS="100000",  # the whole event log in one sync, to replay it
    )
    workshop = create_workshop(server.url)
    moderator = moderator_client(server.url, workshop)
    start = Replica(snapshot(server.url, workshop["id"], workshop["moderator_key"]))
    board = start.boards[0]
    phones = [participant_client(server.url, workshop, f"P{n}") for n in range(3)]
    outboxes = [Outbox(phone.sio) for phone in phones]
    posting = threading.Event()
    posting.set()

    def next_card() -> dict[str, Any] | None:
        return {"board_id": board["id"], "text": "Ergebnis sichern"} if posting.is_set() else None

    def sort() -> None:
        rng = random.Random(7)
        while posting.is_set():
            with moderator.lock:
                cards = moderator.replica.cards()
            if cards:
                target = rng.choice([None, *(c["id"] for c in board["clusters"])])
                move = {"card_id": rng.choice(cards)["id"], "cluster_id": target, "index": rng.randrange(5)}
                assert moderator.call("card:move", move)["ok"]

    deadline = time.monotonic() + 60
    writers = [threading.Thread(target=o.deliver, args=(next_card, deadline), daemon=True) for o in outboxes]
    writers.append(threading.Thread(target=sort, daemon=True))
    copy = tmp_path / "pinboard.backup"
    drop_restored: Callable[[], None] = lambda: None  # noqa: E731
    try:
        for writer in writers:
            writer.start()
        moderator.wait_for_seq(30, timeout=30)
        before = moderator.replica.seq
        command = subprocess.run(
            [sys.executable, "-c", "from pinboard.cli import main; main()", "backup", str(copy)],
            env={
                **os.environ,
                "PINBOARD_DATABASE_URL": database_url,
                "PINBOARD_CONFIG": str(tmp_path / "none"),
            },
            capture_output=True,
            text=True,
            timeout=60,
        )
        after = snapshot(server.url, workshop["id"], workshop["moderator_key"])["seq"]
        moderator.wait_for_seq(after + 20, timeout=30)  # the server kept writing
        posting.clear()
        for writer in writers:
            writer.join(30)
        assert command.returncode == 0, command.stdout + command.stderr
        live = moderator.call("sync", {"since": 0})["data"]["events"]

        restored_url, drop_restored = _restore(database_url, copy, tmp_path)
        restored = LiveServer(tmp_path, restored_url).start()
        try:
            state = snapshot(restored.url, workshop["id"], workshop["moderator_key"])
        finally:
            restored.stop()
        assert before <= state["seq"] <= after  # a cut taken while the burst went on
        for event in live[: state["seq"]]:
            start.apply(event)
        assert shape_of(state) == start.shape()
        cards = [
            c
            for b in state["boards"]
            for c in [*b["unsorted"], *(x for cl in b["clusters"] for x in cl["cards"])]
        ]
        assert len(cards) == len({c["client_id"] for c in cards}) > 0
        assert all(o.stats.errors == [] for o in outboxes)
    finally:
        posting.clear()
        for client in [moderator, *phones]:
            client.close()
        drop_restored()
