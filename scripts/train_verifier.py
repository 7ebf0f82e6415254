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

``--lang en`` does the same for the English answerer (knowledge/english.py; features
:func:`knowledge.verifier.en_features`, file ``knowledge/data/verifier_en.json``) on every question
of evaluation/english_*.yaml. The English classifier (classifier_en.json) is one of its inputs
and was fitted on these same questions, so every row is answered with the classifier's
*out-of-fold* probabilities: for each set, a classifier fitted without it (as
``scripts/train_classifier.py --loso`` does; scikit-learn, a few minutes, cached with
``--oof-cache``), both for its promotions of もしかして and as the verifier's input. The threshold is
chosen inside each fold too (nested leave-one-set-out), so the printed totals are what the
verifier, threshold and all, does on a set it never saw:

    PYTHONPATH=. python scripts/train_verifier.py --lang en --oof-cache /tmp/oof_en.json
    PYTHONPATH=. python scripts/train_verifier.py --lang en --oof-cache /tmp/oof_en.json --write
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.answerer import Answerer  # noqa: E402
from knowledge.loader import DATA_DIR  # noqa: E402
from knowledge.verifier import (  # noqa: E402
    EN_PATHS,
    VERIFIER_EN_FILE,
    VERIFIER_FILE,
    Verifier,
    en_feature_names,
    feature_names,
    fit,
)


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


# -- English (--lang en) ------------------------------------------------------------------------------


def fit_fast(
    xs: Sequence[Sequence[float]], ys: Sequence[int], *, l2: float = 1.0, steps: int = 25
) -> tuple[list[float], list[float], list[float], float]:
    """:func:`knowledge.verifier.fit` with numpy (the same Newton steps, penalty and class weights;
    a test checks they agree): the pure-Python one takes a minute per fit on the English rows, and
    nested cross-validation fits a few hundred times."""
    import numpy as np

    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    n, d = x.shape
    means = x.mean(axis=0)
    var = ((x - means) ** 2).mean(axis=0)
    scales = np.where(var > 1e-12, np.sqrt(np.where(var > 1e-12, var, 1.0)), 1.0)
    z = np.hstack([(x - means) / scales, np.ones((n, 1))])
    pos = y.sum() or 1
    neg = (n - y.sum()) or 1
    cw = np.where(y > 0, n / (2 * pos), n / (2 * neg))
    pen = np.full(d + 1, l2)
    pen[d] = 0.0
    beta = np.zeros(d + 1)
    for _ in range(steps):
        t = np.clip(z @ beta, -30.0, 30.0)
        pr = 1.0 / (1.0 + np.exp(-t))
        grad = pen * beta + z.T @ (cw * (pr - y))
        hess = np.diag(pen) + (z * (cw * pr * (1 - pr))[:, None]).T @ z
        step = np.linalg.solve(hess, grad)
        beta = beta - step
        if np.abs(step).max() < 1e-8:
            break
    return list(map(float, means)), list(map(float, scales)), list(map(float, beta[:d])), float(beta[d])


def doubts(model: tuple, xs: Sequence[Sequence[float]]) -> list[float]:
    import numpy as np

    means, scales, weights, bias = model
    t = ((np.asarray(xs, dtype=float) - means) / scales) @ np.asarray(weights) + bias
    return list(map(float, 1.0 / (1.0 + np.exp(-np.clip(t, -30.0, 30.0)))))


class _OutOfFold:
    """Stands in for classifier_en.json: the probabilities of a classifier fitted without the set
    of the question being answered (``current``), for both of its uses."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.current: dict[str, float] = {}

    def probabilities(self, text: str) -> dict[str, float]:
        return dict(self.current)

    def pick(self, text: str, offered: Sequence[str]) -> str | None:
        probs = self.current
        if not probs:
            return None
        best = max(probs, key=probs.__getitem__)
        return best if best in offered and probs[best] >= self.threshold else None


def out_of_fold(answerer: Answerer, rows: list[dict], cache: Path | None) -> list[dict[str, float]]:
    """Per row, the class probabilities of a classifier fitted on every set but the row's (and on
    the entries' phrasings), as scripts/train_classifier.py --loso fits it."""
    if cache is not None and cache.exists():
        got = json.loads(cache.read_text(encoding="utf-8"))
        if [(g["set"], g["q"]) for g in got] == [(r["set"], r["q"]) for r in rows]:
            return [g["p"] for g in got]
        print(f"{cache}: made for other questions; computing again", file=sys.stderr)

    sys.path.insert(0, str(ROOT / "scripts"))
    import train_classifier as tc

    phr_texts, phr_labels = tc.training(answerer, [])
    out: list[dict[str, float]] = [{} for _ in rows]
    for name in sorted({r["set"] for r in rows}):
        texts, labels = list(phr_texts), list(phr_labels)
        for r in rows:
            if r["set"] != name and (lab := tc.label(r)) is not None:
                texts.append(r["q"])
                labels.append(lab)
        vec, clf, coef = tc.fit(texts, labels)
        idx = [i for i, r in enumerate(rows) if r["set"] == name]
        pr = tc.probabilities(vec, clf, coef, [rows[i]["q"] for i in idx])
        for k, i in enumerate(idx):
            out[i] = {str(c): round(float(v), 6) for c, v in zip(clf.classes_, pr[k], strict=True) if v >= 1e-5}
        print(f"  classifier without {name}: {len(idx)} questions", file=sys.stderr, flush=True)
    if cache is not None:
        cache.write_text(
            json.dumps([{"set": r["set"], "q": r["q"], "p": p} for r, p in zip(rows, out, strict=True)], ensure_ascii=False),
            encoding="utf-8",
        )
    return out


def collect_en(answerer: Answerer, rows: list[dict], oof: list[dict[str, float]] | None) -> tuple[list[dict], dict]:
    """The answered English questions with their features, each answered with the out-of-fold
    classifier (``oof``; None: the shipped one, in-sample). Also the verdict counts of all
    replies: right, wrong, missed."""
    english = answerer.english()
    english.verifier = None  # the rules' own answers
    english.record_features = True
    stand_in = _OutOfFold(english.classifier.threshold if english.classifier is not None else 0.7)
    if oof is not None:
        english.classifier = stand_in
    out, counts = [], {"right": 0, "wrong": 0, "missed": 0, "questions": len(rows)}
    for k, r in enumerate(rows):
        if oof is not None:
            stand_in.current = oof[k]
        a = answerer.answer(r["q"])
        accept = set(r["accept"])
        if a.answered:
            counts["right" if a.faq_id in accept else "wrong"] += 1
        else:
            counts["right" if r["decline_ok"] else "missed"] += 1
        if not a.answered or a.features is None:
            continue  # also the contact rewrites of EnglishAnswerer.answer (chosen on purpose)
        out.append(
            {
                "set": r["set"],
                "q": r["q"],
                "x": a.features,
                "wrong": int(a.faq_id not in accept),
                "decline_ok": int(r["decline_ok"]),
                "path": next(p for p in EN_PATHS if a.features[en_feature_names().index(f"path={p}")]),
                "faq_id": a.faq_id,
            }
        )
    return out, counts


GRID = [round(0.5 + 0.01 * k, 2) for k in range(50)] + [0.995, 0.999]


def choose(rows: list[dict], probs: list[float], ratio: float) -> float:
    """The threshold whose withholding gains most, a wrong answer removed counting 1 and a right
    answer lost ``ratio`` (ties: the higher threshold, fewer withheld); 1.0 when none gains."""
    best, best_gain = 1.0, 0.0
    for t in sorted(GRID, reverse=True):
        _, removed, to_right, lost = outcome(rows, probs, t)
        gain = removed - ratio * (lost - to_right)
        if gain > best_gain + 1e-9:
            best, best_gain = t, gain
    return best


def cv_en(rows: list[dict], l2: float, ratio: float, names: list[str], keep: list[int]) -> tuple[list[float], dict[str, float]]:
    """Leave-one-set-out doubts of every row, and per left-out set the threshold chosen by an
    inner leave-one-set-out on the other sets."""
    xs = [[r["x"][j] for j in keep] for r in rows]
    sets = sorted({r["set"] for r in rows})
    probs = [0.0] * len(rows)
    chosen: dict[str, float] = {}
    for s in sets:
        inside = [i for i, r in enumerate(rows) if r["set"] != s]
        model = fit_fast([xs[i] for i in inside], [rows[i]["wrong"] for i in inside], l2=l2)
        got = doubts(model, [xs[i] for i, r in enumerate(rows) if r["set"] == s])
        for i, p in zip([i for i, r in enumerate(rows) if r["set"] == s], got, strict=True):
            probs[i] = p
        # the threshold, chosen without the left-out set: the other sets' own out-of-set doubts
        inner = [0.0] * len(inside)
        pos = {i: k for k, i in enumerate(inside)}
        for s2 in sets:
            if s2 == s:
                continue
            train = [i for i in inside if rows[i]["set"] != s2]
            test = [i for i in inside if rows[i]["set"] == s2]
            if not test:
                continue
            m2 = fit_fast([xs[i] for i in train], [rows[i]["wrong"] for i in train], l2=l2)
            for i, p in zip(test, doubts(m2, [xs[i] for i in test]), strict=True):
                inner[pos[i]] = p
        chosen[s] = choose([rows[i] for i in inside], inner, ratio)
    return probs, chosen


SWEEP = [  # (l2, features left out, paths the verifier may doubt)
    (1.0, (), EN_PATHS),
    (10.0, (), EN_PATHS),
    (30.0, (), EN_PATHS),
    (100.0, (), EN_PATHS),
    (10.0, ("category=",), EN_PATHS),
    (30.0, ("category=",), EN_PATHS),
    (10.0, ("classifier_",), EN_PATHS),
    (30.0, ("classifier_",), EN_PATHS),
    (10.0, (), ("rules",)),
    (30.0, (), ("rules",)),
    (30.0, ("category=", "kind="), EN_PATHS),
]


def evaluate_en(
    rows: list[dict], counts: dict, questions: list[dict], args: argparse.Namespace,
    l2: float, drop: Sequence[str], paths: Sequence[str], verbose: bool,
) -> tuple[list[dict], list[float], list[int]]:
    """Cross-validated figures of one setting; returns the rows it judges, their out-of-set
    doubts and the features kept."""
    n, n_wrong = counts["questions"], counts["wrong"]
    names = en_feature_names()
    keep = [j for j, nm in enumerate(names) if not any(nm == d or nm.startswith(d) for d in drop)]
    pool = [r for r in rows if r["path"] in paths]
    probs, chosen = cv_en(pool, l2, args.ratio, names, keep)
    print(f"setting: l2 {l2}, paths {','.join(paths)}, features {len(keep)}/{len(names)}"
          f"{' (without ' + ','.join(sorted(drop)) + ')' if drop else ''}, a right answer worth {args.ratio} wrong")
    if verbose:
        print("  leave-one-set-out, one threshold for all sets (chosen in hindsight: optimistic):")
        for t in (0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995):
            held, removed, to_right, lost = outcome(pool, probs, t)
            print(f"    doubt > {t:.3f}: withheld {held:3d}, wrong removed {removed:2d} (now right {to_right}), "
                  f"right lost {lost:2d}: right {to_right - lost:+d}, wrong {-removed:+d}")
    held = removed = to_right = lost = 0
    for s, t in chosen.items():
        idx = [i for i, r in enumerate(pool) if r["set"] == s]
        o = outcome([pool[i] for i in idx], [probs[i] for i in idx], t)
        held, removed, to_right, lost = held + o[0], removed + o[1], to_right + o[2], lost + o[3]
    ts = sorted(chosen.values())
    print(
        f"  nested (threshold chosen without the left-out set; median {ts[len(ts) // 2]:.3f}, "
        f"range {ts[0]:.3f}-{ts[-1]:.3f}): withheld {held}, wrong removed {removed} of {n_wrong} "
        f"(now right {to_right}), right lost {lost}: right {counts['right']} -> {counts['right'] + to_right - lost} "
        f"({to_right - lost:+d}), wrong {n_wrong} -> {n_wrong - removed} ({-removed:+d}) of {n}"
    )
    for s in args.fresh:
        # sets the English rules were never tuned on (measured once with the rules of today): the
        # honest check of what the verifier does on fresh questions
        idx = [i for i, r in enumerate(pool) if r["set"] == s]
        if not idx:
            continue
        sub = [q for q in questions if q["set"] == s]
        base_wrong = sum(pool[i]["wrong"] for i in idx)
        o = outcome([pool[i] for i in idx], [probs[i] for i in idx], chosen[s])
        print(f"  fresh set {s} ({len(sub)} questions, {base_wrong} wrong answers; threshold {chosen[s]:.3f}): "
              f"withheld {o[0]}, wrong removed {o[1]} (now right {o[2]}), right lost {o[3]}")
        if verbose:
            for i in idx:
                if probs[i] > chosen[s] or pool[i]["wrong"]:
                    r = pool[i]
                    print(f"    {probs[i]:.3f} {'WRONG' if r['wrong'] else 'right'}{' (decline ok)' if r['decline_ok'] else ''}"
                          f"{' WITHHELD' if probs[i] > chosen[s] else ''} {r['path']} {r['faq_id']}: {r['q'][:100]!r}")
    if verbose and args.show:
        for r, pr in sorted(zip(pool, probs, strict=True), key=lambda x: -x[1])[:args.show]:
            print(f"  {pr:.3f} {'WRONG' if r['wrong'] else 'right'}{' (decline ok)' if r['decline_ok'] else ''} "
                  f"{r['set']} {r['path']} {r['faq_id']}: {r['q'][:110]!r}")
    return pool, probs, keep


def main_en(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT / "scripts"))
    import train_classifier as tc

    answerer = Answerer.load()
    questions = tc.load_rows(args.exclude)
    oof = None if args.in_sample_classifier else out_of_fold(answerer, questions, Path(args.oof_cache) if args.oof_cache else None)
    rows, counts = collect_en(answerer, questions, oof)
    print(
        f"{counts['questions']} English questions in {len({q['set'] for q in questions})} sets; the rules "
        f"(classifier {'in-sample' if oof is None else 'out-of-fold'}): right {counts['right']}, "
        f"wrong {counts['wrong']}, missed {counts['missed']}; answered with features: {len(rows)} "
        f"({sum(r['wrong'] for r in rows)} wrong)"
    )
    for path in EN_PATHS:
        sub = [r for r in rows if r["path"] == path]
        print(f"  path {path}: {len(sub)} answers, {sum(r['wrong'] for r in sub)} wrong")
    if args.sweep:
        for l2, drop, paths in SWEEP:
            evaluate_en(rows, counts, questions, args, l2, drop, paths, verbose=False)
        return 0
    pool, probs, keep = evaluate_en(rows, counts, questions, args, args.l2, args.drop, args.paths, verbose=True)
    names = en_feature_names()
    threshold = choose(pool, probs, args.ratio)
    print(f"threshold chosen on all sets' out-of-set doubts: {threshold:.3f}")
    if args.write:
        if len(keep) != len(names) or set(args.paths) != set(EN_PATHS):
            print("--write needs every feature and every path (the answerer computes them all)", file=sys.stderr)
            return 2
        means, scales, weights, bias = fit_fast([r["x"] for r in pool], [r["wrong"] for r in pool], l2=args.l2)
        verifier = Verifier(tuple(names), tuple(means), tuple(scales), tuple(weights), bias, threshold)
        data = verifier.to_dict()
        data["fitted_on"] = {
            "sets": sorted({q["set"] for q in questions}),
            "rows": len(pool),
            "wrong": sum(r["wrong"] for r in pool),
            "l2": args.l2,
            "classifier": "out-of-fold",
            "script": "scripts/train_verifier.py --lang en",
        }
        path = DATA_DIR / VERIFIER_EN_FILE
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} (threshold {threshold:.3f})")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write", action="store_true", help=f"write knowledge/data/{VERIFIER_FILE}")
    p.add_argument("--exclude", action="append", default=[], help="a set name to leave out (e.g. holdout14)")
    p.add_argument("--l2", type=float, default=1.0, help="L2 penalty")
    p.add_argument(
        "--real-only", action="store_true", help="leave out our own sets (evaluation/knowledge_*.yaml)"
    )
    p.add_argument("--lang", choices=("ja", "en"), default="ja", help="the Japanese or the English answerer")
    p.add_argument("--oof-cache", default=None, help="(en) a file keeping the out-of-fold classifier probabilities")
    p.add_argument("--in-sample-classifier", action="store_true", help="(en) use the shipped classifier (leaks: for comparison only)")
    p.add_argument("--paths", nargs="+", default=list(EN_PATHS), help="(en) the answer paths the verifier may doubt")
    p.add_argument("--drop", action="append", default=[], help="(en) leave out features with this name or prefix")
    p.add_argument("--ratio", type=float, default=2.0, help="(en) how many wrong answers a right one is worth")
    p.add_argument("--fresh", nargs="*", default=["holdout14", "holdout15"], help="(en) sets the rules were never tuned on: shown one by one")
    p.add_argument("--sweep", action="store_true", help="(en) cross-validated figures of several settings")
    p.add_argument("--show", type=int, default=0, help="(en) list the N most doubted answers")
    args = p.parse_args(argv)
    if args.lang == "en":
        return main_en(args)

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
