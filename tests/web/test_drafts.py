"""White glove: communications prepares a post, the tier-1 executive edits and decides."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from advocacy.accounts.services import save_account
from advocacy.content.models import ContentItem
from advocacy.content.services import withdraw_expired
from advocacy.crypto import vault
from advocacy.db import utcnow
from advocacy.providers.api import Profile, Tokens
from advocacy.sharing.models import ExecutiveDraft, OutboxPost, Share
from advocacy.sharing.outbox import process_outbox
from tests import factories
from tests.fakes.fixtures import provider_config


@pytest.fixture
def config_overrides(smtp_config, fake_x):
    return {**smtp_config, **provider_config(x=fake_x, PROVIDER_TIMEOUT=1)}


@pytest.fixture
def item(db):
    item = factories.make_item(db, title="Our new plant", texts=[("Worth a read", None)])
    db.commit()
    return item


@pytest.fixture
def executive(make_user):
    return make_user(name="Erika Exec", tier_id=1)


@pytest.fixture
def comms(client, make_user):
    """The test client, logged in as communications."""
    person = make_user(name="Carla Comms", roles={"comms"})
    assert client.login(person.email).status_code == 302
    return person


def login(app, user):
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert other.login(user.email).status_code == 302
    return other


def propose(client, item, executive, text="We opened our new plant today.", network="x",
            **extra):
    return client.post_form(f"/drafts/new?item={item.id}", {
        "executive_id": str(executive.id), "network": network, "text": text, **extra})


def review(client, draft_id, text="My version: we opened the plant.", network="x", **extra):
    return client.post_form(f"/drafts/{draft_id}/review",
                            {"text": text, "network": network, **extra})


def the_draft(db) -> ExecutiveDraft:
    db.expire_all()
    return db.scalars(sa.select(ExecutiveDraft)).one()


def count(db, model) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(model))


def connect_x(app, db, user, fake_x):
    """Store an X account as connecting does, with a token the fake issued."""
    x_user = fake_x.state.user
    issued = fake_x.state.issue_token(x_user["id"])
    tokens = Tokens(issued["access_token"], issued["refresh_token"],
                    utcnow() + dt.timedelta(seconds=issued["expires_in"]), issued["scope"])
    profile = Profile(x_user["id"], f"@{x_user['username']}", x_user["name"], 10)
    account = save_account(db, vault(app), user, "x", profile, tokens)
    db.commit()
    return account


@pytest.fixture
def proposed(client, comms, item, executive, db) -> ExecutiveDraft:
    response = propose(client, item, executive, note="For Monday's press release")
    assert response.status_code == 302, response.get_data(as_text=True)
    return the_draft(db)


# -- proposing -------------------------------------------------------------------------------------

def test_comms_proposes_a_draft_and_the_executive_gets_a_mail(client, comms, item, executive,
                                                              db, mailbox):
    page = client.get(f"/drafts/new?item={item.id}").get_data(as_text=True)
    assert f'<option value="{executive.id}"' in page

    response = propose(client, item, executive, note="For Monday")
    assert response.status_code == 302
    draft = the_draft(db)
    assert response.headers["Location"] == f"/drafts#draft-{draft.id}"
    assert (draft.state, draft.executive_id, draft.author_id, draft.network) == \
        ("proposed", executive.id, comms.id, "x")
    assert draft.text == "We opened our new plant today."

    [mail] = mailbox.wait_for(1)
    assert mail["To"] == executive.email
    assert mail["Subject"] == "A post prepared for you: Our new plant"
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "We opened our new plant today." in body and "For Monday" in body
    assert "http://localhost/drafts/mine" in body
    listing = client.get("/drafts").get_data(as_text=True)
    assert "Erika Exec" in listing and "waiting for the executive" in listing


def test_drafts_cannot_be_prepared_for_someone_outside_tier_one(client, comms, item, executive,
                                                                make_user, db, mailbox):
    employee = make_user(name="Toni Tierthree", tier_id=3)
    page = client.get(f"/drafts/new?item={item.id}").get_data(as_text=True)
    assert f'<option value="{employee.id}"' not in page

    response = propose(client, item, employee)
    assert response.status_code == 400
    assert count(db, ExecutiveDraft) == 0
    assert mailbox.messages == []


def test_text_over_the_networks_limit_is_refused(client, comms, item, executive, db, mailbox):
    response = propose(client, item, executive, text="x" * 270, network="x")
    assert response.status_code == 400
    assert "The text is too long for X" in response.get_data(as_text=True)
    assert count(db, ExecutiveDraft) == 0
    assert mailbox.messages == []
    assert propose(client, item, executive, text="x" * 270, network="linkedin"
                   ).status_code == 302  # LinkedIn takes 3,000


def test_an_employee_without_comms_cannot_prepare_drafts(client, login_as, item, executive, db):
    login_as("employee")
    assert client.get(f"/drafts/new?item={item.id}").status_code == 403
    assert propose(client, item, executive).status_code == 403
    assert client.get("/drafts").status_code == 403
    assert count(db, ExecutiveDraft) == 0


# -- the executive's side --------------------------------------------------------------------------

def test_the_executive_sees_a_banner_and_the_draft(app, proposed, executive):
    exec_client = login(app, executive)
    feed = exec_client.get("/").get_data(as_text=True)
    assert "Communications prepared a post for you to review." in feed
    mine = exec_client.get("/drafts/mine").get_data(as_text=True)
    assert "We opened our new plant today." in mine and "For Monday&#39;s press release" in mine
    assert f'href="/drafts/{proposed.id}/review"' in mine
    page = exec_client.get(f"/drafts/{proposed.id}/review").get_data(as_text=True)
    assert "We opened our new plant today." in page


def test_approving_with_a_connected_account_posts_the_edited_text_from_it(
        app, proposed, executive, db, fake_x):
    account = connect_x(app, db, executive, fake_x)
    exec_client = login(app, executive)
    response = review(exec_client, proposed.id, text="My version: we opened the plant.",
                      approve="1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/shares"

    draft = the_draft(db)
    share = db.get(Share, draft.share_id)
    assert (draft.state, draft.text) == ("approved", "My version: we opened the plant.")
    assert (share.user_id, share.method, share.posted_at) == (executive.id, "api", None)
    assert (share.post.state, share.post.account_id) == ("queued", account.id)
    assert fake_x.state.requests_to("/2/tweets", "POST") == []

    assert process_outbox(app) == {"posted": 1}
    [tweet] = fake_x.state.created
    assert tweet["author_id"] == fake_x.state.user["id"]
    assert tweet["text"].startswith("My version: we opened the plant.\n\nI work at")
    assert tweet["text"].endswith(f"/r/{share.code}")
    assert "We opened our new plant today." not in tweet["text"]


def test_approving_without_a_connected_account_opens_the_networks_share_page(
        app, proposed, executive, db, fake_x):
    exec_client = login(app, executive)
    response = review(exec_client, proposed.id, approve="1")
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == "https://x.com/intent/tweet"

    draft = the_draft(db)
    share = db.get(Share, draft.share_id)
    assert draft.state == "approved"
    assert (share.user_id, share.method, share.network) == (executive.id, "intent", "x")
    assert share.posted_at is not None
    query = parse_qs(target.query)
    assert query["url"] == [f"http://localhost/r/{share.code}"]
    assert query["text"][0].startswith("My version: we opened the plant.")
    assert count(db, OutboxPost) == 0
    assert fake_x.state.requests == []


def test_the_executive_can_decline(app, client, proposed, executive, db):
    exec_client = login(app, executive)
    response = review(exec_client, proposed.id, decline="1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/drafts/mine"
    draft = the_draft(db)
    assert (draft.state, draft.share_id) == ("declined", None)
    assert draft.decided_at is not None
    assert count(db, Share) == 0
    assert f"/drafts/{proposed.id}/review" not in \
        exec_client.get("/drafts/mine").get_data(as_text=True)
    assert "Communications prepared" not in exec_client.get("/").get_data(as_text=True)
    assert "declined" in client.get("/drafts").get_data(as_text=True)


def test_comms_can_withdraw_an_open_proposal(app, client, proposed, executive, db):
    response = client.post_form(f"/drafts/{proposed.id}/withdraw", follow_redirects=True)
    assert "The proposal is withdrawn." in response.get_data(as_text=True)
    assert the_draft(db).state == "withdrawn"

    exec_client = login(app, executive)
    assert f"/drafts/{proposed.id}/review" not in \
        exec_client.get("/drafts/mine").get_data(as_text=True)
    assert exec_client.get(f"/drafts/{proposed.id}/review").status_code == 404
    assert review(exec_client, proposed.id, approve="1").status_code == 404
    again = client.post_form(f"/drafts/{proposed.id}/withdraw", follow_redirects=True)
    assert "Only open proposals can be withdrawn." in again.get_data(as_text=True)
    assert count(db, Share) == 0


def test_another_executive_can_neither_see_nor_approve_it(app, proposed, make_user, db,
                                                          fake_x):
    other = make_user(name="Otto Other", tier_id=1)
    connect_x(app, db, other, fake_x)
    other_client = login(app, other)
    assert "We opened our new plant today." not in \
        other_client.get("/drafts/mine").get_data(as_text=True)
    refused = other_client.get(f"/drafts/{proposed.id}/review")
    assert refused.status_code == 404
    assert "Page not found" in refused.get_data(as_text=True)
    assert review(other_client, proposed.id, approve="1").status_code == 404
    assert review(other_client, proposed.id, decline="1").status_code == 404

    draft = the_draft(db)
    assert (draft.state, draft.share_id) == ("proposed", None)
    assert count(db, Share) == 0
    assert process_outbox(app) == {}


def test_a_decided_draft_cannot_be_approved_again(app, proposed, executive, db, fake_x):
    connect_x(app, db, executive, fake_x)
    exec_client = login(app, executive)
    assert review(exec_client, proposed.id, approve="1").status_code == 302
    assert review(exec_client, proposed.id, text="Once more", approve="1").status_code == 404
    assert exec_client.get(f"/drafts/{proposed.id}/review").status_code == 404

    assert count(db, Share) == 1
    assert the_draft(db).text == "My version: we opened the plant."
    assert process_outbox(app) == {"posted": 1}
    assert len(fake_x.state.created) == 1



def test_a_draft_of_an_item_withdrawn_since_cannot_be_approved(app, proposed, executive, item,
                                                              db, fake_x):
    connect_x(app, db, executive, fake_x)
    db.expire_all()
    db.get(ContentItem, item.id).expire_at = utcnow() - dt.timedelta(minutes=1)
    assert withdraw_expired(db) == 1  # the job took it off the feed
    db.commit()

    exec_client = login(app, executive)
    response = review(exec_client, proposed.id, approve="1")
    assert response.status_code in (400, 404)
    assert count(db, Share) == 0
    assert process_outbox(app) == {}
    assert fake_x.state.created == []
