"""Static files under a content-hashed path, so browsers may keep them for a year.

Every page refers to static files as `/static/<version>/<file>`, where `<version>` is a hash of
the whole static folder (names and contents). JavaScript modules import each other by relative
path, so `./page.js` imported from `/static/<version>/js/participant.js` is
`/static/<version>/js/page.js`: the version travels with every import, with no build step, no
import map and no inline script. An upgrade that changes any static file changes the version, so
a page (always revalidated, see pages.py) never mixes old and new files.

Answers under the current version are `immutable` for a year; under another version (a page from
a process not yet upgraded, or already upgraded, behind the same proxy) and without a version they
are revalidated on every use (ETag). Each file is sent compressed (brotli or gzip), compressed
once per process at the highest level.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort, request, url_for

from .compression import compress, negotiate

VERSION = re.compile(r"[0-9a-f]{12}")
YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class StaticFile:
    path: Path
    mimetype: str
    digest: str


class StaticFolder:
    """The files of the static folder, their hashes and the folder's version."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._signature: tuple[tuple[str, int, int], ...] = ()
        self.files: dict[str, StaticFile] = {}
        self.version = ""
        self._bodies: dict[tuple[str, str | None], bytes] = {}
        self.refresh()

    def refresh(self) -> None:
        """Scan again if a file was added, removed or changed (debug mode; cheap when nothing did)."""
        paths = sorted(path for path in self.folder.rglob("*") if path.is_file())
        signature = tuple(
            (path.relative_to(self.folder).as_posix(), path.stat().st_mtime_ns, path.stat().st_size)
            for path in paths
        )
        if signature == self._signature:
            return
        files = {}
        whole = hashlib.sha256()
        for path, (name, _, _) in zip(paths, signature, strict=True):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            whole.update(f"{name}\0{digest}\0".encode())
            mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            files[name] = StaticFile(path, mimetype, digest[:16])
        self.files, self.version, self._signature = files, whole.hexdigest()[:12], signature
        self._bodies.clear()

    def body(self, name: str, encoding: str | None) -> bytes:
        key = (name, encoding)
        if key not in self._bodies:
            content = self.files[name].path.read_bytes()
            self._bodies[key] = compress(content, encoding, best=True) if encoding else content
        return self._bodies[key]

    def response(self, filename: str) -> Response:
        version, _, rest = filename.partition("/")
        versioned = bool(rest) and VERSION.fullmatch(version) is not None
        name = rest if versioned else filename
        file = self.files.get(name)
        if file is None:
            abort(404)
        encoding = negotiate(request, file.mimetype)
        response = Response(mimetype=file.mimetype)
        response.set_etag(f"{file.digest}-{encoding}" if encoding else file.digest)
        response.vary.add("Accept-Encoding")
        if versioned and version == self.version:
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        else:
            response.headers["Cache-Control"] = "no-cache"
        if request.if_none_match.contains(response.get_etag()[0] or ""):
            response.status_code = 304
            return response
        response.set_data(self.body(name, encoding))
        if encoding:
            response.headers["Content-Encoding"] = encoding
        return response


def init_assets(app: Flask) -> None:
    static = StaticFolder(Path(app.static_folder or "static"))
    app.extensions["pinboard.static"] = static

    def asset(filename: str) -> str:
        if app.debug:
            static.refresh()
        if filename not in static.files:
            raise KeyError(f"no static file {filename}")
        return url_for("static", filename=f"{static.version}/{filename}")

    def serve_static(filename: str) -> Response:
        if app.debug:
            static.refresh()
        return static.response(filename)

    # The endpoint stays `static` (url_for works as before); only the view serving it changes.
    app.view_functions["static"] = serve_static
    app.jinja_env.globals["asset"] = asset
