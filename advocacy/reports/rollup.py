"""The rollup job: keeps `ActivityRollup` and `ItemRollup` in step with shares and clicks.

A day's rows are always recomputed whole from the raw tables (delete, then insert), and a
month's rows from its days, so a run that is repeated or interrupted leaves nothing
counted twice. Which days to recompute is found from bookmarks: clicks judged since the
last run (their day, and their post's day, whose click-through rate they change), shares
and posts that were made, posted or measured since the last run, and always today and
yesterday. Days are days in the programme's time zone.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.content.models import ContentItem
from advocacy.core.models import JobState
from advocacy.db import utcnow
from advocacy.reports.models import METRICS, ActivityRollup, ItemRollup, ReportCell
from advocacy.sharing.models import Click, OutboxPost, Share
from advocacy.sharing.tracking import BOOKMARK as CLICKS_JUDGED

log = logging.getLogger(__name__)

CLICKS_BOOKMARK = "rollup-clicks"  # the last click id already in the rollups
RUN_BOOKMARK = "rollup-run"  # when the last run started (Unix seconds)
# The first day whose raw clicks are all still there (a date's ordinal): days before it
# were sealed by `retention.purge_clicks` and are never recomputed.
KEPT_FROM = "clicks-kept-from"
# A share committed a little after a run started must still be seen by the next run.
OVERLAP = dt.timedelta(minutes=10)

# Shares the sharer of which is unknown (deleted before anonymisation existed) count as
# one person: fewer people, never more, so small groups are protected rather than exposed.
UNKNOWN_PERSON = 0


def person_column() -> sa.ColumnElement[int]:
    return sa.func.coalesce(Share.user_id, Share.anon_person, UNKNOWN_PERSON)


def _sums() -> dict[str, int]:
    """One bucket's summed figures, all zero (named as in `METRICS`)."""
    return dict.fromkeys(METRICS, 0)


@dataclass
class _ItemSums:
    shares: int = 0
    clicks: int = 0
    reach: int = 0
    people: set[int] = field(default_factory=set)
    clickers: set[int] = field(default_factory=set)


def local_window(day: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants at which `day` starts and ends in `zone`."""
    start = dt.datetime.combine(day, dt.time(), zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def quarter_start(day: dt.date) -> dt.date:
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def cell_buckets(day: dt.date) -> list[tuple[str, dt.date]]:
    """The calendar week (from Monday), month and quarter a day belongs to."""
    return [("week", day - dt.timedelta(days=day.weekday())), ("month", month_start(day)),
            ("quarter", quarter_start(day))]


def roll_up(session: Session, timezone: str, now: dt.datetime | None = None) -> int:
    """Bring the rollups up to date; return how many days were recomputed."""
    now = now or utcnow()
    zone = ZoneInfo(timezone)
    run = session.get(JobState, RUN_BOOKMARK)
    clicks_done = session.get(JobState, CLICKS_BOOKMARK) or JobState(key=CLICKS_BOOKMARK,
                                                                      value=0)
    judged = session.get(JobState, CLICKS_JUDGED)
    judged_up_to = judged.value if judged else 0
    if run is None:
        days = _all_days(session, zone, now)
        run = JobState(key=RUN_BOOKMARK, value=0)
    else:
        since = dt.datetime.fromtimestamp(run.value, dt.UTC) - OVERLAP
        days = _changed_days(session, zone, since, clicks_done.value, judged_up_to)
    today = now.astimezone(zone).date()
    days |= {today, today - dt.timedelta(days=1)}
    rebuild_days(session, sorted(days), zone)
    run.value = int(now.timestamp())
    clicks_done.value = max(clicks_done.value, judged_up_to)
    session.add_all([run, clicks_done])
    session.flush()
    return len(days)


def rebuild_days(session: Session, days: Iterable[dt.date], zone: ZoneInfo) -> None:
    """Recompute the given days and the months they fall in. Days whose raw clicks the
    retention job has deleted are left as they are: recomputing them would lose those
    clicks. The report cells of their weeks, months and quarters are deleted: they are
    computed again by `cells.refresh`, and until then reports compute from the rollups."""
    kept = session.get(JobState, KEPT_FROM)
    if kept is not None:
        days = [day for day in days if day.toordinal() >= kept.value]
    months = set()
    buckets = set()
    for day in days:
        _rebuild_day(session, day, zone)
        months.add(month_start(day))
        buckets.update(cell_buckets(day))
    for kind, start in buckets:
        session.execute(sa.delete(ReportCell).where(ReportCell.kind == kind,
                                                    ReportCell.start == start))
    for month in sorted(months):
        _rebuild_month(session, month, zone)


def _all_days(session: Session, zone: ZoneInfo, now: dt.datetime) -> set[dt.date]:
    first = session.scalar(sa.select(sa.func.min(Share.posted_at)))
    if first is None:
        return set()
    day, last = first.astimezone(zone).date(), now.astimezone(zone).date()
    return {day + dt.timedelta(days=n) for n in range((last - day).days + 1)}


def _changed_days(session: Session, zone: ZoneInfo, since: dt.datetime, clicks_from: int,
                  clicks_to: int) -> set[dt.date]:
    moments: set[dt.datetime] = set()
    new_clicks = (Click.id > clicks_from, Click.id <= clicks_to, Click.counted.is_(True))
    for clicked_at, posted_at in session.execute(
            sa.select(Click.clicked_at, Share.posted_at).join(Share, Share.id == Click.share_id)
            .where(*new_clicks)):
        moments.add(clicked_at)
        if posted_at is not None:
            moments.add(posted_at)
    moments.update(session.scalars(sa.select(Share.posted_at).where(
        Share.posted_at >= since)))
    moments.update(session.scalars(
        sa.select(Share.posted_at).join(OutboxPost, OutboxPost.share_id == Share.id)
        .where(OutboxPost.metrics_at >= since, Share.posted_at.is_not(None))))
    return {moment.astimezone(zone).date() for moment in moments if moment is not None}


def _rebuild_day(session: Session, day: dt.date, zone: ZoneInfo) -> None:
    start, end = local_window(day, zone)
    person = person_column()
    activity: dict[tuple[int, str, int | None], dict[str, int]] = defaultdict(_sums)
    items: dict[int, _ItemSums] = defaultdict(_ItemSums)
    posted = session.execute(
        sa.select(person, Share.network, ContentItem.campaign_id, Share.item_id, Share.method,
                  Share.followers, Share.reach_source, Share.click_count, OutboxPost.metrics_at,
                  OutboxPost.likes,
                  OutboxPost.reposts, OutboxPost.replies, OutboxPost.impressions)
        .join(ContentItem, ContentItem.id == Share.item_id)
        .outerjoin(OutboxPost, OutboxPost.share_id == Share.id)
        .where(Share.posted_at >= start, Share.posted_at < end))
    for (who, network, campaign, item, method, followers, source, click_count, metrics_at,
         likes, reposts, replies, impressions) in posted:
        sums = activity[who, network, campaign]
        sums["shares"] += 1
        sums["api_shares"] += method == "api"
        sums["reach"] += followers or 0
        if followers is not None:
            # Before sources were kept, every known count came from a connected account.
            kind = "reported" if source == "reported" else "follower"
            sums[f"{kind}_shares"] += 1
            sums[f"{kind}_reach"] += followers
        if metrics_at is not None:
            sums["interactions"] += (likes or 0) + (reposts or 0) + (replies or 0)
            sums["engaged_reach"] += followers or 0
            if impressions:
                sums["impressions"] += impressions
                sums["impression_clicks"] += click_count
                sums["measured_shares"] += 1
        item_sums = items[item]
        item_sums.shares += 1
        item_sums.reach += followers or 0
        item_sums.people.add(who)
    clicked = session.execute(
        sa.select(person, Share.network, ContentItem.campaign_id, Share.item_id,
                  sa.func.count())
        .select_from(Click).join(Share, Share.id == Click.share_id)
        .join(ContentItem, ContentItem.id == Share.item_id)
        .where(Click.clicked_at >= start, Click.clicked_at < end, Click.counted.is_(True))
        .group_by(person, Share.network, ContentItem.campaign_id, Share.item_id))
    for who, network, campaign, item, count in clicked:
        activity[who, network, campaign]["clicks"] += count
        items[item].clicks += count
        items[item].clickers.add(who)
    _replace(session, "day", day, activity, items)


def _replace(session: Session, grain: str, start: dt.date,
             activity: dict[tuple[int, str, int | None], dict[str, int]],
             items: dict[int, _ItemSums]) -> None:
    session.execute(sa.delete(ActivityRollup).where(ActivityRollup.grain == grain,
                                                    ActivityRollup.start == start))
    session.execute(sa.delete(ItemRollup).where(ItemRollup.grain == grain,
                                                ItemRollup.start == start))
    if activity:
        session.execute(sa.insert(ActivityRollup), [
            {"grain": grain, "start": start, "person_id": who, "network": network,
             "campaign_id": campaign, **sums}
            for (who, network, campaign), sums in activity.items()])
    if items:
        session.execute(sa.insert(ItemRollup), [
            {"grain": grain, "start": start, "item_id": item, "shares": sums.shares,
             "clicks": sums.clicks, "reach": sums.reach, "sharers": len(sums.people),
             "clickers": len(sums.clickers)}
            for item, sums in items.items()])


def _rebuild_month(session: Session, month: dt.date, zone: ZoneInfo) -> None:
    """A month is the sum of its days, except how many people shared each item and whose
    links to it were clicked, which cannot be summed and are counted from the shares and
    clicks themselves."""
    days = (ActivityRollup.grain == "day", ActivityRollup.start >= month,
            ActivityRollup.start < next_month(month))
    sums = [sa.func.sum(getattr(ActivityRollup, name)) for name in METRICS]
    activity = {
        (who, network, campaign): dict(zip(METRICS, map(int, values), strict=True))
        for who, network, campaign, *values in session.execute(
            sa.select(ActivityRollup.person_id, ActivityRollup.network,
                      ActivityRollup.campaign_id, *sums).where(*days)
            .group_by(ActivityRollup.person_id, ActivityRollup.network,
                      ActivityRollup.campaign_id))}
    items: dict[int, _ItemSums] = {
        item: _ItemSums(int(shares), int(clicks), int(reach))
        for item, shares, clicks, reach in session.execute(
            sa.select(ItemRollup.item_id, sa.func.sum(ItemRollup.shares),
                      sa.func.sum(ItemRollup.clicks), sa.func.sum(ItemRollup.reach))
            .where(ItemRollup.grain == "day", ItemRollup.start >= month,
                   ItemRollup.start < next_month(month))
            .group_by(ItemRollup.item_id))}
    start, _ = local_window(month, zone)
    end, _ = local_window(next_month(month), zone)
    for item, who in session.execute(
            sa.select(Share.item_id, person_column()).distinct()
            .where(Share.posted_at >= start, Share.posted_at < end)):
        if item in items:
            items[item].people.add(who)
    for item, who in session.execute(
            sa.select(Share.item_id, person_column()).distinct()
            .select_from(Click).join(Share, Share.id == Click.share_id)
            .where(Click.clicked_at >= start, Click.clicked_at < end, Click.counted.is_(True))):
        if item in items:
            items[item].clickers.add(who)
    _replace(session, "month", month, activity, items)


def rebuild_all(session: Session, timezone: str, now: dt.datetime | None = None) -> int:
    """Recompute every day from the first share on, as the first run does: for data loaded
    with past dates (the demo, imports) and after the programme's time zone changed."""
    state = session.get(JobState, RUN_BOOKMARK)
    if state is not None:
        session.delete(state)
        session.flush()
    return roll_up(session, timezone, now)
