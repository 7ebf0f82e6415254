"""`kyodo serve` (web app + its own processing/delivery loops) and `kyodo worker` (loops only).

With PostgreSQL, `kyodo serve` runs the loops in a child process (`kyodo worker --wake-fd`),
woken through a pipe the moment a webhook stores an event or a Slack click queues a message: two
processes use two cores, and the engine's CPU work no longer competes with the webhook for one
interpreter lock. With SQLite
(one writer at a time) the loops run inside the web process, where handing the database from
one writer to the next is cheapest. `--in-process` / `--worker-process` override the choice;
`--no-worker` serves HTTP only.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import subprocess
import sys
import threading
import time

from bot.messaging.wakeup import WAKE_INBOX, WAKE_OUTBOX

log = logging.getLogger("kyodo.serve")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the web server (LINE webhook, /healthz) with its delivery loop")
    p.add_argument("--host", default="0.0.0.0", help="interface to listen on (default 0.0.0.0)")
    p.add_argument("--port", type=int, default=None, help="port (default: $PORT, else 8000)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--in-process", action="store_true", help="run the loops in the web process itself")
    mode.add_argument("--worker-process", action="store_true", help="run the loops in a child process")
    mode.add_argument(
        "--no-worker", action="store_true", help="serve HTTP only; leave processing to `kyodo worker`"
    )
    p.add_argument("--log-level", default="info")
    p.set_defaults(func=_serve)

    w = sub.add_parser("worker", help="process stored events and deliver queued messages (no web server)")
    w.add_argument("--log-level", default="info")
    w.add_argument("--wake-fd", type=int, default=None, help=argparse.SUPPRESS)  # set by `kyodo serve`
    w.set_defaults(func=_worker)


def _logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")


class _ChildWorker:
    """`kyodo worker` as a child of `kyodo serve`, restarted if it dies, woken through a pipe."""

    def __init__(self, log_level: str) -> None:
        self.log_level = log_level
        self.proc: subprocess.Popen | None = None
        self.write_fd: int | None = None
        self.stopping = False
        self.lock = threading.Lock()

    def start(self) -> None:
        read_fd, write_fd = os.pipe()
        os.set_blocking(write_fd, False)
        cmd = [
            sys.executable,
            "-m",
            "bot",
            "worker",
            "--wake-fd",
            str(read_fd),
            "--log-level",
            self.log_level,
        ]
        self.proc = subprocess.Popen(cmd, pass_fds=(read_fd,))
        os.close(read_fd)
        with self.lock:
            old, self.write_fd = self.write_fd, write_fd
        if old is not None:
            os.close(old)
        threading.Thread(
            target=self._watch, args=(self.proc,), daemon=True, name="kyodo-worker-watch"
        ).start()

    def _watch(self, proc: subprocess.Popen) -> None:
        code = proc.wait()
        if not self.stopping:
            log.error("worker process exited with %s; restarting it", code)
            time.sleep(1)
            if not self.stopping:
                self.start()

    def _write(self, byte: bytes) -> None:
        with self.lock:
            fd = self.write_fd
        if fd is None:
            return
        # A full pipe means a wake-up is already pending; a broken one, a worker restarting (it polls).
        with contextlib.suppress(BlockingIOError, BrokenPipeError):
            os.write(fd, byte)

    def notify_inbox(self) -> None:
        """An event was stored (called on the event loop)."""
        self._write(WAKE_INBOX)

    def notify_outbox(self) -> None:
        """A message was queued here, e.g. by a Slack click (called from the committing thread)."""
        self._write(WAKE_OUTBOX)

    def stop(self) -> None:
        self.stopping = True
        with self.lock:
            fd, self.write_fd = self.write_fd, None
        if fd is not None:
            os.close(fd)  # the worker sees EOF and stops after its current work
        if self.proc is not None:
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                self.proc.wait(timeout=10)


def check_data() -> None:
    """Read and validate the city's data files before serving: a broken faq.yaml or divisions.yaml
    stops start-up with the file, the entry and the problem (exit status 2, see bot.cli), instead
    of failing in the loops later. Only parses the files (the index is built on first need)."""
    from knowledge import load_data
    from matching.loader import DIVISIONS_FILE, FIELDS_FILE, data_dir, load_divisions, load_fields

    load_data()
    base = data_dir()
    fields, _ = load_fields(base / FIELDS_FILE)
    load_divisions(base / DIVISIONS_FILE, fields, base / FIELDS_FILE)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.app import create_app
    from bot.commands.limits import uvicorn_options
    from bot.settings import Settings

    _logging(args.log_level)
    settings = Settings.from_env()
    check_data()
    port = args.port if args.port is not None else settings.port
    child = None
    split = args.worker_process or (not args.in_process and settings.database_url.startswith("postgresql"))
    if args.no_worker or not split:
        app = create_app(settings, start_background=not args.no_worker)
    else:
        child = _ChildWorker(args.log_level)
        child.start()
        app = create_app(
            settings, start_background=False, wake_inbox=child.notify_inbox, wake_outbox=child.notify_outbox
        )
    try:
        uvicorn.run(
            app,
            host=args.host,
            port=port,
            log_level=args.log_level,
            proxy_headers=True,
            access_log=False,
            **uvicorn_options(settings),  # timeouts and limits (bot/commands/limits.py)
        )
    finally:
        if child is not None:
            child.stop()
    return 0


def _worker(args: argparse.Namespace) -> int:
    import asyncio

    from bot.app import run_worker
    from bot.settings import Settings

    _logging(args.log_level)
    settings = Settings.from_env()
    check_data()
    asyncio.run(run_worker(settings, wake_fd=args.wake_fd))
    return 0
