"""The shipped data files: complete, consistent, and carrying the facts that are easy to get wrong."""

from __future__ import annotations

import re

from knowledge.normalize import fold
from matching import Matcher
from matching.loader import DIVISIONS_PATH, FIELDS_PATH, load_divisions, load_fields


def test_twenty_fields_with_official_wording():
    fields, _ = load_fields()
    assert [f.number for f in fields] == list(range(1, 21))
    assert fields[6].name == "環境の保全を図る活動"
    assert fields[0].name == "保健、医療又は福祉の増進を図る活動"
    assert fields[12].name == "子どもの健全育成を図る活動"
    assert all(f.label and f.words for f in fields)


def test_all_42_divisions_with_ids_names_and_status():
    m = Matcher.load()
    assert len(m.divisions) == 42
    assert len({d.id for d in m.divisions}) == 42
    for d in m.divisions:
        assert re.fullmatch(r"[a-z][a-z0-9-]*", d.id)
        assert d.bu_status in ("confirmed", "inferred")
        assert d.bu_note and d.summary
        assert d.slack_channel is None
        assert re.fullmatch(r"[0-9a-f]{64}", d.fingerprint)
    assert m.division("kankyo-seisaku").name == "環境部 環境政策課"
    assert m.division("community-bunka").name == "市民部 コミュニティ文化課"


def test_non_obvious_facts_are_in_the_data():
    m = Matcher.load()
    kankyo = dict(m.division("kankyo-seisaku").projects)
    assert "児童遊園・子供広場維持管理" in kankyo
    assert any("公園" in p for p in kankyo)
    assert "冒険遊び場事業" in dict(m.division("jido-seishonen").projects)
    assert "民間非営利団体" in dict(m.division("community-bunka").projects)
    assert m.division("community-bunka").bu_status == "confirmed"


def test_every_field_main_division_serves_that_field():
    m = Matcher.load()
    for f in m.fields:
        if f.main_division:
            assert f.number in m.division(f.main_division).fields


def test_fingerprint_is_stable_and_changes_with_the_entry(tmp_path):
    fields, _ = load_fields()
    first = {d.id: d.fingerprint for d in load_divisions(DIVISIONS_PATH, fields)}
    assert first == {d.id: d.fingerprint for d in load_divisions(DIVISIONS_PATH, fields)}
    text = DIVISIONS_PATH.read_text(encoding="utf-8").replace(
        "keywords: [野川クリーン, 川の清掃, 川のごみ]", "keywords: [野川クリーン, 川の清掃, 川のごみ, 湧き水]"
    )
    changed = tmp_path / "divisions.yaml"
    changed.write_text(text, encoding="utf-8")
    second = {d.id: d.fingerprint for d in load_divisions(changed, fields, FIELDS_PATH)}
    assert second["kankyo-seisaku"] != first["kankyo-seisaku"]
    assert {k: v for k, v in second.items() if k != "kankyo-seisaku"} == {
        k: v for k, v in first.items() if k != "kankyo-seisaku"
    }


def test_no_field_word_is_a_single_kana():
    fields, _ = load_fields()
    for f in fields:
        for w in f.words:
            assert len(fold(w)) >= 2 or "\u4e00" <= fold(w) <= "\u9fff", w


def test_matcher_fingerprint_covers_field_words(tmp_path):
    base = Matcher.from_files()
    assert base.fingerprint == Matcher.from_files().fingerprint
    text = FIELDS_PATH.read_text(encoding="utf-8").replace(
        "words: [観光, かんこう,", "words: [観光, かんこう, 名産品,"
    )
    edited = tmp_path / "fields.yaml"
    edited.write_text(text, encoding="utf-8")
    other = Matcher.from_files(edited, DIVISIONS_PATH)
    assert other.fingerprint != base.fingerprint
    assert [d.fingerprint for d in other.divisions] == [d.fingerprint for d in base.divisions]
