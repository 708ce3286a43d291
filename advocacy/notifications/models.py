"""A message for one person inside the platform."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.db import Base, intpk


class Notification(Base):
    """Stored as a kind and its parameters, not as text, so it reads in the language the
    person uses when they look (see `services.MESSAGES`)."""

    __tablename__ = "notification"
    __table_args__ = (
        sa.Index("ix_notification_user_id_created_at", "user_id", "created_at"),
        sa.Index("ix_notification_user_id_read_at", "user_id", "read_at"),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(30))
    params: Mapped[str] = mapped_column(sa.Text, default="{}")  # JSON
    link: Mapped[str] = mapped_column(sa.String(300), default="")  # a local path
    created_at: Mapped[dt.datetime]
    read_at: Mapped[dt.datetime | None]


class DigestSent(Base):
    """That a person's digest for one day or week went out: the job writes this row in
    the transaction that queues the mail, so a second run finds it and sends nothing."""

    __tablename__ = "digest_sent"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(6), primary_key=True)  # daily, weekly
    period_start: Mapped[dt.date] = mapped_column(primary_key=True)
    sent_at: Mapped[dt.datetime]
