"""The flow declarations are consistent: names, keywords, postback sizes, message limits."""

from __future__ import annotations

from bot.engine import messages as M
from bot.engine import postback
from bot.engine.flows import FLOWS
from knowledge.normalize import fold


def test_flow_names_and_keywords_are_unique():
    assert all(name == flow.name for name, flow in FLOWS.items())
    keywords = [fold(k) for f in FLOWS.values() for k in f.keywords]
    assert len(keywords) == len(set(keywords))
    assert {fold(M.MENU_CHECK), fold(M.MENU_REGISTER), fold(M.MENU_CONSULT), fold(M.MENU_DELETE_DATA)} <= set(
        keywords
    )


def test_longest_postback_fits():
    longest_state = max(len(s) for f in FLOWS.values() for s in f.states)
    data = postback.encode("x" * 8, "s" * longest_state + ".action", "9" * 10)
    assert len(data.encode()) <= 300


def test_postback_round_trip_and_rejects():
    assert postback.decode(postback.encode("elig", "q1.ans", "yes")) == postback.Postback(
        "elig", "q1.ans", "yes"
    )
    for bad in ("v1|a|b", "v1||b|", "v1|a|b|c d", "v1|a|b|あ", "v9|a|b|c", None, 5):
        assert postback.decode(bad) is None  # type: ignore[arg-type]
    assert postback.int_arg("12") == 12 and postback.int_arg("99999999999") is None
    assert postback.int_arg("-1") is None and postback.int_arg("") is None and postback.int_arg("１") is None


def test_button_labels_fit_line():
    labels = [
        M.MENU_ABOUT, M.MENU_CHECK, M.MENU_REGISTER, M.MENU_CONSULT, M.MENU_FAQ, M.MENU_CONTACT, M.MENU_HELP,
        M.MENU_MY_GROUPS, M.MENU_DELETE_DATA, M.CANCEL, M.RESTART, M.YES, M.NO, M.DONT_KNOW, M.SKIP, M.KEEP,
        M.NEXT, M.MORE_FIELDS, M.ASK_STAFF, M.REG_DIFFERENT, M.REG_RETYPE, M.REG_SAVE, M.REG_SAVE_EDIT, M.EDIT,
        M.DELETE, M.CONSULT_THIS, M.PROP_LEAVE_TO_CITY, M.PROP_CHOOSE, M.PROP_SEND, M.DATA_DELETE,
    ]  # fmt: skip
    assert all(0 < len(label) <= 20 for label in labels)
