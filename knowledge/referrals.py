"""Questions the guideline is silent about, and where to send them (knowledge/data/referrals.yaml).

Citizens also ask the 協働 account about things that belong to another window: the insurance for
volunteers (社会福祉協議会), joining or leaving a 自治会 (the 自治会 itself), an NPO法人's yearly
report to its 所轄庁 (東京都). The FAQ has no entry for them, and the nearest entry (the volunteer
centre, 自治会も協働できますか, how to found an NPO法人) answers another question. A referral is
not an answer: the reply says the guideline does not cover it and names the window, and the
question counts as unanswered (staff see it, the citizen can send it on).

A referral applies when every group of its ``when`` words has a word in the asking part of the
message (compared after :func:`knowledge.normalize.fold`, so ほけん and ホケン are one word). City
staff edit the file; every mistake is reported with the file and the entry's id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from knowledge.normalize import fold

REFERRALS_FILE = "referrals.yaml"
MAX_REPLY_CHARS = 300
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_KEYS = {"id", "about", "when", "unless", "reply"}


@dataclass(frozen=True, slots=True)
class Referral:
    id: str
    about: str  # for staff: what the referral covers
    when: tuple[tuple[str, ...], ...]  # folded words; every group must have a word in the question
    reply: str  # what the citizen reads (contacts filled in)
    unless: tuple[str, ...] = ()  # folded words that make it another question

    def matches(self, question: str) -> bool:
        """Whether the asking part ``question`` is about this referral's matter."""
        q = fold(question)
        if any(w in q for w in self.unless):
            return False
        return all(any(w in q for w in group) for group in self.when)


def _words(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(dict.fromkeys(fold(v.strip()) for v in value))
    return None


def parse_referrals(raw: Any, problems: list[str], fname: str = REFERRALS_FILE) -> list[Referral]:
    """The referrals of ``raw`` (the parsed YAML); each mistake appended to ``problems``."""
    items = raw.get("referrals") if isinstance(raw, Mapping) else None
    if not isinstance(items, list):
        problems.append(f"{fname}: expected a mapping with a list 'referrals'")
        return []
    out: list[Referral] = []
    seen: set[str] = set()
    for n, item in enumerate(items, 1):
        where = f"{fname}: referral #{n}"
        if not isinstance(item, Mapping):
            problems.append(f"{where}: expected a mapping with id, about, when and reply")
            continue
        rid = item.get("id")
        if isinstance(rid, str) and _ID_RE.match(rid.strip()):
            rid = rid.strip()
            where = f"{fname}: referral {rid!r}"
            if rid in seen:
                problems.append(f"{where}: the id is used twice")
            seen.add(rid)
        else:
            problems.append(f"{where}: id must be lower-case letters, digits and hyphens (got {rid!r})")
            rid = None
        unknown = sorted(set(item) - _KEYS)
        if unknown:
            problems.append(f"{where}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(_KEYS))})")
        about = item.get("about")
        if not (isinstance(about, str) and about.strip()):
            problems.append(f"{where}: 'about' must say, for staff, what the referral covers")
        when = item.get("when")
        groups = [_words(g) for g in when] if isinstance(when, list) and when else None
        if not groups or any(g is None for g in groups):
            problems.append(f"{where}: 'when' must be a list of word lists, e.g. [[保険, 補償], [ボランティア]]")
        unless = item.get("unless", [])
        unless_words = _words(unless) if unless else ()
        if unless_words is None:
            problems.append(f"{where}: 'unless' must be a list of words")
        reply = item.get("reply")
        if not (isinstance(reply, str) and reply.strip()):
            problems.append(f"{where}: 'reply' must be the text the citizen reads")
        elif len(reply.strip()) > MAX_REPLY_CHARS:
            problems.append(f"{where}: 'reply' is {len(reply.strip())} characters (at most {MAX_REPLY_CHARS})")
        if rid and groups and all(groups) and isinstance(reply, str) and reply.strip() and unless_words is not None:
            out.append(
                Referral(
                    rid,
                    str(about or "").strip(),
                    tuple(g for g in groups if g),
                    # (a folded YAML block joins its lines with a space: not between Japanese sentences)
                    re.sub(r"(?<=[。、！？」）])\s+", "", reply.strip()),
                    unless_words or (),
                )
            )
    return out


def find_referral(referrals: tuple[Referral, ...] | list[Referral], question: str) -> Referral | None:
    """The first referral whose words the asking part holds (the file's order decides)."""
    for r in referrals:
        if r.matches(question):
            return r
    return None
