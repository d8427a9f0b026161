"""DOCX: Word's own heading and list styles, lists that restart per cluster, exact text."""

from __future__ import annotations

import io

import docx
from docx.oxml.ns import qn

from pinboard.exports.docx import render_docx
from pinboard.results import LABELS, BoardSection, Group, Item, ResultsDocument
from tests.exports.duesseldorf import (
    AGENDA,
    BOARD_1,
    BOARD_1_CLUSTERS,
    BOARD_2,
    BOARD_2_CLUSTERS,
    TITLE,
    build_duesseldorf,
)
from tests.exports.helpers import MARKUP_TEXTS, SPECIAL_CHARACTERS, export_response, make_markup_workshop

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def paragraphs(content: bytes) -> list[tuple[str, str]]:
    document = docx.Document(io.BytesIO(content))
    return [(p.style.name, p.text) for p in document.paragraphs if p.text]


def list_numbers(content: bytes) -> dict[str, tuple[int, str, str]]:
    """For each numbered paragraph's text: its numId and the format and text of its level 0."""
    document = docx.Document(io.BytesIO(content))
    numbering = document.part.numbering_part.element
    found = {}
    for paragraph in document.paragraphs:
        num_pr = paragraph._p.pPr.numPr if paragraph._p.pPr is not None else None
        if num_pr is None or num_pr.numId is None:
            continue
        num = numbering.num_having_numId(num_pr.numId.val)
        abstract = numbering.xpath(f'w:abstractNum[@w:abstractNumId="{num.abstractNumId.val}"]')[0]
        level = abstract.find(qn("w:lvl"))  # single-level lists: level 0
        found[paragraph.text] = (
            num_pr.numId.val,
            level.find(qn("w:numFmt")).get(qn("w:val")),
            level.find(qn("w:lvlText")).get(qn("w:val")),
        )
    return found


def test_the_duesseldorf_record_as_word_headings_and_lists(client, socket_client) -> None:
    built = build_duesseldorf(client, socket_client)
    response = export_response(client, built.id, built.moderator_key, "docx")
    assert response.content_type == DOCX_TYPE
    content = response.get_data()
    expected = [
        ("Document Type", "Ergebnisdokumentation"),
        ("Title", TITLE),
        ("Subtitle", "Im Rahmen der Veranstaltung „Die vernetzte Kommune“ am 14.06.2017 in Düsseldorf"),
        ("Heading 1", "1 Ablauf"),
        *[("List Number", step) for step in AGENDA],
        ("Heading 1", f"2 {BOARD_1}"),
    ]
    for name, texts in BOARD_1_CLUSTERS:
        expected += [("Heading 2", name), *[("List Bullet", text) for text in texts]]
    expected.append(("Heading 1", f"3 {BOARD_2}"))
    for number, (name, texts) in enumerate(BOARD_2_CLUSTERS, start=1):
        style = "List Letter" if name.startswith("Einbezug") else "List Bullet"
        expected += [("Heading 2", f"3.{number} {name}"), *[(style, text) for text in texts]]
    expected += [
        ("Heading 1", "4 Fotoprotokoll"),
        ("Heading 2", f"2 {BOARD_1}"),
        ("Heading 2", f"3 {BOARD_2}"),
    ]
    assert paragraphs(content) == expected

    numbers = list_numbers(content)
    assert numbers[AGENDA[0]][1:] == ("decimal", "%1)")
    letters = BOARD_2_CLUSTERS[3][1]
    assert numbers[letters[0]][1:] == ("lowerLetter", "%1.")
    assert len({numbers[text][0] for text in letters}) == 1

    document = docx.Document(io.BytesIO(content))
    assert document.core_properties.title == TITLE
    assert document.core_properties.language == "de-DE"
    assert len(document.inline_shapes) == 2  # the board pictures
    assert document.sections[-1].page_width > document.sections[-1].page_height  # landscape
    descriptions = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert descriptions == [f"Fotoprotokoll: 2 {BOARD_1}", f"Fotoprotokoll: 3 {BOARD_2}"]


def test_markup_and_special_characters_are_exact(app_db, client) -> None:
    workshop = make_markup_workshop(app_db)
    content = export_response(client, workshop.id, workshop.moderator_key, "docx", authors="true").get_data()
    texts = [text for _, text in paragraphs(content)]
    assert "Workshop <b>#1</b> *fett* | „Test“" in texts
    assert "# Begrüßung" in texts and "<i>Austausch</i>" in texts
    for text in MARKUP_TEXTS:
        assert f"{text} (Anna <b>*</b>)" in texts
    assert "Spende vs. Partnerschaft" in texts  # the moderator's card: no author
    document = docx.Document(io.BytesIO(content))
    line_breaks = [p for p in document.paragraphs if p.text.startswith("Zeile eins")][0]
    assert line_breaks._p.xpath(".//w:br")
    assert all(char in "".join(texts) for char in SPECIAL_CHARACTERS)


def test_every_numbered_or_lettered_list_starts_again() -> None:
    labels = LABELS["de"]
    groups = tuple(
        Group(f"Cluster {n}", f"2.{n}", style, (Item(f"{style} {n} eins"), Item(f"{style} {n} zwei")), n)
        for n, style in enumerate(["number", "number", "letter", "letter", "bullet"], start=1)
    )
    document = ResultsDocument(
        workshop_id="w", language="en", labels=labels, title="T", event_line=None, date=None,
        agenda=None, sections=(BoardSection(2, "Board", 1, groups),),
    )  # fmt: skip
    content = render_docx(document, pictures=False)
    numbers = list_numbers(content)
    lists = [
        numbers[f"{style} {n} eins"][0] for n, style in enumerate(["number", "number", "letter", "letter"], 1)
    ]
    assert len(set(lists)) == 4
    assert [
        numbers[f"{style} {n} zwei"][0] for n, style in enumerate(["number", "number", "letter", "letter"], 1)
    ] == lists
    numbering = docx.Document(io.BytesIO(content)).part.numbering_part.element
    for num_id in lists:
        override = numbering.num_having_numId(num_id).find(qn("w:lvlOverride"))
        assert override.find(qn("w:startOverride")).get(qn("w:val")) == "1"
    assert "bullet 5 eins" not in numbers or numbers["bullet 5 eins"][1] == "bullet"
    assert docx.Document(io.BytesIO(content)).core_properties.language == "en-GB"


def test_without_pictures_the_document_has_no_images(app_db, client) -> None:
    workshop = make_markup_workshop(app_db)
    content = export_response(client, workshop.id, workshop.moderator_key, "docx", pictures=0).get_data()
    document = docx.Document(io.BytesIO(content))
    assert len(document.inline_shapes) == 0
    assert "Fotoprotokoll" not in [p.text for p in document.paragraphs]
