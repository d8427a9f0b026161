"""Shared pieces of the export tests: fetching an export, and workshops with tricky text."""

from __future__ import annotations

import re
from typing import Any

from pinboard import cards as card_ops
from pinboard import clusters as cluster_ops
from pinboard.database import Database
from tests.conftest import WorkshopFixture, make_participant, make_workshop, new_client_id

# Text that means something in Markdown, HTML, Typst, CSV or a spreadsheet, and must come out
# exactly as typed (Markdown: as typed once rendered).
MARKUP_TEXTS = [
    "# heading",
    "*stars* and _underscores_",
    "<b>bold</b> & <i>more</i>",
    "| pipes | in | a row |",
    "<script>alert('x')</script>",
    "1. looks like a list",
    "- looks like a bullet",
    "> looks like a quote",
    "Akteur*innen und Bürger*innen",
    "`code` [link](https://example.org) ![image](x.png) ~~strike~~ $x^2$ \\backslash &amp; &#35;",
    "#let x = 1 #x @ref <label> = Typst heading",
    'Quotes "straight" and „German“ — “English”',
    "Zeile eins\n# Zeile zwei\n- Zeile drei",
    "===",
    'a; b, c "quoted" d',
    "Bürger/innen (hyper)lokal → „Auffinden“ – Akteur*innen: äöüÄÖÜß",
]
# The characters cards use that a font or an escaper could lose.
SPECIAL_CHARACTERS = "äöüÄÖÜß„“–→*/()"


def export_response(client: Any, workshop_id: str, key: str, fmt: str, **params: Any) -> Any:
    response = client.get(
        f"/api/workshops/{workshop_id}/export",
        query_string={"format": fmt, **params},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def make_markup_workshop(database: Database, *, language: str = "de") -> WorkshopFixture:
    """One board: a bullet cluster with every markup text, and a lettered one; authors named."""
    workshop = make_workshop(
        database,
        title="Workshop <b>#1</b> *fett* | „Test“",
        language=language,
        agenda=["# Begrüßung", "<i>Austausch</i>"],
        boards=[{"title": "Board | *eins*", "clusters": ["# Cluster <b>", "Buchstaben"]}],
    )
    actor, _ = make_participant(database, workshop, name="Anna <b>*</b>")
    with database.write() as session:
        cluster_ops.update_cluster(
            session, workshop.moderator, cluster_id=workshop.cluster_ids[0][1], list_style="letter"
        )
        for text in MARKUP_TEXTS:
            card_ops.create_card(
                session, actor, client_id=new_client_id(), board_id=workshop.board_ids[0], text=text
            )
    with database.write() as session:
        ids = [c.id for c in card_ops.ordering.cards_in(session, workshop.board_ids[0], None)]
        for card_id in ids:
            card_ops.move_card(
                session, workshop.moderator, card_id=card_id, cluster_id=workshop.cluster_ids[0][0]
            )
        card_ops.create_card(
            session, workshop.moderator, client_id=new_client_id(), board_id=workshop.board_ids[0],
            cluster_id=workshop.cluster_ids[0][1], text="Spende vs. Partnerschaft",
        )  # fmt: skip
    return workshop


def normalised(text: str) -> str:
    """Whitespace collapsed, for comparing text taken out of a PDF or a rendered page."""
    return re.sub(r"\s+", " ", text).strip()


# ---- reading the text of a board picture (SVG) ------------------------------------------------

# Typst draws SVG text as glyph outlines, each defined once (`<symbol id="g…">`, an id that
# depends on the glyph's shape and size only) and placed with `<use>`. The sizes and weights
# pinboard/exports/typst/board.typ uses (with the 9.5 pt text of pictures.typ): board heading,
# cluster heading and headline card, card text and marker, card count, the line under a card.
# Sizes as Typst writes them: "0.8em" of 9.5 pt is not quite 7.6 pt, and the glyph differs.
PICTURE_TEXT_STYLES = [("13pt", "bold"), ("10.5pt", "bold"), ("9.5pt", "regular"), ("9.5pt", "bold")]
PICTURE_TEXT_STYLES += [("8pt", "bold"), ("0.8em", "regular"), ("0.8em", "bold")]
_GLYPH_PIECES = [chr(code) for code in range(0x21, 0x7F)] + list("äöüÄÖÜß„“”‚‘’–—→…·")
_GLYPH_PIECES += ["ff", "fi", "fl", "ffi", "ffl"]  # the ligatures DejaVu Sans draws as one glyph
_USE = re.compile(r'<use xlink:href="#(g[0-9A-F]+)"')
_TEXT_RUN = re.compile(r"<g [^>]*>((?:<use [^>]*/>)+)</g>")
_glyphs: dict[str, str] = {}


def _glyph_table() -> dict[str, str]:
    """Glyph id -> the character (or ligature) it draws, from a page of every piece in every style."""
    if not _glyphs:
        import json

        import typst

        from pinboard.exports.board_picture import FONTS_DIR

        source = (
            b"#set page(width: auto, height: auto, margin: 0pt)\n"
            b'#set text(font: "DejaVu Sans", size: 9.5pt)\n'
            b"#let data = json(bytes(sys.inputs.data))\n"
            b"#for style in data.styles { text(size: eval(style.at(0)), weight: style.at(1), "
            b'data.pieces.join(" ")); linebreak() }'
        )
        data = {"styles": PICTURE_TEXT_STYLES, "pieces": _GLYPH_PIECES}
        svg = typst.compile(
            source, format="svg", font_paths=[str(FONTS_DIR)], ignore_system_fonts=True,
            sys_inputs={"data": json.dumps(data)},
        ).decode()  # fmt: skip
        ids = _USE.findall(svg)
        assert len(ids) == len(PICTURE_TEXT_STYLES) * len(_GLYPH_PIECES), "one glyph per piece and style"
        _glyphs.update(zip(ids, _GLYPH_PIECES * len(PICTURE_TEXT_STYLES), strict=True))
    return _glyphs


def svg_text(svg: bytes) -> str:
    """The text a board picture draws, run after run (a run: one line in one style), without
    spaces (an SVG from Typst has none); a glyph not in the table reads as U+FFFD."""
    table = _glyph_table()
    runs = _TEXT_RUN.findall(svg.decode("utf-8"))
    return "\n".join("".join(table.get(glyph, "\ufffd") for glyph in _USE.findall(run)) for run in runs)
