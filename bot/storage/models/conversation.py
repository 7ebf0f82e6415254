"""Tables owned by the conversation engine (bot/engine).

Everything here belongs to one chat user, identified by (channel, user_id), so that the whole of a
person's data can be found, deleted or anonymised on request (see bot/engine/retention.py).
Every table carries an audit-friendly ``created_at``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.db import Base, utcnow


class ChatUser(Base):
    """A person who talks to the bot on some channel (LINE, terminal, later Slack)."""

    __tablename__ = "chat_users"
    __table_args__ = (UniqueConstraint("channel", "user_id", name="uq_chat_users_channel_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(120))
    # True while the user follows the official account (LINE); pushes go only to followers.
    followed: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set on unfollow: no reply and no push is sent to a blocked user.
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When the user's data was deleted (on request) or anonymised (after the retention period).
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # "en" or "ja" once known (「English」/「日本語」, or the platform profile); None: each message
    # is answered in its own language (issue 15).
    language: Mapped[str | None] = mapped_column(String(8))


class Conversation(Base):
    """Where a user is in a guided flow. At most one per user; expired rows are ignored."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "user_id", name="uq_conversations_channel_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(120))
    flow: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(40))
    # What the flow has collected so far (answers, draft fields); JSON-serialisable values only.
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Feedback(Base):
    """A question the bot answered, and whether the asker found the answer helpful."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    # NULL once anonymised.
    user_id: Mapped[str | None] = mapped_column(String(120), index=True)
    question: Mapped[str] = mapped_column(Text, default="")
    faq_id: Mapped[str | None] = mapped_column(String(80), index=True)
    # Section ids cited in the answer.
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    # NULL until the user taps はい／いいえ.
    helpful: Mapped[bool | None] = mapped_column(Boolean)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The 「もしかして」 question (unanswered_questions.id) this answer was reached through: the
    # two rows are one question, counted once in the report (bot/staff/report.py).
    via_unanswered_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class UnansweredQuestion(Base):
    """A question the bot could not answer confidently; optionally handed off to city staff.

    status: "open" (logged only) -> "handoff" (the user asked for a person; the Slack side picks
    these up) -> "answered" | "closed".
    """

    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str | None] = mapped_column(String(120), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    # Why the answerer abstained ("no_match", "unsure", ...), for tuning the FAQ.
    reason: Mapped[str] = mapped_column(String(40), default="")
    # Up to three "もしかして" candidates shown to the user.
    suggestions: Mapped[list[str]] = mapped_column(JSON, default=list)
    handoff_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    handoff_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class EligibilityCheck(Base):
    """The outcome of one 対象チェック (the four conditions of 第2章(2))."""

    __tablename__ = "eligibility_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str | None] = mapped_column(String(120), index=True)
    # {"public_benefit": "yes" | "no" | "unknown", ...} in the order asked.
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # "eligible" | "not_eligible" | "unclear"
    outcome: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Proposal(Base):
    """A group's proposal for collaboration, queued for a division (delivered by the Slack side).

    division_id NULL means the citizen chose 「市に任せる」: staff route it. status: "queued" ->
    "sent" -> "accepted" | "declined" | "closed".
    """

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Human-facing reference such as KY-2026-000123 (year of submission + zero-padded id).
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"), index=True)
    # Snapshot of the group's name at submission, so the proposal stays readable if the group goes.
    group_name: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str | None] = mapped_column(String(120), index=True)
    division_id: Mapped[str | None] = mapped_column(String(40), index=True)
    division_name: Mapped[str] = mapped_column(String(120), default="")
    # Reasons the matcher gave for the chosen division (empty for 市に任せる).
    match_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    purpose: Mapped[str] = mapped_column(Text, default="")  # 目的 (原則④)
    goal: Mapped[str] = mapped_column(Text, default="")  # 目標: いつまでに・どれだけ (原則④)
    role_city: Mapped[str] = mapped_column(Text, default="")  # 市に期待すること (原則③)
    role_group: Mapped[str] = mapped_column(Text, default="")  # 団体がすること (原則③)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
