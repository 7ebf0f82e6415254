"""A second opinion on もしかして: which entry a message's wording is most like, as a text classifier.

The answerers rank entries by the words a message shares with each entry's phrasings and then apply
rules; when a rule is unsure they offer the leading entries as もしかして. On English messages the
right entry is among the three suggestions for most of those replies, but the rules' own signals
cannot tell which one, or whether any. A model of another kind can: a logistic regression over
word and character n-grams, fitted on the entries' phrasings and on the labelled evaluation
questions (``scripts/train_classifier.py``, with scikit-learn, at development time only). When its
own pick, made with at least the threshold's probability, is one of the suggestions, that
suggestion is the answer. It never brings in an entry the rules did not offer and never overrules
an answer or a decline, so a wrong answer can only come from a もしかして.

Pure Python at run time: the same features as the fitting (:func:`features`), sublinear tf-idf, L2
norm, a sparse dot product with the pruned weights, softmax. The weights live in
``knowledge/data/classifier_en.json``; an entry added later by city staff is simply not one the model
knows (its もしかして stays as it is) until the script is run again.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.jsonfile import read_optional_json
from knowledge.normalize import normalize

CLASSIFIER_EN_FILE = "classifier_en.json"
FORMAT = 1
# the class of messages no entry answers (out of scope, or the guideline is silent)
NONE_CLASS = "__none__"

_WORD_RE = re.compile(r"(?u)\b\w\w+\b")
_SPACES_RE = re.compile(r"\s+")


class ClassifierError(ValueError):
    """classifier_en.json is present but not a model this code can use."""


def features(text: str) -> list[str]:
    """The n-grams of a message: words and word pairs (``w:`` prefix) and character 2- to 4-grams
    inside each word padded with spaces (``c:``), of the normalised, lower-cased text. Fitting
    passes this very function to scikit-learn as the analyzer, so run time and fitting cannot
    disagree on a feature."""
    text = _SPACES_RE.sub(" ", normalize(text).lower()).strip()
    words = _WORD_RE.findall(text)
    out = [f"w:{w}" for w in words]
    out += [f"w:{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    for token in text.split(" "):
        padded = f" {token} "
        for n in (2, 3, 4):
            if len(padded) < n:
                out.append(f"c:{padded}")
                break
            out += [f"c:{padded[i:i + n]}" for i in range(len(padded) - n + 1)]
    return out


@dataclass(slots=True)
class TextClassifier:
    """A fitted model: idf per feature, per feature the classes it weighs on, and a threshold."""

    classes: tuple[str, ...]
    intercepts: list[float]
    idf: Mapping[str, float]
    # feature -> [class index, weight, class index, weight …] as read (no copy: loading stays fast)
    weights: Mapping[str, list[float]]
    threshold: float

    def probabilities(self, text: str) -> dict[str, float]:
        """P(class | text) for every class (softmax of the linear scores)."""
        counts = Counter(f for f in features(text) if f in self.idf)
        z = list(self.intercepts)
        if counts:
            vec = {f: (1.0 + math.log(n)) * self.idf[f] for f, n in counts.items()}
            norm = math.sqrt(sum(v * v for v in vec.values()))
            for f, v in vec.items():
                got = self.weights.get(f)
                if got is None:
                    continue
                x = v / norm
                pairs = iter(got)
                for c, w in zip(pairs, pairs, strict=True):
                    z[c] += w * x
        top = max(z)
        exp = [math.exp(s - top) for s in z]
        total = sum(exp)
        return {c: e / total for c, e in zip(self.classes, exp, strict=True)}

    def pick(self, text: str, offered: Sequence[str]) -> str | None:
        """The entry among ``offered`` (the rules' suggestions) that the model, on its own, picks for
        ``text`` with at least the threshold; None when its pick is another entry, no entry, or
        not sure enough."""
        probs = self.probabilities(text)
        best = max(probs, key=probs.__getitem__)
        return best if best in offered and probs[best] >= self.threshold else None


def parse_classifier(raw: object, where: str = CLASSIFIER_EN_FILE) -> TextClassifier:
    if not isinstance(raw, Mapping) or raw.get("format") != FORMAT:
        raise ClassifierError(f"{where}: expected a mapping with format {FORMAT} (run scripts/train_classifier.py)")
    try:
        classes = tuple(str(c) for c in raw["classes"])
        intercepts = [float(b) for b in raw["intercepts"]]
        idf = {str(f): float(v) for f, v in raw["idf"].items()}
        weights: dict[str, list[float]] = {}
        for f, flat in raw["weights"].items():
            if not isinstance(flat, list) or len(flat) % 2 or not all(type(c) is int for c in flat[0::2]):
                raise ValueError(f"weights of {f!r} must alternate class indexes and weights")
            weights[str(f)] = flat
        threshold = float(raw["threshold"])
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise ClassifierError(f"{where}: missing or malformed value ({exc})") from None
    if len(intercepts) != len(classes) or not classes:
        raise ClassifierError(f"{where}: one intercept per class is needed")
    if any(not 0 <= c < len(classes) for flat in weights.values() for c in flat[0::2]):
        raise ClassifierError(f"{where}: a weight names a class index out of range")
    if not 0.0 < threshold <= 1.0:
        raise ClassifierError(f"{where}: threshold must be in (0, 1]")
    return TextClassifier(classes, intercepts, idf, weights, threshold)


def load_classifier(data_dir: Path, name: str = CLASSIFIER_EN_FILE) -> TextClassifier | None:
    """The classifier of a data directory, or None when it has none (another city's data)."""
    raw = read_optional_json(data_dir, name, ClassifierError)
    return None if raw is None else parse_classifier(raw, name)
