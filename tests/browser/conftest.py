"""Browser fixtures: Debian's Chromium driven by Playwright against a real server process.

Every page opened through `open_page` fails its test on a JavaScript error, a console error, or
a request to any host but the server's own. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from tests.conftest import ROOT, LiveServer

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
AXE = ROOT / "tests" / "vendor" / "axe-core-4.14.1" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {
    "viewport": {"width": 360, "height": 640},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Browser tests run on SQLite, the laptop default (the protocol tests cover PostgreSQL)."""
    return f"sqlite:///{tmp_path / 'pinboard.sqlite3'}"


# One Chromium for the browser tests, closed when they are done: Playwright's sync API keeps an
# asyncio loop running in the main thread while it is open, which later tests must not inherit.
@pytest.fixture(scope="package")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def server(live_server: Callable[..., LiveServer]) -> LiveServer:
    return live_server()


@dataclass
class PageWatch:
    """What a page did that a test must not let pass: errors and foreign requests."""

    page: Any
    errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def open_page(browser: Any, server: LiveServer) -> Iterator[Callable[..., Any]]:
    """Factory: open_page(path, device=PHONE|PROJECTOR|LAPTOP, context=None) -> Playwright page."""
    contexts: list[Any] = []
    watches: list[PageWatch] = []
    own_host = urlsplit(server.url).netloc

    def open_(
        path: str, device: dict[str, Any] | None = None, context: Any = None, **context_options: Any
    ) -> Any:
        if context is None:
            # English by default, so tests read like the source strings; German has its own tests.
            context_options.setdefault("locale", "en-GB")
            context = browser.new_context(**(device or LAPTOP), **context_options)
            contexts.append(context)
        page = context.new_page()
        watch = PageWatch(page)
        page.on("pageerror", lambda error: watch.errors.append(f"pageerror: {error}"))
        page.on(
            "console",
            lambda message: (
                watch.errors.append(f"console.{message.type}: {message.text}")
                if message.type == "error"
                else None
            ),
        )

        def on_request(request: Any) -> None:
            watch.requests.append(request.url)
            parts = urlsplit(request.url)
            if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != own_host:
                watch.foreign_requests.append(request.url)

        page.on("request", on_request)
        watches.append(watch)
        page.watch = watch
        if path:
            page.goto(server.url + path)
        return page

    yield open_
    problems = [(w.page.url, w.errors, w.foreign_requests) for w in watches if w.errors or w.foreign_requests]
    for context in contexts:
        context.close()
    assert not problems, f"pages had errors or requested foreign hosts: {problems}"


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """Run axe-core (vendored) in the page; return violations of the given impacts.

    Finite animations (a card fading in) finish first: half-way, their text is faint on purpose.
    """
    page.evaluate(
        "() => Promise.all(document.getAnimations()"
        ".filter(a => a.effect?.getComputedTiming().iterations !== Infinity)"
        ".map(a => a.finished.catch(() => null)))"
    )
    page.evaluate(AXE.read_text() + "\n;0")
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
    )
    return [violation for violation in result if violation["impact"] in impacts]


def create_workshop(server: LiveServer, **overrides: Any) -> dict[str, Any]:
    body = {
        "title": "Kommunale Steuerung und Empowerment im Netzwerk",
        "event": "Die vernetzte Kommune",
        "date": "2017-06-14",
        "place": "Düsseldorf",
        "language": "en",
        "agenda": ["Begrüßung und Einführung", "Aktivierender Einstieg", "Erfahrungsaustausch"],
        "boards": [
            {
                "title": "Einstieg",
                "clusters": ["Rahmenbedingungen und Grundhaltung", "Spannungsfelder", "Handlungsansätze"],
            }
        ],
    }
    body.update(overrides)
    response = requests.post(f"{server.url}/api/workshops", json=body, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def snapshot(server: LiveServer, workshop: dict[str, Any]) -> dict[str, Any]:
    """The server's state of the workshop, as the moderator sees it."""
    response = requests.get(
        f"{server.url}/api/workshops/{workshop['id']}",
        headers={"Authorization": f"Bearer {workshop['moderator_key']}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return parts.path + (f"#{parts.fragment}" if parts.fragment else "")


os.environ.setdefault("PW_TEST_SCREENSHOT_NO_FONTS_READY", "1")
