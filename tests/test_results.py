"""The results document model: structure, numbering, labels, and reading a workshop in a fixed
number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from pinboard import boards as board_ops
from pinboard import cards as card_ops
from pinboard import clusters as cluster_ops
from pinboard.errors import NotFound
from pinboard.results import (
    LABELS,
    Item,
    build_document,
    labels_for,
    letter,
    list_marker,
    load_workshop,
    results_document,
)
from tests.conftest import make_participant, make_workshop, new_client_id

DE = LABELS["de"]
EN = LABELS["en"]
DAY = dt.date(2017, 6, 14)


@pytest.mark.parametrize(
    ("event", "day", "place", "german", "english"),
    [
        ("Die vernetzte Kommune", DAY, "Düsseldorf",
         "Im Rahmen der Veranstaltung „Die vernetzte Kommune“ am 14.06.2017 in Düsseldorf",
         "As part of the event “Die vernetzte Kommune” on 14 June 2017 in Düsseldorf"),
        ("Die vernetzte Kommune", None, "Düsseldorf",
         "Im Rahmen der Veranstaltung „Die vernetzte Kommune“ in Düsseldorf",
         "As part of the event “Die vernetzte Kommune” in Düsseldorf"),
        ("Die vernetzte Kommune", DAY, "",
         "Im Rahmen der Veranstaltung „Die vernetzte Kommune“ am 14.06.2017",
         "As part of the event “Die vernetzte Kommune” on 14 June 2017"),
        ("Die vernetzte Kommune", None, "",
         "Im Rahmen der Veranstaltung „Die vernetzte Kommune“",
         "As part of the event “Die vernetzte Kommune”"),
        ("", DAY, "Düsseldorf", "Am 14.06.2017 in Düsseldorf", "On 14 June 2017 in Düsseldorf"),
        ("", dt.date(2024, 3, 5), "", "Am 05.03.2024", "On 5 March 2024"),
        ("", None, "Düsseldorf", "In Düsseldorf", "In Düsseldorf"),
        ("", None, "", None, None),
    ],
)  # fmt: skip
def test_the_event_line_leaves_out_what_is_missing_without_dangling_words(
    event: str, day: dt.date | None, place: str, german: str | None, english: str | None
) -> None:
    assert DE.event_line(event, day, place) == german
    assert EN.event_line(event, day, place) == english


def test_letters_and_markers_count_like_the_projector() -> None:
    assert [letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "a", "b", "z", "aa", "ab", "az", "ba", "zz", "aaa",
    ]  # fmt: skip
    assert list_marker("bullet", 3) == ""
    assert list_marker("number", 0) == "1."
    assert list_marker("letter", 7) == "h."


def test_votes_authors_and_paper_appear_beside_a_card_only_when_set(db) -> None:
    workshop = make_workshop(db)
    with db.read() as session:
        document = results_document(session, workshop.id)
    assert document.meta(Item("x")) == ""
    assert document.meta(Item("x", votes=0)) == "0 Punkte"
    assert document.meta(Item("x", votes=1)) == "1 Punkt"
    assert document.meta(Item("x", votes=3, author="Anna", on_paper=True)) == "3 Punkte, Anna, auf Papier"
    assert labels_for("en").votes(1) == "1 dot" and labels_for("en").votes(2) == "2 dots"
    assert labels_for("fr") is DE


def test_sections_follow_the_board_with_numbered_clusters_unsorted_cards_and_empty_clusters(db) -> None:
    workshop = make_workshop(
        db,
        date=DAY,
        boards=[
            {"title": "Einstieg", "clusters": ["Rahmenbedingungen", "Leer"]},
            {"title": "Themen", "clusters": ["Grundhaltung", "Wirtschaft"], "numbered_clusters": True},
        ],
    )
    actor, _ = make_participant(db, workshop, name="Anna")
    b1, b2 = workshop.board_ids
    with db.write() as session:
        for text in ("zweite", "erste"):
            card_ops.create_card(session, actor, client_id=new_client_id(), board_id=b1, text=text)
        card_ops.create_card(
            session, workshop.moderator, client_id=new_client_id(), board_id=b2,
            cluster_id=workshop.cluster_ids[1][1], text="Spende vs. Partnerschaft",
        )  # fmt: skip
        cluster_ops.update_cluster(
            session, workshop.moderator, cluster_id=workshop.cluster_ids[1][1], list_style="letter"
        )
    with db.write() as session:
        cards = card_ops.ordering.cards_in(session, b1, None)
        card_ops.move_card(
            session, workshop.moderator, card_id=cards[1].id, cluster_id=workshop.cluster_ids[0][0]
        )
        card_ops.move_card(
            session, workshop.moderator, card_id=cards[0].id, cluster_id=workshop.cluster_ids[0][0]
        )
        card_ops.create_card(session, actor, client_id=new_client_id(), board_id=b1, text="liegt noch herum")
        gone = card_ops.create_card(session, actor, client_id=new_client_id(), board_id=b1, text="gelöscht")
        card_ops.delete_card(session, actor, card_id=gone.data["id"])
    with db.read() as session:
        document = results_document(session, workshop.id)

    assert document.document_type == "Ergebnisdokumentation"
    assert (
        document.event_line
        == "Im Rahmen der Veranstaltung „Die vernetzte Kommune“ am 14.06.2017 in Düsseldorf"
    )
    assert document.agenda is not None and document.agenda.heading == "1 Ablauf"
    assert document.agenda.items == ("Begrüßung", "Einstieg", "Austausch")
    assert [s.heading for s in document.sections] == ["2 Einstieg", "3 Themen"]
    first, second = document.sections
    assert [g.heading for g in first.groups] == ["Rahmenbedingungen", "Leer", "Nicht zugeordnet"]
    assert [i.text for i in first.groups[0].items] == ["erste", "zweite"]
    assert first.groups[1].items == ()
    assert first.groups[2].unsorted and [i.text for i in first.groups[2].items] == ["liegt noch herum"]
    assert [g.heading for g in second.groups] == ["3.1 Grundhaltung", "3.2 Wirtschaft"]
    assert [g.list_style for g in second.groups] == ["bullet", "letter"]
    assert document.pictures_heading == "4 Fotoprotokoll"
    assert all(item.author == "" for s in document.sections for g in s.groups for item in g.items)
    assert all(item.votes is None and item.stacked == () and not item.on_paper
               for s in document.sections for g in s.groups for item in g.items)  # fmt: skip

    with db.read() as session:
        named = results_document(session, workshop.id, authors=True)
    assert [i.author for i in named.sections[0].groups[0].items] == ["Anna", "Anna"]
    assert named.sections[1].groups[1].items[0].author == ""  # the moderator's card


def test_without_an_agenda_the_boards_are_numbered_from_one(db) -> None:
    workshop = make_workshop(db, agenda=[], event="", place="", boards=[{"title": "Einzige", "clusters": []}])
    with db.read() as session:
        document = results_document(session, workshop.id)
    assert document.agenda is None
    assert document.event_line is None
    assert [s.heading for s in document.sections] == ["1 Einzige"]
    assert document.sections[0].groups == ()
    assert document.pictures_heading == "2 Fotoprotokoll"


def test_an_english_workshop_has_english_labels(db) -> None:
    workshop = make_workshop(db, language="en", date=DAY)
    with db.read() as session:
        document = results_document(session, workshop.id)
    assert document.document_type == "Results"
    assert document.agenda is not None and document.agenda.heading == "1 Agenda"
    assert document.event_line == "As part of the event “Die vernetzte Kommune” on 14 June 2017 in Düsseldorf"
    assert document.pictures_heading == "4 Board pictures"


def test_a_deleted_cluster_is_gone_and_its_cards_are_unsorted(db) -> None:
    workshop = make_workshop(db)
    b1 = workshop.board_ids[0]
    with db.write() as session:
        card_ops.create_card(
            session, workshop.moderator, client_id=new_client_id(), board_id=b1,
            cluster_id=workshop.cluster_ids[0][1], text="bleibt",
        )  # fmt: skip
        cluster_ops.delete_cluster(session, workshop.moderator, cluster_id=workshop.cluster_ids[0][1])
    with db.read() as session:
        document = results_document(session, workshop.id)
    assert [g.heading for g in document.sections[0].groups] == ["Rahmenbedingungen", "Nicht zugeordnet"]
    assert document.sections[0].groups[1].items[0].text == "bleibt"


def test_an_unknown_workshop_is_not_found(db) -> None:
    with db.read() as session, pytest.raises(NotFound):
        load_workshop(session, "nope")


def test_reading_a_workshop_takes_the_same_few_queries_whatever_its_size(db, count_queries) -> None:
    small = make_workshop(db, boards=[{"title": "Eins", "clusters": ["A"]}])
    large = make_workshop(db)
    actor, _ = make_participant(db, large, name="Anna")
    with db.write() as session:
        board_ops.create_board(session, large.moderator, title="Drei", clusters=["X", "Y", "Z"])
        for n in range(30):
            board_id = large.board_ids[n % 2]
            card_ops.create_card(
                session, actor, client_id=new_client_id(), board_id=board_id, text=f"Karte {n}"
            )
    counts = []
    for workshop_id in (small.id, large.id):
        with count_queries() as counter, db.read() as session:
            document = build_document(load_workshop(session, workshop_id), authors=True)
            document.meta(Item("x"))
        counts.append(counter.count)
    assert counts[0] == counts[1] <= 6  # the sixth: dot voting tallies
    assert document.card_count == 30
