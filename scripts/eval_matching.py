#!/usr/bin/env python3
"""Evaluate the group -> division matcher on the hand-written and real-group evaluation sets.

    PYTHONPATH=. python scripts/eval_matching.py                       # development set
    PYTHONPATH=. python scripts/eval_matching.py --holdout             # held-out set (report once, never tune)
    PYTHONPATH=. python scripts/eval_matching.py --file A.yaml --file B.yaml   # several files
    PYTHONPATH=. python scripts/eval_matching.py A.yaml B.yaml --json          # figures as JSON
    PYTHONPATH=. python scripts/eval_matching.py A.yaml --min-share 0.3        # with the cut-off

Per file: top-1 (an `expect` division ranked first) and within-top-3 (an `expect` division among
the first three). Profiles may also carry `top3`, the divisions acceptable within the top three
(real-group sets): then the report adds how many of the three suggestions are acceptable and how
many profiles have only acceptable suggestions. Then every profile that missed top-1 (or, with
--all-misses, also those with an unacceptable suggestion), with what was ranked instead.

Targets: top-1 >= 90 %, top-3 >= 98 % (the real-group held-out set: >= 95 % and 100 %).
Exit status 1 if a target is missed in any file (so CI could run it), 2 on a malformed file.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matching import GroupProfile, Matcher, MatchResult  # noqa: E402

DEV = ROOT / "evaluation" / "matching_dev.yaml"
HOLDOUT = ROOT / "evaluation" / "matching_holdout.yaml"
TARGET_TOP1 = 0.90
TARGET_TOP3 = 0.98


@dataclass
class Case:
    profile: GroupProfile
    expect: list[str]
    top3: list[str] | None  # divisions acceptable within the top three, when labelled
    topic: str | None = None


@dataclass
class Score:
    path: Path
    n: int = 0
    top1: int = 0
    top3: int = 0
    labelled: int = 0  # profiles with a top3 list
    suggestions: int = 0  # suggestions (<= 3 per labelled profile)
    acceptable: int = 0  # ... of which in the top3 list
    clean: int = 0  # labelled profiles whose suggestions are all acceptable
    misses: list[tuple[Case, MatchResult, bool, bool]] = field(default_factory=list)
    by_topic: dict[str, list[int]] = field(default_factory=dict)  # topic -> [n, top1, top3]

    def figures(self) -> dict:
        out = {
            "set": _name(self.path),
            "profiles": self.n,
            "top1": self.top1,
            "top3": self.top3,
            "top1_rate": round(self.top1 / self.n, 4) if self.n else None,
            "top3_rate": round(self.top3 / self.n, 4) if self.n else None,
        }
        if self.labelled:
            out |= {
                "labelled_top3": self.labelled,
                "suggestions_acceptable": self.acceptable,
                "suggestions": self.suggestions,
                "all_three_acceptable": self.clean,
            }
        return out


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _check_ids(path: Path, n: int, raw: dict, ids: list[str], matcher: Matcher, what: str) -> None:
    for div_id in ids:
        try:
            matcher.division(div_id)
        except KeyError:
            print(
                f"{path}: profile {n} ({raw.get('name')}): unknown division {div_id!r} in {what}",
                file=sys.stderr,
            )
            raise SystemExit(2) from None


def load_profiles(path: Path, matcher: Matcher) -> list[Case]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        print(f"{path}: {e}", file=sys.stderr)
        raise SystemExit(2) from None
    out = []
    for n, raw in enumerate(data["profiles"], start=1):
        expect = raw.get("expect") or []
        if not expect:
            print(f"{path}: profile {n} ({raw.get('name')}): no expect", file=sys.stderr)
            raise SystemExit(2)
        _check_ids(path, n, raw, expect, matcher, "expect")
        top3 = raw.get("top3")
        if top3 is not None:
            _check_ids(path, n, raw, top3, matcher, "top3")
            top3 = list(dict.fromkeys([*expect, *top3]))  # expect is always acceptable
        profile = GroupProfile(
            name=raw.get("name") or "",
            description=raw.get("description") or "",
            fields=raw.get("fields") or [],
        )
        out.append(Case(profile, expect, top3, raw.get("topic")))
    return out


def evaluate(path: Path, matcher: Matcher, min_share: float = 0.0) -> Score:
    score = Score(path)
    for case in load_profiles(path, matcher):
        result = matcher.match(case.profile, top=3, min_share=min_share)
        ranked = [m.division_id for m in result.matches]
        hit1 = bool(ranked) and ranked[0] in case.expect
        hit3 = any(r in case.expect for r in ranked[:3])
        score.n += 1
        score.top1 += hit1
        score.top3 += hit3
        clean = True
        if case.top3 is not None:
            score.labelled += 1
            good = sum(r in case.top3 for r in ranked[:3])
            score.suggestions += len(ranked[:3])
            score.acceptable += good
            clean = good == len(ranked[:3])
            score.clean += clean
        if case.topic:
            t = score.by_topic.setdefault(case.topic, [0, 0, 0])
            t[0] += 1
            t[1] += hit1
            t[2] += hit3
        if not hit1 or not clean:
            score.misses.append((case, result, hit1, hit3))
    return score


def report(score: Score, *, quiet: bool, all_misses: bool, topics: bool) -> None:
    n = score.n
    print(f"set: {_name(score.path)}  profiles: {n}")
    print(f"top-1: {score.top1}/{n} = {score.top1 / n:.1%}  (target {TARGET_TOP1:.0%})")
    print(f"top-3: {score.top3}/{n} = {score.top3 / n:.1%}  (target {TARGET_TOP3:.0%})")
    if score.labelled:
        print(
            f"top3 labels ({score.labelled} profiles): {score.acceptable}/{score.suggestions} suggestions "
            f"acceptable = {score.acceptable / max(score.suggestions, 1):.1%}; "
            f"all suggestions acceptable in {score.clean}/{score.labelled}"
        )
    if topics and score.by_topic:
        for topic, (tn, t1, t3) in sorted(score.by_topic.items(), key=lambda kv: (-kv[1][0], kv[0])):
            print(f"  {topic:20s} {tn:3d}  top-1 {t1 / tn:6.1%}  top-3 {t3 / tn:6.1%}")
    if quiet:
        return
    shown = [m for m in score.misses if all_misses or not m[2]]
    if shown:
        print("\nmissed top-1:" if not all_misses else "\nmissed top-1 or an unacceptable suggestion:")
    for case, result, hit1, hit3 in shown:
        p = case.profile
        print(f"- {p.name}: {p.description!r} fields={p.fields}")
        flag = "" if hit3 else "  (not in top 3)"
        if hit1:
            flag = "  (top-1 right; an unacceptable suggestion)"
        print(f"  expected {case.expect}{flag}" + (f"  acceptable {case.top3}" if case.top3 else ""))
        for m in result.matches:
            mark = " " if case.top3 is None or m.division_id in case.top3 else "x"
            print(f"   {mark} {m.division_id:22s} {m.score:.3f}  {' / '.join(m.reasons[:3])}")
        if not result.matches:
            print(f"    (no match) {result.message}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="*", type=Path, help="evaluation files (default: the dev set)")
    parser.add_argument("--holdout", action="store_true", help="evaluate the held-out set instead")
    parser.add_argument(
        "--file", type=Path, action="append", default=[], help="an evaluation file (repeatable)"
    )
    parser.add_argument("--quiet", action="store_true", help="figures only, no failure list")
    parser.add_argument(
        "--all-misses", action="store_true", help="also list profiles with an unacceptable suggestion"
    )
    parser.add_argument("--topics", action="store_true", help="figures per topic (when the file has topics)")
    parser.add_argument("--json", action="store_true", help="figures as one JSON object per file")
    parser.add_argument(
        "--min-share",
        type=float,
        default=0.0,
        help="leave out divisions below this share of the best one's raw score (recommended: 0.3)",
    )
    args = parser.parse_args(argv)
    paths = [*args.files, *args.file] or [HOLDOUT if args.holdout else DEV]
    matcher = Matcher.load()
    ok = True
    for i, path in enumerate(paths):
        score = evaluate(path, matcher, args.min_share)
        if args.json:
            print(json.dumps(score.figures(), ensure_ascii=False))
        else:
            if i:
                print()
            report(score, quiet=args.quiet, all_misses=args.all_misses, topics=args.topics)
        ok &= score.top1 / score.n >= TARGET_TOP1 and score.top3 / score.n >= TARGET_TOP3
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
