"""Collaborations (協働の記録, issue 14): what a division and a group agreed to do together once the
division took up a proposal or a suggestion (「担当する」).

``status``: discussing (協議中) -> agreed (合意) -> running (実施中) -> done (完了) / cancelled (中止).
The group agrees on LINE; staff move the other steps in Slack (audited). Like the staff tables,
rows refer to groups, proposals and notifications by id without foreign keys (the record outlives
the citizen data); ``user_id`` (whom to push to) is cleared when the citizen's data is deleted.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.db import Base, utcnow

#: Statuses in order; the last two are final.
STATUSES = ("discussing", "agreed", "running", "done", "cancelled")
FINAL = ("done", "cancelled")
#: 後援・共催・委託・補助・実行委員会・事業協力・その他 (labels in the messages modules).
FORMS = ("koen", "kyosai", "itaku", "hojo", "jikko", "kyoryoku", "other")
#: Was the goal reached: 達成 / 一部 / 未達.
GOALS = ("reached", "partly", "not")
#: The principles scored 1-5: 対等性・自主性の尊重, 相互理解, 役割分担・責任の明確化, 目的・目標の共有化.
PRINCIPLES = ("equality", "understanding", "roles", "goals")
SIDES = ("city", "group")


class Collaboration(Base):
    __tablename__ = "collaborations"
    __table_args__ = (UniqueConstraint("notification_id", name="uq_collaborations_notification"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(Integer)  # staff_notifications.id (one per take)
    source_kind: Mapped[str] = mapped_column(String(20))  # "proposal" | "suggestion"
    source_id: Mapped[int] = mapped_column(Integer, index=True)
    group_id: Mapped[int | None] = mapped_column(Integer, index=True)
    group_name: Mapped[str] = mapped_column(String(200), default="")
    division_id: Mapped[str | None] = mapped_column(String(40), index=True)
    division_name: Mapped[str] = mapped_column(String(120), default="")
    channel: Mapped[str] = mapped_column(String(20), default="")  # the group's channel ("line")
    user_id: Mapped[str | None] = mapped_column(String(120), index=True)  # NULL once erased
    form: Mapped[str] = mapped_column(String(20), default="other")
    purpose: Mapped[str] = mapped_column(Text, default="")  # 目的
    goal_what: Mapped[str] = mapped_column(Text, default="")  # 目標: 何を
    goal_by: Mapped[str] = mapped_column(String(100), default="")  # いつまでに
    goal_amount: Mapped[str] = mapped_column(String(200), default="")  # どれだけ
    role_city: Mapped[str] = mapped_column(Text, default="")  # 役割分担: 市
    role_group: Mapped[str] = mapped_column(Text, default="")  # 役割分担: 団体
    period: Mapped[str] = mapped_column(String(100), default="")  # 期間 (free text)
    # 終了予定日: once it has passed (Japan time) while 合意/実施中, the evaluation opens by itself
    # (bot/staff/collaborations.py: open_due_evaluations); the status does not change.
    ends_on: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="discussing", index=True)
    # True once the division saved the form (the group is asked to agree only then).
    filled: Mapped[bool] = mapped_column(Boolean, default=False)
    slack_channel: Mapped[str] = mapped_column(String(40), default="")
    thread_ts: Mapped[str | None] = mapped_column(String(40))  # the division's thread
    agreed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Evaluation by both sides (第3章(3)): asked when 完了 (or the day after 終了予定日), reminded at most twice, the answers
    # shown to the other side once both answered or the deadline passed (revealed).
    eval_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    eval_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    eval_reminders: Mapped[int] = mapped_column(Integer, default=0)
    eval_revealed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class CollaborationEvaluation(Base):
    """One side's evaluation of a finished collaboration (the same questions for both sides)."""

    __tablename__ = "collaboration_evaluations"
    __table_args__ = (UniqueConstraint("collaboration_id", "side", name="uq_collaboration_evaluations_side"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collaboration_id: Mapped[int] = mapped_column(Integer, index=True)
    side: Mapped[str] = mapped_column(String(10))  # "city" | "group"
    goal: Mapped[str] = mapped_column(String(10))  # reached | partly | not
    equality: Mapped[int] = mapped_column(Integer)
    understanding: Mapped[int] = mapped_column(Integer)
    roles: Mapped[int] = mapped_column(Integer)
    goals: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str] = mapped_column(String(40), default="")  # Slack user id (city side)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
