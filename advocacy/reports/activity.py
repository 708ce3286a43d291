"""What people did, read from the rollups for a period and a choice of filters: the one
place that turns report filters into queries. The reach report (`reach`), its stored cells
(`cells`) and the programme health page read activity through here, so none of them needs
another (the cells no longer import the report that reads them).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.people.models import User, UserRole, user_group
from advocacy.reports.models import COUNTS, METRICS, ActivityRollup
from advocacy.reports.periods import Period

R = ActivityRollup
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


def _members(group: int) -> sa.Select[tuple[int]]:
    return sa.select(user_group.c.user_id).where(user_group.c.group_id == group)


def _in_tier(tier: int) -> sa.Select[tuple[int]]:
    return sa.select(User.id).where(User.tier_id == tier)


def conditions(filters: Filters, negate: str | None) -> list[sa.ColumnElement[bool]]:
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


def enrolled(negate: str | None, filters: Filters) -> sa.Select[Any]:
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


def _who(condition: sa.ColumnElement[bool]) -> Any:
    return sa.func.count(sa.distinct(sa.case((condition, R.person_id))))


def activity_columns() -> list[Any]:
    """COUNTS, then METRICS."""
    return [_who(R.shares > 0), sa.func.count(sa.distinct(R.person_id)), _who(R.clicks > 0),
            _who(R.api_shares > 0), _who(R.shares > R.api_shares),
            _who(sa.or_(R.interactions > 0, R.engaged_reach > 0)), _who(R.impressions > 0),
            _who(R.follower_shares > 0), _who(R.reported_shares > 0),
            *(sa.func.coalesce(sa.func.sum(getattr(R, name)), 0) for name in METRICS)]


Activity = dict[Any, tuple[int, ...]]  # key -> (*COUNTS, *METRICS)
EMPTY = (0,) * (len(COUNTS) + len(METRICS))


def live_activity(session: Session, period: Period, filters: Filters, by: str | None = None,
                  negate: str | None = None) -> Activity:
    """What the people did in the period, per value of `by`, read from the rollups."""
    key: Any = {None: sa.literal(None), "tier": User.tier_id, "group": user_group.c.group_id,
                "network": R.network, "campaign": R.campaign_id}[by]
    query = (sa.select(key, *activity_columns()).select_from(R)
             .where(period.rows(R), *conditions(filters, negate)).group_by(key))
    if by == "tier":
        query = query.outerjoin(User, User.id == R.person_id)
    elif by == "group":
        query = query.join(user_group, user_group.c.user_id == R.person_id)
    return {row[0]: tuple(int(value) for value in row[1:]) for row in session.execute(query)}
