"""A deterministic stand-in for the knowledge and matching libraries.

Flow tests use it so they test the engine's behaviour, not retrieval quality; test_real_libs.py
exercises the real Answerer and Matcher through the same code path.
"""

from __future__ import annotations

from bot.engine.services import Answer, DivisionOption, FieldInfo, FieldPart, Services

FIELDS = [
    FieldInfo(1, "保健・医療・福祉", "保健、医療又は福祉の増進を図る活動"),
    FieldInfo(2, "社会教育", "社会教育の推進を図る活動"),
    FieldInfo(3, "まちづくり", "まちづくりの推進を図る活動"),
    FieldInfo(4, "観光", "観光の振興を図る活動"),
    FieldInfo(5, "農山漁村・中山間地域", "農山漁村又は中山間地域の振興を図る活動"),
    FieldInfo(6, "学術・文化・芸術・スポーツ", "学術、文化、芸術又はスポーツの振興を図る活動"),
    FieldInfo(7, "環境保全", "環境の保全を図る活動"),
    FieldInfo(8, "災害救援", "災害救援活動"),
    FieldInfo(9, "地域安全", "地域安全活動"),
    FieldInfo(10, "人権・平和", "人権の擁護又は平和の推進を図る活動"),
    FieldInfo(11, "国際協力", "国際協力の活動"),
    FieldInfo(12, "男女共同参画", "男女共同参画社会の形成の促進を図る活動"),
    FieldInfo(13, "子ども", "子どもの健全育成を図る活動"),
    FieldInfo(14, "情報化社会", "情報化社会の発展を図る活動"),
    FieldInfo(15, "科学技術", "科学技術の振興を図る活動"),
    FieldInfo(16, "経済活動", "経済活動の活性化を図る活動"),
    FieldInfo(17, "職業能力・雇用", "職業能力の開発又は雇用機会の拡充を支援する活動"),
    FieldInfo(18, "消費者保護", "消費者の保護を図る活動"),
    FieldInfo(19, "NPO支援", "前各号の活動を行う団体の運営又は活動に関する連絡、助言又は援助の活動"),
    FieldInfo(20, "条例指定", "前各号の活動に準ずる活動として条例で定める活動"),
]
WORDS = {"子育て": 13, "環境": 7, "福祉": 1, "まちづくり": 3, "防災": 8, "学習支援": 13}
# Words the real resolver only guesses (to be confirmed) or finds several fields for.
GUESSES = {"将棋": 6, "将棋教室": 6, "食育": 1, "貧困": 1, "まちずくり": 3}
AMBIGUOUS = {"子ども食堂": [13, 1]}


class FakeServices(Services):
    def __init__(self) -> None:
        super().__init__()
        self.fail_answer = False

    def answer(self, text: str, session=None) -> Answer:
        if self.fail_answer:
            raise RuntimeError("index broken")
        if "問い合わせ" in text or "窓口" in text:
            return Answer(
                True, "市民部コミュニティ文化課です。", [("note-contact", "問い合わせ先")], [], "contact"
            )
        if "協働" in text:
            return Answer(
                True,
                "協働とは、市と市民活動団体等が対等な立場で力を合わせることです。",
                [("ch2-1", "第2章(1) 協働の理念と目的")],
                ["協働の原則は？", "協働の形態は？"],
                faq_id="about-kyodo",
                reason="faq",
            )
        if "返事" in text or "どうなった" in text:
            return Answer(True, "提案の状況は「提案の状況」で確かめられます。", [], [], "proposal-status", kind="status")
        if "補助" in text:
            return Answer(False, "", [], ["補助金はありますか？", "協働の形態は？"], reason="unsure")
        return Answer(False, "", [], [], reason="no_match")

    def faq_question(self, faq_id: str, default: str) -> str:
        return {"contact": "協働の相談窓口はどこ？", "about-kyodo": "協働とは何ですか？"}.get(faq_id, default)

    def section(self, section_id: str):
        if section_id == "ch2-2":
            return (
                "ch2-2",
                "第2章(2) 協働の対象となる活動",
                "・自主的に行う公益性のある活動\n・営利を目的としない活動",
            )
        return None

    def faq_questions(self, limit: int = 10) -> list[str]:
        return ["協働とは何ですか？", "問い合わせ先は？"][:limit]

    def fields(self) -> list[FieldInfo]:
        return list(FIELDS)

    def resolve_field(self, word: str) -> int | None:
        return WORDS.get(word)

    def resolve_fields(self, text: str) -> list[FieldPart]:
        labels = {f.number: f.label for f in FIELDS}
        parts = []
        for word in [w.strip() for w in text.replace(",", "、").split("、") if w.strip()]:
            if word in labels.values():
                n = next(k for k, v in labels.items() if v == word)
                parts.append(FieldPart(word, "exact", [(n, word)], "label"))
            elif word in WORDS:
                parts.append(FieldPart(word, "exact", [(WORDS[word], labels[WORDS[word]])], "word"))
            elif word in GUESSES:
                parts.append(FieldPart(word, "guess", [(GUESSES[word], labels[GUESSES[word]])], "contains"))
            elif word in AMBIGUOUS:
                parts.append(FieldPart(word, "ambiguous", [(n, labels[n]) for n in AMBIGUOUS[word]], "contains"))
            else:
                parts.append(FieldPart(word, "none"))
        return parts

    def match(self, name, description, fields, top=5):
        return [
            DivisionOption("kodomo", "子育て支援課", "子ども家庭部", 0.9, ["分野「子ども」が重なります"]),
            DivisionOption("kankyo", "環境政策課", "環境部", 0.5, ["活動内容に「環境」"]),
        ][:top]
