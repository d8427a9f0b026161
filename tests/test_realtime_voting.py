"""Dot voting over Socket.IO (docs/protocol.md, "Dot voting"): every event and error, who may
send what, and that nobody learns the counts before the close unless the round shows them live."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pinboard.database import Database
from tests.test_realtime import Room, assert_failed, build_room, events


@pytest.fixture
def room(app_db: Database, socket_client: Any) -> Room:
    return build_room(app_db, socket_client)


def open_round(room: Room, **overrides: Any) -> dict[str, Any]:
    payload = {"board_id": room.b0, "budget": 3, "per_card_cap": 2, "show_live": False, **overrides}
    ack = room.clients["moderator"].emit("vote:open", payload, callback=True)
    assert ack["ok"] is True, ack
    room.received()
    return ack  # type: ignore[no-any-return]


def test_open_cast_retract_close(room: Room) -> None:
    before = room.seq()
    ack = room.clients["moderator"].emit(
        "vote:open", {"board_id": room.b0, "budget": 3, "per_card_cap": 2}, callback=True
    )
    assert ack["ok"] is True and ack["seq"] == before + 1
    round_id = ack["data"]["round_id"]
    assert ack["data"] == {
        "board_id": room.b0,
        "round_id": round_id,
        "budget": 3,
        "per_card_cap": 2,
        "show_live": False,
    }
    received = room.received()
    assert received == {
        name: [{"seq": before + 1, "type": "vote.opened", "data": ack["data"]}] for name in room.clients
    }

    anna = room.clients["anna"]
    cast = anna.emit("vote:cast", {"card_id": room.ben_card}, callback=True)
    assert cast["ok"] is True and cast["seq"] == before + 2
    assert cast["data"]["dots_left"] == 2 and cast["data"]["mine"] == {str(room.ben_card): 1}
    message = {
        "seq": before + 2,
        "type": "vote.cast",
        "data": {"board_id": room.b0, "round_id": round_id, "votes_cast": 1},
    }
    assert room.received() == {name: [message] for name in room.clients}

    retract = anna.emit("vote:retract", {"card_id": room.ben_card}, callback=True)
    assert retract["ok"] is True and retract["data"]["dots_left"] == 3 and retract["data"]["mine"] == {}
    assert [m["type"] for m in events(room.clients["ben"])] == ["vote.retracted"]
    room.received()

    anna.emit("vote:cast", {"card_id": room.ben_card}, callback=True)
    room.clients["ben"].emit("vote:cast", {"card_id": room.ben_card}, callback=True)
    room.clients["ben"].emit("vote:cast", {"card_id": room.moderator_card}, callback=True)
    room.received()
    closed = room.clients["moderator"].emit("vote:close", {"board_id": room.b0}, callback=True)
    assert closed["ok"] is True
    expected = {
        "board_id": room.b0,
        "round_id": round_id,
        "tally": {str(room.ben_card): 2, str(room.moderator_card): 1},
        "ranking": [room.ben_card, room.moderator_card],
    }
    assert closed["data"] == expected
    assert room.received() == {
        name: [{"seq": closed["seq"], "type": "vote.closed", "data": expected}] for name in room.clients
    }
    for name, test_client in room.clients.items():
        snapshot = test_client.emit("sync", {}, callback=True)["data"]["snapshot"]
        vote = next(b for b in snapshot["boards"] if b["id"] == room.b0)["vote"]
        assert vote["open"] is False and vote["tally"] == expected["tally"], name
    assert events(room.outsider) == []


def test_nobody_but_the_moderator_learns_counts_before_the_close(room: Room) -> None:
    open_round(room, budget=5, per_card_cap=3)
    for _ in range(3):
        assert room.clients["anna"].emit("vote:cast", {"card_id": room.ben_card}, callback=True)["ok"]
    assert room.clients["anna"].emit("vote:cast", {"card_id": room.anna_card}, callback=True)["ok"]
    seen = {name: events(room.clients[name]) for name in ("ben", "projector")}
    synced = {name: room.clients[name].emit("sync", {}, callback=True) for name in ("ben", "projector")}
    replayed = {
        name: room.clients[name].emit("sync", {"since": 1}, callback=True) for name in ("ben", "projector")
    }
    for name in ("ben", "projector"):
        assert [m["data"] for m in seen[name]] == [
            {"board_id": room.b0, "round_id": m["data"]["round_id"], "votes_cast": n}
            for n, m in zip(range(1, 5), seen[name], strict=True)
        ]
        text = json.dumps([seen[name], synced[name], replayed[name]])
        assert '"tally": null' in text
        assert f'"{room.ben_card}": 3' not in text and '"card_id"' not in text, name
        vote = next(b for b in synced[name]["data"]["snapshot"]["boards"] if b["id"] == room.b0)["vote"]
        assert vote["tally"] is None and vote["votes_cast"] == 4 and vote["ranking"] is None
    assert (
        next(b for b in synced["ben"]["data"]["snapshot"]["boards"] if b["id"] == room.b0)["vote"][
            "dots_left"
        ]
        == 5
    )
    moderator = room.clients["moderator"].emit("sync", {}, callback=True)["data"]["snapshot"]
    vote = next(b for b in moderator["boards"] if b["id"] == room.b0)["vote"]
    assert vote["tally"] == {str(room.ben_card): 3, str(room.anna_card): 1}
    anna = room.clients["anna"].emit("sync", {}, callback=True)["data"]["snapshot"]
    vote = next(b for b in anna["boards"] if b["id"] == room.b0)["vote"]
    assert vote["dots_left"] == 1 and vote["mine"] == {str(room.ben_card): 3, str(room.anna_card): 1}


def test_show_live_events_carry_the_card_total(room: Room) -> None:
    open_round(room, show_live=True)
    room.clients["anna"].emit("vote:cast", {"card_id": room.ben_card}, callback=True)
    room.clients["ben"].emit("vote:cast", {"card_id": room.ben_card}, callback=True)
    datas = [m["data"] for m in events(room.clients["projector"])]
    assert [(d["card_id"], d["votes"], d["votes_cast"]) for d in datas] == [
        (room.ben_card, 1, 1),
        (room.ben_card, 2, 2),
    ]
    assert all("mine" not in d and "dots_left" not in d for d in datas)


@pytest.mark.parametrize(
    ("sender", "event", "payload", "code"),
    [
        ("anna", "vote:open", {"budget": 3, "per_card_cap": 1}, "forbidden"),
        ("projector", "vote:open", {"budget": 3, "per_card_cap": 1}, "forbidden"),
        ("anna", "vote:close", {}, "forbidden"),
        ("projector", "vote:close", {}, "forbidden"),
        ("moderator", "vote:cast", {"card_id": "ben"}, "forbidden"),
        ("projector", "vote:cast", {"card_id": "ben"}, "forbidden"),
        ("projector", "vote:retract", {"card_id": "ben"}, "forbidden"),
        ("moderator", "vote:open", {"budget": 21, "per_card_cap": 1}, "invalid"),
        ("moderator", "vote:open", {"budget": 0, "per_card_cap": 1}, "invalid"),
        ("moderator", "vote:open", {"budget": 2, "per_card_cap": 3}, "invalid"),
        ("moderator", "vote:open", {"budget": True, "per_card_cap": 1}, "invalid"),
        ("anna", "vote:cast", {"card_id": "other"}, "not_found"),
        ("anna", "vote:cast", {"card_id": 999999}, "not_found"),
        ("anna", "vote:cast", {"card_id": "b1"}, "invalid"),  # no round on board 1
        ("anna", "vote:retract", {"card_id": "ben"}, "invalid"),  # no dot there
        ("anna", "vote:cast", {"card_id": "ben", "count": 5}, "invalid"),  # no crafting
    ],
)
def test_errors(room: Room, sender: str, event: str, payload: dict[str, Any], code: str) -> None:
    open_round(room)
    cards = {"ben": room.ben_card, "other": room.other_card, "b1": room.anna_card_b1}
    payload = {**payload, "board_id": room.b0} if event in ("vote:open", "vote:close") else dict(payload)
    if isinstance(payload.get("card_id"), str):
        payload["card_id"] = cards[payload["card_id"]]
    if event == "vote:open" and code == "forbidden":
        room.clients["moderator"].emit("vote:close", {"board_id": room.b0}, callback=True)
        room.received()
    before = room.snapshot()
    assert_failed(room.clients[sender].emit(event, payload, callback=True), code)
    room.assert_nothing_broadcast()
    assert room.snapshot() == before


def test_budget_and_cap_errors(room: Room) -> None:
    open_round(room, budget=2, per_card_cap=1)
    anna = room.clients["anna"]
    assert anna.emit("vote:cast", {"card_id": room.ben_card}, callback=True)["ok"]
    assert_failed(anna.emit("vote:cast", {"card_id": room.ben_card}, callback=True), "cap_reached")
    assert anna.emit("vote:cast", {"card_id": room.anna_card}, callback=True)["data"]["dots_left"] == 0
    assert_failed(anna.emit("vote:cast", {"card_id": room.moderator_card}, callback=True), "budget_exceeded")
    assert_failed(
        room.clients["moderator"].emit(
            "vote:open", {"board_id": room.b0, "budget": 2, "per_card_cap": 1}, callback=True
        ),
        "invalid",
    )


def test_concurrent_casts_from_several_connections_keep_the_budget(room: Room) -> None:
    import threading

    open_round(room, budget=4, per_card_cap=4)
    phones = [room.connect({"workshop": room.w.id, "token": room.anna_token}) for _ in range(3)]
    acks: list[dict[str, Any]] = []
    lock = threading.Lock()

    def vote(phone: Any) -> None:
        for _ in range(4):
            ack = phone.emit("vote:cast", {"card_id": room.ben_card}, callback=True)
            with lock:
                acks.append(ack)

    threads = [threading.Thread(target=vote, args=(phone,)) for phone in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(ack["ok"] for ack in acks) == 4
    assert {ack["error"]["code"] for ack in acks if not ack["ok"]} == {"budget_exceeded"}
    closed = room.clients["moderator"].emit("vote:close", {"board_id": room.b0}, callback=True)
    assert closed["data"]["tally"] == {str(room.ben_card): 4}
