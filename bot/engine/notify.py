"""Messages to a citizen that answer no event: news about a proposal, a staff reply to a question.

The staff side (Slack) calls these inside its own transaction. They respect the person's wishes:
nothing is queued for a user who unfollowed or whose data was deleted, and nothing for channels
without a push renderer (the terminal). Wording lives in messages.py.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.engine import messages as M
from bot.engine.flows.common import menu_choices
from bot.engine.types import Reply
from bot.storage.models.conversation import ChatUser, Proposal, UnansweredQuestion


def can_push(session: Session, channel: str, user_id: str | None) -> bool:
    """True if a push to this user is allowed (follows, not blocked, data not deleted)."""
    if not user_id:
        return False
    from bot.messaging.outbox import RENDERERS

    if channel not in RENDERERS:
        return False
    user = session.scalars(
        select(ChatUser).where(ChatUser.channel == channel, ChatUser.user_id == user_id)
    ).first()
    return user is not None and user.followed and not user.blocked and user.deleted_at is None


def push(session: Session, channel: str, user_id: str | None, replies: list[Reply]) -> bool:
    """Queue ``replies`` for the user through the outbox; False when not allowed or empty."""
    if not can_push(session, channel, user_id):
        return False
    from bot.messaging.outbox import enqueue_push

    return enqueue_push(session, channel=channel, user_id=user_id, replies=replies) is not None


def proposal_decided(session: Session, proposal: Proposal, *, taken: bool, division_name: str = "") -> bool:
    """Tell the proposer that a division took up (or passed on) their proposal."""
    template = M.NOTIFY_PROPOSAL_TAKEN if taken else M.NOTIFY_PROPOSAL_PASSED
    division = division_name or proposal.division_name or "担当課"
    text = template.format(reference=proposal.reference, division=division)
    return push(session, proposal.channel, proposal.user_id, [Reply(text=text)])


def staff_replied(session: Session, question: UnansweredQuestion, answer: str) -> bool:
    """Deliver a staff member's reply to a question the citizen handed off."""
    quoted = question.text if len(question.text) <= 100 else question.text[:99] + "…"
    text = M.NOTIFY_STAFF_REPLY.format(question=quoted, answer=answer.strip())[:4000]
    return push(session, question.channel, question.user_id, [Reply(text=text, choices=menu_choices())])
