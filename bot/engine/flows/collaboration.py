"""The group's answer to a collaboration the division wrote (issue 14): 「合意する」 or
「変更を依頼」 (one free-text message, passed to the division's Slack thread).

Started by the buttons of the card bot/engine/collaboration.py pushes (``v1|collab|start|a12`` /
``c12``); only the person the card was pushed to can answer (anything else: 「見つかりません」).
"""

from __future__ import annotations

from bot.engine import collaboration as collab
from bot.engine import messages as M
from bot.engine.flow import Context, Flow, State, Step
from bot.engine.flows.common import menu_choices
from bot.engine.postback import int_arg
from bot.engine.types import Reply
from bot.staff import messages as staff_msg
from bot.staff.mrkdwn import escape_mrkdwn

CHANGE_MAX = 500


def _find(ctx: Context, collab_id: int | None):
    if collab_id is None:
        return None
    return collab.owned(ctx.session, ctx.incoming.channel, ctx.incoming.user_id, collab_id)


def _entry(ctx: Context) -> Step:
    arg = ctx.pb.arg if ctx.pb is not None else ""
    what, cid = arg[:1], int_arg(arg[1:])
    c = _find(ctx, cid)
    if c is None or what not in ("a", "c"):
        return ctx.end(Reply(text=M.COLLAB_GONE, choices=menu_choices()))
    status = M.COLLAB_STATUS.get(c.status, c.status)
    if c.status != "discussing":
        return ctx.end(Reply(text=M.COLLAB_ALREADY.format(status=status), choices=menu_choices()))
    if not c.filled:
        return ctx.end(Reply(text=M.COLLAB_NOT_READY, choices=menu_choices()))
    if what == "a":
        if not collab.agree(ctx.session, c, ctx.now):
            return ctx.end(
                Reply(
                    text=M.COLLAB_ALREADY.format(status=M.COLLAB_STATUS.get(c.status, "")),
                    choices=menu_choices(),
                )
            )
        collab.post_to_division(ctx.session, c, {"text": staff_msg.COLLAB_GROUP_AGREED})
        return ctx.end(
            Reply(
                text=M.COLLAB_AGREED.format(division=c.division_name),
                cards=[collab.card(c)],
                alt_text=M.COLLAB_AGREED.format(division=c.division_name),
            )
        )
    ctx.data["collab_id"] = c.id
    return ctx.goto("change")


def _ask_change(ctx: Context) -> list[Reply]:
    return [Reply(text=M.COLLAB_CHANGE_ASK)]


def _on_change(ctx: Context) -> Step:
    text = ctx.text.strip()
    if not text:
        return ctx.goto("change")
    if len(text) > CHANGE_MAX:
        return ctx.goto("change", Reply(text=M.COLLAB_CHANGE_TOO_LONG.format(count=len(text))))
    c = _find(ctx, int_arg(str(ctx.data.get("collab_id", ""))))
    if c is None:
        return ctx.end(Reply(text=M.COLLAB_GONE, choices=menu_choices()))
    quoted = escape_mrkdwn(text).replace("\n", "\n>")
    collab.post_to_division(ctx.session, c, {"text": staff_msg.COLLAB_GROUP_CHANGE.format(text=quoted)})
    return ctx.end(Reply(text=M.COLLAB_CHANGE_SENT.format(division=c.division_name), choices=menu_choices()))


FLOW = Flow(
    name=collab.FLOW,
    title=M.COLLAB_CHANGE_TITLE,
    entry=_entry,
    states={"change": State(_ask_change, _on_change)},
)
