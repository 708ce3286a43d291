"""A post LinkedIn did not confirm, on a phone: the person looks, then decides."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from advocacy.accounts.services import save_account
from advocacy.admin.services import get_settings
from advocacy.crypto import vault
from advocacy.db import get_database, session_scope, utcnow
from advocacy.people.models import User
from advocacy.providers.api import Profile, Tokens
from advocacy.sharing.models import OutboxPost
from advocacy.sharing.outbox import PostRequest, process_outbox, queue_post
from advocacy.sharing.services import visible_item
from tests import factories
from tests.browser.helpers import log_in
from tests.fakes.fixtures import provider_config

pytestmark = pytest.mark.browser


@pytest.fixture
def live_config(fake_linkedin: Any) -> dict[str, Any]:
    return provider_config(linkedin=fake_linkedin, PROVIDER_TIMEOUT=1)


def test_a_post_in_doubt_is_decided_after_looking_on_a_phone(new_page: Any, live_server: Any,
                                                             fake_linkedin: Any) -> None:
    app = live_server.app
    with app.app_context(), session_scope(app) as session:
        person = session.get(User, live_server.employee.id)
        item = factories.make_item(session, title="Our plant opens", language="en",
                                   texts=[("Proud of this.", None)])
        member = fake_linkedin.state.member
        account = save_account(
            session, vault(app), person, "linkedin",
            Profile(fake_linkedin.state.urn(), member["email"], member["name"]),
            Tokens(fake_linkedin.state.issue_token(), None, utcnow().replace(year=2027), ""))
        session.flush()
        assert visible_item(session, person, item.id) is not None
        queue_post(session, person, item, PostRequest(account, "Proud of this.", None),
                   get_settings(session), lambda code: f"{live_server.url}/r/{code}")
    fake_linkedin.state.hang_after_next("/rest/posts", 3, method="POST")
    assert process_outbox(app) == {"in_doubt": 1}

    page = new_page(viewport={"width": 390, "height": 844})
    log_in(page, live_server, live_server.employee)
    page.goto(f"{live_server.url}/shares")
    row = page.locator("tbody tr", has_text="Our plant opens")
    expect(row).to_contain_text("not confirmed")
    expect(row).to_contain_text("Look at your profile first")
    expect(row.get_by_role("button", name="It is there")).to_have_count(0)

    asked: list[str] = []  # (this machine has no route to LinkedIn: the URL is what counts)
    page.context.on("request", lambda request: asked.append(request.url))
    with page.expect_popup():
        row.get_by_role("button", name="Look at my profile").click()
    profile = "https://www.linkedin.com/in/me/recent-activity/all/"
    for _ in range(50):
        if profile in asked:
            break
        page.wait_for_timeout(100)
    assert profile in asked
    # Back on our tab, the next step is there (the page reloads itself).
    there = row.get_by_role("button", name="It is there")
    expect(there).to_be_visible()
    there.click()
    expect(page.get_by_role("status")).to_have_text("Thank you: the post counts as posted.")
    expect(page.locator("tbody tr", has_text="Our plant opens")).to_contain_text("posted")
    session = get_database(app).sessionmaker()
    try:
        post = session.scalars(sa.select(OutboxPost)).one()
        assert (post.state, post.remote_id) == ("posted", None)
    finally:
        session.close()
    assert len(fake_linkedin.state.live_posts()) == 1
