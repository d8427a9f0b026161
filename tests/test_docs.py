"""The documentation says what the code does."""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, fields
from pathlib import Path

from pinboard.config import Settings
from pinboard.realtime import OPERATIONS

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL = (ROOT / "docs" / "protocol.md").read_text()


def test_example_config_lists_every_setting_with_its_default() -> None:
    example = tomllib.loads((ROOT / "config.example.toml").read_text())
    assert example == asdict(Settings())
    assert set(example) == {f.name for f in fields(Settings)}


def test_every_setting_is_explained_in_the_example_config() -> None:
    lines = (ROOT / "config.example.toml").read_text().splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^[a-z_]+ = ", line):
            assert lines[index - 1].startswith("#"), f"no comment above {line!r}"


def test_protocol_documents_every_client_event() -> None:
    for name in [*OPERATIONS, "sync"]:
        assert f"| `{name}` |" in PROTOCOL, f"{name} is not in the client events table"


def test_protocol_documents_every_broadcast_event_type() -> None:
    recorded = set()
    for source in (ROOT / "pinboard").glob("*.py"):
        recorded |= set(re.findall(r'record\(\s*session,\s*\w+,\s*actor,\s*"([a-z_.]+)"', source.read_text()))
    assert len(recorded) >= 13
    for event_type in recorded:
        assert f"| `{event_type}` |" in PROTOCOL, f"{event_type} is not in the events table"


def test_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "pip install -e . && python run.py" in readme
    assert 'pip install -e ".[test]" && pytest' in readme
    assert 'pip install -q -e ".[test]" && pytest' in (ROOT / ".ci" / "run").read_text()
