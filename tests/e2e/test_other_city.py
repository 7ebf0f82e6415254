"""Another city runs the bot on its own data (issue 12, item 24): `kyodo serve` and `kyodo ask` on
a small second knowledge base and division directory (tests/fixtures/othercity, a made-up city)
use its name, its guideline, its desk and its numbers everywhere — greeting, answer, decline,
contact, hand-off — and never Koganei's."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.e2e.test_serve_command import _port
from tests.support.line_app import SECRET, TOKEN
from tests.support.line_payloads import body_for, follow_event, message_event, postback_event, signed
from tests.support.servers import wait_until

ROOT = Path(__file__).resolve().parents[2]
CITY = ROOT / "tests" / "fixtures" / "othercity"
KOGANEI = ("小金井", "コミュニティ文化課", "042-")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINE_", "SLACK_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        KYODO_KNOWLEDGE_DIR=str(CITY / "knowledge"),
        KYODO_MATCHING_DIR=str(CITY / "matching"),
        **extra,
    )
    return env


def _no_koganei(text: str) -> None:
    assert not any(word in text for word in KOGANEI), text


def test_kyodo_ask_uses_the_other_city(tmp_path):
    questions = ["協働とは", "今日の天気はどうですか", "協働の相談窓口はどこですか", "こんにちは"]
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "-"],
        input="\n".join(questions) + "\n",
        capture_output=True,
        text=True,
        env=_env(),
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    about, decline, contact, hello = (json.loads(line) for line in proc.stdout.splitlines())
    assert "みなと台市と市民活動団体" in about["text"] and "（出典：市民協働指針 第1章" in about["text"]
    assert not decline["answered"]
    assert "みなと台市役所の代表電話（099-555-0000）" in decline["text"]
    assert "みなと台市 市民生活部 市民協働課" in decline["text"]
    assert "099-555-0101" in contact["text"]
    assert "みなと台市市民協働指針" in hello["text"]
    for record in (about, decline, contact, hello):
        _no_koganei(record["text"])


def test_kyodo_match_uses_the_other_city(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "match", "--json", "海岸清掃をしています"],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["matches"][0]["division_id"] == "kankyo"
    nothing = subprocess.run(
        [sys.executable, "-m", "bot", "match", "よろしくお願いします"],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=tmp_path,
        timeout=120,
    )
    assert "市民生活部 市民協働課が窓口です" in nothing.stdout
    _no_koganei(nothing.stdout)


def test_kyodo_serve_uses_the_other_city(db_url, standin, tmp_path):
    standin.reset()
    port = _port()
    env = _env(
        DATABASE_URL=db_url,
        LINE_CHANNEL_SECRET=SECRET,
        LINE_CHANNEL_ACCESS_TOKEN=TOKEN,
        LINE_API_BASE_URL=standin.url,
        PORT=str(port),
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "serve",
            "--host",
            "127.0.0.1",
            "--in-process",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=tmp_path,
    )
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def send(event: dict) -> list[dict]:
        before = len(standin.deliveries())
        body = body_for(event)
        assert (
            httpx.post(f"{base}/line/callback", content=body, headers=signed(SECRET, body)).status_code == 200
        )
        return wait_until(lambda: standin.deliveries()[before:], timeout=30)[0].messages

    def texts(messages: list[dict]) -> str:
        return "\n".join(m.get("text", "") for m in messages)

    try:
        wait_until(healthy, timeout=30, interval=0.1)
        greeting = texts(send(follow_event()))
        assert "みなと台市の「協働ボット」" in greeting and "市民協働指針" in greeting
        decline = send(message_event("今日の天気はどうですか"))
        assert "みなと台市役所の代表電話（099-555-0000）" in texts(decline)
        contact = texts(send(message_event("問い合わせ")))
        assert "099-555-0101" in contact
        handoff = next(
            item["action"]["data"]
            for m in decline
            for item in (m.get("quickReply") or {}).get("items", [])
            if item["action"].get("type") == "postback" and "handoff" in item["action"]["data"]
        )
        confirm = send(postback_event(handoff))  # the question is shown and confirmed first
        send_data = next(
            item["action"]["data"]
            for m in confirm
            for item in (m.get("quickReply") or {}).get("items", [])
            if item["action"].get("type") == "postback" and "|send|" in item["action"]["data"]
        )
        sent = texts(send(postback_event(send_data)))
        assert "みなと台市 市民生活部 市民協働課" in sent
        for text in (greeting, texts(decline), contact, sent):
            _no_koganei(text)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) in (0, -signal.SIGTERM)
