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
    "・手続きの途中では「やめる」「最初から」がいつでも使えます。\n"
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

# --- Questions and answers ----------------------------------------------------------------------

SOURCE_LINE = "出典: {titles}"
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
HANDOFF_DONE = (
    "ご質問を市の職員に送りました。職員から返事があれば、このトークでお知らせします。"
    "お急ぎの場合は、{desk}へお問い合わせください。"
)
HANDOFF_ALREADY = "このご質問はすでに職員に送っています。返事をお待ちください。"
FAQ_INTRO = "よくある質問です。知りたいものを選んでください。"
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
        "営利を目的としない活動ですか？",
        "収入があっても、会員に分配せず活動にあてるなら「営利を目的としない」にあたります。",
    ),
    (
        "not_political_religious",
        "政治・宗教が目的でない",
        "政治活動や宗教活動を目的としない活動ですか？",
        "会員の信条は問いません。特定の政党・候補者の支援や布教が目的でないかどうかです。",
    ),
    (
        "public_order",
        "公序良俗",
        "法律や社会のきまり（公序良俗）に反しない活動ですか？",
        "法令に違反したり、人を傷つけたりする活動でないかどうかです。",
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
    "「わからない」の項目があります（？）。判断に迷う点は、市の担当課にご相談ください。"
    "ほかの条件は満たしています。"
)
CHECK_CITED = "指針 第2章(2)「協働の対象となる活動」:\n{text}"
CHECK_NEXT = "続けて団体を登録できます。"

# --- 団体登録 -------------------------------------------------------------------------------------

REG_TITLE = "団体登録"
EDIT_TITLE = "登録内容の修正"
REG_INTRO = "団体を登録します。5つの項目を順にお聞きします（途中で「やめる」もできます）。"
EDIT_INTRO = "「{name}」の登録内容を修正します。変えない項目は「変更しない」を押してください。"
REG_ASK_NAME = "【1/5】団体の名前を送ってください。"
REG_NAME_INVALID = "団体の名前を文字で送ってください（{limit}字以内）。"
REG_NAME_SIMILAR = "「{other}」という名前の団体がすでに登録されています。同じ団体ですか？"
REG_NAME_OWN = "「{other}」は、あなたがすでに登録しています。登録内容は「登録内容を見る」で修正できます。"
REG_DIFFERENT = "別の団体です"
REG_RETYPE = "名前を入れ直す"
REG_ASK_KIND = "【2/5】団体の種類を選んでください（当てはまらなければ文字で送ってください）。"
REG_ASK_FIELDS = (
    "【3/5】活動分野を選んでください（いくつでも）。言葉で送ることもできます（例: 子育て、環境）。"
    "選び終わったら「次へ」を押してください。"
)
REG_FIELDS_SELECTED = "選択中: {labels}"
REG_FIELDS_NONE_SELECTED = "まだ分野が選ばれていません。"
REG_FIELDS_UNKNOWN = "「{words}」に当てはまる分野が見つかりませんでした。ボタンから選んでください。"
REG_FIELDS_NEED_ONE = "分野を1つ以上選んでから「次へ」を押してください。"
REG_ASK_DESCRIPTION = "【4/5】どんな活動をしているか、短く教えてください（{limit}字以内）。"
REG_DESCRIPTION_INVALID = "活動内容を文字で送ってください（{limit}字以内）。"
REG_ASK_CONTACT = (
    "【5/5】市からの連絡先（メールアドレスや電話番号）を送ってください。"
    "なくてもかまいません（「省略する」）。"
)
REG_CURRENT = "いまの内容: {value}"
REG_CONFIRM = "この内容で登録します。よろしいですか？"
REG_CONFIRM_EDIT = "この内容で更新します。よろしいですか？"
REG_SAVE = "登録する"
REG_SAVE_EDIT = "更新する"
REG_SAVED = "「{name}」を登録しました。ありがとうございます。市の担当課との相談・提案ができます。"
REG_UPDATED = "「{name}」の登録内容を更新しました。"
REG_DUPLICATE_NOTE = "似た名前の団体があるため、職員が確認することがあります。"
REG_CARD_LINES = ["種類: {kind}", "分野: {fields}", "活動: {description}", "連絡先: {contact}"]
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
PROP_CITED = "第2章(3) 協働の原則"

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

# --- データの削除 ----------------------------------------------------------------------------------

DATA_TITLE = "データの削除"
DATA_CONFIRM = (
    "あなたのデータをすべて削除します。\n"
    "・登録した団体（{groups}件）\n"
    "・手続きの途中の内容、質問とご意見の記録\n"
    "送った相談・提案（{proposals}件）は、あなたと結びつかない形で市に残ります。元に戻せません。よろしいですか？"
)
DATA_DELETE = "削除する"
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
