#!/usr/bin/env python3
"""Experiment harness for tuning the matcher without fooling ourselves (issue 12 item 13).

    PYTHONPATH=. python scripts/xval_matching.py                     # figures per set
    PYTHONPATH=. python scripts/xval_matching.py --save base.json    # ... and keep per-profile ranks
    PYTHONPATH=. python scripts/xval_matching.py --diff base.json    # profiles that changed since then
    PYTHONPATH=. python scripts/xval_matching.py --sweep W_VENUE=0.25,0.5,0.75 --sweep W_GENERIC=0.4,0.5,0.6

Sets: the hand-written dev and (spent) held-out sets, the real-group dev sets, and the nine SPENT
real held-out sets, A = matching_real_holdout.yaml, B = matching_real_holdout2.yaml,
C = matching_real_holdout3.yaml, D = matching_real_holdout4.yaml, E = matching_real_holdout5.yaml and
F = matching_real_holdout6.yaml, G = matching_real_holdout7.yaml, H = matching_real_holdout8.yaml,
I = matching_real_holdout9.yaml (D and E spent since the sixth round, F since the seventh, G since the
eighth, H since the ninth, I since the eleventh). Blind sets (any file whose name holds "holdout10" or a
later number) are never read here.

Cross-validation: a change (or a constant chosen by --sweep) is judged on the spent sets that did not
motivate it. --sweep picks the best grid point on each of A-I and reports it on the other eight, and
also leave-one-set-out: for each real set, the point best on the other real sets together,
scored on the one left out (summed over them, that is the cross-validated figure). Top-1 first,
then top-3; ties keep the value in the code. Sweep lines read "set top-1,top-3/profiles".
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from eval_matching import load_profiles  # noqa: E402

import matching.matcher as mm  # noqa: E402
from matching import Matcher  # noqa: E402
from matching.loader import DIVISIONS_PATH, FIELDS_PATH  # noqa: E402

EVAL = ROOT / "evaluation"
SETS = {
    "dev": "matching_dev.yaml",
    "dev2": "matching_dev2.yaml",
    "holdout(hand)": "matching_holdout.yaml",
    "holdout2(hand)": "matching_holdout2.yaml",
    "real_dev": "matching_real_dev.yaml",
    "real_style": "matching_real_style_dev.yaml",
    "A=real_holdout": "matching_real_holdout.yaml",
    "B=real_holdout2": "matching_real_holdout2.yaml",
    "C=real_holdout3": "matching_real_holdout3.yaml",
    "D=real_holdout4": "matching_real_holdout4.yaml",
    "E=real_holdout5": "matching_real_holdout5.yaml",
    "F=real_holdout6": "matching_real_holdout6.yaml",
    "G=real_holdout7": "matching_real_holdout7.yaml",
    "H=real_holdout8": "matching_real_holdout8.yaml",
    "I=real_holdout9": "matching_real_holdout9.yaml",
}
BLIND = ("holdout10", "holdout11", "holdout12", "holdout13", "holdout14")
assert not any(b in f for f in SETS.values() for b in BLIND)  # blind: never read here
A, B, C, D, E = "A=real_holdout", "B=real_holdout2", "C=real_holdout3", "D=real_holdout4", "E=real_holdout5"
F, G, H = "F=real_holdout6", "G=real_holdout7", "H=real_holdout8"
I9 = "I=real_holdout9"  # (a bare I is an ambiguous name: ruff E741)
SPENT = (A, B, C, D, E, F, G, H, I9)
REAL = ("real_dev", *SPENT)  # the real-group sets (leave-one-set-out runs over these)


def run(matcher: Matcher, cases: dict[str, list]) -> dict[str, list[tuple[str, list[str], bool, bool]]]:
    out = {}
    for name, cs in cases.items():
        rows = []
        for c in cs:
            ranked = [m.division_id for m in matcher.match(c.profile, top=3).matches]
            hit1 = bool(ranked) and ranked[0] in c.expect
            hit3 = any(r in c.expect for r in ranked)
            rows.append((c.profile.name, ranked, hit1, hit3))
        out[name] = rows
    return out


def figures(rows) -> tuple[int, int, int]:
    return sum(r[2] for r in rows), sum(r[3] for r in rows), len(rows)


def show(results) -> None:
    for name, rows in results.items():
        t1, t3, n = figures(rows)
        print(f"{name:18s} n={n:3d}  top-1 {t1:3d} = {t1 / n:6.1%}  top-3 {t3:3d} = {t3 / n:6.1%}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--save", type=Path)
    ap.add_argument("--diff", type=Path)
    ap.add_argument("--sweep", action="append", default=[], help="NAME=v1,v2,... (a matcher constant)")
    args = ap.parse_args()
    matcher = Matcher.load()
    cases = {name: load_profiles(EVAL / f, matcher) for name, f in SETS.items()}
    if args.sweep:
        grid = []
        for s in args.sweep:
            name, _, values = s.partition("=")
            if not hasattr(mm, name):
                raise SystemExit(f"no constant {name} in matching.matcher")
            grid.append([(name, float(v)) for v in values.split(",")])
        scores = {}
        for point in itertools.product(*grid):
            saved = {n: getattr(mm, n) for n, _ in point}
            for n, v in point:
                setattr(mm, n, v)
            try:  # a fresh matcher: some constants are applied at load time
                fresh = Matcher.from_files(FIELDS_PATH, DIVISIONS_PATH)
                res = run(fresh, cases)
            finally:
                for n, v in saved.items():
                    setattr(mm, n, v)
            scores[point] = {k: figures(v) for k, v in res.items()}
            label = " ".join(f"{n}={v}" for n, v in point)
            print(label, "  ".join(f"{k} {f[0]},{f[1]}/{f[2]}" for k, f in scores[point].items()))
        current = tuple((n, float(getattr(mm, n))) for n, _ in (g[0] for g in grid))

        def rank(p, tune):  # best on the tuning set; ties go to the value in the code now
            return (scores[p][tune][0], scores[p][tune][1], p == current)

        for tune in SPENT:
            best = max(scores, key=lambda p: rank(p, tune))
            others = []
            for test in SPENT:
                if test != tune:
                    t1, t3, n = scores[best][test]
                    others.append(f"{test[0]} {t1},{t3}/{n}")
            print(f"chosen on {tune}: {' '.join(f'{n_}={v}' for n_, v in best)} -> " + "; ".join(others))

        def rank_sum(p, tune_sets):
            t1 = sum(scores[p][s][0] for s in tune_sets)
            t3 = sum(scores[p][s][1] for s in tune_sets)
            return (t1, t3, p == current)

        loso = [0, 0, 0]
        here = [0, 0, 0]
        for left in REAL:
            best = max(scores, key=lambda p: rank_sum(p, [s for s in REAL if s != left]))
            t1, t3, n = scores[best][left]
            c1, c3, _ = scores[current][left]
            loso = [loso[0] + t1, loso[1] + t3, loso[2] + n]
            here = [here[0] + c1, here[1] + c3, here[2] + n]
            print(
                f"leave out {left}: chosen {' '.join(f'{n_}={v}' for n_, v in best)} -> {t1},{t3}/{n} (code: {c1},{c3})"
            )
        print(
            f"leave-one-set-out over {', '.join(REAL)}: top-1 {loso[0]}/{loso[2]}, top-3 {loso[1]}/{loso[2]}"
            f" (value in the code: {here[0]}, {here[1]})"
        )
        return 0
    results = run(matcher, cases)
    show(results)
    if args.save:
        args.save.write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")
    if args.diff:
        old = json.loads(args.diff.read_text(encoding="utf-8"))
        for name, rows in results.items():
            for (pname, ranked, h1, h3), (_, oranked, oh1, oh3) in zip(rows, old.get(name, []), strict=False):
                if ranked != oranked and (h1, h3) != (oh1, oh3) or ranked[:1] != oranked[:1]:
                    tag = "FIXED" if (h1, h3) > (oh1, oh3) else "BROKE" if (h1, h3) < (oh1, oh3) else "moved"
                    print(f"  {tag} {name}: {pname}: {oranked} -> {ranked}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
