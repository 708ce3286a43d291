"""report rollups

Revision ID: 5691341135f8
Revises: 341d2a50a72d
Created: 2026-11-21 12:19 UTC

Daily and monthly rollups per person, network and campaign and per item, which the reach
reports read; the anonymous person number of shares whose sharer's data were deleted; an
index on when shares were posted and on when posts were last measured (the rollup job
finds the days to recompute by them).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "5691341135f8"
down_revision = "341d2a50a72d"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('activity_rollup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grain', sa.String(length=5), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('network', sa.String(length=20), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('shares', sa.Integer(), nullable=False),
    sa.Column('api_shares', sa.Integer(), nullable=False),
    sa.Column('reach', sa.BigInteger(), nullable=False),
    sa.Column('clicks', sa.Integer(), nullable=False),
    sa.Column('interactions', sa.Integer(), nullable=False),
    sa.Column('engaged_reach', sa.BigInteger(), nullable=False),
    sa.Column('impressions', sa.BigInteger(), nullable=False),
    sa.Column('impression_clicks', sa.Integer(), nullable=False),
    sa.CheckConstraint("grain IN ('day', 'month')", name=op.f('ck_activity_rollup_known_grain')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_rollup'))
    )
    with op.batch_alter_table('activity_rollup', schema=None) as batch_op:
        batch_op.create_index('ix_activity_rollup_grain_start', ['grain', 'start'], unique=False)
        batch_op.create_index('ix_activity_rollup_person_id', ['person_id'], unique=False)

    op.create_table('item_rollup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grain', sa.String(length=5), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('shares', sa.Integer(), nullable=False),
    sa.Column('clicks', sa.Integer(), nullable=False),
    sa.Column('reach', sa.BigInteger(), nullable=False),
    sa.Column('sharers', sa.Integer(), nullable=False),
    sa.CheckConstraint("grain IN ('day', 'month')", name=op.f('ck_item_rollup_known_grain')),
    sa.ForeignKeyConstraint(['item_id'], ['content_item.id'], name=op.f('fk_item_rollup_item_id_content_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_rollup'))
    )
    with op.batch_alter_table('item_rollup', schema=None) as batch_op:
        batch_op.create_index('ix_item_rollup_grain_start', ['grain', 'start'], unique=False)

    with op.batch_alter_table('outbox_post', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_post_metrics_at', ['metrics_at'], unique=False)

    with op.batch_alter_table('share', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anon_person', sa.Integer(), nullable=True))
        batch_op.create_index('ix_share_posted_at', ['posted_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('share', schema=None) as batch_op:
        batch_op.drop_index('ix_share_posted_at')
        batch_op.drop_column('anon_person')

    with op.batch_alter_table('outbox_post', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_post_metrics_at')

    with op.batch_alter_table('item_rollup', schema=None) as batch_op:
        batch_op.drop_index('ix_item_rollup_grain_start')

    op.drop_table('item_rollup')
    with op.batch_alter_table('activity_rollup', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_rollup_person_id')
        batch_op.drop_index('ix_activity_rollup_grain_start')

    op.drop_table('activity_rollup')
