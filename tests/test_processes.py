"""The rules that must hold across server processes (PostgreSQL + a Redis message queue):
rate limits, timers, sequence numbers and client_id idempotency; and `pinboard run --workers`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from pinboard.cli import cli
from tests.cluster import cluster, create_workshop, require_postgres_and_redis, wait_for
from tests.conftest import REDIS_URL, free_port
from tests.replica import LiveClient

pytestmark = pytest.mark.server


@pytest.fixture
def pg_url(postgres_url: str) -> str:
    require_postgres_and_redis()
    return postgres_url


def _count(database_url: str, sql: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def test_a_participant_has_one_rate_limit_across_processes(tmp_path: Path, pg_url: str) -> None:
    limits = {"PINBOARD_RATE_LIMIT_BURST": "6", "PINBOARD_RATE_LIMIT_PER_MINUTE": "1"}
    with cluster(tmp_path, pg_url, 2, **limits) as group:
        workshop = create_workshop(group.servers[0].url, 1)
        auth = {"workshop": workshop.id, "token": workshop.tokens[0]}
        phones = [LiveClient(server.url, auth).connect() for server in group.servers]  # 1 sync each
        try:
            answers = [phones[n % 2].call("sync", {}) for n in range(10)]
        finally:
            for phone in phones:
                phone.close()
    # One bucket of 6 for both phones; a bucket per process would have let 12 through.
    assert sum(answer["ok"] for answer in answers) == 6 - 2
    assert {a["error"]["code"] for a in answers if not a["ok"]} == {"rate_limited"}


def test_a_due_timer_ends_exactly_once_across_three_processes(tmp_path: Path, pg_url: str) -> None:
    with cluster(tmp_path, pg_url, 3) as group:
        created = requests.post(
            f"{group.servers[0].url}/api/workshops",
            json={"title": "Timers", "boards": [{"title": f"B{n}"} for n in range(6)]},
            timeout=10,
        ).json()
        moderator = LiveClient(
            group.servers[1].url, {"workshop": created["id"], "moderator_key": created["moderator_key"]}
        ).connect()
        try:
            assert moderator.replica is not None
            board_ids = [board["id"] for board in moderator.replica.boards]
            for board_id in board_ids:
                ack = moderator.call("timer:start", {"board_id": board_id, "seconds": 1, "lock_on_end": True})
                assert ack["ok"], ack
            last_seq = moderator.replica.seq + 2 * len(board_ids)  # timer.ended and board.updated
            wait_for(
                lambda: moderator.replica is not None and moderator.replica.seq >= last_seq,
                "every timer ended",
            )
            time.sleep(1.5)  # three more rounds of every process's watcher: nothing ends twice
            ended = [m for m in moderator.received if m["type"] == "timer.ended"]
        finally:
            moderator.close()
    assert sorted(m["data"]["board_id"] for m in ended) == sorted(board_ids)
    assert _count(pg_url, "SELECT count(*) FROM events WHERE type = 'timer.ended'") == len(board_ids)
    assert _count(pg_url, "SELECT count(*) FROM events WHERE type = 'board.updated'") == len(board_ids)


def test_seq_and_client_id_hold_across_processes(tmp_path: Path, pg_url: str) -> None:
    with cluster(tmp_path, pg_url, 3) as group:
        workshop = create_workshop(group.servers[0].url, 1)
        auth = {"workshop": workshop.id, "token": workshop.tokens[0]}
        phones = [LiveClient(server.url, auth).connect() for server in group.servers]
        try:
            client_ids = [uuid.uuid4().hex for _ in range(10)]
            answers: list[dict] = []

            def post(phone: LiveClient) -> None:
                for client_id in client_ids:  # one participant's resends, on every process at once
                    payload = {"client_id": client_id, "board_id": workshop.board_id, "text": client_id}
                    answers.append(phone.call("card:create", payload))

            threads = [threading.Thread(target=post, args=(phone,)) for phone in phones]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            assert all(answer["ok"] for answer in answers), answers
            for phone in phones:
                phone.wait_for_seq(len(client_ids))
                # Each event once; from three processes they may arrive out of order (the
                # replica applies them in order, waiting a moment for one that is overtaken).
                assert sorted(m["seq"] for m in phone.received) == list(range(1, len(client_ids) + 1))
                assert len(phone.replica.cards()) == len(client_ids)
        finally:
            for phone in phones:
                phone.close()
    # Every process's answer names the one card of its client_id.
    by_client_id: dict[str, set[int]] = {}
    for answer in answers:
        by_client_id.setdefault(answer["data"]["client_id"], set()).add(answer["data"]["id"])
    assert all(len(ids) == 1 for ids in by_client_id.values()) and len(by_client_id) == len(client_ids)
    assert _count(pg_url, "SELECT count(*) FROM cards") == len(client_ids)


def test_run_refuses_several_workers_without_postgresql_and_a_queue(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PINBOARD_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("PINBOARD_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("PINBOARD_DATABASE_URL", raising=False)
    monkeypatch.delenv("PINBOARD_MESSAGE_QUEUE", raising=False)
    result = CliRunner().invoke(cli, ["run", "--workers", "3"])
    assert result.exit_code == 2
    assert "--workers 3 needs a message queue" in result.output
    assert "and a PostgreSQL database" in result.output


def _consecutive_free_ports(count: int) -> int:
    for _ in range(50):
        first = free_port()
        if all(_is_free(first + n) for n in range(1, count)):
            return first
    raise RuntimeError("no consecutive free ports")


def _is_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_run_workers_starts_processes_on_consecutive_ports_and_stops_them(
    tmp_path: Path, pg_url: str
) -> None:
    port = _consecutive_free_ports(3)
    env = {
        **os.environ,
        "PINBOARD_DATABASE_URL": pg_url,
        "PINBOARD_MESSAGE_QUEUE": REDIS_URL,
        "PINBOARD_MESSAGE_QUEUE_CHANNEL": f"pinboard-test-{uuid.uuid4().hex[:10]}",
        "PINBOARD_INSTANCE_PATH": str(tmp_path / "instance"),
        "PINBOARD_CONFIG": str(tmp_path / "absent.toml"),
    }
    log = (tmp_path / "workers.log").open("wb")
    command = [sys.executable, "-c", "from pinboard.cli import main; main()", "run", "--workers", "3"]
    parent = subprocess.Popen([*command, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        urls = [f"http://127.0.0.1:{port + n}/healthz" for n in range(3)]
        wait_for(lambda: all(_answers(url) for url in urls), "three processes answering", timeout=40)
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(30) == 0
        assert not any(_answers(url) for url in urls)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(10)
        log.close()
    assert f"3 processes on ports {port}..{port + 2}" in (tmp_path / "workers.log").read_text()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False
