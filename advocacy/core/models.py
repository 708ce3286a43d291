"""Scheduler lease: the row that lets exactly one scheduler process run jobs."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.db import Base


class SchedulerLease(Base):
    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(120))
    acquired_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]


class JobState(Base):
    """A job's bookmark, e.g. the id of the last click the click job has judged."""

    __tablename__ = "job_state"

    key: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class AuditEvent(Base):
    """Who did what that others must be able to trace (pausing posts, viewing reports)."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.String(60))
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[dt.datetime]
