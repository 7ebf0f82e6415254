"""Fit the answer verifier (knowledge/verifier.py) on the labelled real questions and choose its
threshold by leave-one-set-out cross-validation.

    PYTHONPATH=. python scripts/train_verifier.py            # figures only
    PYTHONPATH=. python scripts/train_verifier.py --write    # also write knowledge/data/verifier.json

Rows: every question of evaluation/real_*.yaml (spent sets and dev; never a set still held out:
pass --exclude for one being collected) and of our own sets (knowledge_*.yaml, so that questions
phrased the FAQ's way are not doubted for it) that the rules answer, with the answer's features and
whether the answer is wrong (its entry is not in ``accept``). The model is fitted on all sets but
one and scored on that one, for each set in turn; a threshold is then chosen on those out-of-set
scores: the one that removes the most wrong answers while the right answers do not go down (an
answer withheld where a decline is fair, ``decline_ok``, stays right; one withheld where an answer
was due becomes missed). The printed figures are the cross-validated ones: what the verifier does
on a set it was not fitted on.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.answerer import Answerer  # noqa: E402
from knowledge.loader import DATA_DIR  # noqa: E402
from knowledge.verifier import VERIFIER_FILE, Verifier, feature_names, fit  # noqa: E402


def _set_of(path: Path) -> str:
    """real_faq_holdout7.yaml and real_phone_holdout7.yaml are one set (their pages differ)."""
    if path.stem.startswith("knowledge_"):
        return path.stem  # our own sets, each a set of its own
    m = re.search(r"holdout(\d*)", path.stem)
    return f"holdout{m.group(1) or '1'}" if m else "dev"


def load_items(path: Path) -> list[dict]:
    """A real-question file's items, or an own-written set's (knowledge_*.yaml: in_scope items
    with ``expect``, out_of_scope items) in the same shape."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if "questions" in data:
        return data["questions"] or []
    return [
        *({"q": i["q"], "accept": i.get("expect") or [], "decline_ok": False} for i in data.get("in_scope") or []),
        *({"q": i["q"], "accept": [], "decline_ok": True, "scope": "out"} for i in data.get("out_of_scope") or []),
    ]


def collect(answerer: Answerer, files: list[Path]) -> list[dict]:
    rows = []
    for path in files:
        for item in load_items(path):
            a = answerer.answer(str(item.get("q", "")))
            if not a.answered or a.features is None or a.parts:
                continue
            accept = set(item.get("accept") or ())
            scope = str(item.get("scope", "in"))
            rows.append(
                {
                    "set": _set_of(path),
                    "x": a.features,
                    "wrong": int(a.faq_id not in accept),
                    "decline_ok": int(bool(item.get("decline_ok", scope == "out"))),
                }
            )
    return rows


def _prob(model: tuple, x: list[float]) -> float:
    means, scales, weights, bias = model
    v = Verifier(tuple(feature_names()), tuple(means), tuple(scales), tuple(weights), bias, 1.0)
    return v.doubt(x)


def cross_validate(rows: list[dict], l2: float) -> list[float]:
    probs = [0.0] * len(rows)
    for s in sorted({r["set"] for r in rows}):
        train = [r for r in rows if r["set"] != s]
        model = fit([r["x"] for r in train], [r["wrong"] for r in train], l2=l2)
        for i, r in enumerate(rows):
            if r["set"] == s:
                probs[i] = _prob(model, r["x"])
    return probs


def outcome(rows: list[dict], probs: list[float], threshold: float) -> tuple[int, int, int, int]:
    """(withheld, wrong removed, wrong turned right, right turned missed)"""
    held = [r for r, p in zip(rows, probs, strict=True) if p > threshold]
    removed = sum(r["wrong"] for r in held)
    to_right = sum(1 for r in held if r["wrong"] and r["decline_ok"])
    lost = sum(1 for r in held if not r["wrong"] and not r["decline_ok"])
    return len(held), removed, to_right, lost


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write", action="store_true", help=f"write knowledge/data/{VERIFIER_FILE}")
    p.add_argument("--exclude", action="append", default=[], help="a set name to leave out (e.g. holdout14)")
    p.add_argument("--l2", type=float, default=1.0, help="L2 penalty")
    p.add_argument(
        "--real-only", action="store_true", help="leave out our own sets (evaluation/knowledge_*.yaml)"
    )
    args = p.parse_args(argv)

    answerer = Answerer.load()
    answerer.verifier = None  # the rules' own answers
    patterns = ["real_*.yaml"] if args.real_only else ["real_*.yaml", "knowledge_*.yaml"]
    files = sorted(p for g in patterns for p in (ROOT / "evaluation").glob(g) if _set_of(p) not in args.exclude)
    rows = collect(answerer, files)
    n_wrong = sum(r["wrong"] for r in rows)
    n_questions = sum(len(load_items(f)) for f in files)
    print(f"{len(files)} files, {n_questions} questions; answered by the rules (single answers): {len(rows)}, wrong {n_wrong}")
    probs = cross_validate(rows, args.l2)
    # candidate thresholds: the out-of-set doubts themselves (withhold the k most doubtful)
    best = (1.0, (0, 0, 0, 0))
    for t in sorted(set(probs), reverse=True):
        o = outcome(rows, probs, t)
        held, removed, to_right, lost = o
        if to_right - lost >= 0 and removed > best[1][1]:
            best = (t, o)
    print("cross-validated (each set scored by a model fitted on the others):")
    for t in sorted({best[0], 0.9, 0.8, 0.7, 0.6, 0.5}, reverse=True):
        held, removed, to_right, lost = outcome(rows, probs, t)
        mark = "  <- chosen" if t == best[0] else ""
        print(
            f"  doubt > {t:.4f}: withheld {held:3d}, wrong answers removed {removed:2d}/{n_wrong}, "
            f"of them now right (decline fair) {to_right:2d}; right answers lost {lost:2d}; "
            f"right {to_right - lost:+d}, wrong {-removed:+d} of {n_questions} questions{mark}"
        )
    for label, pick in (("real questions", lambda r: not r["set"].startswith("knowledge_")), ("own sets", lambda r: r["set"].startswith("knowledge_"))):
        idx = [i for i, r in enumerate(rows) if pick(r)]
        if idx:
            held, removed, to_right, lost = outcome([rows[i] for i in idx], [probs[i] for i in idx], best[0])
            print(f"  at the chosen threshold, {label}: withheld {held}, wrong removed {removed}, right {to_right - lost:+d}")
    threshold = best[0]
    means, scales, weights, bias = fit([r["x"] for r in rows], [r["wrong"] for r in rows], l2=args.l2)
    verifier = Verifier(tuple(feature_names()), tuple(means), tuple(scales), tuple(weights), bias, threshold)
    if args.write:
        path = DATA_DIR / VERIFIER_FILE
        data = verifier.to_dict()
        data["fitted_on"] = {
            "files": [f.name for f in files],
            "rows": len(rows),
            "wrong": n_wrong,
            "l2": args.l2,
            "script": "scripts/train_verifier.py",
        }
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} (threshold {threshold:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
