"""Redis goes away during a burst of posts across three processes and comes back.

Flask-SocketIO's Redis queue is publish/subscribe: what is published while Redis is away is
dropped. The processes' `head {seq}` signal (sent locally, not through Redis) makes every client
notice that it is behind and catch up from the event log; the processes' listeners subscribe
again by themselves (python-socketio's RedisManager retries with a backoff of 1, 2, 4... s)."""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path

import pytest

from tests.cluster import (
    RedisServer,
    card_texts,
    cluster,
    create_workshop,
    require_postgres_and_redis,
    wait_for,
)
from tests.replica import LiveClient

pytestmark = pytest.mark.server

POST_PAUSE = 0.05  # seconds between one poster's cards
OUTAGE = 2.0  # seconds
AFTER = 5  # cards per poster once Redis is back


def _post(poster: LiveClient, board_id: int, texts: list[str]) -> list[dict]:
    answers = []
    for text in texts:
        payload = {"client_id": secrets.token_hex(8), "board_id": board_id, "text": text}
        answers.append(poster.call("card:create", payload, timeout=30))
    return answers


def _post_until(stop: threading.Event, poster: LiveClient, board_id: int, name: str, out: list[dict]) -> None:
    number = 0
    while not stop.is_set():
        out.extend(_post(poster, board_id, [f"{name} card {number}"]))
        number += 1
        time.sleep(POST_PAUSE)


def _connect(url: str, workshop_id: str, token: str, transport: str = "websocket") -> LiveClient:
    return LiveClient(url, {"workshop": workshop_id, "token": token}, [transport]).connect()


def test_every_client_gets_every_card_once_across_a_redis_restart(tmp_path: Path, postgres_url: str) -> None:
    require_postgres_and_redis()
    redis_server = RedisServer(tmp_path / "redis").start()
    env = {"PINBOARD_HEAD_INTERVAL_MS": "1000"}
    try:
        with cluster(tmp_path, postgres_url, 3, redis_url=redis_server.url, **env) as group:
            workshop = create_workshop(group.servers[0].url, 9)
            tokens = iter(workshop.tokens)
            readers = [
                _connect(server.url, workshop.id, next(tokens), transport)
                for server in group.servers
                for transport in ("websocket", "polling")
            ]
            posters = [_connect(server.url, workshop.id, next(tokens)) for server in group.servers]
            everyone = [*readers, *posters]
            try:
                # A burst from every process; Redis is stopped in the middle of it. The burst ends
                # during the outage, so the last cards are followed by no event that would show
                # a gap: only the head signal tells the other processes' clients they are behind.
                stop = threading.Event()
                answers: list[dict] = []
                threads = [
                    threading.Thread(
                        target=_post_until, args=(stop, poster, workshop.board_id, f"p{n}", answers)
                    )
                    for n, poster in enumerate(posters)
                ]
                for thread in threads:
                    thread.start()
                time.sleep(1.0)
                redis_server.stop()  # SIGTERM
                stopped_at = time.monotonic()
                time.sleep(OUTAGE)
                stop.set()
                for thread in threads:
                    thread.join(60)
                # Once the gap resyncs of the burst are over, one more card through the first
                # process: the other processes' clients can learn of it from the head alone.
                time.sleep(1.5)
                answers.extend(_post(posters[0], workshop.board_id, ["the last card of the outage"]))
                redis_server = RedisServer(redis_server.workdir, port=redis_server.port).start()
                restarted_at = time.monotonic()
                assert answers and all(answer["ok"] for answer in answers), [
                    a for a in answers if not a["ok"]
                ][:3]
                total = len(answers)
                for client in everyone:
                    client.wait_for_seq(total, timeout=20)
                caught_up = time.monotonic() - restarted_at
                # A process delivers its own events to its own clients without Redis; the others'
                # clients never get the last cards as events. They learn of them from the head
                # (or, racing with it, from a gap resync that ran after the last commit).
                behind = [c for c in everyone if max(m["seq"] for m in c.received) < total]
                assert len(behind) >= 2 * len(everyone) // 3
                assert any(client.head_syncs > 0 for client in behind)

                # Every process's listener subscribes again to the restarted Redis by itself, and
                # the queue carries events between processes again, without a resync.
                wait_for(lambda: group.subscribers() == 3, "three subscribers after the restart", 30)
                head_syncs, resyncs = sum(c.head_syncs for c in everyone), sum(c.resyncs for c in everyone)
                print(
                    f"\nRedis away {restarted_at - stopped_at:.2f} s; {total} cards, {len(behind)} of "
                    f"{len(everyone)} clients behind, all caught up {caught_up:.2f} s after the restart; "
                    f"3 listeners subscribed {time.monotonic() - restarted_at:.2f} s after it; "
                    f"{head_syncs} head syncs, {resyncs} gap resyncs"
                )
                counts = [(client.head_syncs, client.resyncs) for client in everyone]
                after = [[f"p{n} after {i}" for i in range(AFTER)] for n in range(len(posters))]
                for poster, texts in zip(posters, after, strict=True):
                    answers.extend(_post(poster, workshop.board_id, texts))
                assert all(answer["ok"] for answer in answers)
                for client in everyone:
                    client.wait_for_seq(len(answers))
                    assert {m["seq"] for m in client.received} >= set(range(total + 1, len(answers) + 1))
                assert [(c.head_syncs, c.resyncs) for c in everyone] == counts

                # Every card, exactly once, on every client.
                everything = sorted(answer["data"]["text"] for answer in answers)
                assert len(set(everything)) == len(everything)
                for client in everyone:
                    assert card_texts(client) == everything, client.server
            finally:
                for client in everyone:
                    client.close()
    finally:
        redis_server.stop()
