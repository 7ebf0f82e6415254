"""What divisions must hear: each new suggestion and each proposal sent on LINE is posted exactly
once to the division's channel (or KYODO_STAFF_CHANNEL when it has none), with the buttons.

Exactly once: an item is claimed by a conditional UPDATE of its status (``new``/``queued`` ->
``sent``) in the same transaction that queues its post, with a unique (kind, ref_id)
notification row, so a second scanner can never queue it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.staff import posts
from bot.staff.audit import audit
from bot.staff.directory import Directory
from bot.staff.handoffs import queue_handoffs
from bot.staff.views import ItemView, Renderer, item_view
from bot.storage.models import Group, Proposal, Suggestion
from bot.storage.models.staff import StaffNotification


@dataclass
class ScanSummary:
    suggestions: int = 0
    proposals: int = 0
    handoffs: int = 0
    skipped: int = 0


def _route(directory: Directory, division_id: str | None, staff_channel: str) -> tuple[str, bool]:
    d = directory.get(division_id)
    if d and d.slack_channel:
        return d.slack_channel, False
    return staff_channel, True


def _queue_item(
    session: Session,
    kind: str,
    ref_id: int,
    division_id: str | None,
    directory: Directory,
    staff_channel: str,
    render: Renderer,
) -> StaffNotification | None:
    channel, unrouted = _route(directory, division_id, staff_channel)
    if not channel:
        return None
    note = StaffNotification(
        kind=kind, ref_id=ref_id, division_id=division_id, slack_channel=channel, unrouted=unrouted
    )
    try:
        with session.begin_nested():
            session.add(note)
            session.flush()
    except IntegrityError:  # already queued by another process
        return None
    view = item_view(session, note, directory)
    if view is None:
        return None
    posts.queue_call(
        session, "chat.postMessage", {"channel": channel, **render.item(view)}, link=f"notification:{note.id}"
    )
    return note


def _claim_and_queue(
    session: Session,
    model: Any,
    pending: str,
    stmt: Any,
    kind: str,
    routable: list[str] | None,
    directory: Directory,
    staff_channel: str,
    render: Renderer,
    limit: int,
) -> tuple[int, int]:
    """Claim each pending row (pending -> sent, conditional, so two scanners never both post it) and
    queue its Slack post; returns (queued, skipped)."""
    if routable is not None:
        stmt = stmt.where(model.division_id.in_(routable))
    queued = skipped = 0
    for row_id, division_id in session.execute(stmt.order_by(model.id).limit(limit)).all():
        claimed = session.execute(
            update(model)
            .where(model.id == row_id, model.status == pending)
            .values(status="sent")
            .execution_options(synchronize_session=False)
        ).rowcount
        if not claimed:
            continue
        if _queue_item(session, kind, row_id, division_id, directory, staff_channel, render):
            queued += 1
        else:
            skipped += 1
    return queued, skipped


def queue_new_items(
    session: Session, directory: Directory, staff_channel: str, render: Renderer, *, limit: int = 200
) -> ScanSummary:
    """Queue a Slack post for every new suggestion and queued proposal (and handoff request)."""
    summary = ScanSummary()
    # Without a staff channel, only items for divisions with their own channel can go out; the
    # others stay unclaimed (status new/queued) until KYODO_STAFF_CHANNEL is set.
    routable = None if staff_channel else [d.id for d in directory.by_id.values() if d.slack_channel]
    suggestions = (
        select(Suggestion.id, Suggestion.division_id)
        .join(Group, Group.id == Suggestion.group_id)
        .where(Suggestion.status == "new", Suggestion.stale.is_(False), Group.duplicate_of_id.is_(None))
    )
    summary.suggestions, skipped = _claim_and_queue(
        session,
        Suggestion,
        "new",
        suggestions,
        "suggestion",
        routable,
        directory,
        staff_channel,
        render,
        limit,
    )
    summary.skipped += skipped
    # Proposals queued by the LINE consultation flow.
    proposals = select(Proposal.id, Proposal.division_id).where(Proposal.status == "queued")
    summary.proposals, skipped = _claim_and_queue(
        session, Proposal, "queued", proposals, "proposal", routable, directory, staff_channel, render, limit
    )
    summary.skipped += skipped
    summary.handoffs = queue_handoffs(session, staff_channel, render, limit=limit)
    return summary


def open_item(
    session: Session, notification_id: int | None, actor: str, directory: Directory
) -> ItemView | None:
    """「詳細」: the item's full record, or None if it is gone. Who looked is audited (the modal
    shows the group's contact details)."""
    note = session.get(StaffNotification, notification_id)
    view = item_view(session, note, directory) if note else None
    if view is None:
        return None
    audit(session, actor, "detail", note.kind, note.ref_id)
    return view
