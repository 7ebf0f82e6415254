"""「データを削除」: everything the bot holds about the user, deleted at once after confirmation."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.engine import groups
from bot.engine import messages as M
from bot.engine.flow import Context, Flow, State, Step
from bot.engine.retention import delete_user_data
from bot.engine.types import Reply
from bot.storage.models.conversation import Proposal


def _entry(ctx: Context) -> Step:
    return ctx.goto("confirm")


def _ask(ctx: Context) -> list[Reply]:
    n_groups = len(groups.owned(ctx.session, ctx.owner))
    n_proposals = ctx.session.scalar(
        select(func.count(Proposal.id)).where(
            Proposal.channel == ctx.incoming.channel, Proposal.user_id == ctx.incoming.user_id
        )
    )
    return [
        Reply(
            text=M.DATA_CONFIRM.format(groups=n_groups, proposals=n_proposals or 0),
            choices=[ctx.button(M.DATA_DELETE, "confirm", "yes"), ctx.button(M.CANCEL, "confirm", "no")],
        )
    ]


def _on_confirm(ctx: Context) -> Step:
    arg = ctx.arg_for("confirm")
    if arg == "no":
        return ctx.end(Reply(text=M.DATA_KEPT))
    if arg != "yes":
        return ctx.goto("confirm")
    delete_user_data(ctx.session, ctx.incoming.channel, ctx.incoming.user_id, now=ctx.now)
    return ctx.end(Reply(text=M.DATA_DONE))


FLOW = Flow(
    name="deldata",
    title=M.DATA_TITLE,
    entry=_entry,
    states={"confirm": State(_ask, _on_confirm)},
    keywords=(M.MENU_DELETE_DATA, "データ削除", "データを消して", "個人情報を削除"),
)
