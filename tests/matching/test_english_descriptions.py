"""A group that describes itself in English gets suggestions from what it says (matching/english.py),
not only from the fields it chose; the staff-editable table fails loudly when it is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching import DataError, GroupProfile, Matcher
from matching.english import EnglishWords, load_english, mostly_latin
from matching.loader import DIVISIONS_PATH, FIELDS_PATH

ENGLISH_PATH = DIVISIONS_PATH.parent / "english.yaml"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.load()


@pytest.mark.parametrize(
    ("description", "first"),
    [
        ("We run a children's cafeteria twice a month for kids in our neighbourhood.", "kosodate-shien"),
        ("We plant flowers in the park and pick up litter every Sunday.", "kankyo-seisaku"),
        ("Volunteer interpreters helping foreign residents at the city's international exchange events.", "community-bunka"),
        ("Crime prevention patrols around the station at night.", "chiiki-anzen"),
        ("A salon where elderly people living alone can meet, and we watch over them.", "kaigo-fukushi"),
    ],
)
def test_an_english_description_is_read(matcher, description, first):
    result = matcher.match(GroupProfile(name="Koganei Friends", description=description), top=3)
    assert result.matches and result.matches[0].division_id == first, [m.division_id for m in result.matches]
    assert any("活動の「" in r or "対象とする" in r for r in result.matches[0].reasons)


def test_a_japanese_description_with_an_english_name_is_left_alone(matcher):
    """Only a description mostly in Latin letters is read as English."""
    text = "Code for Koganei のメンバーで、子どもの学習支援をしています。park でも活動します"
    assert not mostly_latin(text)
    with_word = matcher.match(GroupProfile(name="X", description=text), top=5)
    without = matcher.match(GroupProfile(name="X", description=text.replace("park", "")), top=5)
    assert [m.division_id for m in with_word.matches] == [m.division_id for m in without.matches]


def test_whole_words_longest_first_and_plurals():
    words = EnglishWords([("park", "公園"), ("children's cafeteria", "子ども食堂"), ("cafeteria", "食堂")])
    assert words.japanese("Parks and a Children’s Cafeteria") == ["公園", "子ども食堂"]
    assert words.japanese("parking lot") == []
    assert words.japanese("children's   cafeterias, cafeteria") == ["子ども食堂", "食堂"]


@given(st.text(max_size=200))
def test_any_text_is_read_without_error(text):
    words = EnglishWords(load_english(ENGLISH_PATH))
    assert all(isinstance(w, str) and w for w in words.japanese(text))
    assert isinstance(mostly_latin(text), bool)


def _copy_with(tmp_path: Path, old: str, new: str) -> Path:
    for src in (FIELDS_PATH, DIVISIONS_PATH):
        (tmp_path / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    text = ENGLISH_PATH.read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "english.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("  - [park, 公園]", "  - [park, 公園の遊具]", "公園の遊具"),  # a word the matcher does not know
        ("  - [park, 公園]", "  - [Park, 公園]", "小文字"),
        ("  - [park, 公園]", "  - [park]", "[英語, 日本語]"),
        ("  - [park, 公園]", "  - [garbage, 公園]", "重複"),
    ],
)
def test_a_broken_table_is_a_clear_error(tmp_path, old, new, problem):
    folder = _copy_with(tmp_path, old, new)
    with pytest.raises(DataError, match=problem) as err:
        Matcher.from_files(folder / "fields.yaml", folder / "divisions.yaml")
    assert err.value.file.endswith("english.yaml")


def test_without_the_table_english_is_not_read(tmp_path):
    for src in (FIELDS_PATH, DIVISIONS_PATH):
        (tmp_path / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    m = Matcher.from_files(tmp_path / "fields.yaml", tmp_path / "divisions.yaml")
    result = m.match(GroupProfile(name="X", description="We clean the park."), top=3)
    assert not result.matches or all("公園" not in " ".join(x.reasons) for x in result.matches)
    assert m.fingerprint != Matcher.load().fingerprint  # the table is part of what the matches rest on
