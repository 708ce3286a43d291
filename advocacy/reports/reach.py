"""The reach report: the programme's figures for a period, sliced, beside the period before.

Everything is read from the rollups (`advocacy.reports.models`), never from raw clicks.
Tier and group are the ones people have today; people whose data were deleted count in
the totals as "former colleagues". In works-council mode every cell and chart point is
protected by `advocacy.suppression`, and filters that would single people out are
refused before anything is computed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.content.models import Campaign
from advocacy.people.models import Group, User, user_group
from advocacy.reports import cells as report_cells
from advocacy.reports.activity import (
    EMPTY,
    POPULATION_FILTERS,
    Filters,
    R,
    activity_columns,
    conditions,
    enrolled,
    live_activity,
)
from advocacy.reports.models import COUNTS, METRICS
from advocacy.reports.periods import Period
from advocacy.reports.ranking import Advocate, Ranked, top_advocates, top_items, top_topics
from advocacy.suppression import CELL, PARTS, hides, protect, too_small


@dataclass(frozen=True)
class Figures:
    """One cell: a slice of the programme in one period. The counts of people say who
    stands behind which figures (see `advocacy.suppression`); `hidden` names the parts
    that must not be shown."""

    key: Any
    population: int | None  # enrolled people the cell is about, where it is about people
    people: int = 0  # active advocates: shared at least once
    contributors: int = 0  # people behind any of the figures (shares or clicks)
    clickers: int = 0  # people whose links were clicked
    api_people: int = 0  # people who shared by API
    link_people: int = 0  # people who shared by share link
    measured_people: int = 0  # people whose posts a network measured (interactions)
    impression_people: int = 0  # people whose posts had impressions
    follower_people: int = 0  # people whose reach came from a connected account
    reported_people: int = 0  # people whose reach came from a count they entered
    shares: int = 0
    api_shares: int = 0
    reach: int = 0
    clicks: int = 0
    interactions: int = 0
    engaged_reach: int = 0
    impressions: int = 0
    impression_clicks: int = 0
    measured_shares: int = 0
    follower_shares: int = 0
    follower_reach: int = 0
    reported_shares: int = 0
    reported_reach: int = 0
    hidden: frozenset[str] = frozenset()

    @classmethod
    def of(cls, key: Any, population: int | None, values: Sequence[int]) -> Figures:
        """A cell from its counts of people and sums, in the order of COUNTS + METRICS."""
        return cls(key, population, **dict(zip(COUNTS + METRICS, values, strict=True)))

    @property
    def suppressed(self) -> bool:
        return CELL in self.hidden

    def shows(self, part: str) -> bool:
        return not hides(self, part)

    @property
    def link_shares(self) -> int:
        return self.shares - self.api_shares

    @property
    def participation(self) -> float | None:
        return 100 * self.people / self.population if self.population else None

    @property
    def engagement_rate(self) -> float | None:
        return 100 * self.interactions / self.engaged_reach if self.engaged_reach else None

    @property
    def ctr(self) -> float | None:
        return 100 * self.impression_clicks / self.impressions if self.impressions else None

    def _part_of_shares(self, shares: int) -> float | None:
        return 100 * shares / self.shares if self.shares else None

    @property
    def impressions_coverage(self) -> float | None:
        """The share of shares (percent) whose impressions a network measured."""
        return self._part_of_shares(self.measured_shares)

    @property
    def follower_coverage(self) -> float | None:
        """The share of shares whose reach is a follower count read from an account."""
        return self._part_of_shares(self.follower_shares)

    @property
    def reported_coverage(self) -> float | None:
        """The share of shares whose reach is a follower count the sharer entered."""
        return self._part_of_shares(self.reported_shares)

    @property
    def unreached_coverage(self) -> float | None:
        """The share of shares with no reach figure at all."""
        return self._part_of_shares(self.shares - self.follower_shares - self.reported_shares)


@dataclass(frozen=True)
class Rates:
    """What the company pays elsewhere per 1,000 impressions and per click, per network."""

    cpm: float
    cpc: float


@dataclass(frozen=True)
class Value:
    """Earned media value in its two parts, never added into one number: the value of the
    impressions networks measured (impressions / 1000 x CPM) and the value of the clicks
    (clicks x CPC), each with its network's own rates. A part is None where it would rest
    on fewer than k people."""

    impressions: float | None
    clicks: float | None


def emv(total: Figures, cells: Sequence[Figures], rates: Mapping[str, Rates]) -> Value | None:
    """The value of a period from its network cells; None when no rates are set.

    A part is shown only when the total shows it and no network cell hides it: with the
    total of a figure and its value (a sum weighted by each network's rate), two hidden
    networks would be two equations in two unknowns.
    """
    if not rates:
        return None

    def part(name: str, worth: Any) -> float | None:
        if not total.shows(name) or not all(cell.shows(name) for cell in cells):
            return None
        return sum(worth(cell, rates[cell.key]) for cell in cells if cell.key in rates)

    return Value(part("impressions", lambda cell, rate: cell.impressions / 1000 * rate.cpm),
                 part("clicks", lambda cell, rate: cell.clicks * rate.cpc))


def figures(session: Session, period: Period, filters: Filters, by: str | None = None,
            negate: str | None = None) -> list[Figures]:
    """The period's cells, one per value of `by` (or one total), with their populations.
    Unfiltered calendar weeks, months and quarters come from the report cells when the
    job has computed them; anything else takes one query for the activity. One more query
    counts the enrolled people."""
    activity = None
    if not filters.active() and negate is None:
        activity = report_cells.read(session, period, by)
    if activity is None:
        activity = live_activity(session, period, filters, by, negate)
    populations = _populations(session, filters, by, negate)
    # In the order of their keys (nothing else), so the same data give the same table
    # whatever order a database returns groups in.
    keys = sorted(set(populations) | set(activity), key=_order)
    found = []
    for cell_key in keys:
        # None for networks and campaigns, and for former colleagues (no population)
        found.append(Figures.of(cell_key, populations.get(cell_key),
                                activity.get(cell_key, EMPTY)))
    return found


def _order(key: Any) -> tuple[bool, Any]:
    """None (former colleagues, no campaign) last; ids by number, networks by name."""
    return (key is None, key if key is not None else 0)


def _populations(session: Session, filters: Filters, by: str | None,
                 negate: str | None) -> dict[Any, int]:
    people = enrolled(negate, filters).subquery()
    if by is None:
        return {None: session.scalar(sa.select(sa.func.count(sa.distinct(people.c.id)))) or 0}
    if by == "tier":
        return dict(session.execute(
            sa.select(User.tier_id, sa.func.count(sa.distinct(User.id)))
            .where(User.id.in_(sa.select(people.c.id))).group_by(User.tier_id)).all())
    if by == "group":
        counts = dict(session.execute(
            sa.select(user_group.c.group_id, sa.func.count(sa.distinct(user_group.c.user_id)))
            .where(user_group.c.user_id.in_(sa.select(people.c.id)))
            .group_by(user_group.c.group_id)).all())
        if filters.group is not None and negate != "group":
            return {filters.group: counts.get(filters.group, 0)}
        return counts
    return {}


def population(session: Session, filters: Filters, negate: str | None = None) -> int:
    """Enrolled people in the filters' tier and group (one of them negated)."""
    return _populations(session, filters, None, negate)[None]


def refusal(session: Session, periods: Sequence[Period], filters: Filters, k: int) -> str | None:
    """Why these filters must not be shown, or None.

    A selection of fewer than k people is refused outright. So is a filter whose opposite
    (the rest of the report without it) rests on fewer than k people in any part of the
    figures: with the report without that filter, a subtraction would give them back.
    """
    if set(filters.active()) & set(POPULATION_FILTERS) and population(session, filters) < k:
        return "selection"
    if not filters.active():
        return None
    for name in filters.active():
        if name in POPULATION_FILTERS and 0 < population(session, filters, negate=name) < k:
            return "difference"
    for period in periods:
        shown = _total(session, period, filters)
        for name in filters.active():
            wider = _total(session, period, filters.without(name))
            rest = _total(session, period, filters, negate=name)
            if any(not too_small(shown, k, part) and not too_small(wider, k, part)
                   and too_small(rest, k, part) for part in PARTS):
                return "difference"
    return None


def _total(session: Session, period: Period, filters: Filters,
           negate: str | None = None) -> Figures:
    """The activity of a selection, without its population (one query)."""
    return Figures.of(None, None, live_activity(session, period, filters, None, negate)
                      .get(None, EMPTY))


def slice_table(session: Session, period: Period, filters: Filters, by: str | None, k: int | None,
                total: Figures | None = None) -> list[Figures]:
    """The cells of one table, protected when `k` is given. Tiers divide the people;
    groups do not (a person may be in several or none), so each group is also checked
    against the total it is part of (`total`, when the caller has it already; its counts
    are the same whether or not parts of it are hidden)."""
    cells = figures(session, period, filters, by)
    if not k:
        return cells
    whole = None
    if by == "group":
        whole = total if total is not None else figures(session, period, filters)[0]
    return protect(cells, k, disjoint=by in (None, "tier"), whole=whole)


def labels(session: Session, by: str, keys: Sequence[Any]) -> dict[Any, str]:
    """Names for the keys of a slice (tier and network names are the caller's)."""
    wanted = [key for key in keys if key is not None]
    if by == "group" and wanted:
        return dict(session.execute(
            sa.select(Group.id, Group.name).where(Group.id.in_(wanted))).all())
    if by == "campaign" and wanted:
        return dict(session.execute(
            sa.select(Campaign.id, Campaign.name).where(Campaign.id.in_(wanted))).all())
    return {}


@dataclass(frozen=True)
class Point:
    first: Any
    last: Any
    cell: Figures


def trend(session: Session, period: Period, filters: Filters, k: int | None) -> list[Point]:
    """The chart points of the period (days, or months for long periods), protected like
    a table: the period's total is shown too, so a lone hidden point is not enough.
    Whole days or months come from one grouped query; a month cut by the period's edge
    from one query of its own."""
    spans = period.points()
    grain = "day" if spans[0][0] == spans[0][1] else "month"
    whole = [first for first, last in spans
             if grain == "day" or (first.day == 1 and (last + dt.timedelta(days=1)).day == 1)]
    found: dict[dt.date, Figures] = {}
    cached = None
    if whole and grain == "month" and not filters.active():
        cached = report_cells.month_totals(session, whole)
    if cached is not None:
        found = {start: Figures.of(start, None, values) for start, values in cached.items()}
    elif whole:
        rows = session.execute(
            sa.select(R.start, *activity_columns())
            .where(R.grain == grain, R.start.in_(whole), *conditions(filters, None))
            .group_by(R.start))
        found = {start: Figures.of(start, None, [int(value) for value in values])
                 for start, *values in rows}
    points = []
    for first, last in spans:
        if first in whole:
            cell = found.get(first, Figures(first, None))
        else:
            cell = dataclasses.replace(
                figures(session, Period("custom", first, last), filters)[0], population=None)
        points.append(Point(first, last, cell))
    if k:
        cells = protect([point.cell for point in points], k)
        points = [Point(point.first, point.last, cell)
                  for point, cell in zip(points, cells, strict=True)]
    return points


INDIVIDUALS = ("none", "opted_in", "all")


@dataclass(frozen=True)
class Request:
    period: Period
    filters: Filters
    by: str


@dataclass(frozen=True)
class Row:
    key: Any
    current: Figures
    previous: Figures


@dataclass(frozen=True)
class Report:
    request: Request
    previous: Period
    k: int | None
    refused: str | None
    total: Row | None = None
    rows: list[Row] = dataclasses.field(default_factory=list)
    emv: tuple[Value | None, Value | None] = (None, None)
    trend: list[Point] = dataclasses.field(default_factory=list)
    items: list[Ranked] = dataclasses.field(default_factory=list)
    topics: list[Ranked] = dataclasses.field(default_factory=list)
    advocates: list[Advocate] | None = None


def _pair(current: list[Figures], previous: list[Figures]) -> list[Row]:
    """Cells of both periods side by side, keyed like the current period's cells (a key
    only the previous period has gets an empty current cell)."""
    before = {cell.key: cell for cell in previous}
    now = {cell.key: cell for cell in current}
    keys = list(now) + [key for key in before if key not in now]
    empty = Figures(None, None)
    return [Row(key, now.get(key, dataclasses.replace(empty, key=key)),
                before.get(key, dataclasses.replace(empty, key=key))) for key in keys]


def build(session: Session, request: Request, k: int | None, individuals: str,
          rates: Mapping[str, Rates]) -> Report:
    """Everything the reach page and its exports show, protected when `k` is given."""
    previous = request.period.previous()
    periods = (request.period, previous)
    refused = refusal(session, periods, request.filters, k) if k else None
    if refused:
        return Report(request, previous, k, refused)
    totals = [slice_table(session, period, request.filters, None, k)[0] for period in periods]
    networks = [slice_table(session, period, request.filters, "network", k)
                for period in periods]
    if request.by == "network":
        rows = _pair(*networks)
    else:
        rows = _pair(*(slice_table(session, period, request.filters, request.by, k, total)
                       for period, total in zip(periods, totals, strict=True)))
    values = tuple(emv(total, cells, rates) for total, cells in zip(totals, networks, strict=True))
    campaign = request.filters.campaign
    advocates = None
    if individuals != "none":
        advocates = top_advocates(session, request.period, request.filters,
                                  opted_in_only=individuals == "opted_in")
    return Report(
        request, previous, k, None, Row(None, *totals), rows, values,  # type: ignore[arg-type]
        trend(session, request.period, request.filters, k),
        top_items(session, request.period, campaign, k),
        top_topics(session, request.period, campaign, k), advocates)
