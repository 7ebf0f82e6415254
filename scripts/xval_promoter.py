"""An experiment (issue 9): a promoter for Japanese もしかして that combines the rules' signals with a
character n-gram classifier, measured by nested leave-one-set-out cross-validation.

    PYTHONPATH=. python scripts/xval_promoter.py                 # answer every set, then the figures
    PYTHONPATH=. python scripts/xval_promoter.py --rows ROWS.json  # reuse the answers of a run before

What is measured. When the Japanese answerer offers もしかして (up to three entries), a promoter may
answer with one of them instead. Its inputs, for a suggestion:

* the rules' features of that suggestion, computed as the verifier computes them for an answer
  (knowledge/verifier.py: score, lead, coverage, in-domain share, unknown words, …, kind, category),
  plus which rule made the reply unsure (one indicator per rule: the line of ``decide`` that
  returned もしかして, the verifier's doubt among them) and the suggestion's rank;
* a character 1- to 3-gram classifier (tf-idf, multinomial logistic regression; fitted on every
  entry's question and phrasings and the labelled questions, the "no entry" class for fair
  declines): its probability for that suggestion, for "no entry", its best probability, the
  suggestion's rank among the classifier's classes and whether the classifier's pick is it.

The promoter is a logistic model (knowledge.verifier.fit, classes weighted equally) whose target is
"the suggestion is an accepted entry". A suggestion is promoted when its modelled probability is
at least t; with ``any of three`` the most probable of the three is the candidate.

Nesting (no leakage): for each left-out set S, the classifier that scores S is fitted on the other
sets only, and the promoter is fitted on the other sets' もしかして whose classifier inputs are
themselves out-of-fold inside those sets (the other sets are cut into ``--inner`` groups of sets;
each group is scored by a classifier fitted on the remaining sets without S). So neither model ever
saw S, and the promoter is trained on classifier outputs of the kind it will get on S.

Scored as scripts/eval_real.py does: a もしかして where an answer was due is missed; promoted to an
accepted entry it becomes right, to another entry wrong; a fair もしかして (``decline_ok``) promoted to
an entry not accepted becomes wrong (right −1, wrong +1).

Also printed: the classifier's own pick without a promoter, each signal alone, the curves for L2
penalties given with ``--l2``, and the combined promoter with its threshold chosen inside the
training sets (``nested_threshold``). Needs scikit-learn (a development dependency); the classifier
fits take about 40 minutes on two cores (``--rows`` and ``--cins`` cache the rules' replies and the
classifier's out-of-fold inputs for reruns). Not used by the bot: the result (docs/knowledge.md,
"the two signals combined") did not meet the bar for building it.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.answerer import MAX_SUGGESTIONS, Answerer  # noqa: E402
from knowledge.classifier import NONE_CLASS  # noqa: E402
from knowledge.normalize import normalize  # noqa: E402

RECENT = {f"holdout{n}" for n in range(14, 20)}  # the most recent blind sets
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.92, 0.94, 0.96, 0.98)


def set_of(path: Path) -> str:
    """As scripts/train_verifier.py: real_faq_holdout7 and real_phone_holdout7 are one set."""
    if path.stem.startswith("knowledge_"):
        return path.stem
    m = re.search(r"holdout(\d*)", path.stem)
    return f"holdout{m.group(1) or '1'}" if m else "dev"


def load_items(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if "questions" in data:
        return data["questions"] or []
    return [
        *({"q": i["q"], "accept": i.get("expect") or [], "decline_ok": False} for i in data.get("in_scope") or []),
        *({"q": i["q"], "accept": [], "decline_ok": True, "scope": "out"} for i in data.get("out_of_scope") or []),
    ]


def files() -> list[Path]:
    out = sorted(p for g in ("real_*.yaml", "knowledge_*.yaml") for p in (ROOT / "evaluation").glob(g))
    # (a set still being written blind elsewhere is never read)
    return [p for p in out if "holdout20" not in p.name]


# -- the rules' もしかして, instrumented ------------------------------------------------------------


def instrument(answerer: Answerer) -> dict[int, dict]:
    """Wrap ``decide`` and ``_unsure`` of this answerer so that every もしかして records the
    rule that made it (the line of ``decide`` that asked for it) and the rules' features of each
    suggestion. Records are keyed by the id of the Answer returned."""
    records: dict[int, dict] = {}
    ctx: list[tuple] = []
    cls = type(answerer)
    orig_decide, orig_unsure = cls.decide, cls._unsure

    def decide(self, a, u=None):
        ctx.append((a, u))
        try:
            return orig_decide(self, a, u)
        finally:
            ctx.pop()

    def _unsure(self, a):
        ans = orig_unsure(self, a)
        frame = sys._getframe(1)
        rule = f"{frame.f_code.co_name}:{frame.f_lineno}"
        if ctx and ctx[-1][1] is not None:
            raw, u = ctx[-1]
            sugg = []
            for k, c in enumerate(a.candidates[:MAX_SUGGESTIONS]):
                x = self.candidate_features(raw, a, u, k)
                sugg.append({"id": c.entry.id, "x": x})
            records[id(ans)] = {"rule": rule, "sugg": sugg}
        return ans

    cls.decide, cls._unsure = decide, _unsure
    return records


def collect() -> list[dict]:
    answerer = Answerer.load()
    records = instrument(answerer)
    rows = []
    for path in files():
        for item in load_items(path):
            q = str(item.get("q", ""))
            scope = str(item.get("scope", "in"))
            a = answerer.answer(q)
            rec = records.get(id(a)) if not a.answered and a.reason in ("unsure", "doubt") else None
            if rec is not None and a.reason == "doubt":
                rec["rule"] = "doubt"
            rows.append(
                {
                    "set": set_of(path),
                    "file": path.name,
                    "q": q,
                    "accept": [str(x) for x in item.get("accept") or []],
                    "decline_ok": bool(item.get("decline_ok", scope == "out")),
                    "answered": a.answered,
                    "faq_id": a.faq_id,
                    "part_ids": [pid for _, pid in a.parts if pid],
                    "reason": a.reason,
                    "unsure": rec,
                }
            )
            records.clear()
    return rows


# -- the classifier ---------------------------------------------------------------------------------


def char_ngrams(text: str) -> list[str]:
    """Character 1- to 3-grams of the normalised text, spaces removed."""
    t = re.sub(r"\s+", "", normalize(text).lower())
    return [t[i : i + n] for n in (1, 2, 3) for i in range(len(t) - n + 1)]


def phrasing_texts() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for e in yaml.safe_load((ROOT / "knowledge/data/faq.yaml").read_text(encoding="utf-8")):
        for t in (e["question"], *(e.get("phrasings") or [])):
            texts.append(str(t))
            labels.append(str(e["id"]))
    return texts, labels


def label(row: dict) -> str | None:
    if row["accept"]:
        return row["accept"][0]
    return NONE_CLASS if row["decline_ok"] else None


class Classifier:
    def __init__(self, rows: list[dict], phr: tuple[list[str], list[str]], c: float):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        texts, labels = list(phr[0]), list(phr[1])
        for r in rows:
            if (lab := label(r)) is not None:
                texts.append(r["q"])
                labels.append(lab)
        self.vec = TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True, min_df=2)
        x = self.vec.fit_transform(texts)
        self.clf = LogisticRegression(C=c, max_iter=2000, tol=1e-3).fit(x, labels)
        self.index = {str(k): i for i, k in enumerate(self.clf.classes_)}

    def inputs(self, rows: list[dict]) -> list[list[dict]]:
        """Per row, per suggestion: the classifier's inputs for it."""
        import numpy as np

        idx = [i for i, r in enumerate(rows) if r["unsure"]]
        out: list[list[dict]] = [[] for _ in rows]
        if not idx:
            return out
        p = self.clf.predict_proba(self.vec.transform([rows[i]["q"] for i in idx]))
        none = self.index.get(NONE_CLASS)
        for k, i in enumerate(idx):
            pk = p[k]
            order = np.argsort(-pk)
            rank = {int(c): r for r, c in enumerate(order)}
            top = int(order[0])
            for s in rows[i]["unsure"]["sugg"]:
                c = self.index.get(s["id"])
                ps = float(pk[c]) if c is not None else 0.0
                out[i].append(
                    {
                        "p": ps,
                        "p_none": float(pk[none]) if none is not None else 0.0,
                        "p_max": float(pk[top]),
                        "rank": rank[c] if c is not None else 99,
                        "agree": c is not None and c == top,
                    }
                )
        return out


# -- the promoter -----------------------------------------------------------------------------------


def promo_x(row: dict, k: int, cin: dict | None, rules: list[str], use_rules: bool, use_clf: bool) -> list[float]:
    s = row["unsure"]["sugg"][k]
    x: list[float] = []
    if use_rules:
        x += list(s["x"])
        x += [float(row["unsure"]["rule"] == r) for r in rules]
        x += [float(k == 1), float(k == 2)]
    if use_clf and cin is not None:
        p = cin["p"]
        x += [
            p,
            math.log(max(p, 1e-6)),
            cin["p_none"],
            math.log(max(cin["p_none"], 1e-6)),
            cin["p_max"],
            float(cin["agree"]),
            min(cin["rank"], 5) / 5,
            float(cin["agree"]) * p,
        ]
    return x


def examples(rows, cins, idx, rules, use_rules, use_clf, lead_only):
    xs, ys = [], []
    for i in idx:
        r = rows[i]
        for k, _s in enumerate(r["unsure"]["sugg"]):
            if lead_only and k:
                break
            xs.append(promo_x(r, k, cins[i][k] if cins[i] else None, rules, use_rules, use_clf))
            ys.append(int(r["unsure"]["sugg"][k]["id"] in r["accept"]))
    return xs, ys


def fit(xs: list[list[float]], ys: list[int], l2: float = 1.0) -> tuple[list[float], list[float], list[float], float]:
    """Logistic regression on standardised features, the two classes weighted to count equally, an
    L2 penalty of ``l2`` (the objective of knowledge.verifier.fit, solved by scikit-learn: the
    pure-Python Newton steps take minutes for the もしかして rows). Returns means, scales, weights, bias."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(xs, dtype=float)
    means = x.mean(axis=0)
    scales = x.std(axis=0)
    scales[scales < 1e-6] = 1.0
    z = (x - means) / scales
    clf = LogisticRegression(C=1.0 / l2, class_weight="balanced", max_iter=5000).fit(z, ys)
    return list(means), list(scales), list(clf.coef_[0]), float(clf.intercept_[0])


def prob(model, x) -> float:
    means, scales, weights, bias = model
    z = bias + sum(w * (v - m) / s for w, v, m, s in zip(weights, x, means, scales, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", help="read (or, if missing, write) the rules' replies here")
    p.add_argument("--C", type=float, default=10.0, help="the classifier's inverse L2 strength")
    p.add_argument("--l2", type=float, action="append", help="the promoter's L2 penalty (repeatable; default 1)")
    p.add_argument("--inner", type=int, default=4, help="groups of sets for the inner out-of-fold scores")
    p.add_argument("--jobs", type=int, default=2, help="processes fitting classifiers")
    p.add_argument("--cins", help="read (or, if missing, write) the classifier's out-of-fold inputs here")
    args = p.parse_args(argv)
    args.l2 = args.l2 or [1.0]

    if args.rows and Path(args.rows).exists():
        rows = json.loads(Path(args.rows).read_text(encoding="utf-8"))
    else:
        t0 = time.time()
        rows = collect()
        print(f"answered {len(rows)} questions in {time.time() - t0:.0f} s", file=sys.stderr)
        if args.rows:
            Path(args.rows).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    run(rows, args)
    return 0


def verdict(r: dict) -> str:
    if r["answered"]:
        return "right" if {r["faq_id"], *r["part_ids"]} <= set(r["accept"]) else "wrong"
    return "right" if r["decline_ok"] else "missed"


def run(rows: list[dict], args) -> None:
    sets = sorted({r["set"] for r in rows})
    unsure = [i for i, r in enumerate(rows) if r["unsure"]]
    rules = sorted({rows[i]["unsure"]["rule"] for i in unsure})
    n_real = sum(1 for r in rows if not r["set"].startswith("knowledge_"))
    n_recent = sum(1 for r in rows if r["set"] in RECENT)
    base = {"right": 0, "wrong": 0}
    for r in rows:
        v = verdict(r)
        if v in base:
            base[v] += 1
    lead_ok = sum(1 for i in unsure if rows[i]["unsure"]["sugg"] and rows[i]["unsure"]["sugg"][0]["id"] in rows[i]["accept"])
    any_ok = sum(1 for i in unsure if any(s["id"] in rows[i]["accept"] for s in rows[i]["unsure"]["sugg"]))
    print(
        f"{len(rows)} questions in {len(sets)} sets ({n_real} real, {n_recent} in sets 14-19); right {base['right']}, "
        f"wrong {base['wrong']}; もしかして {len(unsure)} (an accepted entry first {lead_ok}, among the three {any_ok}); "
        f"{len(rules)} rules made them"
    )
    phr = phrasing_texts()
    # the classifier's inputs for each row, out of fold for the outer set (cins_outer) and, per
    # outer set, out of fold inside the other sets (cins_inner[S])
    if args.cins and Path(args.cins).exists():
        got = json.loads(Path(args.cins).read_text(encoding="utf-8"))
        cins_outer, cins_inner = got["outer"], got["inner"]
    else:
        cins_outer: list[list[dict]] = [[] for _ in rows]
        cins_inner: dict[str, list[list[dict]]] = {}
        t0 = time.time()
        global _JOB
        _JOB = (rows, sets, phr, args.C, args.inner)
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            for s, outer, inner in pool.imap_unordered(_fold, sets):
                for i, r in enumerate(rows):
                    if r["set"] == s:
                        cins_outer[i] = outer[i]
                cins_inner[s] = inner
                print(f"  {s}: classifiers fitted ({time.time() - t0:.0f} s)", file=sys.stderr, flush=True)
        if args.cins:
            Path(args.cins).write_text(json.dumps({"outer": cins_outer, "inner": cins_inner}), encoding="utf-8")
    for l2 in args.l2:
        report(rows, sets, unsure, rules, cins_outer, cins_inner, l2)
        for lead_only in (True, False):
            nested_threshold(rows, sets, unsure, rules, cins_outer, cins_inner, l2, lead_only)


_JOB: tuple = ()


def _fold(s: str) -> tuple[str, list[list[dict]], list[list[dict]]]:
    """For the left-out set s: the classifier's inputs on s (fitted on the other sets) and, on
    the other sets, out of fold inside them (each group of sets scored by a classifier fitted on
    the remaining sets, s never among them)."""
    rows, sets, phr, c, n_inner = _JOB
    others = [x for x in sets if x != s]
    clf = Classifier([r for r in rows if r["set"] != s], phr, c)
    outer = clf.inputs([r if r["set"] == s else {**r, "unsure": None} for r in rows])
    inner: list[list[dict]] = [[] for _ in rows]
    for g in (others[k::n_inner] for k in range(n_inner)):
        gset = set(g)
        clf = Classifier([r for r in rows if r["set"] != s and r["set"] not in gset], phr, c)
        got = clf.inputs([r if r["set"] in gset else {**r, "unsure": None} for r in rows])
        for i, r in enumerate(rows):
            if r["set"] in gset:
                inner[i] = got[i]
    return s, outer, inner


def tally(rows: list[dict], picks: dict[int, int]) -> dict[str, list[int]]:
    """Right and wrong answers added when each row i's suggestion picks[i] is answered, overall, on
    the real sets and on sets 14-19."""
    acc = {"all": [0, 0], "real": [0, 0], "recent": [0, 0]}
    for i, k in picks.items():
        r = rows[i]
        ok = r["unsure"]["sugg"][k]["id"] in r["accept"]
        if r["decline_ok"]:
            dr, dw = (0, 0) if ok else (-1, 1)
        else:
            dr, dw = (1, 0) if ok else (0, 1)
        for key, inside in (
            ("all", True),
            ("real", not r["set"].startswith("knowledge_")),
            ("recent", r["set"] in RECENT),
        ):
            if inside:
                acc[key][0] += dr
                acc[key][1] += dw
    return acc


def curve_line(t: float, acc: dict[str, list[int]]) -> str:
    a, re_, rc = acc["all"], acc["real"], acc["recent"]
    ratio = f"{a[0] / a[1]:.1f}" if a[1] else "-"
    return (
        f"  {t:.2f}  {a[0]:+4d} / {a[1]:+4d} ({ratio:>4})        {re_[0]:+4d} / {re_[1]:+4d}"
        f"          {rc[0]:+4d} / {rc[1]:+4d}"
    )


HEADER = "  t      all: right / wrong (ratio)   real: right / wrong   sets 14-19: right / wrong"


def report(rows, sets, unsure, rules, cins_outer, cins_inner, l2) -> dict:
    out = {}
    # the classifier alone, as tried before: its pick, when it is one of the suggestions (or the
    # leading one) with probability >= t
    for lead_only in (True, False):
        print(f"\nclassifier's own pick, no promoter, {'the leading suggestion only' if lead_only else 'any of the three'}:")
        print(HEADER)
        for t in THRESHOLDS:
            picks = {}
            for i in unsure:
                for k, c in enumerate(cins_outer[i] or []):
                    if c["agree"] and c["p"] >= t and (k == 0 or not lead_only):
                        picks[i] = k
            print(curve_line(t, tally(rows, picks)))
    for use_rules, use_clf, name in ((True, False, "rules only"), (False, True, "classifier only"), (True, True, "combined")):
        for lead_only in (True, False):
            # out-of-set promoter probability for each もしかして row and suggestion
            probs: dict[int, list[float]] = {}
            for s in sets:
                train_idx = [i for i in unsure if rows[i]["set"] != s]
                xs, ys = examples(rows, cins_inner[s], train_idx, rules, use_rules, use_clf, lead_only)
                model = fit(xs, ys, l2=l2)
                for i in unsure:
                    if rows[i]["set"] != s:
                        continue
                    n = 1 if lead_only else len(rows[i]["unsure"]["sugg"])
                    probs[i] = [
                        prob(model, promo_x(rows[i], k, cins_outer[i][k] if cins_outer[i] else None, rules, use_rules, use_clf))
                        for k in range(n)
                    ]
            out[(name, lead_only)] = probs
            print(f"\npromoter, {name}, {'the leading suggestion only' if lead_only else 'any of the three'} (l2 {l2}):")
            print(HEADER)
            for t in THRESHOLDS:
                picks = {}
                for i, ps in probs.items():
                    k = max(range(len(ps)), key=ps.__getitem__) if ps else None
                    if k is not None and ps[k] >= t:
                        picks[i] = k
                print(curve_line(t, tally(rows, picks)))
    return out


FINE = tuple(round(0.80 + 0.005 * k, 3) for k in range(40))  # 0.800 … 0.995


def _probs(rows, idx_train, idx_score, cins_train, cins_score, rules, l2, lead_only):
    xs, ys = examples(rows, cins_train, idx_train, rules, True, True, lead_only)
    model = fit(xs, ys, l2=l2)
    out = {}
    for i in idx_score:
        n = 1 if lead_only else len(rows[i]["unsure"]["sugg"])
        out[i] = [prob(model, promo_x(rows[i], k, cins_score[i][k] if cins_score[i] else None, rules, True, True)) for k in range(n)]
    return out


def _picks(probs: dict[int, list[float]], t: float) -> dict[int, int]:
    picks = {}
    for i, ps in probs.items():
        k = max(range(len(ps)), key=ps.__getitem__) if ps else None
        if k is not None and ps[k] >= t:
            picks[i] = k
    return picks


def nested_threshold(rows, sets, unsure, rules, cins_outer, cins_inner, l2, lead_only) -> None:
    """The combined promoter with its threshold chosen without the left-out set: for each set S,
    promoter probabilities out of fold inside the other sets (each other set T scored by a promoter
    fitted on the sets but S and T, on classifier inputs that never saw S), the threshold chosen
    there (the most right answers added with at least 3 right per wrong answer added, on the real
    sets), then S scored with the promoter fitted on all sets but S at that threshold."""
    total: dict[int, int] = {}
    chosen = []
    for s in sets:
        others = [x for x in sets if x != s]
        inner: dict[int, list[float]] = {}
        for t_set in others:
            tr = [i for i in unsure if rows[i]["set"] not in (s, t_set)]
            sc = [i for i in unsure if rows[i]["set"] == t_set]
            inner.update(_probs(rows, tr, sc, cins_inner[s], cins_inner[s], rules, l2, lead_only))
        best_t, best_r = 1.01, 0
        for t in FINE:
            acc = tally(rows, _picks(inner, t))["real"]
            if acc[0] >= 3 * max(acc[1], 0) and acc[0] > best_r:
                best_t, best_r = t, acc[0]
        chosen.append(best_t)
        tr = [i for i in unsure if rows[i]["set"] != s]
        sc = [i for i in unsure if rows[i]["set"] == s]
        outer = _probs(rows, tr, sc, cins_inner[s], cins_outer, rules, l2, lead_only)
        total.update(_picks(outer, best_t))
    acc = tally(rows, total)
    print(
        f"\ncombined, {'leading only' if lead_only else 'any of the three'}, l2 {l2}, threshold chosen inside the "
        f"other sets (chosen {min(chosen):.3f}-{max(chosen):.3f}): all {acc['all'][0]:+d} / {acc['all'][1]:+d}, "
        f"real {acc['real'][0]:+d} / {acc['real'][1]:+d}, sets 14-19 {acc['recent'][0]:+d} / {acc['recent'][1]:+d}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
