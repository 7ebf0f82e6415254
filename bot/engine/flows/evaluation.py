"""協働の評価, the group's side (第3章(3), issue 14): the same five short questions the division
answers in Slack. Declared as data: one state for the goal, one per principle (1-5), one for the
optional comment. Started by the 「評価する」 button of the push sent when the collaboration is
完了 or its 終了予定日 has passed (``v1|eval|start|<id>``); only the person it was pushed to can answer, once, before the
deadline. The division's answers are shown once both sides answered (or the deadline passed)."""

from __future__ import annotations

from bot.engine import collaboration as collab
from bot.engine import messages as M
from bot.engine.flow import Context, Flow, State, Step
from bot.engine.flows.common import menu_choices
from bot.engine.postback import int_arg
from bot.engine.types import Reply
from bot.storage.models.collaboration import GOALS, PRINCIPLES, Collaboration

COMMENT_MAX = 300
#: The questions in order: the goal, then each principle.
ORDER = ("goal", *PRINCIPLES, "comment")


def _collab(ctx: Context, arg: str | None) -> Collaboration | None:
    cid = int_arg(arg)
    if cid is None:
        return None
    return collab.owned(ctx.session, ctx.incoming.channel, ctx.incoming.user_id, cid)


def _entry(ctx: Context) -> Step:
    c = _collab(ctx, ctx.pb.arg if ctx.pb is not None else "")
    if c is None:
        return ctx.end(Reply(text=M.COLLAB_GONE, choices=menu_choices()))
    state = collab.evaluation_state(ctx.session, c, "group", ctx.now)
    if state != "open":
        text = {"answered": M.EVAL_ALREADY, "closed": _closed_text(c)}.get(state, M.EVAL_NOT_OPEN)
        return ctx.end(Reply(text=text, choices=menu_choices()))
    ctx.data["collab_id"] = c.id
    return ctx.goto("goal")


def _closed_text(c: Collaboration) -> str:
    """Why 「評価する」 comes too late: the deadline passed, or the collaboration was cancelled."""
    return M.EVAL_CLOSED_CANCELLED if c.status == "cancelled" else M.EVAL_CLOSED


def _next(key: str) -> str:
    return ORDER[ORDER.index(key) + 1]


def _prev(key: str) -> str | None:
    i = ORDER.index(key)
    return ORDER[i - 1] if i else None


def _ask_goal(ctx: Context) -> list[Reply]:
    return [Reply(text=M.EVAL_Q_GOAL, choices=[ctx.button(M.EVAL_GOALS[g], "pick", g) for g in GOALS])]


def _on_goal(ctx: Context) -> Step:
    arg = ctx.arg_for("pick")
    if arg not in GOALS:
        return ctx.goto("goal", Reply(text=M.EVAL_PICK))
    ctx.data["goal"] = arg
    return ctx.goto(_next("goal"))


def _principle_state(key: str) -> State:
    def ask(ctx: Context) -> list[Reply]:
        text = M.EVAL_Q_PRINCIPLE.format(principle=M.EVAL_PRINCIPLES[key])
        return [Reply(text=text, choices=[ctx.button(str(n), "pick", n) for n in range(1, 6)])]

    def handle(ctx: Context) -> Step:
        arg = ctx.arg_for("pick")
        if arg is None and ctx.text in {str(n) for n in range(1, 6)}:  # typed instead of tapped
            arg = ctx.text
        score = int_arg(arg, upper=5)
        if score is None or score < 1:
            return ctx.goto(key, Reply(text=M.EVAL_PICK))
        ctx.data[key] = score
        return ctx.goto(_next(key))

    return State(ask, handle, back=_prev(key))


def _ask_comment(ctx: Context) -> list[Reply]:
    return [Reply(text=M.EVAL_Q_COMMENT, choices=[ctx.button(M.EVAL_NO_COMMENT, "none", "x")])]


def _on_comment(ctx: Context) -> Step:
    if ctx.arg_for("none") == "x" or ctx.text == M.EVAL_NO_COMMENT:
        comment = ""
    else:
        comment = ctx.text.strip()
        if not comment:
            return ctx.goto("comment")
        if len(comment) > COMMENT_MAX:
            return ctx.goto("comment", Reply(text=M.EVAL_COMMENT_TOO_LONG.format(count=len(comment))))
    c = _collab(ctx, str(ctx.data.get("collab_id", "")))
    if c is None:
        return ctx.end(Reply(text=M.COLLAB_GONE, choices=menu_choices()))
    state = collab.evaluation_state(ctx.session, c, "group", ctx.now)
    if state != "open":
        text = M.EVAL_ALREADY if state == "answered" else _closed_text(c)
        return ctx.end(Reply(text=text, choices=menu_choices()))
    values = {k: ctx.data.get(k) for k in ("goal", *PRINCIPLES)}
    values["comment"] = comment
    if not collab.save_evaluation(ctx.session, c, "group", values, now=ctx.now):
        return ctx.end(Reply(text=M.EVAL_ALREADY, choices=menu_choices()))
    replies = [Reply(text=M.EVAL_THANKS)]
    if "city" in collab.answers(ctx.session, c.id) and collab.reveal(ctx.session, c, ctx.now):
        replies = [
            Reply(text=M.EVAL_THANKS_SHORT),
            Reply(text=collab.group_view(ctx.session, c)),
        ]
    replies[-1] = Reply(text=replies[-1].text, choices=menu_choices())
    return ctx.end(*replies)


FLOW = Flow(
    name=collab.EVAL_FLOW,
    title=M.EVAL_TITLE,
    entry=_entry,
    states={
        "goal": State(_ask_goal, _on_goal),
        **{key: _principle_state(key) for key in PRINCIPLES},
        "comment": State(_ask_comment, _on_comment, back=PRINCIPLES[-1]),
    },
)
