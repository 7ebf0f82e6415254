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

import heapq
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from knowledge.normalize import fold, normalize
from matching import messages
from matching.fields import FieldResolver
from matching.loader import DIVISIONS_PATH, FIELDS_PATH, load_divisions, load_fields
from matching.model import Division, DivisionMatch, Field, GroupProfile, MatchResult
from matching.scanner import Scanner

# Texts longer than this are cut (a pasted brochure must not cost more than a paragraph).
MAX_NAME = 200
MAX_DESCRIPTION = 2000
MAX_FIELDS = 20
MAX_REASONS = 4

W_DIRECT = 1.0  # a division's own project word / keyword
W_EXPLICIT_FIELD = 0.6  # a field the group stated
W_EXPLICIT_MAIN = 0.4  # ... extra for that field's main division
W_TEXT_FIELD = 0.25  # a field inferred from a word in the text
W_TEXT_MAIN = 0.15
MIN_RAW = 0.05  # divisions below this are not worth suggesting


def _length_weight(key: str) -> float:
    """Longer matched words are more specific: 1 char 0.6, 2 chars 0.75, 3 chars 0.9, 4+ 1.0."""
    return min(1.0, 0.45 + 0.15 * len(key))


_ASCII_GAP_RE = re.compile(r"(?<=[A-Za-z0-9])\s+(?=[A-Za-z0-9])")


def fold_text(text: str) -> str:
    """fold(), keeping a separator between ASCII words (fold drops spaces) so 'IT' stays a word."""
    return fold(_ASCII_GAP_RE.sub("|", text))


@dataclass(frozen=True, slots=True)
class _Hit:
    """What one matched word contributes to one division."""

    division: int  # index into Matcher.divisions
    weight: float
    reason: str


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

        # word key -> display form, direct hits, field numbers
        display: dict[str, str] = {}
        owners: dict[str, dict[int, str]] = {}  # key -> {division index: reason}
        for i, d in enumerate(divisions):
            for project, words in d.projects:
                for w in (project, *words):
                    k = fold(w)
                    display.setdefault(k, w)
                    owners.setdefault(k, {}).setdefault(
                        i, messages.REASON_PROJECT.format(word=display[k], project=project)
                    )
            for w in d.keywords:
                k = fold(w)
                display.setdefault(k, w)
                owners.setdefault(k, {}).setdefault(
                    i, messages.REASON_KEYWORD.format(word=display[k], ka=d.ka)
                )
        self._direct: dict[str, tuple[_Hit, ...]] = {}
        for k, by_div in owners.items():
            share = W_DIRECT * _length_weight(k) / len(by_div)
            self._direct[k] = tuple(_Hit(i, share, reason) for i, reason in by_div.items())

        self._word_field: dict[str, int] = {}
        for f in fields:
            for w in f.words:
                k = fold(w)
                display.setdefault(k, w)
                self._word_field[k] = f.number
        self._display = display

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

        ignore = {fold(w) for w in ignore_words}
        self._ignore = ignore
        self._scanner = Scanner([*self._direct, *self._word_field, *ignore])

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
        """Match many groups; the per-group path is the same, all indexes are built once."""
        m = self._match
        return [m(p, top) for p in profiles]

    def _resolve_fields(self, words: Iterable[str]) -> tuple[list[int], dict[str, list[str]]]:
        numbers: list[int] = []
        unknown: dict[str, list[str]] = {}
        for word in list(words or ())[:MAX_FIELDS]:
            text = normalize(str(word))
            if not text:
                continue
            f = self._resolver.resolve(text)
            if f is None:
                unknown[text] = [s.name for s in self._resolver.suggest(text)]
            elif f.number not in numbers:
                numbers.append(f.number)
        return numbers, unknown

    def _match(self, profile: GroupProfile, top: int) -> MatchResult:
        name = normalize(profile.name or "")[:MAX_NAME]
        description = normalize(profile.description or "")[:MAX_DESCRIPTION]
        field_numbers, unknown = self._resolve_fields(profile.fields)
        field_names = [self._field_by_number[n].name for n in field_numbers]
        # Nothing to go on but (maybe) a name: ask for more, and still try the name
        # (「手話サークルこがねい」 says a lot on its own).
        empty = not description and not field_numbers
        if empty and not name:
            return MatchResult(name, [], messages.EMPTY_PROFILE, unknown, field_numbers, field_names)

        keys = self._scanner.scan(fold_text(f"{name} {description}"))
        raw: dict[int, float] = {}
        direct = self._direct
        text_fields: dict[int, str] = {}  # field number -> first word that signalled it
        for k in keys:
            hits = direct.get(k)
            if hits:
                for h in hits:
                    raw[h.division] = raw.get(h.division, 0.0) + h.weight
            fn = self._word_field.get(k)
            if fn is not None and fn not in text_fields:
                text_fields[fn] = k
        for fn in field_numbers:
            for i, w in self._field_explicit[fn]:
                raw[i] = raw.get(i, 0.0) + w
        for fn in text_fields:
            if fn in field_numbers:
                continue
            for i, w in self._field_text[fn]:
                raw[i] = raw.get(i, 0.0) + w

        best = heapq.nsmallest(top, ((-r, i) for i, r in raw.items() if r >= MIN_RAW)) if top > 0 else []
        matches = [self._explain(i, -neg, keys, field_numbers, text_fields) for neg, i in best]
        message = messages.EMPTY_PROFILE if empty else (None if matches else messages.NO_MATCH)
        return MatchResult(name, matches, message, unknown, field_numbers, field_names)

    def _explain(
        self, i: int, raw: float, keys: list[str], field_numbers: list[int], text_fields: dict[int, str]
    ) -> DivisionMatch:
        d = self.divisions[i]
        served = set(d.fields)
        reasons: list[str] = []
        shared: list[int] = []
        for fn in field_numbers:
            if fn in served:
                shared.append(fn)
                reasons.append(messages.REASON_FIELD.format(field=self._field_by_number[fn].name))
        direct_reasons = []
        for k in keys:
            for h in self._direct.get(k, ()):
                if h.division == i:
                    direct_reasons.append((h.weight, h.reason))
        direct_reasons.sort(key=lambda t: -t[0])
        reasons.extend(r for _, r in direct_reasons)
        for fn, k in text_fields.items():
            if fn in served and fn not in field_numbers:
                shared.append(fn)
                reasons.append(
                    messages.REASON_TEXT_FIELD.format(
                        word=self._display[k], field=self._field_by_number[fn].name
                    )
                )
        # de-duplicate, keep order, keep it short enough for a phone
        reasons = list(dict.fromkeys(reasons))[:MAX_REASONS]
        return DivisionMatch(
            division_id=d.id,
            department=d.name,
            score=round(raw / (raw + 1.0), 4),
            fields=[self._field_by_number[fn].name for fn in shared],
            reasons=reasons,
        )


@lru_cache(maxsize=1)
def _shipped() -> Matcher:
    return Matcher.from_files()
