"""Language detection (knowledge.language): Japanese stays Japanese, English and romaji are
English, other languages are "other"."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.language import (
    CHINESE_ONLY,
    EN,
    ENGLISH_WORDS,
    JA,
    JAPANESE_LATIN,
    LANGUAGES,
    OTHER,
    courtesy,
    detect_language,
)
from knowledge.normalize import normalize

ROOT = Path(__file__).resolve().parents[2]


def lang(text: str) -> str:
    return detect_language(normalize(text))


@pytest.mark.parametrize(
    "text",
    [
        "What is kyodo?",
        "kyoudou towa",
        "kouen meigi",
        "kōen",
        "協働 what is it?",
        "What is 協働のまちづくり?",
        "NPO法人 meaning",
        "How can my NPO work with the city?",
        "Can a religious group collaborate with the city?",
        "hello",
        "ｗｈａｔ ｉｓ ｋｙｏｄｏ",  # full-width letters (NFKC)
        "协働 what is it",  # a simplified character, but English around it
    ],
)
def test_english_and_romaji(text: str) -> None:
    assert lang(text) == EN


@pytest.mark.parametrize(
    "text",
    [
        "协働是什么？",
        "我们想和市政府合作",
        "什麼是協働？",
        "안녕하세요 협동이 뭐예요",
        "Xin chào, kyodo là gì?",
        "¿Qué es kyodo?",
        "O que é kyodo? Obrigado",
        "Bonjour, comment collaborer avec la ville?",
        "apa itu kyodo",
        "ano ang kyodo po",
        "Что такое сотрудничество",
        "การทำงานร่วมกันคืออะไร",
    ],
)
def test_other_languages(text: str) -> None:
    assert lang(text) == OTHER


@pytest.mark.parametrize(
    "text",
    ["協働とは", "NPO", "npo", "NPO法人でないとだめ？", "PTAでも協働できる？", "補助金", "協働 定義", "ｷｮｳﾄﾞｳ ｯﾃ ﾅﾆ", "", "！？"],
)
def test_japanese(text: str) -> None:
    assert lang(text) == JA


def _japanese_texts() -> list[str]:
    """Every Japanese question the bot knows (FAQ) or is evaluated on (dev sets only)."""
    texts: list[str] = []
    for e in yaml.safe_load((ROOT / "knowledge/data/faq.yaml").read_text(encoding="utf-8")):
        texts += [e["question"], *e["phrasings"]]
    dev = yaml.safe_load((ROOT / "evaluation/knowledge_dev.yaml").read_text(encoding="utf-8"))
    texts += [i["q"] for key in ("in_scope", "out_of_scope") for i in dev[key]]
    for name in ("real_faq_dev.yaml", "real_phone_dev.yaml"):
        data = yaml.safe_load((ROOT / "evaluation" / name).read_text(encoding="utf-8"))
        texts += [i["q"] for i in data["questions"]]
    return texts


def test_every_japanese_question_stays_japanese() -> None:
    texts = _japanese_texts()
    assert len(texts) > 1000
    # (the out-of-scope sets also hold Latin-only noise such as 'asdfgh' or SQL: that may be read
    # as English; it is declined in either language)
    japanese = [t for t in texts if any(not c.isascii() and c.isalpha() for c in normalize(t))]
    assert len(japanese) > 1000
    assert [t for t in japanese if lang(t) != JA] == []


def test_chinese_marks_never_occur_in_japanese_data() -> None:
    corpus = "".join(_japanese_texts())
    corpus += (ROOT / "knowledge/data/guideline.yaml").read_text(encoding="utf-8")
    assert {c for c in corpus if c in CHINESE_ONLY} == set()


def test_every_english_dev_question_is_english() -> None:
    data = yaml.safe_load((ROOT / "evaluation/english_dev.yaml").read_text(encoding="utf-8"))
    assert [i["q"] for i in data["questions"] if lang(i["q"]) != EN] == []


# -- properties ------------------------------------------------------------------------------------

_HIRAGANA = st.characters(min_codepoint=0x3041, max_codepoint=0x3093)
_JOYO_KANJI = st.sampled_from("協働市民活動団体補助後援共催委託事業提案制度相談窓口電話番号対象企業大学自治会")
_ENGLISH = st.sampled_from(sorted(ENGLISH_WORDS - JAPANESE_LATIN))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_gets_one_of_the_languages(text: str) -> None:
    assert detect_language(normalize(text)) in LANGUAGES


@settings(max_examples=200, deadline=None)
@given(st.text(st.one_of(_HIRAGANA, _JOYO_KANJI, st.sampled_from("、。？！ ")), min_size=1, max_size=40))
def test_kana_and_kanji_without_latin_is_japanese(text: str) -> None:
    assert lang(text) == JA


@settings(max_examples=200, deadline=None)
@given(st.lists(_ENGLISH, min_size=2, max_size=12), st.sampled_from(["", "協働", "後援", "NPO法人", "市民活動"]))
def test_english_sentence_around_a_japanese_term_is_english(words: list[str], term: str) -> None:
    text = " ".join(words[:1] + ([term] if term else []) + words[1:]) + "?"
    assert lang(text) == EN


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), min_size=1, max_size=30))
def test_hangul_is_other(text: str) -> None:
    assert lang(text) == OTHER


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz ?'"), max_size=60))
def test_latin_case_and_padding_do_not_matter(text: str) -> None:
    base = lang(text)
    assert lang(text.upper()) == base
    assert lang(f"  {text} !? ") == base
    assert base in (EN, JA, OTHER)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalize(text)
    assert detect_language(normalize(once)) == detect_language(once)


# -- short courtesies, also mixed (ありがとう bye) ----------------------------------------------------


@pytest.mark.parametrize(
    "text,kind",
    [
        ("ありがとう bye", "thanks"),
        ("ありがとうございます bye bye", "thanks"),
        ("こんにちは hello", "greeting"),
        ("hello こんにちは", "greeting"),
        ("arigato bye", "thanks"),
        ("thank you, see you!", "thanks"),
        ("bye", "farewell"),
        ("See you later", "farewell"),
        ("さようなら", "farewell"),
        ("ok ありがとう", "thanks"),
        ("ok", None),
        ("よろしく please", None),  # fillers only
        ("すみません help", None),
        ("ありがとう 協働とは", None),
        ("thanks for the answer", None),  # (the English answerer reads that one itself)
    ],
)
def test_courtesy(text: str, kind: str | None) -> None:
    assert courtesy(normalize(text)) == kind


def test_a_mixed_courtesy_is_english_unless_the_user_is_japanese() -> None:
    for text in ("ありがとう bye", "こんにちは hello", "ありがとうございます bye bye", "ありがとう!! bye 👋"):
        assert lang(text) == EN
        assert detect_language(normalize(text), JA) == JA  # the user's language decides the even case
        assert detect_language(normalize(text), EN) == EN
    # Japanese with the acronyms Japanese uses, or a single word that is not a courtesy, stays Japanese.
    for text in ("ok ありがとう", "OKです", "すみません help", "NPOとは"):
        assert lang(text) == JA


def test_mixed_courtesies_get_a_friendly_reply_not_a_refusal() -> None:
    from knowledge import Answerer
    from knowledge import messages as ja_msg
    from knowledge import messages_en as en_msg

    answerer = Answerer.load()
    for text, reply, reason in [
        ("ありがとう bye", en_msg.THANKS, "thanks"),
        ("arigato bye", en_msg.THANKS, "thanks"),
        ("bye", en_msg.FAREWELL, "farewell"),
        ("goodbye!", en_msg.FAREWELL, "farewell"),
        ("ありがとう またね", ja_msg.THANKS, "thanks"),
        ("さようなら", ja_msg.FAREWELL, "farewell"),
    ]:
        a = answerer.answer(text)
        assert (a.answered, a.text, a.reason) == (False, reply, reason), text
    a = answerer.answer("ありがとう bye", "ja")  # a Japanese user: in Japanese
    assert (a.text, a.reason) == (ja_msg.THANKS, "thanks")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("kouen meigi no shinsei houhou wa どうすればいい?", "en"),  # romaji around a kana ending
        ("kyodo って何", "ja"),  # one romaji word in a Japanese sentence stays Japanese
        ("NPOでもkyodoできる？", "ja"),
    ],
)
def test_romaji_around_kana_counts_as_english(text: str, language: str) -> None:
    assert detect_language(normalize(text)) == language
