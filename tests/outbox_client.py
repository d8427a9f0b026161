"""A replica client with an outbox: what static/js/connection.js does, in Python, for tests that
put clients behind a weak network (tests/netproxy.py).

Like the browser module it reconnects with backoff (0.5 s doubling to 8 s, ±50 %), catches up with
`sync {since}` on every connect and on a gap (events that arrive meanwhile are buffered), and
sends its outbox in order, resending an entry until it is acknowledged: after a timeout (10 s),
after the connection dropped (pending acks fail at once, as in socket.io-client), or after a
retryable error. A `card:create` keeps its client_id on every resend, so the server applies it
once. Unlike connection.js it may have `window` entries on their way at once (changes to one
card still go one after another, in order), retries a failed `sync`, and applies the events
buffered during a sync itself (docs/development.md, "Weak network test").
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import engineio
import socketio
import websocket

from tests.replica import Gap, LiveClient, Replica

CALL_TIMEOUT = 10.0  # connection.js CALL_TIMEOUT_MS
RETRY = 2.0  # connection.js RETRY_MS
CONNECT_TIMEOUT = 10.0  # socket.io-client `timeout`
RETRYABLE = {"rate_limited", "internal"}  # and timeouts and dropped connections


class ClosingEngineIOClient(engineio.Client):
    """python-engineio drops, without closing them, the websocket of a connection attempt that
    failed half-way and the websocket and HTTP session of a connection that ended by itself (a
    transport error, the server's silence): their sockets stay open until the garbage collector
    finds them. Close them when a connection attempt fails and when a connection is reset."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        opened = self._websockets = []

        class Tracked(websocket.WebSocket):  # type: ignore[misc]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                opened.append(self)

        self.websocket_extra_options = {**self.websocket_extra_options, "class_": Tracked}

    def connect(self, *args: Any, **kwargs: Any) -> bool:
        try:
            return super().connect(*args, **kwargs)  # type: ignore[no-any-return]
        except Exception:
            self._close_sockets()
            raise

    def _reset(self) -> None:
        http = None if self.external_http else self.http
        super()._reset()
        self._close_sockets()
        if http is not None:
            http.close()

    def _close_sockets(self) -> None:
        self.ws = None
        while self._websockets:
            self._websockets.pop().shutdown()


class PatientClient(socketio.Client):
    """python-socketio reconnects by calling connect() without a `wait_timeout`, so the
    namespace handshake of every reconnection must finish within the default of 1 s: on a link
    with 600 ms round trips many attempts fail. Give it as long as socket.io-client's 10 s."""

    def connect(self, *args: Any, wait_timeout: float = CONNECT_TIMEOUT, **kwargs: Any) -> None:
        super().connect(*args, wait_timeout=wait_timeout, **kwargs)

    def _engineio_client_class(self) -> type[engineio.Client]:
        return ClosingEngineIOClient


class Dropped(Exception):
    """The connection dropped before the ack came (socket.io-client: "socket has been disconnected")."""


@dataclass
class Entry:
    event: str
    payload: dict[str, Any]
    on_ack: Callable[[Entry, dict[str, Any]], None] | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    sends: int = 0
    in_flight: bool = False
    acks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> Any:
        """Changes to one card go one after another, in order."""
        return self.payload.get("card_id", self.id)


@dataclass
class Counters:
    connects: int = 0
    disconnects: Counter[str] = field(default_factory=Counter)  # by reason
    failed_connects: int = 0
    timeouts: int = 0  # calls without an ack within CALL_TIMEOUT
    dropped_calls: int = 0  # calls whose connection dropped before the ack
    resends: int = 0  # outbox sends after the first of their entry
    retried_errors: Counter[str] = field(default_factory=Counter)  # retryable error acks, by code
    failed_syncs: int = 0
    resyncs: int = 0  # gaps


class OutboxClient(LiveClient):
    def __init__(
        self, url: str, auth: dict[str, Any], transports: list[str], name: str, window: int = 1
    ) -> None:
        sio = PatientClient(
            reconnection=True, reconnection_delay=0.5, reconnection_delay_max=8, randomization_factor=0.5
        )
        super().__init__(url, auth, transports, sio=sio)
        self.name = name
        self.counters = Counters()
        self.outbox: list[Entry] = []
        self.delivered: list[Entry] = []
        self.failed: list[tuple[Entry, dict[str, Any]]] = []
        self._wakeup = threading.Condition(self.lock)
        self._syncing = False
        self._sync_again = False
        self._calls: dict[int, tuple[threading.Event, list[Any]]] = {}
        self._call_ids = itertools.count(1)
        self._closing = False
        self._flushers = [
            threading.Thread(target=self._flush_loop, name=f"outbox-{name}-{n}", daemon=True)
            for n in range(window)
        ]
        self.sio.on("disconnect", self._on_disconnect)
        self.sio.on("connect_error", self._on_connect_error)

    # ---- connecting ------------------------------------------------------------------------

    def connect(self) -> OutboxClient:
        self.sio.connect(self.url, auth=self.auth, transports=self.transports, wait_timeout=CONNECT_TIMEOUT)
        deadline = time.monotonic() + 60
        while self.replica is None or self._syncing:
            assert time.monotonic() < deadline, f"{self.name}: no snapshot within 60 s"
            time.sleep(0.05)
        for flusher in self._flushers:
            flusher.start()
        return self

    def _on_connect(self) -> None:
        with self.lock:
            self.counters.connects += 1
            self._wakeup.notify_all()
        self._request_sync()

    def _on_disconnect(self, reason: Any = None) -> None:
        with self.lock:
            self.counters.disconnects[str(reason)] += 1
            calls, self._calls = self._calls, {}
        for done, result in calls.values():  # socket.io-client fails pending acks at once
            result.append(Dropped())
            done.set()

    def _on_connect_error(self, *_: Any) -> None:
        with self.lock:
            self.counters.failed_connects += 1

    @property
    def online(self) -> bool:
        return self.sio.connected

    @property
    def syncing(self) -> bool:
        with self.lock:
            return self._syncing

    # ---- calls -----------------------------------------------------------------------------

    def call(self, event: str, payload: dict[str, Any], timeout: float = CALL_TIMEOUT) -> dict[str, Any]:
        """Send one event and wait for its ack; TimeoutError or Dropped when none comes."""
        done, result = threading.Event(), []
        with self.lock:
            call_id = next(self._call_ids)
            self._calls[call_id] = (done, result)

        def acked(*args: Any) -> None:
            result.append(args[0] if args else None)
            done.set()

        try:
            self.sio.emit(event, payload, callback=acked)
        except socketio.exceptions.BadNamespaceError:
            result.append(Dropped())
            done.set()
        arrived = done.wait(timeout)
        with self.lock:
            self._calls.pop(call_id, None)
            if not arrived:
                self.counters.timeouts += 1
                raise TimeoutError(f"{self.name}: no ack for {event} within {timeout} s")
            if isinstance(result[0], Dropped):
                self.counters.dropped_calls += 1
                raise result[0]
        return result[0]  # type: ignore[no-any-return]

    # ---- catching up (connection.js: sync, runSync, onEvent) -------------------------------

    def _on_event(self, message: dict[str, Any]) -> None:
        with self.lock:
            self.received.append(message)
            if self.replica is None or self._syncing:
                self._pending.append(message)
                return
            try:
                self.replica.apply(message)
                return
            except Gap:
                self.counters.resyncs += 1
                self._pending.append(message)
        self._request_sync()

    def sync(self) -> None:
        self._request_sync()

    def _request_sync(self) -> None:
        with self.lock:
            if self._syncing:
                self._sync_again = True
                return
            self._syncing = True
        self.sio.start_background_task(self._sync_loop)

    def _sync_loop(self) -> None:
        while True:
            caught_up = self._sync_once()
            with self.lock:
                if caught_up and not self._sync_again:
                    self._syncing = False
                    return
                self._sync_again = False
                if not caught_up and not self.online:
                    self._syncing = False  # the next connect syncs
                    return
            if not caught_up:
                time.sleep(RETRY)

    def _sync_once(self) -> bool:
        since = self.replica.seq if self.replica else None
        try:
            reply = self.call("sync", {} if since is None else {"since": since})
        except (TimeoutError, Dropped):
            reply = None
        with self.lock:
            if reply is None or not reply["ok"]:
                self.counters.failed_syncs += 1
                return False
            self.server = reply["data"].get("server")
            if "snapshot" in reply["data"]:
                if self.replica is None:
                    self.replica = Replica(reply["data"]["snapshot"])
                else:
                    self.replica.load(reply["data"]["snapshot"])
            else:
                assert self.replica is not None
                for message in reply["data"]["events"]:
                    self.replica.apply(message)
            pending = sorted(self._pending, key=lambda m: m["seq"])
            self._pending = []
            for index, message in enumerate(pending):
                if message["seq"] > self.replica.seq + 1:  # still a gap: keep them, sync again
                    self._pending = pending[index:]
                    return False
                self.replica.apply(message)
            return True

    # ---- the outbox (connection.js: send, flush) -------------------------------------------

    def send(self, event: str, payload: dict[str, Any], on_ack: Callable[..., None] | None = None) -> Entry:
        """Queue a change that must reach the server exactly once."""
        entry = Entry(event, dict(payload), on_ack)
        if event == "card:create":
            entry.payload.setdefault("client_id", entry.id)
        with self.lock:
            self.outbox.append(entry)
            self._wakeup.notify_all()
        return entry

    def pending(self) -> int:
        with self.lock:
            return len(self.outbox)

    def _next(self) -> Entry | None:
        """The first entry that is not on its way and has no earlier entry for the same card."""
        seen: set[Any] = set()
        for entry in self.outbox:
            if entry.key not in seen and not entry.in_flight:
                return entry
            seen.add(entry.key)
        return None

    def _flush_loop(self) -> None:
        while True:
            with self.lock:
                while not self._closing and not (self.online and (entry := self._next())):
                    self._wakeup.wait(0.5)
                if self._closing or entry is None:
                    return
                entry.in_flight = True
                entry.sends += 1
                self.counters.resends += entry.sends > 1
            try:
                ack: dict[str, Any] | None = self.call(entry.event, entry.payload)
            except (TimeoutError, Dropped):
                ack = None
            retry = ack is None or (not ack["ok"] and ack["error"]["code"] in RETRYABLE)
            with self.lock:
                entry.in_flight = False
                if ack is not None and retry:
                    self.counters.retried_errors[ack["error"]["code"]] += 1
                elif ack is not None:
                    self.outbox.remove(entry)
                    if ack["ok"]:
                        entry.acks.append(ack)
                        self.delivered.append(entry)
                    else:
                        self.failed.append((entry, ack))
                self._wakeup.notify_all()
            if retry:
                time.sleep(RETRY)
            elif ack is not None and ack["ok"] and entry.on_ack is not None:
                entry.on_ack(entry, ack)

    def close(self) -> None:
        with self.lock:
            self._closing = True
            self._wakeup.notify_all()
        for flusher in self._flushers:
            if flusher.is_alive():
                flusher.join(CALL_TIMEOUT + RETRY + 5)
        self.sio.shutdown()
