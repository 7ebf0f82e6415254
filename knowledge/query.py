"""Query understanding: turn what a person typed into weighted terms of the knowledge base.

Steps (each one a separate, testable mechanism rather than a list of special cases):

1. synonyms.yaml: a variant found in the folded question adds the canonical term
   (お金を出して -> 補助), so hiragana/katakana/width variants hit too;
2. readings: a word the knowledge base does not use but that sounds like one it does becomes that
   word (IME slips such as 協同 -> 協働, hiragana typed without conversion: こうえん -> 後援); hiragana
   runs Sudachi cannot segment are scanned for known readings (ほじょきん -> 補助金);
3. fuzzy terms: a misspelt katakana word close to a known one (rapidfuzz), and a run of kanji
   that differs from a known word in one character (共際 -> 共催), are corrected.

Each added term carries a weight below 1 so that a guess never outweighs what was actually typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from knowledge.analysis import ASPECT_TERMS, GENERIC_TERMS, Token, is_kana_word, is_kanji_word, tokenize
from knowledge.models import SynonymGroup
from knowledge.normalize import _SMALL_KANA, fold, normalize, to_hiragana

SYNONYM_WEIGHT = 0.9
READING_WEIGHT = 0.8
FUZZY_WEIGHT = 0.7
GROUP_WEIGHT = 0.7  # a word of the same Sudachi synonym group (利点 -> メリット)
MIN_READING_LEN = 3
MIN_SYNONYM_READING = 4
LONG_MESSAGE = 60  # characters; longer messages are read as context + question
CONTEXT_WEIGHT = 0.5
# a self-introduction says what the group does, not what is asked: its words count less still
DESCRIPTION_WEIGHT = 0.5
PLAIN_CACHE = 2048  # memoised analyses of plain sentences (see QueryAnalyzer.analyze)
_SENTENCE_RE = re.compile(r"[^。！？!?\n]+[。！？!?\n]*")
_QUESTION_RE = re.compile(
    r"[？?]|か[。\s]*$|でしょうか|ますか|ですか|教えて|ください|知りたい|たい[。\s]*$|の[。\s]*$"
)  # folded kana; shorter readings collide too often (し, かい …)
_HIRA_RUN_RE = re.compile(r"[\u3041-\u309f]{3,}")
# what follows a verb's て-form or stem (…ます, …る, …た, …ない): あいてます is 開いてます
_VERB_TAIL_RE = re.compile(r"(?:い)?(?:ます|まし|ません|る|た|ない|なかっ)")
_HIRA_ONLY_RE = re.compile(r"[\u3041-\u309f]+$")
_KANJI_RUN_RE = re.compile(r"[\u3400-\u9fff々]{2,}")


@dataclass(slots=True)
class QueryTerms:
    """The weighted terms of one question and how they were found."""

    weights: dict[str, float] = field(default_factory=dict)
    typed: list[str] = field(default_factory=list)  # content terms as typed
    unknown: list[str] = field(default_factory=list)  # typed terms the knowledge base never uses
    weak_unknown: list[str] = field(default_factory=list)  # ... that are unlikely to be the topic
    added: dict[str, str] = field(default_factory=dict)  # term -> how it was found
    # known terms that only modify an unknown head noun (ボランティア in ボランティア保険)
    modifiers: set[str] = field(default_factory=set)
    # terms found through a Sudachi synonym group: they rank answers, but are no evidence that
    # the question is about the knowledge base (学習 ~ 研究 and 案 ~ 計画 are loose relations)
    guessed: set[str] = field(default_factory=set)
    # (what was typed, what it was corrected to): a misspelt or unconverted word and its term
    corrections: list[tuple[str, str]] = field(default_factory=list)

    def corrected(self, text: str) -> str:
        """``text`` with each corrected spelling replaced by the word it was taken for."""
        for typed, term in self.corrections:
            text = text.replace(typed, term)
        return text

    def add(self, term: str, weight: float, how: str) -> None:
        if not term or term in GENERIC_TERMS:
            return
        if weight > self.weights.get(term, 0.0):
            self.weights[term] = weight
            if how != "typed":
                self.added[term] = how


def focus_sentence(text: str, has_topic: Callable[[str], bool] = bool) -> str | None:
    """The part of a long, multi-sentence message that asks the question: the last sentence that
    looks like a question (else the last one), joined to the sentence before it when it has no
    topic of its own (…協働って何なのか分かりません。ざっくり教えてもらえますか。). None for short
    or one-sentence messages."""
    if len(text) < LONG_MESSAGE:
        return None
    sentences = [m.group().strip() for m in _SENTENCE_RE.finditer(text) if m.group().strip()]
    if len(sentences) < 2:
        return None
    asking = [i for i, x in enumerate(sentences) if _QUESTION_RE.search(x)]
    i = asking[-1] if asking else len(sentences) - 1
    if i > 0 and not has_topic(sentences[i]):
        return sentences[i - 1] + sentences[i]
    return sentences[i]


class QueryAnalyzer:
    """Knows the vocabulary of the knowledge base and maps a question onto it."""

    def __init__(
        self,
        vocabulary: Iterable[str],
        key_terms: Iterable[str],
        readings: dict[str, str],
        synonyms: Iterable[SynonymGroup],
        frequency: Mapping[str, int] | None = None,
        build_tokenize: Callable[[str], list[Token]] = tokenize,
        groups: Mapping[int, Iterable[str]] | None = None,
    ):
        """``build_tokenize`` tokenises the synonym list and generic words (may be cached)."""
        self._plain: dict[str, QueryTerms] = {}
        self.vocabulary = frozenset(vocabulary)
        # Correction targets: the words questions are about (FAQ questions, phrasings, synonyms).
        self.key_terms = sorted(set(key_terms) & self.vocabulary)
        self._kana_keys = [t for t in self.key_terms if is_kana_word(t) and len(t) >= 4]
        self._kanji_keys: dict[int, list[str]] = {}
        for t in self.key_terms:
            if is_kanji_word(t) and 2 <= len(t) <= 4:
                self._kanji_keys.setdefault(len(t), []).append(t)
        # one-character-wildcard patterns (協? and ?働 for 協働) -> key terms, for typo lookups
        self._kanji_set = frozenset(k for keys in self._kanji_keys.values() for k in keys)
        self._kanji_patterns: dict[str, list[str]] = {}
        for keys in self._kanji_keys.values():
            for k in keys:
                for j in range(len(k)):
                    self._kanji_patterns.setdefault(k[:j] + "?" + k[j + 1 :], []).append(k)
        # reading (folded hiragana) -> vocabulary term; only key terms, only unambiguous readings
        by_reading: dict[str, set[str]] = {}
        for term in self.key_terms:
            r = readings.get(term, "")
            if len(r) >= MIN_READING_LEN and r != term:
                by_reading.setdefault(r, set()).add(term)
        # a shared reading (協働/協同 both きょうどう) goes to the word the FAQ uses most
        freq = self._freq = dict(frequency or {})
        self.by_reading = {r: max(sorted(ts), key=lambda t: freq.get(t, 0)) for r, ts in by_reading.items()}
        # katakana words (kept folded to hiragana) for hiragana typed in their place: ぼらんてぃあ
        self._kana_terms = {t: t for t in self.key_terms if is_kana_word(t) and len(t) >= MIN_SYNONYM_READING}
        # Sudachi synonym group id -> the key term of that group the FAQ uses most
        self.by_group: dict[int, str] = {}
        for g, ts in (groups or {}).items():
            keys = sorted(set(ts) & set(self.key_terms))
            if keys:
                self.by_group[g] = max(keys, key=lambda t: freq.get(t, 0))
        # readings of words that carry no topic (いみ, なに …): typed in kana they are not "unknown"
        self._generic_readings = (
            frozenset(
                "".join(t.reading for t in build_tokenize(g)) for g in GENERIC_TERMS if not is_kana_word(g)
            )
            | GENERIC_TERMS
        )
        self._max_reading = max((len(r) for r in self.by_reading), default=0)
        self.term_readings = readings
        # synonyms: folded variant -> canonical terms (tokenised the same way as documents)
        self._synonyms: list[tuple[str, tuple[str, ...]]] = []
        self._variant_size: dict[str, int] = {}
        self._synonym_readings: list[tuple[str, str, tuple[str, ...]]] = []
        for group in synonyms:
            # the term as the data spells it: 対等 alone is cut into 対 + 等, but the FAQ's sentences
            # hold the word 対等, so a word the vocabulary has is kept whole
            whole = fold(normalize(group.term))
            target = (
                (whole,)
                if whole in self.vocabulary
                else tuple(t.term for t in build_tokenize(normalize(group.term)) if t.content) or (whole,)
            )
            for v in (group.term, *group.variants):
                fv = fold(v)
                if fv:
                    self._synonyms.append((fv, target))
                    toks = build_tokenize(normalize(v))
                    size = sum(1 for t in toks if t.content)
                    self._variant_size[fv] = max(size, self._variant_size.get(fv, 0))
                    reading = "".join(t.reading for t in toks)
                    if len(reading) >= MIN_SYNONYM_READING and reading != fv:
                        self._synonym_readings.append((reading, fv, target))
        self._synonyms.sort(key=lambda x: -len(x[0]))
        self._synonym_index: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        self._short_synonyms = [(v, t) for v, t in self._synonyms if len(v) < 2]
        for v, t in self._synonyms:
            if len(v) >= 2:
                self._synonym_index.setdefault(v[:2], []).append((v, t))

    # -- the pipeline --------------------------------------------------------------------------
    def analyze(
        self,
        text: str,
        tokens: list[Token] | None = None,
        focus: bool = True,
        focus_text: str | None = None,
        context_is_description: bool = False,
    ) -> QueryTerms:
        """``text`` must already be normalised.

        Typed words the knowledge base does not know are replaced by what they were corrected to;
        those that nothing explains end up in ``unknown`` (the abstention logic weighs them).

        ``focus_text``: the asking part of the message, when the caller knows it (see
        knowledge.understand); terms found only elsewhere count ``CONTEXT_WEIGHT``. With
        ``context_is_description`` the rest of the message describes the writer's own group
        (…の清掃活動をしている団体ですが): its unknown words say what the group does, not what
        is asked, and are not counted against the question.
        """
        plain = tokens is None and focus_text is None and not focus
        if plain:
            hit = self._plain.get(text)
            if hit is not None:
                return hit
        q = QueryTerms()
        tokens = tokenize(text) if tokens is None else tokens
        matched = self._expand_synonyms(fold(text), q)
        phrases = [v for v in matched if self._variant_size.get(v, 0) >= 2]
        pending: list[tuple[int, int, Token]] = []  # unknown tokens with their character span
        pos = 0
        for t in tokens:
            start, pos = pos, pos + len(t.surface)
            if not t.content:
                continue
            q.typed.append(t.term)
            fs = fold(t.surface)
            if fs and any(fs in v for v in phrases):
                continue  # part of a paraphrase (市の名前を使いたい): replaced by its canonical term
            if t.term in self.vocabulary:
                q.add(t.term, 1.0, "typed")
            elif not self._correct_token(t, q) and not (fs and any(fs in v for v in matched)):
                pending.append((start, pos, t))
        kanji_spans = self._scan_kanji(text, tokens, q)
        spans = self._scan_hiragana(text, tokens, q) + kanji_spans
        if kanji_spans:
            # a stray character of a corrected typo (対 of 団対 -> 団体) is not a word of its own
            pos = 0
            for t in tokens:
                a, pos = pos, pos + len(t.surface)
                if (
                    len(t.surface) == 1
                    and t.term in q.weights
                    and t.term not in q.added
                    and any(x <= a and pos <= y for x, y in kanji_spans)
                ):
                    del q.weights[t.term]
        unresolved: set[int] = set()
        noun_ends = {e for _, e, t in self._token_spans(tokens) if t.content and t.pos == "名詞"}
        for a, b, t in pending:
            if not any(a < y and x < b for x, y in spans):
                # one kanji stuck to a known noun is part of a compound (NPO法人 + 格), not a topic
                stuck = b - a == 1 and a in noun_ends and t.term not in q.weights
                weak = t.weak or t.term in ASPECT_TERMS or stuck
                (q.weak_unknown if weak else q.unknown).append(t.term)
                if not weak:
                    unresolved.add(a)
        if unresolved:
            self._find_modifiers(tokens, unresolved, q)
        if focus_text is not None:
            self._focus_on_question(text, q, focus_text, context_is_description)
        elif focus:
            self._focus_on_question(text, q)
        if plain:
            # one message analyses the same sentence several times (the asking part, its theme,
            # the self-introduction): memoised, and callers must not change the result
            if len(self._plain) >= PLAIN_CACHE:
                self._plain.clear()
            self._plain[text] = q
        return q

    def clear_cache(self) -> None:
        self._plain.clear()

    @staticmethod
    def _token_spans(tokens: list[Token]) -> list[tuple[int, int, Token]]:
        out, pos = [], 0
        for t in tokens:
            out.append((pos, pos + len(t.surface), t))
            pos += len(t.surface)
        return out

    def has_topic(self, text: str) -> bool:
        """Whether ``text`` (normalised) names anything beyond grammar and generic words."""
        return any(t.content for t in tokenize(text))

    def _find_modifiers(self, tokens: list[Token], unresolved: set[int], q: QueryTerms) -> None:
        """In a Japanese compound noun the last word is the head: ボランティア保険 is a kind of
        insurance, 協働ロボット a robot. A known word that only modifies an unknown head is weak
        evidence that the question is about the knowledge base."""
        corrected = dict(q.corrections)  # a corrected part stands for its term (労働者協同組合: 協同 -> 協働)
        compound: list[tuple[int, Token]] = []
        pos = 0
        for t in [*tokens, None]:
            if t is not None and t.pos in ("名詞", "接頭辞", "接尾辞") and t.surface.strip():
                compound.append((pos, t))
            else:
                heads = [(p, x) for p, x in compound if x.content]
                # the head is unknown (ボランティア保険), or another part is (国民健康保険): the
                # compound names something else, and its known parts only modify it
                if len(heads) >= 2 and any(p in unresolved for p, _ in heads):
                    for p, x in heads:
                        if p in unresolved:
                            continue
                        term = x.term if x.term in q.weights else corrected.get(x.surface)
                        if term in q.weights:
                            q.modifiers.add(term)
                        # ... and so does what its spelling was taken for (協同 -> 協働)
                        how = f"synonym:{fold(x.surface)}"
                        q.modifiers.update(t for t, h in q.added.items() if h == how)
                compound = []
            if t is not None:
                pos += len(t.surface)

    def _focus_on_question(
        self, text: str, q: QueryTerms, sentence: str | None = None, description: bool = False
    ) -> None:
        """In a long message the question is usually one sentence (often the last) and the rest
        is context: terms found only in the context count ``CONTEXT_WEIGHT`` as much."""
        if sentence is None:
            sentence = focus_sentence(text, self.has_topic)
        if sentence is None or sentence == text:
            return
        focus = self.analyze(sentence, focus=False)
        weight = DESCRIPTION_WEIGHT if description else CONTEXT_WEIGHT
        for term in list(q.weights):
            if term not in focus.weights:
                q.weights[term] *= weight
        if description:
            q.unknown = [t for t in q.unknown if t in focus.unknown]
            q.weak_unknown = [t for t in q.weak_unknown if t in focus.weak_unknown]
            q.modifiers &= focus.modifiers | set(focus.weights)

    def _expand_synonyms(self, folded: str, q: QueryTerms) -> list[str]:
        """Add the canonical terms of every variant found (in the folded text, or by reading for
        kana input such as おかねをだして); return the variants found.

        Variants are looked up by their first two characters at each position of the question,
        so the cost grows with the question, not with the size of synonyms.yaml."""
        matched: list[str] = []
        seen: set[str] = set()
        covered: list[tuple[int, int]] = []  # spans of variants found: a shorter variant inside
        # one is part of a longer word (NPO法 inside NPO法人, 後援 inside 後援会), not a match
        for i in range(len(folded)):
            for variant, targets in self._synonym_index.get(folded[i : i + 2], ()):
                if variant in seen or not folded.startswith(variant, i):
                    continue
                end = i + len(variant)
                if any(a <= i and end <= b for a, b in covered):
                    continue
                covered.append((i, end))
                seen.add(variant)
                matched.append(variant)
                for term in targets:
                    q.add(term, SYNONYM_WEIGHT, f"synonym:{variant}")
        for variant, targets in self._short_synonyms:
            if variant in folded and variant not in seen and not any(variant in m for m in matched):
                seen.add(variant)
                matched.append(variant)
                for term in targets:
                    q.add(term, SYNONYM_WEIGHT, f"synonym:{variant}")
        for variant_reading, variant, targets in self._synonym_readings:
            if variant not in seen and variant_reading in folded:
                seen.add(variant)
                matched.append(variant)
                for term in targets:
                    q.add(term, SYNONYM_WEIGHT, f"synonym:{variant}")
        return matched

    def _correct_token(self, t: Token, q: QueryTerms) -> bool:
        """Map one unknown token onto the vocabulary by its reading or by fuzzy spelling."""
        target = self.by_reading.get(t.reading) if len(t.reading) >= MIN_READING_LEN else None
        # A kanji word is taken for a homophone only when they share a character (協同 -> 協働,
        # 公援 -> 後援) so that a real word about something else (公園, 児童) stays unknown.
        if target and (is_kana_word(t.surface) or set(t.surface) & set(target)):
            q.add(target, READING_WEIGHT, t.term)
            q.corrections.append((t.surface, target))
            return True
        if is_kana_word(t.surface) and t.reading in self._generic_readings:
            return True
        for g in t.groups:
            if g in self.by_group:
                term = self.by_group[g]
                if term not in q.weights:
                    q.guessed.add(term)
                q.add(term, GROUP_WEIGHT, f"group:{t.term}")
                return False  # the word itself stays unknown for the in-domain share
        if is_kana_word(t.term) and len(t.term) >= 4 and self._kana_keys:
            from rapidfuzz import fuzz, process

            hit = process.extractOne(t.term, self._kana_keys, scorer=fuzz.ratio, score_cutoff=80)
            if hit:
                q.add(hit[0], FUZZY_WEIGHT, t.term)
                q.corrections.append((t.surface, hit[0]))
                return True
        return False

    def _scan_hiragana(self, text: str, tokens: list[Token], q: QueryTerms) -> list[tuple[int, int]]:
        """Find known readings inside kana runs (greedy, longest first); return their spans.

        A match must start where a token starts and must cover at least one token that is not
        grammar (particle, auxiliary, generic verb): 対象となります holds と+なり, not 隣.
        """
        spans: list[tuple[int, int]] = []
        if not self._max_reading:
            return spans
        starts: dict[int, int] = {}
        grammar: list[tuple[int, int, bool]] = []
        verb_ends: dict[int, int] = {}  # start -> end of a content verb (あい of あいてます)
        pos = 0
        for t in tokens:
            starts[pos] = len(grammar)
            if t.pos == "動詞" and t.content:
                verb_ends[pos] = pos + len(t.surface)
            # (adverbs such as どう count as grammar too: どうしたら holds どう+し, not 同士)
            is_grammar = t.pos in ("助詞", "助動詞", "補助記号", "代名詞", "副詞") or (
                not t.content and t.pos in ("動詞", "形容詞")
            )
            grammar.append((pos, pos + len(t.surface), is_grammar))
            pos += len(t.surface)
        soft = to_hiragana(text.lower()).translate(_SMALL_KANA)  # same length as text
        for m in _HIRA_RUN_RE.finditer(soft):
            run, i, chained = m.group(), 0, -1
            while i < len(run):
                a = m.start() + i
                found = 0
                # (a known reading right after another one starts a word too, wherever Sudachi cut
                # the run: ぼらんてぃあ|ほけん)
                if a in starts or a == chained:
                    for n in range(min(self._max_reading, len(run) - i), MIN_READING_LEN - 1, -1):
                        term = self.by_reading.get(run[i : i + n])
                        if term is None and _HIRA_ONLY_RE.match(text, a, a + n):
                            term = self._kana_terms.get(run[i : i + n])
                        if a in verb_ends and verb_ends[a] < a + n and _VERB_TAIL_RE.match(soft, a + n):
                            continue  # a verb and its ending (あいて|ます: 開いて, not 相手)
                        if term and not all(g for x, y, g in grammar if x < a + n and a < y):
                            q.add(term, READING_WEIGHT, run[i : i + n])
                            spans.append((a, a + n))
                            found, chained = n, a + n
                            break
                i += found or 1
        return spans

    def _scan_kanji(self, text: str, tokens: list[Token], q: QueryTerms) -> list[tuple[int, int]]:
        """A kanji run that is not a word but one character away from a key term (共際 -> 共催), or
        a key term with two neighbouring characters swapped (働協 -> 協働).

        A typo is not a word, so Sudachi splits it, often into single characters: a window made
        entirely of real dictionary words (実際, 児童, 自治体) is never "corrected", nor one that
        contains a word the knowledge base knows; a window with a stray character next to a word
        (捕 + 助金) is tried. Among several candidates the one whose reading is closest wins.
        """
        spans: list[tuple[int, int]] = []
        if not self._kanji_keys:
            return spans
        # windows start where a token starts and end where a token (or its leading kanji) ends
        starts, ends, words, pos = set(), set(), [], 0
        mixed: list[tuple[int, int]] = []  # real words of kanji and kana (子育て): not typos
        for t in tokens:
            starts.add(pos)
            if not t.oov and len(t.surface) >= 2 and not is_kanji_word(t.surface):
                mixed.append((pos, pos + len(t.surface)))
            lead = 0
            while lead < len(t.surface) and is_kanji_word(t.surface[lead]):
                lead += 1
            if lead:
                ends.add(pos + lead)
            if t.oov:  # a typo (捕助金 -> 捕 + 助金) is cut anywhere: any inner boundary may be one
                starts.update(range(pos, pos + len(t.surface)))
                ends.update(range(pos + 1, pos + len(t.surface) + 1))
            if len(t.surface) >= 2 and not t.oov and is_kanji_word(t.surface):
                words.append((pos, pos + len(t.surface), t.term in self.vocabulary))
            pos += len(t.surface)
            ends.add(pos)
        for m in _KANJI_RUN_RE.finditer(text):
            run, start = m.group(), m.start()
            for n in self._kanji_keys:
                for i in range(len(run) - n + 1):
                    window = run[i : i + n]
                    a, b = start + i, start + i + n
                    if window in self.vocabulary or a not in starts or b not in ends:
                        continue
                    if any(x <= a and b <= y for x, y in mixed):
                        continue  # the kanji of a real word (子育 of 子育て is not 教育)
                    inside = [(x, y, known) for x, y, known in words if a <= x and y <= b]
                    if any(known for _, _, known in inside) or sum(y - x for x, y, _ in inside) == n:
                        continue  # real words (児童, 実際) or a known one: not a typo
                    # two neighbouring characters swapped (働協, 景背 for 背景) explains a window
                    # better than one wrong character: try it first
                    swapped = {window[:j] + window[j + 1] + window[j] + window[j + 2 :] for j in range(n - 1)}
                    cands = sorted(k for k in swapped if k in self._kanji_set)
                    if not cands:
                        cands = sorted(
                            {
                                k
                                for j in range(n)
                                for k in self._kanji_patterns.get(window[:j] + "?" + window[j + 1 :], ())
                            }
                        )
                    if not cands:
                        continue
                    best = self._closest_by_reading(window, cands)
                    if best:
                        q.add(best, FUZZY_WEIGHT, window)
                        q.corrections.append((window, best))
                        spans.append((a, b))
        return spans

    def _closest_by_reading(self, window: str, cands: list[str]) -> str | None:
        if len(cands) == 1:
            return cands[0]
        from rapidfuzz import fuzz

        wr = "".join(t.reading for t in tokenize(window))
        # closest reading first; among equals, the word the FAQ uses most (協動 -> 協働, not 協同)
        scored = sorted(
            ((fuzz.ratio(wr, self.term_readings.get(c, "")), self._freq.get(c, 0), c) for c in cands),
            reverse=True,
        )
        if scored[0][0] >= 40 and scored[0][:2] != scored[1][:2]:
            return scored[0][2]
        # Sudachi reads a lone kanji by its native reading (捕 + 助 -> ほすけ), so a typo's reading
        # often resembles nothing: then the word the FAQ uses far more often wins (捕助 -> 補助,
        # not 援助), and a close call is left alone.
        if scored[0][0] < 40:
            by_freq = sorted((self._freq.get(c, 0) for c in cands), reverse=True)
            if by_freq[0] >= 2 * by_freq[1] + 1:
                return max(cands, key=lambda c: self._freq.get(c, 0))
        return None
