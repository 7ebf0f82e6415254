"""「データを削除」: everything the bot holds about the user, deleted at once after confirmation."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.engine import groups
from bot.engine import messages as M
from bot.engine.flow import Context, Flow, State, Step
from bot.engine.flows.common import menu_choices
from bot.engine.retention import delete_user_data
from bot.engine.types import Reply
from bot.storage.models.conversation import EligibilityCheck, Feedback, Proposal, UnansweredQuestion
from bot.storage.models.staff import Handoff


def _count(ctx: Context, model) -> int:
    return int(
        ctx.session.scalar(
            select(func.count(model.id)).where(
                model.channel == ctx.incoming.channel, model.user_id == ctx.incoming.user_id
            )
        )
        or 0
    )


def _stored(ctx: Context) -> dict[str, int]:
    """What the bot holds about the user, by kind (the draft of a flow this one interrupted too)."""
    return {
        "groups": len(groups.owned(ctx.session, ctx.owner)),
        "draft": 1 if ctx.data.get("_paused") else 0,
        "records": sum(_count(ctx, m) for m in (Feedback, UnansweredQuestion, EligibilityCheck, Handoff)),
        "proposals": _count(ctx, Proposal),
    }


def _entry(ctx: Context) -> Step:
    if not any(_stored(ctx).values()):
        # Nothing to show or confirm; copies of the messages in transit are erased all the same.
        delete_user_data(ctx.session, ctx.incoming.channel, ctx.incoming.user_id, now=ctx.now)
        return ctx.end(Reply(text=M.DATA_NOTHING, choices=menu_choices()))
    return ctx.goto("confirm")


def _ask(ctx: Context) -> list[Reply]:
    stored = _stored(ctx)
    lines = [M.DATA_CONFIRM_PARTS_HEAD]
    if stored["groups"]:
        lines.append(M.DATA_PART_GROUPS.format(n=stored["groups"]))
    if stored["draft"]:
        lines.append(M.DATA_PART_DRAFT)
    if stored["records"]:
        lines.append(M.DATA_PART_RECORDS)
    if stored["proposals"]:
        lines.append(M.DATA_PART_PROPOSALS.format(n=stored["proposals"]))
    lines.append(M.DATA_CONFIRM_TAIL)
    return [
        Reply(
            text="\n".join(lines),
            choices=[ctx.button(M.DATA_DELETE, "confirm", "yes"), ctx.button(M.CANCEL, "confirm", "no")],
        )
    ]


def _on_confirm(ctx: Context) -> Step:
    arg = ctx.arg_for("confirm")
    if arg == "no":
        return ctx.end(Reply(text=M.DATA_KEPT, choices=menu_choices()))
    if arg != "yes":
        return ctx.goto("confirm")
    delete_user_data(ctx.session, ctx.incoming.channel, ctx.incoming.user_id, now=ctx.now)
    return ctx.end_discarding_paused(Reply(text=M.DATA_DONE, choices=menu_choices()))


FLOW = Flow(
    name="deldata",
    title=M.DATA_TITLE,
    entry=_entry,
    states={"confirm": State(_ask, _on_confirm)},
    keywords=(M.MENU_DELETE_DATA, "データ削除", "データを消して", "個人情報を削除"),
)
