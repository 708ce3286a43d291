"""newsroom feeds

Revision ID: 3385e47288b3
Revises: f46b1ecfa496
Created: 2026-11-21 15:23 UTC

Newsroom feeds communications registers, and the entries taken from them (by link,
so no entry is taken twice).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "3385e47288b3"
down_revision = "f46b1ecfa496"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "news_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("trusted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("paused", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("source_class", sa.String(length=10), nullable=False),
        sa.Column("topics", sa.String(length=500), nullable=False),
        sa.Column("interval_minutes", sa.Integer(), nullable=False),
        sa.Column("etag", sa.String(length=300), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("last_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("language IN ('de', 'en')", name=op.f("ck_news_feed_known_language")),
        sa.CheckConstraint("source_class IN ('external', 'own')", name=op.f("ck_news_feed_known_source_class")),
        sa.CheckConstraint("interval_minutes IN (15, 60, 360, 1440)", name=op.f("ck_news_feed_known_interval")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"], name=op.f("fk_news_feed_created_by_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_feed")),
        sa.UniqueConstraint("url", name=op.f("uq_news_feed_url"))
    )
    op.create_table(
        "feed_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("outcome IN ('created', 'published', 'duplicate')", name=op.f("ck_feed_entry_known_outcome")),
        sa.ForeignKeyConstraint(["feed_id"], ["news_feed.id"], name=op.f("fk_feed_entry_feed_id_news_feed"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["content_item.id"], name=op.f("fk_feed_entry_item_id_content_item"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_entry")),
        sa.UniqueConstraint("feed_id", "url", name="uq_feed_entry_feed_id_url")
    )
    with op.batch_alter_table("feed_entry", schema=None) as batch_op:
        batch_op.create_index("ix_feed_entry_item_id", ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("feed_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_entry_item_id")

    op.drop_table("feed_entry")
    op.drop_table("news_feed")
