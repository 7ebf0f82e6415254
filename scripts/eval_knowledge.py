"""Evaluate the knowledge answerer on evaluation/knowledge_dev.yaml (or --holdout).

Prints in-scope accuracy (answered AND the FAQ id is one of ``expect``), the out-of-scope decline
rate, a per-style breakdown and every failure. Usage::

    PYTHONPATH=. python scripts/eval_knowledge.py [--holdout | --set PATH] [--quiet] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge import Answerer  # noqa: E402


def load_credits(path: Path | None = None) -> dict[str, set[str]]:
    """evaluation/topic_credits.yaml: newer topic -> older topics whose questions it also answers."""
    path = path or ROOT / "evaluation" / "topic_credits.yaml"
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {k: set(v) for k, v in (raw.get("refines") or {}).items()}


def evaluate(
    answerer: Answerer, data: dict, quiet: bool = False, credits: dict[str, set[str]] | None = None
) -> tuple[float, float]:
    credits = credits or {}
    used: Counter[str] = Counter()
    strict = 0
    ins = data.get("in_scope") or []
    outs = data.get("out_of_scope") or []
    ok_by_style: Counter[str] = Counter()
    n_by_style: Counter[str] = Counter()
    failures: list[str] = []
    reasons: Counter[str] = Counter()
    correct = 0
    for item in ins:
        q, expect, style = item["q"], set(item["expect"]), item.get("style", "?")
        a = answerer.answer(q)
        n_by_style[style] += 1
        credited = a.answered and a.faq_id not in expect and bool(credits.get(a.faq_id, set()) & expect)
        if a.answered and a.faq_id in expect:
            strict += 1
        if a.answered and (a.faq_id in expect or credited):
            correct += 1
            ok_by_style[style] += 1
            if credited:
                used[f"{a.faq_id} for {sorted(credits[a.faq_id] & expect)[0]}"] += 1
        else:
            reasons[a.reason] += 1
            got = a.faq_id if a.answered else f"({a.reason}: {', '.join(a.suggestions[:3])})"
            failures.append(f"  IN  [{style}] {q!r} expect {sorted(expect)} got {got} score={a.score:.3f}")
    declined = 0
    for item in outs:
        q = item["q"]
        a = answerer.answer(q)
        if not a.answered:
            declined += 1
        else:
            failures.append(f"  OUT {q!r} answered {a.faq_id} score={a.score:.3f}")
    in_acc = correct / len(ins) if ins else 0.0
    out_rate = declined / len(outs) if outs else 0.0
    print(f"in-scope correct:      {correct}/{len(ins)} = {100 * in_acc:.1f}%")
    if credits:
        print(
            f"  (strict, without topic credits: {strict}/{len(ins)} = {100 * strict / max(1, len(ins)):.1f}%; "
            f"credits used: {', '.join(f'{k} x{v}' for k, v in sorted(used.items())) or 'none'})"
        )
    print(f"out-of-scope declined: {declined}/{len(outs)} = {100 * out_rate:.1f}%")
    print("in-scope misses by reason: " + ", ".join(f"{k}={v}" for k, v in reasons.most_common()))
    print("per style:")
    for style in sorted(n_by_style):
        print(
            f"  {style:<11} {ok_by_style[style]:>3}/{n_by_style[style]:<3} {100 * ok_by_style[style] / n_by_style[style]:.1f}%"
        )
    if failures and not quiet:
        print(f"failures ({len(failures)}):")
        print("\n".join(failures))
    return in_acc, out_rate


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--holdout", action="store_true", help="use the held-out set (report once, do not tune)")
    p.add_argument("--set", dest="path", default=None, help="another evaluation file (YAML, same shape)")
    p.add_argument("--quiet", action="store_true", help="figures only, no failure list")
    p.add_argument("--data-dir", default=None, help="knowledge data directory (default: shipped data)")
    p.add_argument(
        "--strict", action="store_true", help="ignore evaluation/topic_credits.yaml (newer topics refining older ones)"
    )
    args = p.parse_args(argv)
    name = "knowledge_holdout.yaml" if args.holdout else "knowledge_dev.yaml"
    path = Path(args.path) if args.path else ROOT / "evaluation" / name
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    evaluate(Answerer.load(args.data_dir), data, args.quiet, None if args.strict else load_credits())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
