"""Closing flooding connections: the strike count of pinboard.ratelimit, and the adapter that
disconnects a connection after `rate_limit_disconnect_after` rate-limited events in a row
(Flask-SocketIO's test client on a real database; the real server is in test_abuse.py)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import pytest

from pinboard.ratelimit import RateLimiter, RedisRateLimiter, Strikes
from tests.conftest import REDIS_URL, free_port
from tests.test_realtime import CustomApp, assert_failed, build_room, make_app, participant_auth  # noqa: F401


def test_strikes_reach_the_limit_once_and_an_allowed_event_starts_again() -> None:
    strikes = Strikes(3)
    assert [strikes.strike("a") for _ in range(5)] == [False, False, True, False, False]
    assert [strikes.strike("b") for _ in range(2)] == [False, False]
    strikes.clear("b")
    assert [strikes.strike("b") for _ in range(3)] == [False, False, True]
    never = Strikes(0)
    assert not any(never.strike("a") for _ in range(1000))


def test_the_bucket_refills_at_the_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=2, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(3)] == [True, True, False]
    now[0] += 1.0
    assert [limiter.allow("a") for _ in range(2)] == [True, False]
    assert limiter.allow("b") is True


@pytest.mark.skipif(not REDIS_URL, reason="PINBOARD_TEST_REDIS_URL is not set (.ci/run sets it)")
def test_the_redis_bucket_is_shared_refills_and_expires() -> None:
    prefix = f"pinboard-test-{uuid.uuid4().hex[:10]}"
    first = RedisRateLimiter(REDIS_URL, prefix, per_minute=600, burst=3)
    second = RedisRateLimiter(REDIS_URL, prefix, per_minute=600, burst=3)  # another process
    try:
        assert [first.allow("w/p1"), second.allow("w/p1"), first.allow("w/p1")] == [True] * 3
        assert second.allow("w/p1") is False and first.allow("w/p1") is False
        assert first.allow("w/p2") is True  # a bucket per participant
        time.sleep(0.12)  # 10 tokens a second
        assert second.allow("w/p1") is True
        assert 0 < first.redis.ttl(f"{prefix}:ratelimit:w/p1") <= 2  # full again after 0.3 s
    finally:
        first.redis.delete(f"{prefix}:ratelimit:w/p1", f"{prefix}:ratelimit:w/p2")
        first.close()
        second.close()


def test_the_redis_bucket_lets_events_through_while_redis_is_away() -> None:
    limiter = RedisRateLimiter(f"redis://127.0.0.1:{free_port()}/0", "x", per_minute=1, burst=1)
    try:
        assert all(limiter.allow("w/p1") for _ in range(3))
    finally:
        limiter.close()


def test_a_connection_is_closed_after_the_limit_of_rate_limited_events_in_a_row(
    make_app: Callable[..., CustomApp],  # noqa: F811
) -> None:
    custom = make_app(rate_limit_per_minute=1, rate_limit_burst=2, rate_limit_disconnect_after=3)
    r = build_room(custom.db, custom.connect)
    anna, ben, moderator = r.clients["anna"], r.clients["ben"], r.clients["moderator"]
    for _ in range(2):
        assert anna.emit("sync", {}, callback=True)["ok"] is True
    for _ in range(2):
        assert_failed(anna.emit("sync", {}, callback=True), "rate_limited")
    assert anna.is_connected()
    anna.emit("sync", {}, callback=True)  # the third in a row: answered by closing the connection
    assert not anna.is_connected()
    assert len(custom.app.extensions["pinboard.realtime"].connections) == 4  # Anna's is gone

    # Only that connection: Ben and the moderator go on; Anna may connect again (still limited).
    assert ben.emit("sync", {}, callback=True)["ok"] is True
    for _ in range(10):
        assert moderator.emit("sync", {}, callback=True)["ok"] is True
    again = r.connect(participant_auth(r.w, r.anna_token))
    assert again.is_connected()
    assert_failed(again.emit("sync", {}, callback=True), "rate_limited")


@pytest.mark.parametrize("limit", [0, 5])
def test_fewer_strikes_than_the_limit_or_a_limit_of_0_never_close(
    make_app: Callable[..., CustomApp],  # noqa: F811
    limit: int,
) -> None:
    custom = make_app(rate_limit_per_minute=1, rate_limit_burst=1, rate_limit_disconnect_after=limit)
    r = build_room(custom.db, custom.connect)
    anna = r.clients["anna"]
    assert anna.emit("sync", {}, callback=True)["ok"] is True
    for _ in range(4 if limit else 30):
        assert_failed(anna.emit("sync", {}, callback=True), "rate_limited")
    assert anna.is_connected()
