"""The `kyodo groups ...` and `kyodo match --all` commands, run as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "groups.csv"


def kyodo(db_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p] + [str(ROOT)]
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": os.pathsep.join(paths)}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_import_list_export_match(db_url, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8") + "壊れた行の会,宇宙船,環境保全,,\n", encoding="utf-8")
    failed = kyodo(db_url, tmp_path, "groups", "import", str(bad))
    assert failed.returncode == 1
    bad_line = len(EXAMPLE.read_text(encoding="utf-8").splitlines()) + 1
    assert f"{bad_line}行目" in failed.stderr and "宇宙船" in failed.stderr
    assert "何も取り込んでいません" in failed.stderr

    listed = kyodo(db_url, tmp_path, "groups", "list", "--json")
    assert listed.returncode == 0 and listed.stdout.strip() == ""

    ok = kyodo(db_url, tmp_path, "groups", "import", str(EXAMPLE), "--owner", "import:example")
    assert ok.returncode == 0, ok.stderr
    assert "7 団体を取り込みました" in ok.stdout

    again = kyodo(db_url, tmp_path, "groups", "import", str(EXAMPLE), "--json")
    report = json.loads(again.stdout)
    assert report["imported"] == 7 and len(report["duplicates"]) == 7  # every row flagged, none merged

    groups = [
        json.loads(line) for line in kyodo(db_url, tmp_path, "groups", "list", "--json").stdout.splitlines()
    ]
    assert len(groups) == 14
    env_groups = kyodo(
        db_url, tmp_path, "groups", "list", "--field", "環境保全", "--json"
    ).stdout.splitlines()
    assert [json.loads(g)["name"] for g in env_groups] == ["NPO法人 こがねい湧水ネットワーク"] * 2

    out = tmp_path / "export.csv"
    exported = kyodo(db_url, tmp_path, "groups", "export", "--output", str(out))
    assert exported.returncode == 0, exported.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # opens in Excel as UTF-8
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 1 + 14 + 2  # one row spans two lines

    first = kyodo(db_url, tmp_path, "match", "--all", "--json")
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout.strip().splitlines()[-1])
    assert summary["groups_total"] == 14 and summary["groups_flagged"] == 7
    assert summary["groups_matched"] == 7 and summary["new"] > 0

    second = kyodo(db_url, tmp_path, "match", "--all")
    assert second.returncode == 0, second.stderr
    assert "新規 0 件" in second.stdout and "変更なし 7 件" in second.stdout


def test_missing_file_and_bad_field(db_url, tmp_path):
    missing = kyodo(db_url, tmp_path, "groups", "import", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2 and "見つかりません" in missing.stderr
    bad_field = kyodo(db_url, tmp_path, "groups", "list", "--field", "ぜんぜんちがうことば123")
    assert bad_field.returncode == 2 and "分野" in bad_field.stderr
    bad_top = kyodo(db_url, tmp_path, "match", "--all", "--top", "0")
    assert bad_top.returncode == 2 and "--top" in bad_top.stderr


def test_show_distinct_delete(db_url, tmp_path):
    csv_file = tmp_path / "two.csv"
    csv_file.write_text(
        "name,kind,fields,description\n"
        "NPO法人 こがねい湧水ネットワーク,NPO法人,環境保全,湧水の調査\n"
        "こがねい湧水ネットワーク,任意団体,環境保全,湧水の調査\n",
        encoding="utf-8",
    )
    assert kyodo(db_url, tmp_path, "groups", "import", str(csv_file)).returncode == 0
    assert kyodo(db_url, tmp_path, "match", "--all").returncode == 0
    shown = json.loads(kyodo(db_url, tmp_path, "groups", "show", "1").stdout)
    assert shown["suggestions"] and shown["suggestions"][0]["rank"] == 1
    assert json.loads(kyodo(db_url, tmp_path, "groups", "show", "2").stdout)["duplicate_of_id"] == 1
    flagged = kyodo(db_url, tmp_path, "groups", "list", "--flagged", "--json").stdout.splitlines()
    assert [json.loads(g)["id"] for g in flagged] == [2]  # staff see what waits for them

    assert kyodo(db_url, tmp_path, "groups", "distinct", "2").returncode == 0
    summary = json.loads(kyodo(db_url, tmp_path, "match", "--all", "--json").stdout)
    assert summary["groups_matched"] == 1 and summary["groups_unchanged"] == 1

    assert kyodo(db_url, tmp_path, "groups", "delete", "1").returncode == 0
    missing = kyodo(db_url, tmp_path, "groups", "show", "1")
    assert missing.returncode == 1 and "見つかりません" in missing.stderr
    assert [
        json.loads(g)["id"] for g in kyodo(db_url, tmp_path, "groups", "list", "--json").stdout.splitlines()
    ] == [2]


def test_unmigrated_database_gets_a_hint(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    for args in (("groups", "list"), ("match", "--all")):
        result = kyodo(url, tmp_path, *args)
        assert result.returncode == 2 and "kyodo db upgrade" in result.stderr
