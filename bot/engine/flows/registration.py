"""団体登録 and 登録内容の修正: one set of states, two flows.

Registration asks name → kind → fields → description → contact → 団体をさがす (listed) → お知らせ
(notices) → confirmation. Every step validates what it asks for and says why when it refuses;
「戻る」 goes one step back. On the confirmation card each item can be fixed on its own
(「名前を直す」 …): the flow jumps to that step and comes back to the card (``data["_return"]``).
Editing a registered group starts at that card, so a citizen changes one item without
walking through the others.

Fields typed as words go through ``Services.resolve_fields``: a label or number is taken as
it is; an everyday word (「学習支援」) is taken and the citizen is told what it was stored as; a
guess (「将棋」) or several candidates are asked about (state ``field_check``) — never stored
silently; a word that fits nothing is said so.
"""

from __future__ import annotations

import re

from bot.engine import groups
from bot.engine import messages as M
from bot.engine.flow import Context, Flow, State, Step, back_choice, cancel_choice
from bot.engine.flows.common import field_labels, shorten, too_long, valid_text
from bot.engine.postback import int_arg
from bot.engine.types import Card, Choice, Reply

NAME_LIMIT = 100
KIND_LIMIT = 40
KIND_NOTE_LIMIT = 40
DESCRIPTION_LIMIT = 1000
CONTACT_LIMIT = 300
FIELDS_PER_PAGE = 10
OTHER_KIND = "その他"
FIXABLE = ("name", "kind", "fields", "description", "contact", "listed", "notices")

# A name that reads as a question (「補助金はもらえますか？」) is not a group's name.
_QUESTION_RE = re.compile(
    r"[?？]|(?:ですか|ますか|でしょうか|ませんか|のですか|んですか|教えて|知りたい|どうすれば|どうやって)"
)
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_PHONE_RE = re.compile(r"(?:\+81[\s\-]?|0)\d{1,4}[\s\-()（）]*\d{1,4}[\s\-()（）]*\d{3,4}")


def looks_like_question(text: str) -> bool:
    return bool(_QUESTION_RE.search(text))


def valid_contact(text: str) -> bool:
    """A contact the city can use: it holds an e-mail address or a Japanese phone number."""
    if _EMAIL_RE.search(text):
        return True
    for m in _PHONE_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if digits.startswith("81"):
            digits = "0" + digits[2:]
        if digits.startswith("0") and 10 <= len(digits) <= 11:
            return True
    return False


def _editing(ctx: Context) -> bool:
    return "group_id" in ctx.data


def _fixing(ctx: Context) -> bool:
    """One item is being changed from the confirmation card."""
    return ctx.data.get("_return") == "confirm"


def _keep(ctx: Context) -> list[Choice]:
    """「変更しない」 while one item is fixed from the card (back to the card, unchanged)."""
    return [ctx.button(M.KEEP, "keep")] if _fixing(ctx) else []


def _nav(ctx: Context) -> list[Choice]:
    """「戻る」 (not on the first step, nor while fixing: 「変更しない」 goes back there) and 「やめる」."""
    back = [] if _fixing(ctx) or ctx.state == "name" else [back_choice()]
    return [*back, cancel_choice()]


def _current(ctx: Context, value: str) -> str:
    """When changing an item, its current value, shown above the question."""
    return M.REG_CURRENT.format(value=shorten(value, 80)) + "\n" if _fixing(ctx) else ""


def _advance(ctx: Context, state: str, *before: Reply) -> Step:
    """Go on to ``state``, or back to the card when one item was being fixed."""
    if _fixing(ctx) and state not in ("name_dup", "field_check"):
        ctx.data.pop("_return", None)
        return ctx.goto("confirm", *before)
    return ctx.goto(state, *before)


def kind_text(values: dict) -> str:
    kind, note = values.get("kind", ""), values.get("kind_note", "")
    return M.REG_KIND_WITH_NOTE.format(kind=kind, note=note) if note else kind


# -- name ---------------------------------------------------------------------------------------


def _ask_name(ctx: Context) -> list[Reply]:
    return [
        Reply(
            text=_current(ctx, ctx.data.get("name", "")) + M.REG_ASK_NAME,
            choices=[*_keep(ctx), *_nav(ctx)],
        ),
    ]


def _on_name(ctx: Context) -> Step:
    if ctx.arg_for("keep") is not None:
        return _advance(ctx, "kind")
    if (long := too_long(ctx.input_text(), NAME_LIMIT)) is not None:
        return ctx.goto("name", long)
    name = valid_text(ctx.input_text(), NAME_LIMIT)
    if name is None:
        return ctx.goto("name", Reply(text=M.REG_NAME_INVALID.format(limit=NAME_LIMIT)))
    if looks_like_question(name):
        return ctx.goto("name", Reply(text=M.REG_NAME_QUESTION))
    other = groups.find_similar(ctx.session, name, exclude_id=ctx.data.get("group_id"))
    ctx.data["name"] = name
    for key in ("duplicate_of", "similar_id", "similar_name"):
        ctx.data.pop(key, None)
    if other is not None:
        if other.owner == ctx.owner:
            return ctx.goto("name", Reply(text=M.REG_NAME_OWN.format(other=other.name)))
        ctx.data["similar_id"] = other.id
        ctx.data["similar_name"] = other.name
        return ctx.goto("name_dup")
    return _advance(ctx, "kind")


def _ask_dup(ctx: Context) -> list[Reply]:
    return [
        Reply(
            text=M.REG_NAME_SIMILAR.format(other=ctx.data.get("similar_name", "")),
            choices=[
                ctx.button(M.REG_DIFFERENT, "dup", "go"),
                ctx.button(M.REG_SAME_MEMBER, "dup", "same"),
                ctx.button(M.REG_RETYPE, "dup", "retype"),
                back_choice(),
                cancel_choice(),
            ],
        )
    ]


def _on_dup(ctx: Context) -> Step:
    arg = ctx.arg_for("dup")
    if arg == "go":  # the citizen's answer is final: not flagged
        ctx.data.pop("duplicate_of", None)
        return _advance(ctx, "kind")
    if arg == "same":  # another member of the same group: stored, flagged for staff to resolve
        ctx.data["duplicate_of"] = ctx.data.get("similar_id")
        return _advance(ctx, "kind", Reply(text=M.REG_SAME_NOTE))
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
            text=_current(ctx, kind_text(ctx.data)) + M.REG_ASK_KIND,
            choices=[*_keep(ctx), *choices, *_nav(ctx)],
        ),
    ]


def _on_kind(ctx: Context) -> Step:
    if ctx.arg_for("keep") is not None:
        return _advance(ctx, "fields")
    arg = ctx.arg_for("kind")
    if arg is not None:
        index = int_arg(arg)
        if index is None or index >= len(groups.KIND_NAMES):
            return ctx.goto("kind")
        ctx.data["kind"] = groups.KIND_NAMES[index]
        ctx.data["kind_note"] = ""
        return _advance(ctx, "fields")
    if (long := too_long(ctx.input_text(), KIND_LIMIT)) is not None:
        return ctx.goto("kind", long)
    typed = valid_text(ctx.input_text(), KIND_LIMIT)
    if typed is None:
        return ctx.goto("kind")
    try:
        kind = groups.resolve_kind(typed)
    except groups.InvalidGroup:
        # Free text has a home: その他, with the citizen's own words kept.
        ctx.data.update(kind=OTHER_KIND, kind_note=typed[:KIND_NOTE_LIMIT])
        return _advance(ctx, "fields", Reply(text=M.REG_KIND_OTHER.format(text=typed)))
    ctx.data.update(kind=kind, kind_note="")
    if kind == typed:
        return _advance(ctx, "fields")
    return _advance(ctx, "fields", Reply(text=M.REG_KIND_AS.format(text=typed, kind=kind)))


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
    # 13 quick replies at most: 10 fields, 他の分野, 次へ and one of 変更しない / 戻る
    # (「やめる」 can always be typed).
    choices.append(ctx.button(M.KEEP, "keep") if _fixing(ctx) else back_choice())
    status = (
        M.REG_FIELDS_SELECTED.format(labels=field_labels(ctx.services, sorted(selected)))
        if selected
        else M.REG_FIELDS_NONE_SELECTED
    )
    return [Reply(text=M.REG_ASK_FIELDS + "\n" + status, choices=choices)]


def _fields_done(ctx: Context, selected: set[int]) -> Step:
    if not selected:
        return ctx.goto("fields", Reply(text=M.REG_FIELDS_NEED_ONE))
    ctx.data.pop("fields_before", None)
    return _advance(ctx, "description")


def _on_fields(ctx: Context) -> Step:
    selected = set(ctx.data.get("fields", []))
    if _fixing(ctx) and "fields_before" not in ctx.data:
        ctx.data["fields_before"] = sorted(selected)
    valid = {f.number for f in ctx.services.fields()}
    if ctx.arg_for("keep") is not None:
        ctx.data["fields"] = ctx.data.pop("fields_before", sorted(selected))
        return _advance(ctx, "description")
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
        return _fields_done(ctx, selected)
    text = ctx.input_text()
    if text is None:
        return ctx.goto("fields")
    if text.strip() == M.NEXT:
        return _fields_done(ctx, selected)
    if (long := too_long(text, 200)) is not None:
        return ctx.goto("fields", long)
    notes: list[str] = []
    unknown: list[str] = []
    pending: list[dict] = []
    for part in ctx.services.resolve_fields(text)[:20]:
        if part.status == "exact" and part.candidates and part.candidates[0][0] in valid:
            number, label = part.candidates[0]
            selected.add(number)
            if part.how == "word":  # an everyday word: say what it is stored as
                notes.append(M.REG_FIELD_SYNONYM.format(text=part.text, label=label))
        elif part.status in ("guess", "ambiguous") and part.candidates:
            pending.append(
                {
                    "text": part.text[:40],
                    "status": part.status,
                    "candidates": [[n, label] for n, label in part.candidates[:4] if n in valid],
                }
            )
        else:
            unknown.append(part.text)
    ctx.data["fields"] = sorted(selected)
    before = [Reply(text="\n".join(notes))] if notes else []
    if unknown:
        before.append(Reply(text=M.REG_FIELDS_UNKNOWN.format(words="、".join(unknown)[:100])))
    pending = [p for p in pending if p["candidates"]]
    if pending:
        ctx.data["pending"] = pending
        return ctx.goto("field_check", *before)
    return ctx.goto("fields", *before)


def _ask_field_check(ctx: Context) -> list[Reply]:
    pending = ctx.data.get("pending") or [{"text": "", "status": "none", "candidates": []}]
    first = pending[0]
    candidates = first.get("candidates", [])
    if first.get("status") == "guess" and candidates:
        text = M.REG_FIELD_GUESS.format(text=first["text"], label=candidates[0][1])
        choices = [ctx.button(M.YES, "pick", candidates[0][0]), ctx.button(M.REG_FIELD_WRONG, "pick", "none")]
    else:
        text = M.REG_FIELD_AMBIGUOUS.format(text=first.get("text", ""))
        choices = [ctx.button(shorten(label, 20), "pick", n, display=label) for n, label in candidates]
        choices.append(ctx.button(M.REG_FIELD_NONE_OF_THESE, "pick", "none"))
    return [Reply(text=text, choices=[*choices, back_choice(), cancel_choice()])]


def _on_field_check(ctx: Context) -> Step:
    pending = list(ctx.data.get("pending") or [])
    if not pending:
        return ctx.goto("fields")
    arg = ctx.arg_for("pick")
    if arg is None:
        if ctx.input_text() is not None:  # more words typed: handled like the fields step
            ctx.data.pop("pending", None)
            ctx.state = "fields"
            return _on_fields(ctx)
        return ctx.goto("field_check")
    first = pending.pop(0)
    offered = {int(n): label for n, label in first.get("candidates", [])}
    number = int_arg(arg)
    if number in offered:
        ctx.data["fields"] = sorted({*ctx.data.get("fields", []), number})
        note = Reply(text=M.REG_FIELD_ADDED.format(label=offered[number]))
    else:
        note = Reply(text=M.REG_FIELD_SKIPPED.format(text=first.get("text", "")))
    if pending:
        ctx.data["pending"] = pending
        return ctx.goto("field_check", note)
    ctx.data.pop("pending", None)
    return ctx.goto("fields", note)


# -- description, contact -----------------------------------------------------------------------


def _ask_description(ctx: Context) -> list[Reply]:
    return [
        Reply(
            text=_current(ctx, ctx.data.get("description", ""))
            + M.REG_ASK_DESCRIPTION.format(limit=DESCRIPTION_LIMIT),
            choices=[*_keep(ctx), *_nav(ctx)],
        ),
    ]


def _on_description(ctx: Context) -> Step:
    if ctx.arg_for("keep") is not None:
        return _advance(ctx, "contact")
    if (long := too_long(ctx.input_text(), DESCRIPTION_LIMIT)) is not None:
        return ctx.goto("description", long)
    text = valid_text(ctx.input_text(), DESCRIPTION_LIMIT)
    if text is None:
        return ctx.goto("description", Reply(text=M.REG_DESCRIPTION_INVALID.format(limit=DESCRIPTION_LIMIT)))
    ctx.data["description"] = text
    return _advance(ctx, "contact")


def _ask_contact(ctx: Context) -> list[Reply]:
    return [
        Reply(
            text=_current(ctx, ctx.data.get("contact", "") or M.REG_NO_CONTACT) + M.REG_ASK_CONTACT,
            choices=[*_keep(ctx), ctx.button(M.SKIP, "skip"), *_nav(ctx)],
        ),
    ]


def _on_contact(ctx: Context) -> Step:
    if ctx.arg_for("keep") is not None:
        return _advance(ctx, "listed")
    if ctx.arg_for("skip") is not None:
        ctx.data["contact"] = ""
        return _advance(ctx, "listed")
    if (long := too_long(ctx.input_text(), CONTACT_LIMIT)) is not None:
        return ctx.goto("contact", long)
    text = valid_text(ctx.input_text(), CONTACT_LIMIT)
    if text is not None and text == M.SKIP:
        ctx.data["contact"] = ""
        return _advance(ctx, "listed")
    if text is None or not valid_contact(text):
        return ctx.goto("contact", Reply(text=M.REG_CONTACT_INVALID))
    ctx.data["contact"] = text
    return _advance(ctx, "listed")


# -- 団体をさがす (listed) and お知らせ (notices): both default to no ------------------------------


def _yes_no_state(key: str, question: str, yes: str, no: str, next_state: str, back: str) -> State:
    def ask(ctx: Context) -> list[Reply]:
        current = (yes if ctx.data.get(key) else no) if key in ctx.data else ""
        return [
            Reply(
                text=_current(ctx, current) + question,
                choices=[ctx.button(yes, "yn", "yes"), ctx.button(no, "yn", "no"), *_nav(ctx)],
            )
        ]

    def on(ctx: Context) -> Step:
        arg = ctx.arg_for("yn")
        if arg is None and ctx.input_text() is not None:
            typed = ctx.text.strip()
            arg = {yes: "yes", no: "no", M.YES: "yes", M.NO: "no"}.get(typed)
        if arg not in ("yes", "no"):
            return ctx.goto(key)
        ctx.data[key] = arg == "yes"
        return _advance(ctx, next_state)

    return State(ask, on, back=back)


# -- confirmation -------------------------------------------------------------------------------


def group_card(ctx: Context, values: dict, actions: list[Choice]) -> Card:
    lines = [
        line.format(
            kind=kind_text(values),
            fields=field_labels(ctx.services, values.get("fields", [])),
            description=shorten(values.get("description", "")),
            contact=values.get("contact") or M.REG_NO_CONTACT,
            listed=M.REG_LISTED_YES if values.get("listed") else M.REG_LISTED_NO,
            notices=M.REG_NOTICES_YES if values.get("notices") else M.REG_NOTICES_NO,
        )
        for line in M.REG_CARD_LINES
    ]
    return Card(title=values.get("name", ""), lines=lines, actions=actions)


def _ask_confirm(ctx: Context) -> list[Reply]:
    save = M.REG_SAVE_EDIT if _editing(ctx) else M.REG_SAVE
    actions = [ctx.button(save, "save"), cancel_choice()]
    card = group_card(ctx, ctx.data, actions)
    question = M.REG_CONFIRM_EDIT if _editing(ctx) else M.REG_CONFIRM
    fixes = [ctx.button(M.REG_FIX[item], "fix", item) for item in FIXABLE]
    back = [] if _editing(ctx) else [back_choice()]
    return [
        Reply(text=question, cards=[card], alt_text=f"{question} {card.title}"),
        Reply(text=M.REG_FIX_HINT, choices=[*fixes, *back, cancel_choice()]),
    ]


def _on_confirm(ctx: Context) -> Step:
    item = ctx.arg_for("fix")
    if item in FIXABLE:
        ctx.data["_return"] = "confirm"
        ctx.data.pop("fields_before", None)
        return ctx.goto(item)
    if ctx.arg_for("save") is None:
        return ctx.goto("confirm")
    d = ctx.data
    values = {
        "name": d.get("name", ""),
        "kind": d.get("kind", ""),
        "kind_note": d.get("kind_note", ""),
        "fields": [int(n) for n in d.get("fields", [])],
        "description": d.get("description", ""),
        "contact": d.get("contact", ""),
        "listed": bool(d.get("listed", False)),
        "notices_opt_in": bool(d.get("notices", False)),
    }
    next_choices = [
        Choice(label=M.MENU_CONSULT, text=M.MENU_CONSULT),
        Choice(label=M.MENU_MY_GROUPS, text=M.MENU_MY_GROUPS),
        Choice(label=M.MENU_HELP, text=M.MENU_HELP),
    ]
    try:
        if _editing(ctx):
            if groups.get_owned(ctx.session, ctx.owner, int(d["group_id"])) is None:
                return ctx.end(Reply(text=M.GROUP_GONE))
            group = groups.update(
                ctx.session, ctx.owner, int(d["group_id"]), values, duplicate_of=d.get("duplicate_of")
            )
            return ctx.end(Reply(text=M.REG_UPDATED.format(name=group.name), choices=next_choices))
        group = groups.create(ctx.session, ctx.owner, values, duplicate_of=d.get("duplicate_of"))
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
        kind_note=group.kind_note or "",
        fields=list(group.fields or []),
        description=group.description,
        contact=group.contact,
        listed=bool(group.listed),
        notices=bool(group.notices_opt_in),
    )
    if group.duplicate_of_id is not None:
        ctx.data["duplicate_of"] = group.duplicate_of_id
    return ctx.goto("confirm", Reply(text=M.EDIT_INTRO.format(name=group.name)))


def _back_from_kind(ctx: Context) -> str:
    return "name_dup" if ctx.data.get("similar_id") else "name"


STATES = {
    "name": State(_ask_name, _on_name),
    "name_dup": State(_ask_dup, _on_dup, back="name"),
    "kind": State(_ask_kind, _on_kind, back=_back_from_kind),
    "fields": State(_ask_fields, _on_fields, back="kind"),
    "field_check": State(_ask_field_check, _on_field_check, back="fields"),
    "description": State(_ask_description, _on_description, back="fields"),
    "contact": State(_ask_contact, _on_contact, back="description"),
    "listed": _yes_no_state(
        "listed", M.REG_ASK_LISTED, M.REG_LISTED_YES, M.REG_LISTED_NO, "notices", "contact"
    ),
    "notices": _yes_no_state(
        "notices", M.REG_ASK_NOTICES, M.REG_NOTICES_YES, M.REG_NOTICES_NO, "confirm", "listed"
    ),
    "confirm": State(_ask_confirm, _on_confirm, back=lambda ctx: None if _editing(ctx) else "notices"),
}

FLOW = Flow(
    name="reg",
    title=M.REG_TITLE,
    entry=_entry,
    states=STATES,
    keywords=(M.MENU_REGISTER, "団体を登録", "登録する", "団体登録したい"),
)
EDIT_FLOW = Flow(name="gedit", title=M.EDIT_TITLE, entry=_edit_entry, states=STATES)
