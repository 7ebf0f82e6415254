"""Tables of the staff side (Slack): what was posted to divisions, who decided what, handoffs,
staff additions to the FAQ, and staff members' divisions. (Slack events and posts travel the one
durable path: ``inbox_events`` / ``outbox_messages``, bot/storage/models/messaging.py.)

Rows refer to groups, suggestions, proposals and unanswered questions by id without foreign keys:
the staff record (audit log above all) must outlive the citizen data it talks about, which is
deleted on request.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.db import Base, utcnow


class StaffNotification(Base):
    """One item posted to a division's channel (a suggestion or a proposal), posted exactly once.

    ``status``: pending (queued in the outbox) -> posted (ts known) -> decided. ``decision`` is
    "taken" | "passed" once a member of staff clicked; the source row (suggestion/proposal) is
    moved with a conditional UPDATE, so two simultaneous clicks cannot both win.
    """

    __tablename__ = "staff_notifications"
    __table_args__ = (UniqueConstraint("kind", "ref_id", name="uq_staff_notifications_kind_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "suggestion" | "proposal"
    ref_id: Mapped[int] = mapped_column(Integer)
    division_id: Mapped[str | None] = mapped_column(String(40), index=True)
    slack_channel: Mapped[str] = mapped_column(String(40))
    # True when the division has no channel and the item went to KYODO_STAFF_CHANNEL instead.
    unrouted: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    message_ts: Mapped[str | None] = mapped_column(String(40))
    decision: Mapped[str | None] = mapped_column(String(20))
    decided_by: Mapped[str | None] = mapped_column(String(40))  # Slack user id
    decided_by_name: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StaffAuditEntry(Base):
    """Who did what and when, on the staff side. Never updated, never deleted with citizen data."""

    __tablename__ = "staff_audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(40))  # Slack user id
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    # take | pass | detail | lost_race | handoff_reply | handoff_close | faq_add | division_set
    action: Mapped[str] = mapped_column(String(30))
    target_kind: Mapped[str] = mapped_column(String(20))  # suggestion | proposal | handoff | faq | user
    target_id: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class Handoff(Base):
    """A citizen's question passed to staff: one thread in KYODO_STAFF_CHANNEL.

    status: pending (thread being opened) -> open (ts known) -> closed.
    """

    __tablename__ = "handoffs"
    __table_args__ = (UniqueConstraint("unanswered_id", name="uq_handoffs_unanswered_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unanswered_id: Mapped[int] = mapped_column(Integer)  # unanswered_questions.id
    channel: Mapped[str] = mapped_column(String(20))  # citizen's channel ("line")
    user_id: Mapped[str | None] = mapped_column(String(120), index=True)  # NULL once anonymised
    question: Mapped[str] = mapped_column(Text, default="")
    slack_channel: Mapped[str] = mapped_column(String(40))
    thread_ts: Mapped[str | None] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    replies: Mapped[int] = mapped_column(Integer, default=0)
    first_reply_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(40))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StaffFaqEntry(Base):
    """A question and answer written by staff (App Home 「FAQに追加」), used beside the shipped FAQ."""

    __tablename__ = "staff_faq_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    phrasings: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer: Mapped[str] = mapped_column(Text)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)  # guideline section ids
    created_by: Mapped[str] = mapped_column(String(40))
    # The unanswered question it was written for (all its twins are closed with it).
    from_unanswered_id: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Last edit or retirement from Slack (audited); the answerer rebuilds when it changes.
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StaffQuestion(Base):
    """A question staff asked the bot in Slack (`/kyodo <質問>` or a mention): counted in the
    report apart from citizens' questions. No text and no user: only the outcome and the time."""

    __tablename__ = "staff_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class StaffMember(Base):
    """A Slack user's division (set with `/kyodo 所属 <課名>`), for App Home."""

    __tablename__ = "staff_members"

    slack_user_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    division_id: Mapped[str] = mapped_column(String(40))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
