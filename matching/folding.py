"""Memoised folding of data words for the matcher.

The loader and the matcher fold the same few thousand data words over and over; this caches
``knowledge.normalize.fold`` (the project's one normaliser) for them.
"""

from __future__ import annotations

from functools import lru_cache

from knowledge.normalize import fold


@lru_cache(maxsize=16384)
def fold_word(word: str) -> str:
    """fold() of a data word, memoised."""
    return fold(word)
