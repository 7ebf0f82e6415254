"""A progress line for long CLI work (`groups import`, `match --all`): shown only when stderr is a
terminal, so piped or logged output gets nothing extra. A carriage-return line, no library."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """``Progress("matching")(done, total)`` rewrites one line on stderr at most ten times a second;
    :meth:`close` clears it. Does nothing unless the stream is a TTY."""

    def __init__(self, label: str, stream: TextIO | None = None, *, every: float = 0.1) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.every = every
        self.enabled = _isatty(self.stream)
        self._last: float | None = None
        self._width = 0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if self._last is not None and now - self._last < self.every and done < total:
            return
        self._last = now
        pct = f" ({done * 100 // total}%)" if total else ""
        line = f"{self.label}: {done:,}/{total:,}{pct}"
        self._width = max(self._width, len(line))
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
