"""English answers for foreign residents (issue 15): data/faq_en.yaml, validated, and a small
precision-first answerer over English tokens.

The Japanese answerer hands a message over when :func:`knowledge.language.detect_language` says
it is not Japanese (``Answerer.answer``); this module is imported and built only then, so a
Japanese-only process never pays for it.

How a question is answered:

1. the text is lower-cased, macrons dropped (kōen -> koen), and the phrases of ``synonyms`` in
   faq_en.yaml replaced by their term (co-hosting, 共催, kyousai -> kyosai);
2. words become terms: stop words dropped, light stemming (groups -> group, applying -> apply),
   romaji long vowels folded (kyoudou -> kyodo, jigyou -> jigyo); a misspelt word the data does
   not know is corrected to the nearest known word (rapidfuzz, ratio >= 85);
3. in a long message, the last asking sentence is the question and the others are context (their
   known words count half, their unknown words not at all);
4. every entry is scored on its English question and phrasings: the best idf-weighted F1 of the
   question's terms against one phrasing, how much of the question the whole entry (phrasings and
   answer) covers, and the spelling similarity;
5. precision first: answer only when the score, the share of known words (domain) and the
   coverage are all high and the runner-up is clearly behind; otherwise "did you mean" when
   something is close, otherwise a polite English decline that says where to ask.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from knowledge import messages_en as msg
from knowledge.classifier import NONE_CLASS, ClassifierError, TextClassifier, load_classifier
from knowledge.contacts import FACT_LABELS, PLACEHOLDER_RE, Contact
from knowledge.language import GREETING, THANKS, courtesy
from knowledge.loader import DATA_DIR, DataError, _read_yaml, _text
from knowledge.models import Answer, KnowledgeData, Source
from knowledge.verifier import (
    VERIFIER_EN_FILE,
    Verifier,
    VerifierError,
    en_feature_names,
    en_features,
    load_verifier,
)

EN_FILE = "faq_en.yaml"
MAX_ANSWER_CHARS = 900
MAX_QUESTION_CHARS = 1000
MAX_SUGGESTIONS = 3
# A contact of contacts.yaml with this id is named in the reply to other languages (the city's
# multilingual consultation), when its phone number is confirmed; else the switchboard.
MULTILINGUAL_CONTACT = "multilingual"

_TOP_KEYS = {"sections", "contacts", "synonyms", "elsewhere", "entries"}
_ENTRY_KEYS = {"id", "question", "phrasings", "answer"}
_TYPED_CONTACT_RE = re.compile(r"\b0\d{1,4}-\d{1,4}-\d{3,4}\b|https?://|www\.|\S+@\S+\.\S+")
_YES_NO_OPENER_RE = re.compile(r"^(?:Yes|No)[.,]\s+(?:(?:but|however),?\s+)?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class EnglishEntry:
    id: str
    question: str
    phrasings: tuple[str, ...]
    answer: str  # contacts filled in
    sources: tuple[str, ...]  # from faq.yaml
    related: tuple[str, ...]  # from faq.yaml


@dataclass(frozen=True, slots=True)
class EnglishData:
    sections: Mapping[str, str]  # section/note id -> English title
    contact_names: Mapping[str, str]
    synonyms: tuple[tuple[str, tuple[str, ...]], ...]
    entries: tuple[EnglishEntry, ...]
    missing: tuple[str, ...] = ()  # faq.yaml ids without an English entry
    # words of other offices' matters (residence card, visa, tax, garbage …): a message naming one
    # is declined unless its asking part names collaboration
    elsewhere: tuple[str, ...] = ()
    # the second opinion that may turn a もしかして into one of its suggestions (classifier_en.json;
    # None: rules only)
    classifier: TextClassifier | None = None
    # the second opinion that may turn an answer into もしかして (verifier_en.json; None: rules only)
    verifier: Verifier | None = None


# -- loading -----------------------------------------------------------------------------------------


def load_english(
    data_dir: Path | str | None = None, ja: KnowledgeData | None = None, *, require_all: bool = True
) -> EnglishData:
    """Read and validate faq_en.yaml against the Japanese data (``ja``, loaded when not given).

    Raises :class:`DataError` listing every problem. ``require_all`` makes an faq.yaml entry
    without an English answer a problem (the shipped data has all of them)."""
    base = Path(data_dir) if data_dir else DATA_DIR
    if ja is None:
        from knowledge.loader import load_data

        ja = load_data(data_dir)
    problems: list[str] = []
    if not (base / EN_FILE).exists() and not require_all:
        # a data directory without English answers: English messages get English replies
        # (greeting, decline) but no answers
        return EnglishData({}, {}, (), (), tuple(e.id for e in ja.faq))
    data = parse_english(_read_yaml(base / EN_FILE), ja, problems)
    if require_all and data.missing:
        problems.append(f"{EN_FILE}: no English entry for {', '.join(data.missing)}")
    try:
        classifier = load_classifier(base)
    except ClassifierError as exc:
        problems.append(str(exc))
        classifier = None
    try:
        verifier = load_verifier(base, VERIFIER_EN_FILE, en_feature_names())
    except VerifierError as exc:
        problems.append(str(exc))
        verifier = None
    if problems:
        raise DataError(problems)
    return replace(data, classifier=classifier, verifier=verifier)


def _strings(value: Any) -> list[str] | None:
    """A non-empty list of non-empty strings (numbers such as 1995 are read as words)."""
    if isinstance(value, list):
        value = [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
        if value and all(isinstance(v, str) and v.strip() for v in value):
            return [v.strip() for v in value]
    return None


def parse_english(raw: Any, ja: KnowledgeData, problems: list[str], fname: str = EN_FILE) -> EnglishData:
    if not isinstance(raw, Mapping):
        problems.append(f"{fname}: expected a mapping with sections, contacts, synonyms and entries")
        return EnglishData({}, {}, (), ())
    for key in raw:
        if key not in _TOP_KEYS:
            problems.append(f"{fname}: unknown key '{key}' (allowed: {', '.join(sorted(_TOP_KEYS))})")
    # sections: every guideline section and note needs an English title
    sections: dict[str, str] = {}
    raw_sections = raw.get("sections")
    ids = {s.id for s in ja.sections}
    if not isinstance(raw_sections, Mapping):
        problems.append(f"{fname}: 'sections' must map each section and note id to its English title")
    else:
        for sid, title in raw_sections.items():
            if sid not in ids:
                problems.append(f"{fname}: sections: '{sid}' is not a section or note of guideline.yaml")
            elif not _text(title):
                problems.append(f"{fname}: sections: '{sid}' has no English title")
            else:
                sections[str(sid)] = _text(title) or ""
        for sid in sorted(ids - set(raw_sections)):
            problems.append(f"{fname}: sections: no English title for '{sid}'")
    contacts = {c.id: c for c in ja.contacts}
    names, facts = _parse_contacts(raw.get("contacts"), contacts, problems, fname)
    synonyms = _parse_synonyms(raw.get("synonyms"), problems, fname)
    entries = _parse_entries(raw.get("entries"), ja, contacts, names, facts, problems, fname)
    missing = tuple(e.id for e in ja.faq if e.id not in {x.id for x in entries})
    elsewhere: tuple[str, ...] = ()
    if raw.get("elsewhere") is not None:
        got = _strings(raw.get("elsewhere"))
        if got is None:
            problems.append(f"{fname}: 'elsewhere' must be a non-empty list of words or phrases")
        else:
            elsewhere = tuple(got)
    return EnglishData(sections, names, synonyms, tuple(entries), missing, elsewhere)


def _parse_contacts(
    raw: Any, contacts: Mapping[str, Contact], problems: list[str], fname: str
) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    names: dict[str, str] = {}
    facts: dict[tuple[str, str], str] = {}
    if raw is None:
        return names, facts
    if not isinstance(raw, Mapping):
        problems.append(f"{fname}: 'contacts' must map contact ids of contacts.yaml to their English name")
        return names, facts
    for cid, item in raw.items():
        where = f"{fname}: contact '{cid}'"
        c = contacts.get(cid)
        if c is None:
            problems.append(f"{where}: no such contact in contacts.yaml")
            continue
        if not isinstance(item, Mapping) or not _text(item.get("name")):
            problems.append(f"{where}: 'name' (the English name) is missing")
            continue
        names[cid] = _text(item["name"]) or ""
        for key, value in item.items():
            if key == "name":
                continue
            if key not in ("hours", "address"):
                problems.append(
                    f"{where}: '{key}' cannot be given in English (only hours and address; "
                    "phone numbers, e-mail and web pages are shown from contacts.yaml)"
                )
                continue
            if not isinstance(value, Mapping) or not _text(value.get("value")) or not _text(value.get("of")):
                problems.append(f"{where}: {key}: needs 'value' (English) and 'of' (the Japanese value it translates)")
                continue
            f = c.fact(key)
            if f is None or (f.value or "").strip() != _text(value.get("of")):
                problems.append(
                    f"{where}: {key}: 'of' is not the current value in contacts.yaml; update the English translation"
                )
                continue
            facts[(cid, key)] = _text(value["value"]) or ""
    return names, facts


def _parse_synonyms(raw: Any, problems: list[str], fname: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(f"{fname}: 'synonyms' must be a list of {{term, variants}}")
        return ()
    out = []
    for i, item in enumerate(raw, 1):
        where = f"{fname}: synonyms[{i}]"
        if not isinstance(item, Mapping) or set(item) - {"term", "variants"}:
            problems.append(f"{where}: expected exactly 'term' and 'variants'")
            continue
        term, variants = _text(item.get("term")), _strings(item.get("variants"))
        if not term or not re.fullmatch(r"[a-z0-9-]+", term):
            problems.append(f"{where}: 'term' must be lower-case letters, digits and hyphens")
            continue
        if variants is None:
            problems.append(f"{where} ({term}): 'variants' must be a non-empty list of words or phrases")
            continue
        out.append((term, tuple(variants)))
    return tuple(out)


def _parse_entries(
    raw: Any,
    ja: KnowledgeData,
    contacts: Mapping[str, Contact],
    names: Mapping[str, str],
    facts: Mapping[tuple[str, str], str],
    problems: list[str],
    fname: str,
) -> list[EnglishEntry]:
    if not isinstance(raw, list):
        problems.append(f"{fname}: 'entries' must be a list")
        return []
    by_id = {e.id: e for e in ja.faq}
    out: list[EnglishEntry] = []
    seen: set[str] = set()
    for i, item in enumerate(raw, 1):
        where = f"{fname}: entries[{i}]"
        if not isinstance(item, Mapping):
            problems.append(f"{where}: expected a mapping with id, question, phrasings, answer")
            continue
        eid = _text(item.get("id"))
        if eid:
            where = f"{fname}: entry '{eid}'"
        bad = sorted(set(item) - _ENTRY_KEYS)
        if bad:
            problems.append(
                f"{where}: unknown field(s) {', '.join(bad)} (sources and related come from faq.yaml)"
            )
        question, answer, phrasings = _text(item.get("question")), _text(item.get("answer")), _strings(item.get("phrasings"))
        ok = True
        for name, value in (("id", eid), ("question", question), ("answer", answer), ("phrasings", phrasings)):
            if not value:
                problems.append(f"{where}: '{name}' is missing or empty")
                ok = False
        if eid and eid not in by_id:
            problems.append(f"{where}: no entry with this id in faq.yaml")
            ok = False
        if eid and eid in seen:
            problems.append(f"{where}: duplicate id")
            ok = False
        if not ok or not eid or not answer or not question or not phrasings:
            continue
        seen.add(eid)
        if _TYPED_CONTACT_RE.search(PLACEHOLDER_RE.sub("", answer)):
            problems.append(f"{where}: a phone number, e-mail or web address is typed in; use a {{{{contact:…}}}} placeholder")
        text = render_en(answer, contacts, names, facts, where, problems)
        if len(text) > MAX_ANSWER_CHARS:
            problems.append(f"{where}: answer is {len(text)} characters with the contacts filled in (at most {MAX_ANSWER_CHARS})")
        ja_entry = by_id[eid]
        out.append(EnglishEntry(eid, question, tuple(phrasings), text, ja_entry.sources, ja_entry.related))
    return out


def render_en(
    text: str,
    contacts: Mapping[str, Contact],
    names: Mapping[str, str],
    facts: Mapping[tuple[str, str], str],
    where: str = "",
    problems: list[str] | None = None,
) -> str:
    """Fill the ``{{contact:…}}`` placeholders in English: confirmed values only, an English
    translation of hours or an address when faq_en.yaml has one, else "not yet confirmed"."""
    problems = problems if problems is not None else []

    def fact(c: Contact, key: str) -> str | None:
        f = c.fact(key)
        if f is None or not f.confirmed:
            return None
        return facts.get((c.id, key)) or f.value

    def fill(m: re.Match[str]) -> str:
        cid, key = m.group(1), m.group(2)
        c = contacts.get(cid)
        if c is None:
            problems.append(f"{where}: placeholder {m.group(0)} names no contact in contacts.yaml")
            return m.group(0)
        name = names.get(cid, c.name)
        if key is None:
            lines = [name] + [
                f"{label}: {v}"
                for k, label in (("phone", "Phone"), ("address", "Address"), ("hours", "Hours"), ("web", "Web"), ("email", "E-mail"))
                if (v := fact(c, k))
            ]
            return "\n".join(lines)
        if key == "name":
            return name
        if key not in FACT_LABELS:
            problems.append(f"{where}: placeholder {m.group(0)}: '{key}' is not one of name, {', '.join(FACT_LABELS)}")
            return m.group(0)
        return fact(c, key) or msg.PENDING

    return PLACEHOLDER_RE.sub(fill, text)


# -- text processing -----------------------------------------------------------------------------------

def _words(text: str) -> list[str]:
    return text.split()


STOP_WORDS = frozenset(
    _words(
        "a an the is are am be been being was were do does did done doing of to in on at for with and or but "
        "it its it's this that these those i me my mine we us our ours you your yours he she they them their "
        "there here what which whom whose can could would should will shall may might must please hi hello "
        "dear thanks thank just so some any also about into from by as if then than too very really much "
        "tell know want wanted like let get got have has had kindly sir madam im i'm "
        "s t d ll re ve m one anything something someone thing things yes ok okay hey wa ga wo no ni de mo ka ne "
        "yo desu desuka masu masuka tte nan nani onegai onegaishimasu shimasu itsu still "
        "we'd i'd you'd we're you're they're we've i've we'll i'll don't doesn't can't isn't aren't won't "
        "wouldn't couldn't shouldn't didn't that's what's there's let's english japanese eigo nihongo "
        # romaji grammar: verbs and endings every question has (dekiru = can, moraeru = can get)
        "dekiru dekimasu dekimasuka dekimasen dekinai moraeru moraemasu moraemasuka shitai shiritai oshiete "
        "kudasai aru arimasu arimasuka iru imasu ii iidesu naru narimasu suru shite dake kara made demo "
        "tsukutta tsukurareta dekita hajimatta wakaranai wakarimasen sumimasen yoroshiku kore sore kono sono "
        "dono nado toka pls plz wat wht shiyou shiyoo sanka hansuru ha kankei "
        "dekimashita deshita deshou shimashita arimashita narimashita sei tou nano nareru naremasu naremasuka "
        "koto dame suru shinai karitai kariru kimeru kimenai etc tsukaitai tsukau tsukaeru tsukaemasu tsukaemasuka "
        "tsuite ikeba iku ikimasu ikimasuka ikitai ikeru yoi kantan kantanni kuwashiku yasashiku "
        "naritai dou sureba shitara doushitara dousureba yoroshii "
        # the wrapping of a polite letter: says nothing about the topic
        "grateful appreciate appreciated apologise apologize apologies greetings regards sincerely "
        "wondering humbly excuse sorry afternoon bother regarding concerning "
        # "What kinds of collaboration exist?": there are, not an existing project
        "exist exists existed"
    )
)
# Everyday English words that say nothing about a topic: when the data does not use one, it
# counts as weak evidence against the question being ours (0.3), like a short word. Verbs,
# adverbs and a few general nouns only: never the nouns of a city service (visa, tax, garbage).
GENERAL_WORDS = frozenset(
    _words(
        "happen happened happens wrote write written read reading say said says tell told ask asked "
        "answer answered reply replied respond responded mind explain explaining understand grateful "
        "appreciate appreciated kind kindly wonder wondering curious sure maybe perhaps possibly still "
        "already yet ever never always often sometimes usually again ago before after later soon now "
        "forgot forget forgets forgotten remember remembered remind proceed proceeding "
        "today yesterday tomorrow week weeks month months year years day days time times nobody "
        "everybody everyone anyone somebody people person persons thing stuff way ways part parts half "
        "lot lots bit little big small large new old good bad great nice best better right wrong true "
        "real really actually exactly simply only even also just stay stayed keep kept lose lost seem "
        "seems mean meant try tried trying hope hoped hoping feel felt think thought believe guess "
        "chance possible impossible able unable allowed allowd okay fine problem problems issue matter "
        "matters exist exists existing since until during while whether either neither both "
        "each every many much more most less few several other others another same different such "
        "very quite rather pretty enough too next last first second third speak spoke "
        "english japanese language foreign foreigner foreigners international come came go went "
        "move moved moving live lived living find found look looking see seen saw hear heard "
        "give gave given take took taken use used using need needs needed want wants "
        "nothing everything sorry excuse doko dare naze dou free context meaning case situation detail "
        "details information info idea ideas finish finished end ended result results "
        "connection connected relation related relationship simple simply plain style cheap cheaper "
        "expensive topic topics grateful thankful summer winter spring autumn season teach teaching "
        "learn learning exact exactly update updates permitted permit permission inform informed "
        "show term terms available morning worry worried afraid concern concerned fear interested interest interesting "
        # family words are not typos of a word of ours (mothers is not others)
        "mother mothers father fathers mom moms mum mums dad dads husband wife family families kid kids "
        "parent parents son daughter love child children during acceptable onaji afterwards question questions "
        # what an activity is called (a cooking class, a summer course): no topic of ours or of another office
        "class classes lesson lessons course courses closely recent recently nowadays practice practical "
        # sitting (on a council), because, a mistake; excluded and refused say "allowed" the other way round
        "sit sitting because mistake mistakes error errors exclude excluded excludes refused rejected instead risk risks "
        # days of the week: when someone is free, not a topic ("volunteering on weekends")
        "weekend weekends weekday weekdays saturday saturdays sunday sundays evening evenings"
    )
)
# numbers written as words the data does not know are weak evidence, like digits ("only those five forms")
_NUMBER_WORDS = frozenset(_words("two three four five six seven eight nine ten eleven twelve twenty thirty fifty hundred"))
_ROMAJI_ACCENTS = str.maketrans("āīūēōâîûêôàáèéìíòóùú’‘`", "aiueoaiueoaaeeiioouu'''")
_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_CJK_RE = re.compile("[\u3040-\u30ff\u3400-\u9fff]")
_CJK_RUN_RE = re.compile("[\u3040-\u30ff\u3400-\u9fff]+")
_HIRAGANA_RE = re.compile("[\u3040-\u309f\u30fc]+")
_PARTICLES_RE = re.compile("[\u3040-\u309f]{1,3}|[ーの・]+")  # の, とは, って: grammar, not a topic
# a bare list of examples: words separated by commas or "…", ending with etc. / … / a question mark
_EXAMPLES_RE = re.compile(r"[\w' -]+(?:\s*(?:,|、|/)\s*[\w' -]+)+\s*(?:,?\s*(?:\.{2,}|…|etc\.?))?\s*[?？]?|[\w' -]+\s*(?:,?\s*(?:\.{2,}|…|etc\.?))\s*[?？]?")


def _is_examples(asks: str) -> bool:
    """Whether an asking sentence is a bare list of examples ("kouen, kyosai, …?"), not a question."""
    return bool(
        _EXAMPLES_RE.fullmatch(asks)
        and not _YES_NO_RE.match(asks)
        and not re.search(r"\b(?:what|which|who|how|where|when|why|or|not)\b", asks)
    )


_WHOM_REQUEST_RE = re.compile(r".*\b(?:whom|who|which (?:division|section|department|office))\b")


def _asking_index(sentences: list[str]) -> int:
    """Which sentence asks: the last one ending with a question mark, else the last polite request
    ("I would be grateful if you could explain why…. I am preparing a talk." asks in the first),
    else the last sentence."""
    asking = [i for i, s in enumerate(sentences) if s.endswith(("?", "？"))]
    requests = [i for i, s in enumerate(sentences) if _POLITE_ASK_RE.match(prepare(s))]
    if asking and requests and requests[-1] > asking[-1] and _WHOM_REQUEST_RE.match(prepare(sentences[requests[-1]])):
        # "Would it be possible to arrange a consultation? Kindly let me know whom I should contact.":
        # a request for whom to contact after the question is what is asked
        return requests[-1]
    if asking:
        return asking[-1]
    return requests[-1] if requests else len(sentences) - 1


def _asking_sentence(text: str) -> str:
    """The asking sentence of a message (``_asking_index``)."""
    sentences = [s.strip() for s in _SENTENCE_RE.split(text) if s.strip()]
    return sentences[_asking_index(sentences)] if sentences else ""


# a question asking when (not "…mean when the city…") and what an entry that can answer it speaks of
_WHEN_ASKS_RE = re.compile(
    r"^(?:so,?\s+|and\s+|but\s+)?when\b|\bwhen\s*\??$|\bwhen (?:is|was|are|were|did|does|do|will|can|should)\b"
)
_TIME_RE = re.compile(
    r"\b(?:1[89]\d\d|20\d\d)\b|平成|令和|\b(?:when|deadlines?|hours|dates?|period|a\.m\.|p\.m\.|itsu)\b", re.IGNORECASE
)
# terms that say nothing of what is asked when they are all a question names
_NO_TOPIC_TERMS = frozenset({"city", "event", "definition", "when", "where", "information", "plan", "why", "who", "how"})
_PARK_RE = re.compile(r"\bkoganei[\s-]+k(?:ou|o|ō)en\b(?![\s-]+(?:no[\s-]+)?meigi)", re.I)
_WHAT_LAST_RE = re.compile(r"(^|[.!?。]\s+)([^.!?。,]{1,60}?)\s+(?:is|are|means?)\s+what(?=\s*[?？]|\s*$)", re.IGNORECASE)
# where an accident happens ("injured during an event we co-host"): the setting, not the question
_MISHAP_SETTING_RE = re.compile(
    r"\b(?:during|while|at the time of|in the middle of)\b((?:(?!\b(?:who|whom|what|how|where|when|which|is|are)\b)[^.,;?!])*)"
)
# "Has the city done this kind of project before?", "Did Koganei ever work with a company?": asks what
# the city has done (its examples), not whether a kind of group may collaborate
_PAST_DONE_RE = re.compile(
    r"^(?:so,?\s+|and\s+|but\s+)?(?:has|have|did)\s+(?:the\s+city|koganei(?:\s+city)?|you|your\s+city|the\s+municipality|city(?:\s+hall)?)\s+"
    r"(?:ever\s+|already\s+|actually\s+)?(?:do|done|did|work|worked|ha[ds]|made|run|held|tried|collaborat\w*|partner\w*|co-?host\w*)\b"
)
_EXISTS_RE = re.compile(r"(?:so,?\s+|and\s+|but\s+)?(?:is|are) there\b")
# the office's own entries, and asking in which language it serves (the data does not say)
_CONTACT_IDS = frozenset({"contact", "contact-phone", "contact-hours", "contact-place", "howto-which-division"})
_SERVICE_LANGUAGE_RE = re.compile(
    r"\b(?:in|speaks?|speaking|speaker|speakers)\s+(?:english|chinese|korean|vietnamese|nepali|spanish|portuguese|"
    r"tagalog|my language|my own language|other languages?|foreign languages?)\b|\benglish[- ]speaking\b|"
    r"\binterpret(?:er|ers|ing|ation)\b|\btranslat(?:or|ors|ion)\b"
)
# whether someone at the office speaks a language ("Is there English-speaking staff at the desk?",
# "Does anyone there speak Chinese?"): whatever entry shares its other words, the data does not say
_LANGUAGES = r"(?:english|chinese|korean|vietnamese|nepali|spanish|portuguese|tagalog|thai|indonesian|my language|foreign languages?)"
_SPEAKER_RE = re.compile(
    rf"\b(?:speaks?|speaking)\s+{_LANGUAGES}\b|\b{_LANGUAGES}[- ]speak(?:ing|ers?)\s+"
    r"(?:staff|person|people|someone|officers?|workers?|employees?|clerks?)\b"
)
# a question mark typed after a space ("kouen, kyosai ... ?") ends the sentence before it: it is no sentence of its own
# "(chapter 3?)": the question mark inside a closing bracket ends the sentence: "(chapter 3)?"
_BRACKETED_MARK_RE = re.compile(r"([?？]+)\s*([)\]）」』]+)")
_LOOSE_MARK_RE = re.compile(r"(?<=\S)[ \t]+([?？!！]+)(?=\s|$)")
_SENTENCE_RE = re.compile(r"(?<=[.!?。？！])\s+|\n+")
# the verifier's kind of question (knowledge/verifier.py EN_KINDS): the question word it opens with
_KIND_RE = re.compile(r"(?:(?:so|and|but|then|also),?\s+)?\b(what|how|where|whom|who|why|when|which)\b")
_WORD_SPLIT_RE = re.compile(r"[a-z]+")
_YES_NO_RE = re.compile(
    r"^(?:so,?\s+|and\s+|but\s+|then\s+|also,?\s+)?(?:can|could|is|are|do|does|did|may|should|will|would|am|has|have|"
    r"must|shall|need|isn't|aren't|don't|doesn't|can't)\b|\b(?:ok|okay|allowed|possible|right)\s*\??$",
)
_SMALL_TALK_RE = re.compile(r"[^a-z ]+")
_REFERS_RE = re.compile(r"\b(?:that|this|it|these|those|such|so)\b")
# "a group that is not registered", "people that live here": a relative "that" after a noun points
# at nothing told before
_RELATIVE_THAT_RE = re.compile(
    r"\b(?:groups?|organi[sz]ations?|clubs?|associations?|circles?|teams?|people|persons?|compan(?:y|ies)|"
    r"business(?:es)?|projects?|activit(?:y|ies)|events?|npos?|ngos?|anyone|someone|everyone|ones?|members?|"
    r"citizens?|residents?|things?|something|anything|cases?|forms?|ways?|schools?|universit(?:y|ies)|students?|"
    r"church(?:es)?|foundations?|corporations?) that\b"
)


_CONDITION_WH_RE = re.compile(
    r"^(?:if|in case|when)\b.*\b(who|whom|where|how|why)\s+(?:is|are|was|should|do|does|can|will|would|must|pays?|takes?)\b"
)


def _wh_asks(asks: str) -> bool:
    """Whether an asking sentence asks how, where, why, when or who ("If a child gets hurt, who is
    responsible?" too: a condition before the question word)."""
    return bool(_WH_RE.match(asks) or _CONDITION_WH_RE.match(asks) or _CLAUSE_WH_RE.search(asks))


# "what does the city do to …?", "what will koganei do for …?": asks what is done (not why)
_WHAT_DONE_RE = re.compile(r"^what (?:does|do|did|will|would|can|should) (?:the |our |this )?[a-z]+(?: [a-z]+)? do\b")
# "Is this public benefit?", "Would that count as co-hosting?": whether what was told is something
_IS_THIS_RE = re.compile(
    r"^(?:so,?\s+|and\s+|then\s+)?(?:is|are|would|does|do|can|could|will) (?:this|that|it|these|those|ours|our activity)\b"
)
# the Japanese "not" after a noun (じゃない, ではない, でない) inside an English message
_JA_NOT_RE = re.compile(r"じゃない|じゃなくて|ではない|ではなくて|でない")
# "hojo = subsidy?": whether one word means another
_EQUALS_RE = re.compile(r"\w\s*=\s*\w")
# "local groups want student helpers, who should I talk to?": a statement, then the question in the
# last clause after a comma
_CLAUSE_WH_RE = re.compile(r",\s*(?:so\s+|and\s+|then\s+)?(?:how|where|who|whom)\b[^,]*$")


def _refers(text: str) -> bool:
    """Whether a sentence points back at something told before ("Is that possible?", "Can it be
    kyodo?"); a relative "that" ("a group that…") does not."""
    return bool(_REFERS_RE.search(_RELATIVE_THAT_RE.sub(" ", text)))


_WH_RE = re.compile(r"(?:so,?\s+|and\s+|but\s+|then\s+)?(?:how|where|why|when|who|whom)\b")
# "based in Tachikawa", "whose office is in Shinjuku": where a group is seated
_BASED_ELSEWHERE_RE = re.compile(
    r"\b(?:(?:based|located|registered|headquartered|seated)|(?:office|offices|headquarters) (?:is|are)) in "
    r"([A-Z][A-Za-z-]+)"
)
# Koganei itself, what holds it, its stations and its districts (Higashi-cho, Nukui-minamimachi …)
_HOME_PLACES = frozenset(
    {"koganei", "tokyo", "japan", "musashi", "higashi", "honcho", "hon", "kajino", "sekino", "midori", "naka",
     "maehara", "nukui", "sakura", "sakuracho", "the"}
)


def _home_place(name: str) -> bool:
    """Whether a place name written after "based in" is Koganei, what holds it, or a part of it."""
    low = name.lower()
    return low.split("-")[0] in _HOME_PLACES or "koganei" in low or bool(re.search(r"(?:cho|chou|machi)$", low))


# "Is there a system for that?": a question pointing back at the sentence before it
_POINTS_BACK_RE = re.compile(r"\b(?:for|about|of|to|with|in) (?:that|this|it|these|those)\b")
# a question that opens with "or" / "and" goes on with the question before it ("Is our group a civic
# group? Or just friends?", "Do I apply to the city or to Tokyo? And how long does it take?")
_FOLLOW_UP_RE = re.compile(r"^(?:or|and|also|plus)\b")


def prepare(text: str) -> str:
    """Lower case, macrons and accents dropped, curly quotes straightened."""
    return text.lower().translate(_ROMAJI_ACCENTS)


# A word that can be romaji (Hepburn or kunrei-shiki): syllables of an optional consonant (or ky,
# sh, ch, ts …) and a vowel, the syllabic n, and a doubled consonant (kk, tch, mb). English words
# mostly fail it (about, group, council, labour: a final consonant, c, l, v, x, q).
_ROMAJI_SHAPE_RE = re.compile(
    r"(?:(?:sh|ch|ts|[kgszjtdnhfbpmrwy]y?)?[aiueo]|n|[kgsztdcbpmhfj](?=[kgsztdcbpmhfj]))+"
)
# English words of that shape with ou / oo / uu, kept as they are (house is not hose, soon is not son).
_ENGLISH_LOOKALIKES = frozenset(
    _words(
        "house houses mouse moon noon soon choose chooses route routes spouse spouses rouse douse "
        "outside foundation foundations mountain mountains fountain outage outages moose goose "
        "bamboo shampoo taboo tattoo kangaroo"
    )
)
# British -our spellings meet their American twins (labour / labor, neighbourhood / neighborhood).
_BRITISH_OUR_RE = re.compile(r"(?<=[a-z]{3})our(?=$|s$|hood|ing$|ed$|ite|able|er$|ers$)")


def is_romaji(word: str) -> bool:
    """Whether a (lower-case, unaccented) word can be romaji and is not a common English word."""
    return bool(_ROMAJI_SHAPE_RE.fullmatch(word)) and word not in _ENGLISH_LOOKALIKES and word not in GENERAL_WORDS


def fold_romaji(word: str) -> str:
    """kyoudou -> kyodo, kouen -> koen, jigyou -> jigyo, chuuou -> chuo (both sides alike). Only
    words that can be romaji: English words keep their letters (about, group, council, four, found
    are not folded into abot, grop, concil, for, fond), except that British -our becomes -or."""
    if len(word) < 4 or not any(p in word for p in ("ou", "uu", "oo")):
        return word
    if not is_romaji(word):
        return _BRITISH_OUR_RE.sub("or", word) if len(word) >= 6 else word
    while True:  # to a fixed point: "aaouu" -> "aaou" -> "aao"
        folded = word.replace("ou", "o").replace("uu", "u").replace("oo", "o")
        if folded == word:
            return word
        word = folded


def stem(word: str) -> str:
    """A light English stemmer: plurals, -ing, -ed, -ly (both sides alike)."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("'s"):
        word = word[:-2]
    for suffix, repl, min_len in (
        ("ies", "y", 5),
        ("sses", "ss", 5),
        ("ing", "", 6),
        ("ed", "", 5),
        ("ly", "", 6),
        ("es", "", 5),
        ("s", "", 4),
    ):
        if word.endswith(suffix) and len(word) >= min_len:
            if suffix == "es" and not word.endswith(("ches", "shes", "sses", "xes", "zes")):
                continue
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            word = word[: len(word) - len(suffix)] + repl
            break
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "lsz":  # running -> runn -> run
        word = word[:-1]
    return word


# American -ize meets the British -ise (organize / organise, organization / organisation)
_AMERICAN_IZE_RE = re.compile(r"(?<=[a-z]{3})iz(?=e$|es$|ed$|ing$|ation|ations$|er$|ers$)")


def _key(word: str) -> str:
    if "iz" in word:
        word = _AMERICAN_IZE_RE.sub("is", word)
    return fold_romaji(stem(word))


GENERAL_KEYS = frozenset(_key(w) for w in GENERAL_WORDS)


_NAME_RE = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+|[A-Z]{2,5})\b")
# words written with a capital that are not names (a capital for emphasis or a title)
_NOT_NAMES = frozenset({"i", "i'm", "npo", "ngo", "line", "city", "hi", "hello", "please"})


# words for the asker in "Can our NGO still work with the city?": not a topic of their own
_WHO_TERMS = frozenset({"group", "npo", "ngo", "civic-group", "partner", "join", "allow"})
# the asking part of a question about who may collaborate names collaborating (or the city) in one of these
_COLLABORATING = frozenset({"kyodo", "join", "partner", "allow", "participation", "city"})
# a message that opens with the writer introducing themselves or their group ("We are…", "I run…",
# "Our club…", "My name is…"), after an optional greeting
_INTRO_RE = re.compile(
    r"^(?:(?:hi|hello|hey|dear [a-z]+|good (?:morning|afternoon|evening)|namaste|greetings)\b[!,.]*\s*)?"
    # "Hello from the student team at …", "Hi, Brazilian resident here, I run …": the writer says who
    # they are in the greeting itself
    r"(?:(?:(?<=hi )|(?<=hello )|(?<=greetings ))from\b|(?:[a-z'-]+ ){1,3}here\b[!,.]*\s*(?=[a-z])|)"
    r"(?:we|we're|i|i'm|im|our|my|us|(?<=from))\b"
)
# a sentence that says who the writer is ("We are a choir.", "I run a club.", "My name is Ana.")
_SELF_INTRO_RE = re.compile(
    r"^(?:(?:hi|hello|hey|good (?:morning|afternoon|evening)|namaste)\b[!,.]*\s*)?"
    r"(?:we are|we're|we r|i am|i'm|im|my name|(?:i|we) (?:represent|run|lead|organi[sz]e|manage|belong)"
    r"|our (?:group|team|club|circle|association|organi[sz]ation|lab|npo|ngo|church|choir|community) (?:is|are))\b"
)
_GREETING_ONLY_RE = re.compile(
    r"^(?:hi|hello|hey|good (?:morning|afternoon|evening)|namaste|greetings)\b(?:,?\s*(?:there|all|everyone|team))?[^a-z]*$"
)
# after an introduction, an asking part made only of these (and everyday words) names no topic of its
# own: "Can we work with the city?", "Is it possible to do something together with Koganei?"
_INTRO_GENERIC = frozenset(
    {"kyodo", "city", "partner", "join", "together", "work", "support", "become", "activity", "allow",
     "participation", "involv", "group", "city-hall", "npo", "ngo", "civic-group", "how", "where", "start", "hand", "help",
     "possible", "something", "count"}
)
# ... and, for how to begin, a project or a proposal with the city
_INTRO_HOW_PLANS = frozenset({"project", "proposal"})
# ... and it must name collaborating
_INTRO_COLLABORATING = frozenset({"kyodo", "partner", "join", "together", "work", "participation", "involv", "help", "support"})
# what a group plans with the city besides collaborating itself: an event, a project, a form of
# collaboration ("We would love to perform at a city festival. Who should we contact?")
_CIVIC_PLANS = frozenset({"event", "project", "volunteer", "kyosai", "koen", "hojo", "jikko-iinkai", "proposal"})
# terms of the synonyms that every plan or request has (an event, information, starting, a plan): not a
# topic of their own at the lower rarity of _has_topic
# terms that name collaboration or civic groups: a question naming one is ours even when the
# message also names another office's matter ("Can our NGO help at evacuation shelters with the city?")
_CIVIC_TERMS = frozenset(
    {
        "kyodo", "koen", "kyosai", "itaku", "hojo", "other-funding", "jikko-iinkai", "agreement", "npo",
        "npo-corporation", "informal", "nonprofit", "ngo", "jichikai", "volunteer", "partner", "shakyo",
        "guideline", "principle", "proposal", "proposal-system", "civic-group", "public-benefit", "group",
        "project", "event", "participation", "info-exchange", "machizukuri", "hojin",
    }
)
_PLAIN_TERMS = frozenset({"event", "information", "start", "plan"})
# "Who should we contact?", "Which section should we talk to?", "Where should we ask?"
_INTRO_WHOM = frozenset({"contact", "ask", "division", "charge"})
_WE_RE = re.compile(r"\b(?:we|us|our|ours)\b")
_I_RE = re.compile(r"\b(?:i|i'm|im|me|my)\b")
_WE_INTRO_RE = re.compile(r"^(?:(?:hi|hello|hey|good (?:morning|afternoon|evening)|namaste)\b[!,.]*\s*)?(?:we|we're|our)\b")
# money in an activity ("every member pays 500 yen", "we sell cookies") asks about "not for profit"
_MONEY_RE = re.compile(r"\b(?:pays?|paid|yen|fees?|sells?|selling|sold|money|charges?|profits?|earn|earns|price)\b|円")
# money taken in an activity (a fee, selling, a ticket price): the question of not for profit
_ACTIVITY_MONEY_RE = re.compile(
    r"\b(?:fees?|charges?|charged|charging|sells?|selling|sold|yen|prices?|tickets?|entrance|profits?)\b|円"
)
# "is it necessary / possible to…": "it" points forward, not back at what was told
_DUMMY_IT_RE = re.compile(r"\b(?:is|was|would|will) it (?:be )?(?:possible|necessary|ok|okay|allowed|required|needed|true)\b")
_OTHER_WH_RE = re.compile(r"\b(?:what|which|who|whom|when|why)\b")
_HOW_ASKS_RE = re.compile(r"\b(?:how|where|what (?:should|can|do|must) (?:we|i)|what to do|steps?)\b")
_ASKING_WORD_RE = re.compile(
    r"\b(who|whom|where|when|why|how many|how much|(?:which|what|dono) (?:ka|division|section|department|office|desk|window|counter))\b"
)
# the polite wrapping of a question ("May I ask whether…", "Could you please tell me…", "I would like
# to know if…"): what follows is the question; "whether / if" makes it a yes/no one
_POLITE_ASK_RE = re.compile(
    r"^(?:(?:dear [a-z ]{1,20}?|hello|hi|good (?:morning|afternoon|evening))[,!.]*\s+)?"
    r"(?:(?:excuse me|(?:(?:i am|i'm|we are|we're) )?(?:so |very )?sorry|pardon|(?:i|we) apologi[sz]e)\b[^,]{0,40},\s*(?:but\s+)?)?"
    r"(?:(?:may|could|can|might) (?:i|we) (?:please |kindly )?(?:ask|know|learn|inquire|enquire)(?: you)?"
    r"|(?:could|can|would|will) you (?:please |kindly )?(?:tell|let|inform|show) (?:me|us)(?: know)?"
    # "Could you please advise how we should proceed?", "Might you advise whom…", "Kindly let me know whom…"
    r"|(?:(?:could|can|would|will|might) you (?:please |kindly )?|(?:please|kindly) )(?:advise|let (?:me|us) know)(?: (?:me|us))?(?: (?:on|about))?"
    r"|(?:i|we)(?: would|'d) (?:like|love) to (?:kindly )?(?:ask|know|learn|inquire|enquire|check|confirm)"
    r"|(?:i am|i'm|we are|we're) (?:wondering|writing to ask|writing to inquire|writing to enquire)"
    r"|(?:i|we) (?:wonder(?:ed)?|want to (?:ask|know)|wanted to (?:ask|know))"
    r"|would it be possible (?:for (?:you|me|us) )?to (?:learn|know|ask|find out|tell (?:me|us))"
    r"|(?:(?:i|we)(?: would|'d) be (?:very |most )?grateful|(?:i|we)(?: would|'d) (?:really |greatly )?appreciate(?: it)?)"
    r" if you could (?:please |kindly )?"
    r"(?:tell (?:me|us)|let (?:me|us) know|explain(?: to (?:me|us))?|describe|inform (?:me|us)|advise (?:me|us))"
    r"|(?:could|can|would) you (?:please |kindly )?explain(?: to (?:me|us))?"
    r"|(?:i|we)(?: would|'d) like to (?:understand|hear))"
    r"(?: (?:about|please))?[,:]?\s+"
)
# a sentence of courtesy only ("Thank you for your help.", "Sorry to bother you.", "Best regards."):
# neither the question nor its context
_COURTESY_WORDS = frozenset(
    _words(
        "thank thanks you your for the help in advance very much so kind kindly best regards sincerely "
        "hope are is well doing sorry to bother trouble dear sir madam hello hi good morning afternoon "
        "evening time attention consideration support assistance reading this message i am we all "
        "greetings everyone and a lot many in advance staff team city koganei office of officer finds find"
    )
)


# "when" inside a sentence before a subject or an -ing verb joins two clauses ("what must we follow
# when working with the city", "who pays when we get hurt"): it does not ask when
_CONJUNCTION_WHEN_RE = re.compile(
    r"(?<=[a-z,] )when (?=(?:we|i|you|they|it|he|she|our|people|someone|[a-z]+ing)\b)"
    # ... and so does a clause opening the question ("When we do kyodo, is the city our boss?")
    r"|(?:^|(?<=[.!?] ))when (?=(?:we|i|you|they|our|people|someone|[a-z]+ing)\b[^,?.]{1,80},\s*"
    r"(?:is|are|am|do|does|did|can|could|should|will|would|must|may|who|whom|what|how|where|which|why)\b)"
)


def plain_asks(asks: str) -> str:
    """An asking sentence (lower case) without its polite wrapping: "may i ask whether a group
    may…" -> "is a group may…" (a yes/no question), "could you tell me the phone number" -> "the
    phone number"."""
    asks = _CONJUNCTION_WHEN_RE.sub("", asks)
    m = _POLITE_ASK_RE.match(asks)
    if not m or m.end() >= len(asks):
        return asks
    rest = asks[m.end() :]
    rest = re.sub(r"^(?:whether|if) there (is|are)\b", r"\1 there", rest)  # "whether there is a desk": "is there a desk"
    return re.sub(r"^(?:whether|if)\b", "is", rest)


def _unwrap(sentence: str) -> str:
    """A sentence without the polite wrapping of its question (original case kept): "I apologise
    for the trouble, but may I ask whom…" -> "whom…"."""
    m = _POLITE_ASK_RE.match(prepare(sentence))  # prepare keeps the length: the offsets agree
    if not m or m.end() >= len(sentence):
        return sentence
    # "Could you explain what a commissioned project is?": explaining what asks for a meaning; the verb stays
    rest = sentence[m.end() :]
    what_is = re.fullmatch(r"what\b.*\b(?:is|are|means?)\W*", prepare(rest))
    if what_is and _WHAT_KINDS_RE.match(prepare(rest)):
        # "Could you explain what types of collaboration there are?" asks for the kinds, not a meaning
        what_is = None
    verb = re.search(r"\b(explain|describe)\b", m.group(0)) if what_is else None
    return (verb.group(1) + " " if verb else "") + rest


def drop_courtesy(text: str) -> str:
    """``text`` without sentences of courtesy only (see ``_COURTESY_WORDS``), when something else
    is left: "Thank you for your help. May I ask…?" is the question alone."""
    sentences = [s for s in _SENTENCE_RE.split(text) if s.strip()]
    if len(sentences) < 2:
        return text
    kept = [
        s for s in sentences
        if s.rstrip().endswith(("?", "\uff1f")) or not set(_WORD_RE.findall(prepare(s))) <= _COURTESY_WORDS
    ]
    return " ".join(kept) if kept and len(kept) < len(sentences) else text


def _first_told(text: str) -> str:
    """The first sentence of a message that is not only a greeting ("Hello!")."""
    for s in _SENTENCE_RE.split(text):
        if s.strip() and not _GREETING_ONLY_RE.match(prepare(s.strip())):
            return s.strip()
    return ""


def _names_subject(subject: frozenset[str], asked: set[str]) -> bool:
    """Whether the question names the entry's subject: one of its words, or a word of 6+ letters
    inside one of them ("for profit" names the subject of "not for profit": profit, nonprofit)."""
    return bool(subject & asked) or any(len(a) >= 6 and a in t for a in asked for t in subject)


def _asking_word(text: str) -> str:
    """The question word that says what kind of answer is wanted (who, where, when, why, how
    many), "" when there is none or only what/how (every kind of question uses those)."""
    m = _ASKING_WORD_RE.search(text)
    if not m:
        return ""
    word = m.group(1)
    return "who" if word == "whom" else ("which division" if " " in word and word.split()[0] in ("which", "what", "dono") else word)


def _names(text: str) -> frozenset[str]:
    """The words a message writes as names, inside a sentence (Musashi, Nukui, Taiwan, TUAT):
    places, people and schools the data cannot know. Unknown, they are weak evidence against the
    question being ours (like everyday words), not the strong evidence an unknown noun is."""
    out = set()
    for sentence in _SENTENCE_RE.split(text):
        for m in _NAME_RE.finditer(sentence.strip()):
            if m.start() > 0:
                w = m.group(1).lower()
                if w not in _NOT_NAMES:
                    out.add(w)
    return frozenset(out)


# "our international food festival", "a storytelling day", "my yoga class": the words before the
# name of what a group holds or is say what it is about, not what is asked
_DESCRIBED_RE = re.compile(
    r"\b(?:our|my|a|an|the)\s+((?:[a-z][a-z'-]*\s+){1,3})"
    r"(?:festival|event|concert|club|group|circle|class|classes|team|bazaar|party|day|workshop|lesson|lessons|"
    r"market|fair|show|session|sessions|salon|cafe|project)s?\b"
)


def _describing(text: str) -> frozenset[str]:
    """The words describing a group's event or group in a message ("our international food
    festival": international, food): weak evidence against the question being ours, like names."""
    out: set[str] = set()
    for m in _DESCRIBED_RE.finditer(prepare(text)):
        words = m.group(1).split()
        if not any(w in STOP_WORDS for w in words):  # "a group that matches volunteers with groups": no
            out.update(words)
    return frozenset(out)


def _swaps(word: str) -> list[str]:
    """``word`` typed with two neighbouring letters after the first swapped (strat for start, wiht
    for with)."""
    return [
        word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        for i in range(1, len(word) - 1)
        if word[i] != word[i + 1]
    ]
# a statement that says what the writer is not ("We are not a company, just friends.", "never
# registered as a corporation", "not religious and not political"): the words after the negation,
# up to the next comma or contrast word, name no subject of the question
_STATEMENT_RE = re.compile(r"[^.!?\u3002\uff1f\uff01]+[.!?\u3002\uff1f\uff01]*")
_NEGATION_WORDS = frozenset({"not", "no", "never", "neither", "nor"})
_NEGATION_ENDS = frozenset({"but", "just", "only", "we", "i", "we're", "i'm", "our", "so", "because", "yet", "and"})
_NEGATION_SPAN = 5
# "what kinds / types / forms of … there are": asks which kinds exist, not what a word means
_WHAT_KINDS_RE = re.compile(r"what (?:kinds?|types?|sorts?|forms?) of\b.*\bthere (?:is|are)\W*$")
_WHAT_IS_RE = re.compile(r"\bwhat(?:'s| is| are)\b")
_WHAT_IS_OF_RE = re.compile(r"\bwhat(?:'s| is| are)(?: the| a| an)? [a-z]+ of\b")
_DEFINITION_WORD_RE = re.compile(r"\b(?:mean|means|meaning|definition|define|explain|stand for|stands for)\b|意味|とは")
_TAKE_PART_RE = re.compile(r"\b(?:take|taking|took) part\b|\bparticipat")
_POLICY_RE = re.compile(r"\b(?:polic(?:y|ies)|council|councils|shingikai|committee|ordinance|public comment|plan|plans|planning|seisaku|sankaku)\b|参画|政策|審議会")
# a sentence about the writers, and "like …" introducing an example (not "we would like", "I'd like")
_WRITERS_RE = re.compile(r"\b(?:we|we're|us|our|ours|i|i'm|im|me|my|members?)\b")
_LIKE_RE = re.compile(r"(?<!would )(?<!'d )(?<!\bi )(?<!\bwe )\blike\b")
# money and help from someone: the giver named after "from" is not the writer
_FUNDS_RE = re.compile(r"grants?|money|funds?|funding|subsid(?:y|ies)|donations?|support|sponsorship|help|hojokin|josei")
_SOURCE_SPAN = 3
# the kinds of group a resident can join as a member (not the individual, the outside, the case of an existing project)
_MEMBERSHIP_RE = re.compile(
    r"\b(?:mandatory|compulsory|obligatory|obliged|membership|dues|quit|withdraw|resign)\b"
    # "Is the chonaikai open to foreigners?": whether a person may become a member
    r"|\bopen to (?:foreign\w*|newcomers?|new residents?|non-japanese|anyone|everyone|people|all)\b"
)
_PERSON_RE = re.compile(r"\b(?:i|i'm|im|me|my|we|us|our|you|your|he|she|they|someone|anyone)\b")
_MEMBER_SUBJECTS = frozenset({"jichikai", "university", "company", "religion", "politics"})
# the kinds of partner the guideline welcomes ("Yes, a company can…"): being one says nothing about another
# question (money, a room, kōen); where the writers are, a faith, a party or being one person may
_PARTNER_KINDS = frozenset({"university", "company", "jichikai", "foundation"})
# money the writers already get: the question is whether other funding rules the city's out
_FUNDS_WORDS = r"(?:grants?|money|funds?|funding|funded|subsid\w*|hojo\w*|josei\w*|donations?)"
_ALREADY_FUNDED_RE = re.compile(
    rf"\balready\b(?:\s+\S+){{0,6}}?\s+{_FUNDS_WORDS}\b|\b{_FUNDS_WORDS}\b(?:\s+\S+){{0,6}}?\s+already\b"
)
# "we get money from a foundation", "our club received a grant": the writers receive it (not "Chiba has a grant")
_RECEIVED_RE = re.compile(
    rf"\b(?:we|i|our)\b(?:\s+\S+){{0,2}}?\s+(?:get|gets|got|receive|receives|received|receiving|have|has)\b"
    rf"(?:\s+(?!(?:no|not|little|enough|any|zero|without)\b)\S+){{0,4}}?\s+{_FUNDS_WORDS}\b"  # not "we have no money"
)
# someone giving the writers money or things: the giver ("a company is giving us robots", "funded by a temple")
_GIVE_VERBS = (
    r"(?:giv(?:e|es|ing)|gave|given|donat(?:e|es|ed|ing)|sponsor(?:s|ed|ing)?|fund(?:s|ed|ing)?|pa(?:y|ys|ying|id)|"
    r"lend(?:s|ing)?|lent|provid(?:e|es|ed|ing)|offer(?:s|ed|ing)?|support(?:s|ed|ing)?|back(?:s|ed|ing)?|lets?|letting)"
)
_GIVES_RE = re.compile(
    r"(?P<giver>\b(?:a|an|the|one|some|two|local|nearby|big|small|private|[a-z]+'s)\s+(?:[a-z'-]+\s+){0,2}?)"
    rf"(?:(?:is|are|was|were|has|have|will|also|already|kindly|now)\s+)*(?:been\s+)?{_GIVE_VERBS}\s+(?:us|our|me|my)\b"
)
_CITY_GIVER_RE = re.compile(r"\b(?:city|koganei|shi|municipality|government|tokyo|metropolitan)\b|市")
_GIVEN_BY_RE = re.compile(
    r"\b(?:sponsored|funded|supported|paid|backed|financed|donated|given|provided)\s+by\s+(?P<giver>(?:[a-z'-]+\s+){0,3}[a-z'-]+)"
)


def _given_money(text: str, any_gift: bool = False) -> bool:
    """"A company is giving us some money", "we are funded by a temple": someone other than the city
    gives the writers money (``any_gift``: or anything, "a company gives us free space", when the
    question is about the city's money)."""
    m = _GIVES_RE.search(text) or _GIVEN_BY_RE.search(text)
    if m is None or _CITY_GIVER_RE.search(m.group("giver")):
        return False
    return any_gift or bool(re.search(rf"\b{_FUNDS_WORDS}\b|\b(?:money|cash|yen|sponsor\w*|financ\w*)\b", text))


# a group telling what it is not (legally) or whom it is for: the case a can-we question hangs on
_NO_STATUS_RE = re.compile(
    r"\b(?:not|no|without|never|aren't|isn't|neither|nor)\b(?:\s+(?:a|an|the|any|yet|officially|really|formally|as an?))*"
    r"\s+(?:npo|npos|ngo|houjin|hojin|registered|registration|incorporated|corporation|legal|official|formal)\b"
    r"|\b(?:informal|unregistered|unincorporated|nin'?i dantai|just friends|(?:circle|group|bunch) of friends)\b"
    r"|(?:npo|ngo) ?(?:houjin|hojin)? ?(?:じゃない|ではない)|任意団体"
)
_MEMBERS_ONLY_RE = re.compile(
    r"\b(?:only|just|solely)\s+(?:for|open to)\s+(?:our|its|the|their)?\s*(?:own\s+)?members\b"
    r"|\bmembers?[- ]only\b|\bfor members only\b|\bonly (?:our )?members (?:can|may) (?:join|take part|come|use|attend)\b"
    r"|\b(?:closed|private) (?:group|club|circle)\b"
)


def _status_case(text: str) -> str | None:
    """The entry a can-we question of a group hangs on when the group says what it is not or whom
    it is for: "we are not an NPO, just friends" -> target-npo-required; "our club is only for its
    members" -> target-public-benefit; None when neither or both are said."""
    status, members = bool(_NO_STATUS_RE.search(text)), bool(_MEMBERS_ONLY_RE.search(text))
    if status == members:
        return None
    return "target-npo-required" if status else "target-public-benefit"


# "Do we have to become an NPO first?", "Must we register as an NPO corporation?": whether a legal
# status is required
_MUST_BECOME_RE = re.compile(
    r"\b(?:have to|has to|need to|needs to|must|required to|necessary to|obliged to)\s+(?:first\s+)?"
    r"(?:become|be|register|incorporate|turn|make|set up|establish|create)\b[^?.]{0,30}?"
    r"\b(?:npo|npos|houjin|hojin|legal (?:status|entity|person)|incorporated)\b"
)
_EMAIL_RE = re.compile(r"\be-?\s?mail\b|\bmeeru\b")
_ADDRESS_RE = re.compile(r"\baddress(?:es)?\b")
_NEGATING_PREFIXES = frozenset({"un", "non", "in", "im", "dis", "ir", "il"})
_LONG_STOP_WORDS = sorted(w for w in STOP_WORDS if len(w) >= 4 and w.isalpha())


@dataclass(slots=True)
class Terms:
    """The terms of a text with weights; ``unknown`` are words the data never uses."""

    weights: dict[str, float] = field(default_factory=dict)
    unknown: dict[str, float] = field(default_factory=dict)
    asks: str = ""  # the asking sentence (for a message's asking part), lower case
    names: frozenset[str] = frozenset()  # words written as names (Musashi, Taiwan, ICU), lower case
    kanji: set[str] = field(default_factory=set)  # terms read from a Japanese word (後援, 自治会)
    text: str = ""  # the whole message, lower case (for a message's asking part)

    def add(self, term: str, w: float) -> None:
        if w > self.weights.get(term, 0.0):
            self.weights[term] = w


# -- the answerer ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnglishWeights:
    f1: float = 0.5
    coverage: float = 0.3
    fuzzy: float = 0.2
    answer_at: float = 0.4
    min_domain: float = 0.65
    min_coverage: float = 0.4
    margin: float = 0.08
    unsure_at: float = 0.3
    unsure_domain: float = 0.4
    correct_at: float = 88.0
    correct_long_at: float = 85.0  # for words of 7+ letters: one wrong letter (sponser, proposel)
    wh_bonus: float = 0.05  # an entry whose question asks with the same word (who, where, when, why)
    context: float = 0.25  # weight of known words outside the asking sentence
    answer_text: float = 0.6  # weight of an answer's words for coverage
    topic_share: float = 8.0
    term_topic_share: float = 12.0  # the same for a term of the synonyms (_has_topic)
    skip_unfit_leader: int = 2  # an entry that could not be the answer (its subject, or one of the two things it compares, is not named) does not lead
    demoted_unsure: bool = True
    skip_unfit_runner: float = 1.0  # an entry whose subject (or both things compared) is not named is no runner-up
    who_topic_share: float = 20.0  # _who_asks: a word of fewer entries than this is a topic of its own
    who_domain: float = 0.5  # domain a whether-question about who may collaborate needs (_who_asks)
    general: float = 0.5  # weight of a known everyday word (GENERAL_WORDS) in a question
    kanji: float = 3.0  # domain evidence of a term read from a Japanese word inside English
    kind_clash: float = 0.1  # a how-to entry for a whether-question loses this (as in Japanese)
    introduced: float = 0.1  # the same, when those sentences introduce the writer ("We are…", "I run…")
    described: float = 0.5  # weight of an unknown word in a sentence joined before the asking one  # a word used by fewer entries than this names a topic of its own


class EnglishAnswerer:
    """Built from faq_en.yaml and the Japanese data; answering is read-only and thread-safe."""

    def __init__(self, data: EnglishData, ja: KnowledgeData, weights: EnglishWeights | None = None):
        self.data = data
        self.weights = weights or EnglishWeights()
        self.entries = data.entries
        self._by_id = {e.id: e for e in data.entries}
        self._by_index = {e.id: i for i, e in enumerate(data.entries)}
        self.classifier = data.classifier
        self.verifier = data.verifier
        # an answer's verifier inputs are computed when there is a verifier or this is set
        # (scripts/train_verifier.py --lang en)
        self.record_features = False
        self._sections = {s.id: s for s in ja.sections}
        self.contacts = {c.id: c for c in ja.contacts}
        self._build_synonyms()
        self._build_index()

    _cache: dict[int, EnglishAnswerer] = {}
    _lock = threading.Lock()

    @classmethod
    def for_answerer(cls, answerer: Any) -> EnglishAnswerer:
        """The English answerer belonging to a (Japanese) ``knowledge.Answerer``, built once."""
        with cls._lock:
            got = cls._cache.get(id(answerer))
            if got is None or got._owner is not answerer:
                data_dir = getattr(answerer, "data_dir", None)
                data = load_english(data_dir, answerer.data, require_all=False)
                got = cls(data, answerer.data)
                got._owner = answerer
                cls._cache[id(answerer)] = got
            return got

    _owner: Any = None

    # -- building -----------------------------------------------------------------------------------------
    def _build_synonyms(self) -> None:
        """Latin variants as sequences of word keys (stemmed, romaji folded: "co-hosts" and
        "co-host" meet); Japanese variants as substrings."""
        self._cjk: list[tuple[str, str]] = []
        self._seq: dict[tuple[str, ...], set[str]] = {}
        for term, variants in self.data.synonyms:
            for v in variants:
                p = prepare(v).strip()
                if _CJK_RE.search(p):
                    self._cjk.append((p, term))
                    continue
                keys = tuple(_key(w) for w in _WORD_RE.findall(p))
                if keys:
                    self._seq.setdefault(keys, set()).add(term)
        self._single_variants = {prepare(v).strip() for _t, vs in self.data.synonyms for v in vs}
        # other offices' matters (faq_en.yaml elsewhere): key sequences (Latin) or substrings (Japanese)
        self._elsewhere_cjk = [p for p in (prepare(v).strip() for v in self.data.elsewhere) if _CJK_RE.search(p)]
        self._elsewhere_seq = {
            keys
            for v in self.data.elsewhere
            if not _CJK_RE.search(v) and (keys := tuple(_key(w) for w in _WORD_RE.findall(prepare(v))))
        }
        self._elsewhere_keys = {k for seq in self._elsewhere_seq if len(seq) == 1 for k in seq}
        # phrases of two or more words by their first key, longest first: read before the synonyms (_terms)
        self._elsewhere_multi: dict[str, list[tuple[str, ...]]] = {}
        for seq in sorted((seq for seq in self._elsewhere_seq if len(seq) > 1), key=len, reverse=True):
            self._elsewhere_multi.setdefault(seq[0], []).append(seq)
        self._elsewhere_words = {w for v in self.data.elsewhere for w in _WORD_RE.findall(prepare(v))}
        # a Japanese phrase of another office holding one of our words (後援会, a politician's supporters'
        # club, holds 後援): read before the synonyms, like the Latin phrases
        self._elsewhere_cjk_first = [p for p in self._elsewhere_cjk if any(v in p for v, _t in self._cjk)]
        self._cjk.sort(key=lambda x: -len(x[0]))
        self._max_seq = max((len(k) for k in self._seq), default=0)
        self._terms_of_synonyms = {t for t, _ in self.data.synonyms}
        # the head nouns of compound variants ("executive committee" -> committee) that are no term
        # or variant of their own: "our committee" after "an executive committee" points back at it
        # (a family of compounds: the head ends three or more variants of the term, and is no everyday word)
        heads: dict[str, dict[str, int]] = {}
        for term, variants in self.data.synonyms:
            for v in variants:
                words = _WORD_RE.findall(prepare(v))
                head = words[-1] if len(words) >= 2 else ""
                if head and head not in STOP_WORDS and _key(head) not in GENERAL_KEYS and (_key(head),) not in self._seq:
                    heads.setdefault(term, {}).setdefault(head, 0)
                    heads[term][head] += 1
        self._heads = {t: tuple(sorted(h for h, n in hs.items() if n >= 3)) for t, hs in heads.items()}
        self._heads = {t: hs for t, hs in self._heads.items() if hs}
        # the neighbouring cities among the variants of "outside" (Mitaka, Fuchu …; not "outside" or 市外 itself)
        self._other_cities = frozenset(
            p
            for term, variants in self.data.synonyms
            if term == "outside"
            for p in (prepare(v).strip() for v in variants)
            if p.isalpha() and p.isascii() and p not in ("outside", "shigai")
        )

    def names_elsewhere(self, text: str) -> bool:
        """Whether a message names another office's matter (faq_en.yaml elsewhere: a residence
        card, a visa, tax, garbage …)."""
        t = prepare(text)
        if any(v in t for v in self._elsewhere_cjk):
            return True
        keys = [_key(w) for w in _WORD_RE.findall(t)]
        return any(
            k in self._elsewhere_keys
            or any(tuple(keys[i : i + len(seq)]) == seq for seq in self._elsewhere_multi.get(k, ()))
            for i, k in enumerate(keys)
        )

    def _drop_negated(self, t: str) -> str:
        """``t`` without the subject words (company, politics, university …) of statements that say
        what the writer is not; an asking sentence ("Can we join if we are not an NPO?") is kept."""
        out = []
        for sentence in _STATEMENT_RE.findall(t):
            if sentence.rstrip().endswith(("?", "\uff1f")):
                out.append(sentence)
                continue
            kept, span, source, prev = [], 0, 0, ""
            negation: int | None = None
            for part in re.split(r"(\s+|,)", sentence):
                w = part.strip().strip(".!;:")
                if not w or part == ",":
                    span, source = (0, 0) if part == "," else (span, source)
                    kept.append(part)
                    continue
                terms = self._seq.get((_key(w),), set()) | {_key(w)}
                if w in _NEGATION_WORDS or w.endswith("n't"):
                    span, negation = _NEGATION_SPAN, len(kept)
                elif w == "from" and _FUNDS_RE.fullmatch(prev):
                    source = _SOURCE_SPAN  # "a grant from a foundation": who gives, not who the writer is
                elif span or source:
                    span = 0 if w in _NEGATION_ENDS - {"and"} else max(span - 1, 0)
                    source = max(source - 1, 0)
                    if (span and terms & self._negatable) or (source and terms & self._negatable - {"outside"}):
                        part = " "
                        if span and negation is not None:
                            kept[negation] = " "  # "not" said of that subject only: no term of its own
                kept.append(part)
                prev = w
            out.append("".join(kept))
        return "".join(out)

    def _drop_givers(self, t: str) -> str:
        """``t`` without the subject words (company, temple, university …) of whoever gives the writers
        money or things: "a company is giving us robots", "a shop pays our costs", "we are funded by a
        temple" name a giver, not what the writers are."""
        if not (_GIVES_RE.search(t) or _GIVEN_BY_RE.search(t)):
            return t

        def blank(words: str) -> str:
            return re.sub(
                r"[a-z']+", lambda w: " " if self._seq.get((_key(w.group(0)),), set()) & self._negatable else w.group(0), words
            )

        def drop(m: re.Match[str]) -> str:
            if _CITY_GIVER_RE.search(m.group("giver")):
                return m.group(0)  # "the city supports us", "sponsored by Koganei": the city is no giver to drop
            start, end = m.start("giver") - m.start(0), m.end("giver") - m.start(0)
            # a business "sponsoring us" gives money or things: not the city's nominal sponsorship (kōen)
            said = m.group(0)[:start] + blank(m.group("giver")) + m.group(0)[end:]
            return re.sub(r"\bsponsor(?:s|ed|ing)?\b", "give", said)

        return _GIVEN_BY_RE.sub(drop, _GIVES_RE.sub(drop, t))

    def _drop_examples_elsewhere(self, t: str) -> str:
        """``t`` without the neighbouring cities named as an example of what happens elsewhere ("In
        Fuchu the city signed a contract with…", "like TUFS students do with Fuchu", "something like
        the Kodaira association"): a city named after "like", or in a statement that says nothing of
        the writers (no we, our, I, my, members), is not where the writers are."""
        if not any(c in t for c in self._other_cities):
            return t
        out = []
        for sentence in _STATEMENT_RE.findall(t):
            asking = sentence.rstrip().endswith(("?", "\uff1f"))
            about_us = bool(_WRITERS_RE.search(sentence))
            for clause in re.split(r"(?<=[,;:])", sentence):
                m = _LIKE_RE.search(clause)
                cut = m.end() if m else len(clause)
                if not asking and not about_us:
                    cut = 0
                head, tail = clause[:cut], clause[cut:]
                tail = re.sub(r"[a-z]+", lambda w: " " if w.group(0) in self._other_cities else w.group(0), tail)
                out.append(head + tail)
        return "".join(out)

    def _build_index(self) -> None:
        self._negatable: set[str] = set()
        self._docs: list[tuple[int, dict[str, float]]] = []  # (entry index, terms) per phrasing
        self._phrasing_text: list[tuple[int, str]] = []
        self._why_docs: list[bool] = []  # per phrasing: it asks why
        self._vocab: set[str] = set(self._terms_of_synonyms)
        self._raw_words: set[str] = set()
        entry_terms: list[set[str]] = []
        self._answer_terms: list[set[str]] = []
        for i, e in enumerate(self.entries):
            terms: set[str] = set()
            for p in (e.question, *e.phrasings):
                t = self._terms(p, learn=True)
                self._docs.append((i, t.weights))
                self._why_docs.append(prepare(p).startswith("why "))
                self._phrasing_text.append((i, " ".join(sorted(t.weights))))
                terms |= set(t.weights)
            entry_terms.append(terms)
            a = self._terms(e.answer, learn=True)
            self._answer_terms.append(set(a.weights))
        for _term, variants in self.data.synonyms:
            for v in variants:
                self._raw_words.update(_WORD_RE.findall(prepare(v)))
        self._entry_terms = entry_terms
        # curated terms no entry speaks of, in its phrasings or its answer (an NPO's annual filings, a
        # language school): matters named so that they are not taken for a neighbouring entry's
        self._unspoken = frozenset(self._terms_of_synonyms - set().union(*entry_terms, *self._answer_terms))
        self._known_keys = self._vocab | {k for seq in self._seq for k in seq}
        n = len(self.entries)
        df: dict[str, int] = {}
        for terms in entry_terms:
            for t in terms:
                df[t] = df.get(t, 0) + 1
        full_df: dict[str, int] = dict(df)
        for i, terms in enumerate(self._answer_terms):
            for t in terms - entry_terms[i]:
                full_df[t] = full_df.get(t, 0) + 1
        self._question_vocab = set().union(*entry_terms) | self._terms_of_synonyms if entry_terms else set()
        self._unseen_idf = math.log(1 + n / 0.5)
        self._idf = {t: math.log(1 + n / c) for t, c in full_df.items()}
        self._n = n
        self._raw_list = sorted(w for w in self._raw_words if len(w) >= 4 and not w.isdigit())
        # a known word with two neighbouring letters swapped (strat -> start, parnter -> partner)
        self._transposed: dict[str, set[str]] = {}
        for word in (*self._raw_list, *_LONG_STOP_WORDS):
            for k in _swaps(word):
                self._transposed.setdefault(k, set()).add(word)
        # a known four-letter word with one letter dropped (hav, hal, wha): too short to correct
        # safely, so only weak evidence against the question being ours (domain)
        self._short_typos = frozenset(
            word[:j] + word[j + 1 :]
            for word in (*self._raw_words, *STOP_WORDS)
            if len(word) == 4 and word.isalpha()
            for j in range(4)
        )
        # entries about one subject ("Can a company collaborate?", "Yes, ..." answers): the words
        # of their question that at most two other entries use. Such an entry answers only a
        # question that names its subject (in the asking part or the writer's introduction).
        # A comparison ("What is the difference between commissioning and a subsidy?") needs both
        # things compared: 協働 and 補助 is not 委託 and 補助.
        self._asks_with = [_asking_word(prepare(e.question)) for e in self.entries]
        self._tells_time = [bool(_TIME_RE.search(" ".join((e.question, e.answer, *e.phrasings)))) for e in self.entries]
        self._how_entry = [prepare(e.question).startswith("how ") for e in self.entries]
        # eligibility entries whose question names nothing but collaborating groups ("What kinds of
        # groups can collaborate?"): after a self-introduction the activity conditions answer better
        self._generic_target = [
            set(self._terms(e.question).weights) <= _INTRO_GENERIC | {"form"} for e in self.entries
        ]
        self._distinct_terms = [
            frozenset(self._terms(e.question).weights) - {"kyodo"}
            | {t for t in terms if df.get(t, 0) <= 12 and t not in GENERAL_KEYS}
            for e, terms in zip(self.entries, entry_terms, strict=True)
        ]
        self._subject: list[frozenset[str]] = []
        self._compared: list[frozenset[str]] = []
        for e in self.entries:
            yes_no = bool(_YES_NO_OPENER_RE.match(e.answer)) or e.id.startswith("target-")
            terms = self._terms(e.question).weights if yes_no else {}
            self._subject.append(frozenset(t for t in terms if t != "kyodo" and df.get(t, 0) <= 3))
            qterms = self._terms(e.question).weights
            compared = [t for t in qterms if t not in ("difference", "between") and df.get(t, 0) <= 20] if "difference" in qterms else []
            self._compared.append(frozenset(compared) if len(compared) >= 2 else frozenset())
        # the subjects of the eligibility entries: what a statement of what the writer is not drops
        self._negatable = {
            t for e, subj in zip(self.entries, self._subject, strict=True) if e.id.startswith("target-") for t in subj
        } & self._terms_of_synonyms - {"nonprofit", "public-order", "public-benefit"}  # conditions said in the negative
        # which phrasings hold each term, and each phrasing's idf mass: a question is scored against
        # the phrasings it shares a term with, not against all 1,400 of them
        self._postings: dict[str, list[int]] = {}
        for d, (_i, terms) in enumerate(self._docs):
            for t in terms:
                self._postings.setdefault(t, []).append(d)
        self._doc_mass = [sum(self.idf(t) for t in terms) or 1.0 for _i, terms in self._docs]

    def idf(self, term: str) -> float:
        return self._idf.get(term, self._unseen_idf * 0.8 if term in self._terms_of_synonyms else self._unseen_idf)

    def _terms(self, text: str, learn: bool = False) -> Terms:
        """Terms of a text (see the module docstring). ``learn`` records the words as known."""
        t = prepare(text)
        out = Terms()
        if not learn:
            t = _JA_NOT_RE.sub(" not ", t)  # 「NPO法人 じゃない group」: a Japanese "not" inside English
            for phrase in self._elsewhere_cjk_first:
                if phrase in t:
                    out.unknown[phrase] = 1.0
                    t = t.replace(phrase, " ")
        for variant, term in self._cjk:
            if variant in t:
                out.add(term, 1.0)
                out.kanji.add(term)
                t = t.replace(variant, " ")
        for run in _CJK_RUN_RE.findall(t):
            if not learn and not _PARTICLES_RE.fullmatch(run):
                out.unknown[run] = 1.0  # a Japanese word the data does not know (印鑑 in 印鑑登録)
        t = _CJK_RE.sub(" ", t)
        if not learn and self._negatable:
            t = self._drop_givers(self._drop_negated(t))
        if not learn and self._other_cities:
            t = self._drop_examples_elsewhere(t)
        if not learn:
            t = _CONJUNCTION_WHEN_RE.sub(" ", t)  # "…follow when working with the city": not asking when
        if not learn and _EMAIL_RE.search(t):
            t = _ADDRESS_RE.sub(" ", t)  # next to an e-mail, an address is the e-mail address, not the office's place
        words = _WORD_RE.findall(t)
        keys = [_key(w) for w in words]
        if not learn:
            # "exchanging" stems to "exchang", "exchange" to itself: a key the data does not know
            # whose word lost -ing / -ed is the known key with its e (exchang -> exchange)
            keys = [
                k + "e" if w.endswith(("ing", "ed")) and k not in self._known_keys and k + "e" in self._known_keys else k
                for w, k in zip(words, keys, strict=True)
            ]
        if learn:  # a long word a synonym reads is a correction target too (comissioning ->
            # commissioning); a short one is not (rain is not train)
            self._raw_words.update(w for w in words if len(w) >= 7)
        i = 0
        while i < len(words):
            if not learn and keys[i] in self._elsewhere_multi:
                # another office's phrase (an employment contract, a city election) is read before
                # the synonyms: its words are not ours ("contract" alone is commissioning)
                span = next(
                    (len(seq) for seq in self._elsewhere_multi[keys[i]] if tuple(keys[i : i + len(seq)]) == seq), 0
                )
                if span:
                    for w in words[i : i + span]:
                        out.unknown[w] = 1.0
                    i += span
                    continue
            for n in range(min(self._max_seq, len(words) - i), 0, -1):
                terms = self._seq.get(tuple(keys[i : i + n]))
                if n == 1 and words[i] in STOP_WORDS and words[i] not in self._single_variants:
                    terms = None  # a stop word stemmed into a variant (kindly -> kind): not a term
                if terms:
                    for term in terms:
                        out.add(term, 1.0)
                    i += n
                    break
            else:
                w, k = words[i], keys[i]
                i += 1
                if learn:
                    self._raw_words.add(w)
                if w in STOP_WORDS or k in STOP_WORDS or (len(w) < 2 and not w.isdigit()):
                    continue
                if learn:
                    self._vocab.add(k)
                    out.add(k, 1.0)
                elif k in self._vocab:
                    # an everyday word a phrasing happens to use (happened, few) names no topic
                    out.add(k, self.weights.general if k in GENERAL_KEYS or w in GENERAL_WORDS else 1.0)
                else:
                    out.unknown[w] = 1.0
        return out

    # -- answering ------------------------------------------------------------------------------------------
    def analyse(self, text: str) -> tuple[Terms, Terms]:
        """The asking part's terms and the context's (the other sentences of a long message),
        typos corrected. "Is that possible?" is joined to the sentence before it."""
        raw = [s.strip() for s in _SENTENCE_RE.split(text) if s.strip()]
        sentences = [_unwrap(s) for s in raw]
        focus, context = (sentences[0] if len(sentences) == 1 else text), []
        k = 0
        if len(sentences) > 1:
            k = _asking_index(raw)
            j = k
            while j > 0 and not self._has_topic(" ".join(sentences[j : k + 1])):
                j -= 1
            if (
                j == k and k > 0 and not sentences[k - 1].endswith(("?", "？"))
                and _POINTS_BACK_RE.search(prepare(sentences[k]))
                and len(self._terms(sentences[k]).weights) == 1
            ):
                # "We want to suggest this to the city as a joint project. Is there a system for
                # that?": one word of its own and a pointer back; what it points at is part of it
                j = k - 1
            if j == k and k > 0 and sentences[k - 1].endswith(("?", "？")) and (
                len(_WORD_RE.findall(prepare(sentences[k]))) <= 2 or _is_examples(plain_asks(prepare(sentences[k]).strip()))
            ):
                j = k - 1  # a one- or two-word follow-up ("…to the kyodo section? address?") refines the question before it
            if j == k and k > 0 and sentences[k - 1].endswith(("?", "？")) and _FOLLOW_UP_RE.match(prepare(sentences[k])):
                j = k - 1  # "…a 市民活動団体? or just friends?", "…city or Tokyo? and how long does it take?": one question
            focus, context = " ".join(sentences[j : k + 1]), sentences[:j] + sentences[k + 1 :]
        names = _names(text)
        ctx = Terms()
        for s in context:
            for term, wt in self._corrected(s, names).weights.items():
                ctx.add(term, wt)
        q = self._corrected(focus, names)
        q.asks = plain_asks(prepare(sentences[k] if len(sentences) > 1 else text).strip())
        if len(sentences) > 1 and j == k - 1 and _FOLLOW_UP_RE.match(q.asks) and sentences[j].endswith(("?", "？")):
            q.asks = plain_asks(prepare(sentences[j]).strip()) + " " + q.asks  # "…civic group? or just friends?": one question
        if len(sentences) > 1 and j < k and _is_examples(q.asks) and sentences[k - 1].endswith(("?", "？")):
            # "What types are there? kouen, kyosai, …?": a list of examples illustrates the question
            # before it, which asks; the examples weigh half
            q.asks = plain_asks(prepare(sentences[k - 1]).strip())
            asked = set(self._corrected(sentences[k - 1], names).weights)
            for t in list(q.weights):
                if t not in asked:
                    q.weights[t] *= 0.5
        cond = _CONDITION_WH_RE.match(q.asks)
        if cond and q.unknown:
            # "If a child gets hurt during class, who is responsible?": the words of the case before the
            # question word describe a situation, like a sentence told before: unknown ones weigh half
            case = set(_WORD_RE.findall(q.asks[: cond.start(1)]))
            q.unknown = {u: (v * self.weights.described if u in case else v) for u, v in q.unknown.items()}
        setting = _MISHAP_SETTING_RE.search(q.asks) if "responsibility" in q.weights else None
        if setting:
            # "What happens if someone gets injured during an event we run with the city?": the event
            # is where the accident happens, the accident is what is asked; the setting's words weigh half
            said = set(self._terms(setting.group(1)).weights)
            for t in list(q.weights):
                if t in said and t != "responsibility":
                    q.weights[t] *= self.weights.described
        if len(sentences) > 1 and j < k and _IS_THIS_RE.match(q.asks):
            # "We teach programming to kids at the community centre. Is this public benefit?": the
            # asking sentence points back and names a curated term of its own: what it points at
            # describes the case (its known words weigh half), the term is what is asked
            own = set(self._corrected(sentences[k], names).weights)
            if own & self._terms_of_synonyms - _NO_TOPIC_TERMS - _PLAIN_TERMS - {"kyodo", "activity", "group"}:
                for t in list(q.weights):
                    if t not in own:
                        q.weights[t] *= self.weights.described
        described = _describing(text)
        q.names = names | described  # weak evidence, but still corrected when misspelt
        asking_words = set(_WORD_RE.findall(q.asks))
        for w in described - asking_words:
            # "We are a book club … Is our activity 'public benefit' enough?": what the group is (a book
            # club) is not what is asked; a known word describing it, outside the asking sentence, weighs half
            key = _key(w)
            if key in q.weights and key not in self._terms_of_synonyms:
                q.weights[key] *= 0.5
        q.text = prepare(text)
        # "We got a grant from a company's fund. Can we still do kyodo with the city?": "still" after
        # money the writers get asks whether that money rules collaboration out
        # ("…already got money from a foundation. Can we also get support from the city for the same
        # event?": the city's support as well)
        despite = (bool(re.search(r"\bstill\b", q.asks)) and bool(_COLLABORATING & q.weights.keys())) or (
            bool(re.search(r"\b(?:also|too|as well|same)\b", q.asks))
            and bool((_COLLABORATING | {"support"}) & q.weights.keys())
        )
        if ({"hojo", "money"} & q.weights.keys() or despite) and (
            _ALREADY_FUNDED_RE.search(prepare(text))
            or any(
                _RECEIVED_RE.search(prepare(s)) or _given_money(prepare(s), any_gift=bool({"hojo", "money"} & q.weights.keys()))
                for i, s in enumerate(sentences)
                if i != k and not s.endswith(("?", "？"))
            )
        ):
            # "We already get a grant from Tokyo. Can we also get city money?": money from elsewhere
            q.add("other-funding", 1.0)
        if _PAST_DONE_RE.match(q.asks) and not re.search(r"\b(?:1[89]|20)\d\d\b", q.asks):
            q.add("example", 1.0)  # what the city has done before: its examples (before a year: its history)
        said = prepare(focus)
        if _EQUALS_RE.search(q.asks):
            # "kyosai = co-hosting?": a word equals another, asks what it means
            q.add("definition", 1.0)
        if (
            "definition" in q.weights
            and _WHAT_IS_OF_RE.search(said)
            and len(_WHAT_IS_OF_RE.findall(said)) == len(_WHAT_IS_RE.findall(said))
            and not _DEFINITION_WORD_RE.search(said)
        ):
            # "What is the role of the city?", "what is the goal of kyodo?": asks about the role or the
            # goal, not what a word means
            del q.weights["definition"]
        for term in set(ctx.weights) - set(q.weights):
            # "…through an executive committee of residents. Can the city join our committee?": the
            # head noun of a compound told before, with our / the / this, points back at it
            for head in self._heads.get(term, ()):
                if re.search(rf"\b(?:our|the|this|that) {head}\b", q.asks):
                    q.add(term, 1.0)
        if (
            "participation" in q.weights
            and "kyodo" in q.weights
            and _TAKE_PART_RE.search(q.asks)
            and not _POLICY_RE.search(prepare(text))
        ):
            # "Can a foreign resident take part in the city's collaboration?": taking part in
            # collaboration is joining it, not policy participation (参画: councils, public comment)
            del q.weights["participation"]
            q.add("join", 1.0)
        if _MUST_BECOME_RE.search(q.asks) and not _WH_RE.match(q.asks):
            # "Do we have to become / register as an NPO first to work with the city?": whether a legal
            # status is required, not how to set one up or to register
            for t in ("establish", "register", "npo"):
                q.weights.pop(t, None)
            q.add("npo-corporation", 1.0)
        if "choose" in q.weights and len({c for c in self._compared if c and c <= q.weights.keys()}) == 1:
            # (one pair only: "which fits us: kouen, kyosai, itaku or hojo?" chooses among the forms)
            # "後援 and 共催, which one …?": which of the two things one comparison names is their difference
            del q.weights["choose"]
            q.add("difference", 1.0)
        if len(sentences) > 1 and j < k and q.unknown:
            # the sentences joined before the asking one describe the writer or the activity
            # ("Our activity is a sports day for families."): their unknown words weigh half
            # ("Our activity is a sports day for families."): their unknown words weigh half; in a
            # self-introduction ("I am from Sri Lanka and lead a cricket club.") they say what the
            # group does, not what is asked, and weigh ``introduced``
            asking = set(self._terms(sentences[k]).unknown)
            intro = [bool(_SELF_INTRO_RE.match(prepare(s)) or _GREETING_ONLY_RE.match(prepare(s))) for s in sentences[j:k]]
            wt = self.weights.introduced if all(intro) else self.weights.described
            q.unknown = {w: (v if w in asking else v * wt) for w, v in q.unknown.items()}
        return q, ctx

    def _has_topic(self, text: str) -> bool:
        """Whether a sentence names something of the knowledge base (a rare-enough known word, or
        collaboration itself: "What does kyodo mean?" after a self-introduction is the question)."""
        # "Allowed?" asks permission for what the sentences before it describe: no topic of its own
        # an everyday word ("Is it new or old?") is no topic either
        terms = [t for t, wt in self._terms(text).weights.items() if t in self._question_vocab and t != "allow" and wt == 1.0]
        topic_idf = math.log(1 + self._n / self.weights.topic_share)  # used by few enough entries
        # collaboration itself, with another known word, is a topic ("Can we work together with
        # the city?") unless the sentence points back ("Can that be a collaboration?")
        kyodo_topic = len(terms) > 1 and not _refers(prepare(text))
        # a curated term of the synonyms (co-hosting, a phone number, an event) names a topic at a
        # lower rarity than a plain word does
        term_idf = math.log(1 + self._n / self.weights.term_topic_share)
        return any(
            self.idf(t) >= (term_idf if t in self._terms_of_synonyms and t not in _PLAIN_TERMS else topic_idf)
            or (t == "kyodo" and kyodo_topic)
            for t in terms
        )

    def _corrected(self, text: str, names: frozenset[str] = frozenset()) -> Terms:
        q = self._terms(text)
        if not q.unknown:
            return q
        from rapidfuzz import fuzz, process
        from rapidfuzz.distance import Levenshtein

        fixes = {}
        for w in list(q.unknown):
            if len(w) < 4 or w.isdigit() or w in names:  # 4 letters: only a dropped letter reaches 88 (grup)
                continue
            if w in GENERAL_WORDS or _key(w) in GENERAL_KEYS:  # a real word, not a typo (good is not god)
                continue
            if _key(w) in self._elsewhere_keys or w in self._elsewhere_words:  # evacuation is not evaluation
                continue
            swapped = self._transposed.get(w)
            if swapped and len(swapped) == 1:  # two neighbouring letters swapped: strat, parnter
                fixes[w] = next(iter(swapped))
                continue
            cutoff = self.weights.correct_at if len(w) < 7 else self.weights.correct_long_at
            best = process.extractOne(w, self._raw_list, scorer=fuzz.ratio, score_cutoff=cutoff)
            if best and best[1] < self.weights.correct_at and Levenshtein.distance(w, best[0]) > 1:
                best = None  # a long word one letter off (sponser), not two (housing is not hosting)
            if best and w.endswith(best[0]) and w[: len(w) - len(best[0])] in _NEGATING_PREFIXES:
                best = None  # unregistered is not a typo of registered
            if best:
                # as close to a word every question has ("ther": there, not other): that word
                stop = process.extractOne(w, _LONG_STOP_WORDS, scorer=fuzz.ratio, score_cutoff=best[1])
                fixes[w] = stop[0] if stop else best[0]
        if not fixes:
            return q
        fixed = re.sub(r"[a-z0-9]+", lambda m: fixes.get(m.group(0), m.group(0)), prepare(text))
        q2 = self._terms(fixed)
        # two neighbouring letters swapped (compnay, parnter) is a sure typo: its word counts in full;
        # a nearest word by similarity is less sure
        # one letter dropped (guidline, diffrence, colaboration) is as sure, for a word of 6+ letters
        sure = {
            k for k in fixes
            if k in self._transposed
            or (len(k) >= 6 and len(fixes[k]) == len(k) + 1 and Levenshtein.distance(k, fixes[k]) == 1)
        }
        swapped_terms = set(self._terms(" ".join(v for k, v in fixes.items() if k in sure)).weights)
        for term in q2.weights:
            if term not in q.weights and term not in swapped_terms:
                q2.weights[term] = 0.8 * q2.weights[term]
        return q2

    def _score(self, q: Terms, ctx: Terms | None = None) -> list[tuple[float, int, float, float]]:
        """(score, entry index, best F1, coverage) per entry, best first. The context of a long
        message adds ``weights.context`` x how much of it the entry covers."""
        w = self.weights
        qmass = {t: self.idf(t) * wt for t, wt in q.weights.items()}
        total = sum(qmass.values()) or 1.0
        cmass = {t: self.idf(t) * wt for t, wt in (ctx.weights.items() if ctx else ()) if t in self._question_vocab}
        ctotal = sum(cmass.values()) or 1.0
        best_f1 = [0.0] * len(self.entries)
        # "What does the city do to promote collaboration?" asks what is done, not why it is done
        what_done = bool(_WHAT_DONE_RE.match(q.asks))
        shared: dict[int, float] = {}  # the question's idf mass each phrasing holds
        for t, m in qmass.items():
            for d in self._postings.get(t, ()):
                shared[d] = shared.get(d, 0.0) + m
        for d, inter in shared.items():
            if not inter or (what_done and self._why_docs[d]):
                continue
            i = self._docs[d][0]
            recall = inter / total
            precision = min(1.0, inter / self._doc_mass[d])
            f1 = 2 * recall * precision / (recall + precision)
            if f1 > best_f1[i]:
                best_f1[i] = f1
        from rapidfuzz import fuzz

        qtext = " ".join(sorted(q.weights))
        fuzzy = [0.0] * len(self.entries)
        for i, ptext in self._phrasing_text:
            if best_f1[i] > 0:
                r = fuzz.token_sort_ratio(qtext, ptext) / 100
                if r > fuzzy[i]:
                    fuzzy[i] = r
        out = []
        asks_with = _asking_word(q.asks)
        # a whether-question (Do we need…? Can we…?) is not answered by a how-to entry
        clash = bool(q.asks) and bool(_YES_NO_RE.match(q.asks)) and not _HOW_ASKS_RE.search(q.asks) and not _refers(_DUMMY_IT_RE.sub("", q.asks))
        for i in range(len(self.entries)):
            if best_f1[i] == 0:
                continue
            cov = self._coverage(qmass, total, i)
            score = w.f1 * best_f1[i] + w.coverage * cov + w.fuzzy * fuzzy[i]
            if asks_with and asks_with == self._asks_with[i]:  # "who…?" and "Who is responsible…?"
                score += w.wh_bonus
            if cmass:
                score += w.context * self._coverage(cmass, ctotal, i)
            if clash and self._how_entry[i]:  # "Do we need to become an NPO?" is not "How do we set one up?"
                score -= w.kind_clash
            out.append((score, i, best_f1[i], cov))
        out.sort(key=lambda x: (-x[0], self.entries[x[1]].id))
        return out

    def _coverage(self, qmass: Mapping[str, float], total: float, i: int) -> float:
        covered = 0.0
        for t, m in qmass.items():
            if t in self._entry_terms[i]:
                covered += m
            elif t in self._answer_terms[i]:
                covered += self.weights.answer_text * m
        return covered / total

    def domain(self, q: Terms) -> float:
        """Known evidence / all evidence. Words only the answers use (not a question, phrasing or
        synonym) are weak evidence (0.3): an answer mentions many things it does not answer."""
        # a guideline word typed in Japanese inside English (後援, 自治会) names our topic beyond doubt:
        # its evidence counts ``weights.kanji`` times, unless Japanese the data does not know is
        # written too (登録 of 印鑑登録 is another office's word)
        boost = self.weights.kanji if q.kanji and not any(_CJK_RE.search(u) for u in q.unknown) else 1.0
        known = sum(
            self.idf(t) * wt * (1.0 if t in self._question_vocab else 0.3) * (boost if t in q.kanji else 1.0)
            for t, wt in q.weights.items()
        )
        unknown = sum(
            (
                0.3
                if (len(u) <= 2 and u.isascii())
                or u.isdigit()
                or u in _NUMBER_WORDS
                or u in GENERAL_WORDS
                or _key(u) in GENERAL_KEYS
                or u in q.names
                or u in self._short_typos
                or _HIRAGANA_RE.fullmatch(u)  # kana grammar left over (ってどういう, つくりたい): no topic
                else 1.0
            )
            * self._unseen_idf
            * weight
            for u, weight in q.unknown.items()
        )
        return known / (known + unknown) if known + unknown else 0.0

    def answer(self, text: str, lang: str = "en") -> Answer:
        """Answer one (normalised) message; ``lang`` "other" gets the one-line bilingual note."""
        got = self._answer_message(text, lang)
        asks = _asking_sentence(prepare(text))
        if got.answered and (got.faq_id in _CONTACT_IDS and _SERVICE_LANGUAGE_RE.search(asks) or _SPEAKER_RE.search(asks)):
            # "Can I consult in English at the counter?": which languages the office speaks is not
            # in the data; the decline names the switchboard rather than guess
            return self._decline(got.score)
        if got.answered and got.faq_id in _CONTACT_IDS - {"contact", "contact-phone"} and _EMAIL_RE.search(asks):
            # "Could you let me know the e-mail address of the division in charge?": how to reach the
            # office (the contact entry), not which division it is or where it stands
            i = self._by_index.get("contact")
            if i is not None:
                return self._answer(i, got.score or 0.0, yes_no=bool(_YES_NO_RE.match(plain_asks(asks))))
        return got

    def _answer_message(self, text: str, lang: str) -> Answer:
        original = text
        if lang == "other":
            return Answer(False, self.other_language_text(), "other_language", lang="other")
        if not text.strip():
            return Answer(False, msg.EMPTY, "empty", lang="en")
        if len(text) > MAX_QUESTION_CHARS:
            return Answer(False, msg.too_long(MAX_QUESTION_CHARS), "too_long", lang="en")
        small = _SMALL_TALK_RE.sub("", prepare(text)).strip()
        small = re.sub(r"\s+", " ", small)
        if small in msg.GREETING_WORDS:
            return Answer(False, msg.GREETING, "greeting", lang="en")
        if small in msg.THANKS_WORDS or small.startswith(("thank you", "thanks")) and len(small) < 40:
            return Answer(False, msg.THANKS, "thanks", lang="en")
        kind = courtesy(text)  # a mix: ありがとう bye, arigato bye, thank you see you, goodbye
        if kind is not None:
            reply = {GREETING: msg.GREETING, THANKS: msg.THANKS}.get(kind, msg.FAREWELL)
            return Answer(False, reply, kind, lang="en")
        text = drop_courtesy(_LOOSE_MARK_RE.sub(r"\1", _BRACKETED_MARK_RE.sub(r"\2\1", text)))
        # "a Korean association based in Tachikawa", "whose office is in Shinjuku": a group seated in a
        # named place that is not Koganei is from another city (the names of places are not known)
        text = _BASED_ELSEWHERE_RE.sub(
            lambda m: m.group(0) if _home_place(m.group(1)) or m.group(1).lower() in self._other_cities else "based in another city", text
        )
        # "koganei kouen bbq?": Koganei Park (小金井公園), not the city's kōen, unless its name (meigi) follows
        text = _PARK_RE.sub("Koganei Park", text)
        # "NPO is what?", "kyosai means what?": the question word put last asks what the word is
        text = _WHAT_LAST_RE.sub(lambda m: f"{m.group(1)}what is {m.group(2)}", text)
        q, ctx = self.analyse(text)
        if not q.weights:
            return self._decline()
        if not set(q.weights) & _CIVIC_TERMS and self.names_elsewhere(text):
            # another office's matter (a residence card, a visa, tax …) and the question names no
            # collaboration: "How do I renew my residence card? I go to city hall?" is not the
            # collaboration desk's address
            return self._decline()
        ranked = self._score(q, ctx)
        if ranked and set(q.weights) & self._unspoken:
            # "Our NPO corporation must file its annual report. Where?": the question names a matter
            # the synonyms know but no entry speaks of (an NPO's filings, a language school): the
            # entry sharing its other words does not answer it; offered at most
            score = ranked[0][0]
            if score >= self.weights.unsure_at and self.domain(q) >= self.weights.unsure_domain:
                return self._offer([r[1] for r in ranked[:MAX_SUGGESTIONS]], q, "unsure", score)
            return self._decline(score)
        if _PAST_DONE_RE.match(q.asks):
            # "Has the city done this with a company before?" asks for the city's examples: the entries
            # about whether a kind of partner may collaborate are out of the race
            ranked = [r for r in ranked if not (self._subject[r[1]] and self.entries[r[1]].id.startswith("target-"))]
        domain = self.domain(q)
        if not ranked:
            return self._decline()
        w = self.weights
        asked = set(q.weights) | set(ctx.weights)
        if _ACTIVITY_MONEY_RE.search(q.text):
            # "Is it OK if our event charges a small fee?", "we sell cookies": money taken in the
            # activity names the question of not for profit
            asked.add("nonprofit")
        demoted = False
        if w.skip_unfit_leader and not self._fits(ranked[0][1], asked, w.skip_unfit_leader):
            # "What is the purpose of working together with residents' groups?" is not "What is the
            # difference between purpose and goal?": an entry that could not be the answer (one of the
            # two things it compares, or its subject, is not named) does not lead either; it stays
            # among the suggestions, after the entries that could, and the new leader is not clear by
            # the rules alone (below)
            fit = [r for r in ranked if self._fits(r[1], asked, w.skip_unfit_leader)]
            if fit:
                ranked = fit + [r for r in ranked if not self._fits(r[1], asked, w.skip_unfit_leader)]
                demoted = True
        suggest = ranked
        score, i, _f1, cov = ranked[0]
        # the runner-up is an entry that could be the answer: not one about a subject the question
        # does not name, nor one comparing two things it does not both name ("the goal of kyodo"
        # is not "purpose and goal, the difference")
        runner = next(
            (
                r
                for r in ranked[1:]
                if self.entries[r[1]].id not in self.entries[i].related
                and (self._could_answer(r[1], asked) or not w.skip_unfit_runner)
            ),
            None,
        )
        # a leader reached by passing over an entry that ranked higher is not clear by the rules alone
        # ("the difference between an NPO and a volunteer group" is not what kyodo is): the classifier may
        # still pick it among the suggestions
        clear = (runner is None or score - runner[0] >= w.margin) and not (demoted and w.demoted_unsure)
        # an entry about one subject answers whether (can a company…?), not how, where or why
        # something is done: "I'm a student. How do I pay my pension?" is not about universities
        on_subject = self._on_subject(i, q, asked)
        yes_no = bool(_YES_NO_RE.search(prepare(text).strip()) or _YES_NO_RE.match(q.asks))
        intro = self._intro_asks(text)

        def judged(j: int, path: str, at: float = score) -> Answer:
            """The answer with entry ``j``, reached by ``path``, unless the verifier doubts it."""
            ans = self._answer(j, at, yes_no=yes_no)
            if self.verifier is None and not self.record_features:
                return ans
            x = self._doubt_features(j, path, original, text, q, ctx, ranked, runner, domain, intro, yes_no)
            ans.features = x
            if self.verifier is not None and self.verifier.doubt(x) > self.verifier.threshold:
                # an answer that passes the rules narrowly is where wrong answers are: a second
                # opinion fitted on the labelled English questions (knowledge/verifier.py) offers
                # it as もしかして instead, its entry first
                offered = [j] + [r[1] for r in ranked[:MAX_SUGGESTIONS] if r[1] != j]
                return self._offer(offered[:MAX_SUGGESTIONS], q, "doubt", at)
            return ans

        confident = score >= w.answer_at and domain >= w.min_domain and cov >= w.min_coverage and clear and on_subject
        if intro is not None and confident and _refers(q.asks) and not (intro == "whether" and self._writers_kind(text) is not None):
            # "…exchange information with city staff. Is this kyodo too?" asks about what is told; but
            # when the writers said they are a kind of partner the guideline speaks of ("Our church
            # runs …. Can the city support this as kyodo?"), whether that kind may is the question
            intro = None
        if intro is not None and not (
            score >= w.answer_at and domain >= w.min_domain and cov >= w.min_coverage and clear and on_subject
            and self.entries[i].id.startswith("target-")
            and not self._generic_target[i]  # a confident answer about who may (target-company) stays
            # ... when what it is about is named: its subject, or else a word of its question or a word
            # of its phrasings that at most a dozen entries use ("Do we have to be an NPO corporation?":
            # not an NPO, no legal status, just friends; "not religious and not political, only a
            # sports club" names none of them)
            and (bool(self._subject[i]) or bool(self._distinct_terms[i] & asked))
        ):
            # a self-introduction, then "can we / how do we work with the city?": the
            # introduction says what the group does; who may collaborate (its subject named), else
            # the activity conditions (whether) or how to start (how)
            got = None
            if intro == "whether":
                # an entry about one kind of partner (company, university, religion, outside …) or
                # one case (an existing project, other funding) whose subject the message names
                whole = set(self._corrected(text, q.names).weights)
                named = [j for j, subj in enumerate(self._subject) if subj and _names_subject(subj, whole)]
                if len(named) > 1:
                    # "We are a church group. We run a food bank for students.": who the writers
                    # say they are comes first; what they do or for whom comes after
                    first = set(self._corrected(_first_told(text), q.names).weights)
                    named = [j for j in named if _names_subject(self._subject[j], first)] or named
                if named and _status_case(prepare(text)) == "target-npo-required":
                    # "We are parents from the international school community. We have no legal status.
                    # Can we still be a partner?": the doubt the writers voice themselves (no legal
                    # status) is what the can-we hangs on, not a kind of partner told along the way
                    # (school, students), unless the asking sentence names that kind itself
                    own = set(self._terms(q.asks).weights)
                    named = [j for j in named if _names_subject(self._subject[j], own)]
                if len(named) == 1:
                    got = named[0]
                elif not named:
                    # what the writers say the group is not, or whom it is for, is the doubt behind
                    # the question: no legal status -> must we be an NPO; only for its members ->
                    # public benefit; otherwise the activity conditions
                    case = _status_case(prepare(text))
                    if not {"ngo", "npo"} & set(self._terms(q.asks).weights):
                        got = self._by_index.get(case or "target-activities")
                    # "Can an NGO collaborate with Koganei?": the asking sentence names a kind of group
                    # the data speaks of; the rules below answer on it
                # two or more: not sure which; the rules below decide (often "did you mean")
            elif intro == "contact":
                got = self._by_index.get("howto-which-division" if "division" in q.weights else "contact")
            else:
                got = self._by_index.get("howto-start")
            if got is not None:
                return judged(got, "introduction")
        if set(q.weights) <= _NO_TOPIC_TERMS:
            # "Is there a festival in Koganei in August?": the city, an event and a question word
            # name no topic of ours; no entry is answered on them alone
            on_subject = False
        if score >= w.answer_at and domain >= w.min_domain and cov >= w.min_coverage and clear and on_subject:
            return judged(i, "rules")
        pick = self._who_asks(q, ctx, suggest, domain)
        if pick is not None:
            return judged(pick[1], "who", pick[0])
        if score >= w.unsure_at and domain >= w.unsure_domain:
            offered = [r[1] for r in suggest[:MAX_SUGGESTIONS]]
            if self.classifier is not None and on_subject:
                # the rules are unsure, but a model of how residents word each topic, of another
                # kind than the rules, picks one of the entries they offer, and is sure of it
                # (knowledge/classifier.py; leave-one-set-out figures in docs/knowledge.md). Not
                # when a rule found the leading entry off the question's subject ("Is there a
                # religious group that runs a food bank?" is not whether religious groups may):
                # that is a judgement on what is asked, which wording alone cannot overrule
                got = self.classifier.pick(original, [self.entries[j].id for j in offered])
                if got is not None:
                    return judged(self._by_index[got], "classifier")
            return self._offer(offered, q, "unsure", score)
        return self._decline(score)

    def _offer(self, offered: list[int], q: Terms, reason: str, score: float) -> Answer:
        """もしかして: the questions of the entries ``offered``, in that order."""
        picks = [self.entries[j].question for j in offered]
        return Answer(
            False,
            msg.unsure_list(picks, maybe_elsewhere=bool(q.unknown)),
            reason,
            score=score,
            suggestions=picks,
            lang="en",
        )

    def _doubt_features(
        self,
        j: int,
        path: str,
        original: str,
        text: str,
        q: Terms,
        ctx: Terms,
        ranked: list[tuple[float, int, float, float]],
        runner: tuple[float, int, float, float] | None,
        domain: float,
        intro: str | None,
        yes_no: bool,
    ) -> list[float]:
        """The verifier's inputs (knowledge/verifier.py, :func:`en_features`) for answering with
        entry ``j``, reached by ``path``."""
        top_score = ranked[0][0]
        mine = next((r for r in ranked if r[1] == j), None)
        entry_score = mine[0] if mine else 0.0
        best_other = next((r[0] for r in ranked if r[1] != j), 0.0)
        words = _WORD_SPLIT_RE.findall(prepare(original))
        romaji = sum(1 for x in words if len(x) >= 4 and x not in STOP_WORDS and is_romaji(x))
        probs = self.classifier.probabilities(original) if self.classifier is not None else {}
        eid = self.entries[j].id
        asks = q.asks.strip()
        m = _KIND_RE.match(asks)
        if m:
            kind = "who" if m.group(1) == "whom" else m.group(1)
        elif yes_no:
            kind = "yes-no"
        else:
            m = _KIND_RE.search(asks)
            kind = ("who" if m.group(1) == "whom" else m.group(1)) if m else "other"
        return en_features(
            score=top_score,
            entry_score=entry_score,
            lead=entry_score - best_other,
            margin=top_score - runner[0] if runner is not None else top_score,
            top=ranked[0][1] == j,
            f1=mine[2] if mine else 0.0,
            coverage=mine[3] if mine else 0.0,
            domain=domain,
            unknown=len(q.unknown),
            terms=len(q.weights),
            length=len(original),
            asking_length=len(asks),
            sentences=sum(1 for x in _SENTENCE_RE.split(text) if x.strip()),
            introduced=intro is not None,
            has_context=bool(ctx.weights),
            romaji=romaji / len(words) if words else 0.0,
            mixed=bool(_CJK_RE.search(original)),
            yes_no=yes_no,
            subject=bool(self._subject[j]),
            classifier_p=probs.get(eid, 0.0),
            classifier_agrees=bool(probs) and max(probs, key=probs.__getitem__) == eid,
            classifier_none=probs.get(NONE_CLASS, 0.0),
            path=path,
            kind=kind,
            category=eid.split("-", 1)[0],
        )

    def _intro_asks(self, text: str) -> str | None:
        """"whether", "how" or "contact" (who to ask) for a message that introduces the writer or the group and then asks,
        with no topic of its own, whether or how they can work with the city ("We are Vietnamese
        mothers who cook together. Can we work with the city?"); None otherwise. The
        introduction's words describe what the group does: they are not read as the question.
        An asking sentence that points back ("Is that possible?") is read with the sentence before."""
        sentences = [s.strip() for s in _SENTENCE_RE.split(text) if s.strip()]
        sentences = [s for s in sentences if not _GREETING_ONLY_RE.match(prepare(s))]
        if len(sentences) < 2:
            return None
        asking = [i for i, s in enumerate(sentences) if s.endswith(("?", "？"))]
        k = _asking_index(sentences)
        if k == 0 or k < len(sentences) - 1 and not asking:
            return None
        if any(s.endswith(("?", "？")) and self._has_topic(s) for s in sentences[1:k]):
            # "We are an NGO. Is an NGO the same as an NPO? Can we be a partner?": two questions, the
            # first with a topic of its own; not a plain can-we after an introduction
            return None
        asks = plain_asks(prepare(sentences[k]))
        terms = self._corrected(asks)
        if (
            _INTRO_RE.match(prepare(sentences[0]))
            and set(terms.weights) & _INTRO_WHOM
            # "Who should we contact at the city?", "Who should we talk to first?": the city and
            # everyday words name nothing of their own
            and all(t in _INTRO_WHOM | {"who", "where", "city", "city-hall"} or t in GENERAL_KEYS for t in terms.weights)
            and not terms.unknown
            and not _MONEY_RE.search(prepare(text))
            and set(self._corrected(" ".join(sentences[:k])).weights) & (_INTRO_COLLABORATING | _CIVIC_PLANS)
        ):
            # "We want to hold a drill together with the city. Who should I contact?"
            return "contact"
        if k > 1 and (
            # "… as a jikkou iinkai. How does that work?": what the question points at is part of it
            _refers(asks) and _HOW_ASKS_RE.search(asks) and not _DUMMY_IT_RE.search(asks)
            or not set(terms.weights) & _INTRO_COLLABORATING
            and not {t for t in terms.weights if t not in GENERAL_KEYS} - {"how", "where", "start"}
        ):
            # "We want to dance with the city. Is that possible?", "… What should we do?"
            k -= 1
            asks = prepare(sentences[k]) + " " + asks
            terms = self._corrected(asks)
        first = prepare(sentences[0])
        if not _INTRO_RE.match(first) or _I_RE.search(asks) or not (_WE_RE.search(asks) or _WE_INTRO_RE.match(first)):
            return None  # a group introduces itself, then asks about us ("Can I…?" may be an individual)
        if any(_MONEY_RE.search(prepare(s)) for s in sentences[:k]):
            return None  # money in the activity: whether it is still not for profit is the question
        how = bool(_HOW_ASKS_RE.search(asks))
        if not set(terms.weights) & _INTRO_COLLABORATING and not (how and "city" in terms.weights and set(terms.weights) & _INTRO_HOW_PLANS):
            return None
        # names, and the words describing the group ("Is a sports club like ours …?"), say what the
        # group is, not what is asked
        names = _names(text) | _describing(text)
        # "We want to do a new project with the city. How do we start?": for how to begin, a project
        # or a proposal with the city is collaborating
        generic = _INTRO_GENERIC | _INTRO_HOW_PLANS if how else _INTRO_GENERIC
        others = [t for t in terms.weights if t not in generic and t not in GENERAL_KEYS]
        unknown = [u for u in terms.unknown if not (u in GENERAL_WORDS or _key(u) in GENERAL_KEYS or u in names or len(u) <= 2)]
        if others or unknown:
            return None
        if _HOW_ASKS_RE.search(asks):
            return "how"
        if _YES_NO_RE.search(asks) or "possible" in asks:
            return "whether"
        # "we can do kyodo?": asked by its question mark alone
        return "whether" if asks.rstrip().endswith(("?", "？")) and not _OTHER_WH_RE.search(asks) else None

    def _writers_kind(self, text: str) -> int | None:
        """The one eligibility entry about a kind of partner (company, religion, university …) that the
        writers' first sentence names, when it names exactly one."""
        first = set(self._corrected(_first_told(text)).weights)
        named = [
            j for j, subj in enumerate(self._subject)
            if subj and self.entries[j].id.startswith("target-") and _names_subject(subj, first)
        ]
        return named[0] if len(named) == 1 else None

    def _on_subject(self, i: int, q: Terms, asked: set[str]) -> bool:
        """Whether entry ``i`` may answer: an entry about one subject needs it named and a
        whether-question (not how, where, who …), a comparison both things compared, and joining a
        group as a member is not collaborating."""
        subject = self._subject[i]
        if subject and not (_names_subject(subject, asked) and (not _wh_asks(q.asks) or self._how_subject_joins(q, subject))):
            return False
        if not self._tells_time[i] and _WHEN_ASKS_RE.search(q.asks):
            # "When is the Koganei cherry blossom festival?": asks for a date, and this entry never
            # speaks of one (a year, a date, a deadline, the hours)
            return False
        if subject and self.entries[i].id.startswith("target-") and (_EXISTS_RE.match(q.asks) or _PAST_DONE_RE.match(q.asks)):
            # "Is there an international association in Koganei like the one in Musashino?" asks
            # whether something exists, not whether a kind of group may collaborate
            return False
        if not self._compared[i] <= asked:
            return False
        if subject & _PARTNER_KINDS and self._asks_other_topic(i, q):
            return False
        return not (subject & _MEMBER_SUBJECTS and self._joins_as_member(q))

    def _asks_other_topic(self, i: int, q: Terms) -> bool:
        """"We are a student association at a university. Can we get money from the city for our
        festival?": the kind of partner is told, but the asking sentence, which does not name it, asks
        about something else of its own (money, a room, kōen): not whether that kind may collaborate."""
        own = self._terms(q.asks).weights
        if not q.asks or _names_subject(self._subject[i], set(own)):
            return False
        topic_idf = math.log(1 + self._n / self.weights.who_topic_share)
        return any(
            t in self._terms_of_synonyms
            and t not in self._entry_terms[i]
            and t not in _WHO_TERMS | _COLLABORATING | _NO_TOPIC_TERMS | _PLAIN_TERMS
            and t not in GENERAL_KEYS
            and self.idf(t) >= topic_idf
            for t in own
        )

    @staticmethod
    def _how_subject_joins(q: Terms, subject: frozenset[str]) -> bool:
        """"How can our jichikai work with the city?": how the kind of partner named can collaborate,
        asking nothing else, is answered by the entry about that partner."""
        terms = set(q.weights)
        return (
            q.asks.startswith("how ")
            and bool(terms & subject)
            and bool(terms & {"kyodo", "partner", "join"})
            and terms - subject <= {"how", "kyodo", "partner", "join", "city", "group"}
        )

    @staticmethod
    def _joins_as_member(q: Terms) -> bool:
        """"Do I have to join the jichikai in my apartment?": a resident asks about joining a group as
        a member (a neighbourhood association, a club, a school), not about working with the city:
        one person ("I") joins, and neither the city nor collaborating is named."""
        # "Is joining the chonaikai mandatory? My neighbour says I must pay the fee.": the person
        # may be in another sentence when the asking one names no one, and a duty to be a member
        # (mandatory, membership fee, quit) is joining too
        whole = q.text or q.asks
        person = _I_RE.search(q.asks) or not _PERSON_RE.search(q.asks) and _I_RE.search(whole)
        return (
            ("join" in q.weights or bool(_MEMBERSHIP_RE.search(whole)))
            and bool(person)
            and not _WE_RE.search(q.asks if _I_RE.search(q.asks) else whole)
            and not set(q.weights) & (_COLLABORATING - {"join", "allow"})
        )

    def _fits(self, i: int, asked: set[str], mode: int) -> bool:
        """Whether entry ``i`` may lead: mode 1, a comparison needs both things compared named;
        mode 2, an entry about one subject needs it named too (``_could_answer``)."""
        if mode == 2:
            return self._could_answer(i, asked)
        return self._compared[i] <= asked

    def _could_answer(self, i: int, asked: set[str]) -> bool:
        """Whether entry ``i`` could answer a question naming ``asked``: an entry about one
        subject needs it named, a comparison both things compared."""
        subject = self._subject[i]
        return (not subject or _names_subject(subject, asked)) and self._compared[i] <= asked

    def _who_asks(
        self, q: Terms, ctx: Terms, ranked: list[tuple[float, int, float, float]], domain: float
    ) -> tuple[float, int, float, float] | None:
        """A whether-question about who may collaborate, asked by naming the subject ("We are a
        company. Can we join?", "Our group supports a party. Can we still partner with the
        city?"): exactly one eligibility entry's subject (a word of the synonyms: company,
        politics, outside …) is in the asking sentence or the writer's introduction, and the
        asking sentence names nothing else of its own; the whole message's domain is at least
        ``who_domain`` (the activity described is often words the data does not know). That entry
        is the answer, even when the generic words of the question tie it with others."""
        if not q.asks or _WH_RE.match(q.asks) or not _YES_NO_RE.search(q.asks) or _PAST_DONE_RE.match(q.asks):
            return None  # not a whether-question, or one about what the city has done
        if not set(q.weights) & _COLLABORATING:  # "…too expensive for a student. Can it be reduced?"
            return None
        whole = Terms(dict(ctx.weights), dict(ctx.unknown))  # the introduction counts here
        for t, wt in q.weights.items():
            whole.add(t, wt)
        whole.unknown.update(q.unknown)
        whole.names = q.names
        if max(domain, self.domain(whole)) < self.weights.who_domain:
            return None
        asked = set(q.weights) | set(ctx.weights)
        hits = [
            r for r in ranked
            if self.entries[r[1]].id.startswith("target-")
            and (self._subject[r[1]] & self._terms_of_synonyms & asked)
        ]
        if len(hits) != 1 or hits[0][0] < self.weights.unsure_at:
            return None
        subject = self._subject[hits[0][1]]
        if subject & _MEMBER_SUBJECTS and self._joins_as_member(q):
            return None
        topic_idf = math.log(1 + self._n / self.weights.who_topic_share)
        # what the asking sentence itself names, besides the subject ("We are students who clean
        # the river. Can we work with the city?": nothing)
        others = [
            t
            for t in self._terms(q.asks).weights
            if t not in subject and t not in _WHO_TERMS and t not in GENERAL_KEYS and self.idf(t) >= topic_idf
        ]
        return None if others else hits[0]

    def _phone(self, cid: str) -> str | None:
        c = self.contacts.get(cid)
        f = c.fact("phone") if c else None
        return f.value if f is not None and f.confirmed else None

    def out_of_scope_text(self) -> str:
        return msg.out_of_scope(self._phone("city-hall"), self._phone("community-culture"))

    def other_language_text(self) -> str:
        c = self.contacts.get(MULTILINGUAL_CONTACT)
        if c is not None and self._phone(MULTILINGUAL_CONTACT):
            return msg.other_language(self.data.contact_names.get(c.id, c.name), self._phone(c.id))
        return msg.other_language("Koganei City Hall (小金井市役所)", self._phone("city-hall"))

    def _decline(self, score: float = 0.0) -> Answer:
        return Answer(False, self.out_of_scope_text(), "out_of_scope", score=score, lang="en")

    def sources_of(self, e: EnglishEntry) -> list[Source]:
        out = []
        for sid in e.sources:
            s = self._sections.get(sid)
            if s is not None:
                out.append(Source(sid, f"{self.data.sections.get(sid, s.title)} ({s.title})"))
        return out

    def _answer(self, i: int, score: float, yes_no: bool) -> Answer:
        e = self.entries[i]
        secs = [self._sections[s] for s in e.sources if s in self._sections]

        def pair(s: Any) -> tuple[str, str]:
            return (self.data.sections.get(s.id, s.title), s.title)

        cite = msg.citation(
            [pair(s) for s in secs if s.kind == "section"][:2],
            [pair(s) for s in secs if s.kind == "note"][:1],
            [pair(s) for s in secs if s.kind == "note" and s.cite][:1],
        )
        body = e.answer.rstrip()
        if not yes_no:
            stripped = _YES_NO_OPENER_RE.sub("", body, count=1)
            body = stripped[:1].upper() + stripped[1:] if stripped != body else body
        text = body + ("\n" + cite if cite else "")
        related = [self._by_id[r].question for r in e.related if r in self._by_id][:MAX_SUGGESTIONS]
        return Answer(True, text, "answered", self.sources_of(e), score, related, e.id, lang="en")
