"""The Metaplan methods in every format: headline cards, card colours (pictures), dot counts
(phones' and wall's together), a stack as one item with the stacked cards beneath it ("auch:"
in the documents, a count in the pictures) and paper cards marked as such. The workshop is
built through the protocol (tests/exports/metaplan.py); each test fails if one of them is
missing from its format."""

from __future__ import annotations

import csv
import io
import struct
from html.parser import HTMLParser
from typing import Any

import docx
import pytest
from pypdf import PdfReader

from tests.exports.helpers import export_response, normalised, svg_text
from tests.exports.metaplan import BOARD_1, BOARD_2, HEADLINES, HIDDEN_TEXT, BuiltMetaplan, build_metaplan

BOARD_1_MARKDOWN = """\
## 1 Erfahrungsaustausch zu selbstgewählten Themen

### Grundhaltung/ Haltungsänderung

**Wie wollen wir zusammenarbeiten?**

- Leitsätze erstellen (5 Punkte)
  - *auch:* Leitlinien formulieren
  - *auch:* Leitsätze gemeinsam erstellen (Papierkarte)
- Rollenklarheit schaffen (1 Punkt)

### Dialoggestaltung (Zeitpunkt, Auftrag, Personenkreis)

**Was braucht ein guter Dialog?**

- Transparenz darstellen (6 Punkte, Papierkarte)
- Feedback geben (0 Punkte)

### Nicht zugeordnet

- Mut haben, Dinge zu beenden (0 Punkte, Papierkarte)

## 2 Verdeckte Kartenabfrage

### Nicht zugeordnet

- Erfolge sichtbar machen
"""

# The same lines as every document format shows them (style, text), for DOCX, HTML and PDF.
BOARD_1_LINES = [
    ("Heading 1", "1 Erfahrungsaustausch zu selbstgewählten Themen"),
    ("Heading 2", "Grundhaltung/ Haltungsänderung"),
    ("Headline", "Wie wollen wir zusammenarbeiten?"),
    ("List Bullet", "Leitsätze erstellen (5 Punkte)"),
    ("List Bullet 2", "auch: Leitlinien formulieren"),
    ("List Bullet 2", "auch: Leitsätze gemeinsam erstellen (Papierkarte)"),
    ("List Bullet", "Rollenklarheit schaffen (1 Punkt)"),
    ("Heading 2", "Dialoggestaltung (Zeitpunkt, Auftrag, Personenkreis)"),
    ("Headline", "Was braucht ein guter Dialog?"),
    ("List Bullet", "Transparenz darstellen (6 Punkte, Papierkarte)"),
    ("List Bullet", "Feedback geben (0 Punkte)"),
    ("Heading 2", "Nicht zugeordnet"),
    ("List Bullet", "Mut haben, Dinge zu beenden (0 Punkte, Papierkarte)"),
    ("Heading 1", "2 Verdeckte Kartenabfrage"),
    ("Heading 2", "Nicht zugeordnet"),
    ("List Bullet", HIDDEN_TEXT),
]
CARD_COLOURS = {"pink": "#f9b8cf", "green": "#b9e4c4", "blue": "#b7d6f4", "yellow": "#ffe680"}


@pytest.fixture
def metaplan(client: Any, socket_client: Any) -> BuiltMetaplan:
    return build_metaplan(client, socket_client)


def export(client: Any, built: BuiltMetaplan, fmt: str, **params: Any) -> bytes:
    return export_response(client, built.id, built.moderator_key, fmt, **params).get_data()  # type: ignore[no-any-return]


def test_markdown(client, metaplan) -> None:
    markdown = export(client, metaplan, "md").decode("utf-8")
    assert markdown.endswith("\n\n" + BOARD_1_MARKDOWN)


def test_docx(client, metaplan) -> None:
    document = docx.Document(io.BytesIO(export(client, metaplan, "docx")))
    lines = [(p.style.name, p.text) for p in document.paragraphs if p.text]
    start = lines.index(BOARD_1_LINES[0])
    assert lines[start : start + len(BOARD_1_LINES)] == BOARD_1_LINES
    stacked = next(p for p in document.paragraphs if p.text.startswith("auch: Leitsätze"))
    assert [(run.text, run.font.color.rgb is not None) for run in stacked.runs] == [
        ("auch: ", True),
        ("Leitsätze gemeinsam erstellen", False),
        (" (Papierkarte)", True),
    ]  # fmt: skip  ("auch:" and the note in the soft colour, the text as typed)
    assert len(document.inline_shapes) == 2  # a picture of each board


class Blocks(HTMLParser):
    """The text of each heading, paragraph and list item (a nested item is a block of its own)."""

    BLOCKS = ("h1", "h2", "h3", "p", "li", "figcaption")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self._open: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.blocks.append((f"{tag}.{dict(attrs).get('class') or ''}", ""))
            self._open.append(len(self.blocks) - 1)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open:
            kind, text = self.blocks[self._open[-1]]
            self.blocks[self._open[-1]] = (kind, text + data)


def test_html(client, metaplan) -> None:
    page = Blocks()
    page.feed(export(client, metaplan, "html", pictures=0).decode("utf-8"))
    blocks = [(kind, normalised(text)) for kind, text in page.blocks]
    kinds = {"Heading 1": "h2.", "Heading 2": "h3.", "Headline": "p.headline"}
    kinds |= {"List Bullet": "li.card-", "List Bullet 2": "li."}
    expected = [(kinds[style], text) for style, text in BOARD_1_LINES]
    start = blocks.index(expected[0])
    assert [
        (kind[: len(e[0])], text) for (kind, text), e in zip(blocks[start:], expected, strict=False)
    ] == expected
    assert ("li.card-pink", "Leitsätze erstellen (5 Punkte)") in blocks


def pdf_pages(content: bytes) -> list[str]:
    return [normalised(page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]


def test_pdf_document_and_pictures(client, metaplan) -> None:
    pages = pdf_pages(export(client, metaplan, "pdf"))
    document = pages[0]
    # The list markers (•, ‣) stand between the lines; the lines follow each other in order.
    position = 0
    for _, text in BOARD_1_LINES:
        found = document.find(text, position)
        assert found >= 0, (text, document[position:])
        position = found + len(text)
    picture = pages[1]  # the board picture, drawn in the PDF itself: its text is text
    for text in [*HEADLINES, "Leitsätze erstellen", "3 Karten 5 Punkte", "1 Punkt", "6 Punkte Papierkarte"]:
        assert text in picture, (text, picture)
    assert "Leitlinien formulieren" not in picture  # a stack shows as one card with its count


def test_csv_rows(client, metaplan) -> None:
    content = export(client, metaplan, "csv").decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(content, newline=""), delimiter=";"))
    assert table[0][8:] == ["Überschrift", "Gestapelte Karten", "Papierkarte"]
    rows = [row[:7] + row[8:] for row in table[1:]]  # without the creation time
    cluster_1, cluster_2 = (
        "Grundhaltung/ Haltungsänderung",
        "Dialoggestaltung (Zeitpunkt, Auftrag, Personenkreis)",
    )
    assert rows == [
        [BOARD_1, cluster_1, "1", "Leitsätze erstellen", "rosa", "5", "", HEADLINES[0],
         "Leitlinien formulieren\nLeitsätze gemeinsam erstellen (Papierkarte)", ""],
        [BOARD_1, cluster_1, "2", "Rollenklarheit schaffen", "grün", "1", "", HEADLINES[0], "", ""],
        [BOARD_1, cluster_2, "1", "Transparenz darstellen", "blau", "6", "", HEADLINES[1], "", "ja"],
        [BOARD_1, cluster_2, "2", "Feedback geben", "gelb", "0", "", HEADLINES[1], "", ""],
        [BOARD_1, "Nicht zugeordnet", "1", "Mut haben, Dinge zu beenden", "gelb", "0", "", "", "", "ja"],
        [BOARD_2, "Nicht zugeordnet", "1", HIDDEN_TEXT, "orange", "", "", "", "", ""],
    ]  # fmt: skip


def test_svg_picture(client, metaplan) -> None:
    svg = export(client, metaplan, "svg", board=metaplan.board_ids[0])
    text = svg_text(svg)
    assert "\ufffd" not in text, text  # every glyph read
    lines = text.splitlines()
    for expected in [
        "Muthaben,Dingezubeenden", "Papierkarte",  # unsorted, first: a paper card
        "Grundhaltung/", "Haltungsänderung", "Wiewollenwir", "zusammenarbeiten?",
        "Leitsätzeerstellen", "3Karten", "5Punkte",  # a stack of three cards, five dots
        "Rollenklarheitschaffen", "1Punkt",
        "Transparenzdarstellen", "6Punkte", "Papierkarte",  # one dot on a phone, five on the wall
        "Feedbackgeben",
    ]:  # fmt: skip
        assert expected in lines, (expected, lines)
    assert lines.index("Leitsätzeerstellen") < lines.index("3Karten") < lines.index("Rollenklarheitschaffen")
    assert "Leitlinienformulieren" not in text  # the stack is one card
    for colour in CARD_COLOURS.values():
        assert f'fill="{colour}"'.encode() in svg, colour
    assert b'fill="#ffc48a"' not in svg  # orange: only on the other board


def test_png_picture(client, metaplan) -> None:
    png = export(client, metaplan, "png", board=metaplan.board_ids[0])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    assert width > 1000 and height > 400


def test_english_labels(client, socket_client) -> None:
    built = build_metaplan(client, socket_client, language="en")
    markdown = export(client, built, "md").decode("utf-8")
    assert "- Leitsätze erstellen (5 dots)\n  - *also:* Leitlinien formulieren\n" in markdown
    assert "- Transparenz darstellen (6 dots, paper card)\n" in markdown
    lines = svg_text(export(client, built, "svg", board=built.board_ids[0])).splitlines()
    assert {"3cards", "5dots", "1dot", "papercard"} <= set(lines)
    table = list(csv.reader(io.StringIO(export(client, built, "csv").decode("utf-8-sig"), newline="")))
    assert table[0][8:] == ["Headline", "Stacked cards", "Paper card"]
    assert table[3][-1] == "yes"
