"""The staff audit log: who did what and when (never updated, never deleted with citizen data)."""

from __future__ import annotations

from typing import Any

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
