"""docs/export.md says what the exports do."""

from __future__ import annotations

from pathlib import Path

from pinboard.export_views import CREDENTIAL_PARAMETERS, ExportQuery
from pinboard.exports import FORMATS
from pinboard.exports.workshop_json import FORMAT, VERSION, WorkshopFileIn

DOC = (Path(__file__).resolve().parents[2] / "docs" / "export.md").read_text(encoding="utf-8")


def test_every_format_and_parameter_is_documented() -> None:
    for fmt in FORMATS:
        assert f"| `{fmt}` |" in DOC, fmt
    for name in ExportQuery().fields:
        assert f"| `{name}` |" in DOC, name
    for name in CREDENTIAL_PARAMETERS:
        assert f"`{name}`" in DOC, name


def test_the_workshop_file_format_is_documented() -> None:
    assert f'"format": "{FORMAT}", "version": {VERSION}' in DOC
    for name in WorkshopFileIn().fields:
        if name != "organiser_password":
            assert f"`{name}`" in DOC, name
    for option in ("--format", "-o/--output", "--authors", "--board", "--no-pictures", "--config"):
        assert f"`{option}`" in DOC, option
