"""Honest reach: each share keeps where its follower count came from (a connected account,
or a count the person entered because LinkedIn does not tell apps), reports say how much of
the programme each reach figure covers, and a count entered by hand is asked for again
after 90 days."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from advocacy.accounts.jobs import REPORTED_FOLLOWERS_DAYS, remind_reported_followers
from advocacy.accounts.models import SocialAccount
from advocacy.db import utcnow
from advocacy.notifications.models import Notification
from advocacy.reports import reach
from advocacy.reports.rollup import roll_up
from advocacy.sharing.models import Share
from tests import factories
from tests.web.test_reach_report import NOW, OCTOBER, ZONE, _at, _judged
from tests.web.test_share import post_share


def test_each_share_says_where_its_reach_comes_from(client, login_as, db):
    user = login_as("employee")
    db.add(SocialAccount(user_id=user.id, network="mastodon", external_id="1", handle="@me",
                         followers=340))
    db.commit()
    item = factories.make_item(db)
    db.commit()
    assert post_share(client, item, network="mastodon").status_code == 302
    assert post_share(client, item, network="linkedin").status_code == 302  # nothing known
    response = client.post_form("/profile", {"name": user.name, "language": "en",
                                             "reported_followers": "1200", "digest": "weekly"})
    assert response.status_code == 302
    assert post_share(client, item, network="linkedin").status_code == 302
    rows = db.execute(sa.select(Share.network, Share.followers, Share.reach_source)
                      .where(Share.user_id == user.id).order_by(Share.id)).all()
    assert [tuple(row) for row in rows] == [("mastodon", 340, "followers"),
                                            ("linkedin", None, None),
                                            ("linkedin", 1200, "reported")]
    db.expire_all()
    assert db.get(type(user), user.id).reported_followers_on is not None


def test_a_count_that_is_no_number_is_refused_in_words(client, login_as):
    user = login_as("employee")
    response = client.post_form("/profile", {"name": user.name, "language": "en",
                                             "reported_followers": "-5", "digest": "weekly"})
    assert response.status_code == 400
    assert "Enter a number from 0 upwards." in response.get_data(as_text=True)


def test_reports_show_how_much_each_reach_figure_covers(db):
    """Ten people, one share each in October: four with an account's count (100 each),
    three with a count they entered (500 each), three with none; two measured on X."""
    people = [factories.make_user(db) for _ in range(10)]
    item = factories.make_item(db)
    for n, person in enumerate(people):
        share = factories.make_share(db, item=item, user=person,
                                     network="mastodon" if n < 4 else "linkedin",
                                     created_at=_at(10, 5))
        share.posted_at = _at(10, 5)
        if n < 4:
            share.followers, share.reach_source = 100, "followers"
        elif n < 7:
            share.followers, share.reach_source = 500, "reported"
    db.flush()
    _judged(db)
    roll_up(db, ZONE, NOW)
    total = reach.build(db, reach.Request(OCTOBER, reach.Filters(), "network"), 3, "none",
                        {}).total.current
    assert (total.follower_reach, total.reported_reach, total.reach) == (400, 1500, 1900)
    assert (total.follower_coverage, total.reported_coverage, total.unreached_coverage) == (
        40.0, 30.0, 30.0)
    assert total.shows("followers") and total.shows("reported") and total.shows("reach")
    # With k = 4 the three people who entered a count are too few: their reach is hidden,
    # and so is the sum of both kinds, which would give it back.
    strict = reach.build(db, reach.Request(OCTOBER, reach.Filters(), "network"), 4, "none",
                         {}).total.current
    assert strict.shows("followers") and not strict.shows("reported")
    assert not strict.shows("reach")


def test_the_report_page_names_every_source(client, login_as, db):
    login_as("hr")
    page = client.get("/reports/reach?period=month&day=2026-10-01").get_data(as_text=True)
    for text in ("Reach from follower counts of connected accounts",
                 "Reach from follower counts people entered (LinkedIn)", "self-reported",
                 "… measured for this share of shares", "Shares with no reach figure",
                 "Earned media value of clicks"):
        assert text in page


def test_an_old_count_is_asked_for_again_once(app, db):
    person = factories.make_user(db, language="de")
    person.reported_followers = 800
    person.reported_followers_on = utcnow().date() - dt.timedelta(
        days=REPORTED_FOLLOWERS_DAYS + 1)
    fresh = factories.make_user(db)
    fresh.reported_followers, fresh.reported_followers_on = 50, utcnow().date()
    db.commit()
    assert remind_reported_followers(app, utcnow()) == 1
    assert remind_reported_followers(app, utcnow()) == 0
    notes = db.scalars(sa.select(Notification).where(Notification.kind == "followers_stale"))
    assert [note.user_id for note in notes] == [person.id]
