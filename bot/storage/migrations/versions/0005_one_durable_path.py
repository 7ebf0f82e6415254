"""one durable path: Slack events and posts move into inbox_events / outbox_messages

Before this revision Slack had an inbox (``slack_events``) and an outbox (``slack_outbox``) of its
own, written and delivered by a second copy of the LINE code. From here on every channel goes
through the same tables and the same code (bot/messaging):

* ``outbox_messages.user_id`` becomes ``destination`` (a LINE user, group or room, or a Slack
  channel), with ``uncertain`` (an attempt may have been carried out), ``link`` and
  ``result_ref`` (where and what a channel records about a sent message: a Slack post's ts);
* ``delivery_attempts.method`` is widened for Slack's method names;
* rows of ``slack_outbox`` and ``slack_events`` are copied over (``channel``/``platform`` =
  ``slack``), then those two tables are dropped. A Slack post copied with an uncertain outcome
  keeps its old row id in its message metadata, so the sender still finds it in the channel
  instead of posting it again.

Revision ID: 0005_one_durable_path
Revises: 0004_staff
Create Date: 2026-12-01 21:10:00
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0005_one_durable_path"
down_revision = "0004_staff"
branch_labels = None
depends_on = None

#: The Slack message metadata event that names an outbox row (handlers/slack/sender.py).
METADATA_EVENT = "kyodo_outbox"


def _slack_outbox_table() -> sa.Table:
    return sa.table(
        "slack_outbox",
        sa.column("id", sa.Integer),
        sa.column("method", sa.String),
        sa.column("payload", sa.JSON),
        sa.column("link", sa.String),
        sa.column("status", sa.String),
        sa.column("attempts", sa.Integer),
        sa.column("uncertain", sa.Boolean),
        sa.column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.column("lease_until", sa.DateTime(timezone=True)),
        sa.column("result_ts", sa.String),
        sa.column("delivered_at", sa.DateTime(timezone=True)),
        sa.column("last_error", sa.Text),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )


def _slack_events_table() -> sa.Table:
    return sa.table(
        "slack_events",
        sa.column("event_id", sa.String),
        sa.column("kind", sa.String),
        sa.column("payload", sa.JSON),
        sa.column("received_at", sa.DateTime(timezone=True)),
        sa.column("processed_at", sa.DateTime(timezone=True)),
        sa.column("attempts", sa.Integer),
        sa.column("last_error", sa.Text),
    )


def _outbox_table(destination: str) -> sa.Table:
    return sa.table(
        "outbox_messages",
        sa.column("id", sa.Integer),
        sa.column("channel", sa.String),
        sa.column(destination, sa.String),
        sa.column("messages", sa.JSON),
        sa.column("retry_key", sa.String),
        sa.column("status", sa.String),
        sa.column("attempts", sa.Integer),
        sa.column("uncertain", sa.Boolean),
        sa.column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.column("lease_until", sa.DateTime(timezone=True)),
        sa.column("result_ref", sa.String),
        sa.column("link", sa.String),
        sa.column("delivered_at", sa.DateTime(timezone=True)),
        sa.column("last_error", sa.Text),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )


def _inbox_table() -> sa.Table:
    return sa.table(
        "inbox_events",
        sa.column("platform", sa.String),
        sa.column("event_id", sa.String),
        sa.column("payload", sa.JSON),
        sa.column("received_at", sa.DateTime(timezone=True)),
        sa.column("processed_at", sa.DateTime(timezone=True)),
        sa.column("attempts", sa.Integer),
        sa.column("last_error", sa.Text),
    )


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_user_id_status")
        batch_op.alter_column("user_id", new_column_name="destination", existing_type=sa.String(100))
        batch_op.add_column(sa.Column("uncertain", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("link", sa.String(length=60), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("result_ref", sa.String(length=60), nullable=True))
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.alter_column("uncertain", server_default=None)
        batch_op.alter_column("link", server_default=None)
        batch_op.create_index(
            "ix_outbox_messages_destination_status", ["destination", "status"], unique=False
        )
    with op.batch_alter_table("delivery_attempts", schema=None) as batch_op:
        batch_op.alter_column("method", type_=sa.String(length=40), existing_type=sa.String(length=10))

    conn = op.get_bind()
    outbox, old_outbox = _outbox_table("destination"), _slack_outbox_table()
    for row in conn.execute(sa.select(old_outbox).order_by(old_outbox.c.id)).mappings():
        args = dict(row["payload"] or {})
        if row["method"] == "chat.postMessage":
            args.setdefault(
                "metadata", {"event_type": METADATA_EVENT, "event_payload": {"outbox_id": row["id"]}}
            )
        conn.execute(
            sa.insert(outbox).values(
                channel="slack",
                destination=str(args.get("channel", ""))[:100],
                messages=[{"method": row["method"], "args": args}],
                retry_key=str(uuid.uuid4()),
                status=row["status"],
                attempts=row["attempts"],
                uncertain=bool(row["uncertain"]),
                next_attempt_at=row["next_attempt_at"],
                lease_until=row["lease_until"],
                result_ref=row["result_ts"],
                link=row["link"] or "",
                delivered_at=row["delivered_at"],
                last_error=row["last_error"],
                created_at=row["created_at"],
            )
        )
    inbox, old_events = _inbox_table(), _slack_events_table()
    for row in conn.execute(sa.select(old_events)).mappings():
        conn.execute(
            sa.insert(inbox).values(
                platform="slack",
                event_id=row["event_id"],
                payload=row["payload"] or {},
                received_at=row["received_at"],
                processed_at=row["processed_at"],
                attempts=row["attempts"],
                last_error=row["last_error"],
            )
        )

    with op.batch_alter_table("slack_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_slack_outbox_status_next_attempt_at")
    op.drop_table("slack_outbox")
    with op.batch_alter_table("slack_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_events_received_at"))
        batch_op.drop_index(batch_op.f("ix_slack_events_processed_at"))
    op.drop_table("slack_events")


def downgrade() -> None:
    op.create_table(
        "slack_events",
        sa.Column("event_id", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_slack_events")),
    )
    with op.batch_alter_table("slack_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slack_events_processed_at"), ["processed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_slack_events_received_at"), ["received_at"], unique=False)
    op.create_table(
        "slack_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("link", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("uncertain", sa.Boolean(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result_ts", sa.String(length=40), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_outbox")),
    )
    with op.batch_alter_table("slack_outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_slack_outbox_status_next_attempt_at", ["status", "next_attempt_at"], unique=False
        )

    conn = op.get_bind()
    outbox, old_outbox = _outbox_table("destination"), _slack_outbox_table()
    for row in conn.execute(sa.select(outbox).where(outbox.c.channel == "slack")).mappings():
        call = (row["messages"] or [{}])[0]
        conn.execute(
            sa.insert(old_outbox).values(
                method=call.get("method", ""),
                payload=call.get("args", {}),
                link=row["link"] or "",
                status=row["status"],
                attempts=row["attempts"],
                uncertain=bool(row["uncertain"]),
                next_attempt_at=row["next_attempt_at"],
                lease_until=row["lease_until"],
                result_ts=row["result_ref"],
                delivered_at=row["delivered_at"],
                last_error=row["last_error"],
                created_at=row["created_at"],
            )
        )
    conn.execute(sa.delete(outbox).where(outbox.c.channel == "slack"))
    inbox, old_events = _inbox_table(), _slack_events_table()
    for row in conn.execute(sa.select(inbox).where(inbox.c.platform == "slack")).mappings():
        payload = row["payload"] or None
        conn.execute(
            sa.insert(old_events).values(
                event_id=row["event_id"][:60],
                kind=str((payload or {}).get("type", ""))[:40],
                payload=payload,
                received_at=row["received_at"],
                processed_at=row["processed_at"],
                attempts=row["attempts"],
                last_error=row["last_error"],
            )
        )
    conn.execute(sa.delete(inbox).where(inbox.c.platform == "slack"))

    with op.batch_alter_table("delivery_attempts", schema=None) as batch_op:
        batch_op.alter_column("method", type_=sa.String(length=10), existing_type=sa.String(length=40))
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_destination_status")
        batch_op.drop_column("result_ref")
        batch_op.drop_column("link")
        batch_op.drop_column("uncertain")
        batch_op.alter_column("destination", new_column_name="user_id", existing_type=sa.String(100))
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_messages_user_id_status", ["user_id", "status"], unique=False)
