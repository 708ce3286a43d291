"""What the worksheet drives on "My brand": the 5-3-2 and intention mixes, the time budget
and weekly plan, numbers in the order of the person's goals, coaching checklists and the
maturity level, all computed from known shares."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from advocacy.accounts.models import FollowerCount, SocialAccount
from advocacy.brand.guidance import routine_ticks
from advocacy.brand.models import Worksheet
from advocacy.content.services import topics_by_name
from advocacy.db import utcnow
from advocacy.sharing.models import OutboxPost
from tests import factories
from tests.web.test_brand import form

DAY = dt.timedelta(days=1)


@pytest.fixture
def employee(login_as):
    return login_as("employee", name="Erin Employee")


def posted(db, user, *, source="own", intention="inform", topics=(), **fields):
    """A share that went out, of a new item of the given source class and intention."""
    item = factories.make_item(db, source_class=source, intention=intention)
    if topics:
        item.topics = topics_by_name(db, list(topics))
    renamed = {"clicks": "click_count"}
    return factories.make_posted_share(
        db, user=user, item=item, **{renamed.get(k, k): v for k, v in fields.items()})


def overview(client) -> str:
    response = client.get("/brand/overview")
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_the_532_mix_counts_the_last_30_days_and_suggests_what_is_missing(client, employee,
                                                                          db):
    posted(db, employee, source="external")
    for _ in range(4):
        posted(db, employee, source="own")
    posted(db, employee, source="personal", days_ago=31)  # outside the window
    unsent = posted(db, employee, source="personal")
    unsent.posted_at = None  # queued, never went out
    db.commit()
    page = overview(client)
    assert "External sources: 1 (20 %)" in page
    assert "Our own content: 4 (80 %)" in page
    assert "Personal: 0 (0 %)" in page
    assert "Next, share something from an external source" in page


def test_the_intention_mix_is_shown_against_the_planned_split(client, employee, db):
    client.post_form("/brand/", form())  # educate 40, inform 30, inspire 20, entertain 10
    posted(db, employee, intention="educate")
    posted(db, employee, intention="entertain")
    db.commit()
    page = overview(client)
    assert "Educate: 1 (50 %)" in page and "planned 40 %" in page
    assert "Entertain: 1 (50 %)" in page and "planned 10 %" in page
    assert "Inform: 0 (0 %)" in page


def test_time_budget_compares_weeks_and_plans_items_that_fit(client, employee, db):
    client.post_form("/brand/", form(posts_per_week="3"))
    cloud = factories.make_item(db, title="Cloud costs explained")
    cloud.topics = topics_by_name(db, ["Cloud"])
    shared = factories.make_item(db, title="Cloud already shared")
    shared.topics = topics_by_name(db, ["Cloud"])
    factories.make_share(db, item=shared, user=employee)
    factories.make_item(db, title="Canteen menu")
    posted(db, employee, days_ago=0)
    posted(db, employee, days_ago=7)
    db.commit()
    page = overview(client)
    assert "You planned 3 posts a week." in page
    counts = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', page)]
    assert len(counts) == 4 and sum(counts) == 2 and counts[-1] >= 1
    plan = re.search(r'<ol class="weekly-plan">(.*?)</ol>', page).group(1)
    assert "Cloud costs explained" in plan
    assert "Cloud already shared" not in plan and "Canteen menu" not in plan
    assert "One post of your own: what did you learn or see this week about Cloud?" in plan


@pytest.mark.parametrize(("goals", "first"), [
    (["growth"], "growth"), (["expert"], "expert"), (["visibility"], "visibility"),
    (["leads", "growth"], "visibility"),
])
def test_goals_decide_which_numbers_come_first(client, employee, db, goals, first):
    client.post_form("/brand/", form(goals=goals))
    page = overview(client)
    assert re.findall(r'<h3 class="number-(\w+)">', page)[0] == first


def test_numbers_are_measured_from_followers_posts_and_clicks(client, employee, db):
    client.post_form("/brand/", form())
    account = SocialAccount(user_id=employee.id, network="mastodon", handle="@erin@social.example",
                            external_id="1", status="active", followers=130)
    db.add(account)
    db.flush()
    today = utcnow().date()
    db.add_all([FollowerCount(account_id=account.id, day=today - 10 * DAY, followers=100),
                FollowerCount(account_id=account.id, day=today, followers=130)])
    on_topic = posted(db, employee, topics=["Cloud"], clicks=4, followers=130)
    db.add(OutboxPost(share_id=on_topic.id, account_id=account.id, state="posted",
                      idempotency_key="k1", run_at=utcnow(), likes=5, reposts=2, replies=1))
    posted(db, employee, clicks=3, followers=70)
    db.commit()
    page = overview(client)
    assert "@erin@social.example</dt><dd>130 (+30)" in page
    assert "Posts on your topics</dt><dd>1 " in page
    assert "Likes, reposts and replies on them</dt><dd>8 " in page
    assert "Clicks on your links</dt><dd>7 " in page
    assert "Reach</dt><dd>200 <span class=\"muted small\">estimated" in page


def test_overview_queries_do_not_grow_with_shares(client, employee, db, count_queries):
    client.post_form("/brand/", form())

    def queries() -> int:
        with count_queries() as counter:
            overview(client)
        return counter.count

    posted(db, employee)
    db.commit()
    few = queries()
    for n in range(30):
        posted(db, employee, source=("external", "own", "personal")[n % 3], days_ago=n % 20)
    db.commit()
    assert queries() == few


# -- checklists, routines, maturity ------------------------------------------------------------

PROFILE = ["photo", "banner", "headline", "about", "featured"]


def test_maturity_grows_with_what_the_person_does(client, employee, db):
    page = overview(client)
    assert "Your level: Beginner" in page
    assert "Next step: <strong class=\"next-step\">Complete your profile on one network" in page

    response = client.post_form("/brand/helpers", {"linkedin": PROFILE, "daily": ["react"]})
    assert response.status_code == 302
    assert "Next step: <strong class=\"next-step\">Connect an account or share" in \
        overview(client)
    for _ in range(3):
        posted(db, employee)
    db.commit()
    page = overview(client)
    assert "Your level: Advanced" in page
    assert "Share 5 items in your own words" in page

    for n in range(5):
        posted(db, employee, edited=True, network=("linkedin", "x")[n % 2])
    db.commit()
    assert "Next step: <strong class=\"next-step\">Complete your worksheet." in overview(client)
    client.post_form("/brand/", form())
    assert "Your level: Expert" in overview(client)


def test_routines_start_empty_each_day_and_week(client, employee, db):
    client.post_form("/brand/helpers", {"daily": ["read", "comment"], "weekly": ["post"]})
    db.expire_all()
    checks = db.get(Worksheet, employee.id).checks
    today = utcnow().date()
    assert routine_ticks(checks, "daily", today) == ["read", "comment"]
    assert routine_ticks(checks, "daily", today + DAY) == []
    monday = today - dt.timedelta(days=today.weekday())
    assert routine_ticks(checks, "weekly", monday + dt.timedelta(days=6)) == ["post"]
    assert routine_ticks(checks, "weekly", monday + dt.timedelta(days=7)) == []
    page = client.get("/brand/helpers").get_data(as_text=True)
    assert re.search(r'value="comment"[^>]*checked|checked[^>]*value="comment"', page)


def test_unknown_ticks_are_refused(client, employee, db):
    response = client.post_form("/brand/helpers", {"linkedin": ["photo", "followers"]})
    assert response.status_code == 400
    assert "is not a valid choice" in response.get_data(as_text=True).replace("&#39;", "'")
    assert db.scalar(sa.select(sa.func.count()).select_from(Worksheet)) == 0


def test_templates_carry_the_consent_note(client, employee):
    page = client.get("/brand/helpers").get_data(as_text=True).replace("&#39;", "'")
    assert "Promotional direct messages need the recipient's prior consent" in page
    assert "Connection request after meeting someone" in page
