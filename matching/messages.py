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
)
NO_MATCH_DESK = "協働についてのご相談は、{desk}が窓口です。"  # divisions.yaml "desk"
NO_MATCH_NO_DESK = "協働についてのご相談は、市の協働の担当窓口へお問い合わせください。"


def no_match(desk: str | None) -> str:
    """Nothing recognised: say so, and where to ask (the city's desk for 協働, when the data names it)."""
    return NO_MATCH + (NO_MATCH_DESK.format(desk=desk) if desk else NO_MATCH_NO_DESK)


UNKNOWN_FIELD = "分野「{word}」は見つかりませんでした。"
UNKNOWN_FIELD_WITH_CANDIDATES = "分野「{word}」は見つかりませんでした。近い分野: {candidates}"

# --- reasons (one line each) -----------------------------------------------------------------
# Read by the head of a division deciding whether to contact the group, and by the citizen: plain
# sentences (です・ます, no final 。, at most about 60 characters) with the fields' short labels (the
# ones the buttons show). Each says what kind of evidence it is: what the group does (活動), for whom
# (対象), where it meets (会場), whom it works with (協力・連携先) — never quoting a venue or a
# partner as the activity.
REASON_FIELD = "団体が選んだ分野「{field}」を担当しています"
REASON_PROJECT = "活動の{words}は、所管事業「{project}」に関わります"
REASON_PROJECT_ITSELF = "活動の{words}は、{ka}の所管事業です"
REASON_KEYWORD = "活動の{words}は、{ka}が担当しています"
REASON_PEOPLE = "対象の{words}は、{ka}が支えている方々です"
REASON_ROLE_PROJECT = "{words}が加わる活動で、所管事業「{project}」に関わります"
REASON_ROLE_KEYWORD = "{words}が加わる活動で、{ka}が担当しています"
REASON_AUDIENCE = "参加者に{words}の方がいます（活動の中心はほかの分野です）"
REASON_TEXT_FIELD = "活動の「{word}」は分野「{field}」にあたります"
REASON_TEXT_FIELD_PEOPLE = "「{word}」を対象とする活動で、分野「{field}」にあたります"
REASON_TEXT_FIELD_PLACE = "「{word}」に関わる活動で、分野「{field}」にあたります"
REASON_FACILITY = "{ka}の「{facility}」に関わる活動です"
REASON_FACILITY_ITSELF = "「{facility}」に関わる活動です"
REASON_NAMED = "説明に「{ka}」の名前があります"
REASON_OWNED = "「{facility}」の「{word}」に関わる活動で、{ka}が担当しています"
REASON_FOR_PEOPLE = "対象の「{people}」の方は{ka}が支えています（活動は{words}）"
REASON_VENUE = "{words}を会場にしています"
REASON_VISITED = "{words}に出向いたり届けたりする活動があります"
REASON_REGISTERED = "{words}に登録または助成を受けている団体です"
REASON_PARTNER = "協力・連携の相手として{words}が挙がっています"
REASON_ORIGIN = "{words}の講座や集まりがきっかけでできた団体です"

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
FIELD_AMBIGUOUS = (
    "「{text}」に当てはまりそうな分野がいくつかあります。{labels}から選んでください（いくつでも選べます）。"
)
FIELD_NONE = "「{text}」に当てはまる分野が見つかりませんでした。一覧から選ぶか、活動の内容を別のことばで送ってください。"
