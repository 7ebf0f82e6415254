"""Handoffs: a citizen's question the bot could not answer, passed to staff as one thread in
KYODO_STAFF_CHANNEL. Every staff reply in the thread goes to the citizen; 「対応完了」 closes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.engine.notify import Notifier
from bot.engine.web import CHANNEL as WEB_CHANNEL
from bot.staff import messages as msg
from bot.staff import posts
from bot.staff.audit import audit
from bot.staff.views import HandoffView, Renderer
from bot.storage.db import utcnow
from bot.storage.models import UnansweredQuestion
from bot.storage.models.staff import Handoff


def queue_handoffs(session: Session, staff_channel: str, render: Renderer, *, limit: int = 200) -> int:
    """Open a thread for every question a citizen asked to pass to staff."""
    if not staff_channel:
        return 0
    taken = select(Handoff.unanswered_id)
    rows = session.scalars(
        select(UnansweredQuestion)
        .where(
            UnansweredQuestion.handoff_requested.is_(True),
            UnansweredQuestion.status == "handoff",
            UnansweredQuestion.id.not_in(taken),
        )
        .order_by(UnansweredQuestion.id)
        .limit(limit)
    ).all()
    count = 0
    for q in rows:
        h = Handoff(
            unanswered_id=q.id,
            channel=q.channel,
            user_id=q.user_id,
            question=q.text,
            slack_channel=staff_channel,
        )
        try:
            with session.begin_nested():
                session.add(h)
                session.flush()
        except IntegrityError:
            continue
        view = HandoffView(h.id, q.text, q.handoff_requested_at or q.created_at)
        posts.queue_call(
            session,
            "chat.postMessage",
            {"channel": staff_channel, **render.handoff(view)},
            link=f"handoff:{h.id}",
        )
        count += 1
    return count


@dataclass
class HandoffReply:
    found: bool
    delivered: bool = False
    closed: bool = False


def handoff_reply(
    session: Session,
    channel: str,
    thread_ts: str,
    text: str,
    *,
    actor: str,
    notify: Notifier,
    now: datetime | None = None,
) -> HandoffReply:
    """A staff reply in a handoff thread: deliver it to the citizen (on LINE)."""
    now = now or utcnow()
    h = session.scalar(
        select(Handoff).where(Handoff.slack_channel == channel, Handoff.thread_ts == thread_ts)
    )
    if h is None:
        return HandoffReply(found=False)
    if h.status == "closed":
        return HandoffReply(found=True, closed=True)
    delivered = bool(text.strip()) and notify.staff_replied(session, h.channel, h.user_id, h.question, text)
    h.replies += 1
    if h.first_reply_at is None:
        h.first_reply_at = now
    audit(session, actor, "handoff_reply", "handoff", h.id, delivered=delivered, chars=len(text))
    posts.queue_call(
        session,
        "chat.postMessage",
        {
            "channel": channel,
            "thread_ts": thread_ts,
            "text": msg.HANDOFF_DELIVERED
            if delivered
            else (msg.HANDOFF_FROM_WEB if h.channel == WEB_CHANNEL else msg.HANDOFF_CITIZEN_GONE),
        },
    )
    return HandoffReply(found=True, delivered=delivered)


def close_handoff(
    session: Session,
    handoff_id: int,
    *,
    actor: str,
    render: Renderer,
    notify: Notifier,
    message: tuple[str, str] | None = None,
    now: datetime | None = None,
) -> bool:
    """「対応完了」. Returns False when someone closed it already."""
    now = now or utcnow()
    changed = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.status != "closed")
        .values(status="closed", closed_by=actor, closed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        return False
    h = session.get(Handoff, handoff_id)
    session.refresh(h)
    audit(session, actor, "handoff_close", "handoff", h.id)
    session.execute(
        update(UnansweredQuestion)
        .where(UnansweredQuestion.id == h.unanswered_id)
        .values(status="answered" if h.replies else "closed")
        .execution_options(synchronize_session=False)
    )
    notify.handoff_closed(session, h.channel, h.user_id)
    channel, ts = message if message else (h.slack_channel, h.thread_ts)
    if channel and ts:
        view = HandoffView(h.id, h.question, h.created_at, closed_by=actor, closed_at=now)
        posts.queue_call(session, "chat.update", {"channel": channel, "ts": ts, **render.handoff(view)})
    return True
