"""English users in the conversation engine (issue 15): the 「English」/「日本語」 switch, the
profile language, English answers with English buttons, and (second round) the guided flows,
the FAQ list, menus and quick replies in English for a user whose language is English, through
bot/engine/translate.py; Japanese users unchanged."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.engine import messages as M
from bot.engine import messages_en as EN
from bot.engine.retention import erased_id
from bot.engine.services import Services
from bot.storage.db import transaction
from bot.storage.models.conversation import ChatUser, UnansweredQuestion

from .conftest import Chat
from .test_flows import rows


@pytest.fixture(scope="module")
def real_services():
    return Services()


@pytest.fixture
def real(factory, real_services):
    return Chat(factory, real_services)


def _language(chat: Chat) -> str | None:
    with transaction(chat.factory) as session:
        user = session.scalars(select(ChatUser).where(ChatUser.user_id == chat.user_id)).one()
        return user.language


def test_english_question_gets_english_answer_and_buttons(real):
    real.say("What is kyodo?")
    assert real.last[0].text.startswith("Kyōdō (協働) means")
    assert real.last[0].sources and "(第2章(1)" in real.last[0].sources[0][1]
    assert real.last[1].text == EN.WAS_IT_HELPFUL
    assert {"Yes", "No"} <= set(real.labels())
    assert _language(real) is None  # one English message does not change the user's language
    real.tap("Yes")
    assert real.texts() == M.FEEDBACK_THANKS_YES


def test_english_decline_offers_staff_in_english(real):
    real.say("How do I renew my visa?")
    assert real.texts().startswith("Sorry, I cannot answer this question.")
    assert EN.OFFER_STAFF in real.texts()
    assert EN.ASK_STAFF in real.labels() and "What is kyodo?" in real.labels()
    (q,) = rows(real, UnansweredQuestion)
    assert q.text == "How do I renew my visa?"  # staff see the question as written
    real.tap(EN.ASK_STAFF)
    # an English question is confirmed in English, even for a user whose language is not set
    assert real.texts() == EN.HANDOFF_CONFIRM.format(question="How do I renew my visa?")
    real.tap(EN.HANDOFF_SEND)
    assert real.texts().startswith(EN.HANDOFF_DONE.split('"')[0])
    assert "Eligibility check" in real.labels()


def test_switch_to_english_and_back(real):
    real.say("English")
    assert real.texts() == EN.SWITCHED_TO_ENGLISH
    assert _language(real) == "en"
    assert real.labels()[:3] == ["What is kyodo?", "Eligibility check", "Register a group"]
    real.say("hello")
    assert real.texts() == EN.HELLO_REPLY
    real.say("NPO")  # ambiguous text: the user's language decides (English: what an NPO is)
    assert real.last[0].text.startswith("NPO stands for")
    real.say("kyoudou towa")
    assert real.last[0].text.startswith("Kyōdō (協働) means")
    real.say("日本語")
    assert real.texts() == EN.SWITCHED_TO_JAPANESE and _language(real) == "ja"
    real.say("NPO")
    assert real.last[0].text.startswith("NPOは")
    assert M.MENU_ABOUT in [c.label for c in real.last[-1].choices] or real.last[1].text == M.WAS_IT_HELPFUL


def test_english_menu_starts_the_flow_in_english(real):
    real.say("English")
    real.tap("Eligibility check")
    assert real.labels() == ["Yes", "No", "I don't know", "Cancel"]
    assert EN.CHECK_INTRO.format(n=4) in real.texts() and "[1/4 Public benefit]" in real.texts()


def test_switch_inside_a_flow_keeps_the_flow(real):
    real.say("対象チェック")
    real.say("English")
    assert real.texts() == EN.SWITCHED_TO_ENGLISH and not real.labels()
    real.say("yes")  # typed English is the flow's word
    assert "[2/4 Not for profit]" in real.texts() and "Yes" in real.labels()


def test_profile_language_sets_english_greeting(factory, real_services):
    chat = Chat(factory, real_services, user_id="U" + "e" * 32)
    chat.send("follow", language="en-US")
    assert chat.texts() == EN.GREETING
    assert _language(chat) == "en"
    chat.say("help")
    assert chat.texts() == EN.HELP


def test_profile_language_other_or_japanese(factory, real_services):
    chat = Chat(factory, real_services, user_id="U" + "f" * 32)
    chat.send("follow", language="ko")
    city = real_services.city()
    assert chat.texts() == M.GREETING.format(city=city.name, guideline=city.guideline)
    assert _language(chat) is None
    chat.say("English")
    chat.send("follow", language="ja")  # a choice the user made wins over the profile
    assert _language(chat) == "en"


def test_other_language_gets_the_bilingual_line(real):
    real.say("协働是什么？")
    assert "This bot answers in Japanese and English" in real.texts()
    assert "このボットは日本語と英語でお答えします" in real.texts()


def test_data_deletion_forgets_the_language(real):
    real.say("English")
    assert _language(real) == "en"
    real.say("What is kyodo?")  # a question on record: there is something to delete
    real.say(M.MENU_DELETE_DATA)
    real.tap(EN.DATA_DELETE)
    with transaction(real.factory) as session:
        # the row no longer names the user (a digest stands in), and keeps no language
        assert session.scalars(select(ChatUser).where(ChatUser.user_id == real.user_id)).first() is None
        kept = session.scalars(select(ChatUser).where(ChatUser.user_id == erased_id("line", real.user_id))).one()
        assert kept.language is None and kept.deleted_at is not None


# -- second round: the flows in English ---------------------------------------------------------


@pytest.fixture
def english(factory, real_services):
    chat = Chat(factory, real_services, user_id="U" + "b" * 32)
    chat.say("English")
    return chat


def _no_japanese_chrome(chat: Chat) -> None:
    """Every sentence and label the engine itself wrote is English (the citizen's own words, field
    and kind names from the data may be Japanese)."""
    import re

    for r in chat.last:
        for line in r.text.splitlines():  # the quoted guideline too (messages_en.GUIDELINE_LINES)
            assert not re.search("[ぁ-ん]{3}", line), line
        for c in r.choices:
            assert not re.search("[ぁ-ん]", c.label), c.label


def test_eligibility_check_in_english(english):
    english.tap("Eligibility check")
    _no_japanese_chrome(english)
    for _ in range(3):
        english.tap("Yes")
        _no_japanese_chrome(english)
    english.tap("I don't know")
    assert EN.CHECK_UNCLEAR in english.texts()
    assert "・not for political or religious purposes" in english.texts()  # the quoted guideline
    _no_japanese_chrome(english)


def test_every_quoted_guideline_line_has_an_english_twin(real_services):
    """対象チェック quotes 第2章(2) from guideline.yaml; an edit there needs a line in
    messages_en.GUIDELINE_LINES, or an English user reads that line in Japanese."""
    from bot.engine import translate
    from bot.engine.flows.eligibility import SECTION_ID

    section = real_services.section(SECTION_ID)
    assert section is not None
    _sid, _title, text = section
    quoted = translate.text(M.CHECK_CITED.format(text=text.strip()))
    assert "自主的" not in quoted and "公益性" not in quoted, quoted


def test_registration_in_english_with_typed_words(english):
    english.tap("Register a group")
    assert EN.REG_ASK_NAME in english.texts() and "Cancel" in english.labels()
    english.say("Koganei Friends Circle")
    assert EN.REG_ASK_KIND in english.texts()
    english.say("back")
    assert EN.REG_ASK_NAME in english.texts()
    english.say("Koganei Friends Circle")
    assert "Civic group" in english.labels() and "Company" in english.labels()  # kinds in English
    english.tap("Civic group")
    assert english.texts().startswith(EN.REG_ASK_FIELDS)
    assert "Environment" in english.labels() and "Health & welfare" in english.labels()  # fields too
    english.tap("Environment")
    assert "Conservation of the environment (環境保全)" in english.texts()
    assert "✓Environment" in english.labels()
    english.tap("Next")
    assert EN.REG_ASK_DESCRIPTION.format(limit=200).split("(")[0] in english.texts()
    english.say("We clean the park and hold nature walks for children.")
    english.tap("Skip")
    english.tap("Don't list it")
    english.tap("No, thanks")
    (card,) = [c for r in english.last for c in r.cards]
    assert card.lines[0] == "Kind: Voluntary or civic group (任意団体・市民活動団体)"
    assert card.lines[1] == "Fields: Conservation of the environment (環境保全)"
    assert any(a.label == "Register" for a in card.actions)
    english.tap("Register")
    assert english.texts().startswith('"Koganei Friends Circle" is registered.')
    english.say("cancel")
    assert english.texts().startswith(EN.NOTHING_TO_CANCEL)


def test_divisions_are_named_in_english_beside_the_japanese(english):
    """Proposal cards and pushes name a division as "Children and Youth Division (児童青少年課)"
    (divisions.yaml ka_en); the tap shows "Consult …", not a Japanese sentence."""
    from bot.engine import translate

    english.tap("Register a group")
    english.say("Sakura Kids Cafe")
    english.tap("Civic group")
    english.say("children")
    english.tap("Next")
    english.say("We run a free cafeteria for children.")
    english.tap("Skip")
    english.tap("Don't list it")
    english.tap("No, thanks")
    english.tap("Register")
    english.tap("Consult the city")
    import re

    cards = [c for r in english.last for c in r.cards]
    assert cards and all(re.fullmatch(r"[A-Za-z][A-Za-z ()'-]+ \([^ -~]+\)", c.title) for c in cards), cards
    shown = english.choice("Choose this division")
    assert re.fullmatch(r"Consult [A-Za-z][A-Za-z ()'-]+ \([^ -~]+\)", shown.display_text), shown
    push = translate.text(M.NOTIFY_GROUP_TAKEN.format(group="Sakura Kids Cafe", division="児童青少年課"))
    assert "Children and Youth Division (児童青少年課)" in push and "担当" not in push


def test_typing_an_english_buttons_label_presses_it(english):
    english.tap("Register a group")
    english.say("Sakura Kids Cafe")
    english.say("Civic group")
    english.say("children")
    english.say("Next")
    english.say("We run a free cafeteria for children.")
    english.say("Skip")
    english.say("Don't list it")
    english.say("No, thanks")
    english.say("Register")
    assert english.texts().startswith('"Sakura Kids Cafe" is registered.')


def test_fields_typed_in_english_are_understood_and_confirmed(english):
    """The English prompt invites typed words ("child care, environment"): they are taken and each is
    confirmed in English, one line per word; a word that names no field is said so."""
    english.tap("Register a group")
    english.say("Sakura Kids Cafe")
    english.tap("Civic group")
    english.say("environment, kids")
    notes = english.last[0].text.splitlines()
    assert notes == [
        'I will register "environment" as the field "Conservation of the environment (環境保全)".',
        'I will register "kids" as the field "Sound development of children (子どもの健全育成)".',
    ]
    assert "✓Environment" in english.labels()
    english.say("Child care and elderly")
    assert "Health, medical care or welfare (保健・医療・福祉)" in english.texts()
    english.say("gardening")
    assert "gardening" in english.texts() and "✓Environment" in english.labels()


@pytest.mark.parametrize(
    ("typed", "labels"),
    [
        ("Environment", ["環境保全"]),
        ("health & welfare", ["保健・医療・福祉"]),
        ("Sound development of children", ["子どもの健全育成"]),
        ("human rights / peace", ["人権・平和"]),
        ("環境、こども", ["環境保全", "子どもの健全育成"]),  # Japanese words still go to the matcher
    ],
)
def test_english_field_words(real_services, typed, labels):
    parts = real_services.resolve_fields(typed)
    assert all(p.status == "exact" for p in parts)
    assert {p.candidates[0][1] for p in parts} == set(labels)


def test_cancel_typed_in_english_ends_the_flow(english):
    english.tap("Register a group")
    english.say("Cancel")
    assert english.texts().startswith("Group registration was cancelled.")


def test_proposal_status_and_consultation_need_in_english(english):
    english.say("Proposal status")
    assert english.texts().startswith(EN.STATUS_NONE)
    english.tap("Consult the city") if "Consult the city" in english.labels() else english.say("Consult the city")
    assert EN.PROP_NEED_GROUP in english.texts()
    _no_japanese_chrome(english)


def test_data_deletion_in_english(english):
    english.say("What is kyodo?")
    english.say("Delete my data")
    assert english.texts().startswith(EN.DATA_CONFIRM_PARTS_HEAD)
    assert EN.DATA_CONFIRM_TAIL in english.texts() and "Delete" in english.labels()
    english.tap("Delete")
    assert english.texts().startswith(EN.DATA_DONE)


def test_faq_list_in_english(english):
    english.tap("FAQ")
    assert english.texts() == EN.FAQ_INTRO
    assert "What is kyōdō (協働, collaboration)?"[:19] + "…" in english.labels()
    english.tap(english.labels()[0])
    assert english.last[0].text and english.last[-1].text == EN.WAS_IT_HELPFUL


def test_handoff_in_english_for_an_english_user(english):
    english.say("Where can I renew my residence card?")
    english.tap(EN.ASK_STAFF)
    assert english.texts().startswith("I will send this question to city staff.")
    assert english.labels() == ["Send", "Don't send"]
    english.tap("Don't send")
    assert english.texts() == EN.HANDOFF_KEPT


def test_menu_after_a_handoff_keeps_english_buttons(english):
    """The menu under 'I sent your question' is translated once: its "What is kyodo?" asks the
    English question (it once sent 「協働とは」 under the English label and got a Japanese answer)."""
    english.say("Where can I renew my residence card?")
    english.tap(EN.ASK_STAFF)
    english.tap(EN.HANDOFF_SEND)
    assert english.choice("What is kyodo?").text == "What is kyodo?"
    english.tap("What is kyodo?")
    assert english.last[0].text.startswith("Kyōdō (協働) means")


def test_a_japanese_answers_citation_is_not_translated():
    """A Japanese answer shown to an English user keeps its own citation line as written, so the
    renderers see it and add no second, different 「出典」 line."""
    from bot.engine import citations, translate

    answer = "「協働」とは、…ことです。\n（出典：協働推進基本指針 第2章(1)「協働の理念と目的」、「はじめに」）"
    assert translate.text(answer) == answer
    assert citations.citation_line([("kyodo-forms", "第2章(4) 協働の形態")], translate.text(answer)) == ""
    assert translate.text("（参考：小金井市の協働の仕組み）") == "（参考：小金井市の協働の仕組み）"
    # the template the citation used to fall into still translates what it is for
    reason = M.ACTIVITY_REASON.format(division="介護福祉課", reason="高齢者の見守り")
    division = translate.division_names()["介護福祉課"]  # "Long-term Care and Welfare Division (介護福祉課)"
    assert translate.text(reason) == EN.ACTIVITY_REASON.format(division=division, reason="高齢者の見守り")


def test_japanese_user_unchanged(real):
    real.say("対象チェック")
    assert real.labels() == [M.YES, M.NO, M.DONT_KNOW, M.CANCEL]
    real.say("Cancel")  # a Japanese user's English is not mapped, but cancel works as before
    assert real.texts().startswith(M.CANCELLED.format(title=M.CHECK_TITLE))


def test_every_sentence_the_flows_use_has_an_english_twin():
    import re
    from pathlib import Path

    from bot.engine import translate

    root = Path(__file__).resolve().parents[3] / "bot" / "engine"
    used = set()
    for path in [*root.glob("flows/*.py"), root / "router.py", root / "qa.py", root / "proposal_status.py",
                 root / "described.py", root / "flow.py",
                 root / "collaboration.py", root / "notify.py"]:  # the pushes too (collaboration, evaluation)
        used |= set(re.findall(r"\bM\.([A-Z][A-Z0-9_]+)", path.read_text(encoding="utf-8")))
    # words that are data or keys, not sentences
    not_text = {"FAQ_NEXT_STEP", "ABOUT_FAQ", "CONTACT_FAQ", "ABOUT_QUESTION", "CONTACT_QUESTION", "HELLO_WORDS",
                "THANKS_WORDS", "CHECK_MARK", "GREETING", "ACTIVITY_SOURCE_TITLE", "STATUS_DATE", "YES", "NO"}
    assert translate.missing_names(sorted(used - not_text)) == []


def test_templates_round_trip_every_placeholder():
    from bot.engine import translate

    t = translate.text(M.TIMED_OUT.format(title=M.REG_TITLE))
    assert t == EN.TIMED_OUT.format(title="group registration")
    assert translate.text(M.STATUS_NOT_FOUND.format(reference="KY-2026-000009")) == EN.STATUS_NOT_FOUND.format(
        reference="KY-2026-000009"
    )
    assert translate.incoming_text("Next") == M.NEXT and translate.incoming_text("next please") == "next please"


def test_pushes_to_an_english_user_are_in_english(english):
    from bot.engine.notify import Notifier
    from bot.storage.models.messaging import OutboxMessage
    from handlers.line.render import render_replies

    notify = Notifier({"line": render_replies})
    english.say("How do I renew my visa?")
    english.tap(EN.ASK_STAFF)
    english.tap(EN.HANDOFF_SEND)
    with transaction(english.factory) as s:
        (q,) = s.scalars(select(UnansweredQuestion)).all()
        assert notify.staff_replied(s, q.channel, q.user_id, q.text, "Please ask the immigration office.")
        assert notify.handoff_closed(s, q.channel, q.user_id)
    first, second = rows(english, OutboxMessage)
    assert first.messages[0]["text"] == EN.NOTIFY_STAFF_REPLY.format(
        question="How do I renew my visa?", answer="Please ask the immigration office."
    )
    assert second.messages[0]["text"] == EN.NOTIFY_HANDOFF_CLOSED


def test_typed_questions_and_yes_stay_english(english):
    # "What is kyodo?" and "Contact" are the English menu's questions: answered in English (they
    # were mapped to 「協働とは」/「問い合わせ」 and answered in Japanese)
    english.say("What is kyodo?")
    assert english.last[0].text.startswith("Kyōdō (協働) means")
    english.say("Contact")
    assert english.last[0].text.startswith("In Koganei, collaboration is mainly handled")
    english.say("yes")  # outside a flow: not 「はい」, so an English reply
    assert english.texts().startswith("Sorry, I cannot answer this question.")
    english.say("Eligibility check")
    english.say("I don't know")
    assert "[2/4 Not for profit]" in english.texts()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_translation_never_fails_and_keeps_unknown_text(value):
    from bot.engine import translate

    out = translate.text(value)
    assert isinstance(out, str)
    if not any("\u3040" <= ch <= "\u9fff" for ch in value):  # no Japanese: nothing to translate
        assert out == value
    assert isinstance(translate.incoming_text(value), str)


@settings(max_examples=100, deadline=None)
@example(M.CANCELLED, "ß")  # upper-casing it would change the citizen's words (found by hypothesis)
@example(M.CANCELLED, "µ")  # so would this: its capital is Greek Μ, whose lower case is μ
@given(st.sampled_from([M.CANCELLED, M.TIMED_OUT, M.REG_NAME_SIMILAR, M.HANDOFF_CONFIRM, M.STATUS_NOT_FOUND]),
       st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_a_template_keeps_the_citizens_words(template, value):
    from bot.engine import translate

    names = [n for _, n, _, _ in __import__("string").Formatter().parse(template) if n]
    out = translate.text(template.format(**{n: value for n in names}))
    assert isinstance(out, str)
    if "\n" not in value and value.strip() == value:
        # (a sentence that opens with the value gets a capital letter)
        assert value.lower() in out.lower() or translate.text(value).lower() in out.lower()


def test_kinds_fields_and_match_reasons_in_english(english):
    """A registered group's consultation: the divisions are suggested with English reasons (the
    division's and project's names stay the city's Japanese), fields with the Japanese term."""
    import re

    english.tap("Register a group")
    english.say("Nogawa Nature Friends")
    english.tap("Civic group")
    english.tap("Environment")
    english.tap("More fields")
    english.tap("Children")
    english.tap("Next")
    english.say("We clean the Nogawa river banks and hold nature walks for children.")
    english.tap("Skip")
    english.tap("Don't list it")
    english.tap("No, thanks")
    (card,) = [c for r in english.last for c in r.cards]
    assert card.lines[1] == (
        "Fields: Conservation of the environment (環境保全), Sound development of children (子どもの健全育成)"
    )
    english.tap("Register")
    english.tap("Consult the city") if "Consult the city" in english.labels() else english.say("Consult the city")
    cards = [c for r in english.last for c in r.cards]
    assert cards, english.texts()
    reasons = [line for c in cards for line in c.lines]
    assert reasons
    for line in reasons:  # an English sentence around the city's names: no Japanese grammar left
        assert not re.search("[ぁ-ん]{2}", re.sub("「[^」]*」|（[^）]*）|\\([^)]*\\)", "", line)), line
    assert any('the field "' in line for line in reasons), reasons


def test_every_kind_and_field_has_an_english_name():
    from bot.engine.translate import _SHORT
    from bot.registry.groups import KIND_NAMES
    from matching.loader import load_fields

    labels = [f.label for f in load_fields()[0]]
    assert set(EN.KIND_NAMES) == set(KIND_NAMES) and set(EN.FIELD_NAMES) == set(labels)
    for short, _long in [*EN.KIND_NAMES.values(), *EN.FIELD_NAMES.values()]:
        assert len(short) <= 19  # a button label with its "✓" stays within LINE's 20
    assert all(k in _SHORT for k in labels)


def test_every_match_reason_has_an_english_twin():
    from matching import messages as MM

    names = {n for n in vars(MM) if n.startswith("REASON_")}
    assert names == set(EN.MATCH_REASONS)


def test_collaboration_status_push_and_dates_in_english():
    from bot.engine import translate

    ja = M.NOTIFY_COLLAB_STATUS.format(group="5月の日", division="子育て支援課", status=M.COLLAB_STATUS["done"])
    en = translate.text(ja + "\n" + M.NOTIFY_COLLAB_STATUS_NEXT["done"])
    assert en.splitlines() == [
        EN.NOTIFY_COLLAB_STATUS.format(
            group="5月の日", division="Child-rearing Support Division (子育て支援課)", status="completed"
        ),
        EN.NOTIFY_COLLAB_STATUS_NEXT["done"],
    ]  # a name that looks like a date part (「5月の日」) is not read as one
    assert translate.text(M.EVAL_DEADLINE.format(m=12, d=15)) == "12/15"
    assert translate.text(M.COLLAB_DATE.format(y=2027, m=3, d=31)) == "2027-3-31"


def test_a_mixed_courtesy_gets_a_friendly_reply_not_a_refusal(real):
    """「ありがとう bye」: thanks, in English (an even mix; the user's language would decide), with the
    menu; not a declined question kept for staff."""
    from knowledge import messages_en as knowledge_en

    real.say("ありがとう bye")
    assert real.texts() == knowledge_en.THANKS
    assert EN.ASK_STAFF not in real.labels() and M.ASK_STAFF not in real.labels()
    real.say("thanks bye")  # (was answered, then offered to staff as an unanswered question)
    assert real.texts() == knowledge_en.THANKS and EN.ASK_STAFF not in real.labels()
    real.say("日本語")
    real.say("ありがとう bye")
    assert real.texts() != knowledge_en.THANKS and "どういたしまして" in real.texts()
    assert rows(real, UnansweredQuestion) == []
