"""`/kyodo report [期間]`: the figures the guideline's evaluation (第3章(3)) asks for, over a
period in Japan time. Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.staff import messages as msg
from bot.staff.views import JST
from bot.storage.models import Feedback, Group, Proposal, UnansweredQuestion
from bot.storage.models.staff import Handoff, StaffNotification
from knowledge.normalize import normalize


class BadPeriod(ValueError):
    pass


def parse_period(text: str, *, today: date | None = None) -> tuple[date, date]:
    """`/kyodo report [期間]` -> (first day, last day) inclusive, in Japan time. Default: last 30 days."""
    today = today or datetime.now(JST).date()
    t = normalize(text or "").replace(" ", "")
    if not t:
        return today - timedelta(days=29), today
    if t in ("今週", "thisweek"):
        start = today - timedelta(days=today.weekday())
        return start, today
    if t in ("先週", "lastweek"):
        start = today - timedelta(days=today.weekday() + 7)
        return start, start + timedelta(days=6)
    if t in ("今月", "thismonth"):
        return today.replace(day=1), today
    if t in ("先月", "lastmonth"):
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if t in ("今年度", "thisyear"):
        start = date(today.year if today.month >= 4 else today.year - 1, 4, 1)
        return start, today
    for suffix in ("日", "日間", "d", "days"):
        if t.endswith(suffix) and t[: -len(suffix)].isdigit():
            n = int(t[: -len(suffix)])
            if 1 <= n <= 3660:
                return today - timedelta(days=n - 1), today
    for sep in ("..", "〜", "~", "～"):
        if sep in t:
            a, _, b = t.partition(sep)
            try:
                start, end = date.fromisoformat(a.replace("/", "-")), date.fromisoformat(b.replace("/", "-"))
            except ValueError:
                break
            if start > end:
                break
            return start, end
    raise BadPeriod(text)


@dataclass
class Report:
    start: date
    end: date
    questions: int = 0
    answered: int = 0
    rated: int = 0
    helpful: int = 0
    handoffs: int = 0
    handoffs_closed: int = 0
    registrations: int = 0
    proposals: int = 0
    taken: int = 0
    passed: int = 0
    waiting: int = 0

    @staticmethod
    def rate(a: int, b: int) -> str:
        return f"{a / b:.0%}" if b else msg.NOT_AVAILABLE

    def text(self) -> str:
        title = msg.REPORT_TITLE.format(start=self.start.isoformat(), end=self.end.isoformat())
        body = msg.REPORT_LINES.format(
            **self.__dict__,
            answer_rate=self.rate(self.answered, self.questions),
            helpful_rate=self.rate(self.helpful, self.rated),
        )
        return f"*{title}*\n{body}\n{msg.REPORT_NOTE}"


def report(session: Session, start: date, end: date) -> Report:
    """The figures the guideline's evaluation (第3章(3)) asks for, over [start, end] in Japan time."""
    lo = datetime.combine(start, datetime.min.time(), JST).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time(), JST).astimezone(UTC)
    r = Report(start, end)

    def count(model: Any, *where: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    r.answered = count(Feedback, Feedback.created_at >= lo, Feedback.created_at < hi)
    unanswered = count(
        UnansweredQuestion,
        UnansweredQuestion.created_at >= lo,
        UnansweredQuestion.created_at < hi,
    )
    r.questions = r.answered + unanswered
    r.rated = count(
        Feedback, Feedback.created_at >= lo, Feedback.created_at < hi, Feedback.helpful.is_not(None)
    )
    r.helpful = count(
        Feedback, Feedback.created_at >= lo, Feedback.created_at < hi, Feedback.helpful.is_(True)
    )
    r.proposals = count(Proposal, Proposal.created_at >= lo, Proposal.created_at < hi)
    r.handoffs = count(Handoff, Handoff.created_at >= lo, Handoff.created_at < hi)
    r.handoffs_closed = count(
        Handoff, Handoff.created_at >= lo, Handoff.created_at < hi, Handoff.status == "closed"
    )
    r.registrations = count(Group, Group.created_at >= lo, Group.created_at < hi)
    in_period = (StaffNotification.created_at >= lo, StaffNotification.created_at < hi)
    r.taken = count(StaffNotification, *in_period, StaffNotification.decision == "taken")
    r.passed = count(StaffNotification, *in_period, StaffNotification.decision == "passed")
    r.waiting = count(StaffNotification, *in_period, StaffNotification.decision.is_(None))
    return r


def report_text(session: Session, period: str) -> str:
    """`/kyodo report [期間]`: the report as text, or how to write a period."""
    try:
        start, end = parse_period(period)
    except BadPeriod:
        return msg.REPORT_BAD_PERIOD
    return report(session, start, end).text()
