"""group visibility and notices: what a group chose to publish and to receive

* ``groups.listed``: the group chose to be shown on the web corner's 団体をさがす (default no);
* ``groups.public_contact``: a contact the group chose to publish there (default none; the
  private ``contact`` is never shown);
* ``groups.notices_opt_in``: the group agreed to receive the city's collaboration opportunities
  (協働の募集) on LINE (default no).

Revision ID: 0006_group_visibility
Revises: 0005_one_durable_path
Create Date: 2026-12-01 23:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_group_visibility"
down_revision = "0005_one_durable_path"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        batch.add_column(sa.Column("listed", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("public_contact", sa.String(300), nullable=False, server_default=""))
        batch.add_column(sa.Column("notices_opt_in", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        batch.drop_column("notices_opt_in")
        batch.drop_column("public_contact")
        batch.drop_column("listed")
