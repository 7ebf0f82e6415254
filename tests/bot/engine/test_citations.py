from bot.engine.citations import citation_line

SOURCES = [("ch2-4", "第2章(4) 協働の形態"), ("note-forms", "協働の主な形態（一般的な説明）")]


def test_an_answer_with_its_own_citation_line_gets_no_second_one():
    text = "後援、共催などがあります。\n（出典：協働推進基本指針 第2章(4)「協働の形態」）"
    assert citation_line(SOURCES, text) == ""
    assert citation_line(SOURCES, "形態の説明です。\n（参考：協働の主な形態（一般的な説明））") == ""


def test_titles_already_in_the_text_are_not_repeated():
    text = "第2章(4) 協働の形態 にあるとおり、後援、共催などがあります。"
    assert citation_line(SOURCES, text) == "出典: 協働の主な形態（一般的な説明）"
    assert citation_line(SOURCES[:1], text) == ""
    assert citation_line(SOURCES, "") == "出典: 第2章(4) 協働の形態、協働の主な形態（一般的な説明）"
    assert citation_line([], "x") == "" and citation_line([("a", "")], "x") == ""


def test_an_english_answer_with_its_own_source_line_gets_no_second_one():
    from bot.engine.citations import citation_line

    text = "Kyōdō means ...\n(Source: 協働推進基本指針: Chapter 2 (1) Idea and purpose)"
    assert citation_line([("ch2-4", "第2章(4) 協働の形態")], text) == ""
