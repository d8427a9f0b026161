"""Static files: under the current version cached for a year, under any other revalidated,
compressed as the browser accepts, nothing outside the static folder."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

import brotli
import pytest

from pinboard.app import ROOT

BR = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Static files do not touch the database: SQLite only."""
    return f"sqlite:///{tmp_path / 'pinboard.sqlite3'}"


def static_urls(client: Any) -> list[str]:
    page = client.get("/j").get_data(as_text=True)
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', page)


def test_pages_name_static_files_under_the_folders_version(client: Any, app: Any) -> None:
    version = app.extensions["pinboard.static"].version
    urls = static_urls(client)
    assert {"css/pinboard.css", "css/participant.css", "js/join.js", "img/favicon.svg"} == {
        url.removeprefix(f"/static/{version}/") for url in urls
    }


def test_a_versioned_file_is_immutable_compressed_and_revalidates_to_304(client: Any) -> None:
    url = next(url for url in static_urls(client) if url.endswith("participant.css"))
    source = (ROOT / "static" / "css" / "participant.css").read_bytes()
    response = client.get(url, headers=BR)
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert brotli.decompress(response.data) == source
    again = client.get(url, headers={**BR, "If-None-Match": response.headers["ETag"]})
    assert (again.status_code, again.data) == (304, b"")
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(zipped.data) == source
    assert zipped.headers["ETag"] != response.headers["ETag"]
    assert client.get(url).data == source  # no Accept-Encoding: as it is


def test_another_version_or_none_is_served_but_never_cached_long(client: Any) -> None:
    for url in ("/static/0123456789ab/js/page.js", "/static/js/page.js"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-cache", url
        assert response.data == (ROOT / "static" / "js" / "page.js").read_bytes()


def test_nothing_but_the_static_folder_is_served(client: Any, app: Any) -> None:
    version = app.extensions["pinboard.static"].version
    outside = ("../pyproject.toml", f"{version}/../pinboard/app.py", "%2e%2e/run.py")
    for path in (*outside, "js/nope.js", version):
        assert client.get(f"/static/{path}").status_code == 404, path


def test_pages_are_revalidated_and_answer_304_when_unchanged(client: Any) -> None:
    page = client.get("/j", headers=BR)
    assert page.headers["Cache-Control"] == "no-cache"
    assert page.headers["Content-Encoding"] == "br" and page.headers["ETag"].startswith('W/"')
    again = client.get("/j", headers={**BR, "If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304
