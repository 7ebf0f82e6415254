"""Every sentence the engine says to a citizen, in one place.

Kept together so that city staff (and reviewers) can read the bot's whole voice at once and
change the wording without touching the flow logic. Style: polite です・ます, short enough for a
phone screen, one idea per message. Labels of buttons are at most 20 characters.
"""

from __future__ import annotations

# --- Menu --------------------------------------------------------------------------------------

# Button labels; each is also the keyword a citizen can type (the rich menu sends the same words).
MENU_ABOUT = "協働とは"
MENU_CHECK = "対象チェック"
MENU_REGISTER = "団体登録"
MENU_CONSULT = "相談する"
MENU_FAQ = "よくある質問"
MENU_CONTACT = "問い合わせ"
MENU_HELP = "ヘルプ"
MENU_MY_GROUPS = "登録内容を見る"
MENU_DELETE_DATA = "データを削除"

CANCEL = "やめる"
RESTART = "最初から"
YES = "はい"
NO = "いいえ"
DONT_KNOW = "わからない"
SKIP = "省略する"
KEEP = "変更しない"
NEXT = "次へ"
MORE_FIELDS = "他の分野"
BACK = "戻る"
MENU_STATUS = "提案の状況"

# 「協働とは」 and 「問い合わせ」 answer these FAQ entries (the questions are fallbacks).
ABOUT_FAQ, ABOUT_QUESTION = "about-kyodo", "協働とは何ですか"
CONTACT_FAQ, CONTACT_QUESTION = "contact", "協働の相談窓口はどこですか"

GREETING = (
    "友だち追加ありがとうございます。{city}の「協働ボット」です。\n"
    "市と市民活動団体が力を合わせる「協働」について、次のことができます。\n"
    "・協働についての質問に答える（市の{guideline}にもとづきます）\n"
    "・協働の対象になる活動かのチェック\n"
    "・団体の登録と、市の担当課への相談・提案\n"
    "下のボタンから選ぶか、質問をそのまま書いて送ってください。"
)
GROUP_GREETING = (
    "グループに招待いただきありがとうございます。{city}の「協働ボット」です。\n"
    "協働についての質問に、市の{guideline}にもとづいてお答えします。"
    "団体登録や相談・提案は、個人の情報を扱うため、協働ボットとの1対1のトークでご利用ください。"
)
WELCOME_BACK = "おかえりなさい。下のボタンから選ぶか、質問をそのまま書いて送ってください。"
HELP = (
    "使い方です。\n"
    "・質問をそのまま書いて送ると、指針にもとづいてお答えします。\n"
    "・「対象チェック」: 協働の対象になる活動か確かめます。\n"
    "・「団体登録」: 団体を登録します（「登録内容を見る」で確認・修正・削除）。\n"
    "・「相談する」: 登録した団体から市の担当課へ相談・提案を送ります。\n"
    "・「提案の状況」: 送った相談・提案の受付番号と状況を確かめます。\n"
    "・手続きの途中では「戻る」「やめる」「最初から」がいつでも使えます。\n"
    "・「データを削除」: あなたの情報をすべて削除します。"
)
MENU_PROMPT = "ほかに何かお手伝いできることはありますか？"

# Small talk: answered kindly instead of being logged as unanswered questions.
HELLO_WORDS = (
    "こんにちは",
    "こんばんは",
    "おはよう",
    "おはようございます",
    "はじめまして",
    "hello",
    "hi",
    "やあ",
)
HELLO_REPLY = "こんにちは。協働ボットです。協働についての質問を書いて送るか、下のボタンから選んでください。"
THANKS_WORDS = (
    "ありがとう",
    "ありがとうございます",
    "ありがとうございました",
    "どうも",
    "thanks",
    "thank you",
)
THANKS_REPLY = "どういたしまして。またいつでもどうぞ。"

# After an answer to a message that introduced the group (bot/engine/described.py).
ACTIVITY_CONDITIONS = (
    "ご紹介の活動について：自主的に行う公益性のある活動で、営利や政治・宗教を目的とせず、"
    "公序良俗に反しないものが協働の対象です。"
)
ACTIVITY_DIVISIONS = "内容からは、{divisions}が関係しそうです。"
ACTIVITY_REASON = "（{division}：{reason}）"
ACTIVITY_OFFER = "「対象チェック」で確かめるか、「相談する」で市に相談・提案を送れます。"
ACTIVITY_SOURCE_TITLE = "第2章(2) 協働の対象となる活動"

# After answering these FAQ entries (id, or id prefix ending in "-"), offer the matching next step.
FAQ_NEXT_STEP = {
    "target-": MENU_CHECK,
    "howto-register": MENU_REGISTER,
    "howto-start": MENU_CONSULT,
    "howto-proposal": MENU_CONSULT,
    "howto-which-division": MENU_CONSULT,
    "bot-what": MENU_HELP,
}

# --- Input that is not a question ---------------------------------------------------------------

EMPTY_TEXT = "メッセージが空のようです。質問を文字で書いて送ってください。"
NO_WORDS = "絵文字や記号だけのメッセージにはお答えできません。質問を文字で書いて送ってください。"
TOO_LONG_QUESTION = "ご質問が長すぎるようです。{limit}字以内にまとめて、もう一度送ってください。"
TOO_LONG_INPUT = "{limit}字以内で入力してください（いまは{length}字です）。"
UNSUPPORTED = {
    "sticker": "スタンプありがとうございます。",
    "image": "画像は読み取ることができません。",
    "video": "動画は読み取ることができません。",
    "audio": "音声は聞き取ることができません。",
    "location": "位置情報は使うことができません。",
    "file": "ファイルは読み取ることができません。",
}
UNSUPPORTED_DEFAULT = "このメッセージは読み取ることができません。"
UNSUPPORTED_TAIL = "お手数ですが、文字で書いて送ってください。"
PERSONAL_IN_GROUP = (
    "「{title}」は、個人の情報を扱うため、グループでは使えません。"
    "協働ボットと1対1のトークで「{title}」と送ってください。質問にはグループでもお答えします。"
)
BAD_POSTBACK = "このボタンは使えないようです。お手数ですが、下のメニューから選び直してください。"
STALE_BUTTON = "このボタンの手続きは終わっています。下のメニューから選び直してください。"
STALE_STEP = "そのボタンは前の質問のものです。いまの質問にお答えください。"
TIMED_OUT = "前の手続き（{title}）は時間切れになりました。お手数ですが、もう一度始めてください。"
RESTART_FLOW = "{title}を、もう一度始めます。"
INTERRUPTED = "（{title}の手続きは中断しました）"
CANCELLED = "{title}の手続きをやめました。入力した内容は保存していません。"
NOTHING_TO_CANCEL = "いま進めている手続きはありません。"
NOTHING_TO_GO_BACK = "いま進めている手続きはありません。下のメニューから選んでください。"
BACK_AT_FIRST = "これが最初の質問です。やめるときは「やめる」と送ってください。"
RESUMED = "{title}の続きです。"

# --- Questions and answers ----------------------------------------------------------------------

SOURCE_LINE = "出典: {titles}"
# Under a cited answer when KYODO_PUBLIC_URL is set: the section on the web corner's guideline page.
SOURCE_LINK = "指針の該当箇所: {url}"
STALE_BUTTON_WEB = "このボタンの手続きは終わっています。もう一度質問してください。"
# The web corner's hand-off (no account, so no way to send the staff's reply back).
HANDOFF_DONE_WEB = (
    "ご質問を市の職員に送りました。回答の改善に使わせていただきます。"
    "ウェブからは個人を特定しないため、お返事はお届けできません。"
    "お返事が必要な場合は、LINEの協働ボットから送るか、市民部コミュニティ文化課へお問い合わせください。"
)
WAS_IT_HELPFUL = "この回答は役に立ちましたか？"
FEEDBACK_THANKS_YES = "ありがとうございます。励みになります。"
FEEDBACK_THANKS_NO = (
    "ご意見ありがとうございます。回答の改善に使わせていただきます。"
    "職員に直接たずねたい場合は「職員に質問を送る」を押してください。"
)
FEEDBACK_ALREADY = "ご意見はすでにいただいています。ありがとうございます。"
MAYBE = "ご質問の意味を確かめさせてください。もしかして、次のどれかでしょうか？"
CANNOT_ANSWER = (
    "申し訳ありません。そのご質問には、いまお答えできる情報がありません。\n"
    "市の職員に質問を送ることができます（お返事まで数日かかることがあります）。"
)
OFFER_STAFF = "市の職員に質問を送ることもできます（お返事まで数日かかることがあります）。"
ASK_STAFF = "職員に質問を送る"
HANDOFF_CONFIRM = "次のご質問を市の職員に送ります。よろしいですか？\n「{question}」"
HANDOFF_SEND = "送る"
HANDOFF_DONT = "送らない"
HANDOFF_KEPT = "職員には送りませんでした。ほかのご質問もどうぞ。"
HANDOFF_DONE = (
    "ご質問「{question}」を市の職員に送りました。返事があれば、このトークでお知らせします。"
    "お急ぎの場合は、{desk}へお問い合わせください。"
)
HANDOFF_ALREADY = "このご質問はすでに職員に送っています。返事をお待ちください。"
FAQ_INTRO = "よくある質問です。下のボタンから知りたいものを選んでください。"
FAQ_EMPTY = "よくある質問は準備中です。質問をそのまま書いて送ってください。"
ANSWERER_DOWN = "申し訳ありません。いま回答の準備ができていません。しばらくしてから、もう一度送ってください。"

# --- 対象チェック (第2章(2)) ----------------------------------------------------------------------

CHECK_TITLE = "対象チェック"
CHECK_INTRO = "協働の対象になる活動か、指針の4つの条件を1つずつ確かめます（全{n}問）。"
# (key, short name, question, one-line explanation)
CHECK_CONDITIONS: list[tuple[str, str, str, str]] = [
    (
        "public_benefit",
        "公益性",
        "自主的に行う、地域や社会のためになる（公益性のある）活動ですか？",
        "特定の人だけでなく、広く市民や地域の役に立つ活動かどうかです。",
    ),
    (
        "non_profit",
        "非営利",
        "収入があっても会員で分けず、活動にあてていますか？（営利を目的としない活動か）",
        "会費や参加費などの収入を活動に使っていれば「はい」です。",
    ),
    (
        "not_political_religious",
        "政治・宗教が目的でない",
        "活動の目的は、政党や候補者の支援、布教などとは別のことですか？",
        "会員の信条は問いません。目的が政治活動や宗教活動でなければ「はい」です。",
    ),
    (
        "public_order",
        "公序良俗",
        "法律や社会のきまり（公序良俗）を守って行う活動ですか？",
        "法令を守り、人を傷つけることのない活動なら「はい」です。",
    ),
]
CHECK_QUESTION = "【{i}/{n} {name}】\n{question}\n（{explanation}）"
CHECK_MARK = {"yes": "○", "no": "×", "unknown": "？"}
CHECK_ELIGIBLE = "4つの条件をすべて満たしています。協働の対象になる活動と考えられます。"
CHECK_NOT_ELIGIBLE = (
    "満たしていない条件があります（×の項目）。そのままでは協働の対象になりにくい活動です。"
    "活動の進め方によって変わることもあるので、気になる場合はお問い合わせください。"
)
CHECK_UNCLEAR = (
    "「わからない」と答えた条件（？の項目）のほかは、満たしています。"
    "？の条件は、市民部コミュニティ文化課にご相談ください。"
)
CHECK_HOW_TO_ANSWER = (
    "「はい」「いいえ」「わからない」のどれかでお答えください（ボタンか文字で）。"
    "ご質問は、チェックのあとでお答えします。やめるときは「やめる」と送ってください。"
)
CHECK_CITED = "指針 第2章(2)「協働の対象となる活動」:\n{text}"
CHECK_NEXT = "続けて団体を登録できます。"

# --- 団体登録 -------------------------------------------------------------------------------------

REG_TITLE = "団体登録"
EDIT_TITLE = "登録内容の修正"
REG_INTRO = (
    "団体を登録します。5つの項目と、公開・お知らせの希望を順にお聞きします"
    "（途中で「戻る」「やめる」もできます）。"
)
EDIT_INTRO = "「{name}」の登録内容です。直したい項目を下のボタンから選んでください。"
REG_ASK_NAME = "【1/5】団体の名前を送ってください。"
REG_NAME_INVALID = "団体の名前を文字で送ってください（{limit}字以内）。"
REG_NAME_QUESTION = (
    "いまは団体の名前をお聞きしています。ご質問には、登録を終えるか「やめる」と送ったあとでお答えします。"
    "団体の名前を送ってください。"
)
REG_NAME_SIMILAR = (
    "「{other}」という似た名前の団体がすでに登録されています。あなたの団体は、この団体と同じですか？"
)
REG_SAME_MEMBER = "同じ団体です"
REG_SAME_NOTE = "同じ団体のメンバーとして登録します。職員が確認し、必要なら登録を1つにまとめます。"
REG_NAME_OWN = "「{other}」は、あなたがすでに登録しています。登録内容は「登録内容を見る」で修正できます。"
REG_DIFFERENT = "別の団体です"
REG_RETYPE = "名前を入れ直す"
REG_ASK_KIND = "【2/5】団体の種類を選んでください（当てはまらなければ、種類を文字で送ってください）。"
REG_KIND_AS = "「{text}」は、種類「{kind}」として登録します。違うときはボタンから選び直してください。"
REG_KIND_OTHER = "「{text}」は、種類「その他（{text}）」として登録します。"
REG_ASK_FIELDS = (
    "【3/5】活動分野を選んでください（いくつでも）。言葉で送ることもできます（例: 子育て、環境）。"
    "選び終わったら「次へ」を押してください。"
)
REG_FIELDS_SELECTED = "選択中: {labels}"
REG_FIELDS_NONE_SELECTED = "まだ分野が選ばれていません。"
REG_FIELDS_UNKNOWN = "「{words}」に当てはまる分野が見つかりませんでした。ボタンから選んでください。"
REG_FIELD_SYNONYM = "「{text}」は、分野「{label}」として登録します。"
REG_FIELD_GUESS = "「{text}」は、分野「{label}」のことでしょうか？"
REG_FIELD_AMBIGUOUS = "「{text}」に近い分野がいくつかあります。当てはまるものを選んでください。"
REG_FIELD_ADDED = "分野「{label}」を選びました。"
REG_FIELD_SKIPPED = "「{text}」は登録しません。ボタンから分野を選んでください。"
REG_FIELD_NONE_OF_THESE = "どれでもない"
REG_FIELD_WRONG = "違います"
REG_FIELDS_NEED_ONE = "分野を1つ以上選んでから「次へ」を押してください。"
REG_ASK_DESCRIPTION = "【4/5】どんな活動をしているか、短く教えてください（{limit}字以内）。"
REG_DESCRIPTION_INVALID = "活動内容を文字で送ってください（{limit}字以内）。"
REG_ASK_CONTACT = (
    "【5/5】市からの連絡先（メールアドレスか電話番号）を送ってください。"
    "なくてもかまいません（「省略する」）。"
)
REG_CONTACT_INVALID = (
    "連絡先は、メールアドレス（例: info@example.jp）か電話番号（例: 042-000-0000）で送ってください。"
    "なければ「省略する」を押してください。"
)
REG_ASK_LISTED = (
    "市のウェブの協働コーナー「団体をさがす」に、団体の名前・種類・分野・活動内容を載せますか？"
    "連絡先は載せません。"
)
REG_LISTED_YES = "載せる"
REG_LISTED_NO = "載せない"
REG_ASK_NOTICES = "市からの協働の募集（事業への参加の呼びかけなど）を、このトークで受け取りますか？"
REG_NOTICES_YES = "受け取る"
REG_NOTICES_NO = "受け取らない"
REG_FIX_HINT = "直したい項目があれば、下のボタンから選んでください。"
REG_FIX = {
    "name": "名前を直す",
    "kind": "種類を直す",
    "fields": "分野を直す",
    "description": "活動を直す",
    "contact": "連絡先を直す",
    "listed": "掲載を直す",
    "notices": "お知らせを直す",
}
REG_CURRENT = "いまの内容: {value}"
REG_CONFIRM = "この内容で登録します。よろしいですか？"
REG_CONFIRM_EDIT = "この内容で更新します。よろしいですか？"
REG_SAVE = "登録する"
REG_SAVE_EDIT = "更新する"
REG_SAVED = "「{name}」を登録しました。ありがとうございます。市の担当課との相談・提案ができます。"
REG_UPDATED = "「{name}」の登録内容を更新しました。"
REG_DUPLICATE_NOTE = "似た名前の団体があるため、職員が確認することがあります。"
REG_CARD_LINES = [
    "種類: {kind}",
    "分野: {fields}",
    "活動: {description}",
    "連絡先: {contact}",
    "団体をさがすに掲載: {listed}",
    "協働の募集のお知らせ: {notices}",
]
REG_KIND_WITH_NOTE = "{kind}（{note}）"
REG_NO_CONTACT = "（なし）"
MY_GROUPS_NONE = "まだ団体が登録されていません。「団体登録」から登録できます。"
MY_GROUPS_INTRO = "登録している団体です。"
EDIT = "修正する"
DELETE = "削除する"
CONSULT_THIS = "この団体で相談"
GROUP_GONE = "その団体の登録は見つかりませんでした。"

GDEL_TITLE = "団体の削除"
GDEL_CONFIRM = "「{name}」の登録を削除します。元に戻せません。よろしいですか？"
GDEL_DONE = "「{name}」の登録を削除しました。"
GDEL_KEPT = "削除をやめました。登録はそのままです。"

# --- 相談・提案 ------------------------------------------------------------------------------------

PROP_TITLE = "相談・提案"
PROP_NEED_GROUP = "相談・提案は、団体を登録してからご利用いただけます。先に団体を登録しますか？"
PROP_PICK_GROUP = "どの団体として相談しますか？"
PROP_MATCHES = "「{name}」の活動に近い市の担当課です。相談したい課を選ぶか、「市に任せる」を押してください。"
PROP_NO_MATCHES = "活動に近い担当課が見つかりませんでした。市の協働の窓口が担当課を探します。"
PROP_LEAVE_TO_CITY = "市に任せる"
PROP_CHOOSE = "この課に相談する"
PROP_CHOSEN_DISPLAY = "{name}に相談する"  # shown as the citizen's own message after the tap
PROP_CITY_DECIDES = "市が担当課を決めます"
PROP_ASK_PURPOSE = (
    "【目的】何のために協働したいですか？（例: 高齢者の孤立を防ぐため）\n"
    "ヒント: 指針は、市と団体が「何のために協働するのか」を共有することを原則にしています（原則④）。"
)
PROP_ASK_GOAL = (
    "【目標】いつまでに、どれだけの成果をめざしますか？（例: 来年3月までに見守り訪問を50世帯）\n"
    "ヒント: 期限と量があると、市と団体で進み具合を確かめやすくなります（原則④）。"
)
PROP_ASK_ROLE_CITY = (
    "【役割分担 1/2】市に期待することは何ですか？（例: 会場の提供、広報への掲載）\n"
    "ヒント: 役割と責任をはっきりさせるのが協働の原則です（原則③）。"
)
PROP_ASK_ROLE_GROUP = "【役割分担 2/2】団体が担うことは何ですか？（例: 訪問ボランティアの手配と記録）"
PROP_INPUT_INVALID = "文字で送ってください（{limit}字以内）。"
PROP_CONFIRM = "この内容で送ります。よろしいですか？"
PROP_SEND = "送る"
PROP_CARD_LINES = [
    "団体: {group}",
    "担当課: {division}",
    "目的: {purpose}",
    "目標: {goal}",
    "市に期待すること: {role_city}",
    "団体がすること: {role_group}",
]
PROP_SENT = (
    "相談・提案を受け付けました。受付番号は {reference} です。\n"
    "担当課から連絡があれば、このトークでお知らせします。お問い合わせの際は受付番号をお伝えください。"
)

# --- 提案の状況 ------------------------------------------------------------------------------------

STATUS_TITLE = "提案の状況"
STATUS_NONE = "このトークから送った相談・提案はまだありません。「相談する」から送れます。"
STATUS_NOT_FOUND = "受付番号 {reference} の相談・提案は、このトークからは見つかりませんでした。"
STATUS_INTRO = "送った相談・提案の状況です（新しい順に{n}件）。"
STATUS_LINES = ["担当課: {division}", "状況: {status}", "送った日: {date}", "{next}"]
STATUS_DATE = "{y}年{m}月{d}日"
STATUS_LABELS = {
    "queued": "受け付けました",
    "sent": "担当課が確認中です",
    "accepted": "担当課が担当します",
    "declined": "今回は見送りとなりました",
    "closed": "対応を終えました",
}
STATUS_NEXT = {
    "queued": "これから担当課に届けます。届いてから2週間ほどで、このトークでお知らせします。",
    "sent": "担当課が確かめています。{due}ごろまでに、このトークでお知らせします。",
    "sent_late": "お知らせが遅れています。受付番号を添えて、市民部コミュニティ文化課にお問い合わせください。",
    "accepted": "担当者からあらためてご連絡します。",
    "declined": "内容を変えてのご相談も歓迎します。",
    "closed": "ご利用ありがとうございました。",
}
STATUS_UNKNOWN = "確認中です"
STATUS_MORE = "ほかに{n}件あります。受付番号で「KY-2026-000001 の状況」のようにたずねることもできます。"

# --- お知らせ (pushes that answer no event; sent by the staff side through bot.engine.notify) ------

# Notices that answer no event (bot/engine/notify.py): phone-sized, polite.
NOTIFY_GROUP_TAKEN = (
    "「{group}」について、{division}が担当することになりました。"
    "担当者からあらためてご連絡します。しばらくお待ちください。"
)
NOTIFY_GROUP_PASSED = (
    "「{group}」について、{division}では今回は見送りとなりました。"
    "ほかの課との協働をご希望の場合は「相談する」からお知らせください。"
)
NOTIFY_PROPOSAL_TAKEN = (
    "ご提案（受付番号 {reference}）を{division}が担当することになりました。担当者からあらためてご連絡します。"
)
NOTIFY_PROPOSAL_PASSED = (
    "ご提案（受付番号 {reference}）について、{division}では今回は見送りとなりました。"
    "内容を変えてのご相談も歓迎します。"
)
NOTIFY_STAFF_REPLY = "市の担当者から回答がありました。\n「{question}」\n\n{answer}"
NOTIFY_HANDOFF_CLOSED = "お問い合わせへの対応を完了しました。ご利用ありがとうございました。"

# --- 協働の記録 (issue 14): the card the group agrees to, and status pushes ------------------------
COLLAB_FORMS = {
    "koen": "後援",
    "kyosai": "共催",
    "itaku": "委託",
    "hojo": "補助",
    "jikko": "実行委員会",
    "kyoryoku": "事業協力",
    "other": "その他",
}
COLLAB_STATUS = {
    "discussing": "協議中",
    "agreed": "合意",
    "running": "実施中",
    "done": "完了",
    "cancelled": "中止",
}
COLLAB_TITLE = "協働の内容（{division}）"
COLLAB_LINES = [
    "形態: {form}",
    "目的: {purpose}",
    "目標: {goal}",
    "市の役割: {role_city}",
    "団体の役割: {role_group}",
    "期間: {period}",
    "状況: {status}",
]
COLLAB_NOT_SET = "未定"
#: Added to the card (after 期間) when the division set 終了予定日.
COLLAB_ENDS_ON_LINE = "終了予定日: {date}"
COLLAB_DATE = "{y}年{m}月{d}日"
COLLAB_ASK = (
    "{division}が「{group}」との協働の内容をまとめました。内容をご確認のうえ、"
    "よろしければ「合意する」を、直したい点があれば「変更を依頼」を押してください。"
)
COLLAB_AGREE = "合意する"
COLLAB_CHANGE = "変更を依頼"
COLLAB_AGREED = "協働の内容に合意しました。{division}にお伝えしました。ありがとうございます。"
COLLAB_ALREADY = "この協働は、いまは「{status}」です。"
COLLAB_GONE = "この協働の記録は見つかりませんでした。"
COLLAB_NOT_READY = "協働の内容がまだまとまっていません。担当課からのご連絡をお待ちください。"
COLLAB_CHANGE_TITLE = "協働の内容の変更依頼"
COLLAB_CHANGE_ASK = "直してほしい点を、ひとつのメッセージで送ってください（500字まで）。"
COLLAB_CHANGE_TOO_LONG = "500字以内でお願いします（いまは{count}字です）。"
COLLAB_CHANGE_SENT = "変更のご依頼を{division}に届けました。担当課からの連絡をお待ちください。"
NOTIFY_COLLAB_STATUS = "「{group}」と{division}の協働は「{status}」になりました。"
NOTIFY_COLLAB_STATUS_NEXT = {
    "running": "協働を始めます。どうぞよろしくお願いします。",
    "done": "ご協力ありがとうございました。",
    "cancelled": "ご不明な点は担当課にお問い合わせください。",
}
STATUS_COLLAB_LINE = "協働: {status}（{form}）"
STATUS_COLLAB_INTRO = "担当課と進めている協働の状況です。"

# --- 協働の評価 (第3章(3), issue 14): the same short questions for both sides --------------------
EVAL_GOALS = {"reached": "達成", "partly": "一部達成", "not": "未達"}
EVAL_PRINCIPLES = {
    "equality": "対等性・自主性の尊重",
    "understanding": "相互理解",
    "roles": "役割分担・責任の明確化",
    "goals": "目的・目標の共有化",
}
EVAL_TITLE = "協働の評価"
EVAL_START = "評価する"
EVAL_ASK = (
    "「{group}」と{division}の協働が完了しました。おつかれさまでした。"
    "今後の協働に生かすため、短い評価にご協力ください（5問、1分ほど）。"
)
#: The same ask when 終了予定日 has passed while the status is still 合意/実施中.
EVAL_ASK_DUE = (
    "「{group}」と{division}の協働は、終了予定日（{date}）を過ぎました。おつかれさまでした。"
    "今後の協働に生かすため、短い評価にご協力ください（5問、1分ほど）。"
)
EVAL_REMIND = "「{group}」と{division}の協働の評価が、まだお済みでないようです。{deadline}までにご協力ください。"
EVAL_Q_GOAL = "目標は達成できましたか。"
EVAL_Q_PRINCIPLE = "「{principle}」はどのくらいできましたか。1（できなかった）〜5（よくできた）で選んでください。"
EVAL_Q_COMMENT = "ひとことあれば送ってください（300字まで）。なければ「なし」を押してください。"
EVAL_NO_COMMENT = "なし"
EVAL_COMMENT_TOO_LONG = "300字以内でお願いします（いまは{count}字です）。"
EVAL_THANKS = "ご協力ありがとうございました。市の評価は、双方の回答がそろうか期限を過ぎたらお知らせします。"
EVAL_THANKS_SHORT = "ご協力ありがとうございました。"
EVAL_ALREADY = "この協働の評価は、すでにいただいています。ありがとうございました。"
EVAL_NOT_OPEN = "この協働は、いまは評価の時期ではありません。"
EVAL_CLOSED = "この協働の評価の受付は終わりました。"
EVAL_CLOSED_CANCELLED = "この協働は中止になったため、評価の受付は終わりました。"
#: Added to the 中止 push when the evaluation was open: the group had not answered / had answered.
EVAL_CANCELLED_WITHDRAWN = "評価のお願いは取り下げます。回答は不要です。"
EVAL_CANCELLED_KEPT = "いただいた評価は、担当課にお伝えしました。"
EVAL_PICK = "ボタンから選んでください。"
EVAL_REVEAL_TITLE = "「{group}」との協働について、{division}の評価です。"
#: "5段階で": the scale said in the line itself (and a line the English twin can recognise).
EVAL_REVEAL_LINE = "{principle}: 5段階で{score}"
EVAL_REVEAL_GOAL = "目標: {goal}"
EVAL_REVEAL_COMMENT = "ひとこと: {comment}"
EVAL_REVEAL_NONE = "「{group}」との協働について、{division}からの評価は期限までに届きませんでした。"
EVAL_DEADLINE = "{m}月{d}日"

# --- データの削除 ----------------------------------------------------------------------------------

DATA_TITLE = "データの削除"
DATA_DELETE = "削除する"
DATA_CONFIRM_PARTS_HEAD = "あなたのデータを削除します。"
DATA_PART_GROUPS = "・登録した団体（{n}件）"
DATA_PART_DRAFT = "・手続きの途中の内容"
DATA_PART_RECORDS = "・質問とご意見、対象チェックの記録"
DATA_PART_PROPOSALS = "送った相談・提案（{n}件）は内容を消去し、受付番号と日付だけが市に残ります。"
DATA_CONFIRM_TAIL = "元に戻せません。よろしいですか？"
DATA_NOTHING = "削除するデータはありません。団体の登録、相談・提案、質問の記録は、まだひとつもありません。"
DATA_DONE = "あなたのデータを削除しました。ご利用ありがとうございました。"
DATA_KEPT = "削除をやめました。データはそのままです。"

# --- the channels' own words (rich menu, LINE renderer, terminal, notices) --------------------------
# Kept here with everything else a citizen reads (issue 12 item 23); the handlers only place them.

# Rich menu (handlers/line/richmenu.py): each area's small line under its label, and the chat bar.
# (Drawn with a bundled font subset: a new character needs scripts/make_richmenu_font.py,
# see docs/line.md.)
RICHMENU_CHAT_BAR = "メニュー"
RICHMENU_HINTS = {
    MENU_ABOUT: "指針の考え方",
    MENU_CHECK: "4つの条件で確認",
    MENU_REGISTER: "団体の情報を登録",
    MENU_CONSULT: "担当課へ相談・提案",
    MENU_FAQ: "質問の一覧",
    MENU_CONTACT: "市の担当窓口",
}

# What the LINE renderer may have to add when a reply does not fit LINE's limits.
RENDER_OMITTED = "（長いため、ここまでで省略しました）"
RENDER_CHOOSE = "選ぶ"
RENDER_CHOOSE_BELOW = "下のボタンから選んでください。"
RENDER_CHOICES_ALT = "候補の一覧"

# `kyodo chat` (handlers/terminal.py).
TERMINAL_WELCOME = (
    "協働ボットとの会話です。番号を入力するとボタンを押したことになります。「終了」で終わります。"
)
TERMINAL_GOODBYE = "ご利用ありがとうございました。"
TERMINAL_NOT_AN_OPTION = "（1〜{count} の番号か、文字で入力してください）"
TERMINAL_BOT = "ボット> "
TERMINAL_YOU = "あなた> "
TERMINAL_QUIT_WORDS = ("終了", "exit", "quit", ":q")

# A notice about a proposal whose division is not known any more.
NOTIFY_SOME_DIVISION = "担当課"

# Opportunities (協働の募集, issue 14 step 3): bot/engine/opportunities.py.
MENU_OPPORTUNITIES = "募集中の協働は？"
OPP_LIST_WORDS = (
    MENU_OPPORTUNITIES,
    "募集中の協働",
    "募集中の協働は",
    "協働の募集",
    "協働の募集は？",
    "募集中",
    "募集を見る",
    "募集一覧",
)
OPP_STOP = "お知らせを停止"
OPP_RESUME = "お知らせを再開"
OPP_STOP_WORDS = (OPP_STOP, "お知らせ停止", "お知らせをやめる", "お知らせを止める", "募集のお知らせを停止", "配信停止")
OPP_RESUME_WORDS = (OPP_RESUME, "お知らせ再開", "お知らせを受け取る", "募集のお知らせを再開", "配信再開")
OPP_STOPPED = (
    "協働の募集のお知らせを停止しました（{count}団体）。"
    "また受け取るときは「お知らせを再開」と送ってください。"
)
OPP_ALREADY_STOPPED = "協働の募集のお知らせは、すでに停止しています。再開は「お知らせを再開」でできます。"
OPP_RESUMED = (
    "協働の募集のお知らせを再開しました（{count}団体）。お届けは1団体あたり月{cap}件までです。"
    "停止は「お知らせを停止」でいつでもできます。"
)
OPP_NO_GROUPS = (
    "このトークで登録された団体がないため、お知らせはお送りしていません。"
    "団体登録のときに、受け取るかどうかを選べます。"
)
OPP_NOTICE = (
    "{division}から、協働の募集のお知らせです。関心があれば「関心あり」を押してください。"
    "担当課に団体の情報をお伝えします。"
)
OPP_NOTICE_TAIL = "お知らせが不要なときは「お知らせを停止」と送ってください。"
OPP_TITLE = "【募集】{title}"
OPP_LINES = (
    "担当: {division}",
    "分野: {fields}",
    "求めること: {sought}",
    "形態: {form}",
    "締切: {deadline}",
)
OPP_NO_DEADLINE = "定めなし"
OPP_ANY_FIELD = "指定なし"
OPP_DEADLINE = "{month}月{day}日"
OPP_INTERESTED = "関心あり"
OPP_THANKS = (
    "「{title}」への関心を、{division}にお伝えしました（{groups}）。"
    "担当課からの連絡をお待ちください。"
)
OPP_ALREADY = "「{title}」への関心は、すでに{division}にお伝えしています。"
OPP_CLOSED = "「{title}」の募集は締め切りました。いまの募集は「募集中の協働は？」でご覧いただけます。"
OPP_GONE = "この募集は見つかりませんでした。いまの募集は「募集中の協働は？」でご覧いただけます。"
OPP_NEED_GROUP = (
    "関心を伝えるには、先に団体登録をお願いします。担当課に団体の情報をお伝えするためです。"
)
OPP_LIST_HEAD = "いま募集中の協働です（{count}件）。関心があれば「関心あり」を押してください。"
OPP_LIST_MORE = "ほかに{more}件あります。市のウェブの協働コーナーでもご覧いただけます。"
OPP_LIST_NONE = (
    "いま募集中の協働はありません。募集が始まると、お知らせを受け取る設定の団体にお届けします。"
)
