"""Time the conversation engine: handle() per event, on a fresh SQLite file (or DATABASE_URL).

Runs scripted conversations (questions, 対象チェック, 団体登録, 相談・提案) for several users, each
event in its own transaction like the worker, and prints p50/p99 per kind of step. The libraries
are loaded before timing starts (as `warm_up()` does in a worker).

    PYTHONPATH=. python scripts/bench_engine.py [--users 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from bot.engine import warm_up
from bot.engine.router import handle
from bot.engine.types import Incoming
from bot.storage import migrate
from bot.storage.db import make_engine, make_session_factory, transaction

QUESTIONS = [
    "協働とは",
    "補助金はもらえますか",
    "企業も協働できますか",
    "今日の天気は？",
    "きょうどうのげんそく",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    migrate.upgrade(url)
    warm_up()
    factory = make_session_factory(make_engine(url))
    timings: dict[str, list[float]] = defaultdict(list)
    now = datetime.now(UTC)

    class User:
        def __init__(self, user_id: str) -> None:
            self.user_id = user_id
            self.last: list = []

        def send(self, label: str, kind: str, **kw) -> None:
            nonlocal now
            incoming = Incoming(channel="line", user_id=self.user_id, kind=kind, **kw)
            start = time.perf_counter()
            with transaction(factory) as session:
                self.last = handle(session, incoming, now=now)
            timings[label].append((time.perf_counter() - start) * 1000)
            now += timedelta(seconds=1)

        def has(self, name: str):
            for r in reversed(self.last):
                for c in [*r.choices, *(a for card in r.cards for a in card.actions)]:
                    if c.label == name:
                        return c
            return None

        def tap(self, label: str, name: str) -> None:
            c = self.has(name)
            if c is None:
                raise SystemExit(f"no choice {name!r}")
            if c.data:
                self.send(label, "postback", data=c.data)
            else:
                self.send(label, "text", text=c.text)

    for u in range(args.users):
        user = User(f"Ubench{u:04d}")
        user.send("follow", "follow")
        for q in QUESTIONS:
            user.send("question", "text", text=q)
        user.send("flow step", "text", text="対象チェック")
        for _ in range(4):
            user.tap("flow step", "はい")
        user.send("flow step", "text", text="団体登録")
        user.send("flow step", "text", text=f"ベンチマーク研究会 第{u}支部")
        if user.has("別の団体です"):
            user.tap("flow step", "別の団体です")
        user.tap("flow step", "NPO法人")
        user.send("flow step", "text", text="環境、子育て")
        user.tap("flow step", "次へ")
        user.send("flow step", "text", text="公園の清掃と子どもの自然観察会")
        user.tap("flow step", "省略する")
        user.tap("save group", "登録する")
        user.send("matching", "text", text="相談する")
        user.tap("flow step", "この課に相談する")
        for text in ("目的です", "目標です", "市に期待", "団体が担う"):
            user.send("flow step", "text", text=text)
        user.tap("save proposal", "送る")

    print(f"engine handle() per event, {args.users} users, {url.split(':')[0]}")
    for label, values in timings.items():
        values.sort()
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        print(f"  {label:14s} n={len(values):4d}  p50={statistics.median(values):6.1f} ms  p99={p99:6.1f} ms")


if __name__ == "__main__":
    main()
