"""The JSON HTTP API of docs/protocol.md, through Flask's test client on a real database."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from pinboard.app import create_app, database_of
from pinboard.config import Settings
from pinboard.credentials import JOIN_CODE_ALPHABET
from pinboard.database import Database
from pinboard.models import Participant, Workshop, utcnow

JOIN_CODE = re.compile(f"^[{JOIN_CODE_ALPHABET}]{{6}}$")
SNAPSHOT_KEYS = {"seq", "workshop", "you", "participant_count", "boards"}
MODERATOR_SNAPSHOT_KEYS = SNAPSHOT_KEYS | {"history"}  # the undo and redo buttons

FULL_BODY = {
    "title": "Workshop – Kommunale Steuerung",
    "event": "Die vernetzte Kommune",
    "date": "2017-06-14",
    "place": "Düsseldorf",
    "language": "de",
    "agenda": ["Begrüßung und Einführung", "Erfahrungsaustausch"],
    "boards": [
        {
            "title": "Einstieg",
            "clusters": ["Rahmenbedingungen", "Spannungsfelder"],
            "numbered_clusters": False,
            "participants_can_move": False,
            "participants_choose_cluster": False,
        },
        {"title": "Erfahrungsaustausch", "clusters": ["Grundhaltung"], "numbered_clusters": True},
    ],
}


@pytest.fixture(autouse=True)
def background_tasks_finish(app: Any) -> Iterator[None]:
    """A join schedules a presence message a second later; let it finish before the app goes."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 10
    for thread in set(threading.enumerate()) - before:
        thread.join(max(0.0, deadline - time.monotonic()))


@pytest.fixture
def make_app(tmp_path: Path, database_url: str) -> Iterator[Callable[..., Any]]:
    """Factory: another app, built by create_app with settings of the test's choosing."""
    apps: list[Any] = []

    def build(**overrides: Any) -> Any:
        settings = Settings(
            instance_path=str(tmp_path / f"instance-{len(apps)}"),
            database_url=database_url,
            secret_key="test-secret",
            async_mode="threading",
            **overrides,
        )
        application = create_app(settings, test_config={"TESTING": True})
        apps.append(application)
        return application

    yield build
    for application in apps:
        database_of(application).dispose()


def create(client: Any, body: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    response = client.post("/api/workshops", json=FULL_BODY if body is None else body, **kwargs)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def join(client: Any, code: str, **body: Any) -> dict[str, Any]:
    response = client.post("/api/join", json={"code": code, **body})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def snapshot(client: Any, workshop_id: str, secret: str) -> dict[str, Any]:
    response = client.get(f"/api/workshops/{workshop_id}", headers=bearer(secret))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["code"] == code, body
    assert isinstance(error["message"], str) and error["message"], body
    assert set(error) <= {"code", "message", "fields"}, body
    return error  # type: ignore[no-any-return]


def workshop_count(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count(Workshop.id))) or 0)


def on_postgresql(database_url: str) -> bool:
    return database_url.startswith("postgres")


# ---- POST /api/workshops -----------------------------------------------------------------


def test_create_answers_201_with_keys_and_links(client: Any) -> None:
    response = client.post("/api/workshops", json=FULL_BODY)
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"id", "join_code", "moderator_key", "projector_key", "assistant_key", "links"}
    workshop_id, code = body["id"], body["join_code"]
    moderator_key, projector_key = body["moderator_key"], body["projector_key"]
    assert JOIN_CODE.match(code)
    assert len(moderator_key) >= 32 and len(projector_key) >= 32 and moderator_key != projector_key

    links = body["links"]
    assert links == {
        "participant": f"http://localhost/j/{code}",
        "projector": f"http://localhost/p/{workshop_id}#key={projector_key}",
        "moderator": f"http://localhost/m/{workshop_id}#key={moderator_key}",
        "assistant": f"http://localhost/a/{workshop_id}#key={body['assistant_key']}",
    }
    assert len({moderator_key, projector_key, body["assistant_key"]}) == 3
    for name, link in links.items():
        before_fragment, _, fragment = link.partition("#")
        assert moderator_key not in before_fragment and projector_key not in before_fragment, name
        if name != "moderator":
            assert moderator_key not in link, name
    assert moderator_key in links["moderator"].partition("#")[2]


def test_a_created_workshop_holds_what_the_body_said(client: Any) -> None:
    created = create(client)
    state = snapshot(client, created["id"], created["moderator_key"])
    assert set(state) == MODERATOR_SNAPSHOT_KEYS
    assert state["history"] == {"can_undo": False, "can_redo": False, "undo_label": None, "redo_label": None}
    assert state["seq"] == 0
    assert state["you"] == {"role": "moderator", "participant_id": None}
    assert state["participant_count"] == 0
    workshop = state["workshop"]
    assert {
        k: workshop[k] for k in ("id", "title", "event", "date", "place", "language", "agenda", "join_code")
    } == {
        "id": created["id"],
        "title": FULL_BODY["title"],
        "event": FULL_BODY["event"],
        "date": "2017-06-14",
        "place": "Düsseldorf",
        "language": "de",
        "agenda": FULL_BODY["agenda"],
        "join_code": created["join_code"],
    }
    boards = state["boards"]
    assert [(b["title"], [c["name"] for c in b["clusters"]], b["unsorted"]) for b in boards] == [
        ("Einstieg", ["Rahmenbedingungen", "Spannungsfelder"], []),
        ("Erfahrungsaustausch", ["Grundhaltung"], []),
    ]
    assert boards[1]["settings"]["numbered_clusters"] is True
    assert workshop["active_board_id"] == boards[0]["id"]  # the first board becomes the active one


def test_only_the_title_is_required(client: Any) -> None:
    created = create(client, {"title": "Nur ein Titel"})
    state = snapshot(client, created["id"], created["moderator_key"])
    workshop = state["workshop"]
    assert (workshop["title"], workshop["event"], workshop["date"], workshop["place"]) == (
        "Nur ein Titel",
        "",
        None,
        "",
    )
    assert (workshop["language"], workshop["agenda"], workshop["active_board_id"], state["boards"]) == (
        "de",
        [],
        None,
        [],
    )


def test_join_codes_have_the_documented_format_and_differ(client: Any) -> None:
    codes = [create(client, {"title": f"Workshop {n}"})["join_code"] for n in range(15)]
    for code in codes:
        assert JOIN_CODE.match(code), code
        assert not set(code) & set("0O1IL5S2Z8B")
    assert len(set(codes)) == len(codes)


INVALID_BODIES: list[tuple[str, dict[str, Any], str]] = [
    ("missing title", {"event": "Ohne Titel"}, "title"),
    ("empty title", {"title": ""}, "title"),
    ("whitespace title", {"title": "   "}, "title"),
    ("title of 201 characters", {"title": "t" * 201}, "title"),
    ("title not a string", {"title": 42}, "title"),
    ("title with a control character", {"title": "Titel\x1b[31m"}, "title"),
    ("unknown language", {"title": "T", "language": "fr"}, "language"),
    ("bad date", {"title": "T", "date": "14.06.2017"}, "date"),
    ("impossible date", {"title": "T", "date": "2017-02-30"}, "date"),
    ("41 agenda steps", {"title": "T", "agenda": ["Schritt"] * 41}, "agenda"),
    ("agenda step not a string", {"title": "T", "agenda": [1]}, "agenda"),
    ("boards not a list", {"title": "T", "boards": {"title": "B"}}, "boards"),
    ("board without a title", {"title": "T", "boards": [{"clusters": ["A"]}]}, "boards"),
    (
        "cluster name of 121 characters",
        {"title": "T", "boards": [{"title": "B", "clusters": ["n" * 121]}]},
        "boards",
    ),
    ("51 clusters", {"title": "T", "boards": [{"title": "B", "clusters": ["C"] * 51}]}, "boards"),
    ("31 boards", {"title": "T", "boards": [{"title": "B"}] * 31}, "boards"),
    (
        "flag not a boolean",
        {"title": "T", "boards": [{"title": "B", "participants_can_move": "yes"}]},
        "boards",
    ),
    ("unknown field", {"title": "T", "moderator_key": "mein-eigener-schluessel"}, "moderator_key"),
    ("unknown board field", {"title": "T", "boards": [{"title": "B", "locked": True}]}, "boards"),
]


@pytest.mark.parametrize(
    ("body", "field_name"), [case[1:] for case in INVALID_BODIES], ids=[case[0] for case in INVALID_BODIES]
)
def test_create_with_invalid_fields_is_400_with_the_fields(
    client: Any, app_db: Database, body: dict[str, Any], field_name: str
) -> None:
    response = client.post("/api/workshops", json=body)
    error = assert_error(response, 400, "invalid")
    assert field_name in error["fields"], error
    assert workshop_count(app_db) == 0


def test_unknown_fields_are_named_even_when_nested(client: Any) -> None:
    response = client.post(
        "/api/workshops", json={"title": "T", "evil": 1, "boards": [{"title": "B", "locked": True}]}
    )
    error = assert_error(response, 400, "invalid")
    assert error["fields"]["evil"] == ["Unknown field."]
    assert error["fields"]["boards"] == {"0": {"locked": ["Unknown field."]}}


def test_an_organiser_password_is_required_when_the_server_sets_one(make_app: Callable[..., Any]) -> None:
    protected = make_app(organiser_password="Geheimnis-2017")
    client = protected.test_client()
    db = database_of(protected)

    assert_error(client.post("/api/workshops", json={"title": "T"}), 403, "forbidden")
    assert_error(
        client.post("/api/workshops", json={"title": "T", "organiser_password": "falsch"}), 403, "forbidden"
    )
    assert_error(
        client.post("/api/workshops", json={"title": "T", "organiser_password": ""}), 403, "forbidden"
    )
    wrong_header = client.post(
        "/api/workshops", json={"title": "T"}, headers={"X-Organiser-Password": "Geheimnis"}
    )
    assert_error(wrong_header, 403, "forbidden")
    assert workshop_count(db) == 0

    in_body = create(client, {"title": "T", "organiser_password": "Geheimnis-2017"})
    in_header = create(client, {"title": "T"}, headers={"X-Organiser-Password": "Geheimnis-2017"})
    assert workshop_count(db) == 2
    for created in (in_body, in_header):
        assert "Geheimnis-2017" not in str(created)
        assert snapshot(client, created["id"], created["moderator_key"])["workshop"]["title"] == "T"


def test_without_an_organiser_password_setting_anyone_creates_and_a_sent_password_is_ignored(
    client: Any,
) -> None:
    create(client, {"title": "Offen"})
    create(client, {"title": "Offen", "organiser_password": "egal"})


# ---- POST /api/join ----------------------------------------------------------------------


def test_join_matches_the_code_case_insensitively_ignoring_spaces(client: Any, app_db: Database) -> None:
    created = create(client)
    code = created["join_code"]
    answers = [
        join(client, code.lower(), name="Anna"),
        join(client, f" {code[:3].lower()} {code[3:]} ", name="Ben"),
        join(client, code),
    ]
    for answer in answers:
        assert set(answer) == {"workshop_id", "participant_id", "participant_token"}
        assert answer["workshop_id"] == created["id"]
        state = snapshot(client, created["id"], answer["participant_token"])
        assert state["you"] == {"role": "participant", "participant_id": answer["participant_id"]}
    assert len({a["participant_id"] for a in answers}) == 3
    assert len({a["participant_token"] for a in answers}) == 3
    with app_db.read() as s:
        names = [s.get_one(Participant, a["participant_id"]).display_name for a in answers]
    assert names == ["Anna", "Ben", ""]  # the name is optional; anonymous is the default
    assert snapshot(client, created["id"], created["moderator_key"])["participant_count"] == 3


def test_join_with_an_unknown_code_is_404_with_a_clear_message(client: Any) -> None:
    create(client)
    error = assert_error(client.post("/api/join", json={"code": "zzz zzz", "name": "Anna"}), 404, "not_found")
    assert error["message"] == "There is no open workshop with the code 'ZZZZZZ'."


def test_join_a_closed_workshop_is_404(client: Any, app_db: Database) -> None:
    created = create(client)
    with app_db.write() as s:
        s.get_one(Workshop, created["id"]).closed_at = utcnow()
    error = assert_error(client.post("/api/join", json={"code": created["join_code"]}), 404, "not_found")
    assert created["join_code"] in error["message"]


@pytest.mark.parametrize(
    ("body", "field_name"),
    [
        ({}, "code"),
        ({"code": ""}, "code"),
        ({"code": 123456}, "code"),
        ({"code": "KARF7V", "name": "n" * 121}, "name"),
        ({"code": "KARF7V", "name": "Anna\x00"}, "name"),
        ({"code": "KARF7V", "name": None}, "name"),
        ({"code": "KARF7V", "role": "moderator"}, "role"),
    ],
    ids=[
        "no code",
        "empty code",
        "code not a string",
        "name of 121",
        "name with NUL",
        "name null",
        "unknown field",
    ],
)
def test_join_with_invalid_fields_is_400(
    client: Any, app_db: Database, body: dict[str, Any], field_name: str
) -> None:
    error = assert_error(client.post("/api/join", json=body), 400, "invalid")
    assert field_name in error["fields"], error
    with app_db.read() as s:
        assert s.scalar(select(func.count(Participant.id))) == 0


@pytest.mark.parametrize("bad", ["\x00", "\ud800"], ids=["NUL", "lone surrogate"])
def test_join_with_a_nul_or_lone_surrogate_in_the_code_is_not_found_not_a_crash(
    client: Any, database_url: str, request: pytest.FixtureRequest, bad: str
) -> None:
    created = create(client)
    response = client.post(
        "/api/join", json={"code": created["join_code"][:3] + bad + created["join_code"][3:]}
    )
    assert response.status_code in (400, 404)
    assert response.get_json()["error"]["code"] in ("invalid", "not_found")


# ---- GET /api/workshops/<id> -------------------------------------------------------------


def test_snapshot_for_each_credential(client: Any) -> None:
    created = create(client)
    anna = join(client, created["join_code"], name="Anna")
    expected_you = {
        created["moderator_key"]: {"role": "moderator", "participant_id": None},
        created["projector_key"]: {"role": "projector", "participant_id": None},
        anna["participant_token"]: {"role": "participant", "participant_id": anna["participant_id"]},
        created["assistant_key"]: {"role": "assistant", "participant_id": None},
    }
    states = []
    for secret, you in expected_you.items():
        state = snapshot(client, created["id"], secret)
        moderator = you["role"] == "moderator"
        assert set(state) == (MODERATOR_SNAPSHOT_KEYS if moderator else SNAPSHOT_KEYS)
        assert state["you"] == you
        states.append({k: v for k, v in state.items() if k not in ("you", "history")})
    assert states[0] == states[1] == states[2] == states[3]  # everyone sees the same board
    lowercase_scheme = client.get(
        f"/api/workshops/{created['id']}", headers={"Authorization": f"bearer {created['projector_key']}"}
    )
    assert lowercase_scheme.status_code == 200


def test_snapshot_without_a_valid_credential_is_401(client: Any) -> None:
    created = create(client)
    other = create(client, {"title": "Ein anderer Workshop"})
    stranger = join(client, other["join_code"])
    url = f"/api/workshops/{created['id']}"
    for headers in [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer    "},
        {"Authorization": f"Basic {created['moderator_key']}"},
        {"Authorization": created["moderator_key"]},
        bearer("falsch"),
        bearer(created["moderator_key"][:-1]),
        bearer(other["moderator_key"]),
        bearer(other["projector_key"]),
        bearer(stranger["participant_token"]),  # a participant token of another workshop
    ]:
        error = assert_error(client.get(url, headers=headers), 401, "unauthorized")
        assert created["moderator_key"] not in error["message"]
    assert_error(
        client.get("/api/workshops/gibt-es-nicht", headers=bearer(created["moderator_key"])),
        401,
        "unauthorized",
    )
    assert_error(
        client.get(f"/api/workshops/{other['id']}", headers=bearer(created["moderator_key"])),
        401,
        "unauthorized",
    )


def test_snapshot_with_a_nul_in_the_workshop_id_is_401_not_a_crash(
    client: Any, database_url: str, request: pytest.FixtureRequest
) -> None:
    created = create(client)
    response = client.get(f"/api/workshops/{created['id']}%00", headers=bearer(created["moderator_key"]))
    assert_error(response, 401, "unauthorized")


def test_snapshot_of_a_closed_workshop_is_refused(client: Any, app_db: Database) -> None:
    created = create(client)
    with app_db.write() as s:
        s.get_one(Workshop, created["id"]).closed_at = utcnow()
    assert_error(
        client.get(f"/api/workshops/{created['id']}", headers=bearer(created["moderator_key"])),
        401,
        "unauthorized",
    )


def test_links_again_for_the_moderator_only(client: Any) -> None:
    created = create(client)
    anna = join(client, created["join_code"])
    response = client.get(f"/api/workshops/{created['id']}/links", headers=bearer(created["moderator_key"]))
    assert response.status_code == 200
    assert response.get_json() == {
        "join_code": created["join_code"],
        "projector_key": created["projector_key"],
        "assistant_key": created["assistant_key"],
        "links": created["links"],
    }
    for secret in (created["projector_key"], anna["participant_token"], "falsch"):
        error = assert_error(
            client.get(f"/api/workshops/{created['id']}/links", headers=bearer(secret)), 401, "unauthorized"
        )
        assert created["moderator_key"] not in str(error)
    assert_error(client.get(f"/api/workshops/{created['id']}/links"), 401, "unauthorized")


# ---- health, headers, errors -------------------------------------------------------------


def test_healthz(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def _csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def test_security_headers_on_every_kind_of_response(client: Any) -> None:
    created = create(client)
    responses = {
        "health": client.get("/healthz"),
        "created": client.post("/api/workshops", json={"title": "T"}),
        "snapshot": client.get(f"/api/workshops/{created['id']}", headers=bearer(created["moderator_key"])),
        "invalid": client.post("/api/workshops", json={}),
        "unauthorized": client.get(f"/api/workshops/{created['id']}"),
        "api not found": client.get("/api/gibt-es-nicht"),
        "start page": client.get("/"),
        "participant page": client.get(f"/j/{created['join_code']}"),
        "moderator page": client.get(f"/m/{created['id']}"),
    }
    for name, response in responses.items():
        assert response.status_code in (200, 201, 400, 401, 404), name
        csp = response.headers.get("Content-Security-Policy")
        assert csp, name
        directives = _csp_directives(csp)
        script_src = directives.get("script-src", directives.get("default-src"))
        assert script_src is not None, name
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, name
        assert "*" not in script_src, name
        assert directives["default-src"] == ["'self'"], name
        assert directives["object-src"] == ["'none'"], name
        assert directives["frame-ancestors"] == ["'none'"], name
        assert response.headers.get("Referrer-Policy") == "no-referrer", name
        assert response.headers.get("X-Content-Type-Options") == "nosniff", name


@pytest.mark.parametrize("path", ["/api/workshops", "/api/join"])
@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("Titel=Workshop", "application/x-www-form-urlencoded"),
        ('{"title": "T"}', "text/plain"),
        ('{"title": "T"', "application/json"),
        ("", "application/json"),
        ('["title", "T"]', "application/json"),
        ('"T"', "application/json"),
        ("null", "application/json"),
    ],
    ids=["form", "json as text/plain", "malformed json", "empty", "json array", "json string", "json null"],
)
def test_a_body_that_is_not_a_json_object_is_a_400_json_error(
    client: Any, app_db: Database, path: str, data: str, content_type: str
) -> None:
    error = assert_error(client.post(path, data=data, content_type=content_type), 400, "invalid")
    assert error["message"] == "The request body must be a JSON object."
    assert workshop_count(app_db) == 0


def test_an_unknown_api_path_is_a_json_404(client: Any) -> None:
    for path in ("/api/gibt-es-nicht", "/api/workshops/abc/def/ghi", "/api/"):
        assert_error(client.get(path), 404, "not_found")
    assert_error(client.post("/api/nichts", json={"title": "T"}), 404, "not_found")


def test_a_wrong_method_on_the_api_is_a_json_error(client: Any) -> None:
    response = client.get("/api/workshops")
    assert_error(response, 405, "invalid")
    assert_error(client.delete("/api/join"), 405, "invalid")


def test_a_body_over_4_mb_is_too_large(client: Any, app_db: Database) -> None:
    body = '{"title": "' + "x" * (4 * 1024 * 1024) + '"}'
    assert_error(client.post("/api/workshops", data=body, content_type="application/json"), 413, "too_large")
    assert workshop_count(app_db) == 0


def test_the_api_grants_no_cross_origin_access(client: Any) -> None:
    """No CORS headers: a page on another origin can neither read answers nor send JSON bodies."""
    evil = {"Origin": "https://evil.example"}
    created = client.post("/api/workshops", json={"title": "T"}, headers=evil)
    preflight = client.options("/api/workshops", headers={**evil, "Access-Control-Request-Method": "POST"})
    for response in (created, preflight):
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "Access-Control-Allow-Credentials" not in response.headers


# ---- DELETE /api/workshops/<id> ------------------------------------------------------------


def test_the_moderator_deletes_the_workshop_and_connected_screens_are_told(
    client: Any, socket_client: Any
) -> None:
    created = create(client)
    projector = socket_client({"workshop": created["id"], "projector_key": created["projector_key"]})
    assert projector.is_connected()
    for key in ("projector_key",):
        assert_error(
            client.delete(f"/api/workshops/{created['id']}", headers=bearer(created[key])),
            401,
            "unauthorized",
        )
    response = client.delete(f"/api/workshops/{created['id']}", headers=bearer(created["moderator_key"]))
    assert response.status_code == 200
    assert response.get_json() == {"deleted": created["id"]}
    told = [m for m in projector.get_received() if m["name"] == "workshop_deleted"]
    assert told == [{"name": "workshop_deleted", "args": [{"workshop_id": created["id"]}], "namespace": "/"}]
    gone = client.get(f"/api/workshops/{created['id']}", headers=bearer(created["moderator_key"]))
    assert_error(gone, 401, "unauthorized")
    assert_error(client.post("/api/join", json={"code": created["join_code"]}), 404, "not_found")
