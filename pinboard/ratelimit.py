"""Per-participant rate limit: a token bucket per (workshop, participant).

One process keeps the buckets in its memory (RateLimiter). Several processes keep them in the
message queue's Redis (RedisRateLimiter): a participant's two phones may be connected to two
processes, and both take from the same bucket.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from .config import Settings
from .message_queue import redis_options, uses_redis

log = logging.getLogger("pinboard.ratelimit")
WARN_EVERY = 10.0  # seconds


class Limiter(Protocol):
    def allow(self, key: str) -> bool: ...


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


# The same bucket as RateLimiter's, atomic in Redis, on Redis's clock (the processes' clocks may
# differ). A bucket untouched for long enough to be full again expires.
_TOKEN_BUCKET = """
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'last')
local tokens = tonumber(state[1]) or burst
local last = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - last) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'last', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return allowed
"""


class RedisRateLimiter:
    """Token buckets shared by every process, in Redis under `<prefix>:ratelimit:<key>`.

    While Redis does not answer, events are allowed (and a warning logged): an outage of the
    queue must not stop a workshop."""

    def __init__(self, url: str, prefix: str, per_minute: int, burst: int) -> None:
        import redis

        self.redis: Any = redis.Redis.from_url(url, socket_timeout=2, **redis_options())
        self.prefix = prefix
        self.rate = per_minute / 60.0
        self.burst = burst
        self._script = self.redis.register_script(_TOKEN_BUCKET)
        self._error_type: type[Exception] = redis.RedisError
        self._warned_at = -WARN_EVERY

    def allow(self, key: str) -> bool:
        try:
            return bool(self._script(keys=[f"{self.prefix}:ratelimit:{key}"], args=[self.rate, self.burst]))
        except self._error_type as error:
            if time.monotonic() - self._warned_at >= WARN_EVERY:  # one line, not one per event
                self._warned_at = time.monotonic()
                log.warning("rate limits not checked while Redis does not answer: %s", error)
            return True

    def close(self) -> None:
        self.redis.close()


def limiter_for(settings: Settings) -> Limiter:
    """Shared buckets when a message queue joins several processes, else this process's own."""
    if uses_redis(settings):
        return RedisRateLimiter(
            settings.message_queue,
            settings.message_queue_channel,
            settings.rate_limit_per_minute,
            settings.rate_limit_burst,
        )
    return RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)


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
