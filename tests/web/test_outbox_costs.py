"""X bills every post by API: a monthly budget, X's own usage cap, and what people see."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import pytest
import sqlalchemy as sa

from advocacy.db import utcnow
from advocacy.sharing.models import NetworkBudget, OutboxPost, Share
from advocacy.sharing.outbox import fetch_metrics, process_outbox
from advocacy.sharing.outbox.budget import next_month
from tests import factories
from tests.fakes.fixtures import provider_config
from tests.web.test_outbox import connect_x, other_client, post


@pytest.fixture
def config_overrides(smtp_config, fake_x):
    return {**smtp_config, **provider_config(x=fake_x, PROVIDER_TIMEOUT=1)}


@pytest.fixture
def sharer(app, db, client, make_user, fake_x):
    person = make_user()
    connect_x(app, db, person, fake_x)
    return person, other_client(app, person)


@pytest.fixture
def admin(make_user):
    return make_user(roles={"admin"}, email="boss@example.org")


def share_items(db, client, count: int) -> list[Share]:
    shares = []
    for number in range(count):
        item = factories.make_item(db, title=f"Costly {number}")
        db.commit()
        post(client, item, text=f"Words {number}")
        shares.append(db.scalars(sa.select(Share).where(Share.item_id == item.id)).one())
    return shares


def row_of(db, share) -> OutboxPost:
    db.expire_all()
    return db.scalars(sa.select(OutboxPost).where(OutboxPost.share_id == share.id)).one()


def set_budget(client, **values):
    data = {"network": "x", **{f"x-{k}": v for k, v in values.items()}}
    return client.post_form("/posting/costs", data)


def test_the_budget_stops_x_posting_for_everyone_and_tells_the_admins_once(
        client, db, app, fake_x, sharer, admin, mailbox):
    client.login(admin.email)
    assert set_budget(client, monthly_posts="1").status_code == 302
    _person, their_client = sharer
    first, second, third = share_items(db, their_client, 3)

    assert process_outbox(app) == {"posted": 1, "held": 2}
    # What X bills: $0.015, or $0.20 with a link X recognises (not http://localhost/...).
    assert row_of(db, first).cost == fake_x.state.billing_total() == Decimal("0.015")
    for share in (second, third):
        row = row_of(db, share)
        assert (row.state, row.error_kind) == ("failed", "budget")
    assert len(fake_x.state.requests_to("/2/tweets", "POST")) == 1
    budget = db.get(NetworkBudget, "x")
    assert (budget.stop_reason, budget.stopped_until) == ("budget", next_month(utcnow()))
    [mail] = mailbox.wait_for(1)
    assert mail["To"] == admin.email and "stopped" in mail["Subject"]

    page = html.unescape(their_client.get("/shares").get_data(as_text=True))
    assert "this month's budget is used up" in page and "Share by link instead" in page
    assert "Try again" not in page
    inbox = html.unescape(their_client.get("/notifications/").get_data(as_text=True))
    assert inbox.count("Posting to X by API is paused for now") == 2
    refused = their_client.post_form(f"/shares/{row_of(db, second).id}/retry",
                                     follow_redirects=True)
    assert "paused until" in refused.get_data(as_text=True)
    health = client.get("/reports/health").get_data(as_text=True)
    assert "1 post · 0.015 USD" in health and "Stopped until" in health

    more = share_items(db, their_client, 1)
    assert process_outbox(app) == {"held": 1}
    assert row_of(db, more[0]).error_kind == "budget"
    assert len(mailbox.messages) == 1  # one mail per stop


def test_a_budget_in_money_counts_what_x_bills(client, db, app, fake_x, sharer, admin):
    client.login(admin.email)
    set_budget(client, monthly_amount="0.02")
    _person, their_client = sharer
    shares = share_items(db, their_client, 2)
    assert process_outbox(app) == {"posted": 1, "held": 1}  # 0.015, then 0.030 > 0.02
    assert fake_x.state.billing_total() == Decimal("0.015")
    assert row_of(db, shares[1]).error_kind == "budget"


def test_the_price_follows_xs_own_link_recognition():
    from advocacy.sharing.outbox.budget import price

    assert price("x", "Words\nhttps://advocacy.example.com/r/Ab12Cd34Ef") == Decimal("0.20")
    assert price("x", "Words without a link") == Decimal("0.015")
    assert price("mastodon", "Words\nhttps://advocacy.example.com/r/x") == Decimal(0)


def test_xs_usage_cap_is_a_stop_until_the_reset_not_a_slow_down(
        client, db, app, fake_x, sharer, admin, mailbox):
    """Reproduced: X's `usage_capped` was taken for a one-minute slow-down: nobody was
    told and every queued X post kept trying (and costing)."""
    fake_x.state.usage_cap = fake_x.state.usage
    _person, their_client = sharer
    first, second = share_items(db, their_client, 2)
    assert process_outbox(app) == {"capped": 1, "deferred": 1}
    row = row_of(db, first)
    assert (row.state, row.error_kind) == ("failed", "capped")
    assert "Monthly product cap" in row.last_error
    budget = db.get(NetworkBudget, "x")
    assert (budget.stop_reason, budget.stopped_until) == ("capped", next_month(utcnow()))
    assert len(mailbox.wait_for(1)) == 1

    calls = len(fake_x.state.requests)
    assert process_outbox(app) == {"held": 1}  # the second is not even tried
    assert len(fake_x.state.requests) == calls
    page = their_client.get("/shares").get_data(as_text=True)
    assert "monthly limit for our app is reached" in page

    # X raised the cap: an admin lifts the stop, and the person tries again.
    fake_x.state.usage_cap = None
    client.login(admin.email)
    costs = client.get("/posting/costs").get_data(as_text=True)
    assert "Posting by API is stopped until" in costs
    client.post_form("/posting/costs/x/resume")
    db.expire_all()
    assert db.get(NetworkBudget, "x").stop_reason is None
    their_client.post_form(f"/shares/{row_of(db, second).id}/retry")
    assert process_outbox(app) == {"posted": 1}
    assert len(mailbox.messages) == 1


def test_the_stop_ends_with_the_month(db, app, fake_x, sharer):
    db.add(NetworkBudget(network="x", stop_reason="capped",
                         stopped_until=utcnow() - dt.timedelta(minutes=1)))
    db.commit()
    _person, their_client = sharer
    share_items(db, their_client, 1)
    assert process_outbox(app) == {"posted": 1}
    db.expire_all()
    assert db.get(NetworkBudget, "x").stop_reason is None


def test_no_metrics_are_read_while_x_is_stopped(db, app, fake_x, sharer):
    _person, their_client = sharer
    share_items(db, their_client, 1)
    process_outbox(app)
    db.add(NetworkBudget(network="x", stop_reason="budget",
                         stopped_until=utcnow() + dt.timedelta(days=3)))
    db.commit()
    assert fetch_metrics(app) == 0  # reading is billed too
    assert fake_x.state.requests_to("/2/tweets/", "GET") == []


@pytest.mark.parametrize(("values", "message"), [
    ({"monthly_posts": "-1"}, "Enter a number of posts from 0 to 1,000,000."),
    ({"monthly_amount": "lots"}, "Not a valid decimal value."),
])
def test_a_budget_that_makes_no_sense_is_refused_with_words(client, db, admin, values,
                                                            message):
    client.login(admin.email)
    response = set_budget(client, **values)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.get(NetworkBudget, "x") is None
