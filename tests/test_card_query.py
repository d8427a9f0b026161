"""The Metaplan methods in the domain: the hidden card query (hiding, revealing, done signals),
colours chosen by participants where the board allows, and cluster headlines."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from pinboard import boards, card_query, cards, clusters
from pinboard.actors import Actor
from pinboard.database import Database
from pinboard.errors import Forbidden, Invalid, Locked, NotFound
from pinboard.models import Card, DoneSignal, Workshop
from pinboard.snapshots import build_snapshot
from tests.conftest import WorkshopFixture, make_participant, make_workshop, new_client_id


@pytest.fixture
def anna(db: Database, workshop: WorkshopFixture) -> Actor:
    return make_participant(db, workshop, "Anna")[0]


@pytest.fixture
def ben(db: Database, workshop: WorkshopFixture) -> Actor:
    return make_participant(db, workshop, "Ben")[0]


def run(db: Database, operation: Any, actor: Actor, **kwargs: Any) -> Any:
    with db.write() as s:
        return operation(s, actor, **kwargs)


def post(db: Database, actor: Actor, board_id: int, text: str = "Idee", **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("client_id", new_client_id())
    return run(db, cards.create_card, actor, board_id=board_id, text=text, **kwargs).data  # type: ignore[no-any-return]


def hide(db: Database, workshop: WorkshopFixture, board_id: int, hidden: bool = True) -> Any:
    return run(db, boards.update_board, workshop.moderator, board_id=board_id, hidden=hidden)


def stored(db: Database, card_id: int) -> Card:
    with db.read() as s:
        return s.get_one(Card, card_id)


def last_seq(db: Database, workshop_id: str) -> int:
    with db.read() as s:
        return s.get_one(Workshop, workshop_id).last_seq


def snapshot_cards(db: Database, actor: Actor, board_index: int = 0) -> list[dict[str, Any]]:
    with db.read() as s:
        board = build_snapshot(s, actor)["boards"][board_index]
    return [card for cluster in board["clusters"] for card in cluster["cards"]] + board["unsorted"]


# ---- hiding ------------------------------------------------------------------------------


def test_new_cards_on_a_hidden_board_are_hidden_and_earlier_ones_stay_visible(
    db: Database, workshop: WorkshopFixture, anna: Actor
) -> None:
    board = workshop.board_ids[0]
    before = post(db, anna, board, "vorher")
    outcome = hide(db, workshop, board)
    assert outcome.data["settings"]["hidden"] is True
    assert [e.type for e in outcome.events] == ["board.updated"]
    during = post(db, anna, board, "verdeckt")
    by_moderator = post(db, workshop.moderator, board, "auch verdeckt", cluster_id=workshop.cluster_ids[0][0])
    elsewhere = post(db, anna, workshop.board_ids[1], "anderes Board")
    assert [before["hidden"], during["hidden"], by_moderator["hidden"], elsewhere["hidden"]] == [
        False,
        True,
        True,
        False,
    ]
    assert during["text"] == "verdeckt"  # the author's ack has the whole card
    assert stored(db, during["id"]).hidden is True

    hide(db, workshop, board, False)  # later cards are visible again; the hidden ones wait for a reveal
    after = post(db, anna, board, "nachher")
    assert after["hidden"] is False
    assert stored(db, during["id"]).hidden is True


def test_snapshots_show_hidden_cards_to_their_author_and_the_moderator_only(
    db: Database, workshop: WorkshopFixture, anna: Actor, ben: Actor
) -> None:
    board = workshop.board_ids[0]
    hide(db, workshop, board)
    annas = post(db, anna, board, "Annas Geheimnis", color=None)
    moderators = post(db, workshop.moderator, board, "Moderationskarte", color="pink")
    for viewer, visible in [
        (workshop.moderator, {annas["id"], moderators["id"]}),
        (anna, {annas["id"]}),
        (ben, set()),
        (workshop.projector, set()),
    ]:
        seen = {card["id"]: card for card in snapshot_cards(db, viewer)}
        assert set(seen) == {annas["id"], moderators["id"]}  # everyone knows the cards are there
        for card_id, card in seen.items():
            assert card["hidden"] is True
            if card_id in visible:
                assert card["text"] in ("Annas Geheimnis", "Moderationskarte")
            else:
                assert (
                    card["text"],
                    card["color"],
                    card["author_id"],
                    card["author_name"],
                    card["client_id"],
                ) == (
                    "",
                    None,
                    None,
                    "",
                    None,
                )


def test_moving_and_deleting_a_hidden_card_keeps_it_hidden(
    db: Database, workshop: WorkshopFixture, anna: Actor
) -> None:
    board = workshop.board_ids[0]
    hide(db, workshop, board)
    card = post(db, anna, board, "wandert")
    run(db, cards.move_card, workshop.moderator, card_id=card["id"], cluster_id=workshop.cluster_ids[1][0])
    assert stored(db, card["id"]).hidden is True
    edited = run(db, cards.update_card, anna, card_id=card["id"], text="gewandert").data
    assert (edited["text"], edited["hidden"]) == ("gewandert", True)


# ---- revealing ---------------------------------------------------------------------------


def test_reveal_all_reveals_every_hidden_card_of_the_board_in_one_event(
    db: Database, workshop: WorkshopFixture, anna: Actor, ben: Actor
) -> None:
    board, other_board = workshop.board_ids
    visible = post(db, anna, board, "offen")
    hide(db, workshop, board)
    hide(db, workshop, other_board)
    first = post(db, anna, board, "eins")
    second = post(db, ben, board, "zwei")
    run(db, cards.move_card, workshop.moderator, card_id=second["id"], cluster_id=workshop.cluster_ids[0][1])
    deleted = post(db, ben, board, "gelöscht")
    run(db, cards.delete_card, ben, card_id=deleted["id"])
    elsewhere = post(db, anna, other_board, "bleibt verdeckt")

    outcome = run(db, card_query.reveal_cards, workshop.moderator, board_id=board)

    assert outcome.data["board_id"] == board
    assert [(c["id"], c["text"], c["hidden"], c["author_name"]) for c in outcome.data["cards"]] == [
        (first["id"], "eins", False, "Anna"),
        (second["id"], "zwei", False, "Ben"),
    ]
    [event] = outcome.events
    assert (event.type, event.data, event.actor) == ("cards.revealed", outcome.data, "moderator")
    assert [stored(db, c["id"]).hidden for c in (visible, first, second, elsewhere)] == [
        False,
        False,
        False,
        True,
    ]
    texts = {c["text"] for c in snapshot_cards(db, workshop.projector)}
    assert texts == {"offen", "eins", "zwei"}
    # The board still runs the query: the next card is hidden again.
    assert post(db, anna, board, "noch eine")["hidden"] is True


def test_revealing_when_nothing_is_hidden_records_nothing(
    db: Database, workshop: WorkshopFixture, anna: Actor
) -> None:
    post(db, anna, workshop.board_ids[0], "offen")
    seq = last_seq(db, workshop.id)
    outcome = run(db, card_query.reveal_cards, workshop.moderator, board_id=workshop.board_ids[0])
    assert (outcome.data, outcome.events, outcome.seq) == (
        {"board_id": workshop.board_ids[0], "cards": []},
        [],
        None,
    )
    assert last_seq(db, workshop.id) == seq


def test_reveal_one_by_one(db: Database, workshop: WorkshopFixture, anna: Actor) -> None:
    board = workshop.board_ids[0]
    visible = post(db, anna, board, "offen")
    hide(db, workshop, board)
    one, two, three = (post(db, anna, board, text) for text in ("eins", "zwei", "drei"))
    outcome = run(
        db,
        card_query.reveal_cards,
        workshop.moderator,
        board_id=board,
        card_ids=[two["id"], visible["id"], two["id"]],
    )
    assert [c["id"] for c in outcome.data["cards"]] == [two["id"]]  # the visible one and the repeat: nothing
    assert [stored(db, c["id"]).hidden for c in (one, two, three)] == [True, False, True]
    again = run(db, card_query.reveal_cards, workshop.moderator, board_id=board, card_ids=[two["id"]])
    assert again.events == []
    rest = run(db, card_query.reveal_cards, workshop.moderator, board_id=board)
    assert [c["id"] for c in rest.data["cards"]] == [one["id"], three["id"]]


def test_reveal_refuses_cards_of_another_board_or_workshop_and_changes_nothing(
    db: Database, workshop: WorkshopFixture, anna: Actor
) -> None:
    board, other_board = workshop.board_ids
    hide(db, workshop, board)
    hide(db, workshop, other_board)
    here = post(db, anna, board, "hier")
    there = post(db, anna, other_board, "dort")
    other = make_workshop(db)
    foreign = post(db, other.moderator, other.board_ids[0], "fremd")
    seq = last_seq(db, workshop.id)
    with pytest.raises(Invalid) as error:
        run(
            db,
            card_query.reveal_cards,
            workshop.moderator,
            board_id=board,
            card_ids=[here["id"], there["id"]],
        )
    assert "card_ids" in (error.value.fields or {})
    for card_ids in ([foreign["id"]], [2**31 - 1]):
        with pytest.raises(NotFound):
            run(db, card_query.reveal_cards, workshop.moderator, board_id=board, card_ids=card_ids)
    with pytest.raises(NotFound):
        run(db, card_query.reveal_cards, workshop.moderator, board_id=other.board_ids[0])
    assert stored(db, here["id"]).hidden is True
    assert last_seq(db, workshop.id) == seq


@pytest.mark.parametrize("role", ["participant", "projector"])
def test_only_the_moderator_reveals(db: Database, workshop: WorkshopFixture, anna: Actor, role: str) -> None:
    hide(db, workshop, workshop.board_ids[0])
    card = post(db, anna, workshop.board_ids[0], "meins")
    actor = anna if role == "participant" else workshop.projector
    with pytest.raises(Forbidden):
        run(db, card_query.reveal_cards, actor, board_id=workshop.board_ids[0])
    with pytest.raises(Forbidden):
        run(db, card_query.reveal_cards, actor, board_id=workshop.board_ids[0], card_ids=[card["id"]])
    assert stored(db, card["id"]).hidden is True


# ---- done signals ------------------------------------------------------------------------


def done(db: Database, actor: Actor, board_id: int, value: bool = True) -> Any:
    return run(db, card_query.signal_done, actor, board_id=board_id, done=value)


def test_done_signals_count_per_board_and_say_how_many_not_who(
    db: Database, workshop: WorkshopFixture, anna: Actor, ben: Actor
) -> None:
    board, other_board = workshop.board_ids
    first = done(db, anna, board)
    assert first.data == {"board_id": board, "done": True, "done_count": 1}
    [event] = first.events
    assert (event.type, event.data) == ("participant.done", {"board_id": board, "done_count": 1})
    assert event.actor == anna.label  # the log knows; the event's data does not say
    assert done(db, ben, board).data["done_count"] == 2
    assert done(db, ben, other_board).data["done_count"] == 1
    undone = done(db, anna, board, False)
    assert undone.data == {"board_id": board, "done": False, "done_count": 1}
    assert undone.events[0].data == {"board_id": board, "done_count": 1}
    with db.read() as s:
        assert card_query.done_state(s, [board, other_board], ben.participant_id) == {
            board: (1, True),
            other_board: (1, True),
        }
        assert card_query.done_state(s, [board, other_board], anna.participant_id) == {
            board: (1, False),
            other_board: (1, False),
        }
        assert card_query.done_state(s, [], None) == {}


def test_saying_done_twice_changes_nothing(db: Database, workshop: WorkshopFixture, anna: Actor) -> None:
    board = workshop.board_ids[0]
    assert done(db, anna, board, False).events == []  # not done yet: nothing to take back
    done(db, anna, board)
    seq = last_seq(db, workshop.id)
    again = done(db, anna, board)
    assert (again.data, again.events, again.seq) == (
        {"board_id": board, "done": True, "done_count": 1},
        [],
        None,
    )
    assert last_seq(db, workshop.id) == seq
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(DoneSignal)) == 1


def test_only_participants_say_they_are_done(db: Database, workshop: WorkshopFixture) -> None:
    for actor in (workshop.moderator, workshop.projector):
        with pytest.raises(Forbidden):
            done(db, actor, workshop.board_ids[0])
    assert last_seq(db, workshop.id) == 0


def test_done_on_another_workshops_board_is_not_found(
    db: Database, workshop: WorkshopFixture, anna: Actor
) -> None:
    other = make_workshop(db)
    with pytest.raises(NotFound):
        done(db, anna, other.board_ids[0])
    with pytest.raises(NotFound):
        done(db, anna, 2**31 - 1)


def test_done_works_on_a_locked_board(db: Database, workshop: WorkshopFixture, anna: Actor) -> None:
    # Locking stops changes to cards; saying "done" is not one.
    run(db, boards.update_board, workshop.moderator, board_id=workshop.board_ids[0], locked=True)
    assert done(db, anna, workshop.board_ids[0]).data["done_count"] == 1


def test_starting_a_new_hidden_round_clears_the_done_signals(
    db: Database, workshop: WorkshopFixture, anna: Actor, ben: Actor
) -> None:
    board, other_board = workshop.board_ids
    done(db, anna, board)
    done(db, ben, other_board)
    outcome = hide(db, workshop, board)
    assert [(e.type, e.data) for e in outcome.events][1:] == [
        ("participant.done", {"board_id": board, "done_count": 0})
    ]
    assert [e.seq for e in outcome.events] == [last_seq(db, workshop.id) - 1, last_seq(db, workshop.id)]
    with db.read() as s:
        assert card_query.done_state(s, [board, other_board], None) == {other_board: (1, False)}
    done(db, anna, board)
    # Already hidden: changing other settings, or hiding again, starts no new round.
    again = hide(db, workshop, board)
    assert [e.type for e in again.events] == ["board.updated"]
    assert [e.type for e in hide(db, workshop, board, False).events] == ["board.updated"]
    with db.read() as s:
        assert card_query.done_state(s, [board], None) == {board: (1, False)}
    # Off and on again: a new round, which clears them.
    assert [e.type for e in hide(db, workshop, board).events] == ["board.updated", "participant.done"]


def test_snapshot_has_the_done_count_and_whether_you_are_done(
    db: Database, workshop: WorkshopFixture, anna: Actor, ben: Actor
) -> None:
    done(db, anna, workshop.board_ids[0])
    with db.read() as s:
        for viewer, mine in [
            (anna, True),
            (ben, False),
            (workshop.moderator, False),
            (workshop.projector, False),
        ]:
            first, second = build_snapshot(s, viewer)["boards"]
            assert (first["done_count"], first["done"]) == (1, mine)
            assert (second["done_count"], second["done"]) == (0, False)


# ---- colours -----------------------------------------------------------------------------


def test_participants_choose_colours_only_where_the_board_allows(
    db: Database, workshop: WorkshopFixture, anna: Actor
) -> None:
    board = workshop.board_ids[0]
    card = post(db, anna, board, "gelb")
    assert card["color"] == "yellow"
    with pytest.raises(Forbidden, match="colours"):
        post(db, anna, board, "grün", color="green")
    with pytest.raises(Forbidden):
        run(db, cards.update_card, anna, card_id=card["id"], color="blue")
    with pytest.raises(Forbidden):
        run(db, cards.update_card, anna, card_id=card["id"], text="neu", color="blue")
    assert (stored(db, card["id"]).text, stored(db, card["id"]).color) == ("gelb", "yellow")
    # The text alone, they still edit; the moderator changes any card's colour.
    assert run(db, cards.update_card, anna, card_id=card["id"], text="neu").data["color"] == "yellow"
    assert (
        run(db, cards.update_card, workshop.moderator, card_id=card["id"], color="pink").data["color"]
        == "pink"
    )

    allowed = run(db, boards.update_board, workshop.moderator, board_id=board, participants_choose_color=True)
    assert allowed.data["settings"]["participants_choose_color"] is True
    assert post(db, anna, board, "grün", color="green")["color"] == "green"
    assert run(db, cards.update_card, anna, card_id=card["id"], color="blue").data["color"] == "blue"


def test_a_locked_board_says_locked_before_it_says_forbidden(
    db: Database, workshop: WorkshopFixture, anna: Actor
) -> None:
    board = workshop.board_ids[0]
    card = post(db, anna, board, "gelb")
    run(db, boards.update_board, workshop.moderator, board_id=board, locked=True)
    with pytest.raises(Locked):
        run(db, cards.update_card, anna, card_id=card["id"], color="blue")


def test_a_resent_card_with_a_colour_is_still_the_same_card(
    db: Database, workshop: WorkshopFixture, anna: Actor
) -> None:
    client_id = new_client_id()
    first = post(db, anna, workshop.board_ids[0], "einmal", client_id=client_id)
    assert post(db, anna, workshop.board_ids[0], "einmal", client_id=client_id, color="blue") == first


def test_new_boards_take_the_method_settings(db: Database, workshop: WorkshopFixture) -> None:
    outcome = run(
        db, boards.create_board, workshop.moderator, title="Abfrage", clusters=[], hidden=True,
        participants_choose_color=True,
    )  # fmt: skip
    assert outcome.data["settings"]["hidden"] is True
    assert outcome.data["settings"]["participants_choose_color"] is True
    with pytest.raises(Invalid):
        run(db, boards.update_board, workshop.moderator, board_id=outcome.data["id"], votes=3)


# ---- headlines ---------------------------------------------------------------------------


def test_the_moderator_sets_and_clears_a_cluster_headline(
    db: Database, workshop: WorkshopFixture, anna: Actor
) -> None:
    cluster_id = workshop.cluster_ids[0][1]
    outcome = run(
        db, clusters.update_cluster, workshop.moderator, cluster_id=cluster_id, headline="Tempo vs. Teilhabe"
    )
    assert (outcome.data["name"], outcome.data["headline"]) == ("Spannungsfelder", "Tempo vs. Teilhabe")
    [event] = outcome.events
    assert (event.type, event.data) == ("cluster.updated", {"cluster": outcome.data})
    with db.read() as s:
        cluster = build_snapshot(s, workshop.projector)["boards"][0]["clusters"][1]
    assert cluster["headline"] == "Tempo vs. Teilhabe"
    cleared = run(db, clusters.update_cluster, workshop.moderator, cluster_id=cluster_id, headline="")
    assert cleared.data["headline"] == ""
    for actor in (anna, workshop.projector):
        with pytest.raises(Forbidden):
            run(db, clusters.update_cluster, actor, cluster_id=cluster_id, headline="Meins")


def test_a_new_cluster_has_no_headline(db: Database, workshop: WorkshopFixture) -> None:
    outcome = run(db, clusters.create_cluster, workshop.moderator, board_id=workshop.board_ids[0], name="Neu")
    assert outcome.data["headline"] == ""


# ---- headlines in the results document ------------------------------------------------------


def test_a_headline_prints_under_its_cluster_heading_in_every_results_format(
    db: Database, workshop: WorkshopFixture, anna: Actor
) -> None:
    import io

    import docx
    from pypdf import PdfReader

    from pinboard.exports.docx import render_docx
    from pinboard.exports.html import render_html
    from pinboard.exports.markdown import render_markdown
    from pinboard.exports.pdf import render_pdf
    from pinboard.results import results_document

    board = workshop.board_ids[0]
    tension = workshop.cluster_ids[0][1]
    card = post(db, anna, board, "Tempo der Verwaltung")
    run(db, cards.move_card, workshop.moderator, card_id=card["id"], cluster_id=tension)
    run(
        db,
        clusters.update_cluster,
        workshop.moderator,
        cluster_id=tension,
        headline="Zwischen *Tempo* & Teilhabe",
    )
    with db.read() as s:
        document = results_document(s, workshop.id)
    groups = document.sections[0].groups
    assert [(g.name, g.headline) for g in groups] == [
        ("Rahmenbedingungen", ""),
        ("Spannungsfelder", "Zwischen *Tempo* & Teilhabe"),
    ]

    markdown = render_markdown(document)
    assert "### Spannungsfelder\n\n**Zwischen \\*Tempo\\* & Teilhabe**\n\n- Tempo der Verwaltung" in markdown
    assert markdown.count("**") == 2  # the cluster without a headline gets none
    html = render_html(document, pictures=False)
    assert '<h3>Spannungsfelder</h3>\n<p class="headline">Zwischen *Tempo* &amp; Teilhabe</p>' in html
    word = [
        (p.style.name, p.text) for p in docx.Document(io.BytesIO(render_docx(document))).paragraphs if p.text
    ]
    at = word.index(("Heading 2", "Spannungsfelder"))
    assert word[at + 1 : at + 3] == [
        ("Headline", "Zwischen *Tempo* & Teilhabe"),
        ("List Bullet", "Tempo der Verwaltung"),
    ]
    pdf = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(document, pictures=False))).pages
    )
    assert (
        pdf.index("Spannungsfelder")
        < pdf.index("Zwischen *Tempo* & Teilhabe")
        < pdf.index("Tempo der Verwaltung")
    )
