"""Exactly once across a crash: faults, redeliveries and a `kill -9` of the server mid-run.

Per run, against the LINE stand-in in a process of its own (reply tokens work once and expire;
a push whose X-Line-Retry-Key was accepted gets 409 and is not delivered again):

1. a fresh database; `kyodo serve` (PostgreSQL: plus two `kyodo worker` processes);
2. --events signed webhooks (default 500) at --rate per second (default 50), each delivered twice
   (the copy marked isRedelivery, 0-2 s later), while the stand-in fails 30% of API calls: 500
   (nothing delivered), 429 with Retry-After, or a reply slower than the client's timeout (it IS
   delivered; the client has given up);
3. midway, `kill -9` of `kyodo serve` and of its child worker (a container dying), then a restart
   at once. Webhooks that find the server down are sent again (after 0.5 s, 1 s, 2 s, then every
   4 s), as LINE redelivers;
4. wait until every event is answered and the outbox has settled, then count per event the
   messages the stand-in delivered (by reply token or push destination).

Prints per run: answered once / duplicates / lost / drain seconds (from the restart until every
event whose webhook was accepted before the kill is answered, and the same from the moment the
restarted server answered /healthz), and a total.

    PYTHONPATH=. python scripts/fault_crash.py [--runs 10] [--events 500] [--rate 50]
                                               [--database sqlite|postgres]
                                               [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Every wait is bounded; the processes are stopped at the end of each run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
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
sys.path.insert(0, str(ROOT / "scripts"))

from bench_line import QUESTIONS, SECRET, TOKEN, StandinProcess, free_port, fresh_database  # noqa: E402

from bot.storage import migrate  # noqa: E402
from bot.storage.db import make_engine, make_session_factory  # noqa: E402
from bot.storage.models.messaging import DeliveryAttempt, InboxEvent, OutboxMessage  # noqa: E402
from tests.support.line_payloads import body_for, message_event, signed  # noqa: E402


def server_env(db_url: str, api_url: str) -> dict[str, str]:
    return dict(
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
        # the lease stays at its default (60 s): a restart must not wait it out
    )


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args, "--log-level", "warning"],
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def kill9(proc: subprocess.Popen) -> None:
    """kill -9 the server and its child worker at once, as when a container dies."""
    for pid in [*children(proc.pid), proc.pid]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=10)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=25)
    except subprocess.TimeoutExpired:
        for pid in [*children(proc.pid), proc.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=10)


async def healthy(base: str, proc: subprocess.Popen, timeout: float = 90) -> float | None:
    """Seconds until /healthz answers 200 (None if it never did)."""
    start = time.monotonic()
    async with httpx.AsyncClient(base_url=base, timeout=3) as c:
        while time.monotonic() - start < timeout and proc.poll() is None:
            try:
                if (await c.get("/healthz")).status_code == 200:
                    return time.monotonic() - start
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.05)
    return None


async def one_run(args: argparse.Namespace, run: int, standin: StandinProcess, tmp: Path) -> dict:
    rng = random.Random(1000 + run)
    db_url, drop_database = fresh_database(args.postgres_url if args.database == "postgres" else None, tmp)
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = server_env(db_url, standin.url)
    log = tmp / f"run{run}.log"
    serve_args = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    procs: list[subprocess.Popen] = []
    server = spawn(serve_args, env, log)
    try:
        if args.database == "postgres":
            procs = [spawn(["worker"], env, log) for _ in range(2)]
        if await healthy(base, server) is None:
            raise RuntimeError(f"server did not start; see {log}")
        # Warm-up (the engine loads its indexes); not counted.
        async with httpx.AsyncClient(base_url=base, timeout=10) as c:
            for i in range(10):
                ev = message_event(QUESTIONS[i], user=f"Uwarm{i:027d}")
                standin.issue(ev["replyToken"])
                body = body_for(ev)
                await c.post("/line/callback", content=body, headers=signed(SECRET, body))
        deadline = time.monotonic() + 60
        while standin.delivered_count() < 10 and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        standin.reset()
        standin.configure(failure_rate=0.30, timeout_delay=1.5)

        n = args.events
        events: list[dict] = [{} for _ in range(n)]
        accepted_at: dict[int, float] = {}  # event -> when a webhook copy was first stored (200)
        statuses: Counter = Counter()
        kill_at = n / args.rate * rng.uniform(0.4, 0.6)
        t0 = time.monotonic()
        killed = {"at": None, "restart": None, "ready": None}

        # A bounded number of requests in flight: with hundreds queued in its pool while the server
        # is down, httpcore spent whole seconds of CPU per request on its own bookkeeping.
        in_flight = asyncio.Semaphore(64)
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        async with httpx.AsyncClient(base_url=base, timeout=5, limits=limits) as client:

            async def deliver(i: int, copy: int, delay: float) -> None:
                await asyncio.sleep(delay)
                if copy == 0:
                    events[i] = message_event(rng.choice(QUESTIONS), user=f"Ucrash{run:02d}{i:024d}")
                    standin.issue(events[i]["replyToken"])
                else:
                    while not events[i]:
                        await asyncio.sleep(0.05)
                ev = events[i] if copy == 0 else dict(events[i], deliveryContext={"isRedelivery": True})
                body = body_for(ev)
                give_up, pause = time.monotonic() + 180, 0.5
                while True:  # LINE redelivers what did not get a 200 (later and later)
                    try:
                        async with in_flight:
                            r = await client.post(
                                "/line/callback", content=body, headers=signed(SECRET, body)
                            )
                        statuses[r.status_code] += 1
                        if r.status_code == 200:
                            accepted_at.setdefault(i, time.monotonic())
                            return
                    except httpx.HTTPError:
                        statuses["down"] += 1
                    if time.monotonic() > give_up:
                        return
                    await asyncio.sleep(pause * rng.uniform(0.5, 1.0))
                    pause = min(pause * 2, 4.0)

            async def crash() -> None:
                nonlocal server
                await asyncio.sleep(kill_at)
                kill9(server)
                killed["at"] = time.monotonic()
                server = spawn(serve_args, env, log)
                killed["restart"] = time.monotonic()
                up = await healthy(base, server)
                killed["ready"] = None if up is None else killed["restart"] + up

            tasks = [asyncio.create_task(crash())]
            for i in range(n):
                tasks.append(asyncio.create_task(deliver(i, 0, i / args.rate)))
                tasks.append(asyncio.create_task(deliver(i, 1, i / args.rate + rng.uniform(0, 2))))

            # Watch for the drain: every event accepted before the kill answered.
            def answered() -> Counter:
                token_of = {ev["replyToken"]: i for i, ev in enumerate(events) if ev}
                user_of = {ev["source"]["userId"]: i for i, ev in enumerate(events) if ev}
                per: Counter = Counter()
                for d in standin.deliveries():
                    i = token_of.get(d.target, user_of.get(d.target))
                    if i is not None:
                        per[i] += 1
                return per

            drained_at = None
            while killed["restart"] is None:
                await asyncio.sleep(0.05)
            before_kill = [i for i, at in accepted_at.items() if at < killed["at"]]
            last = None  # the pre-kill event answered last
            while drained_at is None and time.monotonic() - killed["restart"] < 120:
                per = answered()
                waiting = [i for i in before_kill if per[i] < 1]
                if not waiting:
                    drained_at = time.monotonic()
                    break
                last = waiting[0]
                await asyncio.sleep(0.1)
            await asyncio.gather(*tasks)
        sent_span = time.monotonic() - t0

        def settled() -> bool:
            with factory() as s:
                unprocessed = s.scalar(select(func.count()).where(InboxEvent.processed_at.is_(None)))
                pending = s.scalar(select(func.count()).where(OutboxMessage.status == "pending"))
            return unprocessed == 0 and pending == 0

        deadline = time.monotonic() + 180
        while not settled() and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        await asyncio.sleep(2.5)  # answers of timed-out requests land
        per = answered()
        with factory() as s:
            failed = s.scalar(select(func.count()).where(OutboxMessage.status == "failed"))
            uncertain = s.scalar(select(func.count()).where(OutboxMessage.uncertain.is_(True)))
        requests = standin.requests()
        why = ""
        if last is not None:  # what the event answered last went through
            with factory() as s:
                ev = s.scalars(
                    select(InboxEvent).where(InboxEvent.event_id == events[last]["webhookEventId"])
                ).first()
                row = (
                    ev
                    and s.scalars(select(OutboxMessage).where(OutboxMessage.inbox_event_id == ev.id)).first()
                )
                tries = (
                    s.scalars(select(DeliveryAttempt).where(DeliveryAttempt.outbox_id == row.id)).all()
                    if row
                    else []
                )
            if ev is not None:
                base_t = ev.received_at
                why = (
                    f"last pre-kill event: processed +{(ev.processed_at - base_t).total_seconds():.1f}s"
                    + "".join(
                        f", {a.method} {a.status_code or a.error} +{(a.at - base_t).total_seconds():.1f}s"
                        for a in tries
                    )
                )
        return {
            "why": why,
            "events": n,
            "once": sum(1 for i in range(n) if per[i] == 1),
            "duplicates": sum(max(0, c - 1) for c in per.values()),
            "lost": sum(1 for i in range(n) if per[i] == 0),
            "kill_after": killed["at"] - t0,
            "in_flight_at_kill": len(before_kill),
            "drain": None if drained_at is None else drained_at - killed["restart"],
            "drain_after_ready": None
            if drained_at is None or killed["ready"] is None
            else max(0.0, drained_at - killed["ready"]),
            "ready_after": None if killed["ready"] is None else killed["ready"] - killed["restart"],
            "failed_rows": failed,
            "uncertain_rows": uncertain,
            "api": dict(Counter(r.status for r in requests)),
            "webhooks": dict(statuses),
            "span": sent_span,
            "settled": settled(),
        }
    finally:
        for p in [server, *procs]:
            stop(p)
        engine.dispose()
        drop_database()


def fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


async def main_async(args: argparse.Namespace) -> int:
    standin = StandinProcess(TOKEN)
    standin.set_token_ttl(args.token_ttl)
    results = []
    try:
        print(
            f"{args.runs} runs x {args.events} events at {args.rate:g}/s, each delivered twice, 30% API faults, "
            f"kill -9 mid-run; database: {args.database}; {os.cpu_count()} CPUs (shared machine)"
        )
        print(
            "run  once  dup  lost  killed@s  accepted-before-kill  drain-s  (after-ready-s)  ready-s  api statuses"
        )
        for run in range(args.runs):
            tmp = Path(tempfile.mkdtemp(prefix="kyodo-crash-"))
            r = await one_run(args, run, standin, tmp)
            results.append(r)
            print(
                f"{run:>3}  {r['once']:>4}  {r['duplicates']:>3}  {r['lost']:>4}  {r['kill_after']:>8.1f}  "
                f"{r['in_flight_at_kill']:>20}  {fmt(r['drain']):>7}  ({fmt(r['drain_after_ready']):>13})  "
                f"{fmt(r['ready_after']):>7}  {r['api']}  failed={r['failed_rows']} settled={r['settled']}",
                flush=True,
            )
            if args.explain and r["why"]:
                print(f"     {r['why']}", flush=True)
    finally:
        standin.stop()
    dups = sum(r["duplicates"] for r in results)
    lost = sum(r["lost"] for r in results)
    drains = [r["drain"] for r in results if r["drain"] is not None]
    print(
        f"\ntotal: {sum(r['once'] for r in results)} answered once, {dups} duplicates, {lost} lost "
        f"over {len(results)} runs; drain after restart max {fmt(max(drains) if drains else None)} s "
        f"(after /healthz answered: max {fmt(max((r['drain_after_ready'] or 0) for r in results))} s)"
    )
    ok = dups == 0 and lost == 0 and len(drains) == len(results)
    print(f"exactly once: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--explain", action="store_true", help="show what the event drained last went through"
    )
    parser.add_argument(
        "--token-ttl", type=float, default=60.0, help="the stand-in's reply token lifetime (s)"
    )
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
