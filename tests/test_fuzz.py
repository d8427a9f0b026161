"""Fuzzing: every socket event and HTTP endpoint receives random and malformed payloads.

Socket events: every event of pinboard.realtime.OPERATIONS and `sync` (so events added later are
fuzzed too), sent by a moderator, a participant and the projector, with payloads from
tests/fuzz_payloads.py: wrong types, huge strings, sizes at the limit and one byte past it, deep
nesting, unknown fields, lone surrogates, zero-width and right-to-left characters, wrong ids,
non-objects. Every ack must be `{ok: true, data, seq}` or `{ok: false, error: {code, message}}`
with a protocol code (never `internal`); afterwards the database holds its invariants
(tests/consistency.py), the moderator's replica equals the server's snapshot, and another
workshop, whose ids were sent too, is untouched.

The volume goes through Flask-SocketIO's test client (the real adapter, packets encoded and
decoded as on the wire); a slice goes to a real server process through python-socketio clients,
plus raw Engine.IO frames no client library would send, and malformed HTTP requests on every
route. PINBOARD_FUZZ_EXAMPLES scales the counts, PINBOARD_FUZZ_SEED replays a run.
"""

from __future__ import annotations

import json
import os
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
import websocket
from sqlalchemy import select

from pinboard.actors import Actor
from pinboard.app import create_app, database_of, socketio_of
from pinboard.cards import create_card
from pinboard.config import Settings
from pinboard.database import Database
from pinboard.models import Board, Card, Cluster, Workshop
from pinboard.realtime import OPERATIONS, message_size
from pinboard.snapshots import build_snapshot
from tests.conftest import WorkshopFixture, make_participant, make_workshop
from tests.consistency import problems
from tests.fuzz_payloads import IdPool, PayloadFactory
from tests.replica import LiveClient, Replica, shape_of

EVENTS = [*OPERATIONS, "sync"]
CODES = {
    "invalid",
    "unauthorized",
    "forbidden",
    "not_found",
    "locked",
    "rate_limited",
    "too_large",
    "budget_exceeded",
    "cap_reached",
    "nothing_to_undo",
    "nothing_to_redo",
}
SCALE = float(os.environ.get("PINBOARD_FUZZ_EXAMPLES", "1"))
SEED = int(os.environ.get("PINBOARD_FUZZ_SEED", random.randrange(2**32)))
# Payloads through the test client, and to the real server, per backend.
VOLUME = {"sqlite": 9_000, "postgresql": 1_500}
LIVE_SLICE = {"sqlite": 1_500, "postgresql": 600}
MAX_MESSAGE_BYTES = Settings().max_message_bytes
# Who may send what (docs/protocol.md); an event in neither set is fuzzed without this check.
MODERATOR_ONLY = {
    *(name for name in OPERATIONS if name.split(":")[0] in ("cluster", "board", "timer")),
    "workshop:update",
    "cards:reveal",
    "vote:open",
    "vote:close",
}
PROJECTOR_REFUSED = {name for name in EVENTS if name != "sync"}  # the projector may only sync


def backend_of(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


def count(volume: dict[str, int], database_url: str) -> int:
    return max(len(EVENTS), int(volume[backend_of(database_url)] * SCALE))


ROLES = ("moderator", "participant", "projector")


# ---- what every answer must look like ------------------------------------------------------


@dataclass
class Tally:
    """What was sent and answered, for the figures and for checks that the fuzzing got deep."""

    sent: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    accepted: Counter[str] = field(default_factory=Counter)
    answers: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def record(self, event: str, kind: str, ack: dict[str, Any]) -> None:
        self.sent += 1
        self.kinds[kind] += 1
        code = "ok" if ack["ok"] else ack["error"]["code"]
        self.codes[code] += 1
        self.answers[event][code] += 1
        if ack["ok"]:
            self.accepted[event] += 1

    def summary(self) -> str:
        return (
            f"{self.sent} payloads; answers {dict(self.codes)}; kinds {dict(self.kinds)}; "
            f"accepted {dict(self.accepted)}"
        )


def check_answer(
    ack: Any, event: str, role: str, kind: str, payload: Any, foreign: dict[str, list[int]]
) -> None:
    context = f"{role} {event} ({kind}, seed {SEED}): {_short(payload)} -> {_short(ack)}"
    assert isinstance(ack, dict), context
    if ack.get("ok") is True:
        assert set(ack) == {"ok", "data", "seq"}, context
        assert not (role == "projector" and event in PROJECTOR_REFUSED), context
        assert not (role == "participant" and event in MODERATOR_ONLY), context
        # Another workshop's ids change nothing (a resent card:create answers its card, seq null).
        assert ack["seq"] is None or not _names_foreign_id(payload, foreign), context
        assert message_size(payload) <= MAX_MESSAGE_BYTES, context
        return
    assert ack.get("ok") is False and set(ack) == {"ok", "error"}, context
    error = ack["error"]
    assert error["code"] in CODES, context  # never "internal"
    assert isinstance(error["message"], str) and error["message"], context
    assert set(error) <= {"code", "message", "fields"}, context
    if payload is not None and message_size(payload) > MAX_MESSAGE_BYTES:
        assert error["code"] == "too_large", context


def _names_foreign_id(payload: Any, foreign: dict[str, list[int]]) -> bool:
    """Whether the payload names a board, cluster or card of the other workshop."""
    if not isinstance(payload, dict):
        return False
    named = [(k, v) for k, v in payload.items() if isinstance(k, str) and k.endswith("_id")]
    card_ids = payload.get("card_ids")
    named += [("card_id", v) for v in card_ids] if isinstance(card_ids, list) else []
    return any(type(v) is int and v in foreign.get(k, []) for k, v in named)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 300 else f"{text[:300]}… ({len(text)} characters)"


# ---- the workshops ---------------------------------------------------------------------------


class MethodBlindReplica(Replica):
    """A replica that skips dot voting and the timer: they are not part of shape()."""

    def __getattr__(self, name: str) -> Callable[[dict[str, Any]], None]:
        if name.startswith(("_on_vote_", "_on_timer_")):
            return lambda _data: None
        raise AttributeError(name)


def refresh_ids(database: Database, workshop_id: str, ids: IdPool) -> None:
    """The workshop's live boards, clusters and cards, and the deleted ones (wrong ids)."""
    with database.read() as session:
        ids.boards[:] = session.scalars(select(Board.id).where(Board.workshop_id == workshop_id))
        clusters = session.execute(
            select(Cluster.id, Cluster.deleted_at).where(Cluster.board_id.in_(ids.boards))
        ).all()
        cards = session.execute(select(Card.id, Card.deleted_at).where(Card.workshop_id == workshop_id)).all()
        ids.seq = session.get(Workshop, workshop_id).last_seq  # type: ignore[union-attr]
    ids.clusters[:] = [cluster_id for cluster_id, deleted in clusters if deleted is None]
    ids.cards[:] = [card_id for card_id, deleted in cards if deleted is None]
    ids.deleted[:] = [id_ for id_, deleted in [*clusters, *cards] if deleted is not None]


def foreign_workshop(database: Database) -> tuple[WorkshopFixture, dict[str, list[int]]]:
    """Another workshop with a card: its ids are wrong ids for the fuzzed workshop."""
    other = make_workshop(database, title="Nebenan")
    actor, _token = make_participant(database, other, "Nachbar")
    with database.write() as session:
        create_card(session, actor, client_id=uuid.uuid4().hex, board_id=other.board_ids[0], text="fremd")
    ids = IdPool()
    refresh_ids(database, other.id, ids)
    return other, {"board_id": ids.boards, "cluster_id": ids.clusters, "card_id": ids.cards}


def untouched(database: Database, workshop: WorkshopFixture, before: dict[str, Any]) -> None:
    with database.read() as session:
        after = build_snapshot(session, workshop.moderator)
    assert after == before, "a payload with another workshop's ids changed that workshop"


# ---- the volume: the real adapter through Flask-SocketIO's test client ------------------------


@pytest.fixture
def fuzz_app(tmp_path: Path, database_url: str) -> Iterator[Any]:
    settings = Settings(
        instance_path=str(tmp_path / "instance"),
        database_url=database_url,
        secret_key="test-secret",
        async_mode="threading",
        rate_limit_per_minute=10**9,  # reach validation, not the rate limit
        rate_limit_burst=10**9,
        sqlite_synchronous="NORMAL",
    )
    application = create_app(settings, test_config={"TESTING": True})
    yield application
    database_of(application).dispose()


def test_every_socket_event_answers_malformed_payloads_clearly(fuzz_app: Any, database_url: str) -> None:
    database = database_of(fuzz_app)
    workshop = make_workshop(database)
    other, foreign = foreign_workshop(database)
    with database.read() as session:
        other_before = build_snapshot(session, other.moderator)
    anna, token = make_participant(database, workshop, "Anna")
    connect = socketio_of(fuzz_app).test_client
    clients = {
        "moderator": connect(
            fuzz_app, auth={"workshop": workshop.id, "moderator_key": workshop.moderator_key}
        ),
        "participant": connect(fuzz_app, auth={"workshop": workshop.id, "token": token}),
        "projector": connect(
            fuzz_app, auth={"workshop": workshop.id, "projector_key": workshop.projector_key}
        ),
    }
    replica = MethodBlindReplica(clients["moderator"].emit("sync", {}, callback=True)["data"]["snapshot"])
    ids = IdPool(foreign=foreign)
    rng = random.Random(SEED)
    factory = PayloadFactory(rng, ids, MAX_MESSAGE_BYTES)
    tally = Tally()
    try:
        for number in range(count(VOLUME, database_url)):
            if number % 20 == 0:
                refresh_ids(database, workshop.id, ids)
            event = EVENTS[number % len(EVENTS)] if number < len(EVENTS) else rng.choice(EVENTS)
            role = rng.choices(["moderator", "participant", "projector"], [5, 4, 1])[0]
            kind, payload = factory.make(event)
            ack = clients[role].emit(event, payload, callback=True)
            check_answer(ack, event, role, kind, payload, foreign)
            tally.record(event, kind, ack)
            for message in clients["moderator"].get_received():
                if message["name"] == "event":
                    replica.apply(message["args"][0])
        assert all(c.is_connected() for c in clients.values())
        received = json.dumps(clients["participant"].get_received() + clients["projector"].get_received())
        assert workshop.moderator_key not in received and workshop.projector_key not in received
    finally:
        for test_client in clients.values():
            if test_client.is_connected():
                test_client.disconnect()
    print(f"socket fuzz, test client ({backend_of(database_url)}, seed {SEED}): {tally.summary()}")
    assert_consistent_after_fuzzing(database, workshop, anna, replica, other, other_before)
    # The payloads reached every kind of check.
    assert {"ok", "invalid", "forbidden", "not_found", "too_large"} <= set(tally.codes), tally.codes
    # Most events were also valid now and then (some need rare sequences, e.g. timer:resume or
    # card:unstack after a card:stack of two cards on one board): with about 50 payloads per event
    # in the smaller runs, a few more of those stay unlucky.
    never_accepted = [event for event in EVENTS if not tally.accepted[event]]
    allowed = len(EVENTS) // 5 if tally.sent >= 5_000 else len(EVENTS) // 3
    assert len(never_accepted) <= allowed, {e: dict(tally.answers[e]) for e in never_accepted}


def assert_consistent_after_fuzzing(
    database: Database,
    workshop: WorkshopFixture,
    participant: Actor,
    replica: Replica,
    other: WorkshopFixture,
    other_before: dict[str, Any],
) -> None:
    assert problems(database) == []
    with database.read() as session:
        snapshot = build_snapshot(session, workshop.moderator)
        build_snapshot(session, workshop.projector)
        build_snapshot(session, participant)
    assert replica.seq == snapshot["seq"]
    assert replica.shape() == shape_of(snapshot)
    untouched(database, other, other_before)


# ---- a real server: python-socketio clients and raw Engine.IO frames --------------------------

ORGANISER_PASSWORD = "fuzz-organiser"


@pytest.fixture
def fuzz_server(live_server):  # type: ignore[no-untyped-def]
    """A real server without rate limits (to reach validation) and with an organiser password."""
    return live_server(
        PINBOARD_RATE_LIMIT_PER_MINUTE=str(10**9),
        PINBOARD_RATE_LIMIT_BURST=str(10**9),
        PINBOARD_SQLITE_SYNCHRONOUS="NORMAL",
        PINBOARD_ORGANISER_PASSWORD=ORGANISER_PASSWORD,
    )


def http_workshop(url: str) -> dict[str, Any]:
    response = requests.post(
        f"{url}/api/workshops",
        json={"title": "Fuzz", "boards": [{"title": "Eins", "clusters": ["A", "B"]}, {"title": "Zwei"}]},
        headers={"X-Organiser-Password": ORGANISER_PASSWORD},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


def http_snapshot(url: str, workshop: dict[str, Any]) -> dict[str, Any]:
    response = requests.get(
        f"{url}/api/workshops/{workshop['id']}",
        headers={"Authorization": f"Bearer {workshop['moderator_key']}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def live_clients(url: str, workshop: dict[str, Any], roles: tuple[str, ...] = ROLES) -> dict[str, LiveClient]:
    joined = requests.post(f"{url}/api/join", json={"code": workshop["join_code"]}, timeout=10).json()
    auths = {
        "moderator": {"moderator_key": workshop["moderator_key"]},
        "participant": {"token": joined["participant_token"]},
        "projector": {"projector_key": workshop["projector_key"]},
    }
    return {
        role: MethodBlindClient(url, {"workshop": workshop["id"], **auths[role]}).connect() for role in roles
    }


class MethodBlindClient(LiveClient):
    replica_class = MethodBlindReplica


def live_foreign_ids(url: str, database: Database) -> tuple[dict[str, Any], dict[str, list[int]]]:
    other = http_workshop(url)
    client = live_clients(url, other, ("participant",))["participant"]
    try:
        board_id = client.replica.boards[0]["id"]  # type: ignore[union-attr]
        posted = client.call(
            "card:create", {"client_id": uuid.uuid4().hex, "board_id": board_id, "text": "fremd"}
        )
        assert posted["ok"], posted
    finally:
        client.close()
    ids = IdPool()
    refresh_ids(database, other["id"], ids)
    return other, {"board_id": ids.boards, "cluster_id": ids.clusters, "card_id": ids.cards}


def test_a_real_server_answers_malformed_socket_payloads_clearly(fuzz_server, database_url: str) -> None:  # type: ignore[no-untyped-def]
    url = fuzz_server.url
    database = Database(database_url)
    other, foreign = live_foreign_ids(url, database)
    other_before = http_snapshot(url, other)
    workshop = http_workshop(url)
    clients = live_clients(url, workshop)
    ids = IdPool(foreign=foreign)
    rng = random.Random(SEED)
    factory = PayloadFactory(rng, ids, MAX_MESSAGE_BYTES)
    tally = Tally()
    try:
        for number in range(count(LIVE_SLICE, database_url)):
            if number % 20 == 0:
                refresh_ids(database, workshop["id"], ids)
            event = EVENTS[number % len(EVENTS)] if number < len(EVENTS) else rng.choice(EVENTS)
            role = rng.choices(["moderator", "participant", "projector"], [5, 4, 1])[0]
            kind, payload = factory.make(event)
            ack = clients[role].call(event, payload)
            check_answer(ack, event, role, kind, payload, foreign)
            tally.record(event, kind, ack)
        frames = send_raw_frames(url, workshop)
        assert fuzz_server.process.poll() is None, fuzz_server.log()
        assert requests.get(f"{url}/healthz", timeout=5).status_code == 200
        snapshot = http_snapshot(url, workshop)
        clients["moderator"].wait_for_seq(snapshot["seq"])
        assert clients["moderator"].replica.shape() == shape_of(snapshot)  # type: ignore[union-attr]
    finally:
        for client in clients.values():
            client.close()
    print(
        f"socket fuzz, real server ({backend_of(database_url)}, seed {SEED}): {tally.summary()}; "
        f"raw frames {frames}"
    )
    assert problems(database) == []
    database.dispose()
    assert http_snapshot(url, other) == other_before
    assert "unexpected error in" not in fuzz_server.log()


# Engine.IO frames no Socket.IO client sends: python-socketio cannot decode them into an event,
# so there is nothing to acknowledge; the connection (or at worst it alone) must survive.
RAW_FRAMES = {
    "invalid JSON": '421["card:create",{]',
    "no event name": "421[]",
    "an object, not a list": "421{}",
    "no data": "421",
    "event name a number": "421[123]",
    "unknown event": '421["card:explode",{}]',
    "nested 100 000 deep": '421["sync",' + "[" * 100_000 + "]" * 100_000 + "]",
    "a 5000-digit number": '421["sync",{"since":' + "9" * 5000 + "}]",
    "a 200-digit ack id": "42" + "9" * 200 + '["sync",{}]',
    "too many attachments": '4599999999999-1["sync"]',
    "unknown namespace": '42/admin,1["sync",{}]',
    "a second connect": '40{"workshop":"x"}',
    "over the 1 MB buffer": '421["sync","' + "x" * 1_100_000 + '"]',
}


def send_raw_frames(url: str, workshop: dict[str, Any]) -> int:
    """Each frame on a connection of its own; afterwards the server answers a new client."""
    auth = json.dumps({"workshop": workshop["id"], "moderator_key": workshop["moderator_key"]})
    ws_url = url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    frames = [*RAW_FRAMES.values(), b"42\xff\xfe"]  # the last one: invalid UTF-8 in a text frame
    for frame in frames:
        connection = websocket.create_connection(ws_url, timeout=10)
        try:
            assert connection.recv().startswith("0")
            connection.send("40" + auth)
            assert connection.recv().startswith("40")
            if isinstance(frame, bytes):
                connection.send(frame, opcode=websocket.ABNF.OPCODE_TEXT)
            else:
                connection.send(frame)
        except (OSError, websocket.WebSocketException):
            pass  # the server may drop a connection that sends such things
        finally:
            connection.close()
        assert requests.get(f"{url}/healthz", timeout=5).status_code == 200
    probe = socketio.Client()
    probe.connect(url, auth=json.loads(auth), transports=["websocket"], wait_timeout=10)
    try:
        assert probe.call("sync", {}, timeout=10)["ok"]
    finally:
        probe.disconnect()
    return len(frames)


# ---- HTTP: every route, malformed bodies, paths, queries and headers ---------------------------

DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 50_000 + b"1" + b"}" * 50_000
BODIES: dict[str, bytes] = {
    "invalid UTF-8": b"\xff\xfe\xfd",
    "invalid UTF-8 in a string": b'{"title": "\xff", "code": "\xc3("}',
    "lone surrogates": b'{"title": "\\ud800", "code": "\\udfff", "name": "a\\ud800b", "format": "\\ud800"}',
    "lone surrogate password": b'{"title": "x", "organiser_password": "\\ud800"}',
    "control characters": b'{"title": "a\\u0000b", "code": "\\u0000", "name": "\\u001b[31m"}',
    "zero-width and right-to-left": '{"title": "\u200b\u202e\u2066", "code": "\u200bKARF7V"}'.encode(),
    "nested 100 000 deep (array)": DEEP_ARRAY,
    "nested 50 000 deep (object)": DEEP_OBJECT,
    "NaN": b'{"title": NaN, "code": Infinity}',
    "a 5000-digit number": b'{"title": ' + b"9" * 5000 + b"}",
    "1e999999": b'{"version": 1e999999}',
    "null": b"null",
    "a list": b'[{"title": "x"}]',
    "a string": b'"title"',
    "empty": b"",
    "duplicate keys": b'{"title": "a", "title": 1}',
    "BOM": b'\xef\xbb\xbf{"title": "x"}',
    "UTF-16": '{"title": "x"}'.encode("utf-16"),
    "wrong types": b'{"title": ["x"], "boards": "none", "code": 7, "date": 20170614, "agenda": {"a": 1}}',
    "unknown fields": b'{"title": "x", "__proto__": {"admin": true}, "id": "mine"}',
    "wrong organiser password types": b'{"title": "x", "organiser_password": {"a": 1}}',
    "workshop file, wrong version": b'{"format": "pinboard-workshop", "version": true, "workshop": {}}',
    "workshop file, deep boards": b'{"format": "pinboard-workshop", "version": 1, "workshop": {"title": "x"},'
    b' "boards": [{"title": "b", "clusters": [{"name": "c", "cards": [{"text": "t", "author_ref": 5}]}]}]}',
    "title at the limit": b'{"title": "' + b"a" * 200 + b'"}',
    "title one past the limit": b'{"title": "' + b"a" * 201 + b'"}',
    "4 MB body": b'{"title": "' + b"a" * (4 * 1024 * 1024 - 13) + b'"}',
    "one byte past 4 MB": b'{"title": "' + b"a" * (4 * 1024 * 1024 - 12) + b'"}',
}
CONTENT_TYPES = [
    "application/json",
    "application/json; charset=latin-1",
    "text/plain",
    "multipart/form-data",
    "application/x-www-form-urlencoded",
    None,
]
PATH_VALUES = ["x", "%FF%FE", "%ED%A0%80", "%00", "%E2%80%AE%E2%80%8B", "a" * 300, "..%2F..", "%F0%9F%98%80"]
QUERIES = [
    "",
    "?format=%FF",
    "?format=md&board=%00",
    "?format=svg&board=99999999999999999999",
    "?format=md&format=pdf",
    "?format=md&key=secret",
    "?format=md&unknown=1",
    "?code=%ED%A0%80",
    "?" + "a=1&" * 2000,
]
AUTHORIZATIONS: list[bytes | None] = [
    None,
    b"Bearer",
    b"Bearer ",
    b"Basic dXNlcjpwYXNz",
    b"Bearer \xff\xfe",
    b"Bearer " + b"a" * 8000,
    b"bearer   \t x",
]
REPEAT = max(1, round(3 * SCALE))
PAGE_STATUSES = {200, 302, 308, 400, 404, 405, 413}
# Before the app: a request line or header over the server's limits (eventlet: 8 KB).
SERVER_REFUSALS = {400, 413, 414, 431}


def http_routes(directory: Path) -> list[tuple[str, list[str]]]:
    """Every rule of the app with its methods (an app is built only to read its url_map)."""
    settings = Settings(instance_path=str(directory), secret_key="x" * 32, async_mode="threading")
    app = create_app(settings, test_config={"TESTING": True})
    database_of(app).dispose()
    return [
        (rule.rule, sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}))
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
    ]


def fill(rule: str, value: str) -> str:
    for name in ("workshop_id", "code"):
        rule = rule.replace(f"<{name}>", value)
    return rule


def check_http_answer(response: requests.Response, path: str, context: str) -> None:
    context = f"{context} -> {response.status_code} {response.headers} {response.text[:300]!r}"
    assert response.status_code < 500, context
    if "Content-Security-Policy" not in response.headers:  # the HTTP server itself refused it
        assert response.status_code in SERVER_REFUSALS, context
        return
    if not path.startswith("/api/"):
        assert response.status_code in PAGE_STATUSES, context
        return
    body = (
        response.json() if response.headers.get("Content-Type", "").startswith("application/json") else None
    )
    if response.status_code >= 400:
        assert body is not None, context
        assert body["error"]["code"] in CODES and body["error"]["message"], context


@dataclass
class HttpFuzzer:
    url: str
    workshop: dict[str, Any]
    rng: random.Random
    session: requests.Session = field(default_factory=requests.Session)
    statuses: Counter[int] = field(default_factory=Counter)

    def headers(self, json_body: bool) -> dict[str, str | bytes]:
        headers: dict[str, str | bytes] = {}
        authorization = self.rng.choice(
            [*AUTHORIZATIONS, f"Bearer {self.workshop['moderator_key']}".encode()]
        )
        if authorization is not None:
            headers["Authorization"] = authorization
        content_type = "application/json" if json_body else self.rng.choice(CONTENT_TYPES)
        if content_type is not None:
            headers["Content-Type"] = content_type
        if self.rng.random() < 0.3:
            headers["X-Organiser-Password"] = self.rng.choice([b"\xff", b"", ORGANISER_PASSWORD.encode()])
        return headers

    def send(self, method: str, path: str, name: str, body: bytes, json_body: bool = False) -> None:
        headers = self.headers(json_body)
        target = f"{self.url}{path}{self.rng.choice(QUERIES)}"
        response = self.session.request(method, target, data=body, headers=headers, timeout=30)
        check_http_answer(
            response, path, f"{method} {target[:200]} body {name!r}, headers {headers!r:.300}, seed {SEED}"
        )
        self.statuses[response.status_code] += 1
        if method == "DELETE" and response.status_code == 200:  # it deleted the workshop
            self.workshop = http_workshop(self.url)

    def route(self, rule: str, methods: list[str]) -> None:
        """Every body on the route with real ids, two bodies with each strange path value, and
        a method the route does not have."""
        for method in methods:
            bodies = list(BODIES.items()) if method in ("POST", "DELETE") else [("none", b"")]
            for name, body in bodies:
                for repetition in range(REPEAT):  # the first time as JSON, then as anything
                    self.send(method, self.real_path(rule), name, body, json_body=repetition == 0)
            for value in PATH_VALUES if "<" in rule else []:
                for name, body in self.rng.sample(bodies, min(2, len(bodies))):
                    self.send(method, fill(rule, value), name, body)
        self.send("PUT", self.real_path(rule), "null", b"null")

    def real_path(self, rule: str) -> str:
        return rule.replace("<workshop_id>", self.workshop["id"]).replace(
            "<code>", self.workshop["join_code"]
        )


def test_every_http_route_answers_malformed_requests_clearly(  # type: ignore[no-untyped-def]
    fuzz_server, database_url: str, tmp_path: Path
) -> None:
    url = fuzz_server.url
    fuzzer = HttpFuzzer(url, http_workshop(url), random.Random(SEED))
    for rule, methods in http_routes(tmp_path / "routes"):
        fuzzer.route(rule, methods)
    fuzzer.session.close()
    total = sum(fuzzer.statuses.values())
    statuses = dict(fuzzer.statuses)
    print(f"HTTP fuzz ({backend_of(database_url)}, seed {SEED}): {total} requests, statuses {statuses}")
    assert fuzz_server.process.poll() is None
    assert requests.get(f"{url}/healthz", timeout=5).status_code == 200
    assert "Traceback" not in fuzz_server.log(), fuzz_server.log()[-3000:]
    database = Database(database_url)
    assert problems(database) == []
    database.dispose()
