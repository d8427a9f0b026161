"""The board picture (Fotoprotokoll): laid out as on the projector, as SVG and PNG."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

from pinboard.exports import board_picture
from pinboard.exports.board_picture import picture_data, render_board_picture, render_pictures
from pinboard.results import LABELS, BoardSection, Group, Item, ResultsDocument
from tests.exports.helpers import export_response, make_markup_workshop

SVG = "{http://www.w3.org/2000/svg}"


def document_with(*groups: Group) -> ResultsDocument:
    return ResultsDocument(
        workshop_id="w", language="de", labels=LABELS["de"], title="T", event_line=None, date=None,
        agenda=None, sections=(BoardSection(2, "Einstieg", 7, tuple(groups)),),
    )  # fmt: skip


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", png[16:24])


def test_the_unsorted_cards_come_first_then_the_clusters_with_their_markers() -> None:
    document = document_with(
        Group("Grundhaltung", "2.1", "number", (Item("eins", "pink"), Item("zwei", votes=2))),
        Group(
            "Wirtschaft", "2.2", "letter", (Item("Spende", stacked=(Item("Sponsoring"),)),), headline="Geld"
        ),
        Group("Leer", "2.3", "bullet", ()),
        Group("Nicht zugeordnet", None, "bullet", (Item("lose", author="Anna"),), unsorted=True),
    )
    data = picture_data(document, document.sections[0])
    assert data["heading"] == "2 Einstieg"
    assert [a["heading"] for a in data["areas"]] == [
        "Nicht zugeordnet",
        "2.1 Grundhaltung",
        "2.2 Wirtschaft",
        "2.3 Leer",
    ]
    assert [a["unsorted"] for a in data["areas"]] == [True, False, False, False]
    cards = data["areas"][1]["cards"]
    assert [(c["marker"], c["text"], c["color"], c["dots"], c["meta"]) for c in cards] == [
        ("1.", "eins", "pink", "", ""), ("2.", "zwei", "yellow", "2 Punkte", ""),
    ]  # fmt: skip
    assert [a["headline"] for a in data["areas"]] == ["", "", "Geld", ""]
    stack = data["areas"][2]["cards"][0]
    assert (stack["marker"], stack["stack"]) == ("a.", "2 Karten")  # a stack: one card with a count
    assert data["areas"][0]["cards"][0]["meta"] == "Anna"


def test_an_empty_board_still_has_a_picture() -> None:
    document = document_with()
    assert [a["heading"] for a in picture_data(document, document.sections[0])["areas"]] == [
        "Nicht zugeordnet"
    ]
    svg = render_board_picture(document, document.sections[0], "svg")
    ET.fromstring(svg)


def test_svg_and_png_downloads_of_a_board(app_db, client) -> None:
    workshop = make_markup_workshop(app_db)
    board = workshop.board_ids[0]
    svg = export_response(client, workshop.id, workshop.moderator_key, "svg", board=board).get_data()
    root = ET.fromstring(svg)  # well-formed XML whatever the cards say
    assert root.tag == f"{SVG}svg"
    assert not list(root.iter(f"{SVG}script"))
    assert not list(root.iter(f"{SVG}foreignObject"))
    # Text is drawn as glyph outlines: the markup in the cards cannot be anything but shapes.
    assert b"<b>" not in svg and b"alert" not in svg
    png = export_response(client, workshop.id, workshop.moderator_key, "png", board=board).get_data()
    width, height = png_size(png)
    assert width > 600 and height > 300


def test_a_huge_board_is_scaled_to_the_pixel_budget(monkeypatch) -> None:
    monkeypatch.setattr(board_picture, "PNG_MAX_PIXELS", 400_000)
    items = tuple(Item(f"Karte Nummer {n} mit etwas Text → „so“") for n in range(60))
    document = document_with(*(Group(f"Cluster {n}", None, "bullet", items) for n in range(6)))
    width, height = png_size(render_pictures(document, document.sections, "png")[0])
    assert width * height <= 400_000 * 1.02
    assert height > width  # a tall board stays tall: scaled, not squeezed


def test_compacting_the_svg_changes_no_pixel() -> None:
    import typst

    from pinboard.exports.board_picture import FONTS_DIR, compact_svg, compile_typst

    document = document_with(
        Group("Grundhaltung", "2.1", "letter", (Item("Akteur*innen → „so“", "white", votes=1),)),
        Group("Nicht zugeordnet", None, "bullet", (Item("lose", "blue"),), unsorted=True),
    )
    data = {"lang": "de", "max_area": None, "boards": [picture_data(document, document.sections[0])]}
    raw = compile_typst("pictures.typ", data, "svg")[0]
    compact = compact_svg(raw)
    assert len(compact) < len(raw)

    def pixels(svg: bytes) -> bytes:
        source = (
            b'#set page(width: auto, height: auto, margin: 0pt)\n#image(bytes(sys.inputs.svg), format: "svg")'
        )
        return typst.compile(  # type: ignore[no-any-return]
            source, format="png", ppi=96, sys_inputs={"svg": svg.decode()},
            font_paths=[str(FONTS_DIR)], ignore_system_fonts=True,
        )  # fmt: skip

    assert pixels(compact) == pixels(raw)


def test_typst_text_makes_long_words_breakable_and_tabs_visible() -> None:
    from pinboard.exports.board_picture import typst_text

    assert (
        typst_text("Bürgerbeteiligungsverfahren → „Auffinden“") == "Bürgerbeteiligungsverfahren → „Auffinden“"
    )
    assert (
        typst_text("https://example.org/ein-sehr-langer-pfad") == "https://example.org/ein-sehr-langer-pfad"
    )
    assert typst_text("W" * 31).split("\u200b") == ["W" * 14, "W" * 14, "WWW"]
    assert typst_text("a\tb") == "a\u2003b"
