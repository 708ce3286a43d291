"""targets removed

Revision ID: b5d2e8a41c07
Revises: a17c3e5f0b21
Created: 2026-12-08 02:00 UTC

An item whose last target group was deleted is marked, so that it is in no feed and cannot
be published until communications choose its audience again (deleting a group never
widens an item's audience).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b5d2e8a41c07"
down_revision = "a17c3e5f0b21"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("content_item") as batch:
        batch.add_column(sa.Column("targets_removed", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("content_item") as batch:
        batch.drop_column("targets_removed")
