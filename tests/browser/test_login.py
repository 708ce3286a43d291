"""Logging in and out in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in, log_out, path_pattern

pytestmark = pytest.mark.browser


def test_login_with_correct_password_shows_start_page_then_logout(page, live_server):
    person = live_server.employee
    log_in(page, live_server, person)
    expect(page.locator(".site-header .account-name")).to_have_text(person.name)

    log_out(page, live_server)
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    # The start page is closed again: it sends the browser back to the login page.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(path_pattern(live_server, "/login"))
    expect(page.get_by_text(person.name)).to_have_count(0)


def test_login_with_wrong_password_stays_on_login_page(page, live_server):
    person = live_server.employee
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email", exact=True).fill(person.email)
    page.get_by_label("Password", exact=True).fill("not the password at all")
    page.get_by_role("button", name="Log in", exact=True).click()

    expect(page.get_by_role("alert")).to_have_text(
        "The e-mail address or password is not correct.")
    expect(page).to_have_url(path_pattern(live_server, "/login"))
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    # Still logged out: the start page is not reachable.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(path_pattern(live_server, "/login"))
