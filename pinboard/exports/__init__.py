"""Exporting a workshop: the results document in several formats, the card table, the workshop
file and the board pictures. One renderer module per format; this module picks the renderer,
names the file and keeps the database work (reading) apart from the rendering (CPU only).

    export_workshop(database, workshop_id, ExportOptions("docx")) -> ExportFile
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ..database import Database
from ..errors import Invalid
from ..results import ResultsDocument, build_document, load_workshop

FORMATS = ("docx", "pdf", "html", "md", "json", "csv", "svg", "png")
PICTURE_FORMATS = ("svg", "png")

MIMETYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
}


@dataclass(frozen=True)
class ExportOptions:
    format: str
    authors: bool = False  # show the authors' display names beside the cards
    board_id: int | None = None  # the board of a picture (svg, png)
    pictures: bool = True  # the board pictures in docx, pdf and html

    def validated(self) -> ExportOptions:
        if self.format not in FORMATS:
            raise Invalid(
                f"Unknown export format {self.format!r}; use one of {', '.join(FORMATS)}.",
                {"format": [f"Must be one of: {', '.join(FORMATS)}."]},
            )
        if self.format in PICTURE_FORMATS and self.board_id is None:
            raise Invalid("A board picture needs the board.", {"board": ["Required for svg and png."]})
        if self.format not in PICTURE_FORMATS and self.board_id is not None:
            raise Invalid("Only svg and png take a board.", {"board": ["Only for svg and png."]})
        return self


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    mimetype: str
    filename: str

    @property
    def content_disposition(self) -> str:
        return content_disposition(self.filename)


@dataclass(frozen=True)
class Collected:
    """What a renderer needs, read from the database: the document, or the workshop file."""

    document: ResultsDocument
    workshop_file: dict[str, Any] | None = None


def collect(session: Any, workshop_id: str, options: ExportOptions) -> Collected:
    """Read the workshop (a fixed number of queries); render later, outside the transaction."""
    from .workshop_json import load_vote_rounds, workshop_file

    data = load_workshop(session, workshop_id)
    document = build_document(data, authors=options.authors)
    if options.board_id is not None:
        document.section(options.board_id)  # NotFound for a board of another workshop
    if options.format != "json":
        return Collected(document)
    return Collected(document, workshop_file(data, load_vote_rounds(session, workshop_id)))


def render(collected: Collected, options: ExportOptions) -> ExportFile:
    document = collected.document
    fmt = options.format
    if fmt == "md":
        from .markdown import render_markdown

        content = render_markdown(document).encode("utf-8")
    elif fmt == "html":
        from .html import render_html

        content = render_html(document, pictures=options.pictures).encode("utf-8")
    elif fmt == "docx":
        from .docx import render_docx

        content = render_docx(document, pictures=options.pictures)
    elif fmt == "pdf":
        from .pdf import render_pdf

        content = render_pdf(document, pictures=options.pictures)
    elif fmt == "csv":
        from .csv import render_csv

        content = render_csv(document)
    elif fmt == "json":
        from .workshop_json import dump_workshop_file

        assert collected.workshop_file is not None
        content = dump_workshop_file(collected.workshop_file)
    else:
        from .board_picture import render_board_picture

        assert options.board_id is not None
        content = render_board_picture(document, document.section(options.board_id), fmt)
    return ExportFile(content, MIMETYPES[fmt], export_filename(document, fmt, options.board_id))


def export_workshop(database: Database, workshop_id: str, options: ExportOptions) -> ExportFile:
    options = options.validated()
    with database.read() as session:
        collected = collect(session, workshop_id, options)
    return render(collected, options)


# ---- file names ------------------------------------------------------------------------------

_NOT_IN_NAMES = re.compile(r"[^\w.-]+")
_ASCII_LETTERS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
TITLE_LIMIT = 80


def filename_part(text: str, limit: int = TITLE_LIMIT) -> str:
    """Text made safe for a file name on any system, keeping letters such as umlauts."""
    cleaned = _NOT_IN_NAMES.sub("_", unicodedata.normalize("NFC", text))
    cleaned = re.sub(r"_*-[_-]*", "-", cleaned)
    cleaned = re.sub(r"_+", "_", cleaned).strip("._-")
    return cleaned[:limit].rstrip("._-")


def ascii_filename(name: str) -> str:
    """The ASCII fallback of a file name: ä → ae, ß → ss, other accents dropped."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_ASCII_LETTERS))
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii")
    stem, dot, extension = ascii_only.rpartition(".")
    return (
        f"{filename_part(stem, 200) or 'export'}{dot}{extension}" if dot else filename_part(ascii_only, 200)
    )


def export_filename(document: ResultsDocument, fmt: str, board_id: int | None = None) -> str:
    labels = document.labels
    if fmt == "json":
        prefix = labels.workshop_file
    elif fmt == "csv":
        prefix = labels.cards_file
    elif fmt in PICTURE_FORMATS:
        prefix = labels.pictures.replace(" ", "_")
    else:
        prefix = labels.document_type
    parts = [prefix, filename_part(document.title)]
    if board_id is not None:
        section = document.section(board_id)
        parts.append(f"{section.number}-{filename_part(section.title, 50)}".rstrip("-"))
    if document.date:
        parts.append(document.date.isoformat())
    return "_".join(part for part in parts if part) + f".{fmt}"


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII file name and, when it differs, the UTF-8 one (RFC 6266/5987)."""
    fallback = ascii_filename(filename)
    header = f'attachment; filename="{fallback}"'
    if fallback != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header
