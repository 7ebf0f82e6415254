"""/healthz latency under load: a real `kyodo serve` process, signed LINE webhooks at --rate per
second answered by the real engine (the database work /healthz must not wait behind), and
--clients clients asking /healthz at the same moment, every --interval seconds, for --seconds
(--interval 0: again as soon as answered). Prints /healthz
p50 / p99 / max and the webhook p50 / p99 over the same period. Target: /healthz p99 <= 100 ms
at 200 concurrent requests.

    PYTHONPATH=. python scripts/bench_healthz.py [--clients 200] [--seconds 10] [--rate 50]
                                                 [--interval 0.25] [--database-url postgresql+psycopg://...]

The load generator, the stand-in and the server share the machine's cores: the figures include
the generator's own waits for its event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_line import (  # noqa: E402
    QUESTIONS,
    TOKEN,
    StandinProcess,
    free_port,
    fresh_database,
    make_event,
    pct,
    post,
    start_server,
    stop_server,
)

from bot.storage import migrate  # noqa: E402


async def main_async(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="kyodo-healthz-"))
    db_url, drop_database = fresh_database(args.database_url, tmp)
    migrate.upgrade(db_url)
    standin = StandinProcess(TOKEN)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(db_url, standin.url, port, tmp / "server.log", [])
    try:
        limits = httpx.Limits(max_connections=args.clients + 50, max_keepalive_connections=args.clients + 50)
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    print(f"server did not start; see {tmp / 'server.log'}", file=sys.stderr)
                    return 1
                await asyncio.sleep(0.1)
            for i in range(10):  # warm-up: the engine loads its indexes
                await post(client, [make_event(i, random.Random(i), QUESTIONS)])
            await asyncio.sleep(2)

            health: list[float] = []
            hooks: list[float] = []
            statuses: Counter = Counter()
            t_start = time.monotonic()
            stop_at = t_start + args.seconds

            async def asker() -> None:
                # A bare keep-alive HTTP/1.1 connection: httpx spent more CPU per request than the
                # server, and the figure measured the load generator.
                try:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                except OSError:
                    statuses["connect error"] += 1
                    return
                try:
                    tick = 0
                    while time.monotonic() < stop_at:
                        if args.interval > 0:  # bursts: every client asks at the same moment
                            tick += 1
                            await asyncio.sleep(max(0.0, t_start + tick * args.interval - time.monotonic()))
                        start = time.perf_counter()
                        writer.write(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n")
                        head = await reader.readuntil(b"\r\n\r\n")
                        length = 0
                        for line in head.split(b"\r\n"):
                            if line.lower().startswith(b"content-length:"):
                                length = int(line.split(b":", 1)[1])
                        await reader.readexactly(length)
                        health.append(time.perf_counter() - start)
                        statuses[int(head.split(b" ", 2)[1])] += 1
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    statuses["error"] += 1
                finally:
                    writer.close()

            async def webhooks() -> None:
                rng = random.Random(5)
                tasks = []
                i, t0 = 0, time.monotonic()
                while time.monotonic() < stop_at:
                    delay = t0 + i / args.rate - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)

                    async def one(ev: dict) -> None:
                        try:
                            status, elapsed = await post(client, [ev])
                            if status == 200:
                                hooks.append(elapsed)
                        except httpx.HTTPError:
                            pass

                    tasks.append(asyncio.create_task(one(make_event(i, rng, QUESTIONS))))
                    i += 1
                await asyncio.gather(*tasks)

            await asyncio.gather(webhooks(), *(asker() for _ in range(args.clients)))
        ms = [x * 1000 for x in health]
        hook_ms = [x * 1000 for x in hooks]
        print(
            f"/healthz with {args.clients} concurrent clients for {args.seconds:g} s "
            f"({f'bursts every {args.interval:g} s' if args.interval > 0 else 'closed loop'}), "
            f"webhooks at {args.rate:g}/s ({'PostgreSQL' if db_url.startswith('postgresql') else 'SQLite'})"
        )
        print(f"/healthz: {len(ms)} requests {dict(statuses)}")
        print(f"/healthz latency: p50 {pct(ms, 50):.1f} ms  p99 {pct(ms, 99):.1f} ms  max {max(ms):.1f} ms")
        print(
            f"webhook latency:  p50 {pct(hook_ms, 50):.1f} ms  p99 {pct(hook_ms, 99):.1f} ms ({len(hook_ms)} ok)"
        )
        return 0 if pct(ms, 99) <= 100 else 1
    finally:
        stop_server(proc)
        standin.stop()
        drop_database()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rate", type=float, default=50, help="webhook events per second beside")
    parser.add_argument(
        "--interval",
        type=float,
        default=0.25,
        help="seconds between bursts of --clients simultaneous requests (0: each client asks again "
        "as soon as answered, a closed loop that measures the server's saturation instead)",
    )
    parser.add_argument("--database-url", default=None)
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
