"""English descriptions: the Japanese words they name, so that the matcher, which reads Japanese,
can suggest divisions for a group that describes itself in English.

Foreign residents' groups register in English ("We run a free cafeteria for children"). Without
this, their suggestions rest on the fields they chose alone, and every division of the field ties
with the same reason. ``data/english.yaml`` (staff-editable) pairs English words with words the
matcher already knows; the matcher adds the Japanese words an English description names to that
description. Only a description written mostly in Latin letters is read this way, so a Japanese
description with a name such as "Code for Koganei" in it is left as it is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from matching.loader import DataError, _read_yaml

ENGLISH_FILE = "english.yaml"
_ENGLISH_KEY_RE = re.compile(r"^[a-z][a-z0-9' .&-]*[a-z0-9]$")
_LATIN_RE = re.compile(r"[A-Za-z]")
_LETTER_RE = re.compile(r"[^\W\d_]")


def load_english(path: Path) -> tuple[tuple[str, str], ...]:
    """The (English, Japanese) pairs of ``path``, checked; a missing file means none."""
    if not path.exists():
        return ()
    data = _read_yaml(path, "words")
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["words"], start=1):
        entry = f"{index}番目の組"
        if not (isinstance(raw, list) and len(raw) == 2 and all(isinstance(x, str) and x.strip() for x in raw)):
            raise DataError(path, entry, "「- [英語, 日本語]」の形で書いてください")
        english, japanese = raw[0].strip(), raw[1].strip()
        if not _ENGLISH_KEY_RE.match(english):
            raise DataError(path, entry, f"英語「{english}」は小文字の英語で書いてください")
        if english in seen:
            raise DataError(path, entry, f"英語「{english}」が重複しています")
        seen.add(english)
        pairs.append((english, japanese))
    return tuple(pairs)


def mostly_latin(text: str) -> bool:
    """Whether at least half of a text's letters are Latin (an English or romaji description)."""
    text = unicodedata.normalize("NFKC", text)
    letters = _LETTER_RE.findall(text)
    return bool(letters) and 2 * len(_LATIN_RE.findall(text)) >= len(letters)


class EnglishWords:
    """Finds the English words of the table in a text, longest first, whole words only."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._japanese = {e: j for e, j in pairs}
        ordered = sorted(self._japanese, key=len, reverse=True)
        alternation = "|".join(re.escape(e).replace(r"\ ", r"[\s-]+") for e in ordered)
        # a plural (-s, -es) is the same word; "park" is not "parking"
        self._re = re.compile(rf"\b({alternation})(?:s|es)?\b") if ordered else None

    def __bool__(self) -> bool:
        return self._re is not None

    def japanese(self, text: str) -> list[str]:
        """The Japanese words the English words of ``text`` name, in order, each once."""
        if self._re is None:
            return []
        low = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
        out: list[str] = []
        for m in self._re.finditer(low):
            word = self._japanese[" ".join(re.split(r"[\s-]+", m.group(1)))]
            if word not in out:
                out.append(word)
        return out
