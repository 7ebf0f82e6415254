"""What tests of the LINE side share: the channel's secret and token, and an engine stand-in for
tests of the transport alone (the real engine is used where it matters)."""

from __future__ import annotations

from bot.engine.types import Choice, Incoming, Reply

SECRET = "e2e-channel-secret"
TOKEN = "e2e-access-token"


def echo_engine(session, incoming: Incoming, *, now) -> list[Reply]:
    """A stand-in engine for transport-only tests (the real one is used where it matters)."""
    if incoming.kind == "follow":
        return [Reply(text="ようこそ", choices=[Choice(label="協働とは", text="協働とは")])]
    if incoming.kind == "text":
        return [Reply(text=f"echo:{incoming.text}")]
    if incoming.kind == "unsupported":
        return [Reply(text="文字で送ってください")]
    return []
