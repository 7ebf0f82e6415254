"""Issue 12 over LINE against the stand-in: a citizen registers (a guessed field is asked about,
free-text kind kept), goes back a step, pauses registration with 「データを削除」 and resumes it,
sends a proposal and asks how it is going, all with the real engine and libraries."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.engine import handle
from bot.engine import messages as M
from bot.storage.db import transaction
from bot.storage.models.conversation import Proposal
from bot.storage.models.registry import Group
from tests.support.line_payloads import message_event, postback_event
from tests.support.line_standin import check_messages
from tests.support.servers import wait_until

USER = "U" + "9" * 32


class Walk:
    def __init__(self, bot, standin):
        self.bot, self.standin = bot, standin
        self.last: list[dict] = []

    def _deliver(self, event) -> list[dict]:
        before = len(self.standin.deliveries())
        assert self.bot.post_events(event).status_code == 200
        new = wait_until(lambda: self.standin.deliveries()[before:])
        self.last = [m for d in new for m in d.messages]
        assert check_messages(self.last) == [], self.last
        return self.last

    def say(self, text: str) -> list[dict]:
        return self._deliver(message_event(text, user=USER))

    def tap(self, label: str) -> list[dict]:
        for m in reversed(self.last):
            for item in (m.get("quickReply") or {}).get("items", []):
                action = item["action"]
                if action["label"] == label:
                    if action["type"] == "postback":
                        return self._deliver(postback_event(action["data"], user=USER))
                    return self.say(action["text"])
            for action in _flex_actions(m):
                if action.get("label") == label:
                    return self._deliver(postback_event(action["data"], user=USER))
        raise AssertionError(f"no {label!r} in {self.text()}")

    def labels(self) -> list[str]:
        return [i["action"]["label"] for m in self.last for i in (m.get("quickReply") or {}).get("items", [])]

    def text(self) -> str:
        return "\n".join(m.get("text") or json.dumps(m, ensure_ascii=False) for m in self.last)


def _flex_actions(message: dict) -> list[dict]:
    found: list[dict] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "button" and isinstance(node.get("action"), dict):
                found.append(node["action"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.get("contents"))
    return found


def test_consultation_walk_over_line(make_bot, standin):
    bot = make_bot(handle=handle)
    w = Walk(bot, standin)
    w.say(M.MENU_REGISTER)
    w.say("小金井将棋を楽しむ会")
    w.say("シニアの将棋サークル仲間")  # free text holding a kind word: mapped, and said so
    assert "種類「任意団体・市民活動団体」として登録します" in w.text(), [d.messages for d in standin.deliveries()]
    w.say("将棋")
    assert "「将棋」は、分野「学術・文化・芸術・スポーツ」のことでしょうか" in w.text()
    w.tap(M.YES)
    assert "選択中: 学術・文化・芸術・スポーツ" in w.text()
    w.tap(M.BACK)
    assert "【2/5】" in w.text()  # back to the kind
    w.tap("任意団体・市民活動団体")
    w.tap(M.NEXT)
    w.say("公民館で毎週、将棋の教室をしています")
    w.say(M.MENU_DELETE_DATA)  # pauses the registration
    assert "手続きの途中の内容" in w.text()
    w.tap(M.CANCEL)
    assert "団体登録の続きです" in w.text() and "【5/5】" in w.text()
    w.say("あいうえお")
    assert "メールアドレス" in w.text()
    w.say("shogi@example.jp")
    w.tap(M.REG_LISTED_NO)
    w.tap(M.REG_NOTICES_NO)
    assert "協働の募集のお知らせ: 受け取らない" in w.text()
    w.tap(M.REG_SAVE)
    assert "登録しました" in w.text() and M.MENU_CONSULT in w.labels()
    with transaction(bot.factory) as s:
        (g,) = s.scalars(select(Group)).all()
        assert (g.fields, g.listed, g.notices_opt_in) == ([6], False, False)

    w.say(M.MENU_CONSULT)
    w.tap(M.PROP_LEAVE_TO_CITY)
    for text in ("高齢者の交流のため", "来年3月までに教室を10回", "会場の紹介", "講師の手配"):
        w.say(text)
    w.tap(M.PROP_SEND)
    assert "受付番号" in w.text() and "出典" not in w.text()
    with transaction(bot.factory) as s:
        (p,) = s.scalars(select(Proposal)).all()
        reference = p.reference
    w.say("提案の返事はまだですか")
    assert reference in w.text() and "市が担当課を決めます" in w.text()
    w.say(f"{reference} の状況")
    assert reference in w.text() and "2週間" in w.text()
    assert standin.rejected() == []
