"""Load generator for the LINE path, on loopback: a real `kyodo serve` process + the API stand-in.

Phase 1 (load): signed webhooks at --rate events/s for --seconds (open loop: requests are sent
on schedule whatever the server does), a mix of questions, menu words, follows and stickers from
200 users, answered by the real conversation engine (questions: the ~800 of the knowledge
evaluation sets, or 10 fixed ones with --questions fixed). Prints webhook response time p50/p99 and
event-to-reply-delivered p50/p99 (from sending the webhook to the stand-in accepting the reply).

Phase 2 (faults): --fault-events events, each delivered twice by "LINE" (the second copy marked
isRedelivery, 0-2 s later), while the stand-in fails 30% of API calls (429 with Retry-After,
500, or a timeout after which the message *was* delivered). Prints events, unique replies
delivered, duplicates, lost. Target: every event answered exactly once.

    PYTHONPATH=. python scripts/bench_line.py [--rate 100] [--seconds 20] [--fault-events 300]
                                              [--database-url postgresql+psycopg://...]
                                              [--serve-arg=--worker-process] [--questions fixed]

The stand-in runs in a process of its own. Everything stops by itself: every wait is bounded,
and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.storage import migrate  # noqa: E402
from bot.storage.db import make_engine, make_session_factory  # noqa: E402
from bot.storage.models.messaging import InboxEvent, OutboxMessage  # noqa: E402
from tests.support.line_payloads import body_for, follow_event, message_event, signed, sticker_event  # noqa: E402
from tests.support.line_standin import LineStandin  # noqa: E402

SECRET = "bench-secret"
TOKEN = "bench-token"
QUESTIONS = [
    "協働とは何ですか",
    "補助金はもらえますか",
    "企業も協働できますか",
    "協働の原則を教えて",
    "委託と補助の違いは？",
    "ＮＰＯ法人でなくても相談できますか",
    "きょうどうのけいたいにはどんなものがありますか",
    "実行委員会とは",
    "問い合わせ先を教えてください",
    "今日の天気は？",
]
MENU = ["協働とは", "よくある質問", "問い合わせ", "ヘルプ"]


def varied_questions() -> list[str]:
    """Every question of the knowledge evaluation sets (in scope and out of scope, ~800 varied
    phrasings): with these, per-process memos (tokens, rendered messages) help only as much
    as real traffic would let them."""
    import yaml

    found: list[str] = []
    for path in sorted((ROOT / "evaluation").glob("knowledge_*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for part in ("in_scope", "out_of_scope"):
            found += [
                str(item["q"]) for item in data.get(part) or [] if isinstance(item, dict) and item.get("q")
            ]
    return found or QUESTIONS


class StandinProcess:
    """The Messaging API stand-in in a process of its own: in this process its server thread
    competed with the load generator for one interpreter lock, and the measured webhook times
    then included the load generator's own waits. Its clock (perf_counter, CLOCK_MONOTONIC) is
    the machine's, so delivery times stay comparable with send times."""

    def __init__(self, access_token: str) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_standin_main, args=(child, access_token), daemon=True)
        self._proc.start()
        self.url = self._conn.recv()

    def _call(self, *command):
        self._conn.send(command)
        return self._conn.recv()

    def reset(self) -> None:
        self._call("reset")

    def configure(self, *, failure_rate: float, timeout_delay: float) -> None:
        self._call("configure", failure_rate, timeout_delay)

    def delivered_count(self) -> int:
        return self._call("count")

    def issue(self, *tokens: str) -> None:
        """Reply tokens handed out now (they work once, for the stand-in's token TTL)."""
        self._call("issue", *tokens)

    def set_token_ttl(self, seconds: float) -> None:
        self._call("ttl", seconds)

    def deliveries(self) -> list:
        return self._call("deliveries")

    def requests(self) -> list:
        return self._call("requests")

    def stop(self) -> None:
        try:
            self._call("stop")
        finally:
            self._proc.join(timeout=20)
            if self._proc.is_alive():
                self._proc.kill()


def _standin_main(conn, access_token: str) -> None:
    standin = LineStandin(access_token=access_token).start()
    conn.send(standin.url)
    while True:
        command, *args = conn.recv()
        if command == "reset":
            standin.reset()
            conn.send(None)
        elif command == "configure":
            with standin.lock:
                standin.state.failure_rate, standin.state.timeout_delay = args
            conn.send(None)
        elif command == "issue":
            standin.issue(*args)
            conn.send(None)
        elif command == "ttl":
            with standin.lock:
                standin.state.token_ttl = args[0]
            conn.send(None)
        elif command == "count":
            with standin.lock:
                conn.send(len(standin.state.delivered))
        elif command == "deliveries":
            conn.send(standin.deliveries())
        elif command == "requests":
            conn.send(standin.requests())
        else:  # stop
            standin.stop()
            conn.send(None)
            return


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q / 100 * len(values)) - 1))]


def _cpu_and_parent(pid: int) -> tuple[float, int]:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), int(fields[1])


def server_cpu(pid: int) -> float:
    """User + system CPU seconds of the server process and its children (Linux /proc)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cpu, parent = _cpu_and_parent(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
        if int(entry.name) == pid or parent == pid:
            total += cpu
    return total


def fresh_database(url: str | None, tmp: Path) -> tuple[str, object]:
    """An empty database for this run: an SQLite file in ``tmp``, or a throw-away database on
    the PostgreSQL server that ``url`` names (dropped at the end)."""
    if not url:
        return f"sqlite:///{tmp / 'bench.db'}", lambda: None
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from bot.settings import normalise_database_url

    base = make_url(normalise_database_url(url))
    name = f"kyodo_bench_{os.getpid()}"
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_url: str, api_url: str, port: int, log_path: Path, extra: list[str]) -> subprocess.Popen:
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        DATABASE_URL=db_url,
        LINE_CHANNEL_SECRET=SECRET,
        LINE_CHANNEL_ACCESS_TOKEN=TOKEN,
        LINE_API_BASE_URL=api_url,
        DELIVERY_TIMEOUT_SECONDS="1",
        DELIVERY_BACKOFF_BASE_SECONDS="0.2",
        DELIVERY_BACKOFF_MAX_SECONDS="2",
        DELIVERY_MAX_ATTEMPTS="30",
    )
    cmd = [
        sys.executable,
        "-m",
        "bot",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        *extra,
    ]
    return subprocess.Popen(cmd, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT, cwd=ROOT)


def stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


async def post(client: httpx.AsyncClient, events: list[dict]) -> tuple[int, float]:
    body = body_for(*events)
    start = time.perf_counter()
    r = await client.post("/line/callback", content=body, headers=signed(SECRET, body))
    return r.status_code, time.perf_counter() - start


def make_event(i: int, rng: random.Random, questions: list[str]) -> dict:
    user = f"U{i % 200:032d}"
    roll = rng.random()
    if roll < 0.7:
        return message_event(rng.choice(questions), user=user)
    if roll < 0.8:
        return message_event(rng.choice(MENU), user=user)
    if roll < 0.9:
        return follow_event(user=user)
    return sticker_event(user=user)


async def wait_for(predicate, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(interval)
    return bool(predicate())


async def load_phase(
    base: str, standin: StandinProcess, rate: float, seconds: float, questions: list[str]
) -> dict:
    rng = random.Random(7)
    total = int(rate * seconds)
    sent_at: dict[str, float] = {}
    webhook_times: list[float] = []
    statuses: Counter = Counter()
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=base, timeout=10, limits=limits) as client:

        async def one(ev: dict) -> None:
            sent_at[ev["replyToken"]] = time.perf_counter()
            try:
                status, elapsed = await post(client, [ev])
            except httpx.HTTPError:
                status, elapsed = -1, float("nan")
            statuses[status] += 1
            webhook_times.append(elapsed)

        tasks = []
        t0 = time.perf_counter()
        for i in range(total):
            delay = t0 + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(make_event(i, rng, questions))))
        await asyncio.gather(*tasks)
        send_span = time.perf_counter() - t0
    await wait_for(lambda: standin.delivered_count() >= total, timeout=60)
    deliveries = standin.deliveries()
    latencies = [d.at - sent_at[d.target] for d in deliveries if d.kind == "reply" and d.target in sent_at]
    return {
        "events": total,
        "send_span": send_span,
        "statuses": dict(statuses),
        "webhook_ms": [t * 1000 for t in webhook_times if t == t],
        "delivered": len(latencies),
        "pushes": sum(1 for d in deliveries if d.kind == "push"),
        "e2e_ms": [x * 1000 for x in latencies],
    }


async def fault_phase(base: str, standin: StandinProcess, n: int, factory) -> dict:
    rng = random.Random(11)
    standin.reset()
    # the server gives up after 1 s; the stand-in has delivered by then
    standin.configure(failure_rate=0.30, timeout_delay=1.5)
    events = [message_event(rng.choice(QUESTIONS), user=f"Ufault{i:026d}") for i in range(n)]
    statuses: Counter = Counter()
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:

        async def deliver(ev: dict, delay: float) -> None:
            await asyncio.sleep(delay)
            status, _ = await post(client, [ev])
            statuses[status] += 1

        tasks = []
        for i, ev in enumerate(events):
            again = dict(ev, deliveryContext={"isRedelivery": True})
            tasks.append(asyncio.create_task(deliver(ev, i / 50)))
            tasks.append(asyncio.create_task(deliver(again, i / 50 + rng.uniform(0, 2))))
        await asyncio.gather(*tasks)

    def settled() -> bool:
        with factory() as s:
            unprocessed = s.scalar(select(func.count()).where(InboxEvent.processed_at.is_(None)))
            pending = s.scalar(select(func.count()).where(OutboxMessage.status == "pending"))
        return unprocessed == 0 and pending == 0

    settled_ok = await wait_for(settled, timeout=180, interval=0.2)
    await asyncio.sleep(2)  # let answers of timed-out requests land
    token_of = {ev["replyToken"]: i for i, ev in enumerate(events)}
    user_of = {ev["source"]["userId"]: i for i, ev in enumerate(events)}
    per_event: Counter = Counter()
    deliveries = standin.deliveries()
    for d in deliveries:
        i = token_of.get(d.target, user_of.get(d.target))
        if i is not None:
            per_event[i] += 1
    with factory() as s:
        failed = s.scalar(select(func.count()).where(OutboxMessage.status == "failed"))
    requests = standin.requests()
    return {
        "events": n,
        "webhooks": sum(statuses.values()),
        "webhook_statuses": dict(statuses),
        "unique_answered": sum(1 for i in range(n) if per_event[i] >= 1),
        "duplicates": sum(max(0, c - 1) for c in per_event.values()),
        "lost": sum(1 for i in range(n) if per_event[i] == 0),
        "failed_rows": failed,
        "api_requests": len(requests),
        "api_statuses": dict(Counter(r.status for r in requests)),
        "by_push": sum(1 for d in deliveries if d.kind == "push"),
        "settled": settled_ok,
    }


async def main_async(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="kyodo-bench-"))
    db_url, drop_database = fresh_database(args.database_url, tmp)
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    standin = StandinProcess(TOKEN)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(db_url, standin.url, port, tmp / "server.log", args.serve_arg)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=2) as c:

            async def healthy() -> bool:
                try:
                    return (await c.get("/healthz")).status_code == 200
                except httpx.HTTPError:
                    return False

            deadline = time.monotonic() + 60
            while not await healthy():
                if time.monotonic() > deadline or proc.poll() is not None:
                    print(f"server did not start; see {tmp / 'server.log'}", file=sys.stderr)
                    return 1
                await asyncio.sleep(0.1)
            # Warm-up: the engine loads its indexes in the background at start-up.
            for i in range(20):
                await post(c, [message_event(QUESTIONS[i % len(QUESTIONS)], user=f"Uwarm{i:027d}")])
            await wait_for(lambda: standin.delivered_count() >= 20, timeout=60)
        standin.reset()

        db_kind = "PostgreSQL" if db_url.startswith("postgresql") else "SQLite"
        mode = " ".join(args.serve_arg) or "default loop placement"
        questions = varied_questions() if args.questions == "varied" else QUESTIONS
        print(f"kyodo serve on {base} ({db_kind}, {mode}), stand-in on {standin.url}, {os.cpu_count()} CPUs")
        print(f"questions: {len(questions)} distinct ({args.questions})")
        profiler = None
        if os.environ.get("BENCH_PYSPY"):  # developer aid: sample the server during the load phase
            profiler = subprocess.Popen(
                [os.environ["BENCH_PYSPY"], "record", "-p", str(proc.pid), "-o", str(tmp / "profile.txt"),
                 "-f", "raw", "-d", str(int(args.seconds) + 2), "--nonblocking"]
            )  # fmt: skip
        cpu0 = server_cpu(proc.pid)
        r = await load_phase(base, standin, args.rate, args.seconds, questions)
        cpu = server_cpu(proc.pid) - cpu0
        if profiler is not None:
            profiler.wait(timeout=60)
            print(f"profile: {tmp / 'profile.txt'}")
        w, e = r["webhook_ms"], r["e2e_ms"]
        print(f"\n== load: {r['events']} events at {args.rate:g}/s over {r['send_span']:.1f} s")
        print(f"webhook status codes:          {r['statuses']}")
        print(f"server CPU:                    {cpu:.1f} s ({cpu / r['events'] * 1000:.1f} ms per event)")
        print(
            f"webhook response time:         p50 {pct(w, 50):.1f} ms   p99 {pct(w, 99):.1f} ms   max {max(w):.1f} ms"
        )
        print(
            f"event -> reply delivered:      p50 {pct(e, 50):.1f} ms   p99 {pct(e, 99):.1f} ms   ({r['delivered']} replies, {r['pushes']} pushes)"
        )

        f = await fault_phase(base, standin, args.fault_events, factory)
        print("\n== faults: 100% redelivery, 30% injected API failures (429 / 500 / timeout-after-delivery)")
        print(
            f"events:                        {f['events']} ({f['webhooks']} webhook requests: {f['webhook_statuses']})"
        )
        print(f"unique replies delivered:      {f['unique_answered']}")
        print(f"duplicates:                    {f['duplicates']}")
        print(f"lost:                          {f['lost']}")
        print(f"API requests by status:        {f['api_statuses']} ({f['by_push']} answers went by push)")
        print(f"outbox rows failed:            {f['failed_rows']}   all settled: {f['settled']}")
        ok = f["lost"] == 0 and f["duplicates"] == 0
        print(f"\nexactly once: {'yes' if ok else 'NO'}")
        return 0 if ok else 1
    finally:
        stop_server(proc)
        standin.stop()
        engine.dispose()
        drop_database()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--fault-events", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--serve-arg", action="append", default=[], help="extra `kyodo serve` argument")
    parser.add_argument(
        "--questions",
        choices=("varied", "fixed"),
        default="varied",
        help="varied: every question of evaluation/knowledge_*.yaml (default); fixed: 10 questions",
    )
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
