"""rewards

Revision ID: df2d7c8ce0cd
Revises: 7dc1035f6713
Created: 2026-11-21 15:33 UTC

The optional reward catalogue, redemptions (once per form, by a nonce), and the points
each person spent (their lifetime points stay).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "df2d7c8ce0cd"
down_revision = "7dc1035f6713"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reward",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("price >= 1", name=op.f("ck_reward_price_positive")),
        sa.CheckConstraint("stock IS NULL OR stock >= 0", name=op.f("ck_reward_stock_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reward"))
    )
    op.create_table(
        "point_wallet",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("spent", sa.Integer(), nullable=False),
        sa.CheckConstraint("spent >= 0", name=op.f("ck_point_wallet_spent_not_negative")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_point_wallet_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_point_wallet"))
    )
    op.create_table(
        "redemption",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reward_id", sa.Integer(), nullable=True),
        sa.Column("reward_name", sa.String(length=120), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("state IN ('requested', 'fulfilled', 'cancelled')", name=op.f("ck_redemption_known_state")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user_account.id"], name=op.f("fk_redemption_decided_by_id_user_account"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["reward_id"], ["reward.id"], name=op.f("fk_redemption_reward_id_reward"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_redemption_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redemption")),
        sa.UniqueConstraint("user_id", "nonce", name="uq_redemption_user_id_nonce")
    )
    with op.batch_alter_table("redemption", schema=None) as batch_op:
        batch_op.create_index("ix_redemption_reward_id", ["reward_id"], unique=False)
        batch_op.create_index("ix_redemption_state_requested_at", ["state", "requested_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("redemption", schema=None) as batch_op:
        batch_op.drop_index("ix_redemption_state_requested_at")
        batch_op.drop_index("ix_redemption_reward_id")

    op.drop_table("redemption")
    op.drop_table("point_wallet")
    op.drop_table("reward")
