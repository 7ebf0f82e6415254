"""The English answer verifier: the Japanese verifier's model over the English rules' signals
(knowledge/verifier.py en_features, verifier_en.json), fitted by scripts/train_verifier.py --lang en."""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path

import pytest

from knowledge.answerer import Answerer
from knowledge.english import load_english
from knowledge.loader import DataError
from knowledge.verifier import (
    EN_PATHS,
    VERIFIER_EN_FILE,
    Verifier,
    VerifierError,
    en_feature_names,
    en_features,
    fit,
    parse_verifier,
)

from .conftest import copy_shipped_data

ROOT = Path(__file__).resolve().parents[2]


def _verifier(bias: float, threshold: float = 0.5) -> Verifier:
    """A verifier that doubts everything (bias 30) or nothing (bias -30), whatever the features."""
    n = len(en_feature_names())
    return Verifier(tuple(en_feature_names()), (0.0,) * n, (1.0,) * n, (0.0,) * n, bias, threshold)


def _train_verifier():
    spec = importlib.util.spec_from_file_location("train_verifier", ROOT / "scripts" / "train_verifier.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_en_features_follow_their_names():
    x = en_features(
        score=0.8, entry_score=0.7, lead=0.5, margin=0.2, top=False, f1=0.6, coverage=0.9, domain=1.0,
        unknown=2, terms=4, length=120, asking_length=40, sentences=2, introduced=True, has_context=True,
        romaji=0.25, mixed=False, yes_no=True, subject=False, classifier_p=0.3, classifier_agrees=False,
        classifier_none=0.1, path="who", kind="how", category="target",
    )
    got = dict(zip(en_feature_names(), x, strict=True))
    assert got["lead_capped"] == 0.3 and got["path=who"] == 1.0 and got["kind=how"] == 1.0
    assert got["category=target"] == 1.0 and sum(v for k, v in got.items() if k.startswith("path=")) == 1.0


def test_a_verifier_file_fitted_for_the_other_language_is_refused():
    data = _verifier(0.0).to_dict()
    with pytest.raises(VerifierError, match="refit"):
        parse_verifier(data)  # the Japanese features by default
    assert parse_verifier(data, VERIFIER_EN_FILE, en_feature_names()).names == tuple(en_feature_names())
    data["names"] = data["names"][:-1]
    with pytest.raises(VerifierError, match=VERIFIER_EN_FILE):
        parse_verifier(data, VERIFIER_EN_FILE, en_feature_names())


def test_the_loader_names_a_broken_english_verifier_file(tmp_path):
    base = copy_shipped_data(tmp_path)
    (base / VERIFIER_EN_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match=VERIFIER_EN_FILE):
        load_english(base)
    (base / VERIFIER_EN_FILE).write_text(json.dumps({"names": ["score"]}), encoding="utf-8")
    with pytest.raises(DataError, match=VERIFIER_EN_FILE):
        load_english(base)
    (base / VERIFIER_EN_FILE).unlink()
    assert load_english(base).verifier is None  # no file: the rules alone


def test_a_verifier_file_in_the_data_directory_is_read(tmp_path):
    base = copy_shipped_data(tmp_path)
    (base / VERIFIER_EN_FILE).write_text(json.dumps(_verifier(30.0).to_dict()), encoding="utf-8")
    a = Answerer.load(base).answer("What is kyodo?")
    assert not a.answered and a.reason == "doubt" and a.lang == "en"


def test_a_doubted_english_answer_becomes_suggestions_with_the_answer_first(tmp_path):
    answerer = Answerer.load(copy_shipped_data(tmp_path))  # an answerer of its own: its English side is changed
    english = answerer.english()
    english.verifier = None
    english.record_features = True
    q = "What is kyodo?"
    plain = answerer.answer(q)
    assert plain.answered and plain.features is not None and len(plain.features) == len(en_feature_names())
    assert plain.features[en_feature_names().index("path=rules")] == 1.0
    english.verifier = _verifier(30.0)
    a = answerer.answer(q)
    assert not a.answered and a.reason == "doubt", a
    assert a.suggestions[0] == next(e.question for e in english.entries if e.id == plain.faq_id)
    assert len(a.suggestions) <= 3 and len(set(a.suggestions)) == len(a.suggestions)
    assert "kyodo" in a.text.lower() or a.suggestions[0] in a.text
    english.verifier = _verifier(-30.0)
    trusted = answerer.answer(q)
    assert trusted.answered and trusted.faq_id == plain.faq_id and trusted.text == plain.text


def test_every_path_that_answers_has_features(tmp_path):
    answerer = Answerer.load(copy_shipped_data(tmp_path))
    answerer.english().record_features = True
    paths = set()
    for q in (
        "What is kyodo?",
        "We are Vietnamese mothers who cook together. Can we work with the city?",
        "We are a company. Can we join?",
    ):
        a = answerer.answer(q)
        assert a.answered and a.features is not None, q
        paths |= {p for p in EN_PATHS if a.features[en_feature_names().index(f"path={p}")]}
    assert len(paths) >= 2


def test_the_fast_fit_of_the_script_is_the_pure_python_fit():
    rng = random.Random(7)
    xs = [[rng.gauss(0, 1), rng.random(), float(rng.random() < 0.3), 0.0] for _ in range(300)]
    ys = [int(x[0] + 2 * x[2] + rng.gauss(0, 0.7) > 1.2) for x in xs]
    slow = fit(xs, ys, l2=3.0)
    fast = _train_verifier().fit_fast(xs, ys, l2=3.0)
    for a, b in zip(slow, fast, strict=True):
        if isinstance(a, list):
            assert a == pytest.approx(b, abs=1e-6)
        else:
            assert a == pytest.approx(b, abs=1e-6)
    model = Verifier(("a", "b", "c", "d"), tuple(fast[0]), tuple(fast[1]), tuple(fast[2]), fast[3], 0.5)
    assert [model.doubt(x) for x in xs[:20]] == pytest.approx(_train_verifier().doubts(fast, xs[:20]), abs=1e-9)
