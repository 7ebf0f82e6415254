"""協働の募集 as a group sees it (issue 14 step 3): the notice a division's opportunity pushes
(with 「関心あり」), 「募集中の協働は？」, 「お知らせを停止」/「お知らせを再開」, and 「関心あり」,
which reaches the division's thread with the group's profile. The division's side (the modal,
the ranking, 「送信」) is bot/staff/opportunities.py; the multicast goes through
:meth:`bot.engine.notify.Notifier.multicast` and the one outbox.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from bot.engine import messages as M
from bot.engine import postback
from bot.engine.types import Card, Choice, Incoming, Reply
from bot.registry.groups import field_labels
from bot.staff import messages as staff_msg
from bot.staff import posts
from bot.staff.mrkdwn import escape_mrkdwn
from bot.storage.models.opportunity import Opportunity, OpportunityRecipient
from bot.storage.models.registry import Group
from knowledge.normalize import fold

JST = ZoneInfo("Asia/Tokyo")
FLOW = "opp"  # postback flow name: v1|opp|int|<id>
DEFAULT_MONTHLY_CAP = 4  # notices per group per month (OPPORTUNITY_MONTHLY_CAP)
_cap = DEFAULT_MONTHLY_CAP
LIST_MAX = 5  # cards shown by 「募集中の協働は？」

LIST_KEYS = frozenset(fold(w) for w in M.OPP_LIST_WORDS)
STOP_KEYS = frozenset(fold(w) for w in M.OPP_STOP_WORDS)
RESUME_KEYS = frozenset(fold(w) for w in M.OPP_RESUME_WORDS)


def configure(monthly_cap: int) -> None:
    """OPPORTUNITY_MONTHLY_CAP, set once by bot/app.py (the staff side sends, the engine tells)."""
    global _cap
    _cap = max(0, int(monthly_cap))


def monthly_cap() -> int:
    return _cap


def today(now: datetime) -> date:
    return now.astimezone(JST).date()


def month_start(now: datetime) -> datetime:
    """The first moment of ``now``'s month in Japan time (the monthly cap counts from there)."""
    local = now.astimezone(JST)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def shorten(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def deadline_text(d: date | None) -> str:
    return M.OPP_DEADLINE.format(month=d.month, day=d.day) if d is not None else M.OPP_NO_DEADLINE


def fields_text(numbers: list[int] | None, limit: int = 3) -> str:
    labels = field_labels()
    names = [labels.get(n, str(n)) for n in (numbers or [])]
    return "・".join(names[:limit]) + ("…" if len(names) > limit else "") if names else M.OPP_ANY_FIELD


def is_open(opp: Opportunity, now: datetime) -> bool:
    return opp.status == "sent" and (opp.deadline is None or opp.deadline >= today(now))


def open_query(now: datetime):
    return (
        select(Opportunity)
        .where(
            Opportunity.status == "sent",
            or_(Opportunity.deadline.is_(None), Opportunity.deadline >= today(now)),
        )
        .order_by(Opportunity.deadline.is_(None), Opportunity.deadline, Opportunity.id.desc())
    )


def card(opp: Opportunity) -> Card:
    values = {
        "division": shorten(opp.division_name, 30),
        "fields": fields_text(opp.fields),
        "sought": shorten(opp.sought, 60),
        "form": M.COLLAB_FORMS.get(opp.form, M.COLLAB_FORMS["other"]),
        "deadline": deadline_text(opp.deadline),
    }
    return Card(
        title=shorten(M.OPP_TITLE.format(title=opp.title), 40),
        lines=[line.format(**values) for line in M.OPP_LINES],
        actions=[
            Choice(
                label=M.OPP_INTERESTED,
                data=postback.encode(FLOW, "int", opp.id),
                display_text=M.OPP_INTERESTED,
            )
        ],
    )


def notice_reply(opp: Opportunity) -> Reply:
    """The push (multicast) every recipient gets: the card, and how to stop."""
    text = M.OPP_NOTICE.format(division=opp.division_name) + "\n" + M.OPP_NOTICE_TAIL
    return Reply(
        text=text,
        cards=[card(opp)],
        alt_text=shorten(
            M.OPP_TITLE.format(title=opp.title) + " " + M.OPP_NOTICE.format(division=opp.division_name), 400
        ),
        choices=[
            Choice(label=M.MENU_OPPORTUNITIES, text=M.MENU_OPPORTUNITIES),
            Choice(label=M.OPP_STOP, text=M.OPP_STOP),
        ],
    )


# -- typed words --------------------------------------------------------------------------------


def handles(key: str) -> bool:
    """Whether a folded text is one of this module's words (routed before the answerer)."""
    return key in LIST_KEYS or key in STOP_KEYS or key in RESUME_KEYS


def on_text(session: Session, incoming: Incoming, key: str, now: datetime) -> list[Reply]:
    if key in LIST_KEYS:
        return list_open(session, now, notice_choices(session, incoming))
    if incoming.source_type != "user":
        word = M.OPP_STOP if key in STOP_KEYS else M.OPP_RESUME
        return [Reply(text=M.PERSONAL_IN_GROUP.format(title=word))]
    return set_notices(session, incoming, on=key in RESUME_KEYS)


def _owner(incoming: Incoming) -> str:
    return f"{incoming.channel}:{incoming.user_id}"


def set_notices(session: Session, incoming: Incoming, *, on: bool) -> list[Reply]:
    """「お知らせを停止」/「お知らせを再開」 for every group this user registered."""
    owner = _owner(incoming)
    groups = session.scalars(select(Group.id).where(Group.owner == owner)).all()
    if not groups:
        return [Reply(text=M.OPP_NO_GROUPS)]
    changed = session.execute(
        update(Group)
        .where(Group.owner == owner, Group.notices_opt_in.is_(not on))
        .values(notices_opt_in=on)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not on and not changed:
        return [Reply(text=M.OPP_ALREADY_STOPPED)]
    if on:
        return [Reply(text=M.OPP_RESUMED.format(count=len(groups), cap=monthly_cap()))]
    return [Reply(text=M.OPP_STOPPED.format(count=len(groups)))]


def notice_choices(session: Session, incoming: Incoming) -> list[Choice]:
    """What the user can do about the notices, offered under 「募集中の協働は？」 when nothing is
    open: 「お知らせを停止」 only to a user with a group that receives them, 「お知らせを再開」 to one
    whose groups all stopped them, 「団体登録」 to one without a group (the notices go to
    registered groups); nothing in a group chat (the words are personal there)."""
    if incoming.source_type != "user":
        return []
    opted = session.scalars(select(Group.notices_opt_in).where(Group.owner == _owner(incoming))).all()
    if not opted:
        return [Choice(label=M.MENU_REGISTER, text=M.MENU_REGISTER)]
    word = M.OPP_STOP if any(opted) else M.OPP_RESUME
    return [Choice(label=word, text=word)]


def list_open(session: Session, now: datetime, choices: list[Choice] | None = None) -> list[Reply]:
    """「募集中の協働は？」: the open opportunities, nearest deadline first; when there are none,
    the ``choices`` that apply to the user (:func:`notice_choices`)."""
    rows = session.scalars(open_query(now).limit(LIST_MAX + 1)).all()
    if not rows:
        return [Reply(text=M.OPP_LIST_NONE, choices=list(choices or []))]
    shown = rows[:LIST_MAX]
    text = M.OPP_LIST_HEAD.format(count=len(shown))
    if len(rows) > LIST_MAX:
        total = session.scalar(select(func.count()).select_from(open_query(now).order_by(None).subquery()))
        text += "\n" + M.OPP_LIST_MORE.format(more=total - LIST_MAX)
    return [Reply(text=text, cards=[card(o) for o in shown], alt_text=shorten(text, 400))]


# -- 関心あり ------------------------------------------------------------------------------------


def on_postback(session: Session, incoming: Incoming, pb: postback.Postback, now: datetime) -> list[Reply]:
    opp_id = postback.int_arg(pb.arg)
    opp = session.get(Opportunity, opp_id) if pb.action == "int" and opp_id else None
    if opp is None or opp.status == "draft":
        return [Reply(text=M.OPP_GONE)]
    if not is_open(opp, now):
        return [Reply(text=M.OPP_CLOSED.format(title=opp.title))]
    if incoming.source_type != "user":
        return [Reply(text=M.PERSONAL_IN_GROUP.format(title=M.OPP_INTERESTED))]
    owner = _owner(incoming)
    groups = session.scalars(select(Group).where(Group.owner == owner).order_by(Group.id)).all()
    if not groups:
        return [Reply(text=M.OPP_NEED_GROUP, choices=[Choice(label=M.MENU_REGISTER, text=M.MENU_REGISTER)])]
    rows = {
        r.group_id: r
        for r in session.scalars(
            select(OpportunityRecipient).where(
                OpportunityRecipient.opportunity_id == opp.id,
                OpportunityRecipient.group_id.in_([g.id for g in groups]),
            )
        )
    }
    # The groups the notice went to; from the list (no notice), every group of the user.
    chosen = [g for g in groups if g.id in rows] or list(groups)
    newly: list[Group] = []
    for g in chosen:
        r = rows.get(g.id)
        if r is None:
            r = OpportunityRecipient(
                opportunity_id=opp.id,
                group_id=g.id,
                group_name=g.name,
                channel=incoming.channel,
                user_id=incoming.user_id,
                status="listed",
                created_at=now,
            )
            session.add(r)
            session.flush()
        changed = session.execute(
            update(OpportunityRecipient)
            .where(OpportunityRecipient.id == r.id, OpportunityRecipient.interested_at.is_(None))
            .values(interested_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed:
            newly.append(g)
    if not newly:
        return [Reply(text=M.OPP_ALREADY.format(title=opp.title, division=opp.division_name))]
    for g in newly:
        tell_division(session, opp, g)
    names = "、".join(g.name for g in newly)
    return [Reply(text=M.OPP_THANKS.format(title=opp.title, division=opp.division_name, groups=names))]


def profile_text(g: Group) -> str:
    labels = field_labels()
    return staff_msg.OPP_INTEREST_PROFILE.format(
        kind=escape_mrkdwn(g.kind_note or g.kind or staff_msg.OPP_NOT_GIVEN),
        fields=escape_mrkdwn(
            "・".join(labels.get(n, str(n)) for n in (g.fields or [])) or staff_msg.OPP_NOT_GIVEN
        ),
        description=escape_mrkdwn(shorten(g.description, 600) or staff_msg.OPP_NOT_GIVEN),
        contact=escape_mrkdwn(g.contact or staff_msg.OPP_NOT_GIVEN),
    )


def interest_link(opp_id: int, group_id: int) -> str:
    """The outbox link of a group's 関心あり post: ``opportunity-interest:<opp>:<group>``."""
    return f"opportunity-interest:{opp_id}:{group_id}"


def tell_division(session: Session, opp: Opportunity, g: Group) -> None:
    """The group's 「関心あり」 in the opportunity's thread, with its profile (through the outbox)."""
    if not opp.slack_channel:
        return
    text = staff_msg.OPP_INTEREST.format(group=escape_mrkdwn(g.name)) + "\n" + profile_text(g)
    args = {"channel": opp.slack_channel, "text": text}
    if opp.message_ts:
        args["thread_ts"] = opp.message_ts
    # linked to the group too: its data's deletion finds this post by id (bot/staff/erasure.py)
    posts.queue_call(session, "chat.postMessage", args, link=interest_link(opp.id, g.id))
