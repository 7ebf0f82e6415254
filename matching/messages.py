"""Every string a citizen or city staff member reads from the matcher, kept in one place.

Reasons are short, checkable statements (they name the field, the word found in the group's text and
the division's budget project), so a reader can see *why* a division was suggested and disagree.
"""

from __future__ import annotations

# --- user-facing messages --------------------------------------------------------------------
EMPTY_PROFILE = (
    "活動の内容か分野を教えてください。"
    "たとえば「公園の清掃をしています」のように書いていただくと、関係する市の課をご案内します。"
)
NO_MATCH = (
    "お書きいただいた内容からは、担当の課を絞り込めませんでした。"
    "活動の内容をもう少しくわしく書くか、分野を選んでください。"
    "協働についてのご相談は、市民部 コミュニティ文化課が窓口です。"
)
UNKNOWN_FIELD = "分野「{word}」は見つかりませんでした。"
UNKNOWN_FIELD_WITH_CANDIDATES = "分野「{word}」は見つかりませんでした。近い分野: {candidates}"

# --- reasons (one line each) -----------------------------------------------------------------
REASON_FIELD = "分野『{field}』が一致"
REASON_PROJECT = "活動{words}が所管事業『{project}』と関連"
REASON_KEYWORD = "活動{words}が{ka}の担当と関連"
REASON_TEXT_FIELD = "活動『{word}』が分野『{field}』にあたる"
REASON_FACILITY = "{ka}の『{facility}』に関わる活動"
REASON_NAMED = "説明に『{ka}』とあります"
REASON_OWNED = "活動『{facility}』の『{word}』が{ka}の担当と関連"
REASON_FOR_PEOPLE = "活動『{word}』の対象『{people}』が{ka}の担当と関連"

# --- data validation (read by the staff who edit the YAML files) -----------------------------
ERR_PREFIX = "{file}: {entry}: {problem}"
ERR_ENTRY_FIELD = "分野 {number}"
ERR_ENTRY_DIVISION = "課 {id}"
ERR_ENTRY_INDEX = "{index}番目の項目"


def unknown_field_message(word: str, candidates: list[str]) -> str:
    """Polite notice for a field word that matched nothing, offering the closest fields."""
    if not candidates:
        return UNKNOWN_FIELD.format(word=word)
    return UNKNOWN_FIELD_WITH_CANDIDATES.format(word=word, candidates="、".join(candidates))

# --- field words (matching.fields: what a typed field word was resolved to) -------------------
FIELD_SYNONYM = "「{text}」は「{label}」の分野として登録します。"
FIELD_GUESS = "「{text}」は「{label}」の分野でよろしいですか？"
FIELD_GUESS_BECAUSE = "「{text}」は、「{word}」から「{label}」の分野と考えました。よろしいですか？"
FIELD_AMBIGUOUS = "「{text}」に当てはまりそうな分野がいくつかあります。{labels}から選んでください（いくつでも選べます）。"
FIELD_NONE = "「{text}」に当てはまる分野が見つかりませんでした。一覧から選ぶか、活動の内容を別のことばで送ってください。"
