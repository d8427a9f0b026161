"""Convergence: five clients and a projector, random interleavings of everything they do,
random disconnects, lost acks and duplicated resends; after every step every replica equals
the server and every acknowledged card is there exactly once (tests/convergence.py).

CI (PINBOARD_REQUIRE_ALL_TESTS=1) runs 500 examples of 200 steps on SQLite and 50 on
PostgreSQL, each in two shards of fixed seeds (so that two test workers share the work and every
run tries the same examples); elsewhere a smaller, random run. PINBOARD_CONVERGENCE_EXAMPLES
sets the number of examples (on each backend). See docs/development.md, "Convergence test".
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, seed, settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.stateful import get_state_machine_test

from pinboard.app import create_app, database_of, socketio_of
from pinboard.config import Settings
from pinboard.database import Database
from tests.conftest import BACKENDS, make_participant, make_workshop
from tests.convergence import PARTICIPANTS, Convergence, LiveLink, LocalLink, Room, Tally

IN_CI = bool(os.environ.get("PINBOARD_REQUIRE_ALL_TESTS"))
EXAMPLES = {"sqlite": 500, "postgresql": 50} if IN_CI else {"sqlite": 25, "postgresql": 10}
STEPS = 200
# SQLite's examples in two shards, each with its own seed in CI (different examples, the same
# ones every run), so that two test processes share them; PostgreSQL's 50 in one.
SHARD_SEEDS = (20261206, 20261207)
SHARDS = {"sqlite": 2, "postgresql": 1}
IN_PROCESS_RUNS = [
    pytest.param("sqlite", 0, id="sqlite-0"),
    pytest.param("sqlite", 1, id="sqlite-1"),
    pytest.param("postgresql", 0, id="postgresql", marks=BACKENDS[1].marks),
]
LIVE_EXAMPLES, LIVE_STEPS = 25, 200
# Small, so that a client that was away long enough gets a snapshot instead of the events.
SYNC_MAX_EVENTS = 8
# The board participants sort on, one where only the moderator does, one where they choose.
BOARDS = [
    {
        "title": "Einstieg",
        "clusters": ["Rahmenbedingungen", "Spannungsfelder"],
        "participants_can_move": True,
    },
    {"title": "Erfahrungsaustausch", "clusters": ["Grundhaltung"]},
    {"title": "Ideen", "participants_choose_cluster": True, "participants_choose_color": True},
]


EVENTS = ["card:create", "card:update", "card:move", "card:delete", "cluster:create", "cluster:update"]
EVENTS += ["cluster:move", "cluster:delete", "board:update", "board:move", "board:activate"]


@pytest.fixture(autouse=True)
def hypothesis_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Hypothesis keeps caches (e.g. of constants in the source) in .hypothesis/ of the working
    directory even without an example database: put them in a temporary directory instead."""
    set_hypothesis_home_dir(tmp_path_factory.mktemp("hypothesis"))
    yield
    set_hypothesis_home_dir(None)


def examples(backend: str) -> int:
    return int(os.environ.get("PINBOARD_CONVERGENCE_EXAMPLES", EXAMPLES[backend]))


def run(
    setup: Callable[[], Room], tally: Tally, max_examples: int, steps: int, shard: int | None = None
) -> None:
    """No example database (nothing written into the checkout); in CI the same examples every
    run (those of the shard's seed), each exactly `steps` long (Hypothesis otherwise ends some
    runs early, which helps shrinking); a failure prints the blob that reproduces it
    (@reproduce_failure)."""
    profile = settings(
        max_examples=max_examples,
        stateful_step_count=steps,
        deadline=None,
        database=None,
        derandomize=IN_CI,
        print_blob=True,
        # 200 steps against a real database are slow and large by design.
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )
    test = get_state_machine_test(
        lambda: Convergence(setup, tally), settings=profile, _min_steps=steps if IN_CI else 0
    )
    if IN_CI and shard is not None:
        test = seed(SHARD_SEEDS[shard])(test)
    test()


def backend_of(database_url: str) -> str:
    return "postgresql" if database_url.startswith("postgres") else "sqlite"


def assert_the_run_did_what_it_should(tally: Tally, runs: int, steps: int) -> None:
    """The run really made that many examples that long and, in CI (the same examples every
    time), went through every path it is about. (The invariant also runs before step 1.)"""
    print(f"convergence: {tally}")
    assert tally.examples >= runs
    if not IN_CI:  # a few random examples, some of which Hypothesis ends early
        assert tally.steps >= runs * steps // 2
        return
    assert tally.steps >= runs * steps
    assert all(tally.calls[event] for event in EVENTS), tally.calls
    assert tally.reconnects and tally.resends and tally.resyncs and tally.snapshots
    assert tally.refused["forbidden"] and tally.refused["not_found"] and tally.refused["locked"]


# ---- in-process: Flask-SocketIO's test client ------------------------------------------


@dataclass
class LocalServer:
    app: Any
    db: Database
    workshop_id: str

    def open(self, auth: dict[str, Any]) -> LocalLink:
        return LocalLink(socketio_of(self.app), self.app, auth)


def room(db: Database, open_link: Callable[[str], Any]) -> Callable[[], Room]:
    """Per example: a new workshop, its moderator, projector and four participants."""

    def setup() -> Room:
        w = make_workshop(db, boards=BOARDS)
        auths: dict[str, Any] = {
            "moderator": {"workshop": w.id, "moderator_key": w.moderator_key},
            "projector": {"workshop": w.id, "projector_key": w.projector_key},
        }
        ids = {}
        for name in PARTICIPANTS:
            actor, token = make_participant(db, w, name.title())
            auths[name] = {"workshop": w.id, "token": token}
            ids[name] = actor.participant_id
        return Room(open_link(w.id), auths, ids)

    return setup


@pytest.mark.timeout(1200)
@pytest.mark.parametrize(("database_url", "shard"), IN_PROCESS_RUNS, indirect=["database_url"])
def test_every_replica_converges_and_no_acknowledged_card_is_lost_or_doubled(
    tmp_path: Path, database_url: str, shard: int
) -> None:
    settings_ = Settings(
        instance_path=str(tmp_path / "instance"),
        database_url=database_url,
        secret_key="test-secret",
        async_mode="threading",
        rate_limit_per_minute=1_000_000,
        rate_limit_burst=1_000_000,
        sync_max_events=SYNC_MAX_EVENTS,
        sqlite_synchronous="OFF",  # durability is tested elsewhere; this test is about order
    )
    app = create_app(settings_, test_config={"TESTING": True})
    db = database_of(app)
    tally = Tally()
    backend = backend_of(database_url)
    runs = examples(backend) // SHARDS[backend]
    started = time.monotonic()
    try:
        run(room(db, lambda workshop_id: LocalServer(app, db, workshop_id)), tally, runs, STEPS, shard)
    finally:
        db.dispose()
    print(f"{runs} examples x {STEPS} steps in {time.monotonic() - started:.1f} s")
    assert_the_run_did_what_it_should(tally, runs, STEPS)


# ---- a real server: python-socketio clients over real sockets -----------------------------


@dataclass
class RemoteServer:
    url: str
    db: Database
    workshop_id: str

    def open(self, auth: dict[str, Any]) -> LiveLink:
        return LiveLink(self.url, auth)


def remote_room(url: str, db: Database) -> Callable[[], Room]:
    """Per example: a workshop made through the HTTP API, four participants joined by its code."""

    def setup() -> Room:
        created = requests.post(
            f"{url}/api/workshops", json={"title": "Konvergenz", "boards": BOARDS}, timeout=10
        )
        assert created.status_code == 201, created.text
        w = created.json()
        auths: dict[str, Any] = {
            "moderator": {"workshop": w["id"], "moderator_key": w["moderator_key"]},
            "projector": {"workshop": w["id"], "projector_key": w["projector_key"]},
        }
        ids = {}
        for name in PARTICIPANTS:
            joined = requests.post(f"{url}/api/join", json={"code": w["join_code"], "name": name}, timeout=10)
            assert joined.status_code == 200, joined.text
            auths[name] = {"workshop": w["id"], "token": joined.json()["participant_token"]}
            ids[name] = joined.json()["participant_id"]
        return Room(RemoteServer(url, db, w["id"]), auths, ids)

    return setup


@pytest.mark.server
@pytest.mark.timeout(600)
def test_a_real_server_converges_too(live_server: Callable[..., Any], database_url: str) -> None:
    server = live_server(
        PINBOARD_RATE_LIMIT_PER_MINUTE="1000000",
        PINBOARD_RATE_LIMIT_BURST="1000000",
        PINBOARD_SYNC_MAX_EVENTS=str(SYNC_MAX_EVENTS),
    )
    db = Database(database_url)
    tally = Tally()
    started = time.monotonic()
    try:
        run(remote_room(server.url, db), tally, LIVE_EXAMPLES, LIVE_STEPS)
    finally:
        db.dispose()
    print(f"live: {LIVE_EXAMPLES} examples x {LIVE_STEPS} steps in {time.monotonic() - started:.1f} s")
    assert_the_run_did_what_it_should(tally, LIVE_EXAMPLES, LIVE_STEPS)


# ---- what the property leaves out: the hidden card query ---------------------------------


def test_a_moderators_edit_of_a_hidden_card_reaches_its_author_live(
    app_db: Database, socket_client: Callable[..., Any]
) -> None:
    w = make_workshop(app_db, boards=[{"title": "Verdeckte Kartenabfrage", "hidden": True}])
    _, token = make_participant(app_db, w, "Anna")
    moderator = socket_client({"workshop": w.id, "moderator_key": w.moderator_key})
    anna = socket_client({"workshop": w.id, "token": token})
    posted = anna.emit(
        "card:create",
        {"client_id": "c0ffee00c0ffee00", "board_id": w.board_ids[0], "text": "Augenhöhe herstelen"},
        callback=True,
    )
    assert posted["ok"] and posted["data"]["hidden"], posted
    anna.get_received()
    edited = moderator.emit(
        "card:update", {"card_id": posted["data"]["id"], "text": "Augenhöhe herstellen"}, callback=True
    )
    assert edited["ok"], edited
    live = [m["args"][0] for m in anna.get_received() if m["name"] == "event"]
    snapshot = anna.emit("sync", {}, callback=True)["data"]["snapshot"]
    assert [c["text"] for c in snapshot["boards"][0]["unsorted"]] == ["Augenhöhe herstellen"]
    # The whole event first, which the phone applies, then the placeholder everyone else gets,
    # with the same seq: the phone drops it as a duplicate (see docs/protocol.md).
    texts = [m["data"]["card"]["text"] for m in live if m["seq"] == edited["seq"]]
    assert texts == ["Augenhöhe herstellen", ""]
