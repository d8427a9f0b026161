"""A participant's phone with a persistent outbox, as static/js/connection.js keeps one.

Every `card:create` gets its `client_id` when it is queued and stays in the outbox until the
server acknowledges it. Entries are sent one at a time, in order; when the connection drops
before the ack, the entry stays first in line and is sent again after the reconnect. Because
`card:create` is idempotent on `client_id`, a resend of a card the server had already stored
answers with that card and `seq: null`, which the outbox counts as a `replayed` resend.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import socketio

from tests.replica import ConnectionLost, call

POLL = 0.02


@dataclass
class OutboxStats:
    queued: int = 0  # cards put into the outbox
    sends: int = 0  # card:create messages sent, first sends and resends
    resends: int = 0  # sends of an entry that had been sent before without an ack
    replayed: int = 0  # resends the server answered with the card it already had (seq null)
    lost_acks: int = 0  # sends whose ack never came (connection dropped)
    errors: list[dict[str, Any]] = field(default_factory=list)  # acks with ok: false


class Outbox:
    """The outbox of one socketio.Client; the client may be a LiveClient's `sio`."""

    def __init__(self, sio: socketio.Client, ack_timeout: float = 15.0) -> None:
        self.sio = sio
        self.ack_timeout = ack_timeout
        self.entries: deque[dict[str, Any]] = deque()
        self.order: list[str] = []  # every client_id ever queued, in order
        self.acked: dict[str, dict[str, Any]] = {}  # client_id -> the card from the ack
        self.stats = OutboxStats()
        self.in_flight: str | None = None
        self._sent_before: set[str] = set()
        self._lock = threading.Lock()

    def add(self, payload: dict[str, Any]) -> str:
        entry = {"client_id": uuid.uuid4().hex, **payload}
        with self._lock:
            self.entries.append(entry)
            self.order.append(entry["client_id"])
            self.stats.queued += 1
        return str(entry["client_id"])

    def __len__(self) -> int:
        return len(self.entries)

    def send_first(self) -> dict[str, Any] | None:
        """Send the first entry and wait for its ack. The entry leaves the outbox only when
        acknowledged; None when the connection dropped first (it is sent again later)."""
        entry = self.entries[0]
        client_id = entry["client_id"]
        resend = client_id in self._sent_before
        self._sent_before.add(client_id)
        self.stats.sends += 1
        self.stats.resends += resend
        try:
            self.in_flight = client_id
            reply = call(self.sio, "card:create", entry, self.ack_timeout)
        except ConnectionLost:
            self.stats.lost_acks += 1
            return None
        finally:
            self.in_flight = None
        if not reply["ok"]:
            self.stats.errors.append(reply)
            return None
        self.stats.replayed += resend and reply["seq"] is None
        with self._lock:
            self.acked[client_id] = reply["data"]
            self.entries.popleft()
        return reply

    def deliver(self, next_payload: Callable[[], dict[str, Any] | None], deadline: float) -> None:
        """Post until `next_payload` has no more and the outbox is empty: first whatever is
        queued, then a new card each time the outbox runs dry. Waits for reconnects."""
        while time.monotonic() < deadline:
            if not self.entries:
                payload = next_payload()
                if payload is None:
                    return
                self.add(payload)
            if not self.sio.connected:
                time.sleep(POLL)
                continue
            if self.send_first() is None and self.stats.errors:
                return
        raise AssertionError(f"the outbox still holds {len(self.entries)} cards at the deadline")
