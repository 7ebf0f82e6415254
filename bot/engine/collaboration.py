"""協働の記録 as the group sees it (issue 14): the card with 「合意する」/「変更を依頼」, and the
group's side of the record (agreeing, asking for a change). The division's side is
bot/staff/collaborations.py; the flow that takes the group's change request is
bot/engine/flows/collaboration.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.engine import messages as M
from bot.engine import postback
from bot.engine.types import Card, Choice, Reply
from bot.staff import posts
from bot.storage.models.collaboration import Collaboration


def shorten(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    return Card(
        title=shorten(M.COLLAB_TITLE.format(division=c.division_name), 40),
        subtitle=shorten(c.group_name, 40),
        lines=[line.format(**values) for line in M.COLLAB_LINES],
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
