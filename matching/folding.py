"""Memoised folding of data words for the matcher.

The loader and the matcher fold the same few thousand data words over and over; this caches
``knowledge.normalize.fold`` (the project's one normaliser) for them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge.normalize import fold

# fold() drops spaces; between two ASCII words the matcher's texts keep a mark (|) instead, so 'IT'
# stays a word (matcher.fold_text). A data word of several ASCII words (「Code for」) is folded the
# same way, or it could never be found.
ASCII_GAP_RE = re.compile(r"([A-Za-z0-9])\s+(?=[A-Za-z0-9])")


@lru_cache(maxsize=16384)
def fold_word(word: str) -> str:
    """fold() of a data word, memoised (ASCII words kept apart as in a folded text)."""
    return fold(ASCII_GAP_RE.sub(r"\1|", word))
