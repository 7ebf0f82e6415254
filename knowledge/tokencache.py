"""A persistent, optional cache of the tokenised knowledge data (plain JSON, never pickle).

Building the index tokenises every phrasing, answer and guideline section with Sudachi (~0.3 s,
and it touches most of Sudachi's memory-mapped 200 MB dictionary). The tokens depend only on the
data files, the knowledge code and the Sudachi dictionary, so they are stored in a JSON file keyed
by a hash of those; later processes rebuild the (small, pure Python) index from the stored tokens
in ~0.1 s and need Sudachi only for the question itself.

Why JSON: the cache lives in a user-writable directory ($KYODO_CACHE_DIR or ~/.cache/kyodo-bot).
Unpickling such a file would run whatever code someone put there; reading JSON only yields
strings, numbers and lists, each checked before use.

The cache is an optimisation and nothing more: a missing, unreadable, corrupt, stale or malformed
file means "tokenise again"; a directory that cannot be written (read-only filesystem, no home
directory, full disk) means "do not store". Neither ever raises.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from knowledge import analysis
from knowledge.analysis import Token

_FORMAT = 5  # bump when the stored shape changes
_FIELDS = 8  # surface, term, reading, pos, oov, content, weak, synonym groups


def cache_dir() -> Path:
    env = os.environ.get("KYODO_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "kyodo-bot"


def data_key(files: Iterable[Path], extra: bytes = b"") -> str:
    """Hash of the data files, the knowledge package's code and the Sudachi dictionary."""
    import importlib.util

    h = hashlib.sha256(f"fmt{_FORMAT}".encode())
    try:
        import sudachipy

        h.update(str(getattr(sudachipy, "__version__", "")).encode())
        name = analysis.dictionary_name()
        h.update(name.encode())
        spec = importlib.util.find_spec(f"sudachidict_{name}")
        for loc in (spec.submodule_search_locations or []) if spec else []:
            dic = Path(loc) / "resources" / "system.dic"
            if dic.exists():
                st = dic.stat()
                h.update(f"{st.st_size}:{st.st_mtime_ns}".encode())
    except ImportError:
        h.update(b"no-sudachi")
    for code in sorted(Path(analysis.__file__).parent.glob("*.py")):
        h.update(code.read_bytes())
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes() if f.exists() else b"-")
    h.update(extra)
    return h.hexdigest()[:32]


def _token(raw: Any) -> Token:
    """One stored token, checked field by field (ValueError if the shape is wrong)."""
    if type(raw) is not list or len(raw) != _FIELDS:
        raise ValueError("bad token")
    surface, term, reading, pos, oov, content, weak, groups = raw
    if not (type(surface) is str and type(term) is str and type(reading) is str and type(pos) is str):
        raise ValueError("bad token text")
    if not (type(oov) is bool and type(content) is bool and type(weak) is bool):
        raise ValueError("bad token flag")
    if type(groups) is not list or any(type(g) is not int for g in groups):
        raise ValueError("bad synonym groups")
    return Token(surface, term, reading, pos, oov, content, weak, tuple(groups))


def parse(raw: Any, key: str) -> dict[str, tuple[Token, ...]]:
    """The memo stored in a cache file's JSON, or ValueError if it is not exactly that.

    Shape: ``{"format", "key", "tokens": [token, ...], "texts": {text: [token index, ...]}}``;
    each distinct token is stored (and checked) once.
    """
    if not (isinstance(raw, dict) and raw.get("format") == _FORMAT and raw.get("key") == key):
        raise ValueError("other format or key")
    table, texts = raw.get("tokens"), raw.get("texts")
    if not (isinstance(table, list) and isinstance(texts, dict)):
        raise ValueError("no tokens")
    tokens = [_token(t) for t in table]
    n = len(tokens)
    memo: dict[str, tuple[Token, ...]] = {}
    for text, ids in texts.items():
        if type(ids) is not list or any(type(i) is not int or not 0 <= i < n for i in ids):
            raise ValueError("bad token index")
        memo[text] = tuple(tokens[i] for i in ids)
    return memo


def dump(memo: dict[str, tuple[Token, ...]], key: str) -> dict[str, Any]:
    """The JSON-ready form of ``memo`` (see :func:`parse`)."""
    index: dict[Token, int] = {}
    texts = {text: [index.setdefault(t, len(index)) for t in toks] for text, toks in memo.items()}
    table = [[t.surface, t.term, t.reading, t.pos, t.oov, t.content, t.weak, list(t.groups)] for t in index]
    return {"format": _FORMAT, "key": key, "tokens": table, "texts": texts}


STALE_AFTER = 14 * 24 * 3600  # seconds


def _prune(directory: Path, keep: Path) -> None:
    """Remove pickles of earlier versions and token files unused for two weeks (each data or code
    change writes a new file; nothing else would ever delete the old ones)."""
    import time

    now = time.time()
    for f in [*directory.glob("*.pickle"), *directory.glob("tokens-*.json")]:
        with contextlib.suppress(OSError):
            if f.suffix == ".pickle" or (f != keep and now - f.stat().st_mtime > STALE_AFTER):
                f.unlink()


class TokenCache:
    """``tokens(text)`` with a memo that is loaded from and saved to a JSON file.

    While tokenising, it keeps the Sudachi dictionary's share of the resident memory in check
    (see :func:`knowledge.analysis.trim_dictionary_memory`), so that the first run on a fresh
    machine stays as small as later ones.
    """

    def __init__(self, key: str | None, tokenizer: Callable[[str], list[Token]] = analysis.tokenize):
        self.key = key
        self._tokenize = tokenizer
        self._memo: dict[str, tuple[Token, ...]] = {}
        self._dirty = False
        if key:
            self._memo = self._read()

    @property
    def path(self) -> Path | None:
        return cache_dir() / f"tokens-{self.key}.json" if self.key else None

    def _read(self) -> dict[str, tuple[Token, ...]]:
        try:
            with self.path.open(encoding="utf-8") as fh:  # type: ignore[union-attr]
                return parse(json.load(fh), self.key or "")
        except (OSError, ValueError, TypeError, RecursionError):  # missing, corrupt, stale: rebuild
            return {}

    def tokens(self, text: str) -> list[Token]:
        hit = self._memo.get(text)
        if hit is None:
            hit = tuple(self._tokenize(text))
            self._memo[text] = hit
            self._dirty = True
            analysis.trim_dictionary_memory()
        return list(hit)

    def save(self) -> None:
        """Store the memo atomically (concurrent processes never see half a file); failures of
        any kind (read-only filesystem, full disk) are ignored."""
        if not (self.key and self._dirty):
            return
        path = self.path
        assert path is not None
        raw = dump(self._memo, self.key or "")
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tokens-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(raw, fh, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, path)
            tmp = None
            self._dirty = False
            _prune(path.parent, keep=path)
        except OSError:
            pass
        finally:
            if tmp:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
