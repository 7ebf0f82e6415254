"""Small helpers shared by the flows: validating typed input, summarising a group."""

from __future__ import annotations

from bot.engine import messages as M
from bot.engine.services import Services
from bot.engine.types import Choice, Reply


def has_words(text: str) -> bool:
    """True if the text contains at least one letter or digit (not only emoji or symbols)."""
    return any(ch.isalnum() for ch in text)


def valid_text(text: str | None, limit: int) -> str | None:
    """The trimmed text if it is usable free input within ``limit`` characters, else None."""
    if text is None:
        return None
    text = text.strip()
    if not text or len(text) > limit or not has_words(text):
        return None
    return text


def too_long(text: str | None, limit: int) -> Reply | None:
    if text is not None and len(text.strip()) > limit:
        return Reply(text=M.TOO_LONG_INPUT.format(limit=limit, length=len(text.strip())))
    return None


def field_labels(services: Services, numbers: list[int]) -> str:
    try:
        labels = {f.number: f.label for f in services.fields()}
    except Exception:  # matching not available: show numbers rather than fail
        labels = {}
    return "、".join(labels.get(n, str(n)) for n in sorted(numbers)) or "（なし）"


def shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# The main menu, in the order it is offered (quick replies; the rich menu has the first six).
MAIN_MENU = (
    M.MENU_ABOUT,
    M.MENU_CHECK,
    M.MENU_REGISTER,
    M.MENU_CONSULT,
    M.MENU_FAQ,
    M.MENU_CONTACT,
    M.MENU_HELP,
)


def menu_choices() -> list[Choice]:
    return [Choice(label=label, text=label) for label in MAIN_MENU]
