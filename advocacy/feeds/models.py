"""Registered newsroom feeds and the entries already taken from them."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.content.models import ContentItem
from advocacy.db import Base, bool_false, created_at, intpk
from advocacy.people.models import User

INTERVALS = (15, 60, 360, 1440)  # minutes between checks
OUTCOMES = ("created", "published", "duplicate")


class NewsFeed(Base):
    """An RSS or Atom feed. Entries of a `trusted` feed go live at once (if they can);
    the others become drafts. `etag`/`last_modified` make the next check a conditional
    request, so an unchanged feed costs its server almost nothing."""

    __tablename__ = "news_feed"
    __table_args__ = (
        sa.CheckConstraint(f"interval_minutes IN {INTERVALS}", name="known_interval"),
        sa.CheckConstraint("language IN ('de', 'en')", name="known_language"),
        sa.CheckConstraint("source_class IN ('external', 'own')", name="known_source_class"),
    )

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(sa.String(120))
    url: Mapped[str] = mapped_column(sa.String(2000), unique=True)
    trusted: Mapped[bool_false]
    paused: Mapped[bool_false]
    language: Mapped[str] = mapped_column(sa.String(2), default="de")
    source_class: Mapped[str] = mapped_column(sa.String(10), default="own")
    topics: Mapped[str] = mapped_column(sa.String(500), default="")  # comma-separated names
    interval_minutes: Mapped[int] = mapped_column(default=60)
    etag: Mapped[str | None] = mapped_column(sa.String(300))
    last_modified: Mapped[str | None] = mapped_column(sa.String(100))
    last_checked_at: Mapped[dt.datetime | None]
    last_success_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(300))
    failures: Mapped[int] = mapped_column(default=0)  # checks failed in a row
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    created_by: Mapped[User | None] = relationship()

    @property
    def topic_list(self) -> list[str]:
        return [t.strip() for t in self.topics.split(",") if t.strip()]


class FeedEntry(Base):
    """An entry taken from a feed, by its link: never taken twice. `item_id` is the item
    made of it (NULL for a link already in the library, or once the item is deleted)."""

    __tablename__ = "feed_entry"
    __table_args__ = (
        sa.UniqueConstraint("feed_id", "url", name="uq_feed_entry_feed_id_url"),
        sa.CheckConstraint(f"outcome IN {OUTCOMES}", name="known_outcome"),
        sa.Index("ix_feed_entry_item_id", "item_id"),
    )

    id: Mapped[intpk]
    feed_id: Mapped[int] = mapped_column(sa.ForeignKey("news_feed.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(sa.String(2000))
    title: Mapped[str] = mapped_column(sa.String(200))
    outcome: Mapped[str] = mapped_column(sa.String(10))
    item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("content_item.id", ondelete="SET NULL"))
    seen_at: Mapped[dt.datetime]

    item: Mapped[ContentItem | None] = relationship()
