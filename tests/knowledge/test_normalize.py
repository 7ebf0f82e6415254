import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.normalize import (
    _FOLD_DROP_RE,
    _SMALL_KANA,
    fold,
    normalize,
    to_hiragana,
    to_katakana,
    unify_variants,
)


def test_width_and_kana():
    assert normalize("ＮＰＯ法人　こがねい") == "NPO法人 こがねい"
    assert normalize("ｺｳｴﾝ") == "コウエン"
    assert fold("コウエン") == fold("こうえん")
    assert fold("ボランテイア") == fold("ボランティア")
    assert fold("行なう") == fold("行う")
    assert normalize("協働\u200bとは") == "協働とは"


@given(st.text())
def test_normalize_is_idempotent(s):
    assert normalize(normalize(s)) == normalize(s)


@given(st.text())
def test_fold_is_idempotent_and_total(s):
    assert fold(fold(s)) == fold(s)


@given(st.text(alphabet=st.characters(min_codepoint=0x3041, max_codepoint=0x3096)))
def test_kana_round_trip(s):
    assert to_hiragana(to_katakana(s)) == s


def _fold_reference(text: str) -> str:
    """fold() spelt out step by step: the definition the fast implementation must equal."""
    text = unify_variants(normalize(text)).lower()
    text = to_hiragana(text).translate(_SMALL_KANA)
    return unicodedata.normalize("NFKC", _FOLD_DROP_RE.sub("", text))


@given(st.text())
def test_fold_equals_its_reference_definition(s):
    assert fold(s) == _fold_reference(s)


@settings(max_examples=500, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.characters(min_codepoint=0x3000, max_codepoint=0x30FF),
            st.characters(min_codepoint=0xFF00, max_codepoint=0xFFEF),
            st.sampled_from(
                "行なう申し込みボランテイア ーｰ-‐—〜・、。!？AbcＺ１か\u3099は\u309a漢字\u200b\n\t"
            ),
            st.characters(),
        ),
        max_size=60,
    )
)
def test_fold_equals_reference_on_kana_and_dashes(s):
    assert fold(s) == _fold_reference(s)
