"""PDF (Typst): every card and every special character in the text layer, the shipped font
embedded, headings as bookmarks, and markup-like text printed, never interpreted."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.exports.duesseldorf import (
    AGENDA,
    ALL_CARD_TEXTS,
    BOARD_1,
    BOARD_1_CLUSTERS,
    TITLE,
    build_duesseldorf,
)
from tests.exports.helpers import (
    MARKUP_TEXTS,
    SPECIAL_CHARACTERS,
    export_response,
    make_markup_workshop,
    normalised,
)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return normalised(" ".join(page.extract_text() for page in reader.pages))


def fonts(content: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(content))
    names = set()
    for page in reader.pages:
        resources = page["/Resources"]
        for font in (resources.get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def outline_titles(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    titles: list[str] = []

    def walk(entries: list) -> None:  # type: ignore[type-arg]
        for entry in entries:
            if isinstance(entry, list):
                walk(entry)
            else:
                titles.append(entry.title)

    walk(reader.outline)
    return titles


def test_the_duesseldorf_record_as_pdf(client, socket_client) -> None:
    built = build_duesseldorf(client, socket_client)
    response = export_response(client, built.id, built.moderator_key, "pdf")
    assert response.content_type == "application/pdf"
    content = response.get_data()
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    assert "Ergebnisdokumentation" in text and normalised(TITLE) in text
    assert "Im Rahmen der Veranstaltung „Die vernetzte Kommune“ am 14.06.2017 in Düsseldorf" in text
    for number, step in enumerate(AGENDA, start=1):
        assert f"{number}) {normalised(step)}" in text
    for card in ALL_CARD_TEXTS:
        assert normalised(card) in text, card
    for char in "äöüß„“–→/()":  # what the record uses (the markup test below checks the rest)
        assert char in text, char
    assert "a. Spende vs. Partnerschaft" in text and "h. Ermächtigung haben" in text
    assert all("DejaVuSans" in name for name in fonts(content)), fonts(content)
    titles = outline_titles(content)
    assert titles[:3] == ["1 Ablauf", f"2 {BOARD_1}", BOARD_1_CLUSTERS[0][0]]
    assert "3.4 Einbezug von Wirtschaft und Investoren" in titles
    assert titles[-3] == "4 Fotoprotokoll"
    reader = PdfReader(io.BytesIO(content))
    assert reader.metadata.title == TITLE
    landscape = reader.pages[-1].mediabox
    assert landscape.width > landscape.height


def test_markup_like_text_is_printed_as_typed(app_db, client) -> None:
    workshop = make_markup_workshop(app_db)
    content = export_response(client, workshop.id, workshop.moderator_key, "pdf", authors=1).get_data()
    text = pdf_text(content)
    assert "Workshop <b>#1</b> *fett* | „Test“" in text
    assert "1) # Begrüßung" in text and "2) <i>Austausch</i>" in text
    for card in MARKUP_TEXTS:
        assert normalised(card) in text, card
    assert "(Anna <b>*</b>)" in text
    for char in SPECIAL_CHARACTERS:
        assert char in text, char
    assert "a. Spende vs. Partnerschaft" in text


def test_an_english_workshop_prints_in_english(app_db, client) -> None:
    workshop = make_markup_workshop(app_db, language="en")
    text = pdf_text(export_response(client, workshop.id, workshop.moderator_key, "pdf").get_data())
    assert text.startswith("Results Workshop <b>#1</b>")
    assert "1 Agenda" in text and "Unsorted" not in text and "3 Board pictures" in text
