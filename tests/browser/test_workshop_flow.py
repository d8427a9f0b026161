"""The whole small workshop in the browser alone: the moderator creates it on the start page,
three phones join by code and post, the projector shows their cards, the moderator clusters one
by dragging it, a phone that was offline delivers its card exactly once, and nothing a participant
types is ever run as code."""

from __future__ import annotations

import re
import time
from typing import Any

import requests
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE, PROJECTOR, path_of, screenshot
from tests.browser.test_board import card, cluster, drag, inbox
from tests.browser.test_participant import expect_online, ignore_errors, join, my_card, post

XSS = "<img src=x onerror=alert(1)>"


def moderator_state(server: Any, workshop_id: str, key: str) -> dict[str, Any]:
    response = requests.get(
        f"{server.url}/api/workshops/{workshop_id}", headers={"Authorization": f"Bearer {key}"}, timeout=10
    )
    assert response.status_code == 200
    return response.json()


def cards_with_text(state: dict[str, Any], text: str) -> list[dict[str, Any]]:
    board = state["boards"][0]
    every = [c for cl in board["clusters"] for c in cl["cards"]] + board["unsorted"]
    return [c for c in every if c["text"] == text]


def test_a_whole_workshop_in_the_browser(server: Any, open_page: Any, browser: Any) -> None:
    dialogs: list[str] = []

    # The moderator creates the workshop on the start page.
    start = open_page("/", LAPTOP)
    start.get_by_label("Title").first.fill("Kommunale Steuerung und Empowerment im Netzwerk")
    start.get_by_label("Event").fill("Die vernetzte Kommune")
    start.get_by_label("Place").fill("Düsseldorf")
    start.get_by_role("radio", name=re.compile("Open card query")).check()
    start.get_by_role("button", name="Create workshop").click()
    start.wait_for_url(re.compile(r"/m/[A-Za-z0-9_-]+#key="))
    workshop_id, key = re.search(r"/m/([A-Za-z0-9_-]+)#key=([A-Za-z0-9_-]+)", start.url).groups()
    expect(start.locator("#join-code")).to_have_text(re.compile(r"^[ACDEFGHJKMNPQRTUVWXY34679]{6}$"))
    join_code = start.locator("#join-code").inner_text().strip()
    links = requests.get(
        f"{server.url}/api/workshops/{workshop_id}/links",
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    ).json()["links"]

    # The moderator adds a cluster on the board; the read-only projector watches.
    board = open_page(f"/m/{workshop_id}/board#key={key}", PROJECTOR)
    expect(board.locator("#status")).to_have_attribute("data-status", "online")
    board.get_by_role("button", name="Add cluster").click()
    board.get_by_label("Name of the new cluster").fill("Spannungsfelder")
    board.get_by_label("Name of the new cluster").press("Enter")
    expect(cluster(board, "Spannungsfelder")).to_be_visible()
    projector = open_page(path_of(links["projector"]), PROJECTOR)
    expect(projector.locator("#status")).to_have_attribute("data-status", "online")
    expect(cluster(projector, "Spannungsfelder")).to_be_visible()

    # Three phones join by code (typed in lower case) and post a card each.
    phones = []
    for name in ("Anna", "", "Ben"):
        phone = open_page("/j", PHONE)
        phone.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        phone.get_by_label("Workshop code").fill(join_code.lower())
        phone.get_by_role("button", name="Join").click()
        join(phone, name)
        phones.append(phone)
    expect(start.locator("#participant-count")).to_have_text("3 participants joined")
    expect(projector.get_by_text("3 participants")).to_be_visible()
    texts = [
        "Augenhöhe für kommunale Steuerung und Empowerment herstellen",
        "Bürger/innen als Ressource oder Partner?",
        XSS,
    ]
    for phone, text in zip(phones, texts, strict=True):
        post(phone, text)
    for text in texts:  # each within 2 s of the last post
        expect(card(projector, text)).to_be_visible(timeout=2000)

    # The card that looks like markup is text on every screen, and ran nothing.
    for page in (projector, board, phones[2]):
        xss_card = card(page, XSS)
        expect(xss_card).to_contain_text(XSS)
        assert xss_card.locator("img").count() == 0
    assert dialogs == []

    # The moderator drags Anna's card into the cluster; the projector follows.
    drag(board, card(board, texts[0]), cluster(board, "Spannungsfelder"))
    expect(cluster(projector, "Spannungsfelder").locator(".card")).to_have_count(1)
    expect(cluster(projector, "Spannungsfelder")).to_contain_text(texts[0])
    expect(inbox(projector).locator(".card")).to_have_count(2)
    expect(my_card(phones[0], texts[0])).to_contain_text("Spannungsfelder")

    # A phone loses the Wi-Fi, posts, gets it back: the card arrives exactly once.
    offline_text = "Geschrieben im Funkloch"
    phones[1].context.set_offline(True)
    expect(phones[1].locator("#status")).not_to_have_attribute("data-status", "online", timeout=30000)
    post(phones[1], offline_text)
    expect(my_card(phones[1], offline_text)).to_be_visible()
    time.sleep(1)
    assert cards_with_text(moderator_state(server, workshop_id, key), offline_text) == []
    phones[1].context.set_offline(False)
    expect_online(phones[1])
    expect(card(projector, offline_text)).to_be_visible(timeout=10000)
    time.sleep(1)
    assert len(cards_with_text(moderator_state(server, workshop_id, key), offline_text)) == 1
    expect(card(projector, offline_text)).to_have_count(1)
    ignore_errors(phones[1], r"ERR_INTERNET_DISCONNECTED", r"net::ERR_")

    # The moderator locks the board from the console; the phones say so.
    start.get_by_role("button", name=re.compile("^Lock")).first.click()
    for phone in phones:
        expect(phone.get_by_text("This board is locked.")).to_be_visible()
    final = moderator_state(server, workshop_id, key)
    assert final["boards"][0]["settings"]["locked"] is True
    assert sorted(c["text"] for c in cards_with_text(final, texts[0])) == [texts[0]]

    screenshot(projector, "flow-projector")
    screenshot(phones[0], "flow-phone")
    screenshot(start, "flow-console")


def test_a_german_workshop_speaks_german_on_every_screen(server: Any, open_page: Any) -> None:
    from tests.browser.conftest import create_workshop

    workshop = create_workshop(server, language="de")
    phone = open_page(f"/j/{workshop['join_code']}", PHONE, locale="en-GB")
    expect(phone.get_by_role("heading", name="Willkommen!")).to_be_visible()
    phone.get_by_role("button", name="Am Workshop teilnehmen").click()
    expect(phone.get_by_role("button", name="Karte posten")).to_be_visible()
    projector = open_page(path_of(workshop["links"]["projector"]), PROJECTOR, locale="en-GB")
    expect(projector.get_by_role("heading", name="Nicht zugeordnet")).to_be_visible()
    console = open_page(path_of(workshop["links"]["moderator"]), LAPTOP, locale="en-GB")
    expect(console.get_by_role("heading", name="Teilnehmende einladen")).to_be_visible()
    start = open_page("/", LAPTOP, locale="de-DE")
    expect(start.get_by_role("heading", name="Workshop starten")).to_be_visible()
    screenshot(phone, "phone-german")
