"""The `pinboard` command and the async-mode rule: only the command line patches."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner
from sqlalchemy import inspect

from pinboard.cli import cli
from pinboard.database import Database


def test_importing_the_app_never_imports_an_async_library() -> None:
    code = (
        "import sys, pinboard, pinboard.app, pinboard.realtime, pinboard.cli;"
        "bad = {'eventlet', 'gevent'} & set(sys.modules);"
        "assert not bad, bad"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_db_upgrade_creates_the_schema(tmp_path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    monkeypatch.setenv("PINBOARD_DATABASE_URL", url)
    monkeypatch.setenv("PINBOARD_CONFIG", str(tmp_path / "absent.toml"))
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "upgraded" in result.output
    database = Database(url)
    tables = set(inspect(database.engine).get_table_names())
    database.dispose()
    assert {"workshops", "boards", "clusters", "cards", "participants", "events"} <= tables


def test_run_rejects_a_bad_setting_with_a_clear_message(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PINBOARD_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("PINBOARD_SQLITE_SYNCHRONOUS", "sometimes")
    result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 2
    assert "sqlite_synchronous must be one of" in result.output


def test_run_help_names_the_options() -> None:
    result = CliRunner().invoke(cli, ["run", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--config", "--async-mode", "--workers"):
        assert option in result.output
