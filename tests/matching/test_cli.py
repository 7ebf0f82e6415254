"""`kyodo match` command line contract, run as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def kyodo(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "bot", "match", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def test_json_lines_in_order_with_errors_in_place():
    lines = [
        {"name": "公園愛護会", "description": "公園の清掃", "fields": []},
        "this is not json",
        {"name": "プレーパークの会", "description": "冒険遊び場", "fields": ["子どもの健全育成"]},
        ["not", "an", "object"],
        {"name": "空の会", "description": "", "fields": []},
        {"name": 5, "description": "x"},
        {"name": "分野だけ", "fields": ["国際協力"]},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n"
    proc = kyodo("--json", "-", stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert len(out) == len(lines)
    objs = [json.loads(line) for line in out]
    assert "公園愛護会" in out[0]  # ensure_ascii=False: Japanese as is
    assert objs[0]["name"] == "公園愛護会"
    first = objs[0]["matches"][0]
    assert list(first) == ["department", "division_id", "score", "fields", "reasons"]
    assert first["division_id"] == "kankyo-seisaku"
    assert first["department"] == "環境部 環境政策課"
    assert isinstance(first["score"], float) and 0 <= first["score"] <= 1
    assert all(isinstance(r, str) for r in first["reasons"])
    assert "error" in objs[1] and objs[1]["matches"] == []
    assert objs[2]["matches"][0]["division_id"] == "jido-seishonen"
    assert "error" in objs[3]
    assert objs[4] == {"name": "空の会", "matches": []}
    assert "error" in objs[5]
    assert objs[6]["matches"][0]["division_id"] == "community-bunka"
    assert all(len(o["matches"]) <= 3 for o in objs)
    scores = [m["score"] for m in objs[2]["matches"]]
    assert scores == sorted(scores, reverse=True)


def test_single_description_json_and_top():
    proc = kyodo("--json", "--top", "2", "高齢者の見守りと配食ボランティア、防犯パトロール、子ども食堂")
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert len(obj["matches"]) == 2
    proc = kyodo("--json", "--top", "3", "高齢者の見守りと配食ボランティア")
    obj = json.loads(proc.stdout)
    assert obj["matches"][0]["division_id"] == "kaigo-fukushi"


def test_single_description_readable():
    proc = kyodo("駅前の花壇の手入れと緑化活動をしています")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("1. 環境部 環境政策課")
    assert "所管事業" in proc.stdout


def test_empty_description_gets_the_polite_message():
    proc = kyodo("")
    assert proc.returncode == 0
    assert "教えてください" in proc.stdout


def test_missing_description_is_a_usage_error():
    proc = kyodo()
    assert proc.returncode == 2
    assert proc.stderr


def test_all_flag_is_part_of_the_parser():
    from bot.cli import build_parser

    args = build_parser().parse_args(["match", "--all"])
    assert args.all is True
