"""A person's own numbers over a period: shares, clicks, estimated reach, engagement and
points. Bounded by the (user_id, created_at) index on shares, like everything personal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.content.models import ContentItem
from advocacy.engagement.models import PointEntry
from advocacy.people.models import User
from advocacy.sharing.models import OutboxPost, Share

PERIODS = {"30": 30, "90": 90, "365": 365}


@dataclass(frozen=True)
class Row:
    label: str
    shares: int
    by_api: int
    clicks: int
    reach: int
    engagement: int | None  # None: no network reported any


@dataclass(frozen=True)
class Numbers:
    total: Row
    networks: list[Row]
    top: list[tuple[str, str, int]]  # item title, network, clicks
    points: int


def my_numbers(session: Session, user: User, now: dt.datetime, days: int) -> Numbers:
    since = now - dt.timedelta(days=days)
    mine = (Share.user_id == user.id, Share.created_at >= since, Share.posted_at.is_not(None))
    reacted = (sa.func.coalesce(OutboxPost.likes, 0) + sa.func.coalesce(OutboxPost.reposts, 0)
               + sa.func.coalesce(OutboxPost.replies, 0))
    rows = session.execute(
        sa.select(Share.network, sa.func.count(),
                  sa.func.count().filter(Share.method == "api"),
                  sa.func.coalesce(sa.func.sum(Share.click_count), 0),
                  sa.func.coalesce(sa.func.sum(Share.followers), 0),
                  sa.func.sum(sa.case((OutboxPost.metrics_at.is_not(None), reacted))))
        .select_from(Share).outerjoin(OutboxPost, OutboxPost.share_id == Share.id)
        .where(*mine).group_by(Share.network).order_by(Share.network)).all()
    networks = [Row(network, shares, api, clicks, reach, engagement)
                for network, shares, api, clicks, reach, engagement in rows]
    engaged = [r.engagement for r in networks if r.engagement is not None]
    total = Row("", sum(r.shares for r in networks), sum(r.by_api for r in networks),
                sum(r.clicks for r in networks), sum(r.reach for r in networks),
                sum(engaged) if engaged else None)
    top = [(title, network, clicks) for title, network, clicks in session.execute(
        sa.select(ContentItem.title, Share.network, Share.click_count)
        .join(ContentItem, ContentItem.id == Share.item_id).where(*mine)
        .order_by(Share.click_count.desc(), Share.id.desc()).limit(5))]
    points = session.scalar(sa.select(sa.func.coalesce(sa.func.sum(PointEntry.points), 0))
                            .where(PointEntry.user_id == user.id,
                                   PointEntry.created_at >= since)) or 0
    return Numbers(total, networks, top, points)
