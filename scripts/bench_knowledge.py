"""Benchmark the knowledge answerer: load time, per-question latency, CLI wall time, memory.

    PYTHONPATH=. python scripts/bench_knowledge.py [--runs 7] [--questions dev|real|english]

``--questions english`` times the English dev questions (issue 15) and runs the CLI with
"What is kyodo?" (the English answerer is built lazily, on the first English question).

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


def questions(which: str = "dev") -> list[str]:
    """The questions timed: knowledge_dev.yaml ("dev"), the real dev questions ("real", longer), or
    the English dev questions ("english")."""
    if which == "english":
        data = yaml.safe_load((ROOT / "evaluation" / "english_dev.yaml").read_text(encoding="utf-8"))
        return [str(i["q"]) for i in data["questions"]]
    if which == "real":
        out = []
        for p in sorted((ROOT / "evaluation").glob("real_*_dev.yaml")):
            out += [str(i["q"]) for i in yaml.safe_load(p.read_text(encoding="utf-8"))["questions"]]
        return out
    data = yaml.safe_load((ROOT / "evaluation" / "knowledge_dev.yaml").read_text(encoding="utf-8"))
    return [i["q"] for i in data["in_scope"]] + [i["q"] for i in data["out_of_scope"]]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=7, help="CLI process runs")
    p.add_argument("--questions", choices=("dev", "real", "english"), default="dev", help="questions to time per answer")
    args = p.parse_args(argv)

    # The CLI runs first: ru_maxrss of a child counts the forked copy of this process before exec,
    # so the parent must still be small when it forks.
    # A fresh, empty cache directory: the first run is a cold start (a new machine, or new data
    # or code: the index is built and the token cache written), the others are warm.
    import tempfile

    cache = tempfile.mkdtemp(prefix="kyodo-bench-cache-")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KYODO_CACHE_DIR": cache}
    walls, rss, cpus = [], [], []
    asked = "What is kyodo?" if args.questions == "english" else "協働とは"
    for _ in range(args.runs + 1):
        t = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "ask", asked],
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
        cpus.append(usage.ru_utime + usage.ru_stime)  # the process's own CPU time: robust to other load
    import shutil

    shutil.rmtree(cache, ignore_errors=True)
    cold_wall, cold_rss, cold_cpu, walls, rss, cpus = walls[0], rss[0], cpus[0], walls[1:], rss[1:], cpus[1:]
    print(
        f"`python -m bot ask {asked}`, cold (empty cache): {cold_wall:.3f} s wall, {cold_cpu:.3f} s CPU, "
        f"ru_maxrss {cold_rss:.1f} MB"
    )
    print(
        f"`python -m bot ask {asked}`, warm, {args.runs} runs: median {statistics.median(walls):.3f} s wall "
        f"(min {min(walls):.3f}, max {max(walls):.3f}), {statistics.median(cpus):.3f} s CPU; "
        f"ru_maxrss median {statistics.median(rss):.1f} MB, "
        f"max {max(rss):.1f} MB"
    )

    t0 = time.perf_counter()
    from knowledge import Answerer

    answerer = Answerer.load()
    load_s = time.perf_counter() - t0
    print(f"import + load + index: {load_s * 1000:.0f} ms ({len(answerer.entries)} FAQ entries)")

    from knowledge import analysis

    qs = questions(args.questions)
    for q in qs:  # warm-up (lazy caches)
        answerer.answer(q)
    lat, cpu = [], []
    for _ in range(5):
        for q in qs:
            analysis._tokenize.cache_clear()  # repeated questions must not flatter the figures
            answerer.analyzer.clear_cache()
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
