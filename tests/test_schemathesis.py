"""schemathesis against a real server: every operation of /api/openapi.json gets generated
requests, valid (positive) and invalid (negative) ones, and every answer must match the
description: no 5xx, only documented status codes, content types and bodies, valid data accepted,
invalid data refused, credentials checked.

PINBOARD_FUZZ_EXAMPLES scales the number of requests (CI: 1).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

pytestmark = pytest.mark.server

SCALE = float(os.environ.get("PINBOARD_FUZZ_EXAMPLES", "1"))
EXAMPLES = {"sqlite": 100, "postgresql": 40}  # per operation and mode
# Workshop files are large to generate: fewer of them.
HEAVY = {"/api/workshops/import": 0.3}

# Rules across fields that a schema cannot say: in a workshop file, each author_ref names a
# participant, refs are unique and active_board is a board's index; an export takes `board` with
# svg and png only. Schema-valid requests may be refused there, so only there "valid data is
# accepted" is not checked.
CROSS_FIELD_RULES = ("/api/workshops/import", "/api/workshops/{workshop_id}/export")


class Workshops:
    """A real workshop for the cases that should get past authentication; made anew once deleted."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.current: dict[str, Any] | None = None

    def get(self) -> dict[str, Any]:
        if self.current is None:
            response = requests.post(
                f"{self.url}/api/workshops",
                json={"title": "Fuzz", "boards": [{"title": "Eins", "clusters": ["A"]}]},
                timeout=10,
            )
            response.raise_for_status()
            self.current = response.json()
        return self.current


def takes_input(operation: Any) -> bool:
    """Whether there is anything to make invalid (parameters or a body)."""
    raw = operation.definition.raw
    return bool(raw.get("parameters") or raw.get("requestBody"))


def excluded_checks(case: Any) -> list[Any]:
    if case.path in CROSS_FIELD_RULES:
        return [schemathesis.checks.positive_data_acceptance]
    return []


def fuzz_operation(
    operation: Any, mode: GenerationMode, examples: int, workshops: Workshops, session: requests.Session
) -> int:
    """Send `examples` generated requests; half of those with a workshop id go to a real workshop,
    half of those with its moderator key. Returns how many were sent."""
    sent = 0

    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case: Any, data: st.DataObject) -> None:
        nonlocal sent
        headers = {}
        if "workshop_id" in (case.path_parameters or {}) and data.draw(st.booleans(), "real workshop"):
            workshop = workshops.get()
            case.path_parameters["workshop_id"] = workshop["id"]
            if data.draw(st.booleans(), "moderator key"):
                headers["Authorization"] = f"Bearer {workshop['moderator_key']}"
        response = case.call_and_validate(
            session=session, headers=headers, excluded_checks=excluded_checks(case)
        )
        sent += 1
        if case.method == "DELETE" and response.status_code == 200:
            workshops.current = None

    check()
    return sent


def test_every_operation_keeps_to_its_description(live_server, database_url: str) -> None:  # type: ignore[no-untyped-def]
    server = live_server()
    schema = schemathesis.openapi.from_url(f"{server.url}/api/openapi.json")
    workshops = Workshops(server.url)
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    sent: dict[str, int] = {}
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            examples = max(1, int(EXAMPLES[backend] * SCALE * HEAVY.get(operation.path, 1)))
            modes = list(GenerationMode) if takes_input(operation) else [GenerationMode.POSITIVE]
            for mode in modes:
                sent[operation.label] = sent.get(operation.label, 0) + fuzz_operation(
                    operation, mode, examples, workshops, session
                )
    assert set(sent) >= {"POST /api/workshops", "POST /api/join", "GET /api/workshops/{workshop_id}"}
    print(f"schemathesis ({backend}): {sum(sent.values())} requests, {sent}")
    assert requests.get(f"{server.url}/healthz", timeout=5).status_code == 200
