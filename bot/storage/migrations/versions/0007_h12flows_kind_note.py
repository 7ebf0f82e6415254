"""groups.kind_note: the citizen's own word for a kind of group the list does not have

A group that answers the kind question with free text (「PTAのOB会」) is stored as kind 「その他」
with that text in ``kind_note``, so the words are kept and the kind stays one of the list's.

Revision ID: h12flows_kind_note
Revises: 0006_group_visibility
Create Date: 2026-12-07 05:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "h12flows_kind_note"
down_revision = "0006_group_visibility"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        batch.add_column(sa.Column("kind_note", sa.String(40), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        batch.drop_column("kind_note")
