"""Kana readings of the matching words, so 「としょかん」 finds 図書館 and 「こうみんかん」 公民館.

Citizens write in hiragana what the data lists in kanji (children, older people, people who find
kanji hard, phone input left unconverted). fold() already makes katakana and hiragana equal, so only
words containing a kanji need a reading. Each such word's SudachiPy reading (folded) is scanned for
as an alias of the word: it scores exactly like the word and the reasons quote the word as listed.

Readings are computed once and kept in ``matching/data/readings.tsv`` (generated, not edited by
hand), so loading the matcher does not load the Sudachi dictionary (~0.1 s and tens of MB). A word
added to the data files since the cache was written is read with SudachiPy at load time (loaded only
then); ``python -m matching.readings`` rewrites the cache, and a test fails while it is stale.

Which readings are used (``alias_keys``): only all-hiragana readings of at least ``MIN_READING``
characters (4 for words of three characters or more). Short kana strings turn up inside ordinary
hiragana text by accident (かわ in かわいい, もり in もりあがる) and short readings of two-kanji words are
where the homophones are (こうこう is 口腔 and 高校); longer ones practically never. A reading that is
itself a listed word, or that two different words share, is left alone.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from knowledge.normalize import to_hiragana
from matching.folding import fold_word

READINGS_PATH = Path(__file__).parent / "data" / "readings.tsv"
MIN_READING = 5  # folded kana characters; see the module docstring
# ... or this many for words of at least 3 characters (草取り, 遊び場): readings of two-kanji words
# are where homophones are (口腔/高校 こうこう, 出納/水筒 すいとう, 公害/郊外 こうがい).
MIN_READING_LONG_WORD = 4

_HEADER = (
    "# 自動生成ファイル（編集しないでください）: matching/data の漢字を含むことばと、その読み（ひらがな）。\n"
    "# ことばを追加・変更したら `python -m matching.readings` で作り直します。\n"
    "# Generated: kanji words of matching/data and their folded SudachiPy readings.\n"
)


def has_kanji(word: str) -> bool:
    return any(unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH") for ch in word)


def _is_hiragana(text: str) -> bool:
    return bool(text) and all("\u3041" <= ch <= "\u3096" for ch in text)


def compute(words: Iterable[str]) -> dict[str, str]:
    """Folded readings of these words with SudachiPy ({} if SudachiPy is not installed)."""
    words = sorted({w for w in words if has_kanji(w)})
    if not words:
        return {}
    try:
        from matching.fields import _tokenizer

        tokenizer = _tokenizer()
    except ImportError:  # pragma: no cover - sudachipy is a project dependency
        return {}
    out = {}
    for w in words:
        out[w] = fold_word(to_hiragana("".join(t.reading_form() for t in tokenizer.tokenize(w))))
    return out


def load_cache(path: Path = READINGS_PATH) -> dict[str, str]:
    """word -> folded reading, as written by ``write_cache`` (missing file: empty)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            word, _, reading = line.partition("\t")
            out[word] = reading
    return out


def write_cache(words: Iterable[str], path: Path = READINGS_PATH) -> int:
    readings = compute(words)
    lines = [f"{w}\t{r}\n" for w, r in sorted(readings.items())]
    path.write_text(_HEADER + "".join(lines), encoding="utf-8")
    return len(lines)


def readings_for(words: Iterable[str], cache: dict[str, str] | None = None) -> dict[str, str]:
    """word -> folded reading for every word with a kanji: from the cache, else computed now."""
    cache = load_cache() if cache is None else cache
    wanted = {w for w in words if has_kanji(w)}
    out = {w: cache[w] for w in wanted if w in cache}
    missing = wanted - out.keys()
    if missing:
        out.update(compute(missing))
    return out


def alias_keys(
    words: dict[str, str], taken: Iterable[str], cache: dict[str, str] | None = None
) -> dict[str, str]:
    """Reading -> key for the words (listed word -> its folded key) whose reading is usable.

    ``taken``: keys already scanned for (listed words, ignore words): a reading equal to one of
    them is not an alias. A reading shared by words with different keys is ambiguous and dropped.
    """
    taken = set(taken)
    readings = readings_for(words, cache)
    found: dict[str, set[str]] = {}
    for word, reading in readings.items():
        key = words[word]
        shortest = MIN_READING if len(word) < 3 else MIN_READING_LONG_WORD
        if reading == key or reading in taken or len(reading) < shortest:
            continue
        if _is_hiragana(reading):
            found.setdefault(reading, set()).add(key)
    return {r: keys.pop() for r, keys in found.items() if len(keys) == 1}


def all_words() -> list[str]:
    """Every word of the shipped data files (fields, ignore words, divisions)."""
    from matching.loader import load_divisions, load_fields

    fields, ignore = load_fields()
    words = [w for f in fields for w in f.words]
    words += ignore
    for d in load_divisions(fields=fields):
        words += [*d.keywords, *d.facilities, *d.people, d.ka]
        for project, project_words in d.projects:
            words += [project, *project_words]
    return words


def main() -> int:
    n = write_cache(all_words())
    print(f"{READINGS_PATH}: {n} readings", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
