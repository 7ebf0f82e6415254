"""Block Kit for the staff side, built with slack_sdk.models so Slack's limits are checked in
``to_dict()`` before anything is sent. Texts are clipped to the limits first (a long activity
description must shorten the message, never make Slack reject it); if a model still refuses,
the message falls back to plain text rather than not being sent.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
)
from slack_sdk.models.blocks.basic_components import ConfirmObject
from slack_sdk.models.views import View

from bot.engine.messages import COLLAB_FORMS, EVAL_GOALS, EVAL_PRINCIPLES
from bot.staff import messages as msg
from bot.staff.lookups import HomeData
from bot.staff.mrkdwn import escape_mrkdwn, user_ref
from bot.staff.views import CollabView, HandoffView, ItemView, OppFormView, OppView, language_note, when

log = logging.getLogger(__name__)

# Slack's limits (https://api.slack.com/reference/block-kit/blocks).
SECTION_TEXT = 3000
HEADER_TEXT = 150
BUTTON_TEXT = 75
FALLBACK_TEXT = 3000  # "text" of chat.postMessage should stay short; it is the notification line
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100

ACTION_TAKE = "kyodo_take"
ACTION_PASS = "kyodo_pass"
ACTION_DETAIL = "kyodo_detail"
ACTION_CLOSE_HANDOFF = "kyodo_handoff_close"
ACTION_ADD_FAQ = "kyodo_add_faq"
ACTION_EDIT_FAQ = "kyodo_edit_faq"
ACTION_RETIRE_FAQ = "kyodo_retire_faq"
FAQ_MODAL = "kyodo_faq_modal"
ACTION_COLLAB_EDIT = "kyodo_collab_edit"
ACTION_COLLAB_STATUS = "kyodo_collab_status"
COLLAB_MODAL = "kyodo_collab_modal"
ACTION_EVAL_OPEN = "kyodo_eval_open"
EVAL_MODAL = "kyodo_eval_modal"
OPP_MODAL = "kyodo_opp_modal"
ACTION_OPP_SEND = "kyodo_opp_send"
ACTION_OPP_CLOSE = "kyodo_opp_close"
#: Block id (and the collaboration's attribute) -> label and Slack max_length, in the modal's order.
COLLAB_INPUTS = (
    ("purpose", msg.COLLAB_FIELD_PURPOSE, 500, True),
    ("goal_what", msg.COLLAB_FIELD_GOAL_WHAT, 300, True),
    ("goal_by", msg.COLLAB_FIELD_GOAL_BY, 100, False),
    ("goal_amount", msg.COLLAB_FIELD_GOAL_AMOUNT, 200, False),
    ("role_city", msg.COLLAB_FIELD_ROLE_CITY, 500, True),
    ("role_group", msg.COLLAB_FIELD_ROLE_GROUP, 500, True),
    ("period", msg.COLLAB_FIELD_PERIOD, 100, False),
)
FAQ_ANSWER_MAX = 400  # knowledge.loader.MAX_ANSWER_CHARS: answers stay phone-sized
FAQ_QUESTION_MAX = 200


def clip(text: str, limit: int) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: Text that is not ours, before it reaches a field Slack interprets (bot/staff/views.py).
escape = escape_mrkdwn


def md(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT)))


def to_dicts(blocks: list[Block], limit: int = MESSAGE_BLOCKS) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks[:limit]]


def message(text: str, blocks: list[Block]) -> dict[str, Any]:
    fallback = clip(text, FALLBACK_TEXT)
    try:
        return {"text": fallback, "blocks": to_dicts(blocks)}
    except SlackObjectFormationError:
        log.exception("block kit rejected a message; sending text only")
        return {"text": fallback}


# --- answers -----------------------------------------------------------------------------------------
def answer(text: str, citation: str, suggestions: list[str], answered: bool) -> dict[str, Any]:
    """An answer with the citation line every channel shows (bot/engine/citations.py), if any."""
    text = escape(text)  # staff write FAQ answers: their text is input, not a template of ours
    blocks: list[Block] = [md(text if answered else f"{msg.NOT_ANSWERED}\n{text}")]
    if citation:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(escape(citation), 2000))]))
    if suggestions:
        maybe = "\n".join(f"• {escape(s)}" for s in suggestions[:3])
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(f"{msg.MAYBE}\n{maybe}", 2000))]))
    return message(text, blocks)


def plain(text: str) -> dict[str, Any]:
    return message(text, [md(text)])


# --- division items ----------------------------------------------------------------------------------
def _item_title(v: ItemView) -> str:
    """Plain text (a header): escape it where it goes into mrkdwn."""
    if v.kind == "proposal":
        return msg.PROPOSAL_TITLE.format(reference=v.reference, group=v.group_name)
    return msg.SUGGESTION_TITLE.format(group=v.group_name)


def _item_blocks(v: ItemView, *, buttons: bool = True, full: bool = False) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=clip(_item_title(v), HEADER_TEXT)))]
    if v.city_decides:
        blocks.append(md(msg.UNROUTED_CITY))
    elif v.unrouted:
        blocks.append(md(msg.UNROUTED.format(division=escape(v.division_name) or "—")))
    lines = [msg.TO_DIVISION.format(division=escape(v.division_name) or "—")]
    if v.group_kind:
        lines.append(f"*{msg.LABEL_KIND}*: {escape(v.group_kind)}")
    if v.fields:
        lines.append(f"*{msg.LABEL_FIELDS}*: {escape('、'.join(v.fields))}")
    if v.description:
        limit = 2000 if full else 400
        lines.append(f"*{msg.LABEL_DESCRIPTION}*: {escape(clip(v.description, limit))}")
    if v.reasons:
        lines.append(f"*{msg.LABEL_REASONS}*:\n" + "\n".join(f"• {escape(r)}" for r in v.reasons[:5]))
    blocks.append(md("\n".join(lines)))
    if v.kind == "proposal":
        parts = [
            (msg.PURPOSE, v.purpose),
            (msg.GOAL, v.goal),
            (msg.ROLE_CITY, v.role_city),
            (msg.ROLE_GROUP, v.role_group),
        ]
        text = "\n".join(f"*{k}*: {escape(clip(t, 600))}" for k, t in parts if t)
        if text:
            blocks.append(md(text))
    if full and v.contact:
        blocks.append(md(f"*{msg.LABEL_CONTACT}*: {escape(v.contact)}"))
    if v.decision:
        template = msg.DECIDED_TAKEN if v.decision == "taken" else msg.DECIDED_PASSED
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=template.format(user=user_ref(v.decided_by), when=when(v.decided_at))
                    )
                ]
            )
        )
    elif buttons:
        value = json.dumps({"n": v.notification_id})
        blocks.append(
            ActionsBlock(
                block_id=f"item-{v.notification_id}",
                elements=[
                    ButtonElement(text=msg.BUTTON_TAKE, action_id=ACTION_TAKE, value=value, style="primary"),
                    ButtonElement(
                        text=msg.BUTTON_PASS,
                        action_id=ACTION_PASS,
                        value=value,
                        style="danger",
                        confirm=ConfirmObject(
                            title=msg.CONFIRM_PASS_TITLE,
                            text=msg.CONFIRM_PASS_TEXT,
                            confirm=msg.CONFIRM_YES,
                            deny=msg.CONFIRM_NO,
                        ),
                    ),
                    ButtonElement(text=msg.BUTTON_DETAIL, action_id=ACTION_DETAIL, value=value),
                ],
            )
        )
    return blocks


def _item_fallback(v: ItemView) -> str:
    """A message's ``text`` (the notification line) is mrkdwn too: a group named <!channel>
    would ping the whole channel."""
    if v.kind == "proposal":
        return msg.PROPOSAL_FALLBACK.format(
            division=escape(v.division_name), group=escape(v.group_name), reference=escape(v.reference)
        )
    return msg.SUGGESTION_FALLBACK.format(division=escape(v.division_name), group=escape(v.group_name))


def item(v: ItemView) -> dict[str, Any]:
    return message(_item_fallback(v), _item_blocks(v))


def item_detail_modal(v: ItemView) -> dict[str, Any]:
    view = View(
        type="modal",
        title=PlainTextObject(text=clip(msg.DETAIL_TITLE, 24)),
        close=PlainTextObject(text=msg.CLOSE),
        blocks=_item_blocks(v, buttons=False, full=True)[:VIEW_BLOCKS],
    )
    return view.to_dict()


# --- handoffs --------------------------------------------------------------------------------------
def _lang_mark(text: str) -> str:
    """［英語］ before a question not in Japanese in the App Home lists (issue 15)."""
    note = language_note(text)
    return next((m for k, m in msg.LANGUAGE_NOTE_SHORT.items() if note == msg.LANGUAGE_NOTES[k]), "")


def handoff(v: HandoffView) -> dict[str, Any]:
    blocks: list[Block] = [
        md(f"*{msg.HANDOFF_TITLE}*\n>{escape(clip(v.question, 2500)).replace(chr(10), chr(10) + '>')}"),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"{when(v.asked_at)}　{msg.HANDOFF_HINT}" + (f"\n{v.language_note}" if v.language_note else "")
                )
            ]
        ),
    ]
    if v.closed_by:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=msg.HANDOFF_CLOSED.format(user=user_ref(v.closed_by), when=when(v.closed_at))
                    )
                ]
            )
        )
    else:
        blocks.append(
            ActionsBlock(
                block_id=f"handoff-{v.handoff_id}",
                elements=[
                    ButtonElement(
                        text=msg.HANDOFF_BUTTON_CLOSE,
                        action_id=ACTION_CLOSE_HANDOFF,
                        value=json.dumps({"h": v.handoff_id}),
                    )
                ],
            )
        )
    return message(msg.HANDOFF_FALLBACK.format(question=escape(clip(v.question, 200))), blocks)


# --- collaborations (issue 14) -----------------------------------------------------------------------
def _collab_actions(v: CollabView) -> list[Block]:
    elements = [
        ButtonElement(
            text=msg.BUTTON_COLLAB_EDIT, action_id=ACTION_COLLAB_EDIT, value=json.dumps({"c": v.id})
        )
    ]
    for status in v.next_statuses:
        confirm = None
        if status == "cancelled":
            confirm = ConfirmObject(
                title=msg.CONFIRM_CANCEL_COLLAB_TITLE,
                text=msg.CONFIRM_CANCEL_COLLAB_TEXT,
                confirm=msg.CONFIRM_YES,
                deny=msg.CONFIRM_NO,
            )
        elements.append(
            ButtonElement(
                text=msg.BUTTON_COLLAB_STATUS[status],
                action_id=f"{ACTION_COLLAB_STATUS}_{status}",
                value=json.dumps({"c": v.id, "s": status}),
                style="danger" if status == "cancelled" else None,
                confirm=confirm,
            )
        )
    if v.status in ("done", "cancelled"):
        elements = []
    if v.evaluate:
        elements.append(
            ButtonElement(
                text=msg.BUTTON_EVALUATE,
                action_id=ACTION_EVAL_OPEN,
                value=json.dumps({"c": v.id}),
                style="primary",
            )
        )
    if not elements:
        return []
    return [ActionsBlock(block_id=f"collab-{v.id}-{v.status}", elements=elements)]


def _collab_summary(v: CollabView) -> str:
    labels = v.labels()
    labels.update({k: clip(t, 600) for k, t in labels.items()})
    text = msg.COLLAB_SUMMARY.format(**labels)
    if v.ends_on is not None:
        text += msg.COLLAB_SUMMARY_ENDS_ON.format(date=labels["ends_on"])
    return text


def collaboration(v: CollabView, headline: str) -> dict[str, Any]:
    """A post in the division's thread: what happened, the record, and what staff can do next."""
    return message(
        headline, [md(clip(headline, 3000)), md(clip(_collab_summary(v), 3000)), *_collab_actions(v)]
    )


def collab_modal(v: CollabView) -> dict[str, Any]:
    """「内容を記入・編集」: pre-filled from the record (itself pre-filled from the proposal)."""
    forms = [Option(value=code, text=label) for code, label in COLLAB_FORMS.items()]
    initial = next((o for o in forms if o.value == v.form), None)
    blocks: list[Block] = [
        md(escape(clip(f"{v.group_name}（{v.division_name}）", 300))),
        InputBlock(
            block_id="form",
            label=msg.COLLAB_FIELD_FORM,
            element=StaticSelectElement(action_id="value", options=forms, initial_option=initial),
        ),
    ]
    for key, label, limit, required in COLLAB_INPUTS:
        blocks.append(
            InputBlock(
                block_id=key,
                label=label,
                optional=not required,
                element=PlainTextInputElement(
                    action_id="value",
                    multiline=limit > 200,
                    max_length=limit,
                    initial_value=clip(v.values.get(key, ""), limit) or None,
                ),
            )
        )
    blocks.append(
        InputBlock(
            block_id="ends_on",
            label=msg.COLLAB_FIELD_ENDS_ON,
            optional=True,
            hint=msg.COLLAB_ENDS_ON_HINT,
            element=DatePickerElement(
                action_id="value", initial_date=v.ends_on.isoformat() if v.ends_on else None
            ),
        )
    )
    return View(
        type="modal",
        callback_id=COLLAB_MODAL,
        title=PlainTextObject(text=clip(msg.COLLAB_MODAL_TITLE, 24)),
        submit=PlainTextObject(text=clip(msg.COLLAB_MODAL_SUBMIT, 24)),
        close=PlainTextObject(text=msg.CLOSE),
        private_metadata=json.dumps({"c": v.id}),
        blocks=blocks,
    ).to_dict()


def eval_modal(v: CollabView) -> dict[str, Any]:
    """The division's evaluation: the same questions the group answers on LINE."""
    goals = [Option(value=code, text=label) for code, label in EVAL_GOALS.items()]
    scores = [Option(value=str(n), text=str(n)) for n in range(1, 6)]
    blocks: list[Block] = [
        md(escape(clip(f"{v.group_name}（{v.division_name}）", 300))),
        InputBlock(
            block_id="goal",
            label=msg.EVAL_FIELD_GOAL,
            element=StaticSelectElement(action_id="value", options=goals),
        ),
    ]
    for key, label in EVAL_PRINCIPLES.items():
        blocks.append(
            InputBlock(
                block_id=key,
                label=clip(msg.EVAL_FIELD_SCORE.format(principle=label), 2000),
                element=StaticSelectElement(action_id="value", options=scores),
            )
        )
    blocks.append(
        InputBlock(
            block_id="comment",
            label=msg.EVAL_FIELD_COMMENT,
            optional=True,
            element=PlainTextInputElement(action_id="value", multiline=True, max_length=300),
        )
    )
    return View(
        type="modal",
        callback_id=EVAL_MODAL,
        title=PlainTextObject(text=clip(msg.EVAL_MODAL_TITLE, 24)),
        submit=PlainTextObject(text=clip(msg.EVAL_MODAL_SUBMIT, 24)),
        close=PlainTextObject(text=msg.CLOSE),
        private_metadata=json.dumps({"c": v.id}),
        blocks=blocks,
    ).to_dict()


# --- opportunities (issue 14 step 3) ----------------------------------------------------------------
def opportunity(v: OppView) -> dict[str, Any]:
    """The opportunity's post: what it asks, the ranked groups with reasons, 「送信」 while a draft."""
    blocks: list[Block] = [md(v.head)]
    if v.lines:
        text = ""
        for line in v.lines:  # whole lines only, within one section's limit
            if len(text) + len(line) + 1 > SECTION_TEXT:
                break
            text += line + "\n"
        blocks.append(md(text.rstrip()))
    if v.footer:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(v.footer, 2000))]))
    if v.status == "draft" and v.count:
        blocks.append(
            ActionsBlock(
                block_id=f"opp-{v.id}",
                elements=[
                    ButtonElement(
                        text=msg.OPP_BUTTON_SEND,
                        action_id=ACTION_OPP_SEND,
                        value=json.dumps({"o": v.id}),
                        style="primary",
                        confirm=ConfirmObject(
                            title=msg.OPP_CONFIRM_SEND_TITLE,
                            text=msg.OPP_CONFIRM_SEND_TEXT.format(count=v.count),
                            confirm=msg.CONFIRM_YES,
                            deny=msg.CONFIRM_NO,
                        ),
                    )
                ],
            )
        )
    if v.status == "sent":
        blocks.append(ActionsBlock(block_id=f"opp-close-{v.id}", elements=[_opp_close_button(v.id)]))
    return message(v.head, blocks)


def _opp_close_button(opp_id: int) -> ButtonElement:
    return ButtonElement(
        text=msg.OPP_BUTTON_CLOSE,
        action_id=ACTION_OPP_CLOSE,
        value=json.dumps({"o": opp_id}),
        confirm=ConfirmObject(
            title=msg.OPP_CONFIRM_CLOSE_TITLE,
            text=msg.OPP_CONFIRM_CLOSE_TEXT,
            confirm=msg.CONFIRM_YES,
            deny=msg.CONFIRM_NO,
        ),
    )


def opp_modal(v: OppFormView) -> dict[str, Any]:
    """`/kyodo 募集`: title, division (the member's own pre-selected), fields, what is sought,
    deadline, form."""
    divisions = [Option(value=i, text=clip(name, 75)) for i, name in v.divisions[:100]]
    initial = next((o for o in divisions if o.value == v.division_id), None)
    fields = [Option(value=str(n), text=clip(label, 75)) for n, label in v.fields[:100]]
    forms = [Option(value=code, text=label) for code, label in COLLAB_FORMS.items()]
    blocks: list[Block] = [
        InputBlock(
            block_id="title",
            label=msg.OPP_FIELD_TITLE,
            element=PlainTextInputElement(action_id="value", max_length=100),
        ),
        InputBlock(
            block_id="division",
            label=msg.OPP_FIELD_DIVISION,
            element=StaticSelectElement(action_id="value", options=divisions, initial_option=initial),
        ),
        InputBlock(
            block_id="fields",
            label=msg.OPP_FIELD_FIELDS,
            element=StaticMultiSelectElement(action_id="value", options=fields),
        ),
        InputBlock(
            block_id="sought",
            label=msg.OPP_FIELD_SOUGHT,
            element=PlainTextInputElement(action_id="value", multiline=True, max_length=1000),
        ),
        InputBlock(
            block_id="deadline",
            label=msg.OPP_FIELD_DEADLINE,
            optional=True,
            element=DatePickerElement(action_id="value"),
        ),
        InputBlock(
            block_id="form",
            label=msg.OPP_FIELD_FORM,
            element=StaticSelectElement(action_id="value", options=forms, initial_option=forms[-1]),
        ),
    ]
    return View(
        type="modal",
        callback_id=OPP_MODAL,
        title=PlainTextObject(text=clip(msg.OPP_MODAL_TITLE, 24)),
        submit=PlainTextObject(text=clip(msg.OPP_MODAL_SUBMIT, 24)),
        close=PlainTextObject(text=msg.CLOSE),
        blocks=blocks,
    ).to_dict()


class BlockRenderer:
    """The staff side's :class:`bot.staff.views.Renderer`, in Block Kit."""

    def item(self, view: ItemView) -> dict[str, Any]:
        return item(view)

    def handoff(self, view: HandoffView) -> dict[str, Any]:
        return handoff(view)

    def answer(self, text: str, citation: str, suggestions: list[str], answered: bool) -> dict[str, Any]:
        return answer(text, citation, suggestions, answered)

    def plain(self, text: str) -> dict[str, Any]:
        return plain(text)

    def collaboration(self, view: CollabView, headline: str) -> dict[str, Any]:
        return collaboration(view, headline)

    def opportunity(self, view: OppView) -> dict[str, Any]:
        return opportunity(view)


RENDERER = BlockRenderer()


# --- App Home ----------------------------------------------------------------------------------------
def home(data: HomeData) -> dict[str, Any]:
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=msg.HOME_TITLE))]
    if data.division is None:
        blocks.append(md(msg.HOME_NO_DIVISION))
    else:
        blocks.append(
            ContextBlock(
                elements=[MarkdownTextObject(text=msg.HOME_DIVISION.format(name=data.division.name))]
            )
        )
    blocks += [DividerBlock(), md(f"*{msg.HOME_PENDING}*")]
    if not data.pending:
        blocks.append(md(msg.HOME_PENDING_NONE))
    for v in data.pending[:10]:
        # Each pending item: its title, the reasons, and the same three buttons as in the channel.
        reasons = "、".join(v.reasons[:2])
        blocks.append(
            md(f"*{escape(_item_title(v))}*" + (f"\n{escape(clip(reasons, 300))}" if reasons else ""))
        )
        blocks += [b for b in _item_blocks(v) if isinstance(b, ActionsBlock)]
    if data.division is not None:
        blocks += [DividerBlock(), md(f"*{msg.HOME_COLLABS}*")]
        if not data.collaborations:
            blocks.append(md(msg.HOME_COLLABS_NONE))
        for c in data.collaborations[:8]:
            blocks.append(md(clip(_collab_summary(c), 3000)))
            blocks += _collab_actions(c)
        blocks += [DividerBlock(), md(f"*{msg.HOME_OPPS}*")]
        if not data.opportunities:
            blocks.append(md(msg.HOME_OPPS_NONE))
        for o in data.opportunities[:8]:
            line = msg.HOME_OPP_LINE.format(
                title=escape(clip(o.title, 100)), deadline=o.deadline, sent=o.sent, interested=o.interested
            )
            blocks.append(SectionBlock(text=MarkdownTextObject(text=line), accessory=_opp_close_button(o.id)))
    blocks += [DividerBlock(), md(f"*{msg.HOME_HANDOFFS}*")]
    if not data.handoffs:
        blocks.append(md(msg.HOME_HANDOFFS_NONE))
    for h in data.handoffs[:10]:
        blocks.append(md(f"• {_lang_mark(h.question)}{escape(clip(h.question, 200))}（{when(h.asked_at)}）"))
    blocks += [DividerBlock(), md(f"*{msg.HOME_UNANSWERED}*")]
    if not data.unanswered:
        blocks.append(md(msg.HOME_UNANSWERED_NONE))
    for qid, text, times in data.unanswered[:15]:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=clip(f"{_lang_mark(text)}{escape(text)}（{msg.HOME_TIMES.format(count=times)}）", 2000)
                ),
                accessory=ButtonElement(
                    text=msg.BUTTON_ADD_FAQ, action_id=ACTION_ADD_FAQ, value=json.dumps({"q": qid})
                ),
            )
        )
    blocks += [DividerBlock(), md(f"*{msg.HOME_STAFF_FAQ}*")]
    if not data.faq_entries:
        blocks.append(md(msg.HOME_STAFF_FAQ_NONE))
    for eid, question in data.faq_entries[:10]:
        value = json.dumps({"e": eid})
        blocks += [
            md(f"• {escape(clip(question, 200))}"),
            ActionsBlock(
                elements=[
                    ButtonElement(text=msg.BUTTON_EDIT_FAQ, action_id=ACTION_EDIT_FAQ, value=value),
                    ButtonElement(
                        text=msg.BUTTON_RETIRE_FAQ,
                        action_id=ACTION_RETIRE_FAQ,
                        value=value,
                        style="danger",
                        confirm=ConfirmObject(
                            title=msg.CONFIRM_RETIRE_TITLE,
                            text=msg.CONFIRM_RETIRE_TEXT,
                            confirm=msg.CONFIRM_YES,
                            deny=msg.CONFIRM_NO,
                        ),
                    ),
                ]
            ),
        ]
    return View(type="home", blocks=blocks[:VIEW_BLOCKS]).to_dict()


def faq_modal(
    question: str,
    unanswered_id: int | None,
    sections: list[tuple[str, str]],
    *,
    entry_id: int | None = None,
    phrasings: list[str] | None = None,
    answer: str = "",
    chosen: list[str] | None = None,
) -> dict[str, Any]:
    """「FAQに追加」 (from an unanswered question), or with ``entry_id`` 「編集」 of a staff entry,
    filled with its phrasings, answer and sources."""
    options = [Option(value=sid, text=clip(f"{title}", 75)) for sid, title in sections[:100]]
    initial = [o for o in options if o.value in set(chosen or [])]
    extra = "\n".join(p for p in (phrasings or []) if p != question)
    blocks: list[Block] = [
        InputBlock(
            block_id="question",
            label=msg.FAQ_QUESTION,
            element=PlainTextInputElement(
                action_id="value", initial_value=clip(question, 3000), max_length=3000
            ),
        ),
        InputBlock(
            block_id="phrasings",
            label=msg.FAQ_PHRASINGS,
            optional=True,
            element=PlainTextInputElement(
                action_id="value", multiline=True, max_length=3000, initial_value=clip(extra, 3000) or None
            ),
        ),
        InputBlock(
            block_id="answer",
            label=msg.FAQ_ANSWER,
            element=PlainTextInputElement(
                action_id="value",
                multiline=True,
                max_length=FAQ_ANSWER_MAX,
                initial_value=clip(answer, FAQ_ANSWER_MAX) or None,
            ),
        ),
    ]
    if options:
        blocks.append(
            InputBlock(
                block_id="sources",
                label=msg.FAQ_SOURCES,
                element=StaticMultiSelectElement(
                    action_id="value", options=options, initial_options=initial or None
                ),
            )
        )
    editing = entry_id is not None
    return View(
        type="modal",
        callback_id=FAQ_MODAL,
        title=PlainTextObject(text=msg.FAQ_EDIT_TITLE if editing else msg.FAQ_MODAL_TITLE),
        submit=PlainTextObject(text=msg.FAQ_EDIT_SUBMIT if editing else msg.FAQ_MODAL_SUBMIT),
        close=PlainTextObject(text=msg.CLOSE),
        private_metadata=json.dumps({"e": entry_id} if editing else {"q": unanswered_id}),
        blocks=blocks,
    ).to_dict()
