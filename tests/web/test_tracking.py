"""Tracked links: the redirect, what is recorded, and how clicks are judged."""

from __future__ import annotations

import dataclasses
import datetime as dt
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlsplit

import pytest
import sqlalchemy as sa

from advocacy.admin.services import get_settings, save_settings
from advocacy.content.models import ContentItem
from advocacy.db import utcnow
from advocacy.engagement.models import PointEntry
from advocacy.sharing.links import ShareTarget, destination, visitor_hashes
from advocacy.sharing.models import Click, Share
from advocacy.sharing.tracking import process_clicks
from tests import factories

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


@pytest.fixture
def share(db, make_user):
    sharer = make_user()
    campaign = factories.make_campaign(db, name="Open day")
    item = factories.make_item(db, url="https://example.com/news?id=7&utm_source=old",
                               campaign=campaign)
    share = factories.make_share(db, item=item, user=sharer, network="linkedin")
    share.target_url, share.utm_campaign = item.url, campaign.slug
    db.commit()
    return share


def visit(client, share, agent=BROWSER, address="203.0.113.7"):
    return client.get(f"/r/{share.code}", headers={"User-Agent": agent},
                      environ_base={"REMOTE_ADDR": address})


def clicks(db) -> list[Click]:
    db.expire_all()
    return list(db.scalars(sa.select(Click).order_by(Click.id)))


def judge(db, app):
    return process_clicks(db, get_settings(db), app.config["TIMEZONE"])


def test_redirects_to_the_stored_url_with_utm_parameters(client, share):
    response = visit(client, share)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert (location.scheme, location.netloc, location.path) == ("https", "example.com", "/news")
    assert dict(parse_qsl(location.query)) == {
        "id": "7", "utm_source": "linkedin", "utm_medium": "employee_advocacy",
        "utm_campaign": share.utm_campaign, "utm_content": share.code}
    assert response.headers["Cache-Control"] == "no-store"


def test_utm_medium_is_a_setting(client, share, db):
    save_settings(db, {"utm_medium": "botschafter"})
    db.commit()
    location = visit(client, share).headers["Location"]
    assert "utm_medium=botschafter" in location


@pytest.mark.parametrize("suffix", ["?next=https://evil.example", "?url=//evil.example",
                                    "/../../evil", "%2F%2Fevil.example"])
def test_nothing_in_the_request_changes_the_destination(client, share, suffix):
    response = client.get(f"/r/{share.code}{suffix}", headers={"User-Agent": BROWSER})
    location = response.headers.get("Location", "")
    assert response.status_code in (302, 404)
    assert not location or location.startswith("https://example.com/news?")


@pytest.mark.parametrize("code", ["doesNotExist", "a" * 10, "<script>", "%00"])
def test_unknown_code_is_a_404_page(client, code):
    response = client.get(f"/r/{code}", headers={"User-Agent": BROWSER})
    assert response.status_code == 404
    assert b"Page not found" in response.data


def test_a_human_click_is_stored_without_the_address(client, share, db):
    visit(client, share, address="198.51.100.23")
    [click] = clicks(db)
    assert (click.share_id, click.network, click.counted) == (share.id, "linkedin", None)
    assert "198.51.100.23" not in click.visitor_hash + click.visitor_hash_prev
    assert len(click.visitor_hash) == 32


@pytest.mark.parametrize("agent", [
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "Twitterbot/1.0", "facebookexternalhit/1.1", "Slackbot-LinkExpanding 1.0",
    "http.rb/5.1.1 (Mastodon/4.2.0; +https://mastodon.social/)",
    "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)",
    "WhatsApp/2.23.20.0", "Mozilla/5.0 (compatible; Discordbot/2.0)",
    "Mozilla/5.0 (compatible; Googlebot/2.1)", "curl/8.5.0", "", "SomeCrawler/3.0",
])
def test_previews_and_bots_are_redirected_but_not_stored(client, share, db, agent):
    assert visit(client, share, agent=agent).status_code == 302
    assert clicks(db) == []


def test_the_sharers_own_clicks_are_not_stored(client, share, db):
    client.login(share.user.email)
    assert visit(client, share).status_code == 302
    assert clicks(db) == []


def test_same_visitor_counts_once_within_24_hours(client, share, db, app):
    visit(client, share)
    visit(client, share)
    visit(client, share, address="192.0.2.99")  # somebody else
    assert judge(db, app) == 3
    assert [c.counted for c in clicks(db)] == [True, False, True]
    db.expire_all()
    assert db.get(Share, share.id).click_count == 2
    assert db.get(ContentItem, share.item_id).click_count == 2
    points = db.scalars(sa.select(PointEntry.points).where(
        PointEntry.user_id == share.user_id, PointEntry.reason == "unique_click")).all()
    assert points == [1, 1]


def test_judging_is_idempotent(client, share, db, app):
    visit(client, share)
    assert judge(db, app) == 1
    assert judge(db, app) == 0
    db.expire_all()
    assert db.get(Share, share.id).click_count == 1


def _stored(db, share, at, hashes):
    db.add(Click(share_id=share.id, network=share.network, clicked_at=at,
                 visitor_hash=hashes[0], visitor_hash_prev=hashes[1]))
    db.commit()


def test_repeat_across_midnight_is_recognised(db, share, app):
    secret = app.config["SECRET_KEY"]
    late = dt.datetime(2026, 11, 20, 23, 50, tzinfo=dt.UTC)
    early = late + dt.timedelta(minutes=20)  # the next day: another salt
    _stored(db, share, late, visitor_hashes(secret, "203.0.113.7", BROWSER, late))
    _stored(db, share, early, visitor_hashes(secret, "203.0.113.7", BROWSER, early))
    judge(db, app)
    assert [c.counted for c in clicks(db)] == [True, False]


def test_after_24_hours_the_visitor_counts_again(db, share, app):
    secret = app.config["SECRET_KEY"]
    first = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    again = first + dt.timedelta(hours=25)
    for at in (first, again):
        _stored(db, share, at, visitor_hashes(secret, "203.0.113.7", BROWSER, at))
    judge(db, app)
    assert [c.counted for c in clicks(db)] == [True, True]


def test_daily_salt_makes_days_unlinkable():
    day = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    a = visitor_hashes("secret", "203.0.113.7", BROWSER, day)
    b = visitor_hashes("secret", "203.0.113.7", BROWSER, day + dt.timedelta(days=2))
    assert set(a).isdisjoint(b)


def test_daily_point_cap_applies_to_clicks(client, share, db, app):
    settings = get_settings(db)
    for number in range(5):
        visit(client, share, address=f"192.0.2.{number}")
    process_clicks(db, dataclasses.replace(settings, points_daily_cap=3, points_share=0,
                                           points_first_share=0), app.config["TIMEZONE"])
    total = db.scalar(sa.select(sa.func.sum(PointEntry.points)).where(
        PointEntry.user_id == share.user_id))
    assert total == 3
    db.expire_all()
    assert db.get(Share, share.id).click_count == 5  # clicks are counted regardless


def test_destination_merges_into_the_query_and_keeps_fragments():
    target = ShareTarget(1, None, "x", "Code123456", "https://example.com/a?b=1#top", None)
    url = destination(target, "advocacy")
    assert url.startswith("https://example.com/a?b=1&utm_source=x&utm_medium=advocacy")
    assert url.endswith("#top")
    assert "utm_campaign" not in url


class CountingConnection:
    """The real DB-API connection, counting the statements sent through it."""

    def __init__(self, connection, statements):
        self.connection, self.statements = connection, statements

    def cursor(self):
        cursor = self.connection.cursor()
        statements = self.statements

        class Cursor:
            def execute(self, sql, params=()):
                statements.append(sql)
                return cursor.execute(sql, params)

            def __getattr__(self, name):
                return getattr(cursor, name)

        return Cursor()


def test_redirect_runs_a_fixed_number_of_statements(client, share, db, app, monkeypatch):
    links = app.extensions["advocacy.links"]
    real = links.connection
    statements: list[str] = []

    @contextmanager
    def counted():
        with real() as connection:
            yield CountingConnection(connection, statements)

    monkeypatch.setattr(links, "connection", counted)
    visit(client, share)  # fills the share cache and the copy of the UTM medium
    assert len(statements) == 3  # the share, the click, the UTM medium
    statements.clear()
    visit(client, share)
    assert [s.split()[0].upper() for s in statements] == ["INSERT"]
    for number in range(30):
        db.add(Click(share_id=share.id, network="x", clicked_at=utcnow(),
                     visitor_hash=f"{number:032d}", visitor_hash_prev=f"{number:032d}"))
    db.commit()
    statements.clear()
    visit(client, share)
    assert [s.split()[0].upper() for s in statements] == ["INSERT"]
    statements.clear()
    visit(client, share, agent="Twitterbot/1.0")
    assert statements == []  # a preview costs no statement at all


@pytest.mark.parametrize("fresh_database_url", ["sqlite", "postgresql"], indirect=True)
def test_production_path_stores_and_leaves_the_pool_intact(fresh_database_url, tmp_path):
    """Outside the tests' shared transaction: the pooled connection, one statement per
    transaction, and the connection handed back as the ORM expects it."""
    from advocacy import create_app
    from advocacy.db import get_database, session_scope
    from tests.conftest import base_config

    app = create_app(base_config(fresh_database_url, UPLOAD_DIR=str(tmp_path)))
    with app.app_context(), session_scope(app) as session:
        code = factories.make_share(session, item=factories.make_item(session)).code
    visitor = app.test_client()
    for _ in range(3):
        assert visitor.get(f"/r/{code}", headers={"User-Agent": BROWSER}).status_code == 302
    database = get_database(app)
    with database.sessionmaker() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Click)) == 3
        session.add(Click(share_id=1, network="x", clicked_at=utcnow(), visitor_hash="a" * 32,
                          visitor_hash_prev="a" * 32))
        session.flush()
        session.rollback()  # only works if the connection is back in transactional mode
        assert session.scalar(sa.select(sa.func.count()).select_from(Click)) == 3
    database.engine.dispose()
