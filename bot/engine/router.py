"""The engine's single entry point: ``handle(session, incoming, now=...) -> list[Reply]``.

The router owns what is common to every conversation, so flows stay small:
follow/unfollow, unsupported messages, the fallbacks 「やめる」「最初から」, menu words, expiry of
stale state, forged or stale buttons, group chats, and the at-most-five-replies rule. It runs
inside the caller's transaction and never commits.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.engine import groups, opportunities, proposal_status, qa, translate
from bot.engine import messages as M
from bot.engine import messages_en as EN
from bot.engine import postback as pbmod
from bot.engine.flow import Context, Flow, Step
from bot.engine.flows import FLOWS
from bot.engine.flows.common import MAIN_MENU, has_words, menu_choices, shorten
from bot.engine.flows.registration import group_card
from bot.engine.services import Services, default_services
from bot.engine.types import MAX_REPLIES, Card, Choice, Incoming, Reply
from bot.storage.models.conversation import ChatUser, Conversation
from knowledge.normalize import fold, normalize

log = logging.getLogger(__name__)

CANCEL_WORDS = {fold(w) for w in (M.CANCEL, "キャンセル", "中止", "やめます", "cancel", "stop", "終わり")}
RESTART_WORDS = {fold(w) for w in (M.RESTART, "はじめから", "やりなおし", "やり直し", "restart")}
HELLO_WORDS = {fold(w) for w in M.HELLO_WORDS}
THANKS_WORDS = {fold(w) for w in M.THANKS_WORDS}
HELP_WORDS = {fold(w) for w in (M.MENU_HELP, "help", "メニュー", "menu", "使い方", "つかいかた", "?")}
BACK_WORDS = {fold(w) for w in (M.BACK, "もどる", "ひとつ前", "一つ前", "前に戻る", "前へ", "back")}
STATUS_WORDS = (M.MENU_STATUS, "提案状況", "相談の状況", "提案の進み具合", "受付番号")
# A reference typed in a message (「KY-2026-000001 の状況」): its status, if it is the user's.
REFERENCE_RE = re.compile(r"KY[-‐－ー_ ]?(\d{4})[-‐－ー_ ]?(\d{1,6})", re.IGNORECASE)

# Menu words that interrupt a running flow (exact labels only; aliases work outside flows).
_MAIN_LABELS = {fold(w): w for w in (*MAIN_MENU, M.MENU_MY_GROUPS, M.MENU_DELETE_DATA, M.MENU_STATUS)}
_SIMPLE_ACTIONS = {
    fold(M.MENU_ABOUT): "about",
    fold(M.MENU_FAQ): "faq",
    fold(M.MENU_CONTACT): "contact",
    fold("問い合わせ先"): "contact",
    fold("お問い合わせ"): "contact",
    fold(M.MENU_MY_GROUPS): "my_groups",
    fold("登録内容"): "my_groups",
    fold("登録を見る"): "my_groups",
    **{fold(w): "status" for w in STATUS_WORDS},
    **{w: "help" for w in HELP_WORDS},
}
_FLOW_KEYWORDS = {fold(k): f.name for f in FLOWS.values() for k in f.keywords}
_LANGUAGE_WORDS = {**{fold(w): "en" for w in EN.TO_ENGLISH_WORDS}, **{fold(w): "ja" for w in EN.TO_JAPANESE_WORDS}}


def handle(
    session: Session, incoming: Incoming, *, now: datetime, services: Services | None = None
) -> list[Reply]:
    """Turn one event into at most five replies (none for unfollow), updating state in ``session``."""
    now = _aware(now)
    services = services or default_services()
    incoming = _bounded(incoming)
    if incoming.kind == "unfollow":
        _on_unfollow(session, incoming, now)
        return []
    user = _touch_user(session, incoming, now)
    if user.language == "en" and incoming.kind == "text":  # "Cancel", "Next" … as the flows' words
        incoming = replace(incoming, text=translate.incoming_text(incoming.text))
    ctx = Context(session=session, incoming=incoming, now=now, services=services, language=user.language)
    if incoming.kind == "follow":
        replies = _on_follow(ctx, user)
    elif incoming.kind == "text":
        replies = _on_text(ctx)
    elif incoming.kind == "postback":
        replies = _on_postback(ctx)
    else:  # "unsupported" and anything a transport may add later
        replies = _on_unsupported(ctx)
    if ctx.language == "en":  # the flows speak Japanese; an English user reads their English twin
        replies = translate.replies(replies, _faq_questions_en(services))
    return _limit(replies)


def _faq_questions_en(services: Services) -> dict[str, str] | None:
    """The FAQ's Japanese questions -> its English ones (the FAQ list's buttons)."""
    try:
        return services.english_questions()
    except Exception:  # a stand-in without it, or no English data: the buttons stay Japanese
        return None


# -- users ---------------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
USER_ID_MAX = 120  # the column width


def _bounded(incoming: Incoming) -> Incoming:
    """The same event with a user id that fits the tables: an over-long id is shortened with a
    hash (so two long ids never collide), a missing one becomes ``anonymous`` (no flows)."""
    if len(incoming.channel) > 20:  # the column width; transports send "line", "cli", "slack"
        incoming = replace(incoming, channel=incoming.channel[:20])
    uid = incoming.user_id or ""
    if not uid.strip():
        return replace(incoming, user_id=ANONYMOUS)
    if len(uid) > USER_ID_MAX:
        digest = hashlib.sha256(uid.encode("utf-8", "replace")).hexdigest()[:32]
        return replace(incoming, user_id=f"{uid[: USER_ID_MAX - 33]}#{digest}")
    return incoming


# The per-event lookups are built once and run with bound parameters: building the statement
# cost more CPU than SQLite spent running it.
# FOR UPDATE (PostgreSQL; SQLite has one writer anyway): two workers handling two events of the
# same user at once take turns, so the second sees the conversation state, and the pending
# reply, that the first one leaves (replies to one user must go out in order).
_USER_QUERY = (
    select(ChatUser)
    .where(ChatUser.channel == bindparam("channel"), ChatUser.user_id == bindparam("user_id"))
    .with_for_update()
)
_CONVERSATION_QUERY = select(Conversation).where(
    Conversation.channel == bindparam("channel"), Conversation.user_id == bindparam("user_id")
)


def _user(session: Session, incoming: Incoming) -> ChatUser | None:
    params = {"channel": incoming.channel, "user_id": incoming.user_id}
    return session.scalars(_USER_QUERY, params).first()


#: ``last_seen`` is kept to this precision: a user sending several messages in a row costs one
#: row update, not one per event (it only feeds retention, counted in days).
LAST_SEEN_PRECISION = timedelta(minutes=1)


def _touch_user(session: Session, incoming: Incoming, now: datetime) -> ChatUser:
    user = _user(session, incoming)
    if user is None:
        user = ChatUser(
            channel=incoming.channel,
            user_id=incoming.user_id,
            first_seen=now,
            last_seen=now,
            created_at=now,
            language=_profile_language(incoming.language) if incoming.language else None,
        )
        session.add(user)
        session.flush()
        return user
    if user.last_seen is None or now - _aware(user.last_seen) >= LAST_SEEN_PRECISION:
        user.last_seen = now
    if user.deleted_at is not None:
        user.deleted_at = None  # new activity: the user has data again
    if incoming.kind == "follow" or user.blocked:
        user.followed, user.blocked, user.blocked_at = True, False, None
    if user.language is None and incoming.language:  # the platform's profile (a choice wins)
        user.language = _profile_language(incoming.language)
    return user


def _profile_language(code: str) -> str | None:
    """A profile's language tag ("en", "en-US", "ja") as the engine's "en"/"ja"; others: None."""
    base = code.strip().lower().split("-")[0].split("_")[0]
    return base if base in ("en", "ja") else None


def _english(ctx: Context) -> bool:
    return ctx.language == "en"


def _menu(ctx: Context) -> list[Choice]:
    return EN.menu_choices(MAIN_MENU) if _english(ctx) else menu_choices()


def _on_unfollow(session: Session, incoming: Incoming, now: datetime) -> None:
    user = _user(session, incoming)
    if user is None:
        user = ChatUser(channel=incoming.channel, user_id=incoming.user_id, first_seen=now, created_at=now)
        session.add(user)
    user.followed, user.blocked, user.blocked_at, user.last_seen = False, True, now, now
    conv = _conversation(session, incoming)
    if conv is not None:
        session.delete(conv)
    session.flush()


def _on_follow(ctx: Context, user: ChatUser) -> list[Reply]:
    conv = _conversation(ctx.session, ctx.incoming)
    if conv is not None:
        ctx.session.delete(conv)
    # A follow after an earlier unfollow (the row predates this event) is a return, not a first visit.
    if ctx.incoming.source_type != "user":  # the bot joined a group or room
        city = ctx.services.city()
        text = M.GROUP_GREETING.format(city=city.name, guideline=city.guideline)
        return [Reply(text=text, choices=menu_choices()[:2] + menu_choices()[4:6])]
    back = _aware(user.first_seen) < ctx.now
    if _english(ctx):
        return [Reply(text=EN.WELCOME_BACK if back else EN.GREETING, choices=_menu(ctx))]
    text = M.WELCOME_BACK if back else M.GREETING.format(city=ctx.services.city().name, guideline=ctx.services.city().guideline)
    return [Reply(text=text, choices=menu_choices())]


# -- conversations -------------------------------------------------------------------------------


def _conversation(session: Session, incoming: Incoming) -> Conversation | None:
    params = {"channel": incoming.channel, "user_id": incoming.user_id}
    return session.scalars(_CONVERSATION_QUERY, params).first()


def _active(ctx: Context) -> tuple[Conversation | None, list[Reply]]:
    """The user's live conversation, or None plus a time-out notice if it had expired."""
    conv = _conversation(ctx.session, ctx.incoming)
    if conv is None:
        return None, []
    flow = FLOWS.get(conv.flow)
    if flow is None or conv.state not in flow.states:  # flow removed or renamed by an upgrade
        ctx.session.delete(conv)
        ctx.session.flush()
        return None, []
    if _aware(conv.expires_at) <= ctx.now:
        ctx.session.delete(conv)
        ctx.session.flush()
        return None, [Reply(text=M.TIMED_OUT.format(title=flow.title))]
    return conv, []


def _run(ctx: Context, flow: Flow, conv: Conversation | None, fn) -> list[Reply]:
    """Call one handler of ``flow`` and persist (or clear) the state it leads to."""
    ctx.flow = flow
    try:
        step: Step = fn(ctx)
    except SQLAlchemyError:
        raise
    except Exception:  # a bug in one step must not leave the user stuck in a broken flow
        log.exception("flow %s failed in state %s", flow.name, ctx.state)
        step = Step([Reply(text=M.ANSWERER_DOWN, choices=menu_choices())], None)
    conv = _conversation(ctx.session, ctx.incoming)  # the step may have deleted it (データを削除)
    paused = ctx.data.get("_paused") if step.resume else None
    if step.state is None and isinstance(paused, dict) and paused.get("flow") in FLOWS:
        ctx.session.flush()
        return [*step.replies, *_resume(ctx, conv, paused)]
    if step.state is None:
        if conv is not None:
            ctx.session.delete(conv)
    else:
        if conv is None:
            conv = Conversation(
                channel=ctx.incoming.channel, user_id=ctx.incoming.user_id, created_at=ctx.now
            )
            ctx.session.add(conv)
        ctx.data[TYPED_LABELS] = _typed_labels(ctx, flow, step)
        conv.flow, conv.state, conv.data = flow.name, step.state, dict(ctx.data)
        conv.expires_at = ctx.now + flow.timeout
        conv.updated_at = ctx.now
    ctx.session.flush()
    return step.replies


def _resume(ctx: Context, conv: Conversation | None, paused: dict) -> list[Reply]:
    """Bring back the flow that another one interrupted, at the step it was on."""
    flow = FLOWS[paused["flow"]]
    state = paused.get("state")
    if state not in flow.states:
        if conv is not None:
            ctx.session.delete(conv)
            ctx.session.flush()
        return []
    if conv is None:
        conv = Conversation(channel=ctx.incoming.channel, user_id=ctx.incoming.user_id, created_at=ctx.now)
        ctx.session.add(conv)
    conv.flow, conv.state, conv.data = flow.name, state, dict(paused.get("data") or {})
    conv.expires_at = ctx.now + flow.timeout
    conv.updated_at = ctx.now
    ctx.session.flush()
    return _reprompt(ctx, conv, [Reply(text=M.RESUMED.format(title=flow.title))])


def _paused_of(conv: Conversation) -> dict:
    """What to resume when the flow interrupting ``conv`` ends (only the latest one is kept)."""
    return {"flow": conv.flow, "state": conv.state, "data": {k: v for k, v in (conv.data or {}).items()}}


def _start(
    ctx: Context,
    flow: Flow,
    arg: str = "",
    notice: list[Reply] | None = None,
    paused: dict | None = None,
) -> list[Reply]:
    notice = list(notice or [])
    anonymous = ctx.incoming.user_id == ANONYMOUS  # e.g. a group member LINE does not identify
    if anonymous or (flow.personal and ctx.incoming.source_type != "user"):
        return [*notice, Reply(text=M.PERSONAL_IN_GROUP.format(title=flow.title))]
    ctx.data = {"_arg": arg} if arg else {}
    if paused:
        ctx.data["_paused"] = paused
    ctx.state = None
    ctx.pb = pbmod.Postback(flow.name, "start", arg)
    return [*notice, *_run(ctx, flow, _conversation(ctx.session, ctx.incoming), flow.entry)]


def _continue(ctx: Context, conv: Conversation) -> list[Reply]:
    flow = FLOWS[conv.flow]
    ctx.data = dict(conv.data or {})
    ctx.state = conv.state
    if ctx.incoming.kind == "text":
        data = (ctx.data.get(TYPED_LABELS) or {}).get(fold(ctx.text))
        if isinstance(data, str) and (pb := pbmod.decode(data)) is not None and pb.flow == flow.name:
            # the label of one of the step's buttons, typed (「登録する」 under the confirmation card):
            # the same as pressing it
            ctx.incoming = replace(ctx.incoming, kind="postback", text="", data=data)
            ctx.text, ctx.pb = "", pb
    return _run(ctx, flow, conv, flow.states[conv.state].handle)


# A flow's data keeps the labels of the buttons its last step showed (folded label -> postback data),
# so that typing a label does what pressing it does.
TYPED_LABELS = "_labels"


def _typed_labels(ctx: Context, flow: Flow, step: Step) -> dict[str, str]:
    """The step's own buttons whose label is shown once (five 「この課に相談する」 name no one card),
    under their Japanese label and, for an English user, the English one too."""
    seen: dict[str, list[str]] = {}
    for reply in step.replies:
        for c in [*reply.choices, *(a for card in reply.cards for a in card.actions)]:
            pb = pbmod.decode(c.data) if c.data else None
            if pb is None or pb.flow != flow.name or not pb.action.startswith(f"{step.state}."):
                continue
            labels = {c.label}
            if ctx.language == "en":
                labels.add(translate.choice(c).label)
            for label in labels:
                seen.setdefault(fold(label), []).append(c.data)
    return {label: datas[0] for label, datas in seen.items() if label and len(set(datas)) == 1}


def _reprompt(ctx: Context, conv: Conversation, before: list[Reply]) -> list[Reply]:
    flow = FLOWS[conv.flow]
    ctx.flow, ctx.data, ctx.state = flow, dict(conv.data or {}), conv.state
    return [*before, *flow.states[conv.state].prompt(ctx)]


# -- text ----------------------------------------------------------------------------------------


def _on_text(ctx: Context) -> list[Reply]:
    text = normalize(ctx.incoming.text or "").strip()
    ctx.text = text
    conv, notice = _active(ctx)
    if not text:
        if conv is not None:
            return _reprompt(ctx, conv, [Reply(text=M.EMPTY_TEXT)])
        return [*notice, Reply(text=M.EMPTY_TEXT, choices=menu_choices())]
    key = fold(text[:60]) if len(text) <= 60 else ""
    if key in _LANGUAGE_WORDS:
        return [*notice, *_switch_language(ctx, _LANGUAGE_WORDS[key], conv)]
    if key in CANCEL_WORDS:
        if conv is None:
            return [*notice, Reply(text=M.NOTHING_TO_CANCEL, choices=menu_choices())]
        title = FLOWS[conv.flow].title
        paused = (conv.data or {}).get("_paused")
        cancelled = Reply(text=M.CANCELLED.format(title=title), choices=menu_choices())
        if isinstance(paused, dict) and paused.get("flow") in FLOWS:
            resumed = _resume(ctx, conv, paused)
            if resumed:
                return [Reply(text=cancelled.text), *resumed]
        ctx.session.delete(conv)
        ctx.session.flush()
        return [cancelled]
    if key in RESTART_WORDS:
        if conv is None:
            return [*notice, Reply(text=M.HELP, choices=_help_choices())]
        flow = FLOWS[conv.flow]
        arg = str((conv.data or {}).get("_arg", ""))
        paused = (conv.data or {}).get("_paused")
        return _start(ctx, flow, arg, [Reply(text=M.RESTART_FLOW.format(title=flow.title))], paused=paused)
    if key in BACK_WORDS:
        if conv is None:
            return [*notice, Reply(text=M.NOTHING_TO_GO_BACK, choices=menu_choices())]
        return _back(ctx, conv)
    if opportunities.handles(key):  # 募集中の協働は？ / お知らせを停止 / お知らせを再開, at any time
        replies = opportunities.on_text(ctx.session, ctx.incoming, key, ctx.now)
        if conv is not None:
            return _reprompt(ctx, conv, replies)
        return [*notice, *replies]
    if conv is not None:
        if key in _MAIN_LABELS:
            title = FLOWS[conv.flow].title
            if key in _FLOW_KEYWORDS and FLOWS[_FLOW_KEYWORDS[key]].name != conv.flow:
                # Another flow (「データを削除」, 「対象チェック」 …) pauses this one: when it ends or is
                # cancelled, the citizen is brought back to the step they were on.
                paused = _paused_of(conv)
                ctx.session.delete(conv)
                ctx.session.flush()
                return _start(ctx, FLOWS[_FLOW_KEYWORDS[key]], paused=paused)
            ctx.session.delete(conv)
            ctx.session.flush()
            return _menu_word(ctx, key, [Reply(text=M.INTERRUPTED.format(title=title))])
        return _continue(ctx, conv)
    if key in _SIMPLE_ACTIONS or key in _FLOW_KEYWORDS:
        return _menu_word(ctx, key, notice)
    if (ref := REFERENCE_RE.search(text)) is not None and len(text) <= 60:
        reference = f"KY-{ref.group(1)}-{int(ref.group(2)):06d}"
        return [*notice, *_status(ctx, reference)]
    if key in HELLO_WORDS:
        return [*notice, Reply(text=EN.HELLO_REPLY if _english(ctx) else M.HELLO_REPLY, choices=_menu(ctx))]
    if key in THANKS_WORDS:
        return [*notice, Reply(text=EN.THANKS_REPLY if _english(ctx) else M.THANKS_REPLY, choices=_menu(ctx))]
    if not has_words(text):
        return [*notice, Reply(text=M.NO_WORDS, choices=menu_choices())]
    return [
        *notice,
        *qa.answer_question(ctx.session, ctx.incoming, text, ctx.services, ctx.now, language=ctx.language),
    ]


def _switch_language(ctx: Context, language: str, conv: Conversation | None) -> list[Reply]:
    """「English」/「日本語」: remembered for this user; a running flow is left as it is."""
    user = _user(ctx.session, ctx.incoming)
    if user is not None:
        user.language = language
        ctx.session.flush()
    ctx.language = language
    if language == "en":
        return [Reply(text=EN.SWITCHED_TO_ENGLISH, choices=[] if conv else _menu(ctx))]
    return [Reply(text=EN.SWITCHED_TO_JAPANESE, choices=[] if conv else menu_choices())]


def _menu_word(ctx: Context, key: str, notice: list[Reply]) -> list[Reply]:
    if key in _FLOW_KEYWORDS:
        return _start(ctx, FLOWS[_FLOW_KEYWORDS[key]], notice=notice)
    action = _SIMPLE_ACTIONS.get(key, "help")
    if action == "about":
        return [
            *notice,
            *qa.answer_question(ctx.session, ctx.incoming, M.ABOUT_QUESTION, ctx.services, ctx.now),
        ]
    if action == "contact":
        return [
            *notice,
            *qa.answer_question(ctx.session, ctx.incoming, M.CONTACT_QUESTION, ctx.services, ctx.now),
        ]
    if action == "faq":
        return [*notice, *qa.faq_menu(ctx.services)]
    if action == "my_groups":
        return [*notice, *_my_groups(ctx)]
    if action == "status":
        return [*notice, *_status(ctx)]
    if _english(ctx):
        return [*notice, Reply(text=EN.HELP, choices=_menu(ctx)[:-1])]
    return [*notice, Reply(text=M.HELP, choices=_help_choices())]


def _help_choices() -> list[Choice]:
    return [
        *menu_choices()[:-1],
        Choice(label=M.MENU_MY_GROUPS, text=M.MENU_MY_GROUPS),
        Choice(label=M.MENU_STATUS, text=M.MENU_STATUS),
        Choice(label=M.MENU_DELETE_DATA, text=M.MENU_DELETE_DATA),
    ]


def _status(ctx: Context, reference: str | None = None) -> list[Reply]:
    if ctx.incoming.source_type != "user" or ctx.incoming.user_id == ANONYMOUS:
        return [Reply(text=M.PERSONAL_IN_GROUP.format(title=M.STATUS_TITLE))]
    return proposal_status.replies(ctx.session, ctx.incoming, ctx.now, reference)


def _back(ctx: Context, conv: Conversation) -> list[Reply]:
    """「戻る」: the state before the current one (declared on each State), asked again."""
    flow = FLOWS[conv.flow]
    ctx.flow, ctx.data, ctx.state = flow, dict(conv.data or {}), conv.state
    target = ctx.data.pop("_return", None)
    if target is None:
        back = flow.states[conv.state].back
        target = back(ctx) if callable(back) else back
    if target not in flow.states:
        return _reprompt(ctx, conv, [Reply(text=M.BACK_AT_FIRST)])
    return _run(ctx, flow, conv, lambda c: c.goto(target))


def _my_groups(ctx: Context) -> list[Reply]:
    if ctx.incoming.source_type != "user":
        return [Reply(text=M.PERSONAL_IN_GROUP.format(title=M.MENU_MY_GROUPS))]
    owned = groups.owned(ctx.session, ctx.owner)[:10]
    if not owned:
        return [Reply(text=M.MY_GROUPS_NONE, choices=[Choice(label=M.MENU_REGISTER, text=M.MENU_REGISTER)])]
    ctx.flow = None
    cards: list[Card] = []
    for g in owned:
        actions = [
            Choice(label=M.EDIT, data=pbmod.encode("gedit", "start", g.id), display_text=M.EDIT),
            Choice(label=M.DELETE, data=pbmod.encode("gdel", "start", g.id), display_text=M.DELETE),
            Choice(
                label=M.CONSULT_THIS, data=pbmod.encode("prop", "start", g.id), display_text=M.CONSULT_THIS
            ),
        ]
        values = {
            "name": g.name,
            "kind": g.kind,
            "fields": list(g.fields or []),
            "description": g.description,
            "contact": g.contact,
            "kind_note": g.kind_note or "",
            "listed": bool(g.listed),
            "notices": bool(g.notices_opt_in),
        }
        cards.append(group_card(ctx, values, actions))
    alt = M.MY_GROUPS_INTRO + " " + "、".join(shorten(g.name, 30) for g in owned)
    return [Reply(text=M.MY_GROUPS_INTRO, cards=cards, alt_text=alt, choices=menu_choices())]


# -- postbacks -----------------------------------------------------------------------------------


def _on_postback(ctx: Context) -> list[Reply]:
    pb = pbmod.decode(ctx.incoming.data)
    if pb is None:
        log.info("ignored malformed postback %r", (ctx.incoming.data or "")[:80])
        conv, notice = _active(ctx)
        if conv is not None:
            return _reprompt(ctx, conv, [Reply(text=M.BAD_POSTBACK)])
        return [*notice, Reply(text=M.BAD_POSTBACK, choices=menu_choices())]
    ctx.pb = pb
    if pb.flow == "fb":
        return qa.on_feedback(ctx.session, ctx.incoming, pb, ctx.now)
    if pb.flow == "qa":
        return qa.on_handoff(ctx.session, ctx.incoming, pb, ctx.now, ctx.services, language=ctx.language)
    if pb.flow == opportunities.FLOW:  # 関心あり on a notice or on 「募集中の協働は？」
        replies = opportunities.on_postback(ctx.session, ctx.incoming, pb, ctx.now)
        conv, notice = _active(ctx)
        return _reprompt(ctx, conv, replies) if conv is not None else [*notice, *replies]
    flow = FLOWS.get(pb.flow)
    conv, notice = _active(ctx)
    if flow is None:
        if conv is not None:
            return _reprompt(ctx, conv, [Reply(text=M.BAD_POSTBACK)])
        return [*notice, Reply(text=M.BAD_POSTBACK, choices=menu_choices())]
    if pb.action == "start":
        return _start(ctx, flow, pb.arg, notice)
    if conv is None:
        if notice:
            restart = Choice(label=flow.title[:20], text=flow.keywords[0]) if flow.keywords else None
            return [Reply(text=notice[0].text, choices=[c for c in (restart,) if c] + menu_choices()[:6])]
        return [Reply(text=M.STALE_BUTTON, choices=menu_choices())]
    state = pb.action.split(".", 1)[0]
    if conv.flow != pb.flow:
        return _reprompt(ctx, conv, [Reply(text=M.STALE_BUTTON)])
    if state != conv.state:
        return _reprompt(ctx, conv, [Reply(text=M.STALE_STEP)])
    return _continue(ctx, conv)


# -- everything else -----------------------------------------------------------------------------


def _on_unsupported(ctx: Context) -> list[Reply]:
    head = M.UNSUPPORTED.get(ctx.incoming.message_type, M.UNSUPPORTED_DEFAULT)
    conv, notice = _active(ctx)
    if conv is not None:
        return _reprompt(ctx, conv, [Reply(text=head + M.UNSUPPORTED_TAIL)])
    return [*notice, Reply(text=head + M.UNSUPPORTED_TAIL, choices=menu_choices())]


def _limit(replies: list[Reply]) -> list[Reply]:
    """At most five replies: fold the earliest plain-text ones together if there are more."""
    replies = [r for r in replies if r.text or r.cards]
    while len(replies) > MAX_REPLIES:
        first, second = replies[0], replies[1]
        merged = Reply(
            text="\n\n".join(t for t in (first.text, second.text) if t),
            choices=second.choices,
            cards=second.cards,
            sources=[*first.sources, *second.sources],
            alt_text=second.alt_text,
        )
        replies = [merged, *replies[2:]]
    return replies or [Reply(text=M.HELP, choices=menu_choices())]


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything the engine stores is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
