"""Layout on a phone, and the language switch in the footer."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in, path_pattern

pytestmark = pytest.mark.browser

# A plain viewport, not `is_mobile`: mobile emulation widens the layout viewport to fit
# content that overflows, and `window.innerWidth` then grows with it, which would hide
# exactly the overflow these tests look for.
PHONE = {"viewport": {"width": 375, "height": 740}, "has_touch": True}
ADMIN_NAV = ["Start", "My shares", "My brand", "Points", "Leaderboard", "Suggest",
             "Training", "Posting", "Overview",
             "Reach", "Health", "People", "Groups", "Tiers", "Settings"]


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0 or less: no overflow)."""
    assert page.evaluate("window.innerWidth") == PHONE["viewport"]["width"]
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_people_page_fits_a_phone(new_page, live_server):
    page = new_page(**PHONE)
    log_in(page, live_server, live_server.admin)
    page.goto(f"{live_server.url}/admin/people")
    expect(page.get_by_role("heading", level=1)).to_contain_text("People")
    expect(page.get_by_text(live_server.employee.email)).to_be_visible()
    assert horizontal_overflow(page) <= 0


def test_main_navigation_is_reachable_on_a_phone(new_page, live_server):
    page = new_page(**PHONE)
    log_in(page, live_server, live_server.admin)
    assert horizontal_overflow(page) <= 0

    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(ADMIN_NAV)
    for label in ADMIN_NAV:  # the nav scrolls sideways inside itself ...
        link = nav.get_by_role("link", name=label, exact=True)
        link.scroll_into_view_if_needed()
        expect(link).to_be_in_viewport()
    assert horizontal_overflow(page) <= 0  # ... not the page

    people = nav.get_by_role("link", name="People", exact=True)
    people.scroll_into_view_if_needed()
    people.click()
    expect(page).to_have_url(path_pattern(live_server, "/admin/people"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("People")
    expect(people).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name=live_server.employee.name)).to_be_visible()

    settings = nav.get_by_role("link", name="Settings", exact=True)
    settings.scroll_into_view_if_needed()
    settings.click()
    expect(page).to_have_url(path_pattern(live_server, "/admin/settings"))
    expect(settings).to_have_attribute("aria-current", "page")


def test_language_switch_in_footer_translates_login_page(page, live_server):
    page.goto(f"{live_server.url}/login")
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()

    page.get_by_label("Language").select_option(label="Deutsch")  # submits itself (app.js)

    expect(page.get_by_role("button", name="Anmelden", exact=True)).to_be_visible()
    expect(page).to_have_url(path_pattern(live_server, "/login"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_label("Sprache")).to_have_value("de")
