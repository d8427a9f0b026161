"""A workshop of 3,000 cards exports in every format (the timings are in bench/export.py)."""

from __future__ import annotations

import io
import json

import docx
from pypdf import PdfReader

from pinboard.exports import FORMATS, ExportOptions, export_workshop
from pinboard.results import load_workshop
from tests.exports.big import make_big_workshop


def test_three_thousand_cards_export_in_every_format(db) -> None:
    workshop_id = make_big_workshop(db, cards=3000)
    with db.read() as session:
        boards = [board.id for board in load_workshop(session, workshop_id).boards]
    sizes = {}
    for fmt in FORMATS:
        board = boards[0] if fmt in ("svg", "png") else None
        exported = export_workshop(db, workshop_id, ExportOptions(fmt, authors=True, board_id=board))
        sizes[fmt] = len(exported.content)
        if fmt == "json":
            content = json.loads(exported.content)
            assert (
                sum(
                    len(container)
                    for b in content["boards"]
                    for container in [*(c["cards"] for c in b["clusters"]), b["unsorted"]]
                )
                == 3000
            )
        elif fmt == "md":
            assert exported.content.decode().count("(Teilnehmer\\*in ") == 3000
        elif fmt == "csv":
            assert exported.content.decode("utf-8-sig").count("\r\n") >= 3001
        elif fmt == "docx":
            document = docx.Document(io.BytesIO(exported.content))
            assert sum(p.style.name.startswith("List") for p in document.paragraphs) >= 3000 + 3
            assert len(document.inline_shapes) == 5
        elif fmt == "pdf":
            reader = PdfReader(io.BytesIO(exported.content))
            assert len(reader.pages) > 50
            assert "(600)" in reader.pages[-6].extract_text()  # the last card, before 5 picture pages
    assert all(size > 1000 for size in sizes.values()), sizes


def test_a_large_workshop_with_the_metaplan_methods_exports_in_every_format(db) -> None:
    workshop_id = make_big_workshop(db, cards=600, metaplan=True)
    with db.read() as session:
        data = load_workshop(session, workshop_id)
        boards = [board.id for board in data.boards]
        stacked = sum(len(stack) for stack in data.stacks.values())
    assert stacked > 40
    for fmt in FORMATS:
        board = boards[0] if fmt in ("svg", "png") else None
        exported = export_workshop(db, workshop_id, ExportOptions(fmt, board_id=board))
        if fmt == "md":
            markdown = exported.content.decode()
            assert markdown.count("- *auch:* ") == stacked
            assert markdown.count("Papierkarte)") == 600 // 7
            assert markdown.count("**Was wir zu „") == 5 * 8
            assert " Punkte" in markdown
        elif fmt == "json":
            content = json.loads(exported.content)
            assert sum(len(b["vote_rounds"][0]["dots"]) > 0 for b in content["boards"]) == 5
