"""The persistent data model of a workshop, as typed SQLAlchemy 2.0 mappings.

Every schema change goes through an Alembic migration in pinboard/migrations.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Workshop(Base):
    __tablename__ = "workshops"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    event_name: Mapped[str] = mapped_column(String(200), default="")
    date: Mapped[dt.date | None] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(2), default="de")
    agenda: Mapped[list[Any]] = mapped_column(default=list)
    # Unique among open workshops; a closed workshop gives its code up (join_code = NULL).
    join_code: Mapped[str | None] = mapped_column(String(6), unique=True)
    moderator_key_hash: Mapped[str] = mapped_column(String(64))
    projector_key_hash: Mapped[str] = mapped_column(String(64))
    # NULL until the moderator first asks for the links (workshops made before assistants existed).
    assistant_key_hash: Mapped[str | None] = mapped_column(String(64))
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    active_board_id: Mapped[int | None] = mapped_column(Integer)
    # What the room discusses right now: one card or one cluster, shown large (or neither).
    focus_card_id: Mapped[int | None] = mapped_column(Integer)
    focus_cluster_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_activity_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    boards: Mapped[list[Board]] = relationship(
        back_populates="workshop", order_by="Board.position", cascade="all, delete-orphan"
    )


class Board(Base):
    """A phase of the workshop, with its own clusters and cards."""

    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    participants_can_move: Mapped[bool] = mapped_column(Boolean, default=False)
    participants_choose_cluster: Mapped[bool] = mapped_column(Boolean, default=False)
    numbered_clusters: Mapped[bool] = mapped_column(Boolean, default=False)
    participants_choose_color: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A hidden card query ("verdeckte Kartenabfrage"): new cards are hidden until revealed.
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    workshop: Mapped[Workshop] = relationship(back_populates="boards")
    clusters: Mapped[list[Cluster]] = relationship(
        back_populates="board", order_by="Cluster.position", cascade="all, delete-orphan"
    )


class Cluster(Base):
    __tablename__ = "clusters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    list_style: Mapped[str] = mapped_column(String(10), default="bullet")
    # The cluster's headline card ("Überschriftenkarte"); empty for none.
    headline: Mapped[str] = mapped_column(String(200), default="", server_default="")
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    board: Mapped[Board] = relationship(back_populates="clusters")


class Participant(Base):
    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Card(Base):
    """A card on a board: in a cluster, or unsorted when cluster_id is NULL.

    Deleting a card only marks it (deleted_at), so an undo can bring it back whole.
    """

    __tablename__ = "cards"
    __table_args__ = (
        UniqueConstraint("workshop_id", "client_id", name="uq_cards_workshop_client"),
        Index("ix_cards_board_cluster_position", "board_id", "cluster_id", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("clusters.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    color: Mapped[str] = mapped_column(String(20), default="yellow")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"))
    author_role: Mapped[str] = mapped_column(String(12), default="participant")
    client_id: Mapped[str | None] = mapped_column(String(64))
    # Posted during a hidden card query and not revealed yet: only its author and the
    # moderator see it (pinboard/visibility.py); everyone else gets a placeholder.
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Written on paper in the room and typed in by the moderator or an assistant.
    on_paper: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A duplicate stacked onto another card (its top): it leaves its container and travels with
    # the top; `position` is then its place in the stack. No foreign key: cards are only ever
    # soft-deleted, and SQLite could add one to an existing table only by copying it.
    stacked_on_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    author: Mapped[Participant | None] = relationship()


class DoneSignal(Base):
    """A participant's "I'm done" during a card query on a board; no row means not done."""

    __tablename__ = "done_signals"

    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Event(Base):
    """The append-only log of every change, numbered per workshop without gaps."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("workshop_id", "seq", name="uq_events_workshop_seq"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column()
    actor: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class VoteRound(Base):
    """A round of dot voting ("Punktabfrage") on a board; at most one per board is open."""

    __tablename__ = "vote_rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    budget: Mapped[int] = mapped_column(Integer)
    per_card_cap: Mapped[int] = mapped_column(Integer)
    show_live: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Vote(Base):
    """One dot a participant placed on a card in a round; taking it back deletes the row."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("vote_rounds.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class BoardTimer(Base):
    """A board's countdown: running until ends_at, or paused with remaining_ms left, or ended."""

    __tablename__ = "board_timers"

    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True)
    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(10), index=True)  # running | paused | ended
    seconds: Mapped[int] = mapped_column(Integer)  # the length it was started with, plus extensions
    ends_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # while running
    remaining_ms: Mapped[int | None] = mapped_column(Integer)  # while paused
    lock_on_end: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class WallDots(Base):
    """Dots counted on the physical wall for a card in a round, typed in by the moderator or an
    assistant; they add to the phones' dots."""

    __tablename__ = "wall_dots"

    round_id: Mapped[int] = mapped_column(ForeignKey("vote_rounds.id", ondelete="CASCADE"), primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), primary_key=True)
    dots: Mapped[int] = mapped_column(Integer)


class HistoryEntry(Base):
    """One undoable operation of the moderator: the steps that undo it and the steps that redo it.

    `seq` is the last event the operation recorded. State: `done` (can be undone), `undone` (can
    be redone until a new operation comes), `dead` (neither any more).
    """

    __tablename__ = "history_entries"
    __table_args__ = (Index("ix_history_entries_workshop_state", "workshop_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    label: Mapped[str] = mapped_column(String(40))
    undo: Mapped[list[Any]] = mapped_column()
    redo: Mapped[list[Any]] = mapped_column()
    state: Mapped[str] = mapped_column(String(8), default="done")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
