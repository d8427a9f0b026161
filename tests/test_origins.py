"""Only the server's own origin (plus the allow-list and public_url) reaches Socket.IO and the
JSON API; X-Forwarded-* headers decide the own origin only when proxy_count trusts them.

The rules through Flask's test client (every API endpoint that changes something, the allow-list,
the proxy settings), then through a real server: python-socketio clients over WebSocket and over
long-polling, and plain HTTP requests, sending the Origin a page on that site would send.
Origins have nothing to do with the database, so this module runs on SQLite only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from sqlalchemy import func, select

from pinboard.app import create_app, database_of
from pinboard.config import Settings
from pinboard.models import Participant, Workshop
from pinboard.origins import origin_checker, own_origin
from tests.conftest import LiveServer

EVIL = "https://evil.example"
PUBLIC = "https://pinboard.example.org"
# What a proxy in front of the server adds when it forwards https://pinboard.example.org.
FORWARDED = {"X-Forwarded-Host": "pinboard.example.org", "X-Forwarded-Proto": "https"}


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'pinboard.sqlite3'}"


@pytest.fixture
def make_app(tmp_path: Path, database_url: str) -> Iterator[Callable[..., Any]]:
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


def counts(app: Any) -> tuple[int, int]:
    with database_of(app).read() as session:
        return (
            int(session.scalar(select(func.count(Workshop.id))) or 0),
            int(session.scalar(select(func.count(Participant.id))) or 0),
        )


def assert_forbidden_origin(response: Any, origin: str) -> None:
    assert response.status_code == 403, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "forbidden"
    assert origin in error["message"]
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


# ---- the rules, through the test client ---------------------------------------------------


def test_the_api_refuses_every_request_from_a_foreign_page_and_changes_nothing(make_app) -> None:
    app = make_app()
    client = app.test_client()
    created = client.post("/api/workshops", json={"title": "T"}).get_json()
    moderator = {"Authorization": f"Bearer {created['moderator_key']}"}
    exported = client.get(f"/api/workshops/{created['id']}/export?format=json", headers=moderator)
    assert exported.status_code == 200
    before = counts(app)
    evil = {"Origin": EVIL}
    foreign = [
        client.post("/api/workshops", json={"title": "Fremd"}, headers=evil),
        client.post("/api/join", json={"code": created["join_code"]}, headers=evil),
        client.delete(f"/api/workshops/{created['id']}", headers={**evil, **moderator}),
        client.post("/api/workshops/import", json=exported.get_json(), headers=evil),
        client.get(f"/api/workshops/{created['id']}", headers={**evil, **moderator}),
        client.get(f"/api/workshops/{created['id']}/links", headers={**evil, **moderator}),
        client.get(f"/api/workshops/{created['id']}/export?format=json", headers={**evil, **moderator}),
        client.options("/api/workshops", headers={**evil, "Access-Control-Request-Method": "POST"}),
    ]
    for response in foreign:
        assert_forbidden_origin(response, EVIL)
    # A sandboxed frame on a foreign site sends "null"; the browser says whose page it is.
    for headers in ({"Origin": "null"}, {"Origin": "null", "Sec-Fetch-Site": "cross-site"}):
        assert_forbidden_origin(client.post("/api/workshops", json={"title": "T"}, headers=headers), "null")
    assert counts(app) == before

    # The same requests from the server's own pages, and from scripts (no Origin), work.
    own = {"Origin": "http://localhost"}
    assert client.post("/api/join", json={"code": created["join_code"]}, headers=own).status_code == 200
    assert client.post("/api/join", json={"code": created["join_code"]}).status_code == 200
    assert (
        client.post(
            "/api/workshops", json={"title": "T"}, headers={"Origin": "HTTP://LOCALHOST/"}
        ).status_code
        == 201
    )
    own_null = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/api/workshops", json={"title": "T"}, headers=own_null).status_code == 201
    assert client.delete(f"/api/workshops/{created['id']}", headers={**own, **moderator}).status_code == 200
    # Pages themselves are not the API: a link from anywhere opens them.
    assert client.get("/", headers=evil).status_code == 200


def test_the_allow_list_and_public_url_add_origins(make_app) -> None:
    client = make_app(
        cors_allowed_origins=["https://partner.example/"], public_url=PUBLIC + "/pinboard"
    ).test_client()
    for origin in ("https://partner.example", PUBLIC, "http://localhost"):
        assert (
            client.post("/api/workshops", json={"title": "T"}, headers={"Origin": origin}).status_code == 201
        )
    for origin in (
        EVIL,
        "http://partner.example",
        "https://partner.example:8443",
        "https://pinboard.example.org.evil.example",
    ):
        assert_forbidden_origin(
            client.post("/api/workshops", json={"title": "T"}, headers={"Origin": origin}), origin
        )


@pytest.mark.parametrize("proxy_count", [0, 1])
def test_forwarded_headers_count_only_with_proxy_count(make_app, proxy_count: int) -> None:
    client = make_app(proxy_count=proxy_count).test_client()
    claimed = client.post("/api/workshops", json={"title": "T"}, headers={**FORWARDED, "Origin": PUBLIC})
    direct = client.post(
        "/api/workshops", json={"title": "T"}, headers={**FORWARDED, "Origin": "http://localhost"}
    )
    if proxy_count == 0:  # anyone can send X-Forwarded-Host: it means nothing
        assert_forbidden_origin(claimed, PUBLIC)
        assert direct.status_code == 201
        assert direct.get_json()["links"]["participant"].startswith("http://localhost/j/")
    else:  # the proxy says what the public origin is
        assert claimed.status_code == 201
        assert claimed.get_json()["links"]["participant"].startswith(f"{PUBLIC}/j/")
        assert_forbidden_origin(direct, "http://localhost")


def test_own_origin_trusts_exactly_proxy_count_forwarded_values() -> None:
    environ = {
        "HTTP_HOST": "10.0.0.5:5000",
        "wsgi.url_scheme": "http",
        "HTTP_X_FORWARDED_HOST": "evil.example, pinboard.example.org",
        "HTTP_X_FORWARDED_PROTO": "https",
    }
    assert own_origin(environ, 0) == "http://10.0.0.5:5000"
    assert own_origin(environ, 1) == PUBLIC  # the value the (one, outermost) proxy appended
    assert own_origin({**environ, "HTTP_X_FORWARDED_PROTO": "http, https"}, 1) == PUBLIC
    # With two trusted proxies the outer one's value counts, never what the client sent first.
    assert own_origin({**environ, "HTTP_X_FORWARDED_PROTO": "http, https"}, 2) == "http://evil.example"
    # Fewer values than trusted proxies: none of them is trusted (as werkzeug's ProxyFix does).
    assert (
        own_origin({**environ, "HTTP_X_FORWARDED_HOST": "pinboard.example.org"}, 2) == "http://10.0.0.5:5000"
    )
    check = origin_checker([], 0)
    assert check(None, environ) is True
    assert check("http://10.0.0.5:5000", environ) is True
    assert check(EVIL, environ) is False
    assert check("null", environ) is False
    assert check("null", {**environ, "HTTP_SEC_FETCH_SITE": "same-site"}) is False
    assert check("null", {**environ, "HTTP_SEC_FETCH_SITE": "same-origin"}) is True


# ---- a real server ------------------------------------------------------------------------


def create_workshop(server: LiveServer, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.post(
        f"{server.url}/api/workshops", json={"title": "Herkunft"}, headers=headers, timeout=10
    )


def socket_connects(
    server: LiveServer, workshop: dict[str, Any], transport: str, headers: dict[str, str]
) -> bool:
    """Connect as the moderator with these headers (and no Origin of the client library's own)."""
    client = socketio.Client(reconnection=False, websocket_extra_options={"suppress_origin": True})
    try:
        client.connect(
            server.url,
            auth={"workshop": workshop["id"], "moderator_key": workshop["moderator_key"]},
            headers=headers,
            transports=[transport],
            wait_timeout=5,
        )
    except socketio.exceptions.ConnectionError:
        return False
    try:
        ack = client.call("sync", {}, timeout=10)
        assert ack["ok"] is True and ack["data"]["snapshot"]["workshop"]["id"] == workshop["id"], ack
        return True
    finally:
        client.disconnect()


def test_a_real_server_refuses_a_foreign_origin(live_server: Callable[..., LiveServer]) -> None:
    server = live_server()
    refused = create_workshop(server, {"Origin": EVIL})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    created = create_workshop(server, {"Origin": server.url})
    assert created.status_code == 201
    workshop = created.json()
    join = requests.post(
        f"{server.url}/api/join", json={"code": workshop["join_code"]}, headers={"Origin": EVIL}, timeout=10
    )
    assert join.status_code == 403

    for transport in ("websocket", "polling"):
        assert socket_connects(server, workshop, transport, {"Origin": EVIL}) is False, transport
        assert socket_connects(server, workshop, transport, {"Origin": server.url}) is True, transport
        assert socket_connects(server, workshop, transport, {}) is True, transport  # a script
    assert "https://evil.example is not an accepted origin" in server.log()


@pytest.mark.parametrize("proxy_count", [0, 1])
def test_a_real_server_trusts_forwarded_headers_only_with_proxy_count(
    live_server: Callable[..., LiveServer], proxy_count: int
) -> None:
    server = live_server(PINBOARD_PROXY_COUNT=str(proxy_count))
    workshop = create_workshop(server).json()
    claimed = {**FORWARDED, "Origin": PUBLIC}
    direct = {**FORWARDED, "Origin": server.url}
    trusted = proxy_count > 0
    assert create_workshop(server, claimed).status_code == (201 if trusted else 403)
    assert create_workshop(server, direct).status_code == (403 if trusted else 201)
    for transport in ("websocket", "polling"):
        assert socket_connects(server, workshop, transport, claimed) is trusted, transport
        assert socket_connects(server, workshop, transport, direct) is not trusted, transport
