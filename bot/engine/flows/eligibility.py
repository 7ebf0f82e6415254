"""対象チェック: the four conditions of the guideline's 第2章(2), one question at a time."""

from __future__ import annotations

import logging

from bot.engine import messages as M
from bot.engine.flow import Context, Flow, State, Step, back_choice, cancel_choice
from bot.engine.types import Choice, Reply
from bot.storage.models.conversation import EligibilityCheck
from knowledge.normalize import fold

log = logging.getLogger(__name__)

SECTION_ID = "ch2-2"
ANSWERS = {"yes": M.YES, "no": M.NO, "unknown": M.DONT_KNOW}
# Typed answers: plain words for yes / no / don't know, compared after fold() and without
# trailing punctuation. "Don't know" is looked for first (よくわかりません is not a yes), then no
# (いいえ、違います), then yes (うん、そうです).
_UNKNOWN_PARTS = tuple(
    fold(w)
    for w in (
        "わから",
        "分から",
        "わかり",
        "分かり",
        "わかん",
        "知らな",
        "しらな",
        "不明",
        "迷",
        "微妙",
        "判断",
    )
)
_NO_STARTS = tuple(
    fold(w)
    for w in ("いいえ", "いえ", "いや", "ううん", "違", "ちが", "ちげ", "no", "ノー", "×", "だめ", "ダメ")
)
_NO_PARTS = tuple(
    fold(w) for w in ("ではない", "じゃない", "ではありません", "しない", "してない", "していない")
)
_YES_STARTS = tuple(
    fold(w)
    for w in (
        "はい", "うん", "ええ", "そう", "yes", "イエス", "ok", "オーケー", "〇", "○", "大丈夫", "だいじょうぶ",
        "もちろん", "あてはま", "当てはま", "その通り", "そのとおり", "まもって", "守って", "している",
    )
)  # fmt: skip
_STRIP = "。．.!！?？〜~ｗw"


def typed_answer(text: str) -> str | None:
    """ "yes", "no" or "unknown" for a typed answer (「うん」「いいえ、違います」「よくわかりません」),
    None when the text is not an answer (a question, another topic)."""
    key = fold(text).rstrip(_STRIP)
    if (
        not key
        or len(key) > 20
        or text.rstrip().endswith(("?", "？", "か"))
        and not key.startswith(tuple(fold(w) for w in ("はい", "いいえ")))
    ):
        return None
    if any(part in key.replace(fold("わかりました"), "") for part in _UNKNOWN_PARTS):
        return "unknown"
    if key.startswith(_NO_STARTS) or any(part in key for part in _NO_PARTS):
        return "no"
    if key.startswith(_YES_STARTS):
        return "yes"
    return None


N = len(M.CHECK_CONDITIONS)


def _state(i: int) -> str:
    return f"q{i + 1}"


def _prompt(i: int):
    def prompt(ctx: Context) -> list[Reply]:
        _key, name, question, explanation = M.CHECK_CONDITIONS[i]
        text = M.CHECK_QUESTION.format(i=i + 1, n=N, name=name, question=question, explanation=explanation)
        choices = [ctx.button(label, "ans", value) for value, label in ANSWERS.items()]
        back = [back_choice()] if i > 0 else []
        return [Reply(text=text, choices=[*choices, *back, cancel_choice()])]

    return prompt


def _handle(i: int):
    def handle(ctx: Context) -> Step:
        value = ctx.arg_for("ans")
        if value is None and ctx.input_text() is not None:
            value = typed_answer(ctx.text)
            if value is None:  # a question or another topic: say how to answer, and how to stop
                return ctx.goto(_state(i), Reply(text=M.CHECK_HOW_TO_ANSWER))
        if value not in ANSWERS:
            return ctx.goto(_state(i))
        answers = dict(ctx.data.get("answers", {}))
        answers[M.CHECK_CONDITIONS[i][0]] = value
        ctx.data["answers"] = answers
        if i + 1 < N:
            return ctx.goto(_state(i + 1))
        return _finish(ctx, answers)

    return handle


def _finish(ctx: Context, answers: dict[str, str]) -> Step:
    values = [answers.get(key, "unknown") for key, *_ in M.CHECK_CONDITIONS]
    if all(v == "yes" for v in values):
        outcome, verdict = "eligible", M.CHECK_ELIGIBLE
    elif any(v == "no" for v in values):
        outcome, verdict = "not_eligible", M.CHECK_NOT_ELIGIBLE
    else:
        outcome, verdict = "unclear", M.CHECK_UNCLEAR
    ctx.session.add(
        EligibilityCheck(
            channel=ctx.incoming.channel,
            user_id=ctx.incoming.user_id,
            answers=answers,
            outcome=outcome,
            created_at=ctx.now,
        )
    )
    lines = [
        f"{M.CHECK_MARK[v]} {name}" for v, (_k, name, *_rest) in zip(values, M.CHECK_CONDITIONS, strict=True)
    ]
    result = Reply(text=verdict + "\n" + "\n".join(lines))
    try:
        section = ctx.services.section(SECTION_ID)
    except Exception:  # the verdict stands without the citation; never lose the user's answers
        log.exception("section %s unavailable", SECTION_ID)
        section = None
    replies = [result]
    if section is not None:
        sid, title, text = section
        replies.append(Reply(text=M.CHECK_CITED.format(text=text.strip()), sources=[(sid, title)]))
    next_choices = [
        Choice(label=M.MENU_CONTACT, text=M.MENU_CONTACT),
        Choice(label=M.MENU_HELP, text=M.MENU_HELP),
    ]
    if outcome != "not_eligible":
        next_choices.insert(0, Choice(label=M.MENU_REGISTER, text=M.MENU_REGISTER))
        replies.append(Reply(text=M.CHECK_NEXT, choices=next_choices))
    else:
        replies.append(Reply(text=M.MENU_PROMPT, choices=next_choices))
    return ctx.end(*replies)


def _entry(ctx: Context) -> Step:
    return ctx.goto("q1", Reply(text=M.CHECK_INTRO.format(n=N)))


FLOW = Flow(
    name="elig",
    title=M.CHECK_TITLE,
    entry=_entry,
    states={_state(i): State(_prompt(i), _handle(i), back=_state(i - 1) if i else None) for i in range(N)},
    keywords=(M.MENU_CHECK, "対象確認", "チェック", "対象かどうか"),
    personal=False,  # nothing personal is asked; fine in a group chat too
)
