"""Who may do what: every Socket.IO event (pinboard.realtime.OPERATIONS and `sync`) and every HTTP
route (the app's url_map) against every role: a stranger (no or a guessed credential), a
participant of another workshop, a participant, the read-only projector and the moderator.

Both tables are explicit and must name every event and every route: a new event or route fails
`test_the_tables_name_every_event_and_route` until someone decides who may use it. Only the
cells that say so succeed; every other answers with the error the table names, changes nothing
and broadcasts nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pinboard import clusters as cluster_ops
from pinboard import history as history_ops
from pinboard import stacks as stack_ops
from pinboard import timers as timer_ops
from pinboard import voting as vote_ops
from pinboard.database import Database
from pinboard.realtime import OPERATIONS
from tests.conftest import make_participant, make_workshop
from tests.test_realtime import (
    Room,
    _hidden_card,
    _new_card,
    assert_failed,
    build_room,
    events,
    participant_auth,
    server_snapshot,
)

OK = "ok"
ROLES = ("stranger", "other_participant", "participant", "projector", "moderator")
MODERATOR_ONLY = {"other_participant": "forbidden", "participant": "forbidden", "projector": "forbidden"}
PARTICIPANT_WORK = {"other_participant": "not_found", "participant": OK, "projector": "forbidden"}

# Per event, what each connected role gets: "ok" or the error code. Strangers never connect.
SOCKET_TABLE: dict[str, dict[str, str]] = {
    "sync": {"other_participant": OK, "participant": OK, "projector": OK, "moderator": OK},
    "card:create": {**PARTICIPANT_WORK, "moderator": OK},
    "card:update": {**PARTICIPANT_WORK, "moderator": OK},
    "card:move": {**PARTICIPANT_WORK, "moderator": OK},
    "card:delete": {**PARTICIPANT_WORK, "moderator": OK},
    "cluster:create": {**MODERATOR_ONLY, "moderator": OK},
    "cluster:update": {**MODERATOR_ONLY, "moderator": OK},
    "cluster:move": {**MODERATOR_ONLY, "moderator": OK},
    "cluster:delete": {**MODERATOR_ONLY, "moderator": OK},
    "board:create": {**MODERATOR_ONLY, "moderator": OK},
    "board:update": {**MODERATOR_ONLY, "moderator": OK},
    "board:move": {**MODERATOR_ONLY, "moderator": OK},
    "board:activate": {**MODERATOR_ONLY, "moderator": OK},
    "workshop:update": {**MODERATOR_ONLY, "moderator": OK},
    "cards:reveal": {**MODERATOR_ONLY, "moderator": OK},
    "participant:done": {**PARTICIPANT_WORK, "moderator": "forbidden"},
    "vote:open": {**MODERATOR_ONLY, "moderator": OK},
    "vote:cast": {**PARTICIPANT_WORK, "moderator": "forbidden"},
    "vote:retract": {**PARTICIPANT_WORK, "moderator": "forbidden"},
    "vote:close": {**MODERATOR_ONLY, "moderator": OK},
    "timer:start": {**MODERATOR_ONLY, "moderator": OK},
    "timer:pause": {**MODERATOR_ONLY, "moderator": OK},
    "timer:resume": {**MODERATOR_ONLY, "moderator": OK},
    "timer:extend": {**MODERATOR_ONLY, "moderator": OK},
    "timer:stop": {**MODERATOR_ONLY, "moderator": OK},
    "vote:record": {**MODERATOR_ONLY, "moderator": OK},
    "card:stack": {**MODERATOR_ONLY, "moderator": OK},
    "card:unstack": {**MODERATOR_ONLY, "moderator": OK},
    "focus:set": {**MODERATOR_ONLY, "moderator": OK},
    "history:undo": {**MODERATOR_ONLY, "moderator": OK},
    "history:redo": {**MODERATOR_ONLY, "moderator": OK},
}
ROLE_CLIENT = {"participant": "anna", "projector": "projector", "moderator": "moderator"}


# ---- preparing the room behind the clients' backs (no broadcasts) -----------------------------


def _stacked(r: Room) -> dict[str, Any]:
    with r.db.write() as s:
        stack_ops.stack_card(s, r.w.moderator, card_id=r.ben_card, onto_card_id=r.anna_card)
    return {"card_id": r.ben_card}


def _moderator_change(r: Room, undone: bool = False) -> None:
    with r.db.write() as s:
        cluster_ops.update_cluster(s, r.w.moderator, cluster_id=r.c00, name="Rahmen")
    if undone:
        with r.db.write() as s:
            history_ops.undo(s, r.w.moderator)


def _open_round(r: Room) -> None:
    with r.db.write() as s:
        vote_ops.open_vote(s, r.w.moderator, board_id=r.b0, budget=3, per_card_cap=2)


def _dot_on_bens_card(r: Room) -> dict[str, Any]:
    _open_round(r)
    with r.db.write() as s:
        vote_ops.cast_vote(s, r.anna, card_id=r.ben_card)
    return {"card_id": r.ben_card}


def _timer(r: Room, *states: str) -> dict[str, Any]:
    with r.db.write() as s:
        timer_ops.start_timer(s, r.w.moderator, board_id=r.b0, seconds=300)
        if "paused" in states:
            timer_ops.pause_timer(s, r.w.moderator, board_id=r.b0)
    return {"board_id": r.b0}


# Each acts on Anna's own card or board 0, where participants may sort cards.
PAYLOADS: dict[str, Callable[[Room], dict[str, Any]]] = {
    "sync": lambda r: {},
    "card:create": lambda r: _new_card(r, text="Vertrauen aufbauen"),
    "card:update": lambda r: {"card_id": r.anna_card, "text": "Vertrauen aufbauen und halten"},
    "card:move": lambda r: {"card_id": r.anna_card, "cluster_id": r.c00, "index": 0},
    "card:delete": lambda r: {"card_id": r.anna_card},
    "cluster:create": lambda r: {"board_id": r.b0, "name": "Ressourcen"},
    "cluster:update": lambda r: {"cluster_id": r.c00, "name": "Rahmen"},
    "cluster:move": lambda r: {"cluster_id": r.c00, "index": 1},
    "cluster:delete": lambda r: {"cluster_id": r.c00},
    "board:create": lambda r: {"title": "Ausblick"},
    "board:update": lambda r: {"board_id": r.b0, "title": "Einstieg (überarbeitet)"},
    "board:move": lambda r: {"board_id": r.b1, "index": 0},
    "board:activate": lambda r: {"board_id": r.b1},
    "workshop:update": lambda r: {"title": "Ein neuer Titel"},
    "cards:reveal": lambda r: (_hidden_card(r), {"board_id": r.b0})[1],
    "participant:done": lambda r: {"board_id": r.b0, "done": True},
    "vote:open": lambda r: {"board_id": r.b0, "budget": 3, "per_card_cap": 2},
    "vote:cast": lambda r: (_open_round(r), {"card_id": r.ben_card})[1],
    "vote:retract": _dot_on_bens_card,
    "vote:close": lambda r: (_open_round(r), {"board_id": r.b0})[1],
    "timer:start": lambda r: {"board_id": r.b0, "seconds": 120},
    "timer:pause": lambda r: _timer(r, "running"),
    "timer:resume": lambda r: _timer(r, "paused"),
    "timer:extend": lambda r: {**_timer(r, "running"), "seconds": 60},
    "timer:stop": lambda r: _timer(r, "running"),
    "vote:record": lambda r: (_open_round(r), {"card_id": r.ben_card, "dots": 3})[1],
    "card:stack": lambda r: {"card_id": r.ben_card, "onto_card_id": r.anna_card},
    "card:unstack": lambda r: _stacked(r),
    "focus:set": lambda r: {"card_id": r.anna_card},
    "history:undo": lambda r: (_moderator_change(r), {})[1],
    "history:redo": lambda r: (_moderator_change(r, undone=True), {})[1],
}


@pytest.fixture
def room(app_db: Database, socket_client: Callable[..., Any]) -> Room:
    return build_room(app_db, socket_client)


@pytest.fixture
def background_tasks_finish() -> Iterator[None]:
    """A join schedules a presence message a second later; let it finish before the app goes."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 10
    for thread in set(threading.enumerate()) - before:
        thread.join(max(0.0, deadline - time.monotonic()))


def stable(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The snapshot without what moves with the clock (a running timer's remaining time)."""
    for board in snapshot["boards"]:
        if board.get("timer"):
            board["timer"] = {
                k: v for k, v in board["timer"].items() if k not in ("server_time", "remaining")
            }
    return snapshot


def test_the_tables_name_every_event_and_route(app: Any) -> None:
    assert set(SOCKET_TABLE) == set(PAYLOADS) == {*OPERATIONS, "sync"}
    for event, cells in SOCKET_TABLE.items():
        assert set(cells) == set(ROLES) - {"stranger"}, event
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods}
    assert {route for route in routes if route[1] not in ("HEAD", "OPTIONS")} == set(HTTP_TABLE)
    for route, cells in HTTP_TABLE.items():
        assert set(cells) == set(ROLES), route


# ---- Socket.IO -------------------------------------------------------------------------------


def test_strangers_and_other_workshops_participants_never_connect(room: Room) -> None:
    before = room.snapshot()
    guesses: list[Any] = [
        None,
        "not a dict",
        {},
        {"workshop": room.w.id},
        {"workshop": room.w.id, "token": "geraten"},
        {"workshop": room.w.id, "projector_key": "geraten"},
        {"workshop": room.w.id, "moderator_key": "geraten"},
        {"workshop": room.w.id, "moderator_key": room.w.projector_key},
        {"workshop": room.w.id, "projector_key": room.anna_token},
        {"workshop": room.w.id, "moderator_key": room.other.moderator_key},
        participant_auth(room.w, room.outsider_token),
        {"workshop": room.other.id, "moderator_key": room.w.moderator_key},
    ]
    for auth in guesses:
        assert not room.connect(auth).is_connected(), auth
    room.assert_nothing_broadcast()
    assert room.snapshot() == before


def check_socket_cell(room: Room, role: str, event: str, payload: dict[str, Any]) -> None:
    expected = SOCKET_TABLE[event][role]
    before = stable(room.snapshot())

    if role == "other_participant":
        other_before = stable(server_snapshot(room.db, room.other))
        ack = room.outsider.emit(event, payload, callback=True)
        if expected == OK:  # sync: their own workshop, nothing of this one
            assert event == "sync"
            assert ack["ok"] is True and ack["data"]["snapshot"]["workshop"]["id"] == room.other.id
            assert {b["id"] for b in ack["data"]["snapshot"]["boards"]}.isdisjoint(room.w.board_ids)
        else:
            assert_failed(ack, expected)
        assert stable(server_snapshot(room.db, room.other)) == other_before
        room.assert_nothing_broadcast()
        assert stable(room.snapshot()) == before
        return

    ack = room.clients[ROLE_CLIENT[role]].emit(event, payload, callback=True)
    if expected != OK:
        assert_failed(ack, expected)
        room.assert_nothing_broadcast()
        assert stable(room.snapshot()) == before
        return

    assert ack["ok"] is True, ack
    if event == "sync":
        assert ack["data"]["snapshot"]["you"]["role"] == role
        assert ack["seq"] == before["seq"]
        room.assert_nothing_broadcast()
        return
    assert ack["seq"] == before["seq"] + 1 == room.seq()
    for name, messages in room.received().items():  # one event, to everyone in the room
        assert [m["seq"] for m in messages] == [ack["seq"]], name
    assert events(room.outsider) == []


@pytest.mark.parametrize("event", sorted({*OPERATIONS, "sync"}))
def test_socket_permissions(app_db: Database, socket_client: Callable[..., Any], event: str) -> None:
    """Each role in turn: the refused ones first (they change nothing), then each allowed one on
    a room of its own once an earlier role has changed something."""
    roles = sorted(ROLES[1:], key=lambda role: SOCKET_TABLE[event][role] == OK)
    room = build_room(app_db, socket_client)
    payload = PAYLOADS[event](room)  # may prepare the room first (behind the clients' backs)
    changed = False
    for role in roles:
        if changed:
            room = build_room(app_db, socket_client)
            payload = PAYLOADS[event](room)
        try:
            check_socket_cell(room, role, event, payload)
        except AssertionError as error:
            error.add_note(f"role: {role}, event: {event}")
            raise
        changed = SOCKET_TABLE[event][role] == OK and event != "sync"


# ---- HTTP ------------------------------------------------------------------------------------

PUBLIC = dict.fromkeys(ROLES, 200)
MODERATOR_KEY_ONLY = {"stranger": 401, "other_participant": 401, "participant": 401, "projector": 401}

# Per (endpoint, method), the status each role gets. Pages are public shells: the keys they need
# come from the URL fragment and go over Socket.IO (tests/browser/test_security.py).
HTTP_TABLE: dict[tuple[str, str], dict[str, int]] = {
    ("api.create_workshop", "POST"): dict.fromkeys(ROLES, 201),  # no organiser password set
    ("exports.import_file", "POST"): dict.fromkeys(ROLES, 201),
    ("api.join", "POST"): PUBLIC,
    ("api.snapshot", "GET"): {
        "stranger": 401,
        "other_participant": 401,
        "participant": 200,
        "projector": 200,
        "moderator": 200,
    },
    ("api.links", "GET"): {**MODERATOR_KEY_ONLY, "moderator": 200},
    ("exports.export", "GET"): {**MODERATOR_KEY_ONLY, "moderator": 200},
    ("api.delete_workshop", "DELETE"): {**MODERATOR_KEY_ONLY, "moderator": 200},
    ("api.healthz", "GET"): PUBLIC,
    ("api.openapi_description", "GET"): PUBLIC,
    ("static", "GET"): PUBLIC,
    ("pages.start", "GET"): PUBLIC,
    ("pages.join_form", "GET"): PUBLIC,
    ("pages.participant", "GET"): PUBLIC,
    ("pages.join_qr", "GET"): PUBLIC,
    ("pages.projector", "GET"): PUBLIC,
    ("pages.moderator_board", "GET"): PUBLIC,
    ("pages.console", "GET"): PUBLIC,
    ("pages.assistant", "GET"): PUBLIC,
}


def http_request(
    app: Any, client: Any, endpoint: str, method: str, values: dict[str, str], headers: dict[str, str]
) -> Any:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods)
    path = rule.rule
    for name in rule.arguments:
        path = path.replace(f"<{name}>", values[name]).replace(f"<path:{name}>", values[name])
    if endpoint == "exports.export":
        path += "?format=json"
    body: Any = None
    if endpoint == "api.create_workshop":
        body = {"title": "Noch einer"}
    elif endpoint == "api.join":
        body = {"code": values["code"]}
    elif endpoint == "exports.import_file":
        body = values["workshop_file"]
    return client.open(path, method=method, json=body, headers=headers)


@pytest.mark.parametrize("route", list(HTTP_TABLE), ids=[f"{m} {e}" for e, m in HTTP_TABLE])
def test_http_permissions(
    app: Any, client: Any, app_db: Database, route: tuple[str, str], background_tasks_finish: None
) -> None:
    endpoint, method = route
    w = make_workshop(app_db)
    other = make_workshop(app_db, title="Ein anderer Workshop")
    _, token = make_participant(app_db, w, "Anna")
    _, outsider_token = make_participant(app_db, other, "Olga")
    moderator = {"Authorization": f"Bearer {w.moderator_key}"}
    workshop_file = client.get(f"/api/workshops/{w.id}/export?format=json", headers=moderator).get_json()
    values = {
        "workshop_id": w.id,
        "code": w.join_code,
        "filename": "css/pinboard.css",
        "workshop_file": workshop_file,
    }
    credentials: dict[str, list[dict[str, str]]] = {
        "stranger": [
            {},
            {"Authorization": "Bearer geraten"},
            {"Authorization": f"Bearer {other.moderator_key}"},
        ],
        "other_participant": [{"Authorization": f"Bearer {outsider_token}"}],
        "participant": [{"Authorization": f"Bearer {token}"}],
        "projector": [{"Authorization": f"Bearer {w.projector_key}"}],
        "moderator": [moderator],  # last: it may delete the workshop
    }
    for role in ROLES:
        for headers in credentials[role]:
            before = server_snapshot(app_db, w)
            response = http_request(app, client, endpoint, method, values, headers)
            response.close()  # a static file is sent from an open file
            expected = HTTP_TABLE[route][role]
            assert response.status_code == expected, (role, headers, response.get_data(as_text=True)[:300])
            if expected >= 400:
                assert response.get_json()["error"]["code"] == "unauthorized"
                assert server_snapshot(app_db, w) == before
            elif endpoint == "api.snapshot":
                assert response.get_json()["workshop"]["id"] == w.id
                assert response.get_json()["you"]["role"] == role
