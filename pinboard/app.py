"""The app factory.

`create_app` builds the Flask app and its Socket.IO server from settings; it never picks or
patches an async library itself (see pinboard.cli), so eventlet, gevent and threading all work.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from engineio.payload import Payload
from flask import Flask
from flask_socketio import SocketIO
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import Settings, load_settings
from .database import Database
from .json_provider import JSONProvider
from .message_queue import client_manager
from .migrations import upgrade_database
from .origins import origin_checker, refuse_foreign_api_requests
from .packets import TextPacket
from .ratelimit import limiter_for
from .websocket_compression import WithoutWebSocketCompression

ROOT = Path(__file__).resolve().parent.parent

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

# socket.io-client sends all it queued while a long-polling request was on its way in the next
# request, limited by size only (max_http_buffer_size); python-engineio drops every packet of a
# request with more than 16 (Payload.max_decode_packets), without a word to the client.
MAX_PACKETS_PER_REQUEST = 1000


def create_app(settings: Settings | None = None, test_config: dict[str, Any] | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(
        __name__,
        static_folder=str(ROOT / "static"),
        template_folder=str(ROOT / "templates"),
        instance_path=str(settings.instance_dir),
    )
    app.json = JSONProvider(app)
    app.config.update(
        SECRET_KEY=settings.resolved_secret_key(),
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,
        JSON_SORT_KEYS=False,
        PINBOARD=settings,
    )
    if test_config:
        app.config.update(test_config)
    logging.getLogger("pinboard").setLevel(settings.log_level.upper())
    if settings.proxy_count > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=settings.proxy_count,
            x_proto=settings.proxy_count,
            x_host=settings.proxy_count,
        )

    database = Database(
        settings.resolved_database_url(),
        sqlite_synchronous=settings.sqlite_synchronous,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
    )
    if app.config.get("PINBOARD_MIGRATE", True):
        upgrade_database(database)
    app.extensions["pinboard.db"] = database
    app.extensions["pinboard.rate_limiter"] = limiter_for(settings)

    Payload.max_decode_packets = max(Payload.max_decode_packets, MAX_PACKETS_PER_REQUEST)
    allowed_origin = origin_checker(settings.cors_allowed_origins, settings.proxy_count, settings.public_url)
    refuse_foreign_api_requests(app, allowed_origin)
    socketio = SocketIO(
        app,
        async_mode=app.config.get("PINBOARD_ASYNC_MODE", settings.async_mode),
        client_manager=client_manager(settings),
        cors_allowed_origins=allowed_origin,
        max_http_buffer_size=max(settings.max_message_bytes * 8, 1_000_000),
        # One event at a time per connection, in the order sent: a client that floods cannot pile up
        # thousands of handlers ahead of everyone else before its rate limit closes it (realtime.py).
        async_handlers=False,
        serializer=TextPacket,
        ping_interval=20,
        ping_timeout=20,
        logger=False,
        engineio_logger=False,
    )

    if not settings.websocket_compression:
        app.wsgi_app = WithoutWebSocketCompression(app.wsgi_app)  # type: ignore[method-assign]

    from . import api, export_views, pages, realtime
    from .assets import init_assets
    from .compression import init_compression
    from .i18n import init_i18n

    init_i18n(app)
    init_assets(app)
    init_compression(app)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(export_views.blueprint)
    realtime.register(socketio, app)

    if settings.purge_after_days > 0 and not app.testing:
        from .retention import purge_periodically

        socketio.start_background_task(
            purge_periodically, database, settings.purge_after_days, socketio.sleep
        )

    @app.after_request
    def add_security_headers(response):  # type: ignore[no-untyped-def]
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app


def database_of(app: Flask) -> Database:
    return app.extensions["pinboard.db"]  # type: ignore[no-any-return]


def socketio_of(app: Flask) -> SocketIO:
    return app.extensions["socketio"]  # type: ignore[no-any-return]
