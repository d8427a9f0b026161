"""The Metaplan methods in the browser, end to end: a hidden card query across two phones, the
read-only projector, the moderator's board and the console (face-down cards with a count, "N of M
done", revealing all at once and one by one), colours (the moderator's palette and the phone's
colour picker) and a cluster headline on the projector. Real server, real Chromium."""

from __future__ import annotations

import re
from typing import Any

import pytest
import socketio
from playwright.sync_api import expect

from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    axe_violations,
    create_workshop,
    screenshot,
)
from tests.browser.test_board import card, cluster, open_moderator, open_projector
from tests.browser.test_console import board_item
from tests.browser.test_participant import join, my_card, post

pytestmark = pytest.mark.browser

ANNA = "Mehr Zeit für den Austausch zwischen den Ämtern"
BEN = "Verbindliche Absprachen statt Einzelkämpfe"
LATE = "Ergebnisse sichtbar machen"


def open_console(open_page: Any, workshop: dict[str, Any]) -> Any:
    page = open_page(f"/m/{workshop['id']}#key={workshop['moderator_key']}", LAPTOP, locale="en-GB")
    expect(page.locator("#status")).to_have_attribute("data-status", "online")
    return page


def open_phone(open_page: Any, workshop: dict[str, Any], name: str) -> Any:
    page = open_page(f"/j/{workshop['join_code']}", PHONE, locale="en-GB")
    join(page, name)
    return page


def moderator_socket(server: Any, workshop: dict[str, Any]) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    client.connect(
        server.url,
        auth={"workshop": workshop["id"], "moderator_key": workshop["moderator_key"]},
        transports=["websocket"],
        wait_timeout=10,
    )
    return client


def call(client: socketio.Client, event: str, payload: dict[str, Any]) -> Any:
    ack = client.call(event, payload, timeout=10)
    assert ack["ok"], ack
    return ack["data"]


def test_a_hidden_card_query_from_the_phones_to_the_projector(server: Any, open_page: Any) -> None:
    workshop = create_workshop(
        server,
        language="en",
        boards=[
            {"title": "Einstieg", "clusters": ["Rahmenbedingungen", "Spannungsfelder", "Handlungsansätze"]}
        ],
    )
    console = open_console(open_page, workshop)
    item = board_item(console, "Einstieg")

    # The moderator starts the hidden card query in the console.
    item.get_by_label("Hidden card query").check()
    expect(console.locator("#announcer")).to_contain_text("Setting saved")
    expect(item.locator(".badge.done")).to_have_text("0 of 0 done")

    projector = open_projector(open_page, workshop)
    board = open_moderator(open_page, workshop)
    expect(projector.locator("#query-bar")).to_be_visible()
    expect(projector.locator("#query-count")).to_have_text("No cards yet")

    # Two phones join; they are told their cards stay hidden, and post.
    anna = open_phone(open_page, workshop, "Anna")
    ben = open_phone(open_page, workshop, "Ben")
    for phone in (anna, ben):
        expect(phone.locator("#query-banner")).to_be_visible()
        expect(phone.get_by_role("button", name="I'm done")).to_be_visible()
        expect(phone.locator("#color-field")).to_be_hidden()  # the moderator chooses colours
    post(anna, ANNA)
    post(ben, BEN)

    # The projector: two cards face down, the count, nobody done yet; no text, no author.
    expect(projector.locator(".card.face-down")).to_have_count(2)
    expect(projector.locator("#query-count")).to_have_text("2 cards in")
    expect(projector.locator("#query-done")).to_have_text("0 of 2 done")
    expect(projector.locator("#inbox-count")).to_have_text("2 cards")  # unrevealed cards count
    for text in (ANNA, BEN, "Anna", "Ben"):
        expect(projector.locator("#board-layout")).not_to_contain_text(text)
    # The moderator's board is often what the room sees: face down there too.
    expect(board.locator(".card.face-down")).to_have_count(2)
    expect(board.locator("#board-layout")).not_to_contain_text(ANNA)
    # Each phone has its own card whole, and nothing of the other's.
    expect(my_card(anna, ANNA)).to_be_visible()
    expect(my_card(anna, ANNA)).to_contain_text("Hidden until the moderator reveals it")
    expect(anna.locator("#my-cards")).not_to_contain_text(BEN)
    expect(my_card(ben, BEN)).to_be_visible()
    assert ANNA not in ben.content() and BEN not in anna.content()
    my_card(anna, ANNA).scroll_into_view_if_needed()
    screenshot(anna, "phone-hidden-card")
    assert ANNA not in projector.content() and BEN not in projector.content()
    projector.wait_for_timeout(500)  # the cards' arrival animation
    screenshot(projector, "projector-hidden")
    assert axe_violations(projector) == []
    screenshot(board, "moderator-hidden")

    # Both phones say they are done: the projector and the console count them.
    anna.get_by_role("button", name="I'm done").click()
    expect(anna.get_by_text("You are done. The moderator reveals the cards soon.")).to_be_visible()
    expect(projector.locator("#query-done")).to_have_text("1 of 2 done")
    ben.get_by_role("button", name="I'm done").click()
    expect(projector.locator("#query-done")).to_have_text("2 of 2 done")
    expect(item.locator(".badge.done")).to_have_text("2 of 2 done")
    expect(item.locator(".badge.hidden-cards")).to_have_text("2 hidden")
    item.scroll_into_view_if_needed()
    screenshot(console, "console-card-query")
    expect(anna.locator("#done-count")).to_have_text("2 of 2 done")
    screenshot(anna, "phone-done")
    assert axe_violations(anna) == []
    # Taking it back and saying it again.
    anna.get_by_role("button", name="I want to write more").click()
    expect(projector.locator("#query-done")).to_have_text("1 of 2 done")
    anna.get_by_role("button", name="I'm done").click()
    expect(projector.locator("#query-done")).to_have_text("2 of 2 done")

    # The moderator reveals all on the board: the cards turn face up everywhere.
    board.get_by_role("button", name="Reveal all").click()
    expect(projector.locator(".card.face-down")).to_have_count(0)
    expect(card(projector, ANNA)).to_be_visible()
    expect(card(projector, ANNA)).to_contain_text("Anna")
    expect(card(projector, BEN)).to_be_visible()
    expect(projector.locator("#query-count")).to_have_text("All cards revealed")
    expect(board.get_by_role("button", name="Reveal all")).to_be_disabled()
    expect(card(board, BEN)).to_be_visible()
    expect(my_card(anna, ANNA)).not_to_contain_text("Hidden until")
    expect(item.locator(".badge.hidden-cards")).to_be_hidden()

    # Colours: the moderator recolours a card in its dialog.
    moderator = moderator_socket(server, workshop)
    try:
        state = call(moderator, "sync", {})["snapshot"]["boards"][0]
        clusters = {c["name"]: c["id"] for c in state["clusters"]}
        ids = {c["text"]: c["id"] for c in state["unsorted"]}
        call(moderator, "card:move", {"card_id": ids[ANNA], "cluster_id": clusters["Spannungsfelder"]})
        call(moderator, "card:move", {"card_id": ids[BEN], "cluster_id": clusters["Handlungsansätze"]})
    finally:
        moderator.disconnect()
    expect(cluster(projector, "Spannungsfelder").locator(".card")).to_have_count(1)
    card(board, ANNA).dblclick()
    dialog = board.get_by_role("dialog", name="Card", exact=True)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Yellow")).to_have_attribute("aria-pressed", "true")
    dialog.get_by_role("button", name="Green").click()
    expect(dialog.get_by_role("button", name="Green")).to_have_attribute("aria-pressed", "true")
    screenshot(board, "moderator-card-dialog")
    expect(card(projector, ANNA)).to_have_attribute("data-color", "green")
    expect(my_card(anna, ANNA)).to_have_attribute("data-color", "green")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()

    # A headline card for a cluster, from the cluster's tools on the board.
    target = cluster(board, "Spannungsfelder")
    target.locator(".cluster-toggle").click()
    target.get_by_role("button", name="Edit the headline of the cluster “Spannungsfelder”").click()
    headline = board.get_by_label("Headline card of the cluster “Spannungsfelder”")
    headline.fill("Zwischen Tempo und Beteiligung")
    headline.press("Enter")
    expect(cluster(projector, "Spannungsfelder").locator(".headline-card")).to_have_text(
        re.compile("Zwischen Tempo und Beteiligung")
    )
    expect(board_item(console, "Einstieg").locator(".chip-headline")).to_contain_text(
        "Zwischen Tempo und Beteiligung"
    )

    # Participants may choose colours once the board lets them; a late card comes in hidden
    # and is revealed on its own, from its dialog.
    board_item(console, "Einstieg").get_by_label("Participants choose the colour of their cards").check()
    expect(anna.locator("#color-field")).to_be_visible()
    anna.locator("#color-field").get_by_text("Blue").click()
    anna.locator("#composer").scroll_into_view_if_needed()
    screenshot(anna, "phone-colour-picker")
    assert axe_violations(anna) == []
    post(anna, LATE)
    expect(my_card(anna, LATE)).to_have_attribute("data-color", "blue")
    expect(projector.locator(".card.face-down")).to_have_count(1)
    expect(projector.locator("#query-count")).to_have_text("1 card in")
    board.locator(".card.face-down").dblclick()
    dialog = board.get_by_role("dialog", name="Card", exact=True)
    expect(dialog.locator("#move-card-text")).to_have_text("Hidden card")
    screenshot(board, "moderator-card-dialog-hidden")
    dialog.get_by_role("button", name="Reveal this card").click()
    expect(dialog.locator("#move-card-text")).to_have_text(LATE)
    dialog.get_by_role("button", name="Cancel").click()
    expect(card(projector, LATE)).to_have_attribute("data-color", "blue")
    expect(projector.locator(".card.face-down")).to_have_count(0)
    projector.locator(".card").first.wait_for()
    projector.wait_for_timeout(600)  # let the turning animation finish for the screenshot
    screenshot(projector, "projector-revealed")
    assert axe_violations(projector) == []
