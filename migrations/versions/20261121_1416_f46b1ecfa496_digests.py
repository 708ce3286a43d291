"""digests

Revision ID: f46b1ecfa496
Revises: 173458113078
Created: 2026-11-21 14:16 UTC

How often each person wants the e-mail digest (weekly unless they change it), and which
digests went out, so none goes out twice.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f46b1ecfa496"
down_revision = "173458113078"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_sent",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=6), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_digest_sent_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "kind", "period_start", name=op.f("pk_digest_sent"))
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest", sa.String(length=6), server_default="weekly",
                                      nullable=False))
        batch_op.create_check_constraint(op.f("ck_user_account_known_digest"),
                                         "digest IN ('weekly', 'daily', 'none')")


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_account_known_digest"), type_="check")
        batch_op.drop_column("digest")

    op.drop_table("digest_sent")
