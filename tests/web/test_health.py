"""Programme health on the fixed dataset of `test_reach_report` (shares in September and
October 2026, "now" 21 November 2026), with items, accounts and posts added here."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from advocacy.accounts.models import SocialAccount
from advocacy.reports import health
from advocacy.sharing.models import OutboxPost
from tests import factories
from tests.web.test_reach_report import NOW, ZONE, _at, dataset

BERLIN = ZoneInfo(ZONE)


@pytest.fixture
def data(db):
    found = dataset(db)
    for day in (6, 7):  # two items went live in the week of 5 October
        factories.make_item(db, live_from=_at(10, day))
    s1, s2 = found["s"][0], found["s"][1]
    db.add_all([
        SocialAccount(user_id=s1.id, network="mastodon", external_id="1", handle="@s1",
                      status="reconnect"),
        SocialAccount(user_id=s2.id, network="linkedin", external_id="2", handle="s2",
                      expires_at=NOW + dt.timedelta(days=3)),
        SocialAccount(user_id=s1.id, network="linkedin", external_id="3", handle="s1",
                      expires_at=NOW + dt.timedelta(days=30))])
    for n, age in enumerate((2, 45)):
        share = factories.make_share(db, item=factories.make_item(db, title=f"Failed {n}"),
                                     user=s2)
        db.add(OutboxPost(share_id=share.id, state="failed", idempotency_key=f"f{n}",
                          run_at=NOW, created_at=NOW - dt.timedelta(days=age),
                          error_kind="auth", last_error="The access token has expired."))
    db.commit()
    return found


def test_active_advocates_per_month(db, data):
    report = health.build(db, NOW, BERLIN, None)
    months = {cell.key: cell for cell in report.months}
    assert len(months) == 12 and min(months) == dt.date(2025, 12, 1)
    assert (months[dt.date(2026, 9, 1)].people, months[dt.date(2026, 10, 1)].people,
            months[dt.date(2026, 11, 1)].people) == (1, 7, 0)
    assert months[dt.date(2026, 10, 1)].shares == 8
    protected = {cell.key: cell for cell in health.build(db, NOW, BERLIN, 5).months}
    assert protected[dt.date(2026, 9, 1)].suppressed  # one person


def test_supply_against_the_rule_of_thumb(db, data):
    weeks = {week.first: week for week in health.build(db, NOW, BERLIN, None).weeks}
    assert len(weeks) == 12 and max(weeks) == dt.date(2026, 11, 16)
    busy = weeks[dt.date(2026, 10, 5)]  # s1..s5 shared on 10 October
    assert (busy.items, busy.active.people, busy.target, busy.enough) == (2, 5, 0.175, True)
    quiet = weeks[dt.date(2026, 10, 19)]  # l1 and l2 on 20 October, no new item
    assert (quiet.items, quiet.active.people, quiet.enough) == (0, 2, False)
    hidden = {w.first: w for w in health.build(db, NOW, BERLIN, 5).weeks}
    assert hidden[dt.date(2026, 10, 19)].target is None  # two people: not shown


def test_accounts_and_failed_posts(db, data):
    report = health.build(db, NOW, BERLIN, None)
    assert report.reconnect == {"mastodon": 1}
    assert report.expiring == {"linkedin": 1}
    assert report.failed == {"linkedin": 1}  # the other one is 45 days old
    assert [post.title for post in report.latest_failed] == ["Failed 0"]


def test_page_for_comms_names_nobody(client, db, login_as, data):
    login_as("comms")
    page = client.get("/reports/health").get_data(as_text=True)
    assert "Programme health" in page and "<svg" in page
    assert "Accounts needing reconnection" in page and "Failed 0" in page
    for person in data["s"] + data["labs"]:
        assert person.name not in page and person.email not in page
