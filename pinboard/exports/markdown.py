"""The results document as Markdown (CommonMark with the GitHub extensions in mind).

Card text is escaped so that whatever looks like markup (`# heading`, `*stars*`, `<b>`,
`| pipes |`, `1.` at the start of a line) comes out literally when rendered, while arrows,
„ “, slashes and parentheses stay as they are and the gender star reads `Akteur\\*innen`
in the source and `Akteur*innen` rendered.

Layout, as in the hand-written record:

    Ergebnisdokumentation
    # <workshop title>
    Im Rahmen der Veranstaltung „…“ am 14.06.2017 in …
    ## 1 Ablauf            1) 2) 3) (an ordered list with the ")" delimiter)
    ## 2 <board>
    ### <cluster>          - bullets, 1. numbers, or - a. letters (Markdown has no letter lists)
    **<headline>**         the cluster's headline card, when it has one
    - <card> (3 Punkte, Papierkarte)
      - *auch:* <card>     the cards stacked onto it
"""

from __future__ import annotations

import re

from ..results import Group, Item, ResultsDocument, letter

# Escaped wherever they stand: emphasis, code, links, raw HTML, tables, strikethrough, math,
# and the backslash itself.
_INLINE = re.compile(r"([\\`*_\[\]<|~$#])")
# Entity references (&auml; &#228;) would turn into the character they name.
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# What starts a block at the beginning of a line: quote, list item, setext underline, ordered list.
_LINE_START = re.compile(r"^(>|[-+](?=\s|$)|[-=](?=[-=\s]*$))")
_ORDERED = re.compile(r"^(\d+)([.)])")


def escape_inline(text: str) -> str:
    return _ENTITY.sub(r"\\&", _INLINE.sub(r"\\\1", text))


def escape_line(line: str) -> str:
    """One line of text, safe to stand at the start of a Markdown line."""
    escaped = escape_inline(line)
    escaped = _LINE_START.sub(r"\\\1", escaped)
    return _ORDERED.sub(r"\1\\\2", escaped)


def escape_block(text: str, indent: str) -> str:
    """Text that may span lines, as one paragraph: hard line breaks, continuation indented."""
    lines = [line.strip() for line in text.split("\n")]
    lines = [escape_line(line) for line in lines if line]
    return ("\\\n" + indent).join(lines)


def _with_meta(document: ResultsDocument, item: Item, indent: str) -> str:
    text = escape_block(item.text, indent)
    meta = document.meta(item)
    return f"{text} ({escape_inline(meta)})" if meta else text


def _item(document: ResultsDocument, item: Item, marker: str) -> list[str]:
    indent = " " * (len(marker.split(" ")[0]) + 1)  # the item's content column
    lines = [f"{marker} {_with_meta(document, item, indent)}"]
    # A stack is one item; the cards stacked onto it follow as sub-items: "- *auch:* <text>".
    prefix = escape_inline(document.labels.stacked)
    for stacked in item.stacked:
        lines.append(f"{indent}- *{prefix}* {_with_meta(document, stacked, indent + '  ')}")
    return lines


def _group(document: ResultsDocument, group: Group) -> list[str]:
    lines = [f"### {escape_inline(group.heading)}", ""]
    if group.headline:
        lines += [f"**{escape_inline(group.headline)}**", ""]
    if not group.items:
        return lines
    for index, item in enumerate(group.items):
        if group.list_style == "number":
            marker = f"{index + 1}."
        elif group.list_style == "letter":
            # "- a. text": a bullet whose text starts with the letter, as Markdown has no letter lists.
            marker = f"- {letter(index)}."
        else:
            marker = "-"
        lines.extend(_item(document, item, marker))
    lines.append("")
    return lines


def render_markdown(document: ResultsDocument) -> str:
    lines = [escape_line(document.document_type), "", f"# {escape_inline(document.title)}", ""]
    if document.event_line:
        lines += [escape_block(document.event_line, ""), ""]
    if document.agenda:
        lines += [f"## {escape_inline(document.agenda.heading)}", ""]
        for index, step in enumerate(document.agenda.items):
            marker = f"{index + 1})"
            lines.append(f"{marker} {escape_block(step, ' ' * (len(marker) + 1))}")
        lines.append("")
    for section in document.sections:
        lines += [f"## {escape_inline(section.heading)}", ""]
        for group in section.groups:
            lines.extend(_group(document, group))
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"
