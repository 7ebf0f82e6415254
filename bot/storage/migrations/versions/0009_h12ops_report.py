"""evaluation figures and staff FAQ upkeep

* ``feedback.via_unanswered_id``: the 「もしかして」 question an answer was reached through, so one
  question is counted once in the report (the unanswered row and the answer are the same question);
* ``staff_questions``: one row per question staff asked the bot in Slack (no text, no user: only
  whether it was answered and when), counted apart from citizens' questions;
* ``staff_faq_entries.updated_at``: when staff last edited or retired an entry (the answerer
  rebuilds itself when it changes).

Revision ID: h12ops_report
Revises: 0006_group_visibility
Create Date: 2026-12-07 05:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "h12ops_report"
down_revision = "h12flows_groups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("via_unanswered_id", sa.Integer(), nullable=True))
    op.create_table(
        "staff_questions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("answered", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_staff_questions_created_at", "staff_questions", ["created_at"])
    with op.batch_alter_table("staff_faq_entries") as batch:
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_faq_entries") as batch:
        batch.drop_column("updated_at")
    op.drop_index("ix_staff_questions_created_at", table_name="staff_questions")
    op.drop_table("staff_questions")
    with op.batch_alter_table("feedback") as batch:
        batch.drop_column("via_unanswered_id")
