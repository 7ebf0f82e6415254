"""相談・提案: a registered group picks a division (or lets the city decide) and states 目的,
目標 and 役割分担 (the guideline's principles ③ and ④); the proposal is queued with a reference."""

from __future__ import annotations

import uuid

from bot.engine import groups
from bot.engine import messages as M
from bot.engine.flow import Context, Flow, State, Step, back_choice, cancel_choice
from bot.engine.flows.common import shorten, too_long, valid_text
from bot.engine.postback import int_arg
from bot.engine.types import Card, Choice, Reply
from bot.storage.models.conversation import Proposal

TEXT_LIMIT = 1000
MAX_DIVISIONS = 5
CITY = "city"  # postback arg for 「市に任せる」


def reference_for(proposal_id: int, year: int) -> str:
    """KY-<year>-<id zero-padded to 6>: unique because the id is, readable over the phone."""
    return f"KY-{year}-{proposal_id:06d}"


def _entry(ctx: Context) -> Step:
    owned = groups.owned(ctx.session, ctx.owner)
    if not owned:
        return ctx.end(
            Reply(
                text=M.PROP_NEED_GROUP,
                choices=[
                    Choice(label=M.MENU_REGISTER, text=M.MENU_REGISTER),
                    Choice(label=M.MENU_HELP, text=M.MENU_HELP),
                ],
            )
        )
    arg = ctx.pb.arg if ctx.pb is not None else ""
    chosen = next((g for g in owned if g.id == int_arg(arg)), None)
    if chosen is None and len(owned) == 1:
        chosen = owned[0]
    if chosen is None:
        return ctx.goto("group")
    return _select_group(ctx, chosen.id)


def _ask_group(ctx: Context) -> list[Reply]:
    owned = groups.owned(ctx.session, ctx.owner)[:12]
    choices = [ctx.button(shorten(g.name, 20), "group", g.id) for g in owned]
    return [Reply(text=M.PROP_PICK_GROUP, choices=[*choices, cancel_choice()])]


def _on_group(ctx: Context) -> Step:
    arg = ctx.arg_for("group")
    group_id = int_arg(arg)
    if group_id is None:
        return ctx.goto("group")
    return _select_group(ctx, group_id)


def _select_group(ctx: Context, group_id: int) -> Step:
    group = groups.get_owned(ctx.session, ctx.owner, group_id)
    if group is None:
        return ctx.end(Reply(text=M.GROUP_GONE))
    options = ctx.services.match(group.name, group.description, list(group.fields or []), top=MAX_DIVISIONS)
    ctx.data.update(
        group_id=group.id,
        group_name=group.name,
        candidates=[
            {"id": o.division_id, "name": o.name, "department": o.department, "reasons": o.reasons[:3]}
            for o in options[:MAX_DIVISIONS]
        ],
    )
    return ctx.goto("division")


def _ask_division(ctx: Context) -> list[Reply]:
    candidates = ctx.data.get("candidates", [])
    city = ctx.button(M.PROP_LEAVE_TO_CITY, "division", CITY)
    back = [back_choice()] if _division_back(ctx) else []
    if not candidates:
        return [Reply(text=M.PROP_NO_MATCHES, choices=[city, *back, cancel_choice()])]
    cards = [
        Card(
            title=c["name"],
            subtitle=c.get("department", ""),
            lines=[shorten(r, 60) for r in c.get("reasons", [])][:3],
            actions=[ctx.button(M.PROP_CHOOSE, "division", i, display=M.PROP_CHOSEN_DISPLAY.format(name=c["name"]))],
        )
        for i, c in enumerate(candidates)
    ]
    text = M.PROP_MATCHES.format(name=ctx.data.get("group_name", ""))
    alt = text + " " + "、".join(c["name"] for c in candidates)
    return [Reply(text=text, cards=cards, choices=[city, *back, cancel_choice()], alt_text=alt)]


def _division_back(ctx: Context) -> str | None:
    """Back from the division: to the group choice when the user has several groups."""
    return "group" if len(groups.owned(ctx.session, ctx.owner)) > 1 else None


def _on_division(ctx: Context) -> Step:
    arg = ctx.arg_for("division")
    candidates = ctx.data.get("candidates", [])
    if arg == CITY:
        ctx.data.update(division_id=None, division_name=M.PROP_CITY_DECIDES, reasons=[])
        return ctx.goto("purpose")
    index = int_arg(arg)
    if index is not None and index < len(candidates):
        c = candidates[index]
        ctx.data.update(division_id=c["id"], division_name=c["name"], reasons=c.get("reasons", []))
        return ctx.goto("purpose")
    return ctx.goto("division")


def _text_state(key: str, question: str, next_state: str, back: str):
    def ask(ctx: Context) -> list[Reply]:
        return [Reply(text=question, choices=[back_choice(), cancel_choice()])]

    def on(ctx: Context) -> Step:
        if (long := too_long(ctx.input_text(), TEXT_LIMIT)) is not None:
            return ctx.goto(key, long)
        text = valid_text(ctx.input_text(), TEXT_LIMIT)
        if text is None:
            return ctx.goto(key, Reply(text=M.PROP_INPUT_INVALID.format(limit=TEXT_LIMIT)))
        ctx.data[key] = text
        return ctx.goto(next_state)

    return State(ask, on, back=back)


def _ask_confirm(ctx: Context) -> list[Reply]:
    d = ctx.data
    lines = [
        line.format(
            group=d.get("group_name", ""),
            division=d.get("division_name", ""),
            purpose=shorten(d.get("purpose", "")),
            goal=shorten(d.get("goal", "")),
            role_city=shorten(d.get("role_city", "")),
            role_group=shorten(d.get("role_group", "")),
        )
        for line in M.PROP_CARD_LINES
    ]
    card = Card(
        title=M.PROP_TITLE,
        lines=lines,
        actions=[ctx.button(M.PROP_SEND, "send"), Choice(label=M.RESTART, text=M.RESTART), cancel_choice()],
    )
    return [
        Reply(
            text=M.PROP_CONFIRM,
            cards=[card],
            alt_text=M.PROP_CONFIRM + " " + "／".join(lines),
            choices=[back_choice(), cancel_choice()],
        )
    ]


def _on_confirm(ctx: Context) -> Step:
    if ctx.arg_for("send") is None:
        return ctx.goto("confirm")
    d = ctx.data
    group = groups.get_owned(ctx.session, ctx.owner, int(d.get("group_id", 0)))
    if group is None:
        return ctx.end(Reply(text=M.GROUP_GONE))
    proposal = Proposal(
        reference=f"tmp-{uuid.uuid4().hex[:16]}",  # replaced once the id is known
        group_id=group.id,
        group_name=group.name,
        channel=ctx.incoming.channel,
        user_id=ctx.incoming.user_id,
        division_id=d.get("division_id"),
        division_name=d.get("division_name", ""),
        match_reasons=list(d.get("reasons", [])),
        purpose=d.get("purpose", ""),
        goal=d.get("goal", ""),
        role_city=d.get("role_city", ""),
        role_group=d.get("role_group", ""),
        status="queued",
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(proposal)
    ctx.session.flush()
    proposal.reference = reference_for(proposal.id, ctx.now.year)
    ctx.session.flush()
    return ctx.end(
        Reply(
            # A receipt, not an answer: no 「出典」 line.
            text=M.PROP_SENT.format(reference=proposal.reference),
            choices=[
                Choice(label=M.MENU_STATUS, text=M.MENU_STATUS),
                Choice(label=M.MENU_MY_GROUPS, text=M.MENU_MY_GROUPS),
                Choice(label=M.MENU_HELP, text=M.MENU_HELP),
            ],
        )
    )


FLOW = Flow(
    name="prop",
    title=M.PROP_TITLE,
    entry=_entry,
    states={
        "group": State(_ask_group, _on_group),
        "division": State(_ask_division, _on_division, back=_division_back),
        "purpose": _text_state("purpose", M.PROP_ASK_PURPOSE, "goal", back="division"),
        "goal": _text_state("goal", M.PROP_ASK_GOAL, "role_city", back="purpose"),
        "role_city": _text_state("role_city", M.PROP_ASK_ROLE_CITY, "role_group", back="goal"),
        "role_group": _text_state("role_group", M.PROP_ASK_ROLE_GROUP, "confirm", back="role_city"),
        "confirm": State(_ask_confirm, _on_confirm, back="role_group"),
    },
    keywords=(M.MENU_CONSULT, "相談", "提案", "相談・提案", "提案する"),
)
