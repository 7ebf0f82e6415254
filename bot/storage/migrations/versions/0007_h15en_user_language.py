"""a chat user's language (issue 15)

* ``chat_users.language``: "en" or "ja" when the user chose it (「English」/「日本語」) or the
  platform's profile said so; NULL: not known (each message is answered in its own language).

Revision ID: h15en_user_language
Revises: 0006_group_visibility
Create Date: 2026-12-07 05:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "h15en_user_language"
down_revision = "0006_group_visibility"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chat_users") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chat_users") as batch:
        batch.drop_column("language")
