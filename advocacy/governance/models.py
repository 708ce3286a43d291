"""Social-media guidelines, versioned, and who acknowledged which version when."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.db import Base, intpk
from advocacy.people.models import User


class Guideline(Base):
    __tablename__ = "guideline"

    id: Mapped[intpk]
    version: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body_html: Mapped[str] = mapped_column(sa.Text)
    published_at: Mapped[dt.datetime]
    published_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    published_by: Mapped[User | None] = relationship()


class GuidelineAck(Base):
    __tablename__ = "guideline_ack"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    guideline_id: Mapped[int] = mapped_column(sa.ForeignKey("guideline.id", ondelete="CASCADE"),
                                              primary_key=True)
    acknowledged_at: Mapped[dt.datetime]
