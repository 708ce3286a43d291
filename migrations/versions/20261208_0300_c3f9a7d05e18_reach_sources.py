"""reach sources

Revision ID: c3f9a7d05e18
Revises: b5d2e8a41c07
Created: 2026-12-08 03:00 UTC

Honest reach: a share keeps where its follower count came from (a connected account, or a
count the person entered for LinkedIn), a person may enter that count (dated, asked again
after 90 days), and the rollups and report cells count shares and reach per source and the
people behind each, so reports can say how much of the programme each figure covers. Known
counts so far all came from connected accounts (only posts by API had one). Cells are
deleted and the rollups rebuilt by their next run; days sealed by click retention keep
their rows, with the reach moved to its source.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c3f9a7d05e18"
down_revision = "b5d2e8a41c07"
branch_labels = None
depends_on = None

SUMS = (("measured_shares", sa.Integer()), ("follower_shares", sa.Integer()),
        ("follower_reach", sa.BigInteger()), ("reported_shares", sa.Integer()),
        ("reported_reach", sa.BigInteger()))
PEOPLE = ("impression_people", "follower_people", "reported_people")


def _add(table: str, columns: list[tuple[str, sa.types.TypeEngine]]) -> None:  # type: ignore[type-arg]
    with op.batch_alter_table(table) as batch:
        for name, kind in columns:
            batch.add_column(sa.Column(name, kind, nullable=False, server_default="0"))
    with op.batch_alter_table(table) as batch:
        for name, _kind in columns:
            batch.alter_column(name, server_default=None)


def upgrade() -> None:
    with op.batch_alter_table("share") as batch:
        batch.add_column(sa.Column("reach_source", sa.String(length=10), nullable=True))
        batch.create_check_constraint(
            op.f("ck_share_known_reach_source"),
            "reach_source IS NULL OR reach_source IN ('followers', 'reported')")
    op.execute("UPDATE share SET reach_source = 'followers' WHERE followers IS NOT NULL")
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("reported_followers", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("reported_followers_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("reported_reminded_on", sa.Date(), nullable=True))
    op.execute("DELETE FROM report_cell")
    _add("activity_rollup", list(SUMS))
    # Days whose raw clicks retention has sealed are never recomputed: their reach came from
    # connected accounts, and only posts by API had a follower count before this revision.
    op.execute("UPDATE activity_rollup SET follower_reach = reach, follower_shares = "
               "CASE WHEN reach > 0 AND api_shares > 0 THEN api_shares "
               "WHEN reach > 0 THEN 1 ELSE 0 END")
    _add("report_cell", list(SUMS) + [(name, sa.Integer()) for name in PEOPLE])
    op.execute("DELETE FROM job_state WHERE key = 'rollup-run'")


def downgrade() -> None:
    with op.batch_alter_table("report_cell") as batch:
        for name in [name for name, _kind in SUMS] + list(PEOPLE):
            batch.drop_column(name)
    with op.batch_alter_table("activity_rollup") as batch:
        for name, _kind in SUMS:
            batch.drop_column(name)
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("reported_reminded_on")
        batch.drop_column("reported_followers_on")
        batch.drop_column("reported_followers")
    with op.batch_alter_table("share") as batch:
        batch.drop_constraint(op.f("ck_share_known_reach_source"), type_="check")
        batch.drop_column("reach_source")
