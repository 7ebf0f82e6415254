"""Operating the service (issue 12, items 17-19): one setting means the same in every command, a
broken data file is a clear stop, and a database never migrated is named as such."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from bot.settings import Settings, SettingsError
from tests.e2e.test_serve_command import _port
from tests.support.servers import wait_until

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "knowledge" / "data"
MATCHING = ROOT / "matching" / "data"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KYODO_KNOWLEDGE", "KYODO_MATCHING"))}
    env.update(PYTHONPATH=str(ROOT), **extra)
    for k in ("LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        env.pop(k, None)
    return env


def _kyodo(
    *args: str, env: dict[str, str], stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
    )


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_data_directories_are_settings(tmp_path):
    s = Settings.from_env({"KYODO_KNOWLEDGE_DIR": str(KNOWLEDGE), "KYODO_MATCHING_DIR": str(MATCHING)})
    assert (s.knowledge_dir, s.matching_dir) == (str(KNOWLEDGE), str(MATCHING))
    try:
        Settings.from_env({"KYODO_MATCHING_DIR": str(tmp_path / "nope")})
    except SettingsError as exc:
        assert "KYODO_MATCHING_DIR" in str(exc)
    else:
        raise AssertionError("a missing directory must be refused")


def test_serve_reads_the_knowledge_dir_and_stops_on_broken_data(tmp_path):
    bad = _copy(KNOWLEDGE, tmp_path / "knowledge")
    (bad / "faq.yaml").write_text("- id: x\n  category: about\n", encoding="utf-8")
    env = _env(DATABASE_URL=f"sqlite:///{tmp_path / 'k.db'}", KYODO_KNOWLEDGE_DIR=str(bad), PORT=str(_port()))
    proc = _kyodo("serve", "--host", "127.0.0.1", env=env)
    assert proc.returncode == 2, proc.stderr
    assert "faq.yaml: entry 'x'" in proc.stderr and "Traceback" not in proc.stderr


def test_broken_divisions_yaml_is_a_clear_stop(tmp_path):
    cases = {
        "field": ("fields: [", "fields: [99, "),
        "id": ("- id: ", "- id: Bad_ID_"),
        "yaml": ("divisions:", "divisions: [unclosed\n"),
    }
    for name, (old, new) in cases.items():
        bad = _copy(MATCHING, tmp_path / name)
        text = (bad / "divisions.yaml").read_text(encoding="utf-8")
        assert old in text, name
        (bad / "divisions.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
        env = _env(
            DATABASE_URL=f"sqlite:///{tmp_path / 'm.db'}", KYODO_MATCHING_DIR=str(bad), PORT=str(_port())
        )
        for args in (("match", "公園の清掃"), ("serve", "--host", "127.0.0.1")):
            proc = _kyodo(*args, env=env)
            assert proc.returncode == 2, (name, args, proc.stderr)
            assert "divisions.yaml" in proc.stderr and "Traceback" not in proc.stderr, (
                name,
                args,
                proc.stderr,
            )


def test_chat_with_a_broken_knowledge_base_prints_the_cause(tmp_path):
    bad = _copy(KNOWLEDGE, tmp_path / "knowledge")
    (bad / "guideline.yaml").write_text("title: ''\nsections: []\n", encoding="utf-8")
    env = _env(DATABASE_URL=f"sqlite:///{tmp_path / 'c.db'}", KYODO_KNOWLEDGE_DIR=str(bad))
    proc = _kyodo("chat", env=env, stdin="協働とは\n")
    assert proc.returncode == 2
    assert "guideline.yaml" in proc.stderr and "Traceback" not in proc.stderr


def test_serve_on_a_database_never_migrated(tmp_path):
    port = _port()
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    log = (tmp_path / "serve.log").open("w")
    env = _env(DATABASE_URL=url, PORT=str(port), DELIVERY_POLL_SECONDS="0.5")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--in-process"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/healthz"

    def health() -> httpx.Response | None:
        try:
            return httpx.get(base, timeout=2)
        except httpx.HTTPError:
            return None

    try:
        first = wait_until(health, timeout=30, interval=0.2)
        assert first.status_code == 503
        assert first.json()["database"] == "not migrated: run kyodo db upgrade"
        assert _kyodo("db", "upgrade", env=env).returncode == 0
        wait_until(lambda: (r := health()) is not None and r.status_code == 200, timeout=30, interval=0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) in (0, -signal.SIGTERM)
        log.close()
    out = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in out and "no such table" not in out
    assert "not migrated: run kyodo db upgrade" in out
