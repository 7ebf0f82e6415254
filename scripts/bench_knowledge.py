"""Benchmark the knowledge answerer: load time, per-question latency, CLI wall time, memory.

    PYTHONPATH=. python scripts/bench_knowledge.py [--runs 7]

Targets (2-core machine): median <= 2 ms and p99 <= 10 ms per question after loading; a whole
`python -m bot ask "協働とは"` process <= 1.5 s; resident memory <= 200 MB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def questions() -> list[str]:
    data = yaml.safe_load((ROOT / "evaluation" / "knowledge_dev.yaml").read_text(encoding="utf-8"))
    return [i["q"] for i in data["in_scope"]] + [i["q"] for i in data["out_of_scope"]]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=7, help="CLI process runs")
    args = p.parse_args(argv)

    # The CLI runs first: ru_maxrss of a child counts the forked copy of this process before exec,
    # so the parent must still be small when it forks.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    walls, rss = [], []
    for _ in range(args.runs):
        t = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "ask", "協働とは"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - t)
        if status != 0:
            print("kyodo ask failed", file=sys.stderr)
            return 1
        rss.append(usage.ru_maxrss / 1024)  # KiB on Linux
    print(
        f"`python -m bot ask 協働とは` wall time over {args.runs} runs: median {statistics.median(walls):.3f} s "
        f"(min {min(walls):.3f}, max {max(walls):.3f}); first run {walls[0]:.3f} s"
    )
    print(
        f"resident memory of that process (ru_maxrss): median {statistics.median(rss):.1f} MB, "
        f"max {max(rss):.1f} MB, first run {rss[0]:.1f} MB (first run may rebuild the token cache)"
    )

    t0 = time.perf_counter()
    from knowledge import Answerer

    answerer = Answerer.load()
    load_s = time.perf_counter() - t0
    print(f"import + load + index: {load_s * 1000:.0f} ms ({len(answerer.entries)} FAQ entries)")

    qs = questions()
    for q in qs:  # warm-up (lazy caches)
        answerer.answer(q)
    lat, cpu = [], []
    for _ in range(5):
        for q in qs:
            t, c = time.perf_counter(), time.thread_time()
            answerer.answer(q)
            cpu.append((time.thread_time() - c) * 1000)
            lat.append((time.perf_counter() - t) * 1000)
    for name, xs in (("wall", lat), ("cpu", cpu)):
        xs.sort()
        p99 = xs[min(len(xs) - 1, int(len(xs) * 0.99))]
        print(
            f"per question, {name} time ({len(xs)} answers): median {statistics.median(xs):.2f} ms, "
            f"p99 {p99:.2f} ms, max {xs[-1]:.2f} ms"
        )
    print(
        f"load average while measuring: {' '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
