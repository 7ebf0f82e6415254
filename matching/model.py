"""Plain data types of the matcher: what goes in, what comes out, and the shipped directory."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Field:
    """One of the 20 activity fields of the NPO law (特定非営利活動促進法 別表)."""

    number: int
    name: str  # official wording, e.g. 環境の保全を図る活動
    label: str  # short label for screens, e.g. 環境保全
    main_division: str | None  # division to suggest first when only this field is known
    words: tuple[str, ...] = field(repr=False)  # everyday words that signal this field


@dataclass(frozen=True, slots=True)
class Division:
    """One division (課) of Koganei city hall, as written in matching/data/divisions.yaml."""

    id: str
    bu: str
    ka: str
    name: str  # display name, "部 課"
    bu_status: str  # "confirmed" | "inferred"
    bu_note: str
    summary: str
    fields: tuple[int, ...]
    projects: tuple[tuple[str, tuple[str, ...]], ...] = field(repr=False)  # (budget project, words)
    keywords: tuple[str, ...] = field(repr=False)
    slack_channel: str | None
    # sha256 of the entry's data: changes exactly when the division's entry changes, so stored
    # suggestions can be refreshed for it (and only for it).
    fingerprint: str
    # The division's own facilities and names (図書館, 児童館, 保健センター): naming one as the subject
    # of the activity (「公民館の講座」) is strong evidence for the division; see matcher.py.
    facilities: tuple[str, ...] = field(default=(), repr=False)
    # Words naming the people the division serves (高齢者, 障害のある人, 妊婦): who is served decides
    # between divisions offering the same kind of help (配食, 見守り, 居場所); see matcher.py.
    people: tuple[str, ...] = field(default=(), repr=False)
    # The division's name in English for English-speaking residents (optional; our translation, not
    # an official one), shown as "Children and Youth Division (児童青少年課)".
    ka_en: str = ""


@dataclass(slots=True)
class GroupProfile:
    """What a group tells us about itself. Every part may be empty."""

    name: str = ""
    description: str = ""
    # Official field names, short labels, numbers or free words; resolved fuzzily.
    fields: list[str] = field(default_factory=list)


@dataclass(slots=True)
class DivisionMatch:
    division_id: str
    department: str  # "部 課"
    score: float  # 0..1, higher is better
    fields: list[str]  # official names of the fields shared with the group
    reasons: list[str]  # Japanese, checkable against the data files

    def to_dict(self) -> dict:
        return {
            "department": self.department,
            "division_id": self.division_id,
            "score": self.score,
            "fields": list(self.fields),
            "reasons": list(self.reasons),
        }


@dataclass(slots=True)
class MatchResult:
    name: str
    matches: list[DivisionMatch]  # best first
    # A polite message when there is nothing to match on (empty input) or nothing matched.
    message: str | None = None
    # Field words that resolved to no field -> official names of the closest fields.
    unknown_fields: dict[str, list[str]] = field(default_factory=dict)
    # Fields resolved from the profile's explicit field words (numbers and official names).
    field_numbers: list[int] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The stable JSON shape of `kyodo match --json` (one object per group)."""
        return {"name": self.name, "matches": [m.to_dict() for m in self.matches]}
