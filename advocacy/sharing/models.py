"""Shares and the clicks on their tracked links."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

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
    post must keep leading where it led, even if the item is edited later. The post is
    kept in its three parts (the person's words, the disclosure line, the tracked link) and
    composed from them wherever it is sent or shown.
    """

    __tablename__ = "share"
    __table_args__ = (
        sa.Index("ix_share_user_id_created_at", "user_id", "created_at"),
        sa.Index("ix_share_item_id", "item_id"),
        sa.Index("ix_share_created_at", "created_at"),
        sa.Index("ix_share_posted_at", "posted_at"),
        sa.CheckConstraint("reach_source IS NULL OR reach_source IN ('followers', 'reported')",
                           name="known_reach_source"),
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
    text: Mapped[str] = mapped_column(sa.Text)  # the person's words
    disclosure: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str] = mapped_column(sa.String(2100), default="")
    edited: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    target_url: Mapped[str] = mapped_column(sa.String(2000))
    utm_campaign: Mapped[str | None] = mapped_column(sa.String(80))
    created_at: Mapped[created_at]
    # When the post went out: at once for share links; when the API confirmed it for
    # posts by API (NULL while queued, and for failed or cancelled ones).
    posted_at: Mapped[dt.datetime | None]
    # The sharer's followers on the network at share time, the estimated reach, and where
    # the count came from: read from their connected account ("followers") or entered by
    # them on their profile ("reported", LinkedIn, which does not give it to apps).
    followers: Mapped[int | None]
    reach_source: Mapped[str | None] = mapped_column(sa.String(10))
    click_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # After the sharer's data were deleted: a negative number standing for "one former
    # colleague", the same on all their shares, so reports still count people right.
    anon_person: Mapped[int | None]

    user: Mapped[User | None] = relationship()
    item: Mapped[ContentItem] = relationship()
    post: Mapped[OutboxPost | None] = relationship(back_populates="share", uselist=False)

    @property
    def body(self) -> str:
        """The words and the disclosure line: what a network shows above a link card."""
        return "\n\n".join(part for part in (self.text.strip(), self.disclosure.strip())
                            if part)

    @property
    def full(self) -> str:
        """The whole post as it is sent: words, disclosure line, and the link on its own line."""
        return f"{self.body}\n{self.link}" if self.body else self.link


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


class PostState(enum.StrEnum):
    """Where a post by API stands. Only advocacy.sharing.outbox.states changes it."""

    QUEUED = "queued"  # waits for its time (run_at), or for its account to be reconnected
    SENDING = "sending"  # claimed by the job; the request is under way
    UNKNOWN = "unknown"  # sent, no clear answer: the job settles it (look-up or safe resend)
    IN_DOUBT = "in_doubt"  # cannot be settled by asking: the person looks and decides
    POSTED = "posted"
    FAILED = "failed"  # certainly not on the network
    CANCELLED = "cancelled"


POST_STATES = tuple(state.value for state in PostState)


class OutboxPost(Base):
    """A share that is posted through a network's API by the job, not by the browser.

    The account it goes out from is the person's current one on that network, looked up
    when it is sent; while that account needs reconnecting a queued post simply waits. The
    idempotency key is the same on every attempt (Mastodon's Idempotency-Key, Bluesky's
    record key), so resending is harmless where a network takes one.
    """

    __tablename__ = "outbox_post"
    __table_args__ = (
        sa.CheckConstraint(
            "state IN ('queued', 'sending', 'unknown', 'in_doubt', 'posted', 'failed', "
            "'cancelled')", name="known_state"),
        sa.Index("ix_outbox_post_state_run_at", "state", "run_at"),
        sa.Index("ix_outbox_post_account_id", "account_id"),
        sa.Index("ix_outbox_post_posted_at", "posted_at"),
        sa.Index("ix_outbox_post_metrics_at", "metrics_at"),
    )

    id: Mapped[intpk]
    share_id: Mapped[int] = mapped_column(sa.ForeignKey("share.id", ondelete="CASCADE"),
                                          unique=True)
    # The account of the last attempt (history); sending uses the person's current one.
    account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("social_account.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(sa.String(10), default=PostState.QUEUED)
    idempotency_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    run_at: Mapped[dt.datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[dt.datetime | None]
    first_sent_at: Mapped[dt.datetime | None]  # the first attempt: look-ups start there
    # True while the outcome of an attempt is open and must be settled before sending.
    outcome_unknown: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # True for good once any attempt's outcome was open (a duplicate answer then means the
    # post is there).
    doubted: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    looked_at: Mapped[dt.datetime | None]  # the person went to look for a post in doubt
    last_error: Mapped[str | None] = mapped_column(sa.String(500))  # the network's words
    error_kind: Mapped[str | None] = mapped_column(sa.String(20))  # our reason code
    remote_id: Mapped[str | None] = mapped_column(sa.String(300))
    remote_url: Mapped[str | None] = mapped_column(sa.String(500))
    posted_at: Mapped[dt.datetime | None]
    deleted_at: Mapped[dt.datetime | None]
    # What the network billed for the post (X), in the network's currency.
    cost: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 4))
    # Engagement as the network reports it (measured), fetched for 14 days after posting.
    likes: Mapped[int | None]
    reposts: Mapped[int | None]
    replies: Mapped[int | None]
    impressions: Mapped[int | None]
    metrics_at: Mapped[dt.datetime | None]
    metrics_note: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[created_at]

    share: Mapped[Share] = relationship(back_populates="post")


class NetworkBudget(Base):
    """An admin's monthly budget for posting by API on a network that bills per post (X),
    and the stop that holds while the budget or the network's usage cap is used up."""

    __tablename__ = "network_budget"
    __table_args__ = (
        sa.CheckConstraint("stop_reason IS NULL OR stop_reason IN ('budget', 'capped')",
                           name="known_stop_reason"),
    )

    network: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    monthly_posts: Mapped[int | None]  # None: no limit by count
    monthly_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))  # None: none
    stopped_until: Mapped[dt.datetime | None]
    stop_reason: Mapped[str | None] = mapped_column(sa.String(10))
    stop_note: Mapped[str] = mapped_column(sa.String(300), default="")
    notified_at: Mapped[dt.datetime | None]  # admins were mailed about the current stop


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
