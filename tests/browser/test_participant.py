"""The participant's phone: joining by code, posting, editing and deleting own cards, a locked
board, offline posting through the outbox, escaping, the 404 page, the layout at 360 px and
accessibility. Real server, real Chromium, phone viewport."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import socketio
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, axe_violations, create_workshop, screenshot, snapshot

pytestmark = pytest.mark.browser

LONG_TITLE = "Kommunale Steuerung und Empowerment im Netzwerk – Erfahrungsaustausch der Modellkommunen"


# ---- helpers -------------------------------------------------------------------------------


def new_workshop(server: Any, **overrides: Any) -> dict[str, Any]:
    """A workshop in English, so that the tests read the source strings whatever the catalogue says."""
    return create_workshop(server, **{"language": "en", **overrides})


def all_cards(snap: dict[str, Any]) -> list[dict[str, Any]]:
    cards = []
    for board in snap["boards"]:
        for cluster in board["clusters"]:
            cards.extend(cluster["cards"])
        cards.extend(board["unsorted"])
    return cards


@pytest.fixture
def moderator(server: Any) -> Iterator[Any]:
    """Factory: a python-socketio client connected as the workshop's moderator."""
    clients: list[socketio.Client] = []

    def connect(workshop: dict[str, Any]) -> socketio.Client:
        client = socketio.Client(reconnection=False)
        client.connect(
            server.url,
            auth={"workshop": workshop["id"], "moderator_key": workshop["moderator_key"]},
            transports=["websocket"],
            wait_timeout=10,
        )
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.disconnect()


def moderator_call(client: socketio.Client, event: str, payload: dict[str, Any]) -> dict[str, Any]:
    ack = client.call(event, payload, timeout=10)
    assert ack["ok"], ack
    return ack  # type: ignore[no-any-return]


def open_participant(open_page: Any, workshop: dict[str, Any], **options: Any) -> Any:
    return open_page(f"/j/{workshop['join_code']}", PHONE, locale="en-GB", **options)


def join(page: Any, name: str = "") -> None:
    expect(page.get_by_role("heading", name="Welcome!")).to_be_visible()
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Join the workshop").click()
    expect_online(page)


def expect_online(page: Any) -> None:
    expect(page.locator("#status")).to_have_attribute("data-status", "online")
    expect(page.locator("#status")).to_have_text("Online")


def post(page: Any, text: str) -> None:
    page.get_by_label("Your card").fill(text)
    page.get_by_role("button", name="Post card").click()


def my_card(page: Any, text: str) -> Any:
    return page.locator("#my-cards > li").filter(has_text=text)


def ignore_errors(page: Any, *patterns: str) -> None:
    """Drop console errors the browser itself logs for expected situations (a 404, going offline)."""
    page.watch.errors[:] = [e for e in page.watch.errors if not any(re.search(p, e) for p in patterns)]


# ---- joining -------------------------------------------------------------------------------


def test_join_by_code_typed_in_lower_case_with_a_name(server: Any, open_page: Any) -> None:
    workshop = new_workshop(server)
    page = open_page("/j", PHONE, locale="en-GB")
    expect(page.get_by_role("heading", name="Join a workshop")).to_be_visible()
    assert axe_violations(page) == []

    code_input = page.get_by_label("Workshop code")
    code_input.press_sequentially(workshop["join_code"].lower())
    expect(code_input).to_have_value(workshop["join_code"])  # shown in upper case as typed
    screenshot(page, "phone-join-code")
    code_input.press("Enter")
    page.wait_for_url(f"**/j/{workshop['join_code']}")
    expect(page.locator("#welcome-workshop")).to_have_text("Kommunale Steuerung und Empowerment im Netzwerk")

    expect(page.get_by_role("heading", name="Welcome!")).to_be_visible()
    expect(page.locator(".welcome .code")).to_have_text(workshop["join_code"])
    page.get_by_label("Your name").fill("Anna Schmidt")
    screenshot(page, "phone-join")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Join the workshop").click()

    expect_online(page)
    expect(page.locator("#workshop-title")).to_have_text(
        workshop_title := "Kommunale Steuerung und Empowerment im Netzwerk"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Einstieg")
    expect(page.get_by_text("You post as Anna Schmidt.")).to_be_visible()
    assert workshop_title in page.title()
    stored = page.evaluate(f"JSON.parse(localStorage.getItem('pinboard:participant:{workshop['id']}'))")
    assert stored["name"] == "Anna Schmidt" and stored["token"] and isinstance(stored["participantId"], int)

    post(page, "Mehr Zeit für Austausch")
    expect(my_card(page, "Mehr Zeit für Austausch")).to_have_attribute("data-state", "confirmed")
    (card,) = all_cards(snapshot(server, workshop))
    assert card["author_name"] == "Anna Schmidt"
    assert card["author_id"] == stored["participantId"]


def test_the_name_is_optional_and_remembered_on_the_device(server: Any, open_page: Any) -> None:
    first, second = new_workshop(server), new_workshop(server, title="Zweiter Workshop")
    page = open_participant(open_page, first)
    join(page, "")
    expect(page.get_by_text("You post anonymously.")).to_be_visible()
    post(page, "Anonym gepostet")
    expect(my_card(page, "Anonym gepostet")).to_have_attribute("data-state", "confirmed")
    assert all_cards(snapshot(server, first))[0]["author_name"] in ("", None)

    page.goto(f"{server.url}/j/{second['join_code']}")
    page.get_by_label("Your name").fill("Jens")
    page.get_by_role("button", name="Join the workshop").click()
    expect_online(page)
    page.goto(f"{server.url}/j/{new_workshop(server)['join_code']}")
    expect(page.get_by_label("Your name")).to_have_value("Jens")


def test_unknown_code_shows_the_friendly_404_page(server: Any, open_page: Any) -> None:
    assert requests.get(f"{server.url}/j/QQQQQQ", timeout=10).status_code == 404
    page = open_page("/j/qqq qqq", PHONE, locale="en-GB")
    ignore_errors(page, r"status of 404")
    expect(page.get_by_role("heading", name="Workshop not found")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("There is no open workshop with the code QQQQQQ.")
    expect(page.get_by_label("Workshop code")).to_have_value("QQQQQQ")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []
    screenshot(page, "phone-join-unknown")

    workshop = new_workshop(server)
    page.get_by_label("Workshop code").fill(workshop["join_code"].lower())
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_role("heading", name="Welcome!")).to_be_visible()


def test_a_code_with_markup_is_shown_as_text(server: Any, open_page: Any) -> None:
    page = open_page("/j/%3Cb%3Ex%3Cscript%3E", PHONE, locale="en-GB")
    ignore_errors(page, r"status of 404")
    expect(page.get_by_role("alert")).to_contain_text("the code <B>X<SCRIPT>.")
    assert page.locator(".join-unknown b, .join-unknown script").count() == 0


def test_a_refused_token_is_forgotten_and_the_welcome_shown_again(server: Any, open_page: Any) -> None:
    workshop = new_workshop(server)
    page = open_participant(open_page, workshop)
    key = f"pinboard:participant:{workshop['id']}"
    page.evaluate(
        "([key, value]) => localStorage.setItem(key, value)",
        [key, json.dumps({"token": "not-a-valid-token", "participantId": 999, "name": "Olaf"})],
    )
    page.reload()
    expect(page.get_by_text("Your session for this workshop has ended. Please join again.")).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value("Olaf")
    assert page.evaluate("(key) => localStorage.getItem(key)", key) is None
    page.get_by_role("button", name="Join the workshop").click()
    expect_online(page)
    expect(page.get_by_text("You post as Olaf.")).to_be_visible()


def test_change_name_means_joining_again(server: Any, open_page: Any) -> None:
    workshop = new_workshop(server)
    page = open_participant(open_page, workshop)
    join(page, "Anna")
    page.get_by_role("button", name="Change name / leave").click()
    page.get_by_role("button", name="Leave and join again").click()
    expect(page.get_by_label("Your name")).to_have_value("Anna")
    expect(page.get_by_label("Your name")).to_be_focused()
    page.get_by_label("Your name").fill("Anna K.")
    page.get_by_role("button", name="Join the workshop").click()
    expect_online(page)
    expect(page.get_by_text("You post as Anna K.")).to_be_visible()
    post(page, "Mit neuem Namen")
    expect(my_card(page, "Mit neuem Namen")).to_have_attribute("data-state", "confirmed")
    assert [c["author_name"] for c in all_cards(snapshot(server, workshop))] == ["Anna K."]


# ---- posting ---------------------------------------------------------------------------------


def test_post_a_card_see_it_confirmed_and_still_there_after_a_reload(server: Any, open_page: Any) -> None:
    workshop = new_workshop(server)
    page = open_participant(open_page, workshop)
    join(page, "Anna")

    post_button = page.get_by_role("button", name="Post card")
    expect(post_button).to_be_disabled()  # empty
    post(page, "Verwaltung und Politik gemeinsam denken")
    expect(page.get_by_label("Your card")).to_have_value("")
    card = my_card(page, "Verwaltung und Politik gemeinsam denken")
    expect(card).to_have_attribute("data-state", "confirmed")
    expect(card).to_have_attribute("data-color", "yellow")
    expect(card.locator(".card-state")).to_contain_text("Posted")
    expect(page.locator("#announcer")).to_have_text("Your card was posted.")
    expect(page.locator("#my-cards-count")).to_have_text("1 card")

    page.reload()
    expect_online(page)
    expect(page.get_by_role("heading", name="Welcome!")).to_be_hidden()
    expect(my_card(page, "Verwaltung und Politik gemeinsam denken")).to_have_attribute(
        "data-state", "confirmed"
    )
    assert len(all_cards(snapshot(server, workshop))) == 1
    assert axe_violations(page) == []


def test_cards_posted_in_quick_succession_all_arrive_once(server: Any, open_page: Any) -> None:
    workshop = new_workshop(server)
    page = open_participant(open_page, workshop)
    join(page)
    texts = [f"Schnelle Karte {n}" for n in range(1, 6)]
    post(page, texts[0])
    # The rest in one go, faster than any ack can come back: each is queued while the outbox
    # is still sending the one before.
    page.evaluate(
        """(texts) => {
            const area = document.getElementById("card-text");
            for (const text of texts) {
                area.value = text;
                area.dispatchEvent(new Event("input"));
                document.getElementById("composer").requestSubmit();
            }
        }""",
        texts[1:],
    )
    expect(page.locator("#my-cards > li[data-state='confirmed']")).to_have_count(5)
    expect(page.locator("#my-cards .card-text")).to_have_text(list(reversed(texts)))
    assert sorted(c["text"] for c in all_cards(snapshot(server, workshop))) == texts


def test_the_counter_warns_near_the_limit_and_blocks_past_it(server: Any, open_page: Any) -> None:
    workshop = new_workshop(server)
    page = open_participant(open_page, workshop)
    join(page)
    text_area = page.get_by_label("Your card")
    counter = page.locator("#card-counter")
    post_button = page.get_by_role("button", name="Post card")
    text_area.fill("Kurz")
    expect(counter).to_have_text("4 / 500")
    expect(counter).to_have_attribute("data-state", "ok")
    expect(post_button).to_be_enabled()
    text_area.fill("ä" * 480)
    expect(counter).to_have_attribute("data-state", "near")
    expect(post_button).to_be_enabled()
    text_area.fill("ä" * 501)
    expect(counter).to_have_attribute("data-state", "over")
    expect(counter).to_contain_text("501 / 500")
    expect(post_button).to_be_disabled()
    text_area.fill("   ")
    expect(post_button).to_be_disabled()
    text_area.fill("😀" * 500)  # 500 characters (code points), as the server counts them
    expect(counter).to_have_attribute("data-state", "near")
    post_button.click()
    expect(page.locator("#my-cards > li[data-state='confirmed']")).to_have_count(1)


def test_edit_and_delete_own_card(server: Any, open_page: Any) -> None:
    workshop = new_workshop(server)
    page = open_participant(open_page, workshop)
    join(page, "Anna")
    post(page, "Erste Fassung")
    card = my_card(page, "Erste Fassung")
    expect(card).to_have_attribute("data-state", "confirmed")

    card.get_by_role("button", name="Edit").click()
    editor = page.get_by_label("Edit your card")
    expect(editor).to_be_focused()
    expect(editor).to_have_value("Erste Fassung")
    editor.fill("Zweite Fassung")
    page.get_by_role("button", name="Cancel").click()
    expect(my_card(page, "Erste Fassung")).to_be_visible()

    my_card(page, "Erste Fassung").get_by_role("button", name="Edit").click()
    page.get_by_label("Edit your card").fill("Zweite Fassung")
    page.get_by_role("button", name="Save").click()
    edited = my_card(page, "Zweite Fassung")
    expect(edited).to_have_attribute("data-state", "confirmed")
    expect(page.locator("#announcer")).to_have_text("Your card was changed.")
    assert [c["text"] for c in all_cards(snapshot(server, workshop))] == ["Zweite Fassung"]

    edited.get_by_role("button", name="Delete").click()
    expect(edited.get_by_text("Delete this card?")).to_be_visible()
    edited.get_by_role("button", name="Cancel").click()
    expect(edited.get_by_role("button", name="Delete")).to_be_focused()
    edited.get_by_role("button", name="Delete").click()
    edited.get_by_role("button", name="Yes, delete").click()
    expect(page.locator("#my-cards > li")).to_have_count(0)
    expect(page.get_by_text("You have not posted a card on this board yet.")).to_be_visible()
    expect(page.locator("#announcer")).to_have_text("Your card was deleted.")
    assert all_cards(snapshot(server, workshop)) == []


def test_only_own_cards_of_the_active_board_newest_first(server: Any, open_page: Any, moderator: Any) -> None:
    workshop = new_workshop(
        server,
        boards=[
            {"title": "Einstieg", "clusters": ["Rahmen"]},
            {
                "title": "Ideen sammeln",
                "clusters": ["Kurzfristig", "Langfristig"],
                "participants_choose_cluster": True,
            },
        ],
    )
    mod = moderator(workshop)
    boards = mod.call("sync", {}, timeout=10)["data"]["snapshot"]["boards"]
    page = open_participant(open_page, workshop)
    join(page, "Anna")
    expect(page.get_by_label("Topic")).to_be_hidden()  # the first board lets the moderator decide
    post(page, "Eins")
    expect(my_card(page, "Eins")).to_have_attribute("data-state", "confirmed")
    moderator_call(
        mod,
        "card:create",
        {"client_id": "moderator-card-1", "board_id": boards[0]["id"], "text": "Vom Moderator"},
    )

    moderator_call(mod, "board:activate", {"board_id": boards[1]["id"]})
    expect(page.get_by_role("heading", level=1)).to_have_text("Ideen sammeln")
    expect(page.locator("#announcer")).to_have_text("The moderator switched to the board Ideen sammeln.")
    expect(page.locator("#my-cards > li")).to_have_count(0)
    topic = page.get_by_label("Topic")
    expect(topic).to_be_visible()
    expect(topic).to_have_value("")
    expect(topic.locator("option").first).to_have_text("Let the moderator decide")
    topic.select_option(label="Langfristig")
    post(page, "Zwei")
    post(page, "Drei")
    expect(page.locator("#my-cards > li[data-state='confirmed']")).to_have_count(2)
    expect(page.locator("#my-cards .card-text")).to_have_text(["Drei", "Zwei"])
    expect(my_card(page, "Zwei")).to_contain_text("Topic: Langfristig")
    langfristig = snapshot(server, workshop)["boards"][1]["clusters"][1]
    assert [c["text"] for c in langfristig["cards"]] == ["Zwei", "Drei"]
    assert page.get_by_text("Vom Moderator").count() == 0


def test_a_locked_board_shows_a_banner_and_pauses_posting(
    server: Any, open_page: Any, moderator: Any
) -> None:
    workshop = new_workshop(server)
    mod = moderator(workshop)
    board_id = mod.call("sync", {}, timeout=10)["data"]["snapshot"]["boards"][0]["id"]
    page = open_participant(open_page, workshop)
    join(page, "Anna")
    post(page, "Vor dem Sperren")
    expect(my_card(page, "Vor dem Sperren")).to_have_attribute("data-state", "confirmed")
    page.get_by_label("Your card").fill("Noch nicht abgeschickt")

    moderator_call(mod, "board:update", {"board_id": board_id, "locked": True})
    banner = page.locator("#locked-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("This board is locked.")
    expect(page.get_by_role("button", name="Post card")).to_be_disabled()
    expect(page.get_by_label("Your card")).to_have_value("Noch nicht abgeschickt")
    expect(my_card(page, "Vor dem Sperren").get_by_role("button", name="Edit")).to_be_disabled()
    expect(my_card(page, "Vor dem Sperren").get_by_role("button", name="Delete")).to_be_disabled()
    expect(page.locator("#announcer")).to_have_text("The board is locked. Posting is paused.")
    screenshot(page, "phone-locked")
    assert axe_violations(page) == []

    moderator_call(mod, "board:update", {"board_id": board_id, "locked": False})
    expect(banner).to_be_hidden()
    expect(page.get_by_role("button", name="Post card")).to_be_enabled()
    page.get_by_role("button", name="Post card").click()
    expect(my_card(page, "Noch nicht abgeschickt")).to_have_attribute("data-state", "confirmed")


# ---- offline -----------------------------------------------------------------------------------


def test_a_card_written_offline_waits_and_arrives_exactly_once(
    server: Any, open_page: Any, browser: Any, moderator: Any
) -> None:
    workshop = new_workshop(server, title=LONG_TITLE)
    mod = moderator(workshop)
    context = browser.new_context(**PHONE, locale="en-GB")
    try:
        page = open_participant(open_page, workshop, context=context)
        join(page, "Anna")
        for text in ("Mehr Beteiligung der Jugend", "Klare Zuständigkeiten in der Verwaltung"):
            post(page, text)
            expect(my_card(page, text)).to_have_attribute("data-state", "confirmed")
        first = next(c for c in all_cards(snapshot(server, workshop)) if c["text"].startswith("Mehr"))
        moderator_call(mod, "card:update", {"card_id": first["id"], "color": "green"})
        expect(my_card(page, "Mehr Beteiligung der Jugend")).to_have_attribute("data-color", "green")

        context.set_offline(True)
        expect(page.locator("#status")).to_have_attribute("data-status", "offline")
        expect(page.locator("#status")).to_have_text("Offline")
        post(page, "Geschrieben im Funkloch")
        pending = my_card(page, "Geschrieben im Funkloch")
        expect(pending).to_have_attribute("data-state", "pending")
        expect(pending.locator(".card-state")).to_have_text("Waiting for connection")
        expect(page.get_by_label("Your card")).to_have_value("")
        expect(page.locator("#outbox-note")).to_contain_text("1 change is waiting to be sent.")
        expect(page.locator("#my-cards .card-text").first).to_have_text("Geschrieben im Funkloch")
        outbox = page.evaluate(
            """(prefix) => Object.keys(localStorage)
                .filter((k) => k.startsWith(prefix))
                .map((k) => JSON.parse(localStorage.getItem(k)))""",
            f"pinboard:outbox:{workshop['id']}:",
        )
        assert [[e["payload"]["text"] for e in entries] for entries in outbox] == [
            ["Geschrieben im Funkloch"]
        ]
        # Scroll the list into view under the sticky header: the composer's note, then the cards.
        page.evaluate(
            """() => {
                const note = document.getElementById("outbox-note");
                const header = document.querySelector(".p-topbar");
                const top = note.getBoundingClientRect().top + window.scrollY;
                window.scrollTo(0, top - header.offsetHeight - 16);
            }"""
        )
        screenshot(page, "phone-board")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        context.set_offline(False)
        expect_online(page)
        expect(pending).to_have_attribute("data-state", "confirmed")
        expect(page.locator("#outbox-note")).to_be_hidden()
        expect(page.locator("#my-cards > li")).to_have_count(3)
        texts = [c["text"] for c in all_cards(snapshot(server, workshop))]
        assert texts.count("Geschrieben im Funkloch") == 1
        ignore_errors(page, r"ERR_INTERNET_DISCONNECTED", r"WebSocket connection", r"ERR_NETWORK_CHANGED")
    finally:
        context.close()


def test_the_outbox_survives_a_reload(server: Any, open_page: Any, browser: Any) -> None:
    """A card queued while offline is still there after the page is reopened, and sent once."""
    workshop = new_workshop(server)
    context = browser.new_context(**PHONE, locale="en-GB")
    try:
        page = open_participant(open_page, workshop, context=context)
        join(page, "Anna")
        context.set_offline(True)
        expect(page.locator("#status")).to_have_attribute("data-status", "offline")
        post(page, "Überlebt das Neuladen")
        expect(my_card(page, "Überlebt das Neuladen")).to_have_attribute("data-state", "pending")
        # Close the page before it comes back online: only localStorage keeps the card.
        page.close()
        ignore_errors(page, r"ERR_INTERNET_DISCONNECTED", r"WebSocket connection", r"ERR_NETWORK_CHANGED")
        context.set_offline(False)
        page = open_participant(open_page, workshop, context=context)
        expect_online(page)
        expect(my_card(page, "Überlebt das Neuladen")).to_have_attribute("data-state", "confirmed")
        texts = [c["text"] for c in all_cards(snapshot(server, workshop))]
        assert texts == ["Überlebt das Neuladen"]
    finally:
        for p in context.pages:
            ignore_errors(p, r"ERR_INTERNET_DISCONNECTED", r"WebSocket connection", r"ERR_NETWORK_CHANGED")
        context.close()


def test_a_refused_change_is_shown_with_its_error_and_can_be_dismissed(
    server: Any, open_page: Any, browser: Any, moderator: Any
) -> None:
    workshop = new_workshop(server)
    mod = moderator(workshop)
    board_id = mod.call("sync", {}, timeout=10)["data"]["snapshot"]["boards"][0]["id"]
    context = browser.new_context(**PHONE, locale="en-GB")
    try:
        page = open_participant(open_page, workshop, context=context)
        join(page, "Anna")
        context.set_offline(True)
        expect(page.locator("#status")).to_have_attribute("data-status", "offline")
        post(page, "Zu spät für diese Tafel")
        moderator_call(mod, "board:update", {"board_id": board_id, "locked": True})
        context.set_offline(False)
        failed = my_card(page, "Zu spät für diese Tafel")
        expect(failed).to_have_attribute("data-state", "failed")
        expect(failed.locator(".card-state")).to_contain_text("Not sent:")
        expect(page.locator("#announcer")).to_contain_text("A card could not be sent")
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        failed.get_by_role("button", name="Copy text").click()
        expect(page.locator("#announcer")).to_have_text("Copied.")
        assert page.evaluate("navigator.clipboard.readText()") == "Zu spät für diese Tafel"
        expect(failed.get_by_role("button", name="Copy text")).to_be_focused()
        assert axe_violations(page) == []

        page.reload()  # failed entries stay until dismissed
        failed = my_card(page, "Zu spät für diese Tafel")
        expect(failed).to_have_attribute("data-state", "failed")
        moderator_call(mod, "board:update", {"board_id": board_id, "locked": False})
        expect(page.locator("#locked-banner")).to_be_hidden()
        failed.get_by_role("button", name="Try again").click()
        expect(my_card(page, "Zu spät für diese Tafel")).to_have_attribute("data-state", "confirmed")
        assert [c["text"] for c in all_cards(snapshot(server, workshop))] == ["Zu spät für diese Tafel"]

        context.set_offline(True)
        expect(page.locator("#status")).to_have_attribute("data-status", "offline")
        post(page, "Noch einmal")
        moderator_call(mod, "board:update", {"board_id": board_id, "locked": True})
        context.set_offline(False)
        expect(my_card(page, "Noch einmal")).to_have_attribute("data-state", "failed")
        my_card(page, "Noch einmal").get_by_role("button", name="Dismiss").click()
        expect(my_card(page, "Noch einmal")).to_have_count(0)
        ignore_errors(page, r"ERR_INTERNET_DISCONNECTED", r"WebSocket connection", r"ERR_NETWORK_CHANGED")
    finally:
        context.close()


# ---- safety and layout -----------------------------------------------------------------------


def test_card_text_and_names_with_markup_are_shown_literally(server: Any, open_page: Any) -> None:
    workshop = new_workshop(server)
    page = open_participant(open_page, workshop)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    join(page, "<b>Mallory</b>")
    expect(page.get_by_text("You post as <b>Mallory</b>.")).to_be_visible()
    text = "<img src=x onerror=alert(1)>"
    post(page, text)
    card = my_card(page, text)
    expect(card).to_have_attribute("data-state", "confirmed")
    expect(card.locator(".card-text")).to_have_text(text)
    assert card.locator("img").count() == 0
    assert page.locator("#main b, #main img").count() == 0
    page.reload()
    expect(my_card(page, text).locator(".card-text")).to_have_text(text)
    page.wait_for_timeout(300)
    assert dialogs == []


def test_phone_layout_has_no_horizontal_scroll_and_large_targets(
    server: Any, open_page: Any, moderator: Any
) -> None:
    workshop = new_workshop(
        server,
        title=LONG_TITLE,
        boards=[
            {
                "title": "Handlungsansätze für die Verwaltungsmodernisierung",
                "clusters": ["Ein sehr langer Clustername für die Auswahl im Formular"],
                "participants_choose_cluster": True,
            }
        ],
    )
    page = open_participant(open_page, workshop)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    join(page, "Anna")
    post(page, "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichenhersteller" * 3)
    post(page, "Eine normale Karte mit\nzwei Zeilen")
    expect(page.locator("#my-cards > li[data-state='confirmed']")).to_have_count(2)
    page.locator("#my-cards > li").first.get_by_role("button", name="Edit").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate("document.body.scrollWidth") <= 360

    small = page.evaluate(
        """() => [...document.querySelectorAll('button, input, select, textarea, a.button')]
            .filter((e) => e.offsetParent !== null)
            .map((e) => [e.textContent.trim() || e.id, e.getBoundingClientRect()])
            .map(([name, box]) => ({name, h: box.height, w: box.width}))
            .filter((e) => e.h < 44 || e.w < 44)"""
    )
    assert small == []
    fonts = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
            .filter((e) => e.offsetParent !== null)
            .map((e) => parseFloat(getComputedStyle(e).fontSize))"""
    )
    assert fonts and min(fonts) >= 16
    page.get_by_role("button", name="Cancel").click()
    page.get_by_role("button", name="Change name / leave").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []
