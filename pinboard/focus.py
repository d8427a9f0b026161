"""Focus: the moderator puts one card or one cluster in focus while the group discusses it; the
projector and the phones show it large."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .actors import Actor
from .cards import find_card
from .clusters import find_cluster
from .event_log import Outcome, lock_workshop, record


def set_focus(
    session: Session, actor: Actor, *, card_id: int | None = None, cluster_id: int | None = None
) -> Outcome:
    """Focus a card, or a cluster, or (neither) nothing. Focusing a card of a stack focuses the stack."""
    actor.require_moderator("set the focus")
    workshop = lock_workshop(session, actor.workshop_id)
    if card_id is not None:
        card = find_card(session, actor, card_id)
        card_id = card.stacked_on_id or card.id
    if cluster_id is not None:
        cluster_id = find_cluster(session, actor, cluster_id).id
    workshop.focus_card_id, workshop.focus_cluster_id = card_id, cluster_id
    data = {"card_id": card_id, "cluster_id": cluster_id}
    return Outcome(data, [record(session, workshop, actor, "focus.set", data)])
