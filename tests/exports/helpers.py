"""Shared pieces of the export tests: fetching an export, and workshops with tricky text."""

from __future__ import annotations

import re
from typing import Any

from pinboard import cards as card_ops
from pinboard import clusters as cluster_ops
from pinboard.database import Database
from tests.conftest import WorkshopFixture, make_participant, make_workshop, new_client_id

# Text that means something in Markdown, HTML, Typst, CSV or a spreadsheet, and must come out
# exactly as typed (Markdown: as typed once rendered).
MARKUP_TEXTS = [
    "# heading",
    "*stars* and _underscores_",
    "<b>bold</b> & <i>more</i>",
    "| pipes | in | a row |",
    "<script>alert('x')</script>",
    "1. looks like a list",
    "- looks like a bullet",
    "> looks like a quote",
    "Akteur*innen und Bürger*innen",
    "`code` [link](https://example.org) ![image](x.png) ~~strike~~ $x^2$ \\backslash &amp; &#35;",
    "#let x = 1 #x @ref <label> = Typst heading",
    'Quotes "straight" and „German“ — “English”',
    "Zeile eins\n# Zeile zwei\n- Zeile drei",
    "===",
    'a; b, c "quoted" d',
    "Bürger/innen (hyper)lokal → „Auffinden“ – Akteur*innen: äöüÄÖÜß",
]
# The characters cards use that a font or an escaper could lose.
SPECIAL_CHARACTERS = "äöüÄÖÜß„“–→*/()"


def export_response(client: Any, workshop_id: str, key: str, fmt: str, **params: Any) -> Any:
    response = client.get(
        f"/api/workshops/{workshop_id}/export",
        query_string={"format": fmt, **params},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def make_markup_workshop(database: Database, *, language: str = "de") -> WorkshopFixture:
    """One board: a bullet cluster with every markup text, and a lettered one; authors named."""
    workshop = make_workshop(
        database,
        title="Workshop <b>#1</b> *fett* | „Test“",
        language=language,
        agenda=["# Begrüßung", "<i>Austausch</i>"],
        boards=[{"title": "Board | *eins*", "clusters": ["# Cluster <b>", "Buchstaben"]}],
    )
    actor, _ = make_participant(database, workshop, name="Anna <b>*</b>")
    with database.write() as session:
        cluster_ops.update_cluster(
            session, workshop.moderator, cluster_id=workshop.cluster_ids[0][1], list_style="letter"
        )
        for text in MARKUP_TEXTS:
            card_ops.create_card(
                session, actor, client_id=new_client_id(), board_id=workshop.board_ids[0], text=text
            )
    with database.write() as session:
        ids = [c.id for c in card_ops.ordering.cards_in(session, workshop.board_ids[0], None)]
        for card_id in ids:
            card_ops.move_card(
                session, workshop.moderator, card_id=card_id, cluster_id=workshop.cluster_ids[0][0]
            )
        card_ops.create_card(
            session, workshop.moderator, client_id=new_client_id(), board_id=workshop.board_ids[0],
            cluster_id=workshop.cluster_ids[0][1], text="Spende vs. Partnerschaft",
        )  # fmt: skip
    return workshop


def normalised(text: str) -> str:
    """Whitespace collapsed, for comparing text taken out of a PDF or a rendered page."""
    return re.sub(r"\s+", " ", text).strip()
