"""The reach report: the programme's figures for a period, sliced, beside the period before.

Everything is read from the rollups (`advocacy.reports.models`), never from raw clicks.
Tier and group are the ones people have today; people whose data were deleted count in
the totals as "former colleagues". In works-council mode every cell and chart point is
protected by `advocacy.reports.privacy`, and filters that would single people out are
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

from advocacy.content.models import Campaign, ContentItem, Topic, item_topic
from advocacy.people.models import Group, User, UserRole, user_group
from advocacy.reports import cells as report_cells
from advocacy.reports.models import ActivityRollup, ItemRollup
from advocacy.reports.periods import Period
from advocacy.reports.privacy import protect
from advocacy.reports.rollup import METRICS

R = ActivityRollup
SUMS = METRICS
SLICES = ("tier", "group", "network", "campaign")
POPULATION_FILTERS = ("tier", "group")


@dataclass(frozen=True)
class Filters:
    tier: int | None = None
    group: int | None = None
    network: str | None = None
    campaign: int | None = None

    def active(self) -> list[str]:
        return [name for name in SLICES if getattr(self, name) is not None]

    def without(self, name: str) -> Filters:
        return dataclasses.replace(self, **{name: None})


@dataclass(frozen=True)
class Figures:
    """One cell: a slice of the programme in one period."""

    key: Any
    population: int | None  # enrolled people the cell is about, where it is about people
    people: int  # active advocates: shared at least once
    contributors: int  # people behind any of the figures (shares or clicks)
    shares: int = 0
    api_shares: int = 0
    reach: int = 0
    clicks: int = 0
    interactions: int = 0
    engaged_reach: int = 0
    impressions: int = 0
    impression_clicks: int = 0
    suppressed: bool = False

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


@dataclass(frozen=True)
class Rates:
    """What the company pays elsewhere per 1,000 impressions and per click, per network."""

    cpm: float
    cpc: float


def emv(cells: Sequence[Figures], rates: Mapping[str, Rates]) -> float | None:
    """Earned media value of network cells: impressions / 1000 x CPM + clicks x CPC, with
    each network's own rates; None when no rates are set."""
    if not rates:
        return None
    return sum(cell.impressions / 1000 * rates[cell.key].cpm + cell.clicks * rates[cell.key].cpc
               for cell in cells if cell.key in rates)


def _members(group: int) -> sa.Select[tuple[int]]:
    return sa.select(user_group.c.user_id).where(user_group.c.group_id == group)


def _in_tier(tier: int) -> sa.Select[tuple[int]]:
    return sa.select(User.id).where(User.tier_id == tier)


def _conditions(filters: Filters, negate: str | None) -> list[sa.ColumnElement[bool]]:
    """Rollup conditions for the filters; `negate` turns one filter into its opposite."""
    conditions = []
    for name in filters.active():
        value = getattr(filters, name)
        if name == "tier":
            condition = R.person_id.in_(_in_tier(value))
        elif name == "group":
            condition = R.person_id.in_(_members(value))
        elif name == "network":
            condition = R.network == value
        else:
            condition = R.campaign_id == value
        if name == negate:
            condition = sa.not_(condition)
            if name == "campaign":
                condition = sa.or_(condition, R.campaign_id.is_(None))
        conditions.append(condition)
    return conditions


def _enrolled(negate: str | None, filters: Filters) -> sa.Select[Any]:
    query = (sa.select(User.id).join(UserRole, UserRole.user_id == User.id)
             .where(User.is_active, UserRole.role == "employee"))
    for name in POPULATION_FILTERS:
        value = getattr(filters, name)
        if value is None:
            continue
        condition = (User.tier_id == value if name == "tier"
                     else User.id.in_(_members(value)))
        query = query.where(sa.not_(condition) if name == negate else condition)
    return query


def _activity_columns() -> list[Any]:
    return [sa.func.count(sa.distinct(sa.case((R.shares > 0, R.person_id)))),
            sa.func.count(sa.distinct(R.person_id)),
            *(sa.func.coalesce(sa.func.sum(getattr(R, name)), 0) for name in SUMS)]


Activity = dict[Any, tuple[int, ...]]  # key -> (people, contributors, *SUMS)


def live_activity(session: Session, period: Period, filters: Filters, by: str | None = None,
                  negate: str | None = None) -> Activity:
    """What the people did in the period, per value of `by`, read from the rollups."""
    key: Any = {None: sa.literal(None), "tier": User.tier_id, "group": user_group.c.group_id,
                "network": R.network, "campaign": R.campaign_id}[by]
    query = (sa.select(key, *_activity_columns()).select_from(R)
             .where(period.rows(R), *_conditions(filters, negate)).group_by(key))
    if by == "tier":
        query = query.outerjoin(User, User.id == R.person_id)
    elif by == "group":
        query = query.join(user_group, user_group.c.user_id == R.person_id)
    return {row[0]: tuple(int(value) for value in row[1:]) for row in session.execute(query)}


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
    keys = list(populations) + [k for k in activity if k not in populations]
    found = []
    for cell_key in keys:
        people, contributors, *sums = activity.get(cell_key, (0, 0) + (0,) * len(SUMS))
        # None for networks and campaigns, and for former colleagues (no population)
        found.append(Figures(cell_key, populations.get(cell_key), people, contributors,
                             *sums))
    return found


def _populations(session: Session, filters: Filters, by: str | None,
                 negate: str | None) -> dict[Any, int]:
    enrolled = _enrolled(negate, filters).subquery()
    if by is None:
        return {None: session.scalar(sa.select(sa.func.count(sa.distinct(enrolled.c.id)))) or 0}
    if by == "tier":
        return dict(session.execute(
            sa.select(User.tier_id, sa.func.count(sa.distinct(User.id)))
            .where(User.id.in_(sa.select(enrolled.c.id))).group_by(User.tier_id)).all())
    if by == "group":
        counts = dict(session.execute(
            sa.select(user_group.c.group_id, sa.func.count(sa.distinct(user_group.c.user_id)))
            .where(user_group.c.user_id.in_(sa.select(enrolled.c.id)))
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
    (the rest of the report without it) covers fewer than k people: with the report
    without that filter, a subtraction would give their figures back.
    """
    if set(filters.active()) & set(POPULATION_FILTERS) and population(session, filters) < k:
        return "selection"
    if not filters.active():
        return None
    shown = [_visible(_contributors(session, period, filters), k) for period in periods]
    for name in filters.active():
        if name in POPULATION_FILTERS and 0 < population(session, filters, negate=name) < k:
            return "difference"
        for period, filtered_shown in zip(periods, shown, strict=True):
            if filtered_shown \
                    and _visible(_contributors(session, period, filters.without(name)), k) \
                    and 0 < _contributors(session, period, filters, negate=name) < k:
                return "difference"
    return None


def _visible(contributors: int, k: int) -> bool:
    return not 0 < contributors < k


def _contributors(session: Session, period: Period, filters: Filters,
                  negate: str | None = None) -> int:
    return session.scalar(sa.select(sa.func.count(sa.distinct(R.person_id)))
                          .where(period.rows(R), *_conditions(filters, negate))) or 0


def slice_table(session: Session, period: Period, filters: Filters, by: str | None, k: int | None
                ) -> list[Figures]:
    cells = figures(session, period, filters, by)
    return protect(cells, k, disjoint=by in (None, "tier")) if k else cells


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
class Ranked:
    key: int
    name: str
    shares: int
    clicks: int
    reach: int


def top_items(session: Session, period: Period, campaign: int | None, k: int | None,
              limit: int = 10) -> list[Ranked]:
    """Items by clicks, then shares. In works-council mode an item is ranked only when at
    least k people shared it within one of the period's months or days: how many shared
    it over the whole period cannot be added up from the buckets, so the largest bucket
    stands in for it (never more than the truth)."""
    query = (sa.select(ItemRollup.item_id, ContentItem.title, sa.func.sum(ItemRollup.shares),
                       sa.func.sum(ItemRollup.clicks), sa.func.sum(ItemRollup.reach))
             .join(ContentItem, ContentItem.id == ItemRollup.item_id)
             .where(period.rows(ItemRollup))
             .group_by(ItemRollup.item_id, ContentItem.title)
             .order_by(sa.func.sum(ItemRollup.clicks).desc(),
                       sa.func.sum(ItemRollup.shares).desc(), ItemRollup.item_id)
             .limit(limit))
    if campaign is not None:
        query = query.where(ContentItem.campaign_id == campaign)
    if k:
        query = query.having(sa.func.max(ItemRollup.sharers) >= k)
    return [Ranked(item, title, int(shares), int(clicks), int(reach))
            for item, title, shares, clicks, reach in session.execute(query)]


def top_topics(session: Session, period: Period, campaign: int | None, k: int | None,
               limit: int = 10) -> list[Ranked]:
    """Topics by the clicks and shares of their items, under the same rule as items."""
    query = (sa.select(Topic.id, Topic.name, sa.func.sum(ItemRollup.shares),
                       sa.func.sum(ItemRollup.clicks), sa.func.sum(ItemRollup.reach))
             .join(item_topic, item_topic.c.item_id == ItemRollup.item_id)
             .join(Topic, Topic.id == item_topic.c.topic_id)
             .where(period.rows(ItemRollup))
             .group_by(Topic.id, Topic.name)
             .order_by(sa.func.sum(ItemRollup.clicks).desc(),
                       sa.func.sum(ItemRollup.shares).desc(), Topic.id)
             .limit(limit))
    if campaign is not None:
        query = query.join(ContentItem, ContentItem.id == ItemRollup.item_id).where(
            ContentItem.campaign_id == campaign)
    if k:
        query = query.having(sa.func.max(ItemRollup.sharers) >= k)
    return [Ranked(topic, name, int(shares), int(clicks), int(reach))
            for topic, name, shares, clicks, reach in session.execute(query)]


@dataclass(frozen=True)
class Advocate:
    name: str
    shares: int
    clicks: int
    reach: int


def top_advocates(session: Session, period: Period, filters: Filters, opted_in_only: bool,
                  limit: int = 10) -> list[Advocate]:
    """Individual figures, for those allowed to see them (see the views)."""
    query = (sa.select(User.name, sa.func.sum(R.shares), sa.func.sum(R.clicks),
                       sa.func.sum(R.reach))
             .join(User, User.id == R.person_id)
             .where(period.rows(R), *_conditions(filters, None))
             .group_by(User.id, User.name)
             .order_by(sa.func.sum(R.clicks).desc(), sa.func.sum(R.shares).desc(), User.id)
             .limit(limit))
    if opted_in_only:
        query = query.where(User.leaderboard_opt_in)
    return [Advocate(name, int(shares), int(clicks), int(reach))
            for name, shares, clicks, reach in session.execute(query)]


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
        found = {start: Figures(start, None, *values) for start, values in cached.items()}
    elif whole:
        rows = session.execute(
            sa.select(R.start, *_activity_columns())
            .where(R.grain == grain, R.start.in_(whole), *_conditions(filters, None))
            .group_by(R.start))
        found = {start: Figures(start, None, people, contributors, *map(int, sums))
                 for start, people, contributors, *sums in rows}
    points = []
    for first, last in spans:
        if first in whole:
            cell = found.get(first, Figures(first, None, 0, 0))
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
    emv: tuple[float | None, float | None] = (None, None)
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
    empty = Figures(None, None, 0, 0)
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
        rows = _pair(*(slice_table(session, period, request.filters, request.by, k)
                       for period in periods))
    values = tuple(None if total.suppressed else emv(cells, rates)
                   for total, cells in zip(totals, networks, strict=True))
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
