"""「担当する」/「見送る」: a division's decision on an item, and what follows from it.

A decision is a conditional UPDATE ``... WHERE status = 'sent'``: of two simultaneous clicks
exactly one changes a row; the winner's click records the audit entry, updates the Slack post
and tells the citizen, all in one transaction; the other person is told who won.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.engine.notify import Notifier
from bot.staff import collaborations, posts
from bot.staff import messages as msg
from bot.staff.audit import audit
from bot.staff.directory import Directory
from bot.staff.mrkdwn import escape_mrkdwn
from bot.staff.views import ItemView, Renderer, item_view
from bot.storage.db import utcnow
from bot.storage.models import Proposal, Suggestion
from bot.storage.models.staff import StaffNotification


@dataclass
class Decision:
    won: bool
    gone: bool = False
    winner_name: str = ""
    winner_id: str = ""
    view: ItemView | None = None


SOURCE_STATUS = {
    ("suggestion", "take"): "taken",
    ("suggestion", "pass"): "passed",
    ("proposal", "take"): "accepted",
    ("proposal", "pass"): "declined",
}


def decide(
    session: Session,
    notification_id: int,
    action: str,
    *,
    actor: str,
    actor_name: str,
    message: tuple[str, str] | None,
    directory: Directory,
    render: Renderer,
    notify: Notifier,
    now: datetime | None = None,
) -> Decision:
    """「担当する」/「見送る」: one conditional UPDATE decides who wins; see module doc."""
    now = now or utcnow()
    note = session.get(StaffNotification, notification_id)
    if note is None or note.status == "erased" or action not in ("take", "pass"):
        return Decision(won=False, gone=True)
    new_status = SOURCE_STATUS[(note.kind, action)]
    model = Suggestion if note.kind == "suggestion" else Proposal
    changed = session.execute(
        update(model)
        .where(model.id == note.ref_id, model.status == "sent")
        .values(status=new_status)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        session.refresh(note)
        exists = session.get(model, note.ref_id) is not None
        if not exists:
            return Decision(won=False, gone=True)
        return Decision(won=False, winner_name=note.decided_by_name or "", winner_id=note.decided_by or "")
    session.execute(
        update(StaffNotification)
        .where(StaffNotification.id == note.id)
        .values(
            decision="taken" if action == "take" else "passed",
            decided_by=actor,
            decided_by_name=actor_name,
            decided_at=now,
            status="decided",
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(note)
    audit(session, actor, action, note.kind, note.ref_id, name=actor_name, notification=note.id)
    view = item_view(session, note, directory)
    channel, ts = message if message else (note.slack_channel, note.message_ts)
    if view is not None and channel and ts:
        posts.queue_call(session, "chat.update", {"channel": channel, "ts": ts, **render.item(view)})
    if view is not None:
        _notify_citizen(session, note, view, action == "take", notify)
    if view is not None and action == "take":
        collaborations.open_for(
            session, note, view, actor=actor, actor_name=actor_name, render=render, now=now
        )
    return Decision(won=True, winner_name=actor_name, winner_id=actor, view=view)


def decision_notice(result: Decision) -> str | None:
    """What the person who clicked is told when their click did not decide the item (None: it did)."""
    if result.won:
        return None
    if result.gone:
        return msg.ITEM_GONE
    if result.winner_name:
        return msg.ALREADY_DECIDED.format(name=escape_mrkdwn(result.winner_name))
    return msg.ALREADY_DECIDED_UNKNOWN


def _notify_citizen(
    session: Session, note: StaffNotification, view: ItemView, taken: bool, notify: Notifier
) -> None:
    """Tell the group or the proposer (through the outbox, in this transaction)."""
    if note.kind == "suggestion":
        s = session.get(Suggestion, note.ref_id)
        if s is not None:
            notify.group_decided(session, s.group, division=view.division_name, taken=taken)
    else:
        p = session.get(Proposal, note.ref_id)
        if p is not None:
            notify.proposal_decided(session, p, taken=taken, division=view.division_name)
