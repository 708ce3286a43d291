"""Challenges and their fixed results."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.content.models import Campaign
from advocacy.db import Base, created_at, intpk
from advocacy.people.models import Group

KINDS = ("individual", "team")
METRICS = ("shares", "clicks")

challenge_group = sa.Table(
    "challenge_group", Base.metadata,
    sa.Column("challenge_id", sa.ForeignKey("challenge.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("group_id", sa.ForeignKey("org_group.id", ondelete="CASCADE"), primary_key=True),
)


class Challenge(Base):
    """Counts `metric` (optionally only for items of `campaign_id`) from `starts_on` to
    `ends_on`, days in the programme's time zone. A result below `minimum` does not place;
    the first `winners` places get `bonus_points` (a team's place: each active member).
    `settled_at` is set when the results were fixed and the points given."""

    __tablename__ = "challenge"
    __table_args__ = (
        sa.CheckConstraint(f"kind IN {KINDS}", name="known_kind"),
        sa.CheckConstraint(f"metric IN {METRICS}", name="known_metric"),
        sa.CheckConstraint("ends_on >= starts_on", name="period_in_order"),
        sa.CheckConstraint("minimum >= 1", name="minimum_positive"),
        sa.CheckConstraint("bonus_points BETWEEN 0 AND 1000", name="bonus_in_range"),
        sa.CheckConstraint("winners BETWEEN 1 AND 10", name="winners_in_range"),
        sa.Index("ix_challenge_ends_on", "ends_on"),
    )

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[str] = mapped_column(sa.String(10), default="individual")
    metric: Mapped[str] = mapped_column(sa.String(10), default="shares")
    campaign_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("campaign.id", ondelete="SET NULL"))
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    minimum: Mapped[int] = mapped_column(default=1)
    bonus_points: Mapped[int] = mapped_column(default=50)
    winners: Mapped[int] = mapped_column(default=3)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    settled_at: Mapped[dt.datetime | None]

    campaign: Mapped[Campaign | None] = relationship()
    groups: Mapped[list[Group]] = relationship(secondary=challenge_group,
                                               passive_deletes=True, order_by=Group.name)


class ChallengeResult(Base):
    """One place in a finished challenge: a person (individual) or a group (team, with its
    name then and its number of active members). Kept as fixed at the end, whatever later
    changes to the numbers."""

    __tablename__ = "challenge_result"
    __table_args__ = (
        sa.Index("ix_challenge_result_challenge_id_rank", "challenge_id", "rank"),
        sa.Index("ix_challenge_result_user_id", "user_id"),
    )

    id: Mapped[intpk]
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenge.id", ondelete="CASCADE"))
    rank: Mapped[int]
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("org_group.id", ondelete="SET NULL"))
    group_name: Mapped[str] = mapped_column(sa.String(120), default="")
    score: Mapped[float]  # a count, or a team's average per active member
    members: Mapped[int] = mapped_column(default=0)
    points: Mapped[int] = mapped_column(default=0)  # bonus per person on this place
