"""The cards as a table: one row per card, in board order.

UTF-8 with a byte order mark, so that Excel shows umlauts; separated by ";" for German
workshops (what Excel expects with German regional settings) and "," for English ones.
Text is exact, with one exception for spreadsheet safety: a cell that starts with = + - @
(which Excel would run as a formula) gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io

from ..results import ResultsDocument

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _timestamp(value: object) -> str:
    if value is None:
        return ""
    return value.replace(microsecond=0).isoformat() + "Z"  # type: ignore[attr-defined]


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
                    ]
                )
    return out.getvalue().encode("utf-8")
