"""works agreement

Revision ID: e2a6c9b13d57
Revises: d8e1f4a2b6c3
Created: 2026-12-08 05:00 UTC

Changes of settings a works agreement fixes wait for a second admin: one row per requested
change, pending until confirmed (then applied) or withdrawn.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e2a6c9b13d57"
down_revision = "d8e1f4a2b6c3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "setting_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('pending', 'confirmed', 'withdrawn')",
                           name=op.f("ck_setting_change_known_state")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user_account.id"],
                                name=op.f("fk_setting_change_decided_by_id_user_account"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["requested_by_id"], ["user_account.id"],
                                name=op.f("fk_setting_change_requested_by_id_user_account"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_setting_change")),
    )
    op.create_index("ix_setting_change_state", "setting_change", ["state"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_setting_change_state", table_name="setting_change")
    op.drop_table("setting_change")
