"""Property tests: whatever a group writes, the matcher answers sanely."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.normalize import fold
from matching import GroupProfile, Matcher
from matching.scanner import Scanner

_M = Matcher.load()
_WORDS = sorted(
    {w for d in _M.divisions for _, ws in d.projects for w in ws} | {w for f in _M.fields for w in f.words}
)
_PIECES = st.one_of(
    st.sampled_from(_WORDS), st.text(max_size=8), st.sampled_from(["、", "。", " ", "ー", "NPO", "ｱｲ"])
)
_TEXT = st.lists(_PIECES, max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    name=_TEXT,
    description=_TEXT,
    fields=st.lists(
        st.one_of(st.sampled_from([f.label for f in _M.fields]), st.text(max_size=10)), max_size=4
    ),
    top=st.integers(min_value=0, max_value=50),
)
def test_any_profile_gives_sane_result(name, description, fields, top):
    r = _M.match(GroupProfile(name=name, description=description, fields=fields), top=top)
    assert len(r.matches) <= top
    scores = [d.score for d in r.matches]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert len({d.division_id for d in r.matches}) == len(r.matches)
    for d in r.matches:
        assert d.reasons
        assert _M.division(d.division_id).name == d.department
    assert (r.message is None) == bool(r.matches) or r.message is not None
    assert set(r.unknown_fields).isdisjoint(r.fields)


_KEYS = [fold(w) for w in _WORDS]
_C = Scanner(_KEYS, use_c=True)
_PY = Scanner(_KEYS, use_c=False)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_c_and_python_scanners_agree(text):
    folded = fold(text)
    assert _C.scan(folded) == _PY.scan(folded)
