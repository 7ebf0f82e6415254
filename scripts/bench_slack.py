"""Benchmark of the Slack side, on loopback, against the Slack Web API stand-in.

1. Ack time: rounds of N concurrent, correctly signed `/kyodo <質問>` requests to the real app
   under uvicorn. Prints p50/p99/max of the HTTP response time (Slack's 3-second budget is for
   this), and of the time until the ephemeral answer reached response_url.
2. Durability: M suggestions queued while the stand-in fails a share of chat.postMessage calls
   (429 with Retry-After, 500 before storing, 500 after storing, timeouts after storing). Prints
   how many Slack messages exist per suggestion: the target is exactly one each.

Usage: PYTHONPATH=. python scripts/bench_slack.py [--concurrency 50] [--rounds 6]
       [--suggestions 200] [--failure-rate 0.3] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, int(round(p / 100 * len(values) + 0.5)) - 1))
    return values[k]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--suggestions", type=int, default=200)
    ap.add_argument("--failure-rate", type=float, default=0.3)
    ap.add_argument("--database-url", default="")
    args = ap.parse_args()

    import logging

    logging.basicConfig(level=logging.ERROR)
    from tests.support.slack_standin import TEAM_ID, SlackStandin, sign

    tmp = tempfile.mkdtemp(prefix="kyodo-bench-slack-")
    db_url = args.database_url or f"sqlite:///{tmp}/bench.db"
    from bot.storage import migrate

    migrate.upgrade(db_url)
    slack_api = SlackStandin(token=TOKEN).start()
    slack_api.retry_after = 1
    slack_api.delay = 1.5
    os.environ.update(
        {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_BASE_URL": slack_api.api_url,
            "KYODO_STAFF_CHANNEL": "CSTAFF",
            "SLACK_POLL_SECONDS": "0.2",
            "SLACK_TIMEOUT_SECONDS": "1",
            "SLACK_BACKOFF_BASE_SECONDS": "0.2",
            "SLACK_BACKOFF_MAX_SECONDS": "3",
            "SLACK_MAX_ATTEMPTS": "30",
            "SLACK_LEASE_SECONDS": "10",
        }
    )
    for name in ("LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN"):
        os.environ.pop(name, None)
    import socket
    import subprocess

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    # The app runs in its own process, as in production: the load generator and the stand-in
    # must not share its GIL.
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    launcher = (
        "import logging, uvicorn; logging.basicConfig(level=logging.ERROR);"
        "from bot.app import create_app; from bot.settings import Settings;"
        f"uvicorn.run(create_app(Settings.from_env()), host='127.0.0.1', port={port}, log_level='error')"
    )
    proc = subprocess.Popen([sys.executable, "-c", launcher], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/healthz", 60)
        acks, answers = asyncio.run(ack_bench(url, slack_api, args, sign, TEAM_ID))
        print(f"Slack ack bench: {args.rounds} rounds x {args.concurrency} concurrent /kyodo <質問>")
        print(
            f"  HTTP ack   p50 {statistics.median(acks):7.1f} ms   p99 {pct(acks, 99):7.1f} ms   "
            f"max {max(acks):7.1f} ms   (target p99 <= 300 ms)"
        )
        print(
            f"  answer     p50 {statistics.median(answers):7.1f} ms   p99 {pct(answers, 99):7.1f} ms   "
            f"(ephemeral answer at response_url, one request at a time, {len(answers)} requests)"
        )
        durability(db_url, slack_api, args)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        slack_api.stop()
    return 0


def slash_request(host: str, i: int, slack_api, sign, team_id: str, text: str) -> tuple[bytes, str]:
    """One complete HTTP/1.1 request, signed now (so signing is not part of the measured time)."""
    key = uuid.uuid4().hex
    form = {
        "token": "t",
        "team_id": team_id,
        "team_domain": "koganei",
        "channel_id": "CGENERAL",
        "channel_name": "general",
        "user_id": f"U{i:04d}",
        "user_name": f"staff{i}",
        "command": "/kyodo",
        "text": text,
        "api_app_id": "AKYODO",
        "response_url": slack_api.response_url(key),
        "trigger_id": "1.2.3",
    }
    body = urlencode(form).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
    head = f"POST /slack/events HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return head.encode() + body, key


async def send_on(reader, writer, raw: bytes) -> tuple[float, int]:
    """Write one request on an open keep-alive connection; time until the whole response is read."""
    t0 = time.perf_counter()
    writer.write(raw)
    await writer.drain()
    status_line = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return (time.perf_counter() - t0) * 1e3, int(status_line.split()[1])


async def ack_bench(url: str, slack_api, args, sign, team_id: str) -> tuple[list[float], list[float]]:
    """A minimal load generator (raw asyncio streams, connections opened and requests signed
    before the clock starts) so that the figures are the server's, not the client's."""
    host, port = url.split("//")[1].split(":")
    questions = [
        "協働とは何ですか",
        "補助金の申請方法",
        "ＮＰＯと協働したい",
        "委託と補助の違い",
        "実行委員会とは",
    ]
    acks: list[float] = []
    answers: list[float] = []
    round_max: list[float] = []
    conns = [await asyncio.open_connection(host, int(port)) for _ in range(args.concurrency)]
    try:
        # Warm-up: the first question loads the knowledge index.
        raw, _ = slash_request(host, 0, slack_api, sign, team_id, questions[0])
        await send_on(*conns[0], raw)
        await wait_for(lambda: len(slack_api.responses) >= 1, 60)
        for _ in range(args.rounds):
            slack_api.responses.clear()
            batch = [
                slash_request(host, i, slack_api, sign, team_id, questions[i % len(questions)])
                for i in range(args.concurrency)
            ]
            results = await asyncio.gather(
                *(send_on(r, w, raw) for (r, w), (raw, _) in zip(conns, batch, strict=True))
            )
            assert all(status == 200 for _, status in results), results
            acks += [took for took, _ in results]
            round_max.append(max(took for took, _ in results))
            # Let the answers go out before the next burst (each round is a separate burst).
            await wait_for(lambda: len(slack_api.responses) >= args.concurrency, 120)
        # Answer latency on an idle server: request sent -> ephemeral answer at response_url.
        for i in range(20):
            n = len(slack_api.responses)
            raw, _ = slash_request(host, i, slack_api, sign, team_id, questions[i % len(questions)])
            t0 = time.perf_counter()
            await send_on(*conns[0], raw)
            await wait_for(lambda n=n: len(slack_api.responses) > n, 30, interval=0.001)
            answers.append((time.perf_counter() - t0) * 1e3)
    finally:
        for _, w in conns:
            w.close()
    print("  slowest ack per round (ms): " + " ".join(f"{m:.0f}" for m in round_max))
    return acks, answers


async def wait_for(pred, timeout: float, interval: float = 0.01) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise SystemExit("benchmark: condition not met in time")
        await asyncio.sleep(interval)


def wait_http(url: str, timeout: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"benchmark: {url} did not come up")
        time.sleep(0.1)


def durability(db_url: str, slack_api, args) -> None:
    from sqlalchemy import func, select

    from bot.storage.db import make_engine, make_session_factory, transaction
    from bot.storage.models import Group, Suggestion
    from bot.storage.models.messaging import OutboxMessage
    from bot.storage.models.staff import StaffNotification

    slack_rows = OutboxMessage.channel == "slack"

    slack_api.reset()
    slack_api.failure_rate = args.failure_rate
    slack_api.failing_methods = {"chat.postMessage", "conversations.history"}
    factory = make_session_factory(make_engine(db_url))
    started = time.perf_counter()
    with transaction(factory) as s:
        for i in range(args.suggestions):
            g = Group(
                name=f"ベンチ団体{i}",
                name_key=f"べんちだんたい{i}",
                kind="任意団体",
                fields=[7],
                description="清掃活動",
                contact="",
                owner="import:bench",
                match_fingerprint="x",
            )
            s.add(g)
            s.flush()
            s.add(
                Suggestion(
                    group_id=g.id,
                    division_id="kankyo-seisaku" if i % 4 else "community-bunka",
                    rank=1,
                    score=0.5,
                    fields=[],
                    reasons=["分野が一致"],
                    status="new",
                    group_fingerprint="g",
                    division_fingerprint="d",
                )
            )

    def settled() -> bool:
        with factory() as s:
            queued = s.scalar(select(func.count()).select_from(StaffNotification))
            pending = s.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(slack_rows, OutboxMessage.status == "pending")
            )
        return queued == args.suggestions and pending == 0

    deadline = time.monotonic() + 600
    while not settled():
        if time.monotonic() > deadline:
            print("  durability run did not settle within 600 s")
            break
        time.sleep(0.2)
    took = time.perf_counter() - started
    with factory() as s:
        statuses = Counter(s.scalars(select(OutboxMessage.status).where(slack_rows)).all())
        attempts = s.scalar(select(func.sum(OutboxMessage.attempts)).where(slack_rows)) or 0
        ids = set(s.scalars(select(OutboxMessage.id).where(slack_rows)).all())
    per_row = Counter()
    for m in slack_api.posted():
        meta = (m.metadata or {}).get("event_payload") or {}
        per_row[meta.get("outbox_id")] += 1
    faults = Counter(c.fault or "ok" for c in slack_api.calls_to("chat.postMessage"))
    delivered_once = sum(1 for i in ids if per_row.get(i) == 1)
    doubled = sum(1 for i in ids if per_row.get(i, 0) > 1)
    missing = sum(1 for i in ids if per_row.get(i, 0) == 0)
    uncertain = sum(1 for c in slack_api.calls_to("chat.postMessage") if c.fault in ("500_after", "timeout"))
    print(f"Slack durability: {args.suggestions} suggestions, {args.failure_rate:.0%} injected API failures")
    print(
        f"  chat.postMessage calls: {sum(faults.values())} ({', '.join(f'{k} {v}' for k, v in sorted(faults.items()))})"
    )
    print(
        f"  outbox rows: {dict(statuses)}; attempts {attempts}; posted-but-failed answers (500 after storing, timeouts): {uncertain}"
    )
    print(
        f"  messages per suggestion: exactly one {delivered_once}, more than one {doubled}, none {missing}"
        f"   (target: exactly one for all {args.suggestions}); {took:.1f} s"
    )


if __name__ == "__main__":
    raise SystemExit(main())
