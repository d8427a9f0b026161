"""`pinboard export` and `pinboard import` on the command line (they read the database directly)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pinboard.cli import cli
from pinboard.results import load_workshop
from tests.exports.helpers import make_markup_workshop


@pytest.fixture
def runner(db, database_url, tmp_path, monkeypatch) -> CliRunner:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PINBOARD_DATABASE_URL", database_url)
    monkeypatch.setenv("PINBOARD_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def test_export_writes_the_file_under_its_name_or_where_told(db, runner, tmp_path) -> None:
    workshop = make_markup_workshop(db)
    result = runner.invoke(cli, ["export", workshop.id, "--format", "md"])
    assert result.exit_code == 0, result.output
    written = list(tmp_path.glob("Ergebnisdokumentation_*.md"))
    assert len(written) == 1 and written[0].name in result.output
    assert "\\# Cluster \\<b>" in written[0].read_text(encoding="utf-8")

    target = tmp_path / "out.docx"
    result = runner.invoke(cli, ["export", workshop.id, "--format", "docx", "-o", str(target), "--authors"])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"PK")

    result = runner.invoke(
        cli, ["export", workshop.id, "--format", "png", "--board", str(workshop.board_ids[0]), "-o", "-"]
    )
    assert result.exit_code == 0 and result.stdout_bytes.startswith(b"\x89PNG")


def test_export_reports_problems_without_a_traceback(db, runner) -> None:
    workshop = make_markup_workshop(db)
    missing = runner.invoke(cli, ["export", "nope", "--format", "md"])
    assert missing.exit_code == 1 and "does not exist" in missing.output
    no_board = runner.invoke(cli, ["export", workshop.id, "--format", "svg"])
    assert no_board.exit_code == 1 and "board" in no_board.output
    bad_format = runner.invoke(cli, ["export", workshop.id, "--format", "odt"])
    assert bad_format.exit_code == 2


def test_import_creates_a_new_workshop_and_prints_its_links(db, runner, tmp_path) -> None:
    workshop = make_markup_workshop(db)
    exported = tmp_path / "workshop.json"
    assert runner.invoke(cli, ["export", workshop.id, "--format", "json", "-o", str(exported)]).exit_code == 0
    result = runner.invoke(cli, ["import", str(exported)])
    assert result.exit_code == 0, result.output
    new_id = result.output.split("Imported as workshop ")[1].split(";")[0]
    assert new_id != workshop.id
    assert f"/m/{new_id}#key=" in result.output and f"/p/{new_id}#key=" in result.output
    with db.read() as session:
        old, new = load_workshop(session, workshop.id), load_workshop(session, new_id)
        assert [c.text for c in new.cards_in(new.boards[0], new.clusters_of(new.boards[0])[0])] == [
            c.text for c in old.cards_in(old.boards[0], old.clusters_of(old.boards[0])[0])
        ]

    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"format": "pinboard-workshop", "version": 3}))
    refused = runner.invoke(cli, ["import", str(broken)])
    assert refused.exit_code == 1 and "versions 1 and 2" in refused.output
    (tmp_path / "not.json").write_text("{")
    assert runner.invoke(cli, ["import", str(tmp_path / "not.json")]).exit_code == 1
