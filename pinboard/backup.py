"""A consistent copy of a running database.

SQLite: the online backup API copies a consistent snapshot while the server keeps writing.
PostgreSQL: pg_dump (custom format); restore with pg_restore (see docs/operations.md).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from .database import Database


class BackupError(RuntimeError):
    pass


def backup(database: Database, target: Path) -> Path:
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    if database.is_sqlite:
        _backup_sqlite(make_url(database.url).database or "", target)
    else:
        _backup_postgres(database.url, target)
    return target


def _backup_sqlite(source_path: str, target: Path) -> None:
    source = sqlite3.connect(source_path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy, pages=1024)
        result = copy.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        copy.close()
        source.close()
    if result != "ok":
        target.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check: {result}")


def _backup_postgres(url: str, target: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump is not installed; install the PostgreSQL client tools")
    parsed = make_url(url).set(drivername="postgresql")
    completed = subprocess.run(
        [pg_dump, "--format=custom", "--file", str(target), parsed.render_as_string(hide_password=False)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        target.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {completed.stderr.strip()}")
