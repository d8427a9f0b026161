"""`pinboard run --workers N`: N server processes on consecutive ports, watched by this one.

Each worker is a plain `pinboard run --port P` of its own (its own async library, database pool
and Socket.IO server); they share the data through PostgreSQL and the live events through the
message queue, so N > 1 needs both. A reverse proxy in front spreads the clients over the ports
(docs/deploy.md). SIGTERM or Ctrl+C stops them all; when one ends by itself, the others are
stopped too and the exit status is its own, so that a service manager restarts the whole set.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from types import FrameType

import click

from .config import Settings

STOP_TIMEOUT = 15.0  # seconds a worker gets to finish after SIGTERM


class WorkerError(Exception):
    """The settings cannot carry several processes."""


def check_settings(settings: Settings, workers: int) -> None:
    if workers <= 1:
        return
    problems = []
    if not settings.message_queue:
        problems.append("a message queue (message_queue = redis://..., or PINBOARD_MESSAGE_QUEUE)")
    if settings.resolved_database_url().startswith("sqlite"):
        problems.append("a PostgreSQL database (database_url = postgresql://..., or PINBOARD_DATABASE_URL)")
    if problems:
        raise WorkerError(
            f"--workers {workers} needs " + " and ".join(problems)
            + ": processes share nothing else. One process on SQLite needs neither (--workers 1)."
        )  # fmt: skip
    if settings.port + workers - 1 > 65535:
        raise WorkerError(f"ports {settings.port}..{settings.port + workers - 1} do not all exist")


def worker_command(settings: Settings, port: int, config: str | None) -> list[str]:
    command = [sys.executable, "-c", "from pinboard.cli import main; main()", "run"]
    command += ["--host", settings.host, "--port", str(port), "--async-mode", settings.async_mode]
    if config:
        command += ["--config", config]
    return command


def run_workers(settings: Settings, workers: int, config: str | None) -> int:
    """Start the workers, wait until a signal or one of them ends, stop the rest; the exit status."""
    check_settings(settings, workers)
    ports = range(settings.port, settings.port + workers)
    processes = [subprocess.Popen(worker_command(settings, port, config)) for port in ports]
    click.echo(f"pinboard: {workers} processes on ports {ports[0]}..{ports[-1]} (pids "
               + ", ".join(str(p.pid) for p in processes) + "). Press Ctrl+C to stop.")  # fmt: skip
    sys.stdout.flush()
    stopping: list[int] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        status = _wait(processes, stopping)
    finally:
        _stop_all(processes)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status


def _wait(processes: list[subprocess.Popen[bytes]], stopping: list[int]) -> int:
    while not stopping:
        for process in processes:
            code = process.poll()
            if code is not None:
                click.echo(f"pinboard: process {process.pid} ended ({code}); stopping the others", err=True)
                return code or 1
        time.sleep(0.2)
    return 0


def _stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
