"""Cards: created by participants (or the moderator), edited by their author, sorted by the moderator."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import ordering
from .actors import Actor
from .boards import find_board
from .clusters import find_cluster
from .errors import Forbidden, Invalid, Locked, NotFound
from .event_log import Outcome, lock_workshop, record
from .models import Board, Card, utcnow
from .schemas import card_out

DEFAULT_COLOR = "yellow"


def find_card(session: Session, actor: Actor, card_id: int) -> Card:
    card = session.get(Card, card_id)
    if card is None or card.deleted_at is not None or card.workshop_id != actor.workshop_id:
        raise NotFound(f"Card {card_id} does not exist in this workshop.")
    return card


def _is_author(actor: Actor, card: Card) -> bool:
    if actor.is_participant:
        return card.author_id == actor.participant_id
    return card.author_id is None and card.author_role == actor.role.value


def _require_open(board: Board, actor: Actor) -> None:
    """A locked board stops participants; the moderator may still sort and tidy it."""
    if board.locked and not actor.is_moderator:
        raise Locked(f"The board “{board.title}” is locked.")


def create_card(
    session: Session,
    actor: Actor,
    *,
    client_id: str,
    board_id: int,
    text: str,
    cluster_id: int | None = None,
    color: str | None = None,
) -> Outcome:
    """Post a card. Idempotent on client_id: a resend returns the first card and records nothing."""
    actor.require_writer("post cards")
    workshop = lock_workshop(session, actor.workshop_id)
    existing = session.scalars(
        select(Card).where(Card.workshop_id == workshop.id, Card.client_id == client_id)
    ).one_or_none()
    if existing is not None:
        if not _is_author(actor, existing):
            raise Invalid("This client_id is already used by another card.", {"client_id": ["Already used."]})
        return Outcome(card_out.dump(existing))
    board = find_board(session, actor, board_id)
    _require_open(board, actor)
    if color is not None:
        _check_may_color(actor, board)
    if cluster_id is not None:
        cluster = find_cluster(session, actor, cluster_id)
        if cluster.board_id != board.id:
            raise Invalid("The cluster is not on this board.", {"cluster_id": ["Not on this board."]})
        if actor.is_participant and not board.participants_choose_cluster:
            raise Forbidden("On this board the moderator sorts the cards into clusters.")
    container = ordering.cards_in(session, board.id, cluster_id)
    card = Card(
        workshop_id=workshop.id,
        board_id=board.id,
        cluster_id=cluster_id,
        position=0,
        text=text,
        color=color or DEFAULT_COLOR,
        author_id=actor.participant_id,
        author_role=actor.role.value,
        client_id=client_id,
        hidden=board.hidden,
    )
    session.add(card)
    final_index = ordering.place(container, card, None)
    session.flush()
    data = card_out.dump(card)
    event = record(session, workshop, actor, "card.created", {"card": data, "index": final_index})
    return Outcome(data, [event])


def update_card(
    session: Session, actor: Actor, *, card_id: int, text: str | None = None, color: str | None = None
) -> Outcome:
    actor.require_writer("edit cards")
    workshop = lock_workshop(session, actor.workshop_id)
    card = find_card(session, actor, card_id)
    if not actor.is_moderator and not _is_author(actor, card):
        raise Forbidden("Participants may edit only their own cards.")
    board = session.get_one(Board, card.board_id)
    _require_open(board, actor)
    if color is not None:
        _check_may_color(actor, board)
    if text is not None:
        card.text = text
    if color is not None:
        card.color = color
    card.updated_at = utcnow()
    data = card_out.dump(card)
    event = record(session, workshop, actor, "card.updated", {"card": data})
    return Outcome(data, [event])


def move_card(
    session: Session,
    actor: Actor,
    *,
    card_id: int,
    cluster_id: int | None,
    index: int | None = None,
    board_id: int | None = None,
) -> Outcome:
    """Move a card into a cluster (or the unsorted area) at an index; the server's order wins."""
    actor.require_writer("move cards")
    workshop = lock_workshop(session, actor.workshop_id)
    card = find_card(session, actor, card_id)
    source_board = session.get_one(Board, card.board_id)
    if cluster_id is not None:
        target_board = find_cluster(session, actor, cluster_id).board
        if board_id is not None and board_id != target_board.id:
            raise Invalid("The cluster is not on that board.", {"cluster_id": ["Not on that board."]})
    elif board_id is not None:
        target_board = find_board(session, actor, board_id)
    else:
        target_board = source_board
    _check_may_move(actor, source_board, target_board)
    if target_board.id != source_board.id:
        from .voting import give_back_dots  # voting imports this module

        give_back_dots(session, card.id, source_board.id)
    source = (card.board_id, card.cluster_id)
    siblings = [c for c in ordering.cards_in(session, target_board.id, cluster_id) if c.id != card.id]
    card.board_id = target_board.id
    card.cluster_id = cluster_id
    final_index = ordering.place(siblings, card, index)
    if source != (target_board.id, cluster_id):
        ordering.renumber([c for c in ordering.cards_in(session, *source) if c.id != card.id])
    data = {
        "card_id": card.id,
        "board_id": target_board.id,
        "cluster_id": cluster_id,
        "index": final_index,
    }
    event = record(session, workshop, actor, "card.moved", data)
    return Outcome(data, [event])


def _check_may_color(actor: Actor, board: Board) -> None:
    if actor.is_participant and not board.participants_choose_color:
        raise Forbidden("On this board the moderator chooses the colours of the cards.")


def _check_may_move(actor: Actor, source: Board, target: Board) -> None:
    if actor.is_moderator:
        return
    if source.id != target.id:
        raise Forbidden("Only the moderator may move cards between boards.")
    if not source.participants_can_move:
        raise Forbidden("On this board only the moderator moves cards.")
    _require_open(source, actor)


def delete_card(session: Session, actor: Actor, *, card_id: int) -> Outcome:
    actor.require_writer("delete cards")
    workshop = lock_workshop(session, actor.workshop_id)
    card = find_card(session, actor, card_id)
    if not actor.is_moderator and not _is_author(actor, card):
        raise Forbidden("Participants may delete only their own cards.")
    _require_open(session.get_one(Board, card.board_id), actor)
    card.deleted_at = utcnow()
    session.flush()
    ordering.renumber(ordering.cards_in(session, card.board_id, card.cluster_id))
    data = {"card_id": card.id, "board_id": card.board_id, "cluster_id": card.cluster_id}
    event = record(session, workshop, actor, "card.deleted", data)
    return Outcome(data, [event])
