"""Markdown: the golden Düsseldorf record, and text that looks like markup comes out literally
once rendered (checked with markdown-it, CommonMark plus GitHub's tables and strikethrough)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from pinboard.exports.markdown import escape_block, escape_inline, render_markdown
from pinboard.results import LABELS, AgendaSection, BoardSection, Group, Item, ResultsDocument
from tests.exports.duesseldorf import ALL_CARD_TEXTS, build_duesseldorf
from tests.exports.helpers import MARKUP_TEXTS, export_response, make_markup_workshop, normalised

EXPECTED = Path(__file__).parent / "expected"
RENDERER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


class _Text(HTMLParser):
    """The text of rendered HTML, a line per block, plus the tags used."""

    BLOCKS = {"p", "li", "h1", "h2", "h3", "br", "ul", "ol"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:  # type: ignore[type-arg]
        self.tags.append(tag)
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def rendered(markdown: str) -> _Text:
    parser = _Text()
    parser.feed(RENDERER.render(markdown))
    return parser


def record_lines(text: str) -> list[str]:
    """The lines of the record without list and heading markers and without blank lines."""
    lines = []
    for line in text.splitlines():
        line = normalised(line.replace("\u00a0", " "))
        line = re.sub(r"^(#+|-)\s+", "", line)
        if line:
            lines.append(line)
    return lines


def test_the_duesseldorf_workshop_exports_as_the_record_reads(client, socket_client) -> None:
    built = build_duesseldorf(client, socket_client)
    response = export_response(client, built.id, built.moderator_key, "md")
    markdown = response.get_data(as_text=True)
    assert response.content_type == "text/markdown; charset=utf-8"
    assert markdown == (EXPECTED / "duesseldorf.md").read_text(encoding="utf-8")
    # Line for line the hand-written record, once the record's bullet glyphs and Markdown's
    # heading and list markers are set aside.
    record = (EXPECTED / "duesseldorf_record.txt").read_text(encoding="utf-8")
    assert record_lines(markdown) == record_lines(record)
    # Rendered, every card reads exactly as typed.
    text = "".join(rendered(markdown).parts)
    for card in ALL_CARD_TEXTS:
        assert card in text


def test_markup_in_cards_titles_and_names_comes_out_literally(app_db, client) -> None:
    workshop = make_markup_workshop(app_db)
    markdown = export_response(client, workshop.id, workshop.moderator_key, "md", authors=1).get_data(
        as_text=True
    )
    page = rendered(markdown)
    lines = [normalised(line) for line in "".join(page.parts).split("\n") if line.strip()]
    # Only the structure the exporter writes: no <b>, <script>, tables, code, links, images, …
    assert set(page.tags) <= {"h1", "h2", "h3", "p", "ul", "ol", "li", "br"}
    assert page.tags.count("h1") == 1 and page.tags.count("h3") == 2
    assert "Workshop <b>#1</b> *fett* | „Test“" in lines
    assert "Board | *eins*" in " ".join(lines)
    assert "# Begrüßung" in lines and "<i>Austausch</i>" in lines
    for text in MARKUP_TEXTS:
        expected = normalised(text.replace("\n", " "))
        assert any(line.startswith(expected) for line in lines) or expected in " ".join(lines), text
    assert "(Anna <b>*</b>)" in " ".join(lines)
    # In the source the gender star is escaped as \* and nothing else is touched.
    assert "Akteur\\*innen und Bürger\\*innen" in markdown
    assert "„German“ — “English”" in markdown


@pytest.mark.parametrize("text", [
    "Bürger/innen (hyper)lokal → „Auffinden“ – Akteur*innen",
    "1) Klammer", "2017. Jahr", "+ plus", "-minus ohne Leerzeichen", "---", "= = =", "    eingerückt",
    "[x] <https://example.org> <!-- Kommentar --> &copy; &#169;", "a\\b", "Tab\tTab", "__doppelt__",
    "Zeile\n\n\nnach Leerzeilen\n   - eingerückter Punkt", "x | y\n--|--\n1 | 2",
])  # fmt: skip
def test_escaped_text_renders_as_typed(text: str) -> None:
    source = "- " + escape_block(text, "  ")
    shown = normalised("".join(rendered(source).parts))
    assert shown == normalised(text)
    assert rendered(source).tags.count("li") == 1


def test_natural_text_stays_readable_in_the_source() -> None:
    assert escape_inline("Bürger/innen (hyper)lokal → „Auffinden“ – 3. Platz") == (
        "Bürger/innen (hyper)lokal → „Auffinden“ – 3. Platz"
    )
    assert escape_inline("Akteur*innen") == "Akteur\\*innen"


def test_votes_stacked_cards_and_paper_are_rendered_when_present() -> None:
    labels = LABELS["de"]
    items = (
        Item(
            "Transparenz darstellen",
            votes=3,
            stacked=(Item("Transparenz *herstellen*"), Item("Offenheit\nzeigen", on_paper=True)),
        ),
        Item("Feedback geben", votes=1, on_paper=True),
    )
    document = ResultsDocument(
        workshop_id="w", language="de", labels=labels, title="T", event_line=None, date=None,
        agenda=AgendaSection(1, "1 Ablauf", ("Start",)),
        sections=(BoardSection(2, "Board", 1, (Group("Cluster", None, "number", items, 1),)),),
    )  # fmt: skip
    markdown = render_markdown(document)
    assert (
        "1. Transparenz darstellen (3 Punkte)\n"
        "   - *auch:* Transparenz \\*herstellen\\*\n"
        "   - *auch:* Offenheit\\\n     zeigen (Papierkarte)\n" in markdown
    )
    assert "2. Feedback geben (1 Punkt, Papierkarte)\n" in markdown
    page = rendered(markdown)
    assert page.tags.count("li") == 5  # agenda step, two cards, two stacked cards
    assert page.tags.count("em") == 2  # "auch:", discreetly
    text = normalised("".join(page.parts))
    assert "auch: Transparenz *herstellen* auch: Offenheit zeigen (Papierkarte)" in text


def test_an_english_workshop_exports_in_english(app_db, client) -> None:
    import datetime as dt

    from pinboard import cards as card_ops
    from tests.conftest import make_workshop, new_client_id

    workshop = make_workshop(app_db, language="en", date=dt.date(2017, 6, 4))
    with app_db.write() as session:
        card_ops.create_card(
            session,
            workshop.moderator,
            client_id=new_client_id(),
            board_id=workshop.board_ids[0],
            text="Loose card",
        )
    markdown = export_response(client, workshop.id, workshop.moderator_key, "md").get_data(as_text=True)
    assert markdown.startswith(
        "Results\n\n# Kommunale Steuerung und Empowerment\n\n"
        "As part of the event “Die vernetzte Kommune” on 4 June 2017 in Düsseldorf\n\n"
        "## 1 Agenda\n\n1) Begrüßung\n"
    )
    assert (
        "## 2 Einstieg\n\n### Rahmenbedingungen\n\n### Spannungsfelder\n\n### Unsorted\n\n- Loose card\n"
        in markdown
    )
    response = export_response(client, workshop.id, workshop.moderator_key, "md")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="Results_Kommunale_Steuerung_und_Empowerment_2017-06-04.md"'
    )
