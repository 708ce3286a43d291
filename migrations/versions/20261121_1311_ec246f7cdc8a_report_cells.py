"""report cells

Revision ID: ec246f7cdc8a
Revises: 94e17f660434
Created: 2026-11-21 13:11 UTC

The unfiltered figures of every calendar week, month and quarter per slice, which the
rollup job keeps so the common reports read a few rows instead of one per person.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ec246f7cdc8a"
down_revision = "94e17f660434"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_cell",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=7), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("slice", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("people_print", sa.BigInteger(), nullable=True),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("contributors", sa.Integer(), nullable=False),
        sa.Column("shares", sa.Integer(), nullable=False),
        sa.Column("api_shares", sa.Integer(), nullable=False),
        sa.Column("reach", sa.BigInteger(), nullable=False),
        sa.Column("clicks", sa.Integer(), nullable=False),
        sa.Column("interactions", sa.Integer(), nullable=False),
        sa.Column("engaged_reach", sa.BigInteger(), nullable=False),
        sa.Column("impressions", sa.BigInteger(), nullable=False),
        sa.Column("impression_clicks", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('week', 'month', 'quarter')",
                           name=op.f("ck_report_cell_known_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_cell")),
    )
    op.create_index("ix_report_cell_kind_start_slice", "report_cell", ["kind", "start", "slice"])


def downgrade() -> None:
    op.drop_index("ix_report_cell_kind_start_slice", table_name="report_cell")
    op.drop_table("report_cell")
