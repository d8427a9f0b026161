"""A weak network of the test's own: TCP proxies on loopback that delay, "lose" and cut traffic.

Each `Link` listens on a free port of 127.0.0.1 and forwards every connection to the server.
The model (docs/development.md, "Weak network test"):

- Delay: every chunk of bytes read from one side is delivered to the other `delay ± jitter`
  seconds later (uniform). Byte order per direction is kept: a chunk is never delivered before
  the one read before it, so a fast chunk waits behind a slow one, as on a real TCP connection.
- Loss: TCP retransmits a lost segment, so loss shows up as extra delay, not missing bytes. With
  probability `loss` a chunk is "lost" and arrives one retransmission timeout (`rto`, uniform)
  later; the retransmission is lost again with the same probability, and each further timeout
  doubles (exponential backoff). Everything behind it on the connection waits (head-of-line).
- Cuts: `Link.cut(kind, seconds)` takes the link away for a while.
  `stall`: the Wi-Fi is out but the connections survive; nothing is delivered in either
  direction, new connections hang; afterwards all held bytes are delivered, in order.
  `drop`: the phone loses its connections: every client side is reset at once, the bytes in
  flight are lost, the server side stays half-open and silent (whatever the server sends is
  discarded) until the cut ends and is then reset too; new connections are refused meanwhile.

The proxy runs an asyncio loop in a thread of its own; `NetProxy` is a context manager.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Literal

CHUNK = 65536
CutKind = Literal["stall", "drop"]


@dataclass(frozen=True)
class LinkModel:
    delay: float = 0.3  # seconds, one way
    jitter: float = 0.1  # ± seconds, uniform
    loss: float = 0.05  # probability that a chunk needs a retransmission
    rto: tuple[float, float] = (0.2, 1.0)  # first retransmission timeout, uniform; then doubled

    def transit(self, rng: random.Random) -> tuple[float, int]:
        """The seconds one chunk takes, and how many times it was "lost" on the way."""
        seconds = rng.uniform(self.delay - self.jitter, self.delay + self.jitter)
        timeout, losses = rng.uniform(*self.rto), 0
        while rng.random() < self.loss:
            seconds += timeout
            timeout *= 2
            losses += 1
        return seconds, losses


@dataclass
class Cut:
    kind: CutKind
    seconds: float
    started: float = 0.0  # time.monotonic()
    ended: float = 0.0
    held_bytes: int = 0  # stall: bytes held in the air when the link came back
    held_chunks: int = 0
    reset_connections: int = 0  # drop: connections cut
    lost_bytes: int = 0  # drop: bytes in flight or sent into the void while cut
    refused_connections: int = 0  # drop: connection attempts refused while cut

    @property
    def duration(self) -> float:
        return self.ended - self.started


@dataclass
class LinkStats:
    connections: int = 0
    chunks: int = 0  # delivered
    bytes: int = 0  # delivered
    retransmitted_chunks: int = 0  # chunks that were "lost" at least once
    min_transit: float = float("inf")  # delivery minus arrival at the proxy, seconds
    max_transit: float = 0.0
    cuts: list[Cut] = field(default_factory=list)


class _Pipe:
    """One direction of one connection: a FIFO of (arrival, due, chunk); None is the EOF."""

    def __init__(self, link: Link, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.link = link
        self.reader = reader
        self.writer = writer
        self.queue: deque[tuple[float, float, bytes | None]] = deque()
        self.arrived = asyncio.Event()
        self.last_due = 0.0

    def queued_bytes(self) -> int:
        return sum(len(chunk) for _, _, chunk in self.queue if chunk)

    async def read(self, connection: _Connection) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                chunk = await self.reader.read(CHUNK)
            except (ConnectionError, OSError):
                chunk = b""
            if connection.dropped:  # a half-open server side: bytes go into the void
                self.link.lost(len(chunk))
                if not chunk:
                    return
                continue
            now = loop.time()
            seconds, losses = self.link.model.transit(self.link.rng)
            if losses:
                self.link.stats.retransmitted_chunks += 1
            self.last_due = max(now + seconds, self.last_due)
            self.queue.append((now, self.last_due, chunk or None))
            self.arrived.set()
            if not chunk:
                return

    async def write(self, connection: _Connection) -> None:
        loop = asyncio.get_running_loop()
        while not connection.ended:
            if not self.queue:
                self.arrived.clear()
                await self.arrived.wait()
                continue
            arrival, due, chunk = self.queue[0]
            await asyncio.sleep(max(0.0, due - loop.time()))
            if not self.link.is_open.is_set():
                cut = self.link.current
                await self.link.is_open.wait()
                if cut is not None and not connection.ended:  # all that waited behind this chunk too
                    cut.held_chunks += len(self.queue)
                    cut.held_bytes += self.queued_bytes()
            if connection.ended:
                return
            self.queue.popleft()
            if chunk is None:
                await connection.half_close(self.writer)
                return
            try:
                self.writer.write(chunk)
                await self.writer.drain()
            except (ConnectionError, OSError):
                connection.abort()
                return
            self.link.delivered(len(chunk), loop.time() - arrival)


class _Connection:
    def __init__(self, link: Link, client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
                 server: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> None:  # fmt: skip
        self.link = link
        self.client_writer, self.server_writer = client[1], server[1]
        self.upstream = _Pipe(link, client[0], server[1])
        self.downstream = _Pipe(link, server[0], client[1])
        self.dropped = False  # cut by a drop: the server side is half-open
        self.aborted = False
        self.closed_directions = 0

    async def run(self) -> None:
        try:
            await asyncio.gather(
                self.upstream.read(self), self.upstream.write(self),
                self.downstream.read(self), self.downstream.write(self),
            )  # fmt: skip
        finally:
            if not self.dropped:
                self.abort()
            self.link.connections.discard(self)

    async def half_close(self, writer: asyncio.StreamWriter) -> None:
        """Pass an EOF on after the bytes before it; close both sides once both directions ended."""
        self.closed_directions += 1
        with contextlib.suppress(ConnectionError, OSError):
            if writer.can_write_eof():
                writer.write_eof()
        if self.closed_directions == 2:
            self.abort()

    @property
    def ended(self) -> bool:
        return self.dropped or self.aborted

    def abort(self) -> None:
        self.aborted = True
        for writer in (self.client_writer, self.server_writer):
            writer.transport.abort()
        for pipe in (self.upstream, self.downstream):
            pipe.arrived.set()

    def drop(self) -> int:
        """The phone's side is reset now; the server's stays open, silent, until the cut ends."""
        self.dropped = True
        lost = self.upstream.queued_bytes() + self.downstream.queued_bytes()
        self.upstream.queue.clear()
        self.downstream.queue.clear()
        self.client_writer.transport.abort()
        for pipe in (self.upstream, self.downstream):
            pipe.arrived.set()
        return lost


class Link:
    """One weak link from 127.0.0.1:`port` to the target."""

    def __init__(self, name: str, target: tuple[str, int], model: LinkModel, seed: str) -> None:
        self.name = name
        self.target = target
        self.model = model
        self.rng = random.Random(seed)
        self.stats = LinkStats()
        self.connections: set[_Connection] = set()
        self.current: Cut | None = None
        self.port = 0
        self._proxy: NetProxy | None = None
        self._server: asyncio.Server | None = None
        self._half_open: list[_Connection] = []
        self.is_open = asyncio.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _start(self) -> None:
        self.is_open.set()
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for connection in [*self.connections, *self._half_open]:
            connection.abort()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.current is not None and self.current.kind == "drop":
            self.current.refused_connections += 1
            writer.transport.abort()
            return
        try:
            server = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        for side in (writer, server[1]):  # the delays are the model's, not Nagle's
            side.transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.stats.connections += 1
        connection = _Connection(self, (reader, writer), server)
        self.connections.add(connection)
        with contextlib.suppress(asyncio.CancelledError):  # the proxy is shutting down
            await connection.run()

    def delivered(self, size: int, transit: float) -> None:
        self.stats.chunks += 1
        self.stats.bytes += size
        self.stats.min_transit = min(self.stats.min_transit, transit)
        self.stats.max_transit = max(self.stats.max_transit, transit)

    def lost(self, size: int) -> None:
        if self.current is not None:
            self.current.lost_bytes += size

    # ---- cuts ------------------------------------------------------------------------------

    def cut(self, kind: CutKind, seconds: float) -> Future[Cut]:
        """Start a cut now (from any thread); the future resolves with its record when it ends."""
        assert self._proxy is not None, "the proxy is not running"
        return asyncio.run_coroutine_threadsafe(self._cut(kind, seconds), self._proxy.loop)

    async def _cut(self, kind: CutKind, seconds: float) -> Cut:
        assert self.current is None, f"link {self.name} is already cut"
        cut = Cut(kind, seconds, started=time.monotonic())
        self.current = cut
        self.stats.cuts.append(cut)
        if kind == "stall":
            self.is_open.clear()
        else:
            for connection in list(self.connections):
                cut.reset_connections += 1
                cut.lost_bytes += connection.drop()
                self.connections.discard(connection)
                self._half_open.append(connection)
        await asyncio.sleep(seconds)
        for connection in self._half_open:  # the phone answers the server's retransmission: RST
            connection.abort()
        self._half_open.clear()
        self.is_open.set()
        self.current = None
        cut.ended = time.monotonic()
        return cut


class NetProxy:
    """Weak links to one server, served by an asyncio loop in a background thread."""

    def __init__(self, target_url: str, model: LinkModel | None = None, seed: int = 0) -> None:
        host, port = target_url.removeprefix("http://").rsplit(":", 1)
        self.target = (host, int(port))
        self.model = model or LinkModel()
        self.seed = seed
        self.loop = asyncio.new_event_loop()
        self.links: list[Link] = []
        self._thread = threading.Thread(target=self.loop.run_forever, name="netproxy", daemon=True)

    def __enter__(self) -> NetProxy:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        for link in self.links:
            asyncio.run_coroutine_threadsafe(link._stop(), self.loop).result(10)
        # Cancel what is left inside the loop's own thread: the main thread may have an event
        # loop of its own running (Playwright's sync API keeps one for the whole browser session).
        asyncio.run_coroutine_threadsafe(self._cancel_all(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    async def _cancel_all(self) -> None:
        tasks = [task for task in asyncio.all_tasks(self.loop) if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def link(self, name: str, model: LinkModel | None = None) -> Link:
        """A new link with its own port, model and random numbers."""
        link = Link(name, self.target, model or self.model, seed=f"{self.seed}/{name}")
        link._proxy = self
        asyncio.run_coroutine_threadsafe(link._start(), self.loop).result(10)
        self.links.append(link)
        return link
