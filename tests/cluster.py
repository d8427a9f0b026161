"""Several real server processes on one PostgreSQL database and one Redis message queue.

Each group gets a message-queue channel of its own (`message_queue_channel`), so groups of
parallel tests on the same Redis never see each other's messages or rate-limit buckets.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from tests.conftest import PG_URL, REDIS_URL, LiveServer, _empty_postgres, free_port
from tests.replica import LiveClient


def require_postgres_and_redis() -> None:
    if not PG_URL:
        pytest.skip("PINBOARD_TEST_DATABASE_URL is not set (.ci/run sets it)")
    if not REDIS_URL:
        pytest.skip("PINBOARD_TEST_REDIS_URL is not set (.ci/run sets it)")


def new_channel() -> str:
    return f"pinboard-test-{uuid.uuid4().hex[:10]}"


@dataclass
class Cluster:
    servers: list[LiveServer]
    channel: str
    redis_url: str

    def server_named(self, server_id: str) -> LiveServer:
        """The process whose sync answers say `server` = server_id (host:port)."""
        port = int(server_id.rsplit(":", 1)[1])
        return next(s for s in self.servers if s.port == port)

    def subscribers(self) -> int:
        """How many processes listen on the channel (Redis's PUBSUB NUMSUB)."""
        client = redis.Redis.from_url(self.redis_url)
        try:
            return int(dict(client.pubsub_numsub(self.channel))[self.channel.encode()])
        finally:
            client.close()


@contextlib.contextmanager
def cluster(
    workdir: Path, database_url: str, count: int, redis_url: str = "", **env: str
) -> Iterator[Cluster]:
    """`count` server processes (eventlet) sharing the database and a channel of their own."""
    redis_url = redis_url or REDIS_URL
    channel = new_channel()
    _empty_postgres(database_url)
    settings = {
        "PINBOARD_MESSAGE_QUEUE": redis_url,
        "PINBOARD_MESSAGE_QUEUE_CHANNEL": channel,
        **env,
    }
    servers = [LiveServer(workdir, database_url, env=settings) for _ in range(count)]
    try:
        for server in servers:
            server.start()
        group = Cluster(servers, channel, redis_url)
        wait_for(lambda: group.subscribers() == count, "every process subscribed to the channel")
        yield group
    finally:
        for server in servers:
            server.stop()


def stop_process(process: subprocess.Popen[Any]) -> None:
    """SIGTERM, and SIGKILL if it has not ended 10 s later."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def wait_for(condition: Any, what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@dataclass
class Workshop:
    id: str
    join_code: str
    moderator_key: str
    projector_key: str
    board_id: int
    tokens: list[str] = field(default_factory=list)


def create_workshop(base_url: str, participants: int) -> Workshop:
    created = requests.post(
        f"{base_url}/api/workshops", json={"title": "Forum A", "boards": [{"title": "Ideas"}]}, timeout=10
    ).json()
    snapshot = requests.get(
        f"{base_url}/api/workshops/{created['id']}",
        headers={"Authorization": f"Bearer {created['moderator_key']}"},
        timeout=10,
    ).json()
    keys = created["moderator_key"], created["projector_key"]
    workshop = Workshop(created["id"], created["join_code"], *keys, snapshot["boards"][0]["id"])
    for number in range(participants):
        joined = requests.post(
            f"{base_url}/api/join", json={"code": workshop.join_code, "name": f"P{number}"}, timeout=10
        ).json()
        workshop.tokens.append(joined["participant_token"])
    return workshop


def card_texts(client: LiveClient) -> list[str]:
    with client.lock:
        assert client.replica is not None
        return sorted(card["text"] for card in client.replica.cards())


def created_seqs(client: LiveClient) -> list[int]:
    """The seqs of the `event` messages the client received, in the order they came."""
    with client.lock:
        return [message["seq"] for message in client.received]


@dataclass
class RedisServer:
    """A redis-server of the test's own (free port, tmp dir), which the test may stop."""

    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed (.ci/run installs it)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = self.workdir / "redis.log"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir), "--logfile", str(log)],
        )  # fmt: skip
        wait_for(self._answers, f"redis-server on port {self.port}")
        return self

    def _answers(self) -> bool:
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
