"""Match citizen groups to Koganei's divisions (課), with reasons.

A pure library: it ships its data (``matching/data/*.yaml``), touches no database or network and
imports only ``knowledge.normalize`` from the rest of the project. Public API::

    from matching import Matcher, GroupProfile, MatchResult, DivisionMatch
    m = Matcher.load()                       # cached; the shipped data unless use_data_dir(...)
    m.match(GroupProfile(description="公園の清掃"), top=5).matches[0].department
    m.match_many(profiles, top=3)            # batch path for `kyodo match --all`
    m.divisions, m.division("kankyo-seisaku"), m.fields
    m.fingerprint                            # changes with any data edit or scoring version
    matching.resolve_fields("将棋、まちずくり")  # -> FieldsResolution: per word, status + candidates
    matching.resolve_field("まちずくり")       # -> Field(number=3, ...) or None (exact or one guess)
"""

from __future__ import annotations

from matching.fields import FieldCandidate, FieldResolution, FieldsResolution
from matching.loader import DataError, data_dir, use_data_dir
from matching.matcher import RECOMMENDED_MIN_SHARE, SCORING_VERSION, Matcher
from matching.model import Division, DivisionMatch, Field, GroupProfile, MatchResult

# The scoring version (matching/matcher.py) is the package version: bump it there.
__version__ = SCORING_VERSION

__all__ = [
    "DataError",
    "Division",
    "DivisionMatch",
    "Field",
    "FieldCandidate",
    "FieldResolution",
    "FieldsResolution",
    "GroupProfile",
    "MatchResult",
    "Matcher",
    "RECOMMENDED_MIN_SHARE",
    "resolve_field",
    "resolve_fields",
    "suggest_fields",
    "data_dir",
    "use_data_dir",
]


def resolve_field(word: str | int) -> Field | None:
    """The NPO-law field meant by one word: exact (name, label, number, everyday word) or a single
    guess (将棋 -> 学術・文化・芸術・スポーツ, まちずくり -> まちづくり); None when several fields fit
    or none does. Use resolve_fields() to know which, and to confirm a guess with the citizen."""
    return Matcher.load().resolve_field(word)


def resolve_fields(text: str | int) -> FieldsResolution:
    """The fields a text names (「食育、貧困」), word by word: exact, guess, ambiguous or none, with
    the candidates and the data word each was found by (see matching/fields.py)."""
    return Matcher.load().resolve_fields(text)


def suggest_fields(word: str, limit: int = 3) -> list[Field]:
    """The fields closest to a word that resolved to nothing."""
    return Matcher.load().suggest_fields(word, limit)
