"""Find known words in folded text: leftmost-longest matching in one pass.

All words (field words, division project words and keywords) are folded with
``knowledge.normalize.fold``; so is the text. At each position the longest word starting there is
taken and the scan jumps past it (leftmost-longest, non-overlapping). That gives the right reading of
compounds: 「子ども食堂」 is one word, not 「子ども」 + 「食堂」; 「緑町」 (a place, listed as an
ignore word) hides 「緑」.

When pyahocorasick is installed (a project dependency) the same leftmost-longest result is computed
from its C Aho-Corasick automaton: measured on this machine for a 66-character description,
~8 µs, against ~44 µs for the pure-Python walk (kept as the fallback and tested to agree) and ~70 µs
for all words compiled into one trie-shaped regular expression (Python's engine tries alternatives
linearly).

Words made of ASCII letters/digits (DV, IT, NPO) only count at ASCII word boundaries, so 「it」 does
not fire inside an English word.
"""

from __future__ import annotations

from collections.abc import Iterable

try:  # C Aho-Corasick; optional so the library still works (slower) without it
    import ahocorasick
except ImportError:  # pragma: no cover - exercised by forcing the fallback in tests
    ahocorasick = None


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class Scanner:
    """Finds known keys in a folded text: ``spans()`` gives (key, end offset) for every occurrence,
    ``scan()`` the distinct keys in order of first appearance."""

    def __init__(self, keys: Iterable[str], *, use_c: bool = True) -> None:
        keys = sorted({k for k in keys if k})
        if not keys:
            raise ValueError("no keys to scan for")
        self._ascii_edge = frozenset(k for k in keys if _is_ascii_alnum(k[0]) or _is_ascii_alnum(k[-1]))
        if use_c and ahocorasick is not None:
            automaton = ahocorasick.Automaton()
            for k in keys:
                automaton.add_word(k, (len(k), k))
            automaton.make_automaton()
            self._automaton = automaton
            self._spans = self._spans_c
        else:  # walk the text, trying the words that start with the character at hand
            by_prefix: dict[str, list[str]] = {}
            for k in keys:
                by_prefix.setdefault(k[0], []).append(k)
            # Longest first, so the first word that fits is the longest one.
            self._by_first = {c: tuple(sorted(ks, key=len, reverse=True)) for c, ks in by_prefix.items()}
            self._spans = self._spans_py

    def _fits(self, folded: str, key: str, start: int) -> bool:
        """False for an ASCII key glued to more ASCII letters/digits (「it」 in 「with」)."""
        if key not in self._ascii_edge:
            return True
        end = start + len(key)
        if _is_ascii_alnum(key[0]) and start > 0 and _is_ascii_alnum(folded[start - 1]):
            return False
        return not (_is_ascii_alnum(key[-1]) and end < len(folded) and _is_ascii_alnum(folded[end]))

    def spans(self, folded: str) -> list[tuple[str, int]]:
        """Every (key, end offset) found, left to right."""
        return self._spans(folded)

    def scan(self, folded: str) -> list[str]:
        """Distinct keys found, in order of first appearance."""
        return list(dict.fromkeys(k for k, _ in self._spans(folded)))

    def _spans_c(self, folded: str) -> list[tuple[str, int]]:
        # All (overlapping) occurrences, then leftmost-longest, non-overlapping: the same choice as
        # the pure-Python walk below.
        spans = sorted((end - n + 1, -n, key) for end, (n, key) in self._automaton.iter(folded))
        found: list[tuple[str, int]] = []
        pos = 0
        for start, neg_n, key in spans:
            if start < pos or not self._fits(folded, key, start):
                continue
            pos = start - neg_n
            found.append((key, pos))
        return found

    def _spans_py(self, folded: str) -> list[tuple[str, int]]:
        found: list[tuple[str, int]] = []
        by_first = self._by_first
        n = len(folded)
        i = 0
        while i < n:
            step = 1
            for k in by_first.get(folded[i], ()):
                if folded.startswith(k, i) and self._fits(folded, k, i):
                    found.append((k, i + len(k)))
                    step = len(k)
                    break
            i += step
        return found
