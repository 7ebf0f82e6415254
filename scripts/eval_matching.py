#!/usr/bin/env python3
"""Evaluate the group -> division matcher on the hand-written evaluation sets.

    PYTHONPATH=. python scripts/eval_matching.py              # development set
    PYTHONPATH=. python scripts/eval_matching.py --holdout    # held-out set (report once, never tune)

Prints top-1 (an expected division ranked first) and within-top-3 rates, then every profile that
missed top-1 with what was ranked instead. Targets: top-1 >= 90 %, top-3 >= 98 %.
Exit status 1 if a target is missed (so CI could run it), 2 on a malformed evaluation file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matching import GroupProfile, Matcher  # noqa: E402

DEV = ROOT / "evaluation" / "matching_dev.yaml"
HOLDOUT = ROOT / "evaluation" / "matching_holdout.yaml"
TARGET_TOP1 = 0.90
TARGET_TOP3 = 0.98


def load_profiles(path: Path, matcher: Matcher) -> list[tuple[GroupProfile, list[str]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for n, raw in enumerate(data["profiles"], start=1):
        expect = raw.get("expect") or []
        for div_id in expect:
            try:
                matcher.division(div_id)
            except KeyError:
                raise SystemExit(
                    f"{path}: profile {n} ({raw.get('name')}): unknown division {div_id!r}"
                ) from None
        if not expect:
            raise SystemExit(f"{path}: profile {n} ({raw.get('name')}): no expect")
        profile = GroupProfile(
            name=raw.get("name") or "",
            description=raw.get("description") or "",
            fields=raw.get("fields") or [],
        )
        out.append((profile, expect))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--holdout", action="store_true", help="evaluate the held-out set instead")
    parser.add_argument("--file", type=Path, help="evaluate this file instead")
    parser.add_argument("--quiet", action="store_true", help="figures only, no failure list")
    args = parser.parse_args(argv)
    path = args.file or (HOLDOUT if args.holdout else DEV)
    matcher = Matcher.load()
    cases = load_profiles(path, matcher)
    top1 = top3 = 0
    failures = []
    for profile, expect in cases:
        result = matcher.match(profile, top=3)
        ranked = [m.division_id for m in result.matches]
        hit1 = bool(ranked) and ranked[0] in expect
        hit3 = any(r in expect for r in ranked[:3])
        top1 += hit1
        top3 += hit3
        if not hit1:
            failures.append((profile, expect, result, hit3))
    n = len(cases)
    print(f"set: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  profiles: {n}")
    print(f"top-1: {top1}/{n} = {top1 / n:.1%}  (target {TARGET_TOP1:.0%})")
    print(f"top-3: {top3}/{n} = {top3 / n:.1%}  (target {TARGET_TOP3:.0%})")
    if failures and not args.quiet:
        print("\nmissed top-1:")
        for profile, expect, result, hit3 in failures:
            print(f"- {profile.name}: {profile.description!r} fields={profile.fields}")
            print(f"  expected {expect}{'' if hit3 else '  (not in top 3)'}")
            for m in result.matches:
                print(f"    {m.division_id:22s} {m.score:.3f}  {' / '.join(m.reasons[:3])}")
            if not result.matches:
                print(f"    (no match) {result.message}")
    return 0 if top1 / n >= TARGET_TOP1 and top3 / n >= TARGET_TOP3 else 1


if __name__ == "__main__":
    raise SystemExit(main())
