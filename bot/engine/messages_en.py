"""The conversation engine's English sentences (issue 15), for users whose language is English.

Kept apart from messages.py (the Japanese). Covered so far: the language switch, greetings, the
main menu's labels, and the question-and-answer chrome (feedback, もしかして, hand-off). The guided
flows (対象チェック, 団体登録, 相談・提案, データ削除) still speak Japanese: their English wording is
left for later (docs/engine.md).
"""

from __future__ import annotations

from bot.engine import messages as M
from bot.engine.types import Choice

# What a user sends to switch (compared after knowledge.normalize.fold, i.e. case-insensitively).
TO_ENGLISH_WORDS = ("English", "英語", "えいご", "eigo", "in English", "English please", "English, please")
TO_JAPANESE_WORDS = ("日本語", "にほんご", "Japanese", "nihongo", "日本語で", "in Japanese")

SWITCHED_TO_ENGLISH = (
    "OK, I will answer in English. Ask me about collaboration (協働, kyōdō) between Koganei City and "
    "civic groups, for example \"What is kyodo?\" or \"Can a company collaborate?\".\n"
    "The guided steps (eligibility check, group registration, consultation) are still in Japanese. "
    "Send 「日本語」 to switch back to Japanese."
)
SWITCHED_TO_JAPANESE = "日本語でお答えします。英語に切り替えるときは「English」と送ってください。"

GREETING = (
    "Welcome to the Kyodo Bot (協働ボット) of Koganei City. I answer questions about the city's "
    "Collaboration Promotion Guideline (協働推進基本指針) in English or Japanese.\n"
    "Type your question, or choose below. Send 「日本語」 for Japanese."
)
WELCOME_BACK = "Welcome back. Choose below, or type your question."
HELLO_REPLY = "Hello! I am the Kyodo Bot. Type your question about collaboration (協働), or choose below."
THANKS_REPLY = "You're welcome. Ask me any time."
HELP = (
    "I answer questions about collaboration (協働) between Koganei City and civic groups, in English "
    "or Japanese. Type a question such as \"What is kōen (後援)?\".\n"
    "The buttons start the city's guided steps, which are in Japanese for now. "
    "Send 「日本語」 to switch to Japanese."
)

WAS_IT_HELPFUL = "Was this answer helpful?"
YES = "Yes"
NO = "No"
FEEDBACK_THANKS_YES = "Thank you for your feedback."
MAYBE = "Let me check what you mean. Did you mean one of these?"
CANNOT_ANSWER = "Sorry, I cannot answer this question."
OFFER_STAFF = "I can also send your question to city staff (a reply may take a few days)."
ASK_STAFF = "Ask city staff"
TOO_LONG_QUESTION = "Your question is too long. Please keep it within {limit} characters and send it again."
ANSWERER_DOWN = "Sorry, I cannot answer right now. Please try again a little later."

# Main-menu buttons for English users: an English label; what is sent stays the command the
# engine understands (the flows are Japanese), except the two that are plain questions.
_LABELS = {
    M.MENU_ABOUT: ("What is kyodo?", "What is kyodo?"),
    M.MENU_CHECK: ("Eligibility check", M.MENU_CHECK),
    M.MENU_REGISTER: ("Register a group", M.MENU_REGISTER),
    M.MENU_CONSULT: ("Consult the city", M.MENU_CONSULT),
    M.MENU_FAQ: ("FAQ (Japanese)", M.MENU_FAQ),
    M.MENU_CONTACT: ("Contact", "Where can we ask about collaboration?"),
    M.MENU_HELP: ("Help", "help"),
}


def menu_choices(main_menu: tuple[str, ...]) -> list[Choice]:
    """The main menu with English labels (unknown entries keep their Japanese label)."""
    out = []
    for item in main_menu:
        label, text = _LABELS.get(item, (item, item))
        out.append(Choice(label=label, text=text))
    return out
