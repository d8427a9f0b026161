"""The Metaplan methods on the moderator board (/m/<id>/board, a 1366x768 laptop) and what the
projector (/p/<id>, 1920x1080) shows of them: stacking duplicates, the focus, undo and redo, paper
cards and the dots counted on the wall. Real server, real Chromium, real Socket.IO clients."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import test_board
from tests.browser.conftest import LAPTOP, axe_violations, screenshot, snapshot
from tests.browser.test_board import (
    board_of,
    cluster,
    new_workshop,
    open_moderator,
    open_projector,
    wait_until,
)

pytestmark = pytest.mark.browser

clients = test_board.clients  # the fixture: connected socket clients (participants, the moderator)


# ---- helpers -------------------------------------------------------------------------------


def on_board(page: Any, text: str) -> Any:
    """The card on the board itself (not in the focus overlay)."""
    return page.locator("#board-layout .card").filter(has_text=text)


def open_dialog(page: Any, text: str, name: str = "Card") -> Any:
    on_board(page, text).dblclick()
    dialog = page.get_by_role("dialog", name=name, exact=True)
    expect(dialog).to_be_visible()
    expect(dialog.locator("#move-card-text")).to_have_text(text)
    return dialog


def server_card(server: Any, workshop: dict[str, Any], card_id: int) -> tuple[dict[str, Any], str, int]:
    """(card, container name, index) of a top card in the server's state."""
    board = board_of(server, workshop)
    containers = [("Unsorted", board["unsorted"])] + [(c["name"], c["cards"]) for c in board["clusters"]]
    for name, cards in containers:
        for index, one in enumerate(cards):
            if one["id"] == card_id:
                return one, name, index
    raise AssertionError(f"card {card_id} is not a top card on the board")


def settled_screenshot(page: Any, name: str) -> None:
    """A screenshot once the page's animations (the focus fading in, arriving cards) are over."""
    wait_until(page, "() => document.getAnimations().every(a => a.playState !== 'running')")
    screenshot(page, name)


def post_cards(moderator: Any, board: dict[str, Any], texts: list[str], cluster_index: int = 0) -> list[Any]:
    cluster_id = board["clusters"][cluster_index]["id"]
    return [moderator.post(board["id"], text, cluster_id) for text in texts]


# ---- stacking --------------------------------------------------------------------------------


def test_stack_two_cards_and_take_them_off_again(server: Any, open_page: Any, clients: Any) -> None:
    workshop = new_workshop(server)
    board = board_of(server, workshop)
    helper = clients["moderator"](workshop)
    anna = clients["participant"](workshop, "Anna")
    top, duplicate = post_cards(
        helper, board, ["Mehr Personal für Beteiligung", "Wer macht die Nachbereitung?"]
    )
    same = anna.post(board["id"], "Zu wenig Personal für Beteiligung")
    helper.call("card:update", {"card_id": same["id"], "color": "pink"})
    page = open_moderator(open_page, workshop, LAPTOP)
    projector = open_projector(open_page, workshop)
    expect(projector.locator("#board-layout .card")).to_have_count(3)

    # Mouse: "Stack onto…" in the card's dialog, then click the card to put it on.
    dialog = open_dialog(page, same["text"])
    dialog.get_by_role("button", name="Stack onto…").click()
    expect(dialog).to_be_hidden()
    bar = page.locator("#stack-pick")
    expect(bar).to_be_visible()
    expect(bar).to_contain_text(f"Click the card to put “{same['text']}” on")
    on_board(page, top["text"]).click()
    expect(bar).to_be_hidden()

    # The projector shows one card, the top, with its count; the stacked text is not on the board.
    projected = on_board(projector, top["text"])
    expect(projected.locator(".stack-badge")).to_have_text(re.compile(r"^2×"))
    expect(projected.locator(".stack-badge .visually-hidden")).to_have_text("Stack of 2 cards")
    expect(projector.locator("#board-layout .card")).to_have_count(2)
    expect(on_board(projector, same["text"])).to_have_count(0)
    stacked, _, _ = server_card(server, workshop, top["id"])
    assert [one["id"] for one in stacked["stack"]] == [same["id"]]

    # Both texts stay in the dialog of the stack, with the author of the stacked card.
    dialog = open_dialog(page, top["text"])
    stack_list = dialog.locator("#card-stack-list")
    expect(stack_list.locator("summary")).to_have_text("1 more card on this stack")
    expect(stack_list.locator("li")).to_have_text([re.compile(re.escape(same["text"]) + r"by Anna")])
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # Keyboard: Escape cancels picking; Enter on a focused card stacks onto it.
    on_board(page, duplicate["text"]).focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Stack onto…").click()
    expect(bar).to_be_visible()
    page.keyboard.press("Escape")
    expect(bar).to_be_hidden()
    expect(on_board(page, duplicate["text"])).to_be_focused()
    page.keyboard.press("Enter")
    dialog.get_by_role("button", name="Stack onto…").focus()
    page.keyboard.press("Enter")
    expect(bar).to_be_visible()
    on_board(page, top["text"]).focus()
    page.keyboard.press("Enter")
    expect(projected.locator(".stack-badge")).to_have_text(re.compile(r"^3×"))
    expect(projector.locator("#board-layout .card")).to_have_count(1)
    expect(on_board(page, top["text"])).to_be_focused()

    dialog = open_dialog(page, top["text"])
    expect(stack_list.locator("summary")).to_have_text("2 more cards on this stack")
    expect(stack_list.locator(".card-stack-text")).to_have_text(
        [re.compile(re.escape(same["text"])), duplicate["text"]]
    )
    settled_screenshot(page, "moderator-stack")
    assert axe_violations(page) == []
    settled_screenshot(projector, "projector-stack")

    # In focus, the stack shows its count and the texts on it.
    dialog.get_by_role("button", name="Show large").click()
    spotlight = projector.locator("#focus-overlay")
    expect(spotlight.locator(".focus-card .stack-badge")).to_have_text(re.compile(r"^3×"))
    expect(spotlight.locator(".focus-stacked-card .card-text")).to_have_text(
        [same["text"], duplicate["text"]]
    )
    settled_screenshot(projector, "projector-focus-stack")
    page.get_by_role("button", name="End focus").click()
    expect(spotlight).to_be_hidden()
    dialog = open_dialog(page, top["text"])

    # Take them off again, one after the other, from the open dialog.
    stack_list.get_by_role("button", name=re.compile(r"^Take off the stack\s?: " + same["text"])).click()
    expect(stack_list.locator(".card-stack-text")).to_have_text([duplicate["text"]])
    expect(projected.locator(".stack-badge")).to_have_text(re.compile(r"^2×"))
    expect(on_board(projector, same["text"])).to_be_visible()
    stack_list.get_by_role("button", name="Take off the stack").click()
    expect(stack_list).to_be_hidden()
    expect(projected.locator(".stack-badge")).to_be_hidden()
    expect(projector.locator("#board-layout .card")).to_have_count(3)
    stacked, _, _ = server_card(server, workshop, top["id"])
    assert stacked["stack"] == []


def mouse_drag_to(page: Any, source: Any, point: tuple[float, float], then: Any = None) -> None:
    """Pick `source` up with the real mouse and move it in small steps to `point` (page
    coordinates); `then(page)` runs while the mouse is still down; then the card is dropped."""
    source.scroll_into_view_if_needed()
    start = source.bounding_box()
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 8, y0 + 8, steps=4)
    page.mouse.move(point[0], point[1], steps=25)
    page.wait_for_timeout(250)  # SortableJS's animation, and its 50 ms polling of the pointer
    if then is not None:
        then(page)
    page.mouse.up()


def middle_of(locator: Any) -> tuple[float, float]:
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_drop_a_card_onto_another_to_stack_it(server: Any, open_page: Any, clients: Any) -> None:
    workshop = new_workshop(server)
    board = board_of(server, workshop)
    helper = clients["moderator"](workshop)
    anna = clients["participant"](workshop, "Anna")
    top, neighbour = post_cards(
        helper, board, ["Mehr Personal für Beteiligung", "Personal fehlt für Beteiligung"]
    )
    same = anna.post(board["id"], "Zu wenig Personal für Beteiligung")
    page = open_moderator(open_page, workshop, LAPTOP)
    projector = open_projector(open_page, workshop)
    expect(projector.locator("#board-layout .card")).to_have_count(3)
    target = on_board(page, top["text"])

    # From the unsorted cards onto the middle of a card in a cluster: the card is marked, with a
    # "Stack" hint, and the screen reader hears what a drop does.
    def while_over_the_target(page: Any) -> None:
        expect(target).to_have_class(re.compile(r"\bstack-target\b"))
        expect(page.locator("#board-layout .stack-target")).to_have_count(1)
        assert target.evaluate("e => getComputedStyle(e, '::after').content") == '"Stack"'
        expect(page.locator("#announcer")).to_have_text(f"Release to stack onto “{top['text']}”.")
        screenshot(page, "moderator-stack-drop-target")

    mouse_drag_to(page, on_board(page, same["text"]), middle_of(target), then=while_over_the_target)
    projected = on_board(projector, top["text"])
    expect(projected.locator(".stack-badge")).to_have_text(re.compile(r"^2×"))
    expect(target.locator(".stack-badge")).to_have_text(re.compile(r"^2×"))
    expect(on_board(page, same["text"])).to_have_count(0)
    expect(page.locator("#board-layout .stack-target")).to_have_count(0)
    expect(page.locator("#announcer")).to_have_text(f"Stacked onto “{top['text']}”.")
    stacked, name, index = server_card(server, workshop, top["id"])
    assert [one["id"] for one in stacked["stack"]] == [same["id"]]
    assert (name, index) == (board["clusters"][0]["name"], 0)

    # A stack dropped onto its neighbour in the same cluster: the whole stack goes onto it (the
    # drag passes the neighbour's edge first, which does not move anything).
    mouse_drag_to(page, target, middle_of(on_board(page, neighbour["text"])))
    expect(on_board(projector, neighbour["text"]).locator(".stack-badge")).to_have_text(re.compile(r"^3×"))
    expect(projector.locator("#board-layout .card")).to_have_count(1)
    stacked, _, _ = server_card(server, workshop, neighbour["id"])
    assert [one["id"] for one in stacked["stack"]] == [top["id"], same["id"]]


def test_a_touch_drag_onto_a_card_stacks_it_too(server: Any, open_page: Any, clients: Any) -> None:
    """On a touch screen SortableJS drags after a short hold (its fallback): the same gesture."""
    workshop = new_workshop(server)
    board = board_of(server, workshop)
    helper = clients["moderator"](workshop)
    top, same = post_cards(helper, board, ["Mehr Zeit für Beteiligung", "Zu wenig Zeit für Beteiligung"])
    page = open_moderator(
        open_page, workshop, {"viewport": {"width": 1180, "height": 820}, "has_touch": True}
    )
    target = on_board(page, top["text"])
    expect(target).to_be_visible()
    touch = page.context.new_cdp_session(page)

    def touch_at(kind: str, x: float, y: float) -> None:
        points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
        touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    x0, y0 = middle_of(on_board(page, same["text"]))
    x1, y1 = middle_of(target)
    touch_at("touchStart", x0, y0)
    page.wait_for_timeout(400)  # the hold that starts a drag on touch
    steps = 20
    for step in range(1, steps + 1):
        touch_at("touchMove", x0 + (x1 - x0) * step / steps, y0 + (y1 - y0) * step / steps)
        page.wait_for_timeout(20)
    page.wait_for_timeout(250)
    expect(target).to_have_class(re.compile(r"\bstack-target\b"))
    touch_at("touchEnd", x1, y1)
    expect(target.locator(".stack-badge")).to_have_text(re.compile(r"^2×"))
    stacked, _, _ = server_card(server, workshop, top["id"])
    assert [one["id"] for one in stacked["stack"]] == [same["id"]]


def test_a_refused_stack_drop_says_why_and_keeps_the_card(server: Any, open_page: Any, clients: Any) -> None:
    workshop = new_workshop(server)
    board = board_of(server, workshop)
    helper = clients["moderator"](workshop)
    doomed, kept = post_cards(helper, board, ["Wird gleich gelöscht", "Bleibt liegen"])
    page = open_moderator(open_page, workshop, LAPTOP)
    target = on_board(page, doomed["text"])
    expect(target).to_be_visible()

    # The target is deleted elsewhere while the card hovers over it: the server says not_found.
    def delete_the_target(page: Any) -> None:
        expect(target).to_have_class(re.compile(r"\bstack-target\b"))
        helper.call("card:delete", {"card_id": doomed["id"]})
        page.wait_for_timeout(300)

    mouse_drag_to(page, on_board(page, kept["text"]), middle_of(target), then=delete_the_target)
    expect(page.get_by_role("alert")).to_contain_text("The card could not be stacked")
    expect(page.locator("#board-layout .card-text")).to_have_text([kept["text"]])
    expect(on_board(page, kept["text"])).not_to_have_class(re.compile(r"\bstacking\b"))
    card, _, _ = server_card(server, workshop, kept["id"])
    assert card["stack"] == []


def test_a_drag_between_cards_still_reorders(server: Any, open_page: Any, clients: Any) -> None:
    workshop = new_workshop(server)
    board = board_of(server, workshop)
    helper = clients["moderator"](workshop)
    texts = ["Erste Idee", "Zweite Idee", "Dritte Idee"]
    post_cards(helper, board, texts)
    page = open_moderator(open_page, workshop, LAPTOP)
    projector = open_projector(open_page, workshop)
    name = board["clusters"][0]["name"]
    expect(cluster(projector, name).locator(".card-text")).to_have_text(texts)

    # The last card dropped at the top edge of the first one goes before it, and stacks nothing.
    first = on_board(page, texts[0]).bounding_box()
    mouse_drag_to(
        page,
        on_board(page, texts[2]),
        (first["x"] + first["width"] / 2, first["y"] + 4),
        then=lambda page: expect(page.locator("#board-layout .stack-target")).to_have_count(0),
    )
    order = ["Dritte Idee", "Erste Idee", "Zweite Idee"]
    expect(cluster(projector, name).locator(".card-text")).to_have_text(order)
    expect(cluster(page, name).locator(".card-text")).to_have_text(order)
    snap = board_of(server, workshop)
    assert [c["text"] for c in snap["clusters"][0]["cards"]] == order
    assert all(c["stack"] == [] for c in snap["clusters"][0]["cards"])
    expect(page.locator(".stack-badge:visible")).to_have_count(0)


# ---- focus -----------------------------------------------------------------------------------


def test_focus_a_card_and_a_cluster_on_the_projector(server: Any, open_page: Any, clients: Any) -> None:
    workshop = new_workshop(server)
    board = board_of(server, workshop)
    helper = clients["moderator"](workshop)
    focused, *_ = post_cards(
        helper,
        board,
        ["Beteiligung früh planen", "Ergebnisse zurückmelden", "Ehrenamt stärken"],
        cluster_index=1,
    )
    helper.call("card:update", {"card_id": focused["id"], "color": "green"})
    page = open_moderator(open_page, workshop, LAPTOP)
    projector = open_projector(open_page, workshop)
    overlay = projector.locator("#focus-overlay")
    expect(overlay).to_be_hidden()

    # A card: very large on the projector, over the dimmed board.
    dialog = open_dialog(page, focused["text"])
    dialog.get_by_role("button", name="Show large").click()
    big = overlay.locator(".focus-card")
    expect(big).to_have_text(focused["text"])
    expect(big).to_have_attribute("data-color", "green")
    assert float(big.evaluate("node => parseFloat(getComputedStyle(node).fontSize)")) >= 72
    box = big.bounding_box()
    assert box["width"] > 900, box
    expect(projector.locator("#board-layout")).to_have_js_property("inert", True)
    end = page.get_by_role("button", name="End focus")
    expect(end).to_be_focused()
    assert axe_violations(projector) == []
    settled_screenshot(projector, "projector-focus-card")
    assert snapshot(server, workshop)["workshop"]["focus"] == {"card_id": focused["id"], "cluster_id": None}
    end.click()
    expect(overlay).to_be_hidden()
    expect(page.locator("#focus-overlay")).to_be_hidden()
    expect(projector.locator("#board-layout")).to_have_js_property("inert", False)

    # A cluster: its name, headline and cards large.
    helper.call("cluster:update", {"cluster_id": board["clusters"][1]["id"], "headline": "Was uns bremst"})
    spannung = cluster(page, "Spannungsfelder")
    spannung.get_by_role("button", name="Options for cluster “Spannungsfelder”").click()
    spannung.get_by_role("button", name="Show large: the cluster “Spannungsfelder”").click()
    expect(overlay.locator(".focus-cluster-name")).to_have_text("Spannungsfelder")
    expect(overlay.locator(".focus-headline")).to_have_text("Was uns bremst")
    expect(overlay.locator(".focus-cluster-card .card-text")).to_have_text(
        ["Beteiligung früh planen", "Ergebnisse zurückmelden", "Ehrenamt stärken"]
    )
    size = overlay.locator(".focus-cluster-card").first.evaluate(
        "node => parseFloat(getComputedStyle(node).fontSize)"
    )
    assert float(size) >= 36
    settled_screenshot(projector, "projector-focus-cluster")
    settled_screenshot(page, "moderator-focus-cluster")
    page.get_by_role("button", name="End focus").click()
    expect(overlay).to_be_hidden()
    assert snapshot(server, workshop)["workshop"]["focus"] is None


# ---- undo and redo ---------------------------------------------------------------------------


def test_undo_and_redo_a_move_and_a_delete(server: Any, open_page: Any, clients: Any) -> None:
    workshop = new_workshop(server)
    board = board_of(server, workshop)
    helper = clients["moderator"](workshop)
    first, moved, last = post_cards(helper, board, ["Leitbild", "Quartiersbudget", "Bürgerrat"])
    page = open_moderator(open_page, workshop, LAPTOP)
    projector = open_projector(open_page, workshop)
    undo = page.locator("#undo")
    redo = page.locator("#redo")
    home = cluster(projector, "Rahmenbedingungen und Grundhaltung")
    expect(home.locator(".card-text")).to_have_text(["Leitbild", "Quartiersbudget", "Bürgerrat"])
    expect(undo).to_have_accessible_name("Undo: card added")  # the helper's cards are the moderator's too
    expect(redo).to_be_disabled()

    # A move with the keyboard, undone with the button: the projector follows.
    on_board(page, moved["text"]).focus()
    page.keyboard.press("Alt+ArrowRight")
    expect(cluster(projector, "Spannungsfelder").locator(".card-text")).to_have_text(["Quartiersbudget"])
    expect(undo).to_have_accessible_name("Undo: card moved")
    expect(undo.locator(".bt-history-what")).to_have_text("card moved")
    undo.click()
    expect(home.locator(".card-text")).to_have_text(["Leitbild", "Quartiersbudget", "Bürgerrat"])
    expect(redo).to_have_accessible_name("Redo: card moved")
    redo.click()
    expect(cluster(projector, "Spannungsfelder").locator(".card-text")).to_have_text(["Quartiersbudget"])

    # Ctrl+Z in a text field is the field's own; outside it undoes.
    page.get_by_role("button", name="Add cluster").click()
    page.get_by_placeholder("Name of the new cluster").fill("Neu")
    page.keyboard.press("Control+z")
    page.keyboard.press("Escape")
    undo.click()  # one undo: the move
    expect(home.locator(".card-text")).to_have_text(["Leitbild", "Quartiersbudget", "Bürgerrat"])
    expect(undo).to_have_accessible_name("Undo: card added")
    assert [c["id"] for c in board_of(server, workshop)["clusters"][0]["cards"]] == [
        first["id"],
        moved["id"],
        last["id"],
    ]

    # A delete from the card dialog, undone with Ctrl+Z: the card is back with its text and place.
    dialog = open_dialog(page, moved["text"])
    dialog.get_by_role("button", name="Delete").click()
    expect(home.locator(".card-text")).to_have_text(["Leitbild", "Bürgerrat"])
    expect(page.get_by_role("status").filter(has_text="Card deleted.")).to_be_visible()
    expect(undo).to_have_accessible_name("Undo: card deleted")
    settled_screenshot(page, "moderator-undo")
    page.locator("body").focus()
    page.keyboard.press("Control+z")
    expect(home.locator(".card-text")).to_have_text(["Leitbild", "Quartiersbudget", "Bürgerrat"])
    restored, name, index = server_card(server, workshop, moved["id"])
    assert (restored["text"], name, index) == ("Quartiersbudget", "Rahmenbedingungen und Grundhaltung", 1)
    expect(on_board(page, "Quartiersbudget")).to_be_visible()

    # Redo deletes it again (Ctrl+Shift+Z); Ctrl+Y after an undo too.
    page.keyboard.press("Control+Shift+Z")
    expect(home.locator(".card-text")).to_have_text(["Leitbild", "Bürgerrat"])
    page.keyboard.press("Control+z")
    expect(home.locator(".card-text")).to_have_text(["Leitbild", "Quartiersbudget", "Bürgerrat"])
    page.keyboard.press("Control+y")
    expect(home.locator(".card-text")).to_have_text(["Leitbild", "Bürgerrat"])
    expect(redo).to_be_disabled()
    undo.click()
    expect(home.locator(".card-text")).to_have_text(["Leitbild", "Quartiersbudget", "Bürgerrat"])


def test_undo_says_what_it_had_to_skip(server: Any, open_page: Any, clients: Any) -> None:
    workshop = new_workshop(server)
    board = board_of(server, workshop)
    helper = clients["moderator"](workshop)
    anna = clients["participant"](workshop, "Anna")
    (mine,) = post_cards(helper, board, ["Leitbild"])
    hers = anna.post(board["id"], "Sprechstunde im Quartier")
    page = open_moderator(open_page, workshop, LAPTOP)
    projector = open_projector(open_page, workshop)
    helper.call("card:move", {"card_id": mine["id"], "cluster_id": board["clusters"][2]["id"]})
    helper.call("card:move", {"card_id": hers["id"], "cluster_id": board["clusters"][2]["id"]})
    anna.call("card:delete", {"card_id": hers["id"]})  # the newest operation can no longer be undone
    expect(on_board(projector, hers["text"])).to_have_count(0)
    page.locator("#undo").click()
    expect(
        page.get_by_role("status").filter(has_text="Could no longer be undone and was skipped: card moved.")
    ).to_be_visible()
    expect(cluster(projector, "Rahmenbedingungen und Grundhaltung").locator(".card-text")).to_have_text(
        ["Leitbild"]
    )


# ---- paper cards and wall dots ---------------------------------------------------------------


def test_paper_cards_and_wall_dots(server: Any, open_page: Any, clients: Any) -> None:
    workshop = new_workshop(server)
    board = board_of(server, workshop)
    helper = clients["moderator"](workshop)
    anna = clients["participant"](workshop, "Anna")
    (phone_card,) = post_cards(helper, board, ["Leitbild"], cluster_index=2)
    page = open_moderator(open_page, workshop, LAPTOP)
    projector = open_projector(open_page, workshop)

    # Two cards typed in from paper, one after the other, into a cluster and the unsorted cards.
    page.get_by_role("button", name="Add paper card").click()
    dialog = page.get_by_role("dialog", name="Add paper card")
    expect(dialog.get_by_label("Text of the card")).to_be_focused()
    dialog.get_by_label("Text of the card").fill("Sprechstunde im Quartir")
    dialog.get_by_label("Put it into").select_option(label="Handlungsansätze")
    dialog.get_by_role("radio", name="Green").check()
    dialog.get_by_role("button", name="Add card").click()
    expect(dialog.get_by_role("status")).to_have_text(
        "Added “Sprechstunde im Quartir”. Type the next one or choose Done."
    )
    expect(dialog.get_by_label("Text of the card")).to_have_value("")
    dialog.get_by_label("Put it into").select_option(label="Unsorted")
    dialog.get_by_label("Text of the card").fill("Mehr Bänke am Markt")
    settled_screenshot(page, "moderator-paper-dialog")
    assert axe_violations(page) == []
    page.keyboard.press("Control+Enter")
    expect(on_board(projector, "Mehr Bänke am Markt").locator(".paper-mark")).to_have_text("Paper")
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_be_hidden()
    paper = on_board(projector, "Sprechstunde im Quartir")
    expect(paper.locator(".paper-mark")).to_be_visible()
    expect(paper).to_have_attribute("data-color", "green")
    expect(cluster(projector, "Handlungsansätze").locator(".card-text")).to_have_text(
        ["Leitbild", "Sprechstunde im Quartir"]
    )
    expect(on_board(projector, "Leitbild").locator(".paper-mark")).to_be_hidden()

    # The typo is fixed in the card's dialog.
    card_dialog = open_dialog(page, "Sprechstunde im Quartir")
    expect(card_dialog.locator("#wall-dots")).to_be_hidden()  # no round of dot voting yet
    card_dialog.get_by_role("button", name="Edit text").click()
    card_dialog.get_by_label("Text of the card").fill("Sprechstunde")
    page.keyboard.press("Escape")  # ends the editing, not the dialog
    expect(card_dialog.get_by_label("Text of the card")).to_be_hidden()
    expect(card_dialog.get_by_role("button", name="Edit text")).to_be_focused()
    card_dialog.get_by_role("button", name="Edit text").click()
    expect(card_dialog.get_by_label("Text of the card")).to_have_value("Sprechstunde im Quartir")
    card_dialog.get_by_label("Text of the card").fill("Sprechstunde im Quartier")
    card_dialog.get_by_role("button", name="Save text").click()
    expect(card_dialog.locator("#move-card-text")).to_have_text("Sprechstunde im Quartier")
    expect(on_board(projector, "Sprechstunde im Quartier").locator(".card-text")).to_have_text(
        "Sprechstunde im Quartier"
    )
    page.keyboard.press("Escape")
    settled_screenshot(projector, "projector-paper-card")
    paper_card = next(c for c in board_of(server, workshop)["clusters"][2]["cards"] if c["on_paper"])
    assert (paper_card["text"], paper_card["author_role"], paper_card["color"]) == (
        "Sprechstunde im Quartier",
        "moderator",
        "green",
    )

    # Dot voting: one dot from a phone, four counted on the wall; the projector shows the total.
    helper.call("vote:open", {"board_id": board["id"], "budget": 3, "per_card_cap": 2, "show_live": False})
    anna.call("vote:cast", {"card_id": paper_card["id"]})
    anna.call("vote:cast", {"card_id": phone_card["id"]})
    card_dialog = open_dialog(page, "Sprechstunde im Quartier")
    wall = card_dialog.get_by_label("Dots counted on the wall")
    expect(wall).to_have_value("0")
    wall.fill("4")
    wall.press("Enter")
    expect(card_dialog.locator("#wall-dots-hint")).to_have_text("4 wall dots saved; 5 dots in all.")
    expect(card_dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(projector.locator(".dot-badge")).to_have_count(0)  # hidden until the round closes
    helper.call("vote:close", {"board_id": board["id"]})
    expect(on_board(projector, "Sprechstunde im Quartier").locator(".dot-badge")).to_have_text("● 5")

    # Counted after the round closed, on the other card: the projector follows at once.
    card_dialog = open_dialog(page, "Leitbild")
    card_dialog.get_by_label("Dots counted on the wall").fill("2")
    card_dialog.get_by_role("button", name="Save dots").click()
    expect(on_board(projector, "Leitbild").locator(".dot-badge")).to_have_text("● 3")

    # A stack shows the dots of all its cards.
    card_dialog.get_by_role("button", name="Stack onto…").click()
    on_board(page, "Sprechstunde im Quartier").click()
    stack = on_board(projector, "Sprechstunde im Quartier")
    expect(stack.locator(".stack-badge")).to_have_text(re.compile(r"^2×"))
    expect(stack.locator(".dot-badge")).to_have_text("● 8")
    settled_screenshot(projector, "projector-wall-dots")


def test_the_board_speaks_german(server: Any, open_page: Any, clients: Any) -> None:
    workshop = new_workshop(server, language="de")
    board = board_of(server, workshop)
    helper = clients["moderator"](workshop)
    (moved,) = post_cards(helper, board, ["Leitbild"])
    helper.call("card:move", {"card_id": moved["id"], "cluster_id": board["clusters"][1]["id"]})
    page = open_page(f"/m/{workshop['id']}/board#key={workshop['moderator_key']}", LAPTOP, locale="de-DE")
    expect(page.locator("#status")).to_have_attribute("data-status", "online")
    expect(page.get_by_role("button", name="Papierkarte eintragen")).to_be_visible()
    expect(page.locator("#undo")).to_have_accessible_name("Rückgängig: Karte verschoben")
    page.locator("#undo").click()
    expect(page.locator("#redo")).to_have_accessible_name("Wiederholen: Karte verschoben")
    open_dialog(page, "Leitbild", name="Karte")
    for name in ("Text bearbeiten", "Groß zeigen", "Auf Karte stapeln…", "Löschen"):
        expect(page.get_by_role("button", name=name, exact=True)).to_be_visible()
