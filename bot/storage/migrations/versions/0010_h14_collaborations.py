"""collaborations (issue 14): the record a division and a group keep once a proposal or a
suggestion was taken up: form, 目的, 目標, 役割分担, period, status and the division's thread; and
collaboration_evaluations, each side's evaluation once it is finished (第3章(3)).

Revision ID: h14_collaborations
Revises: h12ops_report
Create Date: 2026-12-07 06:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "h14_collaborations"
down_revision = "h12ops_report"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "collaborations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("source_kind", sa.String(20), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("group_name", sa.String(200), nullable=False),
        sa.Column("division_id", sa.String(40), nullable=True),
        sa.Column("division_name", sa.String(120), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("user_id", sa.String(120), nullable=True),
        sa.Column("form", sa.String(20), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("goal_what", sa.Text(), nullable=False),
        sa.Column("goal_by", sa.String(100), nullable=False),
        sa.Column("goal_amount", sa.String(200), nullable=False),
        sa.Column("role_city", sa.Text(), nullable=False),
        sa.Column("role_group", sa.Text(), nullable=False),
        sa.Column("period", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("filled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("slack_channel", sa.String(40), nullable=False),
        sa.Column("thread_ts", sa.String(40), nullable=True),
        sa.Column("agreed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("eval_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("eval_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("eval_reminders", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("eval_revealed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("notification_id", name="uq_collaborations_notification"),
    )
    for col in ("source_id", "group_id", "division_id", "user_id", "status", "eval_deadline"):
        op.create_index(f"ix_collaborations_{col}", "collaborations", [col])
    op.create_table(
        "collaboration_evaluations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(10), nullable=False),
        sa.Column("goal", sa.String(10), nullable=False),
        sa.Column("equality", sa.Integer(), nullable=False),
        sa.Column("understanding", sa.Integer(), nullable=False),
        sa.Column("roles", sa.Integer(), nullable=False),
        sa.Column("goals", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("answered_by", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("collaboration_id", "side", name="uq_collaboration_evaluations_side"),
    )
    for col in ("collaboration_id", "created_at"):
        op.create_index(f"ix_collaboration_evaluations_{col}", "collaboration_evaluations", [col])


def downgrade() -> None:
    for col in ("collaboration_id", "created_at"):
        op.drop_index(f"ix_collaboration_evaluations_{col}", table_name="collaboration_evaluations")
    op.drop_table("collaboration_evaluations")
    for col in ("source_id", "group_id", "division_id", "user_id", "status", "eval_deadline"):
        op.drop_index(f"ix_collaborations_{col}", table_name="collaborations")
    op.drop_table("collaborations")
