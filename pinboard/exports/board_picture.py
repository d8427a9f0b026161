"""The picture of a board (the "Fotoprotokoll"), drawn once in Typst (typst/board.typ) for every
use: SVG and PNG on their own, SVG in the HTML document, PNG in the DOCX, natively in the PDF.

Typst gets the text as JSON data (sys.inputs), never as markup, and only the fonts shipped in
pinboard/fonts/ (system fonts are ignored), so the picture looks the same on every server.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typst

from ..results import BoardSection, Item, ResultsDocument, list_marker

log = logging.getLogger("pinboard.exports")

TYPST_DIR = Path(__file__).resolve().parent / "typst"
FONTS_DIR = Path(__file__).resolve().parent.parent / "fonts"
PNG_PPI = 144
# A board picture as PNG has at most this many pixels: a huge board is scaled down rather than
# turned into a file no image viewer (or Word) wants to open.
PNG_MAX_PIXELS = 3_000_000


_LONG_WORD = re.compile(r"[^\s/-]{31,}")
WORD_BREAK_EVERY = 14  # even 14 of the widest letters (W) fit on a card line


def typst_text(text: str) -> str:
    """Text as Typst should lay it out: tabs (which Typst draws as nothing) become wide spaces,
    and a word too long for a line or a card (30+ characters with no place to break, such as
    "xxxx…") gets invisible break opportunities (U+200B) instead of running off the page."""
    text = text.replace("\t", "\u2003")
    return _LONG_WORD.sub(
        lambda match: "\u200b".join(
            match[0][i : i + WORD_BREAK_EVERY] for i in range(0, len(match[0]), WORD_BREAK_EVERY)
        ),
        text,
    )


def card_data(document: ResultsDocument, item: Item, marker: str) -> dict[str, Any]:
    """A card as the picture draws it: a stack as its top with the number of cards it holds,
    the dots (phones' and wall's) as a dot with its count, author and paper note beneath."""
    labels = document.labels
    return {
        "marker": marker,
        "text": typst_text(item.text),
        "color": item.color,
        "stack": labels.stack_count.format(count=item.stack_size) if item.stacked else "",
        "dots": labels.votes(item.votes) if item.votes else "",
        "meta": typst_text(document.notes(item)),
    }


def picture_data(document: ResultsDocument, section: BoardSection) -> dict[str, Any]:
    """A board as the picture shows it: the unsorted cards first (left), then the clusters,
    each with its headline card under the heading.

    An empty unsorted column is left out, unless the board has nothing else."""
    areas = []
    for group in section.groups:
        area = {
            "heading": typst_text(group.heading),
            "headline": typst_text(group.headline),
            "unsorted": group.unsorted,
            "cards": [
                card_data(document, item, list_marker(group.list_style, index))
                for index, item in enumerate(group.items)
            ],
        }
        if group.unsorted:
            areas.insert(0, area)
        else:
            areas.append(area)
    if not areas:
        areas.append({"heading": document.labels.unsorted, "headline": "", "unsorted": True, "cards": []})
    return {"heading": typst_text(section.heading), "title": typst_text(section.title), "areas": areas}


def compile_typst(template: str, data: dict[str, Any], fmt: str, *, ppi: float | None = None) -> list[bytes]:
    """Compile one of the templates in typst/ with `data`; one bytes object per page (svg, png)
    or for the whole document (pdf)."""
    result, warnings = typst.compile_with_warnings(
        str(TYPST_DIR / template),
        root=str(TYPST_DIR),
        font_paths=[str(FONTS_DIR)],
        ignore_system_fonts=True,
        format=fmt,  # type: ignore[arg-type]
        ppi=ppi,
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
    )
    for warning in warnings:
        log.warning("typst: %s", getattr(warning, "message", warning))
    if result is None:
        return []
    return list(result) if isinstance(result, list) else [result]


def compact_svg(svg: bytes) -> bytes:
    """Typst's SVG without the attributes that only repeat SVG's defaults (black fill, nonzero
    fill rule) on every glyph: about a third smaller. Safe because Typst sets neither on groups,
    so nothing else could be inherited instead."""
    return svg.replace(b' fill-rule="nonzero"', b"").replace(b' fill="#000000"', b"")


def render_pictures(document: ResultsDocument, sections: Sequence[BoardSection], fmt: str) -> list[bytes]:
    """One picture (svg or png) per section, in one Typst run."""
    if not sections:
        return []
    max_area = PNG_MAX_PIXELS / (PNG_PPI / 72) ** 2 if fmt == "png" else None
    data = {
        "lang": document.language,
        "max_area": max_area,
        "boards": [picture_data(document, section) for section in sections],
    }
    pictures = compile_typst("pictures.typ", data, fmt, ppi=PNG_PPI if fmt == "png" else None)
    return [compact_svg(svg) for svg in pictures] if fmt == "svg" else pictures


def render_board_picture(document: ResultsDocument, section: BoardSection, fmt: str) -> bytes:
    return render_pictures(document, [section], fmt)[0]
