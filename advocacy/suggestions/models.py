"""A link an employee suggested, with what its page says about itself."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.content.models import ContentItem
from advocacy.db import Base, created_at, intpk
from advocacy.people.models import User

SUGGESTION_STATES = ("pending", "accepted", "declined")


class Suggestion(Base):
    """`item_id` is the content item communications made of it (a draft at first); the
    suggester's points for it are given once that item is approved."""

    __tablename__ = "suggestion"
    __table_args__ = (
        sa.CheckConstraint("state IN ('pending', 'accepted', 'declined')", name="known_state"),
        sa.Index("ix_suggestion_state_created_at", "state", "created_at"),
        sa.Index("ix_suggestion_user_id_created_at", "user_id", "created_at"),
        sa.Index("ix_suggestion_item_id", "item_id"),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(sa.String(2000))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # From the page's Open Graph tags; empty when it could not be read (`preview_error`).
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    image_url: Mapped[str] = mapped_column(sa.String(2000), default="")
    site_name: Mapped[str] = mapped_column(sa.String(200), default="")
    preview_error: Mapped[str | None] = mapped_column(sa.String(300))
    state: Mapped[str] = mapped_column(sa.String(10), default="pending")
    reason: Mapped[str] = mapped_column(sa.Text, default="")  # why it was declined
    item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("content_item.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None]
    created_at: Mapped[created_at]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    item: Mapped[ContentItem | None] = relationship()
