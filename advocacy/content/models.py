"""The content library: items with suggested share texts, topics, targeting and campaigns."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.db import Base, bool_false, created_at, intpk, utcnow
from advocacy.people.models import Group, Tier, User

STATES = ("draft", "review", "approved", "expired", "archived")
SOURCE_CLASSES = ("external", "own", "personal")  # the 5-3-2 rule: 5 external, 3 own, 2 personal
INTENTIONS = ("educate", "inform", "inspire", "entertain")

item_topic = sa.Table(
    "item_topic", Base.metadata,
    sa.Column("item_id", sa.ForeignKey("content_item.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("topic_id", sa.ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_item_topic_topic_id", "topic_id"),
)
item_tier = sa.Table(
    "item_tier", Base.metadata,
    sa.Column("item_id", sa.ForeignKey("content_item.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tier_id", sa.ForeignKey("tier.id", ondelete="CASCADE"), primary_key=True),
)
item_group = sa.Table(
    "item_group", Base.metadata,
    sa.Column("item_id", sa.ForeignKey("content_item.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("group_id", sa.ForeignKey("org_group.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_item_group_group_id", "group_id"),
)


class Topic(Base):
    __tablename__ = "topic"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(sa.String(60), unique=True)


class Campaign(Base):
    """Content grouped under one goal and period."""

    __tablename__ = "campaign"
    __table_args__ = (
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="period_in_order"),
    )

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)  # utm_campaign of its links
    goal: Mapped[str] = mapped_column(sa.Text, default="")
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date | None]
    created_at: Mapped[created_at]

    items: Mapped[list[ContentItem]] = relationship(back_populates="campaign")


class ContentItem(Base):
    """Something employees can share: a link with texts, an image and its rights.

    `live_from` is set on approval (the later of approval and `publish_at`); the feed shows
    approved items whose `live_from` has passed and whose `expire_at` has not.
    """

    __tablename__ = "content_item"
    __table_args__ = (
        sa.CheckConstraint(f"state IN {STATES}", name="known_state"),
        sa.CheckConstraint(f"source_class IN {SOURCE_CLASSES}", name="known_source_class"),
        sa.CheckConstraint(f"intention IN {INTENTIONS}", name="known_intention"),
        sa.CheckConstraint("language IN ('de', 'en')", name="known_language"),
        sa.CheckConstraint("expire_at IS NULL OR publish_at IS NULL OR expire_at > publish_at",
                           name="expires_after_publish"),
        sa.Index("ix_content_item_feed", "state", "language", "is_pinned", "live_from"),
        sa.Index("ix_content_item_campaign_id", "campaign_id"),
    )

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(sa.String(200))
    url: Mapped[str] = mapped_column(sa.String(2000))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    image_name: Mapped[str | None] = mapped_column(sa.String(80))
    image_alt: Mapped[str] = mapped_column(sa.String(300), default="")
    image_licence: Mapped[str] = mapped_column(sa.String(300), default="")
    image_credit: Mapped[str] = mapped_column(sa.String(300), default="")
    image_licence_ends_on: Mapped[dt.date | None]
    hashtags: Mapped[str] = mapped_column(sa.String(500), default="")
    language: Mapped[str] = mapped_column(sa.String(2), default="de", server_default="de")
    source_class: Mapped[str] = mapped_column(sa.String(10), default="own",
                                              server_default="own")
    intention: Mapped[str] = mapped_column(sa.String(10), default="inform",
                                           server_default="inform")
    campaign_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("campaign.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(sa.String(10), default="draft", server_default="draft")
    publish_at: Mapped[dt.datetime | None]
    expire_at: Mapped[dt.datetime | None]
    live_from: Mapped[dt.datetime | None]
    is_pinned: Mapped[bool_false]
    # Communications' suggestion for when to post (offered when scheduling a share).
    suggested_post_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    approved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    approved_at: Mapped[dt.datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.String(20))
    # A group deletion took the last group it was aimed at: it may not be published (and is
    # in no feed) until communications choose its audience again (advocacy.group_removal).
    targets_removed: Mapped[bool_false]
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Pre-aggregated by the share and click services, so lists never count rows.
    share_count: Mapped[int] = mapped_column(default=0, server_default="0")
    click_count: Mapped[int] = mapped_column(default=0, server_default="0")

    campaign: Mapped[Campaign | None] = relationship(back_populates="items")
    topics: Mapped[list[Topic]] = relationship(secondary=item_topic, passive_deletes=True,
                                               order_by=Topic.name)
    target_tiers: Mapped[list[Tier]] = relationship(secondary=item_tier, passive_deletes=True)
    target_groups: Mapped[list[Group]] = relationship(secondary=item_group,
                                                      passive_deletes=True)
    share_texts: Mapped[list[ShareText]] = relationship(
        back_populates="item", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ShareText.position")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])

    @property
    def hashtag_list(self) -> list[str]:
        return self.hashtags.split()

    def is_live(self, now: dt.datetime) -> bool:
        return (self.state == "approved" and self.live_from is not None
                and self.live_from <= now and (self.expire_at is None or self.expire_at > now))


class ShareText(Base):
    """A suggested text: for one network or any (NULL), optionally for one tier only."""

    __tablename__ = "share_text"
    __table_args__ = (sa.Index("ix_share_text_item_id", "item_id"),)

    id: Mapped[intpk]
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("content_item.id", ondelete="CASCADE"))
    network: Mapped[str | None] = mapped_column(sa.String(20))
    tier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tier.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    # How often this variant was chosen, so the next sharer gets the least used one.
    times_used: Mapped[int] = mapped_column(default=0, server_default="0")

    item: Mapped[ContentItem] = relationship(back_populates="share_texts")
