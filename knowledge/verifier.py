"""A second opinion on an answer: how likely it is to answer another question than the one asked.

The answerer's rules (coverage, near ties, subjects, kinds …) each look at one signal. Wrong answers
on real questions are mostly answers that pass every rule narrowly: a fair score, a small lead, most
but not all of the question covered, a self-introduction around it. This module combines those
signals in a logistic model fitted on the labelled real questions (evaluation/real_*.yaml) by
``scripts/train_verifier.py``; the fitted weights live in ``knowledge/data/verifier.json``. When the
model's doubt is above the chosen threshold, the answer is offered as もしかして instead (the citizen
can still tap it), which is the polite outcome the city prefers to a confident answer to another
question.

The English answerer (knowledge/english.py) has a counterpart over the signals its own rules compute
(:func:`en_features`, ``knowledge/data/verifier_en.json``, fitted by ``scripts/train_verifier.py
--lang en``): the same model, file format and loading, another list of features.

Pure Python (no numpy at run time): a dot product per answered question. Training is Newton's
method with L2, small enough for the few thousand answered questions there are.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.jsonfile import read_optional_json

VERIFIER_FILE = "verifier.json"
VERIFIER_EN_FILE = "verifier_en.json"
KINDS = ("what-is", "can-we", "how-do-we", "difference", "why", "contact", "status", "other")
CATEGORIES = ("about", "bg", "target", "principle", "form", "env", "howto")


def feature_names() -> list[str]:
    return [
        "score",
        "lead",
        "lead_capped",
        "coverage",
        "domain",
        "unknown",
        "nouns",
        "anchor",
        "length",
        "introduced",
        "fuzzy",
        "phrasing",
        "whole",
        "f1",
        "question",
        "yes_no",
        "raw_leader",
        "has_context",
        "asking_length",
        *(f"kind={k}" for k in KINDS),
        *(f"category={c}" for c in CATEGORIES),
    ]


def features(
    *,
    score: float,
    lead: float,
    coverage: float,
    domain: float,
    unknown: int,
    nouns: int,
    anchor: float,
    length: int,
    introduced: bool,
    fuzzy: float,
    phrasing: float,
    whole: float,
    f1: float,
    question: float,
    yes_no: bool,
    raw_leader: bool,
    has_context: bool,
    asking_length: int,
    kind: str,
    category: str,
) -> list[float]:
    """The model's inputs for one answer, in the order of :func:`feature_names` (lengths and the
    anchor mass scaled to about 1)."""
    return [
        score,
        lead,
        min(lead, 0.3),
        coverage,
        domain,
        float(unknown),
        float(nouns),
        anchor / 20,
        length / 100,
        float(introduced),
        fuzzy,
        phrasing,
        whole,
        f1,
        question,
        float(yes_no),
        float(raw_leader),
        float(has_context),
        asking_length / 50,
        *(float(kind == k) for k in KINDS),
        *(float(category == c) for c in CATEGORIES),
    ]


# -- the English answerer's signals (knowledge/english.py) ------------------------------------------------

# how the English rules reached the answer: the plain thresholds, a self-introduction's rule, the
# who-may rule, or a もしかして the classifier promoted
EN_PATHS = ("rules", "introduction", "who", "classifier")
# what the asking sentence opens with
EN_KINDS = ("what", "how", "where", "who", "why", "when", "which", "yes-no", "other")
# the prefix of the entry's id
EN_CATEGORIES = (
    "about", "bg", "bot", "contact", "env", "examples", "form", "howto", "kouen", "npo", "principle",
    "proposal", "responsibility", "support", "target", "term", "volunteer",
)


def en_feature_names() -> list[str]:
    return [
        "score",
        "entry_score",
        "lead",
        "lead_capped",
        "margin",
        "top",
        "f1",
        "coverage",
        "domain",
        "unknown",
        "terms",
        "length",
        "asking_length",
        "sentences",
        "introduced",
        "has_context",
        "romaji",
        "mixed",
        "yes_no",
        "subject",
        "classifier_p",
        "classifier_agrees",
        "classifier_none",
        *(f"path={k}" for k in EN_PATHS),
        *(f"kind={k}" for k in EN_KINDS),
        *(f"category={c}" for c in EN_CATEGORIES),
    ]


def en_features(
    *,
    score: float,
    entry_score: float,
    lead: float,
    margin: float,
    top: bool,
    f1: float,
    coverage: float,
    domain: float,
    unknown: int,
    terms: int,
    length: int,
    asking_length: int,
    sentences: int,
    introduced: bool,
    has_context: bool,
    romaji: float,
    mixed: bool,
    yes_no: bool,
    subject: bool,
    classifier_p: float,
    classifier_agrees: bool,
    classifier_none: float,
    path: str,
    kind: str,
    category: str,
) -> list[float]:
    """The English model's inputs for one answer, in the order of :func:`en_feature_names`:
    ``score`` is the leading entry's, ``entry_score`` the answered one's (they differ when a rule
    chose another entry), ``lead`` its lead over the best other entry, ``margin`` the leader's
    over the runner-up the rules consider; ``romaji`` the share of words that can only be romaji;
    ``classifier_*`` what the classifier (classifier_en.json) says of the message on its own."""
    return [
        score,
        entry_score,
        lead,
        max(-0.3, min(lead, 0.3)),
        min(margin, 0.5),
        float(top),
        f1,
        coverage,
        domain,
        float(min(unknown, 10)),
        float(min(terms, 20)),
        min(length, 1000) / 100,
        min(asking_length, 500) / 50,
        float(min(sentences, 8)),
        float(introduced),
        float(has_context),
        romaji,
        float(mixed),
        float(yes_no),
        float(subject),
        classifier_p,
        float(classifier_agrees),
        classifier_none,
        *(float(path == k) for k in EN_PATHS),
        *(float(kind == k) for k in EN_KINDS),
        *(float(category == c) for c in EN_CATEGORIES),
    ]


@dataclass(frozen=True, slots=True)
class Verifier:
    names: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float  # doubt above this: offer もしかして instead of answering

    def doubt(self, x: Sequence[float]) -> float:
        """The modelled probability that the answer does not answer the question asked."""
        z = self.bias + sum(
            w * (v - m) / s for w, v, m, s in zip(self.weights, x, self.means, self.scales, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_dict(self) -> dict[str, object]:
        return {
            "names": list(self.names),
            "means": list(self.means),
            "scales": list(self.scales),
            "weights": list(self.weights),
            "bias": self.bias,
            "threshold": self.threshold,
        }


class VerifierError(ValueError):
    pass


def parse_verifier(raw: object, where: str = VERIFIER_FILE, expected: Sequence[str] | None = None) -> Verifier:
    """A verifier from its JSON form; a mismatch with the features this code computes
    (``expected``, the Japanese ones unless given; the file was fitted by another version) is an
    error that names the file and what differs."""
    if not isinstance(raw, Mapping):
        raise VerifierError(f"{where}: expected a JSON object")
    expected = feature_names() if expected is None else list(expected)
    names = tuple(raw.get("names") or ())
    if list(names) != expected:
        raise VerifierError(
            f"{where}: its features ({len(names)}) are not the ones this code computes "
            f"({len(expected)}); refit it with scripts/train_verifier.py"
        )
    try:
        means = tuple(float(v) for v in raw["means"])
        scales = tuple(float(v) for v in raw["scales"])
        weights = tuple(float(v) for v in raw["weights"])
        bias, threshold = float(raw["bias"]), float(raw["threshold"])
    except (KeyError, TypeError, ValueError) as exc:
        raise VerifierError(f"{where}: missing or non-numeric value ({exc})") from None
    if not (len(means) == len(scales) == len(weights) == len(names)) or any(s <= 0 for s in scales):
        raise VerifierError(f"{where}: means, scales and weights must have one positive-scaled value per feature")
    if not 0.0 < threshold <= 1.0:
        raise VerifierError(f"{where}: threshold must be in (0, 1]")
    return Verifier(names, means, scales, weights, bias, threshold)


def load_verifier(data_dir: Path, name: str = VERIFIER_FILE, expected: Sequence[str] | None = None) -> Verifier | None:
    """The verifier of a data directory (``name``: verifier.json, or verifier_en.json with
    ``expected`` = :func:`en_feature_names`), or None when it has none (another city's data)."""
    raw = read_optional_json(data_dir, name, VerifierError)
    return None if raw is None else parse_verifier(raw, name, expected)


def fit(
    xs: Sequence[Sequence[float]],
    ys: Sequence[int],
    *,
    l2: float = 1.0,
    steps: int = 25,
) -> tuple[list[float], list[float], list[float], float]:
    """Logistic regression on standardised features by Newton's method (a d×d system per step),
    with an L2 penalty and the two classes weighted to count equally (wrong answers are few).
    Returns means, scales, weights, bias."""
    n, d = len(xs), len(xs[0])
    means = [sum(x[j] for x in xs) / n for j in range(d)]
    scales = []
    for j in range(d):
        var = sum((x[j] - means[j]) ** 2 for x in xs) / n
        scales.append(math.sqrt(var) if var > 1e-12 else 1.0)
    # standardised rows with a constant 1 for the bias (not penalised)
    zs = [[(x[j] - means[j]) / scales[j] for j in range(d)] + [1.0] for x in xs]
    pos = sum(ys) or 1
    neg = (n - sum(ys)) or 1
    cw = [n / (2 * pos) if y else n / (2 * neg) for y in ys]
    k = d + 1
    beta = [0.0] * k
    for _ in range(steps):
        grad = [l2 * beta[j] if j < d else 0.0 for j in range(k)]
        hess = [[(l2 if i == j and i < d else 0.0) for j in range(k)] for i in range(k)]
        for z, y, c in zip(zs, ys, cw, strict=True):
            t = sum(bj * zj for bj, zj in zip(beta, z, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, t))))
            e, h = c * (p - y), c * p * (1 - p)
            for i in range(k):
                zi = z[i]
                if zi == 0.0:
                    continue
                grad[i] += e * zi
                hz = h * zi
                row = hess[i]
                for j in range(k):
                    row[j] += hz * z[j]
        step = _solve(hess, grad)
        beta = [bj - sj for bj, sj in zip(beta, step, strict=True)]
        if max(abs(sj) for sj in step) < 1e-8:
            break
    return means, scales, beta[:d], beta[d]


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Solve a·x = b (a symmetric positive definite: the Hessian plus the penalty) by Gaussian
    elimination with partial pivoting."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[piv] = m[piv], m[col]
        p = m[col][col] or 1e-12
        for r in range(col + 1, n):
            f = m[r][col] / p
            if f:
                mr, mc = m[r], m[col]
                for c in range(col, n + 1):
                    mr[c] -= f * mc[c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / (m[r][r] or 1e-12)
    return x
