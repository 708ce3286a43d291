"""The reward catalogue, redemptions, and what each person has spent."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.db import Base, bool_true, created_at, intpk
from advocacy.people.models import User

REDEMPTION_STATES = ("requested", "fulfilled", "cancelled")


class Reward(Base):
    """`stock` None: as many as wanted. An inactive reward stays for its redemptions."""

    __tablename__ = "reward"
    __table_args__ = (
        sa.CheckConstraint("price >= 1", name="price_positive"),
        sa.CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
    )

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    price: Mapped[int]
    stock: Mapped[int | None]
    active: Mapped[bool_true]
    created_at: Mapped[created_at]


class Redemption(Base):
    """A person exchanged `points` for a reward. `nonce` comes from the form that was sent,
    so a double click or a resent form redeems once."""

    __tablename__ = "redemption"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "nonce", name="uq_redemption_user_id_nonce"),
        sa.CheckConstraint(f"state IN {REDEMPTION_STATES}", name="known_state"),
        sa.Index("ix_redemption_state_requested_at", "state", "requested_at"),
        sa.Index("ix_redemption_reward_id", "reward_id"),
    )

    id: Mapped[intpk]
    reward_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("reward.id", ondelete="SET NULL"))
    reward_name: Mapped[str] = mapped_column(sa.String(120))  # as it was called then
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    points: Mapped[int]
    state: Mapped[str] = mapped_column(sa.String(10), default="requested")
    nonce: Mapped[str] = mapped_column(sa.String(32))
    note: Mapped[str] = mapped_column(sa.Text, default="")  # why it was cancelled
    requested_at: Mapped[dt.datetime]
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class PointWallet(Base):
    """Points a person has spent on rewards. Spendable = lifetime points - spent; the
    lifetime points (levels, leaderboards) never go down."""

    __tablename__ = "point_wallet"
    __table_args__ = (sa.CheckConstraint("spent >= 0", name="spent_not_negative"),)

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    spent: Mapped[int] = mapped_column(default=0)
