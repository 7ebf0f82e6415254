"""groups.kind_note, and group name keys recomputed with matching.names

* ``groups.kind_note``: a group that answers the kind question with free text (「PTAのOB会」) is
  stored as kind 「その他」 with that text here, so the words are kept and the kind stays one of
  the list's.
* ``groups.name_key`` is recomputed with ``matching.names.name_key`` (version 2): kana/kanji
  variants folded (子供 = 子ども), numbers, 丁目 and 第N kept apart. Keys computed the old way
  would not compare with new ones. Duplicate flags already set are left as they are (a person
  decided, or will).

Revision ID: h12flows_groups
Revises: 0006_group_visibility
Create Date: 2026-12-07 05:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "h12flows_groups"
down_revision = "h15en_user_language"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        batch.add_column(sa.Column("kind_note", sa.String(40), nullable=False, server_default=""))
    _recompute_keys()


def _recompute_keys() -> None:
    from matching.names import name_key

    bind = op.get_bind()
    groups = sa.table(
        "groups", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("name_key", sa.String)
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(groups.c.id, groups.c.name, groups.c.name_key)
            .where(groups.c.id > last)
            .order_by(groups.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        changed = [
            {"gid": gid, "key": name_key(name or "")[:200]}
            for gid, name, key in rows
            if name_key(name or "")[:200] != key
        ]
        if changed:
            bind.execute(
                groups.update()
                .where(groups.c.id == sa.bindparam("gid"))
                .values(name_key=sa.bindparam("key")),
                changed,
            )
        last = rows[-1][0]


def downgrade() -> None:
    # The keys stay in the new form: the old code compares them as plain strings, which is safe.
    with op.batch_alter_table("groups") as batch:
        batch.drop_column("kind_note")
