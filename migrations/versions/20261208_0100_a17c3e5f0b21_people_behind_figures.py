"""people behind figures

Revision ID: a17c3e5f0b21
Revises: 5c1e0a7d9b32
Created: 2026-12-08 01:00 UTC

The works-council rule counts the people behind each part of a cell, not only who shared:
whose links were clicked, who shared by API and by link, whose posts a network measured.
The report cells get those counts and each item bucket the people whose links to it were
clicked. Stored cells are deleted (the rollup job computes them again; until then reports
compute live), and the item buckets are rebuilt by the next rollup run, which starts over.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a17c3e5f0b21"
down_revision = "5c1e0a7d9b32"
branch_labels = None
depends_on = None

COUNTS = ("clickers", "api_people", "link_people", "measured_people")


def upgrade() -> None:
    op.execute("DELETE FROM report_cell")
    for table, names in (("report_cell", COUNTS), ("item_rollup", ("clickers",))):
        with op.batch_alter_table(table) as batch:
            for name in names:
                batch.add_column(sa.Column(name, sa.Integer(), nullable=False,
                                           server_default="0"))
        with op.batch_alter_table(table) as batch:
            for name in names:
                batch.alter_column(name, server_default=None)
    # Until the rollups are rebuilt no item shows its clicks in works-council mode (0 people
    # behind them is read as "not known"): the next run starts from the first share.
    op.execute("DELETE FROM job_state WHERE key = 'rollup-run'")


def downgrade() -> None:
    with op.batch_alter_table("item_rollup") as batch:
        batch.drop_column("clickers")
    with op.batch_alter_table("report_cell") as batch:
        for name in COUNTS:
            batch.drop_column(name)
