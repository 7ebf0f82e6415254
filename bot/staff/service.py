"""The staff side's business logic: what divisions are told, what a click does, handoffs and
staff members' divisions. Synchronous, one SQLAlchemy session per call, no Slack SDK:
handlers/slack.py and bot/slack_runtime.py call these from worker threads, and
handlers/slack_blocks.py renders the results (through :class:`Renderer`). What staff only read
(App Home, the report, look-ups) is in bot/slack_lookups.py; the FAQ staff add, in
bot/staff_faq.py.

Exactly-once rules kept here:

* an item (suggestion, proposal) is queued for Slack by a conditional UPDATE of its status
  (``new``/``queued`` -> ``sent``) in the same transaction that inserts the outbox row, and a
  unique (kind, ref_id) notification row, so a second scanner can never queue it again;
* a decision is a conditional UPDATE ``... WHERE status = 'sent'``: of two simultaneous clicks
  exactly one changes a row; the other is told who won.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.staff import messages as msg
from bot.staff import posts as slack_outbox
from bot.storage.db import utcnow
from bot.storage.models import ChatUser, Group, Proposal, Suggestion, UnansweredQuestion
from bot.storage.models.staff import Handoff, StaffAuditEntry, StaffMember, StaffNotification

log = logging.getLogger(__name__)

JST = __import__("zoneinfo").ZoneInfo("Asia/Tokyo")


# --- divisions -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DivisionInfo:
    id: str
    name: str
    slack_channel: str = ""


class Directory:
    """Divisions by id, with their Slack channel (from the matching library's divisions data)."""

    def __init__(self, divisions: Iterable[DivisionInfo]):
        self.by_id = {d.id: d for d in divisions}

    def get(self, division_id: str | None) -> DivisionInfo | None:
        return self.by_id.get(division_id or "")

    def name(self, division_id: str | None) -> str:
        d = self.get(division_id)
        return d.name if d else (division_id or "")

    def find(self, text: str) -> DivisionInfo | None:
        """A division by (typo-tolerant) name or id, for `/kyodo 所属 <課名>`."""
        from rapidfuzz import fuzz, process

        from knowledge.normalize import fold

        key = fold(text.strip())
        if not key or not self.by_id:
            return None
        for d in self.by_id.values():
            if key in (fold(d.name), fold(d.id)):
                return d
        choices = {d.id: fold(d.name) for d in self.by_id.values()}
        hit = process.extractOne(key, choices, scorer=fuzz.WRatio, score_cutoff=85)
        return self.by_id[hit[2]] if hit else None

    @classmethod
    def from_matching(cls) -> Directory:
        """The shipped divisions directory. Tolerant of attribute names while the library settles."""
        try:
            from matching import Matcher

            divisions = Matcher.load().divisions
        except Exception:  # the staff side must run even when the directory cannot be read
            log.exception("could not load the divisions directory from the matching library")
            return cls([])
        out = [
            DivisionInfo(id=d.id, name=d.ka or d.name, slack_channel=(d.slack_channel or "").strip())
            for d in divisions
        ]
        return cls(out)


# --- rendering seam --------------------------------------------------------------------------------
@dataclass
class ItemView:
    """Everything a division's message shows; rendered to Block Kit by handlers/slack_blocks.py."""

    notification_id: int
    kind: str  # "suggestion" | "proposal"
    ref_id: int
    group_name: str
    group_kind: str = ""
    fields: list[str] = field(default_factory=list)
    description: str = ""
    division_name: str = ""
    reasons: list[str] = field(default_factory=list)
    unrouted: bool = False
    city_decides: bool = False
    reference: str = ""
    purpose: str = ""
    goal: str = ""
    role_city: str = ""
    role_group: str = ""
    contact: str = ""
    decision: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None


@dataclass
class HandoffView:
    handoff_id: int
    question: str
    asked_at: datetime
    closed_by: str | None = None
    closed_at: datetime | None = None


class Renderer:
    """What the service needs from the Block Kit layer (handlers/slack_blocks.py implements it)."""

    def item(self, view: ItemView) -> dict[str, Any]:  # -> {"text": ..., "blocks": [...]}
        raise NotImplementedError

    def handoff(self, view: HandoffView) -> dict[str, Any]:
        raise NotImplementedError

    def answer(
        self, text: str, sources: list[tuple[str, str]], suggestions: list[str], answered: bool
    ) -> dict[str, Any]:
        raise NotImplementedError

    def plain(self, text: str) -> dict[str, Any]:
        raise NotImplementedError


def field_labels() -> dict[int, str]:
    try:
        from bot.registry.groups import field_labels as labels

        return labels()
    except Exception:
        return {}


def when(dt: datetime | None) -> str:
    if dt is None:
        return ""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(JST).strftime("%-m月%-d日 %H:%M")


def line_user_of_owner(owner: str | None) -> str | None:
    """Group.owner is "line:<userId>" for groups registered on LINE; others get no push."""
    if owner and owner.startswith("line:"):
        return owner[len("line:") :]
    return None


# --- item views ----------------------------------------------------------------------------------
def item_view(session: Session, note: StaffNotification, directory: Directory) -> ItemView | None:
    labels = field_labels()
    if note.kind == "suggestion":
        s = session.get(Suggestion, note.ref_id)
        if s is None:
            return None
        g = s.group
        view = ItemView(
            notification_id=note.id,
            kind="suggestion",
            ref_id=s.id,
            group_name=g.name,
            group_kind=g.kind,
            fields=[labels.get(n, str(n)) for n in (g.fields or [])],
            description=g.description,
            division_name=directory.name(s.division_id),
            reasons=list(s.reasons or []),
            contact=g.contact,
        )
    else:
        p = session.get(Proposal, note.ref_id)
        if p is None:
            return None
        g = session.get(Group, p.group_id) if p.group_id else None
        view = ItemView(
            notification_id=note.id,
            kind="proposal",
            ref_id=p.id,
            group_name=p.group_name or (g.name if g else ""),
            group_kind=g.kind if g else "",
            fields=[labels.get(n, str(n)) for n in ((g.fields if g else None) or [])],
            description=g.description if g else "",
            division_name=p.division_name or directory.name(p.division_id),
            reasons=list(p.match_reasons or []),
            city_decides=p.division_id is None,
            reference=p.reference,
            purpose=p.purpose,
            goal=p.goal,
            role_city=p.role_city,
            role_group=p.role_group,
            contact=g.contact if g else "",
        )
    view.unrouted = note.unrouted
    view.decision = note.decision
    view.decided_by = note.decided_by
    view.decided_at = note.decided_at
    return view


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


# --- queueing what divisions must hear ---------------------------------------------------------
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
    slack_outbox.enqueue(
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


# --- decisions (button clicks) -----------------------------------------------------------------
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
    now: datetime | None = None,
) -> Decision:
    """「担当する」/「見送る」: one conditional UPDATE decides who wins; see module doc."""
    now = now or utcnow()
    note = session.get(StaffNotification, notification_id)
    if note is None or action not in ("take", "pass"):
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
        slack_outbox.enqueue(session, "chat.update", {"channel": channel, "ts": ts, **render.item(view)})
    if view is not None:
        _notify_citizen(session, note, view, action)
    return Decision(won=True, winner_name=actor_name, winner_id=actor, view=view)


def decision_notice(result: Decision) -> str | None:
    """What the person who clicked is told when their click did not decide the item (None: it did)."""
    if result.won:
        return None
    if result.gone:
        return msg.ITEM_GONE
    if result.winner_name:
        return msg.ALREADY_DECIDED.format(name=result.winner_name)
    return msg.ALREADY_DECIDED_UNKNOWN


def _notify_citizen(session: Session, note: StaffNotification, view: ItemView, action: str) -> None:
    """Tell the group on LINE (through the LINE outbox, in this transaction)."""
    if note.kind == "suggestion":
        s = session.get(Suggestion, note.ref_id)
        user = line_user_of_owner(s.group.owner if s else None)
        text = (msg.LINE_TAKEN if action == "take" else msg.LINE_PASSED).format(
            group=view.group_name, division=view.division_name
        )
    else:
        p = session.get(Proposal, note.ref_id)
        user = p.user_id if p is not None and p.channel == "line" else None
        text = (msg.LINE_PROPOSAL_TAKEN if action == "take" else msg.LINE_PROPOSAL_PASSED).format(
            reference=view.reference, division=view.division_name
        )
    if user:
        push_line(session, user, text)


def push_line(session: Session, user_id: str, text: str) -> bool:
    """Queue a LINE push through the transport's outbox; False if the user blocked the account."""
    cu = session.scalar(select(ChatUser).where(ChatUser.channel == "line", ChatUser.user_id == user_id))
    if cu is not None and (cu.blocked or cu.deleted_at is not None):
        return False
    from bot.engine.types import Reply
    from bot.messaging.outbox import enqueue_push

    return enqueue_push(session, channel="line", user_id=user_id, replies=[Reply(text=text)]) is not None


def record_posted(session: Session, link: str, ts: str) -> None:
    """Called by the outbox when a post was delivered: remember where the message is."""
    kind, _, ident = link.partition(":")
    if not ident.isdigit():
        return
    if kind == "notification":
        session.execute(
            update(StaffNotification)
            .where(StaffNotification.id == int(ident))
            .values(message_ts=ts)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(StaffNotification)
            .where(StaffNotification.id == int(ident), StaffNotification.status == "pending")
            .values(status="posted")
            .execution_options(synchronize_session=False)
        )
    elif kind == "handoff":
        session.execute(
            update(Handoff)
            .where(Handoff.id == int(ident))
            .values(thread_ts=ts, status="open")
            .execution_options(synchronize_session=False)
        )


# --- handoffs ----------------------------------------------------------------------------------------
def queue_handoffs(session: Session, staff_channel: str, render: Renderer, *, limit: int = 200) -> int:
    """Open a thread for every question a citizen asked to pass to staff."""
    if not staff_channel:
        return 0
    taken = select(Handoff.unanswered_id)
    rows = session.scalars(
        select(UnansweredQuestion)
        .where(
            UnansweredQuestion.handoff_requested.is_(True),
            UnansweredQuestion.status == "handoff",
            UnansweredQuestion.id.not_in(taken),
        )
        .order_by(UnansweredQuestion.id)
        .limit(limit)
    ).all()
    count = 0
    for q in rows:
        h = Handoff(
            unanswered_id=q.id,
            channel=q.channel,
            user_id=q.user_id,
            question=q.text,
            slack_channel=staff_channel,
        )
        try:
            with session.begin_nested():
                session.add(h)
                session.flush()
        except IntegrityError:
            continue
        view = HandoffView(h.id, q.text, q.handoff_requested_at or q.created_at)
        slack_outbox.enqueue(
            session,
            "chat.postMessage",
            {"channel": staff_channel, **render.handoff(view)},
            link=f"handoff:{h.id}",
        )
        count += 1
    return count


@dataclass
class HandoffReply:
    found: bool
    delivered: bool = False
    closed: bool = False


def handoff_reply(
    session: Session, channel: str, thread_ts: str, text: str, *, actor: str, now: datetime | None = None
) -> HandoffReply:
    """A staff reply in a handoff thread: deliver it to the citizen on LINE."""
    now = now or utcnow()
    h = session.scalar(
        select(Handoff).where(Handoff.slack_channel == channel, Handoff.thread_ts == thread_ts)
    )
    if h is None:
        return HandoffReply(found=False)
    if h.status == "closed":
        return HandoffReply(found=True, closed=True)
    delivered = False
    if h.user_id and h.channel == "line" and text.strip():
        delivered = push_line(session, h.user_id, msg.LINE_HANDOFF_REPLY.format(text=text.strip()))
    h.replies += 1
    if h.first_reply_at is None:
        h.first_reply_at = now
    audit(session, actor, "handoff_reply", "handoff", h.id, delivered=delivered, chars=len(text))
    slack_outbox.enqueue(
        session,
        "chat.postMessage",
        {
            "channel": channel,
            "thread_ts": thread_ts,
            "text": msg.HANDOFF_DELIVERED if delivered else msg.HANDOFF_CITIZEN_GONE,
        },
    )
    return HandoffReply(found=True, delivered=delivered)


def close_handoff(
    session: Session,
    handoff_id: int,
    *,
    actor: str,
    render: Renderer,
    message: tuple[str, str] | None = None,
    now: datetime | None = None,
) -> bool:
    """「対応完了」. Returns False when someone closed it already."""
    now = now or utcnow()
    changed = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.status != "closed")
        .values(status="closed", closed_by=actor, closed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        return False
    h = session.get(Handoff, handoff_id)
    session.refresh(h)
    audit(session, actor, "handoff_close", "handoff", h.id)
    session.execute(
        update(UnansweredQuestion)
        .where(UnansweredQuestion.id == h.unanswered_id)
        .values(status="answered" if h.replies else "closed")
        .execution_options(synchronize_session=False)
    )
    if h.user_id and h.channel == "line":
        push_line(session, h.user_id, msg.LINE_HANDOFF_CLOSED)
    channel, ts = message if message else (h.slack_channel, h.thread_ts)
    if channel and ts:
        view = HandoffView(h.id, h.question, h.created_at, closed_by=actor, closed_at=now)
        slack_outbox.enqueue(session, "chat.update", {"channel": channel, "ts": ts, **render.handoff(view)})
    return True


# --- staff members -------------------------------------------------------------------------------
def set_division(session: Session, user: str, division: DivisionInfo, display_name: str = "") -> None:
    member = session.get(StaffMember, user)
    if member is None:
        session.add(StaffMember(slack_user_id=user, division_id=division.id, display_name=display_name))
    else:
        member.division_id = division.id
        member.display_name = display_name or member.display_name
    audit(session, user, "division_set", "user", user, division=division.id)


def set_division_by_name(
    session: Session, user: str, display_name: str, text: str, directory: Directory
) -> str:
    """`/kyodo 所属 <課名>`: find the division (typo-tolerant) and remember it; the reply to show."""
    if not text.strip():
        return msg.DIVISION_REQUIRED
    division = directory.find(text)
    if division is None:
        return msg.DIVISION_UNKNOWN.format(name=text)
    set_division(session, user, division, display_name)
    return msg.DIVISION_SET.format(name=division.name)
