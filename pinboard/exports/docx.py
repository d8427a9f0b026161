"""The results document as a Word file (python-docx), built from Word's own styles so that the
navigation pane, a table of contents and restyling all work:

    Document Type (a style of its own)   Ergebnisdokumentation
    Title                                 the workshop title
    Subtitle                              the event line
    Heading 1                             1 Ablauf, 2 <board>, 3 <board>, … , n Fotoprotokoll
    Heading 2                             the clusters (3.1 …), Nicht zugeordnet, a board picture
    List Number (with "1)")               the agenda
    List Bullet / List Number / List Letter   the cards, by the cluster's list style; every
                                              cluster's list starts again at 1 (or a)
    List Bullet 2                         the cards stacked onto a card: "auch: <text>"

Card text is set exactly as typed (line breaks and tabs become Word's breaks and tabs).
"""

from __future__ import annotations

import io
import re
import struct
from typing import Any

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Emu, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from ..results import Group, Item, ResultsDocument

ACCENT = RGBColor(0x1F, 0x3A, 0x5F)
SOFT = RGBColor(0x59, 0x62, 0x73)
LANGUAGE_TAGS = {"de": "de-DE", "en": "en-GB"}
LETTER_ABSTRACT_ID = 90
AGENDA_ABSTRACT_ID = 91
# Characters XML 1.0 cannot hold (input validation already refuses the control characters).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _abstract_num(abstract_id: int, fmt: str, text: str, style_id: str | None = None) -> Any:
    pstyle = f'<w:pStyle w:val="{style_id}"/>' if style_id else ""
    return parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        '<w:multiLevelType w:val="singleLevel"/>'
        f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>{pstyle}'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        '<w:pPr><w:ind w:left="360" w:hanging="360"/></w:pPr></w:lvl>'
        "</w:abstractNum>"
    )


class _Builder:
    def __init__(self, document: ResultsDocument) -> None:
        self.source = document
        self.doc = docx.Document()
        self.numbering = self.doc.part.numbering_part.element
        self._setup_page()
        self._setup_language()
        self._setup_styles()

    # ---- setup -------------------------------------------------------------------------------

    def _setup_page(self) -> None:
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(22)
        section.top_margin, section.bottom_margin = Mm(22), Mm(25)

    def _setup_language(self) -> None:
        tag = LANGUAGE_TAGS.get(self.source.language, "de-DE")
        for lang in self.doc.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang"):
            lang.set(qn("w:val"), tag)
        properties = self.doc.core_properties
        properties.title = self.source.title
        properties.subject = self.source.document_type
        properties.language = tag
        properties.author = ""
        properties.last_modified_by = ""
        properties.comments = ""
        properties.keywords = ""

    def _setup_styles(self) -> None:
        styles = self.doc.styles
        self.style = {name: styles[name] for name in (
            "Title", "Subtitle", "Heading 1", "Heading 2", "List Bullet", "List Number", "List Bullet 2",
        )}  # fmt: skip
        kind = styles.add_style("Document Type", WD_STYLE_TYPE.PARAGRAPH)
        kind.base_style = styles["Normal"]
        kind.font.bold = True
        kind.font.size = Pt(13)
        kind.font.color.rgb = ACCENT
        kind.paragraph_format.space_after = Pt(2)
        self.style["Document Type"] = kind
        headline = styles.add_style("Headline", WD_STYLE_TYPE.PARAGRAPH)  # a cluster's headline card
        headline.base_style = styles["Normal"]
        headline.font.bold = True
        headline.paragraph_format.space_after = Pt(4)
        self.style["Headline"] = headline
        self.body = self.doc.element.body

        first_num = self.numbering.find(qn("w:num"))
        first_num.addprevious(_abstract_num(LETTER_ABSTRACT_ID, "lowerLetter", "%1.", "ListLetter"))
        first_num.addprevious(_abstract_num(AGENDA_ABSTRACT_ID, "decimal", "%1)"))
        letters = styles.add_style("List Letter", WD_STYLE_TYPE.PARAGRAPH)
        letters.base_style = styles["List Number"]
        letters.element.get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = self.numbering.add_num(
            LETTER_ABSTRACT_ID
        ).numId
        self.style["List Letter"] = letters
        self.number_abstract_id = self._abstract_of(self.style["List Number"])
        self.style_id = {name: style.style_id for name, style in self.style.items()}

    def _abstract_of(self, style: Any) -> int:
        num_id = style.element.pPr.numPr.numId.val
        return int(self.numbering.num_having_numId(num_id).abstractNumId.val)

    def _restarted_list(self, abstract_id: int) -> int:
        """A new list instance that counts from 1 (or a) again."""
        num = self.numbering.add_num(abstract_id)
        num.add_lvlOverride(ilvl=0).add_startOverride(1)
        return int(num.numId)

    # ---- content -----------------------------------------------------------------------------

    def paragraph(self, text: str, style: str, num_id: int | None = None) -> Any:
        """Append a paragraph. Works on the XML directly: python-docx's `style=` looks the
        default style up on every call, which made 3,000 cards take seconds."""
        p = self.body.add_p()
        p_pr = p.get_or_add_pPr()
        p_pr.style = self.style_id[style]
        if num_id is not None:
            num_pr = p_pr.get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = 0
            num_pr.get_or_add_numId().val = num_id
        p.add_r().text = _xml_text(text)
        return Paragraph(p, self.doc._body)

    def soft(self, paragraph: Any, text: str) -> None:
        """A run in the soft colour: the dot count, author and paper note, "auch:"."""
        run = paragraph.add_run(_xml_text(text))
        run.font.color.rgb = SOFT

    def item(self, item: Item, style: str, num_id: int | None) -> None:
        paragraph = self.paragraph(item.text, style, num_id)
        meta = self.source.meta(item)
        if meta:
            self.soft(paragraph, f" ({meta})")
        for stacked in item.stacked:
            paragraph = self.paragraph(f"{self.source.labels.stacked} ", "List Bullet 2")
            paragraph.runs[0].font.color.rgb = SOFT
            paragraph.add_run(_xml_text(stacked.text))
            meta = self.source.meta(stacked)
            if meta:
                self.soft(paragraph, f" ({meta})")

    def group(self, group: Group) -> None:
        self.paragraph(group.heading, "Heading 2")
        if group.headline:
            self.paragraph(group.headline, "Headline")
        if not group.items:
            return
        if group.list_style == "number":
            style, num_id = "List Number", self._restarted_list(self.number_abstract_id)
        elif group.list_style == "letter":
            style, num_id = "List Letter", self._restarted_list(LETTER_ABSTRACT_ID)
        else:
            style, num_id = "List Bullet", None
        for item in group.items:
            self.item(item, style, num_id)

    def build(self, pictures: list[bytes] | None) -> bytes:
        source = self.source
        self.paragraph(source.document_type, "Document Type")
        self.paragraph(source.title, "Title")
        if source.event_line:
            self.paragraph(source.event_line, "Subtitle")
        if source.agenda:
            self.paragraph(source.agenda.heading, "Heading 1")
            num_id = self._restarted_list(AGENDA_ABSTRACT_ID)
            for step in source.agenda.items:
                self.paragraph(step, "List Number", num_id)
        for section in source.sections:
            self.paragraph(section.heading, "Heading 1")
            for group in section.groups:
                self.group(group)
        if pictures:
            self.pictures(pictures)
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()

    def pictures(self, pictures: list[bytes]) -> None:
        """The board pictures on landscape pages, each scaled to fit its page."""
        page = self.doc.add_section(WD_SECTION.NEW_PAGE)
        page.orientation = WD_ORIENT.LANDSCAPE
        page.page_width, page.page_height = Mm(297), Mm(210)
        page.left_margin = page.right_margin = page.top_margin = Mm(16)
        page.bottom_margin = Mm(18)
        room_width = page.page_width - page.left_margin - page.right_margin
        room_height = page.page_height - page.top_margin - page.bottom_margin - Mm(32)
        self.paragraph(self.source.pictures_heading, "Heading 1")
        for index, (section, png) in enumerate(zip(self.source.sections, pictures, strict=True)):
            heading = self.paragraph(section.heading, "Heading 2")
            if index > 0:
                heading.paragraph_format.page_break_before = True
            width, height = _png_size(png)
            scale = min(room_width / width, room_height / height)
            run = self.doc.add_paragraph().add_run()
            shape = run.add_picture(
                io.BytesIO(png), width=Emu(int(width * scale)), height=Emu(int(height * scale))
            )
            shape._inline.docPr.set("descr", self.source.labels.picture_alt.format(board=section.heading))


def _png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def render_docx(document: ResultsDocument, *, pictures: bool = True) -> bytes:
    images = None
    if pictures and document.sections:
        from .board_picture import render_pictures

        images = render_pictures(document, document.sections, "png")
    return _Builder(document).build(images)
