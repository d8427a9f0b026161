"""The assistant's page (/a/<id>#key=…): paper cards typed in, also offline, and corrected; dots
counted on the paper wall. Real server, real Chromium; every result is checked on the server."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import socketio
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, axe_violations, create_workshop, path_of, screenshot, snapshot
from tests.browser.test_participant import ignore_errors
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

TABLET = {"viewport": {"width": 768, "height": 1024}, "has_touch": True}
# Everything the assistant's page may offer; nothing of it changes the workshop.
ASSISTANT_BUTTONS = {"Add card", "Edit", "Save", "Cancel", "Delete card", "Remove"}
TITLE = "Kommunale Steuerung und Empowerment im Netzwerk"


def client(server: LiveServer, auth: dict[str, Any]) -> socketio.Client:
    sio = socketio.Client(reconnection=False)
    sio.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=10)
    return sio


def call(sio: socketio.Client, event: str, payload: dict[str, Any]) -> dict[str, Any]:
    ack = sio.call(event, payload, timeout=10)
    assert ack["ok"] is True, (event, ack)
    return ack["data"]  # type: ignore[no-any-return]


def participant(server: LiveServer, workshop: dict[str, Any]) -> socketio.Client:
    joined = requests.post(f"{server.url}/api/join", json={"code": workshop["join_code"]}, timeout=10)
    return client(server, {"workshop": workshop["id"], "token": joined.json()["participant_token"]})


def projector_state(server: LiveServer, workshop: dict[str, Any]) -> dict[str, Any]:
    """What the projector's snapshot holds (GET /api/workshops/<id> with the projector key)."""
    response = requests.get(
        f"{server.url}/api/workshops/{workshop['id']}",
        headers={"Authorization": f"Bearer {workshop['projector_key']}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def cards_of(board: dict[str, Any]) -> list[dict[str, Any]]:
    return [*board["unsorted"], *(card for cluster in board["clusters"] for card in cluster["cards"])]


def typed_item(page: Any, text: str) -> Any:
    return page.locator(".typed-item").filter(has_text=text)


def type_card(page: Any, text: str, cluster: str | None = None, color: str | None = None) -> None:
    if cluster:
        page.get_by_label("Cluster").select_option(label=cluster)
    if color:
        page.get_by_role("radio", name=color).check()
    page.get_by_label("Text of the card").fill(text)
    page.get_by_label("Text of the card").press("Enter")


@pytest.fixture
def laptop(browser: Any) -> Iterator[Any]:
    """A browser context of its own, so that the test can take it offline."""
    context = browser.new_context(**LAPTOP, locale="en-GB")
    yield context
    context.close()


def test_an_assistant_types_in_paper_cards_also_offline_and_corrects_one(
    server: LiveServer, open_page: Any, laptop: Any
) -> None:
    workshop = create_workshop(server)
    page = open_page(path_of(workshop["links"]["assistant"]), context=laptop)
    assert page.url.endswith(f"/a/{workshop['id']}#key={workshop['assistant_key']}")
    expect(page.locator("#status")).to_have_attribute("data-status", "online")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_label("Board")).to_have_text(re.compile(r"1\. Einstieg \(active\)"))
    expect(page.get_by_label("Cluster").locator("option")).to_have_text(
        ["Unsorted", "Rahmenbedingungen und Grundhaltung", "Spannungsfelder", "Handlungsansätze"]
    )

    # Two cards one right after the other: the form is ready again at once.
    type_card(page, "Bürgerbeteiligung früh einplanen", cluster="Spannungsfelder", color="Pink")
    expect(page.get_by_label("Text of the card")).to_have_value("")
    expect(page.get_by_label("Text of the card")).to_be_focused()
    type_card(page, "Mehr Zeit für Austausch", cluster="Unsorted", color="Yellow")
    for text in ("Bürgerbeteiligung früh einplanen", "Mehr Zeit für Austausch"):
        expect(typed_item(page, text)).to_have_attribute("data-state", "on-board")
    expect(typed_item(page, "Bürgerbeteiligung früh einplanen")).to_contain_text("Einstieg › Spannungsfelder")

    # The third one while the Wi-Fi is gone: kept on the device, sent once when it is back.
    laptop.set_offline(True)
    expect(page.locator("#status")).to_have_attribute("data-status", "offline")
    type_card(page, "Transparente Entscheidungen")
    queued = typed_item(page, "Transparente Entscheidungen")
    expect(queued).to_have_attribute("data-state", "pending")
    expect(queued).to_contain_text("Waiting for the connection")
    expect(page.locator("#outbox-note")).to_contain_text("1 waiting to be sent")
    on_the_board = cards_of(projector_state(server, workshop)["boards"][0])
    assert "Transparente Entscheidungen" not in [card["text"] for card in on_the_board]
    laptop.set_offline(False)
    expect(page.locator("#status")).to_have_attribute("data-status", "online", timeout=20000)
    expect(queued).to_have_attribute("data-state", "on-board")
    expect(page.locator("#outbox-note")).to_be_hidden()
    ignore_errors(page, r"ERR_INTERNET_DISCONNECTED", r"WebSocket connection", r"ERR_NETWORK_CHANGED")

    # Correct one: new text and colour.
    typed_item(page, "Mehr Zeit für Austausch").get_by_role("button", name="Edit").click()
    editor = page.locator(".typed-item.editing")
    expect(editor.get_by_label("Text of the card")).to_be_focused()
    editor.get_by_label("Text of the card").fill("Mehr Zeit für Austausch zwischen den Ämtern")
    editor.get_by_label("Colour").select_option(label="Green")
    editor.get_by_role("button", name="Save").click()
    corrected = typed_item(page, "Mehr Zeit für Austausch zwischen den Ämtern")
    expect(corrected).to_have_attribute("data-state", "on-board")
    expect(corrected.locator(".typed-card")).to_have_attribute("data-color", "green")
    expect(corrected.get_by_role("button", name="Edit")).to_be_focused()
    expect(page.locator(".typed-item")).to_have_count(3)
    expect(page.locator("#typed-count")).to_have_text("3 cards")

    # On the server, as the projector sees it: each card exactly once, typed in from paper.
    board = projector_state(server, workshop)["boards"][0]
    cards = {card["text"]: card for card in cards_of(board)}
    assert sorted(card["text"] for card in cards_of(board)) == [
        "Bürgerbeteiligung früh einplanen",
        "Mehr Zeit für Austausch zwischen den Ämtern",
        "Transparente Entscheidungen",
    ]
    assert {(c["on_paper"], c["author_role"], c["author_id"]) for c in cards.values()} == {
        (True, "assistant", None)
    }
    assert cards["Bürgerbeteiligung früh einplanen"]["color"] == "pink"
    spannungsfelder = next(c for c in board["clusters"] if c["name"] == "Spannungsfelder")
    assert [c["text"] for c in spannungsfelder["cards"]] == ["Bürgerbeteiligung früh einplanen"]
    assert cards["Mehr Zeit für Austausch zwischen den Ämtern"]["color"] == "green"
    assert [c["text"] for c in board["unsorted"]] == [
        "Mehr Zeit für Austausch zwischen den Ämtern",
        "Transparente Entscheidungen",
    ]

    # The page offers nothing that changes the workshop.
    names = {name.split("\n")[0].strip() for name in page.get_by_role("button").all_inner_texts()}
    assert names <= ASSISTANT_BUTTONS, names - ASSISTANT_BUTTONS
    assert axe_violations(page) == []
    page.get_by_label("Text of the card").fill("Rollenklarheit schaffen")
    screenshot(page, "assistant")


def test_the_assistant_link_changes_nothing_but_cards_and_wall_dots(server: LiveServer) -> None:
    workshop = create_workshop(server)
    assistant = client(server, {"workshop": workshop["id"], "assistant_key": workshop["assistant_key"]})
    try:
        board_id = call(assistant, "sync", {})["snapshot"]["boards"][0]["id"]
        before = snapshot(server, workshop)
        for event, payload in (
            ("board:update", {"board_id": board_id, "locked": True}),
            ("board:update", {"board_id": board_id, "title": "Übernommen"}),
            ("workshop:update", {"title": "Übernommen"}),
            ("cluster:create", {"board_id": board_id, "name": "Neu"}),
            ("vote:open", {"board_id": board_id, "budget": 3, "per_card_cap": 1}),
            ("timer:start", {"board_id": board_id, "seconds": 60}),
            ("history:undo", {}),
        ):
            ack = assistant.call(event, payload, timeout=10)
            assert ack["ok"] is False and ack["error"]["code"] == "forbidden", (event, ack)
        assert snapshot(server, workshop) == before
        links = requests.get(
            f"{server.url}/api/workshops/{workshop['id']}/links",
            headers={"Authorization": f"Bearer {workshop['assistant_key']}"},
            timeout=10,
        )
        assert links.status_code == 401  # the assistant cannot get the moderator's links either
    finally:
        assistant.disconnect()


def test_wall_dots_add_up_with_the_phones(server: LiveServer, open_page: Any) -> None:
    workshop = create_workshop(server)
    moderator = client(server, {"workshop": workshop["id"], "moderator_key": workshop["moderator_key"]})
    anna, ben = participant(server, workshop), participant(server, workshop)
    try:
        board = call(moderator, "sync", {})["snapshot"]["boards"][0]
        post = lambda sio, text, **more: call(  # noqa: E731
            sio, "card:create", {"client_id": uuid.uuid4().hex, "board_id": board["id"], "text": text, **more}
        )
        first = post(anna, "Leitsätze gemeinsam erarbeiten")
        duplicate = post(ben, "Leitsätze erarbeiten")
        second = post(ben, "Rollenklarheit schaffen")
        tension = board["clusters"][1]["id"]
        paper = post(moderator, "Mehr Begegnung vor Ort", on_paper=True, cluster_id=tension)
        call(moderator, "card:stack", {"card_id": duplicate["id"], "onto_card_id": first["id"]})

        page = open_page(path_of(workshop["links"]["assistant"]))
        expect(page.locator("#status")).to_have_attribute("data-status", "online")
        wall_tab = page.get_by_role("tab", name=re.compile("Wall dots"))
        wall_tab.click()
        expect(wall_tab).to_have_attribute("aria-selected", "true")
        expect(page.locator("#dots-empty")).to_contain_text("There is no dot voting on this board yet")

        # The moderator opens a round; phones place dots. Until it closes, only the wall is known here.
        call(moderator, "vote:open", {"board_id": board["id"], "budget": 3, "per_card_cap": 2})
        table = page.locator("#dots-table")
        expect(table).to_be_visible()
        rows = table.locator("tbody tr[data-card-id]")
        expect(rows.locator(".dots-text")).to_have_text(
            ["Mehr Begegnung vor Ort", "Leitsätze gemeinsam erarbeiten", "Rollenklarheit schaffen"]
        )  # clusters first, then the unsorted cards; the stack is one row
        row = {text: rows.filter(has_text=text) for text in ("Mehr Begegnung", "Leitsätze", "Rollenklarheit")}
        expect(row["Leitsätze"].locator(".stack-tag")).to_have_text("+1 stacked")
        expect(row["Mehr Begegnung"].locator(".paper-tag")).to_have_text("Paper")
        for voter, card in ((anna, first), (anna, first), (ben, duplicate), (ben, second)):
            call(voter, "vote:cast", {"card_id": card["id"]})
        expect(page.locator("#dots-round")).to_have_text(
            "Dot voting is open. The phone dots are shown once the moderator closes the round."
        )
        expect(row["Leitsätze"].locator(".total")).to_have_text("–")

        # Wall dots: type and press Enter, which goes on to the next card.
        wall = page.get_by_label("Wall dots for “Mehr Begegnung vor Ort”")
        wall.fill("4")
        wall.press("Enter")
        next_field = page.get_by_label("Wall dots for “Leitsätze gemeinsam erarbeiten”")
        expect(next_field).to_be_focused()
        next_field.fill("2")
        next_field.press("Enter")
        for name in ("Mehr Begegnung", "Leitsätze"):
            expect(row[name].locator(".dots-state")).to_have_text("✓ Saved")
        tally = snapshot(server, workshop)["boards"][0]["vote"]["tally"]
        assert tally == {str(paper["id"]): 4, str(first["id"]): 5, str(second["id"]): 1}

        # Closed: phone dots and totals show; dots counted afterwards still count.
        call(moderator, "vote:close", {"board_id": board["id"]})
        expect(page.locator("#dots-round")).to_have_text("Dot voting is closed: 10 dots in all.")
        expect(row["Leitsätze"].locator(".phones")).to_have_text("3")
        expect(row["Leitsätze"].locator(".total")).to_have_text("5")
        expect(row["Mehr Begegnung"].locator(".total")).to_have_text("4")
        late = page.get_by_label("Wall dots for “Rollenklarheit schaffen”")
        late.fill("6")
        late.press("Enter")
        expect(row["Rollenklarheit"].locator(".total")).to_have_text("7")
        expect(page.locator("#dots-round")).to_have_text("Dot voting is closed: 16 dots in all.")
        tally = snapshot(server, workshop)["boards"][0]["vote"]["tally"]
        assert tally == {str(paper["id"]): 4, str(first["id"]): 5, str(second["id"]): 7}

        # A count that is no count is not sent.
        late.fill("-3")
        late.press("Enter")
        expect(row["Rollenklarheit"].locator(".dots-state")).to_have_text("A whole number from 0 to 999.")
        expect(late).to_have_attribute("aria-invalid", "true")
        assert snapshot(server, workshop)["boards"][0]["vote"]["tally"] == tally
        late.fill("6")
        late.press("Enter")
        expect(late).not_to_have_attribute("aria-invalid", "true")

        # Another assistant (here: the moderator) records too: this page follows.
        call(moderator, "vote:record", {"card_id": paper["id"], "dots": 5})
        expect(row["Mehr Begegnung"].locator(".total")).to_have_text("5")
        expect(page.get_by_label("Wall dots for “Mehr Begegnung vor Ort”")).to_have_value("5")
        assert axe_violations(page) == []
        page.locator("#dots-heading").click()
        screenshot(page, "assistant-wall-dots")
    finally:
        for sio in (moderator, anna, ben):
            sio.disconnect()


def test_the_assistant_page_on_a_tablet(server: LiveServer, open_page: Any) -> None:
    workshop = create_workshop(server)
    page = open_page(path_of(workshop["links"]["assistant"]), TABLET)
    expect(page.locator("#status")).to_have_attribute("data-status", "online")
    for text in ("Leitsätze gemeinsam erarbeiten", "Mehr Begegnung vor Ort"):
        type_card(page, text, color="Blue")
        expect(typed_item(page, text)).to_have_attribute("data-state", "on-board")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    for target in page.locator("button:visible, select:visible, textarea:visible, .swatch:visible").all():
        box = target.bounding_box()
        assert box["height"] >= 44, target.evaluate("e => e.outerHTML.slice(0, 80)")
    assert axe_violations(page) == []
    screenshot(page, "assistant-tablet")

    # A card typed in twice by mistake: delete it, after a second question.
    typed_item(page, "Mehr Begegnung vor Ort").get_by_role("button", name="Edit").click()
    page.locator(".typed-item.editing").get_by_role("button", name="Delete card").click()
    item = typed_item(page, "Mehr Begegnung vor Ort")
    expect(item).to_contain_text("Delete this card from the board?")
    expect(item.get_by_role("button", name="Cancel")).to_be_focused()
    item.get_by_role("button", name="Yes, delete").click()
    expect(page.locator(".typed-item")).to_have_count(1)
    expect(page.get_by_label("Text of the card")).to_be_focused()
    page.wait_for_function(  # the delete has left the outbox: the server acknowledged it
        "key => JSON.parse(localStorage.getItem(key) || '[]').length === 0",
        arg=f"pinboard:outbox:{workshop['id']}:assistant",
    )
    board = snapshot(server, workshop)["boards"][0]
    assert [card["text"] for card in cards_of(board)] == ["Leitsätze gemeinsam erarbeiten"]

    # A card the server refuses stays in the list, with the reason, until it is removed.
    type_card(page, "Klingelt \u0007")
    refused = typed_item(page, "Klingelt")
    expect(refused).to_have_attribute("data-state", "failed")
    expect(refused).to_contain_text("Not added: The server refused it: Contains a control character.")
    expect(page.locator("#entry-feedback")).to_contain_text("Not added")
    refused.get_by_role("button", name="Remove").click()
    expect(page.locator(".typed-item")).to_have_count(1)
    assert len(cards_of(snapshot(server, workshop)["boards"][0])) == 1


def test_the_assistant_page_without_a_valid_key_says_so(server: LiveServer, open_page: Any) -> None:
    workshop = create_workshop(server)
    page = open_page(f"/a/{workshop['id']}")
    expect(page.get_by_role("heading", name="This link is incomplete")).to_be_visible()
    expect(page.locator("#status")).to_have_attribute("data-status", "refused")
    page = open_page(f"/a/{workshop['id']}#key={workshop['projector_key']}")
    expect(page.get_by_role("heading", name="No access")).to_be_visible()
    expect(page.get_by_label("Text of the card")).to_be_hidden()
    assert requests.get(f"{server.url}/a/nicht-da", timeout=10).status_code == 404
