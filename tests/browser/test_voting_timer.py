"""The console runs a timer and a round of dot voting; the projector shows both."""

from __future__ import annotations

import re
import uuid
from typing import Any

import requests
import socketio
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PROJECTOR, axe_violations, create_workshop, path_of, screenshot


def participant(server: Any, workshop: dict[str, Any]) -> socketio.Client:
    token = requests.post(f"{server.url}/api/join", json={"code": workshop["join_code"]}, timeout=10).json()[
        "participant_token"
    ]
    client = socketio.Client()
    client.connect(server.url, auth={"workshop": workshop["id"], "token": token}, transports=["websocket"])
    return client


def test_timer_and_dot_voting_from_the_console(server: Any, open_page: Any) -> None:
    workshop = create_workshop(server)
    anna, ben = participant(server, workshop), participant(server, workshop)
    board_id = anna.call("sync", {})["data"]["snapshot"]["boards"][0]["id"]
    cards = [
        anna.call("card:create", {"client_id": uuid.uuid4().hex, "board_id": board_id, "text": text})["data"]
        for text in ("Leitsätze erstellen", "Rollenklarheit schaffen")
    ]
    console = open_page(path_of(workshop["links"]["moderator"]), LAPTOP)
    projector = open_page(path_of(workshop["links"]["projector"]), PROJECTOR)
    expect(projector.locator("#status")).to_have_attribute("data-status", "online")
    panel = console.locator("#methods-panel")
    panel.scroll_into_view_if_needed()
    expect(panel.locator("#methods-board option")).not_to_have_count(0)

    # A five-minute timer: the projector counts down from 05:00 (or 04:59).
    panel.get_by_label("Minutes").fill("5")
    panel.get_by_role("button", name="Start").click()
    clock = projector.locator("#board-timer")
    expect(clock).to_have_text(re.compile(r"^0(5:00|4:5\d)$"), timeout=3000)
    panel.get_by_role("button", name="Pause").click()
    expect(clock).to_have_class(re.compile(r"\bpaused\b"))
    paused_at = clock.inner_text()
    projector.wait_for_timeout(1500)
    assert clock.inner_text() == paused_at
    screenshot(projector, "projector-timer")

    # Dot voting: open, two participants place dots, close: the projector shows the badges.
    panel.get_by_label("Dots per person").fill("3")
    panel.get_by_label("At most per card").fill("2")
    panel.get_by_role("button", name="Open voting").click()
    expect(panel.get_by_role("status")).to_contain_text("Voting is open")
    for client, picks in ((anna, [0, 0, 1]), (ben, [0, 1])):
        for index in picks:
            reply = client.call("vote:cast", {"card_id": cards[index]["id"]})
            assert reply["ok"], reply
    assert anna.call("vote:cast", {"card_id": cards[1]["id"]})["error"]["code"] == "budget_exceeded"
    expect(projector.locator(".dot-badge")).to_have_count(0)  # hidden until the round closes
    panel.get_by_role("button", name="Close voting").click()
    first = projector.locator(".card").filter(has_text="Leitsätze erstellen")
    second = projector.locator(".card").filter(has_text="Rollenklarheit schaffen")
    expect(first.locator(".dot-badge")).to_have_text("● 3")
    expect(second.locator(".dot-badge")).to_have_text("● 2")
    assert axe_violations(console) == []
    screenshot(projector, "projector-voting")
    for client in (anna, ben):
        client.disconnect()
