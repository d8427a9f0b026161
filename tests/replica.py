"""A client-side replica of a workshop, applying `event` messages the way every screen does.

The JavaScript connection module (static/js/connection.js) follows the same rules: apply events
in sequence order, ignore ones already applied, resync on a gap.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import time
from typing import Any

import socketio

# connection.js's HEAD_GRACE_MS: an event may still be on its way when a `head` overtakes it.
HEAD_GRACE = 0.5
# connection.js's GAP_GRACE_MS: how long an event that skipped one waits for it before a sync.
GAP_GRACE = 0.3

# What `cards.revealed` fills in on a card that was a placeholder.
REVEALED_FIELDS = ("text", "color", "author_id", "author_name", "client_id", "hidden", "updated_at")


class Gap(Exception):
    """An event arrived whose sequence number is not the next one."""


class ConnectionLost(Exception):
    """The connection dropped before the ack arrived, or no ack came in time."""


def call(sio: socketio.Client, event: str, payload: Any, timeout: float = 15.0) -> dict[str, Any]:
    """Send an event and wait for its ack, giving up as soon as the connection drops
    (python-socketio's own `call` waits out the whole timeout for an ack that cannot come)."""
    answered = threading.Event()
    replies: list[dict[str, Any]] = []

    def on_ack(reply: dict[str, Any]) -> None:
        replies.append(reply)
        answered.set()

    sid = sio.sid
    try:
        sio.emit(event, payload, callback=on_ack)
    except socketio.exceptions.SocketIOError as error:
        raise ConnectionLost(f"{event}: {error}") from None
    deadline = time.monotonic() + timeout
    while not answered.wait(0.02):
        if not sio.connected or sio.sid != sid:
            raise ConnectionLost(f"{event}: the connection dropped")
        if time.monotonic() > deadline:
            raise ConnectionLost(f"{event}: no ack within {timeout} s")
    return replies[0]


def close_dead_websocket(sio: socketio.Client, reason: str) -> None:
    """python-engineio leaves the socket of a websocket that broke (server killed, network
    gone) open until the garbage collector finds it, a ResourceWarning; close it once the read
    loop has given up. Only then: when the client itself disconnects, the library closes it."""
    websocket = getattr(sio.eio, "ws", None)
    if reason == socketio.Client.reason.TRANSPORT_ERROR and websocket is not None:
        websocket.shutdown()


def _take(items: list[dict[str, Any]], item_id: int) -> dict[str, Any] | None:
    for index, item in enumerate(items):
        if item["id"] == item_id:
            return items.pop(index)
    return None


def _insert(items: list[dict[str, Any]], item: dict[str, Any], index: int | None) -> None:
    items.insert(len(items) if index is None else min(index, len(items)), item)


class Replica:
    def __init__(self, snapshot: dict[str, Any]) -> None:
        self.load(snapshot)

    def load(self, snapshot: dict[str, Any]) -> None:
        self.seq: int = snapshot["seq"]
        self.workshop: dict[str, Any] = copy.deepcopy(snapshot["workshop"])
        self.boards: list[dict[str, Any]] = copy.deepcopy(snapshot["boards"])
        self.you: dict[str, Any] = dict(snapshot.get("you") or {})
        for board in self.boards:
            for container in [board["unsorted"], *(c["cards"] for c in board["clusters"])]:
                for card in container:
                    card.setdefault("stack", [])

    # ---- lookups ---------------------------------------------------------------------------

    def board(self, board_id: int) -> dict[str, Any]:
        return next(b for b in self.boards if b["id"] == board_id)

    def container(self, board_id: int, cluster_id: int | None) -> list[dict[str, Any]]:
        board = self.board(board_id)
        if cluster_id is None:
            return board["unsorted"]
        return next(c for c in board["clusters"] if c["id"] == cluster_id)["cards"]

    def _take_card(self, card_id: int) -> dict[str, Any] | None:
        """Take a card out of its container (its stack goes with it) or out of a stack."""
        for board in self.boards:
            for container in [board["unsorted"], *(c["cards"] for c in board["clusters"])]:
                card = _take(container, card_id)
                if card is None:
                    card = next((s for top in container if (s := _take(top.get("stack", []), card_id))), None)
                if card is not None:
                    card.setdefault("stack", [])
                    return card
        return None

    def cards(self) -> list[dict[str, Any]]:
        """Every card, stacked ones right after their top card."""
        return [
            card
            for board in self.boards
            for container in [*(c["cards"] for c in board["clusters"]), board["unsorted"]]
            for top in container
            for card in [top, *top.get("stack", [])]
        ]

    # ---- applying events -------------------------------------------------------------------

    def apply(self, message: dict[str, Any]) -> bool:
        """Apply one event; False when it was already applied; Gap when one is missing."""
        seq = message["seq"]
        if seq <= self.seq:
            return False
        if seq != self.seq + 1:
            raise Gap(f"expected {self.seq + 1}, got {seq}")
        getattr(self, "_on_" + message["type"].replace(".", "_"))(message["data"])
        self.seq = seq
        return True

    def _on_card_created(self, data: dict[str, Any]) -> None:
        card = data["card"]
        _insert(self.container(card["board_id"], card["cluster_id"]), {**card, "stack": []}, data["index"])

    def _on_card_updated(self, data: dict[str, Any]) -> None:
        card = data["card"]
        for existing in self.cards():
            if existing["id"] == card["id"]:
                if card.get("hidden") and not card["text"] and existing["text"]:
                    continue  # a placeholder never overwrites a card held whole (as board-model.js)
                existing.update(text=card["text"], color=card["color"], updated_at=card["updated_at"])

    def _on_cards_revealed(self, data: dict[str, Any]) -> None:
        revealed = {card["id"]: card for card in data["cards"]}
        for existing in self.cards():
            if existing["id"] in revealed:
                card = revealed[existing["id"]]
                existing.update({key: card[key] for key in REVEALED_FIELDS})

    def _on_participant_done(self, data: dict[str, Any]) -> None:
        self.board(data["board_id"])["done_count"] = data["done_count"]

    def _on_card_moved(self, data: dict[str, Any]) -> None:
        card = self._take_card(data["card_id"])
        assert card is not None, f"moved card {data['card_id']} is unknown"
        card["stacked_on_id"] = None
        for moved in [card, *card["stack"]]:
            moved["board_id"], moved["cluster_id"] = data["board_id"], data["cluster_id"]
        _insert(self.container(data["board_id"], data["cluster_id"]), card, data["index"])

    def _on_card_deleted(self, data: dict[str, Any]) -> None:
        self._take_card(data["card_id"])

    def _on_cluster_created(self, data: dict[str, Any]) -> None:
        cluster = {**data["cluster"], "cards": []}
        _insert(self.board(cluster["board_id"])["clusters"], cluster, data["index"])

    def _on_cluster_updated(self, data: dict[str, Any]) -> None:
        cluster = data["cluster"]
        for existing in self.board(cluster["board_id"])["clusters"]:
            if existing["id"] == cluster["id"]:
                existing.update(
                    name=cluster["name"], list_style=cluster["list_style"], headline=cluster["headline"]
                )

    def _on_cluster_moved(self, data: dict[str, Any]) -> None:
        clusters = self.board(data["board_id"])["clusters"]
        cluster = _take(clusters, data["cluster_id"])
        assert cluster is not None
        _insert(clusters, cluster, data["index"])

    def _on_cluster_deleted(self, data: dict[str, Any]) -> None:
        board = self.board(data["board_id"])
        cluster = _take(board["clusters"], data["cluster_id"])
        assert cluster is not None
        for card in cluster["cards"]:
            for one in [card, *card.get("stack", [])]:
                one["cluster_id"] = None
            board["unsorted"].append(card)

    def _on_board_created(self, data: dict[str, Any]) -> None:
        board = copy.deepcopy(data["board"])
        board["clusters"] = [{**c, "cards": []} for c in board["clusters"]]
        board["unsorted"] = []
        board["done_count"], board["done"] = 0, False
        _insert(self.boards, board, data["index"])

    def _on_board_updated(self, data: dict[str, Any]) -> None:
        board = self.board(data["board"]["id"])
        board.update(title=data["board"]["title"], settings=data["board"]["settings"])

    def _on_board_moved(self, data: dict[str, Any]) -> None:
        board = _take(self.boards, data["board_id"])
        assert board is not None
        _insert(self.boards, board, data["index"])

    def _on_board_activated(self, data: dict[str, Any]) -> None:
        self.workshop["active_board_id"] = data["board_id"]

    def _on_workshop_updated(self, data: dict[str, Any]) -> None:
        kept = {"focus": self.workshop["focus"]} if "focus" in self.workshop else {}
        self.workshop = {**kept, **data["workshop"]}

    # ---- issue 6: stacks, undo (restore, hide again), focus, wall dots -------------------------

    def _top_of(self, card_id: int) -> dict[str, Any] | None:
        for board in self.boards:
            for container in [board["unsorted"], *(c["cards"] for c in board["clusters"])]:
                for top in container:
                    if top["id"] == card_id or any(s["id"] == card_id for s in top.get("stack", [])):
                        return top
        return None

    def _on_card_stacked(self, data: dict[str, Any]) -> None:
        moved = self._take_card(data["card_id"])
        top = self._top_of(data["onto_card_id"])
        assert moved is not None and top is not None, f"stacking unknown cards: {data}"
        pool = {card["id"]: card for card in [*top["stack"], moved, *moved["stack"]]}
        top["stack"] = [pool[card_id] for card_id in data["stack"]]
        for card in top["stack"]:
            card.update(
                stacked_on_id=top["id"], board_id=data["board_id"], cluster_id=data["cluster_id"], stack=[]
            )

    def _on_card_unstacked(self, data: dict[str, Any]) -> None:
        top = self._top_of(data["from_card_id"])
        card = _take(top["stack"], data["card_id"]) if top else None
        assert card is not None, f"unstacking unknown card: {data}"
        card.update(stacked_on_id=None, board_id=data["board_id"], cluster_id=data["cluster_id"], stack=[])
        _insert(self.container(data["board_id"], data["cluster_id"]), card, data["index"])

    def _on_card_restored(self, data: dict[str, Any]) -> None:
        """A card deleted from a stack comes back into that stack (board-model.js does the same)."""
        card = {**data["card"], "stack": []}
        top = self._top_of(card["stacked_on_id"]) if card.get("stacked_on_id") is not None else None
        if top is not None:
            _insert(top["stack"], card, data["index"])
            return
        card["stacked_on_id"] = None
        _insert(self.container(card["board_id"], card["cluster_id"]), card, data["index"])

    def _on_cluster_restored(self, data: dict[str, Any]) -> None:
        cluster = {**data["cluster"], "cards": []}
        board = self.board(cluster["board_id"])
        for card_id in data["card_ids"]:
            card = _take(board["unsorted"], card_id)
            assert card is not None, f"restored cluster's card {card_id} is not unsorted"
            for one in [card, *card.get("stack", [])]:
                one["cluster_id"] = cluster["id"]
            cluster["cards"].append(card)
        _insert(board["clusters"], cluster, data["index"])

    def _may_read(self, card: dict[str, Any]) -> bool:
        role = self.you.get("role")
        if role == "moderator":
            return True
        if role == "assistant":
            return bool(card.get("author_role") == "assistant")
        return role == "participant" and card.get("author_id") == self.you.get("participant_id")

    def _on_cards_hidden(self, data: dict[str, Any]) -> None:
        hidden = set(data["card_ids"])
        for card in self.cards():
            if card["id"] in hidden:
                card["hidden"] = True
                if not self._may_read(card):
                    card.update(text="", color=None, author_id=None, author_name="", client_id=None)

    def _on_focus_set(self, data: dict[str, Any]) -> None:
        card_id, cluster_id = data.get("card_id"), data.get("cluster_id")
        self.workshop["focus"] = (
            None if card_id is None and cluster_id is None else {"card_id": card_id, "cluster_id": cluster_id}
        )

    def _on_vote_recorded(self, data: dict[str, Any]) -> None:
        vote = self.board(data["board_id"]).get("vote")
        if not vote or vote.get("round_id") != data["round_id"]:
            return
        vote["votes_cast"] = data["votes_cast"]
        if data.get("tally") is not None:
            vote.update(tally=data["tally"], ranking=data.get("ranking"))
        elif data.get("votes") is not None and vote.get("tally") is not None:
            vote["tally"][str(data["card_id"])] = data["votes"]

    def _on_timer_changed(self, data: dict[str, Any]) -> None:
        self.board(data["board_id"])["timer"] = dict(data)

    _on_timer_started = _on_timer_paused = _on_timer_resumed = _on_timer_changed
    _on_timer_extended = _on_timer_ended = _on_timer_changed

    def _on_timer_stopped(self, data: dict[str, Any]) -> None:
        self.board(data["board_id"]).pop("timer", None)

    # ---- comparison ------------------------------------------------------------------------

    def shape(self) -> list[Any]:
        return shape_of({"boards": self.boards, "workshop": self.workshop})


def shape_of(snapshot: dict[str, Any]) -> list[Any]:
    """What every replica must agree on: order, names, settings, headlines, done counts, card
    texts, colours and whether they are hidden."""

    def cards(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [(c["id"], c["text"], c["color"], c["board_id"], c["cluster_id"], c["hidden"]) for c in items]

    return [
        snapshot["workshop"].get("active_board_id"),
        [
            (
                b["id"],
                b["title"],
                sorted(b["settings"].items()),
                [
                    (c["id"], c["name"], c["list_style"], c["headline"], cards(c["cards"]))
                    for c in b["clusters"]
                ],
                cards(b["unsorted"]),
                b["done_count"],
            )
            for b in snapshot["boards"]
        ],
    ]


class LiveClient:
    """A python-socketio client that keeps a replica: sync on connect, events in order,
    resync on a gap or behind the server's `head`. This is what a phone or the projector does."""

    replica_class: type[Replica] = Replica

    def __init__(
        self,
        url: str,
        auth: dict[str, Any],
        transports: list[str] | None = None,
        sio: socketio.Client | None = None,
    ) -> None:
        self.url = url
        self.auth = auth
        self.transports = transports or ["websocket"]
        self.sio = sio or socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
        self.replica: Replica | None = None
        self.received: list[dict[str, Any]] = []
        self.resyncs = 0  # gaps that did not close within GAP_GRACE and started a sync
        self.head_syncs = 0  # heads that found the replica behind and started a sync
        self.server: str | None = None  # the server process of the last sync's answer
        self.syncs: list[int | None] = []  # the `since` of every sync sent (None: a snapshot)
        self.lock = threading.RLock()  # held while the replica changes
        self._pending: list[dict[str, Any]] = []
        self._gap_synced_at: int | None = None
        self.sio.on("event", self._on_event)
        self.sio.on("events", self._on_events)
        self.sio.on("head", self._on_head)
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", lambda reason="", *_: close_dead_websocket(self.sio, reason))

    def connect(self) -> LiveClient:
        self.sio.connect(self.url, auth=self.auth, transports=self.transports, wait_timeout=10)
        self.sync()
        return self

    def _on_connect(self) -> None:
        if self.replica is not None:  # a reconnect: catch up in the background
            self.sio.start_background_task(self._sync_in_background)

    def _on_events(self, messages: list[dict[str, Any]]) -> None:
        """A burst gathered by the server's broadcast window: its events, in sequence order."""
        for message in messages:
            self._on_event(message)

    def _on_event(self, message: dict[str, Any]) -> None:
        with self.lock:
            self.received.append(message)
            if self.replica is None:
                self._pending.append(message)
                return
            if message["seq"] > self.replica.seq + 1:
                # An event from another server process may still overtake it (connection.js).
                self._pending.append(message)
                self.sio.start_background_task(self._close_gap, self.replica.seq)
                return
            self.replica.apply(message)
            self._apply_pending()

    def _apply_pending(self) -> None:
        """Apply the pending events that are next in line (the caller holds the lock)."""
        assert self.replica is not None
        self._pending.sort(key=lambda m: m["seq"])
        while self._pending and self._pending[0]["seq"] <= self.replica.seq + 1:
            self.replica.apply(self._pending.pop(0))

    def _close_gap(self, seq: int) -> None:
        """After the grace, sync if the replica still waits at `seq` for a missing event (once
        per such wait, however many events arrived beyond the gap)."""
        time.sleep(GAP_GRACE)
        with self.lock:
            still_open = self.replica is not None and self.replica.seq == seq and self._pending
            if not still_open or self._gap_synced_at == seq:
                return
            self._gap_synced_at = seq
            self.resyncs += 1
        self._sync_in_background()

    def _on_head(self, message: dict[str, Any]) -> None:
        self.sio.start_background_task(self._catch_up_to, message["seq"])

    def _catch_up_to(self, seq: int) -> None:
        time.sleep(HEAD_GRACE)
        with self.lock:
            if self.replica is None or self.replica.seq >= seq:
                return
            self.head_syncs += 1
        self._sync_in_background()

    def _sync_in_background(self) -> None:
        with contextlib.suppress(ConnectionLost):  # dropped again: the next connect syncs
            self.sync()

    def sync(self) -> None:
        since = self.replica.seq if self.replica else None
        self.syncs.append(since)
        reply = self.call("sync", {} if since is None else {"since": since})
        assert reply["ok"], reply
        with self.lock:
            self.server = reply["data"].get("server")
            if "snapshot" in reply["data"]:
                self.replica = self.replica_class(reply["data"]["snapshot"])
            else:
                assert self.replica is not None
                for message in reply["data"]["events"]:
                    self.replica.apply(message)
            self._apply_pending()
            self._pending = [m for m in self._pending if m["seq"] > self.replica.seq]

    def call(self, event: str, payload: dict[str, Any], timeout: float = 15) -> dict[str, Any]:
        return call(self.sio, event, payload, timeout)

    def wait_for_seq(self, seq: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.replica is not None and self.replica.seq >= seq:
                    return
            time.sleep(0.02)
        raise AssertionError(
            f"replica stuck at seq {self.replica.seq if self.replica else None}, wanted {seq}"
        )

    def close(self) -> None:
        """Disconnect, and stop reconnecting if the connection was lost (a reconnecting client
        would otherwise outlive the test)."""
        self.sio.shutdown()
