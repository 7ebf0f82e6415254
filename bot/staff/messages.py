"""Every Japanese string that city staff read in Slack, kept together so wording can be
reviewed and changed in one place. (What citizens are told when staff act is in
bot/engine/messages.py, ``NOTIFY_*``, with everything else citizens read.)
"""

from __future__ import annotations

# --- /kyodo --------------------------------------------------------------------------------------
HELP = (
    "*協働ボットの使い方*\n"
    "• `/kyodo ＜質問＞` 協働推進基本指針について質問します（答えはあなたにだけ表示されます）\n"
    "• `/kyodo groups [分野やキーワード]` 登録団体の一覧\n"
    "• `/kyodo group ＜団体名＞` 団体の詳細と提案先の課\n"
    "• `/kyodo match ＜団体名または活動内容＞` 協働先になりそうな課を探します\n"
    "• `/kyodo 重複` 重複の疑いの印がある団体（確認して解決するまでマッチングから外れます）\n"
    "• `/kyodo report [期間]` 利用状況の集計（例: `今週`・`先月`・`30日`・`2026-04-01..2026-09-30`）\n"
    "• `/kyodo 所属 ＜課名＞` あなたの所属課を設定します（ホームタブに課あての案件が出ます）\n"
    "• `/kyodo 募集` 協働の募集を作り、合いそうな登録団体にLINEでお知らせします\n"
    "• `/kyodo help` この説明\n"
    "チャンネルでボットにメンションして質問することもできます（スレッドでお答えします）。"
)
EMPTY_QUESTION = "質問を入力してください。例: `/kyodo 協働とは何ですか`"
NOT_ANSWERED = "指針やFAQからは確かな回答が見つかりませんでした。"
MAYBE = "もしかして:"

GROUPS_NONE = "該当する登録団体はありません。"
FLAGGED_NONE = "重複の疑いの印がある団体はありません。"
FLAGGED_HEADER = "重複の疑いの印がある団体（{count}件）"
FLAGGED_LINE = "• #{id} *{name}* は #{other_id} *{other}* と同じ団体かもしれません（{owner}）"
FLAGGED_GONE = "（削除済み）"
FLAGGED_HOW = (
    "別の団体なら `kyodo groups distinct ＜番号＞`、同じ団体なら `kyodo groups delete ＜番号＞` で解決してください。"
)
GROUPS_HEADER = "登録団体（{count}件{more}）"
GROUPS_MORE = "、先頭{shown}件を表示"
GROUP_NOT_FOUND = "「{name}」に近い団体は見つかりませんでした。`/kyodo groups` で一覧を確認できます。"
GROUP_CANDIDATES = "「{name}」に近い団体が複数あります:"
GROUP_NAME_REQUIRED = "団体名を入力してください。例: `/kyodo group 小金井みどりの会`"
MATCH_TEXT_REQUIRED = "団体名か活動内容を入力してください。例: `/kyodo match 子どもの居場所づくり`"
MATCH_NONE = "合いそうな課が見つかりませんでした。活動内容をもう少し詳しく書いてみてください。"
MATCH_HEADER = "「{query}」と協働できそうな課"
MATCH_UNAVAILABLE = "マッチング機能を読み込めませんでした。管理者にお知らせください。"
DIVISION_UNKNOWN = (
    "「{name}」という課が見つかりませんでした。正式名称（例: コミュニティ文化課）で入力してください。"
)
DIVISION_SET = "所属を「{name}」に設定しました。ホームタブに{name}あての案件が表示されます。"
DIVISION_REQUIRED = "課名を入力してください。例: `/kyodo 所属 コミュニティ文化課`"

LABEL_FIELDS = "分野"
LABEL_KIND = "種別"
LABEL_DESCRIPTION = "活動内容"
LABEL_CONTACT = "連絡先"
LABEL_REASONS = "理由"
LABEL_MATCHES = "提案先の課"
LIVE_MATCH = "未送信・いまの候補"
LABEL_STATUS = "状況"
STATUS_NAMES = {
    "new": "未送信",
    "sent": "対応待ち",
    "taken": "担当決定",
    "passed": "見送り",
    "queued": "未送信",
    "accepted": "担当決定",
    "declined": "見送り",
    "closed": "終了",
}

# --- division notifications -------------------------------------------------------------------
SUGGESTION_TITLE = "協働の候補: {group}"
SUGGESTION_FALLBACK = "{division}あてに協働の候補があります: {group}"
PROPOSAL_TITLE = "協働の提案（{reference}）: {group}"
PROPOSAL_FALLBACK = "{division}あてに協働の提案が届きました: {group}（{reference}）"
UNROUTED = ":warning: 送り先の課のチャンネルが未設定です（{division}）。担当課へ転送してください。"
UNROUTED_CITY = ":warning: 提案者は送り先を市に任せています。担当課を決めてください。"
TO_DIVISION = "あて先: {division}"
PURPOSE = "目的"
GOAL = "目標"
ROLE_CITY = "市に期待すること"
ROLE_GROUP = "団体がすること"
BUTTON_TAKE = "担当する"
BUTTON_PASS = "見送る"
BUTTON_DETAIL = "詳細"
CONFIRM_PASS_TITLE = "見送りますか？"
CONFIRM_PASS_TEXT = "団体には「今回は見送り」とLINEでお知らせします。"
CONFIRM_YES = "見送る"
CONFIRM_NO = "戻る"
DECIDED_TAKEN = ":white_check_mark: {user}さんが担当します（{when}）"
DECIDED_PASSED = ":no_entry_sign: {user}さんが見送りました（{when}）"
ALREADY_DECIDED = "{name}さんが対応済みです。"
ALREADY_DECIDED_UNKNOWN = "この案件はすでに対応済みです。"
ITEM_ERASED = ":wastebasket: この団体はデータ削除を依頼したため、内容を消去しました。"
HANDOFF_ERASED = ":wastebasket: この問い合わせをした方がデータ削除を依頼したため、内容を消去しました。"
ITEM_GONE = "この案件は見つかりませんでした（団体の登録が削除された可能性があります）。"
DETAIL_TITLE = "案件の詳細"
CLOSE = "閉じる"

# --- handoffs ------------------------------------------------------------------------------------
HANDOFF_TITLE = ":raising_hand: 市民からの問い合わせ（担当者への引き継ぎ）"
HANDOFF_FALLBACK = "市民からの問い合わせ: {question}"
# The language of a citizen's question, beside the original (issue 15); Japanese has no note.
LANGUAGE_NOTES = {
    "en": "［英語の質問］市民は英語で読みます。返信は英語（または易しい日本語）でお願いします。",
    "other": "［日本語・英語以外の言語の質問］",
}
LANGUAGE_NOTE_SHORT = {"en": "［英語］", "other": "［他言語］"}
HANDOFF_HINT = "このスレッドに返信すると、その内容が市民にLINEで届きます。"
HANDOFF_BUTTON_CLOSE = "対応完了"
HANDOFF_CLOSED = ":white_check_mark: {user}さんが対応完了にしました（{when}）"
HANDOFF_ALREADY_CLOSED = "この問い合わせはすでに対応完了です。"
HANDOFF_DELIVERED = ":outbox_tray: 市民にLINEで送りました。"
HANDOFF_CITIZEN_GONE = "この市民にはLINEで送れません（ブロックされたか、データが削除されています）。"
HANDOFF_FROM_WEB = (
    "この質問はウェブの協働推進コーナーから届いたため、返事は質問者に届きません"
    "（ウェブは匿名です）。よくある質問への追加をご検討ください。"
)

# --- App Home ------------------------------------------------------------------------------------
HOME_TITLE = "協働ボット"
HOME_NO_DIVISION = (
    "所属課が未設定です。`/kyodo 所属 ＜課名＞` で設定すると、課あての案件がここに表示されます。"
)
HOME_DIVISION = "所属: {name}"
HOME_PENDING = "対応待ちの案件"
HOME_PENDING_NONE = "対応待ちの案件はありません。"
HOME_HANDOFFS = "対応中の問い合わせ"
HOME_HANDOFFS_NONE = "対応中の問い合わせはありません。"
HOME_UNANSWERED = "今週答えられなかった質問（多い順）"
HOME_UNANSWERED_NONE = "今週は答えられなかった質問はありません。"
HOME_TIMES = "{count}回"
BUTTON_ADD_FAQ = "FAQに追加"
HOME_STAFF_FAQ = "職員が追加したFAQ（新しい順）"
HOME_STAFF_FAQ_NONE = "職員が追加したFAQはまだありません。"
BUTTON_EDIT_FAQ = "編集"
BUTTON_RETIRE_FAQ = "取り下げ"
CONFIRM_RETIRE_TITLE = "FAQを取り下げますか？"
CONFIRM_RETIRE_TEXT = "ボットはこのFAQを使わなくなります。記録は残ります。"
FAQ_EDIT_TITLE = "FAQを編集"
FAQ_EDIT_SUBMIT = "保存"
FAQ_GONE = "このFAQはすでに取り下げられています。"

FAQ_MODAL_TITLE = "FAQに追加"
FAQ_MODAL_SUBMIT = "登録"
FAQ_QUESTION = "質問"
FAQ_PHRASINGS = "言い換え（1行に1つ、任意）"
FAQ_ANSWER = "回答"
FAQ_SOURCES = "根拠となる指針の節（任意）"
FAQ_ADDED = "FAQに追加しました。次の質問からボットが使います: {question}"
FAQ_INVALID_ANSWER = "回答を入力してください。"
FAQ_INVALID_QUESTION = "質問を入力してください。"
FAQ_TOO_LONG = "{limit}字以内で入力してください（いまは{count}字です）。"

# --- 協働の記録 (issue 14) -------------------------------------------------------------------------
COLLAB_OPENED = ":handshake: 「{group}」との協働の記録を作りました（{status}）。内容を記入して、団体に確認を依頼してください。"
COLLAB_SUMMARY = (
    "*{group}* との協働（{division}）\n"
    "状況: *{status}*　形態: {form}\n"
    "目的: {purpose}\n目標: {goal}\n市の役割: {role_city}\n団体の役割: {role_group}\n期間: {period}"
)
COLLAB_FILLED_ASKED = "内容を保存し、団体に確認を依頼しました（{user}さん）。"
COLLAB_FILLED_NO_PUSH = "内容を保存しました（{user}さん）。団体にはLINEで届けられないため、別の方法でご確認ください。"
COLLAB_GROUP_AGREED = ":white_check_mark: 団体が協働の内容に合意しました。"
COLLAB_GROUP_CHANGE = ":pencil2: 団体から変更の依頼がありました:\n>{text}"
COLLAB_STATUS_CHANGED = "状況を「{old}」から「{new}」に変えました（{user}さん）。"
COLLAB_STATUS_RACE = "この協働の状況はすでに「{status}」です。"
COLLAB_GONE = "この協働の記録は見つかりませんでした。"
BUTTON_COLLAB_EDIT = "内容を記入・編集"
BUTTON_COLLAB_STATUS = {"agreed": "合意にする", "running": "実施中にする", "done": "完了にする", "cancelled": "中止にする"}
COLLAB_MODAL_TITLE = "協働の内容"
COLLAB_MODAL_SUBMIT = "保存して確認を依頼"
COLLAB_FIELD_FORM = "協働の形態"
COLLAB_FIELD_PURPOSE = "目的"
COLLAB_FIELD_GOAL_WHAT = "目標（何を）"
COLLAB_FIELD_GOAL_BY = "目標（いつまでに）"
COLLAB_FIELD_GOAL_AMOUNT = "目標（どれだけ）"
COLLAB_FIELD_ROLE_CITY = "役割分担（市）"
COLLAB_FIELD_ROLE_GROUP = "役割分担（団体）"
COLLAB_FIELD_PERIOD = "期間"
COLLAB_FIELD_ENDS_ON = "終了予定日"
COLLAB_ENDS_ON_HINT = "この日を過ぎると、双方に評価をお願いするメッセージが自動で届きます（状況は変わりません）。"
COLLAB_ENDS_ON_PAST = "今日以降の日付を選んでください。"
#: Added to COLLAB_SUMMARY when 終了予定日 is set.
COLLAB_SUMMARY_ENDS_ON = "\n終了予定日: {date}"
COLLAB_REQUIRED = "入力してください。"
CONFIRM_CANCEL_COLLAB_TITLE = "協働を中止しますか"
CONFIRM_CANCEL_COLLAB_TEXT = "団体にもLINEでお知らせします。元には戻せません。"
HOME_COLLABS = "進行中の協働"
HOME_COLLABS_NONE = "進行中の協働はありません。"

# --- 協働の評価 (issue 14) --------------------------------------------------------------------------
EVAL_ASK_DIVISION = ":memo: 協働が完了しました。今後に生かすため、課としての評価をお願いします（期限 {deadline}）。団体にもLINEで同じ質問をしています。"
EVAL_ASK_DIVISION_DUE = (
    ":memo: 協働の終了予定日（{date}）を過ぎました。今後に生かすため、課としての評価をお願いします"
    "（期限 {deadline}）。団体にもLINEで同じ質問をしています。"
    "状況は自動では変わりませんので、終わりましたら「完了にする」を押してください。"
)
EVAL_REMIND_DIVISION = ":bell: 協働の評価がまだです。期限 {deadline} までにお願いします。"
BUTTON_EVALUATE = "評価する"
EVAL_MODAL_TITLE = "協働の評価"
EVAL_MODAL_SUBMIT = "送信"
EVAL_FIELD_GOAL = "目標は達成できましたか"
EVAL_FIELD_SCORE = "{principle}（1〜5）"
EVAL_FIELD_COMMENT = "ひとこと（任意）"
EVAL_CITY_DONE = "課の評価を受け付けました（{user}さん）。団体の回答がそろうか期限を過ぎたら、ここに表示します。"
EVAL_ALREADY_DIVISION = "この協働の評価はすでに受け付けています。"
EVAL_NOT_OPEN_DIVISION = "この協働は、いまは評価を受け付けていません。"
EVAL_REVEAL_HEAD = ":bar_chart: 協働の評価がそろいました（または期限を過ぎました）。"
EVAL_REVEAL_HEAD_CANCELLED = ":bar_chart: 協働の中止にともない、評価の受付を終了しました。届いた回答です。"
EVAL_WITHDRAWN_DIVISION = "評価の依頼は取り下げました（回答はありませんでした）。団体にもお知らせしています。"
EVAL_REVEAL_SIDE = "*{side}*　目標: {goal}\n{scores}{comment}"
EVAL_SIDES = {"city": "市（課）", "group": "団体"}
EVAL_NO_ANSWER = "回答なし"

# --- report --------------------------------------------------------------------------------------
REPORT_TITLE = "協働ボット 利用状況（{start}〜{end}）"
REPORT_LINES = (
    "• 市民からの質問: {questions}件\n"
    "　回答 {answered}件（{answer_rate}、うち「もしかして」から {via_maybe}件）、回答できず {unanswered}件\n"
    "• 回答の評価: {rated}件（回答の {rated_rate}）、「役に立った」 {helpful}件（{helpful_rate}）\n"
    "• 職員からの質問: {staff_questions}件（回答 {staff_answered}件、{staff_answer_rate}）\n"
    "• 担当者への引き継ぎ: {handoffs}件（質問の {handoff_rate}）、対応完了 {handoffs_closed}件（{handoffs_closed_rate}）\n"
    "• 団体登録: {registrations}件\n"
    "• 協働の提案: {proposals}件\n"
    "• 課への候補: 担当 {taken}件、見送り {passed}件（担当率 {taken_rate}）、対応待ち {waiting}件"
)
REPORT_COLLAB_HEAD = "*協働の記録と評価*（第3章(3)）"
REPORT_COLLABS = "• 始まった協働: {n}件"
REPORT_COLLAB_BY = "　{what}: {items}"
REPORT_BY_FORM = "形態"
REPORT_BY_DIVISION = "課"
REPORT_BY_FIELD = "分野"
REPORT_STATUS = "状況"
REPORT_EVALS = "• 評価の回答: 市 {city}件、団体 {group}件"
REPORT_GOALS = "• 目標の達成（市／団体）: " + "、".join(("達成 {reached}", "一部 {partly}", "未達 {not}"))
REPORT_PRINCIPLES = "• 協働の原則（5点満点、市／団体、差は市−団体）:"
REPORT_PRINCIPLE = "　{principle}: {city}／{group}（差 {gap}）"
REPORT_OPP_HEAD = "*協働の募集*"
REPORT_OPPS = (
    "• 募集: {posted}件（送信 {sent}件、締め切り {closed}件）、お知らせした団体 のべ{groups}、"
    "「関心あり」{interested}（{rate}）"
)
REPORT_OPP_DIVISION = "　{division}: 募集 {posted}件、{groups}団体にお知らせ、「関心あり」{interested}団体（{rate}）、締め切り {closed}件"
REPORT_OPP_MORE = "　ほか{n}課（すべての課は `kyodo report --csv` でご覧いただけます）"
REPORT_NOTE = "協働推進基本指針 第3章(3) の評価の基礎資料としてお使いください。"
REPORT_BAD_PERIOD = (
    "期間の書き方が分かりませんでした。例: `今週`・`先週`・`今月`・`先月`・`30日`・`2026-04-01..2026-09-30`"
)
NOT_AVAILABLE = "—"

# --- errors --------------------------------------------------------------------------------------
GENERIC_ERROR = "申し訳ありません、処理中にエラーが起きました。時間をおいてもう一度お試しください。"

# --- opportunities (協働の募集, issue 14 step 3) -----------------------------------------------------
OPP_MODAL_TITLE = "協働の募集"
OPP_MODAL_SUBMIT = "候補を出す"
OPP_FIELD_DIVISION = "募集する課"
OPP_FIELD_TITLE = "件名"
OPP_FIELD_FIELDS = "分野（1つ以上）"
OPP_FIELD_SOUGHT = "求めること（団体にしてほしいこと・条件）"
OPP_FIELD_DEADLINE = "締切"
OPP_FIELD_FORM = "協働の形態"
OPP_REQUIRED = "入力してください。"
OPP_DEADLINE_PAST = "締切は今日以降の日付にしてください。"
OPP_LIST_HEAD = (
    "*協働の募集「{title}」*（{division}）\n"
    "分野: {fields}／形態: {form}／締切: {deadline}\n求めること: {sought}"
)
OPP_LIST_COUNT = (
    "お知らせを受け取る登録団体のうち、合いそうな団体: *{count}件*（上位{shown}件を表示）。"
    "「送信」で、これらの団体にLINEでお知らせします（1団体あたり月{cap}件まで）。"
)
OPP_LIST_NONE = (
    "お知らせを受け取る登録団体のうち、合いそうな団体はありませんでした。分野や求めることを見直して、"
    "もう一度 `/kyodo 募集` で作ってください。"
)
OPP_LIST_LINE = "{rank}. *{group}*（{score}）: {reasons}"
OPP_BUTTON_SEND = "送信"
OPP_CONFIRM_SEND_TITLE = "募集を送信しますか？"
OPP_CONFIRM_SEND_TEXT = "{count}団体にLINEでお知らせします。送信後は取り消せません。"
OPP_SENT = (
    "*送信しました*（{user}さん）: {sent}団体にお知らせしました。"
    "月の上限で見送り {capped}団体、停止・届かない {skipped}団体。"
    "「関心あり」の返事はこのスレッドに届きます。"
)
OPP_ALREADY_SENT = "この募集はすでに送信されています。"
OPP_GONE = "この募集は見つかりませんでした。"
OPP_NO_CHANNEL = "この課のチャンネルも KYODO_STAFF_CHANNEL も設定されていないため、募集を出せません。"
OPP_INTEREST = "*{group}* が「関心あり」と答えました。"
OPP_INTEREST_PROFILE = "種類: {kind}\n分野: {fields}\n活動: {description}\n連絡先: {contact}"
OPP_NOT_GIVEN = "（未登録）"
OPP_REASON_FIELD = "分野「{field}」が一致"
OPP_REASON_SUGGESTED = "この課との協働候補（{reason}）"
OPP_REASON_SUGGESTED_PLAIN = "この課との協働候補"
OPP_REASON_WORD = "活動内容に「{word}」"
OPP_SENT_SUMMARY = (
    "*送信済み*: {sent}団体にお知らせしました（月の上限で見送り {capped}団体、停止・届かない {skipped}団体）。"
    "「関心あり」{interested}団体。返事はこのスレッドに届きます。"
)
OPP_CLOSED_SUMMARY = (
    "*締め切りました*: {sent}団体にお知らせし、「関心あり」は{interested}団体でした。"
    "LINEの募集一覧とWebページには表示されません。"
)
OPP_LIST_ERASED = "{rank}. _（この団体のデータは削除されました）_"
OPP_LIST_ERASED_PLAIN = "この募集の候補一覧は、団体のデータ削除にともない表示を取りやめました。"
OPP_BUTTON_CLOSE = "募集を締め切る"
OPP_CONFIRM_CLOSE_TITLE = "募集を締め切りますか？"
OPP_CONFIRM_CLOSE_TEXT = (
    "LINEの「募集中の協働」とWebページから外れ、「関心あり」も受け付けなくなります。元には戻せません。"
)
OPP_CLOSED_BY = "{user}さんが募集を締め切りました。"
OPP_CLOSED_DEADLINE = "締切日（{deadline}）を過ぎたため、募集を締め切りました。"
OPP_DEADLINE_ACTOR = "締切日"
OPP_ALREADY_CLOSED = "この募集はすでに締め切られています。"
OPP_NOT_SENT_YET = "この募集はまだ送信されていません。締め切るのは送信した後です。"
HOME_OPPS = "募集中の協働"
HOME_OPPS_NONE = "募集中の協働はありません。`/kyodo 募集` で作れます。"
HOME_OPP_LINE = "*{title}*\n締切: {deadline}／お知らせ {sent}団体／「関心あり」{interested}団体"
