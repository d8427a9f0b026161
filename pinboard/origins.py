"""Which browser origins may open a Socket.IO connection or call the JSON API.

By default only the server's own origin (and that of `public_url`, when set); more with
`cors_allowed_origins`. X-Forwarded-* headers count only when the settings say how many proxies
stand in front (proxy_count); otherwise anyone could claim any host.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, jsonify, request

OriginCheck = Callable[[str | None, Mapping[str, Any]], bool]


def own_origin(environ: Mapping[str, Any], proxy_count: int) -> str | None:
    host = environ.get("HTTP_HOST")
    if not host:
        return None
    scheme = environ.get("wsgi.url_scheme", "http")
    if proxy_count > 0:
        scheme = _forwarded(environ, "HTTP_X_FORWARDED_PROTO", proxy_count) or scheme
        host = _forwarded(environ, "HTTP_X_FORWARDED_HOST", proxy_count) or host
    return f"{scheme}://{host}".lower()


def _forwarded(environ: Mapping[str, Any], header: str, proxy_count: int) -> str | None:
    """The value the outermost trusted proxy set; None when fewer proxies than trusted spoke
    (as werkzeug's ProxyFix, which the Flask side uses, does)."""
    values = [v.strip() for v in environ.get(header, "").split(",") if v.strip()]
    if len(values) < proxy_count:
        return None
    return values[-proxy_count]


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def origin_checker(allowed: list[str], proxy_count: int, public_url: str = "") -> OriginCheck:
    allowed_set = {origin.rstrip("/").lower() for origin in allowed}
    if public_url:
        allowed_set.add(origin_of(public_url))

    def is_allowed(origin: str | None, environ: Mapping[str, Any]) -> bool:
        if origin is None:
            return True  # not a browser (browsers always send Origin on cross-origin requests)
        if origin == "null":
            # Sent instead of the origin where the referrer policy hides it (Firefox, for a POST
            # from our own no-referrer pages); Sec-Fetch-Site, which no page can set, says whose.
            return environ.get("HTTP_SEC_FETCH_SITE") == "same-origin"
        origin = origin.rstrip("/").lower()
        return origin in allowed_set or origin == own_origin(environ, proxy_count)

    return is_allowed


def refuse_foreign_api_requests(app: Flask, is_allowed: OriginCheck) -> None:
    """The JSON API answers only pages of allowed origins: `403 forbidden` for any other."""

    @app.before_request
    def check_origin() -> tuple[Response, int] | None:
        if not request.path.startswith("/api/"):
            return None
        origin = request.headers.get("Origin")
        if is_allowed(origin, request.environ):
            return None
        message = f"This server does not accept API requests from pages of {origin}."
        return jsonify({"error": {"code": "forbidden", "message": message}}), 403
