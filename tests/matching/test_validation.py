"""Data files edited by city staff fail loudly and precisely: file, entry, problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from matching import DataError, Matcher
from matching.loader import DIVISIONS_PATH, FIELDS_PATH, load_divisions, load_fields


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _fields_with(tmp_path: Path, old: str, new: str) -> Path:
    text = FIELDS_PATH.read_text(encoding="utf-8")
    assert old in text
    return _write(tmp_path, "fields.yaml", text.replace(old, new, 1))


def _divisions_with(tmp_path: Path, old: str, new: str) -> Path:
    text = DIVISIONS_PATH.read_text(encoding="utf-8")
    assert old in text
    return _write(tmp_path, "divisions.yaml", text.replace(old, new, 1))


def _load(fields_path: Path = FIELDS_PATH, divisions_path: Path = DIVISIONS_PATH) -> Matcher:
    return Matcher.from_files(fields_path, divisions_path)


def test_unknown_field_number_in_a_division(tmp_path):
    path = _divisions_with(
        tmp_path,
        "    fields: [7]\n    projects:\n      都市公園",
        "    fields: [7, 25]\n    projects:\n      都市公園",
    )
    with pytest.raises(DataError) as err:
        _load(divisions_path=path)
    assert err.value.file == str(path)
    assert err.value.entry == "課 kankyo-seisaku"
    assert "25" in err.value.problem
    assert str(path) in str(err.value)


def test_duplicate_division_id(tmp_path):
    path = _divisions_with(tmp_path, "  - id: gomi-taisaku", "  - id: kankyo-seisaku")
    with pytest.raises(DataError, match="課 kankyo-seisaku: id が重複"):
        _load(divisions_path=path)


def test_bad_id_and_bu_status(tmp_path):
    path = _divisions_with(tmp_path, "  - id: gomi-taisaku", "  - id: Gomi_Taisaku")
    with pytest.raises(DataError, match="Gomi_Taisaku"):
        _load(divisions_path=path)
    path = _divisions_with(
        tmp_path,
        "    bu_status: inferred\n    bu_note: 部は未確認（企画財政部と推定）。",
        "    bu_status: maybe\n    bu_note: x",
    )
    with pytest.raises(DataError, match="課 joho-system: bu_status"):
        _load(divisions_path=path)


def test_unknown_key_is_reported_not_ignored(tmp_path):
    path = _divisions_with(
        tmp_path, "    keywords: [野川クリーン", "    keyword: [x]\n    keywords: [野川クリーン"
    )
    with pytest.raises(DataError, match="課 kankyo-seisaku: 知らない項目があります: keyword"):
        _load(divisions_path=path)


def test_number_as_word_asks_for_quotes(tmp_path):
    path = _divisions_with(tmp_path, '"8050"', "8050")
    with pytest.raises(DataError, match="引用符"):
        _load(divisions_path=path)


def test_single_kana_word_rejected(tmp_path):
    path = _divisions_with(tmp_path, "keywords: [野川クリーン", "keywords: [の, 野川クリーン")
    with pytest.raises(DataError, match="短すぎます"):
        _load(divisions_path=path)


def test_word_in_two_fields(tmp_path):
    path = _fields_with(tmp_path, "words: [観光, かんこう,", "words: [観光, かんこう, 防災,")
    with pytest.raises(DataError, match="分野 8: ことば「防災」は分野 4 にも"):
        load_fields(path)


def test_missing_field(tmp_path):
    text = FIELDS_PATH.read_text(encoding="utf-8")
    start = text.index("  - number: 20")
    end = text.index("ignore_words:")
    path = _write(tmp_path, "fields.yaml", text[:start] + text[end:])
    with pytest.raises(DataError, match="分野 20 がありません"):
        load_fields(path)


def test_main_division_must_exist_and_serve_the_field(tmp_path):
    path = _fields_with(tmp_path, "main_division: keizai", "main_division: no-such-division")
    with pytest.raises(DataError, match="no-such-division"):
        _load(fields_path=path)
    path = _fields_with(tmp_path, "main_division: keizai", "main_division: kenko")
    with pytest.raises(DataError, match="分野 4: main_division「kenko」の fields に 4 が入っていません"):
        _load(fields_path=path)


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = _write(tmp_path, "divisions.yaml", "divisions:\n  - id: a\n    bu: [unclosed\n")
    with pytest.raises(DataError, match="行目") as err:
        load_divisions(path)
    assert "YAML" in err.value.problem


def test_missing_file_and_wrong_top_level(tmp_path):
    with pytest.raises(DataError, match="見つかりません"):
        load_fields(tmp_path / "nope.yaml")
    with pytest.raises(DataError, match="fields:"):
        load_fields(_write(tmp_path, "f.yaml", "- number: 1\n"))


def test_ignore_word_may_not_also_be_a_matching_word(tmp_path):
    path = _fields_with(tmp_path, "  経済的, 協議会,", "  経済的, 協議会, 公園,")
    with pytest.raises(DataError, match="ignore_words: 「公園」は課または分野のことばにも"):
        _load(fields_path=path)


@pytest.mark.parametrize(
    "bad", ["児童青少年課", "x" * 61, "Children\u3000Division"], ids=["japanese", "too-long", "wide-space"]
)
def test_english_division_name_is_checked(tmp_path, bad):
    path = _divisions_with(tmp_path, "    ka_en: Children and Youth Division", f"    ka_en: {bad}")
    with pytest.raises(DataError, match="課 jido-seishonen: ka_en"):
        _load(divisions_path=path)


def test_english_division_name_is_display_only(tmp_path):
    """Every shipped division has an English name; editing it does not change the fingerprint, so
    suggestions already made to the division are not recalculated for a translation."""
    shipped = {d.id: d for d in load_divisions(DIVISIONS_PATH)}
    assert all(d.ka_en for d in shipped.values())
    path = _divisions_with(tmp_path, "    ka_en: Children and Youth Division", "    ka_en: Youth Division")
    edited = {d.id: d for d in load_divisions(path)}
    assert edited["jido-seishonen"].ka_en == "Youth Division"
    assert edited["jido-seishonen"].fingerprint == shipped["jido-seishonen"].fingerprint
