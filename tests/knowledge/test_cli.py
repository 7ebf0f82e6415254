"""The `kyodo ask` / `kyodo chat` command line (real subprocesses: the JSON lines are a contract)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "data"


def _run(
    args: list[str], stdin: str = "", data_dir: Path | None = None, db_dir: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if db_dir is not None:  # `kyodo chat` keeps conversations in a database
        env["DATABASE_URL"] = f"sqlite:///{db_dir / 'chat.db'}"
    env.pop("KYODO_KNOWLEDGE_DIR", None)
    if data_dir:
        env["KYODO_KNOWLEDGE_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=ROOT,
        timeout=60,
    )


def test_ask_json_lines_contract():
    questions = ["協働とは", "", "ごみの出し方", "   ", "企業も協働できますか", "😀"]
    proc = _run(["ask", "--json", "-"], "\n".join(questions) + "\n")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(questions)
    for q, line in zip(questions, lines, strict=True):
        obj = json.loads(line)
        # the original contract, in order; later fields (faq_id, reason, kind, activity) follow
        assert list(obj)[:6] == ["question", "answered", "text", "sources", "score", "suggestions"]
        assert obj["question"] == q
        assert isinstance(obj["answered"], bool) and isinstance(obj["score"], float)
        assert all(set(s) == {"id", "title"} for s in obj["sources"])
        assert "\\u" not in line  # ensure_ascii=False
    first = json.loads(lines[0])
    assert first["answered"] and first["sources"]
    assert not json.loads(lines[2])["answered"]


def test_ask_single_question_human_and_json():
    proc = _run(["ask", "協働とは"])
    assert proc.returncode == 0 and "協働" in proc.stdout
    proc = _run(["ask", "--json", "協働", "とは"])
    obj = json.loads(proc.stdout)
    assert obj["question"] == "協働 とは" and obj["answered"]


def test_ask_reports_bad_data(tmp_path):
    bad = tmp_path / "data"
    bad.mkdir()
    for f in FIXTURE.iterdir():
        (bad / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    (bad / "faq.yaml").write_text("- id: x\n  category: about\n", encoding="utf-8")
    proc = _run(["ask", "協働とは"], data_dir=bad)
    assert proc.returncode == 2
    assert "faq.yaml: entry 'x': 'question' is missing" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_chat_without_tty_numbers_and_quit(tmp_path):
    # `kyodo chat` is the conversation engine (tests/engine/test_chat_cli.py covers its flows);
    # here: the knowledge data directory is honoured and numbered related questions work.
    proc = _run(["chat"], "協働の形態は？\n3\n終了\n協働とは\n", data_dir=FIXTURE, db_dir=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "[3] 後援とは何ですか？" in out
    assert "あなた> 3\nボット> 後援は" in out  # choice 3 was asked
    assert "名義" in out
    assert out.rstrip().endswith("ご利用ありがとうございました。")
    assert "あなた> 協働とは" not in out  # nothing after 終了


def test_chat_ends_on_eof(tmp_path):
    proc = _run(["chat"], "協働とは\n", data_dir=FIXTURE, db_dir=tmp_path)
    assert proc.returncode == 0 and "ご利用ありがとうございました。" in proc.stdout
