"""Report cells: the unfiltered figures of every calendar week, month and quarter, per
slice, kept by the rollup job so that the common reports read a few rows (see
`advocacy.reports.models.ReportCell`).

Correctness never depends on the cells being there: `rollup.rebuild_days` deletes the
cells of every bucket whose days it recomputes, `read` answers None when a bucket has no
cells or its tier and group cells were computed for other memberships, and the report
then computes live from the rollups.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.core.models import JobState
from advocacy.people.models import User, user_group
from advocacy.reports.activity import Filters, live_activity
from advocacy.reports.models import CELL_SLICES, COUNTS, METRICS, ActivityRollup, ReportCell
from advocacy.reports.periods import Period, make_period
from advocacy.reports.rollup import cell_buckets

FIGURES = COUNTS + METRICS  # a cell's values, in the order the report reads them

log = logging.getLogger(__name__)

PRINT_BOOKMARK = "report-cells-people"
MEMBERSHIP_SLICES = ("tier", "group")
_PRIME = 4_294_967_311
_SCRAMBLE = 2_654_435_761


def people_print(session: Session) -> int:
    """A fingerprint of who is in which tier and group. Any move, arrival or departure
    changes it (two sums of scrambled pairs; a collision would need two changes that
    cancel out exactly in both)."""
    parts: list[int] = []
    for table, person, value in ((user_group, user_group.c.user_id, user_group.c.group_id),
                                 (User.__table__, User.id, User.tier_id)):
        scrambled = sa.cast(person, sa.BigInteger) * _SCRAMBLE % _PRIME
        row = session.execute(sa.select(
            sa.func.count(), sa.func.coalesce(sa.func.sum(scrambled * (value + 1)), 0),
            sa.func.coalesce(sa.func.sum(scrambled % 65_521 * (value + 7)), 0))
            .select_from(table)).one()
        parts.extend(int(number) for number in row)
    fingerprint = 0
    for number in parts:
        fingerprint = (fingerprint * 1_000_003 + number) % (2**61 - 1)
    return fingerprint


def _key(slice_: str, text: str) -> Any:
    if slice_ == "total" or text == "":
        return None
    return text if slice_ == "network" else int(text)


def read(session: Session, period: Period, by: str | None) -> dict[Any, tuple[int, ...]] | None:
    """The cells of an unfiltered calendar period for `by`, or None when they cannot be
    used (not computed yet, or computed for other tier or group memberships)."""
    if period.kind not in ("week", "month", "quarter"):
        return None
    slice_ = by or "total"
    rows = list(session.scalars(sa.select(ReportCell).where(
        ReportCell.kind == period.kind, ReportCell.start == period.first,
        ReportCell.slice.in_({slice_, "total"}))))
    marker = next((row for row in rows if row.slice == "total"), None)
    if marker is None:
        return None
    if slice_ in MEMBERSHIP_SLICES and marker.people_print != people_print(session):
        return None
    return {_key(slice_, row.key): _values(row) for row in rows if row.slice == slice_}


def _values(row: ReportCell) -> tuple[int, ...]:
    return tuple(getattr(row, name) for name in FIGURES)


def month_totals(session: Session, months: list[dt.date]) -> dict[dt.date, tuple[int, ...]] | None:
    """The unfiltered totals of whole months (chart points), or None if one is missing."""
    rows = session.scalars(sa.select(ReportCell).where(
        ReportCell.kind == "month", ReportCell.start.in_(months), ReportCell.slice == "total"))
    found = {row.start: _values(row) for row in rows}
    return found if len(found) == len(set(months)) else None


def _compute(session: Session, kind: str, start: dt.date, slices: tuple[str, ...],
             fingerprint: int) -> None:
    period = make_period(kind, start)
    session.execute(sa.delete(ReportCell).where(
        ReportCell.kind == kind, ReportCell.start == start, ReportCell.slice.in_(slices)))
    rows = []
    for slice_ in slices:
        activity = live_activity(session, period, Filters(), None if slice_ == "total"
                                 else slice_)
        if slice_ == "total":
            activity = activity or {None: (0,) * len(FIGURES)}
        for key, values in activity.items():
            rows.append({"kind": kind, "start": start, "slice": slice_,
                         "key": "" if key is None else str(key), "people_print": fingerprint,
                         **dict(zip(FIGURES, values, strict=True))})
    if rows:
        session.execute(sa.insert(ReportCell), rows)
    if "total" not in slices:  # the marker says for which memberships the cells are
        session.execute(sa.update(ReportCell).where(
            ReportCell.kind == kind, ReportCell.start == start, ReportCell.slice == "total")
            .values(people_print=fingerprint))


def refresh(session: Session, today: dt.date) -> int:
    """Compute the cells of every bucket from the first activity to the end of today's
    quarter that has none (empty ones too, so a chart of the current quarter needs no
    rollups), and the tier and group cells of all of them after memberships changed;
    return how many buckets were computed."""
    fingerprint = people_print(session)
    state = session.get(JobState, PRINT_BOOKMARK) or JobState(key=PRINT_BOOKMARK, value=0)
    first = session.scalar(sa.select(sa.func.min(ActivityRollup.start))
                           .where(ActivityRollup.grain == "day"))
    last = make_period("quarter", today).last
    wanted = set()
    day = first or last + dt.timedelta(days=1)
    while day <= last:
        wanted.update(cell_buckets(day))
        day += dt.timedelta(days=1)
    have = {(kind, start) for kind, start in session.execute(
        sa.select(ReportCell.kind, ReportCell.start).where(ReportCell.slice == "total"))}
    for kind, start in sorted(wanted - have):
        _compute(session, kind, start, CELL_SLICES, fingerprint)
    stale: set[tuple[str, dt.date]] = set()
    if state.value != fingerprint:
        stale = have & wanted
        for kind, start in sorted(stale):
            _compute(session, kind, start, MEMBERSHIP_SLICES, fingerprint)
        state.value = fingerprint
        session.add(state)
    session.flush()
    done = len(wanted - have) + len(stale)
    if done:
        log.info("report cells computed for %d periods", done)
    return done
