"""Group names compared for duplicates: 「こがねい子供食堂ネットワーク」 is 「こがねい子ども食堂ネットワーク」,
but 「貫井北町一丁目自治会」 is not 「貫井北町二丁目自治会」.

Pure functions for the registry (``bot/registry``), which stores each group's :func:`name_key` and
asks a :class:`NameIndex` of the stored keys whether a new name is probably a group already
registered. Nothing here touches a database.

How a name becomes a key (:func:`name_key`), in order:

1. ``knowledge.normalize.normalize`` (NFKC: full-width letters and digits, half-width kana, dashes);
   legal forms are dropped (「NPO法人」「一般社団法人」 at either end, 「(株)」 in brackets): they say what
   kind of body a group is, not which group.
2. Numbers are written in digits, without leading zeros: every run of digits (00001 -> 1), and kanji
   numerals where they count something (「第一」, 「一丁目」, 「二小」, 「三号棟」): 一丁目 = 1丁目. A
   kanji numeral elsewhere is part of a word (一人親, 一輪車, 七夕) and is read like any word.
3. Place marks stay as written: Koganei's town names (貫井北町, 東町 …), the station areas (東小金井,
   武蔵小金井) and a compass kanji in front of a school or an area (東小, 南中, 北口). They tell
   neighbouring groups apart.
4. Everything else is replaced by its kana reading (SudachiPy, loaded on first use), then folded
   (``knowledge.normalize.fold``: katakana = hiragana, small kana, long-vowel marks, spaces and
   punctuation dropped). So 子供 = 子ども = こども, 守る = まもる, 仲間 = なかま, ＰＴＡ = PTA.

The key of a key is the key: digits, place marks and ASCII pass through unchanged, kana is read as
itself.

Two keys are the same group (:func:`keys_match`) when their *marks* are equal — the numbers (as
integers, in order) and the place marks: 1丁目 is never 2丁目, 第一小 never 第二小, テスト団体1号 never
テスト団体2号, 東町 never 中町 — and the rest is equal or differs by little (rapidfuzz ``ratio`` of
the keys at least :data:`THRESHOLD`; keys shorter than :data:`SHORT_KEY` must be equal).

:class:`NameIndex` buckets stored keys by their marks and length, so a new name is compared only with
keys that could match: against 50,000 stored names a look-up costs well under a millisecond (see
``tests/matching/test_matching_names.py`` and docs/matching.md).
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from knowledge.normalize import fold, normalize, to_hiragana

# Bump when name_key() changes, so stored keys are recomputed (they are compared with new ones).
NAME_KEY_VERSION = 2
KEY_MAX = 200  # stored keys are cut here (groups.name_key is a String(200))
THRESHOLD = 90.0  # fuzz.ratio of two keys (0..100) at or above which they are one group
SHORT_KEY = 4  # keys shorter than this must be equal: one character is too much of them

# --- legal forms ---------------------------------------------------------------------------------
_FULL_FORMS = (
    "認定特定非営利活動法人", "特定非営利活動法人", "認定NPO法人", "NPO法人", "一般社団法人", "公益社団法人",
    "一般財団法人", "公益財団法人", "社会福祉法人", "医療法人社団", "医療法人財団", "医療法人", "学校法人",
    "株式会社", "有限会社", "合同会社", "任意団体",
)  # fmt: skip
# Abbreviations only in brackets, where they are unambiguous (a bare 有 may be part of the name).
_ABBREVIATIONS = ("特非", "一社", "公社", "一財", "公財", "社福", "医", "学", "株", "有", "同")


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_FULL = _alternation(_FULL_FORMS)
_BRACKETED_FORM_RE = re.compile(
    rf"[(\[【<「]\s*(?:{_alternation((*_FULL_FORMS, *_ABBREVIATIONS))})\s*[)\]】>」]", re.IGNORECASE
)
_LEADING_FORM_RE = re.compile(rf"^(?:{_FULL})\s*", re.IGNORECASE)
_TRAILING_FORM_RE = re.compile(rf"\s*(?:{_FULL})$", re.IGNORECASE)


def strip_legal_forms(name: str) -> str:
    """The name without its legal form: 「NPO法人 こがねい環境ネットワーク」 -> 「こがねい環境ネットワーク」.

    A name that is nothing but a legal form is kept as it is.
    """
    text = normalize(name)
    text = _BRACKETED_FORM_RE.sub(" ", text).strip() or text
    for _ in range(2):  # 「一般社団法人 X 株式会社」 has one at each end
        m = _LEADING_FORM_RE.match(text)
        if m and text[m.end() :].strip():
            text = text[m.end() :].strip()
        m = _TRAILING_FORM_RE.search(text)
        if m and text[: m.start()].strip():
            text = text[: m.start()].strip()
    return re.sub(r"\s+", " ", text)


# --- numbers ------------------------------------------------------------------------------------
_DIGIT_OF = {"〇": 0, "零": 0, "一": 1, "壱": 1, "二": 2, "弐": 2, "三": 3, "参": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_UNIT_OF = {"十": 10, "拾": 10, "百": 100, "千": 1000}
_NUMERAL = "[〇零一壱二弐三参四五六七八九十拾百千]+"
# What a kanji numeral counts when it is a number: 一丁目, 二小, 三号棟, 四班, 第五 (see _NUMBER_RE).
_COUNTERS = (
    "丁目", "番地", "番街", "号棟", "号館", "号室", "号", "番", "棟", "街区", "地区", "区", "組", "班",
    "支部", "分会", "分団", "部会", "小学校", "中学校", "高校", "高等学校", "小", "中", "高", "団", "次",
    "回", "期生", "期", "代目", "学年", "年生",
)  # fmt: skip
_NUMBER_RE = re.compile(rf"(?<=第){_NUMERAL}|{_NUMERAL}(?=(?:{'|'.join(_COUNTERS)}))")
_DIGITS_RE = re.compile(r"[0-9]+")


def kanji_number(numeral: str) -> int:
    """二十三 -> 23, 百五 -> 105, 二〇二六 -> 2026 (digit by digit when there is no 十/百/千)."""
    if not any(ch in _UNIT_OF for ch in numeral):
        value = 0
        for ch in numeral:
            value = value * 10 + _DIGIT_OF[ch]
        return value
    total = current = 0
    for ch in numeral:
        if ch in _UNIT_OF:
            total += (current or 1) * _UNIT_OF[ch]
            current = 0
        else:
            current = current * 10 + _DIGIT_OF[ch]
    return total + current


def _digits(text: str) -> str:
    """Kanji numerals that count something in digits, every digit run without leading zeros."""
    text = _NUMBER_RE.sub(lambda m: str(kanji_number(m.group())), text)
    return _DIGITS_RE.sub(lambda m: str(int(m.group())), text)


# --- place marks ----------------------------------------------------------------------------------
# Koganei's towns and station areas; longest first so 貫井北町 wins over 北町 (not a town).
_PLACES = ("貫井北町", "貫井南町", "前原町", "梶野町", "関野町", "東町", "中町", "本町", "緑町", "桜町",
           "東小金井", "武蔵小金井", "新小金井", "北大通", "小金井公園")  # fmt: skip
# ... the word after the compass kanji is kept with it (東中, 北口), so a key read again is unchanged.
_COMPASS_BEFORE = ("小学校", "中学校", "小", "中", "高", "口", "地区", "地域", "部", "支部", "班", "側",
                   "町", "自治会", "町会")  # fmt: skip
_MARK_RE = re.compile(
    rf"{_alternation(_PLACES)}|[東西南北](?:{_alternation(_COMPASS_BEFORE)})|[0-9]+|[A-Za-z]+"
)
_KANJI_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆]")


@lru_cache(maxsize=1)
def _tokenizer():
    from matching.fields import _tokenizer as shared  # one SudachiPy dictionary per process

    return shared()


@lru_cache(maxsize=65536)
def _read(segment: str) -> str:
    """Folded kana reading of a piece of a name without digits, ASCII or place marks.

    Only words with a kanji are read; kana is kept as written (fold makes katakana = hiragana), so
    a name in kana and the same name read from kanji agree wherever SudachiPy reads it right.
    """
    if not _KANJI_RE.search(segment):
        return fold(segment)
    out = []
    # In hiragana first: katakana okurigana (守ル) would otherwise be read twice (まもるる).
    for token in _tokenizer().tokenize(to_hiragana(segment)):
        surface = token.surface()
        reading = token.reading_form() if _KANJI_RE.search(surface) else ""
        # SudachiPy gives the surface (or nothing) for words it does not know: keep the surface.
        out.append(reading if reading and not _KANJI_RE.search(reading) else surface)
    return fold(to_hiragana("".join(out)))


# Spaces and punctuation between the words of a name say nothing about which group it is, and
# would split a compound before it is read (「自 治 会」 is not じ・おさむ・かい).
_GAPS_RE = re.compile(r"[\s・･、。，．,.!?！？「」『』()（）\[\]【】\"'`]+")


def name_key(name: str) -> str:
    """The duplicate-detection key of a group name (stable: store it; see the module docstring)."""
    text = _GAPS_RE.sub("", _digits(strip_legal_forms(str(name or ""))))
    out: list[str] = []
    pos = 0
    for m in _MARK_RE.finditer(text):
        if m.start() > pos:
            out.append(_read(text[pos : m.start()]))
        out.append(m.group().lower())
        pos = m.end()
    if pos < len(text):
        out.append(_read(text[pos:]))
    return "".join(out)[:KEY_MAX]


# --- comparing keys ---------------------------------------------------------------------------------
_KEY_MARK_RE = re.compile(rf"{_alternation(_PLACES)}|[0-9]+|{_KANJI_RE.pattern}")


def marks(key: str) -> tuple[str, ...]:
    """What tells groups with similar names apart, in order: numbers and place marks of a key.

    In a key every kanji left is a place mark (the rest was read into kana), so the marks are its
    digit runs and its kanji: 「貫井北町1ちょうめじちかい」 -> ('貫井北町', '1').
    """
    return tuple(_KEY_MARK_RE.findall(key))


def similarity(key_a: str, key_b: str) -> float:
    """0..100: how alike two keys are; 0 when their marks differ (another number, another town)."""
    if key_a == key_b:
        return 100.0
    if marks(key_a) != marks(key_b) or min(len(key_a), len(key_b)) < SHORT_KEY:
        return 0.0
    return fuzz.ratio(key_a, key_b)


def keys_match(key_a: str, key_b: str) -> bool:
    """Are two stored keys (name_key) probably the same group?"""
    return bool(key_a) and similarity(key_a, key_b) >= THRESHOLD


def same_group(name_a: str, name_b: str) -> bool:
    """Are two group names probably the same group? (name_key both, then keys_match.)"""
    return keys_match(name_key(name_a), name_key(name_b))


@dataclass(frozen=True, slots=True)
class NameMatch:
    id: Hashable  # whatever the caller stored with the key (a group id)
    key: str
    score: float  # 0..100


class NameIndex:
    """Stored name keys, for fast duplicate look-ups (also among the rows of one import).

    Keys are bucketed by their marks (only keys with the same numbers and places can match) and, in
    a bucket, by length: ``fuzz.ratio(a, b) <= 200 * min(len) / (len(a) + len(b))``, so only keys
    of nearly the same length can reach the threshold.
    """

    def __init__(self, items: Iterable[tuple[Hashable, str]] = ()) -> None:
        self._exact: dict[str, list[Hashable]] = {}
        self._buckets: dict[tuple[tuple[str, ...], int], tuple[list[Hashable], list[str]]] = {}
        self._order: dict[Hashable, int] = {}  # id -> when it was first added
        for item_id, key in items:
            self.add(item_id, key)

    def __len__(self) -> int:
        return len(self._order)

    def add(self, item_id: Hashable, key: str) -> None:
        """Store a key (from name_key) under an id."""
        if not key:
            return
        self._order.setdefault(item_id, len(self._order))
        self._exact.setdefault(key, []).append(item_id)
        ids, keys = self._buckets.setdefault((marks(key), len(key)), ([], []))
        ids.append(item_id)
        keys.append(key)

    def find(self, key: str, limit: int | None = 5) -> list[NameMatch]:
        """Stored keys that are probably the same group as ``key``: best score first, then in the
        order they were added (``limit=None``: all of them)."""
        if not key:
            return []
        found: dict[Hashable, NameMatch] = {}
        for item_id in self._exact.get(key, ()):
            found.setdefault(item_id, NameMatch(item_id, key, 100.0))
        n = len(key)
        if n >= SHORT_KEY:
            mk = marks(key)
            ratio = THRESHOLD / 100.0
            shortest = max(SHORT_KEY, math.ceil(n * ratio / (2.0 - ratio) - 1e-9))
            longest = math.floor(n * (2.0 - ratio) / ratio + 1e-9)
            for length in range(shortest, longest + 1):
                bucket = self._buckets.get((mk, length))
                if not bucket:
                    continue
                ids, keys = bucket
                for _, score, index in process.extract(
                    key, keys, scorer=fuzz.ratio, score_cutoff=THRESHOLD, limit=None
                ):
                    found.setdefault(ids[index], NameMatch(ids[index], keys[index], score))
        order = self._order
        ranked = sorted(found.values(), key=lambda m: (-m.score, order[m.id]))
        return ranked if limit is None else ranked[:limit]

    def first(self, key: str) -> Hashable | None:
        """The id added first among the probable duplicates of ``key`` (None: no duplicate)."""
        found = self.find(key, limit=None)
        return min(found, key=lambda m: self._order[m.id]).id if found else None
