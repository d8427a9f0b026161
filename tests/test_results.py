"""The results document model: structure, numbering, labels, and reading a workshop in a fixed
number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from pinboard import boards as board_ops
from pinboard import cards as card_ops
from pinboard import clusters as cluster_ops
from pinboard import stacks, voting
from pinboard.errors import NotFound
from pinboard.exports.workshop_json import load_vote_rounds
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
from tests.exports.metaplan import HEADLINES, HIDDEN_TEXT, STACKED, build_metaplan

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
    assert document.meta(Item("x", votes=3, author="Anna", on_paper=True)) == "3 Punkte, Anna, Papierkarte"
    assert document.notes(Item("x", votes=3, author="Anna", on_paper=True)) == "Anna, Papierkarte"
    assert labels_for("en").on_paper == "paper card" and labels_for("en").stacked == "also:"
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


def _with_stacks_and_votes(db, workshop, cards: int) -> list[int]:  # type: ignore[no-untyped-def]
    """Cards on the first two boards (alternately), four stacked onto the first, a closed round
    with a phone's dot and dots counted on the wall."""
    actor, _ = make_participant(db, workshop, name="Anna")
    boards = workshop.board_ids[:2]
    with db.write() as session:
        ids = [
            card_ops.create_card(
                session, actor, client_id=new_client_id(), board_id=boards[n % len(boards)], text=f"Karte {n}"
            ).data["id"]
            for n in range(cards)
        ]
        for card_id in ids[2:10:2][: cards // 2 - 1]:  # onto the first card: cards of its board
            stacks.stack_card(session, workshop.moderator, card_id=card_id, onto_card_id=ids[0])
        voting.open_vote(session, workshop.moderator, board_id=boards[0], budget=3, per_card_cap=3)
        voting.cast_vote(session, actor, card_id=ids[-2])
        voting.close_vote(session, workshop.moderator, board_id=boards[0])
        voting.record_wall_dots(session, workshop.moderator, card_id=ids[0], dots=4)
    return ids


def test_reading_a_workshop_takes_the_same_few_queries_whatever_its_size(db, count_queries) -> None:
    small = make_workshop(db, boards=[{"title": "Eins", "clusters": ["A"]}])
    large = make_workshop(db)
    _with_stacks_and_votes(db, small, 4)
    with db.write() as session:
        board_ops.create_board(session, large.moderator, title="Drei", clusters=["X", "Y", "Z"])
    _with_stacks_and_votes(db, large, 30)
    counts = []
    for workshop_id in (small.id, large.id):
        with count_queries() as counter, db.read() as session:
            data = load_workshop(session, workshop_id)
            document = build_document(data, authors=True)
            document.meta(Item("x"))
            load_vote_rounds(session, workshop_id)
        counts.append(counter.count)
    # Five tables, the tallies with the wall dots (2), and for the workshop file its rounds and dots (3).
    assert counts[0] == counts[1] == 5 + 2 + 3
    assert document.card_count == 30 - 4  # a stack is one item
    first = document.sections[0].groups[-1].items
    assert (first[0].text, first[0].stack_size, first[0].votes) == ("Karte 0", 5, 4)
    assert [item.text for item in first[0].stacked] == ["Karte 2", "Karte 4", "Karte 6", "Karte 8"]
    assert [item.votes for item in first[0].stacked] == [None] * 4  # the stack's dots count for its top
    assert [(item.text, item.votes) for item in first[-2:]] == [("Karte 26", 0), ("Karte 28", 1)]


def test_the_metaplan_methods_in_the_document_model(client, socket_client, app_db) -> None:
    built = build_metaplan(client, socket_client)
    with app_db.read() as session:
        document = results_document(session, built.id, authors=True)
    first, second = document.sections
    grundhaltung, dialog, unsorted = first.groups
    assert [group.headline for group in first.groups] == [*HEADLINES, ""]
    top, rollen = grundhaltung.items
    assert (top.text, top.color, top.votes, top.author, top.on_paper) == (
        "Leitsätze erstellen",
        "pink",
        5,
        "Anna",
        False,
    )
    assert [(s.text, s.author, s.on_paper, s.votes, s.stacked) for s in top.stacked] == [
        (STACKED[0], "Bernd", False, None, ()),
        (STACKED[1], "", True, None, ()),
    ]
    assert (rollen.votes, rollen.color, rollen.stacked) == (1, "green", ())
    transparenz, feedback = dialog.items
    assert (transparenz.votes, transparenz.on_paper, transparenz.color) == (
        6,
        True,
        "blue",
    )  # 1 + 5 on the wall
    assert (feedback.votes, feedback.on_paper) == (0, False)
    assert [(i.text, i.votes, i.on_paper) for i in unsorted.items] == [
        ("Mut haben, Dinge zu beenden", 0, True)
    ]
    assert first.card_count == 5  # items: the stack of three is one
    [hidden] = second.groups[0].items  # the moderator's record holds the hidden card
    assert (hidden.text, hidden.votes, hidden.color) == (HIDDEN_TEXT, None, "orange")
    assert document.meta(top.stacked[1]) == "Papierkarte"
    assert document.meta(transparenz) == "6 Punkte, Papierkarte"
