"""The Metaplan methods over the Socket.IO protocol (Flask-SocketIO's test client): the hidden
card query's projection (a hidden card's text reaches its author and the moderator, never
another participant or the projector: not in events, snapshots, `sync` or GET /api/workshops),
revealing, done signals, colours and headlines, with every new error."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from pinboard.credentials import derive_secret
from pinboard.database import Database
from pinboard.workshops import ASSISTANT
from tests.conftest import new_client_id
from tests.replica import Replica, shape_of
from tests.test_realtime import (
    Room,
    assert_failed,
    build_room,
    events,
    moderator_auth,
    participant_auth,
    projector_auth,
    sync_snapshot,
)


@pytest.fixture
def room(app_db: Database, socket_client: Callable[..., Any]) -> Room:
    return build_room(app_db, socket_client)


SECRET = "Geheim: Die Verwaltung hört nicht zu"
SECRET_EDIT = "Geheim, überarbeitet: Niemand fragt uns"
SECRET_BY_MODERATOR = "Geheim, vom Moderator korrigiert: Niemand fragt uns"


def new_card(room: Room, **fields: Any) -> dict[str, Any]:
    return {"client_id": new_client_id(), "board_id": room.b0, "text": "Offene Karte", **fields}


def ok(test_client: Any, event: str, payload: dict[str, Any]) -> dict[str, Any]:
    ack = test_client.emit(event, payload, callback=True)
    assert ack["ok"] is True, (event, payload, ack)
    return ack  # type: ignore[no-any-return]


def hide_board(room: Room, hidden: bool = True) -> None:
    ok(room.clients["moderator"], "board:update", {"board_id": room.b0, "hidden": hidden})
    room.received()


def post_hidden(
    room: Room, text: str = SECRET, sender: str = "anna", test_client: Any = None
) -> dict[str, Any]:
    ack = ok(test_client or room.clients[sender], "card:create", new_card(room, text=text))
    assert ack["data"]["hidden"] is True and ack["data"]["text"] == text  # the author's ack: whole
    return ack


def snapshot_over_http(client: Any, room: Room, secret: str) -> dict[str, Any]:
    response = client.get(f"/api/workshops/{room.w.id}", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    return response.get_json()  # type: ignore[no-any-return]


def all_cards(snapshot: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {card["id"]: card for card in Replica(snapshot).cards()}


def blank(card: dict[str, Any]) -> tuple[Any, ...]:
    return (
        card["text"],
        card["color"],
        card["author_id"],
        card["author_name"],
        card["client_id"],
        card["hidden"],
    )


BLANK = ("", None, None, "", None, True)


# ---- live events ---------------------------------------------------------------------------


def test_a_hidden_card_reaches_the_moderator_whole_and_everyone_else_as_a_placeholder(room: Room) -> None:
    hide_board(room)
    ack = post_hidden(room)
    card = ack["data"]

    received = room.received()
    assert {name: [m["seq"] for m in messages] for name, messages in received.items()} == {
        name: [ack["seq"]] * (2 if name == "anna" else 1) for name in room.clients
    }  # one event each, with the same seq; the author's connection gets two
    [full] = received["moderator"]
    assert full == {"seq": ack["seq"], "type": "card.created", "data": {"card": card, "index": 2}}
    placeholder = {**card, "text": "", "color": None, "author_id": None, "author_name": "", "client_id": None}
    public = {**full, "data": {"card": placeholder, "index": 2}}
    for name in ("ben", "projector"):
        assert received[name] == [public], name
    # The author's connections get the whole card first, then the placeholder with the same seq,
    # which they drop as a duplicate.
    assert received["anna"] == [full, public]
    assert events(room.outsider) == []
    for name in ("ben", "projector"):
        assert SECRET not in json.dumps(received[name], ensure_ascii=False)


def test_edits_recolouring_and_moves_of_a_hidden_card_stay_projected(room: Room) -> None:
    hide_board(room)
    card_id = post_hidden(room)["data"]["id"]
    room.received()
    moderator, anna = room.clients["moderator"], room.clients["anna"]
    replica = Replica(sync_snapshot(anna))  # Anna's phone, before the changes
    edited = ok(anna, "card:update", {"card_id": card_id, "text": SECRET_EDIT})
    assert edited["data"]["text"] == SECRET_EDIT
    ok(moderator, "card:update", {"card_id": card_id, "color": "pink"})
    ok(moderator, "card:update", {"card_id": card_id, "text": SECRET_BY_MODERATOR})
    ok(moderator, "card:move", {"card_id": card_id, "cluster_id": room.c01, "index": 0})

    received = room.received()
    whole = received["moderator"]
    assert [m["type"] for m in whole] == ["card.updated", "card.updated", "card.updated", "card.moved"]
    assert whole[0]["data"]["card"]["text"] == SECRET_EDIT
    assert whole[1]["data"]["card"]["color"] == "pink"
    assert whole[2]["data"]["card"]["text"] == SECRET_BY_MODERATOR
    for name in ("ben", "projector"):
        updates, move = received[name][:3], received[name][3]
        assert [m["seq"] for m in received[name]] == [m["seq"] for m in whole]
        assert [blank(m["data"]["card"]) for m in updates] == [BLANK, BLANK, BLANK], name
        assert move == whole[3]  # a move says where, not what: everyone gets it
        assert "Geheim" not in json.dumps(received[name], ensure_ascii=False)
        assert "pink" not in json.dumps(received[name])
    # Anna gets every change of her card whole, the moderator's too, each followed by the
    # placeholder with the same seq; applied in seq order, her replica has the moderator's text.
    assert [m["seq"] for m in received["anna"]] == [seq for m in whole for seq in [m["seq"]] * 2][:-1]
    assert received["anna"][0::2] == whole
    assert [blank(m["data"]["card"]) for m in received["anna"][1::2]] == [BLANK, BLANK, BLANK]
    applied = [replica.apply(m) for m in received["anna"]]
    assert applied == [True, False, True, False, True, False, True]
    card = next(c for c in replica.cards() if c["id"] == card_id)
    assert (card["text"], card["color"], card["hidden"]) == (SECRET_BY_MODERATOR, "pink", True)
    assert replica.shape() == Replica(sync_snapshot(anna)).shape()


def test_every_connection_of_the_author_gets_the_moderators_edit(room: Room) -> None:
    second_phone = room.connect(participant_auth(room.w, room.anna_token))
    hide_board(room)
    second_phone.get_received()
    card_id = post_hidden(room)["data"]["id"]
    room.received(), second_phone.get_received()
    ok(room.clients["moderator"], "card:update", {"card_id": card_id, "text": SECRET_BY_MODERATOR})
    for anna in (room.clients["anna"], second_phone):
        assert [m["data"]["card"]["text"] for m in events(anna)] == [SECRET_BY_MODERATOR, ""]
    assert [m["data"]["card"]["text"] for m in events(room.clients["ben"])] == [""]


def test_a_card_an_assistant_typed_in_goes_whole_to_every_assistant(room: Room) -> None:
    """An assistant's hidden card may be read by the assistants (pinboard/visibility.py): all
    their connections get it whole, nobody else but the moderator."""
    auth = {"workshop": room.w.id, "assistant_key": derive_secret(room.w.moderator_key, ASSISTANT)}
    typist, colleague = room.connect(auth), room.connect(auth)
    hide_board(room)
    typist.get_received(), colleague.get_received()
    card_id = post_hidden(room, sender="typist", test_client=typist)["data"]["id"]
    ok(room.clients["moderator"], "card:update", {"card_id": card_id, "text": SECRET_BY_MODERATOR})
    for assistant in (typist, colleague):
        texts = [m["data"]["card"]["text"] for m in events(assistant)]
        assert texts == [SECRET, "", SECRET_BY_MODERATOR, ""]
    for name in ("anna", "ben", "projector"):
        assert "Geheim" not in json.dumps(events(room.clients[name]), ensure_ascii=False), name


def test_several_moderator_tabs_all_get_the_whole_card(room: Room) -> None:
    second_tab = room.connect(moderator_auth(room.w))
    second_projector = room.connect(projector_auth(room.w))
    hide_board(room)
    second_tab.get_received(), second_projector.get_received()
    post_hidden(room)
    assert [m["data"]["card"]["text"] for m in events(second_tab)] == [SECRET]
    assert [m["data"]["card"]["text"] for m in events(second_projector)] == [""]


# ---- snapshots, sync and HTTP ----------------------------------------------------------------


def test_snapshots_over_the_socket_and_http_project_for_each_viewer(room: Room, client: Any) -> None:
    hide_board(room)
    annas = post_hidden(room)["data"]["id"]
    bens = post_hidden(room, "Bens verdeckte Karte", sender="ben")["data"]["id"]
    moderators = post_hidden(room, "Karte der Moderation", sender="moderator")["data"]["id"]
    expect_text = {
        "moderator": {annas: SECRET, bens: "Bens verdeckte Karte", moderators: "Karte der Moderation"},
        "anna": {annas: SECRET},
        "ben": {bens: "Bens verdeckte Karte"},
        "projector": {},
    }
    secrets = {
        "moderator": room.w.moderator_key,
        "projector": room.w.projector_key,
        "anna": room.anna_token,
        "ben": room.ben_token,
    }
    for name, test_client in room.clients.items():
        for snapshot in (sync_snapshot(test_client), snapshot_over_http(client, room, secrets[name])):
            cards = all_cards(snapshot)
            for card_id in (annas, bens, moderators):
                card = cards[card_id]
                assert card["hidden"] is True
                if card_id in expect_text[name]:
                    assert card["text"] == expect_text[name][card_id], name
                else:
                    assert blank(card) == BLANK, name
            assert cards[room.anna_card]["text"] == "Augenhöhe herstellen"  # from before the query
    for name in ("ben", "projector"):
        assert SECRET not in json.dumps(sync_snapshot(room.clients[name]), ensure_ascii=False)
        assert SECRET not in json.dumps(snapshot_over_http(client, room, secrets[name]), ensure_ascii=False)


def test_sync_since_projects_the_event_log_for_each_viewer(room: Room) -> None:
    start = room.seq()
    hide_board(room)
    card_id = post_hidden(room)["data"]["id"]
    ok(room.clients["anna"], "card:update", {"card_id": card_id, "text": SECRET_EDIT})
    room.received()
    texts = {}
    for name, test_client in room.clients.items():
        ack = ok(test_client, "sync", {"since": start})
        messages = ack["data"]["events"]
        assert [m["type"] for m in messages] == ["board.updated", "card.created", "card.updated"]
        texts[name] = [m["data"]["card"]["text"] for m in messages[1:]]
        raw = json.dumps(ack, ensure_ascii=False)
        assert ("Geheim" in raw) is (name in ("moderator", "anna")), name
    assert texts == {
        "moderator": [SECRET, SECRET_EDIT],
        "anna": [SECRET, SECRET_EDIT],
        "ben": ["", ""],
        "projector": ["", ""],
    }


def test_live_placeholders_and_the_projected_snapshot_agree(room: Room) -> None:
    """A screen that keeps its replica from the live placeholders holds exactly what its own
    projected snapshot says, before and after a card is revealed."""
    hide_board(room)
    replicas = {name: Replica(sync_snapshot(room.clients[name])) for name in ("projector", "ben")}
    first = post_hidden(room)["data"]["id"]
    post_hidden(room, "Noch eine verdeckte Karte")
    moderator = room.clients["moderator"]
    ok(moderator, "card:move", {"card_id": first, "cluster_id": room.c00, "index": 0})
    ok(moderator, "cluster:update", {"cluster_id": room.c00, "headline": "Überschrift"})
    ok(moderator, "cards:reveal", {"board_id": room.b0, "card_ids": [first]})
    ok(room.clients["ben"], "participant:done", {"board_id": room.b0, "done": True})
    received = room.received()
    for name, replica in replicas.items():
        for message in received[name]:
            assert replica.apply(message)
        assert replica.shape() == shape_of(sync_snapshot(room.clients[name])), name
    by_id = {c["id"]: c for c in replicas["projector"].cards()}
    assert (by_id[first]["text"], by_id[first]["hidden"]) == (SECRET, False)


# ---- revealing -------------------------------------------------------------------------------


def test_reveal_all_sends_everyone_the_whole_cards(room: Room, client: Any) -> None:
    hide_board(room)
    first = post_hidden(room)["data"]
    second = post_hidden(room, "Zweite verdeckte Karte", sender="ben")["data"]
    room.received()

    ack = ok(room.clients["moderator"], "cards:reveal", {"board_id": room.b0})

    revealed = [{**first, "hidden": False}, {**second, "hidden": False}]
    assert ack["data"] == {"board_id": room.b0, "cards": revealed}
    received = room.received()
    assert received == {
        name: [{"seq": ack["seq"], "type": "cards.revealed", "data": ack["data"]}] for name in room.clients
    }
    for secret in (room.w.projector_key, room.ben_token):
        cards = all_cards(snapshot_over_http(client, room, secret))
        assert (cards[first["id"]]["text"], cards[first["id"]]["hidden"]) == (SECRET, False)
        assert cards[second["id"]]["author_name"] == "Ben"
    # Nothing left to reveal: an ack without a seq, and no event.
    again = ok(room.clients["moderator"], "cards:reveal", {"board_id": room.b0})
    assert again == {"ok": True, "data": {"board_id": room.b0, "cards": []}, "seq": None}
    room.assert_nothing_broadcast()
    # The board still runs the query: the next card is hidden again.
    assert post_hidden(room, "Später")["data"]["hidden"] is True


def test_reveal_one_by_one(room: Room) -> None:
    hide_board(room)
    first = post_hidden(room)["data"]["id"]
    second = post_hidden(room, "Bleibt noch verdeckt")["data"]["id"]
    room.received()
    ack = ok(room.clients["moderator"], "cards:reveal", {"board_id": room.b0, "card_ids": [first]})
    assert [c["id"] for c in ack["data"]["cards"]] == [first]
    projector = all_cards(sync_snapshot(room.clients["projector"]))
    assert projector[first]["text"] == SECRET
    assert blank(projector[second]) == BLANK


REVEAL_INVALID = [
    ("an empty list", lambda r: {"board_id": r.b0, "card_ids": []}, "card_ids"),
    ("not a list", lambda r: {"board_id": r.b0, "card_ids": r.anna_card}, "card_ids"),
    ("a string id", lambda r: {"board_id": r.b0, "card_ids": [str(r.anna_card)]}, "card_ids"),
    ("a bool id", lambda r: {"board_id": r.b0, "card_ids": [True]}, "card_ids"),
    ("no board", lambda r: {"card_ids": [r.anna_card]}, "board_id"),
    ("an unknown field", lambda r: {"board_id": r.b0, "all": True}, "all"),
    ("a card of another board", lambda r: {"board_id": r.b0, "card_ids": [r.anna_card_b1]}, "card_ids"),
    ("too many ids", lambda r: {"board_id": r.b0, "card_ids": list(range(1, 1002))}, "card_ids"),
]


@pytest.mark.parametrize(
    ("payload", "field"), [c[1:] for c in REVEAL_INVALID], ids=[c[0] for c in REVEAL_INVALID]
)
def test_invalid_reveals_are_refused(room: Room, payload: Any, field: str) -> None:
    hide_board(room)
    post_hidden(room)
    room.received()
    before = room.snapshot()
    error = assert_failed(
        room.clients["moderator"].emit("cards:reveal", payload(room), callback=True), "invalid"
    )
    assert field in error["fields"], error
    room.assert_nothing_broadcast()
    assert room.snapshot() == before


def test_reveal_errors_not_found_and_forbidden(room: Room) -> None:
    hide_board(room)
    card_id = post_hidden(room)["data"]["id"]
    room.received()
    before = room.snapshot()
    moderator = room.clients["moderator"]
    for payload in (
        {"board_id": room.other.board_ids[0]},
        {"board_id": room.b0, "card_ids": [room.other_card]},
        {"board_id": 2**31 - 1},
    ):
        assert_failed(moderator.emit("cards:reveal", payload, callback=True), "not_found")
    for name in ("anna", "ben", "projector"):
        for payload in ({"board_id": room.b0}, {"board_id": room.b0, "card_ids": [card_id]}):
            assert_failed(room.clients[name].emit("cards:reveal", payload, callback=True), "forbidden")
    room.assert_nothing_broadcast()
    assert room.snapshot() == before


# ---- done signals ----------------------------------------------------------------------------


def test_done_signals_tell_the_room_how_many_never_who(room: Room) -> None:
    hide_board(room)
    anna, ben = room.clients["anna"], room.clients["ben"]
    first = ok(anna, "participant:done", {"board_id": room.b0, "done": True})
    assert first["data"] == {"board_id": room.b0, "done": True, "done_count": 1}
    received = room.received()
    message = {
        "seq": first["seq"],
        "type": "participant.done",
        "data": {"board_id": room.b0, "done_count": 1},
    }
    assert received == {name: [message] for name in room.clients}

    # Saying it again changes nothing: no seq, no event.
    assert ok(anna, "participant:done", {"board_id": room.b0, "done": True}) == {**first, "seq": None}
    room.assert_nothing_broadcast()

    ok(ben, "participant:done", {"board_id": room.b0, "done": True})
    taken_back = ok(anna, "participant:done", {"board_id": room.b0, "done": False})
    assert taken_back["data"] == {"board_id": room.b0, "done": False, "done_count": 1}
    assert [m["data"]["done_count"] for m in room.received()["projector"]] == [2, 1]
    snapshots = {name: sync_snapshot(c)["boards"][0] for name, c in room.clients.items()}
    assert {name: (b["done_count"], b["done"]) for name, b in snapshots.items()} == {
        "moderator": (1, False),
        "projector": (1, False),
        "anna": (1, False),
        "ben": (1, True),
    }
    raw = json.dumps([received, snapshots["projector"], snapshots["moderator"]])
    assert f'"participant_id": {room.ben.participant_id}' not in raw


def test_a_new_hidden_round_resets_the_done_count_for_everyone(room: Room) -> None:
    ok(room.clients["anna"], "participant:done", {"board_id": room.b0, "done": True})
    room.received()
    ack = ok(room.clients["moderator"], "board:update", {"board_id": room.b0, "hidden": True})
    received = room.received()
    assert {name: [m["type"] for m in messages] for name, messages in received.items()} == {
        name: ["board.updated", "participant.done"] for name in room.clients
    }
    assert received["anna"][1] == {
        "seq": ack["seq"],
        "type": "participant.done",
        "data": {"board_id": room.b0, "done_count": 0},
    }
    assert ack["seq"] == received["anna"][0]["seq"] + 1  # the ack's seq is the last event's


def test_done_errors(room: Room) -> None:
    before = room.snapshot()
    for name in ("moderator", "projector"):
        assert_failed(
            room.clients[name].emit("participant:done", {"board_id": room.b0, "done": True}, callback=True),
            "forbidden",
        )
    anna = room.clients["anna"]
    for payload, field in [
        ({"board_id": room.b0}, "done"),
        ({"board_id": room.b0, "done": 1}, "done"),
        ({"board_id": room.b0, "done": "yes"}, "done"),
        ({"done": True}, "board_id"),
        ({"board_id": room.b0, "done": True, "participant_id": 1}, "participant_id"),
    ]:
        error = assert_failed(anna.emit("participant:done", payload, callback=True), "invalid")
        assert field in error["fields"], error
    for board_id in (room.other.board_ids[0], 2**31 - 1):
        assert_failed(
            anna.emit("participant:done", {"board_id": board_id, "done": True}, callback=True), "not_found"
        )
    room.assert_nothing_broadcast()
    assert room.snapshot() == before


# ---- colours and headlines -------------------------------------------------------------------


def test_colours_are_the_moderators_unless_the_board_lets_participants_choose(room: Room) -> None:
    anna, moderator = room.clients["anna"], room.clients["moderator"]
    before = room.snapshot()
    for event, payload in [
        ("card:create", new_card(room, color="green")),
        ("card:update", {"card_id": room.anna_card, "color": "blue"}),
        ("card:update", {"card_id": room.anna_card, "text": "Mit Farbe", "color": "blue"}),
    ]:
        error = assert_failed(anna.emit(event, payload, callback=True), "forbidden")
        assert "colour" in error["message"]
    room.assert_nothing_broadcast()
    assert room.snapshot() == before

    recoloured = ok(moderator, "card:update", {"card_id": room.anna_card, "color": "orange"})
    assert recoloured["data"]["color"] == "orange"
    ok(moderator, "board:update", {"board_id": room.b0, "participants_choose_color": True})
    assert ok(anna, "card:create", new_card(room, color="green"))["data"]["color"] == "green"
    assert ok(anna, "card:update", {"card_id": room.anna_card, "color": "blue"})["data"]["color"] == "blue"
    # Still only their own cards.
    assert_failed(
        room.clients["ben"].emit("card:update", {"card_id": room.anna_card, "color": "pink"}, callback=True),
        "forbidden",
    )
    types = [m["type"] for m in room.received()["projector"]]
    assert types == ["card.updated", "board.updated", "card.created", "card.updated"]


def test_headlines(room: Room) -> None:
    moderator = room.clients["moderator"]
    ack = ok(moderator, "cluster:update", {"cluster_id": room.c00, "headline": "  Rahmen & Haltung  "})
    assert ack["data"]["headline"] == "Rahmen & Haltung"
    assert [m["data"]["cluster"]["headline"] for m in room.received()["projector"]] == ["Rahmen & Haltung"]
    assert sync_snapshot(room.clients["ben"])["boards"][0]["clusters"][0]["headline"] == "Rahmen & Haltung"
    assert (
        ok(moderator, "cluster:update", {"cluster_id": room.c00, "headline": "n" * 120})["data"]["headline"]
        == "n" * 120
    )
    assert (
        ok(moderator, "cluster:update", {"cluster_id": room.c00, "headline": "   "})["data"]["headline"] == ""
    )
    room.received()
    before = room.snapshot()
    for payload in (
        {"cluster_id": room.c00, "headline": "n" * 121},
        {"cluster_id": room.c00, "headline": "zwei\nZeilen"},
        {"cluster_id": room.c00, "headline": None},
        {"cluster_id": room.c00, "headline": 5},
    ):
        error = assert_failed(moderator.emit("cluster:update", payload, callback=True), "invalid")
        assert "headline" in error["fields"]
    for name in ("anna", "projector"):
        assert_failed(
            room.clients[name].emit(
                "cluster:update", {"cluster_id": room.c00, "headline": "Meins"}, callback=True
            ),
            "forbidden",
        )
    assert_failed(
        moderator.emit(
            "cluster:update", {"cluster_id": room.other.cluster_ids[0][0], "headline": "x"}, callback=True
        ),
        "not_found",
    )
    room.assert_nothing_broadcast()
    assert room.snapshot() == before


def test_board_settings_are_json_flags(room: Room) -> None:
    before = room.snapshot()
    for payload in (
        {"board_id": room.b0, "hidden": "true"},
        {"board_id": room.b0, "hidden": 1},
        {"board_id": room.b0, "participants_choose_color": None},
    ):
        assert_failed(room.clients["moderator"].emit("board:update", payload, callback=True), "invalid")
    for name in ("anna", "projector"):
        assert_failed(
            room.clients[name].emit("board:update", {"board_id": room.b0, "hidden": True}, callback=True),
            "forbidden",
        )
    room.assert_nothing_broadcast()
    assert room.snapshot() == before


# ---- the whole query, watched by a second participant and the projector --------------------


def test_nothing_a_second_participant_or_the_projector_receives_holds_the_text_before_the_reveal(
    room: Room, client: Any, app_db: Database
) -> None:
    """Every message, ack, snapshot and sync of Ben and the projector, through a whole query."""
    moderator, anna, ben, projector = (room.clients[n] for n in ("moderator", "anna", "ben", "projector"))
    late = room.connect(participant_auth(room.w, room.ben_token))  # a second tab, connected later
    seen: dict[str, list[Any]] = {"ben": [], "projector": [], "late": []}
    hide_board(room)
    late.get_received()
    card_id = post_hidden(room)["data"]["id"]
    resent = anna.emit("card:create", {**new_card(room, text="zweite"), "client_id": "a" * 10}, callback=True)
    ok(anna, "card:update", {"card_id": card_id, "text": SECRET_EDIT})
    ok(moderator, "card:update", {"card_id": card_id, "color": "white"})
    ok(moderator, "card:move", {"card_id": card_id, "cluster_id": room.c00, "index": 0})
    ok(moderator, "cluster:delete", {"cluster_id": room.c00})
    ok(moderator, "card:move", {"card_id": card_id, "cluster_id": None, "board_id": room.b1})
    ok(moderator, "card:move", {"card_id": card_id, "cluster_id": room.c01, "board_id": room.b0})
    ok(ben, "participant:done", {"board_id": room.b0, "done": True})
    assert resent["ok"]
    seen["ben"] += ben.get_received() + [
        ben.emit("sync", {}, callback=True),
        ben.emit("sync", {"since": 0}, callback=True),
        ben.emit("card:create", {**new_card(room), "client_id": "a" * 10}, callback=True),  # Anna's client_id
        ben.emit("card:update", {"card_id": card_id, "text": "Übernommen?"}, callback=True),
        ben.emit("cards:reveal", {"board_id": room.b0}, callback=True),
    ]
    seen["projector"] += projector.get_received() + [
        projector.emit("sync", {}, callback=True),
        projector.emit("sync", {"since": 0}, callback=True),
        projector.emit("sync", {"since": 3}, callback=True),
    ]
    seen["late"] += late.get_received() + [late.emit("sync", {"since": 0}, callback=True)]
    http = {
        "ben": snapshot_over_http(client, room, room.ben_token),
        "projector": snapshot_over_http(client, room, room.w.projector_key),
    }
    for name, messages in seen.items():
        raw = json.dumps([messages, http.get(name)], ensure_ascii=False)
        assert "Geheim" not in raw and "zweite" not in raw, name
        assert '"white"' not in raw, name
    # The moderator and Anna have it all along.
    assert SECRET_EDIT in json.dumps(sync_snapshot(moderator), ensure_ascii=False)
    assert SECRET_EDIT in json.dumps(sync_snapshot(anna), ensure_ascii=False)

    # After the reveal everyone has it, live and in every snapshot.
    ack = ok(moderator, "cards:reveal", {"board_id": room.b0})
    assert {c["text"] for c in ack["data"]["cards"]} == {SECRET_EDIT, "zweite"}
    for test_client in (ben, projector, late):
        live = [m for m in events_of(test_client) if m["type"] == "cards.revealed"]
        assert [sorted(c["text"] for c in m["data"]["cards"]) for m in live] == [
            sorted([SECRET_EDIT, "zweite"])
        ]
        texts = {c["text"] for c in Replica(sync_snapshot(test_client)).cards()}
        assert {SECRET_EDIT, "zweite"} <= texts
    for secret in (room.ben_token, room.w.projector_key):
        card = all_cards(snapshot_over_http(client, room, secret))[card_id]
        assert (card["text"], card["color"], card["author_name"], card["hidden"]) == (
            SECRET_EDIT,
            "white",
            "Anna",
            False,
        )


def events_of(test_client: Any) -> list[dict[str, Any]]:
    return [m["args"][0] for m in test_client.get_received() if m["name"] == "event"]
