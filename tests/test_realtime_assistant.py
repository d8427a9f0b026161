"""The assistant link (docs/protocol.md, "Roles and credentials"): through Flask-SocketIO's test
client, every event an assistant's connection may send and every one it may not.

An assistant types in paper cards, edits and deletes paper cards and the cards assistants typed
in, and records the dots counted on a paper wall; everything that changes the workshop (boards,
clusters, voting rounds, the timer, reveals, stacks, focus, undo) is `forbidden`, changes nothing
and broadcasts nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pinboard import credentials
from pinboard.database import Database
from pinboard.realtime import OPERATIONS
from pinboard.workshops import ASSISTANT
from tests.conftest import new_client_id
from tests.test_authorisation import PAYLOADS, stable
from tests.test_realtime import Room, assert_failed, build_room, events

OK = "ok"
# Per event, what the assistant gets with the payloads of tests/test_authorisation.py (which act
# on a participant's card on a board where participants may sort cards).
ASSISTANT_TABLE: dict[str, str] = {
    **dict.fromkeys([*OPERATIONS, "sync"], "forbidden"),
    "sync": OK,
    "card:create": OK,
    "vote:record": OK,
    # Where participants may sort cards, so may an assistant (same board only).
    "card:move": OK,
}


def assistant_auth(room: Room) -> dict[str, Any]:
    return {
        "workshop": room.w.id,
        "assistant_key": credentials.derive_secret(room.w.moderator_key, ASSISTANT),
    }


def call(client: Any, event: str, payload: Any) -> Any:
    return client.emit(event, payload, callback=True)


def connect_assistant(room: Room) -> Any:
    client = room.connect(assistant_auth(room))
    assert client.is_connected()
    assert client.get_received() == []
    return client


@pytest.fixture
def room(app_db: Database, socket_client: Callable[..., Any]) -> Room:
    return build_room(app_db, socket_client)


def test_the_table_names_every_event() -> None:
    assert set(ASSISTANT_TABLE) == {*OPERATIONS, "sync"}


@pytest.mark.parametrize("event", sorted({*OPERATIONS, "sync"}))
def test_assistant_permissions(room: Room, event: str) -> None:
    payload = PAYLOADS[event](room)
    assistant = connect_assistant(room)
    before = stable(room.snapshot())
    ack = call(assistant, event, payload)
    if ASSISTANT_TABLE[event] != OK:
        assert_failed(ack, ASSISTANT_TABLE[event])
        room.assert_nothing_broadcast()
        assert events(assistant) == []
        assert stable(room.snapshot()) == before
        return
    assert ack["ok"] is True, ack
    if event == "sync":
        assert ack["data"]["snapshot"]["you"] == {"role": "assistant", "participant_id": None}
        return
    assert ack["seq"] == before["seq"] + 1 == room.seq()
    for name, messages in {**room.received(), "assistant": events(assistant)}.items():
        assert [m["seq"] for m in messages] == [ack["seq"]], name


def test_paper_cards_are_the_assistants_to_edit_and_delete_and_no_one_elses(room: Room) -> None:
    assistant = connect_assistant(room)
    typed = call(
        assistant,
        "card:create",
        {"client_id": new_client_id(), "board_id": room.b0, "text": "Auf Papier", "on_paper": True},
    )
    assert typed["ok"] is True, typed
    card = typed["data"]
    assert (card["on_paper"], card["author_role"], card["author_id"]) == (True, "assistant", None)
    moderators = call(
        room.clients["moderator"],
        "card:create",
        {"client_id": new_client_id(), "board_id": room.b0, "text": "Vom Flipchart", "on_paper": True},
    )["data"]

    for card_id, text in ((card["id"], "Auf Papier, korrigiert"), (moderators["id"], "Vom Flipchart (2)")):
        ack = call(assistant, "card:update", {"card_id": card_id, "text": text, "color": "green"})
        assert ack["ok"] is True and ack["data"]["text"] == text and ack["data"]["color"] == "green", ack
    # A participant's card and the moderator's own (not on paper) are not the assistant's to change.
    for card_id in (room.anna_card, room.moderator_card):
        before = stable(room.snapshot())
        room.received()  # what came before
        events(assistant)
        assert_failed(
            call(assistant, "card:update", {"card_id": card_id, "text": "Geändert"}),
            "forbidden",
        )
        assert_failed(call(assistant, "card:delete", {"card_id": card_id}), "forbidden")
        assert stable(room.snapshot()) == before
    # A participant may not type in paper cards, nor change the assistant's.
    anna = room.clients["anna"]
    paper = {"client_id": new_client_id(), "board_id": room.b0, "text": "Geschummelt", "on_paper": True}
    assert_failed(call(anna, "card:create", paper), "forbidden")
    assert_failed(call(anna, "card:update", {"card_id": card["id"], "text": "Meins"}), "forbidden")

    deleted = call(assistant, "card:delete", {"card_id": card["id"]})
    assert deleted["ok"] is True, deleted
    texts = [c["text"] for c in room.snapshot()["boards"][0]["unsorted"]]
    assert "Auf Papier, korrigiert" not in texts and "Vom Flipchart (2)" in texts


def test_a_locked_board_does_not_stop_the_assistant(room: Room) -> None:
    assert call(room.clients["moderator"], "board:update", {"board_id": room.b0, "locked": True})["ok"]
    assistant = connect_assistant(room)
    ack = call(
        assistant,
        "card:create",
        {"client_id": new_client_id(), "board_id": room.b0, "text": "Nachzügler", "on_paper": True},
    )
    assert ack["ok"] is True, ack
    anna = room.clients["anna"]
    assert_failed(
        call(anna, "card:create", {"client_id": new_client_id(), "board_id": room.b0, "text": "Zu spät"}),
        "locked",
    )


def test_wall_dots_add_to_the_phones_and_only_staff_see_them(room: Room) -> None:
    moderator, anna = room.clients["moderator"], room.clients["anna"]
    assistant = connect_assistant(room)
    assert_failed(call(assistant, "vote:record", {"card_id": room.anna_card, "dots": 2}), "invalid")
    assert call(moderator, "vote:open", {"board_id": room.b0, "budget": 3, "per_card_cap": 2})["ok"]
    assert call(anna, "vote:cast", {"card_id": room.ben_card})["ok"]
    recorded = call(assistant, "vote:record", {"card_id": room.ben_card, "dots": 4})
    assert recorded["ok"] is True, recorded
    assert (recorded["data"]["dots"], recorded["data"]["votes"], recorded["data"]["votes_cast"]) == (4, 5, 5)
    for dots in (-1, 1000, "4", None, 2.5):
        assert_failed(call(assistant, "vote:record", {"card_id": room.ben_card, "dots": dots}), "invalid")

    vote = call(assistant, "sync", {})["data"]["snapshot"]["boards"][0]["vote"]
    assert (vote["open"], vote["tally"], vote["wall"]) == (True, None, {str(room.ben_card): 4})
    participants_vote = call(anna, "sync", {})["data"]["snapshot"]["boards"][0]["vote"]
    assert participants_vote["wall"] is None and participants_vote["tally"] is None

    closed = call(moderator, "vote:close", {"board_id": room.b0})
    assert closed["data"]["tally"] == {str(room.ben_card): 5}
    # Counted after the round: the closed round takes them, and the tally follows.
    after = call(assistant, "vote:record", {"card_id": room.anna_card, "dots": 2})
    assert after["data"]["tally"] == {str(room.ben_card): 5, str(room.anna_card): 2}
    assert room.snapshot()["boards"][0]["vote"]["tally"] == after["data"]["tally"]
