"""A forgotten password, reset through the link the real SMTP server received."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in, log_out, path_pattern

pytestmark = pytest.mark.browser

NEW_PASSWORD = "purple elephants dance quietly"


def reset_link(message, live_server) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(re.escape(live_server.url) + r"/password/reset/\S+", body)
    assert match, body
    return match.group(0)


def test_password_reset_by_mail_then_log_in_with_new_password(page, live_server, mailbox):
    person = live_server.employee
    page.goto(f"{live_server.url}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page).to_have_url(f"{live_server.url}/password/forgot")
    page.get_by_label("Email", exact=True).fill(person.email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page).to_have_url(path_pattern(live_server, "/login"))
    expect(page.get_by_role("status")).to_contain_text(
        f"If an account exists for {person.email}, we have sent it a link")

    [message] = mailbox.wait_for(1)
    assert message["To"] == person.email
    assert "Reset your password" in message["Subject"]
    link = reset_link(message, live_server)

    page.goto(link)
    expect(page.get_by_role("heading", name="Set a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save password").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("status")).to_have_text("Your password is saved. Welcome!")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {person.name}")

    log_out(page, live_server)
    # The old password is gone ...
    page.get_by_label("Email", exact=True).fill(person.email)
    page.get_by_label("Password", exact=True).fill(person.password)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(
        "The e-mail address or password is not correct.")
    # ... and the new one works.
    log_in(page, live_server, person, NEW_PASSWORD)

    # The link worked once; opening it again says so.
    page.goto(link)
    expect(page.get_by_role("heading", name="Link no longer valid")).to_be_visible()
    expect(page.get_by_text("This link is no longer valid.")).to_be_visible()
    expect(page.get_by_label("New password")).to_have_count(0)
    assert len(mailbox.messages) == 1
