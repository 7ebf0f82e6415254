"""協働の募集, the division's side (issue 14 step 3).

`/kyodo 募集` opens a modal (title, division, fields, what is sought, deadline, form). Saving it
stores the opportunity as a draft, ranks the registered groups that agreed to receive notices
(:func:`rank`: shared fields, the matcher's suggestions of this division for the group, words of
the request in the group's activity; each with its reason), and posts the list with 「送信」 to the
division's channel (or KYODO_STAFF_CHANNEL). 「送信」 is one conditional UPDATE draft -> sent (of
two clicks one wins), audited; in the same transaction each ranked group is checked again — it
still wants notices, its LINE user can be reached, it had fewer than OPPORTUNITY_MONTHLY_CAP
notices this month (Japan time) — and the notice is queued as LINE multicasts of at most 500 users
through the one outbox (each row with its own X-Line-Retry-Key), so a redelivered click, an API
failure or a killed process neither loses nor doubles it. The group's 「関心あり」 comes back in the
post's thread (bot/engine/opportunities.py).
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.engine import opportunities as citizen
from bot.engine.notify import Notifier
from bot.staff import messages as msg
from bot.staff import posts
from bot.staff.audit import audit
from bot.staff.directory import Directory
from bot.staff.mrkdwn import escape_mrkdwn
from bot.staff.opp_posts import tally, view_of
from bot.staff.views import OppFormView, OppSummary, Renderer
from bot.storage.db import utcnow
from bot.storage.models.collaboration import FORMS
from bot.storage.models.opportunity import Opportunity, OpportunityRecipient
from bot.storage.models.registry import Group, Suggestion
from bot.storage.models.staff import StaffMember
from knowledge.normalize import fold

log = logging.getLogger(__name__)

TITLE_MAX = 100
SOUGHT_MAX = 1000
LINE = "line"

# Scores: a shared field counts most; the matcher having suggested this division for the group
# next; words of the request found in the group's activity least (at most three of them).
FIELD_SCORE = 2.0
SUGGESTED_SCORE = 1.5
WORD_SCORE = 0.5
MAX_WORDS = 3
_WORD = re.compile(r"[\u4e00-\u9fff\u30a0-\u30ff\u30fc\u3005]{2,}")  # kanji, katakana, the long mark, 々


@dataclass
class Ranked:
    group_id: int
    group_name: str
    user_id: str
    score: float
    reasons: list[str] = field(default_factory=list)


# -- the modal --------------------------------------------------------------------------------------


def form_view(session: Session, user: str, directory: Directory) -> OppFormView:
    from bot.registry.groups import field_labels

    member = session.get(StaffMember, user) if user else None
    divisions = sorted(((d.id, d.name) for d in directory.by_id.values()), key=lambda d: d[1])
    return OppFormView(
        divisions=divisions,
        fields=sorted(field_labels().items()),
        division_id=member.division_id if member is not None else None,
    )


def channel_for(directory: Directory, division_id: str | None, staff_channel: str) -> str:
    """Where the list goes: the division's channel, else KYODO_STAFF_CHANNEL ("" when neither)."""
    division = directory.get(division_id)
    return (division.slack_channel if division else "") or staff_channel


def form_errors(values: dict, now: datetime | None = None) -> dict[str, str]:
    """Block id -> error (``response_action: errors``). ``values``: title, division, fields
    (list of numbers), sought, deadline (ISO date or ""), form."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    for key in ("title", "sought", "division"):
        if not str(values.get(key) or "").strip():
            errors[key] = msg.OPP_REQUIRED
    if len(values.get("title") or "") > TITLE_MAX:
        errors["title"] = msg.FAQ_TOO_LONG.format(limit=TITLE_MAX, count=len(values["title"]))
    if len(values.get("sought") or "") > SOUGHT_MAX:
        errors["sought"] = msg.FAQ_TOO_LONG.format(limit=SOUGHT_MAX, count=len(values["sought"]))
    if not values.get("fields"):
        errors["fields"] = msg.OPP_REQUIRED
    if values.get("form") not in FORMS:
        errors["form"] = msg.OPP_REQUIRED
    deadline = values.get("deadline") or ""
    if deadline:
        try:
            if date.fromisoformat(deadline) < citizen.today(now):
                errors["deadline"] = msg.OPP_DEADLINE_PAST
        except ValueError:
            errors["deadline"] = msg.OPP_REQUIRED
    return errors


# -- ranking ----------------------------------------------------------------------------------------


def _words(opp: Opportunity) -> list[str]:
    seen: dict[str, None] = {}
    for w in _WORD.findall(f"{opp.title} {opp.sought}"):
        seen.setdefault(fold(w), None)
    return list(seen)[:30]


def rank(session: Session, opp: Opportunity) -> list[Ranked]:
    """The groups that agreed to receive notices, registered on LINE, not flagged as duplicates,
    that fit the opportunity at all (score > 0), best first, with reasons."""
    from bot.registry.groups import field_labels

    labels = field_labels()
    wanted = set(opp.fields or [])
    words = _words(opp)
    suggested: dict[int, list[str]] = {}
    if opp.division_id:
        for gid, reasons in session.execute(
            select(Suggestion.group_id, Suggestion.reasons).where(
                Suggestion.division_id == opp.division_id, Suggestion.stale.is_(False)
            )
        ):
            suggested[gid] = list(reasons or [])
    rows = session.execute(
        select(Group.id, Group.name, Group.fields, Group.description, Group.owner).where(
            Group.notices_opt_in.is_(True),
            Group.duplicate_of_id.is_(None),
            Group.owner.like(f"{LINE}:%"),
        )
    ).all()
    out: list[Ranked] = []
    for gid, name, fields, description, owner in rows:
        score, reasons = 0.0, []
        for n in sorted(wanted.intersection(fields or [])):
            score += FIELD_SCORE
            reasons.append(msg.OPP_REASON_FIELD.format(field=labels.get(n, str(n))))
        if gid in suggested:
            score += SUGGESTED_SCORE
            first = suggested[gid][0] if suggested[gid] else ""
            reasons.append(
                msg.OPP_REASON_SUGGESTED.format(reason=first) if first else msg.OPP_REASON_SUGGESTED_PLAIN
            )
        if words and description:
            text = fold(description)
            found = [w for w in words if w in text][:MAX_WORDS]
            score += WORD_SCORE * len(found)
            reasons.extend(msg.OPP_REASON_WORD.format(word=w) for w in found)
        if score > 0:
            out.append(Ranked(gid, name, owner.partition(":")[2], score, reasons))
    out.sort(key=lambda r: (-r.score, r.group_id))
    return out


# -- create, post, send -----------------------------------------------------------------------------


def create(
    session: Session,
    values: dict,
    *,
    actor: str,
    actor_name: str,
    directory: Directory,
    staff_channel: str,
    render: Renderer,
    now: datetime | None = None,
) -> Opportunity | None:
    """The modal was saved: store the draft, rank, post the list with 「送信」. None: no channel."""
    now = now or utcnow()
    division = directory.get(values.get("division"))
    channel = channel_for(directory, values.get("division"), staff_channel)
    if not channel:
        return None
    deadline = values.get("deadline") or ""
    opp = Opportunity(
        division_id=division.id if division else None,
        division_name=division.name if division else str(values.get("division") or "")[:120],
        title=str(values["title"]).strip()[:TITLE_MAX],
        fields=sorted({int(n) for n in values.get("fields") or []}),
        sought=str(values["sought"]).strip()[:SOUGHT_MAX],
        deadline=date.fromisoformat(deadline) if deadline else None,
        form=values.get("form") if values.get("form") in FORMS else "other",
        status="draft",
        created_by=actor[:40],
        slack_channel=channel,
        created_at=now,
        updated_at=now,
    )
    session.add(opp)
    session.flush()
    ranked = rank(session, opp)
    if ranked:
        session.execute(
            OpportunityRecipient.__table__.insert(),
            [
                {
                    "opportunity_id": opp.id,
                    "group_id": r.group_id,
                    "group_name": r.group_name[:200],
                    "channel": LINE,
                    "user_id": r.user_id[:120] or None,
                    "rank": i,
                    "score": r.score,
                    "reasons": r.reasons,
                    "status": "listed",
                    "created_at": now,
                }
                for i, r in enumerate(ranked, start=1)
            ],
        )
    audit(session, actor, "opp_create", "opportunity", opp.id, name=actor_name, ranked=len(ranked))
    posts.queue_call(
        session,
        "chat.postMessage",
        {"channel": channel, **render.opportunity(view_of(session, opp))},
        link=f"opportunity:{opp.id}",
    )
    return opp


def _sent_this_month(session: Session, now: datetime) -> dict[int, int]:
    return dict(
        session.execute(
            select(OpportunityRecipient.group_id, func.count())
            .where(
                OpportunityRecipient.status == "sent",
                OpportunityRecipient.sent_at >= citizen.month_start(now),
            )
            .group_by(OpportunityRecipient.group_id)
        ).all()
    )


def _mark(session: Session, ids: list[int], **values) -> None:
    for start in range(0, len(ids), 500):
        session.execute(
            update(OpportunityRecipient)
            .where(OpportunityRecipient.id.in_(ids[start : start + 500]))
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def send(
    session: Session,
    opp_id: int,
    *,
    actor: str,
    actor_name: str,
    render: Renderer,
    notify: Notifier,
    message: tuple[str, str] | None = None,
    now: datetime | None = None,
) -> str | None:
    """「送信」. None when sent now, else the notice for the person who clicked."""
    now = now or utcnow()
    opp = session.get(Opportunity, opp_id)
    if opp is None:
        return msg.OPP_GONE
    won = session.execute(
        update(Opportunity)
        .where(Opportunity.id == opp_id, Opportunity.status == "draft")
        .values(status="sent", sent_by=actor[:40], sent_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not won:
        return msg.OPP_ALREADY_SENT
    session.refresh(opp)
    cap = citizen.monthly_cap()
    already = _sent_this_month(session, now)
    rows = session.execute(
        select(OpportunityRecipient.id, OpportunityRecipient.group_id, OpportunityRecipient.user_id)
        .where(OpportunityRecipient.opportunity_id == opp.id, OpportunityRecipient.rank > 0)
        .order_by(OpportunityRecipient.rank)
    ).all()
    # Checked again now: a group may have stopped notices, been deleted, or its user unfollowed.
    group_ids = [r.group_id for r in rows]
    wanting: set[int] = set()
    for start in range(0, len(group_ids), 500):
        wanting.update(
            session.scalars(
                select(Group.id).where(
                    Group.notices_opt_in.is_(True), Group.id.in_(group_ids[start : start + 500])
                )
            )
        )
    reachable = notify.reachable(session, LINE, [r.user_id for r in rows if r.user_id])
    outcome: dict[str, list[int]] = defaultdict(list)
    users: dict[str, str | None] = {}
    for r in rows:
        if r.group_id not in wanting:
            outcome["stopped"].append(r.id)
        elif not r.user_id or r.user_id not in reachable:
            outcome["unreachable"].append(r.id)
        elif already.get(r.group_id, 0) >= cap:
            outcome["capped"].append(r.id)
        else:
            outcome["sent"].append(r.id)
            users[r.user_id] = reachable[r.user_id]
    for status, ids in outcome.items():
        _mark(session, ids, status=status, **({"sent_at": now} if status == "sent" else {}))
    notify.multicast(session, LINE, f"opp{opp.id}", users, [citizen.notice_reply(opp)])
    sent, capped = len(outcome["sent"]), len(outcome["capped"])
    skipped = len(outcome["stopped"]) + len(outcome["unreachable"])
    audit(
        session,
        actor,
        "opp_send",
        "opportunity",
        opp.id,
        name=actor_name,
        sent=sent,
        users=len(users),
        capped=capped,
        skipped=skipped,
    )
    footer = msg.OPP_SENT.format(user=escape_mrkdwn(actor_name), sent=sent, capped=capped, skipped=skipped)
    channel, ts = message or (opp.slack_channel, opp.message_ts)
    if channel and ts:
        view = view_of(session, opp, footer=footer)
        posts.queue_call(session, "chat.update", {"channel": channel, "ts": ts, **render.opportunity(view)})
        posts.queue_call(session, "chat.postMessage", {"channel": channel, "thread_ts": ts, "text": footer})
    return None


def close(
    session: Session,
    opp_id: int,
    *,
    actor: str,
    actor_name: str,
    render: Renderer,
    message: tuple[str, str] | None = None,
    now: datetime | None = None,
) -> str | None:
    """「募集を締め切る」 (on the post or in App Home): one conditional UPDATE sent -> closed (of two
    clicks one wins), audited; the post loses the button and says so, its thread says who closed
    it. The call leaves 「募集中の協働は？」 and /opportunities, and 関心あり is answered politely
    that it is closed. None when closed now, else the notice for the person who clicked."""
    now = now or utcnow()
    opp = session.get(Opportunity, opp_id)
    if opp is None:
        return msg.OPP_GONE
    if not _close_once(session, opp, now):
        session.refresh(opp)
        return msg.OPP_NOT_SENT_YET if opp.status == "draft" else msg.OPP_ALREADY_CLOSED
    _closed(
        session,
        opp,
        actor=actor,
        actor_name=actor_name,
        render=render,
        note=msg.OPP_CLOSED_BY.format(user=escape_mrkdwn(actor_name)),
        message=message,
    )
    return None


#: Who closes a call whose deadline has passed (the audit log's actor).
DEADLINE_ACTOR = "kyodo:deadline"


def close_due(
    session: Session, *, render: Renderer, now: datetime | None = None, limit: int = 200
) -> dict[str, int]:
    """The housekeeping chore (bot/app.py): calls still open (sent) whose 締切 is before today in
    Japan are closed exactly as 「募集を締め切る」 closes them — the same conditional UPDATE sent ->
    closed (two workers, or a click at the same moment, close it once), audited (``opp_close`` by
    ``kyodo:deadline``), the list's post re-rendered (button gone, 「締め切りました」) and a line in
    its thread saying the deadline passed, through the outbox in this transaction. A call without
    a 締切 stays open until someone closes it."""
    now = now or utcnow()
    due = session.scalars(
        select(Opportunity)
        .where(Opportunity.status == "sent", Opportunity.deadline < citizen.today(now))
        .order_by(Opportunity.id)
        .limit(limit)
    ).all()
    closed = 0
    for opp in due:
        try:  # one call that fails holds up neither the others nor the rest of housekeeping
            with session.begin_nested():
                if not _close_once(session, opp, now):
                    continue
                note = msg.OPP_CLOSED_DEADLINE.format(deadline=citizen.deadline_text(opp.deadline))
                _closed(
                    session,
                    opp,
                    actor=DEADLINE_ACTOR,
                    actor_name=msg.OPP_DEADLINE_ACTOR,
                    render=render,
                    note=note,
                    by="deadline",
                )
        except Exception:
            log.exception("closing opportunity %s at its deadline failed", opp.id)
            continue
        closed += 1
    return {"opportunities_closed": closed}


def _close_once(session: Session, opp: Opportunity, now: datetime) -> bool:
    """sent -> closed, once: of two clicks (or a click and the deadline chore) one wins."""
    won = session.execute(
        update(Opportunity)
        .where(Opportunity.id == opp.id, Opportunity.status == "sent")
        .values(status="closed", updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won:
        session.refresh(opp)
    return bool(won)


def _closed(
    session: Session,
    opp: Opportunity,
    *,
    actor: str,
    actor_name: str,
    render: Renderer,
    note: str,
    message: tuple[str, str] | None = None,
    by: str = "",
) -> None:
    """What follows closing, whoever closed it: the audit entry, the post re-rendered, ``note`` in
    its thread."""
    outcome = tally(session, [opp.id]).get(opp.id, {})
    extra = {"by": by} if by else {}
    audit(
        session,
        actor,
        "opp_close",
        "opportunity",
        opp.id,
        name=actor_name,
        sent=outcome.get("sent", 0),
        interested=outcome.get("interested", 0),
        **extra,
    )
    channel, ts = message or (opp.slack_channel, opp.message_ts)
    if channel and ts:
        posts.queue_call(
            session, "chat.update", {"channel": channel, "ts": ts, **render.opportunity(view_of(session, opp))}
        )
        posts.queue_call(session, "chat.postMessage", {"channel": channel, "thread_ts": ts, "text": note})


def for_division(
    session: Session, division_id: str | None, now: datetime | None = None, limit: int = 8
) -> list[OppSummary]:
    """The division's open calls for App Home, nearest deadline first, with their counts."""
    if not division_id:
        return []
    opps = list(
        session.scalars(
            citizen.open_query(now or utcnow()).where(Opportunity.division_id == division_id).limit(limit)
        )
    )
    counts = tally(session, [o.id for o in opps])
    return [
        OppSummary(
            id=o.id,
            title=o.title,
            deadline=citizen.deadline_text(o.deadline),
            sent=counts.get(o.id, {}).get("sent", 0),
            interested=counts.get(o.id, {}).get("interested", 0),
        )
        for o in opps
    ]


def open_for_web(session: Session, now: datetime | None = None, limit: int = 50) -> list[Opportunity]:
    """The open opportunities (sent, deadline not passed), nearest deadline first."""
    return list(session.scalars(citizen.open_query(now or utcnow()).limit(limit)))
