"""One load-generator process of bench/load.py: asyncio python-socketio clients playing a workshop.

The orchestrator (bench/load.py) starts one or more of these with multiprocessing and steps them
through the phases together with a barrier: join (the QR-code storm), post (cards at a set rate,
the moderator moving cards), drain (wait for the last events), report (a dict on the queue).
Times are `time.monotonic()`, one clock for every process on the machine, so a card's post time
in one generator and its arrival in another compare directly.
"""

from __future__ import annotations

import asyncio
import random
import resource
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import socketio

CALL_TIMEOUT = 15.0
PHASE_TIMEOUT = 600.0


@dataclass
class Plan:
    """What one generator process does; picklable, built by bench/load.py."""

    index: int
    urls: list[str]
    workshop: dict[str, Any]
    phones: list[int]  # global phone numbers of this process (they pick the server round-robin)
    join_over: float  # seconds over which the phones' joins are spread (0: all at once)
    rate: float  # cards per second posted by this process
    duration: float
    moves: float  # moderator moves per second (the process with the moderator only)
    staff: bool  # this process hosts the moderator and the projector
    drain: float = 10.0
    deflate: bool = False  # offer permessage-deflate (the Node generator only)


@dataclass
class Tally:
    """What the clients of this process received."""

    arrivals: dict[str, list[float]] = field(default_factory=dict)  # client_id -> [count, last time]
    duplicates: int = 0
    gaps: int = 0
    frames: int = 0
    last_arrival: float = 0.0

    def card(self, client_id: str, now: float) -> None:
        entry = self.arrivals.get(client_id)
        if entry is None:
            self.arrivals[client_id] = [1, now]
        else:
            entry[0] += 1
            entry[1] = now
        self.last_arrival = now


class Client:
    """One screen: a phone, the projector or the moderator."""

    def __init__(self, tally: Tally, http: aiohttp.ClientSession, url: str) -> None:
        self.tally = tally
        self.url = url
        self.seq = self.synced = 0
        self.seen: set[str] = set()
        self.card_ids: list[int] = []
        self.disconnected = False
        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False, http_session=http)
        self.sio.on("event", self._on_event)
        self.sio.on("events", self._on_events)
        self.sio.on("disconnect", self._on_disconnect)

    async def connect(self, auth: dict[str, Any]) -> dict[str, Any]:
        await self.sio.connect(self.url, auth=auth, transports=["websocket"], wait_timeout=CALL_TIMEOUT)
        answer = await self.sio.call("sync", {}, timeout=CALL_TIMEOUT)
        if not answer.get("ok"):
            raise RuntimeError(f"sync failed: {answer}")
        snapshot = answer["data"]["snapshot"]
        self.seq = self.synced = snapshot["seq"]
        return snapshot  # type: ignore[no-any-return]

    def _on_disconnect(self, *_: Any) -> None:
        self.disconnected = True

    def _on_events(self, messages: list[dict[str, Any]]) -> None:
        self.tally.frames += 1
        for message in messages:
            self._apply(message)

    def _on_event(self, message: dict[str, Any]) -> None:
        self.tally.frames += 1
        self._apply(message)

    def _apply(self, message: dict[str, Any]) -> None:
        seq = message["seq"]
        if seq <= self.synced:
            return  # an old event, sent while the sync answer was on its way
        if seq > self.seq + 1:
            self.tally.gaps += 1  # several processes: events published by two may cross
        self.seq = max(self.seq, seq)
        if message["type"] != "card.created":
            return
        card = message["data"]["card"]
        client_id = card["client_id"]
        if client_id in self.seen:
            self.tally.duplicates += 1
            return
        self.seen.add(client_id)
        self.card_ids.append(card["id"])
        self.tally.card(client_id, time.monotonic())


class Generator:
    def __init__(self, plan: Plan, barrier: Any) -> None:
        self.plan = plan
        self.barrier = barrier
        self.tally = Tally()
        self.clients: list[Client] = []
        self.phones: list[Client] = []
        self.moderator: Client | None = None
        self.join_ms: list[float] = []
        self.ack_ms: list[float] = []
        self.move_ms: list[float] = []
        self.posted: dict[str, float] = {}
        self.errors: dict[str, int] = {}
        self.board_id = int(plan.workshop["board_id"])
        self.cluster_ids: list[int] = list(plan.workshop["cluster_ids"])

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    async def phase(self) -> None:
        """Wait until every generator and the orchestrator have reached this point."""
        await asyncio.get_running_loop().run_in_executor(None, self.barrier.wait, PHASE_TIMEOUT)

    async def run(self) -> dict[str, Any]:
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            self.http = http
            try:
                return await self._play()
            finally:
                await asyncio.gather(*(c.sio.disconnect() for c in self.clients), return_exceptions=True)
                await asyncio.sleep(0.2)

    async def _play(self) -> dict[str, Any]:
        plan = self.plan
        if plan.staff:
            await self._connect_staff()
        await self.phase()  # 1: everyone ready, the join storm starts
        started = time.monotonic()
        total_phones = plan.workshop["phones"]
        spacing = plan.join_over / max(1, total_phones)
        await asyncio.gather(*(self._join(n, started + n * spacing) for n in plan.phones))
        await self.phase()  # 2: everyone joined; the orchestrator measures memory
        await self.phase()  # 3: posting starts
        cpu_before, wall_before = _cpu_seconds(), time.monotonic()
        await self._post_for(plan.duration)
        await self.phase()  # 4: every process has posted its last card
        await self._drain()
        cpu, wall = _cpu_seconds() - cpu_before, time.monotonic() - wall_before
        return self._report(cpu, wall)

    async def _connect_staff(self) -> None:
        workshop = self.plan.workshop
        projector = Client(self.tally, self.http, self.plan.urls[0])
        await projector.connect({"workshop": workshop["id"], "projector_key": workshop["projector_key"]})
        self.moderator = Client(self.tally, self.http, self.plan.urls[0])
        await self.moderator.connect({"workshop": workshop["id"], "moderator_key": workshop["moderator_key"]})
        self.clients += [projector, self.moderator]

    async def _join(self, number: int, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        url = self.plan.urls[number % len(self.plan.urls)]
        started = time.monotonic()
        try:
            async with self.http.post(
                f"{url}/api/join", json={"code": self.plan.workshop["join_code"]}
            ) as response:
                if response.status != 200:
                    self.error(f"join http {response.status}")
                    return
                joined = await response.json()
            phone = Client(self.tally, self.http, url)
            await phone.connect({"workshop": joined["workshop_id"], "token": joined["participant_token"]})
        except Exception as error:  # noqa: BLE001 - a benchmark counts failures instead of stopping
            self.error(f"join {type(error).__name__}")
            return
        self.join_ms.append((time.monotonic() - started) * 1000)
        self.clients.append(phone)
        self.phones.append(phone)

    async def _post_for(self, duration: float) -> None:
        tasks: list[asyncio.Task[None]] = []
        if self.moderator is not None and self.plan.moves > 0:
            tasks.append(asyncio.create_task(self._move_for(duration)))
        if self.phones and self.plan.rate > 0:
            interval = 1.0 / self.plan.rate
            start = time.monotonic()
            count = int(duration * self.plan.rate)
            for number in range(count):
                await asyncio.sleep(max(0.0, start + number * interval - time.monotonic()))
                phone = self.phones[number % len(self.phones)]
                tasks.append(asyncio.create_task(self._post(phone, number)))
        await asyncio.gather(*tasks)

    async def _post(self, phone: Client, number: int) -> None:
        client_id = f"{self.plan.index}-{number}-{uuid.uuid4().hex[:8]}"
        payload = {"client_id": client_id, "board_id": self.board_id, "text": f"Karte {number}"}
        started = time.monotonic()
        self.posted[client_id] = started
        try:
            answer = await phone.sio.call("card:create", payload, timeout=CALL_TIMEOUT)
        except Exception as error:  # noqa: BLE001
            self.error(f"card:create {type(error).__name__}")
            return
        if not answer.get("ok"):
            self.error(f"card:create {answer.get('error', {}).get('code')}")
            return
        self.ack_ms.append((time.monotonic() - started) * 1000)

    async def _move_for(self, duration: float) -> None:
        assert self.moderator is not None
        interval = 1.0 / self.plan.moves
        end = time.monotonic() + duration
        while time.monotonic() < end:
            await asyncio.sleep(interval)
            if not self.moderator.card_ids or not self.cluster_ids:
                continue
            payload = {
                "card_id": random.choice(self.moderator.card_ids),
                "board_id": self.board_id,
                "cluster_id": random.choice(self.cluster_ids),
                "index": 0,
            }
            started = time.monotonic()
            try:
                answer = await self.moderator.sio.call("card:move", payload, timeout=CALL_TIMEOUT)
            except Exception as error:  # noqa: BLE001
                self.error(f"card:move {type(error).__name__}")
                continue
            if not answer.get("ok"):
                self.error(f"card:move {answer.get('error', {}).get('code')}")
            else:
                self.move_ms.append((time.monotonic() - started) * 1000)

    async def _drain(self) -> None:
        """Wait until no card has arrived for a second (or `drain` seconds have passed)."""
        end = time.monotonic() + self.plan.drain
        while time.monotonic() < end:
            await asyncio.sleep(0.25)
            if time.monotonic() - max(self.tally.last_arrival, 0.0) > 1.0:
                break

    def _report(self, cpu: float, wall: float) -> dict[str, Any]:
        return {
            "index": self.plan.index,
            "clients": len(self.clients),
            "disconnected": sum(c.disconnected for c in self.clients),
            "join_ms": self.join_ms,
            "ack_ms": self.ack_ms,
            "move_ms": self.move_ms,
            "posted": self.posted,
            "arrivals": self.tally.arrivals,
            "duplicates": self.tally.duplicates,
            "gaps": self.tally.gaps,
            "frames": self.tally.frames,
            "errors": self.errors,
            "cpu_seconds": cpu,
            "wall_seconds": wall,
        }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_generator(plan: Plan, barrier: Any, results: Any) -> None:
    """Entry point of a generator process (multiprocessing target)."""
    try:
        report = asyncio.run(Generator(plan, barrier).run())
    except Exception as error:  # noqa: BLE001 - hand the failure to the orchestrator
        barrier.abort()
        report = {"index": plan.index, "failed": f"{type(error).__name__}: {error}"}
    results.put(report)
