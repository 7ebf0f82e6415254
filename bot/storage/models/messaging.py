"""The durable message path, one set of tables for every channel (LINE, Slack): inbox (events
received), outbox (messages to send), attempts.

A webhook only inserts into ``inbox_events`` (unique on platform + event id, so a redelivered
event is dropped by the database itself). Processing turns one inbox row into outbox rows in a
single transaction. Delivery claims outbox rows with a lease, sends them, and writes one
``delivery_attempts`` row per request, so every retry is visible after the fact.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.db import Base, utcnow


class InboxEvent(Base):
    __tablename__ = "inbox_events"
    __table_args__ = (UniqueConstraint("platform", "event_id", name="uq_inbox_events_platform_event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))  # the channel's name: "line" | "slack"
    # LINE webhookEventId (or a digest of the event, see handlers/line/webhook.py); Slack event_id.
    event_id: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict] = mapped_column(JSON)  # the event exactly as received (one element of events[])
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
        # "Is an older message for this destination still pending?" (per-destination order).
        Index("ix_outbox_messages_destination_status", "destination", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))  # which sender delivers it: "line" | "slack"
    # LINE: the userId, or the groupId / roomId of a group chat. Slack: the channel id.
    destination: Mapped[str] = mapped_column(String(100))
    reply_token: Mapped[str | None] = mapped_column(String(200))
    reply_token_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Platform message objects, already rendered and checked against the platform's limits
    # (LINE: 1-5 message objects; Slack: one Web API call, {"method": ..., "args": {...}}).
    messages: Mapped[list] = mapped_column(JSON)
    # Sent as X-Line-Retry-Key on pushes so that a retried push is never delivered twice.
    retry_key: Mapped[str] = mapped_column(String(36), unique=True)
    # pending -> delivered | failed | cancelled (user unfollowed before delivery)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    # An attempt may have been carried out without our knowing (timeout, 5xx): the sender checks
    # before sending again where the platform lets it.
    uncertain: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the channel records the sent message's reference on ("notification:<id>", ...), and
    # that reference (Slack's message ts).
    link: Mapped[str] = mapped_column(String(60), default="")
    result_ref: Mapped[str | None] = mapped_column(String(60))
    inbox_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbox_events.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    method: Mapped[str] = mapped_column(String(40))  # "reply" | "push" | "chat.postMessage" | ...
    status_code: Mapped[int | None] = mapped_column(Integer)  # None: no HTTP answer (timeout, refused)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[float] = mapped_column(Float)
