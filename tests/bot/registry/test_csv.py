"""CSV import (validation with line numbers, BOM, all-or-nothing) and export round-trip."""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.registry import groups as registry
from bot.storage.models import Group

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "groups.csv"
HEADER = "name,kind,fields,description,contact\n"


def _write(tmp_path: Path, text: str, bom: bool = False, name: str = "groups.csv") -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(Group))


def test_example_file_is_valid():
    report = registry.read_groups_csv(EXAMPLE)
    assert report.problems == []
    assert len(report.rows) >= 5


def test_bad_rows_are_reported_with_their_line_numbers(tmp_path):
    path = _write(
        tmp_path,
        HEADER
        + "湧水の会,任意団体,環境保全,湧水の調査,\n"  # line 2: fine
        + ',任意団体,環境保全,"二行に\nわたる説明",\n'  # lines 3-4: no name
        + "読み聞かせの会,宇宙船,社会教育,読み聞かせ,\n"  # line 5: unknown kind
        + "\n"  # line 6: blank, ignored
        + "防災の会,自治会,ぜんぜんちがうことば123,防災訓練,\n"  # line 7: unknown field
        + "子ども食堂,任意団体,,,\n"  # line 8: nothing to match on
        + "列が足りない会,任意団体\n",  # line 9: wrong number of cells
    )
    report = registry.read_groups_csv(path)
    lines = sorted({line for line, _ in report.problems})
    assert lines == [3, 5, 7, 8, 9]
    by_line = dict(report.problems)
    assert "団体名" in by_line[3]
    assert "宇宙船" in by_line[5]
    assert "ぜんぜんちがうことば123" in by_line[7]
    assert "列の数" in by_line[9]
    assert [r.line for r in report.rows] == [2]


def test_bom_and_fullwidth_header_are_accepted(tmp_path):
    path = _write(tmp_path, "ｎａｍｅ,Kind,fields\n湧水の会,NPO,環境保全\n", bom=True)
    report = registry.read_groups_csv(path)
    assert report.problems == []
    assert report.rows[0].data.name == "湧水の会"  # not "\ufeff湧水の会" or a broken header


def test_header_problems(tmp_path):
    missing = registry.read_groups_csv(_write(tmp_path, "name,fields\nx,7\n"))
    assert missing.problems and missing.problems[0][0] == 1 and "kind" in missing.problems[0][1]
    unknown = registry.read_groups_csv(_write(tmp_path, "name,kind,feilds\nx,NPO,7\n"))
    assert "feilds" in unknown.problems[0][1]
    empty = registry.read_groups_csv(_write(tmp_path, ""))
    assert empty.problems[0][0] == 1
    not_utf8 = tmp_path / "sjis.csv"
    not_utf8.write_bytes("name,kind\n湧水の会,NPO\n".encode("cp932"))
    assert "UTF-8" in registry.read_groups_csv(not_utf8).problems[0][1]


def test_import_is_all_or_nothing(session, tmp_path):
    path = _write(
        tmp_path, HEADER + "湧水の会,任意団体,環境保全,湧水の調査,\n読み聞かせの会,宇宙船,社会教育,,\n"
    )
    result = registry.import_groups_csv(session, path)
    session.commit()
    assert not result.imported and result.added == []
    assert _count(session) == 0

    result = registry.import_groups_csv(session, path, skip_invalid=True)
    session.commit()
    assert result.imported and [a.group.name for a in result.added] == ["湧水の会"]
    assert result.added[0].group.owner == "import:groups.csv"
    assert _count(session) == 1


def test_import_never_skips_a_broken_header(session, tmp_path):
    path = _write(tmp_path, "name,feilds\n湧水の会,環境保全\n")
    assert not registry.import_groups_csv(session, path, skip_invalid=True).imported


def test_import_flags_duplicates_against_the_registry_and_within_the_file(session, tmp_path):
    registry.add_group(
        session, registry.validate_group("こがねい湧水ネットワーク", "任意団体", "7"), "line:U1"
    )
    path = _write(
        tmp_path,
        HEADER
        + "NPO法人 こがねい湧水ネットワーク,NPO法人,環境保全,,\n"
        + "桜町ふれあいサロン,ボランティア,保健・医療・福祉,,\n"
        + "桜町ふれあいサロン（任意団体）,任意団体,保健・医療・福祉,,\n",
    )
    result = registry.import_groups_csv(session, path, owner="import:2026-04.csv")
    session.commit()
    assert [(a.group.name, a.duplicate_of.name if a.duplicate_of else None) for a in result.added] == [
        ("NPO法人 こがねい湧水ネットワーク", "こがねい湧水ネットワーク"),
        ("桜町ふれあいサロン", None),
        ("桜町ふれあいサロン(任意団体)", "桜町ふれあいサロン"),  # stored normalised (NFKC)
    ]
    assert len(result.duplicates) == 2
    assert {a.group.owner for a in result.added} == {"import:2026-04.csv"}


def test_export_round_trips_through_import(session, tmp_path):
    assert registry.import_groups_csv(session, EXAMPLE).imported
    session.commit()
    out = io.StringIO()
    count = registry.write_groups_csv(registry.export_rows(session), out)
    assert count == _count(session)
    exported = _write(tmp_path, out.getvalue(), bom=True, name="export.csv")
    report = registry.read_groups_csv(exported)
    assert report.problems == []
    original = [r.data for r in registry.read_groups_csv(EXAMPLE).rows]
    assert [r.data for r in report.rows] == original
    # The export shows fields as labels people can read, not bare numbers.
    assert "環境保全" in out.getvalue()


_TEXT = st.text(alphabet='あア亜aZ0 ,"、;\n\r\t（）()ｱ－-・', min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(name=_TEXT, description=_TEXT, contact=_TEXT, fields=st.lists(st.integers(1, 20), max_size=4))
def test_any_valid_group_survives_export_and_import(tmp_path_factory, name, description, contact, fields):
    """Commas, quotes, line breaks and 、 inside cells: what was valid comes back identical."""
    try:
        data = registry.validate_group(name, "NPO", [str(n) for n in fields], description, contact)
    except registry.InvalidGroup:
        assume(False)  # e.g. a name of only spaces; validation is tested elsewhere
    out = io.StringIO()
    registry.write_groups_csv(
        [
            {
                "name": data.name,
                "kind": data.kind,
                "fields": ";".join(registry.field_labels()[n] for n in data.fields),
                "description": data.description,
                "contact": data.contact,
            }
        ],
        out,
    )
    path = tmp_path_factory.mktemp("csv") / "one.csv"
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    report = registry.read_groups_csv(path)
    assert report.problems == []
    assert [r.data for r in report.rows] == [data]
