"""Per-participant rate limit: a token bucket per (workshop, participant).

The buckets live in this process. Behind the documented proxy set-up a participant's
connection stays on one process (sticky sessions), so its bucket is where its events arrive.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Take one token for `key`; False when its bucket is empty."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return False
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > 100_000:
                self._forget_full_buckets(now)
            return True

    def _forget_full_buckets(self, now: float) -> None:
        full_after = self.burst / self.rate
        self._buckets = {
            key: (tokens, last) for key, (tokens, last) in self._buckets.items() if now - last < full_after
        }


class Strikes:
    """Rate-limited events in a row, per connection: a client that keeps sending into a full
    limit is flooding, and after `limit` refusals its connection is closed (0: never)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def strike(self, key: str) -> bool:
        """Count one refused event for `key`; True exactly when this one reaches the limit."""
        with self._lock:
            count = self._counts.get(key, 0) + 1
            self._counts[key] = count
        return count == self.limit

    def clear(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)
