"""Points: an append-only ledger and the running totals the leaderboards read."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.db import Base, created_at, intpk

REASONS = ("share", "first_share", "unique_click", "guidelines_ack")
PERIODS = ("day", "week", "month", "quarter", "all")


class PointEntry(Base):
    """Why someone got points. One entry per reason and reference, enforced by the
    database, so a retried job or a double click cannot award twice."""

    __tablename__ = "point_entry"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "reason", "ref_type", "ref_id"),
        sa.Index("ix_point_entry_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    points: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.String(30))
    ref_type: Mapped[str] = mapped_column(sa.String(20))
    ref_id: Mapped[int]
    capped: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[created_at]


class PointTotal(Base):
    """Points of one person in one period (the day, ISO week, month, quarter, or "all" with
    period_start 1970-01-01). `reached_at` is when the total last grew: on a tie, whoever
    got there first ranks higher."""

    __tablename__ = "point_total"
    __table_args__ = (
        sa.CheckConstraint("period IN ('day', 'week', 'month', 'quarter', 'all')",
                           name="known_period"),
        sa.Index("ix_point_total_ranking", "period", "period_start", "points", "reached_at"),
    )

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    period: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    period_start: Mapped[dt.date] = mapped_column(primary_key=True)
    points: Mapped[int] = mapped_column(default=0)
    reached_at: Mapped[dt.datetime]




class UserBadge(Base):
    """A badge someone earned; each at most once (the primary key)."""

    __tablename__ = "user_badge"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    badge: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    awarded_at: Mapped[dt.datetime]
