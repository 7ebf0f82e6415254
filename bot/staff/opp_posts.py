"""The ranked list's Slack post of an opportunity (協働の募集), rendered from the tables: what the
call asks, the groups shown with their score and reasons (a group whose data was deleted is a
line saying so), and the footer for its state (draft: how many; sent: the outcome; closed). Used
by bot/staff/opportunities.py and, when a group is erased, by bot/staff/erasure.py (which must not
import the sending side: bot.engine.notify leads back to the erasure)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.engine import messages as EM
from bot.engine import opportunities as citizen
from bot.staff import messages as msg
from bot.staff.mrkdwn import escape_mrkdwn
from bot.staff.views import OppView
from bot.storage.models.opportunity import Opportunity, OpportunityRecipient

SHOWN = 15  # groups listed in the post (all ranked groups receive it)


def _head(opp: Opportunity) -> str:
    return msg.OPP_LIST_HEAD.format(
        title=escape_mrkdwn(opp.title),
        division=escape_mrkdwn(opp.division_name),
        fields=citizen.fields_text(opp.fields, limit=5),
        form=EM.COLLAB_FORMS.get(opp.form, EM.COLLAB_FORMS["other"]),
        deadline=citizen.deadline_text(opp.deadline),
        sought=escape_mrkdwn(citizen.shorten(opp.sought, 400)),
    )


def view_of(session: Session, opp: Opportunity, footer: str = "") -> OppView:
    rows = session.scalars(
        select(OpportunityRecipient)
        .where(OpportunityRecipient.opportunity_id == opp.id, OpportunityRecipient.rank > 0)
        .order_by(OpportunityRecipient.rank)
        .limit(SHOWN)
    ).all()
    count = session.scalar(
        select(func.count())
        .select_from(OpportunityRecipient)
        .where(OpportunityRecipient.opportunity_id == opp.id, OpportunityRecipient.rank > 0)
    )
    lines = [
        msg.OPP_LIST_LINE.format(
            rank=r.rank,
            group=escape_mrkdwn(r.group_name),
            score=f"{r.score:g}",
            reasons=escape_mrkdwn("、".join(r.reasons)),
        )
        if r.group_name
        else msg.OPP_LIST_ERASED.format(rank=r.rank)  # the group's data was deleted
        for r in rows
    ]
    if not footer and opp.status == "draft":
        footer = (
            msg.OPP_LIST_COUNT.format(count=count, shown=len(lines), cap=citizen.monthly_cap())
            if count
            else msg.OPP_LIST_NONE
        )
    elif not footer:  # sent or closed: what became of it, from the table
        outcome = tally(session, [opp.id]).get(opp.id, {})
        values = {
            "sent": outcome.get("sent", 0),
            "capped": outcome.get("capped", 0),
            "skipped": outcome.get("stopped", 0) + outcome.get("unreachable", 0),
            "interested": outcome.get("interested", 0),
        }
        template = msg.OPP_CLOSED_SUMMARY if opp.status == "closed" else msg.OPP_SENT_SUMMARY
        footer = template.format(**values)
    return OppView(
        id=opp.id, head=_head(opp), lines=lines, count=count or 0, status=opp.status, footer=footer
    )


def tally(session: Session, opp_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per opportunity: how many ranked groups ended in each status, and how many answered
    関心あり (``interested``; also a group that answered from the list without the notice)."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for start in range(0, len(opp_ids), 500):
        chunk = opp_ids[start : start + 500]
        for oid, status, n in session.execute(
            select(OpportunityRecipient.opportunity_id, OpportunityRecipient.status, func.count())
            .where(OpportunityRecipient.opportunity_id.in_(chunk), OpportunityRecipient.rank > 0)
            .group_by(OpportunityRecipient.opportunity_id, OpportunityRecipient.status)
        ):
            out[oid][status] += n
        for oid, n in session.execute(
            select(OpportunityRecipient.opportunity_id, func.count())
            .where(
                OpportunityRecipient.opportunity_id.in_(chunk),
                OpportunityRecipient.interested_at.is_not(None),
            )
            .group_by(OpportunityRecipient.opportunity_id)
        ):
            out[oid]["interested"] += n
    return out
