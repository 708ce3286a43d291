"""Badges and levels.

A badge is a rule over what people did, written as one set-based query that returns who
qualifies; the `award-badges` job gives the badges people do not have yet and tells them
with a notification. Nothing is taken back. Levels follow the lifetime points.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from advocacy.brand.models import Worksheet
from advocacy.content.models import ContentItem
from advocacy.engagement.models import PointEntry, PointTotal, UserBadge
from advocacy.governance.models import GuidelineAck
from advocacy.notifications.services import notify
from advocacy.sharing.models import Share
from advocacy.suggestions.models import Suggestion
from advocacy.training.models import TrainingProgress

log = logging.getLogger(__name__)

STREAK_WEEKS = 4
STREAK_WINDOW = dt.timedelta(weeks=13)  # streaks are looked for in the last quarter


def _shares_at_least(count: int) -> Callable[[Session, dt.datetime], set[int]]:
    def who(session: Session, _now: dt.datetime) -> set[int]:
        return set(session.scalars(
            sa.select(Share.user_id).where(Share.user_id.is_not(None),
                                           Share.posted_at.is_not(None))
            .group_by(Share.user_id).having(sa.func.count(Share.id) >= count)))
    return who


def _clicks_at_least(count: int) -> Callable[[Session, dt.datetime], set[int]]:
    def who(session: Session, _now: dt.datetime) -> set[int]:
        return set(session.scalars(
            sa.select(Share.user_id).where(Share.user_id.is_not(None))
            .group_by(Share.user_id).having(sa.func.sum(Share.click_count) >= count)))
    return who


def _guidelines(session: Session, _now: dt.datetime) -> set[int]:
    return set(session.scalars(sa.select(GuidelineAck.user_id).distinct()))


def _worksheet(session: Session, _now: dt.datetime) -> set[int]:
    return set(session.scalars(sa.select(Worksheet.user_id).where(
        Worksheet.completed_at.is_not(None))))


def _streak(session: Session, now: dt.datetime) -> set[int]:
    """Shared in each of `STREAK_WEEKS` calendar weeks in a row (within the window)."""
    weeks: dict[int, set[int]] = defaultdict(set)
    for user_id, posted_at in session.execute(
            sa.select(Share.user_id, Share.posted_at).where(
                Share.user_id.is_not(None), Share.posted_at >= now - STREAK_WINDOW)):
        year, week, _day = posted_at.isocalendar()
        weeks[user_id].add(dt.date.fromisocalendar(year, week, 1).toordinal() // 7)
    found = set()
    for user_id, numbers in weeks.items():
        if any(all(start + n in numbers for n in range(STREAK_WEEKS)) for start in numbers):
            found.add(user_id)
    return found


def _helpful(session: Session, _now: dt.datetime) -> set[int]:
    """Three suggestions that became published items."""
    return set(session.scalars(
        sa.select(Suggestion.user_id).join(ContentItem, ContentItem.id == Suggestion.item_id)
        .where(Suggestion.state == "accepted", ContentItem.live_from.is_not(None))
        .group_by(Suggestion.user_id).having(sa.func.count(Suggestion.id) >= 3)))


def _challenge_winner(session: Session, _now: dt.datetime) -> set[int]:
    """A place with bonus points in a challenge (the settle job writes the entry)."""
    return set(session.scalars(sa.select(PointEntry.user_id).where(
        PointEntry.reason == "challenge").distinct()))


def _trained(session: Session, _now: dt.datetime) -> set[int]:
    return set(session.scalars(sa.select(TrainingProgress.user_id).where(
        TrainingProgress.passed_at.is_not(None)).distinct()))


@dataclass(frozen=True)
class Badge:
    key: str
    label: Any
    how: Any  # how to earn it, shown before it is earned
    who: Callable[[Session, dt.datetime], set[int]]


BADGES = (
    Badge("first_share", _l("First share"), _l("Share an item for the first time."),
          _shares_at_least(1)),
    Badge("shares_10", _l("Ten shares"), _l("Share ten times."), _shares_at_least(10)),
    Badge("shares_100", _l("A hundred shares"), _l("Share a hundred times."),
          _shares_at_least(100)),
    Badge("clicks_100", _l("First 100 clicks"),
          _l("Get a hundred visitors through your links."), _clicks_at_least(100)),
    Badge("guidelines", _l("Guidelines read"), _l("Confirm the social-media guidelines."),
          _guidelines),
    Badge("worksheet", _l("Personal brand"), _l("Complete your personal-brand worksheet."),
          _worksheet),
    Badge("streak_4", _l("Four-week streak"),
          _l("Share in each of four calendar weeks in a row."), _streak),
    Badge("helpful_suggester", _l("Helpful suggester"),
          _l("Suggest three links that communications publishes."), _helpful),
    Badge("challenge_winner", _l("Challenge winner"),
          _l("Win one of the rewarded places in a challenge."), _challenge_winner),
    Badge("trained", _l("Trained"), _l("Pass the quiz of a training module."), _trained),
)
BY_KEY = {badge.key: badge for badge in BADGES}


def names() -> dict[str, str]:
    return {badge.key: str(badge.label) for badge in BADGES}


def award_badges(session: Session, now: dt.datetime) -> int:
    """Give every badge to whoever qualifies and lacks it; return how many were given."""
    held: dict[str, set[int]] = defaultdict(set)
    for user_id, key in session.execute(sa.select(UserBadge.user_id, UserBadge.badge)):
        held[key].add(user_id)
    given = 0
    for badge in BADGES:
        for user_id in sorted(badge.who(session, now) - held[badge.key]):
            session.add(UserBadge(user_id=user_id, badge=badge.key, awarded_at=now))
            notify(session, user_id, "badge", "/points#badges", now, badge=badge.key)
            given += 1
    session.flush()
    if given:
        log.info("%d badges awarded", given)
    return given


def earned(session: Session, user_id: int) -> dict[str, dt.datetime]:
    return dict(session.execute(sa.select(UserBadge.badge, UserBadge.awarded_at).where(
        UserBadge.user_id == user_id)).all())


@dataclass(frozen=True)
class Level:
    number: int
    name: Any
    points: int  # lifetime points
    floor: int  # points where this level starts
    next_at: int | None  # points where the next one starts


LEVELS = ((0, _l("Newcomer")), (50, _l("Contributor")), (200, _l("Advocate")),
          (500, _l("Ambassador")), (1000, _l("Champion")))


def level_for(points: int) -> Level:
    number = max(index for index, (floor, _name) in enumerate(LEVELS) if points >= floor)
    following = LEVELS[number + 1][0] if number + 1 < len(LEVELS) else None
    return Level(number + 1, LEVELS[number][1], points, LEVELS[number][0], following)


def level_of(session: Session, user_id: int) -> Level:
    points = session.scalar(sa.select(PointTotal.points).where(
        PointTotal.user_id == user_id, PointTotal.period == "all")) or 0
    return level_for(points)
