"""The rankings of a period: top items and topics (protected in works-council mode), and
top advocates for those allowed to see individual figures (the reach report's views decide
who is)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.content.models import ContentItem, Topic, item_topic
from advocacy.people.models import User
from advocacy.reports.activity import Filters, R, conditions
from advocacy.reports.models import ItemRollup
from advocacy.reports.periods import Period


@dataclass(frozen=True)
class Ranked:
    key: int
    name: str
    shares: int
    clicks: int | None  # None: the clicks rest on fewer than k people
    reach: int


def _figures() -> list[Any]:
    """Shares, clicks and reach summed over the buckets, and the most people whose links
    were clicked within one bucket (the columns `_ranked` reads after key and name)."""
    return [sa.func.sum(ItemRollup.shares), sa.func.sum(ItemRollup.clicks),
            sa.func.sum(ItemRollup.reach), sa.func.max(ItemRollup.clickers)]


_ORDER = (sa.func.sum(ItemRollup.clicks).desc(), sa.func.sum(ItemRollup.shares).desc())


def _ranked(rows: Any, k: int | None) -> list[Ranked]:
    return [Ranked(key, name, int(shares),
                   int(clicks) if not k or not clicks or clickers >= k else None, int(reach))
            for key, name, shares, clicks, reach, clickers in rows]


def top_items(session: Session, period: Period, campaign: int | None, k: int | None,
              limit: int = 10) -> list[Ranked]:
    """Items by clicks, then shares. In works-council mode an item is ranked only when at
    least k people shared it within one of the period's months or days: how many shared
    it over the whole period cannot be added up from the buckets, so the largest bucket
    stands in for it (never more than the truth). Its clicks are shown under the same
    rule for the people whose links were clicked."""
    query = (sa.select(ItemRollup.item_id, ContentItem.title, *_figures())
             .join(ContentItem, ContentItem.id == ItemRollup.item_id)
             .where(period.rows(ItemRollup))
             .group_by(ItemRollup.item_id, ContentItem.title)
             .order_by(*_ORDER, ItemRollup.item_id)
             .limit(limit))
    if campaign is not None:
        query = query.where(ContentItem.campaign_id == campaign)
    if k:
        query = query.having(sa.func.max(ItemRollup.sharers) >= k)
    return _ranked(session.execute(query), k)


def top_topics(session: Session, period: Period, campaign: int | None, k: int | None,
               limit: int = 10) -> list[Ranked]:
    """Topics by the clicks and shares of their items, under the same rule as items."""
    query = (sa.select(Topic.id, Topic.name, *_figures())
             .join(item_topic, item_topic.c.item_id == ItemRollup.item_id)
             .join(Topic, Topic.id == item_topic.c.topic_id)
             .where(period.rows(ItemRollup))
             .group_by(Topic.id, Topic.name)
             .order_by(*_ORDER, Topic.id)
             .limit(limit))
    if campaign is not None:
        query = query.join(ContentItem, ContentItem.id == ItemRollup.item_id).where(
            ContentItem.campaign_id == campaign)
    if k:
        query = query.having(sa.func.max(ItemRollup.sharers) >= k)
    return _ranked(session.execute(query), k)


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
             .where(period.rows(R), *conditions(filters, None))
             .group_by(User.id, User.name)
             .order_by(sa.func.sum(R.clicks).desc(), sa.func.sum(R.shares).desc(), User.id)
             .limit(limit))
    if opted_in_only:
        query = query.where(User.leaderboard_opt_in)
    return [Advocate(name, int(shares), int(clicks), int(reach))
            for name, shares, clicks, reach in session.execute(query)]
