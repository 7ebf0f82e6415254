from bot.engine.citations import citation_line


def test_titles_already_in_the_text_are_not_repeated():
    text = "後援、共催などがあります。\n（出典：協働推進基本指針 第2章(4)「協働の形態」）"
    sources = [("ch2-4", "第2章(4) 協働の形態"), ("note-forms", "協働の主な形態（一般的な説明）")]
    assert citation_line(sources, text) == "出典: 協働の主な形態（一般的な説明）"
    assert citation_line(sources[:1], text) == ""
    assert citation_line(sources, "") == "出典: 第2章(4) 協働の形態、協働の主な形態（一般的な説明）"
    assert citation_line([], "x") == "" and citation_line([("a", "")], "x") == ""
