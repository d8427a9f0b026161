"""HTML: one standalone, print-ready page; all text escaped; board pictures embedded."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

from tests.exports.duesseldorf import ALL_CARD_TEXTS, BOARD_2_CLUSTERS, TITLE, build_duesseldorf
from tests.exports.helpers import MARKUP_TEXTS, SPECIAL_CHARACTERS, export_response, make_markup_workshop


class Page(HTMLParser):
    """Elements (tag, attributes) and the text of each element that holds card text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self.headings: list[tuple[str, str]] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._open.append(
            tag if tag in ("h1", "h2", "h3") else "span.text" if ("class", "text") in attrs else ""
        )
        if self._open[-1]:
            (self.headings if tag.startswith("h") else self.texts).append("")

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag != "img":
            self._open.pop()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        if not self._open or not self._open[-1]:
            return
        if self._open[-1] == "span.text":
            self.texts[-1] += data
        else:
            self.headings[-1] += data

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.elements if tag == name]


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def test_the_duesseldorf_record_as_a_standalone_page(client, socket_client) -> None:
    built = build_duesseldorf(client, socket_client)
    response = export_response(client, built.id, built.moderator_key, "html")
    assert response.content_type == "text/html; charset=utf-8"
    html = response.get_data(as_text=True)
    page = parse(html)
    assert html.startswith('<!DOCTYPE html>\n<html lang="de">')
    assert page.tags("h1") and page.headings[0] == TITLE
    assert [h for h in page.headings if h.startswith("3.")] == [
        f"3.{n} {name}" for n, (name, _) in enumerate(BOARD_2_CLUSTERS, start=1)
    ]
    assert page.texts[5:] == ALL_CARD_TEXTS  # after the five agenda steps
    assert {"type": "a", "class": "cards"} in page.tags("ol")
    assert {"class": "agenda-steps"} in page.tags("ol")
    # Standalone: no script, nothing fetched from elsewhere, styles for print inline.
    assert not page.tags("script") and not page.tags("link") and not page.tags("iframe")
    for attrs in page.elements:
        for name in ("src", "href"):
            value = attrs[1].get(name)
            assert value is None or value.startswith("data:image/svg+xml;base64,"), value
    assert "@page" in html and "@media print" in html
    assert 'font-family: "DejaVu Sans", Verdana' in html  # the style sheet is not HTML-escaped
    images = page.tags("img")
    assert [img["alt"] for img in images] == [
        f"Fotoprotokoll: {heading}" for heading in page.headings if heading[:2] in ("2 ", "3 ")
    ]
    svg = base64.b64decode(images[0]["src"].split(",", 1)[1])  # type: ignore[union-attr]
    assert svg.startswith(b"<svg") and b"<script" not in svg and b'href="http' not in svg


def test_markup_like_text_is_escaped(app_db, client) -> None:
    workshop = make_markup_workshop(app_db)
    html = export_response(client, workshop.id, workshop.moderator_key, "html", authors=1).get_data(
        as_text=True
    )
    page = parse(html)
    assert not page.tags("script") and not page.tags("b") and not page.tags("i")
    assert "Workshop <b>#1</b> *fett* | „Test“" in page.headings
    assert "<title>Ergebnisdokumentation: Workshop &lt;b&gt;#1&lt;/b&gt; *fett* | „Test“</title>" in html
    assert page.texts[:2] == ["# Begrüßung", "<i>Austausch</i>"]
    assert page.texts[2 : 2 + len(MARKUP_TEXTS)] == MARKUP_TEXTS
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&amp;amp; &amp;#35;" in html  # entity-like text stays text
    assert html.count("(Anna &lt;b&gt;*&lt;/b&gt;)") == len(MARKUP_TEXTS)
    assert all(char in html for char in SPECIAL_CHARACTERS)  # as characters, not entities
    assert re.search(r"\.text \{ white-space: pre-wrap;", html)


def test_without_pictures_the_page_has_no_images(app_db, client) -> None:
    workshop = make_markup_workshop(app_db, language="en")
    html = export_response(client, workshop.id, workshop.moderator_key, "html", pictures="no").get_data(
        as_text=True
    )
    page = parse(html)
    assert not page.tags("img")
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert page.headings[1:3] == ["1 Agenda", "2 Board | *eins*"]
    assert "Board pictures" not in html
