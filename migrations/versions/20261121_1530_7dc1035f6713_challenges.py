"""challenges

Revision ID: 7dc1035f6713
Revises: 3385e47288b3
Created: 2026-11-21 15:30 UTC

Challenges (individual or by group, on shares or clicks) and their fixed results.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "7dc1035f6713"
down_revision = "3385e47288b3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "challenge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("metric", sa.String(length=10), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("minimum", sa.Integer(), nullable=False),
        sa.Column("bonus_points", sa.Integer(), nullable=False),
        sa.Column("winners", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('individual', 'team')", name=op.f("ck_challenge_known_kind")),
        sa.CheckConstraint("metric IN ('shares', 'clicks')", name=op.f("ck_challenge_known_metric")),
        sa.CheckConstraint("bonus_points BETWEEN 0 AND 1000", name=op.f("ck_challenge_bonus_in_range")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_challenge_period_in_order")),
        sa.CheckConstraint("minimum >= 1", name=op.f("ck_challenge_minimum_positive")),
        sa.CheckConstraint("winners BETWEEN 1 AND 10", name=op.f("ck_challenge_winners_in_range")),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"], name=op.f("fk_challenge_campaign_id_campaign"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"], name=op.f("fk_challenge_created_by_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge"))
    )
    with op.batch_alter_table("challenge", schema=None) as batch_op:
        batch_op.create_index("ix_challenge_ends_on", ["ends_on"], unique=False)

    op.create_table(
        "challenge_group",
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["challenge_id"], ["challenge.id"], name=op.f("fk_challenge_group_challenge_id_challenge"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["group_id"], ["org_group.id"], name=op.f("fk_challenge_group_group_id_org_group"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("challenge_id", "group_id", name=op.f("pk_challenge_group"))
    )
    op.create_table(
        "challenge_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("group_name", sa.String(length=120), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["challenge_id"], ["challenge.id"], name=op.f("fk_challenge_result_challenge_id_challenge"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["group_id"], ["org_group.id"], name=op.f("fk_challenge_result_group_id_org_group"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_challenge_result_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_result"))
    )
    with op.batch_alter_table("challenge_result", schema=None) as batch_op:
        batch_op.create_index("ix_challenge_result_challenge_id_rank", ["challenge_id", "rank"], unique=False)
        batch_op.create_index("ix_challenge_result_user_id", ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("challenge_result", schema=None) as batch_op:
        batch_op.drop_index("ix_challenge_result_user_id")
        batch_op.drop_index("ix_challenge_result_challenge_id_rank")

    op.drop_table("challenge_result")
    op.drop_table("challenge_group")
    with op.batch_alter_table("challenge", schema=None) as batch_op:
        batch_op.drop_index("ix_challenge_ends_on")

    op.drop_table("challenge")
