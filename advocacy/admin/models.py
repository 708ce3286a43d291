"""Programme settings an admin edits, stored as text by key."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.db import Base, intpk, utcnow


class Setting(Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SettingChange(Base):
    """A change of a setting a works agreement fixes, waiting for a second admin.

    An admin's change of a locked setting (see `advocacy.admin.agreement`) is kept here
    instead of applied; another admin confirms it (then it is applied) or anyone withdraws
    it. Both ends are in the audit log.
    """

    __tablename__ = "setting_change"
    __table_args__ = (
        sa.CheckConstraint("state IN ('pending', 'confirmed', 'withdrawn')", name="known_state"),
        sa.Index("ix_setting_change_state", "state"),
    )

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(sa.String(64))
    value: Mapped[str] = mapped_column(sa.Text)  # as stored (see services.stored_text)
    state: Mapped[str] = mapped_column(sa.String(10), default="pending")
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    requested_at: Mapped[dt.datetime]
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None]
