"""notifications and badges

Revision ID: 173458113078
Revises: 7e4061b382e7
Created: 2026-11-21 13:55 UTC

In-app notifications (a kind and its parameters, shown in the reader's language) and
the badges people earned.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "173458113078"
down_revision = "7e4061b382e7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_notification_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification"))
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index("ix_notification_user_id_created_at", ["user_id", "created_at"], unique=False)
        batch_op.create_index("ix_notification_user_id_read_at", ["user_id", "read_at"], unique=False)

    op.create_table(
        "user_badge",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("badge", sa.String(length=30), nullable=False),
        sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_user_badge_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "badge", name=op.f("pk_user_badge"))
    )


def downgrade() -> None:
    op.drop_table("user_badge")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_user_id_read_at")
        batch_op.drop_index("ix_notification_user_id_created_at")

    op.drop_table("notification")
