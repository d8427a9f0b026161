"""The real server: `python run.py` on a free port, driven by python-socketio clients."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import socketio

from tests.replica import LiveClient, shape_of

pytestmark = pytest.mark.server


def create_workshop(url: str) -> dict:
    response = requests.post(
        f"{url}/api/workshops",
        json={
            "title": "Kommunale Steuerung und Empowerment im Netzwerk",
            "event": "Die vernetzte Kommune",
            "date": "2017-06-14",
            "place": "Düsseldorf",
            "agenda": ["Begrüßung und Einführung", "Erfahrungsaustausch"],
            "boards": [{"title": "Einstieg", "clusters": ["Spannungsfelder", "Handlungsansätze"]}],
        },
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


def join(url: str, code: str, name: str = "") -> dict:
    response = requests.post(f"{url}/api/join", json={"code": code, "name": name}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def snapshot(url: str, workshop_id: str, secret: str) -> dict:
    response = requests.get(
        f"{url}/api/workshops/{workshop_id}",
        headers={"Authorization": f"Bearer {secret}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()


def participant_client(
    url: str, workshop: dict, name: str, transports: list[str] | None = None
) -> LiveClient:
    joined = join(url, workshop["join_code"].lower(), name)
    return LiveClient(
        url, {"workshop": workshop["id"], "token": joined["participant_token"]}, transports
    ).connect()


def moderator_client(url: str, workshop: dict) -> LiveClient:
    return LiveClient(url, {"workshop": workshop["id"], "moderator_key": workshop["moderator_key"]}).connect()


def test_a_small_workshop_runs_end_to_end(live_server) -> None:
    server = live_server()
    workshop = create_workshop(server.url)
    moderator = moderator_client(server.url, workshop)
    anna = participant_client(server.url, workshop, "Anna")
    ben = participant_client(server.url, workshop, "", transports=["polling"])
    clients = [moderator, anna, ben]
    try:
        board = moderator.replica.boards[0]
        cluster_id = board["clusters"][1]["id"]

        posted = anna.call(
            "card:create",
            {"client_id": uuid.uuid4().hex, "board_id": board["id"], "text": "Augenhöhe → herstellen"},
        )
        assert posted["ok"], posted
        for client in clients:
            client.wait_for_seq(posted["seq"])
            assert [c["text"] for c in client.replica.board(board["id"])["unsorted"]] == [
                "Augenhöhe → herstellen"
            ]

        moved = moderator.call(
            "card:move", {"card_id": posted["data"]["id"], "cluster_id": cluster_id, "index": 0}
        )
        assert moved["ok"], moved
        for client in clients:
            client.wait_for_seq(moved["seq"])
            assert [c["id"] for c in client.replica.container(board["id"], cluster_id)] == [
                posted["data"]["id"]
            ]
            assert client.replica.board(board["id"])["unsorted"] == []

        forbidden = ben.call("card:move", {"card_id": posted["data"]["id"], "cluster_id": None})
        assert forbidden == {
            "ok": False,
            "error": {"code": "forbidden", "message": forbidden["error"]["message"]},
        }

        server_state = shape_of(snapshot(server.url, workshop["id"], workshop["moderator_key"]))
        for client in clients:
            assert client.replica.shape() == server_state
    finally:
        for client in clients:
            client.close()


def test_a_resent_card_arrives_once(live_server) -> None:
    server = live_server()
    workshop = create_workshop(server.url)
    anna = participant_client(server.url, workshop, "Anna")
    moderator = moderator_client(server.url, workshop)
    try:
        board_id = anna.replica.boards[0]["id"]
        card = {"client_id": uuid.uuid4().hex, "board_id": board_id, "text": "Leitsätze erstellen"}
        first, second = anna.call("card:create", card), anna.call("card:create", card)
        assert first["ok"] and second["ok"]
        assert first["data"]["id"] == second["data"]["id"]
        assert second["seq"] is None  # nothing new happened
        later = anna.call("card:create", {**card, "client_id": uuid.uuid4().hex, "text": "Feedback geben"})
        moderator.wait_for_seq(later["seq"])
        created = Counter(m["data"]["card"]["id"] for m in moderator.received if m["type"] == "card.created")
        assert created == {first["data"]["id"]: 1, later["data"]["id"]: 1}
    finally:
        anna.close()
        moderator.close()


def test_acknowledged_cards_survive_a_killed_server(live_server) -> None:
    server = live_server()
    workshop = create_workshop(server.url)
    anna = participant_client(server.url, workshop, "Anna")
    board_id = anna.replica.boards[0]["id"]
    acked = []
    for number in range(5):
        reply = anna.call(
            "card:create", {"client_id": uuid.uuid4().hex, "board_id": board_id, "text": f"Karte {number}"}
        )
        assert reply["ok"], reply
        acked.append(reply["data"]["id"])
    anna.close()
    server.kill()  # SIGKILL right after the last ack: no shutdown, no flush

    restarted = live_server()
    state = snapshot(restarted.url, workshop["id"], workshop["projector_key"])
    assert [c["id"] for c in state["boards"][0]["unsorted"]] == acked
    assert state["seq"] == 5


def test_a_client_that_was_away_catches_up_with_sync(live_server) -> None:
    server = live_server()
    workshop = create_workshop(server.url)
    moderator = moderator_client(server.url, workshop)
    anna = participant_client(server.url, workshop, "Anna")
    try:
        board_id = moderator.replica.boards[0]["id"]
        anna.close()
        last = None
        for number in range(3):
            last = moderator.call(
                "card:create",
                {"client_id": uuid.uuid4().hex, "board_id": board_id, "text": f"Notiz {number}"},
            )
        anna.sio.connect(server.url, auth=anna.auth, transports=["websocket"], wait_timeout=10)
        anna.sync()
        assert anna.replica.seq == last["seq"]
        assert anna.replica.shape() == shape_of(
            snapshot(server.url, workshop["id"], workshop["moderator_key"])
        )
    finally:
        anna.close()
        moderator.close()


def test_a_client_that_misses_broadcasts_resyncs_on_the_gap_and_catches_up_exactly(live_server) -> None:
    """Broadcasts lost on the way (simulated: Anna's client ignores some `event` messages):
    the next event shows the gap, the client syncs `since` the last seq it applied and holds
    exactly the server's board again. Then Anna is away while the moderator goes on; her
    reconnect syncs `since` where she left off, by itself."""
    server = live_server()
    workshop = create_workshop(server.url)
    moderator = moderator_client(server.url, workshop)
    anna = participant_client(server.url, workshop, "Anna")
    dropped, seen = {3, 4, 9}, []

    def lossy(message: dict) -> None:
        seen.append(message["seq"])
        if message["seq"] not in dropped:
            anna._on_event(message)

    anna.sio.on("event", lossy)
    try:
        board, applied = moderator.replica.boards[0], 0
        for number in range(1, 13):
            if number % 4 == 0:
                reply = moderator.call(
                    "card:move",
                    {"card_id": moderator.replica.cards()[0]["id"], "cluster_id": board["clusters"][0]["id"]},
                )
            else:
                reply = moderator.call(
                    "card:create",
                    {"client_id": uuid.uuid4().hex, "board_id": board["id"], "text": f"Punkt {number}"},
                )
            assert reply["ok"] and reply["seq"] == number, reply
            moderator.wait_for_seq(number)
            if number in dropped:  # Anna cannot know yet
                wait_until(lambda n=number: n in seen)
                assert anna.replica.seq == applied
            else:
                anna.wait_for_seq(number)
                applied = number
        assert anna.resyncs == 2  # at seq 5 (3 and 4 missing) and at seq 10 (9 missing)
        assert anna.syncs == [None, 2, 8]  # the first sync on connect, then two `since` syncs
        assert anna.replica.shape() == shape_of(
            snapshot(server.url, workshop["id"], workshop["moderator_key"])
        )

        anna.sio.disconnect()
        for number in range(3):
            moderator.call(
                "card:create",
                {"client_id": uuid.uuid4().hex, "board_id": board["id"], "text": f"Später {number}"},
            )
        last = moderator.call(
            "card:move", {"card_id": moderator.replica.cards()[-1]["id"], "cluster_id": None}
        )
        assert last["seq"] == 16
        anna.sio.connect(server.url, auth=anna.auth, transports=["websocket"], wait_timeout=10)
        anna.wait_for_seq(16)
        assert anna.syncs[-1] == 12
        assert anna.replica.shape() == shape_of(
            snapshot(server.url, workshop["id"], workshop["moderator_key"])
        )
    finally:
        anna.close()
        moderator.close()


def wait_until(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.mark.parametrize("async_mode", ["threading", "gevent"])
def test_other_async_modes_serve_the_same_protocol(live_server, async_mode: str) -> None:
    server = live_server(async_mode=async_mode)
    workshop = create_workshop(server.url)
    moderator = moderator_client(server.url, workshop)
    anna = participant_client(server.url, workshop, "Anna")
    try:
        board_id = anna.replica.boards[0]["id"]
        posted = anna.call(
            "card:create",
            {"client_id": uuid.uuid4().hex, "board_id": board_id, "text": "Transparenz darstellen"},
        )
        assert posted["ok"], posted
        moderator.wait_for_seq(posted["seq"])
        assert moderator.replica.board(board_id)["unsorted"][0]["text"] == "Transparenz darstellen"
    finally:
        anna.close()
        moderator.close()


def test_bad_credentials_are_refused_with_a_message(live_server) -> None:
    import socketio

    server = live_server()
    workshop = create_workshop(server.url)
    client = socketio.Client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(
            server.url,
            auth={"workshop": workshop["id"], "moderator_key": "guess"},
            transports=["websocket"],
            wait_timeout=5,
        )
    assert not client.connected


def test_the_moderator_gets_the_links_back(live_server) -> None:
    server = live_server()
    workshop = create_workshop(server.url)
    response = requests.get(
        f"{server.url}/api/workshops/{workshop['id']}/links",
        headers={"Authorization": f"Bearer {workshop['moderator_key']}"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json() == {
        "join_code": workshop["join_code"],
        "projector_key": workshop["projector_key"],
        "assistant_key": workshop["assistant_key"],
        "links": workshop["links"],
    }
    refused = requests.get(
        f"{server.url}/api/workshops/{workshop['id']}/links",
        headers={"Authorization": f"Bearer {workshop['projector_key']}"},
        timeout=10,
    )
    assert refused.status_code == 401


def test_the_documented_example_script_runs_a_whole_workshop(live_server) -> None:
    import runpy

    server = live_server()
    example = runpy.run_path(
        str(__import__("tests.conftest", fromlist=["ROOT"]).ROOT / "docs" / "examples" / "small_workshop.py")
    )
    final = example["main"](server.url)
    board = final["boards"][0]
    assert board["settings"]["locked"] is True
    assert [c["name"] for c in board["clusters"]] == [
        "Rahmenbedingungen und Grundhaltung",
        "Spannungsfelder",
        "Handlungsansätze",
    ]
    assert [len(c["cards"]) for c in board["clusters"]] == [1, 2, 0]
    assert board["unsorted"] == []
    assert final["seq"] == 8  # 3 cards, 3 moves, 1 cluster, 1 lock: one event each, no gaps


def test_joins_are_announced_as_a_throttled_presence_count(live_server) -> None:
    server = live_server()
    workshop = create_workshop(server.url)
    moderator = moderator_client(server.url, workshop)
    counts: list[int] = []
    moderator.sio.on("presence", lambda message: counts.append(message["participant_count"]))
    try:
        for _ in range(5):
            join(server.url, workshop["join_code"])
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and (not counts or counts[-1] != 5):
            time.sleep(0.05)
        assert counts and counts[-1] == 5
        assert len(counts) <= 2  # five joins within a second: one or two messages, not five
        assert moderator.replica.seq == 0  # presence is not an event
    finally:
        moderator.close()


class FrameRecorder:
    """Keeps every Engine.IO frame a client receives, as it came over the wire (encoded)."""

    def __init__(self, client: LiveClient) -> None:
        self.frames: list[str] = []
        eio = client.sio.eio
        receive = eio._receive_packet

        def record(pkt) -> None:  # type: ignore[no-untyped-def]
            encoded = pkt.encode()
            self.frames.append(encoded if isinstance(encoded, str) else encoded.decode("utf-8", "replace"))
            receive(pkt)

        eio._receive_packet = record

    def holding(self, *needles: str) -> list[str]:
        return [frame for frame in self.frames if any(needle in frame for needle in needles)]


def test_a_hidden_card_query_never_sends_the_projector_a_hidden_text(live_server) -> None:
    """The hidden card query end to end on a real server: a participant on a websocket and one
    on long-polling post hidden cards; not one frame the projector (or the other participant)
    receives holds their text, until the moderator reveals them."""
    server = live_server()
    workshop = create_workshop(server.url)
    secret_anna, secret_ben = "SECRET-ANNA-7f3a Mut zur Luecke", "SECRET-BEN-c91d Zeit fuer Austausch"
    moderator = moderator_client(server.url, workshop)
    projector = LiveClient(
        server.url, {"workshop": workshop["id"], "projector_key": workshop["projector_key"]}
    )
    projector_frames = FrameRecorder(projector)
    projector.connect()
    anna = participant_client(server.url, workshop, "Anna")
    ben_joined = join(server.url, workshop["join_code"], "Ben")
    ben = LiveClient(
        server.url, {"workshop": workshop["id"], "token": ben_joined["participant_token"]}, ["polling"]
    )
    ben_frames = FrameRecorder(ben)
    ben.connect()
    clients = [moderator, projector, anna, ben]
    try:
        board = moderator.replica.boards[0]
        hidden = moderator.call("board:update", {"board_id": board["id"], "hidden": True})
        assert hidden["ok"] and hidden["data"]["settings"]["hidden"] is True, hidden
        posted = anna.call(
            "card:create", {"client_id": uuid.uuid4().hex, "board_id": board["id"], "text": secret_anna}
        )
        assert posted["ok"] and posted["data"]["text"] == secret_anna, posted
        bens = ben.call(
            "card:create", {"client_id": uuid.uuid4().hex, "board_id": board["id"], "text": secret_ben}
        )
        assert bens["ok"], bens
        edited = anna.call(
            "card:update", {"card_id": posted["data"]["id"], "text": secret_anna + " (edited)"}
        )
        assert edited["ok"], edited
        cluster_id = board["clusters"][0]["id"]
        moved = moderator.call(
            "card:move", {"card_id": posted["data"]["id"], "cluster_id": cluster_id, "index": 0}
        )
        assert moved["ok"], moved
        for participant in (anna, ben):
            done = participant.call("participant:done", {"board_id": board["id"], "done": True})
            assert done["ok"], done
        for client in clients:
            client.wait_for_seq(done["seq"])

        # The projector knows the cards are there, where they are, and how many are done.
        projected = projector.replica.board(board["id"])
        assert [c["hidden"] and c["text"] == "" for c in projected["clusters"][0]["cards"]] == [True]
        assert [c["text"] for c in projected["unsorted"]] == [""]
        assert projected["done_count"] == 2
        over_http = snapshot(server.url, workshop["id"], workshop["projector_key"])
        resynced = projector.call("sync", {"since": 0})
        assert resynced["ok"], resynced
        assert "SECRET" not in json.dumps([over_http, resynced])
        assert projector_frames.frames and projector_frames.holding("SECRET") == []
        assert ben_frames.holding("SECRET-ANNA") == []
        assert (
            moderator.replica.board(board["id"])["clusters"][0]["cards"][0]["text"]
            == secret_anna + " (edited)"
        )
        assert any(secret_ben in frame for frame in ben_frames.frames)  # Ben's own ack

        revealed = moderator.call("cards:reveal", {"board_id": board["id"]})
        assert revealed["ok"] and len(revealed["data"]["cards"]) == 2, revealed
        for client in clients:
            client.wait_for_seq(revealed["seq"])
            texts = {c["text"] for c in client.replica.cards()}
            assert {secret_anna + " (edited)", secret_ben} <= texts
        assert len(projector_frames.holding("SECRET")) == 1  # the one cards.revealed event
        server_state = shape_of(snapshot(server.url, workshop["id"], workshop["moderator_key"]))
        for client in (moderator, projector):
            assert client.replica.shape() == server_state
    finally:
        for client in clients:
            client.close()


def test_a_broadcast_window_gathers_a_burst_into_frames_in_order_and_loses_nothing(live_server) -> None:
    """With broadcast_window_ms, a burst of events from several authors reaches every screen as
    `events` frames: each seq once, in order, no gap; events with a hidden card go on their own,
    between the frames, and the replicas end equal to the server's snapshot."""
    server = live_server(PINBOARD_BROADCAST_WINDOW_MS="150")
    workshop = requests.post(
        f"{server.url}/api/workshops",
        json={"title": "Verdeckt", "boards": [{"title": "Offen"}, {"title": "Verdeckt", "hidden": True}]},
        timeout=10,
    ).json()
    moderator = moderator_client(server.url, workshop)
    anna = participant_client(server.url, workshop, "Anna")
    ben = participant_client(server.url, workshop, "Ben", transports=["polling"])
    frames: list[tuple[str, list[dict]]] = []
    watcher = socketio.Client(reconnection=False)
    watcher.on("event", lambda message: frames.append(("event", [message])))
    watcher.on("events", lambda messages: frames.append(("events", messages)))
    joined = join(server.url, workshop["join_code"])
    watcher.connect(server.url, auth={"workshop": workshop["id"], "token": joined["participant_token"]},
                    transports=["websocket"])  # fmt: skip
    clients = [moderator, anna, ben]
    try:
        open_board, hidden_board = (board["id"] for board in moderator.replica.boards)

        def post(client: LiveClient, count: int) -> list[int]:
            seqs = []
            for number in range(count):
                board_id = hidden_board if number % 5 == 4 else open_board
                answer = client.call(
                    "card:create", {"client_id": uuid.uuid4().hex, "board_id": board_id, "text": f"K{number}"}
                )
                assert answer["ok"], answer
                seqs.append(answer["seq"])
            return seqs

        with ThreadPoolExecutor(3) as pool:
            results = list(pool.map(post, clients, [20, 20, 20]))
        last = max(max(seqs) for seqs in results)
        for client in clients:
            client.wait_for_seq(last)
        deadline = time.monotonic() + 10
        while sum(len(messages) for _, messages in frames) < last and time.monotonic() < deadline:
            time.sleep(0.05)

        seqs = [message["seq"] for _, messages in frames for message in messages]
        assert seqs == list(range(1, last + 1))
        assert any(name == "events" and len(messages) > 1 for name, messages in frames), frames
        hidden = [messages for _, messages in frames if any(m["data"]["card"]["hidden"] for m in messages)]
        assert hidden and all(len(messages) == 1 for messages in hidden)
        server_state = shape_of(snapshot(server.url, workshop["id"], workshop["moderator_key"]))
        assert moderator.replica.shape() == server_state
        assert anna.replica.shape() == shape_of(snapshot(server.url, workshop["id"], anna.auth["token"]))
        assert ben.replica.shape() == shape_of(snapshot(server.url, workshop["id"], ben.auth["token"]))
    finally:
        watcher.disconnect()
        for client in clients:
            client.close()
