"""The hidden card query on a real server (`python run.py`), with python-socketio clients that
record every frame they receive: when the moderator edits, recolours and moves a participant's
hidden card, the author's connections (all of them, on websocket and long-polling, on one
server process or on two joined by the message queue) get the change whole and live, while
another participant and the projector never receive its text or colour."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.conftest import REDIS_URL
from tests.replica import LiveClient

pytestmark = pytest.mark.server

SECRET = "Geheim: Die Verwaltung hört nicht zu"
CORRECTED = "Geheim, korrigiert: Die Verwaltung hört uns nicht zu"


class RecordingClient(LiveClient):
    """A LiveClient that keeps every Socket.IO frame it receives, as it arrived."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frames: list[str] = []
        deliver = self.sio._handle_eio_message

        def record(data: str | bytes) -> None:
            self.frames.append(data if isinstance(data, str) else data.decode("utf-8", "replace"))
            deliver(data)

        self.sio.eio.on("message", record)

    def events(self) -> list[dict[str, Any]]:
        """The `event` frames, decoded (a Socket.IO event frame is `2["event", {...}]`)."""
        return [json.loads(frame[1:])[1] for frame in self.frames if frame.startswith('2["event"')]

    def card(self, card_id: int) -> dict[str, Any]:
        assert self.replica is not None
        return next(card for card in self.replica.cards() if card["id"] == card_id)


def create_workshop(url: str) -> dict[str, Any]:
    response = requests.post(
        f"{url}/api/workshops",
        json={
            "title": "Verdeckte Kartenabfrage",
            "boards": [{"title": "Was wünschen Sie sich?", "clusters": ["Beteiligung"], "hidden": True}],
        },
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def join(url: str, workshop: dict[str, Any], name: str) -> str:
    response = requests.post(
        f"{url}/api/join", json={"code": workshop["join_code"], "name": name}, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()["participant_token"]  # type: ignore[no-any-return]


def run_the_query(urls: list[str]) -> None:
    """Anna posts a hidden card; the moderator corrects it, colours it and sorts it; then reveals.
    Anna's phone is on the first server, her laptop (long-polling) on the last."""
    first, last = urls[0], urls[-1]
    workshop = create_workshop(first)
    anna, ben = join(first, workshop, "Anna"), join(first, workshop, "Ben")
    moderator = RecordingClient(
        first, {"workshop": workshop["id"], "moderator_key": workshop["moderator_key"]}
    )
    phone = RecordingClient(first, {"workshop": workshop["id"], "token": anna})
    laptop = RecordingClient(last, {"workshop": workshop["id"], "token": anna}, ["polling"])
    other = RecordingClient(last, {"workshop": workshop["id"], "token": ben})
    projector = RecordingClient(
        last, {"workshop": workshop["id"], "projector_key": workshop["projector_key"]}
    )
    clients = [moderator, phone, laptop, other, projector]
    try:
        for client in clients:
            client.connect()
        board = moderator.replica.boards[0]  # type: ignore[union-attr]
        cluster_id = board["clusters"][0]["id"]
        posted = phone.call(
            "card:create", {"client_id": uuid.uuid4().hex, "board_id": board["id"], "text": SECRET}
        )
        assert posted["ok"] and posted["data"]["hidden"], posted
        card_id = posted["data"]["id"]
        edited = moderator.call("card:update", {"card_id": card_id, "text": CORRECTED, "color": "pink"})
        moved = moderator.call("card:move", {"card_id": card_id, "cluster_id": cluster_id})
        assert edited["ok"] and moved["ok"], (edited, moved)
        for client in clients:
            client.wait_for_seq(moved["seq"])

        # Anna's phone and laptop: the moderator's text and colour, live (one sync, at connect).
        for author in (phone, laptop):
            assert author.syncs == [None] and author.resyncs == 0
            card = author.card(card_id)
            assert (card["text"], card["color"], card["cluster_id"], card["hidden"]) == (
                CORRECTED,
                "pink",
                cluster_id,
                True,
            )
            same_seq = [m["data"]["card"] for m in author.events() if m["seq"] == edited["seq"]]
            assert [(c["text"], c["color"]) for c in same_seq] == [(CORRECTED, "pink"), ("", None)]

        # Ben and the projector: a placeholder in its place; not one frame held the text or colour.
        for viewer in (other, projector):
            card = viewer.card(card_id)
            assert (card["text"], card["color"], card["author_id"], card["cluster_id"]) == (
                "",
                None,
                None,
                cluster_id,
            )
            frames = "\n".join(viewer.frames)
            assert "Geheim" not in frames and "pink" not in frames and "Anna" not in frames
            assert [m["seq"] for m in viewer.events()] == list(range(posted["seq"], moved["seq"] + 1))
        assert moderator.card(card_id)["text"] == CORRECTED

        revealed = moderator.call("cards:reveal", {"board_id": board["id"]})
        assert revealed["ok"], revealed
        for client in clients:
            client.wait_for_seq(revealed["seq"])
            card = client.card(card_id)
            assert (card["text"], card["color"], card["author_name"], card["hidden"]) == (
                CORRECTED,
                "pink",
                "Anna",
                False,
            )
    finally:
        for client in clients:
            client.close()


def test_the_author_follows_the_moderators_edit_of_a_hidden_card_live(
    live_server: Callable[..., Any],
) -> None:
    run_the_query([live_server().url])


@pytest.mark.skipif(not REDIS_URL, reason="PINBOARD_TEST_REDIS_URL is not set (.ci/run sets it)")
def test_on_two_server_processes_every_connection_of_the_author_gets_it(
    live_server: Callable[..., Any],
) -> None:
    """The rooms go through the message queue: Anna's laptop on the second process gets the
    whole card too, and Ben and the projector there get the placeholder."""
    servers = [live_server(PINBOARD_MESSAGE_QUEUE=REDIS_URL) for _ in range(2)]
    run_the_query([server.url for server in servers])
