"""Match citizen groups to Koganei's divisions (課), with reasons.

A pure library: it ships its data (``matching/data/*.yaml``), touches no database or network and
imports only ``knowledge.normalize`` from the rest of the project. Public API::

    from matching import Matcher, GroupProfile, MatchResult, DivisionMatch
    m = Matcher.load()                       # cached, shipped data
    m.match(GroupProfile(description="公園の清掃"), top=5).matches[0].department
    m.match_many(profiles, top=3)            # batch path for `kyodo match --all`
    m.divisions, m.division("kankyo-seisaku"), m.fields
    m.fingerprint                            # changes with any data edit or scoring version
    matching.resolve_field("まちずくり")       # -> Field(number=3, ...) or None
"""

from __future__ import annotations

from matching.loader import DataError
from matching.matcher import Matcher
from matching.model import Division, DivisionMatch, Field, GroupProfile, MatchResult

# Bump when the scoring changes (weights, rules), so stored suggestions are recomputed. Edits to the
# data files are covered by Division.fingerprint and Matcher.fingerprint.
__version__ = "1.1.0"

__all__ = [
    "DataError",
    "Division",
    "DivisionMatch",
    "Field",
    "GroupProfile",
    "MatchResult",
    "Matcher",
    "resolve_field",
    "suggest_fields",
]


def resolve_field(word: str | int) -> Field | None:
    """The NPO-law field meant by a name, short label, number or everyday word (typo-tolerant)."""
    return Matcher.load().resolve_field(word)


def suggest_fields(word: str, limit: int = 3) -> list[Field]:
    """The fields closest to a word that resolved to nothing."""
    return Matcher.load().suggest_fields(word, limit)
