"""The message queue that joins several server processes (Redis publish/subscribe).

Redis is asked to fail fast: redis-py's default retries (three, with up to seconds of backoff)
would hold every event handler that publishes, and so every ack, for as long as Redis is away.
A message that cannot be published is dropped; the `head` signal makes that harmless
(pinboard/realtime.py). The listener subscribes again by itself once Redis is back
(python-socketio's RedisManager retries with a backoff of 1, 2, 4... up to 60 s).
"""

from __future__ import annotations

from typing import Any

from .config import Settings

REDIS_SCHEMES = ("redis://", "rediss://")


def uses_redis(settings: Settings) -> bool:
    return settings.message_queue.startswith(REDIS_SCHEMES)


def redis_options() -> dict[str, Any]:
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return {"retry": Retry(NoBackoff(), 0), "socket_connect_timeout": 2}


def client_manager(settings: Settings) -> Any | None:
    """The Socket.IO client manager for the settings' queue (None: this process alone)."""
    if not settings.message_queue:
        return None
    import socketio

    if uses_redis(settings):
        return socketio.RedisManager(
            settings.message_queue, channel=settings.message_queue_channel, redis_options=redis_options()
        )
    return socketio.KombuManager(settings.message_queue, channel=settings.message_queue_channel)
