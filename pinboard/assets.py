"""URLs of static files with a content hash, so browsers may cache them for a year."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, url_for


def init_assets(app: Flask) -> None:
    static_folder = Path(app.static_folder or "static")

    @cache
    def digest(filename: str) -> str:
        return hashlib.sha256((static_folder / filename).read_bytes()).hexdigest()[:12]

    def asset(filename: str) -> str:
        if app.debug:
            digest.cache_clear()
        return url_for("static", filename=filename, v=digest(filename))

    app.jinja_env.globals["asset"] = asset
