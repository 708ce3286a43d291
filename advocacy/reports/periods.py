"""Report periods: a week, month, quarter or chosen range of days, and the one before it.

Days are whole days in the programme's time zone, both ends included. The previous period
of a week, month or quarter is the calendar one before; of a chosen range, the same number
of days just before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from advocacy.reports.models import ActivityRollup, ItemRollup
from advocacy.reports.rollup import month_start, next_month, quarter_start

KINDS = ("week", "month", "quarter", "custom")
LONGEST = dt.timedelta(days=366 * 2)


@dataclass(frozen=True)
class Period:
    kind: str
    first: dt.date
    last: dt.date  # included

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        if self.kind == "week":
            return Period("week", self.first - dt.timedelta(days=7),
                          self.first - dt.timedelta(days=1))
        if self.kind == "month":
            end = self.first - dt.timedelta(days=1)
            return Period("month", end.replace(day=1), end)
        if self.kind == "quarter":
            end = self.first - dt.timedelta(days=1)
            return Period("quarter", quarter_start(end), end)
        return Period("custom", self.first - dt.timedelta(days=self.days),
                      self.first - dt.timedelta(days=1))

    def buckets(self) -> tuple[list[dt.date], list[dt.date]]:
        """Whole months inside the period, and the days outside those months."""
        months: list[dt.date] = []
        month = month_start(self.first)
        if month < self.first:
            month = next_month(month)
        while next_month(month) - dt.timedelta(days=1) <= self.last:
            months.append(month)
            month = next_month(month)
        covered = set()
        for month in months:
            covered.update(_days(month, next_month(month) - dt.timedelta(days=1)))
        days = [day for day in _days(self.first, self.last) if day not in covered]
        return months, days

    def rows(self, table: type[ActivityRollup] | type[ItemRollup]) -> sa.ColumnElement[bool]:
        """The condition selecting this period's rollup rows: months where whole, days
        at the edges. Never both for the same day, so nothing is counted twice."""
        months, days = self.buckets()
        parts = []
        if months:
            parts.append(sa.and_(table.grain == "month", table.start >= months[0],
                                 table.start <= months[-1]))
        if days:
            parts.append(sa.and_(table.grain == "day", table.start.in_(days)))
        return sa.or_(*parts) if parts else sa.false()

    def points(self) -> list[tuple[dt.date, dt.date]]:
        """The chart points: days for up to two months, calendar months beyond."""
        if self.days <= 62:
            return [(day, day) for day in _days(self.first, self.last)]
        points = []
        start = self.first
        while start <= self.last:
            end = min(next_month(start) - dt.timedelta(days=1), self.last)
            points.append((start, end))
            start = end + dt.timedelta(days=1)
        return points


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def make_period(kind: str, anchor: dt.date, last: dt.date | None = None) -> Period:
    """The week, month or quarter containing `anchor`, or the days anchor..last."""
    if kind == "week":
        first = anchor - dt.timedelta(days=anchor.weekday())
        return Period(kind, first, first + dt.timedelta(days=6))
    if kind == "month":
        first = anchor.replace(day=1)
        return Period(kind, first, next_month(first) - dt.timedelta(days=1))
    if kind == "quarter":
        first = quarter_start(anchor)
        end = next_month(next_month(next_month(first))) - dt.timedelta(days=1)
        return Period(kind, first, end)
    if kind == "custom" and last is not None:
        if last < anchor:
            raise ValueError("the period ends before it starts")
        if last - anchor > LONGEST:
            raise ValueError("the period is longer than two years")
        return Period(kind, anchor, last)
    raise ValueError(f"unknown period {kind!r}")
