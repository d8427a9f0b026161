"""The Socket.IO protocol of docs/protocol.md, through Flask-SocketIO's test client.

Every test talks to the real adapter (pinboard.realtime) on a real database: connect auth, acks,
broadcasts, every error code, who may do what, idempotent posting, sync, ordering across clients,
text that looks like markup, and that no participant ever sees a moderator or projector key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pinboard import boards as board_ops
from pinboard import cards as card_ops
from pinboard.actors import Actor
from pinboard.app import create_app, database_of, socketio_of
from pinboard.config import Settings
from pinboard.database import Database
from pinboard.models import Card, Workshop, utcnow
from pinboard.realtime import OPERATIONS
from pinboard.snapshots import build_snapshot
from tests.conftest import WorkshopFixture, make_participant, make_workshop, new_client_id
from tests.replica import Replica, shape_of

EVENTS = [
    "card:create",
    "card:update",
    "card:move",
    "card:delete",
    "cluster:create",
    "cluster:update",
    "cluster:move",
    "cluster:delete",
    "board:create",
    "board:update",
    "board:move",
    "board:activate",
    "workshop:update",
    "cards:reveal",
    "participant:done",
    "sync",
]

CARD_KEYS = {
    "id",
    "board_id",
    "cluster_id",
    "position",
    "text",
    "color",
    "author_id",
    "author_name",
    "author_role",
    "client_id",
    "hidden",
    "on_paper",
    "stacked_on_id",
    "created_at",
    "updated_at",
}
SNAPSHOT_CARD_KEYS = CARD_KEYS | {"stack"}  # a top card lists the cards stacked on it
CLUSTER_KEYS = {"id", "board_id", "name", "position", "list_style", "headline"}
BOARD_KEYS = {"id", "title", "position", "settings"}
SNAPSHOT_BOARD_KEYS = BOARD_KEYS | {"clusters", "unsorted", "done_count", "done", "vote", "timer"}
SETTINGS_KEYS = {
    "locked",
    "participants_can_move",
    "participants_choose_cluster",
    "numbered_clusters",
    "participants_choose_color",
    "hidden",
}
WORKSHOP_KEYS = {
    "id",
    "title",
    "event",
    "date",
    "place",
    "language",
    "agenda",
    "join_code",
    "active_board_id",
    "focus",
    "created_at",
}
SNAPSHOT_KEYS = {"seq", "workshop", "you", "participant_count", "boards"}

# The board the participants work on lets them sort cards; the second one does not.
ROOM_BOARDS = [
    {
        "title": "Einstieg",
        "clusters": ["Rahmenbedingungen", "Spannungsfelder"],
        "participants_can_move": True,
    },
    {"title": "Erfahrungsaustausch", "clusters": ["Grundhaltung"]},
]


# ---- helpers -----------------------------------------------------------------------------


def moderator_auth(w: WorkshopFixture) -> dict[str, Any]:
    return {"workshop": w.id, "moderator_key": w.moderator_key}


def projector_auth(w: WorkshopFixture) -> dict[str, Any]:
    return {"workshop": w.id, "projector_key": w.projector_key}


def participant_auth(w: WorkshopFixture, token: str) -> dict[str, Any]:
    return {"workshop": w.id, "token": token}


def events(test_client: Any) -> list[dict[str, Any]]:
    """The `event` messages the client received since last asked (nothing else may have arrived,
    but for the moderator's `history` message, tested in test_realtime_history.py)."""
    received = [m for m in test_client.get_received() if m["name"] != "history"]
    for message in received:
        assert message["name"] == "event", message
        assert message["namespace"] == "/", message
        assert len(message["args"]) == 1, message
    return [message["args"][0] for message in received]


def last_seq(db: Database, workshop_id: str) -> int:
    with db.read() as s:
        return s.get_one(Workshop, workshop_id).last_seq


def server_snapshot(db: Database, w: WorkshopFixture) -> dict[str, Any]:
    with db.read() as s:
        return build_snapshot(s, w.moderator)


def post_card(db: Database, actor: Actor, board_id: int, text: str, cluster_id: int | None = None) -> int:
    with db.write() as s:
        outcome = card_ops.create_card(
            s, actor, client_id=new_client_id(), board_id=board_id, text=text, cluster_id=cluster_id
        )
        return int(outcome.data["id"])


def sync_snapshot(test_client: Any) -> dict[str, Any]:
    ack = test_client.emit("sync", {}, callback=True)
    assert ack["ok"] is True, ack
    assert set(ack["data"]) == {"snapshot", "server_time", "server"}, ack
    return ack["data"]["snapshot"]  # type: ignore[no-any-return]


def assert_failed(ack: Any, code: str) -> dict[str, Any]:
    """A failure ack with this code and a message; returns the error."""
    assert isinstance(ack, dict) and set(ack) == {"ok", "error"}, ack
    assert ack["ok"] is False, ack
    error = ack["error"]
    assert error["code"] == code, ack
    assert isinstance(error["message"], str) and error["message"], ack
    assert set(error) <= {"code", "message", "fields"}, ack
    return error  # type: ignore[no-any-return]


def secrets_of(w: WorkshopFixture) -> list[str]:
    """The moderator and projector keys and the hashes the server keeps of them."""
    keys = [w.moderator_key, w.projector_key]
    return keys + [hashlib.sha256(key.encode()).hexdigest() for key in keys]


@dataclass
class Room:
    """One workshop with a moderator, a projector and two participants connected, and a second
    workshop whose participant is connected to it (to see that nothing leaks across)."""

    db: Database
    w: WorkshopFixture
    other: WorkshopFixture
    anna: Actor
    anna_token: str
    ben: Actor
    ben_token: str
    outsider_token: str
    anna_card: int  # Anna's, unsorted on board 0
    ben_card: int  # Ben's, unsorted on board 0 after Anna's
    moderator_card: int  # the moderator's, in cluster c00
    anna_card_b1: int  # Anna's, unsorted on board 1 (where participants may not move cards)
    other_card: int  # on the other workshop's first board
    clients: dict[str, Any]
    outsider: Any
    connect: Callable[[Any], Any] = field(repr=False)

    @property
    def b0(self) -> int:
        return self.w.board_ids[0]

    @property
    def b1(self) -> int:
        return self.w.board_ids[1]

    @property
    def c00(self) -> int:
        return self.w.cluster_ids[0][0]

    @property
    def c01(self) -> int:
        return self.w.cluster_ids[0][1]

    @property
    def c10(self) -> int:
        return self.w.cluster_ids[1][0]

    def seq(self) -> int:
        return last_seq(self.db, self.w.id)

    def snapshot(self) -> dict[str, Any]:
        return server_snapshot(self.db, self.w)

    def received(self) -> dict[str, list[dict[str, Any]]]:
        return {name: events(test_client) for name, test_client in self.clients.items()}

    def assert_nothing_broadcast(self) -> None:
        assert self.received() == {name: [] for name in self.clients}
        assert events(self.outsider) == []


def build_room(db: Database, connect: Callable[[Any], Any]) -> Room:
    w = make_workshop(db, boards=ROOM_BOARDS)
    other = make_workshop(db, title="Ein anderer Workshop")
    anna, anna_token = make_participant(db, w, "Anna")
    ben, ben_token = make_participant(db, w, "Ben")
    olga, outsider_token = make_participant(db, other, "Olga")
    anna_card = post_card(db, anna, w.board_ids[0], "Augenhöhe herstellen")
    ben_card = post_card(db, ben, w.board_ids[0], "Leitsätze erstellen")
    moderator_card = post_card(db, w.moderator, w.board_ids[0], "Feedback geben", w.cluster_ids[0][0])
    anna_card_b1 = post_card(db, anna, w.board_ids[1], "Netzwerke pflegen")
    other_card = post_card(db, olga, other.board_ids[0], "Karte eines anderen Workshops")
    clients = {
        "moderator": connect(moderator_auth(w)),
        "projector": connect(projector_auth(w)),
        "anna": connect(participant_auth(w, anna_token)),
        "ben": connect(participant_auth(w, ben_token)),
    }
    outsider = connect(participant_auth(other, outsider_token))
    for test_client in [*clients.values(), outsider]:
        assert test_client.is_connected()
        assert test_client.get_received() == []
    return Room(
        db=db,
        w=w,
        other=other,
        anna=anna,
        anna_token=anna_token,
        ben=ben,
        ben_token=ben_token,
        outsider_token=outsider_token,
        anna_card=anna_card,
        ben_card=ben_card,
        moderator_card=moderator_card,
        anna_card_b1=anna_card_b1,
        other_card=other_card,
        clients=clients,
        outsider=outsider,
        connect=connect,
    )


@pytest.fixture
def room(app_db: Database, socket_client: Callable[..., Any]) -> Room:
    return build_room(app_db, socket_client)


@dataclass
class CustomApp:
    app: Any
    db: Database
    connect: Callable[[Any], Any]


@pytest.fixture
def make_app(tmp_path: Path, database_url: str) -> Iterator[Callable[..., CustomApp]]:
    """Factory: an app built by create_app with settings of the test's choosing (same database
    backend as the test), and a function that connects Flask-SocketIO test clients to it."""
    apps: list[Any] = []
    test_clients: list[Any] = []

    def build(**overrides: Any) -> CustomApp:
        settings = Settings(
            instance_path=str(tmp_path / f"instance-{len(apps)}"),
            database_url=database_url,
            secret_key="test-secret",
            async_mode="threading",
            **overrides,
        )
        application = create_app(settings, test_config={"TESTING": True})
        apps.append(application)

        def connect(auth: Any) -> Any:
            test_client = socketio_of(application).test_client(application, auth=auth)
            test_clients.append(test_client)
            return test_client

        return CustomApp(application, database_of(application), connect)

    yield build
    for test_client in test_clients:
        if test_client.is_connected():
            test_client.disconnect()
    for application in apps:
        database_of(application).dispose()


def join_background_tasks(before: set[threading.Thread], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    for thread in set(threading.enumerate()) - before:
        thread.join(max(0.0, deadline - time.monotonic()))
        assert not thread.is_alive(), f"background task {thread.name} still running"


def on_postgresql(database_url: str) -> bool:
    return database_url.startswith("postgres")


# ---- connecting --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["moderator", "projector", "anna"])
def test_each_role_connects_and_sync_says_who_it_is(room: Room, role: str) -> None:
    snapshot = sync_snapshot(room.clients[role])
    expected = {
        "moderator": {"role": "moderator", "participant_id": None},
        "projector": {"role": "projector", "participant_id": None},
        "anna": {"role": "participant", "participant_id": room.anna.participant_id},
    }[role]
    assert snapshot["you"] == expected
    assert snapshot["workshop"]["id"] == room.w.id


def _refused_auths(room: Room) -> dict[str, Any]:
    w, other = room.w, room.other
    return {
        "no auth": None,
        "a string": "garbage",
        "a list": [w.id, w.moderator_key],
        "an empty object": {},
        "no credential": {"workshop": w.id},
        "no workshop": {"moderator_key": w.moderator_key},
        "workshop null": {"workshop": None, "moderator_key": w.moderator_key},
        "workshop not a string": {"workshop": [w.id], "moderator_key": w.moderator_key},
        "unknown workshop": {"workshop": "gibt-es-nicht", "moderator_key": w.moderator_key},
        "wrong moderator key": {"workshop": w.id, "moderator_key": w.moderator_key[:-2] + "xx"},
        "moderator key not a string": {"workshop": w.id, "moderator_key": 12345},
        "projector key as moderator key": {"workshop": w.id, "moderator_key": w.projector_key},
        "wrong projector key": {"workshop": w.id, "projector_key": "falsch"},
        "moderator key as participant token": {"workshop": w.id, "token": w.moderator_key},
        "wrong participant token": {"workshop": w.id, "token": room.anna_token + "x"},
        "empty participant token": {"workshop": w.id, "token": ""},
        "participant token null": {"workshop": w.id, "token": None},
        "moderator key of another workshop": {"workshop": w.id, "moderator_key": other.moderator_key},
        "moderator key on another workshop": {"workshop": other.id, "moderator_key": w.moderator_key},
        "participant token on another workshop": {"workshop": other.id, "token": room.anna_token},
        "other workshop's token on this one": {"workshop": w.id, "token": room.outsider_token},
    }


REFUSED_NAMES = [
    "no auth",
    "a string",
    "a list",
    "an empty object",
    "no credential",
    "no workshop",
    "workshop null",
    "workshop not a string",
    "unknown workshop",
    "wrong moderator key",
    "moderator key not a string",
    "projector key as moderator key",
    "wrong projector key",
    "moderator key as participant token",
    "wrong participant token",
    "empty participant token",
    "participant token null",
    "moderator key of another workshop",
    "moderator key on another workshop",
    "participant token on another workshop",
    "other workshop's token on this one",
]


@pytest.mark.parametrize("case", REFUSED_NAMES)
def test_a_missing_garbage_or_wrong_credential_is_refused(room: Room, case: str) -> None:
    auths = _refused_auths(room)
    assert set(auths) == set(REFUSED_NAMES)
    refused = room.connect(auths[case])
    assert not refused.is_connected()
    # It is in no room: a change in either workshop does not reach it.
    ack = room.clients["moderator"].emit(
        "card:create",
        {"client_id": new_client_id(), "board_id": room.b0, "text": "Nach der Abweisung"},
        callback=True,
    )
    assert ack["ok"] is True, ack
    assert len(room.received()["moderator"]) == 1
    assert refused.queue == []  # the test client's inbox: nothing was sent to the refused client


def test_a_participant_token_is_refused_on_another_workshop(room: Room) -> None:
    on_own = room.connect(participant_auth(room.w, room.anna_token))
    on_other = room.connect(participant_auth(room.other, room.anna_token))
    assert on_own.is_connected()
    assert not on_other.is_connected()


def test_a_wrong_key_next_to_a_valid_token_connects_only_as_that_participant(room: Room) -> None:
    mixed = room.connect({"workshop": room.w.id, "moderator_key": "geraten", "token": room.anna_token})
    assert mixed.is_connected()
    assert sync_snapshot(mixed)["you"] == {"role": "participant", "participant_id": room.anna.participant_id}
    assert_failed(mixed.emit("board:activate", {"board_id": room.b1}, callback=True), "forbidden")


def test_a_closed_workshop_refuses_connections(room: Room) -> None:
    with room.db.write() as s:
        s.get_one(Workshop, room.w.id).closed_at = utcnow()
    for auth in (moderator_auth(room.w), projector_auth(room.w), participant_auth(room.w, room.anna_token)):
        assert not room.connect(auth).is_connected()


@pytest.mark.parametrize("bad", ["\x00", "\ud800"], ids=["NUL", "lone surrogate"])
def test_a_workshop_id_with_a_nul_or_lone_surrogate_is_refused_not_a_crash(
    room: Room, database_url: str, request: pytest.FixtureRequest, bad: str
) -> None:
    refused = room.connect({"workshop": room.w.id + bad, "token": room.anna_token})
    assert not refused.is_connected()


def test_credentials_with_a_nul_or_lone_surrogate_are_refused(room: Room) -> None:
    for bad in ("\x00", "\ud800"):
        for slot in ("moderator_key", "projector_key", "token"):
            assert not room.connect({"workshop": room.w.id, slot: room.w.moderator_key + bad}).is_connected()


# ---- every client event: ack and one broadcast -------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    sender: str
    event: str
    payload: Callable[[Room], dict[str, Any]]
    type: str
    keys: set[str]
    expect: Callable[[Room, dict[str, Any]], dict[str, Any]]  # a subset of the ack's data
    extra: Callable[[Room, dict[str, Any]], bool] = lambda room, data: True


def _new_card(room: Room, **fields: Any) -> dict[str, Any]:
    return {"client_id": new_client_id(), "board_id": room.b0, "text": "Mehr Zeit für Austausch", **fields}


def _set_board(room: Room, **settings: Any) -> None:
    """Change board 0's settings behind the clients' backs (no broadcast)."""
    with room.db.write() as s:
        board_ops.update_board(s, room.w.moderator, board_id=room.b0, **settings)


def _hidden_card(room: Room, text: str = "Verdeckt: Mut zur Lücke") -> int:
    """A hidden card of Anna's on board 0 (the board runs a hidden card query from now on)."""
    _set_board(room, hidden=True)
    return post_card(room.db, room.anna, room.b0, text)


SETTINGS_OFF = {name: False for name in SETTINGS_KEYS}

CASES = [
    Case(
        "participant posts a card",
        "anna",
        "card:create",
        lambda r: _new_card(r),
        "card.created",
        CARD_KEYS,
        lambda r, p: {
            "board_id": r.b0,
            "cluster_id": None,
            "position": 2,
            "text": "Mehr Zeit für Austausch",
            "color": "yellow",
            "author_id": r.anna.participant_id,
            "author_name": "Anna",
            "author_role": "participant",
            "client_id": p["client_id"],
        },
    ),
    Case(
        "moderator posts a card into a cluster",
        "moderator",
        "card:create",
        lambda r: _new_card(r, cluster_id=r.c00, text="Rollen klären", color="green"),
        "card.created",
        CARD_KEYS,
        lambda r, p: {
            "board_id": r.b0,
            "cluster_id": r.c00,
            "position": 1,
            "text": "Rollen klären",
            "color": "green",
            "author_id": None,
            "author_name": "",
            "author_role": "moderator",
            "client_id": p["client_id"],
        },
    ),
    Case(
        "participant edits their own card and its colour where the board allows it",
        "anna",
        "card:update",
        lambda r: (
            _set_board(r, participants_choose_color=True),
            {"card_id": r.anna_card, "text": "Augenhöhe herstellen!", "color": "pink"},
        )[1],
        "card.updated",
        CARD_KEYS,
        lambda r, p: {
            "id": r.anna_card,
            "text": "Augenhöhe herstellen!",
            "color": "pink",
            "author_id": r.anna.participant_id,
            "board_id": r.b0,
            "cluster_id": None,
            "position": 0,
        },
    ),
    Case(
        "moderator edits a participant's card",
        "moderator",
        "card:update",
        lambda r: {"card_id": r.ben_card, "text": "Leitsätze gemeinsam erstellen"},
        "card.updated",
        CARD_KEYS,
        lambda r, p: {
            "id": r.ben_card,
            "text": "Leitsätze gemeinsam erstellen",
            "color": "yellow",
            "author_id": r.ben.participant_id,
            "author_name": "Ben",
        },
    ),
    Case(
        "participant sorts a card where the board allows it (index clamped)",
        "anna",
        "card:move",
        lambda r: {"card_id": r.ben_card, "cluster_id": r.c01, "index": 5},
        "card.moved",
        {"card_id", "board_id", "cluster_id", "index"},
        lambda r, p: {"card_id": r.ben_card, "board_id": r.b0, "cluster_id": r.c01, "index": 0},
    ),
    Case(
        "moderator moves a card within unsorted",
        "moderator",
        "card:move",
        lambda r: {"card_id": r.ben_card, "cluster_id": None, "index": 0},
        "card.moved",
        {"card_id", "board_id", "cluster_id", "index"},
        lambda r, p: {"card_id": r.ben_card, "board_id": r.b0, "cluster_id": None, "index": 0},
    ),
    Case(
        "moderator moves a card to another board's cluster",
        "moderator",
        "card:move",
        lambda r: {"card_id": r.moderator_card, "cluster_id": r.c10, "board_id": r.b1},
        "card.moved",
        {"card_id", "board_id", "cluster_id", "index"},
        lambda r, p: {"card_id": r.moderator_card, "board_id": r.b1, "cluster_id": r.c10, "index": 0},
    ),
    Case(
        "moderator moves a card to another board's unsorted area",
        "moderator",
        "card:move",
        lambda r: {"card_id": r.anna_card, "cluster_id": None, "board_id": r.b1, "index": 0},
        "card.moved",
        {"card_id", "board_id", "cluster_id", "index"},
        lambda r, p: {"card_id": r.anna_card, "board_id": r.b1, "cluster_id": None, "index": 0},
    ),
    Case(
        "participant deletes their own card",
        "anna",
        "card:delete",
        lambda r: {"card_id": r.anna_card},
        "card.deleted",
        {"card_id", "board_id", "cluster_id", "stacked_on_id"},
        lambda r, p: {"card_id": r.anna_card, "board_id": r.b0, "cluster_id": None, "stacked_on_id": None},
    ),
    Case(
        "moderator deletes a card",
        "moderator",
        "card:delete",
        lambda r: {"card_id": r.moderator_card},
        "card.deleted",
        {"card_id", "board_id", "cluster_id", "stacked_on_id"},
        lambda r, p: {"card_id": r.moderator_card, "board_id": r.b0, "cluster_id": r.c00},
    ),
    Case(
        "moderator adds a cluster at the front",
        "moderator",
        "cluster:create",
        lambda r: {"board_id": r.b0, "name": "Ressourcen", "index": 0, "list_style": "number"},
        "cluster.created",
        CLUSTER_KEYS,
        lambda r, p: {"board_id": r.b0, "name": "Ressourcen", "position": 0, "list_style": "number"},
    ),
    Case(
        "moderator renames a cluster",
        "moderator",
        "cluster:update",
        lambda r: {"cluster_id": r.c01, "name": "Spannungsfelder im Netzwerk", "list_style": "letter"},
        "cluster.updated",
        CLUSTER_KEYS,
        lambda r, p: {
            "id": r.c01,
            "board_id": r.b0,
            "name": "Spannungsfelder im Netzwerk",
            "position": 1,
            "list_style": "letter",
        },
    ),
    Case(
        "moderator reorders clusters",
        "moderator",
        "cluster:move",
        lambda r: {"cluster_id": r.c00, "index": 1},
        "cluster.moved",
        {"cluster_id", "board_id", "index"},
        lambda r, p: {"cluster_id": r.c00, "board_id": r.b0, "index": 1},
    ),
    Case(
        "moderator gives a cluster its headline",
        "moderator",
        "cluster:update",
        lambda r: {"cluster_id": r.c01, "headline": "Zwischen Tempo und Beteiligung"},
        "cluster.updated",
        CLUSTER_KEYS,
        lambda r, p: {"id": r.c01, "name": "Spannungsfelder", "headline": "Zwischen Tempo und Beteiligung"},
    ),
    Case(
        "moderator reveals the hidden cards of a board",
        "moderator",
        "cards:reveal",
        lambda r: (_hidden_card(r), {"board_id": r.b0})[1],
        "cards.revealed",
        {"board_id", "cards"},
        lambda r, p: {"board_id": r.b0},
        lambda r, data: (
            [(c["text"], c["hidden"], c["author_name"], set(c)) for c in data["cards"]]
            == [("Verdeckt: Mut zur Lücke", False, "Anna", CARD_KEYS)]
        ),
    ),
    Case(
        "participant says they are done",
        "ben",
        "participant:done",
        lambda r: {"board_id": r.b0, "done": True},
        "participant.done",
        {"board_id", "done", "done_count"},
        lambda r, p: {"board_id": r.b0, "done": True, "done_count": 1},
    ),
    Case(
        "moderator deletes a cluster with a card",
        "moderator",
        "cluster:delete",
        lambda r: {"cluster_id": r.c00},
        "cluster.deleted",
        {"cluster_id", "board_id", "card_ids"},
        lambda r, p: {"cluster_id": r.c00, "board_id": r.b0, "card_ids": [r.moderator_card]},
    ),
    Case(
        "moderator adds a board with clusters",
        "moderator",
        "board:create",
        lambda r: {
            "title": "Ausblick",
            "clusters": ["Nächste Schritte", "Offene Fragen"],
            "index": 1,
            "numbered_clusters": True,
        },
        "board.created",
        BOARD_KEYS | {"clusters"},
        lambda r, p: {
            "title": "Ausblick",
            "position": 1,
            "settings": {**SETTINGS_OFF, "numbered_clusters": True},
        },
        lambda r, data: (
            [(c["name"], c["position"], c["board_id"], set(c)) for c in data["clusters"]]
            == [
                ("Nächste Schritte", 0, data["id"], CLUSTER_KEYS),
                ("Offene Fragen", 1, data["id"], CLUSTER_KEYS),
            ]
        ),
    ),
    Case(
        "moderator changes a board's title and settings",
        "moderator",
        "board:update",
        lambda r: {
            "board_id": r.b1,
            "title": "Austausch",
            "locked": True,
            "participants_choose_cluster": True,
        },
        "board.updated",
        BOARD_KEYS,
        lambda r, p: {
            "id": r.b1,
            "title": "Austausch",
            "position": 1,
            "settings": {**SETTINGS_OFF, "locked": True, "participants_choose_cluster": True},
        },
    ),
    Case(
        "moderator starts a hidden card query and lets participants choose colours",
        "moderator",
        "board:update",
        lambda r: {"board_id": r.b0, "hidden": True, "participants_choose_color": True},
        "board.updated",
        BOARD_KEYS,
        lambda r, p: {
            "id": r.b0,
            "settings": {
                **SETTINGS_OFF,
                "participants_can_move": True,
                "hidden": True,
                "participants_choose_color": True,
            },
        },
    ),
    Case(
        "moderator reorders boards",
        "moderator",
        "board:move",
        lambda r: {"board_id": r.b1, "index": 0},
        "board.moved",
        {"board_id", "index"},
        lambda r, p: {"board_id": r.b1, "index": 0},
    ),
    Case(
        "moderator activates a board",
        "moderator",
        "board:activate",
        lambda r: {"board_id": r.b1},
        "board.activated",
        {"board_id"},
        lambda r, p: {"board_id": r.b1},
    ),
    Case(
        "moderator changes the workshop's details",
        "moderator",
        "workshop:update",
        lambda r: {
            "title": "Kommunale Steuerung",
            "event": "",
            "date": "2017-06-14",
            "place": "Köln",
            "language": "en",
            "agenda": ["Begrüßung", "Ausblick"],
        },
        "workshop.updated",
        WORKSHOP_KEYS,
        lambda r, p: {
            "id": r.w.id,
            "title": "Kommunale Steuerung",
            "event": "",
            "date": "2017-06-14",
            "place": "Köln",
            "language": "en",
            "agenda": ["Begrüßung", "Ausblick"],
            "join_code": r.w.join_code,
            "active_board_id": r.b0,
        },
    ),
]

WRAPPED = {
    "card.created": "card",
    "card.updated": "card",
    "cluster.created": "cluster",
    "cluster.updated": "cluster",
    "board.created": "board",
    "board.updated": "board",
    "workshop.updated": "workshop",
}


def assert_event_carries_the_ack(
    event_type: str, event_data: dict[str, Any], ack_data: dict[str, Any]
) -> None:
    """The event's data as docs/protocol.md's events table says, built from the same change."""
    if event_type == "participant.done":  # the room learns how many are done, never who
        assert event_data == {"board_id": ack_data["board_id"], "done_count": ack_data["done_count"]}
        return
    if event_type not in WRAPPED:
        assert event_data == ack_data
        return
    key = WRAPPED[event_type]
    assert event_data[key] == ack_data
    if event_type.endswith(".created"):
        assert set(event_data) == {key, "index"}
        assert event_data["index"] == ack_data["position"]
    else:
        assert set(event_data) == {key}


# Dot voting and the timer have protocol tests of their own (test_realtime_voting.py,
# test_realtime_timer.py), with their own permission matrices.
# Stacking, focus and undo too (test_realtime_stacks.py, test_realtime_history.py).
METHOD_EVENTS = {
    name
    for name in OPERATIONS
    if name.split(":")[0] in ("vote", "timer", "focus", "history") or name in ("card:stack", "card:unstack")
}


def test_the_cases_cover_every_client_event() -> None:
    assert set(EVENTS) == {*OPERATIONS, "sync"} - METHOD_EVENTS
    assert {case.event for case in CASES} == set(OPERATIONS) - METHOD_EVENTS


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_client_event_acks_and_broadcasts_one_event_to_the_room(room: Room, case: Case) -> None:
    payload = case.payload(room)  # may prepare the room first (behind the clients' backs)
    before = room.snapshot()

    ack = room.clients[case.sender].emit(case.event, payload, callback=True)

    assert isinstance(ack, dict) and set(ack) == {"ok", "data", "seq"}, ack
    assert ack["ok"] is True, ack
    assert ack["seq"] == before["seq"] + 1
    data = ack["data"]
    assert set(data) == case.keys
    expected = case.expect(room, payload)
    assert {name: data[name] for name in expected} == expected
    assert case.extra(room, data), data

    received = room.received()
    message = received["moderator"][0] if received["moderator"] else None
    assert message is not None and set(message) == {"seq", "type", "data"}, received
    assert received == {name: [message] for name in room.clients}  # one event, to everyone in the room
    assert message["seq"] == ack["seq"]
    assert message["type"] == case.type
    assert_event_carries_the_ack(case.type, message["data"], data)
    assert events(room.outsider) == []  # nothing to another workshop

    after = room.snapshot()
    assert after["seq"] == ack["seq"]
    replica = Replica(before)
    assert replica.apply(message)
    assert replica.shape() == shape_of(after)
    assert replica.workshop == after["workshop"]


def test_sync_acks_with_the_current_seq_and_broadcasts_nothing(room: Room) -> None:
    for name, test_client in room.clients.items():
        ack = test_client.emit("sync", {}, callback=True)
        assert set(ack) == {"ok", "data", "seq"}
        assert ack["ok"] is True
        assert ack["seq"] == room.seq() == ack["data"]["snapshot"]["seq"], name
    room.assert_nothing_broadcast()


def test_sequence_numbers_count_up_by_one_per_change(room: Room) -> None:
    start = room.seq()
    seqs = []
    for number in range(5):
        ack = room.clients["ben"].emit("card:create", _new_card(room, text=f"Idee {number}"), callback=True)
        seqs.append(ack["seq"])
    assert seqs == list(range(start + 1, start + 6))
    for name, messages in room.received().items():
        assert [m["seq"] for m in messages] == seqs, name


# ---- who may do what ---------------------------------------------------------------------
# Every event against every role: tests/test_authorisation.py. Here the finer rules.


def test_a_participant_may_not_touch_other_participants_cards(room: Room) -> None:
    before = room.snapshot()
    ben = room.clients["ben"]
    assert_failed(
        ben.emit("card:update", {"card_id": room.anna_card, "text": "Meins jetzt"}, callback=True),
        "forbidden",
    )
    assert_failed(
        ben.emit("card:update", {"card_id": room.anna_card, "color": "blue"}, callback=True), "forbidden"
    )
    assert_failed(ben.emit("card:delete", {"card_id": room.anna_card}, callback=True), "forbidden")
    assert_failed(ben.emit("card:delete", {"card_id": room.moderator_card}, callback=True), "forbidden")
    room.assert_nothing_broadcast()
    assert room.snapshot() == before


def test_a_participant_moves_cards_only_where_the_board_allows_and_only_within_it(room: Room) -> None:
    before = room.snapshot()
    anna = room.clients["anna"]
    # Board 1 does not let participants move cards, not even their own.
    assert_failed(
        anna.emit("card:move", {"card_id": room.anna_card_b1, "cluster_id": room.c10}, callback=True),
        "forbidden",
    )
    # Never to another board, not even from a board where they may sort.
    assert_failed(
        anna.emit(
            "card:move", {"card_id": room.anna_card, "cluster_id": None, "board_id": room.b1}, callback=True
        ),
        "forbidden",
    )
    assert_failed(
        anna.emit("card:move", {"card_id": room.anna_card, "cluster_id": room.c10}, callback=True),
        "forbidden",
    )
    room.assert_nothing_broadcast()
    assert room.snapshot() == before


def test_a_participant_chooses_a_cluster_only_where_the_board_allows_it(room: Room) -> None:
    anna = room.clients["anna"]
    assert_failed(anna.emit("card:create", _new_card(room, cluster_id=room.c00), callback=True), "forbidden")
    room.assert_nothing_broadcast()

    allowed = room.clients["moderator"].emit(
        "board:update", {"board_id": room.b0, "participants_choose_cluster": True}, callback=True
    )
    assert allowed["ok"] is True, allowed
    room.received()
    ack = anna.emit("card:create", _new_card(room, cluster_id=room.c00), callback=True)
    assert ack["ok"] is True, ack
    assert (ack["data"]["cluster_id"], ack["data"]["position"]) == (room.c00, 1)
    assert [m["type"] for m in room.received()["projector"]] == ["card.created"]


# ---- error codes -------------------------------------------------------------------------


INVALID: list[tuple[str, str, str, Callable[[Room], dict[str, Any]], str]] = [
    (
        "unknown field",
        "anna",
        "card:create",
        lambda r: _new_card(r, author_id=r.ben.participant_id),
        "author_id",
    ),
    (
        "unknown field in an update",
        "moderator",
        "board:update",
        lambda r: {"board_id": r.b0, "position": 3},
        "position",
    ),
    ("unknown field in sync", "anna", "sync", lambda r: {"full": True}, "full"),
    ("id as a string", "anna", "card:create", lambda r: _new_card(r, board_id=str(r.b0)), "board_id"),
    ("id as a float", "moderator", "cluster:delete", lambda r: {"cluster_id": float(r.c00)}, "cluster_id"),
    ("bool as id", "moderator", "card:delete", lambda r: {"card_id": True}, "card_id"),
    (
        "bool as cluster id",
        "moderator",
        "card:move",
        lambda r: {"card_id": r.anna_card, "cluster_id": True},
        "cluster_id",
    ),
    ("bool as board id", "moderator", "board:activate", lambda r: {"board_id": False}, "board_id"),
    ("bool as index", "moderator", "cluster:move", lambda r: {"cluster_id": r.c00, "index": True}, "index"),
    ("negative index", "moderator", "board:move", lambda r: {"board_id": r.b0, "index": -1}, "index"),
    ("id zero", "moderator", "card:update", lambda r: {"card_id": 0, "text": "x"}, "card_id"),
    ("id beyond 32 bits", "moderator", "card:delete", lambda r: {"card_id": 2**31}, "card_id"),
    ("number as flag", "moderator", "board:update", lambda r: {"board_id": r.b0, "locked": 1}, "locked"),
    (
        "string as flag",
        "moderator",
        "board:create",
        lambda r: {"title": "B", "participants_can_move": "true"},
        "participants_can_move",
    ),
    ("empty text", "anna", "card:create", lambda r: _new_card(r, text=""), "text"),
    ("whitespace text", "anna", "card:create", lambda r: _new_card(r, text="  \n\t  "), "text"),
    ("text of 501 characters", "anna", "card:create", lambda r: _new_card(r, text="x" * 501), "text"),
    (
        "edit to 501 characters",
        "anna",
        "card:update",
        lambda r: {"card_id": r.anna_card, "text": "ä" * 501},
        "text",
    ),
    ("edit to whitespace", "anna", "card:update", lambda r: {"card_id": r.anna_card, "text": "   "}, "text"),
    ("text not a string", "anna", "card:create", lambda r: _new_card(r, text=42), "text"),
    ("text null", "anna", "card:update", lambda r: {"card_id": r.anna_card, "text": None}, "text"),
    ("control character", "anna", "card:create", lambda r: _new_card(r, text="Glocke\x07"), "text"),
    ("unpaired surrogate", "anna", "card:create", lambda r: _new_card(r, text="Idee \ud800"), "text"),
    (
        "cluster name of 121 characters",
        "moderator",
        "cluster:create",
        lambda r: {"board_id": r.b0, "name": "n" * 121},
        "name",
    ),
    (
        "rename to 121 characters",
        "moderator",
        "cluster:update",
        lambda r: {"cluster_id": r.c00, "name": "n" * 121},
        "name",
    ),
    (
        "cluster name with a line break",
        "moderator",
        "cluster:create",
        lambda r: {"board_id": r.b0, "name": "a\nb"},
        "name",
    ),
    ("empty cluster name", "moderator", "cluster:create", lambda r: {"board_id": r.b0, "name": " "}, "name"),
    (
        "board cluster of 121 characters",
        "moderator",
        "board:create",
        lambda r: {"title": "B", "clusters": ["n" * 121]},
        "clusters",
    ),
    (
        "board title of 201 characters",
        "moderator",
        "board:update",
        lambda r: {"board_id": r.b0, "title": "t" * 201},
        "title",
    ),
    ("unknown colour", "anna", "card:create", lambda r: _new_card(r, color="purple"), "color"),
    (
        "unknown list style",
        "moderator",
        "cluster:create",
        lambda r: {"board_id": r.b0, "name": "A", "list_style": "roman"},
        "list_style",
    ),
    ("client_id too short", "anna", "card:create", lambda r: _new_card(r, client_id="abc"), "client_id"),
    (
        "client_id with spaces",
        "anna",
        "card:create",
        lambda r: _new_card(r, client_id="abc def ghi jkl"),
        "client_id",
    ),
    ("missing field", "moderator", "card:move", lambda r: {"card_id": r.anna_card}, "cluster_id"),
    ("missing id", "moderator", "cluster:delete", lambda r: {}, "cluster_id"),
    ("nothing to change on a card", "anna", "card:update", lambda r: {"card_id": r.anna_card}, "_schema"),
    ("nothing to change on the workshop", "moderator", "workshop:update", lambda r: {}, "_schema"),
    ("bad date", "moderator", "workshop:update", lambda r: {"date": "14.06.2017"}, "date"),
    ("unknown language", "moderator", "workshop:update", lambda r: {"language": "fr"}, "language"),
    ("since as a string", "anna", "sync", lambda r: {"since": "3"}, "since"),
    ("negative since", "anna", "sync", lambda r: {"since": -1}, "since"),
    ("bool as since", "anna", "sync", lambda r: {"since": True}, "since"),
]


@pytest.mark.parametrize(
    ("sender", "event", "payload", "field_name"),
    [case[1:] for case in INVALID],
    ids=[case[0] for case in INVALID],
)
def test_invalid_payloads_are_refused_with_the_field_and_change_nothing(
    room: Room, sender: str, event: str, payload: Callable[[Room], dict[str, Any]], field_name: str
) -> None:
    before = room.snapshot()
    error = assert_failed(room.clients[sender].emit(event, payload(room), callback=True), "invalid")
    assert field_name in error["fields"], error
    room.assert_nothing_broadcast()
    assert room.snapshot() == before


def test_the_limits_themselves_are_allowed(room: Room) -> None:
    moderator = room.clients["moderator"]
    card = room.clients["anna"].emit(
        "card:create", _new_card(room, text="  " + "x" * 500 + "\n "), callback=True
    )
    assert card["ok"] is True, card
    assert card["data"]["text"] == "x" * 500  # trimmed, then exactly 500
    cluster = moderator.emit("cluster:create", {"board_id": room.b0, "name": "n" * 120}, callback=True)
    assert cluster["ok"] is True and cluster["data"]["name"] == "n" * 120, cluster
    multiline = room.clients["anna"].emit(
        "card:create", _new_card(room, text="Zeile 1\nZeile 2\tmit Tab"), callback=True
    )
    assert multiline["ok"] is True and multiline["data"]["text"] == "Zeile 1\nZeile 2\tmit Tab", multiline
    assert [len(messages) for messages in room.received().values()] == [3, 3, 3, 3]


@pytest.mark.parametrize("event", EVENTS)
def test_a_payload_that_is_not_an_object_is_invalid(room: Room, event: str) -> None:
    before = room.snapshot()
    for payload in ([room.b0], "card", 42, True):
        ack = room.clients["moderator"].emit(event, payload, callback=True)
        assert ack == {
            "ok": False,
            "error": {"code": "invalid", "message": "The payload must be a JSON object."},
        }
    room.assert_nothing_broadcast()
    assert room.snapshot() == before


def test_a_missing_payload_counts_as_an_empty_object(room: Room) -> None:
    synced = room.clients["anna"].emit("sync", callback=True)["data"]
    assert set(synced) == {"snapshot", "server_time", "server"}
    error = assert_failed(room.clients["anna"].emit("card:create", callback=True), "invalid")
    assert set(error["fields"]) == {"client_id", "board_id", "text"}
    room.assert_nothing_broadcast()


def _foreign_ids(r: Room) -> list[tuple[str, dict[str, Any]]]:
    o_board, o_cluster = r.other.board_ids[0], r.other.cluster_ids[0][0]
    return [
        ("card:create", _new_card(r, board_id=o_board)),
        ("card:create", _new_card(r, cluster_id=o_cluster)),
        ("card:update", {"card_id": r.other_card, "text": "Übernommen"}),
        ("card:move", {"card_id": r.other_card, "cluster_id": None}),
        ("card:move", {"card_id": r.anna_card, "cluster_id": o_cluster}),
        ("card:move", {"card_id": r.anna_card, "cluster_id": None, "board_id": o_board}),
        ("card:delete", {"card_id": r.other_card}),
        ("cluster:create", {"board_id": o_board, "name": "Eingeschleust"}),
        ("cluster:update", {"cluster_id": o_cluster, "name": "Eingeschleust"}),
        ("cluster:move", {"cluster_id": o_cluster, "index": 0}),
        ("cluster:delete", {"cluster_id": o_cluster}),
        ("board:update", {"board_id": o_board, "locked": True}),
        ("board:move", {"board_id": o_board, "index": 1}),
        ("board:activate", {"board_id": o_board}),
    ]


def test_ids_of_another_workshop_are_not_found(room: Room) -> None:
    before, other_before = room.snapshot(), server_snapshot(room.db, room.other)
    for event, payload in _foreign_ids(room):
        error = assert_failed(room.clients["moderator"].emit(event, payload, callback=True), "not_found")
        assert "fields" not in error
    for event, payload in [
        ("card:update", {"card_id": room.other_card, "text": "Übernommen"}),
        ("card:delete", {"card_id": room.other_card}),
        ("card:create", _new_card(room, board_id=room.other.board_ids[0])),
    ]:
        assert_failed(room.clients["anna"].emit(event, payload, callback=True), "not_found")
    room.assert_nothing_broadcast()
    assert room.snapshot() == before
    assert server_snapshot(room.db, room.other) == other_before


def test_unknown_and_deleted_ids_are_not_found(room: Room) -> None:
    moderator = room.clients["moderator"]
    assert moderator.emit("card:delete", {"card_id": room.moderator_card}, callback=True)["ok"]
    assert moderator.emit("cluster:delete", {"cluster_id": room.c01}, callback=True)["ok"]
    room.received()
    for event, payload in [
        ("card:update", {"card_id": room.moderator_card, "text": "Wieder da?"}),
        ("card:move", {"card_id": room.moderator_card, "cluster_id": None}),
        ("card:delete", {"card_id": room.moderator_card}),
        ("card:move", {"card_id": room.anna_card, "cluster_id": room.c01}),
        ("cluster:update", {"cluster_id": room.c01, "name": "Wieder da?"}),
        ("cluster:delete", {"cluster_id": room.c01}),
        ("card:update", {"card_id": 2**31 - 1, "text": "Nie gesehen"}),
        ("board:activate", {"board_id": 2**31 - 1}),
    ]:
        assert_failed(moderator.emit(event, payload, callback=True), "not_found")
    room.assert_nothing_broadcast()


def test_a_locked_board_stops_participants_but_not_the_moderator(room: Room) -> None:
    moderator, anna = room.clients["moderator"], room.clients["anna"]
    lock = moderator.emit("board:update", {"board_id": room.b0, "locked": True}, callback=True)
    assert lock["ok"] is True and lock["data"]["settings"]["locked"] is True, lock
    room.received()
    before = room.snapshot()
    for event, payload in [
        ("card:create", _new_card(room)),
        ("card:update", {"card_id": room.anna_card, "text": "Noch schnell geändert"}),
        ("card:move", {"card_id": room.anna_card, "cluster_id": room.c00}),
        ("card:delete", {"card_id": room.anna_card}),
    ]:
        error = assert_failed(anna.emit(event, payload, callback=True), "locked")
        assert "Einstieg" in error["message"]
    room.assert_nothing_broadcast()
    assert room.snapshot() == before

    # The other board stays open; the moderator still sorts and posts on the locked one.
    assert anna.emit("card:create", _new_card(room, board_id=room.b1), callback=True)["ok"] is True
    assert moderator.emit("card:move", {"card_id": room.anna_card, "cluster_id": room.c00}, callback=True)[
        "ok"
    ]
    assert moderator.emit("card:create", _new_card(room, text="Vom Moderator"), callback=True)["ok"] is True
    assert [m["type"] for m in room.received()["ben"]] == ["card.created", "card.moved", "card.created"]

    unlock = moderator.emit("board:update", {"board_id": room.b0, "locked": False}, callback=True)
    assert unlock["ok"] is True
    assert anna.emit("card:create", _new_card(room), callback=True)["ok"] is True


def test_rate_limited_participant_alone_and_never_the_moderator(make_app: Callable[..., CustomApp]) -> None:
    custom = make_app(rate_limit_per_minute=1, rate_limit_burst=3)
    r = build_room(custom.db, custom.connect)
    anna, ben, moderator = r.clients["anna"], r.clients["ben"], r.clients["moderator"]

    for _ in range(3):
        assert anna.emit("sync", {}, callback=True)["ok"] is True
    before = r.snapshot()
    for event, payload in [
        ("card:create", _new_card(r)),
        ("sync", {}),
        ("card:delete", {"card_id": r.anna_card}),
    ]:
        assert_failed(anna.emit(event, payload, callback=True), "rate_limited")
    # The bucket belongs to the participant, not the connection.
    again = r.connect(participant_auth(r.w, r.anna_token))
    assert again.is_connected()
    assert_failed(again.emit("sync", {}, callback=True), "rate_limited")
    r.assert_nothing_broadcast()
    assert r.snapshot() == before

    # Another participant is unaffected.
    for number in range(3):
        ack = ben.emit("card:create", _new_card(r, text=f"Bens Idee {number}"), callback=True)
        assert ack["ok"] is True, ack
    assert_failed(ben.emit("sync", {}, callback=True), "rate_limited")
    # The moderator is never limited.
    for number in range(15):
        ack = moderator.emit("card:create", _new_card(r, text=f"Moderation {number}"), callback=True)
        assert ack["ok"] is True, ack
    assert len(r.received()["projector"]) == 18


def test_a_payload_over_max_message_bytes_is_too_large(room: Room) -> None:
    before = room.snapshot()
    error = assert_failed(
        room.clients["anna"].emit("card:create", _new_card(room, text="x" * 20_000), callback=True),
        "too_large",
    )
    assert "16384" in error["message"]
    agenda = {"agenda": ["Tagesordnungspunkt " + "x" * 180] * 100}
    assert_failed(room.clients["moderator"].emit("workshop:update", agenda, callback=True), "too_large")
    room.assert_nothing_broadcast()
    assert room.snapshot() == before


def test_max_message_bytes_is_the_configured_limit(make_app: Callable[..., CustomApp]) -> None:
    custom = make_app(max_message_bytes=200)
    r = build_room(custom.db, custom.connect)
    small = r.clients["anna"].emit("card:create", _new_card(r, text="kurz"), callback=True)
    assert small["ok"] is True, small
    error = assert_failed(
        r.clients["anna"].emit("card:create", _new_card(r, text="y" * 300), callback=True), "too_large"
    )
    assert "200" in error["message"]
    assert [m["seq"] for m in r.received()["moderator"]] == [small["seq"]]


def test_too_large_counts_the_payloads_bytes_not_its_escaped_length(room: Room) -> None:
    agenda = {"agenda": ["Begrüßung und Einführung in Düsseldorf – " + "ä" * 150] * 40}
    size = len(json.dumps(agenda, ensure_ascii=False, separators=(",", ":")).encode())
    assert size < 16384
    ack = room.clients["moderator"].emit("workshop:update", agenda, callback=True)
    assert ack["ok"] is True, ack


# ---- idempotent posting ------------------------------------------------------------------


def test_card_create_is_idempotent_on_client_id(room: Room) -> None:
    anna = room.clients["anna"]
    payload = _new_card(room, text="Leitbild entwickeln")
    first = anna.emit("card:create", payload, callback=True)
    second = anna.emit("card:create", payload, callback=True)
    changed = anna.emit("card:create", {**payload, "text": "Anderer Text", "color": "blue"}, callback=True)
    assert first["ok"] is True and isinstance(first["seq"], int)
    assert second == {"ok": True, "data": first["data"], "seq": None}
    assert changed == {"ok": True, "data": first["data"], "seq": None}

    received = room.received()
    assert received == {name: received["moderator"] for name in room.clients}
    assert [(m["seq"], m["type"], m["data"]["card"]["id"]) for m in received["moderator"]] == [
        (first["seq"], "card.created", first["data"]["id"])
    ]
    live = [c for c in Replica(room.snapshot()).cards() if c["client_id"] == payload["client_id"]]
    assert [(c["id"], c["text"]) for c in live] == [(first["data"]["id"], "Leitbild entwickeln")]

    # Anyone else sending that client_id is refused; the moderator's own resends are idempotent too.
    error = assert_failed(room.clients["ben"].emit("card:create", payload, callback=True), "invalid")
    assert "client_id" in error["fields"]
    assert_failed(room.clients["moderator"].emit("card:create", payload, callback=True), "invalid")
    own = _new_card(room, text="Vom Moderator")
    posted = room.clients["moderator"].emit("card:create", own, callback=True)
    assert room.clients["moderator"].emit("card:create", own, callback=True) == {**posted, "seq": None}
    assert [m["seq"] for m in room.received()["anna"]] == [posted["seq"]]


# ---- deleting a cluster loses no card ----------------------------------------------------


def test_cluster_delete_moves_its_cards_in_order_to_unsorted_and_loses_none(room: Room) -> None:
    moderator = room.clients["moderator"]
    extra = [
        moderator.emit(
            "card:create", _new_card(room, cluster_id=room.c00, text=f"Im Cluster {n}"), callback=True
        )
        for n in range(2)
    ]
    moved = moderator.emit(
        "card:move", {"card_id": room.anna_card, "cluster_id": room.c00, "index": 1}, callback=True
    )
    deleted = moderator.emit("card:delete", {"card_id": extra[1]["data"]["id"]}, callback=True)
    assert all(ack["ok"] for ack in [*extra, moved, deleted])
    replicas = {name: Replica(sync_snapshot(c)) for name, c in room.clients.items()}
    room.received()
    before = room.snapshot()
    board_before = before["boards"][0]
    in_cluster = [c["id"] for c in board_before["clusters"][0]["cards"]]
    unsorted_before = [c["id"] for c in board_before["unsorted"]]
    assert in_cluster == [room.moderator_card, room.anna_card, extra[0]["data"]["id"]]

    ack = moderator.emit("cluster:delete", {"cluster_id": room.c00}, callback=True)

    assert ack == {
        "ok": True,
        "data": {"cluster_id": room.c00, "board_id": room.b0, "card_ids": in_cluster},
        "seq": before["seq"] + 1,
    }
    after = room.snapshot()
    board_after = after["boards"][0]
    assert [c["id"] for c in board_after["clusters"]] == [room.c01]
    assert [c["id"] for c in board_after["unsorted"]] == unsorted_before + in_cluster
    assert all(c["cluster_id"] is None for c in board_after["unsorted"])
    assert [c["position"] for c in board_after["unsorted"]] == list(range(len(board_after["unsorted"])))
    assert sorted(c["id"] for c in Replica(after).cards()) == sorted(c["id"] for c in Replica(before).cards())
    for name, messages in room.received().items():
        assert [m["type"] for m in messages] == ["cluster.deleted"], name
        replicas[name].apply(messages[0])
        assert replicas[name].shape() == shape_of(after), name


# ---- sync --------------------------------------------------------------------------------


def _make_changes(room: Room, count: int) -> list[dict[str, Any]]:
    moderator = room.clients["moderator"]
    for number in range(count):
        ack = moderator.emit("card:create", _new_card(room, text=f"Änderung {number}"), callback=True)
        assert ack["ok"] is True, ack
    return room.received()["anna"]


def assert_server_time(text: str) -> None:
    """The server's clock as of the answer (screens correct their clocks by it)."""
    stated = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert abs((dt.datetime.now(dt.UTC) - stated).total_seconds()) < 60


def test_sync_without_since_returns_a_snapshot(room: Room) -> None:
    _make_changes(room, 2)
    anna = room.clients["anna"]
    # `{}`, no payload at all, and null all mean "no since".
    acks = [
        anna.emit("sync", {}, callback=True),
        anna.emit("sync", callback=True),
        anna.emit("sync", None, callback=True),
    ]
    for ack in acks:
        snapshot = ack["data"]["snapshot"]
        assert_server_time(ack["data"].pop("server_time"))
        assert ack["data"].pop("server").endswith(":5000")
        assert ack == {"ok": True, "data": {"snapshot": snapshot}, "seq": room.seq()}
        assert set(snapshot) == SNAPSHOT_KEYS  # a participant's: no undo history
        assert snapshot["seq"] == room.seq()
        assert snapshot["you"] == {"role": "participant", "participant_id": room.anna.participant_id}
        assert snapshot["participant_count"] == 2
        moderators_view = {k: v for k, v in room.snapshot().items() if k != "history"}
        assert {**snapshot, "you": None} == {**moderators_view, "you": None}
        assert len(Replica(snapshot).cards()) == 4 + 2
        assert set(snapshot["workshop"]) == WORKSHOP_KEYS
        for board in snapshot["boards"]:
            assert set(board) == SNAPSHOT_BOARD_KEYS
            assert set(board["settings"]) == SETTINGS_KEYS
            for card in board["unsorted"] + [c for cl in board["clusters"] for c in cl["cards"]]:
                assert set(card) == SNAPSHOT_CARD_KEYS
    room.assert_nothing_broadcast()


def test_sync_since_returns_exactly_the_events_after_it(room: Room) -> None:
    start = room.seq()
    broadcast = _make_changes(room, 5)
    current = room.seq()
    assert [m["seq"] for m in broadcast] == list(range(start + 1, current + 1))
    for since in range(start, current + 1):
        ack = room.clients["anna"].emit("sync", {"since": since}, callback=True)
        assert_server_time(ack["data"].pop("server_time"))
        assert ack["data"].pop("server").endswith(":5000")
        assert ack == {
            "ok": True,
            "data": {"events": [m for m in broadcast if m["seq"] > since]},
            "seq": current,
        }
    everything = room.clients["projector"].emit("sync", {"since": 0}, callback=True)
    assert [m["seq"] for m in everything["data"]["events"]] == list(range(1, current + 1))
    assert everything["data"]["events"][start:] == broadcast
    room.assert_nothing_broadcast()


def test_a_moderator_caught_up_by_events_gets_the_undo_state_too(room: Room) -> None:
    """The `history` message of a change made while a moderator window was away is lost to it;
    the events answer of its sync carries the state instead (participants get no such field)."""
    moderator = room.clients["moderator"]
    since = room.seq()
    moved = moderator.emit("card:move", {"card_id": room.anna_card, "cluster_id": room.c10}, callback=True)
    assert moved["ok"] is True, moved
    ack = moderator.emit("sync", {"since": since}, callback=True)
    assert [m["seq"] for m in ack["data"]["events"]] == [since + 1]
    assert ack["data"]["history"] == {
        "can_undo": True, "can_redo": False, "undo_label": "move_card", "redo_label": None
    }  # fmt: skip
    assert moderator.emit("history:undo", {}, callback=True)["ok"] is True
    again = moderator.emit("sync", {"since": since + 1}, callback=True)["data"]["history"]
    # Still undoable: the moderator's own card of the room, posted before.
    assert again == {"can_undo": True, "can_redo": True, "undo_label": "add_card", "redo_label": "move_card"}
    assert "history" not in room.clients["anna"].emit("sync", {"since": since}, callback=True)["data"]


def test_sync_since_beyond_the_current_seq_returns_a_snapshot(room: Room) -> None:
    _make_changes(room, 2)
    current = room.seq()
    for since in (current + 1, current + 1000, 2**40):
        ack = room.clients["anna"].emit("sync", {"since": since}, callback=True)
        assert ack["ok"] is True and set(ack["data"]) == {"snapshot", "server_time", "server"}, ack
        assert ack["seq"] == ack["data"]["snapshot"]["seq"] == current
        assert shape_of(ack["data"]["snapshot"]) == shape_of(room.snapshot())
    room.assert_nothing_broadcast()


def test_sync_with_more_events_than_sync_max_events_returns_a_snapshot(
    make_app: Callable[..., CustomApp],
) -> None:
    custom = make_app(sync_max_events=3)
    r = build_room(custom.db, custom.connect)
    _make_changes(r, 4)
    current = r.seq()
    within = r.clients["anna"].emit("sync", {"since": current - 3}, callback=True)
    assert [m["seq"] for m in within["data"]["events"]] == [current - 2, current - 1, current]
    beyond = r.clients["anna"].emit("sync", {"since": current - 4}, callback=True)
    assert set(beyond["data"]) == {"snapshot", "server_time", "server"} and beyond["seq"] == current


# ---- ordering across clients -------------------------------------------------------------


def test_interleaved_random_operations_leave_every_replica_equal_to_the_server(
    make_app: Callable[..., CustomApp],
) -> None:
    # Generous limits: this test is about order, not about rate limiting.
    custom = make_app(rate_limit_per_minute=100_000, rate_limit_burst=100_000)
    r = build_room(custom.db, custom.connect)
    rng = random.Random(20170614)
    actors = ["moderator", "anna", "ben"]
    observers = [*actors, "projector"]
    replicas = {name: Replica(sync_snapshot(r.clients[name])) for name in observers}
    start = replicas["moderator"].seq
    seen: dict[str, list[int]] = {name: [] for name in observers}

    def deliver(name: str) -> None:
        for message in events(r.clients[name]):
            seen[name].append(message["seq"])
            replicas[name].apply(message)

    def card_on(board: dict[str, Any]) -> dict[str, Any] | None:
        cards = [c for cont in [board["unsorted"], *(cl["cards"] for cl in board["clusters"])] for c in cont]
        return rng.choice(cards) if cards else None

    def participant_op(name: str, view: Replica) -> tuple[str, dict[str, Any], str | None]:
        board = rng.choice(view.boards)
        own = [
            c for c in view.cards() if c["author_id"] == (r.anna if name == "anna" else r.ben).participant_id
        ]
        roll = rng.random()
        if roll < 0.35 or not own:
            return (
                "card:create",
                _new_card(r, board_id=board["id"], text=f"{name} {rng.randrange(10**6)}"),
                None,
            )
        if roll < 0.8:
            card = card_on(board)
            if card is None:
                return "sync", {}, None
            target = rng.choice([None, *(cl["id"] for cl in board["clusters"])])
            expected = None if board["settings"]["participants_can_move"] else "forbidden"
            return (
                "card:move",
                {"card_id": card["id"], "cluster_id": target, "index": rng.randrange(6)},
                expected,
            )
        if roll < 0.95:
            return (
                "card:update",
                {"card_id": rng.choice(own)["id"], "text": f"geändert {rng.randrange(10**6)}"},
                None,
            )
        return "card:delete", {"card_id": rng.choice(own)["id"]}, None

    def moderator_op(view: Replica) -> tuple[str, dict[str, Any], str | None]:
        board = rng.choice(view.boards)
        roll = rng.random()
        card = card_on(board)
        if roll < 0.2 or card is None:
            cluster = rng.choice([None, *(cl["id"] for cl in board["clusters"])])
            return (
                "card:create",
                _new_card(r, board_id=board["id"], cluster_id=cluster, text=f"M {rng.randrange(10**6)}"),
                None,
            )
        if roll < 0.6:
            target_board = rng.choice(view.boards)
            target = rng.choice([None, *(cl["id"] for cl in target_board["clusters"])])
            payload = {
                "card_id": card["id"],
                "cluster_id": target,
                "board_id": target_board["id"],
                "index": rng.randrange(8),
            }
            return "card:move", payload, None
        if roll < 0.68:
            return (
                "cluster:create",
                {"board_id": board["id"], "name": f"C {rng.randrange(1000)}", "index": rng.randrange(4)},
                None,
            )
        if roll < 0.76 and board["clusters"]:
            return (
                "cluster:move",
                {"cluster_id": rng.choice(board["clusters"])["id"], "index": rng.randrange(4)},
                None,
            )
        if roll < 0.8 and len(board["clusters"]) > 1:
            return "cluster:delete", {"cluster_id": rng.choice(board["clusters"])["id"]}, None
        if roll < 0.84:
            return "board:move", {"board_id": board["id"], "index": rng.randrange(3)}, None
        if roll < 0.87:
            return "board:activate", {"board_id": board["id"]}, None
        if roll < 0.9:
            flag = rng.choice(["participants_can_move", "numbered_clusters"])
            return "board:update", {"board_id": board["id"], flag: not board["settings"][flag]}, None
        if roll < 0.95:
            return (
                "card:update",
                {"card_id": card["id"], "color": rng.choice(["blue", "green", "pink"])},
                None,
            )
        return "card:delete", {"card_id": card["id"]}, None

    changes = 0
    for _ in range(200):
        name = rng.choice(actors)
        view = replicas["moderator"]
        event, payload, expected_error = (
            participant_op(name, view) if name != "moderator" else moderator_op(view)
        )
        ack = r.clients[name].emit(event, payload, callback=True)
        if expected_error:
            assert_failed(ack, expected_error)
        else:
            assert ack["ok"] is True, (event, payload, ack)
            if event != "sync":
                changes += 1
        deliver("moderator")
        for observer in observers[1:]:
            if rng.random() < 0.3:
                deliver(observer)
    for name in observers:
        deliver(name)

    server = server_snapshot(r.db, r.w)
    assert changes >= 150
    assert server["seq"] == start + changes
    for name in observers:
        assert seen[name] == list(range(start + 1, server["seq"] + 1)), name
        assert replicas[name].seq == server["seq"]
        assert replicas[name].shape() == shape_of(server), name
    assert events(r.outsider) == []


# ---- text is data, never markup ----------------------------------------------------------

MARKUP = [
    "<img src=x onerror=alert(1)>",
    '<script>alert("pwned")</script>\n&lt;b&gt;fett&lt;/b&gt; & "Anführungszeichen" \'apostroph\'',
    "</textarea><svg onload=alert(1)>{{ 7*7 }} ${7*7} `whoami`",
]


def test_card_text_with_markup_is_stored_and_returned_byte_for_byte(room: Room, client: Any) -> None:
    anna, moderator = room.clients["anna"], room.clients["moderator"]
    acks = [anna.emit("card:create", _new_card(room, text=text), callback=True) for text in MARKUP]
    assert [a["data"]["text"].encode() for a in acks] == [t.encode() for t in MARKUP]
    updated = moderator.emit("card:update", {"card_id": room.ben_card, "text": MARKUP[0]}, callback=True)
    assert updated["data"]["text"] == MARKUP[0]
    cluster = moderator.emit(
        "cluster:create", {"board_id": room.b0, "name": MARKUP[2].split("{")[0]}, callback=True
    )
    assert cluster["data"]["name"] == "</textarea><svg onload=alert(1)>"

    for name, messages in room.received().items():
        texts = [m["data"]["card"]["text"] for m in messages if m["type"] in ("card.created", "card.updated")]
        assert texts == [*MARKUP, MARKUP[0]], name
    ids = [a["data"]["id"] for a in acks]
    with room.db.read() as s:
        assert [s.get_one(Card, card_id).text for card_id in ids] == MARKUP
        assert s.get_one(Card, room.ben_card).text == MARKUP[0]
    over_socket = {c["id"]: c["text"] for c in Replica(sync_snapshot(room.clients["projector"])).cards()}
    response = client.get(
        f"/api/workshops/{room.w.id}", headers={"Authorization": f"Bearer {room.anna_token}"}
    )
    assert response.status_code == 200
    over_http = {c["id"]: c["text"] for c in Replica(response.get_json()).cards()}
    for texts in (over_socket, over_http):
        assert [texts[card_id] for card_id in ids] == MARKUP
        assert texts[room.ben_card] == MARKUP[0]
    assert b"&lt;img" not in response.data


# ---- secrets -----------------------------------------------------------------------------


def test_no_participant_ever_receives_the_moderator_or_projector_key(room: Room, client: Any) -> None:
    before = set(threading.enumerate())
    moderator, anna, projector = room.clients["moderator"], room.clients["anna"], room.clients["projector"]
    answers: list[Any] = []
    for event, payload in [
        ("workshop:update", {"title": "Alles geheim?", "agenda": ["Eins", "Zwei"]}),
        ("board:create", {"title": "Neu", "clusters": ["A", "B"]}),
        ("board:update", {"board_id": room.b0, "participants_choose_cluster": True}),
        ("board:activate", {"board_id": room.b1}),
        ("cluster:create", {"board_id": room.b0, "name": "Ideen"}),
        ("card:create", _new_card(room, text="Vom Moderator")),
        ("card:move", {"card_id": room.ben_card, "cluster_id": room.c00}),
    ]:
        assert moderator.emit(event, payload, callback=True)["ok"] is True
    for event, payload in [
        ("sync", {}),
        ("sync", {"since": 0}),
        ("card:create", _new_card(room, text="Von Anna")),
        ("card:update", {"card_id": room.anna_card, "text": "Neu"}),
        ("cluster:create", {"board_id": room.b0, "name": "Versuch"}),
        ("board:update", {"board_id": room.b0, "locked": False}),
        ("card:create", {"bogus": 1}),
        ("card:update", {"card_id": room.other_card, "text": "x"}),
    ]:
        answers.append(anna.emit(event, payload, callback=True))
    projector_answer = projector.emit("sync", {"since": 0}, callback=True)
    joined = client.post("/api/join", json={"code": room.w.join_code, "name": "Neu dabei"})
    assert joined.status_code == 200
    join_background_tasks(before)  # the presence message reaches everyone too

    received = anna.get_received() + room.clients["ben"].get_received()
    assert any(m["name"] == "presence" for m in received)
    assert sum(m["name"] == "event" for m in received) == 2 * (7 + 2)
    snapshot = client.get(
        f"/api/workshops/{room.w.id}", headers={"Authorization": f"Bearer {room.anna_token}"}
    )
    links = client.get(
        f"/api/workshops/{room.w.id}/links", headers={"Authorization": f"Bearer {room.anna_token}"}
    )
    assert (snapshot.status_code, links.status_code) == (200, 401)
    participant_view = json.dumps([received, answers], ensure_ascii=False)
    participant_view += (
        joined.get_data(as_text=True) + snapshot.get_data(as_text=True) + links.get_data(as_text=True)
    )
    for secret in secrets_of(room.w):
        assert secret not in participant_view
    # The projector, too, never sees the moderator key.
    projector_view = json.dumps([projector.get_received(), projector_answer], ensure_ascii=False)
    projected = client.get(
        f"/api/workshops/{room.w.id}", headers={"Authorization": f"Bearer {room.w.projector_key}"}
    )
    projector_view += projected.get_data(as_text=True)
    assert "workshop.updated" in projector_view
    assert room.w.moderator_key not in projector_view
    assert secrets_of(room.w)[2] not in projector_view


# ---- presence ----------------------------------------------------------------------------


def test_joins_are_announced_to_the_room_as_one_presence_count(room: Room, client: Any) -> None:
    before = set(threading.enumerate())
    for name in ("Clara", "David", ""):
        assert (
            client.post("/api/join", json={"code": room.w.join_code.lower(), "name": name}).status_code == 200
        )
    join_background_tasks(before)
    for name, test_client in room.clients.items():
        assert test_client.get_received() == [
            {"name": "presence", "args": [{"participant_count": 5}], "namespace": "/"}
        ], name
    assert room.outsider.get_received() == []


def test_a_presence_count_due_after_shutdown_opens_no_connection(room: Room, client: Any) -> None:
    """The count goes out a second after a join; an app shut down in that second must not open a
    connection nobody closes (it surfaced as a ResourceWarning in an unrelated later test)."""
    from sqlalchemy import event

    opened: list[object] = []
    event.listen(room.db.engine, "connect", lambda *_: opened.append(1))
    before = set(threading.enumerate())
    assert client.post("/api/join", json={"code": room.w.join_code, "name": "Clara"}).status_code == 200
    room.db.dispose()
    join_background_tasks(before)
    assert opened == []
    assert room.clients["moderator"].get_received() == []
