"""Nothing lost: the real server is killed (SIGKILL) in the middle of a burst of card posts.

Eight participants post cards as fast as the server acknowledges them, each through an outbox
(tests/outbox.py) that resends whatever was not acknowledged once it has reconnected. The
server is killed at a random moment 0.1-0.5 s into each burst, twenty times in a row, and
restarted on the same port and database. After every crash the database must be intact
(`PRAGMA integrity_check` on SQLite), hold every acknowledged card exactly once and its event
log must have no gaps; at the end every card the participants queued is there exactly once,
in each participant's order. The figures are printed (`pytest -s`); docs/operations.md has them.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import socketio
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from tests.outbox import Outbox
from tests.replica import close_dead_websocket
from tests.test_server import create_workshop, join, snapshot

pytestmark = pytest.mark.server

CLIENTS = 8
KILLS = 20
POLLING_CLIENTS = 2  # the others use websockets; phones may be on either
UNLIMITED = {"PINBOARD_RATE_LIMIT_PER_MINUTE": "1000000", "PINBOARD_RATE_LIMIT_BURST": "1000000"}


class Phone:
    """One participant: a python-socketio client that reconnects by itself, and its outbox."""

    def __init__(self, url: str, workshop: dict[str, Any], number: int, board_id: int) -> None:
        joined = join(url, workshop["join_code"], f"Teilnehmer {number}")
        self.participant_id = joined["participant_id"]
        self.number = number
        self.board_id = board_id
        self.sio = socketio.Client(
            reconnection=True, reconnection_delay=0.1, reconnection_delay_max=0.2, randomization_factor=0.05
        )
        self.sio.on("disconnect", lambda reason="", *_: close_dead_websocket(self.sio, reason))
        self.outbox = Outbox(self.sio)
        self.posting = True
        self.url = url
        self.auth = {"workshop": workshop["id"], "token": joined["participant_token"]}
        self.transports = ["polling"] if number < POLLING_CLIENTS else ["websocket"]

    def connect(self) -> Phone:
        self.sio.connect(self.url, auth=self.auth, transports=self.transports, wait_timeout=10)
        return self

    def next_card(self) -> dict[str, Any] | None:
        if not self.posting:
            return None
        n = self.outbox.stats.queued
        return {"board_id": self.board_id, "text": f"Idee {self.number}.{n}: Beteiligung früh planen"}

    def close(self) -> None:
        self.sio.shutdown()  # disconnects, or stops reconnecting


@dataclass
class Figures:
    backend: str
    startups: list[float] = field(default_factory=list)
    bursts: list[float] = field(default_factory=list)
    in_flight_at_kill: list[int] = field(default_factory=list)
    acked_at_kill: list[int] = field(default_factory=list)

    def report(self, phones: list[Phone], total: float) -> str:
        stats = [p.outbox.stats for p in phones]
        return (
            f"crash test [{self.backend}]: {CLIENTS} clients, {len(self.bursts)} kills, "
            f"{sum(s.queued for s in stats)} cards posted, "
            f"{self.acked_at_kill[-1]} acked before the last kill, "
            f"{sum(self.in_flight_at_kill)} posts in flight at the kills, "
            f"{sum(s.resends for s in stats)} resends ({sum(s.replayed for s in stats)} already stored), "
            f"{sum(s.sends for s in stats)} sends; bursts {min(self.bursts):.2f}-{max(self.bursts):.2f} s, "
            f"restarts {min(self.startups):.2f}-{max(self.startups):.2f} s "
            f"(mean {sum(self.startups) / len(self.startups):.2f} s), total {total:.1f} s"
        )


def stored_state(engine: Engine, workshop_id: str) -> tuple[dict[str, int], Counter[str], list[int], int]:
    """What the database holds: client_id -> card id, card texts, event seqs, the workshop's last_seq."""
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT client_id, id, text FROM cards WHERE workshop_id = :w"), {"w": workshop_id}
        ).all()
        seqs = connection.execute(
            text("SELECT seq FROM events WHERE workshop_id = :w ORDER BY seq"), {"w": workshop_id}
        ).scalars()
        last_seq = connection.execute(
            text("SELECT last_seq FROM workshops WHERE id = :w"), {"w": workshop_id}
        ).scalar_one()
        seq_list = list(seqs)
    by_client: dict[str, int] = {}
    for client_id, card_id, _ in rows:
        assert client_id not in by_client, f"client_id {client_id} stored twice"
        by_client[client_id] = card_id
    return by_client, Counter(row[2] for row in rows), seq_list, last_seq


def check_after_crash(engine: Engine, workshop_id: str, acked: dict[str, int], sqlite: bool) -> None:
    if sqlite:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
    by_client, texts, seqs, last_seq = stored_state(engine, workshop_id)
    missing = {cid: card for cid, card in acked.items() if by_client.get(cid) != card}
    assert not missing, f"{len(missing)} acknowledged cards are missing or changed: {missing}"
    assert [t for t, n in texts.items() if n > 1] == [], "a card text was stored twice"
    assert seqs == list(range(1, last_seq + 1)), "the event log has a gap or a duplicate"
    assert last_seq == len(by_client)  # one card.created event per card, nothing else


def acked_cards(phones: list[Phone]) -> dict[str, int]:
    return {cid: card["id"] for p in phones for cid, card in list(p.outbox.acked.items())}


def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def test_no_acknowledged_card_is_lost_when_the_server_is_killed_mid_burst(
    live_server: Any, database_url: str
) -> None:
    seed = int(os.environ.get("PINBOARD_CRASH_SEED", random.randrange(10**6)))
    rng = random.Random(seed)
    print(f"crash seed {seed} (PINBOARD_CRASH_SEED)")  # shown when the test fails
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    figures = Figures(backend)
    began = time.monotonic()
    server = live_server(**UNLIMITED)
    workshop = create_workshop(server.url)
    board_id = snapshot(server.url, workshop["id"], workshop["moderator_key"])["boards"][0]["id"]
    phones = [Phone(server.url, workshop, n, board_id).connect() for n in range(CLIENTS)]
    deadline = time.monotonic() + 240
    threads = [
        threading.Thread(target=p.outbox.deliver, args=(p.next_card, deadline), daemon=True) for p in phones
    ]
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        for thread in threads:
            thread.start()
        for _ in range(KILLS):
            wait_until(lambda: all(p.sio.connected for p in phones), 20, "every client to reconnect")
            burst = rng.uniform(0.1, 0.5)
            time.sleep(burst)
            in_flight = sum(p.outbox.in_flight is not None for p in phones)
            server.kill()
            acked = acked_cards(phones)
            figures.bursts.append(burst)
            figures.in_flight_at_kill.append(in_flight)
            figures.acked_at_kill.append(len(acked))
            assert in_flight > 0, f"the kill came between bursts (seed {seed})"
            check_after_crash(engine, workshop["id"], acked, database_url.startswith("sqlite"))
            started = time.monotonic()
            server.start()
            figures.startups.append(time.monotonic() - started)

        for phone in phones:
            phone.posting = False  # the outboxes deliver what is left, then the threads end
        for thread in threads:
            thread.join(max(1.0, deadline - time.monotonic()))
        errors = [e for p in phones for e in p.outbox.stats.errors]
        assert errors == [], errors
        assert [len(p.outbox) for p in phones] == [0] * CLIENTS, "an outbox was not delivered"

        # Every card queued is stored exactly once, with the id its ack named, and nothing else.
        queued = [cid for p in phones for cid in p.outbox.order]
        by_client, _, seqs, last_seq = stored_state(engine, workshop["id"])
        assert sorted(by_client) == sorted(queued)
        assert acked_cards(phones) == by_client
        check_after_crash(engine, workshop["id"], by_client, database_url.startswith("sqlite"))
        # ... and each participant's cards stand in the order they were typed.
        state = snapshot(server.url, workshop["id"], workshop["moderator_key"])
        cards = state["boards"][0]["unsorted"]
        assert state["seq"] == len(cards) == len(queued)
        for phone in phones:
            mine = [c["client_id"] for c in cards if c["author_id"] == phone.participant_id]
            assert mine == phone.outbox.order
        stats = [p.outbox.stats for p in phones]
        assert sum(s.resends for s in stats) >= KILLS  # the kills did catch posts in flight
    finally:
        for phone in phones:
            phone.close()
        engine.dispose()
    print("\n" + figures.report(phones, time.monotonic() - began) + f" (seed {seed})")
