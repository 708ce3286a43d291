"""Connect a Mastodon account in the browser, then post with two clicks from the feed."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from advocacy.db import get_database, session_scope
from advocacy.sharing.models import Share
from advocacy.sharing.outbox import process_outbox
from tests import factories
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def live_config() -> dict[str, Any]:
    return {"ALLOW_INSECURE_PROVIDERS": True}  # the fake Mastodon server is on loopback http


@pytest.fixture
def item_id(live_server: Any) -> int:
    app = live_server.app
    with app.app_context(), session_scope(app) as session:
        item = factories.make_item(session, title="Our study on remote work", language="en",
                                   texts=[("A study worth your time.", None)])
        return item.id


def _the_share(live_server: Any) -> Share:
    session = get_database(live_server.app).sessionmaker()
    try:
        return session.scalars(sa.select(Share)).one()
    finally:
        session.close()


def test_connect_mastodon_then_post_in_two_clicks(page: Any, live_server: Any, item_id: int,
                                                  fake_mastodon: Any) -> None:
    log_in(page, live_server, live_server.employee)
    page.goto(f"{live_server.url}/profile")
    page.get_by_role("link", name="Connected accounts").click()
    page.get_by_label("Your Mastodon server").fill(fake_mastodon.url)
    page.get_by_role("button", name="Connect Mastodon").click()

    # On the Mastodon server: its own consent page, then back to us.
    expect(page.get_by_role("heading", level=1)).to_contain_text("wants to use your Mastodon")
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_role("status")).to_have_text("Mastodon is connected.")
    expect(page.locator(".account-card", has_text="Mastodon")).to_contain_text("@alice@")

    # Two clicks: Share, then Post. The account is ticked already.
    page.goto(f"{live_server.url}/")
    page.locator("article.item-card", has_text="Our study on remote work") \
        .get_by_role("link", name="Share", exact=True).click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_role("checkbox", name="Mastodon")).to_be_checked()
    expect(dialog.locator("output.budgets")).to_have_text(re.compile(r"^\d+ / 500$"))
    dialog.get_by_role("button", name="Post", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/shares")
    expect(page.get_by_role("status")).to_have_text("Your post is on its way.")
    expect(page.locator("tbody tr", has_text="Our study")).to_contain_text("queued")

    assert process_outbox(live_server.app) == {"posted": 1}
    share = _the_share(live_server)
    [status] = fake_mastodon.state.live_statuses()
    assert status["text"].startswith("A study worth your time.")
    assert status["text"].endswith(f"{live_server.url}/r/{share.code}")
    page.reload()
    row = page.locator("tbody tr", has_text="Our study")
    expect(row).to_contain_text("posted")
    expect(row.get_by_role("link", name="view post")).to_have_attribute(
        "href", f"{fake_mastodon.url}/@alice/{status['id']}")
