"""scripts/test (issue 12, item 20): the SQLite phase never uses KYODO_TEST_DATABASE_URL, and a
PostgreSQL server that is down gives the friendly message (pytest replaced by a stand-in)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_sqlite_phase_ignores_the_postgres_url_and_a_down_server_is_explained(tmp_path):
    record = tmp_path / "calls.txt"
    stub = tmp_path / "pytest"
    stub.write_text(f'#!/bin/sh\necho "url=${{KYODO_TEST_DATABASE_URL:-}} args=$*" >> {record}\n')
    stub.chmod(0o755)
    down = "postgresql+psycopg://postgres@127.0.0.1:1/test"  # nothing listens on port 1
    env = {
        **os.environ,
        "KYODO_PYTEST": str(stub),
        "KYODO_TEST_NO_SETUP": "1",
        "KYODO_TEST_DATABASE_URL": down,
    }
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "test")],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    calls = record.read_text().splitlines()
    assert calls == ["url= args=-p no:cacheprovider"]  # the SQLite phase ran, without the URL
    assert proc.returncode == 1
    assert f"PostgreSQL at {down} is required" in proc.stderr
    assert "trying to start the local cluster" not in proc.stdout


def test_database_tests_with_a_server_down_stop_with_one_clear_line(tmp_path):
    down = "postgresql+psycopg://postgres@127.0.0.1:1/test"
    env = {**os.environ, "KYODO_TEST_DATABASE_URL": down}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/bot/storage/test_migrations.py",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 3
    assert f"PostgreSQL at {down} is not reachable" in proc.stdout + proc.stderr
