"""Compact, versioned postback data: ``v1|flow|action|arg``.

Postback data comes back from the platform as an opaque string that anyone can forge, so it is
parsed strictly: wrong version, unknown flow, odd characters or an over-long value give ``None``
(the router answers politely), never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION = "v1"
MAX_BYTES = 300
_PART = re.compile(r"^[A-Za-z0-9_\-:.]{0,120}$")


@dataclass(frozen=True)
class Postback:
    flow: str
    action: str
    arg: str = ""


def encode(flow: str, action: str, arg: str | int = "") -> str:
    """Build postback data; raises ValueError on values the engine itself should never produce."""
    arg = str(arg)
    for part in (flow, action, arg):
        if "|" in part or not _PART.match(part):
            raise ValueError(f"bad postback part: {part!r}")
    data = f"{VERSION}|{flow}|{action}|{arg}"
    if len(data.encode()) > MAX_BYTES:
        raise ValueError("postback data too long")
    return data


def decode(data: str) -> Postback | None:
    """Parse postback data, or return None if it is not something the engine produced."""
    if not isinstance(data, str) or not data or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    parts = data.split("|")
    if len(parts) != 4 or parts[0] != VERSION:
        return None
    _, flow, action, arg = parts
    if not flow or not action or not all(_PART.match(p) for p in (flow, action, arg)):
        return None
    return Postback(flow, action, arg)


def int_arg(arg: str | None, upper: int = 2**31 - 1) -> int | None:
    """A non-negative database-safe integer from a postback argument, or None (forged or garbled)."""
    if not arg or not arg.isascii() or not arg.isdigit() or len(arg) > 10:
        return None
    value = int(arg)
    return value if value <= upper else None
