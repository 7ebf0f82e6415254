"""A citizen's data leaves Slack too (「データを削除」 and retention; issue 11 item 6, issue 12 item 15).

Called by bot/engine/retention.py before the citizen's groups are deleted. For every division
item about the citizen's groups or proposals, and every handoff of their questions:

- the item is marked ``erased``: it is never posted, a later click or 「詳細」 finds it gone, and
  nothing re-renders it (:func:`bot.staff.views.item_view` returns None);
- every Slack call queued or sent for it in the outbox is blanked (a pending one cancelled):
  what we posted kept the group's name, description, proposal texts, the question. The rows are
  chosen by identifiers only — the link naming the item, handoff, collaboration, opportunity list
  or 関心あり post (``opportunity-interest:<opp>:<group>``), the ts of a message of theirs that a
  row updates, the thread of their collaboration — never by looking for the citizen's words in
  the text (a short group name such as 「会」 would match other people's posts);
- each message already posted is edited (chat.update through the outbox) to a short notice
  that the content was erased at the citizen's request.

No renderer is at hand in the engine's transaction, so the notice is a minimal Block Kit section
written here (our own template, no input in it).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.staff import messages as msg
from bot.staff import posts
from bot.storage.models import (
    Collaboration,
    CollaborationEvaluation,
    Group,
    Opportunity,
    OpportunityRecipient,
    OutboxMessage,
    Proposal,
    Suggestion,
)
from bot.storage.models.staff import Handoff, StaffNotification

ERASED = "erased"


def erased_payload(text: str) -> dict:
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


def erase_citizen(
    session: Session,
    *,
    owner: str,
    channel: str,
    user_id: str,
) -> dict[str, int]:
    """Take one citizen's texts out of Slack (see module doc): the items about their groups and
    proposals, the threads of their questions. Returns counts."""
    group_ids = list(session.scalars(select(Group.id).where(Group.owner == owner)))
    proposals = list(
        session.scalars(
            select(Proposal).where(
                or_(
                    (Proposal.channel == channel) & (Proposal.user_id == user_id),
                    Proposal.group_id.in_(group_ids) if group_ids else False,
                )
            )
        )
    )
    handoffs = list(
        session.scalars(select(Handoff).where(Handoff.channel == channel, Handoff.user_id == user_id))
    )
    return _erase(session, group_ids, proposals, handoffs)


def erase_groups(session: Session, group_ids: Iterable[int]) -> dict[str, int]:
    """One group deleted (by its owner on LINE, or by staff with `kyodo groups delete`): the
    division items suggesting it leave Slack the same way. Its proposals stay the citizen's."""
    return _erase(session, list(group_ids), [], [])


def _erase(
    session: Session,
    group_ids: list[int],
    proposals: list[Proposal],
    handoffs: list[Handoff],
) -> dict[str, int]:
    suggestion_ids = (
        list(session.scalars(select(Suggestion.id).where(Suggestion.group_id.in_(group_ids))))
        if group_ids
        else []
    )
    conditions = []
    if suggestion_ids:
        conditions.append(
            (StaffNotification.kind == "suggestion") & StaffNotification.ref_id.in_(suggestion_ids)
        )
    if proposals:
        conditions.append(
            (StaffNotification.kind == "proposal") & StaffNotification.ref_id.in_([p.id for p in proposals])
        )
    notes = list(session.scalars(select(StaffNotification).where(or_(*conditions)))) if conditions else []

    # Collaborations opened on these items (issue 14): their texts and their thread posts.
    collabs = (
        list(
            session.scalars(
                select(Collaboration).where(Collaboration.notification_id.in_([n.id for n in notes]))
            )
        )
        if notes
        else []
    )
    links = {f"notification:{n.id}" for n in notes} | {f"handoff:{h.id}" for h in handoffs}
    links |= {f"collaboration:{c.id}" for c in collabs}
    posted = {(n.slack_channel, n.message_ts) for n in notes if n.message_ts}
    posted |= {(h.slack_channel, h.thread_ts) for h in handoffs if h.thread_ts}
    channels = {n.slack_channel for n in notes} | {h.slack_channel for h in handoffs}
    channels |= {c.slack_channel for c in collabs}
    # The opportunities whose ranked list named these groups, and where their 関心あり went.
    from bot.staff.opp_posts import SHOWN  # (see _rerender_lists)

    opps = (
        list(
            session.scalars(
                select(Opportunity)
                .where(
                    Opportunity.id.in_(
                        select(OpportunityRecipient.opportunity_id).where(
                            OpportunityRecipient.group_id.in_(group_ids),
                            (OpportunityRecipient.rank > 0) | OpportunityRecipient.interested_at.is_not(None),
                        )
                    )
                )
                .order_by(Opportunity.id)
            )
        )
        if group_ids
        else []
    )
    channels |= {o.slack_channel for o in opps}
    listed: dict[int, int] = {}  # opportunity id -> the best rank an erased group had in its list
    for oid, rank in (
        session.execute(
            select(OpportunityRecipient.opportunity_id, OpportunityRecipient.rank).where(
                OpportunityRecipient.group_id.in_(group_ids), OpportunityRecipient.rank > 0
            )
        )
        if group_ids
        else []
    ):
        listed[oid] = min(rank, listed.get(oid, rank))
    named = [o for o in opps if 0 < listed.get(o.id, 0) <= SHOWN]  # posts that show the group's name
    links |= {f"opportunity:{o.id}" for o in named}
    links |= {f"opportunity-interest:{o.id}:{gid}" for o in opps for gid in group_ids}
    threads = {c.thread_ts for c in collabs if c.thread_ts}
    tss = {ts for _, ts in posted} | threads | {o.message_ts for o in named if o.message_ts}
    blanked, thread_posts = _blank_slack_rows(session, channels, links, tss, threads)

    for c in collabs:  # the city keeps form, division and status (the report); not the texts
        c.group_name = c.purpose = c.goal_what = c.goal_by = c.goal_amount = ""
        c.role_city = c.role_group = c.period = ""
        c.user_id = None
    if collabs:  # the group's scores stay (the report), its words do not
        for e in session.scalars(
            select(CollaborationEvaluation).where(
                CollaborationEvaluation.collaboration_id.in_([c.id for c in collabs]),
                CollaborationEvaluation.side == "group",
            )
        ):
            e.comment = ""

    # Opportunities (協働の募集): the ranked rows keep rank, score and status, not the group.
    if group_ids:
        for r in session.scalars(
            select(OpportunityRecipient).where(OpportunityRecipient.group_id.in_(group_ids))
        ):
            r.group_name, r.user_id, r.reasons = "", None, []
        session.flush()

    for n in notes:
        n.status = ERASED
    for p in proposals:
        p.group_name = p.purpose = p.goal = p.role_city = p.role_group = ""
        p.match_reasons = []
        if p.status in ("queued", "sent"):
            p.status = "withdrawn"  # no division acts on, or is posted, an erased proposal
    edited = 0
    for n in notes:
        if n.message_ts:
            posts.queue_call(
                session,
                "chat.update",
                {"channel": n.slack_channel, "ts": n.message_ts, **erased_payload(msg.ITEM_ERASED)},
            )
            edited += 1
    for h in handoffs:
        if h.thread_ts:
            posts.queue_call(
                session,
                "chat.update",
                {"channel": h.slack_channel, "ts": h.thread_ts, **erased_payload(msg.HANDOFF_ERASED)},
            )
            edited += 1
    for channel, ts in sorted(thread_posts):  # what we posted in collaboration threads
        posts.queue_call(
            session, "chat.update", {"channel": channel, "ts": ts, **erased_payload(msg.ITEM_ERASED)}
        )
        edited += 1
    edited += _rerender_lists(session, [o for o in opps if o.id in listed], listed)
    session.flush()
    return {"items": len(notes), "slack_rows_blanked": blanked, "slack_posts_edited": edited}


def _rerender_lists(session: Session, opps: list[Opportunity], ranks: dict[int, int]) -> int:
    """The ranked lists that named an erased group (among the groups a post shows), rendered again
    without it (its line says the data was deleted): posted already -> chat.update; not yet -> the
    post's row gets the new list (if still pending) or, cancelled with the others carrying the
    group's name, is queued again under the same link, so 「送信」 still comes."""
    # Imported here: bot.staff.views imports the bot.engine package, whose router reaches this module.
    from bot.staff.opp_posts import SHOWN, view_of
    from bot.staff.views import renderer

    render = renderer()
    count = 0
    for opp in opps:
        if not opp.slack_channel or ranks.get(opp.id, 0) > SHOWN:
            continue
        payload = (
            render.opportunity(view_of(session, opp))
            if render is not None
            else erased_payload(msg.OPP_LIST_ERASED_PLAIN)  # no Slack in this process: a notice
        )
        if opp.message_ts:
            posts.queue_call(
                session, "chat.update", {"channel": opp.slack_channel, "ts": opp.message_ts, **payload}
            )
            count += 1
            continue
        link = f"opportunity:{opp.id}"
        pending = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.channel == posts.SLACK, OutboxMessage.link == link, OutboxMessage.status == "pending"
            )
        ).first()
        if pending is not None:
            pending.messages = [{"method": "chat.postMessage", "args": {"channel": opp.slack_channel, **payload}}]
        else:
            posts.queue_call(session, "chat.postMessage", {"channel": opp.slack_channel, **payload}, link=link)
    return count


def _blank_slack_rows(
    session: Session,
    channels: set[str],
    links: set[str],
    tss: set[str],
    threads: set[str] = frozenset(),  # type: ignore[assignment]
) -> tuple[int, set[tuple[str, str]]]:
    """Blank the Slack outbox rows about these items in the channels they went to, chosen by
    identifiers only: linked to them (``links``), updating one of their messages (``ts`` in
    ``tss``: a chat.update after a decision names no link), or posting in their collaboration
    ``threads``. Never by the citizen's words: text matching would also take other people's rows
    that happen to contain them. Returns the count and the (channel, ts) of the posts already
    delivered in those threads, to be edited. Read in Python: JSON queries differ between the
    databases, and a deletion is rare."""
    channels.discard("")
    thread_posts: set[tuple[str, str]] = set()
    if not channels:
        return 0, thread_posts
    count = 0
    rows = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.channel == posts.SLACK, OutboxMessage.destination.in_(sorted(channels))
        )
    )
    for row in rows:
        args = [(m or {}).get("args") or {} for m in (row.messages or []) if isinstance(m, dict)]
        in_thread = any(str(a.get("thread_ts", "")) in threads for a in args if a.get("thread_ts"))
        if row.link in links or in_thread or any(str(a.get("ts", "")) in tss for a in args if a.get("ts")):
            # Posts of ours in a collaboration's thread, and a group's 関心あり with its profile.
            collab_post = in_thread or row.link.startswith(("collaboration:", "opportunity-interest:"))
            if collab_post and row.status == "delivered" and row.result_ref:
                thread_posts.add((row.destination, row.result_ref))
            row.messages = []
            if row.status == "pending":
                row.status = "cancelled"
                row.last_error = "erased at the citizen's request"
                row.lease_until = None
            count += 1
    return count, thread_posts
