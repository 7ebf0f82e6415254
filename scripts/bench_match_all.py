#!/usr/bin/env python
"""Benchmark `kyodo match --all`: N generated groups x all divisions (target: <= 10 s, <= 500 MB).

Generates N (default 50,000) varied, realistic group profiles from a fixed seed into a fresh
SQLite file (and, with --database-url, into a PostgreSQL database too), then runs the match-all
refresh three times, each in a fresh child process measured on its own:

1. first run: every pair is new;
2. second run: nothing changed, so every group is skipped on its fingerprint;
3. third run: after 1% of the groups changed their description.

Prints wall seconds (whole child process: interpreter start, imports, Matcher.load, refresh),
refresh seconds, groups/s, CPU seconds (main process and its worker processes), suggestions
written and the peak memory of the process tree (RSS summed over processes, and PSS, which
counts the pages forked workers share with the main process once). The machine's load average
is printed too: other work on the same cores stretches wall time, not CPU time.

    PYTHONPATH=. /work/venv/bin/python scripts/bench_match_all.py [--groups 50000]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench --reset]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AREAS = [
    "小金井",
    "こがねい",
    "貫井",
    "貫井北町",
    "貫井南町",
    "桜町",
    "緑町",
    "東町",
    "本町",
    "前原町",
    "梶野町",
    "中町",
    "関野町",
    "武蔵小金井",
    "東小金井",
    "野川",
    "はけ",
    "さくら通り",
    "栗山",
    "黄金井",
]
# (field numbers, name stems, activity phrases)
THEMES: list[tuple[list[int], list[str], list[str]]] = [
    (
        [1],
        ["見守り隊", "ふれあいサロン", "傾聴ボランティア", "配食の会", "介護者の集い"],
        [
            "一人暮らしの高齢者を訪問して見守りをしています",
            "週に一度、地域の集会所でサロンを開いています",
            "お弁当を届けながら安否確認をしています",
            "認知症の方と家族のつどいを開いています",
        ],
    ),
    (
        [13, 1],
        ["子ども食堂", "子育てひろば", "ママの会", "プレーパーク", "学習支援教室"],
        [
            "子どもたちに温かい食事と居場所を提供しています",
            "乳幼児親子が気軽に集えるひろばを運営しています",
            "放課後の子どもの学習をボランティアが支えています",
            "冒険遊び場で外遊びの機会をつくっています",
        ],
    ),
    (
        [7],
        ["湧水を守る会", "野川の自然を守る会", "緑のボランティア", "ごみゼロの会", "雑木林の会"],
        [
            "野川の湧水の水量と水質を毎月調査しています",
            "公園の雑木林の手入れと下草刈りをしています",
            "ごみの減量とリサイクルを呼びかけています",
            "ホタルの生息地を保全しています",
        ],
    ),
    (
        [6],
        ["合唱団", "市民オーケストラ", "郷土史研究会", "写真クラブ", "ダンスサークル", "少年野球"],
        [
            "市民会館で年二回の演奏会を開いています",
            "小金井の歴史や文化財を調べて冊子にまとめています",
            "地域の子どもにスポーツを教えています",
            "桜の季節に写真展を開いています",
        ],
    ),
    (
        [2],
        ["読み聞かせの会", "市民大学の会", "公民館講座の会", "図書館ボランティア"],
        [
            "図書館で絵本の読み聞かせをしています",
            "大人のための学びなおし講座を企画しています",
            "公民館で月例の勉強会を開いています",
        ],
    ),
    (
        [3],
        ["まちづくり協議会", "空き家活用の会", "商店街にぎわい隊", "まち歩きの会"],
        [
            "駅前のにぎわいづくりに取り組んでいます",
            "空き家を地域の居場所として活用しています",
            "まち歩きマップを作っています",
        ],
    ),
    (
        [8, 9],
        ["防災会", "防犯パトロール隊", "避難所運営の会", "交通安全の会"],
        [
            "地域の防災訓練と備蓄の点検をしています",
            "夕方に通学路の防犯パトロールをしています",
            "災害時の避難所運営を学んでいます",
        ],
    ),
    (
        [11],
        ["国際交流の会", "日本語教室", "多文化共生ネット"],
        ["外国にルーツのある住民に日本語を教えています", "留学生との交流会を開いています"],
    ),
    ([12], ["男女共同参画の会", "女性の働き方サロン"], ["家事や育児の分担について講座を開いています"]),
    (
        [17, 16],
        ["就労支援の会", "ソーシャルビジネス研究会", "農のある暮らしの会"],
        [
            "若者の就労を支援しています",
            "地元の野菜を直売して農家を応援しています",
            "起業を目指す人を応援しています",
        ],
    ),
    (
        [14, 15],
        ["シニアのIT教室", "子ども科学クラブ"],
        ["高齢者にスマートフォンの使い方を教えています", "子ども向けに科学実験教室を開いています"],
    ),
    ([10], ["平和を考える会", "人権を学ぶ会"], ["戦争体験を聞く会を毎年開いています"]),
    ([18], ["消費者の会"], ["悪質商法の被害を防ぐ出前講座をしています"]),
    ([19], ["市民活動ネットワーク"], ["市民活動団体どうしの交流と情報交換を支えています"]),
]
KINDS = [
    "NPO法人",
    "任意団体・市民活動団体",
    "ボランティア団体",
    "自治会・町会",
    "公益法人等",
    "教育・研究機関",
    "企業",
    "その他",
]
KIND_WEIGHTS = [15, 40, 20, 10, 5, 3, 5, 2]
EXTRAS = [
    "会員は{n}名で、どなたでも参加できます。",
    "毎月第{d}土曜日に活動しています。",
    "市との協働事業の経験があります。",
    "新しい仲間を募集しています。",
    "活動は{n}年目になりました。",
    "",
]


def generate(n: int, seed: int) -> list[dict]:
    rnd = random.Random(seed)
    groups = []
    for i in range(n):
        fields, stems, phrases = rnd.choice(THEMES)
        kind = rnd.choices(KINDS, KIND_WEIGHTS)[0]
        prefix = "NPO法人 " if kind == "NPO法人" and rnd.random() < 0.5 else ""
        name = f"{prefix}{rnd.choice(AREAS)}{rnd.choice(stems)}{'' if rnd.random() < 0.7 else f' 第{i % 97 + 1}'}"
        sentences = rnd.sample(phrases, k=min(len(phrases), rnd.randint(1, 2)))
        if rnd.random() < 0.25:  # many groups do a bit of something else too
            sentences.append(rnd.choice(rnd.choice(THEMES)[2]))
        sentences.append(rnd.choice(EXTRAS).format(n=rnd.randint(3, 120), d=rnd.randint(1, 4)))
        shape = rnd.random()
        if shape < 0.15:  # fields only
            description, group_fields = "", fields
        elif shape < 0.55:  # description only
            description, group_fields = "。".join(s.rstrip("。") for s in sentences if s) + "。", []
        else:
            description, group_fields = "。".join(s.rstrip("。") for s in sentences if s) + "。", fields
        groups.append({"name": name, "kind": kind, "fields": group_fields, "description": description})
    return groups


def load(url: str, groups: list[dict], reset: bool) -> None:
    from sqlalchemy import func, insert, select, text

    from bot.registry.groups import name_key
    from bot.storage import migrate
    from bot.storage.db import make_engine, utcnow
    from bot.storage.models import Base, Group

    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        count = conn.execute(select(func.count()).select_from(Group.__table__)).scalar_one()
        if count and not reset:
            raise SystemExit(
                f"{url} already has {count} groups; use --reset to empty it (deletes all groups!)"
            )
        if count and engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        elif count:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
        now = utcnow()
        rows = [
            {
                **g,
                "name_key": name_key(g["name"]),
                "contact": "",
                "owner": "bench",
                "created_at": now,
                "updated_at": now,
            }
            for g in groups
        ]
        for start in range(0, len(rows), 5000):
            conn.execute(insert(Group.__table__), rows[start : start + 5000])
    engine.dispose()


def change_some(url: str, fraction: float, seed: int) -> int:
    from sqlalchemy import bindparam, select, update

    from bot.storage.db import make_engine
    from bot.storage.models import Group

    t = Group.__table__
    engine = make_engine(url)
    with engine.begin() as conn:
        ids = [r[0] for r in conn.execute(select(t.c.id).order_by(t.c.id))]
        picked = random.Random(seed + 1).sample(ids, k=max(1, int(len(ids) * fraction)))
        conn.execute(
            update(t)
            .where(t.c.id == bindparam("b_id"))
            .values(description=t.c.description + bindparam("b_extra")),
            [{"b_id": i, "b_extra": "今年から子ども向けの自然観察会も始めました。"} for i in picked],
        )
    engine.dispose()
    return len(picked)


CHILD = (
    "import argparse, json, sys; from bot.commands.matching import run_match_all; "
    "sys.exit(run_match_all(argparse.Namespace(all=True, json=True, top={top})))"
)


def _tree(pid: int) -> list[int]:
    """pid and all its descendants (Linux /proc)."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        with contextlib.suppress(OSError):
            todo.extend(int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split())
    return pids


def _memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in KiB; PSS shares pages that forked workers have in common."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def run_child(url: str, top: int) -> dict:
    """Run the match-all command in a child process; measure wall, CPU and memory of its tree."""
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p] + [str(ROOT)]
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": os.pathsep.join(paths)}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(top=top)],
        cwd=tempfile.gettempdir(),
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    peak = {"rss": 0, "pss": 0}
    done = threading.Event()

    def sample() -> None:  # the worker processes count too
        while not done.wait(0.05):
            totals = [_memory_kib(p) for p in _tree(proc.pid)]
            peak["rss"] = max(peak["rss"], sum(r for r, _ in totals))
            peak["pss"] = max(peak["pss"], sum(p for _, p in totals))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"match --all failed with exit code {proc.returncode}")
    summary = json.loads(out.strip().splitlines()[-1])
    summary["wall_seconds"] = wall
    summary["cpu_seconds"] = usage.ru_utime + usage.ru_stime  # includes the waited-for workers
    summary["peak_tree_rss_mb"] = peak["rss"] / 1024
    summary["peak_tree_pss_mb"] = peak["pss"] / 1024
    return summary


def report(label: str, s: dict, n: int) -> None:
    written = s["new"] + s["refreshed"] + s["stale"]
    print(
        f"{label}\n"
        f"    wall {s['wall_seconds']:.2f} s (refresh {s['seconds']:.2f} s, {n / s['seconds']:.0f} groups/s), "
        f"CPU {s['cpu_seconds']:.2f} s\n"
        f"    groups matched {s['groups_matched']}, unchanged {s['groups_unchanged']}; suggestions new {s['new']}, "
        f"refreshed {s['refreshed']}, unchanged {s['unchanged']}, stale {s['stale']} (rows written {written})\n"
        f"    peak memory of the process tree (main + workers, sampled every 50 ms): "
        f"{s['peak_tree_rss_mb']:.0f} MB RSS, {s['peak_tree_pss_mb']:.0f} MB PSS"
    )


def bench(url: str, groups: list[dict], args: argparse.Namespace) -> None:
    print(f"== {url.split('@')[-1] if '@' in url else url}")
    t = time.perf_counter()
    load(url, groups, args.reset)
    print(f"loaded {len(groups)} groups in {time.perf_counter() - t:.1f} s")
    n = len(groups)
    report("1. first run (all new)", run_child(url, args.top), n)
    report("2. nothing changed", run_child(url, args.top), n)
    changed = change_some(url, 0.01, args.seed)
    report(f"3. after {changed} changed", run_child(url, args.top), n)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--groups", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--database-url", help="also run on this (PostgreSQL) database")
    parser.add_argument("--reset", action="store_true", help="empty the --database-url database first")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    args = parser.parse_args()

    groups = generate(args.groups, args.seed)
    print(
        f"{len(groups)} groups, seed {args.seed}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
    )
    with tempfile.TemporaryDirectory(prefix="kyodo-bench-") as tmp:
        path = Path(tmp) / "bench.db"
        bench(f"sqlite:///{path}", groups, args)
        if args.keep:
            kept = ROOT / "bench.db"
            kept.write_bytes(path.read_bytes())
            print(f"kept {kept}")
    if args.database_url:
        from bot.settings import normalise_database_url

        bench(normalise_database_url(args.database_url), groups, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
