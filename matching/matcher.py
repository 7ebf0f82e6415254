"""Rank Koganei's divisions for a citizen group, with reasons a person can check.

How a score is made (all weights are named constants below):

* The group's name and description are folded and scanned once for every known word (see
  ``scanner.py``), and for the kana reading of every kanji word (``readings.py``: としょかん finds
  図書館). A word can point to a division directly (it is one of the division's project words,
  keywords, facilities or people words) and/or to an NPO-law field (one of the field's everyday
  words).
* Direct words weigh most. A word shared by several divisions is split between them (1/n), and short
  words weigh less than long ones, so a specific phrase (「冒険遊び場」) beats a generic one (「子ども」).
* A few particles after a word change what it means for the ranking (``_match``): a division's own
  facility as the owner of the activity (「公民館の講座」) adds W_FACILITY, as a mere venue
  (「公民館で」) or destination (「児童館への」) it counts less; who is served (障害者, people words)
  takes the weight of how they are helped (配食, service-mode words) from another division; without
  people named, how yields to what (「予算を読み解く講座」).
* Fields, given explicitly or found in the text, add to every division serving that field, divided by
  sqrt(number of fields the division serves) so a focused division outranks a broad one, plus a
  bonus for the field's main division (the one to contact when only the field is known), withheld
  when the text clearly points elsewhere; a stated field the text's clear lead does not serve
  counts half.
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
from matching.folding import fold_word
from matching.loader import (
    DIVISIONS_PATH,
    FIELDS_PATH,
    DataError,
    load_divisions,
    load_fields,
    load_word_lists,
)
from matching.model import Division, DivisionMatch, Field, GroupProfile, MatchResult
from matching.readings import alias_keys
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

# A division's own facility or name (公民館, 図書館, 児童館, 介護福祉課) named as what the activity
# belongs to (「公民館の講座」, 「図書館の本」, 「児童館ボランティア」) adds this once, on top of the word.
# Named only as a venue (「公民館で」, 「公民館の調理室を借りて」) it is an ordinary word: groups meet in
# public buildings whatever they do.
W_FACILITY = 1.0
# A hall that groups book whatever they do (fields.yaml meeting_places: 公民館, 市民会館) named only as
# the venue counts this much. Other facilities keep their weight as venues: a programme held in a
# 児童館 or a library is run with that facility's staff.
W_VENUE = 0.5
# 「公民館の文化活動」: a word right after 「<facility>の」 (at most this many characters between) is
# something of that facility, and counts for the facility's division instead of its own.
OWNED_GAP = 2
# Folded text right after a facility that marks it as a mere venue.
_VENUE_AFTER = ("で", "にて", "におい", "を借", "をかり", "を会場", "を拠点", "を利用", "をお借", "や",
                "など", "とか", "に集", "にあつま", "題")  # fmt: skip
# 「児童館への慰問」「保育園を訪問」: where the group goes, not who runs the activity; the facility
# word counts W_VENUE, like a meeting place.
_VISITED = ("へ", "を訪", "に訪", "に出向", "に出張", "に届け")
# Being registered with or funded by a facility (社協に登録, 社協の助成) says little about the
# activity: the facility word counts W_REGISTERED, whatever the facility, and signals no field.
W_REGISTERED = 0.25
_REGISTERED = ("に登録", "に所属", "から助成", "から補助", "の助成", "の補助", "の登録", "の利用団体")
# ... and rooms or places of a facility (「公民館の調理室」, 「公園の近く」), after 「の」.
_VENUE_PLACE = ("調理室", "会議室", "集会室", "和室", "部屋", "へや", "ほる", "一室", "学習室", "講堂",
                "多目的", "工作室", "視聴覚室", "音楽室", "実習室", "ろび", "一角", "近く", "ちかく",
                "周辺", "周り", "まわり", "隣", "となり", "前で", "敷地", "中で", "なかで", "場所",
                "すぺす", "広場", "ひろば", "施設を")  # fmt: skip
# Who is served outweighs how: when the text names the people one division serves (障害者, 高齢者)
# a service-mode word (配食, 見守り, 居場所) listed under another division moves this share of its
# weight to the division of the people named (「精神障害のある方への配食」 -> 自立生活支援課).
W_MODE_TO_PEOPLE = 0.8
# Without people named, a service-mode word counts this much when the other words say what the
# activity is about and point to another division (「予算や決算を読み解く市民講座」 -> 財政課).
W_MODE_WITH_TOPIC = 0.5
# ... unless the group is open to everyone (「子どもからお年寄りまで」, 「どなたでも」): then the people
# named are examples, not the ones served.
_EVERYONE = ("誰でも", "だれでも", "どなたでも", "多世代", "世代をこえ", "世代を超え", "みんなの")
# A stated or inferred field's main division gets its bonus only when the text does not clearly
# point to another division serving that field (direct words worth at least this much more).
CLEAR_LEAD = 0.5
# When the text's words give one division at least this much (one specific word) and that division
# does not serve a field the group stated, the stated field counts this much (and no main bonus).
CLEAR_TEXT = 0.35
CLEAR_MARGIN = 0.3  # ... and at least this much more than any other division
W_FIELD_OFF_TOPIC = 0.5


def _length_weight(key: str) -> float:
    """Longer matched words are more specific: 1 char 0.6, 2 chars 0.75, 3 chars 0.9, 4+ 1.0."""
    return min(1.0, 0.45 + 0.15 * len(key))


_LIST_SEP_RE = re.compile(r"[、,，/／;；\n]")
_ASCII_GAP_RE = re.compile(r"([A-Za-z0-9])\s+(?=[A-Za-z0-9])")


def fold_text(text: str) -> str:
    """fold(), keeping a separator between ASCII words (fold drops spaces) so 'IT' stays a word."""
    return fold(_ASCII_GAP_RE.sub(r"\1|", text))


def _is_venue(text: str, end: int) -> bool:
    """Is the facility ending at ``end`` only where the activity takes place (「公民館で」)?"""
    if text.startswith(_VENUE_AFTER, end):
        return True
    return text.startswith("の", end) and text.startswith(_VENUE_PLACE, end + 1)


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
    facility: int | None = None  # division whose own facility or name this is
    people: tuple[int, ...] = ()  # divisions serving the people this word names
    mode: bool = False  # a way of helping (配食, 見守り) rather than who is helped
    hall: bool = False  # a hall groups book whatever they do (公民館, 市民会館)
    special: bool = False  # facility, people or hall: looked at more closely while scanning


class Matcher:
    """The shipped fields and divisions, indexed for matching. Build once (``Matcher.load()``)."""

    def __init__(
        self,
        fields: list[Field],
        divisions: list[Division],
        ignore_words: Iterable[str] = (),
        service_modes: Iterable[str] = (),
        *,
        meeting_places: Iterable[str] = (),
        readings: dict[str, str] | None = None,
    ) -> None:
        """``readings``: word -> folded kana reading (default: the shipped cache, see readings.py)."""
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
                    k = fold_word(w)
                    display.setdefault(k, w)
                    owners.setdefault(k, {}).setdefault(i, project)
            for w in (*d.keywords, *d.facilities, *d.people):
                k = fold_word(w)
                display.setdefault(k, w)
                owners.setdefault(k, {}).setdefault(i, None)
        # A division's own facilities, and its own name when long enough not to turn up inside
        # other words (健康課 would fire in 健康課題).
        facility: dict[str, int] = {}
        people: dict[str, list[int]] = {}
        for i, d in enumerate(divisions):
            names = [*d.facilities, d.ka] if len(d.ka) >= 4 else list(d.facilities)
            for w in names:
                k = fold_word(w)
                display.setdefault(k, w)
                owners.setdefault(k, {}).setdefault(i, None)
                facility.setdefault(k, i)
            for w in d.people:
                people.setdefault(fold_word(w), []).append(i)
        modes = {fold_word(w): w for w in service_modes}
        halls = {fold_word(w): w for w in meeting_places}
        for entry, listed in (("service_modes", modes), ("meeting_places", halls)):
            for k, w in listed.items():
                if k not in owners:
                    raise DataError(
                        FIELDS_PATH.name,
                        entry,
                        f"「{w}」はどの課のことばにもありません（divisions.yaml にも書いてください）",
                    )
        word_field: dict[str, int] = {}
        for f in fields:
            for w in f.words:
                k = fold_word(w)
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
                facility=facility.get(k),
                people=tuple(people.get(k, ())),
                mode=k in modes,
                hall=k in halls,
                special=k in facility or k in people or k in halls,
            )

        # field number -> per-division weights when stated / when inferred from text
        self._field_explicit: dict[int, tuple[tuple[int, float], ...]] = {}
        self._field_text: dict[int, tuple[tuple[int, float], ...]] = {}
        self._field_servers: dict[int, tuple[int, ...]] = {}
        self._field_main: dict[int, int] = {}
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
            self._field_servers[f.number] = tuple(i for i, _ in explicit)
            if f.main_division is not None:
                self._field_main[f.number] = self._by_id[f.main_division]

        ignore_words = tuple(ignore_words)
        self._ignore = frozenset(fold_word(w) for w in ignore_words)
        for w in ignore_words:
            if fold_word(w) in self._keys:
                raise DataError(
                    FIELDS_PATH.name,
                    "ignore_words",
                    f"「{w}」は課または分野のことばにもあります（どちらか一方にしてください）",
                )
        self._fingerprint: str | None = None
        # Kana readings of kanji words (としょかん -> 図書館), scanned for as aliases of the word.
        spelled = {w: fold_word(w) for w in (*display.values(), *ignore_words)}
        spelled.update({w: k for k, w in display.items()})
        self._aliases = alias_keys(spelled, [*self._keys, *self._ignore], readings)
        self._scanner = Scanner([*self._keys, *self._ignore], aliases=self._aliases)

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
        lists = load_word_lists(fields_path)
        return cls(fields, divisions, ignore, lists["service_modes"], meeting_places=lists["meeting_places"])

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
                    "readings": sorted(self._aliases.items()),
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
        # "|" survives folding, so no word is found across the end of the name (カフェ|これ: not エコ).
        text = fold_text(f"{name}|{description}")
        # Words found, each once (in order of first occurrence).
        words: dict[str, _Key] = {}
        facilities: dict[int, str] = {}  # division -> its facility the activity belongs to
        owned: dict[str, tuple[int, str]] = {}  # key -> (division, facility) it belongs to
        owner_until = -1
        owner: tuple[int, str] = (-1, "")
        people: dict[int, str] = {}  # division -> first word naming the people it serves
        venues: set[str] = set()  # halls named only as where the group meets
        registered: set[str] = set()  # facilities named only as registered with / funded by
        everyone = False
        modes_found = False
        # a facility followed by 「の」 (division, display, key), decided by what follows
        pending: tuple[int, str, str] | None = None
        pending_until = -1
        startswith = text.startswith
        for k, start, end in self._scanner.hits(text):
            info = keys.get(k)
            if info is None:  # an ignore word (緑町, NPO法人): read past it
                continue
            chained = None
            if pending is not None:
                if start <= pending_until and info.mode:
                    pass  # 「保育園の送迎」: the facility is where the help goes, not who gives it
                elif info.facility is None or start > pending_until:
                    facilities.setdefault(*pending[:2])
                else:  # 「社協のボランティアセンターに登録」: the second facility decides for both
                    chained = pending[2]
                pending = None
            if k not in words:
                words[k] = info
                modes_found |= info.mode
                if (
                    start <= owner_until
                    and info.facility is None
                    and not info.mode
                    and owner[0] not in info.projects
                ):
                    owned[k] = owner
            if not info.special:
                continue
            for i in info.people:
                people.setdefault(i, info.display)
            if info.people and startswith("まで", end):
                everyone = True
            fi = info.facility
            if fi is not None and startswith(_REGISTERED, end):
                registered.add(k)
            elif fi is not None and startswith(_VISITED, end):
                venues.add(k)
            elif fi is None or _is_venue(text, end):
                if info.hall and _is_venue(text, end):
                    venues.add(k)
            elif startswith("の", end):
                pending, pending_until = (fi, info.display, k), end + 1 + OWNED_GAP
                owner, owner_until = (fi, info.display), pending_until
            else:
                facilities.setdefault(fi, info.display)
            if chained is not None and k in registered:
                registered.add(chained)
        if pending is not None:
            facilities.setdefault(*pending[:2])

        raw: dict[int, float] = {}
        found: dict[int, list[_Key]] = {}  # division index -> words that hit it
        notes: dict[int, list[str]] = {}  # division index -> reasons beyond "word X found"
        text_fields: dict[int, _Key] = {}  # field number -> first word that signalled it
        for fi, facility in facilities.items():
            raw[fi] = W_FACILITY
            found[fi] = []
            notes[fi] = [self._facility_reason(fi, facility)]
        about: set[int] = set()  # divisions the words saying what the activity is about point to
        if modes_found:
            about = {
                i for k, info in words.items() if not info.mode and not info.people for i in info.projects
            }
        if people and (everyone or any(w in text for w in _EVERYONE)):
            people = {}
        adjust = owned or venues or people or modes_found
        for k, info in words.items():
            if k in registered:
                for i, w in info.hits:
                    raw[i] = raw.get(i, 0.0) + w * W_REGISTERED
                    found.setdefault(i, []).append(info)
                continue
            hits = info.hits
            if adjust:
                hits = self._adjust(k, info, owned, venues, about, people, facilities, raw, found, notes)
            for i, w in hits:
                if i in raw:
                    raw[i] += w
                    if info.facility != i or i not in facilities:  # else said by the facility reason
                        found[i].append(info)
                else:
                    raw[i] = w
                    found[i] = [info]
            fn = info.field
            if fn is not None and fn not in text_fields:
                text_fields[fn] = info
        direct = dict(raw)
        # The division the words of the text clearly point to, if any.
        lead = None
        if direct and field_numbers:
            ranked = sorted(direct.values(), reverse=True)
            if ranked[0] >= CLEAR_TEXT and (len(ranked) == 1 or ranked[0] >= ranked[1] + CLEAR_MARGIN):
                lead = max(direct, key=direct.__getitem__)
        for fn in field_numbers:
            main = self._field_main.get(fn)
            # 「湧水の観察」 with the stated field まちづくり: the text names the service area, and a
            # broad stated field its division does not serve counts less, with no main bonus.
            off_topic = lead is not None and fn not in self.divisions[lead].fields
            for i, w in self._field_explicit[fn]:
                if i == main and (off_topic or self._someone_else_leads(direct, fn, i)):
                    w -= W_EXPLICIT_MAIN
                raw[i] = raw.get(i, 0.0) + (w * W_FIELD_OFF_TOPIC if off_topic else w)
        for fn in text_fields:
            if fn not in field_numbers:
                main = self._field_main.get(fn)
                for i, w in self._field_text[fn]:
                    if i == main and self._someone_else_leads(direct, fn, i):
                        w -= W_TEXT_MAIN
                    raw[i] = raw.get(i, 0.0) + w

        # Best first; equal scores keep the order of the file (both sorts are stable, in C).
        order = sorted(raw)
        order.sort(key=raw.__getitem__, reverse=True)
        matches = [
            self._explain(i, raw[i], found.get(i, ()), field_numbers, text_fields, notes.get(i, ()))
            for i in order[: max(top, 0)]
            if raw[i] >= MIN_RAW
        ]
        message = messages.EMPTY_PROFILE if empty else (None if matches else messages.NO_MATCH)
        return MatchResult(name, matches, message, unknown, field_numbers, field_names)

    def _adjust(
        self,
        k: str,
        info: _Key,
        owned: dict[str, tuple[int, str]],
        venues: set[str],
        about: set[int],
        people: dict[int, str],
        facilities: dict[int, str],
        raw: dict[int, float],
        found: dict[int, list[_Key]],
        notes: dict[int, list[str]],
    ) -> tuple[tuple[int, float], ...]:
        """The (division, weight) pairs word k contributes once the rules on facilities, venues,
        people and service modes have been applied; credits moved to other divisions go straight
        into raw/found/notes."""
        hits = info.hits
        if k in owned:  # 「公民館の文化活動」: the word counts for the facility's division
            oi, facility = owned[k]
            raw[oi] = raw.get(oi, 0.0) + (sum(w for _, w in hits) or W_DIRECT * _length_weight(k))
            found.setdefault(oi, [])
            ka = self.divisions[oi].ka
            notes.setdefault(oi, []).append(
                messages.REASON_OWNED.format(facility=facility, word=info.display, ka=ka)
            )
            return ()
        if k in venues and (info.facility is None or info.facility not in facilities):
            return tuple((i, w * W_VENUE) for i, w in hits)
        if people and info.mode and people.keys().isdisjoint(info.projects):
            each = sum(w for _, w in hits) * W_MODE_TO_PEOPLE / len(people)
            for pi, who in people.items():
                raw[pi] = raw.get(pi, 0.0) + each
                found.setdefault(pi, [])
                ka = self.divisions[pi].ka
                notes.setdefault(pi, []).append(
                    messages.REASON_FOR_PEOPLE.format(word=info.display, people=who, ka=ka)
                )
            return tuple((i, w * (1.0 - W_MODE_TO_PEOPLE)) for i, w in hits)
        if info.mode and about and about.isdisjoint(info.projects):
            # 「予算を読み解く市民講座」: how (講座) yields to what (予算)
            return tuple((i, w * W_MODE_WITH_TOPIC) for i, w in hits)
        return hits

    def _facility_reason(self, i: int, facility: str) -> str:
        ka = self.divisions[i].ka
        if fold_word(facility) == fold_word(ka):
            return messages.REASON_NAMED.format(ka=ka)
        return messages.REASON_FACILITY.format(ka=ka, facility=facility)

    def _someone_else_leads(self, direct: dict[int, float], fn: int, main: int) -> bool:
        """True when the words of the text point clearly to another division serving field fn than
        its main division: the main division's bonus is for when only the field is known."""
        if not direct:
            return False
        bar = direct.get(main, 0.0) + CLEAR_LEAD
        get = direct.get
        # (main itself can never reach its own bar)
        return any(get(i, 0.0) >= bar for i in self._field_servers[fn])

    def _explain(
        self,
        i: int,
        raw: float,
        found: list[_Key] | tuple[()],
        field_numbers: list[int],
        text_fields: dict[int, _Key],
        notes: list[str] | tuple[()] = (),
    ) -> DivisionMatch:
        d = self.divisions[i]
        served = d.fields
        shared = [fn for fn in field_numbers if fn in served]
        reasons = [self._field_reason[fn] for fn in shared]
        reasons.extend(notes)
        if len(found) == 1:
            reasons.append(found[0].reasons.get(i) or self._reason(i, None, [found[0].display]))
        elif found:
            # Words found in the text, grouped by the division's project they belong to.
            by_project: dict[str | None, list[_Key]] = {}
            for info in found:
                by_project.setdefault(info.projects.get(i), []).append(info)
            for project, infos in by_project.items():
                if len(infos) == 1:
                    reasons.append(infos[0].reasons.get(i) or self._reason(i, None, [infos[0].display]))
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
