"""The staff audit log: who did what and when (never updated, never deleted with citizen data)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models.staff import StaffAuditEntry


def audit(
    session: Session, actor: str, action: str, target_kind: str, target_id: Any, *, name: str = "", **detail
) -> None:
    session.add(
        StaffAuditEntry(
            actor=actor,
            actor_name=name,
            action=action,
            target_kind=target_kind,
            target_id=str(target_id),
            detail=detail,
        )
    )


def cli_actor() -> str:
    """Who runs a CLI action, for the audit log: ``cli:<login name>`` (``cli`` if unknown)."""
    import getpass

    try:
        name = getpass.getuser()
    except Exception:  # no login name in some containers
        return "cli"
    return f"cli:{name}"[:40]


def entries(
    session: Session, *, since: datetime | None = None, limit: int | None = None
) -> list[StaffAuditEntry]:
    """The audit log, oldest first, from ``since`` (UTC) on; the last ``limit`` entries if given."""
    stmt = select(StaffAuditEntry)
    if since is not None:
        stmt = stmt.where(StaffAuditEntry.at >= since)
    if limit is not None:
        rows = list(session.scalars(stmt.order_by(StaffAuditEntry.id.desc()).limit(limit)))
        return rows[::-1]
    return list(session.scalars(stmt.order_by(StaffAuditEntry.id)))
