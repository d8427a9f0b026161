"""The Socket.IO adapter: authenticate on connect; per event validate, run the domain
operation in a write transaction, broadcast its events after the commit, then ack.

Every connection joins its workshop's room `w:<id>`, and one of `w:<id>:mod` (the moderator)
or `w:<id>:others` (participants, assistants and the projector); a participant's connections
also join `w:<id>:p:<participant_id>`, an assistant's `w:<id>:assistants`. An event that carries
a hidden card goes whole to `:mod` and to the room of whoever else may read the card (its
author's), then as a placeholder to `:others`, with the same seq (pinboard/visibility.py): the
author's connections drop the placeholder as a duplicate. Every other event goes to `w:<id>`.
Rooms span processes (they go through the message queue), so all of an author's phones and tabs
get the whole card wherever they are connected.

The queue (Redis publish/subscribe) drops what is published while Redis or a process's listener
is away. So every process tells its own connections, every `head_interval_ms`, the last seq of
their workshop (`head {seq}`, sent locally, not through the queue); a client that is behind
catches up with `sync`, as after any gap (docs/protocol.md)."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, request
from flask_socketio import SocketIO, join_room
from marshmallow import Schema, ValidationError

from . import (
    boards,
    card_query,
    cards,
    clusters,
    focus,
    history,
    method_schemas,
    schemas,
    stacks,
    timers,
    visibility,
    voting,
    workshops,
)
from .actors import Actor
from .coalescing import Coalescer
from .config import Settings
from .database import Database
from .errors import DomainError, Invalid, RateLimited, TooLarge, Unauthorized
from .event_log import Outcome, event_message, events_since
from .models import Event
from .ratelimit import Limiter, Strikes
from .snapshots import build_snapshot, participant_count

log = logging.getLogger("pinboard.realtime")
PRESENCE_INTERVAL = 1.0
DROP_PAUSE = 0.01  # seconds


@dataclass(frozen=True)
class Operation:
    schema: Schema
    run: Callable[..., Outcome]


OPERATIONS: dict[str, Operation] = {
    "card:create": Operation(schemas.CardCreate(), cards.create_card),
    "card:update": Operation(schemas.CardUpdate(), cards.update_card),
    "card:move": Operation(schemas.CardMove(), cards.move_card),
    "card:delete": Operation(schemas.CardDelete(), cards.delete_card),
    "cluster:create": Operation(schemas.ClusterCreate(), clusters.create_cluster),
    "cluster:update": Operation(schemas.ClusterUpdate(), clusters.update_cluster),
    "cluster:move": Operation(schemas.ClusterMove(), clusters.move_cluster),
    "cluster:delete": Operation(schemas.ClusterDelete(), clusters.delete_cluster),
    "board:create": Operation(schemas.BoardCreate(), boards.create_board),
    "board:update": Operation(schemas.BoardUpdate(), boards.update_board),
    "board:move": Operation(schemas.BoardMove(), boards.move_board),
    "board:activate": Operation(schemas.BoardActivate(), boards.activate_board),
    "workshop:update": Operation(schemas.WorkshopUpdate(), workshops.update_workshop),
    "cards:reveal": Operation(schemas.CardsReveal(), card_query.reveal_cards),
    "participant:done": Operation(schemas.ParticipantDone(), card_query.signal_done),
    # Dot voting and the timer (pinboard/voting.py, pinboard/timers.py).
    "vote:open": Operation(method_schemas.VoteOpen(), voting.open_vote),
    "vote:cast": Operation(method_schemas.VoteCard(), voting.cast_vote),
    "vote:retract": Operation(method_schemas.VoteCard(), voting.retract_vote),
    "vote:close": Operation(method_schemas.BoardOnly(), voting.close_vote),
    "timer:start": Operation(method_schemas.TimerStart(), timers.start_timer),
    "timer:pause": Operation(method_schemas.BoardOnly(), timers.pause_timer),
    "timer:resume": Operation(method_schemas.BoardOnly(), timers.resume_timer),
    "timer:extend": Operation(method_schemas.TimerExtend(), timers.extend_timer),
    "timer:stop": Operation(method_schemas.BoardOnly(), timers.stop_timer),
    # Paper cards' wall dots, stacking, focus and undo (voting.py, stacks.py, focus.py, history.py).
    "vote:record": Operation(method_schemas.WallDotsRecord(), voting.record_wall_dots),
    "card:stack": Operation(method_schemas.CardStack(), stacks.stack_card),
    "card:unstack": Operation(method_schemas.CardUnstack(), stacks.unstack_card),
    "focus:set": Operation(method_schemas.FocusSet(), focus.set_focus),
    "history:undo": Operation(method_schemas.Nothing(), history.undo),
    "history:redo": Operation(method_schemas.Nothing(), history.redo),
}

_sync_request = schemas.SyncRequest()


def message_size(payload: Any) -> int:
    """Bytes of the payload as compact UTF-8 JSON (not its escaped length)."""
    return len(
        json.dumps(payload, default=str, ensure_ascii=False, separators=(",", ":")).encode(
            "utf-8", "surrogatepass"
        )
    )


def workshop_room(workshop_id: str) -> str:
    return f"w:{workshop_id}"


def moderator_room(workshop_id: str) -> str:
    return f"w:{workshop_id}:mod"


def others_room(workshop_id: str) -> str:
    """Participants, assistants and the projector: whoever may not see every hidden card."""
    return f"w:{workshop_id}:others"


def readers_room(actor: Actor) -> str | None:
    """The room of the connections that read the same hidden cards as `actor`, besides the
    moderator: a participant's own (all their phones and tabs), the assistants' together."""
    if actor.is_participant:
        return f"w:{actor.workshop_id}:p:{actor.participant_id}"
    if actor.is_assistant:
        return f"w:{actor.workshop_id}:assistants"
    return None


def ok(data: Any, seq: int | None) -> dict[str, Any]:
    return {"ok": True, "data": data, "seq": seq}


def failed(error: DomainError) -> dict[str, Any]:
    return {"ok": False, "error": error.to_dict()}


class Realtime:
    def __init__(self, socketio: SocketIO, database: Database, settings: Settings, limiter: Limiter) -> None:
        self.socketio = socketio
        self.database = database
        self.settings = settings
        self.limiter = limiter
        self.strikes = Strikes(settings.rate_limit_disconnect_after)
        self.connections: dict[str, Actor] = {}
        self._presence_pending: set[str] = set()
        self.server_id = f"{socket.gethostname()}:{settings.port}"
        self.window: Coalescer[Event] = Coalescer(
            settings.broadcast_window_ms, self._send, socketio.sleep, socketio.start_background_task
        )

    # ---- connection ------------------------------------------------------------------------

    def connect(self, auth: Any) -> None:
        if not isinstance(auth, dict):
            raise ConnectionRefusedError(
                "Send auth = {workshop, token | projector_key | assistant_key | moderator_key}."
            )
        try:
            with self.database.read() as session:
                actor = workshops.authenticate(
                    session,
                    auth.get("workshop"),  # type: ignore[arg-type]
                    moderator_key=auth.get("moderator_key"),
                    projector_key=auth.get("projector_key"),
                    token=auth.get("token"),
                    assistant_key=auth.get("assistant_key"),
                )
        except Unauthorized as error:
            raise ConnectionRefusedError(error.message) from None
        self.connections[request.sid] = actor  # type: ignore[attr-defined]
        join_room(workshop_room(actor.workshop_id))
        join_room(moderator_room(actor.workshop_id) if actor.is_moderator else others_room(actor.workshop_id))
        own = readers_room(actor)
        if own is not None:
            join_room(own)

    def disconnect(self, *_: Any) -> None:
        self.connections.pop(request.sid, None)  # type: ignore[attr-defined]
        self.strikes.clear(request.sid)  # type: ignore[attr-defined]

    # ---- events ----------------------------------------------------------------------------

    def handle(self, name: str, payload: Any) -> dict[str, Any]:
        # Let the other connections' events go first: with an async library a connection that
        # sends without pause would otherwise keep the server to itself until its limit cuts in.
        self.socketio.sleep(0)
        try:
            actor = self._admit(payload)
            if name == "sync":
                return self._sync(actor, payload)
            return self._run(OPERATIONS[name], actor, payload)
        except DomainError as error:
            return failed(error)
        except Exception:
            log.exception("unexpected error in %s", name)
            return {
                "ok": False,
                "error": {"code": "internal", "message": "The server could not process this request."},
            }

    def _admit(self, payload: Any) -> Actor:
        actor = self.connections.get(request.sid)  # type: ignore[attr-defined]
        if actor is None:
            raise Unauthorized("This connection is not authenticated.")
        sid: str = request.sid  # type: ignore[attr-defined]
        if not actor.is_moderator and not self.limiter.allow(f"{actor.workshop_id}/{actor.label}"):
            if self.strikes.strike(sid):
                self._drop(sid, actor)
            raise RateLimited("Too many requests; please wait a moment.")
        self.strikes.clear(sid)
        if payload is not None and message_size(payload) > self.settings.max_message_bytes:
            raise TooLarge(f"Messages may be at most {self.settings.max_message_bytes} bytes.")
        return actor

    def _drop(self, sid: str, actor: Actor) -> None:
        """Close a connection that kept sending into its rate limit, at once: Socket.IO's
        disconnect (so that clients do not reconnect by themselves), then, for a WebSocket, the
        transport, so that the server stops reading what the client has queued instead of working
        through it (the short pause lets the transport's writer close the socket). Long-polling
        needs no more: a request carries at most 16 messages."""
        log.warning("closing a flooding connection of %s in workshop %s", actor.label, actor.workshop_id)
        server = self.socketio.server
        eio_sid = server.manager.eio_sid_from_sid(sid, "/")
        server.disconnect(sid)
        if (
            eio_sid is not None
            and eio_sid in server.eio.sockets
            and server.eio.transport(eio_sid) == "websocket"
        ):
            server.eio.disconnect(eio_sid)
            self.socketio.sleep(DROP_PAUSE)

    @staticmethod
    def _validate(schema: Schema, payload: Any) -> dict[str, Any]:
        if payload is None:
            payload = {}
        if not isinstance(payload, dict):
            raise Invalid("The payload must be a JSON object.")
        try:
            return schema.load(payload)  # type: ignore[no-any-return]
        except ValidationError as error:
            raise Invalid("Some fields are not valid.", error.normalized_messages()) from None

    def _run(self, operation: Operation, actor: Actor, payload: Any) -> dict[str, Any]:
        arguments = self._validate(operation.schema, payload)
        undo_state = None
        with self.database.write() as session:
            outcome = operation.run(session, actor, **arguments)
            if actor.is_moderator and outcome.events:
                session.flush()
                undo_state = history.state(session, actor.workshop_id)
        self.broadcast(actor.workshop_id, outcome.events)
        if undo_state is not None:
            # Not an event: only the moderator's undo and redo buttons need it.
            self.socketio.emit("history", undo_state, to=moderator_room(actor.workshop_id))
        return ok(outcome.data, outcome.seq)

    def participant_joined(self, workshop_id: str) -> None:
        """Tell the room how many have joined, at most once per PRESENCE_INTERVAL per workshop:
        during the QR-code storm at the start, one message a second instead of one per phone."""
        if workshop_id in self._presence_pending:
            return
        self._presence_pending.add(workshop_id)
        self.socketio.start_background_task(self._send_presence, workshop_id)

    def _send_presence(self, workshop_id: str) -> None:
        self.socketio.sleep(PRESENCE_INTERVAL)
        self._presence_pending.discard(workshop_id)
        if self.database.closed:  # the app was shut down during the pause (tests do that)
            return
        with self.database.read() as session:
            count = participant_count(session, workshop_id)
        self.socketio.emit("presence", {"participant_count": count}, to=workshop_room(workshop_id))

    def send_heads(self) -> None:
        """`head {seq}` to each workshop room with connections in this process: one query for
        all of them, emitted to this process's clients only (ignore_queue)."""
        workshop_ids = {actor.workshop_id for actor in list(self.connections.values())}
        if not workshop_ids or self.database.closed:
            return
        with self.database.read() as session:
            heads = workshops.last_seqs(session, workshop_ids)
        for workshop_id, seq in heads.items():
            self.socketio.emit("head", {"seq": seq}, to=workshop_room(workshop_id), ignore_queue=True)

    def watch_heads(self) -> None:
        """The background task behind send_heads."""
        interval = self.settings.head_interval_ms / 1000
        while not self.database.closed:
            self.socketio.sleep(interval)
            try:
                self.send_heads()
            except Exception:
                log.exception("could not send the heads")

    def broadcast(self, workshop_id: str, events: list[Event]) -> None:
        """Send the events of a committed change, at once or with the others of the workshop's
        broadcast window (pinboard/coalescing.py)."""
        self.window.add(workshop_id, events)

    def _send(self, workshop_id: str, events: list[Event]) -> None:
        """Events in sequence order. With a window, a run of events for the whole workshop goes
        as one `events` frame (a list); an event carrying a hidden card always goes on its own."""
        run: list[dict[str, Any]] = []
        for event in events:
            if visibility.needs_projection(event.type, event.data):
                self._send_run(workshop_id, run)
                run = []
                self._send_projected(workshop_id, event)
            else:
                run.append(event_message(event))
        self._send_run(workshop_id, run)

    def _send_run(self, workshop_id: str, messages: list[dict[str, Any]]) -> None:
        if len(messages) > 1 and self.settings.broadcast_window_ms > 0:
            self.socketio.emit("events", messages, to=workshop_room(workshop_id))
            return
        for message in messages:
            self.socketio.emit("event", message, to=workshop_room(workshop_id))

    def _send_projected(self, workshop_id: str, event: Event) -> None:
        # Whole to the moderator and the card's author first, then the placeholder to everyone
        # else with the same seq: the author is among the others too and drops it as a duplicate.
        # So the author's phone follows the moderator's edits live.
        message = event_message(event)
        rooms = [moderator_room(workshop_id)]
        reader = visibility.reader(workshop_id, event.data["card"])
        if reader is not None:
            rooms.append(readers_room(reader))  # type: ignore[arg-type]
        self.socketio.emit("event", message, to=rooms)
        public = {**message, "data": visibility.public_event(event.type, event.data)}
        self.socketio.emit("event", public, to=others_room(workshop_id))

    def _sync(self, actor: Actor, payload: Any) -> dict[str, Any]:
        since = self._validate(_sync_request, payload)["since"]
        with self.database.read() as session:
            workshop = workshops.find_open_workshop(session, actor.workshop_id)
            if since is not None and since <= workshop.last_seq:
                events = events_since(session, workshop.id, since, self.settings.sync_max_events)
                if events is not None:
                    messages = [
                        {**event_message(e), "data": visibility.event_for(actor, e.type, e.data)}
                        for e in events
                    ]
                    caught_up: dict[str, Any] = {"events": messages}
                    if actor.is_moderator:  # the undo and redo labels may have changed meanwhile
                        caught_up["history"] = history.state(session, workshop.id)
                    return ok(self._synced(caught_up), workshop.last_seq)
            snapshot = build_snapshot(session, actor)
            return ok(self._synced({"snapshot": snapshot}), snapshot["seq"])

    def _synced(self, data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "server_time": timers.server_time(), "server": self.server_id}


def register(socketio: SocketIO, app: Flask) -> Realtime:
    realtime = Realtime(
        socketio,
        app.extensions["pinboard.db"],
        app.config["PINBOARD"],
        app.extensions["pinboard.rate_limiter"],
    )
    socketio.on_event("connect", realtime.connect)
    socketio.on_event("disconnect", realtime.disconnect)
    for name in [*OPERATIONS, "sync"]:
        socketio.on_event(name, _handler(realtime, name))
    app.extensions["pinboard.realtime"] = realtime
    if not app.testing:  # tests end timers by calling timers.end_due_timers themselves
        _listen_to_the_queue_now(socketio)
        socketio.start_background_task(
            timers.watch_timers, realtime.database, realtime.broadcast, socketio.sleep
        )
        if realtime.settings.head_interval_ms > 0:
            socketio.start_background_task(realtime.watch_heads)
    return realtime


def _listen_to_the_queue_now(socketio: SocketIO) -> None:
    """python-socketio subscribes to the message queue at the first connection; subscribe at
    start instead, so that a process is ready (and can be seen to be: PUBSUB NUMSUB) before
    the proxy sends it clients."""
    server = socketio.server
    if server is not None and not server.manager_initialized:
        server.manager_initialized = True
        server.manager.initialize()


def _handler(realtime: Realtime, name: str) -> Callable[..., dict[str, Any]]:
    def handle(payload: Any = None, *_: Any) -> dict[str, Any]:
        return realtime.handle(name, payload)

    handle.__name__ = f"on_{name.replace(':', '_')}"
    return handle
