"""Rank Koganei's divisions for a citizen group, with reasons a person can check.

How a score is made (all weights are named constants below):

* The group's name and description are folded and scanned once for every known word (see
  ``scanner.py``), and for the kana reading of every kanji word (``readings.py``: としょかん finds
  図書館). A word can point to a division directly (it is one of the division's project words,
  keywords, facilities or people words) and/or to an NPO-law field (one of the field's everyday
  words).
* Direct words weigh most. A word shared by several divisions is split between them (1/n), and short
  words weigh less than long ones, so a specific phrase (「冒険遊び場」) beats a generic one (「子ども」).
* A few particles after a word change what it means for the ranking (``_match``): a division's own
  facility as the owner of the activity (「公民館の講座」) adds W_FACILITY, as a mere venue
  (「公民館で」) or destination (「児童館への」) it counts less; who is served (障害者, people words)
  takes the weight of how they are helped (配食, service-mode words) from another division; without
  people named, how yields to what (「予算を読み解く講座」).
* Fields, given explicitly or found in the text, add to every division serving that field, divided by
  sqrt(number of fields the division serves) so a focused division outranks a broad one, plus a
  bonus for the field's main division (the one to contact when only the field is known), withheld
  when the text clearly points elsewhere; a stated field the text's clear lead does not serve
  counts half.
* raw -> score with raw / (raw + 1): 0..1, monotone, so scores are comparable across groups.
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from knowledge.normalize import fold, normalize
from matching import messages
from matching.english import ENGLISH_FILE, EnglishWords, load_english, mostly_latin
from matching.fields import FieldResolver, FieldsResolution
from matching.folding import ASCII_GAP_RE, fold_word
from matching.loader import (
    DIVISIONS_FILE,
    DIVISIONS_PATH,
    FIELDS_FILE,
    FIELDS_PATH,
    DataError,
    data_dir,
    load_desk,
    load_divisions,
    load_fields,
    load_word_lists,
)
from matching.model import Division, DivisionMatch, Field, GroupProfile, MatchResult
from matching.readings import alias_keys, readings_for
from matching.scanner import Scanner

# Bump when the scoring changes (weights, rules), so stored suggestions are recomputed. Edits to the
# data files are covered by Division.fingerprint and Matcher.fingerprint.
SCORING_VERSION = "2.8.0"

# Texts longer than this are cut (a pasted brochure must not cost more than a paragraph).
MAX_NAME = 200
MAX_DESCRIPTION = 2000
MAX_FIELDS = 20
MAX_FIELD_WORD = 100
MAX_REASONS = 4

W_DIRECT = 1.0  # a division's own project word / keyword
W_EXPLICIT_FIELD = 0.6  # a field the group stated
W_EXPLICIT_MAIN = 0.4  # ... extra for that field's main division
W_TEXT_FIELD = 0.25  # a field inferred from a word in the text
W_TEXT_MAIN = 0.15
# A short division word that is also one of a field's everyday words (公園, 親子, 高齢者) says more
# about the field than about the division: it counts this much. Longer ones (ひきこもり, 食品ロス)
# name something specific and count fully.
W_GENERIC = 0.5
GENERIC_MAX_LEN = 3
MIN_RAW = 0.05  # divisions below this are not worth suggesting
# ... nor, when the caller asks (``min_share``), those far behind the best (below that share of its
# raw score): a division head should not receive a group for one passing word or a broad stated field
# when another division's words describe the group. RECOMMENDED_MIN_SHARE is the measured choice (on
# the dev sets no expected division ranked 2nd or 3rd was under 0.55 of the best; it halves the
# suggestions the real-group labels call unacceptable). The default stays 0 (up to ``top`` divisions,
# as before) until the registry's callers and tests opt in.
RECOMMENDED_MIN_SHARE = 0.3

# A division's own facility or name (公民館, 図書館, 児童館, 介護福祉課) named as what the activity
# belongs to (「公民館の講座」, 「図書館の本」, 「児童館ボランティア」) adds this once, on top of the word.
# Named only as a venue (「公民館で」, 「公民館の調理室を借りて」) it is an ordinary word: groups meet in
# public buildings whatever they do.
W_FACILITY = 1.0
# A hall that groups book whatever they do (fields.yaml meeting_places: 公民館, 市民会館) named only as
# the venue counts this much. Other facilities keep their weight as venues: a programme held in a
# 児童館 or a library is run with that facility's staff.
W_VENUE = 0.5
# 「公民館の文化活動」: a word right after 「<facility>の」 (at most this many characters between) is
# something of that facility, and counts for the facility's division instead of its own.
OWNED_GAP = 2


def _also_mo(markers: tuple[str, ...]) -> tuple[str, ...]:
    """The markers, and each with も after its particle: 「図書館にも寄贈」 as 「図書館に寄贈」."""
    out = list(markers)
    for m in markers:
        if m.startswith("にて"):  # 「にて」 is one particle
            continue
        for particle in ("から", "に", "へ", "で"):
            if m.startswith(particle) and len(m) > len(particle) and m[len(particle)] not in "もの":
                out.append(particle + "も" + m[len(particle) :])
                break
    return tuple(out)


# Folded text right after a facility that marks it as a mere venue.
_VENUE_AFTER = ("で", "にて", "におい", "を借", "をかり", "を会場", "を拠点", "を利用", "をお借", "や",
                "など", "とか", "に集", "にあつま", "題")  # fmt: skip
# ... of those, the ones that end a list of places (「公民館や福祉会館で」), not a list's middle (「…や」)
_VENUE_END = tuple(m for m in _VENUE_AFTER if m not in ("や", "など", "とか"))
# Kinds of building (「福祉施設」「老人ホーム」「博物館」): named right before a venue marker (「福祉施設で」)
# they are where the activity happens, like a meeting place.
_BUILDINGS = ("会館", "館", "図書室", "幼稚園", "こども園")
# 「児童館への慰問」「保育園を訪問」: where the group goes, not who runs the activity; the facility
# word counts W_VENUE, like a meeting place.
_VISITED = _also_mo(("へ", "を訪", "に訪", "に出向", "に出張", "に届け", "に届", "に寄贈", "に寄付", "に贈", "を回つ",
            "をまわつ", "を巡回", "に協力"))  # fmt: skip
# Any other place the group goes to (「高齢者施設や子ども会に出向いて」, 「病院を訪問して演奏」) counts the
# same, with the places listed before it (joined by や, と or a comma). Not 「…を訪ねる」 or 「…を回る」:
# a history club visits 史跡, which are its topic.
_GONE_TO = _also_mo(("に出向", "に出張", "を訪問", "を慰問", "への慰問", "に出かけ", "へ出かけ", "にでかけ"))
_LIST_JOINS = frozenset(("や", "と", "\u00a6"))  # (COMMA)
# Being registered with or funded by a facility (社協に登録, 社協の助成, 「市ボランティアセンター登録」) says little about the
# activity: the facility word counts W_REGISTERED, whatever the facility, and signals no field.
W_REGISTERED = 0.25
_REGISTERED = _also_mo(("に登録", "登録", "に所属", "から助成", "から補助", "の助成", "の補助", "の登録", "の利用団体",
               "を通し", "を通じ", "をとおし", "をつうじ"))  # 「社協を通して募った」: only the way in  # fmt: skip
# ... and rooms or places of a facility (「公民館の調理室」, 「公園の近く」), after 「の」.
_VENUE_PLACE = ("調理室", "会議室", "集会室", "和室", "部屋", "へや", "ほる", "一室", "学習室", "講堂",
                "多目的", "工作室", "視聴覚室", "音楽室", "実習室", "ろび", "一角", "近く", "ちかく",
                "周辺", "周り", "まわり", "隣", "となり", "前で", "敷地", "中で", "なかで", "場所",
                "すぺす", "広場", "ひろば", "施設を")  # fmt: skip
# Who is served outweighs how: when the text names the people one division serves (障害者, 高齢者)
# a service-mode word (配食, 見守り, 居場所) listed under another division moves this share of its
# weight to the division of the people named (「精神障害のある方への配食」 -> 自立生活支援課).
W_MODE_TO_PEOPLE = 0.8
# Without people named, a service-mode word counts this much when the other words say what the
# activity is about and point to another division (「予算や決算を読み解く市民講座」 -> 財政課).
W_MODE_WITH_TOPIC = 0.5
# ... unless the group is open to everyone (「子どもからお年寄りまで」, 「どなたでも」): then the people
# named are examples, not the ones served.
RANGE_GAP = 16  # 「子どもから…まで」: how far after から its まで may be (folded characters)
_EVERYONE = ("誰でも", "だれでも", "どなたでも", "多世代", "世代をこえ", "世代を超え", "みんなの")
# A stated or inferred field's main division gets its bonus only when the text does not clearly
# point to another division serving that field (direct words worth at least this much more).
CLEAR_LEAD = 0.5
# When the text's words give one division at least this much (one specific word) and that division
# does not serve a field the group stated, the stated field counts this much (and no main bonus).
CLEAR_TEXT = 0.35
CLEAR_MARGIN = 0.3  # ... and at least this much more than any other division
W_FIELD_OFF_TOPIC = 0.5
# A field signalled only by a word of the text (「川」 -> 環境保全) adds to the divisions serving it
# that the text's words point to, and to the field's main division; not to every other division
# serving the field (ごみ対策課 for 「川」): a suggestion needs a reason of its own.
TEXT_FIELD_NEEDS_WORDS = True


def _length_weight(key: str) -> float:
    """Longer matched words are more specific: 1 char 0.6, 2 chars 0.75, 3 chars 0.9, 4+ 1.0."""
    return min(1.0, 0.45 + 0.15 * len(key))


_LIST_SEP_RE = re.compile(r"[、,，/／;；\n]")
_ASCII_GAP_RE = ASCII_GAP_RE
# fold() drops punctuation; the matcher keeps where sentences (|) and commas (COMMA) were, so no
# word is found across them and the clause a word stands in can be told (see _aside_spans). SEAM
# joins the name and the description.
COMMA = "\u00a6"  # ¦, which fold() keeps
SEAM = "\u00a7"  # §, which fold() keeps
# (str.replace, one mark at a time: ~1 µs for a paragraph, against ~6 µs for str.translate with a
# dict table)
_CLAUSE_MARKS = (*((c, "|") for c in "。．！？!?\n"), *((c, COMMA) for c in "、，,・･()（）"))


# Place names: a run of kanji ending in a place suffix (県, 市, 区, 町, 村, 郡, 都, 府, 駅) at the end
# of the run or before 内/民/立/在/全/域/前/周/役 (「石川県金沢市」「木津川市内」「油川駅前」「亀崎小学校区」
# 「川西町民」) is a place: the words inside it, before its last suffix, are part of its name, not the
# activity (「川」 of 「香川県」, 「小学校」 of a school district). A word that ends with the suffix
# itself (農村, 朝市) is still a word. Not 保護区 (a nature reserve is a topic); 道 only as 北海道
# (書道, 遊歩道 are words).
_PLACE_SUFFIX_RE = re.compile(r"[都府県市区町村郡駅道]")
_PLACE_NEXT = frozenset("内民立在全域前周役")  # 「市内」「町民」「駅前」: still the place


def _place_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the part of each place name before its last suffix: per run of kanji, the last
    suffix that ends the run or comes before one of _PLACE_NEXT (a C search for the suffixes first:
    ~1 µs for a paragraph, against ~8 µs for one regular expression doing it all)."""
    out: list[tuple[int, int]] = []
    n = len(text)
    for m in _PLACE_SUFFIX_RE.finditer(text):
        p = m.start()
        if p == 0 or not _is_kanji(text[p - 1]) or text.startswith("保護", p - 2):
            continue
        if text[p] == "道" and not text.startswith("北海", p - 2):
            continue
        if p + 1 < n and _is_kanji(text[p + 1]) and text[p + 1] not in _PLACE_NEXT:
            continue
        start = p - 1
        while start > 0 and _is_kanji(text[start - 1]):
            start -= 1
        if out and out[-1][0] == start:
            out[-1] = (start, p)  # a longer place in the same run (「石川県加賀市」)
        else:
            out.append((start, p))
    return out


def _in_place(start: int, end: int, places: list[tuple[int, int]]) -> bool:
    return any(a <= start and end <= b for a, b in places)


def _is_kanji(ch: str) -> bool:
    return "一" <= ch <= "龥" or ch == "々"


_SEGMENT_ENDS = frozenset((COMMA, "|"))


def fold_text(text: str) -> str:
    """fold(), keeping a separator between ASCII words (fold drops spaces) so 'IT' stays a word,
    and the ends of sentences (|) and commas (COMMA)."""
    for mark, sep in _CLAUSE_MARKS:
        text = text.replace(mark, sep)
    return fold(_ASCII_GAP_RE.sub(r"\1|", text))


# Words in a clause naming whom the group works with, who funds or supplies it or who its members
# are (「むつ市社会福祉協議会の事業協力」, 「子育て支援ネットワークと共催」, 「地元企業経営者らの寄付金」,
# 「商店街役員、地元企業などで構成」, 「農家やフードバンクからいただいた食材」) are not what the group
# does: they count W_ASIDE and signal no field. The clause runs back from the marker to the start of the sentence, or to a comma right
# after a kana (the end of a clause: 「…を行い、」); a comma after a kanji or katakana separates the
# items of a list, which belong to the clause.
W_ASIDE = 0.25
# (The markers are scanned for with the words, in the same pass.)
ASIDE_MARKERS = (
    "と共催", "と連携", "と協力", "とも連携", "とも協力", "の協力", "の事業協力", "から協力", "の協賛", "の寄付", "らの寄付",
    "からの寄付", "の後援", "から後援", "で構成", "から構成", "からなる", "が会員", "がメンバー",
    "からいただ", "から頂", "から提供", "からの提供", "から寄付", "から寄贈", "からの寄贈", "から譲",
    # organisers, founders and whoever asks the group to come (「社協が主催する講座」, 「…の依頼で」,
    # 「民生委員が立ち上げた」, 「社協が開いた講習会」), partners in 「…と協働し」 and helpers in
    # 「…が協力して」: who they are is not what the group does (the course its founders attended
    # is: 「手話講習会の修了生で発足」 is a 手話 group)
    "が主催", "が主宰", "の依頼", "から依頼", "からの依頼", "が立ち上げ", "が開いた",
    "が開催し", "と協働", "が協力し",
    # members (「…商店会の役員で組織し」), whom the group commissions (「…に依頼して」) and another
    # body's activity the group also helps with (「子ども食堂の運営にも協力しています」)
    "で組織", "に依頼", "にも協力", "主催の",
    # places the group visits to perform or to cheer people up (「診療所や福祉施設への慰問」)
    *(VISIT_MARKERS := ("への慰問", "を慰問", "の慰問")),
)  # fmt: skip
# The course or gathering the founders came from (「公民館の女性セミナーの受講生が結成」, 「公民館の講座に
# 集まった人たちが…結成」): a facility named in that clause ran the course, not the group's activity.
# It counts W_ORIGIN, signals no field and owns nothing (no 「公民館の…」 bonus); a way of helping or
# learning named there (講座, 勉強会: the course itself) counts nothing; the course's topic (「手話講習会の
# 修了生」) still counts, since founders usually keep to what they learnt.
W_ORIGIN = 0.25
ORIGIN_MARKERS = ("の修了生", "の受講生", "の卒業生", "の受講者", "の修了者", "修了生", "受講生",
                  "に集まった", "に集まる", "で知り合った", "で出会った")  # fmt: skip
# A clause ending in 「…も行っています」「…もしています」「…も開いている」 names something the group
# does besides its main work (「地域のゴミ拾いも行っている」, 「製造・販売もしています」): a word said only
# there counts W_ALSO. (Markers scanned for with the words; the clause is found as for partners.)
W_ALSO = 0.5
ALSO_MARKERS = ("も行", "もおこな", "もして", "もしてい", "もした", "も実施", "も開", "も展開", "も手が", "も手掛",
                "も取り組", "も取組", "も運営", "も開催", "も提供")  # fmt: skip
# A people word followed by one of these names who helps, not who is helped (「シニア講師」,
# 「高齢者ボランティア」, 「ママたちが有志で」): it counts W_ASIDE and decides nothing.
_HELPER_AFTER = ("講師", "ぼらんていあ", "すたつふ", "が講師", "の講師", "が中心とな", "が運営", "有志",
                 "が有志", "たちが有志", "の会員", "会員", "の担い手", "が担い手", "が先生", "が指導",
                 "も先生", "先生役", "も講師")  # fmt: skip
# People words that often only say who the members are (fields.yaml member_people: 高齢者, シニア), in
# a text about culture, arts or sport (a 将棋 club whose members are older), learning, IT or science
# (a seniors' computer club) with no service-mode word and nothing else pointing to the people's
# division: they are the audience, not the topic, count this much and signal no field.
W_AUDIENCE = 0.5
# 社会教育, 学術・文化・芸術・スポーツ, 情報化社会, 科学技術: what members do together for its own sake
AUDIENCE_FIELDS = frozenset({2, 6, 14, 15})
# ... never when the text marks them as the ones the activity is for (「ホームレスの人への夜回り」,
# 「お年寄りの家の修理」, 「高齢者向け」): then they are who is served.
_FOR_PEOPLE = ("へ", "に対", "向け", "むけ", "のため", "を対象", "が対象", "を支", "をささえ", "の家", "のいえ",
               "の自宅", "の生活", "のくらし", "の暮らし", "の居場所", "を招", "をまね", "と一緒", "といつしよ")  # fmt: skip
_PERSON_NOUNS = ("の人", "のひと", "の方", "のかた", "さん", "の皆さん", "のみなさん", "世帯", "家庭",
                 "の家族")  # fmt: skip
# Who the group is for, said in its first sentence (「自閉症や知的障害のある子どもたちの野外活動」,
# 「薬物依存症者とその家族を対象に…」, 「妊婦・親子の居場所」): the division serving those people gets this
# much more, so that what they do together (キャンプ, 農作業, 居場所) does not outweigh whom it is for.
# Only people a welfare division serves (a division of the field 保健・医療・福祉: disability, care,
# pregnancy, single parents, hardship): it supports them whatever they do, while foreign residents or
# teenagers are served by the division of what they do. Not when the first people named are age words
# (fields.yaml member_people: 高齢者, シニア), which often only say who the members are.
W_PEOPLE_FIRST = 0.3
WELFARE_FIELD = 1

# Division words of the group's name of at least NAME_MIN_LEN characters weigh this much more: a name
# says what the group is about (「子育てサークル…」, 「フードバンク狛江」). Not short ones (みどり, さくら
# are often only a pleasant sound) nor the fields' everyday words (まちづくり, 環境): they are broad.
W_NAME = 0.5
NAME_MIN_LEN = 4
# A short kana word found only in the name of a group that has a description (「みどりの手話の会」,
# 「さくら」, 「ひまわり」) is usually a pleasant sound, not the activity: it counts this much and
# signals no field. A topic says itself again in the description.
W_NAME_SOUND = 0.5
NAME_SOUND_MAX_LEN = 4
# A word that says only a field's label (まちづくり, 街づくり, 観光) in the description is used loosely
# (「アートによる町づくり」, 「…を通したまちづくり」): it counts this much. In the name it is the
# group's topic (「…まちづくりの会」) and counts as before.
W_BROAD = 0.5
# The word that ends the group's name (or a part of it before a bracket or comma) says what kind of
# group it is (「西山自治会」, 「…歌舞伎保存会」, 「…社協 ふれあいサロン」): it weighs as a name word even
# when short or one of a field's everyday words, and such a word is not halved as broad. Not a
# field's own label (まちづくり, 環境保全: broad), people words, halls, how-words (勉強会, 講座 are the
# form) or short kana words (pleasant sounds).
W_KIND = 1.0  # 1.0: as a name word (1 + W_NAME), undoing W_GENERIC; 0 turns the rule off
# Any word right before 「を借りて」 (「空き家を借りて」, 「お寺の本堂をお借りして」) names the place the
# group rents, not what it does: it counts like a meeting place named as the venue.
_RENTED = ("を借り", "をかり", "をお借り", "をおかり")
# Likewise the event or place where a group sells, shows or performs its work (「市民まつりで販売」,
# 「文化祭に出展」): where it shows the work, not what the work is.
_SHOWN_AT = _also_mo(("で販売", "にて販売", "で展示", "にて展示", "で発表", "にて発表", "で出店", "に出店", "に出展",
             "で出展", "で披露", "にて披露"))  # fmt: skip


# For the reasons only: words that name people (「子ども」「高校生」「母親」) are said as whom the
# activity is for, not as the activity (「活動の「子ども」…」 reads wrongly), and words that name a role
# (「民生委員」「自治会長」) as who takes part.
THING, PERSONS, ROLE = range(3)
_PERSON_ENDINGS = ("子ども", "子供", "こども", "児童", "小学生", "中学生", "高校生", "大学生", "学生", "中高生",
                   "若者", "青少年", "少年", "少女", "女性", "男性", "母親", "父親", "お母さん", "お父さん", "ママ",
                   "パパ", "乳幼児", "幼児", "乳児", "生徒", "赤ちゃん", "の方", "たち")  # fmt: skip
_ROLE_ENDINGS = ("委員", "会長", "役員", "町会長", "推進員", "相談員", "指導員")


def _noun(display: str) -> int:
    if display.endswith(_ROLE_ENDINGS):
        return ROLE
    return PERSONS if display.endswith(_PERSON_ENDINGS) else THING


def _is_kana(key: str) -> bool:
    """All hiragana (folded text: katakana is already hiragana)."""
    return all("\u3041" <= c <= "\u309f" for c in key)


def _served(text: str, end: int) -> bool:
    """Does the text right after a people word mark them as the ones served (「高齢者の方への」)?"""
    for noun in _PERSON_NOUNS:
        if text.startswith(noun, end):
            end += len(noun)
            break
    return text.startswith(_FOR_PEOPLE, end)


def _aside_spans(text: str, markers: list[int]) -> list[tuple[int, int]]:
    """(start, end) of every clause naming partners, funders or members, from the offsets where
    their markers (ASIDE_MARKERS) start."""
    spans = []
    for end in markers:
        start = max(text.rfind("|", 0, end), text.rfind(SEAM, 0, end)) + 1
        comma = text.rfind(COMMA, start, end)
        while comma > start:
            before = text[comma - 1]
            if "\u3041" <= before <= "\u309f":  # a clause ends here (hiragana before the comma)
                start = comma + 1
                break
            comma = text.rfind(COMMA, start, comma)
        spans.append((start, end))
    return spans


def _is_venue(text: str, end: int) -> bool:
    """Is the facility ending at ``end`` only where the activity takes place (「公民館で」)?"""
    if text.startswith(_VENUE_AFTER, end):
        return True
    return text.startswith("の", end) and text.startswith(_VENUE_PLACE, end + 1)


# A facility followed by に (not a registration or a visit, handled before) is where something else
# happens (「保育園に子供を預けていない母親」, 「図書館に行けない」): an ordinary word, no facility bonus.
_NOT_OWNED = ("に",)
# Directory pages give the venue as an item: 「活動場所：福祉会館」, 「会場は公民館」.
_PLACE_LABELS = ("場所:", "会場:", "場所は", "会場は", "場所/", "会場/")


def _labelled_place(text: str, start: int) -> bool:
    """Is the word starting at ``start`` given as the venue (「活動場所：福祉会館」)?"""
    return text.startswith(_PLACE_LABELS, max(0, start - 3))


def _quote(words: Iterable[str]) -> str:
    return "".join(f"「{w}」" for w in words)


# What a word found in the text says about the group, for the reasons: what it does, for whom, where
# it meets or goes, whom it is registered with, works with or is helped by.
WHAT, WHO, FOR_PEOPLE, AUDIENCE, VENUE, VISITED, REGISTERED, PARTNER, HELPER, ORIGIN = range(10)


@dataclass(frozen=True, slots=True)
class _Key:
    """Everything one known word contributes, computed once at load time."""

    display: str  # the word as written in the data file (shown in reasons)
    hits: tuple[tuple[int, float], ...]  # (division index, weight) for divisions listing the word
    # division index -> budget project the word belongs to (None: a division keyword)
    projects: dict[int, str | None]
    # division index -> reason line when this is the only word found for that project
    reasons: dict[int, str]
    field: int | None  # NPO-law field the word signals, if any
    field_reason: str | None  # reason line for that field
    facility: int | None = None  # division whose own facility or name this is
    people: tuple[int, ...] = ()  # divisions serving the people this word names
    mode: bool = False  # a way of helping (配食, 見守り) rather than who is helped
    hall: bool = False  # a hall groups book whatever they do (公民館, 市民会館)
    special: bool = False  # facility, people or hall: looked at more closely while scanning
    everyday: bool = False  # one of a field's everyday words (fields.yaml), not a division's own
    member: bool = False  # people often named only as the members of a club (fields.yaml member_people)
    noun: int = 0  # THING, or PERSONS / ROLE: the word names people (子ども, 高校生) or a role (民生委員)
    place: bool = False  # a kind of building (…施設, …ホーム, …館) that is no division's own facility


class Matcher:
    """The shipped fields and divisions, indexed for matching. Build once (``Matcher.load()``)."""

    def __init__(
        self,
        fields: list[Field],
        divisions: list[Division],
        ignore_words: Iterable[str] = (),
        service_modes: Iterable[str] = (),
        *,
        meeting_places: Iterable[str] = (),
        member_people: Iterable[str] = (),
        readings: dict[str, str] | None = None,
        desk: str | None = None,
        english: Iterable[tuple[str, str]] = (),
        english_path: Path | str = ENGLISH_FILE,
    ) -> None:
        """``readings``: word -> folded kana reading (default: the shipped cache, see readings.py);
        ``desk``: the name of the city's desk for 協働, named when nothing matches; ``english``:
        (English, Japanese) pairs for descriptions written in English (matching/english.py)."""
        self.desk = desk
        self._english_pairs = tuple(english)
        self.fields = fields
        self.divisions = divisions
        self._by_id = {d.id: i for i, d in enumerate(divisions)}
        self._field_by_number = {f.number: f for f in fields}
        self._field_reason = {f.number: messages.REASON_FIELD.format(field=f.label) for f in fields}
        self._field_names = {f.number: f.name for f in fields}
        self._field_labels = frozenset(fold_word(f.label) for f in fields)

        display: dict[str, str] = {}
        owners: dict[str, dict[int, str | None]] = {}  # key -> {division index: project or None}
        for i, d in enumerate(divisions):
            for project, words in d.projects:
                for w in (project, *words):
                    k = fold_word(w)
                    display.setdefault(k, w)
                    owners.setdefault(k, {}).setdefault(i, project)
            for w in (*d.keywords, *d.facilities, *d.people):
                k = fold_word(w)
                display.setdefault(k, w)
                owners.setdefault(k, {}).setdefault(i, None)
        # A division's own facilities, and its own name when long enough not to turn up inside
        # other words (健康課 would fire in 健康課題).
        facility: dict[str, int] = {}
        people: dict[str, list[int]] = {}
        for i, d in enumerate(divisions):
            names = [*d.facilities, d.ka] if len(d.ka) >= 4 else list(d.facilities)
            for w in names:
                k = fold_word(w)
                display.setdefault(k, w)
                owners.setdefault(k, {}).setdefault(i, None)
                facility.setdefault(k, i)
            for w in d.people:
                people.setdefault(fold_word(w), []).append(i)
        modes = {fold_word(w): w for w in service_modes}
        halls = {fold_word(w): w for w in meeting_places}
        members = {fold_word(w): w for w in member_people}
        for entry, listed in (
            ("service_modes", modes),
            ("meeting_places", halls),
            ("member_people", members),
        ):
            for k, w in listed.items():
                if k not in owners:
                    raise DataError(
                        FIELDS_PATH.name,
                        entry,
                        f"「{w}」はどの課のことばにもありません（divisions.yaml にも書いてください）",
                    )
        word_field: dict[str, int] = {}
        for f in fields:
            for w in f.words:
                k = fold_word(w)
                display.setdefault(k, w)
                word_field[k] = f.number

        # A division word that is not itself a field word still signals the field of the field
        # words inside it (知的障害 -> 障害 -> field 1), when those agree on one field.
        field_scanner = Scanner(word_field)
        self._keys: dict[str, _Key] = {}
        for k in {*owners, *word_field}:
            fn = word_field.get(k)
            if fn is None:
                inner = {word_field[w] for w in field_scanner.scan(k)}
                fn = inner.pop() if len(inner) == 1 else None
            by_div = owners.get(k, {})
            generic = k in word_field and len(k) <= GENERIC_MAX_LEN
            weight = W_DIRECT * _length_weight(k) * (W_GENERIC if generic else 1.0)
            share = weight / len(by_div) if by_div else 0.0
            field_reason = None
            noun = _noun(display[k])
            if fn is not None:
                template = messages.REASON_TEXT_FIELD
                if k in people or noun == PERSONS:
                    template = messages.REASON_TEXT_FIELD_PEOPLE
                elif k in facility or k in halls or noun == ROLE:
                    template = messages.REASON_TEXT_FIELD_PLACE
                field_reason = template.format(word=display[k], field=self._field_by_number[fn].label)
            self._keys[k] = _Key(
                display=display[k],
                hits=tuple((i, share) for i in by_div),
                projects=dict(by_div),
                reasons={
                    i: self._reason(
                        i, project, [display[k]], people=k in people or noun == PERSONS, role=noun == ROLE
                    )
                    for i, project in by_div.items()
                },
                field=fn,
                field_reason=field_reason,
                facility=facility.get(k),
                people=tuple(people.get(k, ())),
                mode=k in modes,
                hall=k in halls,
                special=k in facility or k in people or k in halls,
                everyday=k in word_field,
                member=k in members,
                noun=noun,
                place=k not in facility and k not in halls and display[k].endswith(_BUILDINGS),
            )

        # field number -> per-division weights when stated / when inferred from text
        self._field_explicit: dict[int, tuple[tuple[int, float], ...]] = {}
        self._field_text: dict[int, tuple[tuple[int, float], ...]] = {}
        self._field_servers: dict[int, tuple[int, ...]] = {}
        self._field_main: dict[int, int] = {}
        for f in fields:
            explicit, text = [], []
            for i, d in enumerate(divisions):
                if f.number not in d.fields:
                    continue
                breadth = 1.0 / math.sqrt(len(d.fields))
                main = d.id == f.main_division
                explicit.append((i, W_EXPLICIT_FIELD * breadth + (W_EXPLICIT_MAIN if main else 0.0)))
                text.append((i, W_TEXT_FIELD * breadth + (W_TEXT_MAIN if main else 0.0)))
            self._field_explicit[f.number] = tuple(explicit)
            self._field_text[f.number] = tuple(text)
            self._field_servers[f.number] = tuple(i for i, _ in explicit)
            if f.main_division is not None:
                self._field_main[f.number] = self._by_id[f.main_division]

        ignore_words = tuple(ignore_words)
        self._ignore = frozenset(fold_word(w) for w in ignore_words)
        for w in ignore_words:
            if fold_word(w) in self._keys:
                raise DataError(
                    FIELDS_PATH.name,
                    "ignore_words",
                    f"「{w}」は課または分野のことばにもあります（どちらか一方にしてください）",
                )
        self._fingerprint: str | None = None
        for english_word, japanese in self._english_pairs:
            if fold_word(japanese) not in self._keys:
                raise DataError(
                    english_path,
                    english_word,
                    f"「{japanese}」は divisions.yaml にも fields.yaml にもないことばです",
                )
        self._english = EnglishWords(self._english_pairs)
        # Kana readings of kanji words (としょかん -> 図書館), scanned for as aliases of the word.
        spelled = {w: fold_word(w) for w in (*display.values(), *ignore_words)}
        spelled.update({w: k for k, w in display.items()})
        self._aliases = alias_keys(spelled, [*self._keys, *self._ignore], readings)
        # Words that say only a field's own label (まちづくり, 街づくり, 観光: by spelling or reading)
        labels = self._field_labels
        self._broad = frozenset(k for k in self._keys if k in labels) | frozenset(
            spelled[w]
            for w, r in readings_for(spelled, readings).items()
            if r in labels and spelled[w] in self._keys
        )
        self._welfare = frozenset(i for i, d in enumerate(self.divisions) if WELFARE_FIELD in d.fields)
        self._markers = frozenset(fold_word(w) for w in ASIDE_MARKERS) - self._keys.keys()
        self._visit_markers = frozenset(fold_word(w) for w in VISIT_MARKERS) & self._markers
        self._origin_markers = frozenset(fold_word(w) for w in ORIGIN_MARKERS) - self._keys.keys()
        self._also_markers = frozenset(fold_word(w) for w in ALSO_MARKERS) - self._keys.keys() - self._markers
        self._scanner = Scanner(
            [*self._keys, *self._ignore, *self._markers, *self._origin_markers, *self._also_markers],
            aliases=self._aliases,
        )
        # What each word says about the fields (for resolving field words and for the audience rule):
        # computed on first need, so a process that only matches a few groups does not pay for it.
        self._field_scanner, self._word_field = field_scanner, word_field
        self._topics_cache: dict[str, tuple[str, tuple[int, ...]]] | None = None
        self._topic_fields_cache: dict[str, tuple[int, ...]] | None = None
        self._resolver = FieldResolver(fields, scan=self._scanner.scan, topics=self._word_topics)

    def _word_topics(self) -> dict[str, tuple[str, tuple[int, ...]]]:
        if self._topics_cache is None:
            self._topics_cache = self._topics(self._field_scanner, self._word_field)
        return self._topics_cache

    @property
    def _topic_fields(self) -> dict[str, tuple[int, ...]]:
        if self._topic_fields_cache is None:
            self._topic_fields_cache = {k: numbers for k, (_, numbers) in self._word_topics().items()}
        return self._topic_fields_cache

    def _topics(
        self, field_scanner: Scanner, word_field: dict[str, int]
    ) -> dict[str, tuple[str, tuple[int, ...]]]:
        """key -> (word as written, the fields it signals), for resolving field words by topic: a
        field word's field, or the one field of the field words inside it (知的障害 ⊃ 障害); else, per
        division listing the word, the field its budget project's name signals (将棋 ∈ 文化活動事業 ->
        文化) or the division's only field, and then the fields of the field words inside it."""

        def signalled(text: str) -> set[int]:
            return {word_field[w] for w in field_scanner.scan(fold_word(text))}

        out: dict[str, tuple[str, tuple[int, ...]]] = {}
        for k, info in self._keys.items():
            if info.field is not None:
                out[k] = (info.display, (info.field,))
                continue
            numbers: list[int] = []
            for i, project in info.projects.items():
                served = self.divisions[i].fields
                named = signalled(project) & set(served) if project else set()
                if len(named) == 1:
                    n = named.pop()
                elif len(served) == 1:
                    n = served[0]
                else:
                    continue
                if n not in numbers:
                    numbers.append(n)
            for n in sorted(signalled(k), key=lambda n: n not in numbers):  # 障害者の就労: 1 and 17
                if n not in numbers:
                    numbers.append(n)
            if numbers:
                out[k] = (info.display, tuple(numbers))
        return out

    def _reason(
        self, i: int, project: str | None, words: list[str], *, people: bool = False, role: bool = False
    ) -> str:
        """The reason line for words of one division's project (or keywords: project None)."""
        quoted = _quote(words)
        ka = self.divisions[i].ka
        if people:
            return messages.REASON_PEOPLE.format(words=quoted, ka=ka)
        if role:
            if project is None:
                return messages.REASON_ROLE_KEYWORD.format(words=quoted, ka=ka)
            return messages.REASON_ROLE_PROJECT.format(words=quoted, project=project)
        if project is None:
            return messages.REASON_KEYWORD.format(words=quoted, ka=ka)
        if len(words) == 1 and fold_word(words[0]) == fold_word(project):
            return messages.REASON_PROJECT_ITSELF.format(words=quoted, ka=ka)
        return messages.REASON_PROJECT.format(words=quoted, project=project)

    # --- construction -----------------------------------------------------------------------
    @classmethod
    def from_files(cls, fields_path: Path = FIELDS_PATH, divisions_path: Path = DIVISIONS_PATH) -> Matcher:
        fields, ignore = load_fields(fields_path)
        divisions = load_divisions(divisions_path, fields, fields_path)
        lists = load_word_lists(fields_path)
        desk = load_desk(divisions_path, divisions)
        english_path = divisions_path.parent / ENGLISH_FILE
        return cls(
            fields,
            divisions,
            ignore,
            lists["service_modes"],
            meeting_places=lists["meeting_places"],
            member_people=lists["member_people"],
            desk=desk,
            english=load_english(english_path),
            english_path=english_path,
        )

    @classmethod
    def load(cls) -> Matcher:
        """The matcher over the data directory in use (the shipped data unless the application
        chose another with ``matching.use_data_dir``), built once per process and directory."""
        return _load(str(data_dir().resolve()))

    @property
    def fingerprint(self) -> str:
        """sha256 over the scoring version and all the data: fields, ignore words, divisions.

        Division.fingerprint changes only with that division's entry; this one also changes when
        fields.yaml is edited (new everyday words can change any group's matches).
        """
        if self._fingerprint is None:
            payload = json.dumps(
                {
                    "version": SCORING_VERSION,
                    "fields": [
                        [f.number, f.name, f.label, f.main_division, list(f.words)] for f in self.fields
                    ],
                    "ignore": sorted(self._ignore),
                    "readings": sorted(self._aliases.items()),
                    "divisions": [[d.id, d.fingerprint] for d in self.divisions],
                    "english": [list(p) for p in self._english_pairs],
                },
                ensure_ascii=False,
                sort_keys=True,
            )
            self._fingerprint = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        return self._fingerprint

    # --- lookups ----------------------------------------------------------------------------
    def division(self, division_id: str) -> Division:
        """The division with this id (KeyError if unknown)."""
        return self.divisions[self._by_id[division_id]]

    def field(self, number: int) -> Field:
        return self._field_by_number[number]

    def resolve_field(self, word: str | int) -> Field | None:
        """The field of one word when it is exact or a single guess (see resolve_field_word)."""
        return self._resolver.resolve(word)

    def resolve_fields(self, text: str | int) -> FieldsResolution:
        """A text naming one or several fields (「食育、貧困」), each word resolved."""
        return self._resolver.resolve_text(text)

    def suggest_fields(self, word: str, limit: int = 3) -> list[Field]:
        return self._resolver.suggest(word, limit)

    # --- matching ---------------------------------------------------------------------------
    def match(self, profile: GroupProfile, top: int = 5, *, min_share: float = 0.0) -> MatchResult:
        """Rank the divisions for one group: at most ``top``, and (``min_share`` > 0) none below that
        share of the best division's raw score (RECOMMENDED_MIN_SHARE = 0.3)."""
        return self._match(profile, top, min_share)

    def match_many(
        self, profiles: Iterable[GroupProfile], top: int = 3, *, min_share: float = 0.0
    ) -> list[MatchResult]:
        """Match many groups (``kyodo match --all``): the same per-group path as match().

        The cyclic garbage collector is paused meanwhile: the results hold no reference cycles,
        and re-scanning a growing list of 50,000 results cost ~20 % of the batch time.
        """
        m = self._match
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return [m(p, top, min_share) for p in profiles]
        finally:
            if was_enabled:
                gc.enable()

    @lru_cache(maxsize=8192)  # noqa: B019 - one per Matcher, which lives as long as the process
    def _resolve_word(self, word: str) -> tuple[str, int | None, tuple[str, ...]]:
        """(normalised word, field number or None, closest field names if None)."""
        text = normalize(word)
        f = self._resolver.resolve(text) if text else None
        if f is not None:
            return text, f.number, ()
        return text, None, tuple(s.name for s in self._resolver.suggest(text)) if text else ()

    def _resolve_fields(self, words: Iterable[str]) -> tuple[list[int], dict[str, list[str]]]:
        numbers: list[int] = []
        unknown: dict[str, list[str]] = {}
        expanded: list[str] = []
        for word in list(words or ())[:MAX_FIELDS]:
            word = str(word)[:MAX_FIELD_WORD]
            # 「環境保全、まちづくり」 or "1,7" in one entry: split when every part is a field.
            parts = [w for w in _LIST_SEP_RE.split(word) if w.strip()] if _LIST_SEP_RE.search(word) else []
            if len(parts) > 1 and all(self._resolve_word(w)[1] is not None for w in parts):
                expanded.extend(parts)
            else:
                expanded.append(word)
        for word in expanded[:MAX_FIELDS]:
            text, number, candidates = self._resolve_word(word)
            if number is None:
                if text:
                    unknown[text] = list(candidates)
            elif number not in numbers:
                numbers.append(number)
        return numbers, unknown

    def _match(self, profile: GroupProfile, top: int, min_share: float = 0.0) -> MatchResult:
        name = normalize(profile.name or "")[:MAX_NAME]
        # Cut before folding: fold() is the costly step and a pasted brochure must not cost more
        # than a long paragraph.
        description = (profile.description or "")[:MAX_DESCRIPTION]
        if self._english and mostly_latin(description):
            # an English description: the Japanese words its English words name (matching/english.py)
            named = self._english.japanese(description)
            if named:
                description = f"{description}。{'、'.join(named)}"
        field_numbers, unknown = self._resolve_fields(profile.fields) if profile.fields else ([], {})
        field_names = [self._field_by_number[n].name for n in field_numbers]
        # Nothing to go on but (maybe) a name: ask for more, and still try the name
        # (「手話サークルこがねい」 says a lot on its own).
        empty = not description.strip() and not field_numbers
        if empty and not name:
            return MatchResult(name, [], messages.EMPTY_PROFILE, unknown, field_numbers, field_names)

        keys = self._keys
        # SEAM survives folding, so no word is found across the end of the name (カフェ§これ: not エコ).
        text = fold_text(f"{name}{SEAM}{description}")
        name_end = text.find(SEAM)
        hits = self._scanner.hits(text)
        if _PLACE_SUFFIX_RE.search(text):
            places = _place_spans(text)
            if places:
                lo, hi = places[0][0], places[-1][1]
                hits = [h for h in hits if h[1] < lo or h[2] > hi or not _in_place(h[1], h[2], places)]
        markers = self._markers
        origin_markers = self._origin_markers
        aside_at: list[int] = []
        origin_at: list[int] = []
        visit_at: list[int] = []
        also_at: list[int] = []
        for k, s, _ in hits:
            if k in markers:
                aside_at.append(s)
                if k in self._visit_markers:
                    visit_at.append(s)
            elif k in origin_markers:
                origin_at.append(s)
            elif k in self._also_markers:
                also_at.append(s)
        # 「…も行っています」: something done besides the main work
        besides = _aside_spans(text, also_at) if also_at else ()
        only_besides: set[str] = set()  # words said only in such a clause
        main: set[str] = set()
        asides = _aside_spans(text, aside_at) if aside_at else ()
        origins = _aside_spans(text, origin_at) if origin_at else ()
        # 「高齢者施設への慰問」: a place the group goes to cheer people up (said so in the reasons)
        visits = _aside_spans(text, visit_at) if visit_at else ()
        cheered: set[str] = set()
        founded_at: set[str] = set()  # facilities that ran the course the founders came from
        said: set[str] = set()  # ... and facilities also named outside that clause
        # Words found, each once (in order of first occurrence).
        words: dict[str, _Key] = {}
        in_name: set[str] = set()
        named: set[str] = set()  # short or broad words of the name (counted as in_name if said again)
        plain: set[str] = set()  # words with at least one occurrence outside a partner clause
        aside: set[str] = set()  # ... and words with one inside (partners, funders, members)
        helpers: set[str] = set()  # people words naming who helps (シニア講師)
        facilities: dict[int, str] = {}  # division -> its facility the activity belongs to
        owned: dict[str, tuple[int, str]] = {}  # key -> (division, facility) it belongs to
        owner_until = -1
        owner: tuple[int, str] = (-1, "")
        people: dict[int, tuple[str, str]] = {}  # division -> (display, key) of the first people word
        venues: set[str] = set()  # halls named only as where the group meets
        visited: set[str] = set()  # facilities the group goes to
        registered: set[str] = set()  # facilities named only as registered with / funded by
        served: set[str] = set()  # people words marked as the ones the activity is for
        ranged: set[str] = set()  # words at either end of 「…から…まで」 (who may come)
        everyone = False
        # a facility followed by 「の」 (division, display, key), decided by what follows
        pending: tuple[int, str, str] | None = None
        pending_until = -1
        startswith = text.startswith
        modes_found = False
        name_only: set[str] = set()  # short kana words seen in the name (pleasant sounds?)
        kinds: set[str] = set()  # words ending the name or a part of it: what kind of group it is
        in_description: set[str] = set()
        run: list[str] = []  # the words of the list the current word ends (「保育園や児童館、…」)
        first_people: tuple[str, tuple[int, ...]] | None = None  # a people word of the first sentence
        first_end = text.find("|", name_end)
        if first_end < 0:
            first_end = len(text)
        run_end = -1
        for k, start, end in hits:
            info = keys.get(k)
            if info is None:  # an ignore word (緑町, NPO法人) or a marker: read past it
                continue
            if start >= name_end:
                in_description.add(k)
            elif len(k) <= NAME_SOUND_MAX_LEN and _is_kana(k):
                name_only.add(k)
            if asides and any(a <= start and end <= b for a, b in asides):
                aside.add(k)
                if visits and any(a <= start and end <= b for a, b in visits):
                    cheered.add(k)
                if k not in words:
                    words[k] = info
                continue
            if (info.facility is not None or info.mode) and origins:
                if any(a <= start and end <= b for a, b in origins):
                    founded_at.add(k)
                    if k not in words:
                        words[k] = info
                    continue
                said.add(k)
            if info.people and startswith(_HELPER_AFTER, end):
                helpers.add(k)
                if k not in words:
                    words[k] = info
                continue
            if asides or info.people:  # (only needed to tell partners and helpers apart)
                plain.add(k)
            if besides:
                if any(a <= start and end <= b for a, b in besides):
                    only_besides.add(k)
                else:
                    main.add(k)
            modes_found |= info.mode
            if start < name_end:
                if not info.everyday and len(k) >= NAME_MIN_LEN:
                    in_name.add(k)
                else:
                    named.add(k)
                if (
                    W_KIND
                    and (end == name_end or text[end] in _SEGMENT_ENDS)
                    and not (
                        info.people
                        or info.hall
                        or info.mode
                        or k in self._field_labels
                        or (len(k) <= NAME_SOUND_MAX_LEN and _is_kana(k))
                    )
                ):
                    kinds.add(k)
            chained = None
            if pending is not None:
                if start <= pending_until and info.mode:
                    pass  # 「保育園の送迎」: the facility is where the help goes, not who gives it
                elif info.facility is None or start > pending_until:
                    facilities.setdefault(*pending[:2])
                else:  # 「社協のボランティアセンターに登録」: the second facility decides for both
                    chained = pending[2]
                pending = None
            if k not in words:
                words[k] = info
                if (
                    start <= owner_until
                    and info.facility is None
                    and not info.mode
                    and owner[0] not in info.projects
                ):
                    owned[k] = owner
            if run_end >= 0 and text[run_end:start] in _LIST_JOINS:
                run.append(k)
            else:
                run = [k]
            run_end = end
            # 「保育園・幼稚園、介護施設などを訪問」「老人福祉センターなどで」: など is read past
            at = end + 2 if startswith("など", end) else end
            if (startswith(_RENTED, end) or startswith(_SHOWN_AT, end)) and not info.people:
                venues.add(k)
            elif not info.people and (
                startswith(_GONE_TO, at)
                or (
                    # 「保育園や児童館、高齢者施設を回って」: a list with a facility in it is of places
                    startswith(_VISITED, at)
                    and (info.facility is not None or any(keys[r].facility is not None for r in run))
                )
            ):
                for r in run:
                    if not keys[r].people:
                        visited.add(r)
                        ri = keys[r].facility
                        if ri is not None and facilities.get(ri) == keys[r].display:
                            del facilities[ri]
            if info.place and startswith(_VENUE_END, at) and not info.people:
                venues.add(k)  # 「福祉施設で」「老人ホームでの」: a building named as where it happens
            if (
                len(run) > 1
                and startswith(_VENUE_END, at)
                and any(keys[r].facility is not None or keys[r].hall for r in run)
            ):
                # 「幼稚園・保育園・小学校でのおはなし会」, 「公園や緑地で」: a list of places ending at a
                # venue is a list of venues, the last one too (one facility alone keeps its weight)
                for r in run:
                    rk = keys[r]
                    if rk.people:
                        continue
                    if rk.facility is not None and facilities.get(rk.facility) == rk.display:
                        del facilities[rk.facility]
                    venues.add(r)
            if startswith("から", end) and text.find("まで", end, end + RANGE_GAP) != -1:
                ranged.add(k)  # 「子どもから…まで」: one end of a range of who may come
            if not info.special:
                continue
            if info.people and startswith("まで", end):
                ranged.add(k)
            for i in info.people:
                people.setdefault(i, (info.display, k))
            if info.people and first_people is None and start < first_end:
                first_people = (k, () if info.member else tuple(i for i in info.people if i in self._welfare))
            if info.people and _served(text, end):
                served.add(k)
            if info.people and startswith("まで", end):
                everyone = True
            fi = info.facility
            if fi is not None and startswith(_REGISTERED, at):
                registered.add(k)
            elif fi is not None and startswith(_VISITED, at):
                visited.add(k)
            elif fi is None or _is_venue(text, end) or _labelled_place(text, start):
                if info.hall and (_is_venue(text, end) or _labelled_place(text, start)):
                    venues.add(k)
            elif startswith("の", end):
                pending, pending_until = (fi, info.display, k), end + 1 + OWNED_GAP
                owner, owner_until = (fi, info.display), pending_until
            elif not startswith(_NOT_OWNED, at):
                facilities.setdefault(fi, info.display)
            if chained is not None and k in registered:
                registered.add(chained)
        if pending is not None:
            facilities.setdefault(*pending[:2])
        name_only -= in_description
        # A short or broad word of the name that the description says again (「消費者の会」 …
        # 「消費者の権利」) is what the group is about after all.
        # Not short kana words (とんぼ of 「竹とんぼの会」 is inside an unlisted word).
        in_name |= {
            k
            for k in named & in_description
            if not keys[k].people and not keys[k].hall and not (len(k) <= NAME_SOUND_MAX_LEN and _is_kana(k))
        }
        if name_only and name_end + 1 >= len(text):
            name_only = set()  # no description: the name is all there is
        if aside or helpers:
            # a word said once as a partner (or helper) and once as the activity is the activity
            aside -= plain
            helpers -= plain
            aside |= helpers
        founded_at -= said
        only_besides -= main

        # What the activity is about: the divisions of the words that are neither a way of helping
        # nor people, nor only a place, a partner or a registration.
        culture = False
        about: set[int] = set()
        topics: set[int] = set()  # ... of those, the divisions whose budget projects they belong to
        if people or modes_found:
            topic_fields = self._topic_fields
            for k, info in words.items():
                if (
                    info.mode
                    or info.people
                    or k in aside
                    or k in venues
                    or k in registered
                    or k in visited
                    or k in founded_at
                ):
                    continue
                about.update(info.projects)
                topics.update(i for i, p in info.projects.items() if p is not None)
                culture = culture or not AUDIENCE_FIELDS.isdisjoint(topic_fields.get(k, ()))
        audience: set[str] = set()
        if people and (everyone or any(w in text for w in _EVERYONE)):
            # 「子どもから高齢者まで誰でも」: the people named are examples of who may come, not the
            # ones served. In a text about culture, arts or sport with no way of helping named they
            # are the audience (a 将棋 club open to all is not 介護福祉課's): they count W_AUDIENCE,
            # signal no field and give no reason of their own.
            if culture and not modes_found:
                audience = {
                    k
                    for k, info in words.items()
                    if (info.people or k in ranged)
                    and k not in aside
                    and k not in served
                    and not set(info.people or info.projects) & about
                }
            people = {}
        if people and culture and not modes_found:
            # people named, nothing said about helping them, and the text is about culture, arts or
            # sport their division does not do: they are the audience (a 将棋 club of seniors)
            away = {i for i in people if i not in about}
            if away:
                audience = {
                    k
                    for k, info in words.items()
                    if info.people and info.member and k not in aside and k not in served
                }
                audience = {k for k in audience if away.issuperset(keys[k].people)}
                people = {i: p for i, p in people.items() if p[1] not in audience}

        raw: dict[int, float] = {}
        found: dict[int, list[tuple[_Key, int]]] = {}  # division index -> (word, its role) that hit it
        notes: dict[int, list[str]] = {}  # division index -> reasons beyond "word X found"
        text_fields: dict[int, _Key] = {}  # field number -> first word that signalled it
        for fi, facility in facilities.items():
            raw[fi] = W_FACILITY
            found[fi] = []
            notes[fi] = [self._facility_reason(fi, facility)]
        adjust = owned or venues or visited or people or modes_found
        for k, info in words.items():
            role = WHO if info.people else WHAT
            if k in aside or k in registered:
                role = REGISTERED if k in registered else (HELPER if k in helpers else PARTNER)
                if role == PARTNER and k in cheered:
                    role = VISITED
                hits = tuple((i, w * W_ASIDE) for i, w in info.hits)
            elif k in founded_at:
                # the facility that ran the founders' course counts a little; the course itself (講座)
                # not at all: it is not what the group does
                role = ORIGIN
                hits = tuple((i, w * W_ORIGIN) for i, w in info.hits) if info.facility is not None else ()
            elif k in audience:
                role = AUDIENCE
                hits = tuple((i, w * W_AUDIENCE) for i, w in info.hits)
            else:
                hits = info.hits
                if adjust:
                    hits, role = self._adjust(
                        k,
                        info,
                        role,
                        owned,
                        venues,
                        visited,
                        about,
                        topics,
                        people,
                        facilities,
                        raw,
                        found,
                        notes,
                    )
                if k in self._broad and k not in in_name and k not in named:
                    hits = tuple((i, w * W_BROAD) for i, w in hits)
                if k in only_besides:
                    hits = tuple((i, w * W_ALSO) for i, w in hits)
                if k in kinds:
                    generic = info.everyday and len(k) <= GENERIC_MAX_LEN
                    factor = (1.0 + W_NAME) * (1.0 / W_GENERIC if generic else 1.0)
                    hits = tuple((i, w * (1.0 + (factor - 1.0) * W_KIND)) for i, w in hits)
                elif k in in_name:
                    hits = tuple((i, w * (1.0 + W_NAME)) for i, w in hits)
                elif k in name_only:
                    hits = tuple((i, w * W_NAME_SOUND) for i, w in hits)
            for i, w in hits:
                if i in raw:
                    raw[i] += w
                    if info.facility != i or i not in facilities:  # else said by the facility reason
                        found[i].append((info, role))
                else:
                    raw[i] = w
                    found[i] = [(info, role)]
            fn = info.field
            if fn is not None and role <= FOR_PEOPLE and fn not in text_fields and k not in name_only:
                text_fields[fn] = info
        if (
            W_PEOPLE_FIRST
            and first_people is not None
            and people
            and first_people[0] not in aside
            and first_people[0] not in audience
        ):
            for i in first_people[1]:
                if i in people:
                    raw[i] = raw.get(i, 0.0) + W_PEOPLE_FIRST / len(first_people[1])
                    found.setdefault(i, [])
        direct = dict(raw)
        # The division the words of the text clearly point to, if any.
        lead = None
        if direct and field_numbers:
            ranked = sorted(direct.values(), reverse=True)
            if ranked[0] >= CLEAR_TEXT and (len(ranked) == 1 or ranked[0] >= ranked[1] + CLEAR_MARGIN):
                lead = max(direct, key=direct.__getitem__)
        for fn in field_numbers:
            main = self._field_main.get(fn)
            # 「湧水の観察」 with the stated field まちづくり: the text names the service area, and a
            # broad stated field its division does not serve counts less, with no main bonus.
            off_topic = lead is not None and fn not in self.divisions[lead].fields
            for i, w in self._field_explicit[fn]:
                if i == main and (off_topic or self._someone_else_leads(direct, fn, i)):
                    w -= W_EXPLICIT_MAIN
                raw[i] = raw.get(i, 0.0) + (w * W_FIELD_OFF_TOPIC if off_topic else w)
        for fn in text_fields:
            if fn not in field_numbers:
                main = self._field_main.get(fn)
                for i, w in self._field_text[fn]:
                    if i == main and self._someone_else_leads(direct, fn, i):
                        w -= W_TEXT_MAIN
                    elif i != main and i not in direct and TEXT_FIELD_NEEDS_WORDS:
                        continue
                    raw[i] = raw.get(i, 0.0) + w

        # Best first; equal scores keep the order of the file (both sorts are stable, in C).
        order = sorted(raw)
        order.sort(key=raw.__getitem__, reverse=True)
        floor = max(MIN_RAW, raw[order[0]] * min_share) if order and min_share > 0 else MIN_RAW
        matches = [
            self._explain(i, raw[i], found.get(i, ()), field_numbers, text_fields, notes.get(i, ()), people)
            for i in order[: max(top, 0)]
            if raw[i] >= floor
        ]
        message = messages.EMPTY_PROFILE if empty else (None if matches else messages.no_match(self.desk))
        return MatchResult(name, matches, message, unknown, field_numbers, field_names)

    def _adjust(
        self,
        k: str,
        info: _Key,
        role: int,
        owned: dict[str, tuple[int, str]],
        venues: set[str],
        visited: set[str],
        about: set[int],
        topics: set[int],
        people: dict[int, tuple[str, str]],
        facilities: dict[int, str],
        raw: dict[int, float],
        found: dict[int, list[tuple[_Key, int]]],
        notes: dict[int, list[str]],
    ) -> tuple[tuple[tuple[int, float], ...], int]:
        """The (division, weight) pairs word k contributes once the rules on facilities, venues,
        people and service modes have been applied, and the word's role; credits moved to other
        divisions go straight into raw/found/notes."""
        hits = info.hits
        if k in owned:  # 「公民館の文化活動」: the word counts for the facility's division
            oi, facility = owned[k]
            raw[oi] = raw.get(oi, 0.0) + (sum(w for _, w in hits) or W_DIRECT * _length_weight(k))
            found.setdefault(oi, [])
            ka = self.divisions[oi].ka
            notes.setdefault(oi, []).append(
                messages.REASON_OWNED.format(facility=facility, word=info.display, ka=ka)
            )
            return (), role
        if (k in venues or k in visited) and (info.facility is None or info.facility not in facilities):
            return tuple((i, w * W_VENUE) for i, w in hits), (VENUE if k in venues else VISITED)
        if (
            people
            and info.mode
            and people.keys().isdisjoint(info.projects)
            # 「シニアのためのスマートフォン講座」: when the budget-project words of the text point to the
            # mode's own division and not to the people's, how belongs with what
            and (not topics or not topics.isdisjoint(people))
        ):
            each = sum(w for _, w in hits) * W_MODE_TO_PEOPLE / len(people)
            for pi in people:
                raw[pi] = raw.get(pi, 0.0) + each
                # said once per division by _explain: 「対象の…の方は…（活動は「配食」「見守り」）」
                found.setdefault(pi, []).append((info, FOR_PEOPLE))
            return tuple((i, w * (1.0 - W_MODE_TO_PEOPLE)) for i, w in hits), role
        if info.mode and about and about.isdisjoint(info.projects):
            # 「予算を読み解く市民講座」: how (講座) yields to what (予算)
            return tuple((i, w * W_MODE_WITH_TOPIC) for i, w in hits), role
        return hits, role

    def _facility_reason(self, i: int, facility: str) -> str:
        d = self.divisions[i]
        ka = d.ka
        if fold_word(facility) == fold_word(ka):
            # the division's name: 「介護福祉課」 is named; 「図書館」 is also the building
            if facility in d.facilities:
                return messages.REASON_FACILITY_ITSELF.format(facility=facility)
            return messages.REASON_NAMED.format(ka=ka)
        return messages.REASON_FACILITY.format(ka=ka, facility=facility)

    def _someone_else_leads(self, direct: dict[int, float], fn: int, main: int) -> bool:
        """True when the words of the text point clearly to another division serving field fn than
        its main division: the main division's bonus is for when only the field is known."""
        if not direct:
            return False
        bar = direct.get(main, 0.0) + CLEAR_LEAD
        get = direct.get
        # (main itself can never reach its own bar)
        return any(get(i, 0.0) >= bar for i in self._field_servers[fn])

    _SIDE_REASONS = {
        AUDIENCE: messages.REASON_AUDIENCE,
        VENUE: messages.REASON_VENUE,
        VISITED: messages.REASON_VISITED,
        REGISTERED: messages.REASON_REGISTERED,
        PARTNER: messages.REASON_PARTNER,
        HELPER: messages.REASON_PARTNER,
        ORIGIN: messages.REASON_ORIGIN,
    }

    def _explain(
        self,
        i: int,
        raw: float,
        found: list[tuple[_Key, int]] | tuple[()],
        field_numbers: list[int],
        text_fields: dict[int, _Key],
        notes: list[str] | tuple[()] = (),
        people: dict[int, tuple[str, str]] | None = None,
    ) -> DivisionMatch:
        """Reasons, surest first: the stated fields, the facility and people notes, what the group
        does (grouped by the division's project), for whom, the fields its words signal, and last
        where it meets and whom it works with."""
        d = self.divisions[i]
        served = d.fields
        shared = [fn for fn in field_numbers if fn in served]
        reasons = [self._field_reason[fn] for fn in shared]
        reasons.extend(notes)
        what: list[_Key] = []
        who: list[str] = []
        modes: list[str] = []
        side: dict[int, list[str]] | None = None
        roles: list[_Key] = []
        for info, role in found:
            if role == WHAT and info.noun == PERSONS:
                who.append(info.display)
            elif role == WHAT and info.noun == ROLE:
                roles.append(info)
            elif role == WHAT:
                what.append(info)
            elif role == WHO:
                who.append(info.display)
            elif role == FOR_PEOPLE:
                modes.append(info.display)
            else:
                if side is None:
                    side = {}
                side.setdefault(role, []).append(info.display)
        if len(what) == 1:
            reasons.append(what[0].reasons.get(i) or self._reason(i, None, [what[0].display]))
        elif what:
            # Words found in the text, grouped by the division's project they belong to.
            by_project: dict[str | None, list[_Key]] = {}
            for info in what:
                by_project.setdefault(info.projects.get(i), []).append(info)
            for project, infos in by_project.items():
                if len(infos) == 1:
                    reasons.append(infos[0].reasons.get(i) or self._reason(i, None, [infos[0].display]))
                else:
                    reasons.append(self._reason(i, project, [f.display for f in infos[:3]]))
        if roles:
            project = roles[0].projects.get(i)
            reasons.append(self._reason(i, project, [r.display for r in roles[:3]], role=True))
        if modes and people and i in people:
            who_served = people[i][0]
            reasons.insert(
                len(shared),
                messages.REASON_FOR_PEOPLE.format(people=who_served, ka=d.ka, words=_quote(modes[:3])),
            )
            who = [w for w in who if w != who_served]
        if who:
            reasons.append(self._reason(i, None, who[:3], people=True))
        for fn in served:
            info = text_fields.get(fn)
            if info is not None and fn not in field_numbers:
                shared.append(fn)
                reasons.append(info.field_reason)
        if side:
            for role, shown in side.items():
                reasons.append(self._SIDE_REASONS[role].format(words=_quote(shown[:3])))
        names = self._field_names
        return DivisionMatch(
            division_id=d.id,
            department=d.name,
            score=round(raw / (raw + 1.0), 4),
            fields=[names[fn] for fn in shared],
            reasons=reasons[:MAX_REASONS],
        )


@lru_cache(maxsize=4)
def _load(directory: str) -> Matcher:
    base = Path(directory)
    return Matcher.from_files(base / FIELDS_FILE, base / DIVISIONS_FILE)
