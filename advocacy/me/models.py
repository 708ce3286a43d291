"""Requests to delete a person's data. The request outlives the person: after erasure it
keeps only who confirmed it, when, and the "former colleague" number their shares carry."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.db import Base, intpk
from advocacy.people.models import User

DELETION_STATES = ("pending", "done", "declined", "withdrawn")


class DeletionRequest(Base):
    """A person asked for their data to be deleted; an admin confirms or declines."""

    __tablename__ = "deletion_request"
    __table_args__ = (
        sa.CheckConstraint("state IN ('pending', 'done', 'declined', 'withdrawn')",
                           name="known_state"),
        sa.Index("ix_deletion_request_user_id", "user_id"),
        sa.Index("ix_deletion_request_state", "state"),
    )

    id: Mapped[intpk]
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(sa.String(10), default="pending")
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    requested_at: Mapped[dt.datetime]
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    answer: Mapped[str] = mapped_column(sa.Text, default="")  # why an admin declined
    former_person: Mapped[int | None]  # the negative number the shares carry afterwards

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
