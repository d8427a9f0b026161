"""Coalescing a workshop's broadcasts: in a big room, the per-frame cost of sending to every
connection bounds the card rate, not the work of the change itself. With a window (the setting
`broadcast_window_ms`), the first broadcast of a workshop goes out at once and the ones that
follow within the window are gathered and sent together when it ends, in sequence order: one
frame per connection per window instead of one per event. A quiet room therefore waits for
nothing; only a burst is held back, by at most the window.

The sending itself (which rooms, which frames) is the caller's (realtime.py); this module only
decides when, and keeps the order: every send of the process runs under one lock, so a send
cannot overtake an earlier one that is still going out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")


class Coalescer(Generic[Item]):
    def __init__(
        self,
        window_ms: int,
        send: Callable[[str, list[Item]], None],
        sleep: Callable[[float], None],
        spawn: Callable[..., object],
    ) -> None:
        self.window = window_ms / 1000
        self._send = send
        self._sleep = sleep
        self._spawn = spawn
        self._lock = threading.RLock()
        self._pending: dict[str, list[Item]] = {}
        self._last_sent: dict[str, float] = {}

    def add(self, key: str, items: list[Item]) -> None:
        """Send `items` for `key` now, or with the others of the current window when it ends."""
        if not items:
            return
        with self._lock:
            pending = self._pending.get(key)
            if pending is not None:
                pending.extend(items)
                return
            due = self._last_sent.get(key, float("-inf")) + self.window
            if self.window <= 0 or time.monotonic() >= due:
                self._last_sent[key] = time.monotonic()
                self._send(key, items)
                return
            self._pending[key] = list(items)
        self._spawn(self._flush_at, key, due)

    def _flush_at(self, key: str, due: float) -> None:
        self._sleep(max(0.0, due - time.monotonic()))
        with self._lock:
            items = self._pending.pop(key, [])
            self._last_sent[key] = time.monotonic()
            if items:
                self._send(key, items)
