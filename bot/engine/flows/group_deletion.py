"""Deleting one registered group, after a confirmation."""

from __future__ import annotations

from bot.engine import groups
from bot.engine import messages as M
from bot.engine.flow import Context, Flow, State, Step
from bot.engine.flows.common import menu_choices
from bot.engine.postback import int_arg
from bot.engine.types import Reply


def _entry(ctx: Context) -> Step:
    arg = ctx.pb.arg if ctx.pb is not None else ""
    gid = int_arg(arg)
    group = groups.get_owned(ctx.session, ctx.owner, gid) if gid is not None else None
    if group is None:
        return ctx.end(Reply(text=M.GROUP_GONE))
    ctx.data.update(group_id=group.id, name=group.name)
    return ctx.goto("confirm")


def _ask(ctx: Context) -> list[Reply]:
    return [
        Reply(
            text=M.GDEL_CONFIRM.format(name=ctx.data.get("name", "")),
            choices=[ctx.button(M.DELETE, "confirm", "yes"), ctx.button(M.CANCEL, "confirm", "no")],
        )
    ]


def _on_confirm(ctx: Context) -> Step:
    arg = ctx.arg_for("confirm")
    if arg == "no":
        return ctx.end(Reply(text=M.GDEL_KEPT, choices=menu_choices()))
    if arg != "yes":
        return ctx.goto("confirm")
    group = groups.get_owned(ctx.session, ctx.owner, int(ctx.data.get("group_id", 0)))
    if group is None:
        return ctx.end(Reply(text=M.GROUP_GONE))
    name = group.name
    groups.delete(ctx.session, ctx.owner, group.id)
    return ctx.end(Reply(text=M.GDEL_DONE.format(name=name), choices=menu_choices()))


FLOW = Flow(name="gdel", title=M.GDEL_TITLE, entry=_entry, states={"confirm": State(_ask, _on_confirm)})
