"""Which browser origins may open a Socket.IO connection or call the JSON API.

By default only the server's own origin. X-Forwarded-* headers count only when the settings
say how many proxies stand in front (proxy_count); otherwise anyone could claim any host.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def own_origin(environ: Mapping[str, Any], proxy_count: int) -> str | None:
    host = environ.get("HTTP_HOST")
    if not host:
        return None
    scheme = environ.get("wsgi.url_scheme", "http")
    if proxy_count > 0:
        scheme = _forwarded(environ, "HTTP_X_FORWARDED_PROTO", proxy_count) or scheme
        host = _forwarded(environ, "HTTP_X_FORWARDED_HOST", proxy_count) or host
    return f"{scheme}://{host}"


def _forwarded(environ: Mapping[str, Any], header: str, proxy_count: int) -> str | None:
    values = [v.strip() for v in environ.get(header, "").split(",") if v.strip()]
    if len(values) < proxy_count:
        return values[0] if values else None
    return values[-proxy_count]


def origin_checker(allowed: list[str], proxy_count: int) -> Callable[[str | None, Mapping[str, Any]], bool]:
    allowed_set = {origin.rstrip("/") for origin in allowed}

    def is_allowed(origin: str | None, environ: Mapping[str, Any]) -> bool:
        if origin is None:
            return True  # not a browser (browsers always send Origin on cross-origin requests)
        origin = origin.rstrip("/")
        return origin in allowed_set or origin == own_origin(environ, proxy_count)

    return is_allowed
