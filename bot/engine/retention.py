"""Deleting and anonymising a user's data.

Two entry points:
- ``delete_user_data``: 「データを削除」, at once, after the user confirmed.
- ``purge_expired``: called periodically by the worker; users who unfollowed more than
  ``RETENTION`` ago are treated as if they had asked for deletion.

What happens to each kind of record (also in docs/engine.md):
- groups the user owns: deleted (their suggestions go with them, by cascade);
- proposals: kept for the city, but unlinked from the user (user_id NULL; group link NULL);
- conversation state: deleted;
- feedback and unanswered questions: the text is erased and the user unlinked; the bare counts
  (answered, helpful yes/no) stay for the guideline's evaluation (第3章(3));
- eligibility checks: unlinked;
- staff handoffs (Slack threads about the user's questions): the copied question erased, user unlinked;
- stored webhook payloads (inbox) and messages queued or sent to the user (outbox): blanked, and
  anything not yet sent cancelled;
- the chat_users row: kept, marked deleted_at, its user id replaced by a digest (erased_id);
- Slack (bot/staff/erasure.py): the division items about the user's groups and proposals and the
  handoff threads of their questions are edited to a notice, every Slack call about them in the
  outbox blanked, and the items never posted or re-rendered again; proposals keep only their
  reference, division and dates.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.engine import groups
from bot.messaging import inbox, outbox
from bot.staff.erasure import erase_citizen
from bot.storage.models.collaboration import Collaboration
from bot.storage.models.conversation import (
    ChatUser,
    Conversation,
    EligibilityCheck,
    Feedback,
    Proposal,
    UnansweredQuestion,
)
from bot.storage.models.opportunity import OpportunityRecipient
from bot.storage.models.staff import Handoff

RETENTION = timedelta(days=30)
STALE_STATE = timedelta(days=1)


def owner_key(channel: str, user_id: str) -> str:
    prefix = f"{channel}:"
    return user_id if user_id.startswith(prefix) else prefix + user_id


def delete_user_data(session: Session, channel: str, user_id: str, *, now: datetime) -> None:
    """Delete or anonymise everything stored about one user. Idempotent."""
    mine = {"channel": channel, "user_id": user_id}
    # First, while the groups, proposals and handoffs still say what was posted: Slack.
    erase_citizen(session, owner=owner_key(channel, user_id), channel=channel, user_id=user_id)
    groups.delete_all_of(session, owner_key(channel, user_id))
    session.execute(
        update(Proposal)
        .where(*_match(Proposal, mine))
        .values(user_id=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        delete(Conversation).where(*_match(Conversation, mine)).execution_options(synchronize_session=False)
    )
    session.execute(
        update(Feedback)
        .where(*_match(Feedback, mine))
        .values(user_id=None, question="")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(UnansweredQuestion)
        .where(*_match(UnansweredQuestion, mine))
        .values(user_id=None, text="", suggestions=[])
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(EligibilityCheck)
        .where(*_match(EligibilityCheck, mine))
        .values(user_id=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Handoff)
        .where(*_match(Handoff, mine))
        .values(user_id=None, question="")
        .execution_options(synchronize_session=False)
    )
    # The collaboration record stays (the city's record), but no longer names whom to push to.
    session.execute(
        update(Collaboration)
        .where(*_match(Collaboration, mine))
        .values(user_id=None)
        .execution_options(synchronize_session=False)
    )
    # Calls for collaboration (協働の募集): the ranked rows keep rank and status, not whom to push to.
    session.execute(
        update(OpportunityRecipient)
        .where(*_match(OpportunityRecipient, mine))
        .values(user_id=None, group_name="", reasons=[])
        .execution_options(synchronize_session=False)
    )
    inbox.forget_user(session, channel, user_id)
    outbox.forget_user(session, channel=channel, user_id=user_id)
    session.flush()
    session.expire_all()  # the bulk updates above bypassed the identity map
    user = session.scalars(select(ChatUser).where(*_match(ChatUser, mine))).first()
    if user is not None:
        # Kept (blocked and deletion flags, the counts) but no longer naming the user: a digest.
        stand_in = erased_id(channel, user_id)
        session.execute(  # deleted once before, came back, deletes again: one row is enough
            delete(ChatUser)
            .where(ChatUser.channel == channel, ChatUser.user_id == stand_in)
            .execution_options(synchronize_session=False)
        )
        user.deleted_at = now
        user.language = None
        user.user_id = stand_in
        session.flush()


def erased_id(channel: str, user_id: str) -> str:
    """What stands in for a deleted user's id: not the id, but the same for the same user."""
    return "erased:" + hashlib.sha256(f"{channel}:{user_id}".encode()).hexdigest()[:40]


def purge_expired(session: Session, now: datetime, retention: timedelta = RETENTION) -> int:
    """Anonymise users who unfollowed more than ``retention`` ago; returns how many.

    Also drops flow state that expired more than a day ago: a half-finished registration is
    personal data too, and nobody will come back to it (an expired flow is never resumed).
    """
    session.execute(
        delete(Conversation)
        .where(Conversation.expires_at < now - STALE_STATE)
        .execution_options(synchronize_session=False)
    )
    cutoff = now - retention
    users = session.scalars(
        select(ChatUser).where(
            ChatUser.blocked.is_(True),
            ChatUser.blocked_at.is_not(None),
            ChatUser.blocked_at <= cutoff,
            ChatUser.deleted_at.is_(None),
        )
    ).all()
    for user in users:
        delete_user_data(session, user.channel, user.user_id, now=now)
    return len(users)


def _match(model, mine: dict[str, str]):
    return (model.channel == mine["channel"], model.user_id == mine["user_id"])
