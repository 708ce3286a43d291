"""The personal-brand worksheet: validation, history, privacy by role, the Social-CEO steps,
taking it along, points, and how it ranks the feed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from advocacy.admin.services import save_settings
from advocacy.brand.models import BrandTerm, Worksheet, WorksheetVersion
from advocacy.content.services import topics_by_name
from advocacy.core.models import AuditEvent
from advocacy.db import utcnow
from advocacy.engagement.models import PointEntry
from tests import factories

PAIR_ROWS = 6


def form(**overrides) -> dict:
    """Every worksheet field as the browser sends it, all seven blocks answered."""
    data = {
        "topics_now": "Cloud platforms and how teams adopt them",
        "strengths": "Twelve years of operations", "career": "Lead an architecture team",
        "perception": "Practical, calm", "personal": "Running, my allotment",
        "other_topics": "Sustainability, Open source", "interests": "Gardening",
        "audience_now": "Colleagues and partners", "audience_next": "CIOs in logistics",
        "content_types": ["opinion", "engaging"], "sources": ["studies"],
        "websites": "https://example.com/blog\nhttp://example.org",
        "educate": "40", "inform": "30", "inspire": "20", "entertain": "10",
        "style": "Short, with one diagram", "goals": ["expert", "growth"],
        "daily_minutes": "15", "posts_per_week": "2", "minutes_per_post": "20",
    }
    for row in range(PAIR_ROWS):
        data[f"pairs-{row}-topic"] = ""
        data[f"pairs-{row}-hashtags"] = ""
    data["pairs-0-topic"], data["pairs-0-hashtags"] = "Cloud", "#Cloud"
    data["pairs-1-topic"], data["pairs-1-hashtags"] = "AI", "ai, ##KI #ki"
    data.update(overrides)
    return data


def sheet_of(db, user) -> Worksheet | None:
    db.expire_all()
    return db.get(Worksheet, user.id)


def points(db, user, reason="worksheet") -> list[int]:
    return list(db.scalars(sa.select(PointEntry.points).where(
        PointEntry.user_id == user.id, PointEntry.reason == reason)))


@pytest.fixture
def employee(login_as):
    return login_as("employee", name="Erin Employee")


# -- validation --------------------------------------------------------------------------------

def test_saving_stores_every_block_with_hashtags_normalised(client, employee, db):
    response = client.post_form("/brand/", form())
    assert response.status_code == 302
    data = sheet_of(db, employee).data
    assert data["pairs"] == [{"topic": "Cloud", "hashtags": "#Cloud"},
                             {"topic": "AI", "hashtags": "#ai #KI"}]
    assert data["intention"] == {"educate": 40, "inform": 30, "inspire": 20, "entertain": 10}
    assert data["websites"] == ["https://example.com/blog", "http://example.org"]
    assert (data["goals"], data["posts_per_week"]) == (["expert", "growth"], 2)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"entertain": "0"}, "The four parts add up to 90 %; they must add up to 100 %."),
    ({"educate": "101"}, "Number must be between 0 and 100."),
    ({"pairs-2-hashtags": "#Cloud"}, "Name the topic these hashtags belong to."),
    ({"pairs-2-topic": "x" * 61}, "Field cannot be longer than 60 characters."),
    ({"strengths": "x" * 1001}, "Field cannot be longer than 1000 characters."),
    ({"websites": "https://example.com\nexample.org"},
     "Line 2 is not a web address. Write one address per line, starting with https://."),
    ({"posts_per_week": "51"}, "Number must be between 0 and 50."),
    ({"goals": ["fame"]}, "is not a valid choice"),
])
def test_bad_answers_are_refused_with_a_reason_and_nothing_is_saved(client, employee, db,
                                                                      overrides, message):
    response = client.post_form("/brand/", form(**overrides))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page.replace("&#39;", "'")
    assert "Nothing was saved." in page
    assert 'value="Cloud"' in page  # what was typed is still there
    assert sheet_of(db, employee) is None


def test_a_draft_may_leave_blocks_open(client, employee, db):
    response = client.post_form("/brand/", form(
        educate="", inform="", inspire="", entertain="", goals=[], daily_minutes="",
        posts_per_week="", minutes_per_post=""))
    assert response.status_code == 302
    sheet = sheet_of(db, employee)
    assert "intention" not in sheet.data and sheet.completed_at is None
    page = client.get("/brand/").get_data(as_text=True)
    assert "5 of 7 blocks filled in." in page


# -- history -----------------------------------------------------------------------------------

def test_each_change_is_a_version_that_can_be_viewed_and_compared(client, employee, db):
    client.post_form("/brand/", form())
    client.post_form("/brand/", form())  # nothing changed: no new version
    client.post_form("/brand/", form(style="Long reads", goals=["expert"]))
    assert [v.number for v in db.scalars(sa.select(WorksheetVersion).where(
        WorksheetVersion.user_id == employee.id))] == [1, 2]

    listing = client.get("/brand/versions").get_data(as_text=True)
    assert "Version 1" in listing and "Version 2" in listing
    assert "Short, with one diagram" in client.get("/brand/versions/1").get_data(as_text=True)
    compared = client.get("/brand/compare?a=1&b=2").get_data(as_text=True)
    assert "Short, with one diagram" in compared and "Long reads" in compared
    assert "Being seen as an expert, Network growth" in compared
    assert "Twelve years of operations" not in compared  # unchanged answers are left out
    assert client.get("/brand/versions/3").status_code == 404


def test_versions_of_someone_else_cannot_be_reached(client, employee, db, make_user, app):
    other = make_user()
    other_client = app.test_client()
    other_client.login(other.email)
    other_client.post_form("/brand/", form(style="Other's secret style"))
    assert client.get("/brand/versions/1").status_code == 404
    assert client.get("/brand/compare?a=1&b=1").status_code == 404


# -- privacy -----------------------------------------------------------------------------------

@pytest.fixture
def coach(make_user):
    return make_user(roles={"comms", "employee"}, name="Cora Coach")


def test_sharing_with_a_coach_lets_only_that_coach_read(client, employee, db, coach,
                                                        make_user, app):
    client.post_form("/brand/", form(personal="Only for my coach"))
    response = client.post_form("/brand/share", {"coach_id": str(coach.id)},
                                follow_redirects=True)
    assert "Cora Coach can now read your worksheet (not change it)." in response.get_data(
        as_text=True)
    url = f"/brand/coaching/{employee.id}"

    readers = {
        "coach": (coach, 200),
        "other comms": (make_user(roles={"comms", "employee"}), 404),
        "admin": (make_user(roles={"admin", "employee"}), 403),
        "hr": (make_user(roles={"hr", "employee"}), 403),
        "employee": (make_user(), 403),
    }
    for label, (reader, status) in readers.items():
        browser = app.test_client()
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        browser.login(reader.email)
        answer = browser.get(url)
        assert answer.status_code == status, label
        text = answer.get_data(as_text=True)
        assert ("Only for my coach" in text) == (label == "coach"), label
        listed = browser.get("/brand/coaching")
        assert ("Erin Employee" in listed.get_data(as_text=True)) == (label == "coach"), label

    assert client.post_form("/brand/unshare", {}).status_code == 302
    browser = app.test_client()
    browser.login(coach.email)
    assert browser.get(url).status_code == 404
    actions = list(db.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.actor_id == employee.id).order_by(AuditEvent.id)))
    assert actions == ["worksheet.shared", "worksheet.unshared"]


def test_a_coach_who_left_communications_cannot_read_any_more(client, employee, db, coach, app):
    client.post_form("/brand/", form())
    client.post_form("/brand/share", {"coach_id": str(coach.id)})
    coach.set_roles({"employee"})
    db.commit()
    browser = app.test_client()
    browser.login(coach.email)
    assert browser.get(f"/brand/coaching/{employee.id}").status_code == 403


def test_only_communications_can_be_chosen_as_coach(client, employee, db, make_user):
    client.post_form("/brand/", form())
    colleague = make_user(roles={"employee", "hr"})
    response = client.post_form("/brand/share", {"coach_id": str(colleague.id)},
                                follow_redirects=True)
    assert "Choose a coach from communications." in response.get_data(as_text=True)
    assert sheet_of(db, employee).coach_id is None


def test_no_role_reads_a_worksheet_through_another_page(client, employee, db, make_user, app):
    """Reports, people pages and exports never show worksheet answers."""
    client.post_form("/brand/", form(personal="Secret allotment"))
    for roles in ({"admin", "employee"}, {"hr", "employee"}, {"comms", "employee"}):
        browser = app.test_client()
        browser.login(make_user(roles=roles).email)
        for url in ("/reports/", f"/admin/people/{employee.id}", "/brand/print",
                    "/brand/worksheet.md", "/brand/"):
            answer = browser.get(url, follow_redirects=True)
            assert "Secret allotment" not in answer.get_data(as_text=True), (roles, url)


# -- points ------------------------------------------------------------------------------------

def test_completing_once_earns_the_editable_points_never_for_content(client, employee, db):
    save_settings(db, {"points_worksheet": 40})
    db.commit()
    client.post_form("/brand/", form(goals=[]))  # six of seven blocks
    assert points(db, employee) == []
    response = client.post_form("/brand/", form(), follow_redirects=True)
    assert "Your worksheet is complete. Thank you!" in response.get_data(as_text=True)
    assert points(db, employee) == [40]
    client.post_form("/brand/", form(goals=["leads", "visibility", "growth"],
                                     style="Totally different"))
    assert points(db, employee) == [40]


# -- Social CEO --------------------------------------------------------------------------------

def test_tier_one_answers_the_ten_questions_step_by_step(client, login_as, db):
    executive = login_as("employee", tier_id=1)
    assert client.get("/brand/ceo").headers["Location"].endswith("/brand/ceo/1")
    response = client.post_form("/brand/ceo/1", {"answer": "Be visible for our customers",
                                                 "next": "1"})
    assert response.headers["Location"].endswith("/brand/ceo/2")
    client.post_form("/brand/ceo/2", {"answer": "Followers, comments", "next": "1"})
    page = client.get("/brand/ceo/3").get_data(as_text=True)
    assert "2 of 10 answered." in page and "Question 3 of 10" in page
    back = client.post_form("/brand/ceo/3", {"answer": "", "back": "1"})
    assert back.headers["Location"].endswith("/brand/ceo/2")
    assert client.get("/brand/ceo").headers["Location"].endswith("/brand/ceo/3")
    assert sheet_of(db, executive).ceo == {"goal": "Be visible for our customers",
                                           "kpis": "Followers, comments"}
    assert client.post_form("/brand/ceo/1", {"answer": "x" * 2001, "next": "1"}
                            ).status_code == 400


@pytest.mark.parametrize("tier", [2, 3])
def test_other_tiers_do_not_get_the_ceo_questions(client, login_as, tier):
    login_as("employee", tier_id=tier)
    assert client.get("/brand/ceo").status_code == 404
    assert client.get("/brand/ceo/1").status_code == 404
    assert client.post_form("/brand/ceo/1", {"answer": "x", "next": "1"}).status_code == 404
    assert "Social CEO questions" not in client.get("/brand/").get_data(as_text=True)


# -- take it along -----------------------------------------------------------------------------

def test_print_view_and_markdown_export(client, employee, db):
    client.post_form("/brand/", form(personal="# not a heading\nsecond line"))
    printed = client.get("/brand/print").get_data(as_text=True)
    assert "Twelve years of operations" in printed and "Educate 40 %" in printed
    exported = client.get("/brand/worksheet.md")
    assert exported.mimetype == "text/markdown"
    assert "attachment" in exported.headers["Content-Disposition"]
    text = exported.get_data(as_text=True)
    assert text.startswith("# Personal-brand worksheet: Erin Employee\n")
    assert "## Topics and hashtags" in text and "Cloud #Cloud; AI #ai #KI" in text
    assert "\\# not a heading\nsecond line" in text


# -- the feed ----------------------------------------------------------------------------------

def test_matching_items_rank_first_and_say_why(client, employee, db):
    now = utcnow()
    newest = factories.make_item(db, title="Canteen menu", live_from=now - dt.timedelta(hours=1))
    by_topic = factories.make_item(db, title="Cloud migration done",
                                   live_from=now - dt.timedelta(hours=5))
    by_topic.topics = topics_by_name(db, ["cloud"])
    factories.make_item(db, title="Our AI lab", hashtags="#KI #Forschung",
                                     live_from=now - dt.timedelta(hours=9))
    near_miss = factories.make_item(db, title="KIT partnership", hashtags="#KIT #Cloudy",
                                    live_from=now - dt.timedelta(hours=2))
    db.commit()
    before = client.get("/").get_data(as_text=True)
    assert titles(before) == ["Canteen menu", "KIT partnership", "Cloud migration done",
                              "Our AI lab"]
    assert "Fill in your personal-brand worksheet" in before

    client.post_form("/brand/", form())
    page = client.get("/").get_data(as_text=True)
    assert titles(page) == ["Cloud migration done", "Our AI lab", "Canteen menu",
                            "KIT partnership"]
    assert "Shown for you: matches cloud from your worksheet." in page
    assert "Shown for you: matches #KI from your worksheet." in page
    mine = client.get("/?for_you=1").get_data(as_text=True)
    assert titles(mine) == ["Cloud migration done", "Our AI lab"]
    assert {newest.id, near_miss.id}.isdisjoint(
        {int(i) for i in re.findall(r"/share/(\d+)", mine)})
    assert db.scalar(sa.select(sa.func.count()).select_from(BrandTerm).where(
        BrandTerm.user_id == employee.id, BrandTerm.term == "#ki")) == 1


def test_pinned_items_stay_on_top(client, employee, db):
    factories.make_item(db, title="Pinned notice", is_pinned=True)
    cloud = factories.make_item(db, title="Cloud news")
    cloud.topics = topics_by_name(db, ["Cloud"])
    db.commit()
    client.post_form("/brand/", form())
    assert titles(client.get("/").get_data(as_text=True)) == ["Pinned notice", "Cloud news"]


def test_feed_with_a_worksheet_needs_no_more_queries_for_more_items(client, employee, db,
                                                                    count_queries):
    client.post_form("/brand/", form())
    topic = topics_by_name(db, ["Cloud"])

    def queries() -> int:
        with count_queries() as counter:
            assert client.get("/").status_code == 200
        return counter.count

    for _ in range(2):
        factories.make_item(db, topics=list(topic), hashtags="#KI")
    db.commit()
    few = queries()
    for _ in range(25):
        factories.make_item(db, topics=list(topic), hashtags="#KI #Cloud")
    db.commit()
    assert queries() == few


def titles(page: str) -> list[str]:
    return re.findall(r'<h2 class="item-title">([^<]+)</h2>', page)
