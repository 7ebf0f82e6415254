"""The knowledge base: guideline sections, curated FAQ, Japanese text handling, answer-or-abstain.

A pure library (no database, no network). Typical use::

    from knowledge import Answerer
    answer = Answerer.load().answer("協働とは")
"""

from __future__ import annotations

from knowledge.answerer import Answerer
from knowledge.city import City
from knowledge.loader import DataError, data_dir, load_city, load_data, use_data_dir
from knowledge.models import Answer, FaqEntry, Section, Source, SynonymGroup

__all__ = [
    "Answer",
    "Answerer",
    "City",
    "DataError",
    "FaqEntry",
    "Section",
    "Source",
    "SynonymGroup",
    "data_dir",
    "load_city",
    "load_data",
    "use_data_dir",
]
