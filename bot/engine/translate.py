"""English replies for a user whose language is English (issue 15, second round).

The flows (bot/engine/flows/), the router and the question-and-answer chrome build their replies
from the Japanese sentences of bot/engine/messages.py and stay as they are: declared once, in one
language. For an English user the router passes the replies through :func:`replies`, which puts
in the English twin of each sentence, label and card line: the constant of the same name in
bot/engine/messages_en.py, with the same ``{placeholders}`` (the filled-in values are kept, and
translated too when they are themselves sentences or labels of messages.py, such as a flow's
title). A text is matched whole, then paragraph by paragraph, then line by line; what has no twin
(the citizen's own words, a Japanese FAQ answer to a question asked in Japanese, the names of
divisions and budget projects) is left as it is. Kinds of group and the NPO law's fields get their
English names (``messages_en.KIND_NAMES`` / ``FIELD_NAMES``: short on buttons, with the Japanese
term in sentences and cards), and the matcher's reasons their twins (``MATCH_REASONS``).

Buttons that send a command word (「やめる」, 「次へ」, 「団体登録」) show and send the English
word; :func:`incoming_text` maps the typed English back, so the router and the flows only ever see
their Japanese words.
"""

from __future__ import annotations

import functools
import logging
import re
import string
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.engine import messages as M
from bot.engine import messages_en as EN
from bot.engine.types import Card, Choice, Reply
from knowledge.normalize import fold

log = logging.getLogger(__name__)

_EXACT: dict[str, str] = {}
_TEMPLATES: list[tuple[re.Pattern[str], str, tuple[str, ...], int]] = []
_TYPED: dict[str, str] = {}  # fold(English word) -> the Japanese command word
# A flow's title inside a sentence (「{title}の手続きをやめました」): 「団体登録」 is also a menu
# button ("Register a group"), but as a title it reads "group registration".
_TITLES: dict[str, str] = {}


def _fields(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)


# Words an English user may type meaning something else than the button: "What is kyodo?" and
# "Contact" are questions for the English answerer (the English menu sends them as questions),
# "Yes" / "No" outside a flow are not 「はい」 (対象チェック reads a typed yes/no by itself; "I don't
# know" is mapped, as it does not read that).
_NOT_TYPED = frozenset({M.MENU_ABOUT, M.MENU_CONTACT, M.YES, M.NO})


#: Placeholders that always hold a number (dates, a score): matched as digits only, so that
#: 「{m}月{d}日」 does not read a name such as 「5月の日」 as a date.
_NUMBERS = frozenset({"y", "m", "d", "month", "day", "score"})
#: Placeholders that hold one line: a template starting with one (「{principle}: 5段階で{score}」)
#: must not swallow the lines before it when a whole multi-line text is tried first.
_ONE_LINE = frozenset({"principle"})


def _pair(ja: Any, en: Any) -> None:
    if isinstance(ja, str) and isinstance(en, str):
        names = _fields(ja)
        if not names:
            _EXACT.setdefault(ja, en)
            if len(ja) <= 20 and "\n" not in ja and len(en) <= 20 and ja not in _NOT_TYPED:
                _TYPED.setdefault(fold(en), ja)
            return
        if set(_fields(en)) - set(names):
            return  # the English needs a value the Japanese does not give
        if not any(literal.strip() for literal, *_ in string.Formatter().parse(ja)):
            return  # only placeholders ("{next}"): nothing to recognise it by
        pattern = ""
        for literal, name, _spec, _conv in string.Formatter().parse(ja):
            pattern += re.escape(literal)
            if name:
                group = re.sub(r"\W", "_", name)
                value = r"\d{1,4}" if name in _NUMBERS else r"[^\n]+?" if name in _ONE_LINE else ".+?"
                pattern += f"(?P<{group}>{value})" if f"(?P<{group}>" not in pattern else f"(?P={group})"
        literal = sum(len(lit) for lit, *_ in string.Formatter().parse(ja))
        _TEMPLATES.append((re.compile(pattern + r"\Z", re.DOTALL), en, names, literal))
    elif isinstance(ja, dict) and isinstance(en, dict):
        for k, v in ja.items():
            if k in en:
                _pair(v, en[k])
    elif isinstance(ja, list | tuple) and isinstance(en, list | tuple) and len(ja) == len(en):
        for a, b in zip(ja, en, strict=True):
            _pair(a, b)


#: a kind of group or a field as a button label (short English); in sentences and cards the
#: longer English with the Japanese term (_EXACT)
_SHORT: dict[str, str] = {}


def _build() -> None:
    from matching import messages as MM

    for name, ja in vars(M).items():
        if name.isupper() and hasattr(EN, name):
            _pair(ja, getattr(EN, name))
            if name.endswith("_TITLE") and isinstance(ja, str):
                _TITLES[ja] = getattr(EN, name)
    for name, en in EN.MATCH_REASONS.items():  # why the matcher suggested a division
        _pair(getattr(MM, name), en)
    for ja, en in EN.GUIDELINE_LINES.items():  # quoted guideline lines (not typed back)
        _EXACT.setdefault(ja, en)
    for names in (EN.KIND_NAMES, EN.FIELD_NAMES):  # not typed back: "Company" may be a question
        for ja, (short, long) in names.items():
            _EXACT.setdefault(ja, long)
            _SHORT[ja] = short
    # a template with more literal text is the more specific one: 「連絡先: {contact}」 before
    # 「{kind}（{note}）」 for 「連絡先: （なし）」
    _TEMPLATES.sort(key=lambda t: -t[3])


_build()


def missing_names(names: Iterable[str]) -> list[str]:
    """The messages.py constants among ``names`` without an English twin (for the tests)."""
    return [n for n in names if n.isupper() and not hasattr(EN, n)]


def _cap(text: str) -> str:
    """A capital first letter, unless upper-casing would change the citizen's words (ß -> SS,
    µ -> Greek Μ, whose lower case is μ)."""
    first = text[:1]
    upper = first.upper()
    return (upper if first.islower() and len(upper) == 1 and upper.lower() == first else first) + text[1:]


def text(value: str, extra: dict[str, str] | None = None) -> str:
    """The English of a reply text (see the module docstring); unknown parts stay as they are."""
    if not value:
        return value
    if any(line.startswith(_JA_CITATION_OPENERS) for line in value.splitlines()):
        return value  # a Japanese answer of the knowledge base, with its citation: no twin
    if value not in _EXACT and "\n" in value:
        # Sentences joined into one reply (two 「…として登録します」 notes): when every line has a
        # twin of its own, take them line by line. Tried whole, a template's placeholder would
        # swallow the line break and the next sentence with it.
        lines = [_whole(p, extra) for p in value.split("\n")]
        if all(line is not None for line in lines):
            return "\n".join(line or "" for line in lines)
    got = _whole(value, extra)
    if got is not None:
        return got
    for sep in ("\n\n", "\n"):
        if sep in value:
            parts = value.split(sep)
            done = [_whole(p, extra) for p in parts]
            if any(d is not None for d in done):
                return sep.join(text(p, extra) if d is None else d for p, d in zip(parts, done, strict=True))
    return value


_MARK_RE = re.compile(r"([^\w「（(\[【]+)(\w.*)\Z", re.DOTALL)  # "○ 公益性", "・…": a mark, then words
# The citation line of a Japanese answer (knowledge/messages.py) belongs to that answer, which has
# no twin: loose templates (「（{division}：{reason}）」, 「{kind}（{note}）」) must not turn it into
# half-width English punctuation, which would also hide it from the renderers' own-citation check
# (citations.py) and add a second, different 「出典」 line.
_JA_CITATION_OPENERS = ("（出典：", "（参考：")


def _whole(value: str, extra: dict[str, str] | None, depth: int = 0) -> str | None:
    if value.startswith(_JA_CITATION_OPENERS):
        return None
    if value in _EXACT:
        return _EXACT[value]
    m = _MARK_RE.match(value)
    if m and m.group(2) in _EXACT:
        return m.group(1) + _EXACT[m.group(2)]
    if extra and value in extra:
        return extra[value]
    names = division_names()
    if value in names:
        return names[value]
    if depth > 2:
        return None
    if depth and "、" in value:  # a list of fields or labels in a sentence: 「環境保全、観光」
        items = [_whole(v, extra, depth + 1) for v in value.split("、")]
        if all(items):
            return ", ".join(i for i in items if i)
    for pattern, en, names, _literal in _TEMPLATES:
        m = pattern.match(value)
        if m is None:
            continue
        values = {}
        for name in names:
            v = m.group(re.sub(r"\W", "_", name))
            values[name] = (
                (_TITLES.get(v) if name == "title" else None)
                or _whole(v, extra, depth + 1)
                or (_every_line(v, extra) if "\n" in v else None)
                or v
            )
        try:
            return _cap(en.format(**values))
        except (KeyError, IndexError, ValueError):
            return None
    return None


def division_names() -> dict[str, str]:
    """Each division's Japanese name (課, and 「部 課」) -> "Children and Youth Division (児童青少年課)",
    from divisions.yaml's optional ``ka_en`` (the data the matcher reads)."""
    from matching.loader import data_dir

    return _division_names(str(data_dir()))


@functools.lru_cache(maxsize=4)
def _division_names(directory: str) -> dict[str, str]:
    from matching.loader import load_divisions

    try:
        divisions = load_divisions(Path(directory) / "divisions.yaml")
    except Exception:  # the matcher reports a broken file itself; here the names stay Japanese
        log.exception("division names for English users unavailable")
        return {}
    out: dict[str, str] = {}
    for d in divisions:
        if d.ka_en:
            english = f"{d.ka_en} ({d.ka})"
            out.setdefault(d.ka, english)
            out.setdefault(d.name, english)
    return out


def _every_line(value: str, extra: dict[str, str] | None) -> str | None:
    """A multi-line value (a quoted passage of the guideline) line by line, when every line that has
    words has a twin; otherwise None, so that a passage is never shown half translated."""
    lines = value.split("\n")
    done = [_whole(line, extra, 3) if line.strip() else line for line in lines]
    return "\n".join(d or "" for d in done) if all(d is not None for d in done) else None


def _short(label: str) -> str | None:
    """A kind's or a field's button label ("✓環境保全" -> "✓Environment")."""
    if label in _SHORT:
        return _SHORT[label]
    m = _MARK_RE.match(label)
    return m.group(1) + _SHORT[m.group(2)] if m and m.group(2) in _SHORT else None


def choice(c: Choice, extra: dict[str, str] | None = None, typed: bool = True) -> Choice:
    if extra and c.text in extra:  # a FAQ question as a button: ask the English question
        en = extra[c.text]
        return replace(c, label=en if len(en) <= 20 else en[:19] + "…", text=en)
    # (a division's name on a button stays as the city writes it: its English would not fit)
    label = _short(c.label) or (None if c.label in division_names() else _whole(c.label, extra)) or c.label
    sent = c.text
    if sent and typed and sent in EN.MENU_QUESTIONS:  # "What is kyodo?" asks it, as on the English menu
        sent = EN.MENU_QUESTIONS[sent]
    elif sent:
        en = _whole(sent, extra)
        if typed and en is not None and fold(en) in _TYPED:
            sent = en
    shown = (_whole(c.display_text, extra) or c.display_text) if c.display_text else ""
    if len(label) > 20 and label != c.label:
        label = label[:19] + "…"
    return replace(c, label=label, text=sent, display_text=shown)


def card(c: Card, extra: dict[str, str] | None = None) -> Card:
    return replace(
        c,
        title=_cap(text(c.title, extra)),
        subtitle=text(c.subtitle, extra),
        lines=[text(line, extra) for line in c.lines],
        actions=[choice(a, extra) for a in c.actions],
    )


def replies(items: list[Reply], extra: dict[str, str] | None = None, typed: bool = True) -> list[Reply]:
    """The replies for an English user. ``extra`` maps more Japanese to English (the FAQ's
    Japanese questions to its English ones, for the FAQ list). ``typed=False`` keeps the words
    buttons send in Japanese (for a user whose typed English is not mapped back)."""
    return [
        replace(
            r,
            text=text(r.text, extra),
            choices=[choice(c, extra, typed) for c in r.choices],
            cards=[card(c, extra) for c in r.cards],
            alt_text=text(r.alt_text, extra),
        )
        for r in items
    ]


def incoming_text(value: str) -> str:
    """What an English user typed, as the engine's Japanese word when it is one of the buttons'
    English words ("Cancel" -> 「やめる」, "Next" -> 「次へ」); anything else unchanged."""
    return _TYPED.get(fold(value.strip()), value)
