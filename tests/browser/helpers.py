"""Steps several browser tests share."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, Person


def log_in(page: Any, live: LiveServer, person: Person, password: str | None = None) -> None:
    """Log in through the form and wait for the start page."""
    page.goto(f"{live.url}/login")
    page.get_by_label("Email", exact=True).fill(person.email)
    page.get_by_label("Password", exact=True).fill(password or person.password)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(f"{live.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {person.name}")
    # The scripts are deferred: a click before "load" can reach a link whose handler is not
    # attached yet and take the no-JavaScript path instead.
    page.wait_for_load_state("load")


def nav_link(page: Any, label: str) -> Any:
    """A link of the main navigation, scrolled into view (on a phone the menu scrolls
    sideways inside itself)."""
    link = page.get_by_role("navigation", name="Main").get_by_role("link", name=label,
                                                                   exact=True)
    link.scroll_into_view_if_needed()
    return link


def log_out(page: Any, live: LiveServer) -> None:
    page.get_by_role("button", name="Log out", exact=True).click()
    expect(page).to_have_url(f"{live.url}/login")
    expect(page.get_by_role("status")).to_have_text("You are logged out.")


def path_pattern(live: LiveServer, path: str) -> re.Pattern[str]:
    """A URL pattern for `path` on the live server, with or without a query string."""
    return re.compile(re.escape(live.url + path) + r"(\?.*)?$")
