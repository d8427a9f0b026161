"""Markup in everything users type, on every page and in every export: it shows as text and runs
nothing. Real server, real Chromium.

Each payload sets `window.pwned` if it ever runs. The pages are opened with the Content Security
Policy switched off (`bypass_csp`), so that only the escaping protects them: a test that passed
only because CSP blocked an injected handler would not show that the text was escaped. That CSP
is served, and allows no inline script, is checked on every page on its own.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
import zipfile
from collections.abc import Iterator
from typing import Any

import lxml.html
import pytest
import requests
import socketio
from docx import Document
from lxml import etree
from markdown_it import MarkdownIt
from playwright.sync_api import expect
from pypdf import PdfReader

from pinboard.exports import FORMATS
from tests.browser.conftest import LAPTOP, PHONE, PROJECTOR
from tests.browser.test_participant import ignore_errors, join, my_card, post
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


def img(place: str) -> str:
    return f"<img src=x onerror=\"window.pwned='{place}'\">"


def script(place: str) -> str:
    return f"<script>window.pwned='{place}'</script>"


def svg(place: str) -> str:
    return f'"><svg onload="window.pwned=\'{place}\'">'


def closing(place: str) -> str:
    return f"</textarea></title></option><img src=x onerror=window.pwned='{place}'>"


def frame(place: str) -> str:
    return f"'><iframe srcdoc=\"<script>parent.pwned='{place}'</script>\">"


TITLE = f"{img('title')} {script('title')}"
EVENT, PLACE = svg("event"), closing("place")
AGENDA = [frame("agenda"), img("agenda")]
BOARDS = [svg("board1"), script("board2")]
CLUSTERS = [img("cluster1"), closing("cluster2")]
HEADLINE = script("headline")
NAME = img("name")
CARDS = [
    img("card"),
    script("card"),
    svg("card"),
    closing("card"),
    frame("card"),
    "{{ 7*7 }} ${7*7} <b>fett</b> &amp;",
]
LIVE_CARD, LIVE_CLUSTER = svg("live-card"), frame("live-cluster")
PAPER_CARD = closing("paper-card")
PHONE_NAME, PHONE_CARD = svg("phone-name"), img("phone-card")

# What would be on the page had anything been parsed as HTML (the QR code and the pictures are
# the app's own images).
INJECTED = (
    'img[src="x"], [onerror], [onload], svg[onload], iframe, object, embed,'
    ' script:not([src]):not([type="application/json"])'
)
INSPECT = f"""() => ({{
    pwned: window.pwned ?? null,
    injected: [...document.querySelectorAll({json.dumps(INJECTED)})].map((e) => e.outerHTML.slice(0, 100)),
    text: [document.title, document.body ? document.body.innerText : document.documentElement.textContent,
           ...[...document.querySelectorAll("input, textarea")].map((e) => e.value),
           ...[...document.querySelectorAll("option")].map((e) => e.textContent)].join("\\n"),
}})"""


class Moderator:
    def __init__(self, server: LiveServer, workshop: dict[str, Any]) -> None:
        self.sio = socketio.Client(reconnection=False)
        auth = {"workshop": workshop["id"], "moderator_key": workshop["moderator_key"]}
        self.sio.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=10)

    def call(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        ack = self.sio.call(event, payload, timeout=10)
        assert ack["ok"] is True, (event, ack)
        return ack["data"]  # type: ignore[no-any-return]


@pytest.fixture
def marked_up(server: LiveServer) -> Iterator[dict[str, Any]]:
    """A workshop with markup in every field users fill in: title, event, place, agenda, board
    titles, cluster names, a headline, a participant's name and cards."""
    body = {
        "title": TITLE,
        "event": EVENT,
        "place": PLACE,
        "language": "en",
        "agenda": AGENDA,
        "boards": [
            {"title": BOARDS[0], "clusters": CLUSTERS, "participants_choose_cluster": True},
            {"title": BOARDS[1]},
        ],
    }
    workshop = requests.post(f"{server.url}/api/workshops", json=body, timeout=10).json()
    moderator = Moderator(server, workshop)
    state = moderator.call("sync", {})["snapshot"]
    board = state["boards"][0]
    moderator.call("cluster:update", {"cluster_id": board["clusters"][0]["id"], "headline": HEADLINE})
    token = requests.post(
        f"{server.url}/api/join", json={"code": workshop["join_code"], "name": NAME}, timeout=10
    ).json()["participant_token"]
    participant = socketio.Client(reconnection=False)
    participant.connect(
        server.url,
        auth={"workshop": workshop["id"], "token": token},
        transports=["websocket"],
        wait_timeout=10,
    )
    for index, text in enumerate(CARDS):
        cluster_id = board["clusters"][index % 2]["id"] if index % 3 else None
        payload = {
            "client_id": uuid.uuid4().hex,
            "board_id": board["id"],
            "text": text,
            "cluster_id": cluster_id,
        }
        assert participant.call("card:create", payload, timeout=10)["ok"] is True
    participant.disconnect()
    yield {**workshop, "board_id": board["id"], "moderator": moderator}
    moderator.sio.disconnect()


def inspect(page: Any, dialogs: list[str]) -> str:
    """Nothing ran and nothing was parsed as markup; the page's text (to look for the payloads)."""
    found = page.evaluate(INSPECT)
    assert found["pwned"] is None, f"{page.url}: {found['pwned']} ran"
    assert found["injected"] == [], page.url
    assert dialogs == [], page.url
    return found["text"]  # type: ignore[no-any-return]


def test_markup_shows_as_text_and_runs_on_no_page(
    server: LiveServer, open_page: Any, browser: Any, marked_up: dict[str, Any]
) -> None:
    workshop = marked_up
    moderator_key = workshop["moderator_key"]
    contexts = {
        device: browser.new_context(bypass_csp=True, locale="en-GB", **spec)
        for device, spec in (("laptop", LAPTOP), ("projector", PROJECTOR), ("phone", PHONE))
    }
    dialogs: list[str] = []
    pages: dict[str, Any] = {}

    def open_(name: str, path: str, device: str) -> Any:
        page = open_page(path, context=contexts[device])
        page.on("dialog", lambda dialog: (dialogs.append(f"{name}: {dialog.message}"), dialog.dismiss()))
        pages[name] = page
        return page

    try:
        for name, path, device in (
            ("projector", f"/p/{workshop['id']}#key={workshop['projector_key']}", "projector"),
            ("moderator board", f"/m/{workshop['id']}/board#key={moderator_key}", "projector"),
            ("console", f"/m/{workshop['id']}#key={moderator_key}", "laptop"),
            ("assistant", f"/a/{workshop['id']}#key={workshop['assistant_key']}", "laptop"),
        ):
            expect(open_(name, path, device).locator("#status")).to_have_attribute("data-status", "online")
        phone = open_("phone", f"/j/{workshop['join_code']}", "phone")
        expect(phone.locator("#welcome-workshop")).to_have_text(TITLE)
        join(phone, PHONE_NAME)
        post(phone, PHONE_CARD)
        expect(my_card(phone, PHONE_CARD)).to_have_attribute("data-state", "confirmed")
        start = open_("start", "/", "laptop")  # lists the workshops of this browser: the console's
        expect(start.locator(".my-workshop-title")).to_have_text(TITLE)
        unknown = open_("join page", "/j/%22%3E%3Cb%3EX", "phone")
        ignore_errors(unknown, r"status of 404")
        expect(unknown.get_by_role("alert")).to_contain_text('the code "><B>X.')
        open_("join form", "/j", "phone")

        # While the pages are open: a card, a cluster and the phone's card arrive as events.
        workshop["moderator"].call(
            "card:create",
            {"client_id": uuid.uuid4().hex, "board_id": workshop["board_id"], "text": LIVE_CARD},
        )
        workshop["moderator"].call("cluster:create", {"board_id": workshop["board_id"], "name": LIVE_CLUSTER})
        for name in ("projector", "moderator board"):
            expect(pages[name].locator(".card").filter(has_text=LIVE_CARD)).to_be_visible()
            expect(pages[name].locator(".card").filter(has_text=PHONE_CARD)).to_be_visible()
            expect(pages[name].get_by_role("heading", name=LIVE_CLUSTER, exact=True)).to_be_visible()
        expect(phone.locator("option").filter(has_text=LIVE_CLUSTER)).to_have_count(1)
        pages["moderator board"].locator(".card").filter(has_text=CARDS[0]).press("Enter")  # the move dialog
        assistant = pages["assistant"]  # types in a paper card
        assistant.get_by_label("Text of the card").fill(PAPER_CARD)
        assistant.get_by_label("Text of the card").press("Enter")
        expect(assistant.locator(".typed-item")).to_have_attribute("data-state", "on-board")
        expect(pages["moderator board"].locator("#move-card-text")).to_have_text(CARDS[0])

        board_text = [
            TITLE,
            BOARDS[0],
            *CLUSTERS,
            HEADLINE,
            NAME,
            PHONE_NAME,
            *CARDS,
            PHONE_CARD,
            LIVE_CARD,
            LIVE_CLUSTER,
        ]
        shown = {
            "projector": board_text,
            "moderator board": board_text,
            "console": [TITLE, EVENT, PLACE, *AGENDA, *BOARDS],
            "assistant": [TITLE, *BOARDS, *CLUSTERS, PAPER_CARD],
            "phone": [TITLE, BOARDS[0], *CLUSTERS, LIVE_CLUSTER, PHONE_NAME, PHONE_CARD],
            "start": [TITLE],
            "join page": ['"><B>X'],
            "join form": [],
        }
        pages["projector"].wait_for_timeout(300)  # let any image error handler fire
        for name, page in pages.items():
            text = inspect(page, dialogs)
            missing = [expected for expected in shown[name] if expected not in text]
            assert missing == [], f"{name} does not show {missing}"
    finally:
        for context in contexts.values():
            context.close()


def test_every_page_sends_a_csp_without_inline_script(server: LiveServer, marked_up: dict[str, Any]) -> None:
    workshop = marked_up
    for path in (
        "/",
        "/j",
        f"/j/{workshop['join_code']}",
        "/j/UNBEKANNT",
        f"/p/{workshop['id']}",
        f"/m/{workshop['id']}",
        f"/m/{workshop['id']}/board",
        f"/a/{workshop['id']}",
        "/gibt-es-nicht",
    ):
        response = requests.get(server.url + path, timeout=10)
        policy = {
            part.split()[0]: part.split()[1:]
            for part in response.headers["Content-Security-Policy"].split(";")
            if part.strip()
        }
        scripts = policy.get("script-src", policy["default-src"])
        assert scripts == ["'self'"], path
        assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"], path
        # The pages themselves have no inline script to allow: only JSON data blocks and modules.
        tree = lxml.html.fromstring(response.content)
        for element in tree.iter("script"):
            assert element.get("type") == "application/json" or element.get("src"), (path, element.attrib)
        assert not [name for element in tree.iter() for name in element.attrib if name.startswith("on")], path


@pytest.mark.parametrize("page_path", ["/m/{id}", "/m/{id}/board", "/p/{id}", "/a/{id}"])
def test_a_key_in_the_query_opens_nothing(
    server: LiveServer, open_page: Any, marked_up: dict[str, Any], page_path: str
) -> None:
    """Pages take keys from the fragment only: with `?key=` they say the link is incomplete and
    never send that key anywhere (no Socket.IO frame or request carries it)."""
    workshop = marked_up
    key = workshop[{"/p/": "projector_key", "/a/": "assistant_key"}.get(page_path[:3], "moderator_key")]
    page = open_page("")
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(str(frame))))
    page.on("request", lambda request: sent.append(f"{request.url} {request.post_data}"))
    page.goto(f"{server.url}{page_path.format(id=workshop['id'])}?key={key}")
    expect(page.locator("#status")).to_have_attribute("data-status", "refused")
    page.wait_for_timeout(500)
    assert TITLE not in page.evaluate("document.body.innerText")
    assert [item for item in sent[1:] if key in item] == []  # [0]: the page itself
    assert f"?key={key}" in sent[0]


# ---- exports ---------------------------------------------------------------------------------

USER_TEXT = [TITLE, EVENT, PLACE, *AGENDA, *BOARDS, *CLUSTERS, HEADLINE, *CARDS]


def runs_nothing(browser: Any, server: LiveServer, content: bytes, content_type: str) -> str:
    """Open the export as a browser would open the downloaded file (no CSP); its text."""
    context = browser.new_context()
    try:
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        url = f"{server.url}/export-under-test"
        page.route(url, lambda route: route.fulfill(status=200, body=content, content_type=content_type))
        page.goto(url)
        page.wait_for_timeout(300)
        found = page.evaluate(INSPECT)
        assert found["pwned"] is None and dialogs == [] and errors == [], (found["pwned"], dialogs, errors)
        assert found["injected"] == []
        return found["text"]  # type: ignore[no-any-return]
    finally:
        context.close()


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_export_holds_the_markup_as_text(
    server: LiveServer, browser: Any, marked_up: dict[str, Any]
) -> None:
    workshop = marked_up
    exports = {}
    for fmt in FORMATS:
        params = {
            "format": fmt,
            "authors": "1",
            **({"board": str(workshop["board_id"])} if fmt in ("svg", "png") else {}),
        }
        response = requests.get(
            f"{server.url}/api/workshops/{workshop['id']}/export",
            params=params,
            headers={"Authorization": f"Bearer {workshop['moderator_key']}"},
            timeout=60,
        )
        assert response.status_code == 200, (fmt, response.text[:300])
        exports[fmt] = response.content
    expected = [*USER_TEXT, NAME]

    html = runs_nothing(browser, server, exports["html"], "text/html; charset=utf-8")
    assert [text for text in expected if text not in html] == []
    # Markdown, rendered as a Markdown viewer would (raw HTML allowed), shows the text and runs nothing.
    rendered = MarkdownIt("commonmark").render(exports["md"].decode("utf-8"))
    markdown = runs_nothing(browser, server, rendered.encode(), "text/html; charset=utf-8")
    assert [text for text in expected if squeezed(text) not in squeezed(markdown)] == []
    # The board picture: a standalone SVG document, without scripts, handlers or links.
    runs_nothing(browser, server, exports["svg"], "image/svg+xml")
    tree = etree.fromstring(exports["svg"])
    assert not tree.xpath(
        "//*[local-name()='script' or local-name()='foreignObject' or local-name()='iframe']"
    )
    assert not [name for element in tree.iter() for name in element.attrib if name.lower().startswith("on")]
    assert exports["png"].startswith(b"\x89PNG\r\n\x1a\n")

    with zipfile.ZipFile(io.BytesIO(exports["docx"])) as archive:
        assert not [
            name for name in archive.namelist() if name.endswith((".bin", ".js")) or "vbaProject" in name
        ]
    document = Document(io.BytesIO(exports["docx"]))
    docx_text = "\n".join(
        [p.text for p in document.paragraphs]
        + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    )
    assert [text for text in expected if text not in docx_text] == []
    pdf_text = squeezed("".join(page.extract_text() for page in PdfReader(io.BytesIO(exports["pdf"])).pages))
    assert [text for text in expected if squeezed(text) not in pdf_text] == []
    cells = {cell for row in csv.reader(io.StringIO(exports["csv"].decode("utf-8-sig"))) for cell in row}
    assert [text for text in [BOARDS[0], *CLUSTERS, *CARDS, NAME] if text not in cells] == []
    workshop_file = json.dumps(json.loads(exports["json"]), ensure_ascii=False)
    in_file = [text for text in USER_TEXT if text != HEADLINE]  # the file has no headlines (yet)
    assert [text for text in in_file if json.dumps(text, ensure_ascii=False) not in workshop_file] == []
