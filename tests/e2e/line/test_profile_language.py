"""A first-time LINE user's profile language (GET /v2/bot/profile/{userId}, issue 15), end to end
through the signed webhook, the real engine and the stand-in: "en" makes the user's first replies
English; a language the user chose wins; a failed lookup never blocks or loses the reply."""

from __future__ import annotations

from sqlalchemy import select

from bot.engine import handle
from bot.engine import messages_en as EN
from bot.storage.models import ChatUser
from tests.support.line_payloads import follow_event, message_event
from tests.support.servers import wait_until


def _texts(delivery) -> str:
    return "\n".join(m.get("text", m.get("altText", "")) for m in delivery.messages)


def _profile_requests(standin) -> list:
    return [r for r in standin.requests() if r.path.startswith("/v2/bot/profile/")]


def _language(bot, user: str) -> str | None:
    with bot.factory() as session:
        return session.scalars(select(ChatUser.language).where(ChatUser.user_id == user)).one()


def test_follow_with_an_english_profile_is_greeted_in_english(make_bot, standin):
    bot = make_bot(handle=handle)
    user = "U" + "a1" * 16
    standin.set_profile(user, language="en")
    assert bot.post_events(follow_event(user=user)).status_code == 200
    d = wait_until(standin.deliveries)[0]
    assert _texts(d).startswith(EN.GREETING.split("\n")[0][:40])
    profile = standin.requests(f"/v2/bot/profile/{user}")
    assert len(profile) == 1 and profile[0].headers["authorization"].startswith("Bearer ")
    assert _language(bot, user) == "en"


def test_first_message_uses_the_profile_and_later_messages_do_not_ask_again(make_bot, standin):
    bot = make_bot(handle=handle)
    user = "U" + "b2" * 16
    standin.set_profile(user, language="en")
    bot.post_events(message_event("ヘルプ", user=user))
    first = wait_until(standin.deliveries)[0]
    assert "I answer questions" in _texts(first)  # the help text, in English
    bot.post_events(message_event("ヘルプ", user=user))
    wait_until(lambda: standin.deliveries()[1:])
    assert len(standin.requests("/v2/bot/profile/" + user)) == 1
    assert _language(bot, user) == "en"


def test_a_chosen_language_wins_over_the_profile(make_bot, standin):
    bot = make_bot(handle=handle)
    user = "U" + "c3" * 16
    standin.set_profile(user, language="en")
    bot.post_events(message_event("日本語", user=user))
    assert EN.SWITCHED_TO_JAPANESE in _texts(wait_until(standin.deliveries)[0])
    bot.post_events(follow_event(user=user))  # blocked and unblocked: the profile is asked again
    d = wait_until(lambda: standin.deliveries()[1:])[0]
    assert "おかえりなさい" in _texts(d) and "Welcome" not in _texts(d)  # welcome back, in Japanese
    assert len(standin.requests("/v2/bot/profile/" + user)) == 2
    assert _language(bot, user) == "ja"


def test_japanese_or_no_profile_language_leaves_the_text_to_decide(make_bot, standin):
    bot = make_bot(handle=handle)
    silent, japanese = "U" + "d4" * 16, "U" + "d5" * 16
    standin.set_profile(silent, language=None)
    standin.set_profile(japanese, language="ja")
    bot.post_events(message_event("What is kyodo?", user=silent))
    d = wait_until(standin.deliveries)[0]
    assert "Kyōdō" in _texts(d) or "kyodo" in _texts(d).lower()  # English question, English answer
    bot.post_events(message_event("What is kyodo?", user=japanese))
    d = wait_until(lambda: standin.deliveries()[1:])[0]
    assert "Kyōdō" in _texts(d) or "kyodo" in _texts(d).lower()
    assert _language(bot, silent) is None and _language(bot, japanese) is None


def test_an_english_variant_tag_counts(make_bot, standin):
    bot = make_bot(handle=handle)
    user = "U" + "d6" * 16
    standin.set_profile(user, language="en-GB")
    bot.post_events(follow_event(user=user))
    assert "Welcome to" in _texts(wait_until(standin.deliveries)[0])
    assert _language(bot, user) == "en"


def test_profile_faults_never_block_or_lose_the_reply(make_bot, standin):
    bot = make_bot(handle=handle, line_profile_timeout_seconds=0.5)
    users = ["U" + c * 32 for c in "efghk"]
    for u in users:
        standin.set_profile(u, language="en")
    standin.state.unknown_users.add(users[2])  # 404
    faults = [("500", {}), ("429", {"retry_after": 30}), None, ("timeout", {"delay": 3.0}), None]
    for u, fault in zip(users, faults, strict=True):
        if fault:  # the webhook answers after its lookup: each user meets the fault queued for it
            standin.fail(fault[0], endpoint="profile", **fault[1])
        assert bot.post_events(follow_event(user=u)).status_code == 200
    deliveries = wait_until(lambda: standin.deliveries() if len(standin.deliveries()) >= 5 else [])
    assert len(deliveries) == 5
    greetings = [_texts(d) for d in deliveries]
    assert sum("協働ボット" in t and "Welcome to" not in t for t in greetings) == 5  # Japanese, unblocked
    assert [_language(bot, u) for u in users] == [None] * 5
    # 500, 429, 404 and the timeout were asked; after the timeout the last user was not
    assert [r.path.rsplit("/", 1)[1] for r in _profile_requests(standin)] == users[:4]


def test_a_profile_language_in_the_payload_itself_is_ignored(make_bot, standin):
    """Only the webhook's own lookup may set it: a key arriving with the event is dropped."""
    bot = make_bot(handle=handle)
    user = "U" + "i9" * 16
    standin.set_profile(user, language=None)
    ev = follow_event(user=user)
    ev["kyodoProfile"] = {"language": "en"}
    bot.post_events(ev)
    d = wait_until(standin.deliveries)[0]
    assert "協働ボット" in _texts(d) and "Welcome" not in _texts(d)
    assert _language(bot, user) is None


def test_group_chats_do_not_look_up_profiles(make_bot, standin):
    bot = make_bot(handle=handle)
    ev = message_event("協働とは", user="U" + "j" * 32)
    ev["source"] = {"type": "group", "groupId": "C" + "k" * 32, "userId": "U" + "j" * 32}
    bot.post_events(ev)
    wait_until(standin.deliveries)
    assert _profile_requests(standin) == []
