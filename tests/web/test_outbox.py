"""Posting by API through the outbox, against the fake LinkedIn, X and Mastodon servers.

Every test goes through the app (the share sheet, "My shares", the job) and checks both our
database and what the network received. Accounts are stored with the real service
(`save_account`) and tokens the fakes issued, as connecting would store them.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid

import httpx
import pytest
import sqlalchemy as sa

from advocacy.accounts.models import SocialAccount
from advocacy.accounts.services import save_account
from advocacy.admin.services import get_settings, save_settings
from advocacy.content.models import ContentItem
from advocacy.content.services import withdraw_expired
from advocacy.crypto import vault
from advocacy.db import utcnow
from advocacy.engagement.models import PointEntry
from advocacy.errors import DomainError
from advocacy.problems import Problem
from advocacy.providers.api import Profile, Tokens
from advocacy.sharing.models import NetworkBudget, OutboxPost, Share, ShareMetric
from advocacy.sharing.outbox import (
    BACKOFF_MINUTES,
    PostRequest,
    fetch_metrics,
    process_outbox,
    queue_post,
)
from tests import factories
from tests.fakes.fixtures import NOWHERE, provider_config

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def config_overrides(smtp_config, fake_linkedin, fake_x):
    return {**smtp_config,
            **provider_config(linkedin=fake_linkedin, x=fake_x, PROVIDER_TIMEOUT=1)}


@pytest.fixture
def employee(login_as):
    return login_as("employee")


@pytest.fixture
def item(db):
    item = factories.make_item(db, title="Our new plant", texts=[("Worth a read", None)])
    db.commit()
    return item


def said(stored: str | None) -> str:
    """A stored problem (advocacy.problems) in English, as the logs read it."""
    problem = Problem.load(stored)
    assert problem is not None and problem.code != "legacy", stored
    return problem.english()


# -- connecting accounts, as `finish_oauth` stores them --------------------------------------------

def connect_x(app, db, user, fake_x, x_user=None) -> SocialAccount:
    db.expire_all()  # as a fresh request would see the account
    x_user = x_user or fake_x.state.user
    issued = fake_x.state.issue_token(x_user["id"])
    tokens = Tokens(issued["access_token"], issued["refresh_token"],
                    utcnow() + dt.timedelta(seconds=issued["expires_in"]), issued["scope"])
    profile = Profile(x_user["id"], f"@{x_user['username']}", x_user["name"],
                      x_user["public_metrics"]["followers_count"])
    account = save_account(db, vault(app), user, "x", profile, tokens)
    db.commit()
    return account


def connect_mastodon(app, db, user, fake_mastodon, url_length=None) -> SocialAccount:
    person = fake_mastodon.state.account
    host = fake_mastodon.url.split("://", 1)[1]
    profile = Profile(person["id"], f"@{person['acct']}@{host}", person["display_name"],
                      person["followers_count"])
    tokens = Tokens(fake_mastodon.state.issue_token(),
                    scopes="read:accounts read:statuses write:statuses")
    account = save_account(db, vault(app), user, "mastodon", profile, tokens,
                           base_url=fake_mastodon.url,
                           char_limit=fake_mastodon.state.max_characters,
                           url_length=url_length)
    db.commit()
    return account


def connect_linkedin(app, db, user, fake_linkedin) -> SocialAccount:
    member = fake_linkedin.state.member
    tokens = Tokens(fake_linkedin.state.issue_token(), None, utcnow() + dt.timedelta(days=60),
                    "email,openid,profile,w_member_social")
    profile = Profile(fake_linkedin.state.urn(), member["email"], member["name"], None)
    account = save_account(db, vault(app), user, "linkedin", profile, tokens)
    db.commit()
    return account


# -- helpers ---------------------------------------------------------------------------------------

def post(client, item, text="My own words on this", **data):
    """The second click, with every connected account ticked as the sheet preselects."""
    page = client.get(f"/share/{item.id}").get_data(as_text=True)
    ticked = re.findall(r'name="accounts" value="(\d+)"[^>]*checked', page)
    assert ticked, "no connected account is offered on the share sheet"
    response = client.post_form(f"/share/{item.id}",
                                {"text": text, "post": "1", "accounts": ticked, **data})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def later(delta: dt.timedelta) -> str:
    """A `post_at` value in local time (the app's timezone, Europe/Berlin)."""
    from zoneinfo import ZoneInfo

    return (utcnow() + delta).astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%dT%H:%M")


def share_of(db, user, network=None) -> Share:
    db.expire_all()
    query = sa.select(Share).where(Share.user_id == user.id)
    if network:
        query = query.where(Share.network == network)
    return db.scalars(query.order_by(Share.id)).one()


def outbox_post(db, share) -> OutboxPost:
    db.expire_all()
    return db.scalars(sa.select(OutboxPost).where(OutboxPost.share_id == share.id)).one()


def points_of(db, user) -> list[str]:
    return sorted(db.scalars(sa.select(PointEntry.reason).where(PointEntry.user_id == user.id)))


def share_count(db, item) -> int:
    db.expire_all()
    return db.get(ContentItem, item.id).share_count


def other_client(app, user):
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert other.login(user.email).status_code == 302
    return other


def tweets_with(fake_x, code) -> list[dict]:
    return [t for t in fake_x.state.created if t["text"].endswith(f"/r/{code}")]


def statuses_with(fake_mastodon, code) -> list[dict]:
    return [s for s in fake_mastodon.state.live_statuses() if s["text"].endswith(f"/r/{code}")]


# -- 1. each network posts -------------------------------------------------------------------------

def test_x_gets_our_text_with_the_tracked_link_and_the_share_counts_only_once_posted(
        client, employee, item, db, app, fake_x):
    connect_x(app, db, employee, fake_x)
    post(client, item)
    share = share_of(db, employee)
    assert outbox_post(db, share).state == "queued"
    assert fake_x.state.requests_to("/2/tweets", "POST") == []
    assert share_count(db, item) == 0 and points_of(db, employee) == []

    assert process_outbox(app) == {"posted": 1}

    [tweet] = fake_x.state.created
    assert tweet["text"].startswith("My own words on this\n\nI work at")
    assert tweet["text"].endswith(f"\nhttp://localhost/r/{share.code}")
    row = outbox_post(db, share)
    assert (row.state, row.remote_id, row.attempts) == ("posted", tweet["id"], 1)
    assert row.remote_url.endswith(f"/status/{tweet['id']}")
    assert db.get(Share, share.id).posted_at is not None
    assert share_count(db, item) == 1
    assert points_of(db, employee) == ["first_share", "share"]
    assert process_outbox(app) == {}  # nothing twice
    assert len(fake_x.state.requests_to("/2/tweets", "POST")) == 1


def test_linkedin_gets_escaped_commentary_and_the_tracked_link_as_the_article(
        client, employee, item, db, app, fake_linkedin):
    connect_linkedin(app, db, employee, fake_linkedin)
    words = "Proud of the team (and *everyone* at [plant_2]) @home #energy"
    post(client, item, text=words)
    assert share_count(db, item) == 0
    assert process_outbox(app) == {"posted": 1}

    share = share_of(db, employee)
    [sent] = fake_linkedin.state.live_posts(fake_linkedin.state.urn())
    commentary = sent["body"]["commentary"]
    assert commentary.startswith(r"Proud of the team \(and \*everyone\* at \[plant\_2\]\) "
                                 r"\@home #energy")
    assert sent["text"].startswith(words)  # members see it whole, not cut at "("
    assert sent["article"]["source"] == f"http://localhost/r/{share.code}"
    assert sent["article"]["title"] == "Our new plant"
    row = outbox_post(db, share)
    assert (row.state, row.remote_id) == ("posted", sent["urn"])
    assert share_count(db, item) == 1
    assert points_of(db, employee) == ["first_share", "share"]


def test_mastodon_gets_the_idempotency_key_and_the_tracked_link(
        client, employee, item, db, app, fake_mastodon):
    connect_mastodon(app, db, employee, fake_mastodon)
    post(client, item)
    assert process_outbox(app) == {"posted": 1}

    share = share_of(db, employee)
    row = outbox_post(db, share)
    [status] = fake_mastodon.state.live_statuses()
    assert status["text"].startswith("My own words on this\n\nI work at")
    assert status["text"].endswith(f"\nhttp://localhost/r/{share.code}")
    sent = fake_mastodon.state.last("/api/v1/statuses", "POST")
    assert sent.header("Idempotency-Key") == row.idempotency_key
    assert (row.state, row.remote_id) == ("posted", status["id"])
    assert row.remote_url == f"{fake_mastodon.url}/@alice/{status['id']}"
    assert share_count(db, item) == 1


# -- 2. nothing twice: an unknown outcome is settled, never taken for "not posted" -----------------

def test_x_post_without_an_answer_is_looked_up_and_not_sent_again(
        client, employee, item, db, app, fake_x):
    connect_x(app, db, employee, fake_x)
    post(client, item)
    fake_x.state.hang_after_next("/2/tweets", 3, method="POST")
    assert process_outbox(app) == {"unknown": 1}
    share = share_of(db, employee)
    row = outbox_post(db, share)
    assert (row.state, row.outcome_unknown, row.doubted) == ("unknown", True, True)
    assert len(tweets_with(fake_x, share.code)) == 1  # it did arrive
    assert share_count(db, item) == 0  # but we do not know yet
    assert "checking whether it arrived" in client.get("/shares").get_data(as_text=True)

    assert process_outbox(app, now=row.run_at) == {"posted": 1}
    [tweet] = tweets_with(fake_x, share.code)
    row = outbox_post(db, share)
    assert (row.state, row.remote_id, row.outcome_unknown) == ("posted", tweet["id"], False)
    looked = fake_x.state.last("/2/users/", "GET")  # it looked first, from the first attempt
    assert looked.query["start_time"] <= row.first_sent_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert len(fake_x.state.requests_to("/2/tweets", "POST")) == 1
    assert share_count(db, item) == 1


@pytest.mark.parametrize("status", [500, 503])
def test_x_error_after_the_post_was_made_is_settled_not_failed(
        client, employee, item, db, app, fake_x, status):
    """Reproduced: X made the post and answered 5xx; the app took it for "not taken"."""
    connect_x(app, db, employee, fake_x)
    post(client, item)
    fake_x.state.fail_after_next(status, path_prefix="/2/tweets", method="POST")
    assert process_outbox(app) == {"unknown": 1}
    share = share_of(db, employee)
    assert process_outbox(app, now=outbox_post(db, share).run_at) == {"posted": 1}
    [tweet] = tweets_with(fake_x, share.code)
    assert outbox_post(db, share).remote_id == tweet["id"]
    assert len(fake_x.state.requests_to("/2/tweets", "POST")) == 1


def test_x_look_up_that_fails_is_asked_again_never_a_refusal(
        client, employee, item, db, app, fake_x):
    """Reproduced: the timeline answered 404 after a time-out and the row became "failed:
    the network refused the post" although the post exists."""
    connect_x(app, db, employee, fake_x)
    post(client, item)
    fake_x.state.hang_after_next("/2/tweets", 3, method="POST")
    process_outbox(app)
    share = share_of(db, employee)
    fake_x.state.fail_next(404, path_prefix="/2/users/", method="GET", times=2)
    for _ in range(2):
        assert process_outbox(app, now=outbox_post(db, share).run_at) == {"unknown": 1}
        row = outbox_post(db, share)
        assert (row.state, row.error_kind) == ("unknown", "lookup")
    page = client.get("/shares").get_data(as_text=True)
    assert "refused" not in page and "checking" in page
    assert process_outbox(app, now=outbox_post(db, share).run_at) == {"posted": 1}
    assert len(fake_x.state.requests_to("/2/tweets", "POST")) == 1


def test_x_duplicate_refusal_is_recorded_as_the_post_that_exists(
        client, employee, item, db, app, fake_x):
    """X's timeline did not show the post yet when we asked; sending again was refused as a
    duplicate: that means it is there, and it is looked up again, not failed."""
    connect_x(app, db, employee, fake_x)
    post(client, item)
    fake_x.state.fail_after_next(500, path_prefix="/2/tweets", method="POST")
    process_outbox(app)
    share = share_of(db, employee)
    fake_x.state.fail_next(200, path_prefix="/2/users/", method="GET",
                           body={"meta": {"result_count": 0}})  # not visible yet
    assert process_outbox(app, now=outbox_post(db, share).run_at) == {"posted": 1}
    [tweet] = tweets_with(fake_x, share.code)
    assert [r.answered for r in fake_x.state.requests_to("/2/tweets", "POST")] == [500, 403]
    row = outbox_post(db, share)
    assert (row.state, row.remote_id) == ("posted", tweet["id"])
    assert share_count(db, item) == 1


def test_x_post_that_did_not_arrive_is_sent_after_looking(
        client, employee, item, db, app, fake_x):
    connect_x(app, db, employee, fake_x)
    post(client, item)
    fake_x.state.hang_after_next("/2/tweets", 3, method="POST")
    process_outbox(app)
    share = share_of(db, employee)
    [lost] = tweets_with(fake_x, share.code)
    with fake_x.state.lock:
        lost["deleted"] = True  # as if X had dropped it

    assert process_outbox(app, now=outbox_post(db, share).run_at) == {"posted": 1}
    [tweet] = tweets_with(fake_x, share.code)
    assert tweet["id"] != lost["id"]
    assert outbox_post(db, share).remote_id == tweet["id"]


def test_mastodon_post_without_an_answer_is_settled_with_the_same_idempotency_key(
        client, employee, item, db, app, fake_mastodon):
    connect_mastodon(app, db, employee, fake_mastodon)
    post(client, item)
    fake_mastodon.state.hang_after_next("/api/v1/statuses", 3, method="POST")
    assert process_outbox(app) == {"unknown": 1}
    share = share_of(db, employee)
    row = outbox_post(db, share)
    assert process_outbox(app, now=row.run_at) == {"posted": 1}
    [status] = statuses_with(fake_mastodon, share.code)
    keys = {r.header("Idempotency-Key") for r in
            fake_mastodon.state.requests_to("/api/v1/statuses", "POST")}
    assert keys == {row.idempotency_key}  # sent twice, with one key: one status
    assert outbox_post(db, share).remote_id == status["id"]


def test_mastodon_post_without_an_answer_is_found_even_more_than_an_hour_later(
        client, employee, item, db, app, fake_mastodon):
    connect_mastodon(app, db, employee, fake_mastodon)
    post(client, item)
    fake_mastodon.state.hang_after_next("/api/v1/statuses", 3, method="POST")
    assert process_outbox(app) == {"unknown": 1}
    share = share_of(db, employee)
    assert outbox_post(db, share).outcome_unknown

    fake_mastodon.state.advance(2 * 3600)  # the server forgot the idempotency key
    assert process_outbox(app, now=utcnow() + dt.timedelta(hours=2)) == {"posted": 1}
    [status] = statuses_with(fake_mastodon, share.code)
    assert len(fake_mastodon.state.requests_to("/api/v1/statuses", "POST")) == 1
    row = outbox_post(db, share)
    assert (row.state, row.remote_id, row.outcome_unknown) == ("posted", status["id"], False)


def test_mastodon_look_up_that_fails_is_asked_again_never_a_refusal(
        client, employee, item, db, app, fake_mastodon):
    connect_mastodon(app, db, employee, fake_mastodon)
    post(client, item)
    fake_mastodon.state.hang_after_next("/api/v1/statuses", 3, method="POST")
    process_outbox(app)
    share = share_of(db, employee)
    fake_mastodon.state.advance(2 * 3600)
    later_on = utcnow() + dt.timedelta(hours=2)
    fake_mastodon.state.fail_next(404, path_prefix="/api/v1/accounts/", method="GET")
    assert process_outbox(app, now=later_on) == {"unknown": 1}
    assert outbox_post(db, share).state == "unknown"
    # (The time given stays two hours on, as the server's clock is: within the hour the
    # key is remembered the post would be settled by sending it again.)
    assert process_outbox(app, now=later_on + dt.timedelta(minutes=5)) == {"posted": 1}
    assert len(statuses_with(fake_mastodon, share.code)) == 1


def test_look_ups_that_keep_failing_end_with_the_person_not_as_failed(
        client, employee, item, db, app, fake_x):
    connect_x(app, db, employee, fake_x)
    post(client, item)
    fake_x.state.hang_after_next("/2/tweets", 3, method="POST")
    process_outbox(app)
    share = share_of(db, employee)
    fake_x.state.fail_next(503, path_prefix="/2/users/", method="GET", times=20)
    outcomes = [process_outbox(app, now=outbox_post(db, share).run_at)
                for _ in range(len(BACKOFF_MINUTES))]
    assert outcomes[-1] == {"in_doubt": 1}
    row = outbox_post(db, share)
    assert (row.state, row.error_kind) == ("in_doubt", "unanswered")
    assert len(fake_x.state.requests_to("/2/tweets", "POST")) == 1


def test_linkedin_post_without_an_answer_is_in_doubt_and_not_sent_again(
        client, employee, item, db, app, fake_linkedin):
    connect_linkedin(app, db, employee, fake_linkedin)
    post(client, item)
    fake_linkedin.state.hang_after_next("/rest/posts", 3, method="POST")
    assert process_outbox(app) == {"in_doubt": 1}

    share = share_of(db, employee)
    row = outbox_post(db, share)
    assert (row.state, row.outcome_unknown, row.error_kind) == ("in_doubt", True, "doubt")
    assert process_outbox(app, now=utcnow() + dt.timedelta(days=1)) == {}
    assert len(fake_linkedin.state.live_posts()) == 1  # it did arrive, once
    assert len(fake_linkedin.state.requests_to("/rest/posts", "POST")) == 1
    page = client.get("/shares").get_data(as_text=True)
    assert "not confirmed" in page and "Look at my profile" in page
    assert "Try again" not in page and "It is there" not in page  # not before looking
    assert share_count(db, item) == 0
    inbox = html.unescape(client.get("/notifications/").get_data(as_text=True))
    assert "Your LinkedIn post of “Our new plant” was not confirmed" in inbox


def test_a_post_in_doubt_is_decided_only_after_looking(
        client, employee, item, db, app, fake_linkedin):
    connect_linkedin(app, db, employee, fake_linkedin)
    post(client, item)
    fake_linkedin.state.hang_after_next("/rest/posts", 3, method="POST")
    process_outbox(app)
    share = share_of(db, employee)
    row_id = outbox_post(db, share).id

    refused = client.post_form(f"/shares/{row_id}/there", follow_redirects=True)
    assert "Please look at your profile first." in refused.get_data(as_text=True)
    assert outbox_post(db, share).state == "in_doubt"
    look = client.post_form(f"/shares/{row_id}/look")
    assert look.status_code == 302
    assert look.headers["Location"] == "https://www.linkedin.com/in/me/recent-activity/all/"
    page = client.get("/shares").get_data(as_text=True)
    assert "It is there" in page and "send it again" in page

    done = client.post_form(f"/shares/{row_id}/there", follow_redirects=True)
    assert "counts as posted" in done.get_data(as_text=True)
    row = outbox_post(db, share)
    assert (row.state, row.remote_id, row.outcome_unknown) == ("posted", None, False)
    assert share_count(db, item) == 1 and points_of(db, employee) == ["first_share", "share"]
    assert len(fake_linkedin.state.requests_to("/rest/posts", "POST")) == 1


def test_linkedin_made_the_post_then_500_and_sending_again_records_the_urn_it_names(
        client, employee, item, db, app, fake_linkedin):
    """Reproduced: LinkedIn made the post and answered 500; the app sent again, got
    DUPLICATE_POST naming the live post, and marked the row failed."""
    connect_linkedin(app, db, employee, fake_linkedin)
    post(client, item)
    fake_linkedin.state.fail_after_next(500, path_prefix="/rest/posts", method="POST")
    assert process_outbox(app) == {"in_doubt": 1}  # LinkedIn cannot be asked
    share = share_of(db, employee)
    row_id = outbox_post(db, share).id
    [live] = fake_linkedin.state.live_posts()

    client.post_form(f"/shares/{row_id}/look")
    client.post_form(f"/shares/{row_id}/again")  # the person did not spot it
    assert process_outbox(app, now=outbox_post(db, share).run_at) == {"posted": 1}
    row = outbox_post(db, share)
    assert (row.state, row.remote_id) == ("posted", live["urn"])
    assert [r.answered for r in fake_linkedin.state.requests_to("/rest/posts", "POST")] == \
        [500, 422]
    assert len(fake_linkedin.state.live_posts()) == 1
    assert share_count(db, item) == 1


def test_linkedin_in_doubt_not_there_is_sent_again_once(
        client, employee, item, db, app, fake_linkedin):
    connect_linkedin(app, db, employee, fake_linkedin)
    post(client, item)
    fake_linkedin.state.hang_after_next("/rest/posts", 3, method="POST")
    process_outbox(app)
    [lost] = fake_linkedin.state.live_posts()
    with fake_linkedin.state.lock:
        lost["deleted"] = True  # the person looked: it is not on their profile
    share = share_of(db, employee)
    row_id = outbox_post(db, share).id

    client.post_form(f"/shares/{row_id}/look")
    response = client.post_form(f"/shares/{row_id}/again", follow_redirects=True)
    assert "The post will be sent again." in response.get_data(as_text=True)
    row = outbox_post(db, share)
    assert (row.state, row.outcome_unknown, row.last_error) == ("queued", False, None)
    assert process_outbox(app, now=row.run_at) == {"posted": 1}
    [sent] = fake_linkedin.state.live_posts()
    assert outbox_post(db, share).remote_id == sent["urn"] != lost["urn"]
    assert process_outbox(app, now=utcnow() + dt.timedelta(days=1)) == {}
    assert len(fake_linkedin.state.requests_to("/rest/posts", "POST")) == 2
    assert share_count(db, item) == 1


def test_linkedin_duplicate_of_an_earlier_share_of_the_person_is_a_refusal(
        client, employee, item, db, app, fake_linkedin):
    """Nothing of this post went out before: LinkedIn's duplicate answer names someone
    else's share (the person posted the same words before), so it is a refusal."""
    connect_linkedin(app, db, employee, fake_linkedin)
    second = factories.make_item(db, title="Second item")
    db.commit()
    post(client, item, text="Same words")
    process_outbox(app)
    post(client, second, text="Same words")
    assert process_outbox(app) == {"failed": 1}
    row = outbox_post(db, db.scalars(sa.select(Share).where(Share.item_id == second.id)).one())
    assert (row.state, row.error_kind) == ("failed", "duplicate")
    assert "identical to one you posted before" in client.get("/shares").get_data(as_text=True)
    assert share_count(db, second) == 0


# -- 3. rate limits, failures, rejections ----------------------------------------------------------

def test_x_rate_limit_waits_until_the_reset_time_x_names(client, employee, item, db, app,
                                                         fake_x):
    connect_x(app, db, employee, fake_x)
    post(client, item)
    fake_x.state.fail_next(429, path_prefix="/2/tweets", method="POST")
    assert process_outbox(app) == {"retry": 1}
    reset_at = dt.datetime.fromtimestamp(  # what the fake sent in x-rate-limit-reset
        int(fake_x.state.timestamp()) + fake_x.state.tweet_window, dt.UTC)

    share = share_of(db, employee)
    row = outbox_post(db, share)
    assert row.state == "queued" and row.error_kind == "rate"
    assert row.run_at >= reset_at
    assert process_outbox(app, now=reset_at - MINUTE) == {}
    assert process_outbox(app, now=row.run_at) == {"posted": 1}
    assert len(tweets_with(fake_x, share.code)) == 1


def test_mastodon_rate_limit_waits_until_the_iso_reset_time(client, employee, item, db, app,
                                                            fake_mastodon):
    connect_mastodon(app, db, employee, fake_mastodon)
    fake_mastodon.state.advance(3600)  # the fake's clock runs ahead: its reset is an hour away
    post(client, item)
    fake_mastodon.state.fail_next(429, path_prefix="/api/v1/statuses", method="POST")
    assert process_outbox(app) == {"retry": 1}
    reset_at = fake_mastodon.state.now() + dt.timedelta(seconds=fake_mastodon.state.rate_window)

    share = share_of(db, employee)
    row = outbox_post(db, share)
    assert row.state == "queued" and row.error_kind == "rate"
    assert row.run_at >= reset_at - dt.timedelta(seconds=1)
    assert row.run_at > utcnow() + dt.timedelta(minutes=60)
    assert process_outbox(app, now=utcnow() + dt.timedelta(minutes=30)) == {}
    assert process_outbox(app, now=row.run_at) == {"posted": 1}
    assert len(statuses_with(fake_mastodon, share.code)) == 1


def test_linkedin_daily_limit_waits_until_midnight_utc(client, employee, item, db, app,
                                                       fake_linkedin):
    connect_linkedin(app, db, employee, fake_linkedin)
    fake_linkedin.state.daily_post_limit = 0
    post(client, item)
    assert process_outbox(app) == {"retry": 1}

    row = outbox_post(db, share_of(db, employee))
    midnight = dt.datetime.combine(utcnow().date() + dt.timedelta(days=1), dt.time(), dt.UTC)
    assert (row.state, row.error_kind, row.run_at) == ("queued", "rate", midnight)
    assert "daily limit" in said(row.last_error)
    fake_linkedin.state.daily_post_limit = None
    assert process_outbox(app, now=midnight - MINUTE) == {}
    assert process_outbox(app, now=midnight) == {"posted": 1}
    assert len(fake_linkedin.state.live_posts()) == 1


def test_a_server_that_cannot_be_reached_backs_off_then_fails_with_the_share_page_offered(
        client, employee, item, db, app, fake_mastodon):
    """A refused connection means the post certainly did not arrive: tried again later,
    and given up after the last wait (not an unknown outcome)."""
    account = connect_mastodon(app, db, employee, fake_mastodon)
    account.base_url = NOWHERE  # the server is down: nothing listens there
    db.commit()
    post(client, item)
    share = share_of(db, employee)
    attempts = len(BACKOFF_MINUTES) + 1  # every wait is used once, then it fails
    due = utcnow()
    for attempt, minutes in enumerate(BACKOFF_MINUTES, start=1):
        before = utcnow()
        assert process_outbox(app, now=due) == {"unreachable": 1}, attempt
        after = utcnow()
        row = outbox_post(db, share)
        assert (row.state, row.attempts, row.error_kind) == ("queued", attempt, "transient")
        wait = dt.timedelta(minutes=minutes)
        assert before + wait <= row.run_at <= after + wait, attempt
        assert process_outbox(app, now=row.run_at - dt.timedelta(seconds=5)) == {}
        due = row.run_at
        if attempt == 1:  # the person sees that the network is down and the post waits
            page = client.get("/shares").get_data(as_text=True)
            assert '"post-state queued delayed"' in page
            assert "could not be reached; the post goes out by itself" in page
            assert "Next attempt" in page

    assert process_outbox(app, now=due) == {"failed": 1}
    row = outbox_post(db, share)
    assert (row.state, row.attempts, row.outcome_unknown) == ("failed", attempts, False)
    assert "cannot be reached" in said(row.last_error)
    assert process_outbox(app, now=utcnow() + dt.timedelta(days=1)) == {}

    page = client.get("/shares").get_data(as_text=True)
    assert "failed" in page and "could not be reached for several hours" in page
    assert "Try again" in page and "Share by link instead" in page
    assert share_count(db, item) == 0

    response = client.post_form(f"/shares/{row.id}/by-link")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("https://share.joinmastodon.org/?text=My")
    assert f"%2Fr%2F{share.code}" in response.headers["Location"]
    row = outbox_post(db, share)
    assert (row.state, row.error_kind) == ("cancelled", "by_link")
    assert db.get(Share, share.id).method == "intent"
    assert share_count(db, item) == 1 and points_of(db, employee) == ["first_share", "share"]
    assert "shared by link" in client.get("/shares").get_data(as_text=True)
    again = client.post_form(f"/shares/{row.id}/by-link", follow_redirects=True)
    assert "Only a post that did not go out" in again.get_data(as_text=True)
    assert share_count(db, item) == 1


def test_a_server_that_counts_links_longer_is_measured_its_way(
        client, employee, item, db, app, fake_mastodon):
    """A Mastodon server reserves its own length for a link: the sheet counts with it."""
    account = connect_mastodon(app, db, employee, fake_mastodon, url_length=120)
    assert 'data-url-length="120"' in client.get(f"/share/{item.id}").get_data(as_text=True)
    settings = get_settings(db)

    def link_for(code: str) -> str:  # (the test site's own address, localhost, is no link)
        return f"https://advocacy.example.com/r/{code}"

    words = "a" * 400  # + disclosure line + a link of 23 would fit; a link of 120 does not
    with app.test_request_context():
        with pytest.raises(DomainError, match=r"Mastodon.* 544 (of|von) 500"):
            queue_post(db, employee, item, PostRequest(account, words, None), settings,
                       link_for)
        db.rollback()
        account.url_length = 23
        queue_post(db, employee, item, PostRequest(account, words, None), settings, link_for)


def test_text_the_server_rejects_fails_at_once_and_is_not_retried(
        client, employee, item, db, app, fake_mastodon):
    connect_mastodon(app, db, employee, fake_mastodon)
    post(client, item)
    fake_mastodon.state.max_characters = 40  # the admins lowered the limit after queuing
    assert process_outbox(app) == {"failed": 1}

    row = outbox_post(db, share_of(db, employee))
    assert (row.state, row.attempts, row.error_kind) == ("failed", 1, "content")
    assert "character limit of 40 exceeded" in row.last_error
    assert process_outbox(app, now=utcnow() + dt.timedelta(days=1)) == {}
    assert len(fake_mastodon.state.requests_to("/api/v1/statuses", "POST")) == 1
    assert fake_mastodon.state.live_statuses() == []
    assert "character limit of 40 exceeded" in client.get("/shares").get_data(as_text=True)


# -- 4. LinkedIn's API version ---------------------------------------------------------------------

def test_retired_linkedin_version_fails_at_once_with_a_version_message(
        client, employee, item, db, app, fake_linkedin):
    connect_linkedin(app, db, employee, fake_linkedin)
    post(client, item)
    fake_linkedin.state.active_versions = {"202610", "202611", "202612"}
    assert process_outbox(app) == {"failed": 1}

    row = outbox_post(db, share_of(db, employee))
    assert row.state == "failed" and row.error_kind == "version"
    assert "API version 202609" in said(row.last_error)
    assert "ADVOCACY_LINKEDIN_API_VERSION" in said(row.last_error)
    assert process_outbox(app, now=utcnow() + dt.timedelta(hours=5)) == {}
    assert len(fake_linkedin.state.requests_to("/rest/posts", "POST")) == 1
    assert fake_linkedin.state.live_posts() == []


# -- 5. tokens: expired, revoked, reconnected ------------------------------------------------------

def test_x_token_expired_on_x_is_renewed_once_and_the_post_goes_out(
        client, employee, item, db, app, fake_x):
    account = connect_x(app, db, employee, fake_x)
    old_refresh = account.refresh_token_enc
    fake_x.state.advance(fake_x.state.token_lifetime + 60)  # X says expired; we do not know
    post(client, item)
    assert process_outbox(app) == {"posted": 1}

    assert len(fake_x.state.requests_to("/2/oauth2/token", "POST")) == 1
    assert [r.answered for r in fake_x.state.requests_to("/2/tweets", "POST")] == [401, 201]
    assert len(tweets_with(fake_x, share_of(db, employee).code)) == 1
    db.expire_all()
    account = db.get(SocialAccount, account.id)
    assert account.status == "active" and account.refresh_token_enc != old_refresh


def test_x_token_known_to_be_expired_is_renewed_before_posting(
        client, employee, item, db, app, fake_x):
    account = connect_x(app, db, employee, fake_x)
    account.expires_at = utcnow() - MINUTE
    db.commit()
    fake_x.state.advance(fake_x.state.token_lifetime + 60)
    post(client, item)
    assert process_outbox(app) == {"posted": 1}
    assert len(fake_x.state.requests_to("/2/oauth2/token", "POST")) == 1
    assert [r.answered for r in fake_x.state.requests_to("/2/tweets", "POST")] == [201]
    db.expire_all()
    assert db.get(SocialAccount, account.id).expires_at > utcnow() + dt.timedelta(hours=1)


def revoke_x(fake_x, app, account) -> None:
    with app.app_context():
        token = vault(app).open(f"account:{account.id}:access_token", account.access_token_enc)
    fake_x.state.revoke_family(fake_x.state.family_of(token))


def test_revoked_x_access_holds_the_posts_marks_the_account_and_mails_once(
        client, employee, item, db, app, fake_x, mailbox):
    account = connect_x(app, db, employee, fake_x)
    second = factories.make_item(db, title="Second item")
    db.commit()
    post(client, item)
    post(client, second, post_at=later(dt.timedelta(days=1)))
    revoke_x(fake_x, app, account)

    assert process_outbox(app) == {"waiting": 1}
    db.expire_all()
    assert db.get(SocialAccount, account.id).status == "reconnect"
    # The posts are not touched beyond their attempt: the account says why they wait.
    assert sorted(db.scalars(sa.select(OutboxPost.state))) == ["queued", "queued"]
    assert len(fake_x.state.requests_to("/2/oauth2/token", "POST")) == 1
    assert fake_x.state.created == []
    [mail] = mailbox.messages
    assert mail["To"] == employee.email and "reconnect" in mail["Subject"].lower()

    assert process_outbox(app, now=utcnow() + dt.timedelta(days=2)) == {}  # held
    assert "needs reconnecting" in client.get("/").get_data(as_text=True)
    page = client.get("/shares").get_data(as_text=True)
    assert page.count("waiting for reconnection") == 2
    assert "Share by link instead" in page
    third = factories.make_item(db, title="Third item")
    db.commit()
    assert 'name="accounts"' not in client.get(f"/share/{third.id}").get_data(as_text=True)
    response = client.post_form(f"/share/{third.id}", {"text": "More", "post": "1",
                                                      "accounts": [str(account.id)]})
    assert response.status_code == 400
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxPost)) == 2
    assert len(mailbox.messages) == 1


def test_a_revoked_mastodon_token_says_revoked_not_expired(
        client, employee, item, db, app, fake_mastodon, mailbox):
    """Reproduced: a token revoked on the server was reported as "The access expired and
    cannot be renewed" (the app tried to renew what cannot be renewed)."""
    account = connect_mastodon(app, db, employee, fake_mastodon)
    post(client, item)
    with app.app_context():
        token = vault(app).open(f"account:{account.id}:access_token", account.access_token_enc)
    fake_mastodon.state.revoke_token(token)
    assert process_outbox(app) == {"waiting": 1}
    db.expire_all()
    account = db.get(SocialAccount, account.id)
    assert account.status == "reconnect"
    assert "The access token was revoked" in said(account.last_error)
    assert "expired" not in said(account.last_error)
    row = outbox_post(db, share_of(db, employee))
    assert (row.state, row.error_kind) == ("queued", "revoked")
    page = client.get("/shares").get_data(as_text=True)
    assert "was withdrawn" in page and "The access token was revoked" in page
    [mail] = mailbox.messages
    assert "The access token was revoked" in mail.get_payload(decode=True).decode()


def test_reconnecting_sends_the_held_posts_once(client, employee, item, db, app, fake_x):
    account = connect_x(app, db, employee, fake_x)
    post(client, item)
    revoke_x(fake_x, app, account)
    assert process_outbox(app) == {"waiting": 1}

    connect_x(app, db, employee, fake_x)  # reconnecting, with a fresh authorization
    db.expire_all()
    assert db.get(SocialAccount, account.id).status == "active"
    assert process_outbox(app) == {"posted": 1}
    share = share_of(db, employee)
    assert len(tweets_with(fake_x, share.code)) == 1
    assert outbox_post(db, share).state == "posted"
    assert share_count(db, item) == 1


def test_a_disconnected_account_leaves_its_posts_waiting_for_a_new_connection(
        client, employee, item, db, app, fake_x):
    connect_x(app, db, employee, fake_x)
    post(client, item)
    assert client.post_form("/accounts/x/disconnect").status_code == 302
    assert process_outbox(app) == {}
    share = share_of(db, employee)
    assert outbox_post(db, share).state == "queued"
    assert "waiting for reconnection" in client.get("/shares").get_data(as_text=True)
    connect_x(app, db, employee, fake_x)
    assert process_outbox(app) == {"posted": 1}
    assert len(tweets_with(fake_x, share.code)) == 1


def test_reconnecting_keeps_the_time_of_a_scheduled_post(client, employee, item, db, app,
                                                         fake_x):
    account = connect_x(app, db, employee, fake_x)
    post(client, item, post_at=later(dt.timedelta(days=2)))
    scheduled = outbox_post(db, share_of(db, employee)).run_at
    revoke_x(fake_x, app, account)
    other = factories.make_item(db, title="Now")
    db.commit()
    post(client, other)
    assert process_outbox(app) == {"waiting": 1}

    connect_x(app, db, employee, fake_x)
    assert process_outbox(app) == {"posted": 1}  # only the one meant for now
    row = outbox_post(db, db.scalars(sa.select(Share).where(Share.item_id == item.id)).one())
    assert (row.state, row.run_at) == ("queued", scheduled)


# -- 6. scheduling and stagger ---------------------------------------------------------------------

def test_scheduled_post_waits_until_its_time(client, employee, item, db, app, fake_x):
    connect_x(app, db, employee, fake_x)
    post(client, item, post_at=later(dt.timedelta(hours=3)))
    share = share_of(db, employee)
    row = outbox_post(db, share)
    assert utcnow() + dt.timedelta(hours=2) < row.run_at <= utcnow() + dt.timedelta(hours=3)
    assert "scheduled" in client.get("/shares").get_data(as_text=True)

    assert process_outbox(app) == {}
    assert process_outbox(app, now=row.run_at - MINUTE) == {}
    assert fake_x.state.requests_to("/2/tweets", "POST") == []
    assert process_outbox(app, now=row.run_at) == {"posted": 1}
    assert len(tweets_with(fake_x, share.code)) == 1


def test_the_time_communications_suggests_is_offered_on_the_sheet(client, employee, item, db,
                                                                  app, fake_x):
    connect_x(app, db, employee, fake_x)
    suggested = (utcnow() + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    db.expire_all()
    db.get(ContentItem, item.id).suggested_post_at = suggested
    db.commit()

    page = client.get(f"/share/{item.id}").get_data(as_text=True)
    offered = re.search(r'name="post_at"[^>]*value="([^"]+)"', page)
    assert offered and offered.group(1) == later(suggested - utcnow())
    assert "Communications suggests" in page
    post(client, item, post_at=offered.group(1))
    assert outbox_post(db, share_of(db, employee)).run_at == suggested


def test_a_suggested_time_already_past_is_not_offered(client, employee, item, db, app, fake_x):
    connect_x(app, db, employee, fake_x)
    db.expire_all()
    db.get(ContentItem, item.id).suggested_post_at = utcnow() - dt.timedelta(hours=1)
    db.commit()
    page = client.get(f"/share/{item.id}").get_data(as_text=True)
    assert re.search(r'name="post_at"[^>]*value="[^"]', page) is None
    assert "Communications suggests" not in page


def test_scheduled_post_of_an_item_withdrawn_in_the_meantime_is_not_sent(
        client, employee, item, db, app, fake_x):
    connect_x(app, db, employee, fake_x)
    post(client, item, post_at=later(dt.timedelta(days=2)))
    db.expire_all()
    db.get(ContentItem, item.id).expire_at = utcnow() + dt.timedelta(days=1)
    db.commit()
    assert withdraw_expired(db, now=utcnow() + dt.timedelta(days=1)) == 1
    db.commit()

    row = outbox_post(db, share_of(db, employee))
    assert process_outbox(app, now=row.run_at) == {"cancelled": 1}
    assert fake_x.state.requests_to("/2/tweets", "POST") == []
    row = outbox_post(db, share_of(db, employee))
    assert (row.state, row.error_kind, row.last_error) == ("cancelled", "withdrawn", None)
    assert "Communications withdrew the item" in client.get("/shares").get_data(as_text=True)
    assert share_count(db, item) == 0


def test_stagger_spaces_colleagues_posts_of_the_same_item(client, employee, item, db, app,
                                                          fake_x, make_user):
    save_settings(db, {"stagger_minutes": 20})
    db.commit()
    connect_x(app, db, employee, fake_x)
    colleague = make_user()
    connect_x(app, db, colleague, fake_x, fake_x.state.add_user("bob"))
    post(client, item)
    post(other_client(app, colleague), item)

    first = outbox_post(db, share_of(db, employee))
    second = outbox_post(db, share_of(db, colleague))
    assert second.run_at - first.run_at >= dt.timedelta(minutes=20)
    assert process_outbox(app) == {"posted": 1}
    assert process_outbox(app, now=second.run_at - MINUTE) == {}
    assert process_outbox(app, now=second.run_at) == {"posted": 1}
    assert len(fake_x.state.created) == 2


def test_stagger_does_not_push_a_post_behind_a_colleagues_post_days_ahead(
        client, employee, item, db, app, fake_x, make_user):
    save_settings(db, {"stagger_minutes": 20})
    db.commit()
    connect_x(app, db, employee, fake_x)
    colleague = make_user()
    connect_x(app, db, colleague, fake_x, fake_x.state.add_user("bob"))
    post(client, item, post_at=later(dt.timedelta(days=3)))
    post(other_client(app, colleague), item)  # now

    scheduled = outbox_post(db, share_of(db, employee))
    immediate = outbox_post(db, share_of(db, colleague))
    assert scheduled.run_at - immediate.run_at >= dt.timedelta(minutes=20)
    assert immediate.run_at <= utcnow() + dt.timedelta(minutes=20)
    assert process_outbox(app) == {"posted": 1}


# -- 7. the crisis pause ---------------------------------------------------------------------------

def test_nothing_is_sent_while_posting_is_paused(client, employee, item, db, app, fake_x,
                                                 make_user):
    connect_x(app, db, employee, fake_x)
    comms = other_client(app, make_user(roles={"comms"}))
    assert comms.post_form("/posting/pause", {"reason": "Storm"}).status_code == 302
    post(client, item)
    assert process_outbox(app, now=utcnow() + dt.timedelta(hours=1)) == {"paused": 1}
    assert fake_x.state.requests_to("/2/tweets") == []
    assert outbox_post(db, share_of(db, employee)).state == "queued"

    assert comms.post_form("/posting/resume", {"confirm": "y"}).status_code == 302
    assert process_outbox(app) == {"posted": 1}
    assert len(fake_x.state.created) == 1


# -- 8. metrics ------------------------------------------------------------------------------------

def test_metrics_are_read_from_x_and_mastodon(client, employee, item, db, app, fake_x,
                                              fake_mastodon):
    connect_x(app, db, employee, fake_x)
    connect_mastodon(app, db, employee, fake_mastodon)
    post(client, item)
    assert process_outbox(app) == {"posted": 2}
    x_share, mastodon_share = share_of(db, employee, "x"), share_of(db, employee, "mastodon")
    fake_x.state.set_metrics(outbox_post(db, x_share).remote_id, like_count=7,
                             retweet_count=3, reply_count=2, impression_count=400)
    fake_mastodon.state.set_counts(outbox_post(db, mastodon_share).remote_id, favourites=5,
                                   reblogs=1, replies=4)

    assert fetch_metrics(app) == 2
    x_post, mastodon_post = outbox_post(db, x_share), outbox_post(db, mastodon_share)
    assert (x_post.likes, x_post.reposts, x_post.replies, x_post.impressions) == (7, 3, 2, 400)
    assert (mastodon_post.likes, mastodon_post.reposts, mastodon_post.replies) == (5, 1, 4)
    assert x_post.metrics_at is not None and x_post.metrics_note is None
    rows = db.execute(sa.select(ShareMetric.share_id, ShareMetric.likes, ShareMetric.reposts,
                                ShareMetric.replies).order_by(ShareMetric.share_id)).all()
    assert sorted(rows) == sorted([(x_share.id, 7, 3, 2), (mastodon_share.id, 5, 1, 4)])
    page = client.get("/shares").get_data(as_text=True)
    assert "♥ 7 · ↻ 3 · 💬 2" in page and "♥ 5 · ↻ 1 · 💬 4" in page

    assert fetch_metrics(app) == 0  # not again within six hours
    assert fetch_metrics(app, now=utcnow() + dt.timedelta(hours=7)) == 2
    assert db.scalar(sa.select(sa.func.count()).select_from(ShareMetric)) == 4


def test_posts_older_than_14_days_are_not_fetched(client, employee, item, db, app, fake_x):
    connect_x(app, db, employee, fake_x)
    post(client, item)
    process_outbox(app)
    row = outbox_post(db, share_of(db, employee))

    assert fetch_metrics(app, now=utcnow() + dt.timedelta(days=15)) == 0
    assert fake_x.state.requests_to(f"/2/tweets/{row.remote_id}", "GET") == []
    assert outbox_post(db, share_of(db, employee)).metrics_at is None
    assert db.scalar(sa.select(sa.func.count()).select_from(ShareMetric)) == 0
    assert fetch_metrics(app, now=utcnow() + dt.timedelta(days=13)) == 1  # still within


def test_linkedin_metrics_are_not_available_without_failing(client, employee, item, db, app,
                                                            fake_linkedin):
    connect_linkedin(app, db, employee, fake_linkedin)
    post(client, item)
    process_outbox(app)
    requests_before = len(fake_linkedin.state.requests)

    assert fetch_metrics(app) == 1
    row = outbox_post(db, share_of(db, employee))
    assert row.state == "posted"
    assert row.metrics_note.startswith("not available")
    assert row.likes is None and row.metrics_at is not None
    assert db.scalar(sa.select(sa.func.count()).select_from(ShareMetric)) == 0
    assert len(fake_linkedin.state.requests) == requests_before
    assert "not available" in client.get("/shares").get_data(as_text=True)


# -- 9. deleting -----------------------------------------------------------------------------------

def test_deleting_a_posted_x_post_removes_it_on_x(client, employee, item, db, app, fake_x):
    connect_x(app, db, employee, fake_x)
    post(client, item)
    process_outbox(app)
    share = share_of(db, employee)
    assert len(tweets_with(fake_x, share.code)) == 1

    response = client.post_form(f"/shares/{outbox_post(db, share).id}/delete",
                                follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The post is deleted on the network." in page and ">deleted<" in page
    assert tweets_with(fake_x, share.code) == []
    assert outbox_post(db, share).deleted_at is not None


def test_deleting_a_posted_mastodon_post_removes_it_on_the_server(
        client, employee, item, db, app, fake_mastodon):
    connect_mastodon(app, db, employee, fake_mastodon)
    post(client, item)
    process_outbox(app)
    share = share_of(db, employee)

    response = client.post_form(f"/shares/{outbox_post(db, share).id}/delete",
                                follow_redirects=True)
    assert "The post is deleted on the network." in response.get_data(as_text=True)
    assert fake_mastodon.state.live_statuses() == []
    remote_id = outbox_post(db, share).remote_id
    assert fake_mastodon.state.last(f"/api/v1/statuses/{remote_id}", "DELETE").answered == 200
    assert outbox_post(db, share).deleted_at is not None


def test_deleting_someone_elses_post_is_refused(client, employee, item, db, app, fake_x,
                                                make_user):
    owner = make_user()
    connect_x(app, db, owner, fake_x)
    post(other_client(app, owner), item)
    process_outbox(app)
    share = share_of(db, owner)

    response = client.post_form(f"/shares/{outbox_post(db, share).id}/delete",
                                follow_redirects=True)
    assert "This post is not yours." in response.get_data(as_text=True)
    assert len(tweets_with(fake_x, share.code)) == 1
    assert fake_x.state.requests_to("/2/tweets/", "DELETE") == []
    assert outbox_post(db, share).deleted_at is None


# -- 10. ownership and roles -----------------------------------------------------------------------

@pytest.mark.parametrize("action, state", [("retry", "failed"), ("cancel", "queued")])
def test_retrying_or_cancelling_someone_elses_post_is_refused(
        client, employee, item, db, app, fake_x, make_user, action, state):
    owner = make_user()
    connect_x(app, db, owner, fake_x)
    post(other_client(app, owner), item, post_at=later(dt.timedelta(days=1)))
    row = outbox_post(db, share_of(db, owner))
    row.state = state
    db.commit()

    response = client.post_form(f"/shares/{row.id}/{action}", follow_redirects=True)
    assert "This post is not yours." in response.get_data(as_text=True)
    row = outbox_post(db, share_of(db, owner))
    assert (row.state, row.attempts) == (state, 0)


@pytest.mark.parametrize("roles, status", [({"employee"}, 403), ({"hr"}, 403),
                                           ({"comms"}, 200), ({"admin"}, 200)])
def test_posting_page_is_for_comms_and_admins_only(client, login_as, roles, status):
    login_as(*roles)
    assert client.get("/posting").status_code == status
    answer = client.post_form("/posting/pause", {"reason": "Test"})
    assert answer.status_code == (302 if status == 200 else 403)


# -- 11. query counts ------------------------------------------------------------------------------

def make_posts(db, user, count: int) -> None:
    states = ("posted", "failed", "queued", "unknown", "in_doubt", "cancelled")
    for number in range(count):
        item = factories.make_item(db)
        share = factories.make_share(db, item=item, user=user,
                                     network=("x", "mastodon")[number % 2])
        state = states[number % len(states)]
        db.add(OutboxPost(share=share, account_id=None, state=state,
                          idempotency_key=uuid.uuid4().hex, run_at=utcnow(),
                          remote_url="https://x.com/i/status/1" if state == "posted" else None,
                          last_error="Broken" if state == "failed" else None,
                          likes=3 if state == "posted" else None,
                          metrics_at=utcnow() if state == "posted" else None))
    db.commit()


def test_my_shares_needs_as_many_queries_for_30_posts_as_for_3(client, db, make_user,
                                                                count_queries):
    few, many = make_user(), make_user()
    make_posts(db, few, 3)
    make_posts(db, many, 30)

    client.login(few.email)
    client.get("/shares")  # warm up
    with count_queries() as small:
        page = client.get("/shares").get_data(as_text=True)
    assert page.count('data-label="Item"') == 3
    client.logout()
    client.login(many.email)
    client.get("/shares")
    with count_queries() as large:
        page = client.get("/shares").get_data(as_text=True)
    assert page.count('data-label="Item"') == 20
    assert large.count == small.count, large.statements


def test_sending_again_after_looking_asks_once_more_where_the_network_can_be_asked(
        client, employee, item, db, app, fake_mastodon):
    """The person did not spot the post (it was there) and said "send it again": the
    network is asked first, so it is found instead of posted twice, even after the hour
    in which the server remembers the idempotency key."""
    connect_mastodon(app, db, employee, fake_mastodon)
    post(client, item)
    fake_mastodon.state.fail_after_next(502, path_prefix="/api/v1/statuses", method="POST")
    process_outbox(app)
    share = share_of(db, employee)
    fake_mastodon.state.fail_next(503, path_prefix="/api/v1/", times=40)  # cannot be asked
    for _ in range(len(BACKOFF_MINUTES)):
        outcome = process_outbox(app, now=outbox_post(db, share).run_at)
    assert outcome == {"in_doubt": 1}
    with fake_mastodon.state.lock:
        fake_mastodon.state._failures.clear()  # the server answers again
    fake_mastodon.state.advance(2 * 3600)

    row_id = outbox_post(db, share).id
    client.post_form(f"/shares/{row_id}/look")
    client.post_form(f"/shares/{row_id}/again")
    assert outbox_post(db, share).state == "unknown"
    assert process_outbox(app, now=utcnow() + dt.timedelta(hours=2)) == {"posted": 1}
    assert len(statuses_with(fake_mastodon, share.code)) == 1


def test_a_second_doubt_needs_a_second_look(client, employee, item, db, app, fake_linkedin):
    """Sent again after looking, and again without an answer: the earlier look does not
    count for the new doubt."""
    connect_linkedin(app, db, employee, fake_linkedin)
    post(client, item)
    fake_linkedin.state.hang_after_next("/rest/posts", 3, method="POST")
    process_outbox(app)
    share = share_of(db, employee)
    row_id = outbox_post(db, share).id
    with fake_linkedin.state.lock:
        fake_linkedin.state.live_posts()[0]["deleted"] = True  # not there
    client.post_form(f"/shares/{row_id}/look")
    client.post_form(f"/shares/{row_id}/again")
    fake_linkedin.state.hang_after_next("/rest/posts", 3, method="POST")
    assert process_outbox(app, now=outbox_post(db, share).run_at) == {"in_doubt": 1}
    assert outbox_post(db, share).looked_at is None
    refused = client.post_form(f"/shares/{row_id}/there", follow_redirects=True)
    assert "Please look at your profile first." in refused.get_data(as_text=True)


def test_linkedin_duplicate_naming_another_shares_post_is_not_taken_for_this_one(
        client, employee, db, app, fake_linkedin, make_user):
    """The same words went out for another item (recorded there); this post's attempt
    was open; sending it again meets DUPLICATE_POST naming that other post."""
    connect_linkedin(app, db, employee, fake_linkedin)
    first, second = (factories.make_item(db, title=t) for t in ("First", "Second"))
    db.commit()
    post(client, first, text="Same words")
    assert process_outbox(app) == {"posted": 1}
    post(client, second, text="Same words")
    fake_linkedin.state.fail_next(503, path_prefix="/rest/posts", method="POST")
    assert process_outbox(app) == {"in_doubt": 1}  # LinkedIn cannot be asked
    share = db.scalars(sa.select(Share).where(Share.item_id == second.id)).one()
    row_id = outbox_post(db, share).id
    client.post_form(f"/shares/{row_id}/look")
    client.post_form(f"/shares/{row_id}/again")
    assert process_outbox(app, now=outbox_post(db, share).run_at) == {"failed": 1}
    row = outbox_post(db, share)
    assert (row.state, row.error_kind, row.remote_id) == ("failed", "duplicate", None)
    assert share_count(db, second) == 0


def test_linkedin_duplicate_naming_an_older_post_goes_back_to_the_person(
        client, employee, item, db, app, fake_linkedin):
    """A post the person made with the same words before (by hand, say): LinkedIn names
    it, but it is older than this post's first attempt, so it is not taken for this one."""
    connect_linkedin(app, db, employee, fake_linkedin)
    account_token = fake_linkedin.state.issue_token()
    fake_linkedin.state.advance(-86400)  # yesterday, by hand on LinkedIn
    manual = httpx.post(f"{fake_linkedin.url}/rest/posts", headers={
        "Authorization": f"Bearer {account_token}", "LinkedIn-Version": "202609",
        "X-Restli-Protocol-Version": "2.0.0"}, json={
        "author": fake_linkedin.state.urn(), "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED"}, "lifecycleState": "PUBLISHED",
        "commentary": "Same words\n\nI work at . #employee"})
    assert manual.status_code == 201
    fake_linkedin.state.advance(86400)
    post(client, item, text="Same words")
    fake_linkedin.state.fail_next(503, path_prefix="/rest/posts", method="POST")
    process_outbox(app)
    share = share_of(db, employee)
    row_id = outbox_post(db, share).id
    client.post_form(f"/shares/{row_id}/look")
    client.post_form(f"/shares/{row_id}/again")
    assert process_outbox(app, now=outbox_post(db, share).run_at) == {"in_doubt": 1}
    row = outbox_post(db, share)
    assert row.remote_id is None and "older than this one" in said(row.last_error)
    assert manual.headers["x-restli-id"] in said(row.last_error)


def test_a_stopped_budget_also_holds_a_post_whose_outcome_was_open(
        client, employee, item, db, app, fake_x):
    """Settling showed the post is not there; the budget stop holds it back now."""
    connect_x(app, db, employee, fake_x)
    post(client, item)
    fake_x.state.fail_next(503, path_prefix="/2/tweets", method="POST")  # not created
    assert process_outbox(app) == {"unknown": 1}
    db.add(NetworkBudget(network="x", monthly_posts=0))
    db.commit()
    share = share_of(db, employee)
    assert process_outbox(app, now=outbox_post(db, share).run_at) == {"held": 1}
    row = outbox_post(db, share)
    assert (row.state, row.error_kind, row.outcome_unknown) == ("failed", "budget", False)
    assert len(fake_x.state.requests_to("/2/tweets", "POST")) == 1  # only the first


def test_a_bug_while_preparing_fails_the_post_visibly_instead_of_looping(
        client, employee, item, db, app, fake_x, monkeypatch):
    """A fault of our own (injected here: the budget check raises) must not leave the
    post due again every second, nor silently stuck: it fails, with words for its author."""
    from advocacy.sharing.outbox import budget

    connect_x(app, db, employee, fake_x)
    post(client, item)

    def broken(*_args, **_kwargs):
        raise RuntimeError("injected")

    monkeypatch.setattr(budget, "held_back", broken)
    assert process_outbox(app) == {"error": 1}
    row = outbox_post(db, share_of(db, employee))
    assert (row.state, row.error_kind) == ("failed", "error")
    assert process_outbox(app, now=utcnow() + dt.timedelta(hours=1)) == {}
    assert fake_x.state.requests_to("/2/tweets", "POST") == []
    assert "went wrong on our side" in client.get("/shares").get_data(as_text=True)
