"""Dot voting ("Punktabfrage"): the moderator opens a round on a board, participants place
their dots on cards, the moderator closes the round and the tally is published.

Every participant has `budget` dots per round and may put at most `per_card_cap` of them on one
card. Both hold under concurrent casts because each cast runs under the workshop lock
(event_log.lock_workshop) and counts the dots already placed inside that transaction.

Privacy: nobody learns who voted what. While a round is open, the counts per card reach only
the moderator (in acks and the snapshot) unless the round shows them live; the events of a
cast or retract then carry just the round's total of dots, so seq stays gapless. A participant
learns their own dots (`mine`, `dots_left`) from their acks and their snapshot.
Dots on a card that was deleted (or moved to another board) no longer count. Dots on a card of
a stack count for the stack's top card. The moderator or an assistant may add the dots counted
on a physical wall (`vote:record`); they add to the phones' dots in every tally.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import Session

from .actors import Actor
from .boards import find_board
from .cards import find_card
from .errors import BudgetExceeded, CapReached, Forbidden, Invalid, NotFound
from .event_log import Outcome, lock_workshop, record
from .models import Card, Vote, VoteRound, WallDots, utcnow

# The card a dot counts for: the top of its stack, or itself.
COUNTED_CARD = func.coalesce(Card.stacked_on_id, Card.id)


def open_round(session: Session, board_id: int) -> VoteRound | None:
    return session.scalars(
        select(VoteRound).where(VoteRound.board_id == board_id, VoteRound.closed_at.is_(None))
    ).first()


def _live_votes(round_: VoteRound) -> Any:
    """Votes of the round on cards that still exist on its board."""
    return (
        select(COUNTED_CARD, func.count(Vote.id))
        .join(Card, Card.id == Vote.card_id)
        .where(Vote.round_id == round_.id, Card.deleted_at.is_(None), Card.board_id == round_.board_id)
        .group_by(COUNTED_CARD)
    )


def wall_dots(session: Session, round_ids: list[int]) -> dict[int, dict[int, int]]:
    """Per round: the dots counted on the wall per (top) card, for cards still on the round's board."""
    if not round_ids:
        return {}
    rows = session.execute(
        select(WallDots.round_id, COUNTED_CARD, func.sum(WallDots.dots))
        .join(Card, Card.id == WallDots.card_id)
        .join(VoteRound, VoteRound.id == WallDots.round_id)
        .where(
            WallDots.round_id.in_(round_ids), Card.deleted_at.is_(None), Card.board_id == VoteRound.board_id
        )
        .group_by(WallDots.round_id, COUNTED_CARD)
    )
    result: dict[int, dict[int, int]] = defaultdict(dict)
    for round_id, card_id, dots in rows:
        if dots:
            result[int(round_id)][int(card_id)] = int(dots)
    return result


def _plus(counts: dict[int, int], more: dict[int, int]) -> dict[int, int]:
    total = dict(counts)
    for card_id, dots in more.items():
        total[card_id] = total.get(card_id, 0) + dots
    return total


def tally(session: Session, round_: VoteRound) -> dict[int, int]:
    """Dots per card, phones' and wall's (cards without dots left out)."""
    phones = {int(card_id): int(count) for card_id, count in session.execute(_live_votes(round_))}
    return _plus(phones, wall_dots(session, [round_.id]).get(round_.id, {}))


def ranking(counts: dict[int, int]) -> list[int]:
    """Card ids, most dots first; ties by card id."""
    return sorted(counts, key=lambda card_id: (-counts[card_id], card_id))


def _mine(session: Session, round_: VoteRound, participant_id: int) -> dict[int, int]:
    query = _live_votes(round_).where(Vote.participant_id == participant_id)
    return {int(card_id): int(count) for card_id, count in session.execute(query)}


def _keyed(counts: dict[int, int]) -> dict[str, int]:
    """JSON object keys are strings: the same on the wire, in the event log and after a sync."""
    return {str(card_id): count for card_id, count in counts.items()}


def round_payload(round_: VoteRound) -> dict[str, Any]:
    return {
        "board_id": round_.board_id,
        "round_id": round_.id,
        "budget": round_.budget,
        "per_card_cap": round_.per_card_cap,
        "show_live": round_.show_live,
    }


def open_vote(
    session: Session, actor: Actor, *, board_id: int, budget: int, per_card_cap: int, show_live: bool = False
) -> Outcome:
    actor.require_moderator("open dot voting")
    workshop = lock_workshop(session, actor.workshop_id)
    board = find_board(session, actor, board_id)
    if per_card_cap > budget:
        raise Invalid(
            "The cap per card may be at most the budget.", {"per_card_cap": ["At most the budget."]}
        )
    if open_round(session, board.id) is not None:
        raise Invalid("A round of dot voting is already open on this board.")
    round_ = VoteRound(
        workshop_id=workshop.id,
        board_id=board.id,
        budget=budget,
        per_card_cap=per_card_cap,
        show_live=show_live,
    )
    session.add(round_)
    session.flush()
    data = round_payload(round_)
    event = record(session, workshop, actor, "vote.opened", data)
    return Outcome(data, [event])


def _voting_card(session: Session, actor: Actor, card_id: int) -> tuple[Card, VoteRound]:
    if not actor.is_participant or actor.participant_id is None:
        raise Forbidden("Only participants place dots.")
    card = find_card(session, actor, card_id)
    if card.hidden:
        raise NotFound(f"Card {card_id} does not exist in this workshop.")
    if card.stacked_on_id is not None:
        card = session.get_one(Card, card.stacked_on_id)
    round_ = open_round(session, card.board_id)
    if round_ is None:
        raise Invalid("No dot voting is open on this board.")
    return card, round_


def _changed(
    session: Session, actor: Actor, workshop: Any, card: Card, round_: VoteRound, type_: str
) -> Outcome:
    session.flush()
    counts = tally(session, round_)
    mine = _mine(session, round_, actor.participant_id)  # type: ignore[arg-type]
    public: dict[str, Any] = {
        "board_id": round_.board_id,
        "round_id": round_.id,
        "votes_cast": sum(counts.values()),
    }
    if round_.show_live:
        public.update(card_id=card.id, votes=counts.get(card.id, 0))
    event = record(session, workshop, actor, type_, public)
    data = {
        **public,
        "card_id": card.id,
        "dots_left": round_.budget - sum(mine.values()),
        "mine": _keyed(mine),
    }
    return Outcome(data, [event])


def cast_vote(session: Session, actor: Actor, *, card_id: int) -> Outcome:
    """Place one dot on a card."""
    workshop = lock_workshop(session, actor.workshop_id)
    card, round_ = _voting_card(session, actor, card_id)
    mine = _mine(session, round_, actor.participant_id)  # type: ignore[arg-type]
    if sum(mine.values()) >= round_.budget:
        raise BudgetExceeded(f"You have placed all your {round_.budget} dots.")
    if mine.get(card.id, 0) >= round_.per_card_cap:
        raise CapReached(f"A card may get at most {round_.per_card_cap} of your dots.")
    session.add(Vote(round_id=round_.id, participant_id=actor.participant_id, card_id=card.id))
    return _changed(session, actor, workshop, card, round_, "vote.cast")


def retract_vote(session: Session, actor: Actor, *, card_id: int) -> Outcome:
    """Take one of your dots back from a card."""
    workshop = lock_workshop(session, actor.workshop_id)
    card, round_ = _voting_card(session, actor, card_id)
    vote = session.scalars(
        select(Vote)
        .where(
            Vote.round_id == round_.id, Vote.participant_id == actor.participant_id, Vote.card_id == card.id
        )
        .order_by(Vote.id.desc())
    ).first()
    if vote is None:
        raise Invalid("You have no dot on this card.")
    session.delete(vote)
    return _changed(session, actor, workshop, card, round_, "vote.retracted")


def give_back_dots(session: Session, card_id: int, board_id: int) -> None:
    """The card leaves the board: the dots on it in the board's open round are given back for
    good, so that they do not come back with the card (and add to dots spent meanwhile)."""
    open_rounds = select(VoteRound.id).where(VoteRound.board_id == board_id, VoteRound.closed_at.is_(None))
    session.execute(delete(Vote).where(Vote.card_id == card_id, Vote.round_id.in_(open_rounds)))


def close_vote(session: Session, actor: Actor, *, board_id: int) -> Outcome:
    """End the round and publish the tally."""
    actor.require_moderator("close dot voting")
    workshop = lock_workshop(session, actor.workshop_id)
    board = find_board(session, actor, board_id)
    round_ = open_round(session, board.id)
    if round_ is None:
        raise Invalid("No dot voting is open on this board.")
    round_.closed_at = utcnow()
    counts = tally(session, round_)
    data = {"board_id": board.id, "round_id": round_.id, "tally": _keyed(counts), "ranking": ranking(counts)}
    event = record(session, workshop, actor, "vote.closed", data)
    return Outcome(data, [event])


def record_wall_dots(session: Session, actor: Actor, *, card_id: int, dots: int) -> Outcome:
    """Set the dots counted on the physical wall for a card (its stack's top) in the board's
    current round: the open one, else the latest closed one (wall dots are often counted after)."""
    actor.require_staff("record dots counted on the wall")
    workshop = lock_workshop(session, actor.workshop_id)
    card = find_card(session, actor, card_id)
    if card.stacked_on_id is not None:
        card = session.get_one(Card, card.stacked_on_id)
    round_ = (
        open_round(session, card.board_id)
        or session.scalars(
            select(VoteRound).where(VoteRound.board_id == card.board_id).order_by(VoteRound.id.desc())
        ).first()
    )
    if round_ is None:
        raise Invalid("There has been no dot voting on this board.")
    row = session.get(WallDots, (round_.id, card.id))
    if row is None:
        row = WallDots(round_id=round_.id, card_id=card.id, dots=dots)
        session.add(row)
    row.dots = dots
    session.flush()
    counts = tally(session, round_)
    closed = round_.closed_at is not None
    public: dict[str, Any] = {
        "board_id": round_.board_id,
        "round_id": round_.id,
        "card_id": card.id,
        "votes_cast": sum(counts.values()),
    }
    if closed or round_.show_live:
        public["votes"] = counts.get(card.id, 0)
    if closed:
        public.update(tally=_keyed(counts), ranking=ranking(counts))
    event = record(session, workshop, actor, "vote.recorded", public)
    return Outcome({**public, "dots": dots, "votes": counts.get(card.id, 0)}, [event])


# ---- reading -------------------------------------------------------------------------------


def vote_state(session: Session, actor: Actor, board_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per board with a round: its latest round as `actor` may see it. One query for any number
    of boards: the latest rounds, outer-joined with their live dots per card."""
    if not board_ids:
        return {}
    latest = (
        select(func.max(VoteRound.id)).where(VoteRound.board_id.in_(board_ids)).group_by(VoteRound.board_id)
    )
    me = actor.participant_id if actor.is_participant else None
    mine = func.sum(case((Vote.participant_id == me, 1), else_=0)) if me is not None else func.sum(0)
    dots = (
        select(
            Vote.round_id,
            COUNTED_CARD.label("card_id"),
            func.count(Vote.id).label("count"),
            mine.label("mine"),
        )
        .join(Card, Card.id == Vote.card_id)
        .join(VoteRound, VoteRound.id == Vote.round_id)
        .where(Vote.round_id.in_(latest), Card.deleted_at.is_(None), Card.board_id == VoteRound.board_id)
        .group_by(Vote.round_id, COUNTED_CARD)
        .subquery()
    )
    rows = session.execute(
        select(VoteRound, dots.c.card_id, dots.c.count, dots.c.mine)
        .outerjoin(dots, dots.c.round_id == VoteRound.id)
        .where(VoteRound.id.in_(latest))
    ).all()
    rounds: dict[int, VoteRound] = {}
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    mines: dict[int, dict[int, int]] = defaultdict(dict)
    for round_, card_id, count, my_count in rows:
        rounds[round_.id] = round_
        if card_id is not None:
            counts[round_.id][int(card_id)] = int(count)
            if my_count:
                mines[round_.id][int(card_id)] = int(my_count)
    walls = wall_dots(session, list(rounds))
    state = {}
    for round_ in rounds.values():
        closed = round_.closed_at is not None
        round_counts = _plus(counts[round_.id], walls.get(round_.id, {}))
        visible = closed or round_.show_live or actor.is_moderator
        state[round_.board_id] = {
            **round_payload(round_),
            "open": not closed,
            "votes_cast": sum(round_counts.values()),
            "tally": _keyed(round_counts) if visible else None,
            "ranking": ranking(round_counts) if closed else None,
            "mine": _keyed(mines[round_.id]) if me is not None else None,
            "dots_left": round_.budget - sum(mines[round_.id].values())
            if me is not None and not closed
            else None,
            "wall": _keyed(walls.get(round_.id, {})) if actor.is_staff else None,
        }
    return state


def closed_tallies(session: Session, workshop_id: str) -> dict[int, dict[int, int]]:
    """Per board whose latest closed round exists: its dots per card (for the exports)."""
    latest = (
        select(func.max(VoteRound.id))
        .where(VoteRound.workshop_id == workshop_id, VoteRound.closed_at.is_not(None))
        .group_by(VoteRound.board_id)
    )
    rows = session.execute(
        select(VoteRound.id, VoteRound.board_id, COUNTED_CARD, func.count(Card.id))
        .select_from(VoteRound)
        .outerjoin(Vote, Vote.round_id == VoteRound.id)
        .outerjoin(
            Card,
            (Card.id == Vote.card_id) & Card.deleted_at.is_(None) & (Card.board_id == VoteRound.board_id),
        )
        .where(VoteRound.id.in_(latest))
        .group_by(VoteRound.id, VoteRound.board_id, COUNTED_CARD)
    ).all()
    result: dict[int, dict[int, int]] = {}
    round_of_board: dict[int, int] = {}
    for round_id, board_id, card_id, count in rows:
        counts = result.setdefault(board_id, {})  # a board with a closed round, even without dots
        round_of_board[board_id] = round_id
        if card_id is not None and count:
            counts[int(card_id)] = int(count)
    walls = wall_dots(session, list(round_of_board.values()))
    return {
        board_id: _plus(counts, walls.get(round_of_board[board_id], {}))
        for board_id, counts in result.items()
    }
