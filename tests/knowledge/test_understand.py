"""knowledge.understand: sentences, the asking part, self-introductions, the kind of question."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.normalize import normalize
from knowledge.understand import (
    KINDS,
    asked_parts,
    break_at_symbols,
    contact_aspect,
    is_asking,
    is_yes_no,
    question_kind,
    question_topic,
    sentences,
    strip_preface,
    understand,
)

# -- sentences --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("協働とは？", ["協働とは？"]),
        ("補助金はありますか。後援はどうですか。", ["補助金はありますか。", "後援はどうですか。"]),
        # a self-introduction is cut off the question it leads into
        (
            "公園の花壇の手入れをしている団体ですが、市の補助はありますか",
            ["公園の花壇の手入れをしている団体ですが、", "市の補助はありますか"],
        ),
        # ... but other clauses are not: 「…したいのですが、…」 is one question
        ("市と協働したいのですが、何から始めればいいですか", ["市と協働したいのですが、何から始めればいいですか"]),
        ("ですが。", ["ですが。"]),
    ],
)
def test_sentences(text, pieces):
    assert sentences(text) == pieces


_JA = st.text(
    alphabet=st.sampled_from(list("協働市団体ですがますか、。？！ 清掃活動をしているのでボランティア会に私たちはabc12\n")),
    max_size=80,
)


@settings(max_examples=400, deadline=None)
@given(_JA)
def test_sentences_keep_every_character(text):
    """Cutting never loses or reorders text: the pieces are the text without the spaces at the cuts."""
    pieces = sentences(text)
    assert all(p and p == p.strip() for p in pieces)
    squeeze = lambda s: "".join(s.split())  # noqa: E731
    assert squeeze("".join(pieces)) == squeeze(text)


@settings(max_examples=400, deadline=None)
@given(_JA)
def test_understanding_is_total_and_consistent(text):
    u = understand(text)
    assert u.kind in KINDS
    assert u.yes_no == is_yes_no(u.question, u.kind)
    # the asking part and the context are both taken from the message
    squeeze = lambda s: "".join(s.split())  # noqa: E731
    assert squeeze(u.question) in squeeze(text) or not squeeze(u.question)
    assert len(squeeze(u.question)) + len(squeeze(u.context)) <= len(squeeze(text))
    if u.activity:
        assert u.split


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_kind_and_topic_never_fail(text):
    assert question_kind(text) in KINDS
    t = question_topic(text)
    assert t is None or t in text.replace(" ", "")
    assert contact_aspect(text) in (None, "phone", "hours", "place", "office")


def _plain(s: str) -> str:
    """s without full stops, whitespace and pictographs."""
    return "".join(
        c
        for c in s
        if c != "。"
        and not c.isspace()
        and not ("\u2600" <= c <= "\u27bf" or "\U0001f000" <= c <= "\U0001faff" or "\u2b00" <= c <= "\u2bff")
        and c not in "\ufe0f\u200d"
    )


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("協働です？ます。\n 🌸✨📚😭ab")), max_size=60) | st.text(max_size=60))
def test_break_at_symbols_only_marks_sentence_ends(text):
    """Line breaks and emoji may become 「。」; nothing else changes."""
    assert _plain(break_at_symbols(text)) == _plain(text)


# -- self-introductions and the asking part -----------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "question", "activity"),
    [
        (
            "私たちは川沿いのごみ拾いをしている団体ですが、協働するにはどうしたらいいですか",
            "協働するにはどうしたらいいですか",
            "私たちは川沿いのごみ拾いをしている団体です",
        ),
        ("親子で絵本を読む会をしています。市と一緒にできますか", "市と一緒にできますか", "親子で絵本を読む会をしています"),
        (
            "こんにちは。駅前で清掃ボランティアをしているグループの代表です。月に2回集まっています。"
            "市と協働したいのですが、まず何をすればいいでしょうか。よろしくお願いします。",
            "市と協働したいのですが、まず何をすればいいでしょうか。",
            "駅前で清掃ボランティアをしているグループの代表です。月に2回集まっています",
        ),
    ],
)
def test_self_introduction_is_context(message, question, activity):
    u = understand(normalize(message))
    assert u.question == normalize(question)
    assert u.activity == normalize(activity)
    assert u.split


def test_a_question_without_introduction_has_no_activity():
    u = understand(normalize("企業も協働できますか"))
    assert u.activity is None and not u.split and u.question == "企業も協働できますか"


def test_a_topicless_question_leans_on_the_sentence_before():
    u = understand(normalize("先月送った相談の件です。どうなってますか"))
    assert u.question == normalize("先月送った相談の件です。どうなってますか")


def test_statements_are_not_questions():
    assert not understand(normalize("市役所の窓口の人が冷たかったです。もう行きません")).asking
    assert understand(normalize("ボランティア")).asking  # a search word is a question
    assert understand(normalize("協働のことがよくわからない")).asking


def test_emoji_end_sentences():
    u = understand(normalize(break_at_symbols("子ども食堂やってます🍙 市と組めますか？")))
    assert u.activity and u.question.startswith("市と組めますか")


# -- the kind of question ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "kind", "yes_no"),
    [
        ("協働とは何ですか", "what-is", False),
        ("「後援」ってどういうこと", "what-is", False),
        ("会社でも市と協働できますか", "can-we", True),
        ("補助金はもらえるんですか", "can-we", True),
        ("後援以外のやり方でもいいの？", "can-we", True),
        ("協働を始めるにはどうすればいいですか", "how-do-we", False),
        ("後援と共催は何が違うの", "difference", False),
        ("どうして協働が必要なんですか", "why", False),
        ("協働の窓口の電話番号は", "contact", False),
        ("受付は何時までですか", "contact", False),
        ("この前送った提案はどうなりましたか", "status", False),
        ("市と団体は対等なんですか？", "other", True),
        ("ボランティア", "other", False),
    ],
)
def test_question_kind(question, kind, yes_no):
    u = understand(normalize(question))
    assert (u.kind, u.yes_no) == (kind, yes_no)


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("電話番号を教えて", "phone"),
        ("受付時間は？", "hours"),
        ("土日も相談できますか", "hours"),
        ("コミュニティ文化課の場所は？", "place"),
        ("窓口はどちらになりますか", "office"),
        ("協働とは", None),
    ],
)
def test_contact_aspect(question, aspect):
    assert contact_aspect(normalize(question)) == aspect


def test_question_topic():
    assert question_topic("後援ってお金も出してもらえるんですか") == "後援"
    assert question_topic("協働とは") == "協働"
    assert question_topic("補助金はありますか") is None


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "①後援の申し込み先はどこですか？ ②後援が決まる前にチラシを刷ってもいいですか？",
            ["後援の申し込み先はどこですか？", "後援が決まる前にチラシを刷ってもいいですか？"],
        ),
        ("町会です。(1)協働できますか (2)補助金はありますか", ["町会です。協働できますか", "町会です。補助金はありますか"]),
        ("市外の団体でも大丈夫ですか？あとNPO法人じゃないとダメですか？", ["市外の団体でも大丈夫ですか？", "NPO法人じゃないとダメですか？"]),
    ],
)
def test_asked_parts_splits_several_questions(text, expected):
    assert asked_parts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "委託と補助ってどう違う？どっちがいいの？",  # the second leans on the first
        "NPOってなに？NGOとは違うの？",  # one side of a comparison
        "市に提案するときって何を決めておけばいいの？目的とか役割分担とか？",  # guesses at the answer
        "後援と共催ってなにが違うの？ 秋にイベントをやるので教えてください",  # a request for the answer
        "野川の清掃イベントを市と共催でやりたいと考えています。共催と後援ってどう違うのでしょうか。",  # a wish
        "協働とは何ですか",
    ],
)
def test_asked_parts_keeps_one_question_whole(text):
    assert asked_parts(text) is None


@given(st.text(max_size=120))
@settings(max_examples=200, deadline=None)
def test_asked_parts_never_fails_and_bounds_the_parts(text):
    parts = asked_parts(normalize(text))
    assert parts is None or 2 <= len(parts) <= 3


# -- keigo requests, prefaces, こと+は ----------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "事業を進める際の決まりがございましたら、ご教示いただけますと幸いです。",
        "企業として市と協働が可能か、お伺いしたく存じます。",
        "市の考え方をお聞かせいただければと存じます。",
    ],
)
def test_keigo_requests_ask(sentence):
    assert is_asking(sentence)


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("すみません、ちょっと聞きたいんですけど、後援ってなに？", "後援ってなに？"),
        ("あの、質問なんですが、補助金はありますか", "補助金はありますか"),
        ("すみません", "すみません"),  # nothing would be left
        ("すみません、後援について", "後援について"),
        ("協働って何", "協働って何"),
    ],
)
def test_strip_preface(text, rest):
    assert strip_preface(text) == rest


@given(st.text(max_size=80))
@settings(max_examples=200, deadline=None)
def test_strip_preface_only_removes_a_prefix(text):
    rest = strip_preface(text)
    assert text.endswith(rest)


def test_koto_wa_is_not_to_wa():
    """…結ぶことはできますか asks whether (こと + は), not what something is (とは)."""
    assert question_kind("市と協定を結ぶことはできますか") == "can-we"
    assert question_kind("協定とは") == "what-is"


def test_a_short_guess_is_joined_once():
    u = understand("協働ってなに？X ってこと？")
    assert u.question.startswith("協働ってなに") and u.context == ""
