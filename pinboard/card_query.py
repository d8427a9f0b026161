"""The hidden card query ("verdeckte Kartenabfrage"): revealing hidden cards, and participants'
done signals.

While a board has `hidden` set, new cards on it are hidden (see pinboard/visibility.py for who
sees what). The moderator reveals them all at once or one by one. Meanwhile every phone can
say "I'm done", so that the moderator knows when to reveal; the room learns only how many are
done, never who.
"""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from . import history
from .actors import Actor
from .boards import find_board
from .cards import find_card
from .errors import Forbidden, Invalid
from .event_log import Outcome, lock_workshop, record
from .models import Card, DoneSignal
from .schemas import card_out


def reveal_cards(
    session: Session, actor: Actor, *, board_id: int, card_ids: list[int] | None = None
) -> Outcome:
    """Reveal every hidden card of the board, or the named ones. Cards already visible are
    left as they are; when nothing was hidden, nothing is recorded."""
    actor.require_moderator("reveal hidden cards")
    workshop = lock_workshop(session, actor.workshop_id)
    board = find_board(session, actor, board_id)
    if card_ids is None:
        cards = list(
            session.scalars(
                select(Card)
                .options(selectinload(Card.author))
                .where(Card.board_id == board.id, Card.hidden.is_(True), Card.deleted_at.is_(None))
                .order_by(Card.id)
            )
        )
    else:
        cards = []
        for card_id in dict.fromkeys(card_ids):
            card = find_card(session, actor, card_id)
            if card.board_id != board.id:
                raise Invalid(
                    f"Card {card_id} is not on this board.",
                    {"card_ids": [f"Card {card_id} is not on this board."]},
                )
            if card.hidden:
                cards.append(card)
    for card in cards:
        card.hidden = False
    data = {"board_id": board.id, "cards": [card_out.dump(card) for card in cards]}
    if not cards:
        return Outcome(data)
    event = record(session, workshop, actor, "cards.revealed", data)
    ids = [card.id for card in cards]
    history.remember(
        session,
        workshop,
        actor,
        "reveal",
        undo=[history.step("cards:hide", board_id=board.id, card_ids=ids)],
        redo=[history.step("cards:reveal", board_id=board.id, card_ids=ids)],
    )
    return Outcome(data, [event])


def hide_cards(session: Session, actor: Actor, *, board_id: int, card_ids: list[int]) -> Outcome:
    """Hide revealed cards again (undo of a reveal): the room sees placeholders once more."""
    actor.require_moderator("hide cards")
    workshop = lock_workshop(session, actor.workshop_id)
    board = find_board(session, actor, board_id)
    cards = [find_card(session, actor, card_id) for card_id in card_ids]
    hiding = [card for card in cards if card.board_id == board.id and not card.hidden]
    for card in hiding:
        card.hidden = True
    data = {"board_id": board.id, "card_ids": [card.id for card in hiding]}
    if not hiding:
        return Outcome(data)
    return Outcome(data, [record(session, workshop, actor, "cards.hidden", data)])


def done_count(session: Session, board_id: int) -> int:
    count = session.scalar(select(func.count()).where(DoneSignal.board_id == board_id))
    return int(count or 0)


def done_state(
    session: Session, board_ids: list[int], participant_id: int | None
) -> dict[int, tuple[int, bool]]:
    """Per board: how many are done, and whether this participant is. One query for any number."""
    mine = (
        func.max(case((DoneSignal.participant_id == participant_id, 1), else_=0))
        if participant_id is not None
        else func.max(0)
    )
    rows = session.execute(
        select(DoneSignal.board_id, func.count(), mine)
        .where(DoneSignal.board_id.in_(board_ids))
        .group_by(DoneSignal.board_id)
    )
    return {board_id: (int(count), bool(me)) for board_id, count, me in rows}


def signal_done(session: Session, actor: Actor, *, board_id: int, done: bool) -> Outcome:
    """A participant says they are done (or not yet). Idempotent: saying it again changes
    nothing and records nothing. The event says how many are done, not who."""
    if not actor.is_participant or actor.participant_id is None:
        raise Forbidden("Only participants say that they are done.")
    workshop = lock_workshop(session, actor.workshop_id)
    board = find_board(session, actor, board_id)
    existing = session.get(DoneSignal, (board.id, actor.participant_id))
    changed = (existing is None) == done
    if changed:
        if done:
            session.add(DoneSignal(board_id=board.id, participant_id=actor.participant_id))
        else:
            session.delete(existing)
        session.flush()
    count = done_count(session, board.id)
    data = {"board_id": board.id, "done": done, "done_count": count}
    if not changed:
        return Outcome(data)
    event = record(session, workshop, actor, "participant.done", {"board_id": board.id, "done_count": count})
    return Outcome(data, [event])
