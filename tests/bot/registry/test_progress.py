"""Progress on a terminal for `groups import` and `match --all`, nothing extra when piped
(issue 12, item 21)."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys

from bot.commands.progress import Progress
from tests.bot.registry.test_cli import EXAMPLE, ROOT


def _run_with_tty_stderr(db_url: str, cwd, *args: str) -> tuple[int, str, str]:
    primary, secondary = pty.openpty()
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=secondary
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 4096)
        except OSError:  # the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    out = proc.stdout.read().decode()
    code = proc.wait(timeout=120)
    os.close(primary)
    return code, out, b"".join(chunks).decode(errors="replace")


def test_progress_on_a_terminal_only(db_url, tmp_path):
    code, out, tty = _run_with_tty_stderr(db_url, tmp_path, "groups", "import", str(EXAMPLE))
    assert code == 0
    assert "\rgroups import: " in tty and "(100%)" in tty
    assert "groups import:" not in out  # the summary on stdout is unchanged
    code, out, tty = _run_with_tty_stderr(db_url, tmp_path, "match", "--all")
    assert code == 0 and "\rmatch --all: " in tty

    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)}
    piped = subprocess.run(
        [sys.executable, "-m", "bot", "match", "--all"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert piped.returncode == 0 and "match --all:" not in piped.stderr and "\r" not in piped.stderr


def test_progress_line_is_throttled_and_cleared():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    with Progress("work", stream, every=3600) as p:
        for n in range(1, 101):
            p(n, 100)
    text = stream.getvalue()
    assert text.count("\rwork:") == 2  # the first update and the last (100%), nothing between
    assert text.endswith("\r")
    silent = io.StringIO()
    Progress("work", silent)(1, 2)
    assert silent.getvalue() == ""
