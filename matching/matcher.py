"""Rank Koganei's divisions for a citizen group, with reasons a person can check.

How a score is made (all weights are named constants below):

* The group's name and description are folded and scanned once for every known word (see
  ``scanner.py``). A word can point to a division directly (it is one of the division's project words
  or keywords) and/or to an NPO-law field (it is one of the field's everyday words).
* Direct words weigh most. A word shared by several divisions is split between them (1/n), and short
  words weigh less than long ones, so a specific phrase (「冒険遊び場」) beats a generic one (「子ども」).
* Fields, given explicitly or found in the text, add to every division serving that field, divided by
  sqrt(number of fields the division serves) so a focused division outranks a broad one, plus a
  bonus for the field's main division (the one to contact when only the field is known).
* raw -> score with raw / (raw + 1): 0..1, monotone, so scores are comparable across groups.
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from knowledge.normalize import fold, normalize
from matching import messages
from matching.fields import FieldResolver
from matching.loader import DIVISIONS_PATH, FIELDS_PATH, DataError, load_divisions, load_fields
from matching.model import Division, DivisionMatch, Field, GroupProfile, MatchResult
from matching.scanner import Scanner

# Texts longer than this are cut (a pasted brochure must not cost more than a paragraph).
MAX_NAME = 200
MAX_DESCRIPTION = 2000
MAX_FIELDS = 20
MAX_FIELD_WORD = 100
MAX_REASONS = 4

W_DIRECT = 1.0  # a division's own project word / keyword
W_EXPLICIT_FIELD = 0.6  # a field the group stated
W_EXPLICIT_MAIN = 0.4  # ... extra for that field's main division
W_TEXT_FIELD = 0.25  # a field inferred from a word in the text
W_TEXT_MAIN = 0.15
# A short division word that is also one of a field's everyday words (公園, 親子, 高齢者) says more
# about the field than about the division: it counts this much. Longer ones (ひきこもり, 食品ロス)
# name something specific and count fully.
W_GENERIC = 0.5
GENERIC_MAX_LEN = 3
MIN_RAW = 0.05  # divisions below this are not worth suggesting


def _length_weight(key: str) -> float:
    """Longer matched words are more specific: 1 char 0.6, 2 chars 0.75, 3 chars 0.9, 4+ 1.0."""
    return min(1.0, 0.45 + 0.15 * len(key))


_LIST_SEP_RE = re.compile(r"[、,，/／;；\n]")
_ASCII_GAP_RE = re.compile(r"([A-Za-z0-9])\s+(?=[A-Za-z0-9])")


def fold_text(text: str) -> str:
    """fold(), keeping a separator between ASCII words (fold drops spaces) so 'IT' stays a word."""
    return fold(_ASCII_GAP_RE.sub(r"\1|", text))


@dataclass(frozen=True, slots=True)
class _Key:
    """Everything one known word contributes, computed once at load time."""

    display: str  # the word as written in the data file (shown in reasons)
    hits: tuple[tuple[int, float], ...]  # (division index, weight) for divisions listing the word
    # division index -> budget project the word belongs to (None: a division keyword)
    projects: dict[int, str | None]
    # division index -> reason line when this is the only word found for that project
    reasons: dict[int, str]
    field: int | None  # NPO-law field the word signals, if any
    field_reason: str | None  # reason line for that field


class Matcher:
    """The shipped fields and divisions, indexed for matching. Build once (``Matcher.load()``)."""

    def __init__(
        self, fields: list[Field], divisions: list[Division], ignore_words: Iterable[str] = ()
    ) -> None:
        self.fields = fields
        self.divisions = divisions
        self._by_id = {d.id: i for i, d in enumerate(divisions)}
        self._resolver = FieldResolver(fields)
        self._field_by_number = {f.number: f for f in fields}
        self._field_reason = {f.number: messages.REASON_FIELD.format(field=f.name) for f in fields}
        self._field_names = {f.number: f.name for f in fields}

        display: dict[str, str] = {}
        owners: dict[str, dict[int, str | None]] = {}  # key -> {division index: project or None}
        for i, d in enumerate(divisions):
            for project, words in d.projects:
                for w in (project, *words):
                    k = fold(w)
                    display.setdefault(k, w)
                    owners.setdefault(k, {}).setdefault(i, project)
            for w in d.keywords:
                k = fold(w)
                display.setdefault(k, w)
                owners.setdefault(k, {}).setdefault(i, None)
        word_field: dict[str, int] = {}
        for f in fields:
            for w in f.words:
                k = fold(w)
                display.setdefault(k, w)
                word_field[k] = f.number

        # A division word that is not itself a field word still signals the field of the field
        # words inside it (知的障害 -> 障害 -> field 1), when those agree on one field.
        field_scanner = Scanner(word_field)
        self._keys: dict[str, _Key] = {}
        for k in {*owners, *word_field}:
            fn = word_field.get(k)
            if fn is None:
                inner = {word_field[w] for w in field_scanner.scan(k)}
                fn = inner.pop() if len(inner) == 1 else None
            by_div = owners.get(k, {})
            generic = k in word_field and len(k) <= GENERIC_MAX_LEN
            weight = W_DIRECT * _length_weight(k) * (W_GENERIC if generic else 1.0)
            share = weight / len(by_div) if by_div else 0.0
            field_reason = None
            if fn is not None:
                field_reason = messages.REASON_TEXT_FIELD.format(
                    word=display[k], field=self._field_by_number[fn].name
                )
            self._keys[k] = _Key(
                display=display[k],
                hits=tuple((i, share) for i in by_div),
                projects=dict(by_div),
                reasons={i: self._reason(i, project, [display[k]]) for i, project in by_div.items()},
                field=fn,
                field_reason=field_reason,
            )

        # field number -> per-division weights when stated / when inferred from text
        self._field_explicit: dict[int, tuple[tuple[int, float], ...]] = {}
        self._field_text: dict[int, tuple[tuple[int, float], ...]] = {}
        for f in fields:
            explicit, text = [], []
            for i, d in enumerate(divisions):
                if f.number not in d.fields:
                    continue
                breadth = 1.0 / math.sqrt(len(d.fields))
                main = d.id == f.main_division
                explicit.append((i, W_EXPLICIT_FIELD * breadth + (W_EXPLICIT_MAIN if main else 0.0)))
                text.append((i, W_TEXT_FIELD * breadth + (W_TEXT_MAIN if main else 0.0)))
            self._field_explicit[f.number] = tuple(explicit)
            self._field_text[f.number] = tuple(text)

        ignore_words = tuple(ignore_words)
        self._ignore = frozenset(fold(w) for w in ignore_words)
        for w in ignore_words:
            if fold(w) in self._keys:
                raise DataError(
                    FIELDS_PATH.name,
                    "ignore_words",
                    f"「{w}」は課または分野のことばにもあります（どちらか一方にしてください）",
                )
        self._fingerprint: str | None = None
        self._scanner = Scanner([*self._keys, *self._ignore])

    def _reason(self, i: int, project: str | None, words: list[str]) -> str:
        quoted = "".join(f"『{w}』" for w in words)
        if project is None:
            return messages.REASON_KEYWORD.format(words=quoted, ka=self.divisions[i].ka)
        return messages.REASON_PROJECT.format(words=quoted, project=project)

    # --- construction -----------------------------------------------------------------------
    @classmethod
    def from_files(cls, fields_path: Path = FIELDS_PATH, divisions_path: Path = DIVISIONS_PATH) -> Matcher:
        fields, ignore = load_fields(fields_path)
        divisions = load_divisions(divisions_path, fields, fields_path)
        return cls(fields, divisions, ignore)

    @classmethod
    def load(cls) -> Matcher:
        """The matcher over the shipped data, built once per process."""
        return _shipped()

    @property
    def fingerprint(self) -> str:
        """sha256 over the scoring version and all the data: fields, ignore words, divisions.

        Division.fingerprint changes only with that division's entry; this one also changes when
        fields.yaml is edited (new everyday words can change any group's matches).
        """
        if self._fingerprint is None:
            from matching import __version__

            payload = json.dumps(
                {
                    "version": __version__,
                    "fields": [
                        [f.number, f.name, f.label, f.main_division, list(f.words)] for f in self.fields
                    ],
                    "ignore": sorted(self._ignore),
                    "divisions": [[d.id, d.fingerprint] for d in self.divisions],
                },
                ensure_ascii=False,
                sort_keys=True,
            )
            self._fingerprint = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        return self._fingerprint

    # --- lookups ----------------------------------------------------------------------------
    def division(self, division_id: str) -> Division:
        """The division with this id (KeyError if unknown)."""
        return self.divisions[self._by_id[division_id]]

    def field(self, number: int) -> Field:
        return self._field_by_number[number]

    def resolve_field(self, word: str | int) -> Field | None:
        return self._resolver.resolve(word)

    def suggest_fields(self, word: str, limit: int = 3) -> list[Field]:
        return self._resolver.suggest(word, limit)

    # --- matching ---------------------------------------------------------------------------
    def match(self, profile: GroupProfile, top: int = 5) -> MatchResult:
        return self._match(profile, top)

    def match_many(self, profiles: Iterable[GroupProfile], top: int = 3) -> list[MatchResult]:
        """Match many groups (``kyodo match --all``): the same per-group path as match().

        The cyclic garbage collector is paused meanwhile: the results hold no reference cycles,
        and re-scanning a growing list of 50,000 results cost ~20 % of the batch time.
        """
        m = self._match
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return [m(p, top) for p in profiles]
        finally:
            if was_enabled:
                gc.enable()

    @lru_cache(maxsize=8192)  # noqa: B019 - one per Matcher, which lives as long as the process
    def _resolve_word(self, word: str) -> tuple[str, int | None, tuple[str, ...]]:
        """(normalised word, field number or None, closest field names if None)."""
        text = normalize(word)
        f = self._resolver.resolve(text) if text else None
        if f is not None:
            return text, f.number, ()
        return text, None, tuple(s.name for s in self._resolver.suggest(text)) if text else ()

    def _resolve_fields(self, words: Iterable[str]) -> tuple[list[int], dict[str, list[str]]]:
        numbers: list[int] = []
        unknown: dict[str, list[str]] = {}
        expanded: list[str] = []
        for word in list(words or ())[:MAX_FIELDS]:
            word = str(word)[:MAX_FIELD_WORD]
            # 「環境保全、まちづくり」 or "1,7" in one entry: split when every part is a field.
            parts = [w for w in _LIST_SEP_RE.split(word) if w.strip()] if _LIST_SEP_RE.search(word) else []
            if len(parts) > 1 and all(self._resolve_word(w)[1] is not None for w in parts):
                expanded.extend(parts)
            else:
                expanded.append(word)
        for word in expanded[:MAX_FIELDS]:
            text, number, candidates = self._resolve_word(word)
            if number is None:
                if text:
                    unknown[text] = list(candidates)
            elif number not in numbers:
                numbers.append(number)
        return numbers, unknown

    def _match(self, profile: GroupProfile, top: int) -> MatchResult:
        name = normalize(profile.name or "")[:MAX_NAME]
        # Cut before folding: fold() is the costly step and a pasted brochure must not cost more
        # than a long paragraph.
        description = (profile.description or "")[:MAX_DESCRIPTION]
        field_numbers, unknown = self._resolve_fields(profile.fields) if profile.fields else ([], {})
        field_names = [self._field_by_number[n].name for n in field_numbers]
        # Nothing to go on but (maybe) a name: ask for more, and still try the name
        # (「手話サークルこがねい」 says a lot on its own).
        empty = not description.strip() and not field_numbers
        if empty and not name:
            return MatchResult(name, [], messages.EMPTY_PROFILE, unknown, field_numbers, field_names)

        keys = self._keys
        text = fold_text(f"{name}\n{description}")
        raw: dict[int, float] = {}
        found: dict[int, list[_Key]] = {}  # division index -> words that hit it
        text_fields: dict[int, _Key] = {}  # field number -> first word that signalled it
        for k in self._scanner.scan(text):
            info = keys.get(k)
            if info is None:  # an ignore word (緑町, NPO法人): read past it
                continue
            for i, w in info.hits:
                if i in raw:
                    raw[i] += w
                    found[i].append(info)
                else:
                    raw[i] = w
                    found[i] = [info]
            fn = info.field
            if fn is not None and fn not in text_fields:
                text_fields[fn] = info
        for fn in field_numbers:
            for i, w in self._field_explicit[fn]:
                raw[i] = raw.get(i, 0.0) + w
        for fn in text_fields:
            if fn not in field_numbers:
                for i, w in self._field_text[fn]:
                    raw[i] = raw.get(i, 0.0) + w

        # Best first; equal scores keep the order of the file (both sorts are stable, in C).
        order = sorted(raw)
        order.sort(key=raw.__getitem__, reverse=True)
        matches = [
            self._explain(i, raw[i], found.get(i, ()), field_numbers, text_fields)
            for i in order[: max(top, 0)]
            if raw[i] >= MIN_RAW
        ]
        message = messages.EMPTY_PROFILE if empty else (None if matches else messages.NO_MATCH)
        return MatchResult(name, matches, message, unknown, field_numbers, field_names)

    def _explain(
        self,
        i: int,
        raw: float,
        found: list[_Key] | tuple[()],
        field_numbers: list[int],
        text_fields: dict[int, _Key],
    ) -> DivisionMatch:
        d = self.divisions[i]
        served = d.fields
        shared = [fn for fn in field_numbers if fn in served]
        reasons = [self._field_reason[fn] for fn in shared]
        if len(found) == 1:
            reasons.append(found[0].reasons[i])
        elif found:
            # Words found in the text, grouped by the division's project they belong to.
            by_project: dict[str | None, list[_Key]] = {}
            for info in found:
                by_project.setdefault(info.projects[i], []).append(info)
            for project, infos in by_project.items():
                if len(infos) == 1:
                    reasons.append(infos[0].reasons[i])
                else:
                    reasons.append(self._reason(i, project, [f.display for f in infos[:3]]))
        for fn in served:
            info = text_fields.get(fn)
            if info is not None and fn not in field_numbers:
                shared.append(fn)
                reasons.append(info.field_reason)
        names = self._field_names
        return DivisionMatch(
            division_id=d.id,
            department=d.name,
            score=round(raw / (raw + 1.0), 4),
            fields=[names[fn] for fn in shared],
            reasons=reasons[:MAX_REASONS],
        )


@lru_cache(maxsize=1)
def _shipped() -> Matcher:
    return Matcher.from_files()
