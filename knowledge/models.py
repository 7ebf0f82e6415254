"""Plain data types of the knowledge base: what the loader produces and what the answerer returns.

Kept free of any heavy import so that channel code can type-check against them cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.city import City
    from knowledge.contacts import Contact
    from knowledge.referrals import Referral
    from knowledge.verifier import Verifier

FAQ_CATEGORIES = ("about", "bg", "target", "principle", "form", "env", "howto")


@dataclass(frozen=True, slots=True)
class Source:
    """A citable place an answer rests on: a guideline section or one of our notes."""

    id: str
    title: str


@dataclass(frozen=True, slots=True)
class Section:
    """One citable unit of guideline.yaml (``kind`` is "section" for the guideline's own text,
    "note" for facts we wrote ourselves)."""

    id: str
    title: str
    text: str
    kind: str = "section"
    # a note whose facts answers state (programmes, examples, budget items): named in the
    # citation line next to the guideline sections, so they are never taken for the guideline
    cite: bool = False


@dataclass(frozen=True, slots=True)
class FaqEntry:
    id: str
    category: str
    question: str
    phrasings: tuple[str, ...]
    answer: str
    sources: tuple[str, ...]
    related: tuple[str, ...] = ()
    # the contacts.yaml facts its answer gives ({{contact:<id>:<fact>}}: phone, address, hours …),
    # filled in when the placeholders are
    contact_facts: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SynonymGroup:
    """``variants`` are how people ask; ``term`` is the word the FAQ and the guideline use."""

    term: str
    variants: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class KnowledgeData:
    """Everything loaded from knowledge/data, validated and cross-checked."""

    title: str
    sections: tuple[Section, ...]
    faq: tuple[FaqEntry, ...]
    synonyms: tuple[SynonymGroup, ...]
    contacts: tuple[Contact, ...] = ()  # from contacts.yaml (optional file)
    city: City | None = None  # from city.yaml (optional file; None: the generic wording)
    referrals: tuple[Referral, ...] = ()  # from referrals.yaml (optional file)
    verifier: Verifier | None = None  # from verifier.json (optional file; see knowledge/verifier.py)


@dataclass(slots=True)
class Answer:
    """What the answerer returns for one question.

    ``reason`` says why: "answered", "unsure" (suggestions offered instead of a guess), "doubt"
    (an answer the rules gave that the verifier turned into suggestions), "referral" (a matter
    the guideline is silent about, with where to ask: referrals.yaml),
    "out_of_scope", "empty", "too_long", "no_text" (emoji or symbols only), "greeting", "thanks",
    "farewell" (courtesies, also mixed: ありがとう bye),
    "other_language" (neither Japanese nor English; see ``lang``).

    What the message was understood to ask (knowledge.understand), for the conversation engine:

    * ``kind``: what-is | can-we | how-do-we | difference | why | contact | status | other;
    * ``activity``: the group's self-description when the message opens with one
      (「私たちは地域の清掃活動をしている団体ですが、…」 -> 「私たちは地域の清掃活動をしている団体です」),
      else None — the engine can add what 第2章(2) says about such an activity, the matcher's
      divisions for it, and an offer to start 対象チェック or 相談・提案;
    * ``asked``: the asking part of the message (the whole message when there is nothing else);
    * ``yes_no``: the question can be answered with はい/いいえ. An entry whose answer opens with
      はい/いいえ is only chosen for a yes/no question about that entry's subject; for any other
      question the opener is left out.
    """

    answered: bool
    text: str
    reason: str
    sources: list[Source] = field(default_factory=list)
    score: float = 0.0
    suggestions: list[str] = field(default_factory=list)
    faq_id: str | None = None
    kind: str = "other"
    activity: str | None = None
    asked: str = ""
    yes_no: bool = False
    # a message that asks several things: each question and the entry that answered it (None: not answered)
    parts: list[tuple[str, str | None]] = field(default_factory=list)

    # the verifier's inputs for an answer the rules gave (for fitting it: scripts/train_verifier.py)
    features: list[float] | None = None

    @property
    def part_ids(self) -> list[str]:
        """The entries of every answered part (the evaluation counts each as an answer given)."""
        return [fid for _, fid in self.parts if fid]
    # the language of the reply: "ja", "en" (English, romaji, mixed) or "other" (a one-line note in
    # English and Japanese saying the bot answers in Japanese and English, and where to ask)
    lang: str = "ja"

    def to_dict(self) -> dict[str, object]:
        """The stable JSON shape of ``kyodo ask --json`` (without the question). The first five
        keys are the original contract; the others were added after it (never removed)."""
        return {
            "answered": self.answered,
            "text": self.text,
            "sources": [{"id": s.id, "title": s.title} for s in self.sources],
            "score": round(float(self.score), 4),
            "suggestions": list(self.suggestions),
            "faq_id": self.faq_id,
            "reason": self.reason,
            "kind": self.kind,
            "activity": self.activity,
            "lang": self.lang,
        }
