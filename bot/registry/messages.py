"""Every Japanese sentence the group registry shows to staff or citizens, in one place.

Kept apart from the logic so wording can be reviewed (and corrected by city staff) without
reading code. Placeholders use str.format names.
"""

from __future__ import annotations

# --- validation of one group (LINE registration, CLI, CSV import) ---
NAME_MISSING = "団体名を入力してください。"
NAME_TOO_LONG = "団体名が長すぎます（{limit}文字以内でお願いします）。"
KIND_MISSING = "団体の種別を入力してください（例: {examples}）。"
KIND_UNKNOWN = "種別「{value}」が分かりません。次のどれかを入力してください: {choices}"
FIELD_UNKNOWN = "分野「{value}」が分かりません。"
FIELD_UNKNOWN_HINT = "分野「{value}」が分かりません。近いもの: {candidates}"
DESCRIPTION_TOO_LONG = "活動内容が長すぎます（{limit}文字以内でお願いします）。"
CONTACT_TOO_LONG = "連絡先が長すぎます（{limit}文字以内でお願いします）。"
PROFILE_EMPTY = "活動内容か分野のどちらかを入力してください。市の担当課をご紹介するために使います。"

# --- duplicates ---
DUPLICATE_FOUND = "「{name}」は登録済みの団体「{other}」（番号 {other_id}）と同じ団体かもしれません。"

# --- permissions / lookups ---
NOT_FOUND = "番号 {group_id} の団体は見つかりません。"
NOT_OWNER = "この団体の登録を変更・削除できるのは、登録したご本人か市の担当者だけです。"

# --- CSV import ---
CSV_NOT_UTF8 = "ファイルを UTF-8 として読めません（Excel では「CSV UTF-8」で保存してください）。"
CSV_EMPTY = "ファイルが空です。1行目に見出し（{header}）が必要です。"
CSV_HEADER_MISSING = "見出しに必要な列がありません: {columns}（1行目に {header} を書いてください）。"
CSV_HEADER_UNKNOWN = "見出しに知らない列があります: {columns}（使える列: {header}）。"
CSV_HEADER_REPEATED = "見出しに同じ列が2回あります: {columns}"
CSV_ROW_SHAPE = "列の数が見出しと合いません（見出し {expected} 列、この行 {actual} 列）。"
CSV_LINE = "{line}行目: {problem}"
CSV_NOTHING_IMPORTED = "誤りのある行が {count} 行あるため、何も取り込んでいません。直してからもう一度実行するか、--skip-invalid で正しい行だけ取り込めます。"
CSV_SKIPPED = "誤りのある {count} 行を飛ばしました。"
CSV_IMPORTED = "{count} 団体を取り込みました。"
CSV_DUPLICATES = "重複の可能性がある団体 {count} 件に印を付けました（自動では統合していません）:"

# --- groups CLI ---
CLI_FILE_NOT_FOUND = "ファイルが見つかりません: {path}"
CLI_DUPLICATE_LINE = "  {line}行目 「{name}」(番号 {id}) ≒ 「{other}」(番号 {other_id})"
CLI_NO_GROUPS = "該当する団体はありません。"
CLI_FLAGGED = "  [重複の可能性: 番号 {other_id}]"
CLI_EXPORTED = "{count} 団体を {path} に書き出しました。"
CLI_DELETED = "番号 {group_id} の団体を削除しました。"
CLI_DISTINCT = "番号 {group_id} の重複の印を外しました。次の `kyodo match --all` で照合されます。"
TOP_INVALID = "--top は1以上で指定してください。"
DB_NOT_READY = "データベースの準備ができていません。先に `kyodo db upgrade` を実行してください。"

# --- match --all ---
MATCH_ALL_SUMMARY = (
    "団体 {groups_total} 件のうち {groups_matched} 件を照合しました"
    "（変更なし {groups_unchanged} 件、重複の印で除外 {groups_flagged} 件、情報不足 {groups_incomplete} 件）。\n"
    "照合した団体の提案: 新規 {new} 件、更新 {refreshed} 件、変更なし {unchanged} 件、"
    "該当しなくなったもの {stale} 件。"
    "（{seconds:.1f} 秒）"
)
