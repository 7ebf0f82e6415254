"""「提案の状況」: the citizen's own proposals with reference, division, status, date and what
happens next. Reached by the menu word, by a reference typed in a message (「KY-2026-000001 の状況」)
and by questions the knowledge base reads as ``kind == "status"`` (「提案の返事はまだですか」)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.engine import collaboration
from bot.engine import messages as M
from bot.engine.flows.common import menu_choices, shorten
from bot.engine.types import Card, Choice, Incoming, Reply
from bot.storage.models.collaboration import Collaboration
from bot.storage.models.conversation import Proposal

MAX_SHOWN = 5  # cards in one carousel reply (newest first)
#: How long a division usually takes to answer once a proposal reached it (what the citizen is told).
REPLY_WITHIN = timedelta(days=14)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _date(value: datetime) -> str:
    value = _aware(value)
    return M.STATUS_DATE.format(y=value.year, m=value.month, d=value.day)


def next_step(p: Proposal, now: datetime) -> str:
    """What happens next for a proposal in its current status, with a rough date for a reply."""
    if p.status == "sent":
        due = _aware(p.updated_at or p.created_at) + REPLY_WITHIN
        if due < now:
            return M.STATUS_NEXT["sent_late"]
        return M.STATUS_NEXT["sent"].format(due=_date(due))
    return M.STATUS_NEXT.get(p.status, "")


def card(p: Proposal, now: datetime, collab: Collaboration | None = None) -> Card:
    lines = [
        line.format(
            division=p.division_name or M.PROP_CITY_DECIDES,
            status=M.STATUS_LABELS.get(p.status, M.STATUS_UNKNOWN),
            date=_date(p.created_at),
            next=next_step(p, now),
        )
        for line in M.STATUS_LINES
    ]
    if collab is not None:  # taken up: the collaboration's own status says more than "accepted"
        lines.insert(
            2,
            M.STATUS_COLLAB_LINE.format(
                status=M.COLLAB_STATUS.get(collab.status, collab.status),
                form=M.COLLAB_FORMS.get(collab.form, M.COLLAB_FORMS["other"]),
            ),
        )
    return Card(
        title=p.reference,
        subtitle=shorten(p.group_name or "", 40),
        lines=[line for line in lines if line.strip()],
        actions=[],
    )


def replies(session: Session, incoming: Incoming, now: datetime, reference: str | None = None) -> list[Reply]:
    """The status of the user's proposals (or of one, by reference): cards, newest first."""
    stmt = select(Proposal).where(Proposal.channel == incoming.channel, Proposal.user_id == incoming.user_id)
    if reference is not None:
        stmt = stmt.where(Proposal.reference == reference)
    found = list(session.scalars(stmt.order_by(Proposal.id.desc())))
    consult = Choice(label=M.MENU_CONSULT, text=M.MENU_CONSULT)
    # Collaborations begun from a suggestion (the division took up the registered group): no
    # proposal to show them on, so each has its own card (issue 14).
    taken_up = (
        []
        if reference is not None
        else list(
            session.scalars(
                select(Collaboration)
                .where(
                    Collaboration.source_kind == "suggestion",
                    Collaboration.channel == incoming.channel,
                    Collaboration.user_id == incoming.user_id,
                )
                .order_by(Collaboration.id.desc())
                .limit(MAX_SHOWN)
            )
        )
    )
    if taken_up and not found:
        cards = [collaboration.card(c, buttons=False) for c in taken_up]
        return [
            Reply(
                text=M.STATUS_COLLAB_INTRO,
                cards=cards,
                alt_text=M.STATUS_COLLAB_INTRO,
                choices=menu_choices(),
            )
        ]
    if not found:
        text = M.STATUS_NOT_FOUND.format(reference=reference) if reference else M.STATUS_NONE
        return [Reply(text=text, choices=[consult, *menu_choices()])]
    shown = found[:MAX_SHOWN]
    intro = M.STATUS_INTRO.format(n=len(shown))
    if len(found) > len(shown):
        intro += "\n" + M.STATUS_MORE.format(n=len(found) - len(shown))
    collabs = {
        c.source_id: c
        for c in session.scalars(
            select(Collaboration)
            .where(
                Collaboration.source_kind == "proposal", Collaboration.source_id.in_([p.id for p in shown])
            )
            .order_by(Collaboration.id)
        )
    }
    cards = [card(p, now, collabs.get(p.id)) for p in shown]
    cards += [collaboration.card(c, buttons=False) for c in taken_up[: MAX_SHOWN - len(cards)]]
    alt = intro + " " + "、".join(f"{p.reference} {M.STATUS_LABELS.get(p.status, '')}" for p in shown)
    return [Reply(text=intro, cards=cards, alt_text=alt[:400], choices=menu_choices())]
