"""Opportunities (協働の募集, issue 14 step 3): a division looks for groups to work with.

A division writes one in Slack (``/kyodo 募集``): title, fields, what is sought, deadline, form.
The matcher's ranking of the groups that agreed to receive notices is kept as one
``opportunity_recipients`` row per group (rank, score, reasons); staff send it (「送信」), and each
row then says what became of that group: ``sent`` (pushed through the outbox), ``capped`` (the
group had its monthly number of notices already), ``stopped`` (the group stopped notices since) or
``unreachable`` (its LINE user unfollowed or deleted their data). A group answers 「関心あり」 on
LINE: ``interested_at``, and the division hears it in the opportunity's thread.

Like the staff tables, rows refer to groups by id without foreign keys (the record outlives the
citizen data); ``user_id`` (whom to push to) is cleared when the citizen's data is deleted.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.db import Base, utcnow

#: draft (ranked, not sent) -> sent -> closed (staff closed it, or its deadline passed).
STATUSES = ("draft", "sent", "closed")
#: What became of one group when the opportunity was sent.
RECIPIENT_STATUSES = ("listed", "sent", "capped", "stopped", "unreachable")


class Opportunity(Base):
    __tablename__ = "opportunities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    division_id: Mapped[str | None] = mapped_column(String(40), index=True)
    division_name: Mapped[str] = mapped_column(String(120), default="")
    title: Mapped[str] = mapped_column(String(100), default="")
    fields: Mapped[list[int]] = mapped_column(JSON, default=list)  # NPO-law field numbers
    sought: Mapped[str] = mapped_column(Text, default="")  # what the division looks for
    deadline: Mapped[date | None] = mapped_column(Date)  # last day (Japan time) to answer
    form: Mapped[str] = mapped_column(String(20), default="other")  # collaborations.FORMS
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    created_by: Mapped[str] = mapped_column(String(40), default="")  # Slack user id
    slack_channel: Mapped[str] = mapped_column(String(40), default="")
    message_ts: Mapped[str | None] = mapped_column(String(40))  # the list's post: 関心あり's thread
    sent_by: Mapped[str | None] = mapped_column(String(40))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class OpportunityRecipient(Base):
    """One ranked group of an opportunity, and what became of it."""

    __tablename__ = "opportunity_recipients"
    __table_args__ = (UniqueConstraint("opportunity_id", "group_id", name="uq_opportunity_recipients_group"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(Integer, index=True)
    group_id: Mapped[int] = mapped_column(Integer, index=True)
    group_name: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[str] = mapped_column(String(20), default="")  # the group owner's channel ("line")
    user_id: Mapped[str | None] = mapped_column(String(120), index=True)  # NULL once erased
    rank: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="listed")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    interested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
