"""`/kyodo report [期間]` and `kyodo report`: the figures the guideline's evaluation (第3章(3)) asks for, over a
period in Japan time. Read-only."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.engine import messages as EM
from bot.staff import messages as msg
from bot.staff.views import JST, field_labels
from bot.storage.models import (
    Collaboration,
    CollaborationEvaluation,
    Feedback,
    Group,
    Proposal,
    UnansweredQuestion,
)
from bot.storage.models.collaboration import GOALS, PRINCIPLES, SIDES
from bot.storage.models.opportunity import Opportunity, OpportunityRecipient
from bot.storage.models.staff import Handoff, StaffNotification, StaffQuestion
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
class CollabFigures:
    """Collaborations begun in the period (by form, division, field, status) and the evaluations
    given in it: goals reached and each principle's mean score by side, with the gap city − group."""

    total: int = 0
    by_form: Counter = field(default_factory=Counter)  # form code -> n
    by_division: Counter = field(default_factory=Counter)  # division id -> n
    by_field: Counter = field(default_factory=Counter)  # field number -> n
    names: dict = field(default_factory=dict)  # division id / field number -> its name
    by_status: Counter = field(default_factory=Counter)
    answers: Counter = field(default_factory=Counter)  # side -> n
    goals: Counter = field(default_factory=Counter)  # (side, goal) -> n
    scores: dict = field(default_factory=dict)  # (side, principle) -> list of scores

    def mean(self, side: str, principle: str) -> float | None:
        values = self.scores.get((side, principle)) or []
        return sum(values) / len(values) if values else None

    def gap(self, principle: str) -> float | None:
        city, group = self.mean("city", principle), self.mean("group", principle)
        return None if city is None or group is None else city - group

    def lines(self) -> list[str]:
        def counts(counter: Counter, labels: dict | None = None) -> str:
            items = [f"{(labels or {}).get(k, k)} {n}" for k, n in counter.most_common()]
            return "、".join(items) or msg.NOT_AVAILABLE

        def num(value: float | None, signed: bool = False) -> str:
            if value is None:
                return msg.NOT_AVAILABLE
            return f"{value:+.1f}" if signed else f"{value:.1f}"

        out = [msg.REPORT_COLLAB_HEAD, msg.REPORT_COLLABS.format(n=self.total)]
        if self.total:
            out += [
                msg.REPORT_COLLAB_BY.format(
                    what=msg.REPORT_BY_FORM, items=counts(self.by_form, EM.COLLAB_FORMS)
                ),
                msg.REPORT_COLLAB_BY.format(
                    what=msg.REPORT_BY_DIVISION, items=counts(self.by_division, self.names)
                ),
                msg.REPORT_COLLAB_BY.format(
                    what=msg.REPORT_BY_FIELD, items=counts(self.by_field, self.names)
                ),
                msg.REPORT_COLLAB_BY.format(
                    what=msg.REPORT_STATUS, items=counts(self.by_status, EM.COLLAB_STATUS)
                ),
            ]
        out.append(msg.REPORT_EVALS.format(city=self.answers["city"], group=self.answers["group"]))
        if sum(self.answers.values()):
            out.append(
                msg.REPORT_GOALS.format(
                    **{g: f"{self.goals[('city', g)]}／{self.goals[('group', g)]}" for g in GOALS}
                )
            )
            out.append(msg.REPORT_PRINCIPLES)
            out += [
                msg.REPORT_PRINCIPLE.format(
                    principle=EM.EVAL_PRINCIPLES[p],
                    city=num(self.mean("city", p)),
                    group=num(self.mean("group", p)),
                    gap=num(self.gap(p), signed=True),
                )
                for p in PRINCIPLES
            ]
        return out

    def rows(self) -> list[tuple[str, int | str, str]]:
        def ratio(a: int, b: int) -> str:
            return f"{a / b:.4f}" if b else ""

        def num(value: float | None) -> str:
            return "" if value is None else f"{value:.4f}"

        out: list[tuple[str, int | str, str]] = [("collaborations", self.total, "")]
        out += [
            (f"collaborations_form_{k}", n, ratio(n, self.total)) for k, n in sorted(self.by_form.items())
        ]
        out += [
            (f"collaborations_division_{k}", n, ratio(n, self.total))
            for k, n in sorted(self.by_division.items())
        ]
        out += [
            (f"collaborations_field_{k}", n, ratio(n, self.total)) for k, n in sorted(self.by_field.items())
        ]
        out += [
            (f"collaborations_status_{k}", n, ratio(n, self.total)) for k, n in sorted(self.by_status.items())
        ]
        for side in SIDES:
            out.append((f"evaluations_{side}", self.answers[side], ""))
            out += [
                (f"goal_{g}_{side}", self.goals[(side, g)], ratio(self.goals[(side, g)], self.answers[side]))
                for g in GOALS
            ]
        for p in PRINCIPLES:  # the count is the number of answers; the third column the mean score
            for side in SIDES:
                out.append(
                    (f"principle_{p}_{side}", len(self.scores.get((side, p)) or []), num(self.mean(side, p)))
                )
            out.append((f"principle_{p}_gap_city_minus_group", "", num(self.gap(p))))
        return out


OPP_DIVISIONS_SHOWN = 8  # divisions in the text report (most calls first)


@dataclass
class OppFigures:
    """Calls (協働の募集) posted in the period, by division: how many were posted, sent and closed,
    to how many groups they went, how many groups answered 関心あり (and the rate of the groups
    sent to)."""

    by_division: dict = field(default_factory=dict)  # division id -> Counter(posted, sent, closed, groups, interested)
    names: dict = field(default_factory=dict)  # division id -> its name

    def total(self) -> Counter:
        out: Counter = Counter()
        for c in self.by_division.values():
            out.update(c)
        return out

    def lines(self) -> list[str]:
        t = self.total()
        out = [
            msg.REPORT_OPP_HEAD,
            msg.REPORT_OPPS.format(
                posted=t["posted"],
                sent=t["sent"],
                closed=t["closed"],
                groups=t["groups"],
                interested=t["interested"],
                rate=Report.rate(t["interested"], t["groups"]),
            ),
        ]
        ranked = sorted(self.by_division.items(), key=lambda kv: (-kv[1]["posted"], kv[0]))
        for key, c in ranked[:OPP_DIVISIONS_SHOWN]:  # Slack-length; the CSV has every division
            out.append(
                msg.REPORT_OPP_DIVISION.format(
                    division=self.names.get(key) or msg.NOT_AVAILABLE,
                    posted=c["posted"],
                    groups=c["groups"],
                    interested=c["interested"],
                    rate=Report.rate(c["interested"], c["groups"]),
                    closed=c["closed"],
                )
            )
        if len(ranked) > OPP_DIVISIONS_SHOWN:
            out.append(msg.REPORT_OPP_MORE.format(n=len(ranked) - OPP_DIVISIONS_SHOWN))
        return out

    def rows(self) -> list[tuple[str, int | str, str]]:
        def ratio(a: int, b: int) -> str:
            return f"{a / b:.4f}" if b else ""

        def block(prefix: str, c: Counter) -> list[tuple[str, int | str, str]]:
            return [
                (f"{prefix}_posted", c["posted"], ""),
                (f"{prefix}_sent", c["sent"], ratio(c["sent"], c["posted"])),
                (f"{prefix}_closed", c["closed"], ratio(c["closed"], c["posted"])),
                (f"{prefix}_groups_sent", c["groups"], ""),
                (f"{prefix}_interested", c["interested"], ratio(c["interested"], c["groups"])),
            ]

        out = block("opportunities", self.total())
        for key in sorted(self.by_division):
            out += block(f"opportunities_division_{key}", self.by_division[key])
        return out


@dataclass
class Report:
    """One period's figures. A citizen's question is counted once, however it went on: an answer
    rated いいえ (which also files it for staff) or reached through 「もしかして」 is still one question."""

    start: date
    end: date
    questions: int = 0  # citizens' questions
    answered: int = 0  # ... answered (directly or after 「もしかして」)
    via_maybe: int = 0  # ... answered after 「もしかして」
    unanswered: int = 0  # ... the bot could not answer
    rated: int = 0
    helpful: int = 0
    staff_questions: int = 0  # questions staff asked in Slack (not in the figures above)
    staff_answered: int = 0
    handoffs: int = 0
    handoffs_closed: int = 0
    registrations: int = 0
    proposals: int = 0
    taken: int = 0
    passed: int = 0
    waiting: int = 0
    collabs: CollabFigures = field(default_factory=lambda: CollabFigures())
    opps: OppFigures = field(default_factory=lambda: OppFigures())

    @staticmethod
    def rate(a: int, b: int) -> str:
        return f"{a / b:.0%}" if b else msg.NOT_AVAILABLE

    def rates(self) -> dict[str, str]:
        return {
            "answer_rate": self.rate(self.answered, self.questions),
            "rated_rate": self.rate(self.rated, self.answered),
            "helpful_rate": self.rate(self.helpful, self.rated),
            "staff_answer_rate": self.rate(self.staff_answered, self.staff_questions),
            "handoff_rate": self.rate(self.handoffs, self.questions),
            "handoffs_closed_rate": self.rate(self.handoffs_closed, self.handoffs),
            "taken_rate": self.rate(self.taken, self.taken + self.passed),
            "decided_rate": self.rate(self.taken + self.passed, self.taken + self.passed + self.waiting),
        }

    def text(self) -> str:
        title = msg.REPORT_TITLE.format(start=self.start.isoformat(), end=self.end.isoformat())
        body = msg.REPORT_LINES.format(**self.__dict__, **self.rates())
        collab = "\n".join(self.collabs.lines())
        opps = "\n".join(self.opps.lines())
        return f"*{title}*\n{body}\n\n{collab}\n\n{opps}\n{msg.REPORT_NOTE}"

    def rows(self) -> list[tuple[str, int | str, str]]:
        """(item, count, rate) for `kyodo report --csv`: stable English keys, rates as decimals."""

        def ratio(a: int, b: int) -> str:
            return f"{a / b:.4f}" if b else ""

        return [
            ("citizen_questions", self.questions, ""),
            ("citizen_answered", self.answered, ratio(self.answered, self.questions)),
            ("citizen_answered_after_maybe", self.via_maybe, ratio(self.via_maybe, self.questions)),
            ("citizen_unanswered", self.unanswered, ratio(self.unanswered, self.questions)),
            ("answers_rated", self.rated, ratio(self.rated, self.answered)),
            ("answers_helpful", self.helpful, ratio(self.helpful, self.rated)),
            ("staff_questions", self.staff_questions, ""),
            ("staff_answered", self.staff_answered, ratio(self.staff_answered, self.staff_questions)),
            ("handoffs", self.handoffs, ratio(self.handoffs, self.questions)),
            ("handoffs_closed", self.handoffs_closed, ratio(self.handoffs_closed, self.handoffs)),
            ("registrations", self.registrations, ""),
            ("proposals", self.proposals, ""),
            ("suggestions_taken", self.taken, ratio(self.taken, self.taken + self.passed)),
            ("suggestions_passed", self.passed, ratio(self.passed, self.taken + self.passed)),
            ("suggestions_waiting", self.waiting, ""),
            *self.collabs.rows(),
            *self.opps.rows(),
        ]


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start, end] in Japan time as a half-open UTC interval."""
    lo = datetime.combine(start, datetime.min.time(), JST).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time(), JST).astimezone(UTC)
    return lo, hi


def report(session: Session, start: date, end: date) -> Report:
    """The figures the guideline's evaluation (第3章(3)) asks for, over [start, end] in Japan time."""
    lo, hi = period_bounds(start, end)
    r = Report(start, end)

    def count(model: Any, *where: Any, what: Any = None) -> int:
        what = func.count() if what is None else what
        stmt = select(what).select_from(model).where(model.created_at >= lo, model.created_at < hi, *where)
        return int(session.scalar(stmt) or 0)

    direct = count(Feedback, Feedback.via_unanswered_id.is_(None))
    # One 「もしかして」 question is one question, however many of its candidates were opened.
    r.via_maybe = count(Feedback, what=func.count(func.distinct(Feedback.via_unanswered_id)))
    # A 「いいえ」 rating files the answered question for staff ("unhelpful"): not a new question.
    asked_unanswered = count(UnansweredQuestion, UnansweredQuestion.reason != "unhelpful")
    r.questions = direct + asked_unanswered
    r.answered = direct + r.via_maybe
    r.unanswered = max(asked_unanswered - r.via_maybe, 0)
    r.rated = count(Feedback, Feedback.helpful.is_not(None))
    r.helpful = count(Feedback, Feedback.helpful.is_(True))
    r.staff_questions = count(StaffQuestion)
    r.staff_answered = count(StaffQuestion, StaffQuestion.answered.is_(True))
    r.proposals = count(Proposal)
    r.handoffs = count(Handoff)
    r.handoffs_closed = count(Handoff, Handoff.status == "closed")
    r.registrations = count(Group)
    r.taken = count(StaffNotification, StaffNotification.decision == "taken")
    r.passed = count(StaffNotification, StaffNotification.decision == "passed")
    r.waiting = count(StaffNotification, StaffNotification.decision.is_(None))
    r.collabs = collab_figures(session, lo, hi)
    r.opps = opp_figures(session, lo, hi)
    return r


def opp_figures(session: Session, lo: datetime, hi: datetime) -> OppFigures:
    """Calls created in [lo, hi) (see :class:`OppFigures`); what became of them counts whenever it
    happened (sent, closed, 関心あり)."""
    f = OppFigures()
    opps = session.execute(
        select(Opportunity.id, Opportunity.division_id, Opportunity.division_name, Opportunity.status).where(
            Opportunity.created_at >= lo, Opportunity.created_at < hi
        )
    ).all()
    division_of: dict[int, str] = {}
    for oid, division_id, name, status in opps:
        key = division_id or "none"
        division_of[oid] = key
        f.names[key] = name or msg.NOT_AVAILABLE
        c = f.by_division.setdefault(key, Counter())
        c["posted"] += 1
        c["sent"] += status in ("sent", "closed")
        c["closed"] += status == "closed"
    ids = list(division_of)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for oid, n in session.execute(
            select(OpportunityRecipient.opportunity_id, func.count())
            .where(OpportunityRecipient.opportunity_id.in_(chunk), OpportunityRecipient.status == "sent")
            .group_by(OpportunityRecipient.opportunity_id)
        ):
            f.by_division[division_of[oid]]["groups"] += n
        for oid, n in session.execute(
            select(OpportunityRecipient.opportunity_id, func.count())
            .where(
                OpportunityRecipient.opportunity_id.in_(chunk),
                OpportunityRecipient.interested_at.is_not(None),
            )
            .group_by(OpportunityRecipient.opportunity_id)
        ):
            f.by_division[division_of[oid]]["interested"] += n
    return f


def collab_figures(session: Session, lo: datetime, hi: datetime) -> CollabFigures:
    """Collaborations begun in [lo, hi) and evaluations given in it (see :class:`CollabFigures`)."""
    f = CollabFigures()
    labels = field_labels()
    rows = session.execute(
        select(
            Collaboration.form,
            Collaboration.division_id,
            Collaboration.division_name,
            Collaboration.status,
            Group.fields,
        )
        .outerjoin(Group, Group.id == Collaboration.group_id)
        .where(Collaboration.created_at >= lo, Collaboration.created_at < hi)
    ).all()
    for form, division_id, division, status, fields in rows:
        f.total += 1
        f.by_form[form] += 1
        f.by_division[division_id or "none"] += 1
        f.names[division_id or "none"] = division or msg.NOT_AVAILABLE
        f.by_status[status] += 1
        for n in fields or []:
            f.by_field[n] += 1
            f.names[n] = labels.get(n, str(n))
    evals = session.scalars(
        select(CollaborationEvaluation).where(
            CollaborationEvaluation.created_at >= lo, CollaborationEvaluation.created_at < hi
        )
    )
    for e in evals:
        f.answers[e.side] += 1
        f.goals[(e.side, e.goal)] += 1
        for p in PRINCIPLES:
            f.scores.setdefault((e.side, p), []).append(getattr(e, p))
    return f


def report_text(session: Session, period: str) -> str:
    """`/kyodo report [期間]`: the report as text, or how to write a period."""
    try:
        start, end = parse_period(period)
    except BadPeriod:
        return msg.REPORT_BAD_PERIOD
    return report(session, start, end).text()
