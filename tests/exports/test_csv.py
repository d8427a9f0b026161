"""CSV: one row per card in board order, UTF-8 with BOM, exact text (formulas defused)."""

from __future__ import annotations

import csv
import io

from tests.exports.duesseldorf import ALL_CARD_TEXTS, BOARD_1, BOARD_2, build_duesseldorf
from tests.exports.helpers import MARKUP_TEXTS, export_response, make_markup_workshop


def rows(content: bytes, delimiter: str) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def test_the_duesseldorf_cards_as_a_table(client, socket_client) -> None:
    built = build_duesseldorf(client, socket_client)
    response = export_response(client, built.id, built.moderator_key, "csv")
    assert response.content_type == "text/csv; charset=utf-8"
    table = rows(response.get_data(), ";")
    assert table[0] == [
        "Board",
        "Cluster",
        "Position",
        "Text",
        "Farbe",
        "Punkte",
        "Autor*in",
        "Erstellt (UTC)",
        "Überschrift",
        "Gestapelte Karten",
        "Papierkarte",
    ]
    body = table[1:]
    assert [row[3] for row in body] == ALL_CARD_TEXTS
    assert body[0][:3] == [BOARD_1, "Rahmenbedingungen und Grundhaltung", "1"]
    assert body[-1][:3] == [BOARD_2, "Einbezug von Wirtschaft und Investoren", "8"]
    assert {row[4] for row in body} == {"gelb"}
    assert {row[5] for row in body} == {""}  # no voting yet
    assert {row[6] for row in body} == {""}  # authors only on request
    assert all(row[7].endswith("Z") and row[7][:4].isdigit() for row in body)
    assert {tuple(row[8:]) for row in body} == {("", "", "")}  # no headlines, stacks or paper cards


def test_markup_is_exact_and_authors_on_request(app_db, client) -> None:
    workshop = make_markup_workshop(app_db, language="en")
    response = export_response(client, workshop.id, workshop.moderator_key, "csv", authors=1)
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="Cards_Workshop_b_1_b_fett_Test'
    )
    table = rows(response.get_data(), ",")
    assert table[0] == [
        "Board", "Cluster", "Position", "Text", "Colour", "Votes", "Author", "Created (UTC)",
        "Headline", "Stacked cards", "Paper card",
    ]  # fmt: skip
    texts = [row[3] for row in table[1:]]
    # Exact, except that a cell Excel would run as a formula gets an apostrophe in front.
    expected = ["'" + t if t.startswith(("-", "=", "+", "@")) else t for t in MARKUP_TEXTS]
    assert texts == [*expected, "Spende vs. Partnerschaft"]
    assert "'- looks like a bullet" in texts and "'===" in texts
    assert [row[6] for row in table[1:]] == ["Anna <b>*</b>"] * len(MARKUP_TEXTS) + [""]
    assert [row[2] for row in table[1:]] == [str(n) for n in range(1, len(MARKUP_TEXTS) + 1)] + ["1"]
    assert {row[1] for row in table[1:]} == {"# Cluster <b>", "Buchstaben"}
