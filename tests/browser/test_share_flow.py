"""The two clicks: Share opens the sheet, Post opens the network with text and link."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from advocacy.db import get_database, session_scope
from advocacy.governance.services import GuidelineData, publish_guideline
from advocacy.people.models import User
from advocacy.sharing.models import Click, Share
from tests import factories
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def item_id(live_server: Any) -> int:
    app = live_server.app
    with app.app_context(), session_scope(app) as session:
        item = factories.make_item(session, title="Our study on remote work", language="en",
                                   texts=[("A study worth your time.", None),
                                          ("Remote work study #work", "x")])
        admin = session.get(User, live_server.admin.id)
        publish_guideline(session, admin,
                          {"en": GuidelineData("Our guidelines", "<p>Be yourself.</p>")})
        return item.id


def _watch_external(context: Any) -> list[str]:
    """Record where the browser goes outside the live server (there is no internet here,
    and Playwright cannot stub a request that follows a redirect, so the URL is what we
    check, not the page)."""
    seen: list[str] = []
    context.on("request", lambda request: seen.append(request.url)
               if request.url.startswith(("https://", "mailto:")) else None)
    return seen


def _opened(popup: Any, seen: list[str], host: str) -> Any:
    """The first URL on `host` the popup tried to load."""
    popup.wait_for_load_state()
    return urlsplit(next(url for url in seen if urlsplit(url).netloc == host))


def _shares(live_server: Any) -> list[Share]:
    with live_server.app.app_context():
        session = get_database(live_server.app).sessionmaker()
        try:
            return list(session.scalars(sa.select(Share).order_by(Share.id)))
        finally:
            session.close()


def test_two_clicks_from_the_feed_open_the_intent(page: Any, live_server: Any,
                                                  item_id: int) -> None:
    seen = _watch_external(page.context)
    log_in(page, live_server, live_server.employee)
    card = page.locator("article.item-card", has_text="Our study on remote work")

    # First share ever: the sheet asks for the guidelines inline.
    card.get_by_role("link", name="Share", exact=True).click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_label("Your text")).to_have_value("A study worth your time.")
    dialog.get_by_role("radio", name="X", exact=True).check()
    expect(dialog.get_by_label("Your text")).to_have_value("Remote work study #work")
    expect(dialog.locator("output.budgets")).to_have_text(re.compile(r"^\d+ / 280$"))
    dialog.get_by_label("Your text").fill("My take: remote work works. Remote work study #work")
    dialog.locator(".guideline-check input").check()
    with page.context.expect_page() as popup_info:
        dialog.get_by_role("button", name="Post").click()
    intent = _opened(popup_info.value, seen, "x.com")
    assert intent.path == "/intent/tweet"
    params = parse_qs(intent.query)
    [share] = _shares(live_server)
    assert params["url"] == [f"{live_server.url}/r/{share.code}"]
    assert params["text"][0].startswith("My take: remote work works.")
    assert "I work at" in params["text"][0]
    expect(dialog).to_have_count(0)  # the dialog closes; the feed stays

    # The next share is exactly two clicks: Share, then Post.
    page.reload()
    card.get_by_role("link", name="Share", exact=True).click()
    expect(page.locator("dialog[open] .guideline-check")).to_have_count(0)
    expect(page.locator("dialog[open] input[value=x]")).to_be_checked()  # remembered
    seen.clear()
    with page.context.expect_page() as popup_info:
        page.locator("dialog[open]").get_by_role("button", name="Post").click()
    assert _opened(popup_info.value, seen, "x.com").path == "/intent/tweet"
    assert len(_shares(live_server)) == 2


def test_the_budget_warns_before_posting(page: Any, live_server: Any, item_id: int) -> None:
    log_in(page, live_server, live_server.employee)
    page.get_by_role("link", name="Share", exact=True).first.click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_role("radio", name="X", exact=True).check()
    dialog.get_by_label("Your text").fill("word " * 60)
    expect(dialog.locator("output.budgets")).to_have_class(re.compile(r"\bover\b"))


def test_without_javascript_the_plain_page_works(new_page: Any, live_server: Any,
                                                 item_id: int) -> None:
    page = new_page(java_script_enabled=False)
    seen = _watch_external(page.context)
    log_in(page, live_server, live_server.employee)
    page.get_by_role("link", name="Share", exact=True).first.click()
    assert page.url == f"{live_server.url}/share/{item_id}"
    page.get_by_label("LinkedIn").check()
    page.locator(".guideline-check input").check()
    with page.context.expect_page() as popup_info:
        page.get_by_role("button", name="Post").click()
    intent = _opened(popup_info.value, seen, "www.linkedin.com")
    assert intent.path == "/sharing/share-offsite/"
    [share] = _shares(live_server)
    assert parse_qs(intent.query)["url"] == [f"{live_server.url}/r/{share.code}"]


def test_a_visitor_following_the_link_lands_on_the_page(page: Any, new_page: Any,
                                                        live_server: Any, item_id: int) -> None:
    log_in(page, live_server, live_server.employee)
    page.get_by_role("link", name="Share", exact=True).first.click()
    page.locator("dialog[open] .guideline-check input").check()
    with page.context.expect_page():
        page.locator("dialog[open]").get_by_role("button", name="Post").click()
    [share] = _shares(live_server)

    # Headless Chromium says "HeadlessChrome", which the link treats as a bot; a visitor's
    # browser does not.
    visitor = new_page(user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36")
    seen = _watch_external(visitor.context)
    with pytest.raises(Exception, match="ERR_NAME_NOT_RESOLVED"):  # example.com: no internet
        visitor.goto(f"{live_server.url}/r/{share.code}")
    landed = _opened(visitor, seen, "example.com")
    assert parse_qs(landed.query)["utm_content"] == [share.code]
    with live_server.app.app_context():
        session = get_database(live_server.app).sessionmaker()
        assert session.scalar(sa.select(sa.func.count()).select_from(Click)) == 1
        session.close()
