"""Compressed responses: brotli when the browser accepts it, else gzip, for text types only.

Static files are compressed once per file at the highest level (pinboard.assets keeps them);
pages and JSON answers are compressed per response at a fast level. Responses that already have a
Content-Encoding, are streamed, or are small pass unchanged.
"""

from __future__ import annotations

import gzip

import brotli
from flask import Flask, Request, Response, request

COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "image/svg+xml",
        "text/markdown",
        "text/plain",
    }
)
# Below this, the headers a compressed answer adds cost about what compression saves.
MIN_SIZE = 512
ENCODINGS = ("br", "gzip")


def negotiate(req: Request, mimetype: str) -> str | None:
    """The encoding to send `mimetype` in: 'br', 'gzip' or None (identity)."""
    if mimetype not in COMPRESSIBLE:
        return None
    for encoding in ENCODINGS:
        if req.accept_encodings.quality(encoding) > 0:
            return encoding
    return None


def compress(body: bytes, encoding: str, *, best: bool) -> bytes:
    """`best` for bodies compressed once and kept (static files), fast levels for each response."""
    if encoding == "br":
        return brotli.compress(body, quality=11 if best else 5)  # type: ignore[no-any-return]
    return gzip.compress(body, compresslevel=9 if best else 6, mtime=0)


def init_compression(app: Flask) -> None:
    @app.after_request
    def compress_response(response: Response) -> Response:
        response.vary.add("Accept-Encoding")
        if (
            response.direct_passthrough
            or response.is_streamed
            or "Content-Encoding" in response.headers
            or response.status_code < 200
            or response.status_code in (204, 304)
        ):
            return response
        encoding = negotiate(request, response.mimetype or "")
        body = response.get_data()
        if encoding is None or len(body) < MIN_SIZE:
            return response
        response.set_data(compress(body, encoding, best=False))
        response.headers["Content-Encoding"] = encoding
        if response.get_etag()[0]:
            # One ETag for both encodings of the same content: a weak one (as nginx does).
            response.set_etag(response.get_etag()[0] or "", weak=True)
        return response
