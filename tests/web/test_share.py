"""The share sheet and the second click."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from advocacy.content.models import ContentItem, ShareText
from advocacy.engagement.models import PointEntry
from advocacy.governance.services import GuidelineData, publish_guideline
from advocacy.people.models import Tier
from advocacy.sharing.models import Share
from tests import factories


@pytest.fixture
def item(db):
    item = factories.make_item(db, title="Our new study", language="en", texts=[
        ("Generic text for any network", None),
        ("Short text for X #study", "x"),
    ])
    item.share_texts.append(ShareText(text="Words for executives", tier_id=1, position=2))
    db.commit()
    return item


def sheet_text(page: str) -> str:
    match = re.search(r'<textarea[^>]*name="text"[^>]*>\r?\n?(.*?)</textarea>', page, re.DOTALL)
    assert match, page
    return match.group(1)


def post_share(client, item, network="x", text="My own words", **extra):
    return client.post_form(f"/share/{item.id}", {"network": network, "text": text, **extra})


def test_feed_is_the_employees_start_page(client, login_as, item):
    login_as("employee")
    page = client.get("/").get_data(as_text=True)
    assert "Our new study" in page
    assert f'href="/share/{item.id}"' in page


def test_sheet_suggests_the_text_for_network_and_tier(client, login_as, item):
    login_as("employee")
    assert sheet_text(client.get(f"/share/{item.id}?network=x").get_data(as_text=True)) \
        == "Short text for X #study"
    assert sheet_text(client.get(f"/share/{item.id}?network=linkedin").get_data(as_text=True)) \
        == "Generic text for any network"


def test_executives_get_their_own_variant(client, login_as, item):
    login_as("employee", tier_id=1)
    page = client.get(f"/share/{item.id}?network=linkedin").get_data(as_text=True)
    assert sheet_text(page) == "Words for executives"


def test_sheet_shows_the_disclosure_line_and_works_as_a_fragment(client, login_as, item, db):
    login_as("employee")
    page = client.get(f"/share/{item.id}?partial=1").get_data(as_text=True)
    assert "<html" not in page and 'class="share-form"' in page
    assert "I work at" in page and 'target="_blank"' in page


def test_variants_rotate_between_colleagues(client, app, make_user, db):
    item = factories.make_item(db, language="en", texts=[("First variant", None),
                                                        ("Second variant", None)])
    db.commit()
    seen = []
    for _ in range(4):
        colleague = make_user()
        other = app.test_client()
        other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        other.login(colleague.email)
        text = sheet_text(other.get(f"/share/{item.id}?network=linkedin").get_data(as_text=True))
        seen.append(text)
        text_id = re.search(r'name="share_text_id" type="hidden" value="(\d+)"',
                            other.get(f"/share/{item.id}?network=linkedin").get_data(as_text=True)
                            ).group(1)
        assert other.post_form(f"/share/{item.id}", {
            "network": "linkedin", "text": text, "share_text_id": text_id}).status_code == 302
    assert seen == ["First variant", "Second variant", "First variant", "Second variant"]


def test_post_opens_the_intent_with_text_disclosure_and_tracked_link(client, login_as, item,
                                                                     db):
    user = login_as("employee")
    response = post_share(client, item, network="x", text="Read this, colleagues!")
    assert response.status_code == 302
    intent = urlsplit(response.headers["Location"])
    assert (intent.scheme, intent.netloc, intent.path) == ("https", "x.com", "/intent/tweet")
    params = parse_qs(intent.query)
    share = db.scalars(sa.select(Share).where(Share.user_id == user.id)).one()
    assert params["url"] == [f"http://localhost/r/{share.code}"]
    assert params["text"][0].startswith("Read this, colleagues!\n\nI work at")
    assert re.fullmatch(r"[A-Za-z0-9]{10}", share.code)
    assert (share.network, share.target_url, share.edited) == ("x", item.url, True)
    # Kept in its parts: no splitting a string to find the link again.
    assert share.text == "Read this, colleagues!"
    assert share.disclosure.startswith("I work at")
    assert share.link == f"http://localhost/r/{share.code}"
    assert share.full == f"{share.text}\n\n{share.disclosure}\n{share.link}"


@pytest.mark.parametrize(("network", "host", "carries_text"), [
    ("linkedin", "www.linkedin.com", False), ("xing", "www.xing.com", False),
    ("facebook", "www.facebook.com", False), ("whatsapp", "wa.me", True),
    ("mastodon", "share.joinmastodon.org", True), ("bluesky", "bsky.app", True),
])
def test_every_network_has_its_intent(client, login_as, item, network, host, carries_text):
    login_as("employee")
    location = post_share(client, item, network=network, text="Hello there").headers["Location"]
    assert urlsplit(location).netloc == host
    assert ("Hello%20there" in location) is carries_text
    assert "%2Fr%2F" in location  # the tracked link, percent-encoded


def test_email_intent(client, login_as, item):
    login_as("employee")
    location = post_share(client, item, network="email", text="For you").headers["Location"]
    assert location.startswith("mailto:?subject=Our%20new%20study&body=For%20you%0D%0A")


def test_mastodon_uses_the_persons_server(client, login_as, item):
    user = login_as("employee")
    client.post_form("/profile", {"name": user.name, "language": "en",
                                  "mastodon_instance": "https://social.example.org/"})
    location = post_share(client, item, network="mastodon").headers["Location"]
    assert location.startswith("https://social.example.org/share?text=")


def test_the_last_network_is_remembered(client, login_as, item):
    login_as("employee")
    post_share(client, item, network="bluesky")
    page = client.get(f"/share/{item.id}").get_data(as_text=True)
    assert re.search(r'value="bluesky"[^>]*checked|checked[^>]*value="bluesky"', page)


def test_disclosure_cannot_be_removed(client, login_as, item, db):
    user = login_as("employee")
    post_share(client, item, network="whatsapp", text="Only my words", disclosure="")
    share = db.scalars(sa.select(Share).where(Share.user_id == user.id)).one()
    assert share.disclosure.startswith("I work at") and "I work at" in share.full


def test_too_long_for_the_network_is_refused_with_numbers(client, login_as, item, db):
    login_as("employee")
    response = post_share(client, item, network="x", text="word " * 60)
    assert response.status_code == 400
    assert b"too long for X" in response.data
    assert db.scalar(sa.select(sa.func.count()).select_from(Share)) == 0


def test_empty_text_or_unknown_network(client, login_as, item):
    login_as("employee")
    assert post_share(client, item, text="").status_code == 400
    assert post_share(client, item, network="myspace").status_code == 400


def test_items_not_meant_for_the_person_are_404(client, login_as, db):
    login_as("employee")
    hidden = factories.make_item(db, language="en", target_tiers=[db.get(Tier, 1)])
    draft = factories.make_item(db, language="en", state="draft")
    db.commit()
    for item in (hidden, draft):
        assert client.get(f"/share/{item.id}").status_code == 404
        assert post_share(client, item).status_code == 404


def test_points_and_counters(client, login_as, item, db, app):
    user = login_as("employee")
    post_share(client, item)
    post_share(client, item, network="linkedin")
    reasons = sorted(db.scalars(sa.select(PointEntry.reason)
                                .where(PointEntry.user_id == user.id)))
    assert reasons == ["first_share", "share", "share"]
    db.expire_all()
    assert db.get(ContentItem, item.id).share_count == 2


class TestGuidelines:
    @pytest.fixture
    def guideline(self, db, make_user):
        admin = make_user(roles={"admin"})
        guideline = publish_guideline(db, admin, {"en": GuidelineData("Rules", "<p>Be nice.</p>")})
        db.commit()
        return guideline

    def test_first_share_needs_the_guidelines(self, client, login_as, item, guideline, db):
        user = login_as("employee")
        page = client.get(f"/share/{item.id}").get_data(as_text=True)
        assert "social-media guidelines (version 1)" in page
        response = post_share(client, item)
        assert response.status_code == 400
        assert b"Please confirm that you have read" in response.data
        assert post_share(client, item, acknowledge_guidelines="y").status_code == 302
        reasons = set(db.scalars(sa.select(PointEntry.reason)
                                 .where(PointEntry.user_id == user.id)))
        assert "guidelines_ack" in reasons
        page = client.get(f"/share/{item.id}").get_data(as_text=True)
        assert "social-media guidelines (version 1)" not in page  # asked once only

    def test_a_new_version_asks_again(self, client, login_as, item, guideline, db, make_user):
        login_as("employee")
        assert post_share(client, item, acknowledge_guidelines="y").status_code == 302
        publish_guideline(db, make_user(roles={"admin"}),
                          {"en": GuidelineData("Rules 2", "<p>Be kind.</p>")})
        db.commit()
        assert post_share(client, item).status_code == 400
        assert post_share(client, item, acknowledge_guidelines="y").status_code == 302


def test_feed_query_count_does_not_grow(client, login_as, db, count_queries):
    login_as("employee")

    def queries() -> int:
        with count_queries() as counter:
            assert client.get("/").status_code == 200
        return counter.count

    for _ in range(2):
        factories.make_item(db, language="en")
    db.commit()
    few = queries()
    for _ in range(25):
        item = factories.make_item(db, language="en", topics=[])
        factories.make_share(db, item=item)
    db.commit()
    assert queries() == few
