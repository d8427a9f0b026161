"""The results document as PDF, typeset by Typst (typst/results.typ) with the shipped DejaVu Sans.

The document goes to Typst as JSON data, never pasted into markup, so card text such as
`#let x = 1`, `*stars*` or `<b>` is printed exactly as typed. Headings become the PDF's
bookmarks; the board pictures follow on landscape pages, drawn natively (vector, not images).
"""

from __future__ import annotations

from typing import Any

from ..results import ResultsDocument
from .board_picture import compile_typst, picture_data
from .board_picture import typst_text as t

FOOTER_LIMIT = 90  # characters: the footer stays one line beside the page number


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def pdf_data(document: ResultsDocument, *, pictures: bool = True) -> dict[str, Any]:
    return {
        "lang": document.language,
        "title": document.title,  # the PDF's metadata: exact
        "footer": t(_shortened(f"{document.document_type}: {document.title}", FOOTER_LIMIT)),
        "document_type": document.document_type,
        "stacked_label": document.labels.stacked,
        "heading": t(document.title),
        "event_line": t(document.event_line) if document.event_line else None,
        "agenda": (
            {"heading": document.agenda.heading, "items": [t(step) for step in document.agenda.items]}
            if document.agenda
            else None
        ),
        "sections": [
            {
                "heading": t(section.heading),
                "groups": [
                    {
                        "heading": t(group.heading),
                        "headline": t(group.headline),
                        "style": group.list_style,
                        "items": [
                            {
                                "text": t(item.text),
                                "meta": t(document.meta(item)),
                                "stacked": [
                                    {"text": t(under.text), "meta": t(document.meta(under))}
                                    for under in item.stacked
                                ],
                            }
                            for item in group.items
                        ],
                    }
                    for group in section.groups
                ],
            }
            for section in document.sections
        ],
        "pictures_heading": document.pictures_heading,
        "pictures": [picture_data(document, section) for section in document.sections] if pictures else [],
    }


def render_pdf(document: ResultsDocument, *, pictures: bool = True) -> bytes:
    return compile_typst("results.typ", pdf_data(document, pictures=pictures), "pdf")[0]
