"""Every English sentence the knowledge answerer shows (issue 15), in one place.

Plain English, short enough for a phone. The answers themselves are in data/faq_en.yaml.
"""

from __future__ import annotations

PENDING = "not yet confirmed (please ask the city)"  # an unconfirmed contact fact
CONTACT = "the Community and Culture Division (コミュニティ文化課) of Koganei City"
GUIDELINE = "協働推進基本指針 (Koganei Collaboration Promotion Guideline)"


def _with_number(name: str, phone: str | None) -> str:
    return f"{name} ({phone})" if phone else name


def out_of_scope(switchboard: str | None = None, division: str | None = None) -> str:
    """The polite decline: says what the bot answers and where to ask instead."""
    return (
        "Sorry, I cannot answer this question. I answer questions about collaboration (協働, kyōdō) "
        "between Koganei City and civic groups.\n"
        f"For other city procedures and services, please call {_with_number('Koganei City Hall', switchboard)}; "
        f"for collaboration, please ask {_with_number(CONTACT, division)}."
    )


UNSURE = "I'm not sure I understood your question. Did you mean one of these?"
UNSURE_ELSE = (
    "If none of these fits: for other city matters please ask Koganei City Hall; "
    f"for collaboration, {CONTACT}."
)
RELATED_HEADING = "Related questions:"

EMPTY = "Please type your question, for example \"What is kyodo?\" or \"Can a company collaborate?\""
NO_TEXT = "Thank you for your message. Please send your question in words, for example \"What is kyodo?\""
GREETING = (
    "Hello! I am the Kyodo Bot of Koganei City. I answer questions about the city's Collaboration "
    "Promotion Guideline (協働推進基本指針), in English or Japanese.\n"
    "For example: \"What is kyodo?\", \"Can a company collaborate?\", \"What is kōen (後援)?\""
)
THANKS = "You're welcome. If you have another question, please ask."
FAREWELL = "Thank you for using the Kyodo Bot. Ask again any time."

GREETING_WORDS = ["hello", "hi", "hey", "good morning", "good afternoon", "good evening", "hello there", "hi there"]
THANKS_WORDS = ["thanks", "thank you", "thank you very much", "thanks a lot", "many thanks", "thx", "ty"]


def too_long(limit: int) -> str:
    return f"Your message is too long (up to {limit} characters). Please send a shorter question."


def other_language(place: str, phone: str | None) -> str:
    """For a message in a language other than Japanese or English: one line in each."""
    en = f"This bot answers in Japanese and English. For other questions, please contact {_with_number(place, phone)}."
    ja = f"このボットは日本語と英語でお答えします。そのほかのご相談は{place}" + (
        f"（{phone}）" if phone else ""
    ) + "へお問い合わせください。"
    return f"{en}\n{ja}"


def citation(guideline: list[tuple[str, str]], notes: list[tuple[str, str]], cited_notes: list[tuple[str, str]]) -> str:
    """The line under an answer; each source as (English title, Japanese title)."""

    def both(pair: tuple[str, str]) -> str:
        en, ja = pair
        return f"{en} ({ja})"

    if guideline:
        line = f"(Source: {GUIDELINE}: {'; '.join(both(p) for p in guideline)})"
        if cited_notes:
            line += f" (See also: {'; '.join(both(p) for p in cited_notes)})"
        return line
    if notes:
        return f"(See also: {'; '.join(both(p) for p in notes)})"
    return ""


def unsure_list(questions: list[str], maybe_elsewhere: bool = False) -> str:
    lines = [UNSURE] + [f"・{q}" for q in questions]
    if maybe_elsewhere:
        lines.append(UNSURE_ELSE)
    return "\n".join(lines)
