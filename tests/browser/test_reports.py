"""Reports in a real browser: the reach report, programme health and the quarterly summary
on a phone, the summary as the PDF the browser prints, and a deletion request from the
person's page to the admin's confirmation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from advocacy.db import session_scope
from tests.browser.helpers import log_in
from tests.browser.test_layout import PHONE, horizontal_overflow
from tests.web.test_reach_report import dataset

pytestmark = pytest.mark.browser


@pytest.fixture
def reports_server(live_server):
    with live_server.app.app_context(), session_scope(live_server.app) as session:
        dataset(session)
    return live_server


@pytest.mark.parametrize("path", ["/reports/reach?period=month&day=2026-10-15&by=group",
                                  "/reports/health", "/reports/summary?day=2026-10-15"])
def test_report_pages_fit_a_phone(new_page, reports_server, path):
    page = new_page(**PHONE)
    log_in(page, reports_server, reports_server.admin)
    page.goto(reports_server.url + path)
    expect(page.locator("svg.chart-svg").first).to_be_visible()
    assert horizontal_overflow(page) <= 0


def test_quarterly_summary_prints_without_the_site_around_it(page, reports_server):
    log_in(page, reports_server, reports_server.admin)
    page.goto(f"{reports_server.url}/reports/summary?day=2026-10-15")
    print_button = page.get_by_role("button", name="Print or save as PDF")
    expect(print_button).to_be_visible()  # shown because JavaScript runs
    page.emulate_media(media="print")
    expect(print_button).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("heading", name="Employee advocacy: quarterly summary")).to_be_visible()
    # On paper the tables keep their columns (the stacked phone layout is for screens).
    expect(page.locator("table.report-totals thead")).to_be_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    assert 1 <= pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + \
        pdf.count(b"/Type /Page>") <= 4


def test_deletion_request_reaches_the_admin(new_page, live_server):
    person = new_page()
    log_in(person, live_server, live_server.employee)
    person.goto(f"{live_server.url}/me/data")
    person.get_by_role("button", name="Ask for deletion").click()
    expect(person.get_by_text("Please confirm that you understand")).to_be_visible()
    person.get_by_label("I understand that my account will be closed").check()
    person.get_by_role("button", name="Ask for deletion").click()
    expect(person.get_by_role("button", name="Withdraw my request")).to_be_visible()

    admin = new_page()
    log_in(admin, live_server, live_server.admin)
    admin.goto(f"{live_server.url}/admin/people/deletions")
    expect(admin.get_by_role("heading", name=live_server.employee.name)).to_be_visible()
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.get_by_role("button", name="Delete this person's data").click()
    expect(admin.get_by_text("The data are deleted.")).to_be_visible()
    expect(admin.get_by_role("cell", name="Former colleague 1")).to_be_visible()
    person.goto(f"{live_server.url}/me/data")  # the account is gone: logged out
    expect(person).to_have_url(f"{live_server.url}/login?next=%2Fme%2Fdata")
