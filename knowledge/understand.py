"""Reading a message as a person wrote it: context, the question, and what kind of question.

Citizens often introduce their group first and ask afterwards::

    私たちは地域の清掃活動をしている団体ですが、協働するにはどうしたらいいですか

:func:`understand` splits such a message into the *context* (here a self-introduction) and the
*question* (協働するにはどうしたらいいですか), keeps the group's self-description as ``activity``
(for the conversation engine: what 第2章(2) says about such an activity, the matcher's divisions,
an offer to start 対象チェック), and tells the *kind* of question:

============  =========================================================
kind          e.g.
============  =========================================================
what-is       協働とは？ / 「後援」ってどういう意味？
can-we        企業も協働できますか / 補助金はもらえる？ (a yes/no question)
how-do-we     協働するにはどうしたらいい？ / 申請の手順は？
difference    後援と共催の違いは？
why           なぜ協働が必要なの？
contact       電話番号を教えて / 窓口はどこ？ / 受付時間は？
status        送った提案はどうなりましたか
other         anything else
============  =========================================================

``yes_no`` says whether the question can be answered with はい/いいえ (every can-we question, and
other questions that end like one without a question word: 市と団体は対等なんですか？).

Pure functions over already-normalised text (knowledge.normalize.normalize); no tokenizer, so the
module is cheap and its rules are easy to test on their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

KINDS = ("what-is", "can-we", "how-do-we", "difference", "why", "contact", "status", "other")

# Sentence ends; a run of them (？？, 。。) stays with its sentence.
_SENTENCE_RE = re.compile(r"[^。．！？!?\n]+[。．！？!?\n]*|[。．！？!?\n]+")
# A clause that introduces and then turns to the question: …団体ですが、 / …していますけど、 /
# …をしていて、 / …の者です、 (the comma is optional after が/けど: 団体ですが協働するには…)
_CLAUSE_END_RE = re.compile(
    r"(?:です|でございます|ます|ました|でした|ている|てる|ておる|だ)(?:が|けど|けれど|けれども)[、,]?"
    r"|(?:して|やって|行って|おこなって|取り組んで|運営して|活動して)(?:いて|おりまして|まして)[、,]"
    r"|(?:団体|グループ|サークル|会|者|法人|一員|代表|メンバー)(?:で|でして)[、,]"
)
# What makes a sentence a question (checked on the sentence, spaces removed).
_ASKING_RE = re.compile(
    r"[?？]|か[。.!！\s]*$|かな[。.!！\s]*$|かね[。.!！\s]*$|でしょうか|ますか|ですか|の[。.!！\s]*$"
    r"|教えて|おしえて|ください|下さい|知りたい|聞きたい|伺いたい|ほしい|欲しい|たいです|たい[。.!！\s]*$"
    r"|ませんか|れる[。.!！\s]*$|いい[。.!！\s]*$|大丈夫[。.!！\s]*$|は[。.!！\s]*$|って[。.!！\s]*$"
    r"|わから(?:ない|なく|ず)|分から(?:ない|なく|ず)|(?:わかり|分かり|知り)ません|知らない|迷って|困って|たいと思って|たいと考えて"
    # a worry is a question too (…下請けのようになってしまわないか心配です)
    r"|か(?:が)?(?:心配|不安|気になり|気になって)"
    # keigo requests ask too: …ご教示いただけますと幸いです / …お伺いしたく存じます
    r"|幸いです|幸甚です|ご教示|ご教授|お聞かせ|(?:伺い|うかがい|尋ね|お聞き)したく"
)
# Search words that make a few keywords a question (登録 方法, 協働とは), but not a sentence that
# ends as a statement: 私たちのやり方があるので、口出しされるのは困ります。 asks nothing.
_KEYWORD_ASK_RE = re.compile(r"方法|手順|やり方|とは")
# Closing courtesies after the question: not a question of their own.
_COURTESY_RE = re.compile(
    r"^(?:よろしく|宜しく)?(?:お願い|おねがい)(?:します|いたします|致します|申し上げます)?[。!！\s]*$"
    r"|^(?:以上です|ありがとうございます|ありがとうございました|失礼します)[。!！\s]*$"
)
# A self-introduction: who is writing, or what the group does.
_INTRO_SUBJECT_RE = re.compile(
    r"^(?:私たち|私達|わたしたち|わたし達|私ども|我々|われわれ|僕たち|僕ら|ぼくら|うちら|うちの(?:団体|会|グループ)"
    r"|当団体|弊団体|当会|本会|私|わたし|僕|ぼく)(?:は|の団体は|のグループは|の会は|、)"
)
_INTRO_PREDICATE_RE = re.compile(
    r"(?:団体|グループ|サークル|の会|会員|法人|NPO|ボランティア|者|代表|メンバー|一員|役員|事務局|クラブ|チーム"
    r"|隊|団|会|部|協議会|委員会|担当|係|学生|教員|職員|主婦|住民|市民)"
    r"(?:です|でございます|をしています|をやっています|になります|で(?=[、,]))"
    # …をしている○○です (a relative clause and a noun: 見守りをしているボランティア隊です)
    r"|(?:して|やって|行って|おこなって|運営して|開いて|続けて|取り組んで)(?:い|お)?る[^。？?]{1,20}(?:です|でございます)"
    # …してます / …やってます at the end of a statement (花いっぱい運動してます, 調査してます)
    r"|(?:して|やって|行って|運営して|開いて|続けて)(?:い|お)?ます[。！!\s]*$"
    r"|(?:をして|をやって|を行って|をおこなって|に取り組んで|を運営して|で活動して|の活動をして|を開いて|を主催して"
    r"|しておりま|を続けて|を立ち上げ)(?:い|お)?(?:ます|る|ました|て)"
    r"|(?:活動|運営|開催|主催)(?:して|を)(?:い|お)?(?:ます|る)"
)
QUESTION_WORD_RE = re.compile(
    r"何|なに|なん(?!です|だ)|どこ|どちら|どっち|だれ|誰|いつ|どう|どの|どんな|なぜ|いくら|どれ|どれくらい|どのくらい"
)

# Kinds, tried in this order on the question (the first that matches wins).
_KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "status",
        re.compile(
            r"(?:提案|相談|申請|申し込|申込|応募|送った|出した|送信した)[^。？?]*"
            r"(?:どうなっ|どうなり|状況|進捗|進み具合|返事|返信|回答(?:が|は)?(?:まだ|来|こ|な)|連絡(?:が|は)?(?:まだ|来|こ|な)"
            r"|結果|届いて|届きまし|受け付けられ|受理)"
            r"|(?:提案|相談)の(?:状況|進捗|結果)"
        ),
    ),
    (
        "contact",
        re.compile(
            r"電話|でんわ|連絡先|問い?合わ?せ先|問合せ先|窓口|まどぐち|受付時間|開庁|営業時間|何時から|何時まで|何時に|なんじ(?:から|まで|に)"
            r"|住所|所在地|(?:の|窓口の|課の)場所(?:は|を|が|って)|場所はどこ|行き方|アクセス|どこに(?:あ|行|相談|聞|問い|連絡|電話|申し込|出)|どこで(?:相談|聞)"
            r"|メールアドレス|メアド|ホームページ|ウェブサイト|サイトの?(?:URL|アドレス)|URL|担当(?:課|部署|者|の課)"
            r"|誰に(?:相談|聞|連絡)|だれに(?:相談|聞|連絡)|どの課|どこの課|どちらの課|どの部署|どこの部署|どこが担当"
            r"|どちらに(?:相談|申請|登録|連絡|問い)",
            re.IGNORECASE,
        ),
    ),
    # 「AとBは同じものですか」 asks how they differ (not 同じ団体で続けて申請できますか)
    ("difference", re.compile(r"違い|違う|(?<!っ)ちが[いう]|異なる|差は|差って|比べ|区別|と.{1,12}?(?:は|って)同じ(?:もの|こと|意味)?(?:です|でしょう|なの|か|？|\?|$)")),
    # 「…でもいいの？」 asks whether, even when it names a way (…以外のやり方でもいいの？)
    ("can-we", re.compile(r"でも(?:いい|良い|よい|大丈夫|可能|OK|かまわ|構わ|平気|問題)", re.IGNORECASE)),
    ("why", re.compile(r"なぜ|なんで(?!す|しょ)|何で(?!す|しょ)|どうして|理由|何のため|なんのため")),
    (
        "how-do-we",
        re.compile(
            r"どうすれば|どうしたら|どうやって|どのように|どんなふうに|どういうふうに|どうすると|どうやったら|どう(?:する|やる)(?:の|ん|[?？]|$)"
            r"|(?:方法|手順|手続き?|流れ|やり方|仕方|進め方|始め方)(?:は|を|って|が(?:知りた|わから|分から)|[?？]*$)|には[?？]*$|ためには"
            r"|何をすれば|なにをすれば|何から"
            r"|何が必要|なにが必要|必要な(?:もの|書類|準備)|準備|いつまでに|期限|締め?切|どのくらい(?:かか|前)|何日|何か月|何ヶ月"
            r"|申請したい|申し込みたい|始めたい|つくりたい|作りたい|立ち上げたい|設立したい"
        ),
    ),
    (
        "what-is",
        re.compile(
            r"(?<![こあひも])とは|って(?:結局|けっきょく|そもそも|つまり)?(?:何|なに|なん)(?!日|にち|時|じ|回|かい|人|にん|年|ねん|月|か月|ヶ月|週|歳|件|分|ぷん|曜)|て何|てなに|何のこと|なんのこと|の意味|意味は|意味を|意味が|いみ|どういう(?:こと|もの|意味|内容)"
            r"|どんな(?:もの|こと|内容)|(?:とは|って)どんな(?:集まり|団体|会|組織|グループ|ところ|制度|仕組み)(?:です|でしょう|なの|なん|[?？]|$)|定義|(?:は|が)何(?:ですか|でしょうか|なの|[?？])|(?:は|が)なに(?:ですか|[?？])"
            r"|^[^、,。?？\s]{1,15}って[?？]+$"  # 法人格って?
            # NPO法人という言葉もよく耳にしますが?: a word heard about, asked what it is
            r"|という(?:言葉|ことば|用語)(?:を|も|は|が)?(?:最近)?(?:よく)?(?:耳に|聞|見かけ|目に)"
            # 協働ってよく聞くけど結局なに?: what it is, asked at the end of the sentence
            r"|(?:結局|けっきょく|そもそも|つまり|一体|いったい|けど|けれど|ですが)、?(?:何|なに)(?:なの|なん(?:です|でしょう)|です|でしょう|[?？!！]|$)"
        ),
    ),
    (
        "can-we",
        re.compile(
            r"(?:でき|やれ|なれ|いけ|られ|もらえ|受けられ|使え|借りられ|頼め|出せ|申し込め|応募でき)(?:ます|る|ません)?(?:ん(?:です|でしょう)|の(?:です|でしょう))?(?:か|の|[?？]|かな|でしょうか)"
            r"|(?:でき|やれ|なれ)たり(?:する|します)(?:の|か|[?？])"  # 協働とかできたりする？
            r"|(?:でき|やれ|なれ|いけ|もらえ|使え|出せ)(?:ます|る)[。!！\s]*$"
            r"|(?:いい|良い|よい|よろしい|大丈夫|可能|OK|オーケー|問題ない|構わない|かまわない|平気)(?:ですか|でしょうか|なの|なんですか|ですよね|か|[?？]|$)"
            r"|だめ|ダメ|駄目|無理(?:ですか|でしょうか|なの|なんですか|[?？])|難しい(?:ですか|でしょうか|[?？])|対象(?:に|と)な|対象(?:です|でしょう|なの|外)|含まれ|該当|当てはま|あてはま"
            r"|あり(?:ます|ません)?(?:か|[?？])|ある(?:の|[?？]|んですか)|ありますでしょうか",
            re.IGNORECASE,
        ),
    ),
)
# Which fact a contact question asks for, tried in this order.
_ASPECTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("phone", re.compile(r"電話|でんわ|番号|ばんごう|TEL|ファックス|FAX|メール", re.IGNORECASE)),
    (
        "hours",
        re.compile(
            r"時間|何時|なんじ|開庁|土日|土曜|日曜|祝日|曜日|夜|朝|営業|開いて|あいて|やって(?:ます|る)|間に合"
        ),
    ),
    ("place", re.compile(r"場所|住所|所在地|行き方|アクセス|何階|庁舎|どこにあ|駅から|地図|建物|最寄り")),
    (
        "office",
        re.compile(
            r"窓口|担当|どの課|どこの課|部署|誰に|だれに|どこに(?:相談|聞|問い|連絡)|問い?合わ?せ先|連絡先|相談先"
        ),
    ),
)


def contact_aspect(question: str) -> str | None:
    """phone | hours | place | office: which fact a contact question asks for (None if none)."""
    q = question.replace(" ", "")
    for name, pattern in _ASPECTS:
        if pattern.search(q):
            return name
    return None


_WHEN_WHERE_RE = re.compile(r"いつ|どこ|だれ|誰|いくら|何時|何日|何人|何曜|どれくらい|どのくらい|何件")
_WANT_RE = re.compile(r"たい(?:です|と思います|と思っています|んです)?[。.!！\s]*$")
_YES_NO_END_RE = re.compile(
    r"(?:ですか|ますか|でしょうか|んですか|のですか|なの|ですよね|か)[?？。!！\s]*$|[?？]+$"
)


@dataclass(frozen=True, slots=True)
class Understanding:
    """What a message asks, separated from what it says around the question."""

    text: str  # the whole message (normalised)
    question: str  # the asking part (the whole message when nothing else is there)
    context: str = ""  # the rest: a self-introduction, background, courtesies
    activity: str | None = None  # the group's self-description, if the message has one
    kind: str = "other"  # one of KINDS
    yes_no: bool = False  # answerable with はい/いいえ
    # False for a message that only states something (市役所の対応が最悪でした。二度と行きたくない):
    # no sentence asks, and it is not a few words typed into a search box either
    asking: bool = True
    # the theme of the question, marked by って/とは/については (後援ってお金も出してもらえる？ -> 後援)
    topic: str | None = None

    @property
    def asks_what(self) -> bool:
        """The question asks when, where, who or how much (いつ, どこ, 誰, いくら …) rather than whether."""
        return bool(_WHEN_WHERE_RE.search(self.question.replace(" ", "")))

    @property
    def wants(self) -> bool:
        """The question states a wish (入りたい, 参加したいです) rather than asking whether."""
        return bool(_WANT_RE.search(self.question.replace(" ", "")))

    @property
    def split(self) -> bool:
        return bool(self.context)


_SYMBOL_RUN_RE = re.compile(r"[\u2600-\u27bf\U0001f000-\U0001faff\u2b00-\u2bff\ufe0f\u200d]+")
_SENTENCE_FINAL = frozenset("すたねよかいるうのなぞわ!?！？。…~〜ー")


def break_at_symbols(text: str) -> str:
    """Line breaks and emoji end a sentence on a phone (花いっぱい運動してます🌸 市と一緒にできる？✨): a run of
    pictographs after a sentence-final character, or before a space or the end, becomes 「。」.
    One inside a phrase (読み聞かせサークル📚の代表です) is left for drop_symbols to remove."""

    def mark(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if m.start() and (before in _SENTENCE_FINAL or not after or after.isspace()):
            return "。"
        return m.group()

    text = _SYMBOL_RUN_RE.sub(mark, text)
    # a line break ends a sentence too (drop_symbols would fold it into a space)
    return re.sub(r"(?<=[^。．！？!?\n])[^\S\n]*\n+", "。", text)


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences, and a sentence that opens with a self-introduction cut after
    it (…をしている団体ですが、 | 協働するには…); stripped, empty pieces dropped. Joining the
    pieces gives back ``text`` without the spaces at the cuts.

    Other clauses are not cut: 「市と協働したいのですが、まず何をすれば…」 is one question."""
    out: list[str] = []
    for m in _SENTENCE_RE.finditer(text):
        piece = m.group()
        start = 0
        for c in _CLAUSE_END_RE.finditer(piece):
            # a boundary only when something follows it (…ですが。 ends a sentence) and the clause
            # before it introduces the writer or the group
            if c.end() < len(piece.rstrip("。．！？!?\n 　")) and is_introduction(piece[start : c.end()]):
                out.append(piece[start : c.end()])
                start = c.end()
        out.append(piece[start:])
    return [s.strip() for s in out if s.strip()]


# An opening that only announces a question (すみません、ちょっと聞きたいんですけど、…): a sentence
# of its own is context anyway; one joined to the question by a comma is cut off.
_PREFACE_RE = re.compile(
    r"^(?:(?:すみません|すいません|スミマセン|あの[ー〜ぅ]*|えっと[ー〜]*|えーと)[、,\s]+)*"
    r"(?:(?:ちょっと|少し|ひとつ|一つ)?(?:聞きたい|ききたい|質問(?:したい|があるん|なん)?|教えてほしい|伺いたい|お聞きしたい)"
    r"(?:ん|の)?(?:です|だ)?(?:けど|けれど|が)[、,\s]+)?"
    # 「3つ聞きたいです。」「質問が2点あります。」: a sentence that only counts the questions to come
    r"(?:(?:質問が)?(?:[0-9０-９一二三四五](?:つ|点)|いくつ|幾つ)(?:か|ほど)?(?:の)?(?:ご?質問)?(?:が|を)?"
    r"(?:聞きたい|ききたい|お聞きしたい|伺いたい|お伺いしたい|教えてほしい|教えてください|質問させてください|あります|お尋ねします|お伺いします|お聞きします)?"
    r"(?:ん|の)?(?:です|ことがあります)?[。．!！:：\s]+)?"
)


def strip_preface(text: str) -> str:
    """The message without an opening that only announces the question; unchanged if nothing
    would be left."""
    rest = _PREFACE_RE.sub("", text, count=1)
    return rest if len(rest.strip()) >= 4 else text


def is_asking(sentence: str) -> bool:
    s = sentence.replace(" ", "")
    if _ASKING_RE.search(s) or QUESTION_WORD_RE.search(s):
        return True
    return bool(_KEYWORD_ASK_RE.search(s)) and not _STATEMENT_END_RE.search(s)


_CONFIRMATION_RE = re.compile(r"(?:ですよね|だよね|でしょう|でしょ|じゃないですか|じゃない)[?？]?[。.\s]*$")


def is_confirmation(sentence: str) -> bool:
    """A sentence that asks only to confirm what the writer already believes, as a preface to the
    real question (NPOってボランティアですよね？ どうやって生計を…)."""
    s = sentence.replace(" ", "")
    return bool(_CONFIRMATION_RE.search(s)) and not QUESTION_WORD_RE.search(s)


# A sentence about someone else (隣の家が…をやっていて): a complaint's situation, not who is writing
_OTHERS_SUBJECT_RE = re.compile(
    r"^(?:隣|となり|近所|向かい|裏|上の階|下の階)(?:の(?:家|人|方|部屋|住人|お宅|奥さん|子))?(?:さん)?(?:が|は)"
)


def is_introduction(sentence: str) -> bool:
    """Whether a sentence introduces the writer or the group (私たちは… / …をしている団体です)."""
    s = sentence.replace(" ", "")
    if _OTHERS_SUBJECT_RE.search(s):
        return False
    if QUESTION_WORD_RE.search(s) and re.search(r"[?？]", s):
        return False
    if re.search(r"[?？][。.\s]*$", s):
        return False  # NPOってボランティアですよね？ asks; it introduces no one
    return bool(_INTRO_SUBJECT_RE.search(s) or _INTRO_PREDICATE_RE.search(s))


# A sentence that states something: it ends in a predicate (でした, ます, ない, 行きたくない).
_STATEMENT_END_RE = re.compile(
    r"(?:です|でした|ます|ました|ません|でしょう|だ|だった|た|ない|なかった|たくない|てる|ている|よ|ね|(?<=[るいたすだよ])わ|な)[。．!！\s]*$"
)


def is_statement(sentence: str) -> bool:
    """Whether a sentence is a statement rather than a question or a few search words."""
    s = sentence.replace(" ", "")
    return not is_asking(s) and bool(_STATEMENT_END_RE.search(s))


_TOPIC_RE = re.compile(
    r"^(?:(?:あの|えっと|すみません|すいません|ちなみに|ところで|あと|また|では|じゃあ)[、,\s]*)?"
    r"([^、,。?？!！\s]{1,16}?)(?:って|とは|というのは|っていうのは|っていうの|については|について(?:は|も)|という(?:言葉|ことば|用語))"
)


# A situation told before the question in the same sentence: …という話が出ているのですが、 / …したいんですけど、
_SITUATION_END_RE = re.compile(
    r"(?:のです|んです|のでございます|です|ます|ました|でした|ている|てる|たい)(?:が|けど|けれど|けれども)[、,]"
)


_POINTS_BACK_RE = re.compile(r"^(?:これ|それ|その|この|こう|そう|こういう|そういう|こんな|そんな|あれ)")


def final_clause(question: str) -> str | None:
    """The clause that asks, after a situation told in the same sentence (…話が出ているのですが、
    自治会も市と協働できるんですか -> 自治会も市と協働できるんですか); None when there is none or
    what follows is too short to ask anything of its own (…のですが、どうすれば?)."""
    q = question.replace(" ", "")
    ends = [m.end() for m in _SITUATION_END_RE.finditer(q)]
    if not ends:
        return None
    rest = q[ends[-1]:]
    if len(rest) < 6 or not is_asking(rest) or _POINTS_BACK_RE.search(rest) or question_kind(rest) == "contact":
        # …展示をしたいのですが、これも協働になりますか (これ is the situation); …受けたいのですが、
        # どこに相談すれば (where to go depends on the situation)
        return None
    return rest


def question_topic(question: str) -> str | None:
    """The theme a question opens with (後援って…, 協働とは…, 補助金については…), if any."""
    m = _TOPIC_RE.search(question.replace(" ", ""))
    return m.group(1) if m else None


def question_kind(question: str) -> str:
    q = question.replace(" ", "")
    for name, pattern in _KIND_PATTERNS:
        if pattern.search(q):
            return name
    return "other"


def is_yes_no(question: str, kind: str | None = None) -> bool:
    kind = kind or question_kind(question)
    if kind == "can-we":
        return True
    if kind != "other":
        return False
    q = question.replace(" ", "")
    return bool(_YES_NO_END_RE.search(q)) and not QUESTION_WORD_RE.search(q)


_TRAILING_CONJ_RE = re.compile(r"(?:が|けど|けれど|けれども)?[、,。．!！\s]*$")


def _activity(intro: list[str]) -> str | None:
    if not intro:
        return None
    text = "".join(_TRAILING_CONJ_RE.sub("", s) + "。" for s in intro)
    return text.rstrip("。") if len(text) >= 4 else None


def _has_words(text: str) -> bool:
    """Fallback topic test without a tokenizer: a run of two kanji or katakana (or Latin letters)
    that is not a question word."""
    core = QUESTION_WORD_RE.sub("", text)
    return bool(re.search(r"[\u4e00-\u9fff々]{2,}|[\u30a1-\u30ff]{2,}|[A-Za-z]{2,}", core))


_PUNCT_RE = re.compile(r"[?？。．!！…\s、,]")
# a question that points back at the sentence before it (…委託と補助ってどう違う？ どっちがいいの？)
_REFERS_BACK_RE = re.compile(
    r"^(?:それ|その|そっち|あれ|じゃあ|なら)|どっち|どちら(?:が|を|の方)|どれ(?:が|を|に|です|なの|でしょう)"
    # 「…共催にしていただけますか。後援との違いも教えてください」: one thing compared, the other before
    r"|^[^、。,]{1,12}と(?:の)?(?:違い|ちがい)も"
)
# a wish stated just before a where-to-ask question (NPO法人を作りたい。どこに相談すればいい？)
_WISH_END_RE = re.compile(r"たい(?:です|んです|のです|と思います|と思っています)?(?:が|けど|けれど)?[。．！!]?$")
_WHERE_ASK_RE = re.compile(r"どこ|どちらに|窓口|誰に")


# a request for an answer that asks nothing of its own: bare (教えてください) or after a reason
# (秋にイベントをやるので教えてください); not 場所おしえて, which names what it wants
_REQUEST_END_RE = re.compile(
    r"(?:^|ので|から|ため|なので)、?(?:ぜひ|ぜひとも|是非)?(?:教えて|おしえて)(?:ください|下さい|ほしい|欲しい|もらえ\S*|いただ\S*)?[。．!！\s]*$"
)
# a sentence that asks by itself: a question mark after a question word, or …ですか / …でしょうか
_REAL_QUESTION_RE = re.compile(r"(?:何|なに|なん|どこ|どう|どんな|どの|いつ|誰|だれ)[^。？?]*[?？]|(?:ですか|ますか|でしょうか)[?？。]?$")


_INTERROGATIVE_END_RE = re.compile(r"(?:か|かな|かね|の)[。.!！\s]*$|[?？]")
_ASKS_FOR_RE = re.compile(r"教えて|おしえて|ください|下さい|ほしい|欲しい")


def _is_request(sentence: str) -> bool:
    """A sentence that asks nothing of its own after a real question: a plain request for the
    answer (…ので教えてください), or a feeling or wish (困ってます, 自分たちのやり方でやりたいんですけど);
    not one that names what it wants (場所おしえて) or asks by itself."""
    s = sentence.replace(" ", "")
    if QUESTION_WORD_RE.search(s) or _INTERROGATIVE_END_RE.search(s):
        return False
    return bool(_REQUEST_END_RE.search(s)) or not _ASKS_FOR_RE.search(s)


# A guess offered for confirmation after a question (…ってこと？ / …という意味？)
_GUESS_RE = re.compile(r"(?:って|という|ってゆう)(?:こと|意味)(?:ですか|でしょうか|なの|なんですか|ですよね)?[?？。\s]*$")


def _leans_back(question: str, before: str) -> bool:
    """Whether an asking sentence is about the sentence before it although it has words of its
    own: it refers back to it (どっちがいいの？), or it asks where to go with a wish just stated."""
    q = question.replace(" ", "")
    return bool(_REFERS_BACK_RE.search(q)) or bool(
        _WHERE_ASK_RE.search(q) and _WISH_END_RE.search(before.replace(" ", ""))
    )


def understand(text: str, has_topic: Callable[[str], bool] | None = None) -> Understanding:
    """Split ``text`` (normalised) into context and question; tell the question's kind.

    ``has_topic`` says whether a piece names anything beyond grammar and generic words (the
    answerer passes its tokenizer-based test); a question without a topic of its own
    (…分かりません。ざっくり教えてもらえますか) is read together with the sentence before it.
    """
    has_topic = has_topic or _has_words
    parts = sentences(text)
    if len(parts) <= 1:
        kind = question_kind(text)
        asks = is_asking(text) or not is_statement(text)
        return Understanding(text, text, "", None, kind, is_yes_no(text, kind), asks, question_topic(text))
    # closing courtesies (よろしくお願いします) are not the question
    core = [i for i, s in enumerate(parts) if not _COURTESY_RE.search(s.replace(" ", ""))] or [len(parts) - 1]
    asking = [i for i in core if is_asking(parts[i])]
    qi = asking[-1] if asking else core[-1]
    if len(asking) > 1 and _is_request(parts[qi]) and not _REFERS_BACK_RE.search(parts[qi].replace(" ", "")):
        # 後援と共催ってなにが違うの？ 秋にイベントをやるので教えてください / …提案書に書けって
        # 言われて困ってます: the request or feeling after a real question only asks for its answer
        real = [i for i in asking[:-1] if _REAL_QUESTION_RE.search(parts[i].replace(" ", ""))]
        if real:
            qi = real[-1]
    first = qi
    intro_at = {i for i, s in enumerate(parts) if i < qi and is_introduction(s)}
    # 「…分かりません。ざっくり教えてもらえますか」: lean on the sentence before, unless that one
    # is the self-introduction (then the question is about 協働 itself: …団体ですが、どうすれば?)
    while first > 0 and first - 1 not in intro_at and not has_topic("".join(parts[first : qi + 1])):
        first -= 1
    if first == qi and qi > 0 and qi - 1 not in intro_at and _leans_back(parts[qi], parts[qi - 1]):
        first -= 1
    short_follow_up = first == qi and qi > 0 and qi - 1 in asking and len(_PUNCT_RE.sub("", parts[qi])) < 6
    guess = (
        not short_follow_up
        and first == qi
        and qi > 0
        and qi - 1 in asking
        and bool(_GUESS_RE.search(parts[qi].replace(" ", "")))
    )
    if guess:
        # 協働って結局なに？市のボランティアってこと？: a guess at the answer goes with the question
        first -= 1
    if short_follow_up:
        first -= 1  # 自治会ってなに？ 役割とは？: a question of a few characters goes on the one before
    question = "".join(parts[first : qi + 1])
    # the self-description: the introduction and the sentences that go on describing the group
    activity: list[str] = []
    if intro_at:
        for i in range(min(intro_at), first):
            if i in intro_at or (activity and not is_asking(parts[i])):
                activity.append(parts[i])
    context = "".join(s for i, s in enumerate(parts) if not first <= i <= qi)
    kind = question_kind(question)
    asks = bool(asking) or not any(is_statement(p) for p in parts)
    # (the theme of 自治会ってなに？ 役割とは？ is 自治会: the follow-up asks about it)
    # (a guess after the question is not its theme: 協働って結局なに？…ってこと？ is about 協働)
    if short_follow_up:
        topic = question_topic(question)
    elif guess:
        topic = question_topic(parts[first])
    else:
        topic = question_topic(parts[qi]) or question_topic(question)
    return Understanding(
        text, question, context, _activity(activity), kind, is_yes_no(question, kind), asks, topic
    )


# A numbered item in a message (①…②…, 1. … 2. …, (1) … (2) …, Q1 …): each one is a question of its own.
_NUMBER_MARK_RE = re.compile(
    r"(?:^|(?<=[\s。．！？!?、,]))(?:[①-⑩]|[(（][0-9０-９][)）]|[0-9０-９][.．)）](?![0-9０-９])|[QＱ][0-9０-９][.．:：]?)\s*"
)
# 「あと、」「それと」「もう一つ」 open a further question
_FURTHER_RE = re.compile(r"^(?:あと|それと|それから|また|もう一つ|もうひとつ|ついでに|追加で|ちなみに)[、,\s]*")
MAX_PARTS = 3
# 「NGOとは違うの？」 names one side of a comparison; the other is in the question before
# (「協働と関係ある？」: how it relates to the thing asked about before)
_COMPARED_WITH_RE = re.compile(
    r"^[^、。,]{1,15}?(?:とは|とも|とか|と)(?:の)?(?:何が|なにが|どこが|どう)?(?:違|ちが|異な|同じ|関係|関連|関わ|かかわ|つなが)"
    # 「目的とか役割分担とか？」: guesses at the answer to the question before, not a question
    r"|^[^。、?？]{1,20}(?:とか|など|なんか|かな)[?？。．…\s]*$"
)
# A sentence that asks by itself, for telling the questions of a message apart: a question mark,
# an interrogative ending or a request; not a wish, a worry or a situation (…やりたいと考えています,
# 困っています, 何もしていません)
_ASKS_ITSELF_RE = re.compile(
    r"[?？]|(?:か|かな|かね|の|でしょうか|ますか|ですか)[。．!！\s]*$|教えて|おしえて|知りたい|聞きたい|(?:ください|下さい)[。．!！\s]*$"
)


def _asks_by_itself(sentence: str) -> bool:
    return bool(_ASKS_ITSELF_RE.search(sentence.replace(" ", "")))


def asked_parts(text: str, has_topic: Callable[[str], bool] | None = None) -> list[str] | None:
    """The questions of a message that asks several things (①後援の申し込み先は？②チラシは先に
    刷っていい？ / …協働できますか？あと補助金ってありますか？), each as a message of its own: the
    sentences before the first question (a self-introduction, the situation) and that question.
    None when the message asks one thing (also when a later question leans on the one before it:
    委託と補助ってどう違う？どっちがいいの？ is one question), or more than MAX_PARTS."""
    has_topic = has_topic or _has_words
    items = [p.strip() for p in _NUMBER_MARK_RE.split(text)]
    if len(items) >= 3:  # numbered: the lead, then one question per number
        lead, numbered = items[0], [p for p in items[1:] if p]
        if 2 <= len(numbered) <= MAX_PARTS and sum(1 for p in numbered if is_asking(p) or has_topic(p)) >= 2:
            return [_join(lead, p) for p in numbered]
        return None
    parts = [p for p in sentences(text) if any(c.isalnum() for c in p)]
    core = [s for s in parts if not _COURTESY_RE.search(s.replace(" ", ""))]
    asking = [i for i, s in enumerate(core) if _asks_by_itself(s) and not is_confirmation(s)]
    if len(asking) < 2:
        return None
    questions: list[list[int]] = []
    for i in asking:
        s = core[i].replace(" ", "")
        # (「それと…」 opens a further question; its それ does not point back)
        rest = _FURTHER_RE.sub("", s)
        own = has_topic(rest)
        if questions and (
            not own
            or len(re.sub(r"[?？。．!！…\s]", "", s)) < 8
            or _leans_back(rest, core[i - 1])
            or _is_request(s)
            or _COMPARED_WITH_RE.search(s)
        ):
            questions[-1].append(i)  # (…どっちがいいの？ / …ので教えてください: the same question)
        else:
            questions.append([i])
    if len(questions) < 2 or len(questions) > MAX_PARTS:
        return None
    lead = "".join(core[: asking[0]])
    out = []
    for group in questions:
        body = "".join(_FURTHER_RE.sub("", core[k]) if k == group[0] else core[k] for k in range(group[0], group[-1] + 1))
        out.append(_join(lead, body))
    return out


def _join(lead: str, question: str) -> str:
    """A self-introduction or situation and one question, as one message."""
    question = question.strip()
    if not lead:
        return question
    lead = lead.strip()
    return lead + ("" if lead[-1] in "。．！？!?" else "。") + question
