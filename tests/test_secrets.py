"""Keys and tokens on a real server (`python run.py`, log level DEBUG): a whole small workshop
(moderator, projector, a participant over WebSocket and one over long-polling, voting, a timer,
every export), then the secrets are looked for everywhere they must not be.

- Moderator key, projector key and participant tokens carry at least 128 random bits and are
  stored only as SHA-256 hashes (every column of every table, and on SQLite the file's bytes).
- None of them, nor their hashes, is in the server log, in anything a participant or the projector
  receives (events, acks, presence, snapshots, pages), in any export format, or in the URLs and the
  QR code participants are shown.
- A key in a URL query (`?key=`, `?moderator_key=`) authenticates nothing.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import time
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import segno
import socketio
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.engine import make_url

from pinboard.database import Database
from pinboard.exports import FORMATS
from pinboard.models import Base, Participant, Workshop
from tests.conftest import LiveServer

pytestmark = pytest.mark.server


class Recorder:
    """A python-socketio client that keeps every message it receives and every ack it gets."""

    def __init__(self, server: LiveServer, auth: dict[str, Any], transport: str = "websocket") -> None:
        self.received: list[Any] = []
        self.acks: list[Any] = []
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("*", lambda event, *args: self.received.append([event, *args]))
        self.sio.connect(server.url, auth=auth, transports=[transport], wait_timeout=10)

    def call(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        ack = self.sio.call(event, payload, timeout=10)
        self.acks.append(ack)
        assert ack["ok"] is True, (event, ack)
        return ack  # type: ignore[no-any-return]

    def seen(self) -> str:
        return json.dumps([self.received, self.acks], ensure_ascii=False)

    def close(self) -> None:
        self.sio.disconnect()


def bits(secret: str) -> int:
    assert re.fullmatch(r"[A-Za-z0-9_-]+", secret), secret
    return 8 * len(base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4)))


def sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def export_texts(content: bytes, fmt: str) -> list[str]:
    """The text of an export, as a reader would find it: the raw bytes, and for containers what
    they contain (the parts of a DOCX, the text and metadata of a PDF)."""
    texts = [content.decode("utf-8", "replace")]
    if fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            texts += [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
    elif fmt == "pdf":
        reader = PdfReader(io.BytesIO(content))
        texts += [page.extract_text() for page in reader.pages] + [repr(reader.metadata)]
    return texts


def database_dump(database_url: str) -> str:
    """Every value in every table, as text."""
    url = make_url(database_url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    database = Database(url.render_as_string(hide_password=False))
    try:
        with database.read() as session:
            rows = [
                [str(value) for value in row]
                for table in Base.metadata.sorted_tables
                for row in session.execute(select(table))
            ]
            hashes = {
                "workshops": [
                    (w.moderator_key_hash, w.projector_key_hash) for w in session.scalars(select(Workshop))
                ],
                "participants": [p.token_hash for p in session.scalars(select(Participant))],
            }
    finally:
        database.dispose()
    return json.dumps({"rows": rows, "hashes": hashes}, ensure_ascii=False)


def test_keys_and_tokens_stay_secret(live_server: Callable[..., LiveServer], database_url: str) -> None:
    server = live_server(PINBOARD_LOG_LEVEL="DEBUG")
    url = server.url
    created = requests.post(
        f"{url}/api/workshops",
        json={
            "title": "Geheimnisse",
            "boards": [{"title": "Einstieg", "clusters": ["Ideen"]}, {"title": "Verdeckt", "hidden": True}],
        },
        timeout=10,
    ).json()
    workshop_id, code = created["id"], created["join_code"]
    moderator_key, projector_key = created["moderator_key"], created["projector_key"]
    joined = {
        name: requests.post(f"{url}/api/join", json={"code": code, "name": name}, timeout=10).json()
        for name in ("Anna", "Ben")
    }
    tokens = {name: answer["participant_token"] for name, answer in joined.items()}
    secrets = {
        "moderator key": moderator_key,
        "projector key": projector_key,
        **{f"token of {n}": t for n, t in tokens.items()},
    }
    forbidden = {**secrets, **{f"hash of the {name}": sha256(value) for name, value in secrets.items()}}

    # Keys and tokens: at least 128 random bits each, all different (another workshop's too).
    second = requests.post(f"{url}/api/workshops", json={"title": "Noch einer"}, timeout=10).json()
    every = [*secrets.values(), second["moderator_key"], second["projector_key"]]
    assert len(set(every)) == len(every)
    assert min(bits(secret) for secret in every) >= 128

    # A small workshop: the moderator runs it, the projector watches, two participants post.
    moderator = Recorder(server, {"workshop": workshop_id, "moderator_key": moderator_key})
    projector = Recorder(server, {"workshop": workshop_id, "projector_key": projector_key})
    anna = Recorder(server, {"workshop": workshop_id, "token": tokens["Anna"]})
    ben = Recorder(server, {"workshop": workshop_id, "token": tokens["Ben"]}, transport="polling")
    state = moderator.call("sync", {})["data"]["snapshot"]
    board, hidden_board = state["boards"][0]["id"], state["boards"][1]["id"]
    cluster = state["boards"][0]["clusters"][0]["id"]

    def card(board_id: int, text: str) -> dict[str, Any]:
        return {"client_id": uuid.uuid4().hex, "board_id": board_id, "text": text}

    first = anna.call("card:create", card(board, "Augenhöhe herstellen"))["data"]["id"]
    anna.call("card:update", {"card_id": first, "text": "Augenhöhe herstellen und halten"})
    second_card = ben.call("card:create", card(board, "Leitsätze erstellen"))["data"]["id"]
    moderator.call("card:move", {"card_id": first, "cluster_id": cluster, "index": 0})
    moderator.call("cluster:create", {"board_id": board, "name": "Grundhaltung"})
    moderator.call("workshop:update", {"title": "Geheimnisse, bewahrt"})
    moderator.call("vote:open", {"board_id": board, "budget": 2, "per_card_cap": 1})
    anna.call("vote:cast", {"card_id": second_card})
    moderator.call("vote:close", {"board_id": board})
    moderator.call("timer:start", {"board_id": board, "seconds": 60})
    moderator.call("timer:stop", {"board_id": board})
    moderator.call("board:activate", {"board_id": hidden_board})
    ben.call("card:create", card(hidden_board, "Verdeckte Karte"))
    anna.call("participant:done", {"board_id": hidden_board, "done": True})
    moderator.call("cards:reveal", {"board_id": hidden_board})
    for client in (anna, ben, projector):
        client.call("sync", {"since": 0})
        client.call("sync", {})
    requests.post(f"{url}/api/join", json={"code": code}, timeout=10)  # a presence message for all

    participant_http = [
        requests.get(
            f"{url}/api/workshops/{workshop_id}",
            headers={"Authorization": f"Bearer {tokens['Anna']}"},
            timeout=10,
        ),
        requests.get(f"{url}/j/{code}", timeout=10),
        requests.get(f"{url}/j/{code}/qr.svg", timeout=10),
        requests.get(f"{url}/j", timeout=10),
        requests.get(f"{url}/", timeout=10),
    ]
    projector_http = [
        requests.get(
            f"{url}/api/workshops/{workshop_id}",
            headers={"Authorization": f"Bearer {projector_key}"},
            timeout=10,
        ),
        requests.get(f"{url}/p/{workshop_id}", timeout=10),
    ]
    assert all(response.status_code == 200 for response in participant_http + projector_http)
    moderator_auth = {"Authorization": f"Bearer {moderator_key}"}
    links = requests.get(
        f"{url}/api/workshops/{workshop_id}/links", headers=moderator_auth, timeout=10
    ).json()
    exports = {}
    for fmt in FORMATS:
        params = {"format": fmt, "authors": "1", **({"board": str(board)} if fmt in ("svg", "png") else {})}
        response = requests.get(
            f"{url}/api/workshops/{workshop_id}/export", params=params, headers=moderator_auth, timeout=60
        )
        assert response.status_code == 200, (fmt, response.text[:300])
        exports[fmt] = export_texts(response.content, fmt)
    deadline = time.monotonic() + 10  # the presence message comes a second after the join
    while not any(message[0] == "presence" for message in anna.received) and time.monotonic() < deadline:
        time.sleep(0.05)
    for client in (moderator, projector, anna, ben):
        client.close()
    assert any(message[0] == "presence" for message in anna.received)
    assert sum(message[0] == "event" for message in ben.received) >= 14
    server.stop()

    # Stored only as hashes.
    dump = database_dump(database_url)
    stored = json.loads(dump)["hashes"]
    assert [sha256(moderator_key), sha256(projector_key)] in stored["workshops"]
    assert {sha256(token) for token in tokens.values()} <= set(stored["participants"])
    for name, secret in secrets.items():
        assert secret not in dump, f"the {name} is stored in the database"
    if database_url.startswith("sqlite"):
        path = Path(make_url(database_url).database or "")
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        for name, secret in secrets.items():
            assert secret.encode() not in raw, f"the {name} is in the database file"

    # Never in the server log.
    log = server.log()
    assert "pinboard is running" in log
    for name, secret in forbidden.items():
        assert secret not in log, f"the {name} is in the server log"

    # Never in anything a participant or the projector receives; a participant's token only ever
    # reached that participant (in the answer to their join).
    participant_view = anna.seen() + ben.seen() + "".join(r.text for r in participant_http)
    projector_view = projector.seen() + "".join(r.text for r in projector_http)
    for name, secret in forbidden.items():
        assert secret not in participant_view, f"a participant received the {name}"
        assert secret not in projector_view, f"the projector received the {name}"

    # Never in an export.
    for fmt, texts in exports.items():
        for name, secret in forbidden.items():
            assert not any(secret in text for text in texts), f"the {name} is in the {fmt} export"

    # The URL participants are given, and the QR code that shows it, hold the join code only;
    # the projector link has its key only after the #, which browsers never send.
    join_url = f"{url}/j/{code}"
    assert links["links"]["participant"] == join_url
    assert links["links"]["projector"] == f"{url}/p/{workshop_id}#key={projector_key}"
    qr = io.BytesIO()
    segno.make(join_url, error="m").save(
        qr, kind="svg", xmldecl=False, scale=8, border=2, dark="#111111", light="#ffffff"
    )
    assert participant_http[2].content == qr.getvalue()


def test_a_key_in_the_url_query_authenticates_nothing(client: Any, socket_client: Any) -> None:
    created = client.post("/api/workshops", json={"title": "T"}).get_json()
    workshop_id, key = created["id"], created["moderator_key"]
    base = f"/api/workshops/{workshop_id}"
    for name in ("key", "moderator_key", "token", "access_token"):
        query = {name: key}
        assert client.get(base, query_string=query).status_code == 401, name
        assert client.get(f"{base}/links", query_string=query).status_code == 401, name
        assert client.delete(base, query_string=query).status_code == 401, name
        assert client.get(f"{base}/export", query_string={**query, "format": "json"}).status_code in (
            400,
            401,
        )
    query_string = f"workshop={workshop_id}&moderator_key={key}&key={key}"
    assert not socket_client(None, query_string=query_string).is_connected()
    assert not socket_client({"workshop": workshop_id}, query_string=query_string).is_connected()
    assert client.get(base, headers={"Authorization": f"Bearer {key}"}).status_code == 200
