"""The loader reports every data problem with file, entry and what is wrong."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from knowledge import DataError, load_data
from knowledge.loader import MAX_ANSWER_CHARS

FIXTURE = Path(__file__).parent / "fixtures" / "data"


def _copy(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(FIXTURE, d)
    return d


def _edit_faq(d: Path, edit) -> None:
    faq = yaml.safe_load((d / "faq.yaml").read_text(encoding="utf-8"))
    edit(faq)
    (d / "faq.yaml").write_text(yaml.safe_dump(faq, allow_unicode=True), encoding="utf-8")


def _problems(d: Path) -> list[str]:
    with pytest.raises(DataError) as exc:
        load_data(d)
    return exc.value.problems


def test_fixture_loads():
    data = load_data(FIXTURE)
    assert {e.id for e in data.faq} >= {"about-kyodo", "form-hojo"}
    assert data.synonyms and data.sections


def test_shipped_data_is_valid():
    data = load_data()
    assert len(data.faq) >= 60
    topics = Path(__file__).parents[2] / "docs" / "faq-topics.md"
    ids = {
        line.split(":")[0][2:]
        for line in topics.read_text(encoding="utf-8").splitlines()
        if line.startswith("- ")
    }
    assert ids <= {e.id for e in data.faq}, sorted(ids - {e.id for e in data.faq})


def test_duplicate_id(tmp_path):
    d = _copy(tmp_path)
    _edit_faq(d, lambda faq: faq.append(dict(faq[0])))
    assert "faq.yaml: entry 'about-kyodo': duplicate id" in _problems(d)


def test_missing_source_and_related(tmp_path):
    d = _copy(tmp_path)

    def edit(faq):
        faq[0]["sources"] = ["ch9-9"]
        faq[0]["related"] = ["no-such-entry"]

    _edit_faq(d, edit)
    problems = _problems(d)
    assert any("'about-kyodo'" in p and "source 'ch9-9'" in p for p in problems)
    assert any("'about-kyodo'" in p and "related 'no-such-entry'" in p for p in problems)


def test_lenient_mode_drops_dangling_related(tmp_path):
    d = _copy(tmp_path)
    _edit_faq(d, lambda faq: faq[0].update(related=["no-such-entry", "form-list"]))
    warnings: list[str] = []
    data = load_data(d, strict=False, warnings=warnings)
    assert data.faq[0].related == ("form-list",)
    assert warnings and "no-such-entry" in warnings[0]


def test_answer_too_long_and_missing_phrasings(tmp_path):
    d = _copy(tmp_path)

    def edit(faq):
        faq[1]["answer"] = "あ" * (MAX_ANSWER_CHARS + 1)
        faq[2]["phrasings"] = []
        faq[3]["category"] = "misc"
        faq[4]["phrasing"] = ["typo in the key"]

    _edit_faq(d, edit)
    problems = _problems(d)
    assert any("'target-activities'" in p and f"{MAX_ANSWER_CHARS + 1} characters" in p for p in problems)
    assert any("'target-religion'" in p and "'phrasings' is missing" in p for p in problems)
    assert any("'target-company'" in p and "category 'misc'" in p for p in problems)
    assert any("'form-list'" in p and "unknown field 'phrasing'" in p for p in problems)


def test_bad_yaml_and_missing_file(tmp_path):
    d = _copy(tmp_path)
    (d / "synonyms.yaml").write_text("- term: 補助\n  variants: [補助金\n", encoding="utf-8")
    assert any(p.startswith("synonyms.yaml: not valid YAML") for p in _problems(d))
    (d / "faq.yaml").unlink()
    assert any(p.startswith("faq.yaml: file not found") for p in _problems(d))


def test_bad_synonyms_and_guideline(tmp_path):
    d = _copy(tmp_path)
    (d / "synonyms.yaml").write_text("- term: 補助\n  variants: []\n- variants: [x]\n", encoding="utf-8")
    g = yaml.safe_load((d / "guideline.yaml").read_text(encoding="utf-8"))
    g["sections"].append({"id": "ch2-1", "title": "dup", "text": "x"})
    (d / "guideline.yaml").write_text(yaml.safe_dump(g, allow_unicode=True), encoding="utf-8")
    problems = _problems(d)
    assert "synonyms.yaml: term '補助': 'variants' must be a non-empty list" in problems
    assert "synonyms.yaml: entry #2: 'term' is missing or empty" in problems
    assert "guideline.yaml: section 'ch2-1': duplicate id" in problems


def test_extra_faq_entries(tmp_path):
    extra = {
        "id": "staff-1",
        "category": "howto",
        "question": "会議室の予約は？",
        "phrasings": ["会議室を借りたい"],
        "answer": "コミュニティ文化課へご相談ください。",
        "sources": ["note-contact"],
    }
    data = load_data(FIXTURE, [extra])
    assert data.faq[-1].id == "staff-1"


def test_no_long_phrasing_copies_a_real_question():
    """Phrasings are written in our own words: the real questions measure the bot, they do not feed
    its data. A short phrasing (後援 共催 違い) may coincide with what someone typed; a long one that
    nearly repeats a real question was pasted."""
    import glob

    from rapidfuzz import fuzz

    from knowledge.normalize import fold

    root = Path(__file__).resolve().parents[2]
    asked = [
        fold(str(q["q"]))
        for path in sorted(glob.glob(str(root / "evaluation" / "real_*.yaml")))
        for q in yaml.safe_load(Path(path).read_text(encoding="utf-8"))["questions"]
    ]
    entries = yaml.safe_load((root / "knowledge" / "data" / "faq.yaml").read_text(encoding="utf-8"))
    copies = [
        (e["id"], p)
        for e in entries
        for p in e["phrasings"]
        if len(fold(p)) >= 20 and any(fuzz.ratio(fold(p), q) >= 95 for q in asked)
    ]
    assert not copies, copies
