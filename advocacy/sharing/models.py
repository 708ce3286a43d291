"""Shares and the clicks on their tracked links."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.content.models import ContentItem
from advocacy.db import Base, created_at, intpk
from advocacy.people.models import User

# Ten million clicks fit an INTEGER on SQLite; PostgreSQL gets a BIGINT to be safe.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class Share(Base):
    """One person sharing one item on one network, with its own tracked link.

    The target URL and campaign slug are copied in when the share is made: the link in the
    post must keep leading where it led, even if the item is edited later.
    """

    __tablename__ = "share"
    __table_args__ = (
        sa.Index("ix_share_user_id_created_at", "user_id", "created_at"),
        sa.Index("ix_share_item_id", "item_id"),
        sa.Index("ix_share_created_at", "created_at"),
        sa.Index("ix_share_posted_at", "posted_at"),
    )

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("content_item.id", ondelete="RESTRICT"))
    tier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tier.id", ondelete="SET NULL"))
    network: Mapped[str] = mapped_column(sa.String(20))
    method: Mapped[str] = mapped_column(sa.String(10), default="intent", server_default="intent")
    share_text_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("share_text.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(sa.Text)
    edited: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    target_url: Mapped[str] = mapped_column(sa.String(2000))
    utm_campaign: Mapped[str | None] = mapped_column(sa.String(80))
    created_at: Mapped[created_at]
    # When the post went out: at once for share links; when the API confirmed it for
    # posts by API (NULL while queued, and for failed or cancelled ones).
    posted_at: Mapped[dt.datetime | None]
    followers: Mapped[int | None]  # of the account at share time: the estimated reach
    click_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # After the sharer's data were deleted: a negative number standing for "one former
    # colleague", the same on all their shares, so reports still count people right.
    anon_person: Mapped[int | None]

    user: Mapped[User | None] = relationship()
    item: Mapped[ContentItem] = relationship()
    post: Mapped[OutboxPost | None] = relationship(back_populates="share", uselist=False)


class Click(Base):
    """A visit through a tracked link, stored as it arrives and judged later.

    `counted` is NULL until the click job has looked at it: True for the first visit of a
    visitor within 24 hours, False for a repeat. The visitor is a hash of address and
    browser, salted per day, so neither can be read back nor followed across days.
    """

    __tablename__ = "click"
    __table_args__ = (
        sa.Index("ix_click_share_id_visitor_hash_clicked_at", "share_id", "visitor_hash",
                 "clicked_at"),
        sa.Index("ix_click_clicked_at", "clicked_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    share_id: Mapped[int] = mapped_column(sa.ForeignKey("share.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(sa.String(20))
    clicked_at: Mapped[dt.datetime]
    visitor_hash: Mapped[str] = mapped_column(sa.String(32))
    visitor_hash_prev: Mapped[str] = mapped_column(sa.String(32))  # with yesterday's salt
    counted: Mapped[bool | None]


POST_STATES = ("queued", "sending", "posted", "failed", "cancelled", "blocked")


class OutboxPost(Base):
    """A share that is posted through a network's API by the job, not by the browser.

    `queued` posts are sent when `run_at` has passed (a future `run_at` is a scheduled
    share); `sending` is claimed by the job; `blocked` waits for the account to be
    reconnected. The idempotency key goes to networks that accept one (Mastodon); for the
    others the job looks for the post before it tries again after an unknown outcome.
    """

    __tablename__ = "outbox_post"
    __table_args__ = (
        sa.CheckConstraint(
            "state IN ('queued', 'sending', 'posted', 'failed', 'cancelled', 'blocked')",
            name="known_state"),
        sa.Index("ix_outbox_post_state_run_at", "state", "run_at"),
        sa.Index("ix_outbox_post_account_id", "account_id"),
        sa.Index("ix_outbox_post_posted_at", "posted_at"),
        sa.Index("ix_outbox_post_metrics_at", "metrics_at"),
    )

    id: Mapped[intpk]
    share_id: Mapped[int] = mapped_column(sa.ForeignKey("share.id", ondelete="CASCADE"),
                                          unique=True)
    account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("social_account.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(sa.String(10), default="queued")
    idempotency_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    run_at: Mapped[dt.datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[dt.datetime | None]
    outcome_unknown: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    error_kind: Mapped[str | None] = mapped_column(sa.String(20))
    remote_id: Mapped[str | None] = mapped_column(sa.String(300))
    remote_url: Mapped[str | None] = mapped_column(sa.String(500))
    posted_at: Mapped[dt.datetime | None]
    deleted_at: Mapped[dt.datetime | None]
    # Engagement as the network reports it (measured), fetched for 14 days after posting.
    likes: Mapped[int | None]
    reposts: Mapped[int | None]
    replies: Mapped[int | None]
    impressions: Mapped[int | None]
    metrics_at: Mapped[dt.datetime | None]
    metrics_note: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[created_at]

    share: Mapped[Share] = relationship(back_populates="post")


class ShareMetric(Base):
    """One fetch of a post's engagement, kept so trends can be shown."""

    __tablename__ = "share_metric"
    __table_args__ = (sa.Index("ix_share_metric_share_id_fetched_at", "share_id", "fetched_at"),)

    id: Mapped[intpk]
    share_id: Mapped[int] = mapped_column(sa.ForeignKey("share.id", ondelete="CASCADE"))
    fetched_at: Mapped[dt.datetime]
    likes: Mapped[int | None]
    reposts: Mapped[int | None]
    replies: Mapped[int | None]
    impressions: Mapped[int | None]


DRAFT_STATES = ("proposed", "approved", "declined", "withdrawn")


class ExecutiveDraft(Base):
    """White glove: a post communications prepared for an executive. It is posted only
    after the executive approved it, from their own account, as edited by them."""

    __tablename__ = "executive_draft"
    __table_args__ = (
        sa.CheckConstraint("state IN ('proposed', 'approved', 'declined', 'withdrawn')",
                           name="known_state"),
        sa.Index("ix_executive_draft_executive_id_state", "executive_id", "state"),
    )

    id: Mapped[intpk]
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("content_item.id", ondelete="CASCADE"))
    executive_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    network: Mapped[str] = mapped_column(sa.String(20))
    text: Mapped[str] = mapped_column(sa.Text)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    post_at: Mapped[dt.datetime | None]
    state: Mapped[str] = mapped_column(sa.String(10), default="proposed")
    share_id: Mapped[int | None] = mapped_column(sa.ForeignKey("share.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None]
    created_at: Mapped[created_at]

    item: Mapped[ContentItem] = relationship()
    executive: Mapped[User] = relationship(foreign_keys=[executive_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
