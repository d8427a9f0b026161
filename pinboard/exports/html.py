"""The results document as one standalone HTML page, ready to print: the print styles are inline,
the board pictures are embedded as SVG data URIs, there is no script and nothing is loaded
from elsewhere. Every text is HTML-escaped (Jinja autoescaping); card text keeps its line
breaks through CSS (white-space: pre-wrap), not through markup.
"""

from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..results import ResultsDocument

TEMPLATES = Path(__file__).resolve().parent / "templates"

_environment = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

CSS = """
@page { size: A4; margin: 22mm 22mm 25mm; }
@page landscape { size: A4 landscape; margin: 14mm; }
:root { color-scheme: light; }
body {
  font-family: "DejaVu Sans", Verdana, "Segoe UI", Roboto, Arial, sans-serif;
  color: #14213d; background: #ffffff; line-height: 1.45;
  max-width: 52rem; margin: 2rem auto; padding: 0 1.25rem;
}
.document-type { color: #1f3a5f; font-weight: 700; font-size: 1.05rem; margin: 0 0 0.25rem; }
h1 { font-size: 1.8rem; line-height: 1.2; margin: 0 0 0.5rem; }
.event { font-size: 1.05rem; margin: 0 0 1.5rem; }
h2 { font-size: 1.35rem; margin: 2rem 0 0.6rem; }
h3 { font-size: 1.08rem; margin: 1.3rem 0 0.4rem; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
.meta { color: #596273; }
.headline { font-weight: 700; margin: 0 0 0.4rem; }
ul, ol { margin: 0.3rem 0 0.8rem; padding-left: 1.6rem; }
li { margin: 0.2rem 0; }
@counter-style agenda-step { system: extends decimal; suffix: ") "; }
ol.agenda-steps { list-style: agenda-step; }
ul.stacked { margin: 0.15rem 0; color: #3d4a63; }
.picture { margin: 1rem 0 2rem; }
.picture figcaption { font-weight: 700; margin-bottom: 0.4rem; }
.picture img { display: block; max-width: 100%; height: auto; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  h1, h2, h3, figcaption { break-after: avoid; page-break-after: avoid; }
  li { break-inside: avoid; page-break-inside: avoid; }
  .pictures { page: landscape; break-before: page; page-break-before: always; }
  .picture { break-inside: avoid; page-break-inside: avoid; }
  .picture + .picture { break-before: page; page-break-before: always; }
  .picture img { max-height: 160mm; width: auto; }
}
""".strip()


def render_html(document: ResultsDocument, *, pictures: bool = True) -> str:
    embedded = []
    if pictures and document.sections:
        from .board_picture import render_pictures

        svgs = render_pictures(document, document.sections, "svg")
        embedded = [
            (section, base64.b64encode(svg).decode("ascii"))
            for section, svg in zip(document.sections, svgs, strict=True)
        ]
    template = _environment.get_template("results.html.j2")
    return template.render(doc=document, css=CSS, pictures=embedded)
