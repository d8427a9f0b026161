"""The "done when" of the Metaplan toolbox: a moderator runs a complete Metaplan sequence in one
workshop, in the browser alone. The start page, the console (/m/<id>) and the moderator board
(/m/<id>/board) on the moderator's laptop, the read-only projector (/p/<id>), three phones of
their own. Every action is a click or a keystroke on one of those pages; the server's state is
only read (GET /api/workshops/<id> with the moderator key) to check what the screens show.

hidden card query with done signals -> reveal -> two paper cards -> clusters, a headline, a
colour -> a stack of two duplicates -> dot voting (a phone hits the cap) -> a timer that locks
the board at the end -> an undo -> the results as Markdown with the dot counts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE, PROJECTOR, path_of, screenshot
from tests.browser.test_board import card, cluster, drag, inbox
from tests.browser.test_board_methods import on_board, open_dialog, settled_screenshot
from tests.browser.test_console import board_item
from tests.browser.test_participant import join, my_card
from tests.browser.test_phone_methods import budget, post, vote_row

pytestmark = pytest.mark.browser

# What the phones write: Anna and Ben say the same thing in different words.
ANNA = "Zu wenig Personal für Beteiligung"
BEN_SAME = "Mehr Personal für die Beteiligung einplanen"
BEN = "Verbindliche Absprachen zwischen den Ämtern"
CLARA = "Ergebnisse sichtbar machen"
HIDDEN = [ANNA, BEN_SAME, BEN, CLARA]
# What was written on paper and typed in by the moderator.
PAPER = ["Sprechstunde im Rathaus", "Mehr Bänke am Marktplatz"]
RESOURCES, COOPERATION, HEADLINE = "Ressourcen", "Zusammenarbeit", "Was wir brauchen"


@dataclass
class Room:
    server: Any
    workshop_id: str
    key: str
    board_title: str
    console: Any
    board: Any
    projector: Any
    phones: dict[str, Any]

    def state(self) -> dict[str, Any]:
        """The server's state, as the moderator sees it (read only)."""
        response = requests.get(
            f"{self.server.url}/api/workshops/{self.workshop_id}",
            headers={"Authorization": f"Bearer {self.key}"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.json()["boards"][0]  # type: ignore[no-any-return]

    def board_item(self) -> Any:
        return board_item(self.console, self.board_title)

    def methods(self) -> Any:
        panel = self.console.locator("#methods-panel")
        panel.scroll_into_view_if_needed()
        return panel


def top_cards(board: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every top card of the board (stacks as their top) by its text."""
    containers = [board["unsorted"], *(c["cards"] for c in board["clusters"])]
    return {one["text"]: one for cards in containers for one in cards}


def expect_nothing_hidden_on(projector: Any) -> None:
    """No hidden card's text anywhere in the projector's page: not shown, not in the DOM at all."""
    content = projector.content()
    body = projector.locator("body").text_content()
    for text in HIDDEN:
        assert text not in content and text not in body, f"{text!r} reached the projector"


# ---- the steps -----------------------------------------------------------------------------


def create_and_join(server: Any, open_page: Any) -> Room:
    """1. The start page creates the workshop; the console's links open the board and the
    projector; three phones join with the code the console shows."""
    console = open_page("/", LAPTOP)
    console.get_by_label("Title").first.fill("Quartiersentwicklung Nordstadt")
    console.get_by_label("Event").fill("Bürgerwerkstatt")
    console.get_by_label("Place").fill("Bürgerhaus Nordstadt")
    console.get_by_role("radio", name=re.compile("Open card query")).check()
    console.get_by_role("button", name="Create workshop").click()
    console.wait_for_url(re.compile(r"/m/[A-Za-z0-9_-]+#key="))
    workshop_id, key = re.search(r"/m/([A-Za-z0-9_-]+)#key=([A-Za-z0-9_-]+)", console.url).groups()
    expect(console.locator("#status")).to_have_attribute("data-status", "online")
    expect(console.locator("#join-code")).to_have_text(re.compile(r"^[A-Z0-9]{6}$"))
    join_code = console.locator("#join-code").inner_text().strip()
    board_title = console.locator("li.board-item h3").first.inner_text().strip()

    expect(console.locator("#moderator-board-link")).to_have_attribute("href", re.compile("/board#key="))
    expect(console.locator("#projector-open")).to_have_attribute("href", re.compile("/p/"))
    board = open_page(path_of(console.locator("#moderator-board-link").get_attribute("href")), LAPTOP)
    projector = open_page(path_of(console.locator("#projector-open").get_attribute("href")), PROJECTOR)
    for page in (board, projector):
        expect(page.locator("#status")).to_have_attribute("data-status", "online")
    assert key not in projector.url

    phones = {}
    for name in ("Anna", "Ben", "Clara"):
        phone = open_page("/j", PHONE)
        phone.get_by_label("Workshop code").fill(join_code)
        phone.get_by_role("button", name="Join").click()
        join(phone, name)
        phones[name] = phone
    expect(console.locator("#participant-count")).to_have_text("3 participants joined")
    expect(projector.locator("#participants-text")).to_have_text("3 participants")
    return Room(server, workshop_id, key, board_title, console, board, projector, phones)


def hidden_card_query(room: Room) -> None:
    """2. Cards come in face down: the projector counts them and never sees a text; the phones
    say they are done."""
    item = room.board_item()
    item.get_by_label("Hidden card query").check()
    expect(room.console.locator("#announcer")).to_contain_text("Setting saved")
    expect(room.projector.locator("#query-count")).to_have_text("No cards yet")
    for phone in room.phones.values():
        expect(phone.locator("#query-banner")).to_be_visible()

    posts = [("Anna", ANNA), ("Ben", BEN_SAME), ("Clara", CLARA), ("Ben", BEN)]
    for count, (name, text) in enumerate(posts, start=1):
        post(room.phones[name], text)
        expect(room.projector.locator("#query-count")).to_have_text(
            "1 card in" if count == 1 else f"{count} cards in"
        )
        expect(room.projector.locator(".card.face-down")).to_have_count(count)
        expect_nothing_hidden_on(room.projector)
    # Each phone has its own cards whole, and nothing of the others'.
    expect(my_card(room.phones["Anna"], ANNA)).to_contain_text("Hidden until the moderator reveals it")
    assert BEN_SAME not in room.phones["Anna"].content() and ANNA not in room.phones["Clara"].content()

    for done, phone in enumerate(room.phones.values(), start=1):
        phone.get_by_role("button", name="I'm done").click()
        expect(phone.get_by_role("button", name="I want to write more")).to_be_visible()
        expect(room.projector.locator("#query-done")).to_have_text(f"{done} of 3 done")
        expect_nothing_hidden_on(room.projector)
    expect(item.locator(".badge.done")).to_have_text("3 of 3 done")
    expect(item.locator(".badge.hidden-cards")).to_have_text("4 hidden")
    settled_screenshot(room.projector, "metaplan-hidden-projector")
    expect_nothing_hidden_on(room.projector)


def reveal(room: Room) -> None:
    """3. Reveal all from the console; the query is over, so the moderator unticks it."""
    item = room.board_item()
    item.get_by_role("button", name=re.compile("^Reveal all")).click()
    expect(room.projector.locator(".card.face-down")).to_have_count(0)
    for text in HIDDEN:
        expect(card(room.projector, text)).to_be_visible()
    expect(card(room.projector, ANNA)).to_contain_text("Anna")
    expect(room.projector.locator("#query-count")).to_have_text("All cards revealed")
    expect(my_card(room.phones["Anna"], ANNA)).not_to_contain_text("Hidden until")
    settled_screenshot(room.projector, "metaplan-revealed")
    item.get_by_label("Hidden card query").uncheck()
    expect(room.projector.locator("#query-bar")).to_be_hidden()


def type_in_paper_cards(room: Room) -> None:
    """4. Two cards written on paper, typed in on the moderator board."""
    room.board.get_by_role("button", name="Add paper card").click()
    dialog = room.board.get_by_role("dialog", name="Add paper card")
    for text, colour in zip(PAPER, ("Blue", "Yellow"), strict=True):
        dialog.get_by_label("Text of the card").fill(text)
        dialog.get_by_role("radio", name=colour).check()
        dialog.get_by_role("button", name="Add card").click()
        expect(dialog.get_by_role("status")).to_have_text(
            f"Added “{text}”. Type the next one or choose Done."
        )
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_be_hidden()
    for text in PAPER:
        expect(on_board(room.projector, text).locator(".paper-mark")).to_have_text("Paper")
    expect(on_board(room.projector, PAPER[0])).to_have_attribute("data-color", "blue")
    expect(on_board(room.projector, ANNA).locator(".paper-mark")).to_be_hidden()
    expect(inbox(room.projector).locator(".card")).to_have_count(6)


def drag_to_end(board: Any, text: str, name: str) -> None:
    """Drag a card with the mouse to the end of a cluster's list of cards."""
    cards = cluster(board, name).locator("ol.cards")
    drag(board, on_board(board, text), cards, offset_y=cards.bounding_box()["height"] - 6)


def add_cluster(board: Any, name: str) -> None:
    board.get_by_role("button", name="Add cluster").click()
    board.get_by_label("Name of the new cluster").fill(name)
    board.get_by_label("Name of the new cluster").press("Enter")
    expect(cluster(board, name)).to_be_visible()


def cluster_and_colour(room: Room) -> None:
    """5. Two clusters, a headline on one, cards dragged in, one card recoloured."""
    board, projector = room.board, room.projector
    add_cluster(board, RESOURCES)
    add_cluster(board, COOPERATION)
    expect(cluster(projector, COOPERATION)).to_be_visible()

    resources = cluster(board, RESOURCES)
    resources.locator(".cluster-toggle").click()
    resources.get_by_role("button", name=f"Edit the headline of the cluster “{RESOURCES}”").click()
    headline = board.get_by_label(f"Headline card of the cluster “{RESOURCES}”")
    headline.fill(HEADLINE)
    headline.press("Enter")
    expect(cluster(projector, RESOURCES).locator(".headline-card")).to_have_text(re.compile(HEADLINE))
    resources.locator(".cluster-toggle").click()

    for text, target in ((ANNA, RESOURCES), (BEN_SAME, RESOURCES), (BEN, COOPERATION), (CLARA, COOPERATION)):
        drag_to_end(board, text, target)
        expect(cluster(projector, target)).to_contain_text(text)
    drag_to_end(board, PAPER[0], COOPERATION)
    expect(cluster(projector, RESOURCES).locator(".card-text")).to_have_text([ANNA, BEN_SAME])
    expect(cluster(projector, COOPERATION).locator(".card-text")).to_have_text([BEN, CLARA, PAPER[0]])
    expect(inbox(projector).locator(".card-text")).to_have_text([PAPER[1]])

    dialog = open_dialog(board, CLARA)
    dialog.get_by_role("button", name="Green").click()
    expect(dialog.get_by_role("button", name="Green")).to_have_attribute("aria-pressed", "true")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(on_board(projector, CLARA)).to_have_attribute("data-color", "green")
    expect(my_card(room.phones["Clara"], CLARA)).to_have_attribute("data-color", "green")
    settled_screenshot(projector, "metaplan-clustered")


def stack_duplicates(room: Room) -> None:
    """6. Ben's card says what Anna's says: stacked, the projector shows one card with "2×"."""
    dialog = open_dialog(room.board, BEN_SAME)
    dialog.get_by_role("button", name="Stack onto…").click()
    expect(room.board.locator("#stack-pick")).to_be_visible()
    on_board(room.board, ANNA).click()
    expect(room.board.locator("#stack-pick")).to_be_hidden()
    stack = on_board(room.projector, ANNA)
    expect(stack.locator(".stack-badge")).to_have_text(re.compile(r"^2×"))
    expect(on_board(room.projector, BEN_SAME)).to_have_count(0)
    expect(cluster(room.projector, RESOURCES).locator(".card")).to_have_count(1)
    expect(my_card(room.phones["Ben"], BEN_SAME)).to_contain_text("In a stack of 2 cards")
    top = top_cards(room.state())[ANNA]
    assert [one["text"] for one in top["stack"]] == [BEN_SAME]


def add_dots(phone: Any, text: str, count: int) -> None:
    row = vote_row(phone, text)
    for _ in range(count):
        before = budget(phone).inner_text()
        row.get_by_role("button", name="Add a dot").click()
        expect(budget(phone)).not_to_have_text(before)


def dot_voting(room: Room) -> dict[str, int]:
    """7. Budget 3, at most 2 per card; Anna hits the cap; the round closes and the projector shows
    the dots, the stack's counted for the stack. Returns the dots per top card's text."""
    panel = room.methods()
    panel.get_by_label("Dots per person").fill("3")
    panel.get_by_label("At most per card").fill("2")
    panel.get_by_role("button", name="Open voting").click()
    expect(panel.get_by_role("status")).to_have_text("Voting is open: 0 dots placed.")
    anna = room.phones["Anna"]
    for phone in room.phones.values():
        expect(budget(phone)).to_have_text("3 of 3 dots left")
    expect(vote_row(anna, ANNA).locator(".stack-chip")).to_have_text("Stack of 2 cards")

    add_dots(anna, ANNA, 2)
    vote_row(anna, ANNA).get_by_role("button", name="Add a dot").click()
    expect(vote_row(anna, ANNA).get_by_role("alert")).to_have_text(
        "This card already has 2 of your dots: that is the most one card may get from you."
    )
    expect(budget(anna)).to_have_text("1 of 3 dots left")
    vote_row(anna, ANNA).scroll_into_view_if_needed()
    screenshot(anna, "metaplan-voting-phone")
    add_dots(anna, PAPER[0], 1)
    add_dots(room.phones["Ben"], ANNA, 1)
    add_dots(room.phones["Ben"], BEN, 2)
    add_dots(room.phones["Clara"], CLARA, 2)
    add_dots(room.phones["Clara"], PAPER[0], 1)
    for phone in room.phones.values():
        expect(budget(phone)).to_have_text("0 of 3 dots left")
    expect(panel.get_by_role("status")).to_have_text("Voting is open: 9 dots placed.")
    expect(room.projector.locator(".dot-badge")).to_have_count(0)  # hidden until the round closes

    panel.get_by_role("button", name="Close voting").click()
    expect(panel.get_by_role("status")).to_have_text("Voting closed: 9 dots placed.")
    board = room.state()
    tally = board["vote"]["tally"]
    dots = {text: tally.get(str(one["id"]), 0) for text, one in top_cards(board).items()}
    assert dots == {ANNA: 3, BEN: 2, CLARA: 2, PAPER[0]: 2, PAPER[1]: 0}
    for text, count in dots.items():
        badge = on_board(room.projector, text).locator(".dot-badge")
        if count:
            expect(badge).to_have_text(f"● {count}")
        else:
            expect(badge).to_have_count(0)
    expect(room.phones["Ben"].locator("#vote-result .result-dots").first).to_have_text("3 dots")
    settled_screenshot(room.projector, "metaplan-result-projector")
    return dots


def timer_locks_the_board(room: Room) -> None:
    """8. An eight-second timer with the lock at the end: every screen counts; when it is up the
    server locks the board, and the phones can no longer post."""
    panel = room.methods()
    panel.get_by_label("Minutes").fill("0")
    panel.get_by_label("Seconds").fill("8")
    panel.get_by_label("Lock the board at the end").check()
    panel.get_by_role("button", name="Start").click()
    counting = re.compile(r"^00:0[1-8]$")
    clock = room.projector.locator("#board-timer")
    expect(clock).to_have_text(counting)
    for phone in room.phones.values():
        expect(phone.locator("#phone-timer-value")).to_have_text(counting)
        expect(phone.locator("#phone-timer-state")).to_have_text("Time left")
    expect(room.board.locator("#board-timer")).to_have_text(counting)
    expect(room.console.locator("#methods-timer")).to_have_text(counting)
    shown = clock.inner_text()
    expect(clock).not_to_have_text(shown)  # it counts down
    screenshot(room.board, "metaplan-timer-board")

    for phone in room.phones.values():
        expect(phone.locator("#phone-timer-state")).to_have_text("Time is up", timeout=15000)
        expect(phone.locator("#locked-banner")).to_be_visible()
        expect(phone.locator("#locked-banner p:visible")).to_have_text(re.compile(r"^The time is up\. Keep"))
        expect(phone.get_by_role("button", name="Post card")).to_be_disabled()
    expect(clock).to_have_text("00:00")
    expect(room.projector.locator("#locked-chip")).to_be_visible()
    expect(room.board_item().locator(".badge", has_text="Locked")).to_be_visible()
    clara = room.phones["Clara"]
    clara.get_by_label("Your card").fill("Noch eine Idee")
    expect(clara.get_by_role("button", name="Post card")).to_be_disabled()
    clara.locator("#locked-banner").scroll_into_view_if_needed()
    screenshot(clara, "metaplan-locked-phone")
    board = room.state()
    assert board["settings"]["locked"] is True
    assert "Noch eine Idee" not in top_cards(board)


def undo_a_move(room: Room) -> None:
    """9. The moderator still sorts on a locked board: a move, then Undo; the projector follows."""
    board, projector = room.board, room.projector
    drag_to_end(board, PAPER[1], COOPERATION)
    expect(cluster(projector, COOPERATION)).to_contain_text(PAPER[1])
    expect(inbox(projector).locator(".card")).to_have_count(0)
    undo = board.get_by_role("button", name="Undo: card moved")
    undo.click()
    expect(inbox(projector).locator(".card-text")).to_have_text([PAPER[1]])
    expect(cluster(projector, COOPERATION).locator(".card")).to_have_count(3)
    expect(board.locator("#redo")).to_have_accessible_name("Redo: card moved")
    assert [one["text"] for one in room.state()["unsorted"]] == [PAPER[1]]


def export_markdown(room: Room, dots: dict[str, int]) -> None:
    """10. The results as Markdown from the console: clusters with the headline, the stack with its
    stacked text, the paper cards, and each card's dots as the server counted them."""
    panel = room.console.locator("#export-panel")
    panel.scroll_into_view_if_needed()
    with room.console.expect_download() as download:
        panel.get_by_role("button", name="Markdown").click()
    expect(panel.get_by_role("status")).to_contain_text("Downloaded")
    markdown = download.value.path().read_text(encoding="utf-8")
    sections = markdown_sections(markdown)
    resources, cooperation = sections[RESOURCES], sections[COOPERATION]
    assert f"**{HEADLINE}**" in resources
    assert HEADLINE not in "".join(cooperation)

    anna = next(index for index, line in enumerate(resources) if line.startswith(f"- {ANNA} "))
    assert resources[anna + 1] == f"  - *also:* {BEN_SAME}", resources  # the stacked text, beneath
    assert sum(BEN_SAME in line for line in markdown.splitlines()) == 1
    where = {ANNA: resources, BEN: cooperation, CLARA: cooperation, PAPER[0]: cooperation}
    where[PAPER[1]] = sections["Unsorted"]
    for text, lines in where.items():
        (line,) = [line for line in lines if line.startswith(f"- {text} (")]
        count = dots[text]
        assert f"({count} dot{'' if count == 1 else 's'}" in line, line
        assert ("paper card" in line) == (text in PAPER), line


def markdown_sections(markdown: str) -> dict[str, list[str]]:
    """The lines under each ### heading (a cluster or the unsorted cards)."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in markdown.splitlines():
        if line.startswith("### "):
            current = sections.setdefault(line[4:].strip(), [])
        elif line.startswith("#"):
            current = None
        elif current is not None and line.strip():
            current.append(line)
    return sections


# ---- the test ------------------------------------------------------------------------------


def test_a_complete_metaplan_sequence_in_the_browser(server: Any, open_page: Any) -> None:
    room = create_and_join(server, open_page)
    hidden_card_query(room)
    reveal(room)
    type_in_paper_cards(room)
    cluster_and_colour(room)
    stack_duplicates(room)
    dots = dot_voting(room)
    timer_locks_the_board(room)
    undo_a_move(room)
    export_markdown(room, dots)
