"""Answer a question from the FAQ, or decline politely.

Ranking (weights in :class:`Weights`, measured on evaluation/knowledge_dev.yaml; the whole story
with figures is in docs/knowledge.md):

* every FAQ entry is indexed as short documents (its canonical question and each phrasing) and
  once as a whole (question + phrasings + part of its answer);
* a question becomes weighted terms (knowledge.query: synonyms, readings, typo corrections);
* an entry's score mixes BM25 and an idf-weighted F1 over its best phrasing, BM25 over the whole
  entry, rapidfuzz similarity of spellings and readings, and a small bonus when the question is of
  the same kind (definition, difference, eligibility) as the entry's canonical question.

Abstention: an answer needs a high enough score AND a high enough share of in-domain evidence
(known words weigh their idf, civic words like 申込 little, unknown words like 住民票 count against).
A question that merely shares a word like 市 with an entry is declined; in between, an "unsure"
band offers up to three もしかして candidates instead of guessing.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge import messages
from knowledge.analysis import (
    ASPECT_TERMS,
    CIVIC_TERMS,
    Token,
    is_hiragana_word,
    tokenize,
    trim_dictionary_memory,
)
from knowledge.bm25 import BM25
from knowledge.language import GREETING, JA, THANKS, courtesy, detect_language
from knowledge.loader import DATA_FILES, load_data
from knowledge.loader import data_dir as chosen_data_dir
from knowledge.models import Answer, FaqEntry, KnowledgeData, Section, Source
from knowledge.normalize import (
    drop_symbols,
    fold,
    is_katakana_sentence,
    normalize,
    spell_out_long_vowels,
    to_hiragana,
)
from knowledge.query import QueryAnalyzer, QueryTerms, focus_sentence
from knowledge.referrals import find_referral
from knowledge.tokencache import TokenCache, data_key
from knowledge.verifier import features

if TYPE_CHECKING:
    from knowledge.english import EnglishAnswerer
from knowledge.understand import (
    Understanding,
    asked_parts,
    break_at_symbols,
    contact_aspect,
    final_clause,
    is_asking,
    is_confirmation,
    question_kind,
    sentences,
    strip_preface,
    understand,
)

MAX_QUESTION_CHARS = 1000
_CIRCLED_RE = re.compile(r"[①-⑩]")
# Compounds that only look like the guideline's words: a 協働ロボット is a factory robot
_LOOKALIKE_RE = re.compile(r"協働型?(?=ロボ)")  # (read as 産業用ロボット)
_LATIN_ZERO_RE = re.compile(r"(?<=[A-Z]{2})0(?![0-9])|(?<![0-9A-Za-z])0(?=[A-Z]{2})")
BLEND_TOP = 12
_HIRAGANA_RE = re.compile(r"[\u3041-\u3096]")
_KANA_GRAMMAR_RE = re.compile(r"[\u4e00-\u9fff][\u30a1-\u30f6]")  # kanji then katakana

# The kind of question asked, read from its wording (on normalised text, so that the katakana of
# メリットは never reads as とは). An entry whose canonical question is of the same kind gets a
# small bonus: 協働とは prefers 協働とは何ですか？ over 協働するメリットは？, 後援と共催の違い prefers
# the entry about the difference, ボランティアグループでも大丈夫？ prefers an entry that asks whether
# someone can take part.
_INTENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("difference", re.compile(r"違い|違う|(?<!っ)ちが[いう]|差|どう異なる")),
    (
        "eligibility",
        re.compile(
            r"も(いい|良い|大丈夫|OK|可能|でき|協働|参加|対象)|(でき|やれ|いけ|なれ)(ます|る)(か|の|[?？])|だめ|ダメ|駄目|無理"
            r"|対象(に|と)な|対象外|対象から|外れ|含まれ|該当|線引き|あり[?？]",
            re.IGNORECASE,
        ),
    ),
    (
        "definition",
        re.compile(
            r"とは|て何|てなに|てなん|の意味|意味は|いみ|どういうもの|どういう意味|どういう内容|どういうこと|どんな内容|定義"
        ),
    ),
    ("why", re.compile(r"なぜ|なんで(?!す)|何で(?!す)|どうして|理由|何のため|なんのため")),
    ("where", re.compile(r"どこ|どの課|どの部署|誰に|だれに|窓口|連絡先|電話")),
    # (やり方 alone is not asking how: 自分たちのやり方でやれますか)
    (
        "howto",
        re.compile(
            r"ばいい|ば良い|どうしたら|どうやって|には[?？]*$|方法|手順|手続|流れ|(やり方|仕方)(は|を|って|[?？]*$)"
        ),
    ),
)


# The polite request around a question (すみません、…について教えていただけますでしょうか,
# …を知りたいです, よろしくお願いします) is the same for every topic. Left in, it makes a question resemble
# whichever phrasings happen to share the wording, so spelling similarity ignores it.
_REQUEST_RE = re.compile(
    r"(について|に関して|に関する|のこと|を|が)?(詳しく|くわしく|簡単に|ざっくり)?"
    r"(教えて|おしえて|知りたい|しりたい|聞きたい|伺いたい|お聞きしたい|確認したい)[^。?？!！]*[。?？!！]*$"
    r"|(よろしく|宜しく)?お願い(します|いたします|致します)[。!！]*$"
    r"|^(すみません|すいません|こんにちは|こんばんは|おはようございます|はじめまして|初めまして|"
    r"質問です|質問があります|お尋ねします|失礼します|あの|えっと)[、。,.!！\s]*"
)


def strip_request(text: str) -> str:
    """``text`` without a trailing polite request; ``text`` itself if nothing else would remain."""
    stripped = text
    for _ in range(2):  # …を知りたいです。よろしくお願いします。
        stripped = _REQUEST_RE.sub("", stripped).strip()
    return stripped if len(stripped) >= 2 else text


def question_intent(text: str) -> str | None:
    text = text.replace(" ", "")  # ｷｮｳﾄﾞｳ ｯﾃ ﾅﾆ: spaces between words carry no meaning here
    for name, pattern in _INTENTS:
        if pattern.search(text):
            return name
    return None


MAX_SUGGESTIONS = 3
PART_AGREE_TOP = 10  # a part's entry must be among this many of the whole message's candidates
_KIND_CLASHES = {
    "what-is": ("how-do-we",),
    "difference": ("how-do-we",),
    "why": ("how-do-we",),
    "can-we": ("how-do-we",),
    "how-do-we": ("what-is", "difference", "why"),
}
# The entry that answers "can a group doing this collaborate?" (第2章(2)'s conditions), for a
# self-introduction followed by a question with no topic of its own (docs/faq-topics.md ids are fixed).
ACTIVITY_ENTRY = "target-activities"
START_ENTRY = "howto-start"  # how to begin collaborating with the city
INFORMAL_GROUP_ENTRY = "target-npo-required"  # whether a group without legal status may partner
STATUS_ENTRY = "proposal-status"  # where a citizen sees what became of a proposal sent through the bot
# 「このLINEから…相談を送った」: something was sent through this account
_SENT_HERE_RE = re.compile(r"(?:LINE|ライン|ボット|bot|このアカウント|ここ|こちら)(?:から|で)[^。？?]{0,24}?送", re.IGNORECASE)
# ... and asks what became of it
_STATUS_WORDS_RE = re.compile(r"どうなっ|どうなり|返事|返信|状況|進捗|連絡が(?:な|来|こ)")
NONPROFIT_ENTRY = "target-nonprofit"  # what "not for profit" means for collaboration
# 「参加費をとると営利にあたりますか」: whether something counts as profit-making ...
_COUNTS_AS_PROFIT_RE = re.compile(
    r"(?:営利|えいり|もうけ|儲け|収益事業)(?:目的)?(?:に|と)?(?:なり|なる|なっ|あたり|あたる|当たり|当たる|みなされ|見なされ|該当|扱い)"
)
# ... for collaboration with the city (not a community hall's rule on profit-making)
_COLLABORATION_CONTEXT_RE = re.compile(r"協働|きょうどう|対象|市と|市の|市に")
FORMS_ENTRY = "form-list"  # the forms collaboration takes (第2章(4))
# 「市とはどんな形で協働できますか」「一緒にやる場合はどんな形になりますか」: which forms there are
_WHICH_FORM_RE = re.compile(
    r"(?:どういう|どんな|どのような)(?:形|かたち|形態)(?:で|の)?(?:協働|きょうどう|一緒に|関わ|かかわ|連携|協力)"
    r"|(?:協働|きょうどう|一緒にやる|一緒に(?:する|活動する)|関わる)(?:には|なら|場合は?)?、?(?:どういう|どんな|どのような)(?:形|かたち|形態)"
)
_CHOOSING_RE = re.compile(r"のがいい|のがよい|のが良い|がいい|がよい|が良い|選べ|選ぶ|向いて|おすすめ")
# a form named in the question (then the question is about that form)
_NAMED_FORM_RE = re.compile(r"後援|共催|委託|補助|助成|実行委員会|協定|情報交換|政策提案")
PUBLIC_BENEFIT_ENTRY = "target-public-benefit"  # whether an activity serves the public (not only members)
# the writers call what they do a hobby (趣味のサークル, 趣味の集まり): whether it serves the public
_HOBBY_RE = re.compile(r"趣味")
# the subject of the question is a group of some form: サークルでも / 小さいグループって / 任意の会も
_INFORMAL_SUBJECT_RE = re.compile(
    r"(?:サークル|グループ|クラブ|チーム|任意団体|(?:小さな|小さい|少人数の|ちいさな)(?:団体|会|集まり)|集まり|有志|仲間|会)"
    r"(?:でも|って|も|は)"
)
# ... or the message says the group is informal: few members, no rules, no name, no legal status
_INFORMAL_GROUP_RE = re.compile(
    r"会則|規約|名前もない|人数が少な|少人数|[0-9０-９一二三四五六七八九十]人(?:の|で|だけ|ほど|くらい|ぐらい)"
    r"|任意団体|法人格|法人(?:化|に|には)?(?:して|なって|はして)?(?:い)?(?:ない|ません)|PTA|保護者会|子ども会|子供会|老人クラブ"
)
# ... unless it names what another entry is about (大学のサークルでも…, 市外のグループでも…)
_OTHER_SUBJECT_RE = re.compile(r"法人|企業|会社|お店|商店|大学|学校|学生|自治会|町会|町内会|市外|政治|議員|宗教|教会|お寺|個人")
# The entry for a person who wants to volunteer, or a group that wants volunteers (社協's centre).
VOLUNTEER_ENTRY = "volunteer-centre"
# 「音訳ボランティアやってみたい！どこで募集してる？」「子どもと関われるボランティアある？」: a wish to do
# volunteer work, to find it, or to find volunteers (the centre's business, whatever the activity)
# (the work itself, not a ボランティア団体 to found, a ボランティア休暇 to introduce or ボランティア元年)
_VOLUNTEER = r"(?:ボランティア|ボランテ[イィ]?ア|ぼらんてぃあ)(?!団体|グループ|サークル|の会|休暇|元年|保険)"
_SEEKS_VOLUNTEERING_RE = re.compile(
    _VOLUNTEER + r"(?:活動|スタッフ|さん)?[^。?!]{0,15}?"
    r"(?:(?:し|やり|やってみ|してみ|参加し|行き|始め|探し|募集し|集め|呼び|依頼し|頼み|来てもらい|なり|登録し(?:ておき)?)たい"
    r"|(?:しよう|やろう|行こう|参加しよう|始めよう|なろう)と(?:思|考)"  # ボランティアに行こうと思っています
    r"|募集|探して|紹介|相談|窓口)"
    # 「傾聴ボランティアをするには」: how to do it oneself (not how to found a group of volunteers)
    r"|" + _VOLUNTEER + r"(?:活動)?(?:を|に)?(?:する|参加する|始める)には"
    r"|" + _VOLUNTEER + r"(?:活動)?(?:は|って|が|とか|も|みたいなの|みたいなもの|なんか)?(?:ある|あります|ない)(?:[?]|か|でしょうか|の|$)"
)
_WHERE_OR_WHETHER_RE = re.compile(r"募集|紹介|どこ|どちら|窓口|(?:ある|あります)(?:[?]|か|でしょうか|の|$)")
# 「高校生が参加できるボランティアって何がある？」: which volunteer work is on offer (also as a what-is)
_VOLUNTEERING_ON_OFFER_RE = re.compile(r"(?:できる|参加できる|関われる|行ける|いける|やれる|募集している|募集してる)" + _VOLUNTEER)
# ... unless it is about something else the volunteer work needs (insurance, money, a legal form) or
# about collaborating with the city (ボランティア団体ですが市と協働できますか)
_VOLUNTEER_OTHER_RE = re.compile(
    r"協働|市と(?:一緒|協力|連携)|保険|助成|補助|お金|費用|寄付|謝礼|交通費|税|法人|届け?出|後援|共催|委託"
)
# Words that only ask for a definition (NPOとは、具体的に何を指しますか)
_DEFINITION_TERMS = frozenset(fold(w) for w in ["指す", "具体的", "意味", "定義", "言葉", "内容", "簡単"])
# Words that say a question is about an activity or project (the desk for it: 子育て支援の活動だと窓口は？)
_PROJECT_TERMS = frozenset(fold(w) for w in ["活動", "企画", "事業", "団体", "提案", "イベント", "講座", "プロジェクト"])
_WHICH_DESK_RE = re.compile(r"どこ|どちら|どの|誰|だれ|何課|なに課")  # (not 担当課だけですか?)
_OTHER_MATTER_RE = re.compile(r"補助|助成|お金|資金|費用|後援|共催|委託|結成|設立|立ち上げ|作りたい|つくりたい|保険|登録")
# Words that name the 協働 desk, not a topic (協働の係, 担当の課, コミュニティ文化課)
_DESK_TERMS = frozenset(fold(w) for w in ["係", "担当", "担当課", "課", "部署", "窓口", "こみゆにてい", "文化", "コミュニティ文化課"])
# Which fact of contacts.yaml a contact question asks for
_CONTACT_FACTS = {"phone": "phone", "place": "address", "hours": "hours"}
# The numbers of a message's questions, as answer() writes ①② and 1. 2.: " (1) "
_ENUMERATED_RE = re.compile(r"\(\d+\)")
# Words that only say "together with the city" (市と一緒に, 組む, 協力): no topic of their own.
_KYODO_TERMS = frozenset(fold(w) for w in ["協働", "一緒", "組む", "協力", "連携", "共同", "協同", "何か"])
DIFFERENCE_ANSWERS = ("difference", "what-is")  # kinds of entry that can answer "how do X and Y differ"
_PROCEDURE_TERMS = frozenset(
    fold(w) for w in ["申請", "応募", "申込", "申し込み", "申し込む", "登録", "予約", "交付"]
)
_PARTNER_TERMS = frozenset(fold(w) for w in ["協働", "対象", "相手", "パートナー"])
# Words that, alone, do not say what a question is about (協働 alone does: 協働とは)
# In a self-introduction, a noun followed by から/より (町会から独立した…, 学校から頼まれて…) names
# something other than the writer's own group.
_NOT_THE_WRITER_RE = re.compile(r"[一-龥ァ-ヴー々・]+(?:から|より)")
_VAGUE_TERMS = frozenset(fold(w) for w in ["活動", "団体", "事業", "参加", "相手", "市民活動", "グループ"])
_REFERENT_TERMS = frozenset(fold(w) for w in ["対象", "目的", "人", "もの", "物", "場合", "施設", "制度", "誰"])
_DEICTIC_RE = re.compile(r"(?:この|その|あの|上記の?|こういった|そういった|こうした|そうした)(?!指針|ボット|bot|アカウント|アプリ|チャット|トーク|サービス|ページ|サイト|前|間|後|度|頃|先|辺|際|ほか|他)[一-龥ァ-ヶー]", re.IGNORECASE)
_NEGATION = frozenset(fold(w) for w in ["ない"])
_AMOUNT_RE = re.compile(r"いくら|何円|なんえん|金額|額は|幾ら|料金は|費用は")
# 団体はどのくらいあるの？ / 何団体？: a question about how many there are
_COUNT_RE = re.compile(
    r"(?:どのくらい|どれくらい|どれぐらい|どのぐらい)(?:ある|あり|い(?:る|ます)|存在)|いくつ|何団体|何法人|何件|件数|数は"
)
_NUMBER_RE = re.compile(r"[0-9０-９]+(?:法人|団体|件|人|か所|カ所|ヶ所)")  # a count in an answer
_YEN_RE = re.compile(r"[0-9０-９]+(?:万|千)?円|金額|費用の額")  # an amount, or what it says about amounts
SCREEN_TOP = 12  # candidates screened and re-ranked for the question asked
SUBJECT_MAX_ENTRIES = 3  # a phrasing word used by at most this many entries tells what an entry is about
IMPLIED_WEIGHT = 0.8
TOPIC_WEIGHT = 1.3  # a word of the question's theme (後援って…)  # 協働, implied by a self-introduction followed by a question with no topic
_YES_NO_OPENER_RE = re.compile(r"^(?:はい|いいえ)[。、，,]\s*")
# Words that frame an eligibility question rather than say whom or what it is about
# (企業も協働できますか: the subject is 企業, not 協働 or 対象).
_FRAME_TERMS = frozenset(
    fold(w)
    for w in [
        "協働",
        "対象",
        "団体",
        "活動",
        "市",
        "市民活動",
        "市民活動団体",
        "市民活動団体等",
        "相手",
        "事業",
        "ない",
        "駄目",
        "だめ",
        "参加",
        "違い",
        "違う",
    ]
)
# Words for any group (a 大学のサークル is a サークル too): they never name whom an entry is about
# who is speaking, not what about (うちみたいな団体でも…)
_PRONOUNS = frozenset(fold(w) for w in ["うち", "私", "私たち", "自分", "自分たち", "我々", "こちら", "当方", "みんな"])
_GROUP_WORDS = frozenset(fold(w) for w in ["サークル", "グループ", "クラブ", "チーム", "会", "仲間"])
_GREETINGS = frozenset(fold(w) for w in messages.GREETING_WORDS)
_THANKS = frozenset(fold(w) for w in messages.THANKS_WORDS)


@dataclass(frozen=True, slots=True)
class Weights:
    """Scoring and abstention parameters, chosen by measuring on evaluation/knowledge_dev.yaml."""

    phrasing: float = 0.2  # best short-document BM25, normalised
    f1: float = 0.4  # best idf-weighted F1 of question terms vs a short document's terms
    entry: float = 0.1  # whole-entry BM25, normalised
    entry_long: float = 0.3  # moved from ``f1`` to ``entry`` for long messages (full at top_terms + 8)
    fuzzy: float = 0.4  # best rapidfuzz ratio of folded strings / 100
    intent: float = 0.1  # bonus when the canonical question is of the same kind (definition …)
    compare_penalty: float = 0.05  # a comparison entry (後援と共催の違い) for another kind of question
    focus_blend: float = 0.5  # long message, neither it nor its question confident: their mix ranks
    intent_thin: float = 0.2  # ... when the question has a single topic word (flat 0.2-0.3)
    question: float = 0.1  # rapidfuzz ratio against the canonical question (the most typical wording)
    cap: float = 1.5  # normalised BM25 scores are capped here (very short documents score high)
    beta2: float = 1.0  # F-measure beta squared (>1 favours covering the question)
    top_terms: int = 4  # coverage is judged against the question's strongest terms
    max_unknown: float = 3  # unknown words counted at most this many times
    weak_unknown: float = 0.3  # an unknown verb / adverbial noun (最近, 持ち込む) counts this much
    answer_at: float = 0.5  # answer when the best score reaches this ...
    min_domain: float = 0.6  # ... and this share of the question's information is in-domain;
    anchor_at: float = 6.0  # or: topic words of this much idf mass are present ...
    anchor_answer_at: float = 0.4  # ... the score reaches this ...
    anchor_min_domain: float = 0.4  # ... and the in-domain share this (long messages)
    anchor_short_answer_at: float = 0.7  # ... or this, in a message shorter than ``short_chars``
    short_chars: int = 20
    unknown_answer_at: float = 0.7  # ... or this, when the question holds a word the knowledge base does not know
    unsure_at: float = 0.3  # below "answer", offer もしかして candidates from this score
    domain_floor: float = 0.5  # share of an unseen word's idf that any known word counts at least
    civic_weight: float = 0.3  # how much a civic word (申込, 窓口 …) counts as in-domain evidence
    background_weight: float = 0.3  # a word only the answers or the guideline use (販売, 会費)
    modifier_weight: float = 0.3  # ... and a known word modifying an unknown head (ボランティア保険)
    fuzzy_override: float = 90.0  # a near-verbatim phrasing answers even with generic words only
    answer_text_weight: float = 0.5  # the answer text counts less than phrasings in the entry doc
    min_coverage: float = 0.55  # answer only if the entry has this share of what the question asks ...
    coverage_chars: int = 10  # ... in a question (asking part) of at least this many characters
    coverage_unknown: float = 0.5  # how much an unknown word of the question counts against coverage
    uncovered: float = 0.1  # an entry without any topic word of the asking part (when there is context)
    kind_clash: float = 0.1  # an entry of a clashing kind (how-to for a what-is question …)
    aspect: float = 0.15  # a contact question's aspect (phone, hours, place, office) matches the entry's
    margin: float = 0.06  # the best answer must lead an unrelated runner-up by this much
    yes_no_coverage: float = 0.7  # a はい/いいえ answer needs this share of the question covered


@dataclass(slots=True)
class Candidate:
    entry: FaqEntry
    score: float
    phrasing: float
    whole: float
    fuzzy: float
    f1: float = 0.0
    question: float = 0.0


@dataclass(slots=True)
class Analysis:
    """Everything the answerer computed for one question (for evaluation and debugging)."""

    text: str
    terms: QueryTerms
    domain: float
    candidates: list[Candidate]
    mass: float = 0.0  # idf mass of the known terms
    n_unknown: int = 0
    anchor: float = 0.0  # idf mass of topic words (see Answerer.anchors)
    intent: str | None = None  # the kind of question (see question_intent)
    nouns: int = 0  # known topic nouns (not civic words, modifiers, aspects or guesses)


def verbatim_match(c: Candidate, w: Weights) -> bool:
    """The question is (nearly) one of the entry's phrasings."""
    return c.fuzzy * 100 >= w.fuzzy_override


_KANA_ONLY_RE = re.compile(r"[ぁ-ゖー]+")
# 「Xの演奏会に後援」「Xでも市の協働の対象」: X is what the form is wanted for (not 後援会, a
# politician's supporters)
_FORM_FOR_RE = re.compile(r"^(.{2,40}?)(?:に|の|で|でも|へ)、?(?:市の|市に|市から|市と)?(?:後援(?!会)|共催|協働)")
# a question that only asks whether the same holds here (こがねいでも同じ？ それも？)
_FOLLOW_UP_RE = re.compile(r"^[^。？?]{0,12}(?:同じ|おなじ|一緒|いっしょ|同様)(?:ですか|でしょうか|なの|か)?[？?]*$|^(?:それ|これ)(?:も|は)[？?]*$")
# 「…と協働するには」「市と一緒にやるには」「協働で行いたい…進め方」: how to go about collaborating
_HOW_TO_COLLABORATE_RE = re.compile(r"(?:協働|きょうどう|一緒に(?:やる|する|活動する))(?:する|を始める|を進める)?(?:には|ための|場合の|にあたって)")
# whom a how-to names as the partners, which says nothing about what is asked (学校と市と私たちで)
_PARTNER_KINDS = frozenset(
    fold(w) for w in ["学校", "小学校", "中学校", "大学", "企業", "会社", "自治会", "町会", "市民", "地域", "団体", "私たち", "市"]
)
# the two things a comparison names: 「目的」と「目標」, 委託と補助の
_NAMED_PAIR_RE = re.compile(r"「([^」]{1,12})」と「([^」]{1,12})」|([一-龥ァ-ヶー]{2,8})と([一-龥ァ-ヶー]{2,8})(?:の|って|は)")
_PURPOSE_RE = re.compile(r"目的|狙い|ねらい|理由|背景|必要性|なんのため|何のため|きっかけ")

# a question word asking what, how or which (not 何か, どこか: "something", "somewhere"; not
# 「…はどう？」, which asks whether)
_WH_RE = re.compile(
    r"(?:何|なに|どこ|だれ|誰|いつ|どれ)(?!か|も)|どんな|どのような|どういう|どの(?!くらい)|どう(?:やって|すれば|したら)"
)


# 「X(は|って|も)…対象になりますか」: X is what the eligibility question is about
_ELIGIBLE_SUBJECT_RE = re.compile(r"^(?:[^。、]*?[、,])?([^。、]{1,15}?)(?:は|って|も|でも)、?[^。、]{0,6}?対象(?:に|と)")


# after a word, what makes it a place rather than what the writer is (神社の近くで, 教会を借りて)
_PLACE_AFTER_RE = r"(?:の(?:近く|近所|隣|前|横|裏|境内|周辺|ホール|会館|施設)|で|にある|を(?:借り|お借り|使)|から)"


def _names_the_writer(term: str, activity: str) -> bool:
    """Whether ``term`` in a self-introduction says what the writer is (議員の後援会です), not only
    where they meet (神社の近くの公民館で…). A term not found as typed (a reading, a synonym)
    counts as naming the writer."""
    text = activity.replace(" ", "")
    at = [m.end() for m in re.finditer(re.escape(term), text)]
    return not at or any(not re.match(_PLACE_AFTER_RE, text[i:]) for i in at)


class Answerer:
    """Built once per process from the shipped data (see :meth:`load`); answering is read-only and
    thread-safe."""

    def __init__(self, data: KnowledgeData, weights: Weights | None = None, cache_key: str | None = None):
        self.data = data
        self._tokens = TokenCache(cache_key)
        self.weights = weights or Weights()
        self.entries: tuple[FaqEntry, ...] = data.faq
        self._by_id = {e.id: e for e in data.faq}
        self._index_of = {e.id: i for i, e in enumerate(data.faq)}
        self._sections = {s.id: s for s in data.sections}
        # the second opinion on answers (verifier.json of the data directory; None: rules only)
        self.verifier = getattr(data, "verifier", None)
        self._build()
        self._tokens.save()
        del self._tokens  # only needed while building
        trim_dictionary_memory(0)  # a long-running process need not keep the build's pages

    # -- construction ----------------------------------------------------------------------------
    data_dir: Path | None = None  # (set by load(); None: the shipped data)
    _cache: dict[Any, Answerer] = {}
    _cache_lock = threading.Lock()

    @classmethod
    def load(
        cls,
        data_dir: Path | str | None = None,
        extra_faq: Iterable[Mapping[str, Any]] | None = None,
        *,
        strict: bool = True,
    ) -> Answerer:
        """The answerer for the shipped data (or ``data_dir``), cached per process.

        ``extra_faq`` adds entries in faq.yaml's shape (e.g. written by staff); such an answerer is
        not cached.
        """
        base = Path(data_dir) if data_dir else chosen_data_dir()
        key = str(base.resolve())
        files = [base / n for n in DATA_FILES]
        if extra_faq:
            extra = list(extra_faq)
            built = cls(load_data(base, extra, strict=strict), cache_key=data_key(files, repr(extra).encode()))
            built.data_dir = base
            return built
        with cls._cache_lock:
            if (key, strict) not in cls._cache:
                cls._cache[(key, strict)] = cls._load_built(base, files, strict)
                cls._cache[(key, strict)].data_dir = base  # where faq_en.yaml is read (lazily)
            return cls._cache[(key, strict)]

    @classmethod
    def _load_built(cls, data_dir: Path | str | None, files: list[Path], strict: bool) -> Answerer:
        """Validate the data and build the index; the tokens come from the on-disk cache when the
        data, code and dictionary are unchanged (see knowledge.tokencache). Invalid data raises."""
        key = data_key(files, b"strict" if strict else b"lenient")
        return cls(load_data(data_dir, strict=strict), cache_key=key)

    def _build(self) -> None:
        readings: dict[str, str] = {}
        vocabulary: set[str] = set()
        key_terms: set[str] = set()

        groups: dict[int, set[str]] = {}

        nouns: set[str] = set()

        def terms_of(text: str, key: bool) -> list[str]:
            out = []
            for t in self._tokens.tokens(normalize(text)):
                if t.content:
                    out.append(t.term)
                    if t.pos == "名詞":
                        nouns.add(t.term)
                    if key and not is_hiragana_word(t.surface):  # (こうえん was typed for 後援, not 公園)
                        for g in t.groups:
                            groups.setdefault(g, set()).add(t.term)
                    # only the dictionary form's reading (入っ reads はいっ, not 入る's はいる)
                    if t.pos == "名詞" or fold(t.surface) == t.term:
                        readings.setdefault(t.term, t.reading)
            vocabulary.update(out)
            if key:
                key_terms.update(out)
            return out

        docs: list[list[str]] = []
        self._doc_mass: list[float] = []
        self._doc_entry: list[int] = []
        self._doc_folded: list[str] = []
        self._doc_reading: list[str] = []
        entry_docs: list[list[str]] = []
        answer_vocab: list[set[str]] = []
        self._question_docs: set[int] = set()
        self._intent = [question_intent(normalize(e.question)) for e in self.entries]
        for i, e in enumerate(self.entries):
            whole: list[str] = []
            self._question_docs.add(len(docs))
            for text in (e.question, *e.phrasings):
                toks = terms_of(text, key=True)
                docs.append(toks)
                self._doc_entry.append(i)
                core = strip_request(normalize(text))
                self._doc_folded.append(fold(core))
                self._doc_reading.append(self._reading(self._tokens.tokens(core)))
                whole.extend(toks)
            answer_terms = terms_of(e.answer, key=False)
            # the answer is long and less focused than the phrasings: only its first part counts
            keep = int(round(len(answer_terms) * self.weights.answer_text_weight))
            entry_docs.append(whole + answer_terms[:keep])
            answer_vocab.append(set(answer_terms))
        for s in self.data.sections:
            terms_of(s.title, key=False)
            terms_of(s.text, key=False)
        for g in self.data.synonyms:
            key_terms.update(terms_of(g.term, key=True))
        # variants that name a thing of their own, not a spelling of the term (子ども会, 老人クラブ
        # for 市民活動団体; not the reading しゅうきょう): what-is questions about them (_defines_other_thing)
        # (市民協働 holds 協働 itself: another name for it, not a kind of it)
        self._narrow_variants = frozenset(
            v
            for g in self.data.synonyms
            for v in (normalize(x).replace(" ", "") for x in g.variants)
            if normalize(g.term).replace(" ", "") not in v
            and not _KANA_ONLY_RE.fullmatch(v)
            and not v.startswith(("この", "その", "あの"))  # このアカウント: the thing itself, pointed at
        )
        self.vocabulary = frozenset(vocabulary)
        self._noun_terms = frozenset(nouns)  # terms the data uses as nouns (補助, not 始める)
        self._key_terms = frozenset(key_terms)
        self.index = BM25(docs)
        self._doc_mass = [sum(self.index.term_idf(t) for t in set(d)) for d in docs]
        self._doc_inv_mass = [1.0 / m if m else 0.0 for m in self._doc_mass]
        self.entry_index = BM25(entry_docs)
        frequency: dict[str, int] = {}
        for d in docs:
            for t in d:
                frequency[t] = frequency.get(t, 0) + 1
        self.analyzer = QueryAnalyzer(
            vocabulary,
            key_terms,
            readings,
            self.data.synonyms,
            frequency,
            build_tokenize=self._tokens.tokens,
            groups=groups,
        )
        # Topic words: what the canonical questions and the synonym list are about.
        self.anchors = frozenset(t for e in self.entries for t in terms_of(e.question, key=True)) | frozenset(
            t for g in self.data.synonyms for t in terms_of(g.term, key=True)
        )
        # Entries that answer a yes/no question (their answer opens with はい/いいえ), and what that
        # question is about: the words of its canonical question and the words of its phrasings
        # that at most one other entry uses (企業, 会社, CSR for target-company).
        entry_df: dict[str, int] = {}
        entry_terms: list[set[str]] = [set() for _ in self.entries]
        for d, i in enumerate(self._doc_entry):
            entry_terms[i].update(docs[d])
        for ts in entry_terms:
            for t in ts:
                entry_df[t] = entry_df.get(t, 0) + 1
        self._entry_df = entry_df
        self._asked_terms = [frozenset(ts) for ts in entry_terms]  # question and phrasings only
        # entries that tell who or what is NOT a partner (政治・宗教活動は対象になりません)
        self._excludes = [("対象になりません" in e.answer or "対象外" in e.answer) for e in self.entries]
        self._yes_no = [bool(_YES_NO_OPENER_RE.match(e.answer)) for e in self.entries]
        self._kind = [question_kind(normalize(e.question)) for e in self.entries]
        # entries that can answer "why" (なぜ市は協働を進めているの？): a why-question among their own
        # question and phrasings, or a purpose, reason or background as their subject
        self._answers_why = [
            any(question_kind(normalize(q)) == "why" or _PURPOSE_RE.search(q) for q in (e.question, *e.phrasings))
            for e in self.entries
        ]
        # the entry whose own question asks what a thing is (協働とは何ですか？ -> 協働)
        # (or a phrasing of a what-is entry does: NPO法人とは; a thing two entries define is left out)
        defining: dict[str, set[int]] = {}
        for i, e in enumerate(self.entries):
            if self._kind[i] != "what-is":
                continue
            for text in (e.question, *e.phrasings):
                m = re.match(r"「?([^「」]+?)」?(?:(?<![こあひも])とは|って(?:何|なに|なん))", normalize(text).replace(" ", ""))
                if m:
                    defining.setdefault(m.group(1), set()).add(i)
        self._defining = {thing: next(iter(ix)) for thing, ix in defining.items() if len(ix) == 1}
        self._aspect = [
            contact_aspect(normalize(e.question)) if k == "contact" else None
            for e, k in zip(self.entries, self._kind, strict=True)
        ]
        self._subjects: list[frozenset[str]] = []
        self._named: list[frozenset[str]] = []  # what the canonical question itself names
        # words no other entry uses (議員, 後援会 for target-politics): strong enough for a
        # self-introduction to say the writer is what an exclusion is about
        self._own: list[frozenset[str]] = []
        for i, e in enumerate(self.entries):
            named = set(terms_of(e.question, key=True)) - _FRAME_TERMS - CIVIC_TERMS
            # (a single kanji such as 会 of 子ども会 says too little to be what an entry is about)
            own = named | {
                t
                for t in entry_terms[i]
                if entry_df[t] <= SUBJECT_MAX_ENTRIES and (len(t) > 1 or t.isascii())
            }
            self._named.append(frozenset(named))
            # (words for any group are the subject only of the entry on informal groups:
            # サークルでも協働できますか asks whether a group without legal status may partner)
            group_words = _GROUP_WORDS if e.id != INFORMAL_GROUP_ENTRY else frozenset()
            self._subjects.append(frozenset(own - _FRAME_TERMS - CIVIC_TERMS - group_words))
            self._own.append(
                frozenset(named | {t for t in entry_terms[i] if entry_df[t] == 1 and len(t) > 1})
                - _FRAME_TERMS
                - CIVIC_TERMS
            )
        # Entries that answer a question about one particular subject: a yes/no answer, an
        # eligibility entry of the target category that names whom it is about (政治団体も協働
        # できますか), a comparison (後援と共催の違い). See _screen.
        self._gated = [
            self._yes_no[i]
            or (e.category == "target" and self._kind[i] == "can-we" and bool(self._named[i]))
            or self._kind[i] == "difference"
            for i, e in enumerate(self.entries)
        ]
        self.contacts = {c.id: c for c in self.data.contacts}
        # the words of each entry: its question, phrasings and answer
        self._entry_terms = [
            frozenset(ts) | frozenset(d) for ts, d in zip(entry_terms, answer_vocab, strict=True)
        ]

    @staticmethod
    def _reading(tokens: list[Token]) -> str:
        """Folded reading of a text; symbols and spaces drop out."""
        return "".join(t.reading for t in tokens if t.pos not in ("補助記号", "空白"))

    # -- lookups for menus and citations -----------------------------------------------------------
    def entry(self, faq_id: str) -> FaqEntry | None:
        return self._by_id.get(faq_id)

    def section(self, section_id: str) -> Section | None:
        return self._sections.get(section_id)

    def sources_of(self, entry: FaqEntry) -> list[Source]:
        return [Source(s.id, s.title) for s in (self._sections[i] for i in entry.sources)]

    # -- retrieval ---------------------------------------------------------------------------------
    def analyze(
        self,
        text: str,
        focus: bool = True,
        *,
        focus_text: str | None = None,
        description: bool = False,
        implied: Mapping[str, float] | None = None,
    ) -> Analysis:
        """Rank the FAQ entries for normalised ``text`` (``focus``: read a long message as context
        and question; ``focus_text``: the asking part, when known; ``description``: the rest of
        the message describes the writer's group; ``implied``: terms the question means without
        saying them)."""
        w = self.weights
        tokens = tokenize(text)
        if focus_text is None and (not focus or focus_sentence(text, self.analyzer.has_topic) is None):
            q = self.analyzer.analyze(text, focus=False)  # (memoised: shared with the understanding steps)
        else:
            q = self.analyzer.analyze(
                text, tokens, focus=focus, focus_text=focus_text, context_is_description=description
            )
        if (thing := _FORM_FOR_RE.search(text.replace(" ", ""))) is not None and q.unknown:
            # 「合唱団の演奏会に後援はもらえますか」: the words before a form only the city's
            # collaboration has (後援, 共催, 協働) name what the form is wanted for; that the
            # knowledge base does not know a choir or a concert is no sign of another matter
            named = set(self.analyzer.analyze(thing.group(1), focus=False).unknown)
            if named & set(q.unknown):
                q = dataclasses.replace(q, unknown=[t for t in q.unknown if t not in named])
        if description and focus_text:
            # …をしている団体です: the introduction's 団体, 活動 say nothing about what is asked
            asked = self.analyzer.analyze(focus_text, focus=False).weights
            for term in [t for t in q.weights if t in _FRAME_TERMS and t not in asked]:
                del q.weights[term]
        if implied:
            q = dataclasses.replace(q, weights=dict(q.weights), added=dict(q.added))
            for term, weight in implied.items():
                q.add(term, weight, "implied")
        weights = q.weights
        idf = self.index.term_idf
        masses = sorted((wt * idf(t) for t, wt in weights.items()), reverse=True)
        ideal_all = sum(masses)
        # A long message is about a few things: judge coverage against its strongest terms only.
        ideal = sum(masses[: w.top_terms])
        # Domain share: how much of what was typed the knowledge base knows. Unknown words count
        # as rare (unseen) words; a question about 住民票 is mostly unknown and is declined.
        n_unknown = len(set(q.unknown))
        n_weak = len(set(q.weak_unknown) - set(q.unknown))
        unknown_mass = self.index.unseen_idf * min(n_unknown + w.weak_unknown * n_weak, w.max_unknown)
        # The domain's own words (協働) are frequent in the FAQ, so their idf is low: give every
        # known word at least ``domain_floor`` of evidence.
        floor = w.domain_floor * self.index.unseen_idf
        known = sum(
            wt
            * max(idf(t), floor)
            * (w.civic_weight if t in CIVIC_TERMS else 1.0)
            * (w.modifier_weight if t in q.modifiers else 1.0)
            * (1.0 if t in self._key_terms else w.background_weight)
            for t, wt in weights.items()
            if t not in q.guessed
        )
        domain = known / (known + unknown_mass) if known else 0.0

        # Per short document: BM25, and an idf-weighted F1 of query terms vs document terms.
        bm: dict[int, float] = {}
        matched: dict[int, float] = {}
        matched_plain: dict[int, float] = {}
        for term, wt in weights.items():
            posting = self.index.weighted.get(term)
            if not posting:
                continue
            t_idf = self.index.idf[term]
            w_idf = wt * t_idf
            for d, norm in posting:
                if d in bm:
                    bm[d] += w_idf * norm
                    matched[d] += w_idf
                    matched_plain[d] += t_idf
                else:
                    bm[d], matched[d], matched_plain[d] = w_idf * norm, w_idf, t_idf
        phr: dict[int, float] = {}
        f1s: dict[int, float] = {}
        if ideal:
            # (the hot loop of a long message: every document shares some word with it)
            inv_ideal, cap, beta2 = 1.0 / ideal, w.cap, w.beta2
            doc_entry, doc_inv_mass = self._doc_entry, self._doc_inv_mass
            for d, s in bm.items():
                e = doc_entry[d]
                p = s * inv_ideal
                if p > cap:
                    p = cap
                qcov = matched[d] * inv_ideal
                if qcov > 1.0:
                    qcov = 1.0
                dcov = matched_plain[d] * doc_inv_mass[d]
                if dcov > 1.0:
                    dcov = 1.0
                f1 = (1 + beta2) * qcov * dcov / (beta2 * dcov + qcov) if qcov + dcov else 0.0
                if p > phr.get(e, 0.0):
                    phr[e] = p
                if f1 > f1s.get(e, 0.0):
                    f1s[e] = f1
        whole = self.entry_index.scores(weights)
        e_masses = sorted((wt * self.entry_index.term_idf(t) for t, wt in weights.items()), reverse=True)
        ideal_whole = sum(e_masses[: w.top_terms])

        from rapidfuzz import fuzz, process

        # Fuzzy similarity of the whole question to each phrasing, on the folded spelling and on
        # the reading (so なにができるの meets 何ができるの and ｷｮｳﾄﾞｳ meets 協働).
        fz: dict[int, float] = {}
        qfz: dict[int, float] = {}  # the same, against the canonical question only
        # compared without the polite request, and after typo corrections (自冶会 -> 自治会)
        core = strip_request(q.corrected(focus_text or text))
        core_tokens = tokens if core == text else tokenize(core)
        for query, choices in (
            (fold(core), self._doc_folded),
            (self._reading(core_tokens), self._doc_reading),
        ):
            if not query:
                continue
            for _, s, doc in process.extract(query, choices, scorer=fuzz.ratio, limit=None, score_cutoff=40):
                e = self._doc_entry[doc]
                if s > fz.get(e, 0.0):
                    fz[e] = s
                if doc in self._question_docs and s > qfz.get(e, 0.0):
                    qfz[e] = s

        asked = focus_text or text
        intent = question_intent(to_hiragana(asked) if is_katakana_sentence(asked) else asked)
        # A long message reads like a small document: match it more against whole entries.
        # (weight moves from the short-document F1 to the whole entry; the total stays the same)
        shift = w.entry_long * min(1.0, max(0.0, (len(weights) - w.top_terms) / 8))
        entry_w, f1_w = w.entry + shift, w.f1 - shift
        # with a single topic word (PTAでも協働できる？) the kind of question says most
        intent_bonus = w.intent_thin if len(weights) <= 1 else w.intent
        cands = []
        for e in set(phr) | set(whole) | set(fz):
            p = phr.get(e, 0.0)
            f1 = f1s.get(e, 0.0)
            h = min(whole.get(e, 0.0) / ideal_whole, w.cap) if ideal_whole else 0.0
            f = fz.get(e, 0.0) / 100.0
            qf = qfz.get(e, 0.0) / 100.0
            score = w.phrasing * p + f1_w * f1 + entry_w * h + w.fuzzy * f + w.question * qf
            if intent and self._intent[e] == intent:
                score += intent_bonus
            elif self._intent[e] == "difference":  # a comparison answers only a comparison
                score -= w.compare_penalty
            cands.append(Candidate(self.entries[e], score, p, h, f, f1, qf))
        cands.sort(key=lambda c: (-c.score, c.entry.id))
        anchor = sum(idf(t) * wt for t, wt in weights.items() if t in self.anchors)
        nouns = sum(
            1
            for t in weights
            if t in self._noun_terms
            and t not in CIVIC_TERMS
            and t not in ASPECT_TERMS
            and t not in q.modifiers
            and t not in q.guessed
            and t in self._key_terms
        )
        return Analysis(text, q, domain, cands, ideal_all, n_unknown, anchor, intent, nouns)

    # -- answering ---------------------------------------------------------------------------------
    def answer(self, question: str, lang: str | None = None) -> Answer:
        """Answer one question. Never raises for any string input (except invalid faq_en.yaml).

        A message in English (or romaji) is answered in English, one in another language gets a
        short note (knowledge.english, built on the first such message); ``lang`` is the user's
        language when known ("ja"/"en"), used when the text alone does not tell (NPO, 123)."""
        raw = question if isinstance(question, str) else str(question or "")
        # ①②③ number the questions of a message; NFKC would make them plain digits glued to the text
        text = normalize(_CIRCLED_RE.sub(lambda m: f" ({ord(m.group()) - 0x245F}) ", raw))
        text = _LATIN_ZERO_RE.sub("O", text)  # NG0, NP0: a zero typed for the letter O
        text = _LOOKALIKE_RE.sub("産業用", text)
        language = detect_language(text, lang)
        if language != JA:
            return self.english().answer(text, language)
        if not text:
            return Answer(False, messages.EMPTY.format(guideline=self.guideline_name), "empty")
        if len(text) > MAX_QUESTION_CHARS:
            return Answer(False, messages.too_long(MAX_QUESTION_CHARS), "too_long")
        if not any(unicodedata.category(c)[0] in "LN" for c in text):
            return Answer(False, messages.NO_TEXT, "no_text")
        small_talk = self._small_talk(text)
        if small_talk:
            return small_talk
        text = strip_preface(text)
        u = understand(drop_symbols(break_at_symbols(text)), self._names_topic)
        parts = asked_parts(drop_symbols(break_at_symbols(text)), self._names_part_topic)
        whole = self._answer_one(text, u)
        if parts and whole.reason != "out_of_scope":
            # (a message the bot declines as a whole is not about 協働: its parts are not either)
            return self._answer_parts(parts, u, whole)
        return whole

    def _answer_part(self, part: str) -> Answer:
        """One question of several; answered only when it is answered the same way on its own
        and after the introduction (a part is short, and a short question is easily misread)."""
        u = understand(part, self._names_topic)
        r = self._answer_one(part, u)
        if r.answered and u.context:
            alone = self._answer_one(u.question, understand(u.question, self._names_topic))
            if alone.faq_id != r.faq_id:
                return Answer(False, "", "unsure", score=r.score, suggestions=[self._by_id[r.faq_id].question])
        return r

    def _names_part_topic(self, text: str) -> bool:
        """Whether a later question of a message is a question of its own: it names a topic noun
        (not only メリットは？ or 新しいのはありますか, which are about the question before)."""
        nouns = self._typed_nouns(self.analyzer.analyze(text, focus=False), unknown=True)
        return len(nouns) >= 2 or (len(nouns) == 1 and len(text.replace(" ", "")) >= 10)

    def _typed_nouns(self, q: QueryTerms, *, unknown: bool = False, vague: bool = True) -> list[str]:
        """The topic nouns a piece was typed with: not civic words, aspects (相談, 電話), pronouns
        (うち) or guesses; ``unknown``: words the knowledge base does not know count too;
        ``vague=False``: nor generic words (活動, 団体) and words for any group (サークル)."""
        return [
            t
            for t in q.weights
            if t in q.typed
            and t not in CIVIC_TERMS
            and t not in ASPECT_TERMS
            and t not in _PRONOUNS
            and t not in q.guessed
            and (t in self._noun_terms or (unknown and t in q.unknown))
            and (vague or (t not in _VAGUE_TERMS and t not in _GROUP_WORDS))
        ]

    def _analysis(self, text: str, u: Understanding) -> Analysis:
        return self.analyze_described(u) if u.activity else self.analyze_message(text, self._topic_terms(u))

    def _answer_one(self, text: str, u: Understanding) -> Answer:
        referrals = getattr(self.data, "referrals", ())
        # (the introduction can name what the question is about: NPO法人の理事です。報告書を出し
        # 忘れていたのですが、どうなりますか)
        # (or the question only points back at the sentence before it: 「…保険って社協に登録してないと入れ
        # ないんですか？こがねいでも同じ？」)
        referral = find_referral(referrals, u.question) or (
            find_referral(referrals, u.text) if u.activity or _FOLLOW_UP_RE.search(u.question.replace(" ", "")) else None
        )
        if referral is not None:
            # a matter the guideline is silent about, with a window of its own (referrals.yaml)
            ans = Answer(False, referral.reply, "referral")
        else:
            ans = self.decide(self._analysis(text, u), u)
        ans.kind, ans.activity, ans.asked, ans.yes_no = u.kind, u.activity, u.question, u.yes_no
        return ans

    def _answer_parts(self, parts: list[str], whole: Understanding, as_one: Answer) -> Answer:
        """A message that asks several things (①…②…, …できますか？あと…ありますか？): each question
        is answered on its own, with the self-introduction before it, and the reply takes them in
        order, when every one of them is answered (or referred to its window: referrals.yaml);
        otherwise the whole message is read as one question, as before."""
        results = [(p, self._answer_part(p)) for p in parts]
        # the whole message must agree that an entry is about it: a part read alone can lose
        # what it is about (③終わったら報告書は必要ですか, after ①後援の申請は…)
        agreed = {c.entry.id for c in self._analysis(whole.text, whole).candidates[:PART_AGREE_TOP]}
        results = [
            (p, r if not r.answered or r.faq_id in agreed else Answer(False, "", "unsure", score=r.score))
            for p, r in results
        ]
        done = [(p, r) for p, r in results if r.answered]
        if not done or any(not r.answered and r.reason != "referral" for _, r in results):
            # Only when every question is answered: a reply that answers one part and declines
            # another added wrong answers on the blind sets (each part is one more chance to be
            # wrong), so such a message is read as one question, as before.
            ans = as_one
            ans.parts = [(understand(p, self._names_topic).question, None) for p in parts]
            return ans
        blocks, seen, sources = [messages.SEVERAL_QUESTIONS], set(), []
        for k, (p, r) in enumerate(results):
            asked = understand(p, self._names_topic).question
            head = messages.part_heading(k, asked)
            if r.answered and r.faq_id in seen:
                continue  # (two questions the same entry answers: its answer once)
            seen.add(r.faq_id)
            blocks.append(f"{head}\n{r.text}")  # an answer, or a referral's where-to-ask
            sources += [s for s in r.sources if s not in sources]
        first = done[0][1]
        return Answer(
            True,
            "\n\n".join(blocks),
            "answered",
            sources,
            min(r.score for _, r in done),
            first.suggestions,
            first.faq_id,
            kind=whole.kind,
            activity=whole.activity,
            asked=whole.question,
            yes_no=False,
            parts=[(understand(p, self._names_topic).question, r.faq_id if r.answered else None) for p, r in results],
        )

    def english(self) -> EnglishAnswerer:
        """The English answerer for this data (faq_en.yaml), built once, on first use."""
        from knowledge.english import EnglishAnswerer

        return EnglishAnswerer.for_answerer(self)

    def _names_topic(self, text: str) -> bool:
        """Whether a sentence names a topic of its own (for reading a question together with the
        sentence before it): 市, 窓口, 申請 and other words of any city question do not."""
        return any(t.content and t.term not in CIVIC_TERMS for t in tokenize(text))

    def _topic_terms(self, u: Understanding) -> dict[str, float] | None:
        """The theme of a question weighs more than the rest of it: 後援ってお金も出してもらえる？
        is about 後援 (not about money in general)."""
        if not u.topic or "と" in u.topic:  # NPOと市って…: a pair, not one theme
            return None
        q = self.analyzer.analyze(u.topic, focus=False)
        boost = {
            t: TOPIC_WEIGHT
            for t in q.weights
            if t in self.anchors and t not in CIVIC_TERMS and t not in _FRAME_TERMS
        }
        return boost or None

    def _question_terms(self, u: Understanding) -> QueryTerms:
        q = self.analyzer.analyze(u.question, focus=False)
        if is_katakana_sentence(u.question):  # ｺｳｴﾝ ｷｮｳｻｲ ﾁｶﾞｲ: also read as hiragana
            h = self.analyzer.analyze(spell_out_long_vowels(to_hiragana(u.question)), focus=False)
            q = dataclasses.replace(q, weights=dict(q.weights), added=dict(q.added))  # (q is memoised)
            for t, wt in h.weights.items():
                q.add(t, wt, h.added.get(t, "typed"))
        return q

    def _names_noun(self, q: QueryTerms) -> bool:
        """Whether a piece names a topic noun of the knowledge base (自治会, 宗教), not only civic
        words, aspects (相談, 電話) or verbs."""
        return bool(self._typed_nouns(q, vague=False))

    def _has_own_topic(self, q: QueryTerms) -> bool:
        """Whether the asking part names a topic of the knowledge base (not only 市, 申込 …)."""
        return any(t in self.anchors and t not in CIVIC_TERMS for t in q.weights)

    def analyze_described(self, u: Understanding) -> Analysis:
        """A message that opens with a self-introduction (…をしている団体ですが、協働するには?):
        the question decides; the description counts as context and its unknown words (清掃,
        居場所づくり) are what the group does, not evidence that the question is elsewhere. A
        question with no topic of its own after an introduction (市と何かできますか) is about 協働."""
        implied = None if self._has_own_topic(self._question_terms(u)) else {"協働": IMPLIED_WEIGHT}
        topic = self._topic_terms(u)
        if topic:
            implied = {**(implied or {}), **topic}
        return self.analyze(u.text, focus_text=u.question, description=True, implied=implied)

    def analyze_message(self, text: str, implied: Mapping[str, float] | None = None) -> Analysis:
        """:meth:`analyze` on what carries meaning: pictographs dropped, and a message typed
        entirely in katakana (ｷｮｳﾄﾞｳ ｯﾃ ﾅﾆ, half-width on old phones) also read as hiragana, which
        the reading-based steps understand; the hiragana reading wins unless it understands less of the message."""
        text = drop_symbols(text)
        a = self.analyze(text, implied=implied)
        spelt = spell_out_long_vowels(text)
        if spelt != text:  # こーえん: also read as こうえん (but えぬぴーおー is spelt so)
            b = self.analyze(spelt, implied=implied)
            if b.domain > a.domain or (self._confident(b) and not self._confident(a)):
                a, text = b, spelt
        sentence = focus_sentence(text, self.analyzer.has_topic)
        if sentence and not self._confident(a):
            # A long message's context can dilute a clear question: the asking sentence alone
            # decides when it is confident and the whole message agrees on its answer.
            f = self.analyze(sentence, focus=False, implied=implied)
            if self._confident(f) and f.candidates[0].entry in [c.entry for c in a.candidates[:3]]:
                return f
            if f.candidates:
                # otherwise the whole message and its question vote together
                share = self.weights.focus_blend
                fs = {c.entry.id: c.score for c in f.candidates}
                blended = [  # (the leading candidates are enough to pick from)
                    dataclasses.replace(c, score=(1 - share) * c.score + share * fs.get(c.entry.id, 0.0))
                    for c in a.candidates[:BLEND_TOP]
                ]
                blended.sort(key=lambda c: (-c.score, c.entry.id))
                a = dataclasses.replace(a, candidates=blended)
        if is_katakana_sentence(text):
            b = self.analyze(spell_out_long_vowels(to_hiragana(text)))
            if b.domain >= a.domain:
                return b
        elif _KANA_GRAMMAR_RE.search(text) and not _HIRAGANA_RE.search(text):
            # kanji with katakana for the grammar (協働トハ, 補助金ハ ｱﾘﾏｽｶ): the kana read as
            # hiragana, kept only if that understands more or is confident where this is not
            b = self.analyze(to_hiragana(text))
            if b.domain > a.domain or (self._confident(b) and not self._confident(a)):
                return b
        return a

    def _small_talk(self, text: str) -> Answer | None:
        """A greeting or a thank-you on its own gets a friendly reply, not a refusal."""
        key = "".join(c for c in fold(text) if unicodedata.category(c)[0] in "LN")
        if key in _GREETINGS:
            return Answer(False, messages.GREETING.format(guideline=self.data.title), "greeting")
        if key in _THANKS:
            return Answer(False, messages.THANKS, "thanks")
        kind = courtesy(text)  # a mix (ありがとう またね) or a farewell; mixed with English: English
        if kind == GREETING:
            return Answer(False, messages.GREETING.format(guideline=self.data.title), "greeting")
        if kind is not None:
            return Answer(False, messages.THANKS if kind == THANKS else messages.FAREWELL, kind)
        return None

    def _confident(self, a: Analysis) -> bool:
        w = self.weights
        return bool(a.candidates) and a.candidates[0].score >= w.answer_at and a.domain >= w.min_domain

    def _fits(
        self, index: int, u: Understanding, asked: tuple[set[str], set[str]], raw_lead: str | None = None
    ) -> bool:
        """Whether entry ``index`` answers the question asked, for the entries that answer one
        particular question (see ``_gated``):

        * a はい/いいえ answer needs a yes/no question, about its subject (企業も協働できますか, not
          民間から助成金を受けている事業も対象になりますか);
        * an eligibility entry (宗教団体も協働できますか) needs its subject in the question or in the
          writer's self-introduction, and a question that asks whether (not how, where, which);
        * a comparison (後援と共催の違い) needs both things compared (one if it names one).
        """
        if (
            self.entries[index].category == "target"
            and u.kind == "can-we"
            and asked[0] & _PROCEDURE_TERMS
            and not asked[0] & _PARTNER_TERMS
        ):
            # 未組織でも申請できますか asks whether one may apply (to some programme), not whether
            # one may be a partner: an entry about who the city partners with does not answer it
            return False
        if not self._gated[index]:
            return True
        subjects, named = self._subjects[index], self._named[index]
        if self._kind[index] == "difference":
            if u.kind == "what-is" and (thing := named & asked[0]) and not self._defined_elsewhere(index, thing):
                # NGOとは？: the comparison of NPO and NGO is the only entry that says what NGO is
                return True
            if u.kind == "difference":
                # both things compared, in its words (後援と共催の違い) or in others (仕事を頼まれる
                # のとお金をもらうのって…); not one of them against a third (NPOとボランティア団体)
                n = len(named & asked[0])
                if len(named) >= 2 and n == 1:
                    return False
                return n >= 2 or bool(subjects & asked[0])
            # both things named (委託と補助), or another question about the same matter (目標の共有)
            return len(named & asked[0]) >= min(2, len(named)) or (
                bool(named & asked[0]) and bool((subjects - named) & asked[0])
            )
        # the self-introduction can say who is asking (大学の研究室です -> 大学も協働できる?); an
        # exclusion (政治活動は対象外) only when the question itself is about it, or when the writer
        # introduces themselves by its own words (議員の後援会です), asks whether they may partner,
        # and the whole message is about it more than anything else (not 神社の近くで子ども食堂を…)
        if not subjects & asked[0]:
            if not self._excludes[index]:
                if not subjects & asked[1]:
                    return False
            elif not (
                any(_names_the_writer(t, u.activity or "") for t in self._own[index] & asked[1])
                and self.entries[index].id == raw_lead
                and u.kind == "can-we"
                and asked[0] & (_PARTNER_TERMS | _KYODO_TERMS | {"対象"})
            ):
                return False
        if self._yes_no[index] and asked[0] & _PROCEDURE_TERMS and not asked[0] & _PARTNER_TERMS:
            # …申請することができますか? asks whether one may apply (to some programme), not whether
            # one may be a partner: 「はい。企業も含まれています」 does not answer it
            return False
        if u.kind == "can-we" and not self._eligible_subject(index, u):
            # ガソリン代は助成対象になりますか asks about ガソリン代, which this entry never mentions
            return False
        if self._yes_no[index] and u.kind == "other" and not u.yes_no and _WH_RE.search(u.question):
            # 町会ってどんな活動をしているの？ asks what, and 「はい。自治会も…」 does not answer it
            return False
        if u.kind == "other" and (u.wants or u.asks_what):
            # 後援会に入りたい is a wish, 後援会の集まりはいつ？ asks when: neither asks whether one may
            return False
        # a question of another kind (how, where, why, which differs …) is not answered by whether
        return (
            u.kind in ("can-we", "other", "what-is")
            if not self._yes_no[index]
            else u.kind in ("can-we", "other")
        )

    def _where_to_consult(self, top: Candidate, u: Understanding) -> bool:
        """「市と協働で多言語の防災マップを作りたいのですが、どこに相談すれば？」 asks where to
        consult about collaborating: what the project is about is the content of that consultation,
        not what is asked, so the desk's entry answers it without covering those words."""
        qt = self._question_terms(u)
        qw = set(qt.weights)
        if u.kind != "contact":
            return False
        index = self._index_of[top.entry.id]
        aspect = contact_aspect(u.question)
        if aspect == "office":
            # (also 「子育て支援の活動だと窓口はどこ？」: the desk for an activity, whatever its field;
            # not 「保育園の入園の窓口は？」, which is about no activity or project)
            if _KYODO_TERMS & qw and fold("相談") in qw:
                return self._aspect[index] == "office"
            # (the desk for an activity's field; not for money, a form of 協働 or founding a group,
            # which have answers of their own: 助成金はどこに相談すれば？)
            return (
                self._aspect[index] == "office"
                and bool(_WHICH_DESK_RE.search(u.question))
                and bool(qw & (_KYODO_TERMS | _PROJECT_TERMS) or u.activity)
                and not _OTHER_MATTER_RE.search(u.question.replace(" ", ""))
            )
        fact = _CONTACT_FACTS.get(aspect or "")
        # 「協働の係って何時まで？」: the hours of the 協働 desk are the hours the entry gives; 協働
        # and the desk's names need not be covered
        return (
            fact is not None
            and fact in top.entry.contact_facts
            and not any(len(t) >= 2 for t in qt.unknown)
            and all(
                t in self._entry_terms[index] or t in _KYODO_TERMS or t in _DESK_TERMS or t in CIVIC_TERMS
                for t in qw
            )
        )

    @staticmethod
    def _asks_elsewhere(u: Understanding) -> bool:
        """The message asks something in another sentence too (…って本当ですか？NPO法ができたのは
        いつ？): an entry may answer that question instead."""
        return any(
            is_asking(s) and not is_confirmation(s) and s not in u.question for s in sentences(u.text)
        )

    def _lead_screened_out(self, raw: Analysis, screened: Analysis) -> bool:
        """Screening removed the raw ranking's leader (it answers another kind of question), and
        what now comes first is neither the conditions promoted for a self-introduction nor an
        entry the leader lists as related: the runner-up was not what was meant either."""
        if len(raw.candidates) < 2 or not screened.candidates:
            return False
        lead = raw.candidates[0]
        ids = {c.entry.id for c in screened.candidates}
        top = screened.candidates[0].entry.id
        return lead.entry.id not in ids and top != ACTIVITY_ENTRY and top not in lead.entry.related

    def _asks_to_partner(self, top: Candidate, u: Understanding) -> bool:
        """「当事者の会です。当事者の会でも市の協働の相手になれますか」: a writer who introduced the
        group and asks whether it may partner asks what an eligibility entry answers; the words that
        describe the group (当事者, 居場所づくり) are who is asking, not what is asked, so they need
        not be covered. Not a question about applying (…補助や提案制度に応募できますか), nor one of
        several questions in the message."""
        if top.entry.category != "target" or u.kind != "can-we" or not u.activity:
            return False
        if self._asks_elsewhere(u) or _ENUMERATED_RE.search(u.question):
            return False  # (one of several questions: ①市と協働できますか ②会議室を借りたい)
        qt = self._question_terms(u)
        if self._asks_informal(u, qt) and top.entry.id != INFORMAL_GROUP_ENTRY:
            return False  # (うちみたいな小さなグループでも…: the entry on informal groups, or none)
        if top.entry.id == ACTIVITY_ENTRY and _INFORMAL_SUBJECT_RE.search(u.question.replace(" ", "")):
            return False  # (…団体の集まりでも協働できますか asks about the group, not its activity)
        asked = set(qt.weights) - set(qt.guessed)
        return bool(asked & _PARTNER_TERMS) and not asked & _PROCEDURE_TERMS

    def _stands_out(self, a: Analysis, u: Understanding) -> bool:
        """Generic words that together name one entry (活動場所 借りたい → 活動場所は借りられますか？):
        two words or more, all covered by the leader, which scores well ahead of the next entry."""
        top = a.candidates[0]
        if self.coverage(top, u) < 0.99:
            return False
        if len(self._question_terms(u).weights) < 2:
            # one word (団体登録したいです -> 登録): only an entry far ahead of every other
            return top.score >= 1.0 and (len(a.candidates) == 1 or top.score >= 2.5 * a.candidates[1].score)
        return len(a.candidates) == 1 or top.score >= 1.5 * a.candidates[1].score

    def _definition_asked(self, u: Understanding) -> Candidate | None:
        """「協働ってよく耳にしますが、どういう意味ですか」: a what-is question whose only known word is
        its topic, when an entry's own question is 「<topic>とは…」, is answered by that entry (the
        rest, よく耳にする, says nothing about which answer is wanted). None otherwise."""
        if u.kind != "what-is" or not u.topic:
            return None
        index = self._defining.get(u.topic)
        if index is None:
            return None
        qt = self._question_terms(u)
        topic = set(self.analyzer.analyze(u.topic, focus=False).weights)
        if not topic or not topic <= set(qt.weights) <= topic | _DEFINITION_TERMS or any(len(t) >= 2 for t in qt.unknown):
            return None
        score = self.weights.answer_at + self.weights.margin
        return Candidate(self.entries[index], score, phrasing=0.0, whole=0.0, fuzzy=0.0)

    @staticmethod
    def _defines_topic(c: Candidate, u: Understanding) -> bool:
        """「協働ってよく聞くけど結局なに？」 asks what 協働 is: the entry whose own question is
        「協働とは…」 answers it, however close the entry on why 協働 is needed comes."""
        return (
            u.kind == "what-is"
            and bool(u.topic)
            and normalize(c.entry.question).replace(" ", "").startswith(f"{u.topic}とは")
        )

    def _defines_other_thing(self, c: Candidate, u: Understanding) -> bool:
        """Whether a what-is question asks about a thing X (「Xとは」「Xって何」) that the entry never
        names: neither its question, its phrasings nor its answer holds X. The entry was then
        reached through a broader word (子ども会, 老人クラブ → 市民活動団体) and says what that word
        is, or something else about it, not what X is."""
        if u.kind != "what-is" or not u.topic:
            return False
        thing = normalize(u.topic).replace(" ", "").strip("「」『』\"'")
        if thing not in self._narrow_variants:
            return False
        texts = (c.entry.question, *c.entry.phrasings, c.entry.answer)
        return not any(thing in normalize(t).replace(" ", "") for t in texts)

    def _covers_more(self, top: Candidate, runner_up: Candidate, u: Understanding) -> bool:
        """A near tie is no guess when the leader covers every word and either the runner-up would
        not be answered anyway (it does not cover the question) or the question asks about a
        subject X (「Xも…対象になる？」) that the leader is asked about and the runner-up is not
        (自治会も協働の対象になる？: the 自治会 entry, not the one on which activities qualify)."""
        if self.coverage(top, u) < 0.99:
            return False
        if u.kind != "how-do-we" and not self._covers(runner_up, u):
            # the runner-up would not be answered anyway: no choice between two answers (not for
            # a how-to question, whose verb, 判断する or 進める, fits many processes)
            return True
        words = self._subject_words(u)
        if not words:
            return False
        lead, other = (self._asked_terms[self._index_of[c.entry.id]] for c in (top, runner_up))
        return any(t in lead for t in words) and not any(t in other for t in words)

    def _subject_words(self, u: Understanding) -> list[str] | None:
        """The content words of X in 「XはY対象になりますか」 (None: no such X; [] if X holds a word
        the knowledge base does not know)."""
        m = _ELIGIBLE_SUBJECT_RE.search(u.question.replace(" ", ""))
        if not m:
            return None
        q = self.analyzer.analyze(m.group(1), focus=False)
        if any(len(t) >= 2 for t in q.unknown):
            return []
        return [
            t
            for t in q.weights
            if t not in CIVIC_TERMS and t not in _FRAME_TERMS and t not in q.guessed and t not in _KYODO_TERMS
        ]

    def _eligible_subject(self, index: int, u: Understanding) -> bool:
        """For 「XはY対象になりますか」: whether X is something entry ``index`` is asked about (its
        question and phrasings name one of X's words, and X holds no word unknown to the knowledge
        base). No such X: True."""
        m = _ELIGIBLE_SUBJECT_RE.search(u.question.replace(" ", ""))
        if not m:
            return True
        q = self.analyzer.analyze(m.group(1), focus=False)
        if any(len(t) >= 2 for t in q.unknown):
            return False
        words = self._subject_words(u)
        return not words or any(t in self._asked_terms[index] for t in words)

    def _asks_more(self, u: Understanding) -> bool:
        """Whether a yes/no question that does not ask about partnering says more than its subject: a
        word the knowledge base does not know (NPO法人は税金を…), or a verb of its own
        (自治会に入らないといけないの: joining is not partnering)."""
        qt = self._question_terms(u)
        if set(qt.weights) & (_PARTNER_TERMS | _KYODO_TERMS):
            return False  # it asks about being a partner (自治会も協働の相手に入るんでしょうか)
        if any(len(t) >= 2 for t in qt.unknown):  # (a lone kanji is usually a misread kana run)
            return True
        return any(
            t not in self._noun_terms and t not in _PARTNER_TERMS and t not in _KYODO_TERMS and t not in _NEGATION
            for t in qt.weights
            if t not in qt.guessed
        )

    def _defined_elsewhere(self, index: int, things: set[str]) -> bool:
        """Whether an entry that is not a comparison has any of ``things`` among its words."""
        return any(
            j != index and self._kind[j] != "difference" and things & self._entry_terms[j]
            for j in range(len(self.entries))
        )

    def _asked_topics(self, qt: QueryTerms) -> set[str]:
        """The topic nouns of the asking part (補助金, 後援 …; not 協働, 団体, 市 or civic words)."""
        return {
            t
            for t in qt.weights
            if t in self._noun_terms
            and t in self.anchors
            and t not in CIVIC_TERMS
            and t not in _FRAME_TERMS
            and t not in qt.modifiers
            and t not in qt.guessed
            and t not in _KYODO_TERMS
        }

    def _screen(self, a: Analysis, u: Understanding | None) -> Analysis:
        """The ranking without entries that do not answer the question asked (see ``_fits``)."""
        if u is None:
            return a
        qt = self._question_terms(u)
        # (a synonym-group guess, 相棒 ~ パートナー, does not name whom the question is about)
        asked = set(qt.weights) - set(qt.guessed)
        # (nor does a word guessed from the introduction's: 学習支援 is not a 研究室's work)
        # (nor what the group came from or works with: 町会から独立した老人会 is not a 町会)
        iq = self.analyzer.analyze(_NOT_THE_WRITER_RE.sub("", u.activity), focus=False) if u.activity else None
        intro = set(iq.weights) - set(iq.guessed) if iq is not None else set()
        # the entry the whole message is about (not a near tie)
        raw = a.candidates
        raw_lead = (
            raw[0].entry.id
            if raw and (len(raw) < 2 or raw[0].score - raw[1].score >= self.weights.margin)
            else None
        )
        cands = [
            c
            for c in a.candidates[:SCREEN_TOP]
            if self._fits(self._index_of[c.entry.id], u, (asked, intro), raw_lead)
        ]
        # The answer should be about something the question asks: when the asking part names
        # topics of its own (委託 in …市の委託を受けるには何が必要ですか), an entry whose words have
        # none of them ranks lower, however well the context matches it.
        topics = self._asked_topics(qt)
        if topics and u.split:
            penalty = self.weights.uncovered
            cands = [
                c
                if topics & self._entry_terms[self._index_of[c.entry.id]]
                else dataclasses.replace(c, score=c.score - penalty)
                for c in cands
            ]
            cands.sort(key=lambda c: (-c.score, c.entry.id))
        # an entry that tells how to do something does not answer what something is, whether one
        # may, or how two things differ (and the other way round): 後援ってお金も出してもらえる？
        # is not answered by how to apply for 後援
        # (a yes/no question of no other kind, 後援ってお金もらえるんだっけ？, asks whether, like can-we)
        clash = _KIND_CLASHES.get("can-we" if u.kind == "other" and u.yes_no else u.kind, ())
        if clash:
            penalty = self.weights.kind_clash
            cands = [
                dataclasses.replace(c, score=c.score - penalty)
                if self._kind[self._index_of[c.entry.id]] in clash
                else c
                for c in cands
            ]
            cands.sort(key=lambda c: (-c.score, c.entry.id))
        if u.kind == "why":
            # 「なぜ市は協働を進めているのですか」: what the city does to promote it (env-overview,
            # 進める) is not why it does
            penalty = self.weights.kind_clash
            cands = [
                c if self._answers_why[self._index_of[c.entry.id]] else dataclasses.replace(c, score=c.score - penalty)
                for c in cands
            ]
            cands.sort(key=lambda c: (-c.score, c.entry.id))
        aspect = contact_aspect(u.question) if u.kind in ("contact", "can-we", "other") else None
        if aspect:
            # 何時まで？ asks for the hours, 窓口はどちら？ for the office: the contact entry that
            # gives that fact comes first among the contact entries
            # (only one that covers the question: ボランティアセンターの電話番号 is not the 協働
            # desk's number)
            bonus = self.weights.aspect
            fitting = [
                c.entry.id
                for c in cands
                if self._aspect[self._index_of[c.entry.id]] == aspect
                and (self._covers(c, u) or self._where_to_consult(c, u))
            ]
            cands = [dataclasses.replace(c, score=c.score + bonus) if c.entry.id in fitting else c for c in cands]
            if fitting:
                # 「コミュニティ文化課の窓口って土曜日もあいてますか」: the entry giving the desk's
                # address names the desk too, but the hours were asked; a contact entry giving
                # another fact does not come before the one giving the fact asked for
                ceiling = max(c.score for c in cands if c.entry.id in fitting)
                cands = [
                    dataclasses.replace(c, score=min(c.score, ceiling - 0.01))
                    if self._aspect[self._index_of[c.entry.id]] not in (None, aspect)
                    else c
                    for c in cands
                ]
            cands.sort(key=lambda c: (-c.score, c.entry.id))
        # 「子どもと関われるボランティアある？」: whatever the activity, the volunteer centre is where a
        # person finds volunteer work (and a group finds volunteers)
        if self._seeks_volunteering(u) and (chosen := self._chosen(cands, VOLUNTEER_ENTRY)):
            return dataclasses.replace(a, candidates=chosen)
        # 「学校と市と私たちで協働するには、どうしたらいいですか」: how to begin collaborating, with
        # whom named (a school, a company) but nothing else asked about
        if self._asks_how_to_start(u, qt) and (chosen := self._chosen(cands, START_ENTRY)):
            return dataclasses.replace(a, candidates=chosen)
        # 「前にこのLINEから花壇の相談を送ったけど、その後どうなった？」: what became of something
        # sent through the bot, whatever it was about, is what the status entry tells
        if self._asks_status_here(u) and (chosen := self._chosen(cands, STATUS_ENTRY)):
            return dataclasses.replace(a, candidates=chosen)
        # 「市とはどんな形で協働できますか」: which forms collaboration takes, whatever the activity
        if self._asks_which_form(u) and (chosen := self._chosen(cands, FORMS_ENTRY)):
            return dataclasses.replace(a, candidates=chosen)
        # 「参加費を300円いただいていますが、これって営利にあたりますか」: whether something counts as
        # profit-making is what the not-for-profit entry answers, whatever the activity
        if self._asks_if_profit(u) and (chosen := self._chosen(cands, NONPROFIT_ENTRY)):
            return dataclasses.replace(a, candidates=chosen)
        # 「趣味のサークルでも協働の対象になりますか」: a hobby is what the doubt is about; whether a
        # members' pastime serves the public is what the public-benefit entry answers (before the
        # informal-group rule: its サークルでも matches too)
        if self._asks_hobby(u, qt) and (chosen := self._chosen(cands, PUBLIC_BENEFIT_ENTRY)):
            return dataclasses.replace(a, candidates=chosen)
        # 「小さなグループでも協働の相手になれますか」: whether a group of that form (no legal status, a
        # few members, no rules yet) may partner; the entry on informal groups answers it
        if self._asks_informal(u, qt) and (chosen := self._chosen(cands, INFORMAL_GROUP_ENTRY)):
            return dataclasses.replace(a, candidates=chosen)
        if (
            u.activity
            and u.kind == "can-we"
            and cands
            and not self._gated[self._index_of[cands[0].entry.id]]
            and set(qt.weights) & _KYODO_TERMS
            and not self._asked_topics(qt)
        ):
            # 「…をしている団体です。市と一緒にできますか？」 asks whether such an activity can be a
            # partner, and no entry about a particular kind of partner fits: 第2章(2)'s conditions
            # answer it (the engine adds what it knows of the activity itself).
            cands = self._chosen(cands, ACTIVITY_ENTRY) or cands
        return dataclasses.replace(a, candidates=cands)

    def _chosen(self, cands: list[Candidate], entry_id: str) -> list[Candidate] | None:
        """``cands`` with entry ``entry_id`` first, chosen by a rule rather than by its score: it
        scores what an answer needs and leads the rest by the margin the tie rule asks (None when
        it is not among them)."""
        lead = next((c for c in cands if c.entry.id == entry_id), None)
        if lead is None:
            return None
        top = max(cands[0].score, self.weights.answer_at) + self.weights.margin
        return [dataclasses.replace(lead, score=top), *(c for c in cands if c.entry.id != entry_id)]

    @staticmethod
    def _seeks_volunteering(u: Understanding) -> bool:
        """「音訳ボランティアやってみたい！どこで募集してる？」: the writer wants volunteer work (or
        volunteers) and asks where to find it, which the volunteer centre's entry answers whatever
        the activity; not a question of what volunteering is, nor one about insurance, money or
        partnering with the city."""
        q = u.question.replace(" ", "")
        wish = u.kind != "what-is" and bool(
            _SEEKS_VOLUNTEERING_RE.search(q)
            # 「日本語教室のボランティアやってみたい！小金井でも募集ある？」: the wish said first, then
            # only where or whether
            or (_SEEKS_VOLUNTEERING_RE.search(u.context.replace(" ", "")) and _WHERE_OR_WHETHER_RE.search(q))
        )
        return (
            u.kind not in ("difference", "why")
            and (wish or bool(_VOLUNTEERING_ON_OFFER_RE.search(q)))
            and not _VOLUNTEER_OTHER_RE.search(u.text.replace(" ", ""))
        )

    def _chosen_for_intent(self, top: Candidate, u: Understanding) -> bool:
        """The entry a rule chose for what the message is after, whatever its other words: the
        public-benefit entry for a hobby group asking whether it may partner, the status entry for
        something sent through the bot, how to start for a how-to that names only the partners (the
        hobby, the 花壇, the school need not be covered by the entry)."""
        qt = self._question_terms(u)
        return (
            (top.entry.id == NONPROFIT_ENTRY and self._asks_if_profit(u))
            or (top.entry.id == FORMS_ENTRY and self._asks_which_form(u))
            or (top.entry.id == PUBLIC_BENEFIT_ENTRY and self._asks_hobby(u, qt))
            or (top.entry.id == STATUS_ENTRY and self._asks_status_here(u))
            or (top.entry.id == START_ENTRY and self._asks_how_to_start(u, qt))
        )

    def _compares_named_pair(self, top: Candidate, u: Understanding) -> bool:
        """「提案書に「目的」と「目標」を分けて書けと言われたのですが、何が違うんでしょう」: a comparison
        entry that names both things compared answers, whatever the situation around them."""
        if u.kind != "difference" or self._kind[self._index_of[top.entry.id]] != "difference":
            return False
        m = _NAMED_PAIR_RE.search(u.text.replace(" ", ""))
        if m is None:
            return False
        terms = self._entry_terms[self._index_of[top.entry.id]]
        return all(
            set(self.analyzer.analyze(thing, focus=False).weights) & terms for thing in m.groups() if thing
        )

    def _asks_how_to_start(self, u: Understanding, qt: QueryTerms) -> bool:
        """「学校と市と私たちで協働するには、どうしたらいいですか」: how to go about collaborating, the
        only nouns typed being collaboration itself and whom with (学校, 企業, 地域 …)."""
        return (
            u.kind == "how-do-we"
            and bool(_HOW_TO_COLLABORATE_RE.search(u.question.replace(" ", "")))
            and not (set(self._typed_nouns(qt)) - _PARTNER_KINDS - _KYODO_TERMS)
        )

    @staticmethod
    def _asks_which_form(u: Understanding) -> bool:
        q = u.question.replace(" ", "")
        # (not which form is best, 「どんな形で協働するのがいいのか」: the entry on choosing a form)
        return bool(_WHICH_FORM_RE.search(q)) and not _NAMED_FORM_RE.search(q) and not _CHOOSING_RE.search(q)

    @staticmethod
    def _asks_if_profit(u: Understanding) -> bool:
        """「…参加費をいただいていますが、これって営利にあたりますか」 in a message about collaboration."""
        return bool(_COUNTS_AS_PROFIT_RE.search(u.question.replace(" ", ""))) and bool(
            _COLLABORATION_CONTEXT_RE.search(u.text.replace(" ", ""))
        )

    @staticmethod
    def _asks_status_here(u: Understanding) -> bool:
        """「前にこのLINEから…の相談を送ったんですが、その後どうなってますか」 (or …まだ返事がありません。
        確認できますか: what is asked after is in the sentence before)."""
        text = u.text.replace(" ", "")
        return (
            u.kind in ("status", "can-we", "other")
            and bool(_SENT_HERE_RE.search(text))
            and bool(_STATUS_WORDS_RE.search(text))
        )

    @staticmethod
    def _asks_hobby(u: Understanding, qt: QueryTerms) -> bool:
        """「趣味の集まりだけど協働できる？」: whether a group doing something as a hobby may partner
        (not 「趣味をいかしたボランティアを探したい」: no partnering asked)."""
        return (
            u.kind == "can-we"
            and bool(_HOBBY_RE.search(u.text))
            and bool(set(qt.weights) & (_KYODO_TERMS | _PARTNER_TERMS))
            and not _OTHER_SUBJECT_RE.search(u.question.replace(" ", ""))
        )

    @staticmethod
    def _asks_informal(u: Understanding, qt: QueryTerms) -> bool:
        """「趣味のサークルでも協働の相手になれますか」: whether a group of that form may partner."""
        q = u.question.replace(" ", "")
        return (
            u.kind == "can-we"
            and bool(_INFORMAL_SUBJECT_RE.search(q) or _INFORMAL_GROUP_RE.search(u.text.replace(" ", "")))
            # (…法人格はありませんが says the group is informal; it names no legal person)
            and not _OTHER_SUBJECT_RE.search(_INFORMAL_GROUP_RE.sub("", q))
            and not _OTHER_SUBJECT_RE.search(_INFORMAL_GROUP_RE.sub("", u.activity or ""))
            and bool(set(qt.weights) & (_KYODO_TERMS | _PARTNER_TERMS))
        )

    def decide(self, a: Analysis, u: Understanding | None = None) -> Answer:
        w = self.weights
        raw = a
        a = self._screen(a, u)
        opener_fits = u is None or u.yes_no
        if (
            u is not None
            and a.candidates
            and a.candidates[0].entry.id == INFORMAL_GROUP_ENTRY
            and self._asks_informal(u, self._question_terms(u))
        ):
            # its いいえ answers 「NPO法人でないとだめですか」, not 「サークルでもいいですか」
            opener_fits = False
        if not a.candidates:
            return self._decline()
        if (
            u is not None
            and u.kind == "contact"
            and len(u.question) < w.short_chars
            and self._question_terms(u).unknown
        ):
            # 保育園の電話番号: a short contact question about something the bot does not know
            return self._decline(a.candidates[0].score)
        top = a.candidates[0]
        if (
            a.n_unknown
            and not a.nouns
            and top.fuzzy * 100 < w.fuzzy_override
            # (「傾聴ボランティアをするには」: the unknown word is the kind of volunteer work wanted,
            # which the volunteer centre's entry answers whatever it is)
            and not (u is not None and top.entry.id == VOLUNTEER_ENTRY and self._seeks_volunteering(u))
        ):
            # こども食堂を始めるのに届け出は必要？: what it is about is a word the knowledge base has
            # never seen, and only verbs or civic words (始める, 届け出) are known
            return self._decline(top.score)
        if (
            u is not None
            and u.kind == "difference"
            and self._kind[self._index_of[top.entry.id]] not in DIFFERENCE_ANSWERS
        ):
            # ボランティアとの違いは？ asks how two things differ: an entry that neither compares nor
            # defines does not answer it
            return self._unsure(a) if top.score >= w.unsure_at else self._decline(top.score)
        if (
            u is not None
            and (u.kind == "other" or (u.kind in ("how-do-we", "can-we") and not u.context.strip()))
            and not verbatim_match(top, w)
            and (qw := set(self._question_terms(u).weights))
            and qw <= _VAGUE_TERMS | CIVIC_TERMS
            and not self._stands_out(a, u)
        ):
            # 自分たちの活動をもっと知ってもらいたい時は？: only 活動 is known, and it says nothing
            # about which answer is wanted; so for a how-to or can-we question that stands alone
            # (どうすれば参加できますか？, copied from a page about some programme)
            return self._unsure(a) if top.score >= w.unsure_at else self._decline(top.score)
        if (
            u is not None
            and u.kind not in ("difference", "contact")
            and not verbatim_match(top, w)
            and (qw := set(self._question_terms(u).weights))
            and qw <= _VAGUE_TERMS | CIVIC_TERMS | _REFERENT_TERMS
            and qw & _REFERENT_TERMS
            and not u.activity
        ):
            # 対象になるのはどういう人？ / 施設は誰でも使えるの？: copied from a page about some
            # programme, the question names nothing of its own; what it refers to is not known
            return self._unsure(a) if top.score >= w.unsure_at else self._decline(top.score)
        if u is not None and _AMOUNT_RE.search(u.question.replace(" ", "")) and not _YEN_RE.search(top.entry.answer):
            # 参加費はいくら？: an entry that neither names an amount nor says where amounts are
            # decided does not answer how much something costs
            return self._unsure(a) if top.score >= w.unsure_at else self._decline(top.score)
        if u is not None and _COUNT_RE.search(u.question.replace(" ", "")) and not _NUMBER_RE.search(top.entry.answer):
            # 市民活動団体は、どのくらいあるの？: what the word means is not how many there are
            return self._unsure(a) if top.score >= w.unsure_at else self._decline(top.score)
        if u is not None and not u.activity and _DEICTIC_RE.search(u.question) and not verbatim_match(top, w):
            # その場合も大丈夫ですか / この制度の締切は？: the question points at something said
            # elsewhere (a page, an earlier sentence) that the bot cannot see
            return self._unsure(a) if top.score >= w.unsure_at else self._decline(top.score)
        if u is not None and not u.asking:
            # a statement (市役所の対応が最悪でした): nothing was asked, so nothing is answered
            return (
                self._unsure(a)
                if top.score >= w.answer_at and a.domain >= w.min_domain
                else self._decline(top.score)
            )
        if u is not None and (defining := self._definition_asked(u)) is not None:
            # 「協働ってよく耳にするけど、いったい何？」: what the topic is, and nothing else that is known
            return self._answer(defining, opener_fits)
        if (
            u is not None
            and u.kind == "why"
            and not self._answers_why[self._index_of[top.entry.id]]
            and not verbatim_match(top, w)
        ):
            # 「市はなんで市民団体と協働したいの？」: an entry that gives no purpose, reason or
            # background (what a 市民活動団体 is) does not answer why
            return self._unsure(a) if top.score >= w.unsure_at else self._decline(top.score)
        if u is not None and self._defines_other_thing(top, u) and not verbatim_match(top, w):
            # 「子ども会とは何ですか」: 子ども会 is one kind of 市民活動団体, so the entry defining
            # 市民活動団体 was found through the synonym list, but it does not say what a 子ども会 is
            return self._unsure(a) if top.score >= w.unsure_at else self._decline(top.score)
        if u is not None and u.kind == "what-is" and top.entry.id == VOLUNTEER_ENTRY and not self._seeks_volunteering(u):
            # 「ボランティアってなに？」: the centre's entry says where to find volunteer work, not
            # what volunteering is (nor who volunteers): offer it rather than answer with it
            return self._unsure(a) if top.score >= w.unsure_at else self._decline(top.score)
        if u is not None and top.entry.id == VOLUNTEER_ENTRY and self._seeks_volunteering(u):
            # chosen on purpose (see _screen): the words of the activity (音訳, 子どもと関われる) need
            # not be known or covered
            return self._answer(top, opener_fits)
        verbatim = top.fuzzy * 100 >= w.fuzzy_override
        # only words any city question uses (市役所, 小金井市, 申込): no topic to answer about
        topical = any(t not in CIVIC_TERMS for t in (*a.terms.weights, *a.terms.typed))
        # "Can X take part?" entries answer a short question about X with an unknown word only
        # when that is what is asked: 宗教団体の勧誘を断りたい holds 宗教団体 but asks something else
        grouped = {how[6:] for how in a.terms.added.values() if how.startswith("group:")}
        off_kind = (
            bool(set(a.terms.unknown) - grouped)
            and len(a.text) < w.short_chars
            and self._intent[self._index_of[top.entry.id]] == "eligibility"
            and a.intent != "eligibility"
        )
        topical = topical and not off_kind
        # a word the knowledge base has never seen may be what the question is really about
        # (市報にサークルの紹介を載せたい): a closer match is needed than for known words only
        answer_at = w.unknown_answer_at if a.n_unknown else w.answer_at
        confident = topical and top.score >= answer_at and a.domain >= w.min_domain
        if (
            not confident
            and u is not None
            and u.kind == "can-we"
            and self._gated[self._index_of[top.entry.id]]
            and top.entry.category == "target"
            and top.score >= answer_at
            and fold("協働") in self._question_terms(u).weights
        ):
            # 「市内の建設会社です。社員で…したいのですが、会社でも市と協働できますか」: whether a
            # kind of partner the entry is about may collaborate; the situation's own words need
            # not be the knowledge base's
            confident = True
        # a short question shares its topic words with an entry but also holds an unknown word:
        # only a close match (a high score) answers it
        anchor_answer_at = w.anchor_answer_at if len(a.text) >= w.short_chars else w.anchor_short_answer_at
        anchored = (
            not off_kind
            and a.anchor >= w.anchor_at
            and top.score >= anchor_answer_at
            and a.domain >= w.anchor_min_domain
            # (an answer reached through the question's topic words must hold one of them: NPO
            # and 法人 in a question about tax relief do not make the proposal-status entry fit)
            and any(
                t in self.anchors and t in self._entry_terms[self._index_of[top.entry.id]]
                for t in a.terms.weights
                if t not in CIVIC_TERMS
            )
        )
        if (
            (confident or anchored)
            and not verbatim
            and u is not None
            and not self._covers(top, u)
            and not self._where_to_consult(top, u)
            and not self._asks_to_partner(top, u)
            and not self._chosen_for_intent(top, u)
            and not self._compares_named_pair(top, u)
        ):
            # precision first: the entry leaves most of what was asked unanswered (町会・自治会、学校、
            # 企業等で構成される実行委員会は、申請することができますか? is not answered by what an
            # 実行委員会 is): offer it among the もしかして instead of answering
            return self._unsure(a)
        if (
            (confident or anchored)
            and not verbatim
            and len(a.candidates) > 1
            and top.score - a.candidates[1].score < w.margin
            and a.candidates[1].entry.id not in top.entry.related
            and top.entry.id not in a.candidates[1].entry.related
            and not (u is not None and self._covers_more(top, a.candidates[1], u))
            and not (u is not None and self._defines_topic(top, u) and not self._defines_topic(a.candidates[1], u))
        ):
            # two unrelated answers nearly tie: which one was meant is a guess
            return self._unsure(a)
        if (
            (confident or anchored)
            and not verbatim
            and u is not None
            and opener_fits
            and self._yes_no[self._index_of[top.entry.id]]
            and (self.coverage(top, u) < w.yes_no_coverage or self._asks_more(u))
        ):
            # はい/いいえ is the city's word on exactly the question asked: the entry must cover
            # nearly all of it (企業は寄付できますか is not 企業も協働できますか)
            return self._unsure(a)
        if (
            (confident or anchored)
            and not verbatim
            and u is not None
            and (topics := self._asked_topics(self._question_terms(u)))
            and not topics & self._entry_terms[self._index_of[top.entry.id]]
            and not self._asks_elsewhere(u)
            and not self._chosen_for_intent(top, u)
        ):
            # 後援ではどのようなメリットがあるのですか: the entry on 協働's merits never mentions
            # 後援, the thing asked about
            return self._unsure(a)
        if (
            (confident or anchored)
            and not verbatim
            and u is not None
            and (theme := self._topic_terms(u))
            and not set(theme) & self._entry_terms[self._index_of[top.entry.id]]
        ):
            # 自治会ってなに？ 役割とは？ is about 自治会: an entry on the roles of the city and
            # the groups that never names 自治会 does not answer it
            return self._unsure(a)
        if (
            (confident or anchored)
            and not verbatim
            and self._lead_screened_out(raw, a)
            and not (u is not None and self._by_design(top, u))
        ):
            # 一市民として協働に関わる方法は？: the entry that matches best answers another kind of
            # question (whether an individual may), and the one behind it (the forms) was not what
            # was meant either: offer both rather than answer with the runner-up
            return self._unsure(raw)
        if verbatim or confident or anchored:
            ans = self._answer(top, opener_fits)
            if not verbatim and u is not None and not self._by_design(top, u):
                x = self._doubt_features(raw, a, u)
                ans.features = x
                if self.verifier is not None and self.verifier.doubt(x) > self.verifier.threshold:
                    # answers that pass every rule narrowly are where wrong answers are: a second
                    # opinion fitted on the labelled real questions (knowledge/verifier.py)
                    unsure = self._unsure(a)
                    unsure.reason = "doubt"
                    return unsure
            return ans
        if top.score >= w.unsure_at and a.domain >= w.anchor_min_domain:
            # (the best match of all is offered too, even if it answers another kind of question)
            return self._unsure(raw if self._lead_screened_out(raw, a) else a)
        return self._decline(top.score)

    def _by_design(self, top: Candidate, u: Understanding) -> bool:
        """Answers a rule chose on purpose, which the verifier does not second-guess: the activity
        conditions after a self-introduction that asks whether such a group can partner (the
        engine adds what 第2章(2) says about the activity and the divisions), the entry on informal
        groups for 「サークルでも…」, how to start for a how-to question about nothing but 協働, the
        entry giving the phone number, place or hours asked for, and the 協働 desk for
        「市と協働で〇〇したい、どこに相談？」."""
        if top.entry.id == ACTIVITY_ENTRY and u.activity and u.kind == "can-we":
            return True
        if top.entry.id == INFORMAL_GROUP_ENTRY and self._asks_informal(u, self._question_terms(u)):
            return True
        if self._chosen_for_intent(top, u):
            return True
        if top.entry.id == START_ENTRY and u.kind == "how-do-we" and not self._asked_topics(self._question_terms(u)):
            # 「…の団体です。市と協働するには何から始めれば？」: how to start, about nothing but 協働
            return True
        fact = _CONTACT_FACTS.get(contact_aspect(u.question) or "") if u.kind == "contact" else None
        if fact is not None and fact in top.entry.contact_facts:
            # 「コミュニティ文化課の場所は？」「ボランティアセンターの電話番号」: an entry that gives that
            # very fact from contacts.yaml answers it; the model has seen too few of these to judge
            return True
        return self._where_to_consult(top, u)

    def _doubt_features(self, raw: Analysis, a: Analysis, u: Understanding) -> list[float]:
        return self.candidate_features(raw, a, u, 0)

    def candidate_features(self, raw: Analysis, a: Analysis, u: Understanding, k: int) -> list[float]:
        """The verifier's features of the ``k``-th candidate (0: the answer), its lead measured
        against the best of the others (scripts/xval_promoter.py scores suggestions with them)."""
        c = a.candidates[k]
        others = [o.score for j, o in enumerate(a.candidates) if j != k]
        lead = c.score - max(others) if others else c.score
        return features(
            score=c.score,
            lead=lead,
            coverage=self.coverage(c, u),
            domain=a.domain,
            unknown=a.n_unknown,
            nouns=a.nouns,
            anchor=a.anchor,
            length=len(a.text),
            introduced=bool(u.activity),
            fuzzy=c.fuzzy,
            phrasing=c.phrasing,
            whole=c.whole,
            f1=c.f1,
            question=c.question,
            yes_no=u.yes_no,
            raw_leader=bool(raw.candidates) and raw.candidates[0].entry.id == c.entry.id,
            has_context=u.split,
            asking_length=len(u.question),
            kind=u.kind,
            category=c.entry.category,
        )

    def coverage(self, c: Candidate, u: Understanding) -> float:
        """Share of the asking part's information (idf-weighted known terms) that entry ``c`` has
        among the words of its question, phrasings and answer."""
        share = self._coverage(c, self._question_terms(u))
        clause = final_clause(u.question)
        if clause and self._names_noun(self.analyzer.analyze(clause, focus=False)):
            # 住民で自治会を作ろうという話が出ているのですが、自治会も市と協働できるんですか: the
            # situation before が、 is context; the clause after it is what is asked
            share = max(share, self._coverage(c, self.analyzer.analyze(clause, focus=False)))
        if is_katakana_sentence(u.question):  # ｼﾞﾁｶｲ ﾓ OK?: also judged on its hiragana reading
            h = self.analyzer.analyze(spell_out_long_vowels(to_hiragana(u.question)), focus=False)
            share = max(share, self._coverage(c, h))
        return share

    def _coverage(self, c: Candidate, qt: QueryTerms) -> float:
        idf = self.index.term_idf
        words = self._entry_terms[self._index_of[c.entry.id]]
        # a typed word is covered when what it was taken for is (昔から -> 歴史)
        explained: set[str] = set()
        for term, how in qt.added.items():
            if how.startswith("synonym:") and term in words:
                variant = how[8:]
                explained.update(t for t in qt.weights if t in variant)
        w = self.weights
        total = covered = 0.0
        for t, wt in qt.weights.items():
            # civic words (市, 申込) and words that only modify an unknown one weigh little
            weak = t in CIVIC_TERMS or t in qt.modifiers
            mass = wt * idf(t) * (w.civic_weight if weak else 1.0)
            total += mass
            if t in words or t in explained:
                covered += mass
        # words it has never seen are part of what was asked, and no entry covers them
        unknown = len(set(qt.unknown)) + w.weak_unknown * len(set(qt.weak_unknown) - set(qt.unknown))
        total += w.coverage_unknown * self.index.unseen_idf * min(unknown, w.max_unknown)
        return covered / total if total else 1.0

    def _covers(self, c: Candidate, u: Understanding) -> bool:
        """Whether entry ``c`` answers what was asked: the asking part, or, in a message that asks
        several things (後援って何？申込の締切はいつ？), any one of its questions in full."""
        w = self.weights
        if len(u.question) < w.coverage_chars or self.coverage(c, u) >= w.min_coverage:
            return True
        for s in sentences(u.text):
            if s == u.question or len(s) < w.coverage_chars or not is_asking(s) or is_confirmation(s):
                continue
            qt = self.analyzer.analyze(s, focus=False)
            if s in u.question and not self._names_noun(qt):
                # (one sentence of a question read with its follow-up, 委託と補助ってどう違う？
                # どっちがいいの？, counts when it names what it asks about, not どのような方法で…)
                continue
            if self._coverage(c, qt) >= w.min_coverage:
                return True
        return False

    def _unsure(self, a: Analysis) -> Answer:
        picks = [c.entry.question for c in a.candidates[:MAX_SUGGESTIONS]]
        city = getattr(self.data, "city", None)
        desk = city.desk if city is not None else None
        text = messages.unsure_list(
            picks, maybe_elsewhere=a.n_unknown > 0, **({"desk": desk} if desk else {})
        )
        return Answer(False, text, "unsure", score=a.candidates[0].score, suggestions=picks)

    def _decline(self, score: float = 0.0) -> Answer:
        return Answer(False, self.out_of_scope_text(), "out_of_scope", score=score)

    @property
    def guideline_name(self) -> str:
        """The guideline's short name for citations (city.yaml "guideline", e.g. 協働推進基本指針)."""
        city = getattr(self.data, "city", None)
        return city.guideline if city is not None else messages.GUIDELINE_SHORT

    def out_of_scope_text(self) -> str:
        """The polite decline, naming the city, its confirmed switchboard and its desk for 協働
        (city.yaml and contacts.yaml; the generic wording without them)."""
        city = getattr(self.data, "city", None) if hasattr(self, "data") else None
        if city is None:
            return messages.out_of_scope()
        return messages.out_of_scope(city.switchboard_phone, city.name, city.desk)

    def _answer(self, c: Candidate, opener_fits: bool = True) -> Answer:
        e = c.entry
        sources = self.sources_of(e)
        secs = [self._sections[i] for i in e.sources]
        cite = messages.citation(
            [s.title for s in secs if s.kind == "section"][:2],
            [s.title for s in secs if s.kind == "note"][:1],
            [s.title for s in secs if s.kind == "note" and s.cite][:1],
            guideline=self.guideline_name,
        )
        body = e.answer.rstrip()
        if not opener_fits:  # はい/いいえ answers only the yes/no question
            body = _YES_NO_OPENER_RE.sub("", body, count=1)
        text = body + ("\n" + cite if cite else "")
        related = [self._by_id[r].question for r in e.related if r in self._by_id][:MAX_SUGGESTIONS]
        return Answer(True, text, "answered", sources, c.score, related, e.id)
