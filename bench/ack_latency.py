"""card:create ack latency and fan-out latency against a real pinboard server.

    python bench/ack_latency.py [--cards 500] [--watchers 20] [--async-mode eventlet] [--database-url URL]

Starts `python run.py` on a free port (SQLite in a temporary folder unless --database-url is
given), connects one posting participant and N watching clients, posts cards one after another and
reports, in milliseconds: the ack latency of card:create (p50/p95/p99) and the time until the last
watcher has the card.created event (p50/p95/p99). It checks that every watcher received every card
exactly once.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import free_port  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def start_server(
    port: int, workdir: Path, async_mode: str, database_url: str | None
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PINBOARD_INSTANCE_PATH": str(workdir / "instance"),
        "PINBOARD_ASYNC_MODE": async_mode,
        "PINBOARD_CONFIG": str(workdir / "absent.toml"),
        "PINBOARD_RATE_LIMIT_PER_MINUTE": "100000",
        "PINBOARD_RATE_LIMIT_BURST": "100000",
    }
    if database_url:
        env["PINBOARD_DATABASE_URL"] = database_url
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "run.py"), "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return process
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=500)
    parser.add_argument("--watchers", type=int, default=20)
    parser.add_argument("--async-mode", default="eventlet")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        server = start_server(port, Path(folder), args.async_mode, args.database_url)
        url = f"http://127.0.0.1:{port}"
        try:
            workshop = requests.post(
                f"{url}/api/workshops", json={"title": "Bench", "boards": [{"title": "B"}]}, timeout=10
            ).json()
            received: dict[int, list[float]] = {}
            lock = threading.Lock()
            watchers = []
            for _ in range(args.watchers):
                token = requests.post(
                    f"{url}/api/join", json={"code": workshop["join_code"]}, timeout=10
                ).json()["participant_token"]
                client = socketio.Client()

                def on_event(message: dict, _c: socketio.Client = client) -> None:
                    if message["type"] == "card.created":
                        with lock:
                            received.setdefault(message["data"]["card"]["id"], []).append(time.perf_counter())

                client.on("event", on_event)
                client.connect(
                    url, auth={"workshop": workshop["id"], "token": token}, transports=["websocket"]
                )
                watchers.append(client)
            token = requests.post(f"{url}/api/join", json={"code": workshop["join_code"]}, timeout=10).json()[
                "participant_token"
            ]
            poster = socketio.Client()
            poster.connect(url, auth={"workshop": workshop["id"], "token": token}, transports=["websocket"])
            board_id = poster.call("sync", {})["data"]["snapshot"]["boards"][0]["id"]

            acks, fanout, sent_at = [], [], {}
            for number in range(args.cards):
                started = time.perf_counter()
                ack = poster.call(
                    "card:create",
                    {"client_id": uuid.uuid4().hex, "board_id": board_id, "text": f"Karte {number}"},
                )
                acks.append((time.perf_counter() - started) * 1000)
                assert ack["ok"], ack
                sent_at[ack["data"]["id"]] = started
            time.sleep(1.0)
            for card_id, started in sent_at.items():
                times = received.get(card_id, [])
                assert len(times) == args.watchers, f"card {card_id} reached {len(times)} of {args.watchers}"
                fanout.append((max(times) - started) * 1000)
            for client in [*watchers, poster]:
                client.disconnect()
        finally:
            server.terminate()
            server.wait(10)

    database = "PostgreSQL" if args.database_url else "SQLite (synchronous=FULL)"
    print(f"{args.cards} cards, {args.watchers} watchers, {args.async_mode}, {database}")
    print("no card lost or doubled")
    print(f"{'':24}{'p50':>8}{'p95':>8}{'p99':>8}{'mean':>8}")
    for name, values in (("card:create ack (ms)", acks), ("fan-out to last (ms)", fanout)):
        figures = [percentile(values, share) for share in (0.5, 0.95, 0.99)] + [statistics.mean(values)]
        print(f"{name:24}" + "".join(f"{figure:8.2f}" for figure in figures))


if __name__ == "__main__":
    main()
