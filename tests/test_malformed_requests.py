"""What the fuzzing (tests/test_fuzz.py, tests/test_schemathesis.py) found in the HTTP API, kept
as regression tests: each of these answered 500 before."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from pinboard import workshops
from pinboard.app import create_app, database_of
from pinboard.config import Settings

DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 50_000 + b"1" + b"}" * 50_000


@pytest.mark.parametrize("path", ["/api/workshops", "/api/join", "/api/workshops/import"])
@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
def test_a_body_nested_too_deeply_is_invalid_json(client, path: str, body: bytes) -> None:  # type: ignore[no-untyped-def]
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid"


@pytest.fixture
def guarded_client(settings: Settings) -> Iterator[Any]:
    """A server with an organiser password."""
    app = create_app(
        dataclasses.replace(settings, organiser_password="geheim"), test_config={"TESTING": True}
    )
    yield app.test_client()
    database_of(app).dispose()


@pytest.mark.parametrize("password", ["\ud800", "geheim\udfff", "a\udc00b"])
def test_an_organiser_password_with_lone_surrogates_is_just_wrong(guarded_client, password: str) -> None:  # type: ignore[no-untyped-def]
    created = guarded_client.post("/api/workshops", json={"title": "x", "organiser_password": password})
    assert created.status_code == 403
    assert created.get_json()["error"]["code"] == "forbidden"
    imported = guarded_client.post(
        "/api/workshops/import",
        json={
            "format": "pinboard-workshop",
            "version": 1,
            "workshop": {"title": "x"},
            "organiser_password": password,
        },
    )
    assert imported.status_code == 403
    assert (
        guarded_client.post("/api/workshops", json={"title": "x", "organiser_password": "geheim"}).status_code
        == 201
    )


def test_an_unexpected_error_is_internal_not_invalid(app, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as in production, not raise into the test

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(workshops, "join", broken)
    response = client.post("/api/join", json={"code": "KARF7V"})
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal"
