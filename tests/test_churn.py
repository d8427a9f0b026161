"""Churn: clients come and go at random while cards are posted and sorted, and still agree.

Six participants post cards through their outboxes (tests/outbox.py) while the moderator moves
cards between the clusters (and now and then adds or moves a cluster) and a projector watches.
Meanwhile a churner disconnects clients at random: some leave and come back (a phone that
locks its screen), others lose their connection abruptly (the Wi-Fi drops) and reconnect by
themselves. Every client keeps a replica (tests/replica.py) that applies events in order and
resyncs on a gap. Afterwards every replica equals the server's snapshot, card for card, in the
same order, and every card posted is there exactly once.
"""

from __future__ import annotations

import os
import random
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest

from tests.outbox import Outbox
from tests.replica import ConnectionLost, LiveClient, shape_of
from tests.test_server import create_workshop, join, moderator_client, snapshot

pytestmark = pytest.mark.server

PARTICIPANTS = 6
CHURNS = 30  # leaves and drops, one every 0.05-0.15 s while the cards come in
UNLIMITED = {"PINBOARD_RATE_LIMIT_PER_MINUTE": "1000000", "PINBOARD_RATE_LIMIT_BURST": "1000000"}


@dataclass
class Churn:
    leaves: int = 0  # clean disconnects, reconnected by the test after a pause
    drops: int = 0  # sockets cut under the client, which reconnects by itself
    moderator_ops: int = 0  # moves and cluster changes the server acknowledged
    moderator_leaves: int = 0  # the moderator stepping away from the laptop and back


class Participant:
    def __init__(self, url: str, workshop: dict[str, Any], number: int, board_id: int) -> None:
        joined = join(url, workshop["join_code"], f"Teilnehmerin {number}")
        self.client = LiveClient(url, {"workshop": workshop["id"], "token": joined["participant_token"]})
        self.outbox = Outbox(self.client.sio)
        self.number = number
        self.board_id = board_id
        self.posting = True

    def next_card(self) -> dict[str, Any] | None:
        n = self.outbox.stats.queued
        if not self.posting:
            return None
        return {"board_id": self.board_id, "text": f"Vorschlag {self.number}.{n}: Räume öffnen"}


def leave_and_return(client: LiveClient, pause: float) -> None:
    """A clean disconnect, a pause, a new connection (which syncs by itself, see LiveClient)."""
    client.sio.disconnect()
    time.sleep(pause)
    client.sio.connect(client.url, auth=client.auth, transports=client.transports, wait_timeout=10)


def cut_connection(client: LiveClient) -> bool:
    """Cut the websocket under the client, as a network drop would; it reconnects by itself."""
    websocket = getattr(client.sio.eio, "ws", None)
    sock = getattr(websocket, "sock", None)
    if not client.sio.connected or sock is None:
        return False
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        return False
    return True


def churn(clients: list[LiveClient], rng: random.Random, stop: threading.Event, figures: Churn) -> None:
    while figures.leaves + figures.drops < CHURNS and not stop.is_set():
        time.sleep(rng.uniform(0.05, 0.15))
        client = rng.choice(clients)
        if rng.random() < 0.5 and cut_connection(client):
            figures.drops += 1
        elif client.sio.connected:
            leave_and_return(client, rng.uniform(0.0, 0.2))
            figures.leaves += 1


def sort_cards(
    moderator: LiveClient, board_id: int, rng: random.Random, stop: threading.Event, figures: Churn
) -> None:
    """The moderator sorts: moves cards between clusters and the unsorted area, at times adds
    or reorders a cluster, and now and then steps away from the laptop."""
    names = iter(f"Cluster {n}" for n in range(1000))
    while not stop.is_set():
        with moderator.lock:
            board = moderator.replica.board(board_id) if moderator.replica else None
            clusters = [c["id"] for c in board["clusters"]] if board else []
            cards = [c["id"] for c in moderator.replica.cards()] if moderator.replica else []
        roll = rng.random()
        if roll < 0.05:
            leave_and_return(moderator, rng.uniform(0.0, 0.3))
            figures.moderator_leaves += 1
            continue
        if roll < 0.1 and len(clusters) < 8:
            event, payload = (
                "cluster:create",
                {"board_id": board_id, "name": next(names), "index": rng.randrange(4)},
            )
        elif roll < 0.15 and clusters:
            event, payload = "cluster:move", {"cluster_id": rng.choice(clusters), "index": rng.randrange(4)}
        elif cards:
            target = rng.choice([None, *clusters])
            event, payload = (
                "card:move",
                {"card_id": rng.choice(cards), "cluster_id": target, "index": rng.randrange(6)},
            )
        else:
            time.sleep(0.02)
            continue
        try:
            reply = moderator.call(event, payload)
        except ConnectionLost:
            continue
        assert reply["ok"], (event, payload, reply)
        figures.moderator_ops += 1


def test_clients_that_come_and_go_end_with_the_servers_board(live_server: Any) -> None:
    seed = int(os.environ.get("PINBOARD_CHURN_SEED", random.randrange(10**6)))
    rng = random.Random(seed)
    print(f"churn seed {seed} (PINBOARD_CHURN_SEED)")  # shown when the test fails
    began = time.monotonic()
    server = live_server(**UNLIMITED)
    workshop = create_workshop(server.url)
    moderator = moderator_client(server.url, workshop)
    board_id = moderator.replica.boards[0]["id"]
    projector = LiveClient(
        server.url, {"workshop": workshop["id"], "projector_key": workshop["projector_key"]}, ["polling"]
    ).connect()
    participants = [Participant(server.url, workshop, n, board_id) for n in range(PARTICIPANTS)]
    for participant in participants:
        participant.client.connect()
    clients = [moderator, projector, *(p.client for p in participants)]
    figures = Churn()
    stop_sorting, stop_churning = threading.Event(), threading.Event()
    deadline = time.monotonic() + 120
    posters = [
        threading.Thread(target=p.outbox.deliver, args=(p.next_card, deadline), daemon=True)
        for p in participants
    ]
    sorter = threading.Thread(
        target=sort_cards,
        args=(moderator, board_id, random.Random(rng.random()), stop_sorting, figures),
        daemon=True,
    )
    churner = threading.Thread(
        target=churn, args=(clients[1:], random.Random(rng.random()), stop_churning, figures), daemon=True
    )
    try:
        for thread in [*posters, sorter, churner]:
            thread.start()
        churner.join(60)  # the burst lasts as long as the churn
        for participant in participants:
            participant.posting = False  # the outboxes deliver what is left
        stop_sorting.set()
        for thread in [*posters, sorter]:
            thread.join(max(1.0, deadline - time.monotonic()))
        assert figures.leaves + figures.drops == CHURNS
        assert [len(p.outbox) for p in participants] == [0] * PARTICIPANTS, "an outbox was not delivered"
        assert [e for p in participants for e in p.outbox.stats.errors] == []

        for client in clients:  # whoever was cut off last reconnects by itself
            deadline = time.monotonic() + 15
            while not client.sio.connected and time.monotonic() < deadline:
                time.sleep(0.02)
        server_state = snapshot(server.url, workshop["id"], workshop["moderator_key"])
        for client in clients:
            client.wait_for_seq(server_state["seq"], timeout=15)

        cards = [
            c
            for b in server_state["boards"]
            for c in [*b["unsorted"], *(x for cl in b["clusters"] for x in cl["cards"])]
        ]
        posted = sorted(cid for p in participants for cid in p.outbox.order)
        assert sorted(c["client_id"] for c in cards) == posted  # every card, once
        assert server_state["seq"] == len(posted) + figures.moderator_ops  # one event per change, no gaps
        for client in clients:
            ids = [c["id"] for c in client.replica.cards()]
            assert len(ids) == len(set(ids)) == len(posted)
            assert client.replica.seq == server_state["seq"]
            assert client.replica.shape() == shape_of(server_state)
        stats = [p.outbox.stats for p in participants]
    finally:
        stop_churning.set()
        stop_sorting.set()
        for client in clients:
            client.close()
    print(
        f"\nchurn test: {len(clients)} clients ({PARTICIPANTS} participants, moderator, projector), "
        f"{len(posted)} cards, {figures.moderator_ops} moderator moves and cluster changes, "
        f"{figures.leaves} leaves (+ {figures.moderator_leaves} of the moderator), "
        f"{figures.drops} dropped connections, "
        f"{sum(c.resyncs for c in clients)} gap resyncs, {sum(len(c.syncs) for c in clients)} syncs, "
        f"{sum(s.resends for s in stats)} resends ({sum(s.replayed for s in stats)} already stored), "
        f"seq {server_state['seq']}, {time.monotonic() - began:.1f} s (seed {seed})"
    )
