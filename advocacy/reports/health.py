"""Programme health for admins and communications: is the programme alive (active
advocates per month), is there enough to share (items per week against the rule of thumb
of about 3.5 items per 100 active advocates), and does posting work (accounts to
reconnect, failed posts).

Active advocates are report figures and protected like them in works-council mode. The
account and post counts are the state of the system, not anyone's performance; they name
no person (the people concerned see their own on their pages and get an e-mail).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.accounts.models import SocialAccount
from advocacy.content.models import ContentItem
from advocacy.reports.periods import make_period
from advocacy.reports.reach import Figures, Filters, figures
from advocacy.sharing.models import OutboxPost, PostState, Share
from advocacy.sharing.outbox import budget
from advocacy.suppression import protect

ITEMS_PER_100 = 3.5
MONTHS = 12
WEEKS = 12
FAILED_DAYS = 30
EXPIRY_WARNING = dt.timedelta(days=7)


@dataclass(frozen=True)
class Supply:
    first: dt.date
    items: int
    active: Figures  # active advocates that week (suppressed when too few)

    @property
    def target(self) -> float | None:
        """Items the rule of thumb asks for; None when the advocates are not shown."""
        return None if self.active.suppressed else ITEMS_PER_100 * self.active.people / 100

    @property
    def enough(self) -> bool | None:
        target = self.target
        return None if target is None else self.items >= target


@dataclass(frozen=True)
class FailedPost:
    when: dt.datetime
    network: str
    title: str
    kind: str | None
    error: str | None


@dataclass(frozen=True)
class Health:
    months: list[Figures]  # keyed by the month's first day
    weeks: list[Supply]
    reconnect: dict[str, int]  # network -> accounts waiting to be reconnected
    expiring: dict[str, int]  # network -> accounts whose access ends within a week
    failed: dict[str, int]  # network -> failed or unconfirmed posts in the last 30 days
    latest_failed: list[FailedPost]
    costs: list[budget.Spend]  # this month's posts by API on networks that bill per post


def _months(today: dt.date) -> list[dt.date]:
    first = today.replace(day=1)
    months = [first]
    for _ in range(MONTHS - 1):
        months.append((months[-1] - dt.timedelta(days=1)).replace(day=1))
    return months[::-1]


def active_by_month(session: Session, today: dt.date, k: int | None) -> list[Figures]:
    """The last twelve months' totals (current month included), keyed by the month's
    first day; protected like chart points."""
    cells = [dataclasses.replace(figures(session, make_period("month", month), Filters())[0],
                                 key=month) for month in _months(today)]
    return protect(cells, k) if k else cells


def supply_by_week(session: Session, today: dt.date, zone: ZoneInfo,
                   k: int | None) -> list[Supply]:
    """Items that went live each of the last twelve weeks, beside the active advocates."""
    weeks = [make_period("week", today - dt.timedelta(weeks=n)) for n in range(WEEKS)][::-1]
    since = dt.datetime.combine(weeks[0].first, dt.time(), zone)
    went_live = Counter(
        make_period("week", moment.astimezone(zone).date()).first
        for moment in session.scalars(sa.select(ContentItem.live_from).where(
            ContentItem.live_from >= since, ContentItem.state.in_(("approved", "expired",
                                                                    "archived")))))
    active = [figures(session, week, Filters())[0] for week in weeks]
    if k:
        active = protect(active, k)
    return [Supply(week.first, went_live.get(week.first, 0), cell)
            for week, cell in zip(weeks, active, strict=True)]


def build(session: Session, now: dt.datetime, zone: ZoneInfo, k: int | None) -> Health:
    today = now.astimezone(zone).date()
    reconnect = dict(session.execute(
        sa.select(SocialAccount.network, sa.func.count()).where(
            SocialAccount.status == "reconnect").group_by(SocialAccount.network)).all())
    expiring = dict(session.execute(
        sa.select(SocialAccount.network, sa.func.count()).where(
            SocialAccount.status == "active", SocialAccount.refresh_token_enc.is_(None),
            SocialAccount.expires_at.is_not(None),
            SocialAccount.expires_at < now + EXPIRY_WARNING)
        .group_by(SocialAccount.network)).all())
    recent = (OutboxPost.state.in_((PostState.FAILED, PostState.IN_DOUBT)),
              OutboxPost.created_at >= now - dt.timedelta(days=FAILED_DAYS))
    failed = dict(session.execute(
        sa.select(Share.network, sa.func.count()).select_from(OutboxPost)
        .join(Share, Share.id == OutboxPost.share_id)
        .where(*recent).group_by(Share.network)).all())
    latest = [FailedPost(when, network, title, kind, error) for when, network, title, kind, error
              in session.execute(
                  sa.select(OutboxPost.created_at, Share.network, ContentItem.title,
                            OutboxPost.error_kind, OutboxPost.last_error)
                  .select_from(OutboxPost).join(Share, Share.id == OutboxPost.share_id)
                  .join(ContentItem, ContentItem.id == Share.item_id)
                  .where(*recent).order_by(OutboxPost.created_at.desc()).limit(10))]
    return Health(active_by_month(session, today, k), supply_by_week(session, today, zone, k),
                  reconnect, expiring, failed, latest,
                  [budget.spend(session, network, now) for network in budget.billed_networks()])
