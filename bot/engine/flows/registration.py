"""団体登録 and 登録内容の修正: one set of states, two flows.

Registration asks name → kind → fields → description → contact → confirmation. Editing walks the
same states with the current values pre-filled and a 「変更しない」 button on each step, so a
citizen never retypes what is already right.
"""

from __future__ import annotations

from bot.engine import groups
from bot.engine import messages as M
from bot.engine.flow import Context, Flow, State, Step, cancel_choice
from bot.engine.flows.common import field_labels, shorten, too_long, valid_text
from bot.engine.postback import int_arg
from bot.engine.types import Card, Choice, Reply

NAME_LIMIT = 100
KIND_LIMIT = 40
DESCRIPTION_LIMIT = 1000
CONTACT_LIMIT = 300
FIELDS_PER_PAGE = 10


def _editing(ctx: Context) -> bool:
    return "group_id" in ctx.data


def _keep(ctx: Context) -> list[Choice]:
    return [ctx.button(M.KEEP, "keep")] if _editing(ctx) else []


def _current(ctx: Context, value: str) -> str:
    """When editing, the current value, shown above the question."""
    return M.REG_CURRENT.format(value=shorten(value, 80)) + "\n" if _editing(ctx) else ""


# -- name ---------------------------------------------------------------------------------------


def _ask_name(ctx: Context) -> list[Reply]:
    return [
        Reply(
            text=_current(ctx, ctx.data.get("name", "")) + M.REG_ASK_NAME,
            choices=[*_keep(ctx), cancel_choice()],
        ),
    ]


def _on_name(ctx: Context) -> Step:
    if ctx.arg_for("keep") is not None and _editing(ctx):
        return ctx.goto("kind")
    if (long := too_long(ctx.input_text(), NAME_LIMIT)) is not None:
        return ctx.goto("name", long)
    name = valid_text(ctx.input_text(), NAME_LIMIT)
    if name is None:
        return ctx.goto("name", Reply(text=M.REG_NAME_INVALID.format(limit=NAME_LIMIT)))
    other = groups.find_similar(ctx.session, name, exclude_id=ctx.data.get("group_id"))
    ctx.data["name"] = name
    ctx.data.pop("duplicate_of", None)
    if other is not None:
        if other.owner == ctx.owner:
            return ctx.goto("name", Reply(text=M.REG_NAME_OWN.format(other=other.name)))
        ctx.data["duplicate_of"] = other.id
        ctx.data["duplicate_name"] = other.name
        return ctx.goto("name_dup")
    return ctx.goto("kind")


def _ask_dup(ctx: Context) -> list[Reply]:
    return [
        Reply(
            text=M.REG_NAME_SIMILAR.format(other=ctx.data.get("duplicate_name", "")),
            choices=[ctx.button(M.REG_DIFFERENT, "dup", "go"), ctx.button(M.REG_RETYPE, "dup", "retype")],
        )
    ]


def _on_dup(ctx: Context) -> Step:
    arg = ctx.arg_for("dup")
    if arg == "go":
        return ctx.goto("kind")
    if arg == "retype":
        ctx.data.pop("duplicate_of", None)
        return ctx.goto("name")
    if ctx.input_text() is not None:  # typed a new name instead of pressing a button
        return _on_name(ctx)
    return ctx.goto("name_dup")


# -- kind ---------------------------------------------------------------------------------------


def _ask_kind(ctx: Context) -> list[Reply]:
    choices = [ctx.button(k, "kind", i) for i, k in enumerate(groups.KIND_NAMES)]
    return [
        Reply(
            text=_current(ctx, ctx.data.get("kind", "")) + M.REG_ASK_KIND,
            choices=[*_keep(ctx), *choices, cancel_choice()],
        ),
    ]


def _on_kind(ctx: Context) -> Step:
    if ctx.arg_for("keep") is not None and _editing(ctx):
        return ctx.goto("fields")
    arg = ctx.arg_for("kind")
    if arg is not None:
        index = int_arg(arg)
        if index is None or index >= len(groups.KIND_NAMES):
            return ctx.goto("kind")
        ctx.data["kind"] = groups.KIND_NAMES[index]
        return ctx.goto("fields")
    if (long := too_long(ctx.input_text(), KIND_LIMIT)) is not None:
        return ctx.goto("kind", long)
    typed = valid_text(ctx.input_text(), KIND_LIMIT)
    if typed is None:
        return ctx.goto("kind")
    try:
        ctx.data["kind"] = groups.resolve_kind(typed)
    except groups.InvalidGroup as exc:
        return ctx.goto("kind", Reply(text="\n".join(exc.problems)))
    return ctx.goto("fields")


# -- fields -------------------------------------------------------------------------------------


def _ask_fields(ctx: Context) -> list[Reply]:
    selected = set(ctx.data.get("fields", []))
    page = int(ctx.data.get("field_page", 0))
    all_fields = ctx.services.fields()
    shown = all_fields[page * FIELDS_PER_PAGE : (page + 1) * FIELDS_PER_PAGE]
    choices = [
        ctx.button(("✓" if f.number in selected else "") + f.label, "field", f.number, display=f.label)
        for f in shown
    ]
    pages = max(1, -(-len(all_fields) // FIELDS_PER_PAGE))
    if pages > 1:
        choices.append(ctx.button(M.MORE_FIELDS, "page", (page + 1) % pages))
    choices.append(ctx.button(M.NEXT, "done"))
    choices.append(cancel_choice())
    status = (
        M.REG_FIELDS_SELECTED.format(labels=field_labels(ctx.services, sorted(selected)))
        if selected
        else M.REG_FIELDS_NONE_SELECTED
    )
    return [Reply(text=M.REG_ASK_FIELDS + "\n" + status, choices=choices)]


def _on_fields(ctx: Context) -> Step:
    selected = set(ctx.data.get("fields", []))
    valid = {f.number for f in ctx.services.fields()}
    if (arg := ctx.arg_for("field")) is not None:
        if int_arg(arg) in valid:
            selected ^= {int_arg(arg)}
        ctx.data["fields"] = sorted(selected)
        return ctx.goto("fields")
    if (arg := ctx.arg_for("page")) is not None:
        page = int_arg(arg)
        ctx.data["field_page"] = page if page is not None and page < 10 else 0
        return ctx.goto("fields")
    if ctx.arg_for("done") is not None:
        if not selected:
            return ctx.goto("fields", Reply(text=M.REG_FIELDS_NEED_ONE))
        return ctx.goto("description")
    text = ctx.input_text()
    if text is None:
        return ctx.goto("fields")
    if text.strip() == M.NEXT:
        if not selected:
            return ctx.goto("fields", Reply(text=M.REG_FIELDS_NEED_ONE))
        return ctx.goto("description")
    words = [w for w in _split_words(text) if w][:20]
    unknown = []
    for word in words:
        number = ctx.services.resolve_field(word)
        if number in valid:
            selected.add(number)
        else:
            unknown.append(word)
    ctx.data["fields"] = sorted(selected)
    before = [Reply(text=M.REG_FIELDS_UNKNOWN.format(words="、".join(unknown)[:100]))] if unknown else []
    return ctx.goto("fields", *before)


def _split_words(text: str) -> list[str]:
    for sep in "、,，・/／\n\t　":
        text = text.replace(sep, " ")
    return [w.strip()[:40] for w in text.split(" ")]


# -- description, contact -----------------------------------------------------------------------


def _ask_description(ctx: Context) -> list[Reply]:
    return [
        Reply(
            text=_current(ctx, ctx.data.get("description", ""))
            + M.REG_ASK_DESCRIPTION.format(limit=DESCRIPTION_LIMIT),
            choices=[*_keep(ctx), cancel_choice()],
        ),
    ]


def _on_description(ctx: Context) -> Step:
    if ctx.arg_for("keep") is not None and _editing(ctx):
        return ctx.goto("contact")
    if (long := too_long(ctx.input_text(), DESCRIPTION_LIMIT)) is not None:
        return ctx.goto("description", long)
    text = valid_text(ctx.input_text(), DESCRIPTION_LIMIT)
    if text is None:
        return ctx.goto("description", Reply(text=M.REG_DESCRIPTION_INVALID.format(limit=DESCRIPTION_LIMIT)))
    ctx.data["description"] = text
    return ctx.goto("contact")


def _ask_contact(ctx: Context) -> list[Reply]:
    return [
        Reply(
            text=_current(ctx, ctx.data.get("contact", "") or M.REG_NO_CONTACT) + M.REG_ASK_CONTACT,
            choices=[*_keep(ctx), ctx.button(M.SKIP, "skip"), cancel_choice()],
        ),
    ]


def _on_contact(ctx: Context) -> Step:
    if ctx.arg_for("keep") is not None and _editing(ctx):
        return ctx.goto("confirm")
    if ctx.arg_for("skip") is not None:
        ctx.data["contact"] = ""
        return ctx.goto("confirm")
    if (long := too_long(ctx.input_text(), CONTACT_LIMIT)) is not None:
        return ctx.goto("contact", long)
    text = valid_text(ctx.input_text(), CONTACT_LIMIT)
    if text is None:
        return ctx.goto("contact")
    ctx.data["contact"] = "" if text == M.SKIP else text
    return ctx.goto("confirm")


# -- confirmation -------------------------------------------------------------------------------


def group_card(ctx: Context, values: dict, actions: list[Choice]) -> Card:
    lines = [
        line.format(
            kind=values.get("kind", ""),
            fields=field_labels(ctx.services, values.get("fields", [])),
            description=shorten(values.get("description", "")),
            contact=values.get("contact") or M.REG_NO_CONTACT,
        )
        for line in M.REG_CARD_LINES
    ]
    return Card(title=values.get("name", ""), lines=lines, actions=actions)


def _ask_confirm(ctx: Context) -> list[Reply]:
    save = M.REG_SAVE_EDIT if _editing(ctx) else M.REG_SAVE
    actions = [
        ctx.button(save, "save"),
        Choice(label=M.RESTART, text=M.RESTART),
        cancel_choice(),
    ]
    card = group_card(ctx, ctx.data, actions)
    question = M.REG_CONFIRM_EDIT if _editing(ctx) else M.REG_CONFIRM
    return [Reply(text=question, cards=[card], alt_text=f"{question} {card.title}")]


def _on_confirm(ctx: Context) -> Step:
    if ctx.arg_for("save") is None:
        return ctx.goto("confirm")
    d = ctx.data
    values = {
        "name": d.get("name", ""),
        "kind": d.get("kind", ""),
        "fields": [int(n) for n in d.get("fields", [])],
        "description": d.get("description", ""),
        "contact": d.get("contact", ""),
    }
    next_choices = [
        Choice(label=M.MENU_CONSULT, text=M.MENU_CONSULT),
        Choice(label=M.MENU_MY_GROUPS, text=M.MENU_MY_GROUPS),
    ]
    try:
        if _editing(ctx):
            if groups.get_owned(ctx.session, ctx.owner, int(d["group_id"])) is None:
                return ctx.end(Reply(text=M.GROUP_GONE))
            group = groups.update(ctx.session, ctx.owner, int(d["group_id"]), values)
            return ctx.end(Reply(text=M.REG_UPDATED.format(name=group.name), choices=next_choices))
        group = groups.create(ctx.session, ctx.owner, values)
    except groups.InvalidGroup as exc:  # the steps validate; this is the registry's last word
        return ctx.goto("confirm", Reply(text="\n".join(exc.problems)))
    text = M.REG_SAVED.format(name=group.name)
    if group.duplicate_of_id is not None:
        text += "\n" + M.REG_DUPLICATE_NOTE
    return ctx.end(Reply(text=text, choices=next_choices))


# -- entries ------------------------------------------------------------------------------------


def _entry(ctx: Context) -> Step:
    return ctx.goto("name", Reply(text=M.REG_INTRO))


def _edit_entry(ctx: Context) -> Step:
    arg = ctx.pb.arg if ctx.pb is not None else ""
    gid = int_arg(arg)
    group = groups.get_owned(ctx.session, ctx.owner, gid) if gid is not None else None
    if group is None:
        return ctx.end(Reply(text=M.GROUP_GONE))
    ctx.data.update(
        group_id=group.id,
        name=group.name,
        kind=group.kind,
        fields=list(group.fields or []),
        description=group.description,
        contact=group.contact,
    )
    return ctx.goto("name", Reply(text=M.EDIT_INTRO.format(name=group.name)))


STATES = {
    "name": State(_ask_name, _on_name),
    "name_dup": State(_ask_dup, _on_dup),
    "kind": State(_ask_kind, _on_kind),
    "fields": State(_ask_fields, _on_fields),
    "description": State(_ask_description, _on_description),
    "contact": State(_ask_contact, _on_contact),
    "confirm": State(_ask_confirm, _on_confirm),
}

FLOW = Flow(
    name="reg",
    title=M.REG_TITLE,
    entry=_entry,
    states=STATES,
    keywords=(M.MENU_REGISTER, "団体を登録", "登録する", "団体登録したい"),
)
EDIT_FLOW = Flow(name="gedit", title=M.EDIT_TITLE, entry=_edit_entry, states=STATES)
