"""Badges by rule, levels by points, and the notifications that announce badges."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from advocacy.brand.models import Worksheet
from advocacy.db import utcnow
from advocacy.engagement.badges import award_badges, level_for
from advocacy.engagement.models import UserBadge
from advocacy.governance.models import Guideline, GuidelineAck, GuidelineText
from advocacy.notifications.models import Notification
from tests import factories


@pytest.mark.parametrize(("points", "level", "next_at"), [
    (0, 1, 50), (49, 1, 50), (50, 2, 200), (499, 3, 500), (500, 4, 1000), (5000, 5, None)])
def test_levels_follow_lifetime_points(points, level, next_at):
    found = level_for(points)
    assert (found.number, found.next_at) == (level, next_at)


def _shares(db, person, days_ago, clicks=0):
    for days in days_ago:
        factories.make_posted_share(db, user=person, days_ago=days, click_count=clicks)


def _badges(db):
    found: dict[int, set[str]] = {}
    for user_id, badge in db.execute(sa.select(UserBadge.user_id, UserBadge.badge)):
        found.setdefault(user_id, set()).add(badge)
    return found


@pytest.fixture
def people(db, make_user):
    busy, once, steady, patchy = (make_user() for _ in range(4))
    _shares(db, busy, [1 + n for n in range(10)], clicks=10)  # 10 shares, 100 clicks
    guideline = Guideline(version=1, published_at=utcnow(),
                          texts=[GuidelineText(language="en", title="G", body_html="<p>g</p>")])
    db.add(guideline)
    db.flush()
    db.add_all([GuidelineAck(user_id=busy.id, guideline_id=guideline.id,
                             acknowledged_at=utcnow()),
                Worksheet(user_id=busy.id, completed_at=utcnow())])
    _shares(db, once, [3])
    _shares(db, steady, [1, 8, 15, 22])  # four weeks in a row
    _shares(db, patchy, [1, 15, 29, 43])  # every other week
    db.commit()
    return {"busy": busy, "once": once, "steady": steady, "patchy": patchy}


def test_badges_go_to_who_earned_them_once(db, people):
    now = utcnow()
    given = award_badges(db, now)
    found = _badges(db)
    assert found[people["busy"].id] == {"first_share", "shares_10", "clicks_100",
                                        "guidelines", "worksheet"}
    assert found[people["once"].id] == {"first_share"}
    assert found[people["patchy"].id] == {"first_share"}
    # Four weeks in a row: by calendar week, so four shares a week apart always qualify.
    assert "streak_4" in found[people["steady"].id]
    assert given == sum(len(badges) for badges in found.values())
    assert db.scalar(sa.select(sa.func.count()).select_from(Notification)) == given
    assert award_badges(db, now + dt.timedelta(minutes=10)) == 0


def test_the_points_page_shows_level_badges_and_the_notification(client, db, people):
    award_badges(db, utcnow())
    db.commit()
    client.login(people["once"].email)
    start = client.get("/").get_data(as_text=True)
    assert 'aria-label="1 unread"' in start
    page = client.get("/points").get_data(as_text=True)
    assert "Level 1: Newcomer" in page and "Earned on" in page and "Share ten times." in page
    notes = client.get("/notifications/").get_data(as_text=True)
    assert "You earned the badge “First share”." in notes and 'href="/points#badges"' in notes
    client.post_form("/notifications/read")
    assert 'aria-label="1 unread"' not in client.get("/").get_data(as_text=True)
    profile = client.get("/profile").get_data(as_text=True)
    assert "First share" in profile


def test_notifications_are_shown_in_the_readers_language(client, db, people):
    award_badges(db, utcnow())
    people["once"].language = "de"
    db.commit()
    client.login(people["once"].email)
    notes = client.get("/notifications/").get_data(as_text=True)
    assert "Erstes Teilen" in notes
