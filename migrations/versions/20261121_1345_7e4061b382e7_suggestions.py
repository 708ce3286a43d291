"""suggestions

Revision ID: 7e4061b382e7
Revises: ec246f7cdc8a
Created: 2026-11-21 13:45 UTC

Links employees suggest for the library, with their pages' preview and the decision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "7e4061b382e7"
down_revision = "ec246f7cdc8a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("image_url", sa.String(length=2000), nullable=False),
        sa.Column("site_name", sa.String(length=200), nullable=False),
        sa.Column("preview_error", sa.String(length=300), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('pending', 'accepted', 'declined')", name=op.f("ck_suggestion_known_state")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user_account.id"], name=op.f("fk_suggestion_decided_by_id_user_account"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["item_id"], ["content_item.id"], name=op.f("fk_suggestion_item_id_content_item"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_suggestion_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion"))
    )
    with op.batch_alter_table("suggestion", schema=None) as batch_op:
        batch_op.create_index("ix_suggestion_item_id", ["item_id"], unique=False)
        batch_op.create_index("ix_suggestion_state_created_at", ["state", "created_at"], unique=False)
        batch_op.create_index("ix_suggestion_user_id_created_at", ["user_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("suggestion", schema=None) as batch_op:
        batch_op.drop_index("ix_suggestion_user_id_created_at")
        batch_op.drop_index("ix_suggestion_state_created_at")
        batch_op.drop_index("ix_suggestion_item_id")

    op.drop_table("suggestion")
