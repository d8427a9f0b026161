"""The board screen: the read-only projector (/p/<id>) and the moderator's interactive board
(/m/<id>/board). Live cards from participants, dragging with the mouse, the keyboard path,
cluster tools, the join panel, escaping, accessibility, the layout at 1920x1080 and 1366x768,
and screenshots. Real server, real Chromium."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import socketio
from playwright.sync_api import expect

from tests.browser.conftest import (
    LAPTOP,
    PROJECTOR,
    axe_violations,
    create_workshop,
    path_of,
    screenshot,
    snapshot,
)

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


# ---- helpers -------------------------------------------------------------------------------


def new_workshop(server: Any, **overrides: Any) -> dict[str, Any]:
    """A workshop in English, so that the tests read the source strings whatever the catalogue says."""
    return create_workshop(server, **{"language": "en", **overrides})


class Client:
    """A python-socketio client (participant or moderator) with checked calls."""

    def __init__(self, server: Any, auth: dict[str, Any]) -> None:
        self.sio = socketio.Client(reconnection=False)
        self.sio.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=10)

    def call(self, event: str, payload: dict[str, Any]) -> Any:
        ack = self.sio.call(event, payload, timeout=10)
        assert ack["ok"], ack
        return ack["data"]

    def post(self, board_id: int, text: str, cluster_id: int | None = None, color: str | None = None) -> Any:
        payload: dict[str, Any] = {"client_id": uuid.uuid4().hex, "board_id": board_id, "text": text}
        if cluster_id is not None:
            payload["cluster_id"] = cluster_id
        if color:
            payload["color"] = color
        return self.call("card:create", payload)


@pytest.fixture
def clients(server: Any) -> Iterator[dict[str, Callable[..., Client]]]:
    """participant(workshop, name) and moderator(workshop): connected socket clients."""
    made: list[Client] = []

    def participant(workshop: dict[str, Any], name: str = "") -> Client:
        joined = requests.post(
            f"{server.url}/api/join", json={"code": workshop["join_code"], "name": name}, timeout=10
        )
        assert joined.status_code == 200, joined.text
        client = Client(server, {"workshop": workshop["id"], "token": joined.json()["participant_token"]})
        made.append(client)
        return client

    def moderator(workshop: dict[str, Any]) -> Client:
        client = Client(server, {"workshop": workshop["id"], "moderator_key": workshop["moderator_key"]})
        made.append(client)
        return client

    yield {"participant": participant, "moderator": moderator}
    for client in made:
        client.sio.disconnect()


def board_of(server: Any, workshop: dict[str, Any]) -> dict[str, Any]:
    snap = snapshot(server, workshop)
    return next(b for b in snap["boards"] if b["id"] == snap["workshop"]["active_board_id"])


def open_projector(open_page: Any, workshop: dict[str, Any], device: dict[str, Any] = PROJECTOR) -> Any:
    page = open_page(path_of(workshop["links"]["projector"]), device, locale="en-GB")
    expect(page.locator("#status")).to_have_attribute("data-status", "online")
    return page


def open_moderator(open_page: Any, workshop: dict[str, Any], device: dict[str, Any] = PROJECTOR) -> Any:
    page = open_page(f"/m/{workshop['id']}/board#key={workshop['moderator_key']}", device, locale="en-GB")
    expect(page.locator("#status")).to_have_attribute("data-status", "online")
    return page


def card(page: Any, text: str) -> Any:
    return page.locator(".card").filter(has_text=text)


def cluster(page: Any, name: str) -> Any:
    return page.locator(".cluster").filter(has=page.get_by_role("heading", name=name, exact=True))


def inbox(page: Any) -> Any:
    return page.locator("#inbox-cards")


def texts(locator: Any) -> list[str]:
    return [t.strip() for t in locator.locator(".card .card-text").all_inner_texts()]


def fill_board(server: Any, workshop: dict[str, Any], clients: dict[str, Any]) -> dict[str, Any]:
    """~12 cards: 3 clusters with cards, a few unsorted, some from named participants."""
    board = board_of(server, workshop)
    moderator = clients["moderator"](workshop)
    anna = clients["participant"](workshop, "Anna")
    anonymous = clients["participant"](workshop)
    c1, c2, c3 = (c["id"] for c in board["clusters"])
    moderator.post(board["id"], "Klare Zuständigkeiten zwischen Ämtern", c1)
    moderator.post(board["id"], "Politischer Rückhalt für Beteiligung", c1, "green")
    moved = anna.post(board["id"], "Zu wenig Personal für Moderation und Nachbereitung")
    moderator.call("card:move", {"card_id": moved["id"], "cluster_id": c1})
    moderator.post(board["id"], "Tempo der Verwaltung vs. Erwartungen der Bürger", c2, "pink")
    moved = anonymous.post(board["id"], "Datenschutz und Transparenz")
    moderator.call("card:move", {"card_id": moved["id"], "cluster_id": c2})
    moderator.post(board["id"], "Ehrenamt einbinden ohne zu überlasten", c2, "orange")
    moderator.post(board["id"], "Gemeinsame Plattform aller Fachbereiche", c3, "blue")
    moved = anna.post(board["id"], "Pilotprojekte in zwei Quartieren starten")
    moderator.call("card:move", {"card_id": moved["id"], "cluster_id": c3})
    moderator.post(board["id"], "Erfolge sichtbar machen", c3, "green")
    anonymous.post(board["id"], "Mehr Zeit für den Austausch zwischen den Kommunen")
    moderator.call("board:update", {"board_id": board["id"], "participants_choose_color": True})
    anna.post(board["id"], "Fördermittel bündeln", color="white")
    anonymous.post(board["id"], "Wer entscheidet am Ende?", color="orange")
    return board


def wait_until(page: Any, script: str, timeout: float = 5.0) -> None:
    """page.wait_for_function evaluates strings, which the page's CSP forbids: poll instead."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        page.wait_for_timeout(50)


def boxes_overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"] + 0.5
        or b["x"] + b["width"] <= a["x"] + 0.5
        or a["y"] + a["height"] <= b["y"] + 0.5
        or b["y"] + b["height"] <= a["y"] + 0.5
    )


def drag(page: Any, source: Any, target: Any, offset_y: float | None = None) -> None:
    """A real mouse drag, in small steps, as a person would do it; dropped `offset_y` below the
    target's top (default: near the top of a list, past its first gap)."""
    source.scroll_into_view_if_needed()
    start = source.bounding_box()
    end = target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2 + 10, start["y"] + start["height"] / 2 + 10, steps=5)
    drop_y = end["y"] + (offset_y if offset_y is not None else min(end["height"] - 10, 40))
    page.mouse.move(end["x"] + end["width"] / 2, drop_y, steps=20)
    page.wait_for_timeout(150)
    page.mouse.up()


# ---- screenshots ----------------------------------------------------------------------------


def test_screenshots(server: Any, open_page: Any, clients: Any) -> None:
    workshop = new_workshop(server)
    fill_board(server, workshop, clients)
    projector = open_projector(open_page, workshop)
    expect(projector.locator(".card")).to_have_count(12)
    expect(projector.locator("#join-qr")).to_be_visible()
    wait_until(projector, "() => document.getElementById('join-qr').naturalWidth > 0")
    screenshot(projector, "projector-board")

    projector.get_by_role("button", name="Hide join info").click()
    expect(projector.locator("#join-panel")).to_be_hidden()
    screenshot(projector, "projector-board-hidden-join")

    moderator = open_moderator(open_page, workshop)
    expect(moderator.locator(".card")).to_have_count(12)
    screenshot(moderator, "moderator-board")

    laptop = open_moderator(open_page, workshop, LAPTOP)
    expect(laptop.locator(".card")).to_have_count(12)
    laptop.locator(".cluster-toggle").first.click()
    screenshot(laptop, "moderator-board-laptop")


# ---- the projector -----------------------------------------------------------------------------


def test_projector_shows_a_participants_card_within_two_seconds(
    server: Any, open_page: Any, clients: Any
) -> None:
    workshop = new_workshop(server)
    board = board_of(server, workshop)
    projector = open_projector(open_page, workshop)
    expect(projector.get_by_role("heading", level=1)).to_have_text("Einstieg")
    expect(projector.locator("#workshop-title")).to_have_text(
        "Kommunale Steuerung und Empowerment im Netzwerk"
    )
    expect(projector.locator("#inbox-cards")).to_have_attribute("data-empty", "New cards appear here.")

    allow_colours = {"board_id": board["id"], "participants_choose_color": True}
    clients["moderator"](workshop).call("board:update", allow_colours)
    participant = clients["participant"](workshop, "Anna")
    expect(projector.locator("#participants")).to_have_text("1 participant")
    started = time.monotonic()
    participant.post(board["id"], "Mehr Zeit für Austausch", color="green")
    new_card = card(projector, "Mehr Zeit für Austausch")
    expect(new_card).to_be_visible(timeout=2000)
    assert time.monotonic() - started < 2.0
    expect(new_card).to_have_attribute("data-color", "green")
    expect(new_card).to_have_class("card arrived")
    expect(new_card.locator(".author-name")).to_have_text("Anna")
    expect(projector.locator("#announcer")).to_have_text("New card: Mehr Zeit für Austausch")
    expect(projector.locator("#inbox-count")).to_have_text("1 card")

    size = new_card.evaluate("node => parseFloat(getComputedStyle(node).fontSize)")
    assert size >= 24, size
    # Cards that were there before the page loaded do not animate.
    projector.reload()
    expect(card(projector, "Mehr Zeit für Austausch")).to_be_visible()
    expect(card(projector, "Mehr Zeit für Austausch")).not_to_have_class("card arrived")

    # Edits, moves and deletions by others show up too.
    moderator = clients["moderator"](workshop)
    first_cluster = board["clusters"][0]
    created = participant.post(board["id"], "Zweite Karte")
    moderator.call("card:move", {"card_id": created["id"], "cluster_id": first_cluster["id"]})
    expect(cluster(projector, first_cluster["name"]).locator(".card-text")).to_have_text(["Zweite Karte"])
    moderator.call("card:update", {"card_id": created["id"], "text": "Zweite Karte, bearbeitet"})
    expect(cluster(projector, first_cluster["name"]).locator(".card-text")).to_have_text(
        ["Zweite Karte, bearbeitet"]
    )
    moderator.call("card:delete", {"card_id": created["id"]})
    expect(projector.locator(".card")).to_have_count(1)


def test_projector_follows_the_active_board(server: Any, open_page: Any, clients: Any) -> None:
    workshop = new_workshop(server)
    projector = open_projector(open_page, workshop)
    moderator = clients["moderator"](workshop)
    second = moderator.call(
        "board:create", {"title": "Ergebnisse", "clusters": ["Sofort", "Später"], "numbered_clusters": True}
    )
    expect(projector.get_by_role("heading", level=1)).to_have_text("Einstieg")
    moderator.call("board:activate", {"board_id": second["id"]})
    expect(projector.get_by_role("heading", level=1)).to_have_text("Ergebnisse")
    expect(projector.locator(".cluster .area-name")).to_have_text(["1.Sofort", "2.Später"])
    expect(projector.get_by_role("heading", name="1.Sofort")).to_be_visible()

    # List styles show as quiet prefixes.
    sofort = second["clusters"][0]
    for text in ("Eins", "Zwei", "Drei"):
        moderator.post(second["id"], text, sofort["id"])
    moderator.call("cluster:update", {"cluster_id": sofort["id"], "list_style": "letter"})
    expect(projector.locator(".cluster").first.locator(".card-marker")).to_have_text(["a.", "b.", "c."])
    moderator.call("cluster:update", {"cluster_id": sofort["id"], "list_style": "number"})
    expect(projector.locator(".cluster").first.locator(".card-marker")).to_have_text(["1.", "2.", "3."])
    moderator.call("board:update", {"board_id": second["id"], "locked": True})
    expect(projector.locator("#locked-chip")).to_be_visible()


def test_projector_is_read_only_and_never_sees_the_moderator_key(
    server: Any, open_page: Any, clients: Any
) -> None:
    workshop = new_workshop(server)
    fill_board(server, workshop, clients)
    projector = open_projector(open_page, workshop)
    expect(projector.locator(".card")).to_have_count(12)

    for name in ("Add cluster", "Console", "Rename", "Delete", "Move left", "Move right"):
        expect(projector.get_by_role("button", name=name)).to_have_count(0)
    expect(
        projector.locator(".cluster-toggle, .cluster-tools, #add-cluster, #move-dialog, #delete-dialog")
    ).to_have_count(0)
    expect(projector.locator(".card[tabindex], [draggable='true']")).to_have_count(0)
    # Only the join panel and full-screen buttons are there.
    assert sorted(projector.get_by_role("button").all_inner_texts()) == ["Full screen", "Hide join info"]
    assert "sortable" not in " ".join(projector.watch.requests).lower()

    # Dragging does nothing.
    before = texts(inbox(projector))
    drag(
        projector,
        card(projector, "Fördermittel bündeln"),
        cluster(projector, "Spannungsfelder").locator(".cards"),
    )
    projector.wait_for_timeout(300)
    assert texts(inbox(projector)) == before
    # Enter on a card does nothing either.
    projector.keyboard.press("Tab")
    assert projector.locator("dialog[open]").count() == 0

    html = projector.content()
    assert workshop["moderator_key"] not in html
    assert all(workshop["moderator_key"] not in url for url in projector.watch.requests)
    assert axe_violations(projector) == []


def test_projector_with_a_wrong_key_says_so(server: Any, open_page: Any) -> None:
    workshop = new_workshop(server)
    page = open_page(f"/p/{workshop['id']}#key=wrong", PROJECTOR, locale="en-GB")
    expect(page.locator("#status")).to_have_attribute("data-status", "refused")
    expect(page.get_by_text("This link is not valid for this workshop")).to_be_visible()
    expect(page.locator("#board-layout")).to_be_hidden()
    # The browser itself logs the refused Socket.IO handshake.
    page.watch.errors[:] = [e for e in page.watch.errors if "status of 400" not in e]


# ---- the join panel -------------------------------------------------------------------------


def test_join_panel_shows_qr_url_and_code_and_can_be_hidden(server: Any, open_page: Any) -> None:
    workshop = new_workshop(server)
    projector = open_projector(open_page, workshop)
    panel = projector.locator("#join-panel")
    code = workshop["join_code"]
    expect(panel).to_be_visible()
    qr = panel.get_by_role("img", name="QR code to join the workshop")
    expect(qr).to_be_visible()
    wait_until(projector, "() => document.getElementById('join-qr').naturalWidth > 0")
    box = qr.bounding_box()
    assert box["width"] >= 220 and box["height"] >= 220, box
    host = server.url.split("://", 1)[1]
    expect(panel.locator("#join-url")).to_have_text(f"{host}/j/{code}")
    expect(panel.locator("#join-code")).to_have_text(code)
    code_size = panel.locator("#join-code").evaluate("node => parseFloat(getComputedStyle(node).fontSize)")
    assert code_size >= 48, code_size
    expect(projector.locator("#code-chip")).to_be_hidden()

    toggle = projector.get_by_role("button", name="Hide join info")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    toggle.click()
    expect(panel).to_be_hidden()
    expect(projector.get_by_role("button", name="Show join info")).to_have_attribute("aria-expanded", "false")
    # The code stays in the header for latecomers.
    expect(projector.locator("#code-chip")).to_have_text(f"Code {code}")
    # The clusters take the space.
    width_hidden = projector.locator("#clusters").bounding_box()["width"]
    assert width_hidden > 1300, width_hidden

    projector.reload()  # remembered
    expect(projector.locator("#status")).to_have_attribute("data-status", "online")
    expect(panel).to_be_hidden()
    projector.get_by_role("button", name="Show join info").click()
    expect(panel).to_be_visible()
    expect(projector.locator("#code-chip")).to_be_hidden()


# ---- the moderator ---------------------------------------------------------------------------


def test_moderator_drags_a_card_into_a_cluster_and_the_projector_follows(
    server: Any, open_page: Any, clients: Any
) -> None:
    workshop = new_workshop(server)
    board = board_of(server, workshop)
    participant = clients["participant"](workshop)
    for text in ("Erste Idee", "Zweite Idee", "Dritte Idee"):
        participant.post(board["id"], text)
    moderator = open_moderator(open_page, workshop)
    projector = open_projector(open_page, workshop)
    expect(inbox(moderator).locator(".card")).to_have_count(3)

    target = cluster(moderator, "Spannungsfelder")
    drag(moderator, card(moderator, "Zweite Idee"), target.locator(".cards"))
    expect(target.locator(".card-text")).to_have_text(["Zweite Idee"])
    expect(cluster(projector, "Spannungsfelder").locator(".card-text")).to_have_text(["Zweite Idee"])
    expect(inbox(projector).locator(".card-text")).to_have_text(["Erste Idee", "Dritte Idee"])
    snap_board = board_of(server, workshop)
    assert [c["text"] for c in snap_board["clusters"][1]["cards"]] == ["Zweite Idee"]

    # A second card dropped above the first one lands on top.
    drag(moderator, card(moderator, "Dritte Idee"), card(moderator, "Zweite Idee"), offset_y=8)
    expect(target.locator(".card-text")).to_have_text(["Dritte Idee", "Zweite Idee"])
    expect(cluster(projector, "Spannungsfelder").locator(".card-text")).to_have_text(
        ["Dritte Idee", "Zweite Idee"]
    )

    # Back into the unsorted cards.
    drag(
        moderator,
        card(moderator, "Zweite Idee"),
        inbox(moderator),
        offset_y=inbox(moderator).bounding_box()["height"] - 60,
    )
    expect(inbox(projector).locator(".card-text")).to_have_text(["Erste Idee", "Zweite Idee"])
    expect(inbox(moderator).locator(".card-text")).to_have_text(["Erste Idee", "Zweite Idee"])
    # The moderator key left the address bar (the board may be on the projector).
    assert workshop["moderator_key"] not in moderator.url
    moderator.reload()
    expect(moderator.locator("#status")).to_have_attribute("data-status", "online")
    expect(moderator.locator(".card")).to_have_count(3)


def test_a_failed_move_snaps_back_with_a_message(server: Any, open_page: Any, clients: Any) -> None:
    workshop = new_workshop(server)
    board = board_of(server, workshop)
    helper = clients["moderator"](workshop)
    helper.post(board["id"], "Wird gelöscht")
    helper.post(board["id"], "Bleibt")
    page = open_moderator(open_page, workshop)
    doomed = card(page, "Wird gelöscht")
    expect(doomed).to_be_visible()
    # The card is deleted elsewhere while the moderator picks it up: the server says not_found.
    start = doomed.bounding_box()
    end = cluster(page, "Handlungsansätze").locator(".cards").bounding_box()
    page.mouse.move(start["x"] + 40, start["y"] + 20)
    page.mouse.down()
    page.mouse.move(start["x"] + 60, start["y"] + 40, steps=5)
    helper.call(
        "card:delete",
        {
            "card_id": next(
                c["id"] for c in board_of(server, workshop)["unsorted"] if c["text"] == "Wird gelöscht"
            )
        },
    )
    page.wait_for_timeout(300)
    # Not re-rendered while dragging (the other one is the drag image that follows the mouse).
    expect(page.locator("#board-layout .card").filter(has_text="Wird gelöscht")).to_have_count(1)
    expect(page.locator(".sortable-fallback")).to_have_count(1)
    page.mouse.move(end["x"] + 50, end["y"] + 30, steps=15)
    page.mouse.up()
    expect(page.get_by_role("alert")).to_contain_text("The card could not be moved")
    expect(doomed).to_have_count(0)
    expect(page.locator(".card-text")).to_have_text(["Bleibt"])


def test_keyboard_moves_cards_and_keeps_focus(server: Any, open_page: Any, clients: Any) -> None:
    workshop = new_workshop(server)
    board = board_of(server, workshop)
    helper = clients["moderator"](workshop)
    for text in ("Alpha", "Beta", "Gamma"):
        helper.post(board["id"], text)
    page = open_moderator(open_page, workshop)
    projector = open_projector(open_page, workshop)
    beta = card(page, "Beta")
    expect(beta).to_be_visible()

    # Enter opens the card dialog: target and position.
    beta.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Card", exact=True)
    expect(dialog).to_be_visible()
    expect(dialog.locator("#move-card-text")).to_have_text("Beta")
    target = dialog.get_by_label("Move to")
    expect(target).to_be_focused()
    assert target.locator("option").all_inner_texts() == [
        "Unsorted",
        "Rahmenbedingungen und Grundhaltung",
        "Spannungsfelder",
        "Handlungsansätze",
    ]
    expect(dialog.get_by_label("Position")).to_have_value("2")
    target.select_option(label="Spannungsfelder")
    expect(dialog.get_by_label("Position")).to_have_value("1")
    screenshot(page, "moderator-move-dialog")
    assert axe_violations(page) == []
    dialog.get_by_role("button", name="Move", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(cluster(page, "Spannungsfelder").locator(".card-text")).to_have_text(["Beta"])
    expect(cluster(projector, "Spannungsfelder").locator(".card-text")).to_have_text(["Beta"])
    expect(beta).to_be_focused()
    expect(page.locator("#announcer")).to_have_text("Moved to “Spannungsfelder”, position 1.")

    # Space opens it too; "Top" puts the card first.
    gamma = card(page, "Gamma")
    gamma.focus()
    page.keyboard.press(" ")
    expect(dialog).to_be_visible()
    target.select_option(label="Spannungsfelder")
    dialog.get_by_role("button", name="Top").click()
    expect(dialog.get_by_label("Position")).to_have_value("1")
    dialog.get_by_label("Position").press("Enter")  # Enter in the form moves
    expect(cluster(page, "Spannungsfelder").locator(".card-text")).to_have_text(["Gamma", "Beta"])
    expect(gamma).to_be_focused()

    # Escape closes without moving.
    gamma.press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(gamma).to_be_focused()

    # Alt+ArrowDown/Up reorder within the cluster; Alt+ArrowLeft/Right hop between containers.
    page.keyboard.press("Alt+ArrowDown")
    expect(cluster(page, "Spannungsfelder").locator(".card-text")).to_have_text(["Beta", "Gamma"])
    expect(gamma).to_be_focused()
    page.keyboard.press("Alt+ArrowUp")
    expect(cluster(page, "Spannungsfelder").locator(".card-text")).to_have_text(["Gamma", "Beta"])
    expect(gamma).to_be_focused()
    page.keyboard.press("Alt+ArrowRight")
    expect(cluster(page, "Handlungsansätze").locator(".card-text")).to_have_text(["Gamma"])
    expect(gamma).to_be_focused()
    # Quick presses queue up: three hops left end in the unsorted cards.
    page.keyboard.press("Alt+ArrowLeft")
    page.keyboard.press("Alt+ArrowLeft")
    page.keyboard.press("Alt+ArrowLeft")
    # A hop keeps the card's row where it can (here: the top).
    expect(inbox(page).locator(".card-text")).to_have_text(["Gamma", "Alpha"])
    expect(inbox(projector).locator(".card-text")).to_have_text(["Gamma", "Alpha"])
    expect(gamma).to_be_focused()
    snap = board_of(server, workshop)
    assert [c["text"] for c in snap["unsorted"]] == ["Gamma", "Alpha"]
    assert [c["text"] for c in snap["clusters"][1]["cards"]] == ["Beta"]


def test_cluster_add_rename_style_reorder_and_delete(server: Any, open_page: Any, clients: Any) -> None:
    workshop = new_workshop(server, boards=[{"title": "Sammeln", "clusters": ["Stärken", "Schwächen"]}])
    board = board_of(server, workshop)
    helper = clients["moderator"](workshop)
    schwaechen = board["clusters"][1]
    helper.post(board["id"], "Lange Wege", schwaechen["id"])
    helper.post(board["id"], "Wenig Personal", schwaechen["id"])
    helper.post(board["id"], "Unsortiert")
    page = open_moderator(open_page, workshop, LAPTOP)
    projector = open_projector(open_page, workshop)
    names = page.locator(".cluster .cluster-name")
    expect(names).to_have_text(["Stärken", "Schwächen"])

    # Add.
    page.get_by_role("button", name="Add cluster").click()
    name_input = page.get_by_label("Name of the new cluster")
    expect(name_input).to_be_focused()
    name_input.press("Enter")  # empty: refused with a message
    expect(page.get_by_role("alert")).to_contain_text("Please enter a name.")
    name_input.fill("Chancen")
    name_input.press("Enter")
    expect(names).to_have_text(["Stärken", "Schwächen", "Chancen"])
    expect(projector.locator(".cluster .cluster-name")).to_have_text(["Stärken", "Schwächen", "Chancen"])
    expect(page.get_by_role("button", name="Add cluster")).to_be_focused()

    # Rename in place.
    page.get_by_role("button", name="Options for cluster “Chancen”").click()
    chancen = page.locator(".cluster").nth(2)  # its heading hides while it is renamed
    chancen.get_by_role("button", name="Rename").click()
    rename = chancen.get_by_label("Cluster name")
    expect(rename).to_be_focused()
    rename.fill("Chancen und Risiken")
    rename.press("Enter")
    expect(names).to_have_text(["Stärken", "Schwächen", "Chancen und Risiken"])
    expect(projector.locator(".cluster .cluster-name")).to_have_text(
        ["Stärken", "Schwächen", "Chancen und Risiken"]
    )
    # Escape cancels a rename.
    chancen.get_by_role("button", name="Rename").click()
    chancen.get_by_label("Cluster name").fill("Nein")
    chancen.get_by_label("Cluster name").press("Escape")
    expect(names).to_have_text(["Stärken", "Schwächen", "Chancen und Risiken"])

    # List style.
    schwaechen_tile = cluster(page, "Schwächen")
    page.get_by_role("button", name="Options for cluster “Schwächen”").click()
    schwaechen_tile.get_by_label("List style").select_option("letter")
    expect(projector.locator(".cluster").nth(1).locator(".card-marker")).to_have_text(["a.", "b."])
    expect(schwaechen_tile.locator(".card-marker")).to_have_text(["a.", "b."])

    # Reorder with the buttons (focus stays on the arrow) ...
    move_left = page.get_by_role("button", name="Move cluster “Chancen und Risiken” left")
    move_left.click()
    expect(names).to_have_text(["Stärken", "Chancen und Risiken", "Schwächen"])
    expect(projector.locator(".cluster .cluster-name")).to_have_text(
        ["Stärken", "Chancen und Risiken", "Schwächen"]
    )
    expect(move_left).to_be_focused()
    move_left.click()
    expect(names).to_have_text(["Chancen und Risiken", "Stärken", "Schwächen"])
    expect(move_left).to_be_disabled()
    expect(page.get_by_role("button", name="Move cluster “Chancen und Risiken” right")).to_be_focused()
    # ... and by dragging the heading.
    drag(
        page,
        cluster(page, "Schwächen").locator(".area-head"),
        cluster(page, "Chancen und Risiken").locator(".area-head"),
    )
    expect(names).to_have_text(["Schwächen", "Chancen und Risiken", "Stärken"])
    expect(projector.locator(".cluster .cluster-name")).to_have_text(
        ["Schwächen", "Chancen und Risiken", "Stärken"]
    )
    assert axe_violations(page) == []

    # Delete: a confirmation says where the cards go; cancel keeps it.
    page.get_by_role("button", name="Delete cluster “Schwächen”").click()
    confirm = page.get_by_role("dialog", name="Delete cluster?")
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text("Its cards (2) go to the unsorted cards")
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_be_hidden()
    expect(names).to_have_count(3)
    page.get_by_role("button", name="Delete cluster “Schwächen”").click()
    confirm.get_by_role("button", name="Delete cluster").click()
    expect(names).to_have_text(["Chancen und Risiken", "Stärken"])
    expect(inbox(page).locator(".card-text")).to_have_text(["Unsortiert", "Lange Wege", "Wenig Personal"])
    expect(inbox(projector).locator(".card-text")).to_have_text(
        ["Unsortiert", "Lange Wege", "Wenig Personal"]
    )
    snap = board_of(server, workshop)
    assert [c["name"] for c in snap["clusters"]] == ["Chancen und Risiken", "Stärken"]


def test_user_text_is_shown_literally(server: Any, open_page: Any, clients: Any) -> None:
    workshop = new_workshop(server, title=XSS, boards=[{"title": XSS, "clusters": [XSS]}])
    board = board_of(server, workshop)
    participant = clients["participant"](workshop, XSS)
    participant.post(board["id"], XSS)
    projector = open_projector(open_page, workshop)
    moderator = open_moderator(open_page, workshop)
    for page in (projector, moderator):
        expect(page.locator(".card .card-text")).to_have_text(XSS)
        expect(page.locator(".card .author-name")).to_have_text(XSS)
        expect(page.locator(".cluster .cluster-name")).to_have_text(XSS)
        expect(page.get_by_role("heading", level=1)).to_have_text(XSS)
        expect(page.locator("#workshop-title")).to_have_text(XSS)
        assert page.locator("img").count() == 1  # only the QR code
    card(moderator, XSS).press("Enter")
    expect(moderator.locator("#move-card-text")).to_have_text(XSS)
    assert moderator.locator("#move-target option").all_inner_texts() == ["Unsorted", XSS]


def test_axe_for_both_roles(server: Any, open_page: Any, clients: Any) -> None:
    workshop = new_workshop(server)
    fill_board(server, workshop, clients)
    projector = open_projector(open_page, workshop)
    expect(projector.locator(".card")).to_have_count(12)
    assert axe_violations(projector) == []
    moderator = open_moderator(open_page, workshop)
    expect(moderator.locator(".card")).to_have_count(12)
    moderator.locator(".cluster-toggle").first.click()
    moderator.get_by_role("button", name="Add cluster").click()
    assert axe_violations(moderator) == []
    moderator.get_by_role("button", name="Cancel").click()
    moderator.get_by_role("button", name="Delete cluster “Rahmenbedingungen und Grundhaltung”").click()
    expect(moderator.get_by_role("dialog", name="Delete cluster?")).to_be_visible()
    assert axe_violations(moderator) == []


# ---- layout -----------------------------------------------------------------------------------


def test_a_board_without_clusters_gives_the_unsorted_cards_the_whole_screen(
    server: Any, open_page: Any, clients: Any
) -> None:
    workshop = new_workshop(server, boards=[{"title": "Brainstorming: Was brauchen wir?"}])
    board = board_of(server, workshop)
    participant = clients["participant"](workshop)
    ideas = [
        "Mehr Personal",
        "Schnellere Entscheidungen",
        "Digitale Beteiligung",
        "Offene Daten",
        "Budget für Experimente",
        "Kurze Wege zwischen Ämtern",
        "Fortbildung",
        "Mut zum Scheitern",
    ]
    for text in ideas:
        participant.post(board["id"], text)
    projector = open_projector(open_page, workshop)
    expect(projector.locator(".card")).to_have_count(len(ideas))
    expect(projector.locator("#clusters")).to_be_hidden()
    tops = {round(box["y"]) for box in (c.bounding_box() for c in projector.locator(".card").all())}
    assert len(tops) < len(ideas)  # several cards side by side
    screenshot(projector, "projector-board-no-clusters")
    moderator = open_moderator(open_page, workshop)
    expect(moderator.locator(".card")).to_have_count(len(ideas))
    moderator.get_by_role("button", name="Add cluster").click()
    moderator.get_by_label("Name of the new cluster").fill("Ressourcen")
    moderator.get_by_role("button", name="Add", exact=True).click()
    expect(projector.locator("#clusters")).to_be_visible()
    drag(moderator, card(moderator, "Mehr Personal"), cluster(moderator, "Ressourcen").locator(".cards"))
    expect(cluster(projector, "Ressourcen").locator(".card-text")).to_have_text(["Mehr Personal"])


def test_the_moderator_board_can_show_a_board_that_is_not_active(
    server: Any, open_page: Any, clients: Any
) -> None:
    workshop = new_workshop(server)
    helper = clients["moderator"](workshop)
    second = helper.call("board:create", {"title": "Ergebnisse", "clusters": ["Sofort"]})
    page = open_page(
        f"/m/{workshop['id']}/board#key={workshop['moderator_key']}&board={second['id']}",
        PROJECTOR,
        locale="en-GB",
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Ergebnisse")
    expect(page.locator("#other-board-chip")).to_have_text("Not the active board")
    assert workshop["moderator_key"] not in page.url and f"board={second['id']}" in page.url
    helper.call("board:activate", {"board_id": second["id"]})
    expect(page.locator("#other-board-chip")).to_be_hidden()
    boards = snapshot(server, workshop)["boards"]
    helper.call("board:activate", {"board_id": boards[0]["id"]})
    expect(page.get_by_role("heading", level=1)).to_have_text("Einstieg")  # follows, like everyone


def test_many_cards_stay_readable_and_never_overlap(server: Any, open_page: Any, clients: Any) -> None:
    workshop = new_workshop(server)
    board = board_of(server, workshop)
    helper = clients["moderator"](workshop)
    colours = ["yellow", "orange", "pink", "green", "blue", "white"]
    for i in range(300):
        container = board["clusters"][i % 4]["id"] if i % 4 < 3 else None
        helper.post(board["id"], f"Karte Nummer {i + 1} mit etwas mehr Text", container, colours[i % 6])

    for extra, (device, minimum) in enumerate(((PROJECTOR, 24), (LAPTOP, 16))):
        page = open_projector(open_page, workshop, device)
        expect(page.locator(".card")).to_have_count(300 + extra)
        size = page.locator(".card").first.evaluate("node => parseFloat(getComputedStyle(node).fontSize)")
        assert size >= minimum, (device, size)
        areas = [page.locator("#inbox").bounding_box(), page.locator("#join-panel").bounding_box()]
        areas += [tile.bounding_box() for tile in page.locator(".cluster").all()]
        viewport = device["viewport"]
        for i, a in enumerate(areas):
            assert a["x"] >= 0 and a["y"] >= 0
            assert (
                a["x"] + a["width"] <= viewport["width"] + 0.5
                and a["y"] + a["height"] <= viewport["height"] + 0.5
            )
            for b in areas[i + 1 :]:
                assert not boxes_overlap(a, b), (a, b)
        screenshot(page, f"projector-board-300-cards-{viewport['width']}")
        # The page itself does not scroll; the lists do.
        assert page.evaluate("() => document.documentElement.scrollHeight <= innerHeight + 1")
        assert page.locator("#inbox-cards").evaluate("n => n.scrollHeight > n.clientHeight")
        # A new card arriving at the end of a long list is scrolled into view.
        helper.post(board["id"], f"Ganz neue Karte {device['viewport']['width']}")
        new_card = card(page, f"Ganz neue Karte {device['viewport']['width']}")
        expect(new_card).to_be_in_viewport()

    # The moderator board draws 300 cards and a change quickly.
    page = open_moderator(open_page, workshop)
    expect(page.locator(".card")).to_have_count(302)
    started = time.monotonic()
    helper.post(board["id"], "Noch eine")
    expect(card(page, "Noch eine")).to_have_count(1, timeout=2000)
    assert time.monotonic() - started < 2.0
