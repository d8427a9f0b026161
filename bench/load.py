"""Load benchmark: a workshop played by real Socket.IO clients against pinboard and bare servers.

    python bench/load.py                       # 300 phones, 10 cards/s, pinboard and bare Python
    python bench/load.py --phones 1000 --targets pinboard
    python bench/load.py --phones 3000 --rate 1 --join-over 20 --targets pinboard,bare-node
    python bench/load.py --database postgresql --processes 3

For every target it starts the server itself (pinboard: `python run.py` on a free port with a
temporary instance folder; bare-python: bench/bare_server.py; bare-node: bench/bare_server.js with
npm's socket.io 4 installed into ~/.cache/pinboard-bench), pinned with taskset to its own core,
creates a workshop through the HTTP API and starts generator processes (--generator node:
bench/load_clients.js, socket.io-client 4 on Node, the default when node and npm are installed;
--generator python: bench/load_clients.py, asyncio python-socketio; pinned to the other core)
that play it: the phones join by code in a burst (POST /api/join,
connect, sync), the phones post cards at --rate cards/s, the moderator moves cards, the projector
watches. It prints a table and writes the figures to bench/results/<name>.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import multiprocessing
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import requests

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from load_clients import Plan, run_generator  # noqa: E402

NODE_SCRATCH = Path.home() / ".cache" / "pinboard-bench"
TARGETS = ("pinboard", "bare-python", "bare-node")
GENERATORS = ("python", "node")
CLIENTS_PER_GENERATOR = {"python": 1000, "node": 5000}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def spread(values: list[float]) -> dict[str, float | None]:
    return {f"p{int(share * 100)}": percentile(values, share) for share in (0.5, 0.95, 0.99)} | {
        "max": max(values) if values else None,
        "n": len(values),
    }


def load_average() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


# ---- server processes --------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def pinned(command: list[str], cpus: str) -> list[str]:
    if cpus and shutil.which("taskset"):
        return ["taskset", "-c", cpus, *command]
    return command


def wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url}: no answer within {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def process(
    command: list[str], workdir: Path, env: dict[str, str], name: str
) -> Iterator[subprocess.Popen[bytes]]:
    log = workdir / f"{name}.log"
    with log.open("wb") as output:
        child = subprocess.Popen(command, cwd=workdir, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield child
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(10)


def npm_package(package: str, spec: str) -> None:
    """Install an npm package into the scratch folder ~/.cache/pinboard-bench on first use."""
    if not (NODE_SCRATCH / "node_modules" / package / "package.json").exists():
        NODE_SCRATCH.mkdir(parents=True, exist_ok=True)
        print(f"installing {spec} into {NODE_SCRATCH} ...", flush=True)
        subprocess.run(
            ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(NODE_SCRATCH), spec],
            check=True,
        )


def node_available() -> bool:
    return bool(shutil.which("node") and shutil.which("npm"))


def node_server_command(port: int) -> list[str]:
    npm_package("socket.io", "socket.io@4")
    return ["node", str(BENCH / "bare_server.js"), str(port)]


@contextmanager
def own_redis(workdir: Path) -> Iterator[str]:
    """A redis-server of the benchmark's own on a free port: its pub/sub channel is ours alone."""
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--dir", str(workdir)]  # fmt: skip
    with process(command, workdir, dict(os.environ), f"redis-{port}"):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A database of the benchmark's own on the PostgreSQL server of `admin_url`, dropped after."""
    import psycopg

    name = f"pinboard_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
            )
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


@dataclass
class Servers:
    urls: list[str]
    pids: list[int]


@contextmanager
def start_servers(target: str, args: argparse.Namespace, workdir: Path) -> Iterator[Servers]:
    cpus = args.server_cpus.split(",") if args.server_cpus else [""]
    with ExitStack() as stack:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if target == "pinboard":
            env |= {
                "PINBOARD_INSTANCE_PATH": str(workdir / "instance"),
                "PINBOARD_CONFIG": str(workdir / "absent.toml"),
                "PINBOARD_ASYNC_MODE": args.async_mode,
                "PINBOARD_RATE_LIMIT_PER_MINUTE": "1000000",
                "PINBOARD_RATE_LIMIT_BURST": "1000000",
                "PINBOARD_LOG_LEVEL": "WARNING",
                "PINBOARD_BROADCAST_WINDOW_MS": str(args.window_ms),
            }
            if args.database == "postgresql":
                env["PINBOARD_DATABASE_URL"] = stack.enter_context(postgres_database(args.postgres_admin_url))
            if args.processes > 1:
                env["PINBOARD_MESSAGE_QUEUE"] = stack.enter_context(own_redis(workdir))
        urls, pids = [], []
        for number in range(args.processes if target != "bare-node" else 1):
            port = free_port()
            if target == "pinboard":
                command = [sys.executable, str(ROOT / "run.py"), "--port", str(port)]
            elif target == "bare-python":
                command = [sys.executable, str(BENCH / "bare_server.py"), "--port", str(port),
                           "--async-mode", args.async_mode]  # fmt: skip
            else:
                command = node_server_command(port)
                env["NODE_PATH"] = str(NODE_SCRATCH / "node_modules")
            name = f"{target}-{port}"
            child = stack.enter_context(
                process(pinned(command, cpus[number % len(cpus)]), workdir, env, name)
            )
            url = f"http://127.0.0.1:{port}"
            wait_healthy(url, child, workdir / f"{name}.log")
            urls.append(url)
            pids.append(child.pid)
        yield Servers(urls, pids)


# ---- one run -----------------------------------------------------------------------------


def create_workshop(url: str) -> dict[str, Any]:
    body = {"title": "Lastprobe", "boards": [{"title": "Einstieg", "clusters": ["Eins", "Zwei", "Drei"]}]}
    created = requests.post(f"{url}/api/workshops", json=body, timeout=30)
    created.raise_for_status()
    workshop = created.json()
    snapshot = requests.get(
        f"{url}/api/workshops/{workshop['id']}",
        headers={"Authorization": f"Bearer {workshop['moderator_key']}"},
        timeout=30,
    ).json()
    board = snapshot["boards"][0]
    return {
        "id": workshop["id"],
        "join_code": workshop["join_code"],
        "moderator_key": workshop["moderator_key"],
        "projector_key": workshop["projector_key"],
        "board_id": board["id"],
        "cluster_ids": [cluster["id"] for cluster in board["clusters"]],
    }


def generator_main(plan: Plan, barrier: Any, results: Any, cpus: str) -> None:
    if cpus:
        os.sched_setaffinity(0, {int(cpu) for cpu in cpus.split(",")})
    run_generator(plan, barrier, results)


class Sampler:
    """The servers' CPU seconds and resident memory."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids

    def cpu(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids)

    def rss(self) -> int:
        return sum(rss_bytes(pid) for pid in self.pids)


class Profiler:
    """py-spy on the server process for one phase: collapsed stacks in <folder>/<phase>.txt."""

    def __init__(self, folder: str, pid: int) -> None:
        self.folder, self.pid = folder, pid
        self.child: subprocess.Popen[bytes] | None = None

    def start(self, phase: str) -> None:
        if not self.folder:
            return
        Path(self.folder).mkdir(parents=True, exist_ok=True)
        output = Path(self.folder) / f"{phase}.txt"
        command = ["py-spy", "record", "--pid", str(self.pid), "--format", "raw", "--rate", "250",
                   "--nonblocking", "--output", str(output)]  # fmt: skip
        self.child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        if self.child is not None:
            self.child.send_signal(signal.SIGINT)
            self.child.wait(30)
            self.child = None


def run_once(target: str, args: argparse.Namespace) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="pinboard-load-") as folder,
        start_servers(target, args, Path(folder)) as servers,
    ):
        workshop = create_workshop(servers.urls[0]) | {"phones": args.phones}
        sampler = Sampler(servers.pids)
        time.sleep(0.5)
        rss_before = sampler.rss()
        per_generator = args.clients_per_generator or CLIENTS_PER_GENERATOR[args.generator]
        generators = args.generators or max(1, math.ceil((args.phones + 2) / per_generator))
        plans = [
            Plan(
                index=index,
                urls=servers.urls,
                workshop=workshop,
                phones=list(range(index, args.phones, generators)),
                join_over=args.join_over,
                rate=args.rate / generators,
                duration=args.duration,
                moves=args.moves if index == 0 else 0.0,
                staff=index == 0,
                deflate=args.ws_deflate,
            )
            for index in range(generators)
        ]
        start = node_generators if args.generator == "node" else python_generators
        with start(plans, args.generator_cpus, Path(folder)) as (barrier, results):
            return measure(target, args, servers, sampler, barrier, results, generators, rss_before)


@contextmanager
def python_generators(plans: list[Plan], cpus: str, workdir: Path) -> Iterator[tuple[Any, Any]]:
    """bench/load_clients.py in multiprocessing processes, stepped through the phases by a barrier."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(len(plans) + 1), context.Queue()
    children = []
    for plan in plans:
        child = context.Process(target=generator_main, args=(plan, barrier, results, cpus))
        child.start()
        children.append(child)
    try:
        yield barrier, results
    finally:
        for child in children:
            child.join(30)
            if child.is_alive():
                child.kill()


@contextmanager
def node_generators(plans: list[Plan], cpus: str, workdir: Path) -> Iterator[tuple[Any, Any]]:
    """bench/load_clients.js in Node processes; a thread per process relays its phases to a barrier.

    The process writes {"phase": n} when it reaches a phase and waits for a line on its stdin,
    written once every generator and the orchestrator are there; its last line is its report.
    """
    npm_package("socket.io-client", "socket.io-client@4")
    barrier: threading.Barrier = threading.Barrier(len(plans) + 1)
    results: queue.Queue[dict[str, Any]] = queue.Queue()
    env = {**os.environ, "NODE_PATH": str(NODE_SCRATCH / "node_modules")}
    children = []
    for plan in plans:
        body = json.dumps(dataclasses.asdict(plan))
        command = pinned(["node", str(BENCH / "load_clients.js"), body], cpus)
        log = (workdir / f"generator-{plan.index}.log").open("wb")
        child = subprocess.Popen(command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                 text=True, bufsize=1)  # fmt: skip
        relay = threading.Thread(target=relay_node, args=(child, plan.index, barrier, results), daemon=True)
        relay.start()
        children.append((child, relay, log))
    try:
        yield barrier, results
    finally:
        for child, relay, log in children:
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(10)
            relay.join(5)
            log.close()


def relay_node(child: subprocess.Popen[str], index: int, barrier: threading.Barrier, results: Any) -> None:
    assert child.stdin is not None and child.stdout is not None
    reported = False
    try:
        for line in child.stdout:
            message = json.loads(line)
            if "phase" in message:
                try:
                    barrier.wait(600)
                    answer = {"monotonic": time.monotonic()}
                except threading.BrokenBarrierError:
                    answer = {"monotonic": time.monotonic(), "abort": True}
                child.stdin.write(json.dumps(answer) + "\n")
                child.stdin.flush()
            elif "report" in message:
                results.put(message["report"])
                reported = True
            elif "failed" in message:
                barrier.abort()
                results.put({"index": index, "failed": message["failed"]})
                reported = True
    except (OSError, ValueError) as error:
        if not reported:
            barrier.abort()
            results.put({"index": index, "failed": f"relay: {type(error).__name__}: {error}"})
            reported = True
    if not reported:
        barrier.abort()
        results.put({"index": index, "failed": f"node generator exited ({child.wait()}) without a report"})


def measure(
    target: str,
    args: argparse.Namespace,
    servers: Servers,
    sampler: Sampler,
    barrier: Any,
    results: Any,
    generators: int,
    rss_before: int,
) -> dict[str, Any]:
    load_before = load_average()
    profile = Profiler(args.profile if target == "pinboard" else "", servers.pids[0])
    try:
        barrier.wait(600)  # 1: the join storm starts
        profile.start("join")
        join_started, cpu_join = time.monotonic(), sampler.cpu()
        barrier.wait(600)  # 2: every phone has joined (or failed to)
        join_seconds = time.monotonic() - join_started
        cpu_join = sampler.cpu() - cpu_join
        profile.stop()
        time.sleep(2)
        rss_connected = sampler.rss()
        cpu_posting = sampler.cpu()
        barrier.wait(600)  # 3: posting starts
        profile.start("posting")
        posting_started = time.monotonic()
        barrier.wait(600)  # 4: the last card has been posted
    except threading.BrokenBarrierError:
        pass
    finally:
        profile.stop()
    reports = [results.get(timeout=120) for _ in range(generators)]
    cpu_posting = sampler.cpu() - cpu_posting
    posting_seconds = time.monotonic() - posting_started
    failed = [r["failed"] for r in reports if "failed" in r]
    if failed:
        raise RuntimeError(f"a generator failed: {failed}")
    return summarise(
        target, args, reports,
        join_seconds=join_seconds, cpu_join=cpu_join, cpu_posting=cpu_posting,
        posting_seconds=posting_seconds, rss_before=rss_before, rss_connected=rss_connected,
        load_before=load_before, processes=len(servers.pids),
    )  # fmt: skip


def summarise(
    target: str, args: argparse.Namespace, reports: list[dict[str, Any]], **run: Any
) -> dict[str, Any]:
    clients = sum(r["clients"] for r in reports)
    posted: dict[str, float] = {}
    for report in reports:
        posted |= report["posted"]
    arrivals: dict[str, list[float]] = {}
    for report in reports:
        for client_id, (count, last) in report["arrivals"].items():
            entry = arrivals.setdefault(client_id, [0, 0.0])
            entry[0] += count
            entry[1] = max(entry[1], last)
    fanout, lost = [], 0
    for client_id, sent in posted.items():
        count, last = arrivals.get(client_id, [0, 0.0])
        lost += clients - count
        if count:
            fanout.append((last - sent) * 1000)
    acks = [value for r in reports for value in r["ack_ms"]]
    moves = [value for r in reports for value in r["move_ms"]]
    errors: dict[str, int] = {}
    for report in reports:
        for kind, count in report["errors"].items():
            errors[kind] = errors.get(kind, 0) + count
    deliveries = sum(count for count, _ in arrivals.values())
    move_deliveries = len(moves) * clients
    generator_load = [r["cpu_seconds"] / r["wall_seconds"] for r in reports if r["wall_seconds"]]
    return {
        "target": target,
        "async_mode": args.async_mode if target != "bare-node" else "node",
        "database": args.database if target == "pinboard" else None,
        "processes": run["processes"],
        "broadcast_window_ms": args.window_ms if target == "pinboard" else None,
        "phones": args.phones,
        "clients": clients,
        "rate": args.rate,
        "duration": args.duration,
        "generator": args.generator,
        "generators": len(reports),
        "ws_deflate": args.ws_deflate,
        "join_seconds": round(run["join_seconds"], 2),
        "join_ms": spread([value for r in reports for value in r["join_ms"]]),
        "ack_ms": spread(acks),
        "move_ack_ms": spread(moves),
        "fanout_ms": spread(fanout),
        "cards_posted": len(posted),
        "cards_acked": len(acks),
        "throughput_deliveries_per_s": round(deliveries / run["posting_seconds"], 1),
        "frames": sum(r["frames"] for r in reports),
        "server_cpu_join_s": round(run["cpu_join"], 2),
        "server_cpu_posting_s": round(run["cpu_posting"], 2),
        "server_cpu_us_per_delivery": round(
            run["cpu_posting"] * 1e6 / max(1, deliveries + move_deliveries), 1
        ),
        "server_rss_mb": round(run["rss_connected"] / 2**20, 1),
        "rss_kb_per_connection": round(
            (run["rss_connected"] - run["rss_before"]) / 1024 / max(1, clients), 1
        ),
        "generator_cpu_share_max": round(max(generator_load, default=0.0), 2),
        "clock_lag_ms_max": max((r.get("clock_lag_ms", 0.0) for r in reports), default=0.0),
        "errors": errors,
        "lost": lost,
        "duplicated": sum(r["duplicates"] for r in reports),
        "gaps": sum(r["gaps"] for r in reports),  # a real client syncs on a gap; cards count by client_id
        "disconnected": sum(r["disconnected"] for r in reports),
        "load_before": run["load_before"],
        "load_after": load_average(),
    }


# ---- output ------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def table(rows: list[dict[str, Any]]) -> str:
    header = ("target", "mode", "db", "proc", "win", "clients", "join p50/p95 ms", "ack p50/p95/p99 ms",
              "fan-out p50/p95/p99 ms", "deliv/s", "µs cpu/deliv", "KB/conn", "gen", "gen cpu", "err", "lost",
              "dup")  # fmt: skip
    lines = [" | ".join(header)]
    for row in rows:
        join, ack, out = row["join_ms"], row["ack_ms"], row["fanout_ms"]
        lines.append(" | ".join(str(cell) for cell in (
            row["target"], row["async_mode"], row["database"] or "-", row["processes"],
            "-" if row["broadcast_window_ms"] is None else row["broadcast_window_ms"], row["clients"],
            f"{fmt(join['p50'], 0)}/{fmt(join['p95'], 0)}",
            f"{fmt(ack['p50'])}/{fmt(ack['p95'])}/{fmt(ack['p99'])}",
            f"{fmt(out['p50'])}/{fmt(out['p95'])}/{fmt(out['p99'])}",
            row["throughput_deliveries_per_s"], row["server_cpu_us_per_delivery"],
            row["rss_kb_per_connection"], f"{row['generator']} x{row['generators']}",
            row["generator_cpu_share_max"], sum(row["errors"].values()), row["lost"], row["duplicated"],
        )))  # fmt: skip
    return "\n".join(lines)


def ratios(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    pinboard = next((r for r in rows if r["target"] == "pinboard"), None)
    bare = next((r for r in rows if r["target"] == "bare-python"), None)
    if not pinboard or not bare:
        return {}

    def ratio(a: float | None, b: float | None) -> float | None:
        return round(a / b, 2) if a is not None and b else None

    return {
        "ack_p50": ratio(pinboard["ack_ms"]["p50"], bare["ack_ms"]["p50"]),
        "ack_p95": ratio(pinboard["ack_ms"]["p95"], bare["ack_ms"]["p95"]),
        "fanout_p50": ratio(pinboard["fanout_ms"]["p50"], bare["fanout_ms"]["p50"]),
        "fanout_p95": ratio(pinboard["fanout_ms"]["p95"], bare["fanout_ms"]["p95"]),
        "cpu_per_delivery": ratio(pinboard["server_cpu_us_per_delivery"], bare["server_cpu_us_per_delivery"]),
        "join_p95": ratio(pinboard["join_ms"]["p95"], bare["join_ms"]["p95"]),
    }


def versions() -> dict[str, str]:
    found = {}
    for package in ("python-socketio", "python-engineio", "flask-socketio", "eventlet", "gevent", "aiohttp"):
        with suppress(metadata.PackageNotFoundError):
            found[package] = metadata.version(package)
    return found


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument(
        "--targets", default="pinboard,bare-python", help=f"comma-separated, of {', '.join(TARGETS)}"
    )
    parser.add_argument("--phones", type=int, default=300, help="participants joining by code")
    parser.add_argument(
        "--join-over", type=float, default=0.0, help="seconds over which the joins are spread"
    )
    parser.add_argument("--rate", type=float, default=10.0, help="cards per second, all phones together")
    parser.add_argument("--moves", type=float, default=1.0, help="moderator card moves per second")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of posting")
    parser.add_argument("--async-mode", default="eventlet", choices=("eventlet", "gevent", "threading"))
    parser.add_argument("--database", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument(
        "--postgres-admin-url",
        default=os.environ.get(
            "PINBOARD_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="server on which a scratch database is created and dropped",
    )
    parser.add_argument("--processes", type=int, default=1, help="server processes (more than 1: own Redis)")
    parser.add_argument("--window-ms", type=int, default=0, help="pinboard's broadcast_window_ms")
    parser.add_argument(
        "--generators", type=int, default=0, help="generator processes (0: by --clients-per-generator)"
    )
    parser.add_argument(
        "--generator",
        default="",
        choices=("", *GENERATORS),
        help="the clients: node (socket.io-client 4 on Node) or python (python-socketio's AsyncClient); "
        "default node when node and npm are installed, else python",
    )
    parser.add_argument(
        "--ws-deflate",
        action="store_true",
        help="node generator: offer permessage-deflate, as browsers do (eventlet then compresses per client)",
    )
    parser.add_argument(
        "--clients-per-generator",
        type=int,
        default=0,
        help=f"clients per generator process (0: {CLIENTS_PER_GENERATOR})",
    )
    parser.add_argument(
        "--server-cpus", default="0", help="taskset CPU list per server process, round-robin ('' = none)"
    )
    parser.add_argument("--generator-cpus", default="1", help="CPU list of the generators ('' = none)")
    parser.add_argument("--profile", default="", help="folder for py-spy profiles of pinboard's server")
    parser.add_argument("--name", default="", help="result file name (default: from the parameters)")
    parser.add_argument("--no-save", action="store_true", help="print only")
    parser.add_argument("--output", default="", help="result file (default: bench/results/NAME.json)")
    args = parser.parse_args(argv)
    args.generator = args.generator or ("node" if node_available() else "python")
    if (os.cpu_count() or 1) < 2:
        args.server_cpus = args.generator_cpus = ""
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_arguments(argv)
    targets = [target.strip() for target in args.targets.split(",") if target.strip()]
    unknown = set(targets) - set(TARGETS)
    if unknown:
        raise SystemExit(f"unknown targets: {', '.join(sorted(unknown))}")
    rows = []
    for target in targets:
        print(f"{target}: {args.phones} phones, {args.rate} cards/s for {args.duration} s ...", flush=True)
        rows.append(run_once(target, args))
    print(table(rows))
    result = {
        "arguments": {k: v for k, v in vars(args).items() if k not in ("name", "no_save", "output")},
        "versions": versions(),
        "cpus": os.cpu_count(),
        "ratios_to_bare_python": ratios(rows),
        "runs": rows,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if result["ratios_to_bare_python"]:
        print("pinboard / bare python:", result["ratios_to_bare_python"])
    if not args.no_save:
        name = args.name or (
            f"{args.phones}p-{args.rate:g}cps-{args.async_mode}-{args.database}-{args.processes}proc-w{args.window_ms}"
        )
        path = Path(args.output) if args.output else BENCH / "results" / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=1) + "\n")
        print(f"written to {path}")


if __name__ == "__main__":
    main()
