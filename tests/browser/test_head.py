"""The `head` signal in the pages' connection module (static/js/connection.js): an event the page
never received (as when the message queue dropped it) is caught up with `sync` once the server's
head says the page is behind; and the Socket.IO URL carries the page's `route` for the proxy."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import socketio
from playwright.sync_api import expect

from pinboard.actors import Actor
from pinboard.cards import create_card
from pinboard.database import Database
from tests.browser.conftest import PROJECTOR, create_workshop, path_of, snapshot

pytestmark = pytest.mark.browser


def _record_without_broadcast(database_url: str, workshop_id: str, board_id: int, text: str) -> None:
    """A card committed and logged, whose event no connection receives."""
    database = Database(database_url)
    try:
        with database.write() as session:
            create_card(
                session, Actor.moderator(workshop_id), client_id="h" * 16, board_id=board_id, text=text
            )
    finally:
        database.dispose()


def test_a_page_behind_the_head_catches_up_and_keeps_its_route(server: Any, open_page: Any) -> None:
    workshop = create_workshop(server, boards=[{"title": "Ideas"}])
    sockets: list[str] = []
    page = open_page("", PROJECTOR)
    page.on("websocket", lambda socket: sockets.append(socket.url))
    page.goto(server.url + path_of(workshop["links"]["projector"]))
    expect(page.locator("#status")).to_have_attribute("data-status", "online")
    expect(page.locator(".card")).to_have_count(0)

    board_id = snapshot(server, workshop)["boards"][0]["id"]
    _record_without_broadcast(server.database_url, workshop["id"], board_id, "Lost on the way")
    # The head comes within 2 s, the page waits 0.5 s for the event, then syncs.
    expect(page.locator(".card")).to_have_count(1, timeout=6000)
    expect(page.locator(".card").first).to_contain_text("Lost on the way")

    routes = {parse_qs(urlsplit(url).query).get("route", [""])[0] for url in sockets if "/socket.io/" in url}
    assert len(routes) == 1 and len(routes.pop()) == 32, sockets


def test_a_page_that_sees_a_gap_catches_up(server: Any, open_page: Any) -> None:
    """An event beyond a gap waits a moment for the missing one (it may come later from another
    process), then the page syncs; both cards are shown, each once."""
    workshop = create_workshop(server, boards=[{"title": "Ideas"}])
    page = open_page(path_of(workshop["links"]["projector"]), PROJECTOR)
    expect(page.locator("#status")).to_have_attribute("data-status", "online")
    board_id = snapshot(server, workshop)["boards"][0]["id"]
    _record_without_broadcast(server.database_url, workshop["id"], board_id, "Never sent")
    moderator = socketio.Client(reconnection=False)
    moderator.connect(
        server.url, auth={"workshop": workshop["id"], "moderator_key": workshop["moderator_key"]}
    )
    try:
        payload = {"client_id": "g" * 16, "board_id": board_id, "text": "Sent after it"}
        assert moderator.call("card:create", payload, timeout=10)["seq"] == 2
    finally:
        moderator.disconnect()
    expect(page.locator(".card")).to_have_count(2)
    expect(page.locator(".card", has_text="Never sent")).to_have_count(1)
    expect(page.locator(".card", has_text="Sent after it")).to_have_count(1)
