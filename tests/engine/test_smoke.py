def test_follow_and_question(chat):
    chat.send("follow")
    assert "協働ボット" in chat.texts()
    chat.say("協働とは")
    assert chat.last[0].sources
    chat.tap("はい")
    assert "ありがとう" in chat.texts()
