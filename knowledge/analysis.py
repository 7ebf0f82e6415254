"""Japanese tokenisation for retrieval: SudachiPy (sudachidict_core), split mode B.

Terms are keyed on ``fold(normalized_form())`` so that 行なう/行う, ＮＰＯ/NPO, いっしょに/一緒に and
katakana/hiragana spellings become the same term. Only content words are kept: particles,
auxiliaries, symbols and a short list of words that appear in almost every question (する, 教える,
何 …) carry no information about *which* answer is wanted.

The Sudachi dictionary costs ~0.1 s and ~100 MB to load, so it is created lazily, once per process.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache

from knowledge.normalize import fold, normalize

_CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "接尾辞"}


def _folded_words(words: str) -> frozenset[str]:
    return frozenset(fold(w) for w in words.split())


# Words that say "this is a question" rather than what it is about. They are dropped as terms.
GENERIC_TERMS = _folded_words(
    "する 為る いる 居る ある 有る なる 成る できる 出来る 教える 知る 知りたい 分かる 判る 聞く "
    "聞きたい 言う いう 思う 考える 欲しい ほしい 良い 宜しい 下さい ください 頂く いただく もらう 貰う くれる "
    "呉れる 見る 来る 行く 行う こと 事 もの 物 ところ 所 とき 時 方 かた ほう "
    "何 なに なん 意味 場合 ため 為 よう 様 感じ 件 点 について 皆 みんな 今 "
    "今日 今度 自分 私 僕 俺 わたし あなた 誰 どれ どこ いつ これ それ あれ ここ "
    "そこ さん 様 等 的 たち 達 方法 やり方 仕方 内容 詳細 詳しい 具体 具体的 簡単 "
    "ちょっと 少し 本当 本当に お願い 願う 質問 問い 答え 説明 話 もしくは または 又は 下さる 駄目 無理 "
    "大丈夫 遣り方 構う 可能 不可能 御願い そもそも 抑 抑も 結局 要するに 一体 実際 実は 普通 一般的 有り 無し "
    "済む 失礼 遣る やる つく 付く 就く 恐れ入る 存じる 存ずる 可否 是非 "
    # keigo that wraps any question (ご教示いただけますと幸いです, お聞かせいただけますでしょうか)
    "教示 幸い 伺う 承る 聞かせる 頂ける いただける 恐縮 忙しい 拝見 申し上げる 差し支え 差支え"
)
# Words every question to a city hall uses (procedures, places, times). They rank answers like any
# other word but are weak evidence that a question is about 協働: 保育園の申し込み is not.
CIVIC_TERMS = _folded_words(
    "申込 申し込む 申し込み 申請 手続き 手続 登録 予約 期限 締切 締め切り 窓口 場所 時間 日程 料金 "
    "費用 必要 書類 届け 提出 受付 受け付け 受け付ける 受付ける 受理 利用 使う 借りる 払う 支払う 市 市役所 小金井市 小金井 "
    "市民 いつ 何時 どこ 出す 取る 貰える"
)
# Words that say which aspect of a topic is wanted (its steps, kinds, list, outline, phone number),
# in any domain. Unknown to the knowledge base they are weak evidence against it: 協働の手順 is
# about 協働, 住民票の手順 is declined for 住民票, not for 手順.
ASPECT_TERMS = _folded_words(
    "手順 流れ 段取り ステップ 順番 種類 パターン タイプ 一覧 リスト 概要 概略 要点 要約 ポイント 特徴 "
    "番号 電話 電話番号 連絡先 メール アドレス 住所 例 実例 事例 条件 基準 資格 理由 原因 目安 "
    "期間 頻度 回数 金額 人数 規模 範囲 対象者 相手先 メニュー 機能 使い方 コツ 注意点 注意 形式 方式 仕組み "
    "スタイル やり方 手法"
)
NEGATION = "ない"
_NEGATIONS = frozenset({"ない", "無い", "ぬ", "ず", "ん"})
_KANJI_RE = re.compile(r"[\u3400-\u9fff々〆]")
_HIRA_RE = re.compile(r"^[\u3041-\u309f]+$")
_KATA_RE = re.compile(r"^[\u30a1-\u30ff]+$")


@dataclass(frozen=True, slots=True)
class Token:
    surface: str
    term: str  # fold(normalized_form)
    reading: str  # fold(reading_form), hiragana
    pos: str
    oov: bool
    content: bool  # a content word that is not generic
    weak: bool = False  # unlikely to be what a question is about: verbs, adverbial nouns (最近)
    groups: tuple[int, ...] = ()  # Sudachi synonym group ids (メリット and 利点 share one)


def dictionary_name() -> str:
    """The Sudachi system dictionary: "core" (default) or "small" ($KYODO_SUDACHI_DICT)."""
    name = os.environ.get("KYODO_SUDACHI_DICT", "core").strip().lower()
    return name if name in ("core", "small", "full") else "core"


class _Sudachi:
    """One lazily loaded dictionary per process, one tokenizer per thread.

    A Sudachi tokenizer must not be used by two threads at once (it raises "Tokenizer is already
    in use"), and web handlers may answer from a thread pool; tokenizers are cheap once the
    dictionary is loaded.
    """

    _lock = threading.Lock()
    _dictionary = None
    _local = threading.local()

    @classmethod
    def get(cls):
        tok = getattr(cls._local, "tokenizer", None)
        if tok is None:
            from sudachipy import Dictionary, SplitMode

            with cls._lock:
                if cls._dictionary is None:
                    cls._dictionary = Dictionary(dict=dictionary_name())
            tok = cls._dictionary.tokenizer(
                mode=SplitMode.B,
                fields={"pos", "normalized_form", "reading_form", "synonym_group_ids"},
            )
            cls._local.tokenizer = tok
        return tok


# Above this much file-backed resident memory, tokenising in bulk hands the dictionary's pages back.
DICTIONARY_BUDGET = 140 * 2**20
_MADV_DONTNEED = 4  # Linux
_dic_regions: list[tuple[int, int]] | None = None


def trim_dictionary_memory(budget: int = DICTIONARY_BUDGET) -> bool:
    """Drop the Sudachi dictionary's pages from this process when they exceed ``budget`` bytes.

    Sudachi memory-maps its 200 MB dictionary read-only. Tokenising the whole knowledge base (the
    first run on a fresh machine) touches nearly all of it, and the kernel counts every touched
    page in the process's resident size, although the pages are clean, shared and belong to the
    page cache. ``madvise(MADV_DONTNEED)`` on that read-only mapping only unmaps them from this
    process: they stay in the page cache and come back on the next access (a minor fault). Used
    during bulk tokenisation only; a no-op where /proc or madvise are unavailable.
    """
    global _dic_regions
    if sys.platform != "linux" or _Sudachi._dictionary is None:
        return False
    try:
        with open("/proc/self/statm", "rb") as fh:
            shared = int(fh.read().split()[2]) * os.sysconf("SC_PAGE_SIZE")
        if shared < budget:
            return False
        if _dic_regions is None:
            regions = []
            with open("/proc/self/maps", encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    parts = line.split()
                    # only read-only mappings of a Sudachi dictionary file
                    if len(parts) >= 6 and parts[5].endswith(".dic") and parts[1].startswith("r-"):
                        a, b = (int(x, 16) for x in parts[0].split("-"))
                        regions.append((a, b - a))
            _dic_regions = regions
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        for addr, size in _dic_regions:
            libc.madvise(addr, size, _MADV_DONTNEED)
        return bool(_dic_regions)
    except (OSError, ValueError, AttributeError):
        return False


@lru_cache(maxsize=65536)
def _fold(word: str) -> str:
    """fold() of single words, memoised: the same few thousand words come back all the time."""
    return fold(word)


def tokenize(text: str) -> list[Token]:
    """Tokens of already-normalised text (call :func:`knowledge.normalize.normalize` first).

    Memoised: answering one message tokenises the same sentences several times (the whole
    message, its asking sentence, the text spelling similarity compares), and a bot hears the
    same short questions again and again."""
    return list(_tokenize(text)) if text else []


@lru_cache(maxsize=4096)
def _tokenize(text: str) -> tuple[Token, ...]:
    tok = _Sudachi.get()
    out: list[Token] = []
    for m in tok.tokenize(text):
        pos = m.part_of_speech()
        surface = m.surface()
        norm = m.normalized_form()
        if norm in _NEGATIONS and pos[0] in ("助動詞", "形容詞"):
            # Negation matters in questions (NPO法人でないとだめ？): one shared marker term.
            out.append(Token(surface, NEGATION, _fold(m.reading_form()), pos[0], False, True, True))
            continue
        term = _fold(norm)
        content = pos[0] in _CONTENT_POS and bool(term)
        if content and pos[0] == "接尾辞" and pos[1] != "名詞的":
            content = False
        if content and (term in GENERIC_TERMS or (len(term) == 1 and _HIRA_RE.match(term))):
            content = False
        if content and pos[1] == "数詞" and not term.isdigit() and len(term) == 1:
            content = False
        # Unlikely to be the topic of a question: verbs and adjectives, adverbial nouns (最近),
        # short Latin words (OK, NG).
        weak = pos[0] != "名詞" or pos[2] == "副詞可能" or (term.isascii() and len(term) <= 3)
        groups = tuple(m.synonym_group_ids()) if content else ()
        out.append(Token(surface, term, _fold(m.reading_form()), pos[0], m.is_oov(), content, weak, groups))
    return tuple(out)


@lru_cache(maxsize=4096)
def terms(text: str) -> tuple[str, ...]:
    """Content terms of a piece of text (normalised here), in order, duplicates kept."""
    return tuple(t.term for t in tokenize(normalize(text)) if t.content)


def is_kanji_word(s: str) -> bool:
    return bool(s) and all(_KANJI_RE.match(c) for c in s)


def is_hiragana_word(s: str) -> bool:
    return bool(s) and bool(_HIRA_RE.match(s))


def is_kana_word(s: str) -> bool:
    return bool(s) and bool(_HIRA_RE.match(s) or _KATA_RE.match(s))
