"""English answers (issue 15): faq_en.yaml validation, the English answerer behind
Answerer.answer(), other languages, and `kyodo ask --json`'s "lang"."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge import DataError
from knowledge.english import EN_FILE, EnglishAnswerer, fold_romaji, load_english, stem
from knowledge.loader import DATA_DIR, load_data

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def en_raw() -> dict:
    return yaml.safe_load((DATA_DIR / EN_FILE).read_text(encoding="utf-8"))


def _data_dir_with(tmp_path: Path, raw: dict) -> Path:
    d = tmp_path / "data"
    shutil.copytree(DATA_DIR, d)
    (d / EN_FILE).write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return d


# -- the data ------------------------------------------------------------------------------------------------


def test_shipped_english_data_is_valid_and_complete():
    data = load_english()  # require_all: every faq.yaml entry has an English answer
    ja = load_data()
    assert {e.id for e in data.entries} == {e.id for e in ja.faq}
    assert set(data.sections) == {s.id for s in ja.sections}
    by_id = {e.id: e for e in ja.faq}
    for e in data.entries:
        assert e.sources == by_id[e.id].sources and e.related == by_id[e.id].related
        assert "{{" not in e.answer  # placeholders filled
        letters = [c for c in e.answer if c.isalpha()]
        assert sum(c.isascii() for c in letters) / len(letters) > 0.8, e.id  # English, with some Japanese terms


def test_contact_numbers_come_from_contacts_yaml():
    data = load_english()
    ja = load_data()
    confirmed = {
        f.value for c in ja.contacts for f in c.facts.values() if f.confirmed and f.value and f.value[0].isdigit()
    }
    for e in data.entries:
        for number in re.findall(r"\b0\d{1,4}-\d{1,4}-\d{3,4}\b", e.answer):
            assert number in confirmed, (e.id, number)
    phone = next(e for e in data.entries if e.id == "contact-phone").answer
    assert "042-387-9923" in phone and "042-383-1111" in phone
    hours = next(e for e in data.entries if e.id == "contact-hours").answer
    assert "weekdays 8:30 a.m. to 5:00 p.m." in hours  # the English translation of a confirmed fact
    assert "not yet confirmed (please ask the city)" in hours  # the division's hours are to_confirm


def test_no_phrasing_copies_an_english_dev_question(en_raw):
    """Phrasings are written in our own words (the dev set measures, it does not feed the data)."""
    from rapidfuzz import fuzz

    dev = yaml.safe_load((ROOT / "evaluation/english_dev.yaml").read_text(encoding="utf-8"))["questions"]
    questions = [str(q["q"]).lower() for q in dev]
    for e in en_raw["entries"]:
        for p in e["phrasings"]:
            close = [q for q in questions if fuzz.ratio(p.lower(), q) >= 90]
            assert not close, (e["id"], p, close)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["entries"][0].update(id="no-such-entry"), "entry 'no-such-entry': no entry with this id in faq.yaml"),
        (lambda r: r["entries"][0].update(sources=["ch2-1"]), "unknown field(s) sources"),
        (lambda r: r["entries"][0].update(phrasings=[]), "'phrasings' is missing or empty"),
        (lambda r: r["entries"][1].update(answer="Call 042-387-9923."), "is typed in; use a {{contact:…}} placeholder"),
        (lambda r: r["entries"][1].update(answer="See https://example.org"), "is typed in"),
        (lambda r: r["entries"][1].update(answer="{{contact:nobody:phone}}"), "names no contact in contacts.yaml"),
        (lambda r: r["entries"][1].update(answer="x" * 901), "at most 900"),
        (lambda r: r["entries"].append(dict(r["entries"][0])), "duplicate id"),
        (lambda r: r["sections"].pop("ch2-4"), "no English title for 'ch2-4'"),
        (lambda r: r["sections"].update({"ch9": "Chapter 9"}), "'ch9' is not a section or note"),
        (lambda r: r["contacts"]["city-hall"]["hours"].update(of="平日"), "'of' is not the current value"),
        (lambda r: r["contacts"]["city-hall"].update(phone={"value": "1", "of": "1"}), "'phone' cannot be given in English"),
        (lambda r: r["contacts"].update({"ghost": {"name": "Ghost"}}), "contact 'ghost': no such contact"),
        (lambda r: r["synonyms"].append({"term": "Bad Term", "variants": ["x"]}), "'term' must be lower-case"),
        (lambda r: r.update(extra=1), "unknown key 'extra'"),
        (lambda r: r["entries"].pop(0), "no English entry for about-kyodo"),
    ],
)
def test_invalid_english_data_is_reported(tmp_path, en_raw, change, message):
    raw = json.loads(json.dumps(en_raw))  # a deep copy
    change(raw)
    with pytest.raises(DataError) as exc:
        load_english(_data_dir_with(tmp_path, raw))
    assert any(message in p for p in exc.value.problems), exc.value.problems


def test_every_problem_is_listed_at_once(tmp_path, en_raw):
    raw = json.loads(json.dumps(en_raw))
    raw["entries"][0]["id"] = "nope"
    raw["sections"].pop("intro")
    with pytest.raises(DataError) as exc:
        load_english(_data_dir_with(tmp_path, raw))
    assert len(exc.value.problems) >= 3  # the bad id, the missing title, the entry now missing


# -- answering -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expect"),
    [  # the examples of issue 15
        ("What is kyodo?", "about-kyodo"),
        ("kyoudou towa", "about-kyodo"),
        ("協働 what is it?", "about-kyodo"),
        ("Can a religious group collaborate with the city?", "target-religion"),
        ("what is kouen", "form-kouen"),
        ("kōen and kyōsai difference", "form-kouen-vs-kyosai"),
        ("Can a company work with the city?", "target-company"),
    ],
)
def test_english_questions_get_english_answers(answerer, question, expect):
    a = answerer.answer(question)
    assert a.lang == "en" and a.answered and a.faq_id == expect, a
    assert "(Source: 協働推進基本指針" in a.text or "(See also:" in a.text
    assert all(re.search(r"\(.*[^\x00-\x7f].*\)$", s.title) for s in a.sources)  # English title (Japanese)
    assert a.suggestions and all(s.isascii() or "(" in s for s in a.suggestions)


def test_japanese_terms_stay_visible(answerer):
    a = answerer.answer("what is kouen")
    assert "nominal sponsorship (後援, kōen)" in a.text.lower()


def test_yes_opener_only_for_a_yes_no_question(answerer):
    assert answerer.answer("Can a company collaborate?").text.startswith("Yes.")
    a = answerer.answer("company kyodo")
    assert a.answered and a.faq_id == "target-company" and not a.text.startswith("Yes")


def test_out_of_scope_is_declined_in_english_and_says_where_to_ask(answerer):
    for q in ("How do I renew my visa?", "Where is the nearest ramen shop?", "garbage collection day"):
        a = answerer.answer(q)
        assert not a.answered and a.lang == "en" and a.reason == "out_of_scope", (q, a)
        assert "042-383-1111" in a.text and "Community and Culture Division" in a.text


def test_unsure_offers_english_suggestions(answerer):
    a = answerer.answer("NPO support?")
    assert a.reason == "unsure" and a.lang == "en" and len(a.suggestions) == 3
    assert a.text.startswith("I'm not sure")


def test_greeting_and_thanks_in_english(answerer):
    assert answerer.answer("Hello!").reason == "greeting"
    assert answerer.answer("hello").text.startswith("Hello!")
    assert answerer.answer("Thank you very much").reason == "thanks"


@pytest.mark.parametrize("question", ["协働是什么？", "안녕하세요, 협동이 뭐예요?", "¿Qué es kyodo?", "Xin chào, kyodo là gì?"])
def test_other_languages_get_one_line_in_english_and_japanese(answerer, question):
    a = answerer.answer(question)
    assert a.lang == "other" and not a.answered and a.reason == "other_language"
    en, ja = a.text.split("\n")
    assert "Japanese and English" in en and "042-383-1111" in en
    assert "日本語と英語" in ja and "042-383-1111" in ja


def test_japanese_is_untouched(answerer):
    a = answerer.answer("協働とは")
    assert a.lang == "ja" and a.answered and a.faq_id == "about-kyodo" and "（出典：" in a.text
    assert answerer.answer("NPO").lang == "ja"
    assert answerer.answer("NPO", lang="en").lang == "en"  # the user's language decides ambiguous text
    assert answerer.answer("協働とは", lang="en").lang == "ja"  # Japanese text is answered in Japanese


def test_data_dir_without_english_file_still_replies_in_english(fixture_answerer):
    a = fixture_answerer.answer("What is kyodo?")
    assert a.lang == "en" and not a.answered and a.reason == "out_of_scope"


def test_english_answerer_is_built_once(answerer):
    assert answerer.english() is answerer.english()
    assert isinstance(answerer.english(), EnglishAnswerer)


@settings(max_examples=150, deadline=None)
@given(st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz '?!-.,0123456789協働後援NPO"), max_size=120))
def test_any_latin_text_gets_a_reply(answerer, text):
    a = answerer.answer(text)
    assert a.text and a.lang in ("ja", "en", "other")
    assert a.answered == (a.reason == "answered")


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz"), min_size=1, max_size=15))
def test_stemming_and_romaji_folding_are_stable(word):
    assert stem(stem(word)) == stem(word) or len(stem(word)) < len(word)
    assert fold_romaji(fold_romaji(word)) == fold_romaji(word)


# -- kyodo ask -----------------------------------------------------------------------------------------------


def _run(args: list[str], stdin: str = "", data_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("KYODO_KNOWLEDGE_DIR", None)
    if data_dir:
        env["KYODO_KNOWLEDGE_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=ROOT,
        timeout=60,
    )


def test_ask_json_has_lang_at_the_end():
    proc = _run(["ask", "--json", "-"], "協働とは\nWhat is kyodo?\n协働是什么\n")
    assert proc.returncode == 0, proc.stderr
    objs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["lang"] for o in objs] == ["ja", "en", "other"]
    for o in objs:
        assert list(o) == [
            "question", "answered", "text", "sources", "score", "suggestions",
            "faq_id", "reason", "kind", "activity", "lang",
        ]  # fmt: skip
    assert objs[1]["answered"] and objs[1]["faq_id"] == "about-kyodo"


def test_ask_human_output_in_english():
    proc = _run(["ask", "NPO support?"])
    assert proc.returncode == 0 and proc.stdout.startswith("I'm not sure")
    assert "もしかして" not in proc.stdout


def test_ask_reports_bad_english_data(tmp_path, en_raw):
    raw = json.loads(json.dumps(en_raw))
    raw["entries"][0]["id"] = "nope"
    d = _data_dir_with(tmp_path, raw)
    proc = _run(["ask", "協働とは"], data_dir=d)
    assert proc.returncode == 0  # Japanese questions never read faq_en.yaml
    proc = _run(["ask", "What is kyodo?"], data_dir=d)
    assert proc.returncode == 2
    assert "faq_en.yaml: entry 'nope': no entry with this id in faq.yaml" in proc.stderr
    assert "Traceback" not in proc.stderr


# -- second round (h15b): understanding and precision in general terms ----------------------------------------


@pytest.mark.parametrize(
    ("question", "expect"),
    [
        # a self-introduction, then a short question about collaboration itself: the question is
        # the asking sentence, not the introduction (was: "did you mean" the university entry)
        ("Hi, I am Tom and I teach English at a high school in Koganei. What does kyodo mean?", "about-kyodo"),
        # romaji grammar words (moraeru, dekimasu) are not unknown topics
        ("hojo moraemasu ka?", ("form-hojo", "env-funding")),
        # a four-letter typo missing one letter is corrected (grup -> group)
        ("how can we regster our grup?", "howto-register"),
    ],
)
def test_second_round_understanding(answerer, question, expect):
    a = answerer.answer(question)
    expect = (expect,) if isinstance(expect, str) else expect
    assert a.lang == "en" and a.answered and a.faq_id in expect, (a.reason, a.faq_id, a.suggestions)


def test_an_entry_about_one_subject_needs_its_subject(answerer):
    # "Can a company collaborate?" must not win a question naming no company (it led, so the
    # residents' association question got "did you mean")
    a = answerer.answer("jichikai mo kyoudou dekimasu ka")
    assert a.answered and a.faq_id == "target-jichikai", (a.reason, a.suggestions)
    a = answerer.answer("our neighbourhood club only, not an NPO. kyodo is ok?")
    assert not a.answered or a.faq_id in ("target-npo-required", "target-groups"), a.faq_id


@pytest.mark.parametrize("question", ["How do I pay city tax?", "bus to city hall from the station?"])
def test_a_short_unknown_noun_is_not_weak_evidence(answerer, question):
    # three-letter nouns (tax, bus) are topics of their own, not noise like "ok" (was answered
    # with the funding entry: "pay" is a money word)
    a = answerer.answer(question)
    assert not a.answered, a.faq_id


# -- second round, batch 2 -----------------------------------------------------------------------------------


def test_a_comparison_needs_both_things_compared(answerer):
    # 協働 and 補助 is not "commissioning and a subsidy" (was answered with that comparison)
    a = answerer.answer("kyodo vs hojo, difference?")
    assert a.faq_id != "form-itaku-vs-hojo"
    a = answerer.answer("itaku vs hojo difference?")
    assert a.answered and a.faq_id == "form-itaku-vs-hojo"


def test_a_typo_of_a_stop_word_is_that_word(answerer):
    # "ther" is one letter from "there" and from "other": a word every question has wins
    q, _ = answerer.english().analyse("is ther any money for groups")
    assert "other" not in q.weights


@pytest.mark.parametrize(
    ("question", "expect"),
    [
        ("kojin demo kyoudou dekiru?", "target-individual"),  # demo: romaji "even"
        ("kyoudou no rei", "examples"),  # rei: 例, example
    ],
)
def test_romaji_words_of_batch_two(answerer, question, expect):
    a = answerer.answer(question)
    assert a.answered and a.faq_id == expect, (a.reason, a.faq_id, a.suggestions)


# -- second round, batch 3 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "not_this"),
    [
        # an entry about one subject answers whether, not how: was answered with the university entry
        ("I am a student. How can I pay the fee?", "target-university"),
        ("our school club. how to pay?", "target-university"),
        # a weekend is not the office's opening hours (was answered with them)
        ("any event on holiday in koganei?", "contact-hours"),
    ],
)
def test_batch_three_precision(answerer, question, not_this):
    a = answerer.answer(question)
    assert not (a.answered and a.faq_id == not_this), a.faq_id


def test_an_asking_sentence_that_points_back_is_joined_to_the_one_before(answerer):
    # "Can that be a collaboration?" is about the activity described before it: not a question
    # about collaboration in general (was answered with what the city does to support it)
    a = answerer.answer("Our activity is a language-exchange evening with tea. Can that be a collaboration with the city?")
    assert not a.answered or a.faq_id in ("target-activities", "target-public-benefit"), a.faq_id


def test_unknown_words_describing_the_activity_weigh_half(answerer):
    # the sentence joined before the asking one describes the activity: its unknown words (sports,
    # families) say what the group does; at full weight they made this a decline once the asking
    # sentence above was joined to it (a guard for that combination)
    a = answerer.answer("Our activity is a sports day for families. Can that be a collaboration with the city?")
    assert a.reason != "out_of_scope"


# -- third round (h15c): the rules, with questions of our own (not from the evaluation sets) ------------


def test_what_alone_is_not_a_definition_question(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    assert "definition" not in en.analyse("What will happen to our flyer?")[0].weights
    assert "definition" in en.analyse("what does kyodo mean")[0].weights


@pytest.mark.parametrize(
    ("question", "expect"),
    [
        ("I own a small store in town. Can my store join a kyodo project?", "target-company"),
        ("Our circle is based in Kodaira. Is it still ok to collaborate with Koganei?", "target-outside-city"),
        ("We back a candidate in the mayor election. Can we still partner with the city?", "target-politics"),
    ],
)
def test_who_may_collaborate_is_read_from_the_introduction(answerer, question, expect):
    a = answerer.answer(question)
    assert a.answered and a.faq_id == expect, a


def test_who_rule_needs_a_whether_question_and_nothing_else_asked(answerer):
    # how, not whether: the subject entry is not the answer
    a = answerer.answer("We are a company. How do we pay the city tax?")
    assert a.faq_id != "target-company"


def test_swapped_letters_and_one_letter_off_long_words_are_corrected(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    assert "start" in en.analyse("how to strat kyodo")[0].weights
    assert "koen" in en.analyse("sponser for our event")[0].weights  # 7 letters, one letter off
    q, _ = en.analyse("good housing near the station")
    assert "god" in q.weights or "good" not in q.unknown  # good is a known word, never 'corrected'
    assert "kyosai" not in q.weights  # housing is not hosting (two letters off)


def test_names_inside_a_sentence_are_weak_evidence_and_never_corrected(answerer):
    from knowledge.english import EnglishAnswerer, _names

    assert _names("We meet near Musashi-Koganei station. Can we use a room?") >= {"musashi"}
    assert "we" not in _names("We meet near Musashi-Koganei station. Can we use a room?")
    en = EnglishAnswerer.for_answerer(answerer)
    q, _ = en.analyse("Our group from Musashi wants a room for meetings")
    assert "musashi" in q.unknown and "outside" not in q.weights  # not corrected to Musashino


def test_question_word_agreement(answerer):
    a = answerer.answer("who pays if a volunteer gets hurt at a joint festival")
    assert a.answered and a.faq_id == "responsibility", a


@pytest.mark.parametrize("question", ["Where do I apply for a part-time job at the station?", "Where do I register a marriage?"])
def test_one_unknown_city_noun_is_declined(answerer, question):
    a = answerer.answer(question)
    assert not a.answered, a


@pytest.mark.parametrize(
    ("question", "expect"),
    [
        # a self-introduction, then whether or how "we" can work with the city, nothing else asked
        ("We are retired engineers who repair toys for free. Can we collaborate with city hall?", "target-activities"),
        ("Hello. We are an African drum circle. Would the city be interested in working together with us?", "target-activities"),
        ("we r brazilian moms group. we can do kyodo?", "target-activities"),
        ("We are a group of Thai cooks in Koganei. We want to work with the city. What should we do?", "howto-start"),
        ("We are a volunteer group that visits lonely seniors. How can we partner with the city?", "howto-start"),
        # the introduction names a kind of partner: that eligibility entry, who the writers are first
        ("We are a buddhist temple. Is it possible to collaborate with the city?", "target-religion"),
        ("We are a temple group. We run a study room for students. Can we work with the city?", "target-religion"),
        # who to ask, after telling what the group wants to do with the city
        ("We run a repair cafe. We'd like to partner with the city. Which section should we talk to?", "howto-which-division"),
        ("I lead a small Nepali group. We want to hold a disaster talk together with the city. Who should I contact?", "contact"),
    ],
)
def test_a_self_introduction_then_can_we_work_with_the_city(answerer, question, expect):
    a = answerer.answer(question)
    assert a.answered and a.faq_id == expect, a


@pytest.mark.parametrize(
    "question",
    [
        "We are a tennis club. Can we work with the city to get a cheaper court?",  # a topic of its own
        "I am a single mother from Ghana. Can the city help me with rent?",  # not about collaborating
        "We are musicians. Is it possible to perform at the city festival?",
    ],
)
def test_a_self_introduction_rule_needs_nothing_else_asked(answerer, question):
    a = answerer.answer(question)
    assert a.faq_id not in ("target-activities", "howto-start"), a


def test_the_introduction_rule_needs_a_group_introducing_itself(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    assert en._intro_asks("We are a choir. Can we work with the city?") == "whether"
    assert en._intro_asks("I lost my card. Can I work with the city?") is None
    assert en._intro_asks("Can we work with the city?") is None


def test_a_how_to_entry_does_not_answer_a_whether_question(answerer):
    a = answerer.answer("Do we need to register as an NPO before working with the city?")
    assert a.answered and a.faq_id == "target-npo-required", a


# -- h15f: wrong answers by class (probe questions of our own, not from the evaluation sets) --------------------


@pytest.mark.parametrize(
    "question",
    [
        "Our choir never registered as a company, we are just friends. Can we work with the city?",
        "We are not a political group, only parents who cook. Can we partner with Koganei?",
        "We get a donation from a company every year, so can we still collaborate?",
    ],
)
def test_a_subject_named_only_to_deny_it_or_as_a_giver_is_not_the_subject(answerer, question):
    a = answerer.answer(question)
    assert a.faq_id not in ("target-company", "target-politics", "target-koeki"), a


def test_a_subject_in_an_asking_sentence_with_a_negation_is_kept(answerer):
    a = answerer.answer("Can we collaborate with the city if we are not an NPO corporation?")
    assert a.answered and a.faq_id == "target-npo-required", a


def test_students_are_people_not_a_university(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    assert "university" not in en.analyse("We are three students who clean the park.")[0].weights
    assert "university" in en.analyse("Can our university collaborate?")[0].weights
    a = answerer.answer("Can our university lab collaborate with the city?")
    assert a.answered and a.faq_id == "target-university", a


def test_exist_is_a_filler_verb_not_an_existing_project(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    assert "existing" not in en.analyse("Which forms of kyodo exist?")[0].weights
    assert "existing" in en.analyse("Can an existing project become kyodo?")[0].weights


def test_joining_a_group_as_a_member_is_not_collaborating(answerer):
    a = answerer.answer("Must I join the neighbourhood association where I live?")
    assert a.faq_id != "target-jichikai", a
    a = answerer.answer("Can our neighbourhood association join kyodo?")
    assert a.answered and a.faq_id == "target-jichikai", a


def test_an_address_next_to_an_email_is_the_email_address(answerer):
    a = answerer.answer("What is the e-mail address of the collaboration office?")
    assert a.faq_id != "contact-place", a


def test_which_one_of_the_two_things_a_comparison_names_is_their_difference(answerer):
    a = answerer.answer("commissioning or a subsidy, which one gives the city more say?")
    assert a.faq_id != "form-choose", a
    a = answerer.answer("which form is best for our festival?")
    assert a.answered and a.faq_id == "form-choose", a


# -- h15g: polite forms, contact, funding (probe questions of our own, not from the evaluation sets) ---------


def test_the_polite_wrapping_of_a_question_is_not_the_question(answerer):
    from knowledge.english import drop_courtesy, plain_asks

    assert plain_asks("dear sir or madam, may i ask whether a group may join?") == "is a group may join?"
    assert plain_asks("could you please tell me the phone number?") == "the phone number?"
    assert plain_asks("i am sorry to bother you, but i would like to kindly ask if it is free") == "is it is free"
    assert plain_asks("what is kyodo?") == "what is kyodo?"
    # a sentence of courtesy only is neither the question nor its context
    assert drop_courtesy("Thank you for your time. What is kyodo?") == "What is kyodo?"
    assert drop_courtesy("Thank you!") == "Thank you!"
    a = answerer.answer("Thank you for your time. Could you tell me what civic activity groups are?")
    assert a.answered and a.faq_id == "term-shimin-katsudo", a
    # "may I ask whether…" is a whether-question: a how-to entry does not answer it
    a = answerer.answer("May I ask whether a club that is not registered as an NPO corporation may still work with the city?")
    assert a.answered and a.faq_id == "target-npo-required", a
    a = answerer.answer(
        "Excuse me, I apologise for bothering you, but could you tell me the telephone number of the collaboration desk?"
    )
    assert a.answered and a.faq_id == "contact-phone", a


def test_a_relative_that_points_back_at_nothing():
    from knowledge.english import _refers

    assert _refers("is that ok?")
    assert _refers("can it be kyodo?")
    assert not _refers("is a group that is not registered ok?")
    assert not _refers("can people that live in mitaka join?")


def test_a_word_that_lost_its_e_with_ing_is_read_as_the_known_word(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    t = en._terms("exchanging")
    assert "exchange" in t.weights and not t.unknown
    a = answerer.answer("Is exchanging data with the city a form of collaboration?")
    assert a.answered and a.faq_id == "form-joho", a


def test_which_division_is_an_asking_word(answerer):
    from knowledge.english import _asking_word

    assert _asking_word("which ka should we go to?") == "which division"
    assert _asking_word("what section handles this?") == "which division"
    assert _asking_word("which form is best?") == ""
    a = answerer.answer("which ka should we go to about our kyodo project?")
    assert a.answered and a.faq_id in ("howto-which-division", "contact"), a


def test_kana_grammar_left_over_is_weak_evidence(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    kana = en.domain(en.analyse("kyodo ってなんですか meaning?")[0])
    kanji = en.domain(en.analyse("kyodo 印鑑登録 meaning?")[0])
    assert kana > kanji


def test_an_everyday_word_is_no_topic_of_a_follow_up(answerer):
    a = answerer.answer("When did the city write the guideline? Is it new?")
    assert a.answered and a.faq_id == "about-guideline", a


def test_words_describing_our_event_are_weak_evidence(answerer):
    from knowledge.english import _describing

    assert _describing("Can the city co-host our spring flower festival?") == {"spring", "flower"}
    # "an office that matches volunteers with groups": a clause, not a description
    assert _describing("Is there an office that matches volunteers with groups?") == frozenset()
    a = answerer.answer("Can the city co-host our flower festival?")
    assert a.answered and a.faq_id == "form-kyosai", a


def test_money_the_writers_already_get_asks_about_other_funding(answerer):
    for q in (
        "Our club already receives a grant from a company. Can the city give us a subsidy too?",
        "We receive donations from a temple. Can we also get a city subsidy?",
    ):
        a = answerer.answer(q)
        assert a.answered and a.faq_id == "target-other-funding", (q, a)
    # another city's grant is not money the writers get
    a = answerer.answer("Chiba has a grant for groups. Does Koganei?")
    assert a.faq_id != "target-other-funding", a


def test_h15g_synonyms_and_romaji(answerer):
    for q, expect in (
        ("shimin sanka jourei wa itsu dekimashita ka", "bg-participation-ordinance"),
        ("how many non-profit corporations are in the city?", "bg-npo-count"),
        ("I do not belong to any group. Can I still work with the city?", "target-individual"),
        ("what does taitousei no sonchou mean?", "principle-equality"),
        ("our group is unregistered, can we still do kyodo?", "target-npo-required"),
    ):
        a = answerer.answer(q)
        assert a.answered and a.faq_id == expect, (q, a)


def test_after_an_introduction_wanting_the_citys_help_then_whom_to_ask_is_contact(answerer):
    a = answerer.answer("We are a dance group from Peru. We want the city's help for our show. Who should we contact?")
    assert a.answered and a.faq_id == "contact", a


def test_when_joining_two_clauses_does_not_ask_when(answerer):
    from knowledge.english import EnglishAnswerer, _asking_word, plain_asks

    assert _asking_word(plain_asks("what must we follow when working with the city?")) == ""
    assert _asking_word(plain_asks("when does the office open?")) == "when"
    en = EnglishAnswerer.for_answerer(answerer)
    assert "when" not in en.analyse("what rules must we follow when we work with the city?")[0].weights


# -- h15h: other offices' matters, membership, lists, two questions (probes of our own) ---------------------


def test_another_offices_matter_is_declined_unless_collaboration_is_asked(answerer, en_raw):
    from knowledge.english import EnglishAnswerer

    assert en_raw["elsewhere"], "faq_en.yaml lists other offices' matters"
    en = EnglishAnswerer.for_answerer(answerer)
    assert en.names_elsewhere("I lost my residence card yesterday.")
    assert en.names_elsewhere("gomi no hi wa itsu?")
    assert not en.names_elsewhere("Can our group co-host a festival?")
    for q in (
        "My visa expires soon. Is it the city hall I go to?",
        "I want to pay my resident tax. Where is the office?",
        "Where is the evacuation site for my street?",
    ):
        a = answerer.answer(q)
        assert not a.answered and a.reason == "out_of_scope", (q, a)
    # never typo-corrected into a word of ours
    assert "evaluation" not in en.analyse("where is the evacuation place")[0].weights
    # the question itself names collaboration: ours
    a = answerer.answer("We help foreigners at evacuation shelters. Can our group do kyodo with the city?")
    assert a.answered, a


def test_a_duty_to_be_a_member_is_joining_not_collaborating(answerer):
    a = answerer.answer("Is membership of the jichikai compulsory? The leader says I have to pay every month.")
    assert a.faq_id != "target-jichikai", a
    a = answerer.answer("Can a jichikai work with the city?")
    assert a.answered and a.faq_id == "target-jichikai", a


def test_a_list_of_examples_after_a_question_illustrates_it(answerer):
    from knowledge.english import EnglishAnswerer, _is_examples

    assert _is_examples("kouen, kyosai, etc?") and _is_examples("kouen, kyosai ...?")
    assert not _is_examples("kouen or kyosai?") and not _is_examples("can we, or not?")
    en = EnglishAnswerer.for_answerer(answerer)
    q, _ = en.analyse("What forms of kyodo does Koganei have? kouen, kyosai, etc?")
    assert q.asks.startswith("what forms") and q.weights["koen"] == 0.5
    # a question mark typed after a space is no sentence of its own
    for text in ("What forms of kyodo does Koganei have? kouen, kyosai, etc?", "What forms of kyodo does Koganei have? kouen, kyosai ... ?"):
        a = answerer.answer(text)
        assert a.answered and a.faq_id == "form-list", (text, a)


def test_an_introduction_then_two_questions_is_not_a_plain_can_we(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    text = "We are a volunteer group of students. Is kyosai different from kouen? Can we be a partner?"
    assert en._intro_asks(text) is None
    assert en._intro_asks("We are a volunteer group of students. Can we be a partner?") == "whether"


def test_the_city_telling_us_what_to_do_is_about_independence(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    for text in ("will the city interfere with our club?", "will they tell us what to do?", "can we keep our own style?"):
        assert "independence" in en.analyse(text)[0].weights, text


def test_which_language_the_office_speaks_is_not_in_the_data(answerer):
    a = answerer.answer("Is there staff who can speak Vietnamese at the collaboration desk?")
    assert not a.answered, a
    a = answerer.answer("Can I talk to the collaboration office in English by phone?")
    assert not a.answered, a
    # a group's event in another language is not a question about the office's language
    a = answerer.answer("We plan a kyodo event in Nepali with the city. Who should we contact?")
    assert a.answered and a.faq_id in ("contact", "howto-which-division"), a


def test_is_there_asks_whether_something_exists_not_who_may_collaborate(answerer):
    a = answerer.answer("Is there a religious group in Koganei that runs a food bank?")
    assert a.faq_id != "target-religion", a
    a = answerer.answer("Can a religious group collaborate with the city?")
    assert a.answered and a.faq_id == "target-religion", a


def test_a_question_mark_inside_brackets_ends_the_sentence(answerer):
    from knowledge.english import _BRACKETED_MARK_RE

    assert _BRACKETED_MARK_RE.sub(r"\2\1", "Is it kyodo? (chapter 2?)") == "Is it kyodo? (chapter 2)?"


def test_h15h_synonyms(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    assert "benefit" in en.analyse("what good is kyodo for a small club?")[0].weights
    # a seminar held for people is an event, not a university seminar
    assert "university" not in en.analyse("We hold free seminars for parents.")[0].weights
    assert "university" in en.analyse("My seminar students want to work with the city.")[0].weights


def test_what_an_activity_is_called_is_weak_evidence(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    with_class = en.domain(en.analyse("Can a shop join kyodo with the city, for example a yoga class?")[0])
    with_noun = en.domain(en.analyse("Can a shop join kyodo with the city, for example a pension?")[0])
    assert with_class > with_noun
    assert "venue" in en.analyse("Could the city help us find a place for our class?")[0].weights
    assert "city" in en.analyse("Can we work with the board of education?")[0].weights


def test_a_polite_request_without_a_question_mark_is_the_asking_sentence(answerer):
    from knowledge.english import _asking_index, drop_courtesy, plain_asks

    sentences = ["I would be grateful if you could explain what kyodo is.", "I am writing a report for school."]
    assert _asking_index(sentences) == 0
    assert _asking_index(["We are a club.", "Can we join?", "Thanks."]) == 1
    assert plain_asks("could you please explain what kyodo is") == "what kyodo is"
    assert drop_courtesy("I hope this message finds you well. What is kyodo?") == "What is kyodo?"
    a = answerer.answer("I would be grateful if you could explain what co-hosting is. I am writing a report for my class.")
    assert a.answered and a.faq_id == "form-kyosai", a


def test_another_offices_phrase_is_read_before_the_synonyms(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    t = en.analyse("I have a question about my employment contract")[0]
    assert "itaku" not in t.weights and "contract" in t.unknown
    a = answerer.answer("Can foreign residents vote in the city election?")
    assert not a.answered, a


def test_a_when_question_needs_an_entry_that_speaks_of_a_date(answerer):
    a = answerer.answer("When is the Koganei lantern festival this year?")
    assert not a.answered, a
    a = answerer.answer("When was the collaboration guideline made?")
    assert a.answered and a.faq_id == "about-guideline", a


def test_the_city_and_an_event_alone_name_no_topic(answerer):
    a = answerer.answer("Is there a festival in Koganei in May?")
    assert not a.answered, a
    a = answerer.answer("Can the city co-host our festival?")
    assert a.answered and a.faq_id == "form-kyosai", a


def test_how_a_named_kind_of_partner_can_collaborate_is_its_entry(answerer):
    a = answerer.answer("How can our company work with the city?")
    assert a.answered and a.faq_id == "target-company", a
    a = answerer.answer("How does our company register its office address?")
    assert a.faq_id != "target-company", a


def test_an_official_or_registered_npo_is_an_npo_corporation(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    for text in ("Must we be an official NPO?", "only registered NPOs?"):
        assert "npo-corporation" in en.analyse(text)[0].weights, text


@pytest.mark.parametrize(
    "word", ["about", "group", "council", "four", "found", "house", "soon", "outside", "foundation", "good"]
)
def test_english_words_are_not_folded_as_romaji(word):
    """Folding ou/uu/oo is for romaji (kyoudou, kouen): plain English keeps its letters, so that
    four is not for, found not fond, house not hose."""
    assert fold_romaji(word) == word


@pytest.mark.parametrize(
    "word,folded",
    [
        ("kyoudou", "kyodo"),
        ("kouen", "koen"),
        ("jigyou", "jigyo"),
        ("chuuou", "chuo"),
        ("kouminkan", "kominkan"),
        ("shuukyou", "shukyo"),
        ("honchousha", "honchosha"),
        ("saihakkou", "saihakko"),
        ("labour", "labor"),  # British -our meets the American spelling
        ("neighbourhood", "neighborhood"),
    ],
)
def test_romaji_and_british_spellings_are_folded(word, folded):
    assert fold_romaji(word) == folded


# -- h15j: other offices' matters that look like ours, and rules of the tenth round (probes of our own) -----


def test_statistics_work_permits_and_a_politicians_club_are_other_offices_matters(answerer):
    for q in (
        "What is the population of Koganei these days?",
        "I am a student from Nepal. Is a work permit needed to teach at a school event?",
        "Can I become a member of the kouenkai of a councillor?",
        "How do I join the 後援会 of an assembly member?",
    ):
        a = answerer.answer(q)
        assert not a.answered, (q, a)
    a = answerer.answer("What is kōen (後援)?")
    assert a.answered and a.faq_id == "form-kouen", a


def test_collaboration_with_citizens_is_collaboration(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    t = en.analyse("Does the long-term plan of Koganei say anything about collaboration with residents?")[0]
    assert "kyodo" in t.weights and "citizen" not in t.weights


def test_a_wh_question_after_a_comma_is_not_a_whether_question(answerer):
    from knowledge.english import _wh_asks

    assert _wh_asks("our students want to help local clubs, where should i ask?")
    assert not _wh_asks("can a university, or its students, work with the city?")
    a = answerer.answer("Our university students want to help at local events, who should I talk to in the city?")
    assert a.faq_id != "target-university", a


def test_a_word_equals_another_asks_what_it_means(answerer):
    a = answerer.answer("itaku = commissioning?")
    assert a.answered and a.faq_id == "form-itaku", a


def test_a_place_for_meetings_is_a_venue(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    assert "venue" in en.analyse("Does the city offer a meeting space for civic groups?")[0].weights
    assert "venue" in en.analyse("we need a place to gather once a month")[0].weights


def test_what_the_city_does_is_not_why_it_does_it(answerer):
    a = answerer.answer("What will Koganei do to promote kyodo?")
    assert a.faq_id != "about-purpose", a
    a = answerer.answer("Why does the city promote collaboration?")
    assert a.answered and a.faq_id == "about-purpose", a


def test_required_documents_are_the_procedure(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    t = en.analyse("Which documents are needed? What are the required documents for kouen?")[0]
    assert "procedure" in t.weights and "requir" not in t.weights


def test_is_this_x_weighs_what_was_told_half(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    q, _ = en.analyse("Our circle plays music at the community centre for old people. Is this public benefit?")
    assert q.weights["public-benefit"] == 1.0
    assert all(w <= 0.5 for t, w in q.weights.items() if t != "public-benefit"), q.weights


def test_whether_a_residents_association_is_open_to_newcomers_is_joining(answerer):
    a = answerer.answer("Is the chonaikai in my area open to newcomers? I just moved here and I want to be a member.")
    assert a.faq_id != "target-jichikai", a
    a = answerer.answer("Our jichikai is open to everyone. Can we co-host a festival with the city?")
    assert a.answered and a.faq_id == "form-kyosai", a


def test_romaji_grammar_and_a_japanese_not(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    q = en.analyse("kouen ni tsuite shiritai, doko ni ikeba ii?")[0]
    assert not q.unknown, q.unknown
    assert "not" in en.analyse("jichikai じゃない group ok?")[0].weights
    assert "public-order" in en.analyse("koujo ryouzoku ni hanshinai katsudou")[0].weights


def test_the_last_two_letters_swapped_are_a_typo(answerer):
    from knowledge.english import _swaps

    assert "wiht" in _swaps("with") and "strat" in _swaps("start")
    a = answerer.answer("how to work wiht the city, how to strat?")
    assert a.answered and a.faq_id == "howto-start", a


def test_a_citizen_organisation_is_a_civic_group(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    q = en.analyse("Can community organizations apply?")[0]
    assert "civic-group" in q.weights and "community" not in q.weights


def test_lending_the_citys_name_is_nominal_sponsorship(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    for text in ("Would the city lend us its name for our concert?", "Can Koganei support us with its name?"):
        q = en.analyse(text)[0]
        assert "koen" in q.weights and "support" not in q.weights, (text, q.weights)


def test_days_of_the_week_are_everyday_words(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    q = en.analyse("Can I help as a volunteer on Saturday evenings?")[0]
    assert en.domain(q) >= 0.65, q
    a = answerer.answer("Is the collaboration office open on Saturday?")
    assert a.answered and a.faq_id == "contact-hours", a


# -- h15k ------------------------------------------------------------------------------------------------------


def test_a_group_saying_it_has_no_legal_status_asks_whether_it_must_be_an_npo(answerer):
    for text in (
        "We have no NPO registration, we are simply neighbours who cook together. Is it fine to partner with the city?",
        "Our team is not incorporated, only some parents. Could we still do kyodo?",
    ):
        a = answerer.answer(text)
        assert a.answered and a.faq_id == "target-npo-required", (text, a.faq_id, a.suggestions)


def test_a_group_for_its_members_only_asks_about_public_benefit(answerer):
    for text in (
        "Our chess circle is just for our own members. Can we work with the city?",
        "We are a members-only walking club. Is kyodo possible for us?",
    ):
        a = answerer.answer(text)
        assert a.answered and a.faq_id == "target-public-benefit", (text, a.faq_id, a.suggestions)


def test_whoever_gives_the_writers_money_is_a_giver_not_the_writer(answerer):
    for text in (
        "We run a kids' science club. A local business is sponsoring us with some cash. Would that be a problem for kyodo?",
        "Our choir is funded by a temple nearby. Can we still work with the city?",
    ):
        a = answerer.answer(text)
        assert a.faq_id not in ("target-company", "target-religion", "form-kouen"), (text, a.faq_id)
        assert a.answered and a.faq_id == "target-other-funding", (text, a.faq_id, a.suggestions)
    a = answerer.answer("Our company gives its staff time to volunteer. Can a company collaborate with the city?")
    assert a.answered and a.faq_id == "target-company", a


def test_what_the_city_has_done_before_asks_for_its_examples(answerer):
    for text in (
        "has koganei done kyodo with a company before?",
        "We are a student volunteer team from a university nearby. Has the city ever worked with groups like ours in the past?",
    ):
        a = answerer.answer(text)
        assert a.answered and a.faq_id == "examples", (text, a.faq_id, a.suggestions)
    a = answerer.answer("Our temple group feeds homeless people. Did Koganei do a project like this before?")
    assert a.faq_id != "target-religion", a


def test_writers_of_a_kind_asking_whether_the_city_supports_this_get_that_kinds_entry(answerer):
    a = answerer.answer("Our mosque holds free Japanese classes for refugees. Could the city support this as a collaboration?")
    assert a.answered and a.faq_id == "target-religion", (a.faq_id, a.suggestions)


def test_since_when_the_participation_ordinance_is_its_entry(answerer):
    a = answerer.answer("Does Koganei have an ordinance on citizen participation? Since when?")
    assert a.answered and a.faq_id == "bg-participation-ordinance", (a.faq_id, a.suggestions)


def test_the_event_where_an_accident_happens_is_the_setting_not_the_question(answerer):
    from knowledge.english import EnglishAnswerer

    en = EnglishAnswerer.for_answerer(answerer)
    q = en.analyse("What happens if a child is injured during a festival we co-host with the city?")[0]
    assert q.weights["responsibility"] == 1.0 and q.weights["kyosai"] <= 0.5, q.weights
    a = answerer.answer("What happens if a child is injured during a festival we co-host with the city?")
    assert a.answered and a.faq_id == "responsibility", (a.faq_id, a.suggestions)


def test_romaji_asking_to_explain_simply(answerer):
    a = answerer.answer("kyosai wo kantan ni setsumei shite kudasai")
    assert a.answered and a.faq_id == "form-kyosai", (a.faq_id, a.suggestions)


def test_which_of_more_than_one_pair_of_forms_asks_to_choose(answerer, monkeypatch):
    a = answerer.answer("We run a tea ceremony club. Which form is best for our event: kouen, kyosai, itaku or hojo?")
    assert a.answered and a.faq_id == "form-choose", (a.faq_id, a.suggestions)
    # one pair: the rules do not choose the entry on choosing (the comparison answers it as well,
    # and the second opinion may pick either: knowledge/classifier.py)
    monkeypatch.setattr(answerer.english(), "classifier", None)
    a = answerer.answer("kouen and kyosai, which one is better for a small concert?")
    assert a.faq_id != "form-choose", a


def test_a_question_word_put_last_asks_what_a_word_is(answerer):
    for text, want in (("npo houjin is what?", "term-npo"), ("NPO means what?", "term-npo")):
        a = answerer.answer(text)
        assert a.answered and a.faq_id == want, (text, a.faq_id, a.suggestions)


def test_having_no_money_is_not_money_received(answerer):
    a = answerer.answer("We have no money at all. Can we still do kyodo?")
    assert a.faq_id != "target-other-funding", a


def test_a_welcome_kind_of_partner_told_is_not_the_answer_to_another_question(answerer):
    a = answerer.answer("We are a student circle at a college. Can we get money from the city for our concert?")
    assert a.faq_id != "target-university", a
    a = answerer.answer("We are a company. Can we collaborate with the city?")
    assert a.answered and a.faq_id == "target-company", a


def test_a_thing_given_by_someone_else_asks_about_other_funding_when_city_money_is_asked(answerer):
    a = answerer.answer("A shop lends us tables and chairs. Can we get a city grant too?")
    first = a.faq_id if a.answered else a.suggestions[0]
    assert first in ("target-other-funding", "Can we still be eligible if we get other funding?"), (a.faq_id, a.suggestions)


def test_romaji_how_and_wanting_to_become_an_npo(answerer):
    for text, want in (
        ("kyoudou shitai, dou sureba ii desu ka", "howto-start"),
        ("npo houjin ni naritai. doushitara ii?", "npo-establish"),
    ):
        a = answerer.answer(text)
        assert a.answered and a.faq_id == want, (text, a.faq_id, a.suggestions)


def test_a_question_word_alone_names_no_topic(answerer):
    a = answerer.answer("hi, how are you?")
    assert not a.answered, a


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("kyodo no madoguchi wa nanji made aite imasu ka", "contact-hours"),  # 開いて, not 相手 (partner)
        ("what can this line account do for us?", "bot-what"),
        ("tell me the 4 principles again, i forgot", "principle-list"),  # forgot says nothing
    ],
)
def test_romaji_opening_hours_the_line_account_and_a_forgotten_question(answerer, text, want):
    a = answerer.answer(text)
    assert a.answered and a.faq_id == want, (text, a.faq_id, a.reason, a.suggestions)


@pytest.mark.parametrize(
    ("text", "first"),
    [
        # "purpose" alone: the entry comparing purpose and goal could not be the answer
        ("What's the purpose of cooperation between citizen groups and the city?", "What is the purpose of collaboration?"),
        ("What is the difference between an NPO and a neighbourhood club?", "What is an NPO?"),  # no NGO named
    ],
)
def test_an_entry_that_could_not_be_the_answer_does_not_lead(answerer, text, first):
    a = answerer.answer(text)
    assert not a.answered and a.suggestions[0] == first, (text, a.faq_id, a.reason, a.suggestions)


def test_a_leader_reached_past_an_unfit_entry_is_not_answered_by_the_rules_alone(answerer):
    # a political group is named nowhere: the entry about it does not lead, and what leads then
    # is offered (or picked by the classifier), not answered on the rules' margin
    a = answerer.answer("What is the purpose of the city working with residents' groups?")
    assert a.faq_id in (None, "about-purpose", "about-kyodo"), (a.faq_id, a.suggestions)
    assert "Can a political group collaborate?" not in a.suggestions[:1]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("How many NPO法人 are in 小金井市?", "bg-npo-count"),  # the city's name in kanji is the city
        ("what's the difference between kouen and co-sponsorship?", "form-kouen-vs-kyosai"),
        ("Who is the liaison for kyodo at the city?", "contact"),
        # a matter of another office (pregnancy) in what the group does; the question is setting up
        # an NPO corporation, which is ours
        ("We help with pregnancy care for foreigners and want to become an NPO houjin. Where do we apply?", "npo-establish"),
    ],
)
def test_vocabulary_koganei_in_kanji_cosponsor_liaison_and_an_npo_corporation(answerer, text, want):
    a = answerer.answer(text)
    assert a.answered and a.faq_id == want, (text, a.faq_id, a.reason, a.suggestions)


def test_a_word_missing_one_letter_counts_in_full(answerer):
    # guidline and colaboration are sure typos, like two letters swapped, not a guess by similarity
    a = answerer.answer("wat is koganei's colaboration guidline")
    assert a.answered and a.faq_id == "about-guideline", (a.faq_id, a.reason, a.suggestions)


def test_koganei_kouen_is_the_park_unless_its_name_follows(answerer):
    a = answerer.answer("is grilling ok in koganei kouen? where do i book")
    assert not a.answered, (a.faq_id, a.reason)
    a = answerer.answer("how do we apply for koganei kouen meigi for our concert?")
    first = a.faq_id if a.answered else a.suggestions[0]
    assert first in ("kouen-apply", "How do we apply for nominal sponsorship (後援)?"), (a.faq_id, a.suggestions)


def test_why_roles_must_be_clear_is_the_principle_not_what_to_decide(answerer):
    # the reason for settling roles first is the principle of clear roles, not the checklist for a proposal
    a = answerer.answer("why should the city and our club agree on roles and responsibility before the start?")
    first = a.faq_id if a.answered else None
    assert first in ("principle-roles", "responsibility"), (a.faq_id, a.reason, a.suggestions)


def test_explain_what_kinds_there_are_is_not_a_definition(answerer):
    # "explain what kinds of X there are" asks which kinds exist, not what X means
    a = answerer.answer("Could you kindly explain what kinds of kyodo there are?")
    assert a.answered and a.faq_id == "form-list", (a.faq_id, a.reason, a.suggestions)
    a = answerer.answer("Could you explain what kyosai is?")
    assert a.answered and a.faq_id != "form-list", (a.faq_id, a.reason)


@pytest.mark.parametrize(
    "text",
    [
        "Our circle gathers signatures for a petition about the park. Can we still partner with the city?",
        "We campaign for suffrage for long-term foreign residents. Is kyodo with Koganei possible for us?",
    ],
)
def test_petitions_and_signature_drives_are_political_activity(answerer, text):
    a = answerer.answer(text)
    assert a.answered and a.faq_id == "target-politics", (text, a.faq_id, a.reason, a.suggestions)


@pytest.mark.parametrize(
    "text",
    [
        "Our NPO corporation must hand in its yearly activity report. Where should we send it?",
        "We are an NPO houjin and want to register a new board member. How is it done?",
    ],
)
def test_a_matter_no_entry_speaks_of_is_not_answered_by_its_neighbour(answerer, text):
    # an NPO's filings once it exists are Tokyo's matter: not "How do we set up an NPO corporation?"
    a = answerer.answer(text)
    assert not a.answered, (text, a.faq_id)


def test_support_for_single_parents_and_a_landlords_deposit_are_other_offices_matters(answerer):
    """Look-alikes of set 21, in our own words: "financial support" for single parents is the
    child-and-family office's, not the collaboration funding entry; a deposit a landlord keeps is
    not what the bot can do."""
    for q in (
        "I'm a single father. Does the city give money to single parents?",
        "The landlord keeps my shikikin. Where can I get help?",
    ):
        a = answerer.answer(q)
        assert not a.answered and a.reason == "out_of_scope", (q, a.faq_id, a.reason)


def test_volunteer_insurance_is_not_the_joint_projects_responsibility(answerer):
    # insurance a volunteer takes out (ボランティア活動保険) is the volunteer centre's matter, named by
    # no entry: not "Who is responsible if there is an accident?"; a joint event's insurance still is
    for q in (
        "I help at a park cleanup as a volunteer. Is there an insurance for volunteers if I fall and get hurt?",
        "how much does borantia hoken cost and where do i sign up",
    ):
        a = answerer.answer(q)
        assert not a.answered, (q, a.faq_id)
    a = answerer.answer("We hold a festival together with the city. Who arranges the insurance if a visitor is injured?")
    assert a.answered and a.faq_id == "responsibility", (a.faq_id, a.reason, a.suggestions)
