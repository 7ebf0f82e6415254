"""opportunities (issue 14 step 3): a division's call for groups (協働の募集) and, per ranked
group, what became of it (sent, capped, stopped, unreachable) and whether it answered 関心あり.

Revision ID: h14_opportunities
Revises: h14_collaborations
Create Date: 2026-12-07 11:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "h14_opportunities"
down_revision = "h14_collaborations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "opportunities",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("division_id", sa.String(40), nullable=True),
        sa.Column("division_name", sa.String(120), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("sought", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("form", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=False),
        sa.Column("slack_channel", sa.String(40), nullable=False),
        sa.Column("message_ts", sa.String(40), nullable=True),
        sa.Column("sent_by", sa.String(40), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    for col in ("division_id", "status"):
        op.create_index(f"ix_opportunities_{col}", "opportunities", [col])
    op.create_table(
        "opportunity_recipients",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("group_name", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("user_id", sa.String(120), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("interested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("opportunity_id", "group_id", name="uq_opportunity_recipients_group"),
    )
    for col in ("opportunity_id", "group_id", "user_id", "sent_at"):
        op.create_index(f"ix_opportunity_recipients_{col}", "opportunity_recipients", [col])


def downgrade() -> None:
    for col in ("opportunity_id", "group_id", "user_id", "sent_at"):
        op.drop_index(f"ix_opportunity_recipients_{col}", table_name="opportunity_recipients")
    op.drop_table("opportunity_recipients")
    for col in ("division_id", "status"):
        op.drop_index(f"ix_opportunities_{col}", table_name="opportunities")
    op.drop_table("opportunities")
