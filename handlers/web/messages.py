"""What the web corner's pages say besides the templates' own sentences (titles, labels, notices).
The answers themselves come from the engine (bot/engine/messages.py) and the knowledge base."""

SITE_NAME = "協働推進コーナー"
CITY = "小金井市"

NAV = (
    ("/", "トップ"),
    ("/guideline", "協働推進基本指針"),
    ("/faq", "よくある質問"),
    ("/ask", "質問する"),
    ("/groups", "団体をさがす"),
    ("/opportunities", "協働の募集"),
    ("/divisions", "担当課"),
)

TITLE_TOP = "トップ"
TITLE_GUIDELINE = "協働推進基本指針"
TITLE_FAQ = "よくある質問"
FAQ_OTHER_TOPIC = "その他"  # entries of a category the topic list does not name
TITLE_ASK = "質問する"
TITLE_GROUPS = "団体をさがす"
TITLE_DIVISIONS = "担当課"
TITLE_OPPORTUNITIES = "協働の募集"
OPPORTUNITIES_LEAD = (
    "市の課が、いっしょに取り組む団体を募集しています。関心のある団体は、市の公式LINEで"
    "「募集中の協働は？」と送り、「関心あり」を押してください（団体登録が必要です）。"
)
OPPORTUNITIES_NONE = "いま募集中の協働はありません。"

# FAQ topics (knowledge/data/faq.yaml ``category``), in the order the FAQ page shows them.
FAQ_TOPICS = (
    ("about", "協働とは"),
    ("bg", "協働の背景"),
    ("target", "対象となる活動"),
    ("principle", "協働の原則"),
    ("form", "協働の形態"),
    ("env", "協働を進める環境づくり"),
    ("howto", "手続き・相談のしかた"),
)

QUESTION_EMPTY = "質問を入力してください。"
QUESTION_TOO_LONG = "質問は{limit}字以内で入力してください（いまは{length}字です）。"
RATE_LIMITED = "短い時間に多くの質問が届きました。{seconds}秒ほど待ってから、もう一度お試しください。"
FORM_EXPIRED = "フォームの有効期限が切れました。お手数ですが、もう一度送ってください。"
BUTTON_INVALID = "このボタンは使えません。もう一度質問してください。"
NOT_FOUND = "お探しのページは見つかりませんでした。"
YES = "はい"
NO = "いいえ"
GROUPS_NONE = "条件に合う団体は見つかりませんでした。言葉を減らすか、分野を「すべて」にしてお試しください。"
MATCH_NONE = "活動の説明から担当課を見つけられませんでした。活動の内容をもう少し具体的に書いてください。"
ACTIVITY_LIMIT = 1000
