"""A small Okapi BM25 over pre-tokenised documents.

The knowledge base has a few hundred short documents, so a dictionary-of-postings implementation
in pure Python scores a query in well under a millisecond and loads with no numpy import (bm25s
pulls in numpy and scipy-style sparse matrices: ~0.25 s of import for no gain at this size).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence


class BM25:
    def __init__(self, docs: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.5):
        self.k1, self.b = k1, b
        self.n = len(docs)
        self.lengths = [len(d) for d in docs]
        self.avgdl = (sum(self.lengths) / self.n) if self.n else 1.0
        df: Counter[str] = Counter()
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for i, doc in enumerate(docs):
            for term, tf in Counter(doc).items():
                self.postings.setdefault(term, []).append((i, tf))
                df[term] += 1
        self.idf = {t: self._idf(c) for t, c in df.items()}
        self.unseen_idf = self._idf(0)
        # (document, saturated and length-normalised tf) per term, computed once
        self.weighted: dict[str, list[tuple[int, float]]] = {
            term: [(i, self._norm(tf, self.lengths[i])) for i, tf in posting]
            for term, posting in self.postings.items()
        }

    def _norm(self, tf: int, length: int) -> float:
        return tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * length / self.avgdl))

    def _idf(self, df: int) -> float:
        return math.log(1.0 + (self.n - df + 0.5) / (df + 0.5))

    def term_idf(self, term: str) -> float:
        return self.idf.get(term, self.unseen_idf)

    def scores(self, query: Mapping[str, float]) -> dict[int, float]:
        """Weighted query terms -> {document index: score} for documents sharing a term."""
        out: dict[int, float] = {}
        for term, w in query.items():
            posting = self.weighted.get(term)
            if not posting:
                continue
            idf = self.idf[term] * w
            for i, norm in posting:
                out[i] = out.get(i, 0.0) + idf * norm
        return out
