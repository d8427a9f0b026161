"""The convergence property as a Hypothesis state machine (tests/test_convergence.py runs it).

Five clients (the moderator and four participants) and a read-only projector work on one
workshop through the real Socket.IO adapter and a real database: they post, edit, move and
delete cards, change clusters and board settings, drop off the network and come back, lose
acks and send things twice. Every client keeps a replica (tests/replica.py) that it changes only
from the server's `event` messages and `sync` answers, the way every screen does. After every
step:

- every client that is connected and has received what was sent to it holds exactly the
  server's state (read from the database), at the server's `seq`;
- every acknowledged card is on the server exactly once (in the database and in the state),
  unless an acknowledged delete removed it; no card is there that nobody sent;
- the server's `seq` moved only by acknowledged changes, one per change.

How a client is connected is a `Link`: in-process through Flask-SocketIO's test client
(`LocalLink`), or a python-socketio client over a real socket to a real server (`LiveLink`).
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import socketio
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import bindparam, func, select

from pinboard.database import Database
from pinboard.models import Board, Card, Cluster, DoneSignal, Workshop
from tests.replica import Gap, Replica, shape_of

PARTICIPANTS = ("anna", "ben", "cem", "dora")
WRITERS = ("moderator", *PARTICIPANTS)
OBSERVERS = (*WRITERS, "projector")
COLORS = ("yellow", "orange", "pink", "green", "blue", "white")
LIST_STYLES = ("bullet", "number", "letter")
BOARD_FLAGS = ("participants_can_move", "participants_choose_cluster", "participants_choose_color")
TEXTS = (
    "Augenhöhe herstellen",
    "  Leitsätze\nerstellen  ",
    "<b>fett</b> & 'Anführungszeichen' \"zitiert\"",
    "Netzwerke 🤝 pflegen",
    "ß" * 500,
)
# The failures a well-formed request may meet on a board others change at the same time.
REFUSALS = {"forbidden", "locked", "not_found"}

CLUSTER_CHANGES = ("create", "rename", "style", "headline", "move", "delete")
# Unlocking comes up twice as often as locking: boards are mostly open, as in a workshop.
BOARD_CHANGES = (*BOARD_FLAGS, "lock", "unlock", "unlock", "move", "activate")
NETWORK = ("drop", "drop", "lag_in_order", "lag_reversed", "lag_twice", "lag_lossy")
NAMES = ("Rahmenbedingungen", "Spannungsfelder 🤝", "<i>Grundhaltung</i> & mehr")
HEADLINES = ("", "Überschrift", "<b>fett</b>")
# Few choices per step: Hypothesis ends a run early once its choices pass ~6.5 kB (an integer
# below 128 takes 2 bytes).
picks = st.integers(min_value=0, max_value=127)


def card_content(style: int) -> dict[str, Any]:
    """A card's text and, one time in four, a colour (participants may choose one only where
    the board lets them)."""
    content: dict[str, Any] = {"text": TEXTS[style % len(TEXTS)]}
    if style % 4 == 3:
        content["color"] = COLORS[style // 4 % len(COLORS)]
    return content


class Link(Protocol):
    """One connection of one client to the server."""

    def call(self, event: str, payload: dict[str, Any]) -> dict[str, Any]: ...

    last_ack: dict[str, Any] | None

    def send_and_drop(self, event: str, payload: dict[str, Any]) -> None:
        """Send, then lose the connection before the client reads the ack (kept in last_ack:
        what the server answered, which the client never learns)."""

    def take(self, seq: int) -> list[dict[str, Any]]:
        """The `event` messages received since last asked, once everything up to `seq` is in."""

    def close(self) -> None: ...


class Server(Protocol):
    """The server under test: opens links, and is read directly from its database."""

    db: Database
    workshop_id: str

    def open(self, auth: dict[str, Any]) -> Link: ...


@dataclass
class Room:
    """A new workshop for one example: its server, everyone's credentials (`auth` objects for
    OBSERVERS) and the participants' ids."""

    server: Server
    auths: dict[str, dict[str, Any]]
    participant_ids: dict[str, int]


# ---- the server's state, read from the database -------------------------------------------


@dataclass
class ServerState:
    seq: int
    shape: list[Any]
    cards: dict[str, tuple[int, bool]]  # client_id -> (card id, deleted)


# The settings as shape_of lists them (sorted by name), and the queries that read the state.
SETTING_NAMES = sorted(
    ("hidden", "locked", "numbered_clusters", "participants_can_move")
    + ("participants_choose_cluster", "participants_choose_color")
)
_workshop = bindparam("workshop")
STATE_QUERIES = (
    select(Workshop.last_seq, Workshop.active_board_id).where(Workshop.id == _workshop),
    select(Board.id, Board.title, *(getattr(Board, name) for name in SETTING_NAMES))
    .where(Board.workshop_id == _workshop)
    .order_by(Board.position, Board.id),
    select(Cluster.id, Cluster.board_id, Cluster.name, Cluster.list_style, Cluster.headline)
    .join(Board, Cluster.board_id == Board.id)
    .where(Board.workshop_id == _workshop, Cluster.deleted_at.is_(None))
    .order_by(Cluster.position, Cluster.id),
    select(Card.id, Card.text, Card.color, Card.board_id, Card.cluster_id, Card.hidden)
    .add_columns(Card.client_id, Card.deleted_at)
    .where(Card.workshop_id == _workshop)
    .order_by(Card.position, Card.id),
    select(DoneSignal.board_id, func.count())
    .join(Board, DoneSignal.board_id == Board.id)
    .where(Board.workshop_id == _workshop)
    .group_by(DoneSignal.board_id),
)


def read_state(db: Database, workshop_id: str) -> ServerState:
    """The server's state in the form of tests.replica.shape_of, straight from the rows in one
    transaction (much cheaper than a snapshot, which teardown() compares it with)."""
    with db.engine.begin() as connection:
        workshop, boards, clusters, cards, done = (
            connection.execute(query, {"workshop": workshop_id}).all() for query in STATE_QUERIES
        )
    containers: dict[tuple[int, int | None], list[tuple[Any, ...]]] = {}
    for card in cards:
        if card.deleted_at is None:
            containers.setdefault((card.board_id, card.cluster_id), []).append(tuple(card[:6]))
    done_counts = dict(done)
    shape = [
        workshop[0].active_board_id,
        [
            (
                board[0],
                board[1],
                list(zip(SETTING_NAMES, board[2:], strict=True)),
                [
                    (c.id, c.name, c.list_style, c.headline, containers.get((board[0], c.id), []))
                    for c in clusters
                    if c.board_id == board[0]
                ],
                containers.get((board[0], None), []),
                done_counts.get(board[0], 0),
            )
            for board in boards
        ],
    ]
    by_client_id = {card.client_id: (card.id, card.deleted_at is not None) for card in cards}
    assert len(by_client_id) == len(cards), "two cards share a client_id"
    return ServerState(workshop[0].last_seq, shape, by_client_id)


# ---- links -------------------------------------------------------------------------------


class LocalLink:
    """Flask-SocketIO's test client: a call runs the server's handler in this thread, and what
    the server broadcasts lands in the client's queue at once."""

    def __init__(self, socketio_server: Any, app: Any, auth: dict[str, Any]) -> None:
        self.client = socketio_server.test_client(app, auth=auth)
        assert self.client.is_connected(), "the connection was refused"
        self.last_ack: dict[str, Any] | None = None

    def call(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        ack = self.client.emit(event, payload, callback=True)
        assert isinstance(ack, dict), ack
        return ack  # type: ignore[no-any-return]

    def send_and_drop(self, event: str, payload: dict[str, Any]) -> None:
        self.last_ack = self.call(event, payload)  # the server acked; the client never hears it
        self.close()

    def take(self, seq: int) -> list[dict[str, Any]]:
        queue, self.client.queue = self.client.queue, []
        # Besides events the moderator hears of its undo and redo buttons (`history`), which
        # carry no state of the board.
        events = [m for m in queue if m["name"] != "history"]
        assert all(m["name"] == "event" and len(m["args"]) == 1 for m in events), events
        return [m["args"][0] for m in events]

    def close(self) -> None:
        if self.client.is_connected():
            self.client.disconnect()


class LiveLink:
    """A python-socketio client on a real socket to a real server process."""

    def __init__(self, url: str, auth: dict[str, Any]) -> None:
        self.sio = socketio.Client(reconnection=False)
        self.received: list[dict[str, Any]] = []
        self.top = 0
        self.arrived = threading.Condition()
        self.sio.on("event", self._on_event)
        self.sio.on("events", lambda messages: [self._on_event(message) for message in messages])
        self.sio.connect(url, auth=auth, transports=["websocket"], wait_timeout=10)
        self.last_ack: dict[str, Any] | None = None

    def _on_event(self, message: dict[str, Any]) -> None:
        with self.arrived:
            self.received.append(message)
            self.top = max(self.top, message["seq"])
            self.arrived.notify_all()

    def call(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.sio.call(event, payload, timeout=15)  # type: ignore[no-any-return]

    def send_and_drop(self, event: str, payload: dict[str, Any]) -> None:
        self.last_ack = self.call(event, payload)  # the server acked; the client never hears it
        self.close()

    def take(self, seq: int) -> list[dict[str, Any]]:
        with self.arrived:
            assert self.arrived.wait_for(lambda: self.top >= seq, timeout=10), (
                f"events up to {seq} did not arrive (got up to {self.top})"
            )
            received, self.received = self.received, []
        return received

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


# ---- a client ------------------------------------------------------------------------------


@dataclass
class Entry:
    """An outbox entry: a change a participant made that must reach the server exactly once."""

    event: str
    payload: dict[str, Any]
    sent: bool = False  # sent at least once (the server may have applied it)


@dataclass
class Peer:
    """One screen: its credential, its link (None while offline), its replica, its outbox."""

    name: str
    auth: dict[str, Any]
    participant_id: int | None = None
    link: Link | None = None
    replica: Replica | None = None
    outbox: list[Entry] = field(default_factory=list)
    offline_for: int = 0  # steps until it is back online
    lag: int = 0  # steps its events stay in the network before they arrive
    delivery: str = "in_order"  # how they arrive then
    held: list[dict[str, Any]] = field(default_factory=list)
    posted: dict[str, dict[str, Any]] = field(default_factory=dict)  # client_id -> card:create payload
    snapshots: int = 0
    resyncs: int = 0

    @property
    def online(self) -> bool:
        return self.link is not None

    @property
    def settled(self) -> bool:
        """Online and nothing held back in the network: must equal the server."""
        return self.online and self.lag == 0 and not self.held

    def sync(self) -> None:
        assert self.link is not None and self.replica is not None
        since = self.replica.seq
        ack = self.link.call("sync", {"since": since})
        assert ack["ok"] is True, ack
        if "snapshot" in ack["data"]:
            self.snapshots += 1
            self.replica.load(ack["data"]["snapshot"])
        else:
            messages = ack["data"]["events"]
            assert [m["seq"] for m in messages] == list(range(since + 1, ack["seq"] + 1)), ack
            for message in messages:
                self.replica.apply(message)
        assert self.replica.seq == ack["seq"]

    def receive(self, messages: list[dict[str, Any]]) -> None:
        """Apply events as connection.js does: in order, duplicates ignored, sync on a gap."""
        assert self.replica is not None
        for message in messages:
            try:
                self.replica.apply(message)
            except Gap:
                self.resyncs += 1
                self.sync()


def arrival(messages: list[dict[str, Any]], delivery: str) -> list[dict[str, Any]]:
    """How held-back events arrive: in order, newest first, each twice, or only the last."""
    if delivery == "reversed":
        return messages[::-1]
    if delivery == "twice":
        return [m for message in messages for m in (message, message)]
    if delivery == "lossy":
        return messages[-1:]
    return messages


# ---- the state machine ---------------------------------------------------------------------


@dataclass
class Tally:
    """What the runs did, for the test's report."""

    examples: int = 0
    steps: int = 0
    calls: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    reconnects: int = 0
    resends: int = 0
    resyncs: int = 0
    snapshots: int = 0
    cards: int = 0


class Convergence(RuleBasedStateMachine):
    """Drives one workshop, which `setup` makes anew for every example."""

    def __init__(self, setup: Callable[[], Room], tally: Tally) -> None:
        super().__init__()
        room = setup()
        self.server, self.tally = room.server, tally
        tally.examples += 1
        self.peers = {
            name: Peer(name, room.auths[name], room.participant_ids.get(name)) for name in OBSERVERS
        }
        moderator = self.peers["moderator"]
        moderator.link = self.server.open(moderator.auth)
        ack = moderator.link.call("sync", {})
        assert ack["ok"] is True, ack
        self.seq = ack["seq"]
        for peer in self.peers.values():
            # The same start for everyone (no hidden cards yet), then each one's own sync.
            peer.replica = Replica(ack["data"]["snapshot"])
            if peer.link is None:
                self.connect(peer, first=True)
        self.touched = True  # something happened that the invariant must look at
        self.acked: dict[str, int] = {}  # client_id -> card id
        self.deleted: set[int] = set()  # card ids an acknowledged delete removed
        self.refused: set[str] = set()  # client_ids of creates that the server refused for good

    # ---- plumbing ------------------------------------------------------------------------

    def connect(self, peer: Peer, first: bool = False) -> None:
        peer.link = self.server.open(peer.auth)
        self.tally.reconnects += not first
        peer.sync()
        peer.lag, peer.held = 0, []
        self.flush(peer)
        self.touched = True

    def call(self, peer: Peer, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        assert peer.link is not None
        ack = peer.link.call(event, payload)
        self.tally.calls[event] += 1
        self.touched = True
        self.note(event, payload, ack)
        return ack

    def note(self, event: str, payload: dict[str, Any], ack: dict[str, Any]) -> None:
        """Check an ack against what the server may answer, and remember what it says."""
        if not ack["ok"]:
            code = ack["error"]["code"]
            assert code in REFUSALS, (event, payload, ack)
            self.tally.refused[code] += 1
            return
        if ack["seq"] is not None:  # one event per change, and nothing in between
            assert ack["seq"] == self.seq + 1, (event, payload, ack, self.seq)
            self.seq = ack["seq"]
        if event == "card:create":
            client_id = payload["client_id"]
            assert ack["data"]["client_id"] == client_id, ack
            assert self.acked.setdefault(client_id, ack["data"]["id"]) == ack["data"]["id"], ack
        elif event == "card:delete":
            self.deleted.add(payload["card_id"])

    def send(self, peer: Peer, event: str, payload: dict[str, Any], lose_ack: bool) -> None:
        """A participant's change: through the outbox (connection.js `send`), so that it reaches
        the server once even when the ack is lost or the phone is offline."""
        entry = Entry(event, payload)
        peer.outbox.append(entry)
        if peer.link is None:
            return
        if lose_ack:
            entry.sent = True
            peer.link.send_and_drop(event, payload)
            self.tally.calls[event] += 1
            self.touched = True
            self.after_lost_ack(peer, entry)
            return
        self.flush(peer)

    def after_lost_ack(self, peer: Peer, entry: Entry) -> None:
        link = peer.link
        assert link is not None
        peer.link, peer.held, peer.lag, peer.offline_for = None, [], 0, 1
        assert link.last_ack is not None
        self.note(entry.event, entry.payload, link.last_ack)  # what the server did; the client
        # does not know it and sends the entry again when it is back

    def flush(self, peer: Peer) -> None:
        """Send the outbox in order, as connection.js does after (re)connecting."""
        for entry in list(peer.outbox):
            if peer.link is None:
                return
            ack = self.call(peer, entry.event, entry.payload)
            if entry.sent:
                self.tally.resends += 1
            entry.sent = True
            peer.outbox.remove(entry)
            if not ack["ok"] and entry.event == "card:create":
                self.refused.add(entry.payload["client_id"])

    def deliver(self, state: ServerState) -> None:
        """Hand every connected client what the network brought it since the last step."""
        for peer in self.peers.values():
            if peer.link is None:
                continue
            assert peer.replica is not None
            peer.held += peer.link.take(state.seq if peer.replica.seq < state.seq else 0)
            if peer.lag > 0:
                peer.lag -= 1
                continue
            held, peer.held = peer.held, []
            peer.receive(arrival(held, peer.delivery))
            peer.delivery = "in_order"

    # ---- choosing targets from what the client sees --------------------------------------
    # Picks are small integers (Hypothesis shrinks them towards 0): the first board, unsorted,
    # the first card, the end of the list.

    def board(self, peer: Peer, pick: int) -> dict[str, Any]:
        assert peer.replica is not None
        return peer.replica.boards[pick % len(peer.replica.boards)]

    def cluster(self, board: dict[str, Any], pick: int) -> int | None:
        """Even: the unsorted area; odd: one of the board's clusters."""
        if pick % 2 == 0 or not board["clusters"]:
            return None
        return board["clusters"][pick // 2 % len(board["clusters"])]["id"]  # type: ignore[no-any-return]

    def card(self, peer: Peer, pick: int, own: bool) -> int | None:
        """A card the client sees (its own ones, if `own`), or now and then one already deleted."""
        assert peer.replica is not None
        if pick % 16 == 15 and self.deleted:
            return sorted(self.deleted)[pick % len(self.deleted)]
        cards = peer.replica.cards()
        if own:
            cards = [c for c in cards if c["author_id"] == peer.participant_id]
        return cards[pick % len(cards)]["id"] if cards else None

    def writer(self, who: str) -> Peer | None:
        """The client, if it can act: participants also offline (their outbox), others online."""
        peer = self.peers[who]
        return peer if peer.online or who in PARTICIPANTS else None

    def change(self, peer: Peer, event: str, payload: dict[str, Any], lose_ack: bool) -> None:
        """Participants' cards go through the outbox; the moderator calls (console.js)."""
        if peer.name in PARTICIPANTS:
            self.send(peer, event, payload, lose_ack)
            return
        self.call(peer, event, payload)

    # ---- rules: cards (5 of the 8 rules, so that most steps change cards) ----------------

    @rule(who=st.sampled_from(WRITERS), board=picks, cluster=picks, style=picks, lose_ack=st.booleans())
    def create_card(self, who: str, board: int, cluster: int, style: int, lose_ack: bool) -> None:
        peer = self.writer(who)
        if peer is None:
            return
        target = self.board(peer, board)
        payload: dict[str, Any] = {
            "client_id": uuid.uuid4().hex,
            "board_id": target["id"],
            "cluster_id": self.cluster(target, cluster),
            **card_content(style),
        }
        peer.posted[payload["client_id"]] = payload
        self.change(peer, "card:create", payload, lose_ack)

    @rule(who=st.sampled_from(WRITERS), pick=picks)
    def resend_a_posted_card(self, who: str, pick: int) -> None:
        """A duplicated resend: the same card:create again. The same card, no new event."""
        peer = self.peers[who]
        mine = [client_id for client_id in peer.posted if client_id in self.acked]
        if peer.link is None or not mine:
            return
        client_id = mine[pick % len(mine)]
        ack = self.call(peer, "card:create", peer.posted[client_id])
        self.tally.resends += 1
        assert ack["ok"] is True and ack["seq"] is None, ack
        assert ack["data"]["id"] == self.acked[client_id], ack

    @rule(who=st.sampled_from(WRITERS), pick=picks, own=st.booleans(), style=picks, lose_ack=st.booleans())
    def edit_card(self, who: str, pick: int, own: bool, style: int, lose_ack: bool) -> None:
        peer = self.writer(who)
        card_id = None if peer is None else self.card(peer, pick, own and who != "moderator")
        if peer is not None and card_id is not None:
            self.change(peer, "card:update", {"card_id": card_id, **card_content(style)}, lose_ack)

    @rule(who=st.sampled_from(WRITERS), pick=picks, to=picks, index=st.integers(min_value=0, max_value=15))
    def move_card(self, who: str, pick: int, to: int, index: int) -> None:
        """To a cluster or the unsorted area (`to // 4`) of the card's board (`to % 4 == 0`) or
        of any board, at an index (12 and more: none, the end). Participants move cards online
        only (board.js calls)."""
        peer = self.peers[who]
        card_id = self.card(peer, pick, own=False) if peer.online else None
        if card_id is None:
            return
        assert peer.replica is not None
        payload: dict[str, Any] = {"card_id": card_id}
        current = next((c for c in peer.replica.cards() if c["id"] == card_id), None)
        if to % 4 == 0 and current is not None:
            target = peer.replica.board(current["board_id"])
        else:
            target = self.board(peer, to % 4)
            payload["board_id"] = target["id"]
        payload["cluster_id"] = self.cluster(target, to // 4)
        if index < 12:
            payload["index"] = index
        self.call(peer, "card:move", payload)

    @rule(who=st.sampled_from(WRITERS), pick=picks, own=st.booleans(), lose_ack=st.booleans())
    def delete_card(self, who: str, pick: int, own: bool, lose_ack: bool) -> None:
        peer = self.writer(who)
        card_id = None if peer is None else self.card(peer, pick, own and who != "moderator")
        if peer is not None and card_id is not None:
            self.change(peer, "card:delete", {"card_id": card_id}, lose_ack)

    # ---- rules: clusters and boards (the moderator) --------------------------------------

    @rule(kind=st.sampled_from(CLUSTER_CHANGES), board=picks, cluster=picks, value=picks)
    def change_cluster(self, kind: str, board: int, cluster: int, value: int) -> None:
        """Add, rename, restyle, give a headline, move or delete a cluster."""
        peer = self.peers["moderator"]
        if not peer.online:
            return
        target = self.board(peer, board)
        if kind == "create":
            created = {"board_id": target["id"], "name": f"Cluster {value}", "index": value % 8}
            self.call(peer, "cluster:create", created)
            return
        cluster_id = self.cluster(target, 2 * cluster + 1)
        if cluster_id is None:
            return
        payload: dict[str, Any] = {
            "rename": {"name": NAMES[value % len(NAMES)]},
            "style": {"list_style": LIST_STYLES[value % len(LIST_STYLES)]},
            "headline": {"headline": HEADLINES[value % len(HEADLINES)]},
            "move": {"index": value % 8},
            "delete": {},
        }[kind]
        event = {"move": "cluster:move", "delete": "cluster:delete"}.get(kind, "cluster:update")
        self.call(peer, event, {"cluster_id": cluster_id, **payload})

    @rule(kind=st.sampled_from(BOARD_CHANGES), board=picks, value=st.booleans())
    def change_board(self, kind: str, board: int, value: bool) -> None:
        """Switch a board's setting, lock or unlock it, move it to the front or back, or make it
        the active one."""
        peer = self.peers["moderator"]
        if not peer.online:
            return
        board_id = self.board(peer, board)["id"]
        if kind == "move":
            self.call(peer, "board:move", {"board_id": board_id, "index": 0 if value else 9})
        elif kind == "activate":
            self.call(peer, "board:activate", {"board_id": board_id})
        elif kind in ("lock", "unlock"):
            self.call(peer, "board:update", {"board_id": board_id, "locked": kind == "lock"})
        else:
            self.call(peer, "board:update", {"board_id": board_id, kind: value})

    # ---- rules: the network --------------------------------------------------------------

    @rule(who=st.sampled_from(OBSERVERS), kind=st.sampled_from(NETWORK), steps=st.integers(1, 32))
    def network(self, who: str, kind: str, steps: int) -> None:
        """`drop`: the client is off the network for some steps, and loses whatever was on its
        way to it; then it comes back: `sync {since}` (a snapshot when more than
        SYNC_MAX_EVENTS happened), then its outbox. `lag_*`: its events are held back for some
        steps, then arrive in order, newest first, each twice, or all but the last lost; it
        applies what it can and syncs on the gap. Meanwhile it acts on what it has seen."""
        peer = self.peers[who]
        if not peer.online:
            return
        if kind == "drop":
            self.drop(peer, steps)
        else:
            peer.lag, peer.delivery = steps // 4 + 1, kind.removeprefix("lag_")

    def drop(self, peer: Peer, steps: int) -> None:
        assert peer.link is not None
        peer.link.close()
        peer.link, peer.held, peer.lag, peer.offline_for = None, [], 0, steps
        self.touched = True

    def tick(self) -> None:
        """A step has passed: clients whose time off the network is over come back."""
        for peer in self.peers.values():
            if peer.link is None:
                peer.offline_for -= 1
                if peer.offline_for <= 0:
                    self.connect(peer)

    # ---- the property --------------------------------------------------------------------

    @invariant()
    def every_settled_replica_equals_the_server(self) -> None:
        """After a step in which nothing reached the server or the network (e.g. a rule that
        found no card to edit), the last check still holds: nothing to read again."""
        self.tally.steps += 1
        self.tick()
        if self.touched:
            self.check()

    def check(self, settled: bool = False) -> ServerState:
        state = read_state(self.server.db, self.server.workshop_id)
        assert state.seq == self.seq, f"the server's seq is {state.seq}, the acks said {self.seq}"
        self.deliver(state)
        for peer in self.peers.values():
            assert peer.replica is not None
            assert peer.replica.seq <= state.seq, peer.name
            if peer.settled:
                assert peer.replica.seq == state.seq, (peer.name, peer.replica.seq, state.seq)
                assert peer.replica.shape() == state.shape, f"{peer.name}'s replica differs from the server"
        self.check_cards(state, settled)
        self.touched = False
        return state

    def check_cards(self, state: ServerState, settled: bool = False) -> None:
        """Every acknowledged card is on the server once, unless an acknowledged delete removed
        it; every card on the server was sent by someone."""
        pending = {
            e.payload["client_id"] for p in self.peers.values() for e in p.outbox if e.event == "card:create"
        }
        sent = set(self.acked) | pending
        assert set(state.cards) <= sent, f"cards nobody sent: {set(state.cards) - sent}"
        assert not set(state.cards) & self.refused, "a refused card is on the server"
        if settled:
            assert set(state.cards) == set(self.acked)
        live = Counter(card[0] for board in state.shape[1] for card in _board_cards(board))
        assert all(count == 1 for count in live.values()), f"doubled: {live.most_common(1)}"
        for client_id, card_id in self.acked.items():
            assert client_id in state.cards, f"acknowledged card {card_id} is not in the database"
            assert state.cards[client_id][0] == card_id, client_id
            deleted = state.cards[client_id][1]
            if card_id in self.deleted:
                assert deleted, f"card {card_id} was deleted with an ack but is still there"
            else:
                assert not deleted and live[card_id] == 1, f"acknowledged card {card_id} is missing"

    def teardown(self) -> None:
        """Everyone comes back online and catches up; then replicas, the state read from the
        database and each role's own snapshot must all agree."""
        try:
            for peer in self.peers.values():
                peer.lag = 0
                if peer.link is None:
                    self.connect(peer)
            state = self.check(settled=True)
            # Each role's own snapshot (one participant per example, in turn) says the same.
            participant = PARTICIPANTS[self.tally.examples % len(PARTICIPANTS)]
            for name in ("moderator", "projector", participant):
                peer = self.peers[name]
                assert peer.link is not None and peer.replica is not None
                ack = peer.link.call("sync", {})
                assert shape_of(ack["data"]["snapshot"]) == state.shape == peer.replica.shape(), name
                assert ack["data"]["snapshot"]["you"]["participant_id"] == peer.participant_id
            for peer in self.peers.values():
                self.tally.resyncs += peer.resyncs
                self.tally.snapshots += peer.snapshots
            self.tally.cards += len(self.acked)
        finally:
            for peer in self.peers.values():
                if peer.link is not None:
                    peer.link.close()


def _board_cards(board: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    return [card for cluster in board[3] for card in cluster[4]] + list(board[4])
