"""Keeping the programme alive, in Chromium on a phone: suggesting a link (its preview read
from a real page server on loopback) and communications making a draft of it; registering
a newsroom feed and reading it with "Check now"; a running challenge's progress bars;
redeeming a reward after confirming; passing a training quiz."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from advocacy.admin.services import get_settings, save_settings
from advocacy.challenges.models import Challenge
from advocacy.db import session_scope, utcnow
from advocacy.engagement.services import award, local_date
from advocacy.reports.models import ActivityRollup
from advocacy.rewards.models import Redemption, Reward
from advocacy.training.services import ModuleData, save_module
from tests import factories
from tests.browser.conftest import Person
from tests.browser.helpers import log_in, nav_link
from tests.browser.test_layout import PHONE, horizontal_overflow
from tests.unit.test_preview import serve
from tests.web.test_feeds import Document, FeedServer, rss

pytestmark = pytest.mark.browser


@pytest.fixture
def live_config():
    return {"ALLOW_INSECURE_PROVIDERS": True, "PROVIDER_TIMEOUT": 2}


@pytest.fixture
def comms(live_server) -> Person:
    with live_server.app.app_context(), session_scope(live_server.app) as session:
        user = factories.make_user(session, email="cleo.comms@example.org", name="Cleo Comms",
                                   roles={"comms", "employee"}, language="en", tier_id=2)
        return Person(id=user.id, email=user.email, name=user.name)


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


def test_an_employee_suggests_a_link_and_communications_makes_a_draft(new_page, live_server,
                                                                      comms):
    with serve() as pages:
        page = new_page(**PHONE)
        log_in(page, live_server, live_server.employee)
        nav_link(page, "Suggest").click()
        page.get_by_label("Link").fill(f"{pages}/page")
        page.get_by_label("Note for communications (optional)").fill("For the energy team")
        page.get_by_role("button", name="Suggest", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("Thank you!")
        mine = page.locator(".suggestion-list li").first
        expect(mine.get_by_role("heading")).to_have_text("Wind power & storage")
        expect(mine).to_contain_text("Waiting for communications")
        assert horizontal_overflow(page) <= 0

    desk = new_page(**PHONE)
    log_in(desk, live_server, comms)
    desk.goto(f"{live_server.url}/suggestions/inbox")
    card = desk.locator("section.card", has_text="Wind power & storage")
    expect(card).to_contain_text("Suggested by Erin Employee")
    expect(card).to_contain_text("For the energy team")
    assert horizontal_overflow(desk) <= 0
    card.get_by_role("button", name="Make a draft item").click()
    expect(desk.get_by_label("Title", exact=True)).to_have_value("Wind power & storage")
    expect(desk.get_by_label("Link", exact=True)).to_have_value(f"{pages}/page")


def test_communications_registers_a_feed_and_reads_it_now(new_page, live_server, comms,
                                                          feeds):
    feeds.documents["/news.xml"] = Document(rss(
        ("https://news.example.com/plant", "The plant opens", utcnow() - dt.timedelta(hours=1))))
    page = new_page(**PHONE)
    log_in(page, live_server, comms)
    page.goto(f"{live_server.url}/content/")
    page.get_by_role("link", name="Newsroom feeds").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Newsroom feeds")
    page.get_by_label("Name").fill("Press releases")
    page.get_by_label("Feed address").fill(f"{feeds.base}/news.xml")
    page.get_by_label("Language of the entries").select_option("en")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Feed registered.")
    expect(page.get_by_text("Not checked yet")).to_be_visible()
    page.get_by_role("button", name="Check now").click()
    expect(page.get_by_role("status")).to_contain_text("1 new draft.")
    entry = page.get_by_role("link", name="The plant opens")
    expect(entry).to_be_visible()
    assert horizontal_overflow(page) <= 0
    entry.click()
    expect(page.get_by_label("Link", exact=True)).to_have_value("https://news.example.com/plant")


def test_a_running_challenge_shows_progress_on_a_phone(new_page, live_server):
    app = live_server.app
    with app.app_context(), session_scope(app) as session:
        today = local_date(utcnow(), app.config["TIMEZONE"])
        rival = factories.make_user(session, name="Rita Rival", language="en")
        rival.leaderboard_opt_in = True
        session.add(Challenge(title="Energy week", starts_on=today - dt.timedelta(days=1),
                              ends_on=today + dt.timedelta(days=5), minimum=3))
        for person, shares in ((rival.id, 4), (live_server.employee.id, 2)):
            session.add(ActivityRollup(grain="day", start=today, person_id=person,
                                       network="linkedin", shares=shares))
    page = new_page(**PHONE)
    log_in(page, live_server, live_server.employee)
    nav_link(page, "Leaderboard").click()
    page.get_by_role("link", name="Challenges").click()
    card = page.locator("section.challenge", has_text="Energy week")
    rows = card.locator(".challenge-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Rita Rival")
    expect(rows.nth(1)).to_contain_text("You")
    expect(rows.nth(1).locator("meter")).to_have_attribute("value", "2.0")
    expect(rows.nth(1).locator("meter")).to_have_attribute("max", "4.0")
    assert horizontal_overflow(page) <= 0


def test_redeeming_a_reward_asks_first(new_page, live_server):
    app = live_server.app
    with app.app_context(), session_scope(app) as session:
        save_settings(session, {"rewards_enabled": True})
        session.add(Reward(name="Coffee voucher", price=30, stock=5))
        award(session, live_server.employee.id, "challenge", "challenge", 1,
              get_settings(session), utcnow(), app.config["TIMEZONE"], bonus=50)
    page = new_page(**PHONE)
    log_in(page, live_server, live_server.employee)
    page.goto(f"{live_server.url}/points")
    page.get_by_role("link", name="Rewards").click()
    page.once("dialog", lambda dialog: dialog.dismiss())  # "No": nothing happens
    page.get_by_role("button", name="Redeem").click()
    expect(page.get_by_text("Points to spend")).to_be_visible()
    with app.app_context(), session_scope(app) as session:
        assert session.scalar(sa.select(sa.func.count(Redemption.id))) == 0
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Redeem").click()
    expect(page.get_by_role("status")).to_contain_text("“Coffee voucher” for 30 points")
    expect(page.locator(".stat").first).to_contain_text("20")
    assert horizontal_overflow(page) <= 0


def test_passing_a_training_quiz_on_a_phone(new_page, live_server):
    app = live_server.app
    with app.app_context(), session_scope(app) as session:
        save_module(session, None, None, ModuleData(
            title="Social media licence", published=True, body_html="<p>Disclose.</p>",
            quiz="Who may see a public post?\n- Only my contacts\n* Anyone\n\n"
                 "What goes with a share about us?\n* The disclosure line\n- Nothing"))
    page = new_page(**PHONE)
    log_in(page, live_server, live_server.employee)
    nav_link(page, "Training").click()
    page.get_by_role("link", name="Social media licence").click()
    page.get_by_label("Anyone").check()
    page.get_by_label("Nothing").check()
    page.get_by_role("button", name="Check my answers").click()
    expect(page.get_by_role("alert")).to_contain_text("1 of 2 answers are right")
    assert horizontal_overflow(page) <= 0
    page.get_by_label("Anyone").check()
    page.get_by_label("The disclosure line").check()
    page.get_by_role("button", name="Check my answers").click()
    expect(page.get_by_role("status")).to_contain_text("Passed!")
    expect(page.get_by_text("You completed this module on")).to_be_visible()
