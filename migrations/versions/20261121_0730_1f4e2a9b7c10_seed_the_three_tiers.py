"""seed the three tiers

Revision ID: 1f4e2a9b7c10
Revises: 8c3b8e193cc9
Created: 2026-11-21 07:30:00 UTC

Data only. The tiers have fixed numbers; their names and descriptions stay empty so the
translated built-in wording shows until an admin writes their own.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "1f4e2a9b7c10"
down_revision = "8c3b8e193cc9"
branch_labels = None
depends_on = None

tier = sa.table("tier", sa.column("id", sa.Integer))


def upgrade() -> None:
    op.bulk_insert(tier, [{"id": 1}, {"id": 2}, {"id": 3}])


def downgrade() -> None:
    op.execute(tier.delete())
