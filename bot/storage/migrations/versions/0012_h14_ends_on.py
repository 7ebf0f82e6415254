"""collaborations.ends_on (issue 14): the collaboration's target end date (終了予定日), set by the
division; the day after it the evaluation by both sides opens by itself. ``period`` stays free text.

Revision ID: h14_ends_on
Revises: h14_opportunities
Create Date: 2026-12-07 12:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "h14_ends_on"
down_revision = "h14_opportunities"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("collaborations") as batch:
        batch.add_column(sa.Column("ends_on", sa.Date(), nullable=True))
    op.create_index("ix_collaborations_ends_on", "collaborations", ["ends_on"])


def downgrade() -> None:
    op.drop_index("ix_collaborations_ends_on", table_name="collaborations")
    with op.batch_alter_table("collaborations") as batch:
        batch.drop_column("ends_on")
