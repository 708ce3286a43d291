"""The employee's own view: My numbers against hand-computed values, the inventory of what
is stored, and the JSON export (complete, own data only, no secrets)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from advocacy.accounts.models import SocialAccount
from advocacy.db import Base, utcnow
from advocacy.engagement.models import PointEntry
from advocacy.me.inventory import CATEGORIES
from advocacy.sharing.models import OutboxPost
from tests import factories
from tests.web.test_brand import form as worksheet_form

DAY = dt.timedelta(days=1)


@pytest.fixture
def employee(login_as):
    return login_as("employee", name="Erin Employee")


def share(db, user, *, title=None, clicks=0, **fields):
    return factories.make_posted_share(db, user=user, item=factories.make_item(db, title=title),
                                       click_count=clicks, **fields)


def test_my_numbers_are_the_hand_computed_sums(client, employee, db, make_user):
    a = share(db, employee, network="mastodon", clicks=5, followers=200, title="First",
              method="api")
    db.add(OutboxPost(share_id=a.id, state="posted", idempotency_key="k", run_at=utcnow(),
                      likes=4, reposts=1, replies=2, metrics_at=utcnow()))
    share(db, employee, network="linkedin", clicks=2, followers=300, title="Second")
    share(db, employee, network="linkedin", clicks=9, followers=300, title="Third")
    share(db, employee, network="linkedin", clicks=50, followers=300, days_ago=40)  # outside
    share(db, make_user(), network="linkedin", clicks=99, followers=999)  # someone else
    db.add(PointEntry(user_id=employee.id, points=7, reason="share", ref_type="share",
                      ref_id=a.id))
    db.commit()

    page = client.get("/me/numbers?period=30").get_data(as_text=True)
    stats = re.findall(r'<span class="stat-value">([^<]+)</span>', page)
    assert stats == ["3", "16", "800", "7", "7"]
    assert "1 by API" in page
    rows = re.findall(r'<tr><th scope="row">(\w+)</th>\s*<td[^>]*>(\d+)</td><td[^>]*>(\d+)</td>',
                      page)
    assert rows == [("LinkedIn", "2", "11"), ("Mastodon", "1", "5")]
    top = re.findall(r"<li>(\w+) <span", page)
    assert top == ["Third", "First", "Second"]
    wider = client.get("/me/numbers?period=90").get_data(as_text=True)
    assert re.findall(r'<span class="stat-value">([^<]+)</span>', wider)[:2] == ["4", "66"]


def test_without_reported_engagement_it_says_not_available(client, employee, db):
    share(db, employee, clicks=1)
    db.commit()
    page = client.get("/me/numbers").get_data(as_text=True)
    assert "not available" in page


def test_the_data_page_names_every_category_with_counts(client, employee, db):
    share(db, employee)
    db.commit()
    page = client.get("/me/data").get_data(as_text=True)
    for category in CATEGORIES:
        assert f'id="{category.key}"' in page
    assert "1 entry" in page  # the profile, and the one share


def test_export_has_all_my_data_and_nothing_else(client, employee, db, make_user, app):
    mine = share(db, employee, clicks=3)
    other = make_user(email="other.person@example.org")
    share(db, other)
    db.add(SocialAccount(user_id=employee.id, network="x", handle="@erin", external_id="9",
                         access_token_enc="SEALED-TOKEN", refresh_token_enc="SEALED-REFRESH"))
    db.commit()
    client.post_form("/brand/", worksheet_form(personal="My allotment"))

    response = client.get("/me/data.json")
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    data = json.loads(text)
    assert {c.key for c in CATEGORIES} <= set(data)
    assert data["profile"][0]["email"] == employee.email
    assert "employee" in data["profile"][0]["roles"]
    assert [s["code"] for s in data["shares"]] == [mine.code]
    assert data["accounts"][0]["handle"] == "@erin"
    assert data["worksheet"][0]["data"]["personal"] == "My allotment"
    for secret in ("SEALED-TOKEN", "SEALED-REFRESH", "password_hash", "access_token_enc",
                   "token_hash", "other.person@example.org"):
        assert secret not in text, secret


def test_every_table_with_a_person_column_is_in_the_inventory():
    """A new table holding someone's data must be declared in advocacy/me/inventory.py."""
    declared = {category.rows(None, type("Someone", (), {"id": 0})())
                .column_descriptions[0]["entity"].__table__.name for category in CATEGORIES}
    personal = {table.name for table in Base.metadata.sorted_tables
                if any(fk.column.table.name == "user_account"
                       for fk in table.foreign_keys)}
    # Tables about people that are not theirs to export: who wrote content, registered a
    # feed or wrote a challenge, reviews, hashed login failures (keyed hashes, not linkable
    # to the person), and people lists of groups and roles (both in the profile; so is
    # sso_group_grant, which only says which of those groups the sign-in rules gave).
    not_theirs = {"content_item", "guideline", "user_role", "user_group", "share_text",
                  "campaign", "news_feed", "challenge", "training_module", "sso_group_grant"}
    missing = personal - declared - not_theirs
    assert not missing, f"declare these in advocacy/me/inventory.py: {sorted(missing)}"
