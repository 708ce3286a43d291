"""What the worksheet drives besides the feed: the person's own mix and numbers, read from
their shares. Every figure here is about one person and a short window (30 or 90 days), so
each query is bounded by the (user_id, created_at) index on shares, whatever the size of
the programme."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from advocacy.accounts.models import FollowerCount, SocialAccount
from advocacy.brand.sheet import INTENTION_LABELS
from advocacy.content.models import ContentItem
from advocacy.people.models import User
from advocacy.sharing.models import OutboxPost, Share
from advocacy.sharing.services import feed, interests, relevance

MIX_DAYS = 30
NUMBERS_DAYS = 90
PLAN_WEEKS = 4
# The 5-3-2 rule: of ten posts, five from external sources, three own, two personal.
SOURCE_TARGETS = {"external": 50, "own": 30, "personal": 20}
SOURCE_LABELS = {"external": _l("External sources"), "own": _l("Our own content"),
                 "personal": _l("Personal")}
SUGGESTIONS = {
    "external": _l("Next, share something from an external source: a study, the press, "
                   "a post by someone in your field."),
    "own": _l("Next, share something of the company's own: a post from the library."),
    "personal": _l("Next, post something personal: what you learned this week, or a look "
                   "behind the scenes."),
}
# Which personal numbers each goal puts first.
GOAL_NUMBERS = {"growth": "growth", "expert": "expert", "visibility": "visibility",
                "market_value": "expert", "leads": "visibility", "loyalty": "growth"}


@dataclass(frozen=True)
class MixRow:
    key: str
    label: Any
    count: int
    percent: int
    target: int  # percent


@dataclass(frozen=True)
class Mix:
    rows: list[MixRow]
    total: int
    suggestion: Any | None


def _posted_since(user: User, since: dt.datetime) -> list[sa.ColumnElement[bool]]:
    return [Share.user_id == user.id, Share.created_at >= since, Share.posted_at.is_not(None)]


def _counts(session: Session, user: User, column: Any, since: dt.datetime) -> dict[str, int]:
    return {key: count for key, count in session.execute(
        sa.select(column, sa.func.count()).select_from(Share)
        .join(ContentItem, ContentItem.id == Share.item_id)
        .where(*_posted_since(user, since)).group_by(column))}


def _percent(part: int, total: int) -> int:
    return round(100 * part / total) if total else 0


def source_mix(session: Session, user: User, now: dt.datetime) -> Mix:
    """The last 30 days' posts by source class against 5/3/2, and what to share next (the
    class furthest below its share of the rule)."""
    counts = _counts(session, user, ContentItem.source_class, now - dt.timedelta(MIX_DAYS))
    total = sum(counts.values())
    rows = [MixRow(key, SOURCE_LABELS[key], counts.get(key, 0),
                   _percent(counts.get(key, 0), total), target)
            for key, target in SOURCE_TARGETS.items()]
    behind = max(rows, key=lambda r: (r.target - r.percent, r.target))
    return Mix(rows, total, SUGGESTIONS[behind.key])


def intention_mix(session: Session, user: User, now: dt.datetime,
                  planned: dict[str, int]) -> Mix:
    """The last 30 days' posts by the intention of their items, against the planned split."""
    counts = _counts(session, user, ContentItem.intention, now - dt.timedelta(MIX_DAYS))
    total = sum(counts.values())
    rows = [MixRow(key, label, counts.get(key, 0), _percent(counts.get(key, 0), total),
                   planned.get(key, 0)) for key, label in INTENTION_LABELS.items()]
    return Mix(rows, total, None)


@dataclass(frozen=True)
class Week:
    starts: dt.date
    posts: int


def weeks(session: Session, user: User, now: dt.datetime, timezone: str) -> list[Week]:
    """Posts in each of the last four weeks (Monday to Sunday, company time), oldest first."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    monday = today - dt.timedelta(days=today.weekday())
    starts = [monday - dt.timedelta(weeks=n) for n in range(PLAN_WEEKS - 1, -1, -1)]
    since = dt.datetime.combine(starts[0], dt.time(), zone).astimezone(dt.UTC)
    counts = dict.fromkeys(starts, 0)
    for (posted,) in session.execute(sa.select(Share.posted_at).where(
            *_posted_since(user, since))):
        day = posted.astimezone(zone).date()
        counts[day - dt.timedelta(days=day.weekday())] += 1
    return [Week(start, counts[start]) for start in starts]


def weekly_plan(session: Session, user: User, now: dt.datetime,
                posts_per_week: int) -> list[ContentItem]:
    """Library items for this week's plan: what fits the worksheet and is not shared yet,
    one fewer than the planned posts (the last one is the person's own)."""
    wanted = max(posts_per_week - 1, 0)
    if not wanted:
        return []
    page = feed(session, user, now=now, for_you=True)
    return [item for item in page.items if item.id not in page.shared_ids][:wanted]


@dataclass(frozen=True)
class Number:
    key: str  # growth | expert | visibility
    figures: list[tuple[Any, str, str]]  # (label, value, "measured" or "estimated")


def personal_numbers(session: Session, user: User, goals: list[str],
                     now: dt.datetime) -> list[Number]:
    """The person's numbers for the last 90 days, the ones their goals ask for first."""
    since = now - dt.timedelta(NUMBERS_DAYS)
    numbers = {"growth": _growth(session, user, since), "expert": _expert(session, user, since),
               "visibility": _visibility(session, user, since)}
    first = [GOAL_NUMBERS[goal] for goal in goals if goal in GOAL_NUMBERS]
    order = list(dict.fromkeys([*first, "visibility", "growth", "expert"]))
    return [numbers[key] for key in order]


def _growth(session: Session, user: User, since: dt.datetime) -> Number:
    """Followers per connected account: the first count in the window and the latest (one
    query for all of the person's accounts)."""
    history: dict[str, list[int]] = {}
    for handle, followers in session.execute(
            sa.select(SocialAccount.handle, FollowerCount.followers)
            .join(FollowerCount, FollowerCount.account_id == SocialAccount.id)
            .where(SocialAccount.user_id == user.id, FollowerCount.day >= since.date())
            .order_by(SocialAccount.network, SocialAccount.id, FollowerCount.day)):
        history.setdefault(handle, []).append(followers)
    return Number("growth", [(handle, f"{counts[-1]:,} ({counts[-1] - counts[0]:+,})",
                              "measured") for handle, counts in history.items()])


def _expert(session: Session, user: User, since: dt.datetime) -> Number:
    """Reactions to posts of items that fit the worksheet's topics."""
    likes, reposts, replies, posts = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(OutboxPost.likes), 0),
                  sa.func.coalesce(sa.func.sum(OutboxPost.reposts), 0),
                  sa.func.coalesce(sa.func.sum(OutboxPost.replies), 0), sa.func.count())
        .select_from(Share).join(ContentItem, ContentItem.id == Share.item_id)
        .join(OutboxPost, OutboxPost.share_id == Share.id)
        .where(*_posted_since(user, since), relevance(interests(session, user.id)) > 0)).one()
    return Number("expert", [
        (_l("Posts on your topics"), str(posts), "measured"),
        (_l("Likes, reposts and replies on them"), str(likes + reposts + replies),
         "measured")])


def _visibility(session: Session, user: User, since: dt.datetime) -> Number:
    clicks, reach, shares = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(Share.click_count), 0),
                  sa.func.coalesce(sa.func.sum(Share.followers), 0), sa.func.count())
        .where(*_posted_since(user, since))).one()
    return Number("visibility", [
        (_l("Posts"), str(shares), "measured"), (_l("Clicks on your links"), str(clicks),
                                                 "measured"),
        (_l("Reach"), f"{reach:,}", "estimated")])
