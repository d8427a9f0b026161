"""Snapshot and full sync of a big workshop, timed against a real pinboard server.

    python bench/snapshot.py [--boards 5] [--cards 2000] [--runs 40] [--database-url URL]

Builds a workshop of `--boards` boards and `--cards` cards in all (clusters with headlines,
stacks, hidden cards, a dot voting on every board, a timer: tests/workload.py) on SQLite, and on
PostgreSQL too when --database-url names a server (the benchmark creates a scratch database there
and drops it afterwards). Starts `python run.py` on each and times, as the moderator and as a
participant, `GET /api/workshops/<id>` (the HTTP snapshot) and a Socket.IO `sync` without `since`
(the full snapshot a client fetches on connecting), each `--runs` times after a warm-up. Prints
p50/p95 in milliseconds and writes bench/results/snapshot.json with the machine's load.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests
import socketio
from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pinboard.database import Database  # noqa: E402
from pinboard.migrations import upgrade_database  # noqa: E402
from tests.conftest import free_port, make_participant  # noqa: E402
from tests.workload import build_workshop  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "snapshot.json"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@contextlib.contextmanager
def scratch_postgres(server_url: str) -> Iterator[str]:
    parsed = make_url(server_url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    name = f"pinboard_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@contextlib.contextmanager
def server(database_url: str, workdir: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "PINBOARD_INSTANCE_PATH": str(workdir / "instance"),
        "PINBOARD_DATABASE_URL": database_url,
        "PINBOARD_ASYNC_MODE": "eventlet",
        "PINBOARD_CONFIG": str(workdir / "absent.toml"),
        "PINBOARD_RATE_LIMIT_PER_MINUTE": "100000",
        "PINBOARD_RATE_LIMIT_BURST": "100000",
    }
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "run.py"), "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{url}/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def timed(call: Any, runs: int) -> list[float]:
    for _ in range(3):
        call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure(database_url: str, workdir: Path, boards: int, cards: int, runs: int) -> dict[str, Any]:
    database = Database(database_url)
    upgrade_database(database)
    workshop = build_workshop(database, boards, cards // boards)
    _, token = make_participant(database, workshop, "Bench")
    database.dispose()
    figures: dict[str, Any] = {}
    with server(database_url, workdir) as url, requests.Session() as http:
        for role, secret, auth in (
            ("moderator", workshop.moderator_key, {"moderator_key": workshop.moderator_key}),
            ("participant", token, {"token": token}),
        ):
            headers = {"Authorization": f"Bearer {secret}", "Accept-Encoding": "identity"}
            snapshot_url = f"{url}/api/workshops/{workshop.id}"
            size = len(http.get(snapshot_url, headers=headers, timeout=30).content)

            def get(snapshot_url: str = snapshot_url, headers: dict[str, str] = headers) -> None:
                response = http.get(snapshot_url, headers=headers, timeout=30)
                response.raise_for_status()
                response.content  # noqa: B018 (read the whole body)

            # websocket-client checks UTF-8 in pure Python (a browser does it natively): ~100 ms of a
            # 700 KB snapshot would be the client's own time, not the server's.
            client = socketio.Client(websocket_extra_options={"skip_utf8_validation": True})
            client.connect(url, auth={"workshop": workshop.id, **auth}, transports=["websocket"])
            try:

                def sync(client: socketio.Client = client) -> None:
                    answer = client.call("sync", {}, timeout=30)
                    assert answer["ok"] and "snapshot" in answer["data"], answer

                figures[f"GET snapshot, {role}"] = summary(timed(get, runs)) | {"bytes": size}
                figures[f"sync (full), {role}"] = summary(timed(sync, runs))
            finally:
                client.disconnect()
    return figures


def summary(times: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(times, 0.5), 1), "p95_ms": round(percentile(times, 0.95), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boards", type=int, default=5)
    parser.add_argument("--cards", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server to measure as well")
    args = parser.parse_args()

    results: dict[str, Any] = {
        "boards": args.boards,
        "cards": args.cards,
        "runs": args.runs,
        "cpus": os.cpu_count(),
        "load_before": os.getloadavg(),
    }
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        results["SQLite"] = measure(
            f"sqlite:///{workdir / 'bench.sqlite3'}", workdir, args.boards, args.cards, args.runs
        )
        if args.database_url:
            with scratch_postgres(args.database_url) as url:
                results["PostgreSQL"] = measure(url, workdir, args.boards, args.cards, args.runs)
    results["load_after"] = os.getloadavg()

    print(f"{args.boards} boards, {args.cards} cards, {args.runs} runs; load {results['load_before']}")
    print(f"{'':42}{'p50 ms':>9}{'p95 ms':>9}")
    for database in ("SQLite", "PostgreSQL"):
        for name, figure in results.get(database, {}).items():
            print(f"{database + ': ' + name:42}{figure['p50_ms']:9.1f}{figure['p95_ms']:9.1f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
