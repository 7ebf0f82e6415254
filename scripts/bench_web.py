#!/usr/bin/env python3
"""Benchmark of the web corner: server time (the app's ``Server-Timing: app;dur=``, from the request
reaching the app to the start of its response) and client latency, for the pages and for the
question endpoint, each at a fixed arrival rate (open loop, default 50 requests/s).

    .venv/bin/python scripts/bench_web.py [--rate 50] [--seconds 20] [--database-url URL]

It runs `kyodo serve --in-process` on a fresh SQLite file (200 listed groups) in its own process
and prints p50 / p95 / p99 per phase, the errors, and each page's size over the wire (gzip).
Targets (issue 13): pages p99 <= 20 ms, a question p99 <= 30 ms. On a shared machine the figures
move with the load of everything else: report them with the load average printed here.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = [
    "/",
    "/guideline",
    "/faq",
    "/faq/about-kyodo",
    "/faq/form-list",
    "/ask",
    "/groups",
    "/groups?field=7&q=%E5%85%AC%E5%9C%92",
    "/divisions",
    "/divisions?activity=%E5%85%AC%E5%9C%92%E3%81%AE%E6%B8%85%E6%8E%83%E3%82%92%E3%81%97%E3%81%A6%E3%81%84%E3%81%BE%E3%81%99",
]
QUESTIONS = [
    "協働とは何ですか",
    "補助金はありますか",
    "協働の原則を教えて",
    "後援と共催の違いは？",
    "町内会も対象になりますか",
    "政治活動をしている団体でも協働できますか",
    "相談はどこにすればいいですか",
    "明日の天気はどうなりますか",
    "NPO法人ってなに",
    "実行委員会方式とは",
]
TIMING = re.compile(r"app;dur=([0-9.]+)")
CSRF = re.compile(r'name="csrf" value="([0-9a-f]{32})"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(url: str, groups: int) -> None:
    from bot.storage import migrate
    from bot.storage.db import make_engine, make_session_factory, transaction
    from bot.storage.models import Group

    migrate.upgrade(url)
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as s:
        for i in range(groups):
            s.add(
                Group(
                    name=f"ベンチ団体{i}",
                    name_key=f"ベンチ団体{i}",
                    kind="任意団体",
                    owner="import:bench",
                    fields=[1 + i % 20],
                    description="公園の清掃と子どもの居場所づくりをしています。" if i % 3 else "高齢者の見守り。",
                    listed=True,
                )
            )
    engine.dispose()


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def phase(base: str, name: str, rate: float, seconds: float, make) -> None:
    server: list[float] = []
    client: list[float] = []
    errors: dict[str, int] = {}
    connector = aiohttp.TCPConnector(limit=200)
    async with aiohttp.ClientSession(base, connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        page = await (await http.get("/ask")).text()
        token = CSRF.search(page).group(1)

        async def one(i: int) -> None:
            started = time.perf_counter()
            try:
                method, path, data = make(i, token)
                async with http.request(method, path, data=data, headers={"Accept-Encoding": "gzip"}) as r:
                    await r.read()
                    if r.status != 200:
                        errors[str(r.status)] = errors.get(str(r.status), 0) + 1
                    m = TIMING.search(r.headers.get("Server-Timing", ""))
                    if m:
                        server.append(float(m.group(1)))
            except Exception as exc:  # counted, not fatal
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                return
            client.append((time.perf_counter() - started) * 1000)

        total = int(rate * seconds)
        start = time.perf_counter()
        tasks = []
        for i in range(total):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    print(
        f"{name:10s} {len(client)}/{total} requests in {elapsed:.1f} s ({len(client) / elapsed:.1f}/s); "
        f"server time p50 {pct(server, 50):.2f} / p95 {pct(server, 95):.2f} / p99 {pct(server, 99):.2f} ms "
        f"(max {max(server or [0]):.1f}); client p50 {pct(client, 50):.1f} / p99 {pct(client, 99):.1f} ms; "
        f"errors {errors or 0}"
    )


async def sizes(base: str) -> None:
    async with aiohttp.ClientSession(base, auto_decompress=False) as http:
        assets = 0
        for path in ("/static/corner.css", "/static/corner.js"):
            async with http.get(path, headers={"Accept-Encoding": "gzip"}) as r:
                assets += len(await r.read())
        for path in PAGES:
            async with http.get(path, headers={"Accept-Encoding": "gzip"}) as r:
                body = len(await r.read())
            print(f"  {path[:60]:60s} {body / 1000:5.1f} KB + CSS/JS {assets / 1000:.1f} KB = {(body + assets) / 1000:.1f} KB")


async def main_async(args: argparse.Namespace, base: str) -> None:
    async with aiohttp.ClientSession(base) as http:  # warm up: the index, the matcher, the templates
        for path in PAGES:
            await (await http.get(path)).read()
    await phase(base, "warm-up", args.rate, 3, lambda i, t: ("POST", "/ask", {"q": QUESTIONS[i % 10], "csrf": t}))
    print("over the wire (gzip):")
    await sizes(base)
    await phase(base, "pages", args.rate, args.seconds, lambda i, t: ("GET", PAGES[i % len(PAGES)], None))
    await phase(
        base,
        "questions",
        args.rate,
        args.seconds,
        lambda i, t: ("POST", "/ask", {"q": QUESTIONS[i % len(QUESTIONS)], "csrf": t}),
    )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rate", type=float, default=50.0, help="requests per second (default 50)")
    p.add_argument("--seconds", type=float, default=20.0, help="length of each phase (default 20)")
    p.add_argument("--groups", type=int, default=200, help="listed groups to seed (default 200)")
    p.add_argument("--database-url", default="", help="a migrated database to use instead of a fresh SQLite file")
    args = p.parse_args()
    tmp = tempfile.mkdtemp(prefix="kyodo-bench-web-")
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    if not args.database_url:
        seed(url, args.groups)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "KYODO_WEB_QUESTIONS_PER_MINUTE": "1000000",
        "LINE_CHANNEL_SECRET": "",
        "LINE_CHANNEL_ACCESS_TOKEN": "",
        "SLACK_BOT_TOKEN": "",
        "SLACK_SIGNING_SECRET": "",
    }
    kyodo = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port), "--in-process",
             "--log-level", "warning"]
    server = subprocess.Popen(kyodo, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
              f"({os.cpu_count()} CPUs; the machine is shared, figures move with its load)")
        asyncio.run(main_async(args, base))
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print("targets: pages p99 <= 20 ms, questions p99 <= 30 ms")
    finally:
        server.terminate()
        server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
