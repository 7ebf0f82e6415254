"""協働の記録 as the group sees it (issue 14): the card with 「合意する」/「変更を依頼」, and the
group's side of the record (agreeing, asking for a change). The division's side is
bot/staff/collaborations.py; the flow that takes the group's change request is
bot/engine/flows/collaboration.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.engine import messages as M
from bot.engine import postback
from bot.engine.types import Card, Choice, Reply
from bot.staff import messages as staff_msg
from bot.staff import posts
from bot.staff.mrkdwn import escape_mrkdwn
from bot.storage.models.collaboration import GOALS, PRINCIPLES, Collaboration, CollaborationEvaluation


def shorten(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


JST = ZoneInfo("Asia/Tokyo")


def today(now: datetime) -> date:
    """The date in Japan (終了予定日 is a date there)."""
    return aware(now).astimezone(JST).date()


def date_text(d: date | None) -> str:
    """「2027年3月31日」 ("" when not set)."""
    return M.COLLAB_DATE.format(y=d.year, m=d.month, d=d.day) if d is not None else ""


FLOW = "collab"  # the postback flow name (bot/engine/flows/collaboration.py)


def goal_text(c: Collaboration) -> str:
    parts = [p for p in (c.goal_what, c.goal_by, c.goal_amount) if p.strip()]
    return " / ".join(parts) or M.COLLAB_NOT_SET


def card(c: Collaboration, *, buttons: bool = True) -> Card:
    values = {
        "form": M.COLLAB_FORMS.get(c.form, M.COLLAB_FORMS["other"]),
        "purpose": shorten(c.purpose, 60) or M.COLLAB_NOT_SET,
        "goal": shorten(goal_text(c), 60),
        "role_city": shorten(c.role_city, 50) or M.COLLAB_NOT_SET,
        "role_group": shorten(c.role_group, 50) or M.COLLAB_NOT_SET,
        "period": shorten(c.period, 40) or M.COLLAB_NOT_SET,
        "status": M.COLLAB_STATUS.get(c.status, c.status),
    }
    actions: list[Choice] = []
    if buttons and c.status == "discussing" and c.filled:
        actions = [
            Choice(
                label=M.COLLAB_AGREE,
                data=postback.encode(FLOW, "start", f"a{c.id}"),
                display_text=M.COLLAB_AGREE,
            ),
            Choice(
                label=M.COLLAB_CHANGE,
                data=postback.encode(FLOW, "start", f"c{c.id}"),
                display_text=M.COLLAB_CHANGE,
            ),
        ]
    lines = [line.format(**values) for line in M.COLLAB_LINES]
    if c.ends_on is not None:  # after 期間
        at = next((i + 1 for i, line in enumerate(M.COLLAB_LINES) if "{period}" in line), len(lines))
        lines.insert(at, M.COLLAB_ENDS_ON_LINE.format(date=date_text(c.ends_on)))
    return Card(
        title=shorten(M.COLLAB_TITLE.format(division=c.division_name), 40),
        subtitle=shorten(c.group_name, 40),
        lines=lines,
        actions=actions,
    )


def ask_reply(c: Collaboration) -> Reply:
    """The push that asks the group to agree (or ask for a change)."""
    text = M.COLLAB_ASK.format(division=c.division_name, group=c.group_name)
    return Reply(text=text, cards=[card(c)], alt_text=text[:400])


def owned(session: Session, channel: str, user_id: str, collab_id: int) -> Collaboration | None:
    c = session.get(Collaboration, collab_id)
    if c is None or c.channel != channel or not c.user_id or c.user_id != user_id:
        return None
    return c


def agree(session: Session, c: Collaboration, now: datetime) -> bool:
    """The group agrees: one conditional UPDATE (a second tap, or a tap after staff changed the
    text and asked again, changes nothing)."""
    changed = session.execute(
        update(Collaboration)
        .where(Collaboration.id == c.id, Collaboration.status == "discussing", Collaboration.filled.is_(True))
        .values(status="agreed", agreed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(c)
    return bool(changed)


def post_to_division(session: Session, c: Collaboration, payload: dict) -> None:
    """A post in the division's thread through the one outbox (top level, linked so its ts
    becomes the thread, when the item's ts is not known). Shared with bot/staff/collaborations.py."""
    if not c.slack_channel:
        return
    args = {"channel": c.slack_channel, **payload}
    if c.thread_ts:
        args["thread_ts"] = c.thread_ts
        posts.queue_call(session, "chat.postMessage", args)
    else:
        posts.queue_call(session, "chat.postMessage", args, link=f"collaboration:{c.id}")


# -- evaluation by both sides (第3章(3)) --------------------------------------------------------------

EVAL_FLOW = "eval"  # bot/engine/flows/evaluation.py
EVAL_WINDOW = timedelta(days=14)  # from 完了 to the deadline
REMIND_AFTER = (timedelta(days=5), timedelta(days=10))  # at most two reminders


def aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def deadline_text(c: Collaboration) -> str:
    if c.eval_deadline is None:
        return ""
    d = aware(c.eval_deadline).astimezone(JST)
    return M.EVAL_DEADLINE.format(m=d.month, d=d.day)


def request_evaluation(session: Session, c: Collaboration, now: datetime) -> bool:
    """Open the evaluation once (a conditional UPDATE): deadline two weeks on."""
    changed = session.execute(
        update(Collaboration)
        .where(Collaboration.id == c.id, Collaboration.eval_requested_at.is_(None))
        .values(eval_requested_at=now, eval_deadline=now + EVAL_WINDOW)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(c)
    return bool(changed)


def eval_ask_reply(c: Collaboration, *, reminder: bool = False, due: bool = False) -> Reply:
    """The push that asks the group to evaluate, with the button that starts the LINE flow
    (``due``: opened because 終了予定日 passed, not because staff set 完了)."""
    template = M.EVAL_REMIND if reminder else M.EVAL_ASK_DUE if due else M.EVAL_ASK
    text = template.format(
        group=c.group_name, division=c.division_name, deadline=deadline_text(c), date=date_text(c.ends_on)
    )
    button = Choice(
        label=M.EVAL_START, data=postback.encode(EVAL_FLOW, "start", c.id), display_text=M.EVAL_START
    )
    return Reply(text=text, choices=[button])


def answers(session: Session, collab_id: int) -> dict[str, CollaborationEvaluation]:
    rows = session.scalars(
        select(CollaborationEvaluation).where(CollaborationEvaluation.collaboration_id == collab_id)
    )
    return {e.side: e for e in rows}


def evaluation_state(session: Session, c: Collaboration, side: str, now: datetime) -> str:
    """open | answered | closed (revealed or past the deadline) | not_open."""
    if c.eval_requested_at is None:
        return "not_open"
    if side in answers(session, c.id):
        return "answered"
    if c.eval_revealed_at is not None or (c.eval_deadline and aware(c.eval_deadline) <= now):
        return "closed"
    return "open"


def save_evaluation(
    session: Session, c: Collaboration, side: str, values: dict, *, by: str = "", now: datetime
) -> bool:
    """Store one side's answers (once: a second answer, or a race, changes nothing)."""
    if values.get("goal") not in GOALS or any(
        not isinstance(values.get(k), int) or not 1 <= values[k] <= 5 for k in PRINCIPLES
    ):
        raise ValueError("incomplete evaluation")
    row = CollaborationEvaluation(
        collaboration_id=c.id,
        side=side,
        goal=values["goal"],
        comment=str(values.get("comment") or "")[:300],
        answered_by=by[:40],
        created_at=now,
        **{k: values[k] for k in PRINCIPLES},
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


def close_evaluation(session: Session, c: Collaboration, now: datetime) -> dict[str, CollaborationEvaluation] | None:
    """中止 while the evaluation is open (it opened at 終了予定日): the evaluation closes at once,
    as its deadline would — one conditional UPDATE (deadline now, closed once), nobody is asked or
    reminded again, 「評価する」 answers that it is closed. What a side has answered is kept (the
    city's figures) and posted in the division's thread; with no answer at all nothing is posted.
    Returns the answers given (possibly none) when it closed the evaluation now, None when there
    was nothing open to close. Telling the group is the caller's (the status push)."""
    if c.eval_requested_at is None or c.eval_revealed_at is not None:
        return None
    got = answers(session, c.id)
    if got:
        if not reveal(session, c, now, head=staff_msg.EVAL_REVEAL_HEAD_CANCELLED):
            return None
    elif not _claim_reveal(session, c, now):
        session.refresh(c)
        return None
    session.refresh(c)
    if c.eval_deadline is None or aware(c.eval_deadline) > now:  # the deadline is now: closed everywhere
        c.eval_deadline = aware(now).astimezone(UTC)
        session.flush()
    return got


def _claim_reveal(session: Session, c: Collaboration, now: datetime) -> bool:
    """Mark the evaluation revealed, once (a conditional UPDATE): True only for the one caller
    that did it, however many race."""
    return bool(
        session.execute(
            update(Collaboration)
            .where(Collaboration.id == c.id, Collaboration.eval_revealed_at.is_(None))
            .values(eval_revealed_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def reveal(session: Session, c: Collaboration, now: datetime, *, head: str = staff_msg.EVAL_REVEAL_HEAD) -> bool:
    """Both answered or the deadline passed: mark revealed once and post both sides' answers in
    the division's thread. The caller tells the group (a reply or a push) with :func:`group_view`."""
    changed = _claim_reveal(session, c, now)
    session.refresh(c)
    if not changed:
        return False
    got = answers(session, c.id)
    parts = [head]
    for side in ("city", "group"):
        e = got.get(side)
        if e is None:
            parts.append(f"*{staff_msg.EVAL_SIDES[side]}*　{staff_msg.EVAL_NO_ANSWER}")
            continue
        scores = "\n".join(f"{M.EVAL_PRINCIPLES[k]}: {getattr(e, k)}" for k in PRINCIPLES)
        comment = f"\n>{escape_mrkdwn(e.comment)}" if e.comment else ""
        parts.append(
            staff_msg.EVAL_REVEAL_SIDE.format(
                side=staff_msg.EVAL_SIDES[side], goal=M.EVAL_GOALS[e.goal], scores=scores, comment=comment
            )
        )
    post_to_division(session, c, {"text": "\n\n".join(parts)})
    return True


def group_view(session: Session, c: Collaboration) -> str:
    """What the group is told of the city's evaluation once revealed."""
    e = answers(session, c.id).get("city")
    if e is None:
        return M.EVAL_REVEAL_NONE.format(group=c.group_name, division=c.division_name)
    lines = [M.EVAL_REVEAL_TITLE.format(group=c.group_name, division=c.division_name)]
    lines.append(M.EVAL_REVEAL_GOAL.format(goal=M.EVAL_GOALS[e.goal]))
    lines += [
        M.EVAL_REVEAL_LINE.format(principle=M.EVAL_PRINCIPLES[k], score=getattr(e, k)) for k in PRINCIPLES
    ]
    if e.comment:
        lines.append(M.EVAL_REVEAL_COMMENT.format(comment=e.comment))
    return "\n".join(lines)
