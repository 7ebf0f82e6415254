"""What staff read in Slack, all read-only: App Home's contents, answers to staff questions and
the /kyodo look-ups (groups, one group, matching a description). The report is in report.py.
Synchronous, one SQLAlchemy session per call, no Slack SDK: Block Kit comes in as a Renderer.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.engine.answerer import ANSWERER
from bot.engine.citations import citation_lines
from bot.registry import groups as registry
from bot.staff import collaborations, opportunities
from bot.staff import messages as msg
from bot.staff.directory import Directory, DivisionInfo
from bot.staff.faq import staff_entries
from bot.staff.mrkdwn import escape_mrkdwn
from bot.staff.views import CollabView, HandoffView, ItemView, OppSummary, Renderer, field_labels, item_view
from bot.storage.db import utcnow
from bot.storage.models import Group, UnansweredQuestion
from bot.storage.models.staff import Handoff, StaffMember, StaffNotification, StaffQuestion
from knowledge.normalize import fold
from matching import GroupProfile, Matcher

log = logging.getLogger(__name__)


# --- App Home -----------------------------------------------------------------------------------
@dataclass
class HomeData:
    division: DivisionInfo | None
    pending: list[ItemView]
    handoffs: list[HandoffView]
    unanswered: list[tuple[int, str, int]]  # (id of one instance, text, times asked)
    faq_entries: list[tuple[int, str]] = field(default_factory=list)  # staff entries: (id, question)
    collaborations: list[CollabView] = field(default_factory=list)  # the division's, not finished
    opportunities: list[OppSummary] = field(default_factory=list)  # the division's open calls


def home_data(
    session: Session, user: str, directory: Directory, *, now: datetime | None = None, limit: int = 10
) -> HomeData:
    now = now or utcnow()
    member = session.get(StaffMember, user)
    division = directory.get(member.division_id) if member else None
    pending: list[ItemView] = []
    if member is not None:
        notes = session.scalars(
            select(StaffNotification)
            .where(StaffNotification.division_id == member.division_id, StaffNotification.decision.is_(None))
            .order_by(StaffNotification.id.desc())
            .limit(limit)
        ).all()
        for n in notes:
            v = item_view(session, n, directory)
            if v is not None:
                pending.append(v)
    handoffs = [
        HandoffView(h.id, h.question, h.created_at)
        for h in session.scalars(
            select(Handoff).where(Handoff.status != "closed").order_by(Handoff.id.desc()).limit(limit)
        )
    ]
    return HomeData(
        division,
        pending,
        handoffs,
        frequent_unanswered(session, now=now, limit=limit),
        staff_entries(session, limit=limit),
        collaborations.for_division(session, member.division_id, limit=limit) if member else [],
        opportunities.for_division(session, member.division_id, now) if member else [],
    )


def frequent_unanswered(
    session: Session, *, now: datetime | None = None, days: int = 7, limit: int = 10
) -> list[tuple[int, str, int]]:
    """This week's open unanswered questions, grouped by their folded text, most asked first."""
    now = now or utcnow()
    rows = session.execute(
        select(UnansweredQuestion.id, UnansweredQuestion.text)
        .where(
            UnansweredQuestion.created_at >= now - timedelta(days=days),
            UnansweredQuestion.status.in_(("open", "handoff")),
        )
        .order_by(UnansweredQuestion.id)
        .limit(5000)
    ).all()
    counts: Counter[str] = Counter()
    first: dict[str, tuple[int, str]] = {}
    for rid, text in rows:
        key = fold(text or "")
        if not key:
            continue
        counts[key] += 1
        first.setdefault(key, (rid, text))
    return [(first[k][0], first[k][1], n) for k, n in counts.most_common(limit)]


# --- answers to staff questions ---------------------------------------------------------------------
def staff_answer(session: Session, question: str, render: Renderer) -> tuple[dict[str, Any], bool | None]:
    """`/kyodo <質問>` or a mention: the answerer's reply (shipped FAQ + staff entries), rendered,
    with the citation line every channel uses (bot/engine/citations.py), and whether it answered
    (None for an empty question). Only reads: answering can take a while, and on SQLite a write
    turn held meanwhile would stall every other request that writes."""
    if not question.strip():
        return render.plain(msg.EMPTY_QUESTION), None
    a = ANSWERER.answer(session, question)
    citation = citation_lines([(s.id, s.title) for s in (a.sources or [])], a.text or "")
    return render.answer(a.text, citation, list(a.suggestions or []), bool(a.answered)), bool(a.answered)


def record_staff_question(session: Session, answered: bool) -> None:
    """Counted in the report apart from citizens' questions (no text, no user is kept)."""
    session.add(StaffQuestion(answered=answered))


def answer_payload(session: Session, question: str, render: Renderer) -> dict[str, Any]:
    """:func:`staff_answer` and its record in one unit of work that may write (a mention, already
    inside the processing transaction)."""
    payload, answered = staff_answer(session, question, render)
    if answered is not None:
        record_staff_question(session, answered)
    return payload


# --- look-ups for /kyodo groups | group | match -------------------------------------------------------
def _group_line(g: Group, labels: dict[int, str]) -> str:
    fields = "、".join(labels.get(n, str(n)) for n in (g.fields or []))
    return f"• *{_esc(g.name)}*（{_esc(g.kind)}）" + (f" {fields}" if fields else "")


_esc = escape_mrkdwn  # every text that is not ours, before it is composed into mrkdwn


def lookup_flagged(session: Session, _rest: str = "", *, limit: int = 30) -> str:
    """`/kyodo 重複`: groups flagged as probable duplicates, waiting for a person to decide."""
    flagged = list(
        session.scalars(
            select(Group).where(Group.duplicate_of_id.is_not(None)).order_by(Group.id).limit(limit)
        )
    )
    if not flagged:
        return msg.FLAGGED_NONE
    lines = []
    for g in flagged:
        other = session.get(Group, g.duplicate_of_id)
        owner = (g.owner or "").split(":", 1)[0]
        lines.append(
            msg.FLAGGED_LINE.format(
                id=g.id,
                name=_esc(g.name),
                other_id=g.duplicate_of_id,
                other=_esc(other.name) if other is not None else msg.FLAGGED_GONE,
                owner=owner,
            )
        )
    return f"*{msg.FLAGGED_HEADER.format(count=len(flagged))}*\n" + "\n".join(lines) + "\n" + msg.FLAGGED_HOW


def lookup_groups(session: Session, keyword: str, *, limit: int = 20) -> str:
    """`/kyodo groups [分野やキーワード]`: a field word lists that field; other words search names
    and activity descriptions."""
    labels = field_labels()
    keyword = (keyword or "").strip()
    groups: list[Group] = []
    if keyword:
        try:
            groups = list(registry.list_groups(session, field_word=keyword))
        except Exception:  # not a field: search names and descriptions
            key = fold(keyword)
            by_name = [g for g, _ in registry.find_groups(session, keyword, limit=limit)]
            by_text = [
                g
                for g in session.scalars(select(Group).order_by(Group.id).limit(5000))
                if key and key in fold(g.description or "")
            ]
            seen: set[int] = set()
            for g in by_name + by_text:
                if g.id not in seen:
                    seen.add(g.id)
                    groups.append(g)
    else:
        groups = list(session.scalars(select(Group).order_by(Group.id.desc()).limit(limit)))
    if not groups:
        return msg.GROUPS_NONE
    shown = groups[:limit]
    more = msg.GROUPS_MORE.format(shown=len(shown)) if len(groups) > limit else ""
    head = msg.GROUPS_HEADER.format(count=len(groups), more=more)
    return f"*{head}*\n" + "\n".join(_group_line(g, labels) for g in shown)


def lookup_group(session: Session, name: str, directory: Directory) -> str:
    """`/kyodo group <団体名>`: profile and its division suggestions, or candidates if ambiguous."""
    if not name.strip():
        return msg.GROUP_NAME_REQUIRED
    hits = registry.find_groups(session, name, limit=5)
    if not hits:
        return msg.GROUP_NOT_FOUND.format(name=_esc(name))
    best, score = hits[0]
    if len(hits) > 1 and score < 95 and hits[1][1] >= score - 5:
        labels = field_labels()
        return (
            msg.GROUP_CANDIDATES.format(name=_esc(name))
            + "\n"
            + "\n".join(_group_line(g, labels) for g, _ in hits)
        )
    labels = field_labels()
    lines = [
        f"*{_esc(best.name)}*（{_esc(best.kind)}）",
        f"*{msg.LABEL_FIELDS}*: " + ("、".join(labels.get(n, str(n)) for n in best.fields or []) or "—"),
    ]
    if best.description:
        lines.append(f"*{msg.LABEL_DESCRIPTION}*: {_esc(best.description[:600])}")
    if best.contact:
        lines.append(f"*{msg.LABEL_CONTACT}*: {_esc(best.contact)}")
    sugg = sorted((s for s in best.suggestions if not s.stale), key=lambda s: s.rank)
    if sugg:
        lines.append(f"*{msg.LABEL_MATCHES}*:")
        for s in sugg:
            status = msg.STATUS_NAMES.get(s.status, s.status)
            reasons = "、".join(s.reasons[:2]) if s.reasons else ""
            lines.append(f"• {_esc(directory.name(s.division_id))}（{status}）{_esc(reasons)}")
    elif best.description or best.fields:
        # Not matched yet (just registered, or flagged as a possible duplicate): ask the matcher now.
        try:
            profile = GroupProfile(
                name=best.name, fields=[str(n) for n in best.fields or []], description=best.description or ""
            )
            matches = Matcher.load().match(profile, top=3).matches
        except Exception:
            log.exception("matching %s failed", best.id)
            matches = []
        if matches:
            lines.append(f"*{msg.LABEL_MATCHES}*（{msg.LIVE_MATCH}）:")
            for m in matches:
                reasons = "、".join(m.reasons[:2])
                lines.append(f"• {_esc(directory.name(m.division_id) or m.department)} {_esc(reasons)}")
    return "\n".join(lines)


def match_text(session: Session, text: str, directory: Directory, *, top: int = 5) -> str:
    """`/kyodo match <団体名または活動内容>`: a registered group's profile if the name matches one,
    else the text as an activity description."""
    text = (text or "").strip()
    if not text:
        return msg.MATCH_TEXT_REQUIRED
    try:
        matcher = Matcher.load()
    except Exception:
        log.exception("matching library unavailable")
        return msg.MATCH_UNAVAILABLE
    profile = None
    hits = registry.find_groups(session, text, limit=1, min_score=90)
    if hits:
        g = hits[0][0]
        profile = GroupProfile(
            name=g.name, fields=[str(n) for n in g.fields or []], description=g.description or ""
        )
    if profile is None:
        profile = GroupProfile(name="", fields=[], description=text)
    results = matcher.match(profile, top=top).matches
    if not results:
        return msg.MATCH_NONE
    lines = [f"*{msg.MATCH_HEADER.format(query=_esc(text[:80]))}*"]
    for r in results:
        name = directory.name(r.division_id) or r.department
        reasons = "、".join(r.reasons[:3])
        lines.append(f"• *{_esc(name)}*" + (f"：{_esc(reasons)}" if reasons else ""))
    return "\n".join(lines)
