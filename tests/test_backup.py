"""`pinboard backup` copies a running database consistently."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from pinboard.backup import BackupError, backup
from pinboard.cards import create_card
from pinboard.cli import cli
from pinboard.database import Database
from pinboard.migrations import upgrade_database
from pinboard.snapshots import build_snapshot
from tests.conftest import make_participant, make_workshop, new_client_id


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
