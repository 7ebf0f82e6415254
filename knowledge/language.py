"""Which language a message is written in: Japanese, English (romaji included), or another one.

Pure and fast (character classes and small word lists, no model): it runs before every answer.

* ``"ja"``: kana, or kanji without the marks of Chinese, or nothing but acronyms the Japanese
  questions use too (NPO, NGO, PTA): the Japanese answerer handles these as before;
* ``"en"``: English words, romaji (kyoudou towa, kouen) and mixed messages (協働 what is it?);
* ``"other"``: Korean, Chinese without kana, Vietnamese, Thai, Cyrillic, Arabic … and Latin-script
  languages recognised by their function words or letters (Spanish, Portuguese, French, German,
  Indonesian, Tagalog). These get one line in English and Japanese saying where to ask.

Call :func:`detect_language` on ``knowledge.normalize.normalize``-d text (NFKC: half-width kana
and full-width letters are already folded).
"""

from __future__ import annotations

import re
import unicodedata

JA, EN, OTHER = "ja", "en", "other"


def _words(text: str) -> list[str]:
    return text.split()


LANGUAGES = (JA, EN, OTHER)

# Simplified or traditional Chinese characters (and Chinese particles) that Japanese text does not
# use; checked against every Japanese text in the repository (tests/knowledge/test_language.py).
CHINESE_ONLY = frozenset(
    "这么们吗呢谁哪怎样说对应关于协动组织团门问还没为发时间务际过进运经济业长东车书买卖开见觉认识让计设订"
    "记论话语读谈调资赞办华单员围图场处备复头实宁岁币帮广张录总态战报护换无显杂权极构欢气汉满热爱环现电疗"
    "监种积稳笔签简类练细结给绝统续联艺节药补规视览观议诉证评词试询详负费质购贷赛跃转输边达迁递邮钱银错闻"
    "阅队阶难题额风饮馆驻验鸟齐龄麼嗎們這妳喔沒與說對關應區會來樣讓裡邊點兒您呀嘛咱"
)

# Latin words that Japanese questions use as they are: a message of nothing else stays Japanese
# (the conversation engine can still pass the user's language).
JAPANESE_LATIN = frozenset(
    _words("npo ngo pta pto ok ng line faq qa id sns pr ai dx sdgs lgbt lgbtq csr bbq")
)

# Common English words (function words, question words, frequent verbs): the evidence for English.
ENGLISH_WORDS = frozenset(
    _words(
        """
    a about above after again all also am an and any anyone are as ask at be because been before being
    between both but by can cannot can't could did do does doing don't done each even every for from get
    give go going good got had has have having he help her here hi hello his how i if i'm in into is isn't
    it it's its just know like many may me mean meaning means might more most much must my need no not now
    of off on one only or other our out over please possible really same say she should so some someone
    something than thank thanks that the their them then there these they thing think this those through
    to too up us use want was we well were what when where which while who whom whose why will with without
    would yes you your can i we us our city group groups people work join apply find call phone number office
    hours open address where free money pay paid support project event events volunteer volunteering
    organisation organization company university school student students resident residents foreign
    foreigner english japanese question questions answer kind type types difference different between
    partner partners together guideline policy law rule rules register registered official government
    collaborate collaboration cooperation start started make made become allowed allow okay ok yet still
    bye goodbye byebye see ty thx welcome sorry great nice
    """
    )
)

# Function words of other Latin-script languages (only words that are not also English or romaji).
OTHER_WORDS = frozenset(
    _words(
        """
    que qué es el los las del por para como cómo una uno puedo hola gracias donde dónde cuando cuándo
    está están ser hacer quiero necesito ayuda grupo ciudad tambien también pero muy
    olá obrigado obrigada não nao sim voce você posso uma cidade fazer preciso ajuda
    le les est comment je une des du pour avec bonjour merci vous nous est-ce qu'est-ce c'est ville aide
    ist was wie der die das und ich kann mit für fur ein eine nicht hallo danke bitte stadt gibt
    apa itu yang dan bagaimana saya bisa dengan untuk tidak ini ada kota terima kasih boleh ingin mau
    ano ang mga paano ako po ba salamat kumusta
    toi tôi khong không cua của gi gì lam làm duoc được xin chao chào cam cảm ơn
    """
    )
)

# Romaji function words and common words of questions typed in romaji: evidence for "en"
# (the English answerer reads romaji), never for another language.
ROMAJI_WORDS = frozenset(
    _words(
        """
    towa to wa wo ga no ni de mo ka ne yo desu desuka masu masuka dekimasu dekimasuka nan nani nandesuka
    onegai onegaishimasu shimasu shitai tai itsu doko dare dou doushitara naze kyodo kyoudou kyoudo kyodou
    kouen koen kyousai kyosai itaku hojo hojokin jichikai chounaikai jigyou jigyo teian seido shinsei
    meigi houjin hojin shimin katsudou katsudo dantai arimasu arimasuka sougo rikai taitou paatonaa
    senta senta junbishitsu shakyo shakyou tsukuritai shitsumon shiyakusho madoguchi denwa bangou
    arigatou arigato arigatoo doumo domo sayonara sayounara konnichiwa konnichiha konbanwa ohayou ohayo
    yoroshiku sumimasen gomen gomennasai
    """
    )
)

_WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_HANGUL_RE = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_KANA_RE = re.compile("[\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff]")
_KANA_RUN_RE = re.compile("[\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff]+")
_KANJI_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Vietnamese letters (ơ ư đ ă and the tone marks on vowels that other languages do not stack).
_VIETNAMESE_RE = re.compile("[ơưđăƠƯĐĂ\u1ea0-\u1ef9]")
# Accented letters of European languages; macrons and circumflexes are romaji (kōen, kôen).
_EUROPEAN_ACCENT_RE = re.compile("[áéíóúàèìòùäëïöüñçãõßœæ¿¡]", re.IGNORECASE)
_ROMAJI_ACCENT = str.maketrans("āīūēōâîûêôĀĪŪĒŌÂÎÛÊÔ", "aiueoaiueoAIUEOAIUEO")


def _latin_letter(c: str) -> bool:
    return "LATIN" in unicodedata.name(c, "")


def _other_script(c: str) -> bool:
    """A letter of a script that is neither Japanese nor Latin (Cyrillic, Thai, Arabic, …)."""
    if not c.isalpha() or _latin_letter(c) or _KANA_RE.match(c) or _KANJI_RE.match(c):
        return False
    name = unicodedata.name(c, "")
    return not name.startswith(("CJK", "HIRAGANA", "KATAKANA", "FULLWIDTH", "HALFWIDTH"))


def latin_words(text: str) -> list[str]:
    """The Latin-script words of ``text``, lower-cased (macrons kept)."""
    return [
        w.lower().replace("’", "'")
        for w in _WORD_RE.findall(text)
        if all(_latin_letter(c) or c in "'’-" for c in w)
    ]


def detect_language(text: str, hint: str | None = None) -> str:
    """``"ja"``, ``"en"`` or ``"other"`` for a normalised message (see the module docstring).

    ``hint`` is the user's language when known (a LINE profile, a 「English」 switch): it decides
    when the text itself does not tell — empty, no letters, or only acronyms (NPO) — and for a
    courtesy that mixes kana and English (ありがとう bye, こんにちは hello). Otherwise the former is
    ``"ja"`` (the Japanese answerer has its replies) and the latter ``"en"`` (someone who reads
    Japanese reads a short English reply; the other way round is less sure)."""
    if _mixed_courtesy(text):
        return JA if hint == JA else EN
    found = _detect(text)
    if found == JA and hint in (EN, OTHER) and not _KANA_RE.search(text) and not _KANJI_RE.search(text):
        return hint
    return found


# -- courtesies: a short message that asks nothing ---------------------------------------------------
THANKS, GREETING, FAREWELL = "thanks", "greeting", "farewell"
_COURTESY_WORDS = {
    THANKS: """ありがとう ありがとうございます ありがとうございました どうも どうもありがとう
        どうもありがとうございます どうもありがとうございました サンキュー 助かりました 助かります
        thanks thank thx ty cheers arigatou arigato arigatoo doumo domo""",
    GREETING: """こんにちは こんにちわ こんばんは こんばんわ おはよう おはようございます はじめまして
        hello hi hey konnichiwa konnichiha konbanwa ohayou ohayo""",
    FAREWELL: """さようなら さよなら またね じゃあね バイバイ ではまた それでは bye goodbye byebye
        sayonara sayounara""",
    # say nothing by themselves: a message of these only is not a courtesy
    "": """ok okay yes はい では じゃ じゃあ また よろしく よろしくお願いします お願いします please
        so very much a lot again all and you""",
}
_COURTESY = {w: kind for kind, words in _COURTESY_WORDS.items() for w in _words(words)}
_COURTESY_PHRASES = (
    (re.compile(r"\bthank\s+you\b"), "thanks"),
    (re.compile(r"\bsee\s+you(?:\s+(?:later|again|soon))?\b"), "bye"),
    (re.compile(r"\bgood\s*-?\s*bye\b|\bbye[\s-]+bye\b"), "bye"),
)
_COURTESY_TOKEN_RE = re.compile(r"[a-z']+|[^\W\da-z_]+")


def courtesy(text: str) -> str | None:
    """``"thanks"``, ``"greeting"`` or ``"farewell"`` for a short message made only of courtesy
    words, in Japanese, English, romaji or a mix of them (ありがとう bye, こんにちは hello, thank you
    see you); None otherwise (anything else in it, or fillers only)."""
    low = text.lower().translate(_ROMAJI_ACCENT)
    if len(low) > 60:
        return None
    for pattern, word in _COURTESY_PHRASES:
        low = pattern.sub(f" {word} ", low)
    tokens = _COURTESY_TOKEN_RE.findall(low)
    if not tokens or len(tokens) > 8 or any(t not in _COURTESY for t in tokens):
        return None
    kinds = {_COURTESY[t] for t in tokens}
    return next((k for k in (THANKS, GREETING, FAREWELL) if k in kinds), None)


def _mixed_courtesy(text: str) -> bool:
    """A courtesy in kana and English at once (ありがとう bye): the English word counts (not the
    acronyms Japanese uses as they are, such as OK)."""
    if not _KANA_RE.search(text) or courtesy(text) is None:
        return False
    return any(w not in JAPANESE_LATIN for w in latin_words(text))


def _detect(text: str) -> str:
    if not text:
        return JA
    kana = len(_KANA_RE.findall(text))
    kanji = _KANJI_RE.findall(text)
    if _HANGUL_RE.search(text) and not kana:
        return OTHER
    words = latin_words(text)
    if kana:
        # Japanese, unless the message is mostly English (or romaji: koujo ryouzoku ni hanshinai
        # katsudou tte どういう意味?) around a Japanese word.
        english = _english_words(words)
        return EN if english >= 2 and english >= len(_KANA_RUN_RE.findall(text)) else JA
    if kanji and any(c in CHINESE_ONLY for c in kanji):
        return OTHER if not _english_words(words) else EN
    others = sum(1 for c in text if _other_script(c))
    latin = sum(len(w) for w in words)
    if others > latin:
        return OTHER
    if not words:
        return JA  # kanji only (補助金, 協働 定義), digits, symbols
    if all(w in JAPANESE_LATIN for w in words):
        return JA  # NPO, NPO法人, PTAでも: the Japanese questions use these as they are
    if _VIETNAMESE_RE.search(text):
        return OTHER
    english = _english_words(words)
    foreign = sum(1 for w in words if w in OTHER_WORDS and w not in ENGLISH_WORDS)
    foreign += len(_EUROPEAN_ACCENT_RE.findall(text))
    if foreign > english and foreign >= 1:
        return OTHER
    return EN


def _english_words(words: list[str]) -> int:
    return sum(1 for w in words if w in ENGLISH_WORDS or w.translate(_ROMAJI_ACCENT) in ROMAJI_WORDS)
