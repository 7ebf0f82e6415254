"""The one Japanese text normaliser of the project.

Everything that compares Japanese text (FAQ retrieval, field and division lookup, duplicate group
names) goes through here so that full-width letters, half-width kana, odd dashes, invisible
characters and hiragana/katakana spellings compare equal everywhere.

Two levels:

* :func:`normalize` is safe for display and storage: NFKC, unified dashes and long-vowel marks,
  control and zero-width characters removed, whitespace collapsed. Meaning is unchanged.
* :func:`fold` is a matching key, lossy on purpose: lower-case, katakana -> hiragana, small kana ->
  large, long-vowel marks, middle dots and spaces dropped, a few orthographic variants unified.
"""

from __future__ import annotations

import re
import unicodedata

# Dash-like characters that NFKC leaves alone. After a kana they are long-vowel marks,
# elsewhere plain hyphens.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2500\u2501\ufe58\ufe63\uff0d\uff70\u301c\uff5e"
_KANA_BEFORE_DASH_RE = re.compile(f"(?<=[\u3041-\u309f\u30a1-\u30fa])[{_DASHES}\\-\u30fc]")
_DASH_RE = re.compile(f"[{_DASHES}]")
# C0/C1 controls (except tab and newline), zero-width and bidi controls, BOM, variation selectors.
_INVISIBLE_RE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\ufeff\ufe00-\ufe0f\U000e0100-\U000e01ef]"
)
_SPACE_RE = re.compile(r"\s+")
_FOLD_DROP_RE = re.compile(r"[ー\-・･\s、。,.!?！？「」『』()（）\[\]【】\"'`]")

_SMALL_KANA = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ")
# Orthographic variants worth unifying before tokenisation (okurigana and common kanji/kana pairs).
_VARIANTS: tuple[tuple[str, str], ...] = (
    ("行なう", "行う"),
    ("行ない", "行い"),
    ("行なわ", "行わ"),
    ("申込み", "申込"),
    ("申し込み", "申込"),
    ("問合せ", "問い合わせ"),
    ("問合わせ", "問い合わせ"),
    ("取組み", "取組"),
    ("取り組み", "取組"),
    ("ボランテイア", "ボランティア"),
    ("ボランテア", "ボランティア"),
)


def normalize(text: str) -> str:
    """Clean text without changing its meaning: width, dashes, invisible characters, spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE_RE.sub("", text)
    text = _KANA_BEFORE_DASH_RE.sub("ー", text)
    text = _DASH_RE.sub("-", text)
    text = _SPACE_RE.sub(" ", text).strip()
    return text


def to_hiragana(text: str) -> str:
    """Katakana (U+30A1..U+30F6) to hiragana; everything else unchanged."""
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)


def to_katakana(text: str) -> str:
    """Hiragana (U+3041..U+3096) to katakana; everything else unchanged."""
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)


def unify_variants(text: str) -> str:
    for variant, canonical in _VARIANTS:
        if variant in text:
            text = text.replace(variant, canonical)
    return text


def fold(text: str) -> str:
    """A lossy matching key: equal for spellings a person would call the same word."""
    text = unify_variants(normalize(text)).lower()
    text = to_hiragana(text).translate(_SMALL_KANA)
    text = _FOLD_DROP_RE.sub("", text)
    # Dropping characters can bring combining marks next to their base: compose them again.
    return unicodedata.normalize("NFKC", text)


_KATAKANA_RE = re.compile(r"[\u30a1-\u30fa]")
_NON_KATAKANA_JA_RE = re.compile(r"[\u3041-\u3096\u3400-\u9fff々]")


def is_katakana_sentence(text: str) -> bool:
    """Japanese written in katakana only (half-width kana become full-width under NFKC):
    ｷｮｳﾄﾞｳ ｯﾃ ﾅﾆ? — no hiragana, no kanji, at least a few katakana."""
    return not _NON_KATAKANA_JA_RE.search(text) and len(_KATAKANA_RE.findall(text)) >= 3


_EMOTICON_RE = re.compile(
    r"[(（](笑|汗|泣|涙|焦|苦笑|爆笑|怒|謎)[)）]|(?<=[^\sa-zA-Z])[wWｗ]+(?=[\s!?！？。]*$)"
)


def drop_symbols(text: str) -> str:
    """Pictographs, symbols (emoji, ☆, ♪) and text emoticons ((笑), (汗), a trailing www)
    replaced by spaces: they decorate a message but carry nothing a word-based matcher can use,
    and they split words apart."""
    if text.isascii():
        return text
    out = _EMOTICON_RE.sub(" ", text)
    out = "".join(" " if unicodedata.category(c) in ("So", "Sk", "Co", "Cn") else c for c in out)
    return _SPACE_RE.sub(" ", out).strip()


# the vowel a long-vowel mark stands for after a hiragana, in casual writing: こーえん = こうえん
_LONG_VOWEL_OF = {}
for _row, _vowel in (
    ("あかさたなはまやらわがざだばぱぁゃゎ", "あ"),
    ("いきしちにひみりぎじぢびぴぃ", "い"),
    ("うくすつぬふむゆるぐずづぶぷぅゅっ", "う"),
    ("えけせてねへめれげぜでべぺぇ", "い"),
    ("おこそとのほもよろをごぞどぼぽぉょ", "う"),
):
    for _c in _row:
        _LONG_VOWEL_OF[_c] = _vowel
_HIRA_LONG_RE = re.compile("([\u3041-\u3096])ー")


def spell_out_long_vowels(text: str) -> str:
    """A long-vowel mark after a hiragana written as the kana it stands for (きょーどー ->
    きょうどう, こーえん -> こうえん), as a dictionary spells the word. Katakana is left alone:
    センター and ルール are spelt that way."""
    if "ー" not in text:
        return text
    return _HIRA_LONG_RE.sub(lambda m: m.group(1) + _LONG_VOWEL_OF.get(m.group(1), "ー"), text)
