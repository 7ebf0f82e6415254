"""The answer verifier: a logistic second opinion fitted on the labelled real questions."""

from __future__ import annotations

import json
import random

import pytest

from knowledge.answerer import Answerer
from knowledge.loader import DATA_DIR, DataError, load_data
from knowledge.verifier import VERIFIER_FILE, Verifier, VerifierError, feature_names, fit, parse_verifier

from .conftest import copy_shipped_data


def test_the_shipped_verifier_matches_the_features_this_code_computes():
    v = load_data().verifier
    assert v is not None and list(v.names) == feature_names()
    assert 0.5 < v.threshold < 1.0


def test_fit_recovers_which_way_a_signal_points():
    rng = random.Random(1)
    xs = [[rng.gauss(0, 1), rng.gauss(0, 1)] for _ in range(400)]
    ys = [int(x[0] - 0.2 * x[1] + rng.gauss(0, 0.5) > 1.0) for x in xs]
    means, scales, weights, bias = fit(xs, ys)
    assert weights[0] > 1.0 > 0 > weights[1]
    v = Verifier(("a", "b"), tuple(means), tuple(scales), tuple(weights), bias, 0.5)
    assert v.doubt([3.0, 0.0]) > 0.9 and v.doubt([-3.0, 0.0]) < 0.1


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda d: d.update(names=d["names"][:-1]), "refit it"),
        (lambda d: d.update(threshold=1.5), "threshold"),
        (lambda d: d.update(weights=d["weights"][:-1]), "one positive-scaled value"),
        (lambda d: d.pop("bias"), "missing"),
    ],
)
def test_a_verifier_file_that_does_not_fit_the_code_is_refused(change, problem):
    data = json.loads((DATA_DIR / VERIFIER_FILE).read_text(encoding="utf-8"))
    change(data)
    with pytest.raises(VerifierError, match=problem):
        parse_verifier(data)


def test_the_loader_names_a_broken_verifier_file(tmp_path):
    copy_shipped_data(tmp_path)
    (tmp_path / VERIFIER_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match=VERIFIER_FILE):
        load_data(tmp_path)
    (tmp_path / VERIFIER_FILE).unlink()
    assert load_data(tmp_path).verifier is None  # another city's data: the rules alone


def test_a_doubted_answer_becomes_suggestions_with_the_answer_first(answerer: Answerer):
    """With a verifier that doubts everything, an answer the rules give is offered as もしかして,
    its entry first, and a verbatim question is still answered."""
    q = "協働するときの原則のようなものはありますか"
    plain = answerer.answer(q)
    assert plain.answered and plain.features is not None
    doubting = Verifier(
        answerer.verifier.names,
        answerer.verifier.means,
        answerer.verifier.scales,
        tuple(0.0 for _ in answerer.verifier.weights),
        30.0,
        0.5,
    )
    saved = answerer.verifier
    try:
        answerer.verifier = doubting
        a = answerer.answer(q)
        assert not a.answered and a.reason == "doubt", a
        assert a.suggestions[0] == answerer.entry(plain.faq_id).question
        assert answerer.answer("協働とは何ですか？").answered  # near-verbatim: no second opinion
    finally:
        answerer.verifier = saved
