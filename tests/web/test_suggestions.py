"""Employee suggestions end to end, with previews read from a real page server on loopback
(tests/unit/test_preview.py) and mail through a real SMTP server."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from advocacy.content.models import ContentItem
from advocacy.engagement.models import PointEntry
from advocacy.notifications.models import Notification
from advocacy.problems import Problem
from advocacy.suggestions.models import Suggestion
from tests import factories
from tests.unit.test_preview import serve


@pytest.fixture(scope="module")
def pages():
    with serve() as base:
        yield base


@pytest.fixture
def config_overrides(smtp_config):
    return {**smtp_config, "ALLOW_INSECURE_PROVIDERS": True, "PROVIDER_TIMEOUT": 1}


@pytest.fixture
def people(make_user):
    return {"employee": make_user(name="Sam Suggester"),
            "comms": make_user(roles={"comms", "employee"}, name="Cleo Comms"),
            "other": make_user(roles={"comms", "employee"}, name="Otto Other")}


def _suggest(client, person, url, note=""):
    client.login(person.email)
    return client.post_form("/suggestions/", {"url": url, "note": note})


def _only(db):
    return db.scalar(sa.select(Suggestion))


def test_a_suggestion_arrives_with_its_preview(client, db, people, pages):
    response = _suggest(client, people["employee"], f"{pages}/page", "For <b>Sales</b>")
    assert response.status_code == 302
    suggestion = _only(db)
    assert (suggestion.title, suggestion.site_name) == ("Wind power & storage", "Example News")
    assert suggestion.description == "How the new plant stores energy."
    assert suggestion.preview_error is None
    client.login(people["comms"].email)
    inbox = client.get("/suggestions/inbox").get_data(as_text=True)
    assert "Wind power &amp; storage" in inbox and "Sam Suggester" in inbox
    assert "For &lt;b&gt;Sales&lt;/b&gt;" in inbox  # the note is text, not markup


@pytest.mark.parametrize("url", ["not a link", "javascript:alert(1)", "ftp://example.com/x"])
def test_what_is_not_a_web_address_is_refused(client, db, people, url):
    response = _suggest(client, people["employee"], url)
    assert response.status_code == 400
    assert "Please enter a web address" in response.get_data(as_text=True)
    assert _only(db) is None


def test_a_page_that_leads_inside_is_kept_without_preview(client, db, people, pages):
    assert _suggest(client, people["employee"], f"{pages}/to-private").status_code == 302
    suggestion = _only(db)
    assert suggestion.title == "" and Problem.load(suggestion.preview_error).code == "not_public"
    client.login(people["comms"].email)
    page = client.get("/suggestions/inbox").get_data(as_text=True)
    assert "No preview: " in page and "is not a public address." in page


def test_the_same_link_is_not_suggested_twice(client, db, people, pages):
    _suggest(client, people["employee"], f"{pages}/page")
    again = _suggest(client, people["comms"], f"{pages}/page")
    assert again.status_code == 400 and "already suggested" in again.get_data(as_text=True)
    factories.make_item(db, url="https://example.com/known")
    db.commit()
    known = _suggest(client, people["employee"], "https://example.com/known")
    assert "already in the library" in known.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Suggestion)) == 1


def test_accepted_published_and_rewarded_once(client, db, people, pages, mailbox):
    _suggest(client, people["employee"], f"{pages}/page")
    suggestion = _only(db)
    client.login(people["comms"].email)
    response = client.post_form(f"/suggestions/{suggestion.id}/accept")
    item = db.scalar(sa.select(ContentItem).where(ContentItem.url == f"{pages}/page"))
    assert response.headers["Location"].endswith(f"/content/{item.id}")
    assert (item.state, item.title, item.source_class) == ("draft", "Wind power & storage",
                                                           "external")
    assert item.summary == "How the new plant stores energy."
    [mail] = mailbox.wait_for(1)
    assert mail["To"] == people["employee"].email and "accepted" in mail["Subject"]
    kinds = db.scalars(sa.select(Notification.kind).where(
        Notification.user_id == people["employee"].id)).all()
    assert kinds == ["suggestion_accepted"]
    client.post_form(f"/content/{item.id}/submit")
    client.login(people["other"].email)  # four eyes: someone else approves
    client.post_form(f"/content/{item.id}/approve")
    db.expire_all()
    assert db.get(ContentItem, item.id).state == "approved"
    points = db.scalars(sa.select(PointEntry).where(PointEntry.reason == "suggestion")).all()
    assert [(p.user_id, p.points) for p in points] == [(people["employee"].id, 15)]
    assert "suggestion_published" in db.scalars(sa.select(Notification.kind)).all()
    # Shares of the item show on the suggester's page.
    for clicks in (3, 4):
        factories.make_posted_share(db, user=people["other"], item=item, click_count=clicks)
    db.commit()
    client.login(people["employee"].email)
    mine = client.get("/suggestions/").get_data(as_text=True)
    assert "Published" in mine and "2 shares" in mine and "7 clicks" in mine


def test_declining_needs_a_reason_and_tells_the_colleague(client, db, people, pages,
                                                           mailbox):
    _suggest(client, people["employee"], f"{pages}/page")
    suggestion = _only(db)
    client.login(people["comms"].email)
    empty = client.post_form(f"/suggestions/{suggestion.id}/decline", {"reason": ""})
    assert empty.status_code == 400 and "This field is required" in empty.get_data(
        as_text=True)
    client.post_form(f"/suggestions/{suggestion.id}/decline",
                     {"reason": "We covered this last week."})
    [mail] = mailbox.wait_for(1)
    assert "We covered this last week." in mail.get_body(preferencelist=("plain",)).get_content()
    again = client.post_form(f"/suggestions/{suggestion.id}/accept", follow_redirects=True)
    assert "already been decided" in again.get_data(as_text=True)
    client.login(people["employee"].email)
    mine = client.get("/suggestions/").get_data(as_text=True)
    assert "Not taken" in mine and "We covered this last week." in mine
