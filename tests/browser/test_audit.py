"""The audit log on a phone: an admin gives a colleague a role, then finds the change under
Settings → Audit log, filtered to people and roles."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in, nav_link
from tests.browser.test_layout import PHONE, horizontal_overflow

pytestmark = pytest.mark.browser


def test_an_admin_finds_a_role_change_in_the_audit_log(new_page, live_server):
    page = new_page(**PHONE)
    log_in(page, live_server, live_server.admin)
    page.goto(f"{live_server.url}/admin/people/{live_server.employee.id}")
    page.get_by_label("Communications", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("are saved")

    nav_link(page, "Settings").click()
    page.get_by_role("link", name="Audit log").click()
    page.get_by_label("Show").select_option(label="People and roles")
    page.get_by_role("button", name="Filter").click()
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("Ada Admin")
    expect(row).to_contain_text("changed a person")
    expect(row).to_contain_text(
        "erin.employee@example.org: Roles: Employee → Communications, Employee")
    assert horizontal_overflow(page) <= 0
