"""Closing flooding connections: the strike count of pinboard.ratelimit, and the adapter that
disconnects a connection after `rate_limit_disconnect_after` rate-limited events in a row
(Flask-SocketIO's test client on a real database; the real server is in test_abuse.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pinboard.ratelimit import RateLimiter, Strikes
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
