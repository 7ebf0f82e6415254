"""`kyodo serve` as a real process: webhook in, reply out, clean stop (both loop placements)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.line_app import SECRET, TOKEN
from tests.support.line_payloads import body_for, message_event, signed
from tests.support.servers import wait_until

ROOT = Path(__file__).resolve().parents[2]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("mode", ["--in-process", "--worker-process"])
def test_kyodo_serve_answers_and_stops(db_url, standin, mode):
    standin.reset()
    port = _port()
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        DATABASE_URL=db_url,
        LINE_CHANNEL_SECRET=SECRET,
        LINE_CHANNEL_ACCESS_TOKEN=TOKEN,
        LINE_API_BASE_URL=standin.url,
        PORT=str(port),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", mode, "--log-level", "warning"],
        env=env,
        cwd=ROOT,
    )
    try:
        base = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            try:
                return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(healthy, timeout=30, interval=0.1)
        ev = message_event("協働とは何ですか")
        body = body_for(ev)
        assert (
            httpx.post(f"{base}/line/callback", content=body, headers=signed(SECRET, body)).status_code == 200
        )
        delivered = wait_until(standin.deliveries, timeout=30)
        assert delivered[0].target == ev["replyToken"]
    finally:
        proc.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal: -SIGTERM is a clean exit.
        assert proc.wait(timeout=30) in (0, -signal.SIGTERM)
    wait_until(lambda: not _worker_children(), timeout=30)  # the child worker stops with its parent


def _worker_children() -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "bot worker --wake-fd" in cmd:
            found.append(cmd)
    return found
