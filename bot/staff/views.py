"""What staff see of an item or a handoff, as plain data, and the seam to the Block Kit layer:
:class:`Renderer` is what the staff side needs from handlers/slack/blocks.py (composed in
bot/app.py), so nothing in bot/staff imports the Slack SDK."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.engine import messages as EM
from bot.registry.groups import field_labels as registry_field_labels
from bot.staff import messages as msg
from bot.staff.directory import Directory
from bot.staff.mrkdwn import escape_mrkdwn
from bot.storage.models import Group, Proposal, Suggestion
from bot.storage.models.staff import StaffNotification
from knowledge.language import detect_language  # small: character classes and word lists

JST = ZoneInfo("Asia/Tokyo")


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

    @property
    def language_note(self) -> str:
        """「英語の質問」 for a question not in Japanese (issue 15); "" for Japanese."""
        return language_note(self.question)


def language_note(text: str) -> str:
    """The note of a citizen's question's language that staff see beside the original (issue
    15): staff answer in the thread, so they should know the citizen reads English."""
    return msg.LANGUAGE_NOTES.get(detect_language(text or ""), "")


#: What staff may move a status to (the group's 「合意する」 moves 協議中 -> 合意 on LINE).
NEXT = {
    "discussing": ("agreed", "cancelled"),
    "agreed": ("running", "cancelled"),
    "running": ("done", "cancelled"),
}


@dataclass
class CollabView:
    """What the division's thread, the modal and App Home show of a collaboration."""

    id: int
    group_name: str
    division_name: str
    status: str
    form: str
    values: dict[str, str] = field(default_factory=dict)
    filled: bool = False
    evaluate: bool = False  # the division's evaluation is asked for and not given yet
    ends_on: date | None = None  # 終了予定日

    @property
    def next_statuses(self) -> tuple[str, ...]:
        return NEXT.get(self.status, ())

    def labels(self) -> dict[str, str]:
        v = self.values
        goal = " / ".join(x for x in (v.get("goal_what"), v.get("goal_by"), v.get("goal_amount")) if x)
        unset = EM.COLLAB_NOT_SET
        return {
            "group": escape_mrkdwn(self.group_name),
            "division": escape_mrkdwn(self.division_name),
            "status": EM.COLLAB_STATUS.get(self.status, self.status),
            "form": EM.COLLAB_FORMS.get(self.form, EM.COLLAB_FORMS["other"]),
            "purpose": escape_mrkdwn(v.get("purpose") or unset),
            "goal": escape_mrkdwn(goal or unset),
            "role_city": escape_mrkdwn(v.get("role_city") or unset),
            "role_group": escape_mrkdwn(v.get("role_group") or unset),
            "period": escape_mrkdwn(v.get("period") or unset),
            "ends_on": (
                EM.COLLAB_DATE.format(y=self.ends_on.year, m=self.ends_on.month, d=self.ends_on.day)
                if self.ends_on is not None
                else unset
            ),
        }


@dataclass
class OppFormView:
    """What the `/kyodo 募集` modal offers: divisions (id, name), the 20 fields, the forms."""

    divisions: list[tuple[str, str]]
    fields: list[tuple[int, str]]
    division_id: str | None = None  # the member's own division (`/kyodo 所属`), pre-selected


@dataclass
class OppView:
    """The opportunity's post in the division's channel: its text, the ranked list, 「送信」."""

    id: int
    head: str  # mrkdwn, escaped
    lines: list[str]  # one per ranked group shown, mrkdwn, escaped
    count: int  # groups ranked (all of them receive it when sent)
    status: str  # draft | sent | closed
    footer: str = ""


@dataclass
class OppSummary:
    """One of a division's open calls in App Home (with 「募集を締め切る」)."""

    id: int
    title: str  # plain, not escaped
    deadline: str  # 「12月20日」 or 「定めなし」
    sent: int  # groups it was sent to
    interested: int  # groups that answered 関心あり


class Renderer(Protocol):
    """What the staff side needs from the Block Kit layer (handlers/slack/blocks.py): each
    returns the arguments of a Slack post, {"text": ..., "blocks": [...]}."""

    def item(self, view: ItemView) -> dict[str, Any]: ...

    def handoff(self, view: HandoffView) -> dict[str, Any]: ...

    def answer(self, text: str, citation: str, suggestions: list[str], answered: bool) -> dict[str, Any]: ...

    def plain(self, text: str) -> dict[str, Any]: ...

    def collaboration(self, view: CollabView, headline: str) -> dict[str, Any]: ...

    def opportunity(self, view: OppView) -> dict[str, Any]: ...


_renderer: Renderer | None = None


def use_renderer(render: Renderer) -> None:
    """The Block Kit renderer, set once by the composition root (bot/app.py) where Slack is used:
    for re-rendering posts from code that has none at hand (a group's erasure runs in the
    engine's transaction and re-renders the opportunities' lists that named it)."""
    global _renderer
    _renderer = render


def renderer() -> Renderer | None:
    return _renderer


def field_labels() -> dict[int, str]:
    try:
        return registry_field_labels()
    except Exception:  # the matching library's data cannot be read: show numbers
        return {}


def when(dt: datetime | None) -> str:
    if dt is None:
        return ""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(JST).strftime("%-m月%-d日 %H:%M")


def item_view(session: Session, note: StaffNotification, directory: Directory) -> ItemView | None:
    if note.status == "erased":  # the citizen asked for deletion (bot/staff/erasure.py)
        return None
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
