"""The start page (create a workshop) and the moderator console, in a real Chromium.

Every change made in the console is checked on the server through GET /api/workshops/<id>.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    PROJECTOR,
    axe_violations,
    create_workshop,
    path_of,
    screenshot,
)
from tests.browser.test_participant import ignore_errors, join, open_participant
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

CONSOLE_URL = re.compile(r"/m/(?P<id>[A-Za-z0-9_-]+)#key=(?P<key>[A-Za-z0-9_-]+)$")


@pytest.fixture
def server(live_server: Callable[..., LiveServer], request: pytest.FixtureRequest) -> LiveServer:
    """The server every page of a test talks to; `indirect` parametrisation passes its environment."""
    return live_server(**getattr(request, "param", {}))


def server_state(server: LiveServer, workshop_id: str, key: str) -> dict[str, Any]:
    response = requests.get(
        f"{server.url}/api/workshops/{workshop_id}", headers={"Authorization": f"Bearer {key}"}, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


def board_titles(state: dict[str, Any]) -> list[str]:
    return [board["title"] for board in state["boards"]]


def board_named(state: dict[str, Any], title: str) -> dict[str, Any]:
    return next(board for board in state["boards"] if board["title"] == title)


def console_ids(page: Any) -> tuple[str, str]:
    match = CONSOLE_URL.search(page.url)
    assert match, page.url
    return match["id"], match["key"]


def expect_failed_requests(page: Any, *statuses: int) -> None:
    """The browser logs each refused API request as a console error: take exactly the expected ones."""
    expected = [
        f"console.error: Failed to load resource: the server responded with a status of {s}" for s in statuses
    ]
    assert [error.split(" (")[0] for error in page.watch.errors] == expected, page.watch.errors
    page.watch.errors.clear()


def has_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"))


def board_item(page: Any, title: str) -> Any:
    return page.locator("li.board-item").filter(has=page.get_by_role("heading", name=title, exact=True))


def fill_start_form(page: Any) -> None:
    page.get_by_role("textbox", name="Title (required)").fill(
        "Kommunale Steuerung und Empowerment im Netzwerk"
    )
    page.get_by_label("Event").fill("Die vernetzte Kommune")
    page.get_by_label("Date").fill("2017-06-14")
    page.get_by_label("Place").fill("Düsseldorf")
    page.get_by_role("radio", name=re.compile(r"^Entry \+ exchange")).check()
    page.get_by_role("button", name="Add a step").click()
    page.get_by_label("Agenda step 1").fill("Begrüßung und Einführung")
    page.get_by_label("Agenda step 1").press("Enter")  # Enter adds the next step
    page.get_by_label("Agenda step 2").fill("Aktivierender Einstieg")


def test_create_workshop_on_the_start_page_and_run_it_from_the_console(
    open_page: Callable[..., Any], server: LiveServer
) -> None:
    page = open_page("/", device=LAPTOP)
    expect(page.get_by_role("heading", name="Start a workshop", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Join a workshop").first).to_have_attribute("href", "/j")
    expect(page.get_by_text("Workshops you create in this browser are listed here")).to_be_visible()

    fill_start_form(page)
    boards = page.locator(".board-editor")
    expect(boards).to_have_count(2)
    expect(boards.nth(0).get_by_label("Title", exact=True)).to_have_value("Entry")
    expect(boards.nth(0).get_by_label("Clusters", exact=True)).to_have_value(
        re.compile(r"^Framework conditions.*\nAreas of tension")
    )
    expect(boards.nth(1).get_by_label("Number the clusters")).to_be_checked()
    expect(boards.nth(1).get_by_label("Participants choose a cluster for their card")).to_be_checked()
    # A board's clusters can be edited before creating: one more topic for the exchange.
    exchange_clusters = boards.nth(1).get_by_label("Clusters", exact=True)
    exchange_clusters.fill(exchange_clusters.input_value() + "\nTopic 5")
    assert axe_violations(page) == []
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    screenshot(page, "start")

    page.get_by_role("button", name="Create workshop").click()
    page.wait_for_url(CONSOLE_URL)
    workshop_id, key = console_ids(page)

    # The console: join code, QR code, boards, agenda.
    join_code = page.locator("#join-code")
    expect(join_code).to_have_text(re.compile(r"^[ACDEFGHJKMNPQRTUVWXY34679]{6}$"))
    qr = page.get_by_role("img", name="QR code with the participant link")
    expect(qr).to_be_visible()
    expect(qr).to_have_attribute("src", re.compile(rf"^(/j/{join_code.inner_text()}/qr\.svg|blob:.*)$"))
    page.wait_for_function(
        "() => document.getElementById('qr').complete && document.getElementById('qr').naturalWidth > 0"
    )
    expect(
        page.get_by_role("heading", name="Kommunale Steuerung und Empowerment im Netzwerk", level=1)
    ).to_be_visible()
    expect(page.locator("#workshop-meta")).to_contain_text("Die vernetzte Kommune · Düsseldorf")
    expect(page.locator("#status")).to_have_attribute("data-status", "online")
    expect(page.locator("li.board-item h3")).to_have_text(
        ["Entry", "Experience exchange on self-chosen topics"]
    )
    expect(board_item(page, "Entry")).to_have_class(re.compile(r"\bis-active\b"))
    expect(board_item(page, "Entry").locator(".chip-name")).to_have_text(
        [
            "Framework conditions and basic attitude",
            "Areas of tension",
            "Steering and empowerment",
            "Approaches",
            "Required competences",
        ]
    )
    expect(board_item(page, "Experience exchange on self-chosen topics").locator(".chip-name")).to_have_text(
        ["1. Topic 1", "2. Topic 2", "3. Topic 3", "4. Topic 4", "5. Topic 5"]
    )
    expect(page.get_by_label("Agenda step 1")).to_have_value("Begrüßung und Einführung")
    expect(page.get_by_label("Agenda step 2")).to_have_value("Aktivierender Einstieg")

    state = server_state(server, workshop_id, key)
    assert state["workshop"]["title"] == "Kommunale Steuerung und Empowerment im Netzwerk"
    assert state["workshop"]["event"] == "Die vernetzte Kommune"
    assert state["workshop"]["date"] == "2017-06-14"
    assert state["workshop"]["place"] == "Düsseldorf"
    assert state["workshop"]["language"] == "en"  # the start page's language is the default
    assert state["workshop"]["agenda"] == ["Begrüßung und Einführung", "Aktivierender Einstieg"]
    assert board_titles(state) == ["Entry", "Experience exchange on self-chosen topics"]
    assert [c["name"] for c in state["boards"][1]["clusters"]][-1] == "Topic 5"
    assert state["boards"][1]["settings"]["numbered_clusters"] is True
    assert state["boards"][1]["settings"]["participants_choose_cluster"] is True

    # The share panel and projector links.
    links = requests.get(
        f"{server.url}/api/workshops/{workshop_id}/links",
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    ).json()["links"]
    expect(page.get_by_label("Participant link")).to_have_value(links["participant"])
    expect(page.get_by_role("textbox", name="Read-only projector link for a second screen")).to_have_value(
        links["projector"]
    )
    expect(page.get_by_role("link", name="Open board", exact=True).last).to_have_attribute(
        "href", f"/m/{workshop_id}/board#key={key}"
    )
    assert axe_violations(page) == []
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "console")

    # Rename a board.
    entry = board_item(page, "Entry")
    entry.get_by_role("button", name="Rename “Entry”").click()
    title_input = page.get_by_role("textbox", name="New title of “Entry”")
    expect(title_input).to_be_focused()
    title_input.fill("Einstieg")
    title_input.press("Enter")
    expect(page.locator("li.board-item h3").first).to_have_text("Einstieg")
    expect(page.locator("#announcer")).to_have_text("Board renamed to “Einstieg”.")
    assert board_titles(server_state(server, workshop_id, key))[0] == "Einstieg"

    # Add a board, with clusters and a setting.
    page.get_by_text("Add a board").click()
    add_form = page.locator("#add-board-form")
    add_form.get_by_label("Title", exact=True).fill("Ergebnissicherung")
    add_form.get_by_label("Clusters", exact=True).fill("Vereinbarungen\n\nOffene Fragen\n")
    add_form.get_by_label("Participants may move cards").check()
    add_form.get_by_role("button", name="Add board").click()
    expect(page.locator("li.board-item h3")).to_have_text(
        ["Einstieg", "Experience exchange on self-chosen topics", "Ergebnissicherung"]
    )
    expect(add_form.get_by_label("Title", exact=True)).to_have_value("")
    state = server_state(server, workshop_id, key)
    added = board_named(state, "Ergebnissicherung")
    assert [c["name"] for c in added["clusters"]] == ["Vereinbarungen", "Offene Fragen"]
    assert added["settings"]["participants_can_move"] is True
    assert added["settings"]["numbered_clusters"] is False

    # Reorder: the new board moves up one place; the focus stays on the button.
    move_up = board_item(page, "Ergebnissicherung").get_by_role("button", name="Move “Ergebnissicherung” up")
    move_up.click()
    expect(page.locator("li.board-item h3")).to_have_text(
        ["Einstieg", "Ergebnissicherung", "Experience exchange on self-chosen topics"]
    )
    expect(move_up).to_be_focused()
    assert board_titles(server_state(server, workshop_id, key)) == [
        "Einstieg",
        "Ergebnissicherung",
        "Experience exchange on self-chosen topics",
    ]
    # Moving to the top disables "up"; the focus goes to "down".
    move_up.click()
    expect(page.locator("li.board-item h3").first).to_have_text("Ergebnissicherung")
    expect(
        board_item(page, "Ergebnissicherung").get_by_role("button", name="Move “Ergebnissicherung” down")
    ).to_be_focused()
    assert board_titles(server_state(server, workshop_id, key))[0] == "Ergebnissicherung"

    # Make another board active.
    exchange = board_item(page, "Experience exchange on self-chosen topics")
    exchange.get_by_role("button", name="Make active “Experience exchange on self-chosen topics”").click()
    expect(exchange).to_have_class(re.compile(r"\bis-active\b"))
    expect(exchange.locator(".badge.active")).to_be_visible()
    expect(board_item(page, "Einstieg")).not_to_have_class(re.compile(r"\bis-active\b"))
    state = server_state(server, workshop_id, key)
    assert (
        state["workshop"]["active_board_id"]
        == board_named(state, "Experience exchange on self-chosen topics")["id"]
    )

    # Lock a board and unlock it again.
    exchange.get_by_role("button", name="Lock “Experience exchange on self-chosen topics”").click()
    expect(exchange.locator(".badge.locked")).to_have_text("Locked")
    expect(
        exchange.get_by_role("button", name="Unlock “Experience exchange on self-chosen topics”")
    ).to_be_visible()
    assert (
        board_named(server_state(server, workshop_id, key), "Experience exchange on self-chosen topics")[
            "settings"
        ]["locked"]
        is True
    )

    # A board setting.
    einstieg = board_item(page, "Einstieg")
    einstieg.get_by_label("Participants may move cards").check()
    expect(page.locator("#announcer")).to_have_text("Setting saved for “Einstieg”.")
    assert (
        board_named(server_state(server, workshop_id, key), "Einstieg")["settings"]["participants_can_move"]
        is True
    )

    # Workshop details.
    details = page.locator("#details-form")
    details.get_by_label("Place").fill("Köln")
    details.get_by_role("button", name="Add a step").click()
    details.get_by_label("Agenda step 3").fill("Ergebnisse und Ausblick")
    details.get_by_role("button", name="Move step 3 up").click()
    details.get_by_role("button", name="Save details").click()
    expect(details.get_by_text("Saved")).to_be_visible()
    expect(page.locator("#workshop-meta")).to_contain_text("Köln")
    workshop = server_state(server, workshop_id, key)["workshop"]
    assert workshop["place"] == "Köln"
    assert workshop["agenda"] == [
        "Begrüßung und Einführung",
        "Ergebnisse und Ausblick",
        "Aktivierender Einstieg",
    ]
    assert workshop["date"] == "2017-06-14"

    # The workshop is listed on the start page of this device and opens the console again.
    page.goto(server.url + "/")
    mine = page.locator("#my-workshops")
    expect(mine.locator(".my-workshop-title")).to_have_text(
        ["Kommunale Steuerung und Empowerment im Netzwerk"]
    )
    stored = page.evaluate("JSON.parse(localStorage.getItem('pinboard:workshops'))")
    assert stored[0]["id"] == workshop_id
    assert stored[0]["moderatorLink"] == f"/m/{workshop_id}#key={key}"
    mine.get_by_role("link", name="Open “Kommunale Steuerung und Empowerment im Netzwerk”").click()
    page.wait_for_url(CONSOLE_URL)
    expect(page.locator("li.board-item h3").first).to_have_text("Ergebnissicherung")


def test_console_follows_changes_made_in_another_tab(
    open_page: Callable[..., Any], server: LiveServer
) -> None:
    workshop = create_workshop(server)
    first = open_page(path_of(workshop["links"]["moderator"]), device=LAPTOP)
    second = open_page(path_of(workshop["links"]["moderator"]), context=first.context)
    for page in (first, second):
        expect(page.locator("#status")).to_have_attribute("data-status", "online")

    board_item(first, "Einstieg").get_by_role("button", name="Rename “Einstieg”").click()
    first.get_by_role("textbox", name="New title of “Einstieg”").fill("Ankommen")
    first.get_by_role("button", name="Save", exact=True).click()
    expect(second.locator("li.board-item h3")).to_have_text(["Ankommen"])

    first.get_by_text("Add a board").click()
    first.locator("#add-board-form").get_by_label("Title", exact=True).fill("Austausch")
    first.locator("#add-board-form").get_by_role("button", name="Add board").click()
    expect(second.locator("li.board-item h3")).to_have_text(["Ankommen", "Austausch"])
    board_item(first, "Austausch").get_by_role("button", name="Make active “Austausch”").click()
    expect(board_item(second, "Austausch")).to_have_class(re.compile(r"\bis-active\b"))
    board_item(first, "Austausch").get_by_label("Number the clusters").check()
    expect(board_item(second, "Austausch").get_by_label("Number the clusters")).to_be_checked()

    # Details typed in the second tab are not overwritten by a save in the first.
    second.locator("#details-form").get_by_label("Event").fill("Halb getippt")
    first.locator("#details-form").get_by_label("Place").fill("Essen")
    first.locator("#details-form").get_by_role("button", name="Save details").click()
    expect(second.locator("#workshop-meta")).to_contain_text("Essen")
    expect(second.locator("#details-form").get_by_label("Event")).to_have_value("Halb getippt")
    expect(second.get_by_text("The details were changed in another window.")).to_be_visible()
    second.get_by_role("button", name="Load the new version").click()
    expect(second.locator("#details-form").get_by_label("Place")).to_have_value("Essen")
    expect(second.locator("#details-form").get_by_label("Event")).to_have_value("Die vernetzte Kommune")


def test_errors_from_the_server_are_shown_at_the_fields(
    open_page: Callable[..., Any], server: LiveServer
) -> None:
    page = open_page("/", device=LAPTOP)
    # Nothing typed: the title is marked, nothing is sent.
    page.get_by_role("button", name="Create workshop").click()
    title = page.get_by_role("textbox", name="Title (required)")
    expect(page.get_by_text("Enter a title for the workshop.")).to_be_visible()
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_be_focused()

    # A cluster name over 120 characters: the API's error.fields lands at that board's clusters.
    title.fill("Werkstatt")
    clusters = page.locator(".board-editor").first.get_by_label("Clusters", exact=True)
    clusters.fill("Kurz\n" + "x" * 130)
    page.get_by_role("button", name="Create workshop").click()
    expect(page.locator(".board-editor").first.get_by_text("Line 2: At most 120 characters.")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text("Please correct the marked fields.")
    assert page.url == server.url + "/"
    expect_failed_requests(page, 400)

    clusters.fill("Kurz\nAuch kurz")
    page.get_by_role("button", name="Create workshop").click()
    page.wait_for_url(CONSOLE_URL)

    # An ack error in the console is shown at the field (a title over 200 characters).
    board_item(page, "Card query").get_by_role("button", name="Rename “Card query”").click()
    rename = page.get_by_role("textbox", name="New title of “Card query”")
    rename.evaluate("input => input.removeAttribute('maxlength')")
    rename.fill("y" * 220)
    rename.press("Enter")
    expect(page.get_by_text("At most 200 characters.")).to_be_visible()
    expect(rename).to_have_attribute("aria-invalid", "true")
    rename.press("Escape")
    expect(page.locator("li.board-item h3")).to_have_text(["Card query"])


def test_forget_a_workshop_on_this_device(open_page: Callable[..., Any], server: LiveServer) -> None:
    workshop = create_workshop(server, title="Bürgerdialog Grünflächen")
    console = open_page(path_of(workshop["links"]["moderator"]), device=LAPTOP)
    expect(console.locator("li.board-item")).to_have_count(1)  # the console remembers the workshop
    page = open_page("/", context=console.context)
    item = page.locator("#my-workshops li")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Bürgerdialog Grünflächen")
    item.get_by_role("button", name="Forget “Bürgerdialog Grünflächen”").click()
    expect(item.get_by_role("button", name="Keep")).to_be_focused()
    item.get_by_role("button", name="Keep").click()
    expect(item).to_have_count(1)
    item.get_by_role("button", name="Forget “Bürgerdialog Grünflächen”").click()
    item.get_by_role("button", name="Yes, forget").click()
    expect(page.locator("#my-workshops li")).to_have_count(0)
    expect(page.locator("#announcer")).to_have_text("Removed from this device.")
    assert page.evaluate("JSON.parse(localStorage.getItem('pinboard:workshops'))") == []


@pytest.mark.parametrize("server", [{"PINBOARD_ORGANISER_PASSWORD": "secret"}], indirect=True)
def test_organiser_password(open_page: Callable[..., Any], server: LiveServer) -> None:
    page = open_page("/", device=LAPTOP)
    password = page.get_by_label("Organiser password")
    expect(password).to_have_attribute("type", "password")
    page.get_by_role("textbox", name="Title (required)").fill("Geschlossene Runde")
    password.fill("wrong")
    page.get_by_role("button", name="Create workshop").click()
    expect(page.get_by_text("The organiser password is not correct.")).to_be_visible()
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_be_focused()
    assert page.url == server.url + "/"
    expect_failed_requests(page, 403)
    assert axe_violations(page) == []

    password.fill("secret")
    page.get_by_role("button", name="Create workshop").click()
    page.wait_for_url(CONSOLE_URL)
    expect(page.get_by_role("heading", name="Geschlossene Runde", level=1)).to_be_visible()
    workshop_id, key = console_ids(page)
    assert server_state(server, workshop_id, key)["workshop"]["title"] == "Geschlossene Runde"


def test_the_moderator_key_stays_out_of_participant_links(
    open_page: Callable[..., Any], server: LiveServer
) -> None:
    workshop = create_workshop(server)
    key = workshop["moderator_key"]
    page = open_page(
        path_of(workshop["links"]["moderator"]),
        device=LAPTOP,
        permissions=["clipboard-read", "clipboard-write"],
    )
    expect(page.locator("#join-code")).to_have_text(workshop["join_code"])
    participant_link = page.get_by_label("Participant link")
    expect(participant_link).to_have_value(workshop["links"]["participant"])
    assert key not in participant_link.input_value()
    qr_path = f"/j/{workshop['join_code']}/qr.svg"
    expect(page.locator("#qr")).to_have_attribute("src", re.compile(rf"^({re.escape(qr_path)}|blob:.*)$"))
    assert server.url + qr_path in page.watch.requests
    svg = requests.get(server.url + qr_path, timeout=10).text
    assert key not in svg
    projector = page.get_by_role("textbox", name="Read-only projector link for a second screen")
    assert key not in projector.input_value()

    # The moderator link is masked until shown; nothing else shows the key as text.
    moderator_field = page.get_by_role("textbox", name="Moderator link")
    expect(moderator_field).to_have_value(re.compile(r"#key=•+$"))
    assert key not in page.locator("body").inner_text()
    # Only the moderator's own links carry it (the board links and the copy field).
    carriers = page.evaluate(
        """key => [...document.querySelectorAll('*')].filter(node =>
             [...node.attributes].some(a => a.value.includes(key)) || (node.value || '').includes(key))
           .map(node => node.id || node.className)""",
        key,
    )
    assert set(carriers) <= {"moderator-board-link", "open-board-top", "button quiet"}, carriers
    secret_notice = page.locator(".secret-notice")
    secret_notice.get_by_role("button", name="Show").click()
    expect(moderator_field).to_have_value(workshop["links"]["moderator"])
    secret_notice.get_by_role("button", name="Hide").click()
    expect(moderator_field).to_have_value(re.compile(r"#key=•+$"))

    # Copy buttons put the right link on the clipboard.
    page.locator("[data-copy=participant]").click()
    expect(page.locator("#announcer")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == workshop["links"]["participant"]
    page.locator("[data-copy=moderator]").click()
    assert page.evaluate("navigator.clipboard.readText()") == workshop["links"]["moderator"]
    page.locator("[data-copy=projector]").click()
    assert page.evaluate("navigator.clipboard.readText()") == workshop["links"]["projector"]


def test_console_without_a_valid_key_says_so(open_page: Callable[..., Any], server: LiveServer) -> None:
    workshop = create_workshop(server)
    page = open_page("", device=LAPTOP)
    # Socket.IO sometimes polls once more after the server refused the connection and gets
    # "400 Invalid session" (a known race of the polling transport, not of this page): count them.
    socket_400 = []
    page.on(
        "response",
        lambda response: (
            socket_400.append(response.url)
            if response.status == 400 and "/socket.io/" in response.url
            else None
        ),
    )
    page.goto(f"{server.url}/m/{workshop['id']}#key=not-the-key")
    expect(page.get_by_role("alert")).to_contain_text("The moderator link is not valid for this workshop")
    expect(page.locator("#status")).to_have_attribute("data-status", "refused")
    expect(page.get_by_role("link", name="Go to the start page")).to_be_visible()
    page.wait_for_timeout(500)
    expect_failed_requests(page, *[400] * len(socket_400))
    page = open_page(f"/m/{workshop['id']}", device=LAPTOP)
    expect(page.get_by_role("alert")).to_contain_text("This page needs the moderator link with its key")


def test_start_page_on_a_phone(open_page: Callable[..., Any], server: LiveServer) -> None:
    page = open_page("/", device=PHONE)
    expect(page.get_by_role("heading", name="Start a workshop", level=1)).to_be_visible()
    assert not has_horizontal_scroll(page)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "start-phone")
    page.get_by_role("radio", name=re.compile(r"^Entry \+ exchange")).check()
    page.get_by_role("button", name="Add a step").click()
    page.get_by_label("Agenda step 1").fill("Begrüßung und Einführung in das Thema der Veranstaltung")
    page.get_by_role("button", name="Create workshop").click()  # no title: the error shows
    expect(page.get_by_text("Enter a title for the workshop.")).to_be_visible()
    assert not has_horizontal_scroll(page)
    # Inputs are at least 16px (no zoom on focus) and buttons are at least 44px tall.
    sizes = page.evaluate(
        """() => ({
            inputs: [...document.querySelectorAll('input[type=text], input[type=date], textarea, select')]
              .map(n => parseFloat(getComputedStyle(n).fontSize)),
            buttons: [...document.querySelectorAll('button, .button')].filter(n => n.offsetParent)
              .map(n => n.getBoundingClientRect().height)})"""
    )
    assert min(sizes["inputs"]) >= 16
    assert min(sizes["buttons"]) >= 44
    assert axe_violations(page) == []


def test_console_on_a_phone_has_no_horizontal_scroll(
    open_page: Callable[..., Any], server: LiveServer
) -> None:
    workshop = create_workshop(server)
    page = open_page(path_of(workshop["links"]["moderator"]), device=PHONE)
    expect(page.locator("#join-code")).to_have_text(workshop["join_code"])
    expect(page.locator("li.board-item")).to_have_count(1)
    assert not has_horizontal_scroll(page)
    screenshot(page, "console-phone")


# ---- the assistant link, undo and redo, deleting the workshop ---------------------------------


def test_the_assistant_link_is_masked_until_shown_and_copied(
    open_page: Callable[..., Any], server: LiveServer
) -> None:
    workshop = create_workshop(server)
    page = open_page(
        path_of(workshop["links"]["moderator"]),
        device=LAPTOP,
        permissions=["clipboard-read", "clipboard-write"],
    )
    section = page.get_by_role("region", name="Assistant link")
    field = section.get_by_role("textbox", name="Assistant link")
    expect(field).to_have_value(re.compile(rf"^/a/{workshop['id']}#key=•+$"))
    expect(section).to_contain_text("types in the cards written on paper and the dots counted on the wall")
    expect(section).to_contain_text("but not change the workshop")
    assert workshop["assistant_key"] not in page.locator("body").inner_text()
    assert workshop["assistant_key"] not in page.content()

    section.get_by_role("button", name="Copy").click()
    expect(page.locator("#announcer")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == workshop["links"]["assistant"]
    expect(field).to_have_value(re.compile(r"#key=•+$"))  # copying shows nothing
    section.get_by_role("button", name="Show").click()
    expect(field).to_have_value(workshop["links"]["assistant"])
    section.get_by_role("button", name="Hide").click()
    expect(field).to_have_value(re.compile(r"#key=•+$"))
    assert axe_violations(page) == []
    section.scroll_into_view_if_needed()
    section.get_by_role("button", name="Copy").focus()
    screenshot(page, "console-assistant-link")

    # The copied link opens the assistant's page.
    assistant = open_page(path_of(workshop["links"]["assistant"]), device=LAPTOP)
    expect(assistant.locator("#status")).to_have_attribute("data-status", "online")
    expect(assistant.get_by_role("heading", level=1)).to_have_text(workshop_title(workshop, server))


def workshop_title(workshop: dict[str, Any], server: LiveServer) -> str:
    return str(server_state(server, workshop["id"], workshop["moderator_key"])["workshop"]["title"])


def test_undo_and_redo_from_the_console(open_page: Callable[..., Any], server: LiveServer) -> None:
    workshop = create_workshop(server)
    page = open_page(path_of(workshop["links"]["moderator"]), device=LAPTOP)
    undo = page.get_by_role("button", name="Undo")
    redo = page.get_by_role("button", name="Redo")
    expect(undo).to_be_disabled()
    expect(redo).to_be_disabled()

    entry = board_item(page, "Einstieg")
    entry.get_by_role("button", name="Lock “Einstieg”").click()
    expect(entry.locator(".badge.locked")).to_be_visible()
    expect(undo).to_be_enabled()
    expect(undo).to_have_attribute("title", "Undo: change a board")
    undo.click()
    expect(entry.locator(".badge.locked")).to_be_hidden()
    expect(page.locator("#announcer")).to_have_text("Undone: change a board")
    assert (
        server_state(server, workshop["id"], workshop["moderator_key"])["boards"][0]["settings"]["locked"]
        is False
    )
    expect(undo).to_be_disabled()
    expect(redo).to_have_attribute("title", "Redo: change a board")
    expect(redo).to_be_focused()
    redo.click()
    expect(entry.locator(".badge.locked")).to_be_visible()
    assert (
        server_state(server, workshop["id"], workshop["moderator_key"])["boards"][0]["settings"]["locked"]
        is True
    )
    expect(redo).to_be_disabled()

    # A change made elsewhere (the board, another tab) reaches the buttons too.
    other = open_page(path_of(workshop["links"]["moderator"]), device=LAPTOP)
    expect(other.get_by_role("button", name="Undo")).to_be_enabled()
    other_entry = board_item(other, "Einstieg")
    other_entry.get_by_role("button", name="Rename “Einstieg”").click()
    other.get_by_role("textbox", name="New title of “Einstieg”").fill("Ankommen")
    other.get_by_role("textbox", name="New title of “Einstieg”").press("Enter")
    expect(page.locator("li.board-item h3")).to_have_text(["Ankommen"])
    undo.click()
    expect(page.locator("li.board-item h3")).to_have_text(["Einstieg"])
    expect(other.locator("li.board-item h3")).to_have_text(["Einstieg"])


def test_the_methods_panel_sets_cap_show_live_and_lock_on_end(
    open_page: Callable[..., Any], server: LiveServer
) -> None:
    workshop = create_workshop(server)
    page = open_page(path_of(workshop["links"]["moderator"]), device=LAPTOP)
    panel = page.locator("#methods-panel")
    expect(panel.get_by_label("Board", exact=True)).to_have_value(re.compile(r"^\d+$"))
    state = lambda: server_state(server, workshop["id"], workshop["moderator_key"])["boards"][0]  # noqa: E731

    panel.get_by_label("Minutes").fill("0")
    panel.get_by_label("Seconds").fill("0")
    panel.get_by_role("button", name="Start").click()
    expect(panel.get_by_role("status")).to_have_text("Set a time of at least one second.")
    assert state()["timer"] is None

    panel.get_by_label("Minutes").fill("2")
    panel.get_by_label("Seconds").fill("30")
    panel.get_by_label("Lock the board at the end").check()
    panel.get_by_role("button", name="Start").click()
    expect(panel.locator("#methods-timer")).to_have_text(re.compile(r"^02:(30|2\d)$"))
    timer = state()["timer"]
    assert (timer["state"], timer["seconds"], timer["lock_on_end"]) == ("running", 150, True)

    panel.get_by_label("Dots per person").fill("4")
    panel.get_by_label("At most per card").fill("3")
    panel.get_by_label("Show the counts live").check()
    panel.get_by_role("button", name="Open voting").click()
    expect(panel.get_by_role("status")).to_have_text("Voting is open: 0 dots placed.")
    vote = state()["vote"]
    assert (vote["budget"], vote["per_card_cap"], vote["show_live"], vote["open"]) == (4, 3, True, True)
    expect(panel.get_by_role("button", name="Open voting")).to_be_disabled()
    panel.get_by_role("button", name="Close voting").click()
    expect(panel.get_by_role("status")).to_have_text("Voting closed: 0 dots placed.")
    assert state()["vote"]["open"] is False
    panel.get_by_role("button", name="Stop").click()
    expect(panel.locator("#methods-timer")).to_have_text("--:--")
    assert state()["timer"] is None


def test_delete_the_workshop_from_the_console(
    open_page: Callable[..., Any], server: LiveServer, browser: Any
) -> None:
    workshop = create_workshop(server)
    title = workshop_title(workshop, server)
    context = browser.new_context(**LAPTOP, locale="en-GB")
    try:
        console = open_page(path_of(workshop["links"]["moderator"]), context=context)
        expect(console.locator("#status")).to_have_attribute("data-status", "online")
        start = open_page("/", context=context)
        expect(start.locator(".my-workshop-title")).to_have_text(title)
        start.close()
        other_tab = open_page(path_of(workshop["links"]["moderator"]), device=LAPTOP)
        projector = open_page(path_of(workshop["links"]["projector"]), device=PROJECTOR)
        assistant = open_page(path_of(workshop["links"]["assistant"]), device=LAPTOP)
        phone = open_participant(open_page, workshop)
        join(phone)
        for page in (other_tab, projector, assistant):
            expect(page.locator("#status")).to_have_attribute("data-status", "online")
        assistant.get_by_label("Text of the card").fill("Vom Papier")
        assistant.get_by_label("Text of the card").press("Enter")
        expect(assistant.locator(".typed-item")).to_have_attribute("data-state", "on-board")
        typed_key = f"pinboard:assistant:{workshop['id']}:typed"
        assert assistant.evaluate("key => localStorage.getItem(key)", typed_key) is not None

        zone = console.get_by_role("region", name="Delete workshop")
        expect(zone).to_contain_text("Deletes the workshop for good")
        zone.get_by_role("button", name="Delete workshop…").click()
        dialog = console.get_by_role("dialog", name="Delete this workshop for good?")
        expect(dialog).to_be_visible()
        field = dialog.get_by_role("textbox")
        expect(field).to_be_focused()
        expect(dialog).to_contain_text(
            f"the title of the workshop (“{title}”) or its join code {workshop['join_code']}"
        )
        confirm = dialog.get_by_role("button", name="Delete for good")
        expect(confirm).to_have_attribute("aria-disabled", "true")
        field.fill("Kommunale Steuerung")  # not the whole title
        expect(confirm).to_have_attribute("aria-disabled", "true")
        field.press("Enter")
        expect(dialog.get_by_role("alert")).to_have_text(
            "That is neither the title nor the join code of this workshop."
        )
        assert server_state(server, workshop["id"], workshop["moderator_key"])["workshop"]["title"] == title
        # Cancel keeps everything.
        dialog.get_by_role("button", name="Cancel").click()
        expect(dialog).to_be_hidden()
        expect(zone.get_by_role("button", name="Delete workshop…")).to_be_focused()

        zone.get_by_role("button", name="Delete workshop…").click()
        expect(field).to_have_value("")
        field.fill(workshop["join_code"].lower())
        expect(confirm).to_have_attribute("aria-disabled", "false")
        assert axe_violations(console) == []
        screenshot(console, "console-delete")
        confirm.click()

        expect(console.get_by_role("heading", name="The workshop was deleted", level=1)).to_be_visible()
        expect(console.locator("#deleted-text")).to_have_text(
            f"“{title}” and everything in it are gone from the server."
        )
        expect(console.locator("#board-list")).to_be_hidden()
        gone = requests.get(
            f"{server.url}/api/workshops/{workshop['id']}",
            headers={"Authorization": f"Bearer {workshop['moderator_key']}"},
            timeout=10,
        )
        assert gone.status_code == 401  # no workshop answers to the key any more
        for path in (
            f"/m/{workshop['id']}",
            f"/p/{workshop['id']}",
            f"/a/{workshop['id']}",
            f"/j/{workshop['join_code']}",
        ):
            assert requests.get(server.url + path, timeout=10).status_code == 404, path

        # Every screen that was open says so.
        expect(other_tab.get_by_role("heading", name="The workshop was deleted")).to_be_visible()
        expect(other_tab.locator("#deleted-text")).to_contain_text(
            "The workshop was deleted in another window."
        )
        expect(assistant.get_by_role("heading", name="This workshop was deleted")).to_be_visible()
        assert assistant.evaluate("key => localStorage.getItem(key)", typed_key) is None  # forgotten too
        expect(projector.locator("#status")).to_have_attribute("data-status", "refused")
        expect(projector.locator("#board-layout")).to_be_hidden()
        expect(phone.get_by_text(re.compile(r"deleted|has ended", re.IGNORECASE)).first).to_be_visible()
        start = open_page("/", context=context)
        expect(start.get_by_text("Workshops you create in this browser are listed here")).to_be_visible()
        expect(start.locator(".my-workshop-title")).to_have_count(0)
        console.wait_for_timeout(300)  # let the closed pages' last requests settle
        for page in (other_tab, projector, assistant, phone, console):
            ignore_errors(page, r"status of 40[0134]")
        screenshot(console, "console-deleted")
    finally:
        context.close()
