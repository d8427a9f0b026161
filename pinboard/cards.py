"""Cards: created by participants (or typed in from paper by the moderator or an assistant), edited
by their author, sorted by the moderator. The moderator's changes are kept for undo (history.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import history, ordering
from .actors import Actor
from .boards import find_board
from .clusters import find_cluster
from .errors import Forbidden, Invalid, Locked, NotFound
from .event_log import Outcome, lock_workshop, record
from .models import Board, Card, Cluster, Event, Workshop, utcnow
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


def _may_change(actor: Actor, card: Card) -> bool:
    """The moderator changes any card; an assistant the paper cards; a participant their own."""
    return actor.is_moderator or _is_author(actor, card) or (actor.is_assistant and card.on_paper)


def _require_open(board: Board, actor: Actor) -> None:
    """A locked board stops participants; the moderator and assistants may still tidy it."""
    if board.locked and not actor.is_staff:
        raise Locked(f"The board “{board.title}” is locked.")


def _place_of(card: Card) -> dict[str, int | None]:
    return {"board_id": card.board_id, "cluster_id": card.cluster_id, "index": card.position}


def create_card(
    session: Session,
    actor: Actor,
    *,
    client_id: str,
    board_id: int,
    text: str,
    cluster_id: int | None = None,
    color: str | None = None,
    on_paper: bool = False,
) -> Outcome:
    """Post a card. Idempotent on client_id: a resend returns the first card and records nothing."""
    actor.require_writer("post cards")
    if on_paper:
        actor.require_staff("type in paper cards")
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
    final_index, position = ordering.end_of(session, board.id, cluster_id)
    card = Card(
        workshop_id=workshop.id,
        board_id=board.id,
        cluster_id=cluster_id,
        position=position,
        text=text,
        color=color or DEFAULT_COLOR,
        author_id=actor.participant_id,
        author_role=actor.role.value,
        client_id=client_id,
        hidden=board.hidden,
        on_paper=on_paper,
    )
    session.add(card)
    session.flush()
    data = card_out.dump(card)
    event = record(session, workshop, actor, "card.created", {"card": data, "index": final_index})
    history.remember(
        session,
        workshop,
        actor,
        "add_card",
        undo=[history.step("card:delete", card_id=card.id)],
        redo=[history.step("card:restore", card_id=card.id, **_place_of(card))],
    )
    return Outcome(data, [event])


def update_card(
    session: Session, actor: Actor, *, card_id: int, text: str | None = None, color: str | None = None
) -> Outcome:
    actor.require_writer("edit cards")
    workshop = lock_workshop(session, actor.workshop_id)
    card = find_card(session, actor, card_id)
    if not _may_change(actor, card):
        raise Forbidden("Participants may edit only their own cards.")
    board = session.get_one(Board, card.board_id)
    _require_open(board, actor)
    if color is not None:
        _check_may_color(actor, board)
    changes = {name: value for name, value in (("text", text), ("color", color)) if value is not None}
    before = {name: getattr(card, name) for name in changes}
    for name, value in changes.items():
        setattr(card, name, value)
    card.updated_at = utcnow()
    data = card_out.dump(card)
    event = record(session, workshop, actor, "card.updated", {"card": data})
    history.remember(
        session,
        workshop,
        actor,
        "edit_card",
        undo=[history.step("card:update", card_id=card.id, **before)],
        redo=[history.step("card:update", card_id=card.id, **changes)],
    )
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
    if card.stacked_on_id is not None:
        raise Invalid("This card lies on a stack: take it off the stack first.")
    before = _place_of(card)
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
    ordering.take_out(session, card)
    final_index = ordering.make_room(session, card, target_board.id, cluster_id, index)
    card.board_id, card.cluster_id, card.position = target_board.id, cluster_id, final_index
    if source != (target_board.id, cluster_id):
        ordering.carry_stacks(session, [card])
    data = {
        "card_id": card.id,
        "board_id": target_board.id,
        "cluster_id": cluster_id,
        "index": final_index,
    }
    event = record(session, workshop, actor, "card.moved", data)
    history.remember(
        session,
        workshop,
        actor,
        "move_card",
        undo=[history.step("card:move", card_id=card.id, **before)],
        redo=[history.step("card:move", card_id=card.id, **_place_of(card))],
    )
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
    """Mark a card deleted. The cards stacked on it are first taken off, right after it."""
    actor.require_writer("delete cards")
    workshop = lock_workshop(session, actor.workshop_id)
    card = find_card(session, actor, card_id)
    if not _may_change(actor, card):
        raise Forbidden("Participants may delete only their own cards.")
    _require_open(session.get_one(Board, card.board_id), actor)
    before = _place_of(card)
    released = ordering.stack_of(session, card.id) if card.stacked_on_id is None else []
    events = [
        _release(session, workshop, actor, card, child, offset) for offset, child in enumerate(released)
    ]
    card.deleted_at = utcnow()
    session.flush()
    if card.stacked_on_id is None:
        ordering.renumber(ordering.cards_in(session, card.board_id, card.cluster_id))
    else:
        ordering.renumber(ordering.stack_of(session, card.stacked_on_id))
    data = {
        "card_id": card.id,
        "board_id": card.board_id,
        "cluster_id": card.cluster_id,
        "stacked_on_id": card.stacked_on_id,
    }
    events.append(record(session, workshop, actor, "card.deleted", data))
    history.remember(
        session,
        workshop,
        actor,
        "delete_card",
        undo=[
            history.step("card:restore", card_id=card.id, **before),
            *(history.step("card:stack", card_id=child.id, onto_card_id=card.id) for child in released),
        ],
        redo=[history.step("card:delete", card_id=card.id)],
    )
    return Outcome(data, events)


def _release(
    session: Session, workshop: Workshop, actor: Actor, top: Card, child: Card, offset: int
) -> Event:
    """Take a card off a top that is about to go: it lands right after the top."""
    container = ordering.cards_in(session, top.board_id, top.cluster_id)
    child.stacked_on_id = None
    index = ordering.place(container, child, top.position + 1 + offset)
    session.flush()
    data = {
        "card_id": child.id,
        "from_card_id": top.id,
        "board_id": child.board_id,
        "cluster_id": child.cluster_id,
        "index": index,
    }
    return record(session, workshop, actor, "card.unstacked", data)


def restore_card(
    session: Session,
    actor: Actor,
    *,
    card_id: int,
    board_id: int | None = None,
    cluster_id: int | None = None,
    index: int | None = None,
) -> Outcome:
    """Bring a deleted card back with its id, text and author (undo of a delete, redo of an add):
    into its stack when its top is still there, else at `index` of its place (a cluster deleted
    since means the board's unsorted area)."""
    actor.require_moderator("restore cards")
    workshop = lock_workshop(session, actor.workshop_id)
    card = session.get(Card, card_id)
    if card is None or card.workshop_id != workshop.id or card.deleted_at is None:
        raise NotFound(f"Card {card_id} is not a deleted card of this workshop.")
    top = session.get(Card, card.stacked_on_id) if card.stacked_on_id is not None else None
    card.deleted_at = None
    if top is not None and top.deleted_at is None and top.stacked_on_id is None:
        stack = [c for c in ordering.stack_of(session, top.id) if c.id != card.id]
        final_index = ordering.place(stack, card, index)
        card.board_id, card.cluster_id = top.board_id, top.cluster_id
    else:
        card.stacked_on_id = None
        card.board_id = board_id if board_id is not None else card.board_id
        cluster = session.get(Cluster, cluster_id) if cluster_id is not None else None
        card.cluster_id = cluster.id if cluster is not None and cluster.deleted_at is None else None
        siblings = [c for c in ordering.cards_in(session, card.board_id, card.cluster_id) if c.id != card.id]
        final_index = ordering.place(siblings, card, index)
    session.flush()
    data = card_out.dump(card)
    event = record(session, workshop, actor, "card.restored", {"card": data, "index": final_index})
    return Outcome(data, [event])
