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
    click_count: Mapped[int] = mapped_column(default=0, server_default="0")

    user: Mapped[User | None] = relationship()
    item: Mapped[ContentItem] = relationship()


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
