"""The English second opinion (knowledge/classifier.py): a text classifier that may turn a もしかして
into one of its own suggestions, and nothing else."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.answerer import Answerer
from knowledge.classifier import (
    CLASSIFIER_EN_FILE,
    FORMAT,
    NONE_CLASS,
    ClassifierError,
    features,
    load_classifier,
    parse_classifier,
)
from knowledge.english import load_english
from knowledge.loader import DATA_DIR, DataError

from .conftest import copy_shipped_data

ROOT = Path(__file__).resolve().parents[2]
UNSURE = "my group wants city help"  # the rules offer suggestions for this one


def _model(classes: list[str], weights: dict[str, list[float]], threshold: float = 0.6) -> dict:
    return {
        "format": FORMAT,
        "threshold": threshold,
        "classes": classes,
        "intercepts": [0.0] * len(classes),
        "idf": {f: 1.0 for f in weights},
        "weights": weights,
    }


@given(st.text(max_size=300))
def test_features_never_fail_and_ignore_width(text):
    got = features(text)
    assert all(f.startswith(("w:", "c:")) for f in got)
    assert features(text) == got


def test_features_read_full_width_and_case_as_plain_text():
    assert features("ＫＹＯＤＯ　ｈｅｌｐ") == features("kyodo help")
    assert "w:kyodo help" in features("Kyodo help") and "c: ky" in features("Kyodo")


def test_the_shipped_model_loads_and_names_only_english_entries():
    model = load_classifier(DATA_DIR)
    assert model is not None and 0.5 <= model.threshold < 1.0
    ids = {e.id for e in load_english().entries}
    assert set(model.classes) <= ids | {NONE_CLASS}
    assert len(model.classes) > 0.9 * len(ids)
    probs = model.probabilities("What is kyodo?")
    assert abs(sum(probs.values()) - 1.0) < 1e-6 and max(probs, key=probs.__getitem__) == "about-kyodo"


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda d: d.update(format=99), "format"),
        (lambda d: d.update(threshold=0), "threshold"),
        (lambda d: d.update(intercepts=[0.0]), "one intercept per class"),
        (lambda d: d.update(weights={"w:x": [7, 1.0]}), "out of range"),
        (lambda d: d.pop("idf"), "missing"),
        (lambda d: d.update(weights={"w:x": ["a", 1.0]}), "malformed"),
    ],
)
def test_a_model_file_that_does_not_fit_the_code_is_refused(change, problem):
    data = _model(["a", "b"], {"w:x": [0, 1.0]})
    change(data)
    with pytest.raises(ClassifierError, match=problem):
        parse_classifier(data)


def test_the_loader_names_a_broken_model_file(tmp_path):
    base = copy_shipped_data(tmp_path)
    (base / CLASSIFIER_EN_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match=CLASSIFIER_EN_FILE):
        load_english(base)
    (base / CLASSIFIER_EN_FILE).unlink()
    assert load_english(base).classifier is None  # another city's data: the rules alone


def _offered(tmp_path: Path) -> tuple[Answerer, list[str]]:
    """The entries the rules alone offer (answerers are cached per directory: a directory of its own)."""
    base = copy_shipped_data(tmp_path / "rules")
    (base / CLASSIFIER_EN_FILE).unlink(missing_ok=True)
    rules = Answerer.load(base)
    a = rules.answer(UNSURE)
    assert not a.answered and a.reason == "unsure", "pick another message the rules are unsure about"
    by_question = {e.question: e.id for e in rules.english().entries}
    return rules, [by_question[q] for q in a.suggestions]


@pytest.mark.parametrize("which", [0, -1])
def test_a_model_that_picks_one_of_the_suggestions_makes_it_the_answer(tmp_path, which):
    base = copy_shipped_data(tmp_path / "model")
    _, offered = _offered(tmp_path)
    assert len(offered) == 3
    model = _model([offered[which], NONE_CLASS], {"w:help": [0, 5.0]})
    (base / CLASSIFIER_EN_FILE).write_text(json.dumps(model), encoding="utf-8")
    a = Answerer.load(base).answer(UNSURE)
    assert a.answered and a.faq_id == offered[which] and a.lang == "en"


@pytest.mark.parametrize("who", ["an entry not offered", "no entry", "not sure enough"])
def test_a_model_that_does_not_agree_leaves_the_suggestions(tmp_path, who):
    base = copy_shipped_data(tmp_path / "model")
    rules, offered = _offered(tmp_path)
    other = next(e.id for e in rules.english().entries if e.id not in offered)
    classes, weight = {
        "an entry not offered": ([offered[0], other], [1, 5.0]),
        "no entry": ([offered[0], NONE_CLASS], [1, 5.0]),
        "not sure enough": ([offered[0], other], [0, 0.2]),
    }[who]
    model = _model(classes, {"w:help": weight}, 0.6)
    (base / CLASSIFIER_EN_FILE).write_text(json.dumps(model), encoding="utf-8")
    a = Answerer.load(base).answer(UNSURE)
    assert not a.answered and a.reason == "unsure" and len(a.suggestions) == len(offered)


def test_the_model_never_touches_japanese_answers_or_declines(tmp_path):
    """It is asked only where the English rules would offer もしかして: a decline stays a decline
    even when the model is sure of an entry."""
    base = copy_shipped_data(tmp_path / "model")
    _, offered = _offered(tmp_path)
    model = _model([offered[0]], {"w:garbage": [0, 9.0], "w:help": [0, 9.0]}, 0.5)
    (base / CLASSIFIER_EN_FILE).write_text(json.dumps(model), encoding="utf-8")
    answerer = Answerer.load(base)
    assert answerer.answer("How do I put out the garbage?").reason == "out_of_scope"
    assert answerer.answer("協働ってなに？").faq_id == "about-kyodo"


def test_run_time_probabilities_match_the_fitted_model():
    """The pure-Python inference computes what scikit-learn's model (with the same pruning) does."""
    np = pytest.importorskip("numpy")
    pytest.importorskip("sklearn")
    spec = importlib.util.spec_from_file_location("train_classifier", ROOT / "scripts" / "train_classifier.py")
    tc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tc)

    texts = ["what is kyodo", "kyodo meaning", "how to apply kouen", "kouen application form",
             "garbage day", "residence card renewal", "kyodo definition please", "apply for kouen meigi"]
    labels = ["about-kyodo", "about-kyodo", "form-kouen", "form-kouen", NONE_CLASS, NONE_CLASS,
              "about-kyodo", "form-kouen"]
    vec, clf, coef = tc.fit(texts, labels)
    model = parse_classifier(tc.to_json(vec, clf, coef, 0.6, len(texts)))
    for q in ["what does kyodo mean", "kouen how", "ＧＡＲＢＡＧＥ day?", "nothing known"]:
        z = np.asarray(vec.transform([q]) @ coef.T)[0] + clf.intercept_
        p = np.exp(z - z.max())
        p /= p.sum()
        got = model.probabilities(q)
        for c, want in zip(clf.classes_, p, strict=True):
            assert got[str(c)] == pytest.approx(float(want), abs=2e-3)
