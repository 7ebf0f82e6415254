"""What the engine needs from the knowledge and matching libraries, behind one small seam.

The engine talks to ``Services`` only. The default implementation loads ``knowledge.Answerer``
and ``matching.Matcher`` lazily (the first question pays the index cost, a follow event does not)
and keeps them for the life of the process. The matching library is also *imported* on first use
(~0.3 s), purely for the start-up of `kyodo chat`; it imports nothing of bot/. Tests can pass their own ``Services`` to ``handle``.
Attribute access on library results is tolerant on purpose: the engine must keep answering even
if a library adds or renames an optional attribute.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from bot.engine.answerer import ANSWERER
from knowledge import Answerer


@dataclass(frozen=True)
class Answer:
    answered: bool
    text: str = ""
    sources: list[tuple[str, str]] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    faq_id: str | None = None
    reason: str = ""
    kind: str = "other"  # what the message asks (knowledge.understand: what-is, can-we, how-do-we ...)
    activity: str | None = None  # the group's self-description, when the message opens with one
    lang: str = "ja"  # the language of the reply: "ja", "en", "other" (issue 15)


@dataclass(frozen=True)
class FieldInfo:
    number: int
    label: str  # short label, e.g. 環境保全
    name: str  # official wording


@dataclass(frozen=True)
class FieldPart:
    """One written word resolved to fields (see matching.fields): ``status`` is exact, guess,
    ambiguous or none; ``how`` says how an exact one was found ("word": an everyday word, to be
    confirmed to the citizen as what it was stored as)."""

    text: str
    status: str
    candidates: list[tuple[int, str]] = field(default_factory=list)  # (number, short label), best first
    how: str = ""


@dataclass(frozen=True)
class DivisionOption:
    division_id: str
    name: str
    department: str
    score: float
    reasons: list[str]


class Services:
    """Default services backed by the real libraries."""

    def __init__(self, data_dir: str | None = None) -> None:
        self.data_dir = data_dir  # knowledge data directory; None = the shipped data
        self._lock = threading.Lock()
        self._answerer: Any = None
        self._matcher: Any = None

    # -- knowledge --------------------------------------------------------------------------------
    @property
    def answerer(self) -> Any:
        with self._lock:
            if self._answerer is None:
                self._answerer = Answerer.load(self.data_dir) if self.data_dir else Answerer.load()
            return self._answerer

    def answer(self, text: str, session: Any = None, language: str | None = None) -> Answer:
        """The knowledge base's answer. With a session (and the shipped data), the entries staff
        added from Slack's App Home are included, so a new entry is used at once on every channel.
        ``language`` is the user's ("en"/"ja") when known: it decides for text that does not tell."""
        if session is not None and self.data_dir is None:
            a = ANSWERER.answer(session, text, language)
        elif language:
            a = self.answerer.answer(text, lang=language)
        else:
            a = self.answerer.answer(text)
        sources = [(str(_get(s, "id", 0)), str(_get(s, "title", 1))) for s in (_get(a, "sources") or [])]
        return Answer(
            answered=bool(_get(a, "answered")),
            text=str(_get(a, "text") or ""),
            sources=sources,
            suggestions=[str(s) for s in (_get(a, "suggestions") or [])][:3],
            faq_id=_get(a, "faq_id"),
            reason=str(_get(a, "reason") or ""),
            kind=str(_get(a, "kind") or "other"),
            activity=_get(a, "activity") or None,
            lang=str(_get(a, "lang") or "ja"),
        )

    def faq_question(self, faq_id: str, default: str) -> str:
        """The canonical question of a FAQ entry (asked for menu words such as 「問い合わせ」)."""
        try:
            entry = self.answerer.entry(faq_id)
        except (KeyError, LookupError):
            entry = None
        question = _get(entry, "question") if entry is not None else None
        return str(question) if question else default

    def section(self, section_id: str) -> tuple[str, str, str] | None:
        try:
            found = self.answerer.section(section_id)
        except (KeyError, LookupError):
            return None
        if not found:
            return None
        if isinstance(found, tuple):
            return tuple(str(x) for x in found[:3])  # type: ignore[return-value]
        return (str(_get(found, "id")), str(_get(found, "title")), str(_get(found, "text")))

    def faq_questions(self, limit: int = 10) -> list[str]:
        """Representative FAQ questions: the first of each category, then the rest in file order."""
        entries = list(_get(self.answerer, "entries") or [])
        firsts, rest, seen = [], [], set()
        for entry in entries:
            q = _get(entry, "question")
            if isinstance(q, list | tuple):
                q = q[0] if q else ""
            if not q:
                continue
            category = _get(entry, "category")
            (rest if category in seen else firsts).append(str(q))
            seen.add(category)
        return (firsts + rest)[:limit]

    def english_questions(self) -> dict[str, str]:
        """Each FAQ entry's Japanese question -> its English question (faq_en.yaml), built once."""
        with self._lock:
            cached = getattr(self, "_english_questions", None)
        if cached is not None:
            return cached
        en = self.answerer.english()
        out = {}
        for e in en.entries:
            ja = self.answerer.entry(e.id)
            if ja is not None:
                out[str(ja.question)] = e.question
        self._english_questions = out
        return out

    def city(self) -> Any:
        """The city served (knowledge data's city.yaml: name, desk for 協働); the generic wording
        if the file is broken (a broken file stops `kyodo serve` at start, see bot/commands/serve.py)."""
        from knowledge import City, DataError, load_city

        try:
            return load_city(self.data_dir)
        except DataError:
            return City()

    # -- matching ---------------------------------------------------------------------------------
    @property
    def matcher(self) -> Any:
        with self._lock:
            if self._matcher is None:
                from matching import Matcher

                self._matcher = Matcher.load()
            return self._matcher

    def fields(self) -> list[FieldInfo]:
        out = []
        for f in self.matcher.fields:
            number = int(_first(f, "number", "no", "id"))
            label = str(_first(f, "short", "short_label", "label", "name"))
            out.append(FieldInfo(number, label, str(_first(f, "name", "field", "label"))))
        return sorted(out, key=lambda f: f.number)

    def resolve_field(self, word: str) -> int | None:
        from matching import resolve_field

        found = resolve_field(word)
        if found is None:
            return None
        if isinstance(found, int):
            return found
        if isinstance(found, list | tuple):
            return int(_first(found[0], "number", "no", "id")) if found else None
        return int(_first(found, "number", "no", "id"))

    def resolve_fields(self, text: str) -> list[FieldPart]:
        """What a typed text names, word by word, and how sure that is (never a silent guess).

        The matching library reads Japanese; English words (「children, environment」, which the
        English prompt invites) are looked up in the English field names and words of
        bot/engine/messages_en.py first, and confirmed to the citizen like any everyday word."""
        from matching import resolve_fields

        parts: list[FieldPart] = []
        rest: list[str] = []
        for piece in _FIELD_SEPARATORS.split(text):
            piece = piece.strip()
            label = _english_field(piece) if _LATIN.search(piece) else None
            exact = resolve_fields(label).parts if label else []
            if exact and exact[0].status == "exact" and exact[0].candidates:
                c = exact[0].candidates[0]
                parts.append(FieldPart(piece, "exact", [(int(c.field.number), str(c.field.label))], "word"))
            elif piece:
                rest.append(piece)
        if not rest:
            return parts
        for p in resolve_fields("、".join(rest)).parts:
            candidates = [(int(c.field.number), str(c.field.label)) for c in p.candidates]
            how = p.candidates[0].how if p.candidates else ""
            parts.append(FieldPart(str(p.text), str(p.status), candidates, str(how)))
        return parts

    def match(self, name: str, description: str, fields: list[int], top: int = 5) -> list[DivisionOption]:
        from matching import GroupProfile

        result = self.matcher.match(GroupProfile(name=name, description=description, fields=fields), top=top)
        options = []
        for m in _get(result, "matches") or []:
            division_id = str(_get(m, "division_id"))
            division = self._division(division_id)
            name = _first(division, "ka", "name", default=division_id) if division else division_id
            department = _first(division, "bu", default="") if division else ""
            options.append(
                DivisionOption(
                    division_id=division_id,
                    name=str(name),
                    department=str(department or _first(m, "department", default="") or ""),
                    score=float(_first(m, "score", default=0.0) or 0.0),
                    reasons=[str(r) for r in (_get(m, "reasons") or [])],
                )
            )
        return options

    def _division(self, division_id: str) -> Any:
        try:
            return self.matcher.division(division_id)
        except (KeyError, LookupError, AttributeError):
            return None


def _get(obj: Any, name: str, index: int | None = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name)
    if index is not None and isinstance(obj, tuple) and not hasattr(obj, name):
        return obj[index] if len(obj) > index else None
    return getattr(obj, name, None)


_MISSING = object()


def _first(obj: Any, *names: str, default: Any = _MISSING) -> Any:
    for name in names:
        value = _get(obj, name)
        if value is not None:
            return value
    if default is _MISSING:
        raise AttributeError(f"{type(obj).__name__} has none of {names}")
    return default


_default: Services | None = None


def configure(data_dir: str | None = None) -> Services:
    """Replace the process-wide services (e.g. `kyodo chat --data-dir`)."""
    global _default
    _default = Services(data_dir=data_dir)
    return _default


def default_services() -> Services:
    """The process-wide services (libraries loaded once, on first use)."""
    global _default
    if _default is None:
        _default = Services()
    return _default


_FIELD_SEPARATORS = re.compile(r"[、,，/／;；\n]|\s+and\s+|\s*&\s*")
_LATIN = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]")


def _english_key(text: str) -> str:
    """Lower case, full-width letters made plain, hyphens and runs of spaces as one space."""
    text = unicodedata.normalize("NFKC", text).lower().strip(" .!?'\"").replace("-", " ")
    return " ".join(text.split())


def _english_field(word: str) -> str | None:
    """The Japanese label of the field an English word names, or None."""
    from bot.engine import messages_en as EN

    key = _english_key(word)
    if not key:
        return None
    for label, (short, long) in EN.FIELD_NAMES.items():
        if key in (_english_key(short), _english_key(long.split(" (")[0])):
            return label
    for label, words in EN.FIELD_WORDS.items():
        if key in {_english_key(w) for w in words}:
            return label
    return None
