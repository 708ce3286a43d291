"""Daily and monthly rollups the reports read instead of the raw shares and clicks.

One row per person, bucket, network and campaign (`ActivityRollup`), and one per item and
bucket (`ItemRollup`). A report for a quarter reads three month rows per person instead of
every click, so its cost follows the number of people, not the number of events. The rows
are recomputed from the raw tables by the rollup job (`advocacy.reports.rollup`), a day
at a time, so running it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.db import Base, intpk

GRAINS = ("day", "month")


class SummedFigures:
    """The figures that add up across people, days and networks. Declared once: the
    rollups, the report cells and the report read their names from `METRICS`."""

    shares: Mapped[int] = mapped_column(default=0)
    api_shares: Mapped[int] = mapped_column(default=0)
    reach: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # followers: estimated
    clicks: Mapped[int] = mapped_column(default=0)  # counted clicks on that day: measured
    # Engagement of the posts made that day, where the network reported it (measured), and
    # the followers of exactly those posts, so the rate divides like by like.
    interactions: Mapped[int] = mapped_column(default=0)
    engaged_reach: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Impressions where a network reported them, and the clicks on exactly those posts (CTR).
    impressions: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    impression_clicks: Mapped[int] = mapped_column(default=0)
    # Where reach comes from, and for how many shares (the report's coverage): shares whose
    # impressions a network measured, reach from follower counts read from connected
    # accounts, and from counts people entered themselves.
    measured_shares: Mapped[int] = mapped_column(default=0)
    follower_shares: Mapped[int] = mapped_column(default=0)
    follower_reach: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    reported_shares: Mapped[int] = mapped_column(default=0)
    reported_reach: Mapped[int] = mapped_column(sa.BigInteger, default=0)


METRICS = tuple(name for name in SummedFigures.__annotations__)
# How many different people stand behind a cell's figures (see `advocacy.suppression`):
# who shared, who is behind a share or a click, whose links were clicked, who shared by
# API, who by share link, whose posts a network measured (interactions), whose had
# impressions, and whose reach comes from a connected account's follower count or from a
# count they entered.
COUNTS = ("people", "contributors", "clickers", "api_people", "link_people",
          "measured_people", "impression_people", "follower_people", "reported_people")


class ActivityRollup(SummedFigures, Base):
    """What one person did in one bucket on one network for one campaign (or none).

    `person_id` is the user's id, deliberately without a foreign key: when a person's data
    are deleted, their rows get a new negative number, so the programme's figures stay
    right while nothing leads back to the person.
    """

    __tablename__ = "activity_rollup"
    __table_args__ = (
        sa.CheckConstraint("grain IN ('day', 'month')", name="known_grain"),
        sa.Index("ix_activity_rollup_grain_start", "grain", "start"),
        sa.Index("ix_activity_rollup_person_id", "person_id"),
    )

    id: Mapped[intpk]
    grain: Mapped[str] = mapped_column(sa.String(5))
    start: Mapped[dt.date]  # the day, or the first day of the month, in the programme's zone
    person_id: Mapped[int]
    network: Mapped[str] = mapped_column(sa.String(20))
    campaign_id: Mapped[int | None]


class ItemRollup(Base):
    """One item in one bucket: its shares, clicks, estimated reach, how many people shared
    it in that bucket and how many people's links to it were clicked (for the minimum
    group size of the top-items table)."""

    __tablename__ = "item_rollup"
    __table_args__ = (
        sa.CheckConstraint("grain IN ('day', 'month')", name="known_grain"),
        sa.Index("ix_item_rollup_grain_start", "grain", "start"),
    )

    id: Mapped[intpk]
    grain: Mapped[str] = mapped_column(sa.String(5))
    start: Mapped[dt.date]
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("content_item.id", ondelete="CASCADE"))
    shares: Mapped[int] = mapped_column(default=0)
    clicks: Mapped[int] = mapped_column(default=0)
    reach: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    sharers: Mapped[int] = mapped_column(default=0)
    clickers: Mapped[int] = mapped_column(default=0)  # people whose links were clicked


CELL_KINDS = ("week", "month", "quarter")
CELL_SLICES = ("total", "tier", "group", "network", "campaign")


class ReportCell(SummedFigures, Base):
    """The programme's figures for one calendar week, month or quarter, in total or per
    tier, group, network or campaign, as `advocacy.reports.reach.figures` computes them
    from the rollups without filters. An unfiltered report of such a period reads these
    few rows instead of one row per person, so its cost does not grow with the programme.

    The rollup job deletes a bucket's cells whenever it recomputes one of its days and then
    computes them again; a report finding no cells computes live. Tier and group cells
    depend on who is in which tier and group: they carry a fingerprint of those
    memberships (`people_print`) and are used only while it still matches.
    """

    __tablename__ = "report_cell"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('week', 'month', 'quarter')", name="known_kind"),
        sa.Index("ix_report_cell_kind_start_slice", "kind", "start", "slice"),
    )

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(sa.String(7))
    start: Mapped[dt.date]
    slice: Mapped[str] = mapped_column(sa.String(8))  # total, tier, group, network, campaign
    key: Mapped[str] = mapped_column(sa.String(40), default="")  # "" for none
    people_print: Mapped[int | None] = mapped_column(sa.BigInteger)  # tier and group only
    people: Mapped[int] = mapped_column(default=0)
    contributors: Mapped[int] = mapped_column(default=0)
    clickers: Mapped[int] = mapped_column(default=0)
    api_people: Mapped[int] = mapped_column(default=0)
    link_people: Mapped[int] = mapped_column(default=0)
    measured_people: Mapped[int] = mapped_column(default=0)
    impression_people: Mapped[int] = mapped_column(default=0)
    follower_people: Mapped[int] = mapped_column(default=0)
    reported_people: Mapped[int] = mapped_column(default=0)
