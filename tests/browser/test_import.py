"""The CSV import as an admin sees it: a bad file imports nothing, a good one everything."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from sqlalchemy.orm import selectinload

from advocacy.db import get_database
from advocacy.people.models import Group, User
from tests.browser.helpers import log_in, path_pattern

pytestmark = pytest.mark.browser

# Semicolons and a byte-order mark, as Excel's "CSV UTF-8" writes them. Line 1 is the header.
BAD_CSV = "\ufeff" + "\r\n".join([
    "E-Mail;Name;Stufe;Rollen;Abteilung;Gruppen",
    "jonas.weber@example.com;Jonas Weber;2;employee;Vertrieb;Speakers",      # 2 fine
    "not-an-address;Kein Mail;3;employee;;",                                   # 3 bad address
    "tara.seven@example.com;Tara Seven;7;employee;;",                          # 4 tier 7
    "rolf.role@example.com;Rolf Role;3;employee|wizard;;",                     # 5 unknown role
    "dana.double@example.com;Dana Double;3;employee;;",                        # 6 duplicate ...
    "Dana.Double@example.com;Dana Twice;3;employee;;",                         # 7 ... of line 6
    "nameless@example.com;;3;employee;;",                                      # 8 no name
    "müller.anna@example.com;Anna Müller;high touch;employee|comms;Marketing;",  # 9 fine
]) + "\r\n"

GOOD_CSV = "\ufeff" + "\r\n".join([
    "E-Mail;Name;Stufe;Rollen;Abteilung;Gruppen",
    "jonas.weber@example.com;Jonas Weber;2;employee;Vertrieb;Speakers",
    "kein.mail@example.com;Kein Mail;3;employee;;",
    "tara.seven@example.com;Tara Seven;1;employee;;",
    "rolf.role@example.com;Rolf Role;3;employee|comms;;",
    "dana.double@example.com;Dana Double;3;employee;;",
    "nameless@example.com;Nora Named;3;;;",
    "müller.anna@example.com;Anna Müller;high touch;employee|comms;Marketing;",
    "erin.employee@example.org;;;;Vertrieb;",  # a known person joins a department
]) + "\r\n"

FILE_ADDRESSES = {
    "jonas.weber@example.com", "not-an-address", "tara.seven@example.com",
    "rolf.role@example.com", "dana.double@example.com", "nameless@example.com",
    "müller.anna@example.com", "kein.mail@example.com",
}

PROBLEMS = [
    ("3", "not-an-address", "“not-an-address” is not a valid e-mail address."),
    ("4", "tara.seven@example.com", "Tier must be 1, 2 or 3, not “7”."),
    ("5", "rolf.role@example.com",
     "Unknown role “wizard”. Roles are: employee, comms, hr, admin."),
    ("6", "dana.double@example.com",
     "The address dana.double@example.com appears more than once (lines 6 and 7)."),
    ("7", "dana.double@example.com",
     "The address dana.double@example.com appears more than once (lines 6 and 7)."),
    ("8", "nameless@example.com", "A name is needed for a new person."),
]


def csv_file(text: str, name: str = "people.csv") -> dict:
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}


def upload(page, live_server, text: str) -> None:
    page.goto(f"{live_server.url}/admin/people/import")
    page.get_by_label("CSV file").set_input_files(csv_file(text))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check the import")


def people_by_email(live_server) -> dict[str, User]:
    session = get_database(live_server.app).sessionmaker()
    try:
        users = session.scalars(sa.select(User).options(selectinload(User.groups))).all()
        return {user.email: user for user in users}
    finally:
        session.close()


def group_names(live_server) -> set[tuple[str, str]]:
    session = get_database(live_server.app).sessionmaker()
    try:
        return {(g.kind, g.name) for g in session.scalars(sa.select(Group))}
    finally:
        session.close()


def test_bad_csv_imports_nothing_and_corrected_csv_imports_everyone(page, live_server):
    log_in(page, live_server, live_server.admin)
    before = people_by_email(live_server)
    assert set(before) == {live_server.admin.email, live_server.employee.email}

    upload(page, live_server, BAD_CSV)
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name="Nothing was imported")).to_be_visible()
    expect(summary).to_contain_text("6 rows have problems.")
    expect(page.get_by_role("button", name="Import now")).to_have_count(0)

    rows = page.locator("table.problems tbody tr")
    expect(rows).to_have_count(len(PROBLEMS))
    for line, address, message in PROBLEMS:
        row = rows.filter(has=page.locator('td[data-label="Line"]', has_text=re.compile(
            rf"^\s*{line}\s*$")))
        expect(row).to_have_count(1)
        expect(row.locator('td[data-label="Email"]')).to_have_text(address)
        expect(row.locator("li")).to_have_text([message])

    # Nothing from the file reached the database, not even the fine rows or their groups.
    after = people_by_email(live_server)
    assert set(after) == set(before)
    assert not FILE_ADDRESSES & set(after)
    assert group_names(live_server) == set()

    upload(page, live_server, GOOD_CSV)
    expect(page.locator(".summary.ok")).to_contain_text(
        "Every row is fine: 7 new, 1 to update, 0 unchanged.")
    expect(page.locator(".summary.ok")).to_contain_text(
        "These groups will be created:")
    page.get_by_role("button", name="Import now").click()

    expect(page).to_have_url(path_pattern(live_server, "/admin/people"))
    expect(page.get_by_role("status")).to_have_text(
        "Import finished: 7 added, 1 updated, 0 unchanged.")
    expect(page.get_by_role("link", name="Anna Müller")).to_be_visible()

    people = people_by_email(live_server)
    expected = {  # email: (name, tier, roles, groups)
        "jonas.weber@example.com": ("Jonas Weber", 2, {"employee"},
                                    {("department", "Vertrieb"), ("custom", "Speakers")}),
        "kein.mail@example.com": ("Kein Mail", 3, {"employee"}, set()),
        "tara.seven@example.com": ("Tara Seven", 1, {"employee"}, set()),
        "rolf.role@example.com": ("Rolf Role", 3, {"employee", "comms"}, set()),
        "dana.double@example.com": ("Dana Double", 3, {"employee"}, set()),
        "nameless@example.com": ("Nora Named", 3, {"employee"}, set()),
        "müller.anna@example.com": ("Anna Müller", 2, {"employee", "comms"},
                                    {("department", "Marketing")}),
    }
    for email, (name, tier, roles, groups) in expected.items():
        user = people[email]
        assert (user.name, user.tier_id, set(user.roles)) == (name, tier, roles), email
        assert {(g.kind, g.name) for g in user.groups} == groups, email
        assert user.language == "de" and user.is_active and user.password_hash is None, email
    assert len(people) == 2 + len(expected)

    erin = people[live_server.employee.email]
    assert (erin.name, erin.tier_id) == (live_server.employee.name, 3)
    assert {(g.kind, g.name) for g in erin.groups} == {("department", "Vertrieb")}
    assert group_names(live_server) == {("department", "Vertrieb"), ("department", "Marketing"),
                                        ("custom", "Speakers")}
