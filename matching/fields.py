"""Resolve what people write for a field ("環境", "まちずくり", "だんじょ共同参画", "7") to one of the 20.

Order of attempts, cheapest and surest first:

1. exact match of the folded word against official names, short labels, label parts, the field's
   everyday words and its number;
2. the same after dropping a trailing 「活動」/「を図る活動」 etc.;
3. typo-tolerant comparison (rapidfuzz ratio on folded keys), accepted only when clearly closest;
4. comparison of readings (SudachiPy, loaded lazily on first need), which catches spellings that mix
   kana and kanji differently (「ちいき安全」 for 地域安全).

A word that still resolves to nothing gets the closest field names offered back.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz, process

from knowledge.normalize import fold, to_hiragana
from matching.model import Field

_SUFFIXES = (
    "を図る活動",
    "をはかる活動",
    "の活動",
    "活動",
    "のかつどう",
    "かつどう",
    "の推進",
    "の振興",
    "支援",
)
_KANJI_NUMERALS = {
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
    "十一": 11, "十二": 12, "十三": 13, "十四": 14, "十五": 15, "十六": 16, "十七": 17, "十八": 18,
    "十九": 19, "二十": 20,
}  # fmt: skip
FUZZY_CUTOFF = 70.0  # ratio (0..100) a typo must reach to be accepted
READING_CUTOFF = 80.0
SUGGEST_CUTOFF = 50.0  # below this a "closest field" is noise, not help
MAX_WORD = 100  # field words longer than this are not field words


@lru_cache(maxsize=1)
def _tokenizer():  # pragma: no cover - exercised through resolve()
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").tokenizer(mode=SplitMode.C)


def reading(text: str) -> str:
    """Hiragana reading of a short text (folded), via SudachiPy."""
    tokens = _tokenizer().tokenize(text)
    return fold(to_hiragana("".join(t.reading_form() for t in tokens)))


class FieldResolver:
    def __init__(self, fields: list[Field]) -> None:
        self.fields = fields
        self.by_number = {f.number: f for f in fields}
        self._exact: dict[str, Field] = {}
        # Names first, so a word list can never shadow a name.
        for f in fields:
            keys = [f.name, f.label, *re.split(r"[・、,]", f.label), str(f.number)]
            for suffix in _SUFFIXES:
                if f.name.endswith(suffix):
                    keys.append(f.name[: -len(suffix)])
            for key in keys:
                k = fold(key)
                if k and k not in self._exact:
                    self._exact[k] = f
        for kanji, number in _KANJI_NUMERALS.items():
            self._exact.setdefault(kanji, self.by_number[number])
        for f in fields:
            for w in f.words:
                self._exact.setdefault(fold(w), f)
        self._choices = list(self._exact)
        self._choice_fields = [self._exact[k] for k in self._choices]
        self._readings: list[str] | None = None

    def resolve(self, word: str | int) -> Field | None:
        return self._resolve(str(word))

    @lru_cache(maxsize=4096)  # noqa: B019 - one resolver per Matcher, which lives for the process
    def _resolve(self, word: str) -> Field | None:
        key = fold(word)[:MAX_WORD]
        if not key:
            return None
        if key.isdigit():
            return self.by_number.get(int(key))
        found = self._exact.get(key)
        if found:
            return found
        for suffix in _SUFFIXES:
            s = fold(suffix)
            if key.endswith(s) and len(key) > len(s):
                found = self._exact.get(key[: -len(s)])
                if found:
                    return found
        found = self._fuzzy(key, self._choices, FUZZY_CUTOFF)
        if found:
            return found
        return self._fuzzy(reading(key), self._reading_choices(), READING_CUTOFF)

    def _reading_choices(self) -> list[str]:
        if self._readings is None:
            self._readings = [reading(k) for k in self._choices]
        return self._readings

    def _fuzzy(self, key: str, choices: list[str], cutoff: float) -> Field | None:
        """Best field if clearly closest (the runner-up from another field is >= 5 points behind)."""
        if not key:
            return None
        hits = process.extract(key, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=8)
        if not hits:
            return None
        best = self._choice_fields[hits[0][2]]
        for _, score, idx in hits[1:]:
            other = self._choice_fields[idx]
            if other is not best and score > hits[0][1] - 5:
                return None
        return best

    def suggest(self, word: str, limit: int = 3) -> list[Field]:
        """The fields closest to a word that resolved to nothing (may be empty)."""
        key = fold(str(word))[:MAX_WORD]
        if not key:
            return []
        scores: dict[int, float] = {}
        for choices, k in ((self._choices, key), (self._reading_choices(), reading(key))):
            for _, score, idx in process.extract(
                k, choices, scorer=fuzz.ratio, limit=20, score_cutoff=SUGGEST_CUTOFF
            ):
                number = self._choice_fields[idx].number
                scores[number] = max(scores.get(number, 0.0), score)
        ranked = sorted(scores, key=lambda n: (-scores[n], n))
        return [self.by_number[n] for n in ranked[:limit]]
