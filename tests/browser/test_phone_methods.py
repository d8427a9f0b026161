"""The Metaplan methods on the participant's phone: dot voting (placing and taking back dots,
the cap, the budget, the result; live counts only where the round shows them), the focus, the
timer in the server's time whatever the phone's clock says, and the participant's own card in a
stack. Real server, real Chromium at 360 × 640, the moderator and other participants as
python-socketio clients."""

from __future__ import annotations

import datetime as dt
import math
import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import socketio
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, axe_violations, create_workshop, screenshot, snapshot

pytestmark = pytest.mark.browser


# ---- helpers -------------------------------------------------------------------------------


@pytest.fixture
def clients(server: Any) -> Iterator[Callable[..., socketio.Client]]:
    """Factory: clients(auth) -> a python-socketio client connected with that auth."""
    connected: list[socketio.Client] = []

    def connect(auth: dict[str, Any]) -> socketio.Client:
        client = socketio.Client(reconnection=False)
        client.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=10)
        connected.append(client)
        return client

    yield connect
    for client in connected:
        client.disconnect()


def ok(client: socketio.Client, event: str, payload: dict[str, Any]) -> dict[str, Any]:
    ack = client.call(event, payload, timeout=10)
    assert ack["ok"], (event, payload, ack)
    return ack["data"]  # type: ignore[no-any-return]


class Room:
    """A workshop with its moderator and a second participant (Ben) on python-socketio."""

    def __init__(self, server: Any, clients: Callable[..., socketio.Client], **workshop: Any) -> None:
        self.server = server
        self.workshop = create_workshop(server, **workshop)
        self.moderator = clients(
            {"workshop": self.workshop["id"], "moderator_key": self.workshop["moderator_key"]}
        )
        token = requests.post(
            f"{server.url}/api/join", json={"code": self.workshop["join_code"], "name": "Ben"}, timeout=10
        ).json()["participant_token"]
        self.ben = clients({"workshop": self.workshop["id"], "token": token})
        self.board = ok(self.moderator, "sync", {})["snapshot"]["boards"][0]

    def cluster_id(self, name: str) -> int:
        return next(c["id"] for c in self.board["clusters"] if c["name"] == name)

    def card_by_ben(self, text: str, cluster: str | None = None) -> dict[str, Any]:
        card = ok(
            self.ben,
            "card:create",
            {"client_id": uuid.uuid4().hex, "board_id": self.board["id"], "text": text},
        )
        if cluster is not None:
            ok(self.moderator, "card:move", {"card_id": card["id"], "cluster_id": self.cluster_id(cluster)})
        return card

    def card_id(self, text: str) -> int:
        for board in snapshot(self.server, self.workshop)["boards"]:
            for container in [board["unsorted"], *(c["cards"] for c in board["clusters"])]:
                for card in container:
                    for one in [card, *card["stack"]]:
                        if one["text"] == text:
                            return int(one["id"])
        raise AssertionError(f"no card {text!r}")


def open_phone(open_page: Any, room: Room, name: str = "Anna", **options: Any) -> Any:
    page = open_page(f"/j/{room.workshop['join_code']}", PHONE, **options)
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Join the workshop").click()
    expect(page.locator("#status")).to_have_attribute("data-status", "online")
    return page


def post(page: Any, text: str) -> None:
    page.get_by_label("Your card").fill(text)
    page.get_by_role("button", name="Post card").click()
    expect(page.locator("#my-cards > li").filter(has_text=text)).to_have_attribute("data-state", "confirmed")


def vote_row(page: Any, text: str) -> Any:
    return page.locator("#vote-groups li.vote-card").filter(has=page.locator(".card-text", has_text=text))


def scroll_to(page: Any, selector: str) -> None:
    """Scroll an element to the top of the view, just under the sticky top bar."""
    page.evaluate(
        """(selector) => {
            const target = document.querySelector(selector);
            const header = document.querySelector(".p-topbar");
            const top = target.getBoundingClientRect().top + window.scrollY;
            window.scrollTo(0, top - header.offsetHeight - 12);
        }""",
        selector,
    )


def budget(page: Any) -> Any:
    return page.locator("#vote-budget-text")


# ---- dot voting ----------------------------------------------------------------------------


def test_a_phone_votes_end_to_end(server: Any, open_page: Any, clients: Any) -> None:
    room = Room(server, clients, language="en")
    room.card_by_ben("Leitsätze gemeinsam erarbeiten", "Rahmenbedingungen und Grundhaltung")
    room.card_by_ben("Rollenklarheit schaffen", "Spannungsfelder")
    duplicate = room.card_by_ben("Rollen klären", "Spannungsfelder")
    room.card_by_ben("Mehr Zeit für Austausch")  # unsorted
    ok(
        room.moderator,
        "card:stack",
        {"card_id": duplicate["id"], "onto_card_id": room.card_id("Rollenklarheit schaffen")},
    )
    ok(room.moderator, "board:update", {"board_id": room.board["id"], "hidden": True})
    room.card_by_ben("Noch verdeckt")
    ok(room.moderator, "board:update", {"board_id": room.board["id"], "hidden": False})

    page = open_phone(open_page, room)
    post(page, "Verwaltung und Politik gemeinsam denken")
    expect(page.locator("#vote-panel")).to_be_hidden()

    ok(room.moderator, "vote:open", {"board_id": room.board["id"], "budget": 3, "per_card_cap": 2})
    expect(page.get_by_role("heading", name="Dot voting")).to_be_visible()
    expect(budget(page)).to_have_text("3 of 3 dots left")
    expect(page.locator("#vote-budget-dots .dot-filled")).to_have_count(3)
    expect(page.locator("#announcer")).to_have_text("Dot voting has started: you have 3 dots.")
    # Board order, grouped under the clusters; the stack is one card; the hidden card is not there.
    expect(page.locator(".vote-group-name")).to_have_text(
        ["Rahmenbedingungen und Grundhaltung", "Spannungsfelder", "Not yet sorted"]
    )
    expect(page.locator(".vote-card .card-text")).to_have_text(
        [
            "Leitsätze gemeinsam erarbeiten",
            "Rollenklarheit schaffen",
            "Mehr Zeit für Austausch",
            "Verwaltung und Politik gemeinsam denken",
        ]
    )
    expect(vote_row(page, "Rollenklarheit schaffen").locator(".stack-chip")).to_have_text("Stack of 2 cards")
    expect(page.locator("#vote-hidden-note")).to_have_text("1 hidden card can get dots once it is revealed.")
    expect(page.locator(".vote-live-count:visible")).to_have_count(0)

    first, second, third = (
        vote_row(page, "Leitsätze gemeinsam erarbeiten"),
        vote_row(page, "Rollenklarheit schaffen"),
        vote_row(page, "Mehr Zeit für Austausch"),
    )
    expect(first.get_by_role("button", name="Take back")).to_be_disabled()  # no dot of yours there yet
    first.get_by_role("button", name="Add a dot").click()
    expect(budget(page)).to_have_text("2 of 3 dots left")
    expect(first.locator(".vote-mine-text")).to_have_text("Your dots: 1 of at most 2")
    first.get_by_role("button", name="Add a dot").click()
    expect(first.locator(".vote-mine-text")).to_have_text("Your dots: 2 of at most 2")
    expect(first.locator(".vote-mine-dots .dot-filled")).to_have_count(2)

    # The cap: a third dot on the same card is refused by the server, and the phone says why.
    first.get_by_role("button", name="Add a dot").click()
    expect(first.get_by_role("alert")).to_have_text(
        "This card already has 2 of your dots: that is the most one card may get from you."
    )
    expect(budget(page)).to_have_text("1 of 3 dots left")

    # The stack takes the last dot; then the budget is spent.
    second.get_by_role("button", name="Add a dot").click()
    expect(budget(page)).to_have_text("0 of 3 dots left")
    expect(first.locator(".vote-error")).to_have_text("")  # a dot that worked clears the old message
    third.get_by_role("button", name="Add a dot").click()
    expect(third.get_by_role("alert")).to_have_text(
        "You have placed all your 3 dots. Take one back from another card to place it here."
    )
    expect(page.locator("#announcer")).to_have_text(
        "You have placed all your 3 dots. Take one back from another card to place it here."
    )

    # Another participant votes: without show_live the phone shows no counts but its own.
    ok(room.ben, "vote:cast", {"card_id": room.card_id("Mehr Zeit für Austausch")})
    ok(room.ben, "vote:cast", {"card_id": room.card_id("Rollenklarheit schaffen")})
    expect(page.locator("#vote-live")).to_have_text(
        "Nobody sees who voted for what. The counts stay hidden until the moderator closes the voting."
    )
    expect(page.locator(".vote-live-count:visible")).to_have_count(0)
    expect(third.locator(".vote-mine-text")).to_have_text("Your dots: 0 of at most 2")

    # Take one back: a dot to spend again.
    first.get_by_role("button", name="Take back").click()
    expect(budget(page)).to_have_text("1 of 3 dots left")
    expect(first.locator(".vote-mine-text")).to_have_text("Your dots: 1 of at most 2")
    expect(page.locator("#announcer")).to_have_text("Dot taken back. 1 of 3 dots left.")
    third.get_by_role("button", name="Add a dot").click()
    expect(budget(page)).to_have_text("0 of 3 dots left")
    expect(third.locator(".vote-error")).to_have_text("")
    # Three minutes to vote: the timer and the dots left share the bar.
    ok(room.moderator, "timer:start", {"board_id": room.board["id"], "seconds": 180})
    expect(page.locator("#phone-timer-value")).to_have_text(re.compile(r"^0(3:00|2:5\d)$"))
    scroll_to(page, "#vote-panel")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []
    screenshot(page, "phone-voting")

    # The server agrees with what the phone shows.
    vote = snapshot(server, room.workshop)["boards"][0]["vote"]
    ids = {
        text: str(room.card_id(text))
        for text in ("Leitsätze gemeinsam erarbeiten", "Rollenklarheit schaffen", "Mehr Zeit für Austausch")
    }
    assert vote["tally"] == {
        ids["Leitsätze gemeinsam erarbeiten"]: 1,
        ids["Rollenklarheit schaffen"]: 2,
        ids["Mehr Zeit für Austausch"]: 2,
    }

    # The round closes: the phone shows the ranking with the dots, ties sharing a place.
    ok(room.moderator, "vote:close", {"board_id": room.board["id"]})
    expect(page.locator("#vote-panel")).to_be_hidden()
    expect(page.locator("#vote-budget")).to_be_hidden()
    result = page.locator("#vote-result")
    expect(result.get_by_role("heading", name="Result of the dot voting")).to_be_visible()
    expect(result.locator(".result-row .card-text")).to_have_text(
        ["Rollenklarheit schaffen", "Mehr Zeit für Austausch", "Leitsätze gemeinsam erarbeiten"]
    )
    expect(result.locator(".result-place")).to_have_text(["1.", "1.", "3."])
    expect(result.locator(".result-dots")).to_have_text(["2 dots", "2 dots", "1 dot"])
    expect(result.locator(".result-yours")).to_have_text(
        ["1 of them yours", "1 of them yours", "1 of them yours"]
    )
    expect(result.locator("#vote-result-note")).to_have_text("5 dots in all.")
    expect(page.locator("#announcer")).to_have_text("The dot voting has ended. The result is shown.")
    scroll_to(page, "#vote-result")
    assert axe_violations(page) == []
    screenshot(page, "phone-voting-result")

    # Wall dots counted after the round reach the phone's result too.
    ok(room.moderator, "vote:record", {"card_id": room.card_id("Leitsätze gemeinsam erarbeiten"), "dots": 4})
    expect(result.locator(".result-row .card-text").first).to_have_text("Leitsätze gemeinsam erarbeiten")
    expect(result.locator(".result-dots").first).to_have_text("5 dots")

    # The result stays after a reload, until the moderator moves on to another board.
    page.reload()
    expect(page.locator("#vote-result .result-row")).to_have_count(3)
    second_board = ok(room.moderator, "board:create", {"title": "Handlungsansätze"})
    ok(room.moderator, "board:activate", {"board_id": second_board["id"]})
    expect(page.get_by_role("heading", level=1)).to_have_text("Handlungsansätze")
    expect(page.locator("#vote-result")).to_be_hidden()


def test_live_counts_show_only_where_the_round_shows_them(server: Any, open_page: Any, clients: Any) -> None:
    room = Room(server, clients, language="en")
    room.card_by_ben("Leitsätze gemeinsam erarbeiten")
    room.card_by_ben("Rollenklarheit schaffen")
    page = open_phone(open_page, room)
    ok(
        room.moderator,
        "vote:open",
        {"board_id": room.board["id"], "budget": 5, "per_card_cap": 3, "show_live": True},
    )
    row = vote_row(page, "Leitsätze gemeinsam erarbeiten")
    expect(row.locator(".vote-live-count")).to_have_text("0 in total")
    ok(room.ben, "vote:cast", {"card_id": room.card_id("Leitsätze gemeinsam erarbeiten")})
    expect(row.locator(".vote-live-count")).to_have_text("1 in total")
    row.get_by_role("button", name="Add a dot").click()
    expect(row.locator(".vote-live-count")).to_have_text("2 in total")
    expect(page.locator("#vote-live")).to_contain_text(
        "Everyone sees the counts as they grow: 2 dots so far."
    )
    expect(budget(page)).to_have_text("4 of 5 dots left")

    # A new round without live counts: the counts are gone, the budget starts again.
    ok(room.moderator, "vote:close", {"board_id": room.board["id"]})
    ok(room.moderator, "vote:open", {"board_id": room.board["id"], "budget": 2, "per_card_cap": 1})
    expect(budget(page)).to_have_text("2 of 2 dots left")
    ok(room.ben, "vote:cast", {"card_id": room.card_id("Leitsätze gemeinsam erarbeiten")})
    ok(room.ben, "vote:cast", {"card_id": room.card_id("Rollenklarheit schaffen")})
    row.get_by_role("button", name="Add a dot").click()
    expect(budget(page)).to_have_text("1 of 2 dots left")
    expect(page.locator(".vote-live-count:visible")).to_have_count(0)
    expect(page.locator("#vote-live")).not_to_contain_text("so far")
    # Nothing of the others' counts in the phone's replica either.
    assert page.evaluate("document.body.innerText").count("in total") == 0


def test_voting_offline_says_so_and_keeps_the_buttons_quiet(
    server: Any, open_page: Any, clients: Any
) -> None:
    room = Room(server, clients, language="en")
    room.card_by_ben("Leitsätze gemeinsam erarbeiten")
    page = open_phone(open_page, room)
    ok(room.moderator, "vote:open", {"board_id": room.board["id"], "budget": 3, "per_card_cap": 1})
    row = vote_row(page, "Leitsätze gemeinsam erarbeiten")
    expect(row.get_by_role("button", name="Add a dot")).to_be_enabled()
    page.context.set_offline(True)
    expect(page.locator("#status")).to_have_attribute("data-status", "offline")
    expect(page.locator("#vote-offline")).to_be_visible()
    expect(row.get_by_role("button", name="Add a dot")).to_be_disabled()
    # A vote that goes out just as the connection goes (before the page knows) gets the offline
    # answer on its card: the button is enabled by hand, as it still was a moment before.
    page.evaluate("document.querySelector('.vote-cast').disabled = false")
    row.get_by_role("button", name="Add a dot").click()
    expect(row.get_by_role("alert")).to_have_text(
        "Not connected: the dot was not placed. Please try again in a moment."
    )
    page.watch.errors[:] = [e for e in page.watch.errors if "ERR_INTERNET_DISCONNECTED" not in e]
    page.context.set_offline(False)
    expect(page.locator("#status")).to_have_attribute("data-status", "online", timeout=20000)
    row.get_by_role("button", name="Add a dot").click()
    expect(budget(page)).to_have_text("2 of 3 dots left")


# ---- focus ---------------------------------------------------------------------------------


def test_the_focus_appears_and_disappears_on_the_phone(server: Any, open_page: Any, clients: Any) -> None:
    room = Room(server, clients, language="en")
    room.card_by_ben("Leitsätze gemeinsam erarbeiten", "Rahmenbedingungen und Grundhaltung")
    room.card_by_ben("Haltung vorleben", "Rahmenbedingungen und Grundhaltung")
    room.card_by_ben("Rollenklarheit schaffen", "Spannungsfelder")
    page = open_phone(open_page, room)
    post(page, "Verwaltung und Politik gemeinsam denken")
    focus = page.locator("#focus-panel")
    expect(focus).to_be_hidden()

    ok(room.moderator, "focus:set", {"card_id": room.card_id("Rollenklarheit schaffen")})
    expect(focus).to_be_visible()
    expect(focus.locator(".focus-card .card-text")).to_have_text("Rollenklarheit schaffen")
    expect(page.locator("#announcer")).to_have_text(
        "The moderator has put something in focus: it is at the top of the page."
    )
    assert focus.bounding_box()["y"] < 200  # at the top, under the bar
    assert axe_violations(page) == []
    screenshot(page, "phone-focus")

    ok(
        room.moderator,
        "cluster:update",
        {"cluster_id": room.cluster_id("Rahmenbedingungen und Grundhaltung"), "headline": "Was uns trägt"},
    )
    ok(room.moderator, "focus:set", {"cluster_id": room.cluster_id("Rahmenbedingungen und Grundhaltung")})
    expect(focus.locator(".focus-cluster-name")).to_have_text("Rahmenbedingungen und Grundhaltung")
    expect(focus.locator(".focus-headline")).to_have_text("Was uns trägt")
    expect(focus.locator(".focus-small .card-text")).to_have_text(
        ["Leitsätze gemeinsam erarbeiten", "Haltung vorleben"]
    )
    screenshot(page, "phone-focus-cluster")

    # A card of the cluster moves away: the phone follows.
    ok(room.moderator, "card:move", {"card_id": room.card_id("Haltung vorleben"), "cluster_id": None})
    expect(focus.locator(".focus-small .card-text")).to_have_text(["Leitsätze gemeinsam erarbeiten"])

    ok(room.moderator, "focus:set", {})
    expect(focus).to_be_hidden()

    # Focus survives a reload (it is in the snapshot) and a workshop update keeps it.
    ok(room.moderator, "focus:set", {"card_id": room.card_id("Verwaltung und Politik gemeinsam denken")})
    page.reload()
    expect(focus.locator(".focus-card .card-text")).to_have_text("Verwaltung und Politik gemeinsam denken")
    ok(room.moderator, "workshop:update", {"title": "Neuer Titel"})
    expect(page.locator("#workshop-title")).to_have_text("Neuer Titel")
    expect(focus).to_be_visible()
    ok(room.moderator, "focus:set", {"card_id": None, "cluster_id": None})
    expect(focus).to_be_hidden()


# ---- the timer -----------------------------------------------------------------------------


def shown_seconds(page: Any) -> tuple[int, float, float]:
    """The phone's mm:ss in seconds, with this machine's time (the server's clock) around reading it."""
    before = time.time()
    minutes, seconds = page.locator("#phone-timer-value").inner_text().split(":")
    return int(minutes) * 60 + int(seconds), before, time.time()


def assert_same_second(page: Any, ends_at: str) -> None:
    deadline = dt.datetime.fromisoformat(ends_at.replace("Z", "+00:00")).timestamp()
    shown, before, after = shown_seconds(page)
    # What the server's deadline leaves, rounded up as screens show it, at the read's start and end.
    latest, earliest = math.ceil(deadline - before), math.ceil(deadline - after)
    assert earliest - 1 <= shown <= latest + 1, (shown, earliest, latest)


def test_the_timer_shows_the_servers_second_whatever_the_phones_clock_says(
    server: Any, open_page: Any, clients: Any, browser: Any
) -> None:
    room = Room(server, clients, language="en")
    page = open_phone(open_page, room)
    # A second phone whose clock is 37 minutes and 20 seconds behind.
    skewed = browser.new_context(**PHONE, locale="en-GB")
    try:
        skewed.clock.install(time=time.time() - 37 * 60 - 20)
        other = open_phone(open_page, room, name="Clara", context=skewed)
        assert abs(other.evaluate("Date.now()") / 1000 - time.time() + 37 * 60 + 20) < 60

        timer = ok(room.moderator, "timer:start", {"board_id": room.board["id"], "seconds": 600})
        for phone in (page, other):
            expect(phone.locator("#phone-timer")).to_be_visible()
            expect(phone.locator("#phone-timer-value")).to_have_text(re.compile(r"^(10:00|09:5\d)$"))
            assert_same_second(phone, timer["ends_at"])
        expect(page.locator("#phone-timer-state")).to_have_text("Time left")
        assert axe_violations(page) == []
        screenshot(page, "phone-timer")

        paused = ok(room.moderator, "timer:pause", {"board_id": room.board["id"]})
        for phone in (page, other):
            expect(phone.locator("#phone-timer-state")).to_have_text("Paused")
            expect(phone.locator("#phone-timer-value")).to_have_text(
                f"{math.ceil(paused['remaining']) // 60:02d}:{math.ceil(paused['remaining']) % 60:02d}"
            )
        resumed = ok(room.moderator, "timer:extend", {"board_id": room.board["id"], "seconds": 60})
        resumed = ok(room.moderator, "timer:resume", {"board_id": room.board["id"]})
        for phone in (page, other):
            expect(phone.locator("#phone-timer-state")).to_have_text("Time left")
            assert_same_second(phone, resumed["ends_at"])

        # With the lock at the end: time up, the board locks, the phones say both.
        ok(room.moderator, "timer:start", {"board_id": room.board["id"], "seconds": 2, "lock_on_end": True})
        for phone in (page, other):
            expect(phone.locator("#phone-timer-state")).to_have_text("Time is up", timeout=10000)
            expect(phone.locator("#phone-timer-value")).to_have_text("00:00")
            expect(phone.locator("#locked-banner")).to_be_visible()
        screenshot(page, "phone-timer-ended")

        ok(room.moderator, "timer:stop", {"board_id": room.board["id"]})
        expect(page.locator("#methods-strip")).to_be_hidden()
    finally:
        skewed.close()


# ---- stacks in "My cards" ------------------------------------------------------------------


def test_my_card_in_a_stack_says_so(server: Any, open_page: Any, clients: Any) -> None:
    room = Room(server, clients, language="en")
    top = room.card_by_ben("Rollenklarheit schaffen")
    page = open_phone(open_page, room)
    post(page, "Rollen klären")
    post(page, "Mehr Zeit für Austausch")
    mine = page.locator("#my-cards > li").filter(has_text="Rollen klären")
    expect(mine.locator(".stack-chip")).to_have_count(0)

    ok(room.moderator, "card:stack", {"card_id": room.card_id("Rollen klären"), "onto_card_id": top["id"]})
    expect(mine.locator(".stack-chip")).to_have_text("In a stack of 2 cards")
    expect(page.locator("#my-cards > li")).to_have_count(2)  # nothing else changes
    expect(mine.get_by_role("button", name="Edit")).to_be_enabled()
    page.reload()
    expect(mine.locator(".stack-chip")).to_have_text("In a stack of 2 cards")

    # A card of the participant becomes the top of a stack: part of a stack too.
    ok(
        room.moderator,
        "card:stack",
        {"card_id": top["id"], "onto_card_id": room.card_id("Mehr Zeit für Austausch")},
    )
    other = page.locator("#my-cards > li").filter(has_text="Mehr Zeit für Austausch")
    expect(other.locator(".stack-chip")).to_have_text("In a stack of 3 cards")
    expect(mine.locator(".stack-chip")).to_have_text("In a stack of 3 cards")

    ok(room.moderator, "card:unstack", {"card_id": room.card_id("Rollen klären")})
    expect(mine.locator(".stack-chip")).to_have_count(0)
    expect(other.locator(".stack-chip")).to_have_text("In a stack of 2 cards")
    screenshot(page, "phone-my-cards-stack")


def test_the_phone_votes_in_german(server: Any, open_page: Any, clients: Any) -> None:
    room = Room(server, clients, language="de")
    room.card_by_ben("Leitsätze gemeinsam erarbeiten", "Rahmenbedingungen und Grundhaltung")
    room.card_by_ben(
        "Verwaltung und Politik als Partner in der Gestaltung der Kommune verstehen", "Spannungsfelder"
    )
    page = open_page(f"/j/{room.workshop['join_code']}", PHONE, locale="de-DE")
    page.get_by_label("Ihr Name").fill("Anna")
    page.get_by_role("button", name="Am Workshop teilnehmen").click()
    expect(page.locator("#status")).to_have_attribute("data-status", "online")
    ok(room.moderator, "vote:open", {"board_id": room.board["id"], "budget": 5, "per_card_cap": 2})
    ok(room.moderator, "timer:start", {"board_id": room.board["id"], "seconds": 300})
    expect(budget(page)).to_have_text("Noch 5 von 5 Punkten")
    expect(page.locator("#phone-timer-state")).to_have_text("Restzeit")
    row = vote_row(page, "Leitsätze gemeinsam erarbeiten")
    for _ in range(3):
        row.get_by_role("button", name="Punkt kleben").click()
    expect(row.get_by_role("alert")).to_have_text(
        "Diese Karte hat schon 2 Ihrer Punkte: Mehr darf eine Karte von Ihnen nicht bekommen."
    )
    expect(budget(page)).to_have_text("Noch 3 von 5 Punkten")
    expect(row.locator(".vote-mine-text")).to_have_text("Ihre Punkte: 2 von höchstens 2")
    scroll_to(page, "#vote-groups")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "phone-voting-de")


def test_the_moderators_undo_reaches_my_cards(server: Any, open_page: Any, clients: Any) -> None:
    room = Room(server, clients, language="en")
    top = room.card_by_ben("Rollenklarheit schaffen")
    page = open_phone(open_page, room)
    post(page, "Rollen klären")
    mine = page.locator("#my-cards > li").filter(has_text="Rollen klären")

    # An undone stacking takes the card off the stack again.
    ok(room.moderator, "card:stack", {"card_id": room.card_id("Rollen klären"), "onto_card_id": top["id"]})
    expect(mine.locator(".stack-chip")).to_have_text("In a stack of 2 cards")
    ok(room.moderator, "history:undo", {})
    expect(mine.locator(".stack-chip")).to_have_count(0)

    # An undone delete brings the card back, with its text, as the participant's own card.
    ok(room.moderator, "card:delete", {"card_id": room.card_id("Rollen klären")})
    expect(mine).to_have_count(0)
    ok(room.moderator, "history:undo", {})
    expect(mine).to_have_attribute("data-state", "confirmed")
    expect(mine.get_by_role("button", name="Edit")).to_be_enabled()
