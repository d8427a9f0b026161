"""The cards as a table: one row per card, in board order; a stack is one row, the cards
stacked onto its top in a column of their own (one a line). The cluster's headline, and
whether a card was written on paper, have columns of their own too, after the original eight.

UTF-8 with a byte order mark, so that Excel shows umlauts; separated by ";" for German
workshops (what Excel expects with German regional settings) and "," for English ones.
Text is exact, with one exception for spreadsheet safety: a cell that starts with = + - @
(which Excel would run as a formula) gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io

from ..results import Item, ResultsDocument

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _timestamp(value: object) -> str:
    if value is None:
        return ""
    return value.replace(microsecond=0).isoformat() + "Z"  # type: ignore[attr-defined]


def _stacked(document: ResultsDocument, item: Item) -> str:
    """The cards stacked onto a card, one a line, each with its note ("… (Papierkarte)")."""
    lines = []
    for under in item.stacked:
        meta = document.meta(under)
        lines.append(f"{under.text} ({meta})" if meta else under.text)
    return "\n".join(lines)


def render_csv(document: ResultsDocument) -> bytes:
    labels = document.labels
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=";" if document.language == "de" else ",", lineterminator="\r\n")
    writer.writerow(labels.csv_columns)
    for section in document.sections:
        for group in section.groups:
            for position, item in enumerate(group.items, start=1):
                writer.writerow(
                    [
                        _cell(section.title),
                        _cell(group.name),
                        position,
                        _cell(item.text),
                        labels.colors.get(item.color, item.color),
                        "" if item.votes is None else item.votes,
                        _cell(item.author),
                        _timestamp(item.created_at),
                        _cell(group.headline),
                        _cell(_stacked(document, item)),
                        labels.yes if item.on_paper else "",
                    ]
                )
    return out.getvalue().encode("utf-8")
