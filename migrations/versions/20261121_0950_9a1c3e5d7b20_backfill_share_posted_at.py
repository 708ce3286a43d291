"""backfill share.posted_at

Revision ID: 9a1c3e5d7b20
Revises: 5f7227dfb55a
Created: 2026-11-21 09:50 UTC

Data only. Every share made before posting by API existed was a share link, posted when it
was made.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "9a1c3e5d7b20"
down_revision = "5f7227dfb55a"
branch_labels = None
depends_on = None

share = sa.table("share", sa.column("posted_at"), sa.column("created_at"),
                 sa.column("method"))


def upgrade() -> None:
    op.execute(share.update().where(share.c.method == "intent", share.c.posted_at.is_(None))
               .values(posted_at=share.c.created_at))


def downgrade() -> None:
    pass  # the column itself goes with the previous revision's downgrade
