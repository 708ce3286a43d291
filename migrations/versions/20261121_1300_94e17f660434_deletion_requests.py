"""deletion requests

Revision ID: 94e17f660434
Revises: 5691341135f8
Created: 2026-11-21 13:00 UTC

People"s requests to delete their data, kept after the erasure with the number their
shares carry from then on.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "94e17f660434"
down_revision = "5691341135f8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deletion_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("former_person", sa.Integer(), nullable=True),
        sa.CheckConstraint("state IN ('pending', 'done', 'declined', 'withdrawn')",
                           name=op.f("ck_deletion_request_known_state")),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user_account.id"], ondelete="SET NULL",
            name=op.f("fk_deletion_request_decided_by_id_user_account")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], ondelete="SET NULL",
            name=op.f("fk_deletion_request_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deletion_request")),
    )
    op.create_index("ix_deletion_request_state", "deletion_request", ["state"])
    op.create_index("ix_deletion_request_user_id", "deletion_request", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_deletion_request_user_id", table_name="deletion_request")
    op.drop_index("ix_deletion_request_state", table_name="deletion_request")
    op.drop_table("deletion_request")
