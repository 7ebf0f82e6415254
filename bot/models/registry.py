"""The registry of citizen groups and the group<->division suggestions made for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, utcnow


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Normalised name (knowledge.normalize) used for exact and fuzzy duplicate detection.
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    # NPO-law field numbers (1..20), as a JSON list of ints.
    fields: Mapped[list[int]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    # Who owns the record: "line:<userId>", "slack:<userId>", "import:<file>", ...
    owner: Mapped[str] = mapped_column(String(120), index=True)
    # Id of an existing group this one probably duplicates (flagged, never merged silently).
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    suggestions: Mapped[list[Suggestion]] = relationship(
        back_populates="group", cascade="all, delete-orphan", passive_deletes=True
    )


class Suggestion(Base):
    """One suggested pairing of a group with a division, made once per pair.

    The fingerprints record what the suggestion was computed from; it is recomputed (and may be
    re-sent) only when the group's profile or the division's entry changed, so divisions are
    never sent the same suggestion twice.
    """

    __tablename__ = "suggestions"
    __table_args__ = (UniqueConstraint("group_id", "division_id", name="uq_suggestions_group_division"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    division_id: Mapped[str] = mapped_column(String(40), index=True)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    # new -> sent -> taken | passed ; "stale" when a refresh no longer ranks the pair.
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    group_fingerprint: Mapped[str] = mapped_column(String(64))
    division_fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    group: Mapped[Group] = relationship(back_populates="suggestions")
