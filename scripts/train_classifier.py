"""Fit the English second-opinion classifier (knowledge/classifier.py) and measure it by
leave-one-set-out cross-validation.

    PYTHONPATH=. python scripts/train_classifier.py --loso      # figures only (about 10 minutes)
    PYTHONPATH=. python scripts/train_classifier.py --write     # fit on everything, write the model

Needs scikit-learn (a development dependency: ``pip install -e '.[dev]'``); the bot itself only
reads the written ``knowledge/data/classifier_en.json``.

Training texts: every English entry's question and phrasings (faq_en.yaml), and every question of
evaluation/english_*.yaml labelled with its first accepted entry (or the "no entry" class when
none is accepted and a decline is fair). A set still held out must be left out: ``--exclude
holdout14``.

``--loso`` fits on all sets but one and, on that one, turns each もしかして of the answerer (rules only)
into the suggestion the model picks, when its pick (with probability at least t) is one of them,
as the answerer does. It prints, for each t, how many replies became right or wrong: what the
classifier would do on a set it never saw.
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
from knowledge.classifier import CLASSIFIER_EN_FILE, FORMAT, NONE_CLASS, features  # noqa: E402
from knowledge.loader import DATA_DIR  # noqa: E402

C = 30.0  # inverse L2 strength (leave-one-set-out: 10 too timid, 100 adds more wrong than right at the same gain)
MIN_DF = 2  # an n-gram seen in one text only says nothing about a class
PRUNE = 0.1  # weights smaller than this are dropped (half the size; the same figures as 0.05)
THRESHOLDS = (0.4, 0.5, 0.6, 0.7, 0.8)


def set_of(path: Path) -> str:
    m = re.search(r"english_(dev|holdout)(\d*)", path.stem)
    return f"{m.group(1)}{m.group(2) or '1'}" if m else path.stem


def load_rows(exclude: list[str]) -> list[dict]:
    rows = []
    for path in sorted((ROOT / "evaluation").glob("english_*.yaml")):
        name = set_of(path)
        if name in exclude:
            continue
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("questions") or []:
            accept = [str(a) for a in item.get("accept") or []]
            scope = str(item.get("scope", "in"))
            rows.append(
                {
                    "set": name,
                    "q": str(item.get("q", "")),
                    "accept": accept,
                    "decline_ok": bool(item.get("decline_ok", scope == "out")),
                }
            )
    return rows


def label(row: dict) -> str | None:
    if row["accept"]:
        return row["accept"][0]
    return NONE_CLASS if row["decline_ok"] else None


def fit(texts: list[str], labels: list[str], prune: float = PRUNE, c: float = C):
    """scikit-learn's tf-idf over :func:`features` and a multinomial logistic regression; the
    weights below ``prune`` dropped."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer=features, sublinear_tf=True, min_df=MIN_DF)
    x = vec.fit_transform(texts)
    clf = LogisticRegression(C=c, max_iter=3000).fit(x, labels)
    coef = clf.coef_.copy()
    coef[abs(coef) < prune] = 0.0
    return vec, clf, coef


def probabilities(vec, clf, coef, texts: list[str]):
    """Each text's class probabilities (rows in ``clf.classes_`` order) from the pruned weights,
    as the pure-Python model computes them."""
    import numpy as np

    z = np.asarray(vec.transform(texts) @ coef.T) + clf.intercept_
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def to_json(vec, clf, coef, threshold: float, n_texts: int) -> dict:
    names = vec.get_feature_names_out()
    weights: dict[str, list[float]] = {}
    for j, name in enumerate(names):
        col = coef[:, j]
        flat: list[float] = []
        for c in col.nonzero()[0]:
            flat += [int(c), round(float(col[c]), 4)]
        if flat:
            weights[str(name)] = flat
    return {
        "format": FORMAT,
        "about": "English second opinion on もしかして (knowledge/classifier.py); written by scripts/train_classifier.py",
        "fitted_on": n_texts,
        "threshold": threshold,
        "classes": [str(c) for c in clf.classes_],
        "intercepts": [round(float(b), 4) for b in clf.intercept_],
        # every feature counts towards the norm, also one whose weights were all pruned
        "idf": {str(names[j]): round(float(v), 4) for j, v in enumerate(vec.idf_)},
        "weights": weights,
    }


def training(answerer: Answerer, rows: list[dict]) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for e in answerer.english().entries:
        for t in (e.question, *e.phrasings):
            texts.append(t)
            labels.append(e.id)
    for r in rows:
        if (lab := label(r)) is not None:
            texts.append(r["q"])
            labels.append(lab)
    return texts, labels


class _Spy:
    """Stands in for the model: records which entries the rules offered when they asked it."""

    offered: list[str] | None = None

    def pick(self, text: str, offered: list[str]) -> None:
        self.offered = list(offered)


def loso(answerer: Answerer, rows: list[dict], prune: float = PRUNE, c: float = C) -> None:

    english = answerer.english()
    spy = _Spy()
    english.classifier = spy  # the rules' own replies, and where the model would be asked
    replies = []
    for r in rows:
        spy.offered = None
        a = answerer.answer(r["q"])
        replies.append((a.answered, a.reason, spy.offered))
    phr_texts, phr_labels = training(answerer, [])
    gains = {t: [0, 0, 0] for t in THRESHOLDS}  # missed -> right, right -> wrong, missed -> wrong
    for name in sorted({r["set"] for r in rows}):
        inside = [r for r in rows if r["set"] != name]
        texts, labels = list(phr_texts), list(phr_labels)
        for r in inside:
            if (lab := label(r)) is not None:
                texts.append(r["q"])
                labels.append(lab)
        vec, clf, coef = fit(texts, labels, prune, c)
        idx = [i for i, r in enumerate(rows) if r["set"] == name]
        p = probabilities(vec, clf, coef, [rows[i]["q"] for i in idx])
        for k, i in enumerate(idx):
            answered, reason, offered = replies[i]
            if answered or offered is None:
                continue
            best = int(p[k].argmax())
            picked = str(clf.classes_[best])
            if picked not in offered:
                continue
            r = rows[i]
            for t in THRESHOLDS:
                if p[k, best] >= t:
                    right_now = picked in r["accept"]
                    if r["decline_ok"]:
                        gains[t][1] += not right_now  # a fair もしかして becomes a wrong answer
                    else:
                        gains[t][0 if right_now else 2] += 1
        print(f"  {name}: {len(idx)} questions", file=sys.stderr, flush=True)
    n = len(rows)
    print(f"leave-one-set-out over {n} English questions in {len({r['set'] for r in rows})} sets:")
    for t in THRESHOLDS:
        up, right_to_wrong, missed_to_wrong = gains[t]
        print(
            f"  p >= {t:.1f}: もしかして made answers: {up} missed -> right, {right_to_wrong} right -> wrong, "
            f"{missed_to_wrong} missed -> wrong; right {up - right_to_wrong:+d}, wrong "
            f"{right_to_wrong + missed_to_wrong:+d} of {n}"
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write", action="store_true", help=f"write knowledge/data/{CLASSIFIER_EN_FILE}")
    p.add_argument("--loso", action="store_true", help="leave-one-set-out figures")
    p.add_argument("--threshold", type=float, default=0.7, help="probability the model needs to agree")
    p.add_argument("--C", type=float, default=C, help="inverse L2 strength of the regression")
    p.add_argument("--prune", type=float, default=PRUNE, help="drop weights smaller than this")
    p.add_argument("--exclude", action="append", default=[], help="an English set to leave out (e.g. holdout14)")
    args = p.parse_args(argv)
    answerer = Answerer.load()
    rows = load_rows(args.exclude)
    if args.loso:
        loso(answerer, rows, args.prune, args.C)
    if args.write:
        texts, labels = training(answerer, rows)
        vec, clf, coef = fit(texts, labels, args.prune, args.C)
        model = to_json(vec, clf, coef, args.threshold, len(texts))
        out = DATA_DIR / CLASSIFIER_EN_FILE
        out.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {out.relative_to(ROOT)}: {len(model['classes'])} classes, {len(model['weights'])} features, "
              f"{sum(len(v) // 2 for v in model['weights'].values())} weights, fitted on {len(texts)} texts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
