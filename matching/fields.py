"""What people write for a field ("環境", "将棋教室", "まちずくり", "食育、貧困", "7"), resolved to the
20 NPO-law fields, saying what was chosen and how sure it is.

:meth:`FieldResolver.resolve_text` gives a :class:`FieldResolution` per word of the text (the text is
split at 、 , / ; and line breaks, and at と/や/および when every piece is itself a field). Each
resolution has one of four statuses:

``exact``
    The field's number (7, ７, 七), official name, short label or a part of it, or one of its
    everyday words (fields.yaml ``words``: 子育て, 防災, 学習支援). ``how`` says which; an everyday
    word is a synonym, so the flow should say what it was stored as (「学習支援」→ 子どもの健全育成).
``guess``
    One field, inferred: the text contains words of the data that point to it (「将棋教室」 contains
    将棋, a word of the 公民館's 文化活動事業 → 学術・文化・芸術・スポーツ), or it is a typo of a field
    word (環境保善, まちずくり) or spelt with other kana (ちいき安全). The citizen should confirm it.
``ambiguous``
    Several fields fit (「子ども食堂と高齢者の配食」); the citizen should choose (one or more).
``none``
    Nothing fits: no guess is made (the flow shows the list of fields).

Order of attempts, surest first:

1. exact match of the folded word against numbers, official names, labels, label parts and everyday
   words; the same after dropping a trailing 「活動」/「を図る活動」/「支援」 …;
2. words of the data found in the text (the matcher's scanner: field words, division words, their kana
   readings). A division word signals a field when it contains a field word (知的障害 ⊃ 障害), when
   its budget project's name does (将棋 ∈ 文化活動事業 ⊃ 文化), or when the divisions listing it
   serve one field only;
3. typo-tolerant comparison with the field words (rapidfuzz ratio >= :data:`FUZZY_CUTOFF`, clearly
   ahead of any other field);
4. comparison of kana readings (SudachiPy, loaded on first need) at >= :data:`READING_CUTOFF`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from knowledge.normalize import fold, normalize, to_hiragana
from matching import messages
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
FUZZY_CUTOFF = 70.0  # ratio (0..100) a typo must reach to be offered as a guess
FUZZY_MARGIN = 5.0  # ... and by this much ahead of the closest word of another field
MIN_FUZZY_KEY = 3  # folded characters: shorter words are compared exactly only
READING_CUTOFF = 90.0  # readings: しょうぎ (将棋) is 80 from しょうぎょう (商業); not a typo
MIN_READING_KEY = 4
SUGGEST_CUTOFF = 50.0  # below this a "closest field" is noise, not help
MAX_WORD = 100  # field words longer than this are not field words
MAX_PARTS = 20
MAX_CANDIDATES = 3

EXACT, GUESS, AMBIGUOUS, NONE = "exact", "guess", "ambiguous", "none"
# how a candidate was found
BY_NUMBER, BY_NAME, BY_LABEL, BY_WORD = "number", "name", "label", "word"
BY_CONTAINS, BY_TYPO, BY_READING = "contains", "typo", "reading"

_SPLIT_RE = re.compile(r"[、,，/／;；\n\t]+|\s+")
_JOIN_RE = re.compile(r"および|及び|並びに|ならびに|と|や")


@lru_cache(maxsize=1)
def _tokenizer():  # pragma: no cover - exercised through resolve()
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").tokenizer(mode=SplitMode.C)


def reading(text: str) -> str:
    """Hiragana reading of a short text (folded), via SudachiPy."""
    tokens = _tokenizer().tokenize(text)
    return fold(to_hiragana("".join(t.reading_form() for t in tokens)))


@dataclass(frozen=True, slots=True)
class FieldCandidate:
    """One field a word may mean, and the evidence."""

    field: Field
    word: str  # the word of the data that matched, as written there (将棋, 学習支援, 環境保全)
    how: str  # number | name | label | word | contains | typo | reading


@dataclass(frozen=True, slots=True)
class FieldResolution:
    """What one written word was resolved to (see the module docstring for the statuses)."""

    text: str  # the word as written (normalised)
    status: str  # exact | guess | ambiguous | none
    candidates: tuple[FieldCandidate, ...] = ()  # best first; one for exact and guess

    @property
    def field(self) -> Field | None:
        """The field chosen (exact or guess), else None."""
        return self.candidates[0].field if self.status in (EXACT, GUESS) else None

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(c.field for c in self.candidates)

    @property
    def needs_confirmation(self) -> bool:
        """True when the citizen should confirm (guess) or choose (ambiguous)."""
        return self.status in (GUESS, AMBIGUOUS)

    @property
    def is_synonym(self) -> bool:
        """An everyday word stored as a field: say what it was stored as."""
        return self.status == EXACT and self.candidates[0].how == BY_WORD

    def message(self) -> str | None:
        """A Japanese sentence for the citizen, or None when there is nothing to say (an exact name,
        label or number)."""
        if self.status == EXACT:
            c = self.candidates[0]
            if c.how != BY_WORD:
                return None
            return messages.FIELD_SYNONYM.format(text=self.text, label=c.field.label)
        if self.status == GUESS:
            c = self.candidates[0]
            if c.how == BY_CONTAINS and fold(c.word) != fold(self.text):
                return messages.FIELD_GUESS_BECAUSE.format(text=self.text, label=c.field.label, word=c.word)
            return messages.FIELD_GUESS.format(text=self.text, label=c.field.label)
        if self.status == AMBIGUOUS:
            labels = "".join(f"「{c.field.label}」" for c in self.candidates)
            return messages.FIELD_AMBIGUOUS.format(text=self.text, labels=labels)
        return messages.FIELD_NONE.format(text=self.text)


@dataclass(frozen=True, slots=True)
class FieldsResolution:
    """Several words written in one text (「食育、貧困」), each resolved."""

    text: str
    parts: tuple[FieldResolution, ...]

    @property
    def fields(self) -> tuple[Field, ...]:
        """The fields resolved exactly (names, labels, numbers, everyday words), in order, once."""
        return _unique(p.field for p in self.parts if p.status == EXACT)

    @property
    def guessed(self) -> tuple[Field, ...]:
        """The fields guessed (to be confirmed), in order, once, without those already exact."""
        exact = set(self.fields)
        return tuple(f for f in _unique(p.field for p in self.parts if p.status == GUESS) if f not in exact)

    @property
    def needs_confirmation(self) -> bool:
        return any(p.needs_confirmation for p in self.parts)

    @property
    def unknown(self) -> tuple[str, ...]:
        """The words that fit no field."""
        return tuple(p.text for p in self.parts if p.status == NONE)

    def messages(self) -> list[str]:
        """One Japanese sentence per word that needs one (synonyms, guesses, choices, unknown)."""
        return [m for m in (p.message() for p in self.parts) if m]


def _unique(fields: Iterable[Field | None]) -> tuple[Field, ...]:
    out: list[Field] = []
    for f in fields:
        if f is not None and f not in out:
            out.append(f)
    return tuple(out)


class FieldResolver:
    """Resolves field words. ``scan`` (folded text -> data keys found) and ``topics`` (a function
    returning data key -> (word as written, fields it signals), called when first needed) come from
    the matcher: without them only the field data is used."""

    def __init__(
        self,
        fields: list[Field],
        *,
        scan: Callable[[str], list[str]] | None = None,
        topics: Callable[[], dict[str, tuple[str, tuple[int, ...]]]] | None = None,
    ) -> None:
        self.fields = fields
        self.by_number = {f.number: f for f in fields}
        self._scan = scan
        self._topics = topics or dict
        # folded key -> (field, how, word as written)
        self._exact: dict[str, tuple[Field, str, str]] = {}
        # Names first, so a word list can never shadow a name.
        for f in fields:
            self._exact.setdefault(fold(str(f.number)), (f, BY_NUMBER, str(f.number)))
            self._exact.setdefault(fold(f.name), (f, BY_NAME, f.name))
            keys = [f.label, *re.split(r"[・、,]", f.label)]
            for suffix in _SUFFIXES:
                if f.name.endswith(suffix):
                    keys.append(f.name[: -len(suffix)])
            for key in keys:
                k = fold(key)
                if k:
                    self._exact.setdefault(k, (f, BY_LABEL, f.label))
        for kanji, number in _KANJI_NUMERALS.items():
            f = self.by_number[number]
            self._exact.setdefault(kanji, (f, BY_NUMBER, str(number)))
        for f in fields:
            for w in f.words:
                self._exact.setdefault(fold(w), (f, BY_WORD, w))
        self._choices = list(self._exact)
        self._choice_entries = [self._exact[k] for k in self._choices]
        self._readings: list[str] | None = None

    # --- the old API: one field or None -----------------------------------------------------
    def resolve(self, word: str | int) -> Field | None:
        """The field meant by one word when exact or a single guess; None when several fit or none."""
        return self.resolve_word(str(word)).field

    # --- the rich API -------------------------------------------------------------------------
    @lru_cache(maxsize=4096)  # noqa: B019 - one resolver per Matcher, which lives for the process
    def resolve_word(self, word: str) -> FieldResolution:
        """One word (not split): what it was resolved to and how sure that is."""
        text = normalize(str(word))[:MAX_WORD]
        key = fold(text)
        if not key:
            return FieldResolution(text, NONE)
        if key.isdigit():
            f = self.by_number.get(int(key))
            return (
                FieldResolution(text, EXACT, (FieldCandidate(f, str(f.number), BY_NUMBER),))
                if f
                else (FieldResolution(text, NONE))
            )
        found = self._exact_hit(key)
        if found is not None:
            return FieldResolution(text, EXACT, (found,))
        found_many = self._contained(key)
        if found_many:
            status = GUESS if len(found_many) == 1 else AMBIGUOUS
            return FieldResolution(text, status, tuple(found_many[:MAX_CANDIDATES]))
        guess = self._fuzzy(key)
        if guess is not None:
            return FieldResolution(text, GUESS, (guess,))
        return FieldResolution(text, NONE)

    def resolve_text(self, text: str | int) -> FieldsResolution:
        """A text naming one or several fields (「食育、貧困」, 「環境と福祉」, 「1,7」), each resolved."""
        raw = normalize(str(text))
        protected = raw
        names: dict[str, str] = {}
        for f in self.fields:  # official names and labels hold 、 and ・: keep them whole
            for written in (f.name, f.label):
                if written in protected and ("、" in written or "・" in written):
                    token = f"\x00{len(names)}\x00"
                    names[token] = written
                    protected = protected.replace(written, token)
        words: list[str] = []
        for piece in (p for p in _SPLIT_RE.split(protected) if p.strip()):
            joined = [p for p in _JOIN_RE.split(piece) if p]
            if len(joined) > 1 and all(self.resolve_word(_restore(p, names)).status == EXACT for p in joined):
                words.extend(joined)
            else:
                words.append(piece)
        words = [_restore(w, names) for w in words][:MAX_PARTS]
        if len(words) <= 1:
            return FieldsResolution(raw, (self.resolve_word(raw),) if fold(raw) else ())
        return FieldsResolution(raw, tuple(self.resolve_word(w) for w in words))

    # --- tiers ---------------------------------------------------------------------------------
    def _exact_hit(self, key: str) -> FieldCandidate | None:
        hit = self._exact.get(key)
        if hit is None:
            for suffix in _SUFFIXES:
                s = fold(suffix)
                if key.endswith(s) and len(key) > len(s):
                    hit = self._exact.get(key[: -len(s)])
                    if hit:
                        break
        if hit is None:
            return None
        f, how, written = hit
        return FieldCandidate(f, written, how)

    def _contained(self, key: str) -> list[FieldCandidate]:
        """Fields signalled by data words found in the text: most words first, then longest word."""
        if self._scan is None:
            return []
        votes: dict[int, list[str]] = {}  # field -> words (as written) pointing to it
        topics = self._topics()
        for k in self._scan(key):
            topic = topics.get(k)
            if topic is None:
                continue
            written, numbers = topic
            for n in numbers:
                votes.setdefault(n, []).append(written)
        order = list(votes)
        ranked = sorted(votes, key=lambda n: (-len(votes[n]), -max(len(w) for w in votes[n]), order.index(n)))
        return [FieldCandidate(self.by_number[n], max(votes[n], key=len), BY_CONTAINS) for n in ranked]

    def _reading_choices(self) -> list[str]:
        if self._readings is None:
            self._readings = [reading(k) for k in self._choices]
        return self._readings

    def _fuzzy(self, key: str) -> FieldCandidate | None:
        if len(key) >= MIN_FUZZY_KEY:
            found = self._closest(key, self._choices, FUZZY_CUTOFF)
            if found is not None:
                f, _, written = self._choice_entries[found]
                return FieldCandidate(f, written, BY_TYPO)
        spoken = reading(key)
        if len(spoken) >= MIN_READING_KEY:
            found = self._closest(spoken, self._reading_choices(), READING_CUTOFF)
            if found is not None:
                f, _, written = self._choice_entries[found]
                return FieldCandidate(f, written, BY_READING)
        return None

    def _closest(self, key: str, choices: list[str], cutoff: float) -> int | None:
        """Index of the best choice if clearly closest (another field's best is >= 5 points behind)."""
        hits = process.extract(key, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=8)
        if not hits:
            return None
        best = self._choice_entries[hits[0][2]][0]
        for _, score, idx in hits[1:]:
            if self._choice_entries[idx][0] is not best and score > hits[0][1] - FUZZY_MARGIN:
                return None
        return hits[0][2]

    def suggest(self, word: str, limit: int = 3) -> list[Field]:
        """The fields closest to a word that resolved to nothing (may be empty)."""
        key = fold(str(word))[:MAX_WORD]
        if not key:
            return []
        scores: dict[int, float] = {}
        for c in self._contained(key):
            scores.setdefault(c.field.number, 100.0)
        for choices, k in ((self._choices, key), (self._reading_choices(), reading(key))):
            for _, score, idx in process.extract(
                k, choices, scorer=fuzz.ratio, limit=20, score_cutoff=SUGGEST_CUTOFF
            ):
                number = self._choice_entries[idx][0].number
                scores[number] = max(scores.get(number, 0.0), score)
        ranked = sorted(scores, key=lambda n: (-scores[n], n))
        return [self.by_number[n] for n in ranked[:limit]]


def _restore(word: str, names: dict[str, str]) -> str:
    for token, written in names.items():
        word = word.replace(token, written)
    return word
