"""The shipped deployment: real nginx (deploy/nginx.conf) in front of three server processes on
PostgreSQL and Redis, clients on websockets and long-polling spread over the processes."""

from __future__ import annotations

import collections
import re
import secrets
import time
from pathlib import Path

import pytest
import requests

from tests.cluster import Cluster, card_texts, cluster, create_workshop, require_postgres_and_redis
from tests.nginx import Nginx
from tests.replica import LiveClient

pytestmark = pytest.mark.server

MAX_CLIENTS = 40
CARDS = 10


@pytest.fixture
def deployment(tmp_path: Path, postgres_url: str):  # type: ignore[no-untyped-def]
    require_postgres_and_redis()
    with cluster(tmp_path, postgres_url, 3, PINBOARD_PROXY_COUNT="1") as group:
        nginx = Nginx(tmp_path / "nginx", [server.port for server in group.servers])
        try:
            yield group, nginx.start()
        finally:
            nginx.stop()


def _spread_clients(nginx: Nginx, group: Cluster, workshop_id: str, tokens: list[str]) -> list[LiveClient]:
    """Connect phones through nginx, each with a random route, alternately on websockets and
    long-polling, until every process has a client of each transport."""
    clients: list[LiveClient] = []
    placed: collections.Counter[tuple[str, str]] = collections.Counter()
    while len(placed) < 2 * len(group.servers):
        assert len(clients) < MAX_CLIENTS, f"nginx did not spread the clients: {placed}"
        transport = "websocket" if len(clients) % 2 == 0 else "polling"
        url = f"{nginx.url}/?route={secrets.token_hex(8)}"
        client = LiveClient(url, {"workshop": workshop_id, "token": tokens[len(clients)]}, [transport])
        clients.append(client.connect())
        assert client.server is not None
        placed[(client.server, transport)] += 1
    return clients


def _post(poster: LiveClient, board_id: int, texts: list[str]) -> None:
    for text in texts:
        ack = poster.call(
            "card:create", {"client_id": secrets.token_hex(8), "board_id": board_id, "text": text}
        )
        assert ack["ok"], ack


def test_clients_through_nginx_get_every_card_once_and_survive_a_killed_process(deployment) -> None:  # type: ignore[no-untyped-def]
    group, nginx = deployment
    workshop = create_workshop(nginx.url, MAX_CLIENTS + 1)
    clients = _spread_clients(nginx, group, workshop.id, workshop.tokens[1:])
    poster_url = f"{nginx.url}/?route={secrets.token_hex(8)}"
    poster = LiveClient(poster_url, {"workshop": workshop.id, "token": workshop.tokens[0]}).connect()
    everyone = [*clients, poster]
    try:
        first = [f"before {n}" for n in range(CARDS)]
        _post(poster, workshop.board_id, first)
        for client in everyone:
            client.wait_for_seq(CARDS)
            # Through the queue from whichever process the poster is on: once each, in order.
            assert [m["seq"] for m in client.received] == list(range(1, CARDS + 1)), client.server
        assert all(client.head_syncs == 0 and client.resyncs == 0 for client in everyone)

        victim = next(name for name in {c.server for c in clients} if name != poster.server)
        orphans = [client for client in clients if client.server == victim]
        killed_at = time.monotonic()
        group.server_named(victim).kill()
        second = [f"after {n}" for n in range(CARDS)]
        _post(poster, workshop.board_id, second)
        for client in everyone:
            client.wait_for_seq(2 * CARDS, timeout=30)
        print(
            f"\n{len(clients)} clients, {len(orphans)} on the killed process; every client had all "
            f"{2 * CARDS} cards {time.monotonic() - killed_at:.2f} s after the kill"
        )
        for client in orphans:  # reconnected through nginx to another process, and caught up
            deadline = time.monotonic() + 10
            while client.server == victim and time.monotonic() < deadline:
                time.sleep(0.05)
            assert client.server not in (None, victim)
        for client in everyone:
            assert card_texts(client) == sorted(first + second)
            seqs = [m["seq"] for m in client.received]
            assert seqs == sorted(set(seqs)), f"an event came twice or out of order: {seqs}"
            if client not in orphans:
                assert seqs == list(range(1, 2 * CARDS + 1))
    finally:
        for client in everyone:
            client.close()


def test_static_files_come_from_nginx_compressed_with_a_long_cache_lifetime(deployment) -> None:  # type: ignore[no-untyped-def]
    _group, nginx = deployment
    page = requests.get(f"{nginx.url}/j", timeout=10)
    assert page.status_code == 200
    hashed = next(
        url for url in re.findall(r'"(/static/[^"]+)"', page.text) if re.match(r"/static/[0-9a-f]{12}/", url)
    )
    response = requests.get(f"{nginx.url}{hashed}", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Server" in response.headers and response.headers["Server"].startswith("nginx")
    # Not through pinboard: its security headers are absent from static files nginx serves.
    assert "Content-Security-Policy" not in response.headers
    unhashed = requests.get(f"{nginx.url}/static/js/connection.js", timeout=10)
    assert unhashed.headers["Cache-Control"] == "no-cache" and unhashed.headers.get("ETag")


@pytest.mark.browser
def test_a_browser_through_nginx_follows_cards_posted_on_every_process(
    deployment, chromium_path: str
) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect, sync_playwright

    group, nginx = deployment
    workshop = create_workshop(nginx.url, len(group.servers))
    posters = [
        LiveClient(server.url, {"workshop": workshop.id, "token": token}).connect()
        for server, token in zip(group.servers, workshop.tokens, strict=True)
    ]
    problems: list[str] = []
    sockets: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("websocket", lambda socket: sockets.append(socket.url))
            page.goto(f"{nginx.url}/p/{workshop.id}#key={workshop.projector_key}")
            expect(page.locator("#status")).to_have_attribute("data-status", "online")
            _post(posters[0], workshop.board_id, ["from the first"])
            _post(posters[1], workshop.board_id, ["from the second"])
            _post(posters[2], workshop.board_id, ["from the third"])
            expect(page.locator(".card")).to_have_count(3)
        finally:
            browser.close()
            for poster in posters:
                poster.close()
    assert not problems, problems
    # The page's modules came through nginx (a wrong MIME type would have stopped them), and its
    # websocket carries the route that keeps it on one process.
    assert any("/socket.io/" in url and "route=" in url for url in sockets), sockets
