"""Stacking duplicates: the moderator puts a card onto another that says the same thing.

A stack shows as its top card with a count; the stacked cards keep their text, author and dots
(which count for the top, see voting.py) and lie in the top's stack, in order. Taking a card off
puts it back beside its top.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from . import history, ordering
from .actors import Actor
from .cards import find_card
from .errors import Invalid
from .event_log import Outcome, lock_workshop, record
from .models import Card


def top_of(session: Session, card: Card) -> Card:
    """The card a stack shows: the card itself, or the one it is stacked onto."""
    return session.get_one(Card, card.stacked_on_id) if card.stacked_on_id is not None else card


def stack_card(
    session: Session, actor: Actor, *, card_id: int, onto_card_id: int, index: int | None = None
) -> Outcome:
    """Stack a card, with whatever lies on it, onto another card's stack (at `index`, default the end)."""
    actor.require_moderator("stack cards")
    workshop = lock_workshop(session, actor.workshop_id)
    card = find_card(session, actor, card_id)
    top = top_of(session, find_card(session, actor, onto_card_id))
    if top.id == card.id:
        raise Invalid("A card cannot go onto itself.", {"onto_card_id": ["The same card."]})
    if card.stacked_on_id == top.id and index is None:
        raise Invalid("The card already lies on this stack.", {"onto_card_id": ["Already there."]})
    if top.board_id != card.board_id:
        raise Invalid("Only cards on the same board can be stacked.", {"onto_card_id": ["Another board."]})
    undo = _way_back(session, card)
    riders = ordering.stack_of(session, card.id) if card.stacked_on_id is None else []
    _lift(session, card)
    stack = [c for c in ordering.stack_of(session, top.id) if c.id != card.id]
    final_index = ordering.clamp_index(index, len(stack))
    stack[final_index:final_index] = [card, *riders]
    for item in (card, *riders):
        item.stacked_on_id, item.board_id, item.cluster_id = top.id, top.board_id, top.cluster_id
    ordering.renumber(stack)
    session.flush()
    data = {
        "card_id": card.id,
        "onto_card_id": top.id,
        "board_id": top.board_id,
        "cluster_id": top.cluster_id,
        "stack": [item.id for item in stack],
    }
    event = record(session, workshop, actor, "card.stacked", data)
    undo += [history.step("card:stack", card_id=rider.id, onto_card_id=card.id) for rider in riders]
    redo = [history.step("card:stack", card_id=card.id, onto_card_id=top.id, index=final_index)]
    history.remember(session, workshop, actor, "stack", undo=undo, redo=redo)
    return Outcome(data, [event])


def unstack_card(
    session: Session,
    actor: Actor,
    *,
    card_id: int,
    board_id: int | None = None,
    cluster_id: int | None = None,
    index: int | None = None,
) -> Outcome:
    """Take a card off its stack: right after its top, or (undoing a stack) back to where it was."""
    actor.require_moderator("take cards off a stack")
    workshop = lock_workshop(session, actor.workshop_id)
    card = find_card(session, actor, card_id)
    if card.stacked_on_id is None:
        raise Invalid("This card does not lie on a stack.")
    top = top_of(session, card)
    undo = _way_back(session, card)
    _lift(session, card)
    if board_id is None:
        board_id, cluster_id, index = top.board_id, top.cluster_id, top.position + 1
    card.stacked_on_id, card.board_id, card.cluster_id = None, board_id, cluster_id
    siblings = [c for c in ordering.cards_in(session, board_id, cluster_id) if c.id != card.id]
    final_index = ordering.place(siblings, card, index)
    session.flush()
    data = {
        "card_id": card.id,
        "from_card_id": top.id,
        "board_id": board_id,
        "cluster_id": cluster_id,
        "index": final_index,
    }
    event = record(session, workshop, actor, "card.unstacked", data)
    history.remember(
        session, workshop, actor, "unstack", undo=undo, redo=[history.step("card:unstack", card_id=card.id)]
    )
    return Outcome(data, [event])


def _way_back(session: Session, card: Card) -> list[history.Step]:
    """The step that puts the card back where it lies now."""
    if card.stacked_on_id is not None:
        return [
            history.step("card:stack", card_id=card.id, onto_card_id=card.stacked_on_id, index=card.position)
        ]
    place = {"board_id": card.board_id, "cluster_id": card.cluster_id, "index": card.position}
    return [history.step("card:unstack", card_id=card.id, **place)]


def _lift(session: Session, card: Card) -> None:
    """Close the gap the card leaves in its container or stack (callers then place it anew)."""
    if card.stacked_on_id is None:
        rest = ordering.cards_in(session, card.board_id, card.cluster_id)
    else:
        rest = ordering.stack_of(session, card.stacked_on_id)
    ordering.renumber([c for c in rest if c.id != card.id])
