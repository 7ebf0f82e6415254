"""The registry of citizen groups and the group<->division suggestions made for them.

Service code lives in :mod:`bot.registry.groups` (groups) and :mod:`bot.registry.suggestions` (matching runs);
these classes only describe the tables.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.storage.db import Base, utcnow


class Group(Base):
    """A citizen group (市民活動団体等) as registered on LINE, by staff, or by a CSV import."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Name with legal-form words (NPO法人, 一般社団法人, ...) stripped and folded
    # (knowledge.normalize.fold): the key used for duplicate detection.
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    # One of bot.registry.GROUP_KINDS (canonical name, e.g. "NPO法人", "自治会・町会").
    kind: Mapped[str] = mapped_column(String(40))
    # The citizen's own word when the kind is その他 (「PTAのOB会」); empty otherwise.
    kind_note: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # NPO-law field numbers (1..20), as a sorted JSON list of ints.
    fields: Mapped[list[int]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    # What the group chose to publish on the web corner (団体をさがす): nothing unless it said so.
    listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    public_contact: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # The group agreed to receive the city's collaboration opportunities (協働の募集) on LINE.
    notices_opt_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Who owns the record: "line:<userId>", "slack:<userId>", "import:<file>", ...
    owner: Mapped[str] = mapped_column(String(120), index=True)
    # Id of an existing group this one probably duplicates (flagged, never merged silently).
    # Flagged groups are left out of matching runs until staff resolve the flag.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    # What the last matching run saw: hash of (group profile, division catalogue). A run
    # re-matches the group only when this differs (see bot.registry.suggestions).
    match_fingerprint: Mapped[str | None] = mapped_column(String(64))
    matched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    suggestions: Mapped[list[Suggestion]] = relationship(
        back_populates="group", cascade="all, delete-orphan", passive_deletes=True
    )


class Suggestion(Base):
    """One suggested pairing of a group with a division, made once per pair.

    The fingerprints record what the suggestion was computed from; it is recomputed only when
    the group's profile or the division's entry changed, so divisions are never sent the same
    suggestion twice. ``status`` is the workflow (new -> sent -> taken | passed) and is never
    reset by a refresh; ``stale`` says the latest refresh no longer ranks the pair (the row is
    kept so that a decision already taken on it is not lost).
    """

    __tablename__ = "suggestions"
    __table_args__ = (UniqueConstraint("group_id", "division_id", name="uq_suggestions_group_division"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No separate index: the unique constraint's leading column serves lookups by group.
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    division_id: Mapped[str] = mapped_column(String(40), index=True)
    # 1 = the division the matcher ranked first for this group.
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    # The shared NPO-law fields as the matcher reported them.
    fields: Mapped[list] = mapped_column(JSON, default=list)
    # Japanese, human-readable reasons from the matcher ("分野『環境の保全』が一致", ...).
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    stale: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    group_fingerprint: Mapped[str] = mapped_column(String(64))
    division_fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    group: Mapped[Group] = relationship(back_populates="suggestions")
