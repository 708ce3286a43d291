"""Connect Bluesky and post by API through the whole app, against a real PDS."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest
import sqlalchemy as sa

from advocacy.accounts.models import SocialAccount
from advocacy.content.models import ContentItem
from advocacy.crypto import vault
from advocacy.db import utcnow
from advocacy.engagement.models import PointEntry
from advocacy.sharing.models import OutboxPost, Share
from advocacy.sharing.outbox import process_outbox
from tests import factories


@pytest.fixture
def config_overrides(smtp_config):
    return {**smtp_config, "ALLOW_INSECURE_PROVIDERS": True}


@pytest.fixture
def employee(login_as):
    return login_as("employee")


@pytest.fixture
def item(db):
    item = factories.make_item(db, title="Bluesky item", texts=[("Worth a read", None)])
    db.commit()
    return item


def connect(client, peer, password=None):
    return client.post_form("/accounts/bluesky", {
        "server": peer["pds_url"], "handle": peer["handle"],
        "app_password": password or peer["app_password"]})


def account_of(db, user) -> SocialAccount:
    db.expire_all()
    return db.scalar(sa.select(SocialAccount).where(SocialAccount.user_id == user.id))


def post(client, item, **data):
    """The second click, with every connected account ticked as the sheet preselects."""
    page = client.get(f"/share/{item.id}").get_data(as_text=True)
    ticked = re.findall(r'name="accounts" value="(\d+)"[^>]*checked', page)
    return client.post_form(f"/share/{item.id}", {"text": "My own words on this",
                                                  "post": "1", "accounts": ticked, **data})


def records(peer, did) -> list[dict]:
    answer = httpx.get(f"{peer['pds_url']}/xrpc/com.atproto.repo.listRecords", params={
        "repo": did, "collection": "app.bsky.feed.post", "limit": 100}, timeout=10)
    return answer.json()["records"]


def test_connect_stores_the_account_with_sealed_secrets(client, employee, bluesky_peer, db,
                                                        app):
    response = connect(client, bluesky_peer)
    assert response.status_code == 302, response.get_data(as_text=True)
    account = account_of(db, employee)
    assert (account.network, account.handle) == ("bluesky", bluesky_peer["handle"])
    assert account.external_id == bluesky_peer["did"]
    assert bluesky_peer["app_password"] not in (account.secret_enc or "")
    with app.app_context():
        box = vault(app)
        assert box.open(f"account:{account.id}:secret", account.secret_enc) == \
            bluesky_peer["app_password"]
        with pytest.raises(Exception, match="not meant for"):
            box.open(f"account:{account.id + 1}:secret", account.secret_enc)
    page = client.get("/accounts/").get_data(as_text=True)
    assert bluesky_peer["handle"] in page


def test_wrong_app_password_is_explained(client, employee, bluesky_peer, db):
    response = connect(client, bluesky_peer, password="aaaa-bbbb-cccc-dddd")
    assert response.status_code == 400
    assert "does not accept this account" in response.get_data(as_text=True)
    assert account_of(db, employee) is None


def test_second_click_queues_and_the_job_posts(client, employee, bluesky_peer, item, db, app):
    connect(client, bluesky_peer)
    page = client.get(f"/share/{item.id}").get_data(as_text=True)
    assert re.search(r'name="accounts" value="\d+" data-network="bluesky"[^>]*checked', page)
    response = post(client, item)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == "/shares"
    share = db.scalar(sa.select(Share).where(Share.user_id == employee.id))
    assert (share.method, share.posted_at) == ("api", None)
    assert share.post.state == "queued"
    assert db.scalar(sa.select(sa.func.count()).select_from(PointEntry)
                     .where(PointEntry.reason == "share")) == 0  # not until it is online

    assert process_outbox(app) == {"posted": 1}
    db.expire_all()
    post_row = db.get(OutboxPost, share.post.id)
    assert post_row.state == "posted" and post_row.remote_id.startswith("at://")
    assert db.get(Share, share.id).posted_at is not None
    assert db.get(ContentItem, item.id).share_count == 1
    reasons = sorted(db.scalars(sa.select(PointEntry.reason)
                                .where(PointEntry.user_id == employee.id)))
    assert reasons == ["first_share", "share"]
    [record] = [r for r in records(bluesky_peer, bluesky_peer["did"])
                if share.code in r["value"]["text"]]
    assert record["value"]["text"].startswith("My own words on this\n\nI work at")
    assert process_outbox(app) == {}  # nothing twice

    shares_page = client.get("/shares").get_data(as_text=True)
    assert "posted" in shares_page and "view post" in shares_page


def test_a_post_whose_answer_was_lost_is_settled_by_its_record_key(
        client, employee, bluesky_peer, item, db, app):
    """The first attempt reached the PDS, then the sender died before it recorded the
    answer. The post carries a record key of its own (a TID), so the job asks for exactly
    that record instead of sending a second post."""
    from advocacy.accounts.services import fresh_access
    from advocacy.providers.bluesky import BlueskyAPI
    from advocacy.providers.keys import is_tid
    from advocacy.sharing.outbox import states
    from advocacy.sharing.outbox.sender import _outgoing

    connect(client, bluesky_peer)
    post(client, item)
    db.expire_all()
    row = db.scalar(sa.select(OutboxPost))
    assert is_tid(row.idempotency_key)
    row.run_at = utcnow() - dt.timedelta(hours=1)
    db.commit()
    assert states.claim(db, row.id, utcnow() - dt.timedelta(minutes=30))  # a claim, long ago
    db.commit()
    db.expire_all()
    row = db.get(OutboxPost, row.id)
    with app.app_context():  # what the dead sender got done: the record exists
        published = BlueskyAPI(api_for_config(app)).publish(
            fresh_access(app, row.account_id), _outgoing(app, row, row.share))
    assert published.remote_id.endswith(f"/{row.idempotency_key}")

    assert process_outbox(app) == {"posted": 1}
    db.expire_all()
    row = db.get(OutboxPost, row.id)
    assert (row.state, row.remote_id, row.doubted) == ("posted", published.remote_id, True)
    share = db.get(Share, row.share_id)
    matching = [r for r in records(bluesky_peer, bluesky_peer["did"])
                if share.code in r["value"]["text"]]
    assert len(matching) == 1  # settled, not sent twice


def api_for_config(app):
    from advocacy.providers.api import ProviderConfig

    return ProviderConfig(app.config)


def test_too_long_is_refused_before_queuing(client, employee, bluesky_peer, item, db):
    connect(client, bluesky_peer)
    response = post(client, item, text="x" * 290)
    assert response.status_code == 400
    assert re.search(r"too long for Bluesky: \d+ of 300", response.get_data(as_text=True))
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxPost)) == 0


def test_scheduled_share_waits_and_can_be_cancelled(client, employee, bluesky_peer, item, db,
                                                    app):
    connect(client, bluesky_peer)
    later = (dt.datetime.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert post(client, item, post_at=later).status_code == 302
    post_row = db.scalar(sa.select(OutboxPost))
    assert post_row.run_at > utcnow() + dt.timedelta(days=1)
    assert process_outbox(app) == {}
    assert "scheduled" in client.get("/shares").get_data(as_text=True)
    assert client.post_form(f"/shares/{post_row.id}/cancel").status_code == 302
    db.expire_all()
    assert db.get(OutboxPost, post_row.id).state == "cancelled"
    too_late = (dt.datetime.now() + dt.timedelta(days=40)).strftime("%Y-%m-%dT%H:%M")
    response = post(client, item, post_at=too_late)
    assert b"up to 31 days ahead" in response.data


def test_pause_holds_everything_until_resumed(client, employee, bluesky_peer, item, db, app,
                                              make_user):
    connect(client, bluesky_peer)
    post(client, item)
    comms = app.test_client()
    comms.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    comms.login(make_user(roles={"comms"}).email)
    assert comms.post_form("/posting/pause", {"reason": "Crisis at the plant"}
                           ).status_code == 302
    assert process_outbox(app) == {"paused": 1}
    assert db.scalar(sa.select(OutboxPost.state)) == "queued"
    assert b"Crisis at the plant" in comms.get("/posting").data
    assert comms.post_form("/posting/resume", {}).status_code == 302  # no confirmation
    assert process_outbox(app) == {"paused": 1}
    comms.post_form("/posting/resume", {"confirm": "y"})
    assert process_outbox(app) == {"posted": 1}
    from advocacy.core.models import AuditEvent

    actions = db.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["posting.paused", "posting.resumed"]


def test_delete_from_my_shares(client, employee, bluesky_peer, item, db, app):
    connect(client, bluesky_peer)
    post(client, item)
    process_outbox(app)
    share = db.scalar(sa.select(Share).where(Share.user_id == employee.id))
    assert any(share.code in r["value"]["text"] for r in records(bluesky_peer,
                                                                 bluesky_peer["did"]))
    response = client.post_form(f"/shares/{share.post.id}/delete", follow_redirects=True)
    assert "The post is deleted on the network." in response.get_data(as_text=True)
    assert not any(share.code in r["value"]["text"]
                   for r in records(bluesky_peer, bluesky_peer["did"]))
    db.expire_all()
    assert db.get(OutboxPost, share.post.id).deleted_at is not None


def _spoil_tokens(db, app, account_id: int, *, app_password: str | None = None) -> None:
    """Make the stored session useless, as a revoked one would be."""
    account = db.get(SocialAccount, account_id)
    with app.app_context():
        box = vault(app)
        account.access_token_enc = box.seal(f"account:{account.id}:access_token", "broken")
        account.refresh_token_enc = box.seal(f"account:{account.id}:refresh_token", "broken")
        if app_password:
            account.secret_enc = box.seal(f"account:{account.id}:secret", app_password)
    db.commit()


def test_a_dead_session_is_renewed_with_the_app_password(client, employee, bluesky_peer, item,
                                                         db, app):
    connect(client, bluesky_peer)
    _spoil_tokens(db, app, account_of(db, employee).id)
    post(client, item)
    assert process_outbox(app) == {"posted": 1}
    assert account_of(db, employee).status == "active"


def test_revoked_access_holds_posts_until_reconnected(client, employee, bluesky_peer, item,
                                                      db, app, mailbox):
    connect(client, bluesky_peer)
    account = account_of(db, employee)
    _spoil_tokens(db, app, account.id, app_password="aaaa-bbbb-cccc-dddd")
    post(client, item)
    assert process_outbox(app) == {"waiting": 1}
    assert account_of(db, employee).status == "reconnect"
    assert "reconnect" in mailbox.wait_for(1)[0]["Subject"].lower()
    assert "needs reconnecting" in client.get("/").get_data(as_text=True)
    assert "waiting for reconnection" in client.get("/shares").get_data(as_text=True)
    assert process_outbox(app) == {}  # held, not retried against a dead account

    connect(client, bluesky_peer)  # reconnecting resumes the held post
    assert process_outbox(app) == {"posted": 1}
    share = db.scalar(sa.select(Share).where(Share.user_id == employee.id))
    matching = [r for r in records(bluesky_peer, bluesky_peer["did"])
                if share.code in r["value"]["text"]]
    assert len(matching) == 1  # not lost, not doubled
