"""The worksheet (current answers), its saved versions, and the terms the feed ranks by."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.db import Base, utcnow
from advocacy.people.models import User


class Worksheet(Base):
    """One per person. Private: only the owner and the coach they named may read it."""

    __tablename__ = "worksheet"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # The Social-CEO questions (tier 1): answered step by step, not versioned.
    ceo: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # Coaching helpers: ticked profile checklists and this day's and week's routines.
    checks: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    version: Mapped[int] = mapped_column(default=0, server_default="0")
    completed_at: Mapped[dt.datetime | None]  # when all seven blocks were first filled
    coach_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    shared_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    coach: Mapped[User | None] = relationship(foreign_keys=[coach_id])


class WorksheetVersion(Base):
    """The answers as they were at each save that changed something."""

    __tablename__ = "worksheet_version"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("worksheet.user_id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(primary_key=True)
    saved_at: Mapped[dt.datetime]
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)


class BrandTerm(Base):
    """A topic or hashtag from someone's worksheet, lower-cased: the feed's ranking reads
    these rows instead of the JSON, so it stays one indexed lookup per item."""

    __tablename__ = "brand_term"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(8), primary_key=True)  # topic | hashtag
    term: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
