"""Persistent caches of the knowledge index: the tokenisation of the data, and the built answerer.

Building the index tokenises every phrasing, answer and guideline section. That costs ~0.2 s and,
because Sudachi's 200 MB dictionary is memory-mapped, touches enough of it to push the resident
size of a short-lived `kyodo ask` to ~300 MB. The tokens (and the whole built, validated answerer)
depend only on the data files, the knowledge code and the Sudachi dictionary, so they are stored
in cache files keyed by a hash of those; later processes load the answerer with pickle (~20 ms,
no YAML parsing, no Sudachi until the first question) and only tokenise the question itself.

The cache lives in $KYODO_CACHE_DIR or ~/.cache/kyodo-bot. If it cannot be read or written,
everything still works (just slower); a corrupt or stale file is ignored and replaced.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from knowledge import analysis
from knowledge.analysis import Token

_FORMAT = 2


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
        spec = importlib.util.find_spec("sudachidict_core")
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


def read_pickle(name: str) -> object | None:
    """An object stored by :func:`write_pickle`, or None (missing, unreadable, incompatible)."""
    try:
        with (cache_dir() / f"{name}.pickle").open("rb") as fh:
            return pickle.load(fh)  # noqa: S301 - our own file, in the user's cache dir
    except Exception:
        return None


def write_pickle(name: str, obj: object) -> None:
    """Store ``obj`` atomically; failures (read-only home, full disk) are ignored."""
    path = cache_dir() / f"{name}.pickle"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # atomic: concurrent processes never see half a file
    except (OSError, pickle.PicklingError):
        pass


class TokenCache:
    """``tokens(text)`` with a memo that is loaded from and saved to a file."""

    def __init__(self, key: str | None, tokenizer: Callable[[str], list[Token]] = analysis.tokenize):
        self.key = key
        self._tokenize = tokenizer
        self._memo: dict[str, tuple[Token, ...]] = {}
        self._dirty = False
        if key:
            self._memo = self._read()

    @property
    def path(self) -> Path | None:
        return cache_dir() / f"tokens-{self.key}.pickle" if self.key else None

    def _read(self) -> dict[str, tuple[Token, ...]]:
        try:
            with self.path.open("rb") as fh:  # type: ignore[union-attr]
                raw = pickle.load(fh)  # noqa: S301 - our own file, in the user's cache dir
            return {text: tuple(Token(*t) for t in toks) for text, toks in raw.items()}
        except Exception:  # missing, unreadable, stale format: rebuild
            return {}

    def tokens(self, text: str) -> list[Token]:
        hit = self._memo.get(text)
        if hit is None:
            hit = tuple(self._tokenize(text))
            self._memo[text] = hit
            self._dirty = True
        return list(hit)

    def save(self) -> None:
        if not (self.key and self._dirty):
            return
        path = self.path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
            raw = {
                text: [(t.surface, t.term, t.reading, t.pos, t.oov, t.content, t.weak) for t in toks]
                for text, toks in self._memo.items()
            }
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tokens-")  # type: ignore[union-attr]
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(raw, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)  # atomic: concurrent processes never see half a file
            self._dirty = False
        except OSError:
            pass
