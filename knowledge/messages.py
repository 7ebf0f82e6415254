"""Every sentence the knowledge answerer shows to a citizen or staff member, in one place.

Polite, short enough for a phone screen. Edit here, not in the code.
"""

from __future__ import annotations

# What the bot can help with, shown when it declines.
TOPICS = "協働とは何か・対象となる活動や団体・協働の形態（後援・共催・委託・補助など）・協働の原則・市の支援・問い合わせ先"


def out_of_scope(switchboard: str | None = None, city: str = "市", desk: str = "市の協働の担当窓口") -> str:
    """The polite decline: short enough for a phone, and it always says where to ask.

    ``switchboard`` is the city's confirmed main number, ``city`` its name and ``desk`` its desk
    for 協働 (city.yaml and contacts.yaml of the data directory)."""
    hall = f"{city}役所" if city.endswith("市") else f"{city}の役所"
    where = f"{hall}の代表電話（{switchboard}）" if switchboard else f"{hall}の担当窓口"
    return (
        "申し訳ありません。このご質問には、このボットではお答えできません。\n"
        f"市の手続きやサービスは{where}へ、協働のご相談は{desk}へお問い合わせください。"
    )


OUT_OF_SCOPE = out_of_scope()  # (without the number; the answerer fills it in from contacts.yaml)

UNSURE = "ご質問の内容をはっきりつかめませんでした。もしかして、次のどれかでしょうか。"
RELATED_HEADING = "関連する質問："

EMPTY = (
    "ご質問を入力してください。\n"
    "{guideline}について、たとえば「協働とは」「企業も協働できますか」のようにお尋ねください。"
)

NO_TEXT = (
    "メッセージありがとうございます。恐れ入りますが、ご質問は文字でお送りください。\n"
    "たとえば「協働とは」「補助金はありますか」のようにお尋ねいただけます。"
)


GREETING = (
    "こんにちは。協働ボットです。{guideline}について、ご質問にお答えします。\n"
    "たとえば「協働とは」「企業も協働できますか」「後援と共催の違い」のようにお尋ねください。"
)

THANKS = "どういたしまして。ほかにもご質問があれば、お気軽にお尋ねください。"
FAREWELL = "ご利用ありがとうございました。またいつでもお尋ねください。"

# Short messages that are small talk rather than questions (compared after fold()).
GREETING_WORDS = [
    "こんにちは",
    "こんにちわ",
    "こんばんは",
    "こんばんわ",
    "おはよう",
    "おはようございます",
    "はじめまして",
    "やあ",
    "hello",
    "hi",
]
THANKS_WORDS = [
    "ありがとう",
    "ありがとうございます",
    "ありがとうございました",
    "助かりました",
    "助かります",
    "thanks",
    "thankyou",
]


def too_long(limit: int) -> str:
    return (
        f"ご質問が長すぎるため、お答えできませんでした（{limit}文字まで）。\n"
        "お尋ねになりたいことを短くまとめて、もう一度お送りください。"
    )


GUIDELINE_SHORT = "協働の指針"  # without city.yaml's "guideline"


def _cite(title: str) -> str:
    """第2章(4) 協働の形態 -> 第2章(4)「協働の形態」; はじめに -> 「はじめに」."""
    head, _, rest = title.partition(" ")
    return f"{head}「{rest}」" if rest and head.startswith("第") else f"「{title}」"


def citation(
    guideline_titles: list[str],
    note_titles: list[str],
    cited_notes: list[str] = (),
    guideline: str = GUIDELINE_SHORT,
) -> str:
    """The line under an answer: the guideline sections it rests on, else our notes.

    ``cited_notes`` are notes whose facts the answer states although they are not in the
    guideline (programmes, examples, budget items): they are named too, so that nobody takes them
    for the guideline."""
    if guideline_titles:
        line = f"（出典：{guideline} {'、'.join(_cite(t) for t in guideline_titles)}）"
        if cited_notes:
            line += f"（参考：{'、'.join(cited_notes)}）"
        return line
    if note_titles:
        return f"（参考：{'、'.join(note_titles)}）"
    return ""


# Added under the もしかして list when the question also holds words the bot does not know.
UNSURE_ELSE_START = "どれにも当てはまらない場合、"
UNSURE_ELSE = (
    UNSURE_ELSE_START + "協働以外のご質問は市役所の担当窓口へ、協働については{desk}へお問い合わせください。"
)


def unsure_list(questions: list[str], maybe_elsewhere: bool = False, desk: str = "市の協働の担当窓口") -> str:
    lines = [UNSURE] + [f"・{q}" for q in questions]
    if maybe_elsewhere:
        lines.append(UNSURE_ELSE.format(desk=desk))
    return "\n".join(lines)


# A message that asks several things gets one block per question.
SEVERAL_QUESTIONS = "ご質問が複数ありましたので、順にお答えします。"
_PART_MARKS = "①②③④⑤"


def part_heading(index: int, question: str, limit: int = 30) -> str:
    """「①後援の申し込み先はどこですか？」: the question a block answers, shortened for a phone."""
    q = question.strip().rstrip("。")
    if len(q) > limit:
        q = q[: limit - 1] + "…"
    return f"{_PART_MARKS[index]}「{q}」"
