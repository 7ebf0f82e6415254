"""協働の記録, the division's side (issue 14).

「担当する」 opens a collaboration (status 協議中) pre-filled from the proposal, and posts it in the
item's thread with 「内容を記入・編集」 (a modal) and the status buttons. Saving the modal pushes the
card to the group on LINE (「合意する」/「変更を依頼」, bot/engine/collaboration.py); what the group
answers comes back to the same thread. Staff status changes are conditional UPDATEs (two clicks:
one wins), audited, pushed to the group and posted to the thread, all in one transaction through
the one outbox.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.engine import collaboration as collab
from bot.engine import messages as EM
from bot.engine.notify import Notifier
from bot.staff import messages as msg
from bot.staff.audit import audit
from bot.staff.mrkdwn import escape_mrkdwn
from bot.staff.views import NEXT, CollabView, ItemView, Renderer
from bot.storage.db import utcnow
from bot.storage.models import Group, Proposal, Suggestion
from bot.storage.models.collaboration import FINAL, FORMS, STATUSES, Collaboration
from bot.storage.models.staff import StaffNotification

log = logging.getLogger(__name__)

#: Text fields of the modal and their limits (Slack's plain_text_input max_length).
TEXT_FIELDS = {
    "purpose": 500,
    "goal_what": 300,
    "goal_by": 100,
    "goal_amount": 200,
    "role_city": 500,
    "role_group": 500,
    "period": 100,
}
REQUIRED = ("purpose", "goal_what", "role_city", "role_group")


def view_of(c: Collaboration, *, evaluate: bool = False) -> CollabView:
    return CollabView(
        evaluate=evaluate,
        id=c.id,
        group_name=c.group_name,
        division_name=c.division_name,
        status=c.status,
        form=c.form,
        values={k: getattr(c, k) or "" for k in TEXT_FIELDS},
        filled=c.filled,
        ends_on=c.ends_on,
    )


def open_for(
    session: Session,
    note: StaffNotification,
    view: ItemView,
    *,
    actor: str,
    actor_name: str,
    render: Renderer,
    now: datetime | None = None,
) -> Collaboration | None:
    """「担当する」 was decided: open the collaboration (once per notification) and post it in the
    item's thread. Runs in the decision's transaction."""
    now = now or utcnow()
    existing = session.scalars(select(Collaboration).where(Collaboration.notification_id == note.id)).first()
    if existing is not None:
        return existing
    c = Collaboration(
        notification_id=note.id,
        source_kind=note.kind,
        source_id=note.ref_id,
        group_name=view.group_name,
        division_id=note.division_id,
        division_name=view.division_name,
        slack_channel=note.slack_channel,
        thread_ts=note.message_ts,
        created_at=now,
        updated_at=now,
    )
    if note.kind == "proposal":
        p = session.get(Proposal, note.ref_id)
        if p is None:
            return None
        c.group_id, c.channel, c.user_id = p.group_id, p.channel, p.user_id
        c.purpose, c.goal_what = p.purpose[:500], p.goal[:300]
        c.role_city, c.role_group = p.role_city[:500], p.role_group[:500]
    else:
        s = session.get(Suggestion, note.ref_id)
        g: Group | None = s.group if s is not None else None
        if g is None:
            return None
        channel, _, user_id = (g.owner or "").partition(":")
        c.group_id, c.channel, c.user_id = g.id, channel, user_id or None
    session.add(c)
    session.flush()
    audit(session, actor, "collab_open", "collaboration", c.id, name=actor_name, notification=note.id)
    _post(
        session,
        c,
        render.collaboration(
            view_of(c),
            msg.COLLAB_OPENED.format(
                group=escape_mrkdwn(c.group_name), status=EM.COLLAB_STATUS["discussing"]
            ),
        ),
    )
    return c


def _post(session: Session, c: Collaboration, payload: dict) -> None:
    collab.post_to_division(session, c, payload)


def tell_division(session: Session, c: Collaboration, text: str) -> None:
    """A plain message in the division's thread (what the group answered on LINE)."""
    _post(session, c, {"text": text})


def form_view(session: Session, collab_id: int) -> CollabView | None:
    c = session.get(Collaboration, collab_id)
    return view_of(c) if c is not None else None


def parse_date(value: str | None) -> date | None:
    """The datepicker's ``selected_date`` (YYYY-MM-DD), None when empty or not a date."""
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def form_errors(
    values: dict[str, str], form: str, *, now: datetime | None = None, current: date | None = None
) -> dict[str, str]:
    """Block id -> error for the modal (``response_action: errors``). 終了予定日 (``ends_on``,
    optional) may not be before today in Japan when set or changed; ``current`` (the stored date)
    may stay as it is even once past."""
    errors = {k: msg.COLLAB_REQUIRED for k in REQUIRED if not (values.get(k) or "").strip()}
    raw = values.get("ends_on") or ""
    ends_on = parse_date(raw)
    if raw and ends_on is None:
        errors["ends_on"] = msg.COLLAB_REQUIRED
    elif ends_on is not None and ends_on != current and ends_on < collab.today(now or utcnow()):
        errors["ends_on"] = msg.COLLAB_ENDS_ON_PAST
    for k, limit in TEXT_FIELDS.items():
        if len(values.get(k) or "") > limit:
            errors[k] = msg.FAQ_TOO_LONG.format(limit=limit, count=len(values[k]))
    if form not in FORMS:
        errors["form"] = msg.COLLAB_REQUIRED
    return errors


def save_form(
    session: Session,
    collab_id: int,
    values: dict[str, str],
    form: str,
    *,
    actor: str,
    actor_name: str,
    render: Renderer,
    notify: Notifier,
    now: datetime | None = None,
) -> bool:
    """The division saved the modal: store it, audit, ask the group to agree (again: a change
    after agreement goes back to 協議中), and say so in the thread. False: gone or final."""
    now = now or utcnow()
    c = session.get(Collaboration, collab_id, with_for_update=True)
    if c is None or c.status in FINAL or form not in FORMS:
        return False
    before = {k: getattr(c, k) for k in (*TEXT_FIELDS, "form", "ends_on")}
    for k, limit in TEXT_FIELDS.items():
        setattr(c, k, (values.get(k) or "").strip()[:limit])
    c.form = form
    c.ends_on = parse_date(values.get("ends_on"))
    c.filled = True
    if c.status == "agreed":
        c.status, c.agreed_at = "discussing", None
    c.updated_at = now
    session.flush()
    changed = sorted(k for k, v in before.items() if getattr(c, k) != v)
    audit(session, actor, "collab_edit", "collaboration", c.id, name=actor_name, fields=changed)
    pushed = notify.collaboration_ask(session, c)
    template = msg.COLLAB_FILLED_ASKED if pushed else msg.COLLAB_FILLED_NO_PUSH
    _post(session, c, render.collaboration(view_of(c), template.format(user=escape_mrkdwn(actor_name))))
    return True


def set_status(
    session: Session,
    collab_id: int,
    new: str,
    *,
    actor: str,
    actor_name: str,
    render: Renderer,
    notify: Notifier,
    now: datetime | None = None,
) -> str | None:
    """Staff move the status: a conditional UPDATE from the status seen, so of two clicks one
    wins. Returns None when done, else the notice for the person who clicked."""
    now = now or utcnow()
    c = session.get(Collaboration, collab_id)
    if c is None:
        return msg.COLLAB_GONE
    old = c.status
    if new not in STATUSES or new not in NEXT.get(old, ()):
        return msg.COLLAB_STATUS_RACE.format(status=EM.COLLAB_STATUS.get(old, old))
    values: dict = {"status": new, "updated_at": now}
    if new == "agreed":
        values["agreed_at"] = now
    changed = session.execute(
        update(Collaboration)
        .where(Collaboration.id == c.id, Collaboration.status == old)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(c)
    if not changed:
        return msg.COLLAB_STATUS_RACE.format(status=EM.COLLAB_STATUS.get(c.status, c.status))
    # 中止 while the evaluation is open (opened at 終了予定日): it closes with the collaboration.
    closed = collab.close_evaluation(session, c, now) if new == "cancelled" else None
    audit(
        session,
        actor,
        "collab_status",
        "collaboration",
        c.id,
        name=actor_name,
        old=old,
        new=new,
        **({"evaluation": "closed"} if closed is not None else {}),
    )
    extra = ""
    if closed is not None:
        extra = EM.EVAL_CANCELLED_KEPT if "group" in closed else EM.EVAL_CANCELLED_WITHDRAWN
    notify.collaboration_status(session, c, extra=extra)
    text = msg.COLLAB_STATUS_CHANGED.format(
        old=EM.COLLAB_STATUS[old], new=EM.COLLAB_STATUS[new], user=escape_mrkdwn(actor_name)
    )
    if closed is not None and not closed:
        text += "\n" + msg.EVAL_WITHDRAWN_DIVISION
    _post(session, c, render.collaboration(view_of(c), text))
    if new == "done" and collab.request_evaluation(session, c, now):
        _ask_evaluation(session, c, render, notify, reminder=False)
    return None


# -- evaluation by both sides (第3章(3)) ----------------------------------------------------------------


def _ask_evaluation(
    session: Session,
    c: Collaboration,
    render: Renderer,
    notify: Notifier,
    *,
    reminder: bool,
    due: bool = False,
    sides=("city", "group"),
) -> None:
    """Ask (or remind) the sides; ``due``: the evaluation opened because 終了予定日 passed."""
    if "group" in sides:
        reply = collab.eval_ask_reply(c, reminder=reminder, due=due)
        notify.push_replies(session, c.channel, c.user_id, [reply])
    if "city" in sides:
        template = (
            msg.EVAL_REMIND_DIVISION if reminder else msg.EVAL_ASK_DIVISION_DUE if due else msg.EVAL_ASK_DIVISION
        )
        text = template.format(deadline=collab.deadline_text(c), date=collab.date_text(c.ends_on))
        _post(session, c, render.collaboration(view_of(c, evaluate=True), text))


def eval_form(
    session: Session, collab_id: int, now: datetime | None = None
) -> tuple[CollabView | None, str | None]:
    """The modal's record, or the notice why the division cannot evaluate now."""
    now = now or utcnow()
    c = session.get(Collaboration, collab_id)
    if c is None:
        return None, msg.COLLAB_GONE
    state = collab.evaluation_state(session, c, "city", now)
    if state == "answered":
        return None, msg.EVAL_ALREADY_DIVISION
    if state != "open":
        return None, msg.EVAL_NOT_OPEN_DIVISION
    return view_of(c, evaluate=True), None


def save_city_evaluation(
    session: Session,
    collab_id: int,
    values: dict,
    *,
    actor: str,
    actor_name: str,
    notify: Notifier,
    now: datetime | None = None,
) -> str | None:
    """The division's evaluation (the modal). None when stored, else the notice. When the group
    has answered already, both answers are shown: in the thread, and pushed to the group."""
    now = now or utcnow()
    view, notice = eval_form(session, collab_id, now)
    if view is None:
        return notice
    c = session.get(Collaboration, collab_id)
    if not collab.save_evaluation(session, c, "city", values, by=actor, now=now):
        return msg.EVAL_ALREADY_DIVISION
    audit(session, actor, "collab_evaluate", "collaboration", c.id, name=actor_name)
    collab.post_to_division(session, c, {"text": msg.EVAL_CITY_DONE.format(user=escape_mrkdwn(actor_name))})
    if "group" in collab.answers(session, c.id):
        _reveal(session, c, notify, now)
    return None


def _reveal(session: Session, c: Collaboration, notify: Notifier, now: datetime) -> None:
    """Both answered: the thread gets both answers, the group the division's."""
    if collab.reveal(session, c, now):
        notify.push(session, c.channel, c.user_id, collab.group_view(session, c))


def evaluation_rounds(
    session: Session, *, render: Renderer, notify: Notifier, now: datetime | None = None, limit: int = 200
) -> dict[str, int]:
    """The scan's part: remind the sides that have not answered (at most twice), and once the
    deadline passed show what there is. Each step is a conditional UPDATE: two scanners do it once."""
    now = now or utcnow()
    counts = {"reminded": 0, "revealed": 0}
    due = session.scalars(
        select(Collaboration)
        .where(Collaboration.eval_requested_at.is_not(None), Collaboration.eval_revealed_at.is_(None))
        .order_by(Collaboration.id)
        .limit(limit)
    ).all()
    for c in due:
        got = collab.answers(session, c.id)
        if c.eval_deadline is not None and collab.aware(c.eval_deadline) <= now:
            if collab.reveal(session, c, now):
                counts["revealed"] += 1
                if "group" in got:  # the group answered: it hears the division's (or that none came)
                    notify.push(session, c.channel, c.user_id, collab.group_view(session, c))
            continue
        n = c.eval_reminders
        if n >= len(collab.REMIND_AFTER) or now < collab.aware(c.eval_requested_at) + collab.REMIND_AFTER[n]:
            continue
        changed = session.execute(
            update(Collaboration)
            .where(Collaboration.id == c.id, Collaboration.eval_reminders == n)
            .values(eval_reminders=n + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not changed:
            continue
        session.refresh(c)
        sides = tuple(side for side in ("city", "group") if side not in got)
        _ask_evaluation(session, c, render, notify, reminder=True, sides=sides)
        counts["reminded"] += 1
    return counts


#: The statuses in which a passed 終了予定日 opens the evaluation (完了 opens it itself; 協議中 has
#: nothing agreed to evaluate; 中止 is not evaluated).
DUE_STATUSES = ("agreed", "running")


def open_due_evaluations(
    session: Session, *, render: Renderer, notify: Notifier, now: datetime | None = None, limit: int = 200
) -> dict[str, int]:
    """The housekeeping chore (bot/app.py): collaborations still 合意/実施中 whose 終了予定日 is
    before today in Japan get the evaluation opened, exactly as 完了 opens it: the conditional
    UPDATE of :func:`bot.engine.collaboration.request_evaluation` (two workers open it once), the
    group's push and the division's prompt through the outbox in this transaction. The status
    does not change: staff still set 完了/中止."""
    now = collab.aware(now or utcnow()).astimezone(UTC)  # stored as UTC (SQLite keeps no zone)
    due = session.scalars(
        select(Collaboration)
        .where(
            Collaboration.status.in_(DUE_STATUSES),
            Collaboration.ends_on < collab.today(now),
            Collaboration.eval_requested_at.is_(None),
        )
        .order_by(Collaboration.id)
        .limit(limit)
    ).all()
    opened = 0
    for c in due:
        try:  # one record that fails does not hold up the others (nor the rest of housekeeping)
            with session.begin_nested():
                if not collab.request_evaluation(session, c, now):
                    continue
                _ask_evaluation(session, c, render, notify, reminder=False, due=True)
        except Exception:
            log.exception("opening the evaluation of collaboration %s failed", c.id)
            continue
        opened += 1
    return {"evaluations_due": opened}


def for_division(
    session: Session, division_id: str, *, limit: int = 10, now: datetime | None = None
) -> list[CollabView]:
    """The division's collaborations that are not finished, or finished and waiting for the
    division's evaluation (with 「評価する」), for App Home; newest first."""
    now = now or utcnow()
    waiting = Collaboration.eval_requested_at.is_not(None) & Collaboration.eval_revealed_at.is_(None)
    rows = session.scalars(
        select(Collaboration)
        .where(Collaboration.division_id == division_id, or_(Collaboration.status.not_in(FINAL), waiting))
        .order_by(Collaboration.id.desc())
        .limit(limit)
    ).all()
    return [view_of(c, evaluate=collab.evaluation_state(session, c, "city", now) == "open") for c in rows]
