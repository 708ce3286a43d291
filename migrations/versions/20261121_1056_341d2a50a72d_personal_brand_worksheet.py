"""personal-brand worksheet

Revision ID: 341d2a50a72d
Revises: 9a1c3e5d7b20
Created: 2026-11-21 10:56 UTC

The worksheet (current answers and the Social-CEO answers), its saved versions, and the
topics and hashtags the feed ranks by; accounts' follower counts per day (the trend).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "341d2a50a72d"
down_revision = "9a1c3e5d7b20"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("follower_count",
    sa.Column("account_id", sa.Integer(), nullable=False),
    sa.Column("day", sa.Date(), nullable=False),
    sa.Column("followers", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["account_id"], ["social_account.id"], name=op.f("fk_follower_count_account_id_social_account"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("account_id", "day", name=op.f("pk_follower_count"))
    )
    op.create_table('brand_term',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('term', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_brand_term_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', 'term', name=op.f('pk_brand_term'))
    )
    op.create_table('worksheet',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('ceo', sa.JSON(), nullable=False),
    sa.Column("checks", sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('coach_id', sa.Integer(), nullable=True),
    sa.Column('shared_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['coach_id'], ['user_account.id'], name=op.f('fk_worksheet_coach_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_worksheet_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_worksheet'))
    )
    with op.batch_alter_table('worksheet', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worksheet_coach_id'), ['coach_id'], unique=False)

    op.create_table('worksheet_version',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['worksheet.user_id'], name=op.f('fk_worksheet_version_user_id_worksheet'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'number', name=op.f('pk_worksheet_version'))
    )


def downgrade() -> None:
    op.drop_table('worksheet_version')
    with op.batch_alter_table('worksheet', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worksheet_coach_id'))

    op.drop_table('worksheet')
    op.drop_table('brand_term')
    op.drop_table("follower_count")
