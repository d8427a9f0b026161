"""What a phone downloads: the join page and the board page in at most 150 KB on the first visit
and under 5 KB on the next. Real server, real Chromium, phone viewport.

Every HTTP response's bytes on the wire (headers and compressed body) come from Chromium's own
count (DevTools `Network.loadingFinished` encodedDataLength). The Socket.IO frames that carry the
board itself are counted apart: they are data, not page weight (docs/performance-pages.md).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, PHONE, create_workshop, screenshot
from tests.browser.test_participant import expect_online, join, my_card, post
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

FIRST_VISIT_LIMIT = 150 * 1024
REPEAT_VISIT_LIMIT = 5 * 1024


@dataclass
class Traffic:
    """Responses seen by Chromium's DevTools protocol, with their transferred bytes."""

    responses: dict[str, dict[str, Any]] = field(default_factory=dict)
    socket_bytes: int = 0

    def total(self) -> int:
        return sum(response["bytes"] for response in self.responses.values())

    def summary(self) -> dict[str, Any]:
        return {"bytes": self.total(), "by_type": self.by_type(), "socket_frames": self.socket_bytes}

    def by_type(self) -> dict[str, int]:
        sizes: dict[str, int] = defaultdict(int)
        for response in self.responses.values():
            sizes[kind(response)] += response["bytes"]
        return dict(sorted(sizes.items()))


def kind(response: dict[str, Any]) -> str:
    path = urlsplit(response["url"]).path
    if path.startswith("/socket.io/"):
        return "socket.io"
    if path.startswith("/api/"):
        return "api"
    mime = response.get("mime", "")
    for name, marker in (("html", "html"), ("js", "javascript"), ("css", "css"), ("svg", "svg")):
        if marker in mime:
            return name
    return mime or "other"


def record(page: Any) -> Traffic:
    traffic = Traffic()
    cdp = page.context.new_cdp_session(page)

    def on_response(event: dict[str, Any]) -> None:
        response = event["response"]
        headers = {name.lower(): value for name, value in response.get("headers", {}).items()}
        traffic.responses[event["requestId"]] = {
            "url": response["url"],
            "status": response["status"],
            "mime": response.get("mimeType", ""),
            "encoding": headers.get("content-encoding", ""),
            "bytes": 0,
        }

    def on_finished(event: dict[str, Any]) -> None:
        if event["requestId"] in traffic.responses:
            traffic.responses[event["requestId"]]["bytes"] = int(event["encodedDataLength"])

    def on_frame(event: dict[str, Any]) -> None:
        traffic.socket_bytes += len(event["response"]["payloadData"])

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    cdp.on("Network.webSocketFrameReceived", on_frame)
    cdp.send("Network.enable")
    page.cdp = cdp
    return traffic


def visit(page: Any, server: LiveServer, code: str, *, first: bool) -> Traffic:
    """Type the code on the join page, land on the board page, be online with the card in sight."""
    traffic = record(page)
    page.goto(f"{server.url}/j")
    page.get_by_label("Workshop code").fill(code)
    page.get_by_role("button", name="Join", exact=True).click()
    if first:
        join(page, "Anna")
        post(page, "Wege aus der Versäulung")
    else:
        expect_online(page)
    expect(my_card(page, "Wege aus der Versäulung")).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.cdp.detach()
    return traffic


def test_the_phone_page_weighs_little_first_and_almost_nothing_after(
    server: LiveServer, open_page: Any
) -> None:
    workshop = create_workshop(server)
    page = open_page("", PHONE)
    first = visit(page, server, workshop["join_code"], first=True)
    screenshot(page, "page-weight-phone-board")
    page.goto("about:blank")
    again = visit(page, server, workshop["join_code"], first=False)

    report = {
        "first_visit": first.summary(),
        "repeat_visit": again.summary(),
        "responses": {"first": list(first.responses.values()), "repeat": list(again.responses.values())},
    }
    ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS.parent / "page-weight.json").write_text(json.dumps(report, indent=2))

    own = urlsplit(server.url).netloc
    urls = [r["url"] for traffic in (first, again) for r in traffic.responses.values()]
    assert [url for url in urls if urlsplit(url).netloc != own] == []
    statics = [r for r in first.responses.values() if urlsplit(r["url"]).path.startswith("/static/")]
    assert len(statics) >= 6, statics  # the page, its modules, styles and icon were all counted
    # Brotli where the browser takes it (Chromium does on HTTPS and localhost), else gzip.
    uncompressed = [r["url"] for r in statics if kind(r) in ("js", "css") and not r["encoding"]]
    assert uncompressed == []
    assert first.total() <= FIRST_VISIT_LIMIT, report["first_visit"]
    assert again.total() < REPEAT_VISIT_LIMIT, (report["repeat_visit"], report["responses"]["repeat"])
    # On the second visit no static file came over the wire: each one was kept from the first.
    refetched = [r["url"] for r in again.responses.values() if "/static/" in r["url"] and r["bytes"]]
    assert refetched == []
