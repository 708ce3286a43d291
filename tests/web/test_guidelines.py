"""Social-media guidelines: admins publish versions, employees acknowledge each one."""

from __future__ import annotations

import re

import sqlalchemy as sa

from advocacy.admin.services import get_settings
from advocacy.engagement.models import PointEntry
from advocacy.governance.models import Guideline, GuidelineAck
from advocacy.governance.services import pending_guideline
from tests import factories

CHECKBOX = 'name="acknowledge_guidelines"'


def other_client(app, email: str):
    """A second browser, logged in as someone else."""
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert browser.login(email).status_code == 302
    return browser


def publish(browser, title: str, body_html: str, language: str = "en", **more: str):
    response = browser.post_form("/admin/guidelines", {
        f"title_{language}": title, f"body_html_{language}": body_html, **more})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def versions(db) -> list[tuple[int, str]]:
    db.expire_all()
    return [(g.version, g.texts[0].title) for g in db.scalars(
        sa.select(Guideline).order_by(Guideline.version))]


def ack_entries(db, user) -> list[PointEntry]:
    db.expire_all()
    return list(db.scalars(sa.select(PointEntry).where(
        PointEntry.user_id == user.id, PointEntry.reason == "guidelines_ack")
        .order_by(PointEntry.id)))


class TestPublishing:
    def test_admin_publishes_versions_with_sanitized_bodies(self, client, login_as, db):
        admin = login_as("admin")
        response = publish(client, "  Our guidelines ",
                           '<p onclick="x()">Be <strong>kind</strong>.</p>'
                           "<script>alert(1)</script>"
                           '<a href="javascript:alert(2)">bad</a>')
        assert response.headers["Location"] == "/admin/guidelines"
        page = client.get("/admin/guidelines").get_data(as_text=True)
        assert "Version 1 is published." in page
        publish(client, "Guidelines 2026", "<p>Second edition</p>")

        assert versions(db) == [(1, "Our guidelines"), (2, "Guidelines 2026")]
        first = db.scalar(sa.select(Guideline).where(Guideline.version == 1))
        assert first.text_in("en").body_html == "<p>Be <strong>kind</strong>.</p><a>bad</a>"
        assert first.languages == ["en"]
        assert first.published_by_id == admin.id
        assert first.published_at is not None

    def test_manage_page_lists_versions_and_starts_from_the_newest(self, client, login_as):
        login_as("admin", name="Ada Admin")
        publish(client, "First", "<p>one</p>")
        publish(client, "Second", "<p>two</p>")
        page = client.get("/admin/guidelines").get_data(as_text=True)
        listed = re.findall(r"<li>(Version \d+) · [^<]* · ([^<·]+) · ([A-Z, ]+)</li>", page)
        assert listed == [("Version 2", "Ada Admin", "EN"), ("Version 1", "Ada Admin", "EN")]
        assert 'value="Second"' in page  # the form starts from the newest text

    def test_a_language_needs_title_and_text_and_one_language_is_needed(self, client,
                                                                         login_as, db):
        login_as("admin")
        response = client.post_form("/admin/guidelines", {"title_en": " ", "body_html_en": ""})
        assert response.status_code == 400
        assert "Write the guidelines in at least one language." in response.get_data(
            as_text=True)
        response = client.post_form("/admin/guidelines", {
            "title_de": "Leitfaden", "title_en": "Guidelines", "body_html_en": "<p>x</p>"})
        assert response.status_code == 400
        assert response.get_data(as_text=True).count(
            "Give this language both a title and a text, or leave both empty.") == 1
        assert versions(db) == []

    def test_only_admins_publish(self, client, login_as, db):
        login_as("comms", "employee")
        assert client.get("/admin/guidelines").status_code == 403
        response = client.post_form("/admin/guidelines", {"title_en": "Mine",
                                                          "body_html_en": "x"})
        assert response.status_code == 403
        assert versions(db) == []


class TestReadingAndAcknowledging:
    def test_guidelines_page_shows_the_newest_version(self, app, client, login_as, make_user):
        login_as("admin")
        publish(client, "Old rules", "<p>old text</p>")
        publish(client, "New rules", '<p>new <em>text</em></p><img src="x" onerror="y()">')
        employee = make_user(roles={"employee"})
        page = other_client(app, employee.email).get("/guidelines").get_data(as_text=True)
        assert "New rules" in page and "<p>new <em>text</em></p>" in page
        assert "Old rules" not in page and "old text" not in page
        assert "<img" not in page.split('<div class="rich-text">', 1)[1].split("</div>", 1)[0]
        assert "Version 2, published on" in page
        assert "I have read these guidelines" in page

    def test_no_guidelines_yet(self, client, login_as):
        login_as("employee")
        page = client.get("/guidelines").get_data(as_text=True)
        assert "No guidelines have been published yet." in page
        assert client.post_form("/guidelines/acknowledge").status_code == 404

    def test_employee_acknowledges_once_per_version(self, app, client, login_as, make_user,
                                                    db):
        login_as("admin")
        publish(client, "Version one", "<p>one</p>")
        employee = make_user(roles={"employee"})
        browser = other_client(app, employee.email)
        assert pending_guideline(db, employee).version == 1

        response = browser.post_form("/guidelines/acknowledge")
        assert response.status_code == 302
        assert response.headers["Location"] == "/"
        first = db.scalar(sa.select(Guideline).where(Guideline.version == 1))
        acks = db.scalars(sa.select(GuidelineAck).where(
            GuidelineAck.user_id == employee.id)).all()
        assert [a.guideline_id for a in acks] == [first.id]
        assert acks[0].acknowledged_at is not None
        entries = ack_entries(db, employee)
        assert [(e.points, e.ref_type, e.ref_id) for e in entries] == [
            (get_settings(db).points_guidelines_ack, "guideline", first.id)]
        assert entries[0].points == 10  # the default
        assert pending_guideline(db, employee) is None
        page = browser.get("/guidelines").get_data(as_text=True)
        assert "You confirmed this version on" in page
        assert "I have read these guidelines" not in page

        # again: nothing new
        assert browser.post_form("/guidelines/acknowledge").status_code == 302
        assert len(ack_entries(db, employee)) == 1
        assert db.scalar(sa.select(sa.func.count()).select_from(GuidelineAck)
                         .where(GuidelineAck.user_id == employee.id)) == 1

        # a new version has to be read again, and is worth points again
        publish(client, "Version two", "<p>two</p>")
        db.expire_all()
        assert pending_guideline(db, employee).version == 2
        assert "I have read these guidelines" in browser.get("/guidelines").get_data(
            as_text=True)
        browser.post_form("/guidelines/acknowledge")
        second = db.scalar(sa.select(Guideline).where(Guideline.version == 2))
        assert [e.ref_id for e in ack_entries(db, employee)] == [first.id, second.id]
        assert pending_guideline(db, employee) is None

    def test_acknowledge_needs_the_csrf_token(self, app, client, login_as, make_user, db):
        login_as("admin")
        publish(client, "Rules", "<p>x</p>")
        employee = make_user(roles={"employee"})
        browser = other_client(app, employee.email)
        assert browser.post("/guidelines/acknowledge").status_code == 400
        assert pending_guideline(db, employee) is not None

    def test_people_without_the_employee_role_only_read(self, client, login_as, db):
        login_as("admin")
        publish(client, "Rules", "<p>x</p>")
        page = client.get("/guidelines").get_data(as_text=True)
        assert "Rules" in page and "I have read these guidelines" not in page
        assert client.post_form("/guidelines/acknowledge").status_code == 403
        assert db.scalar(sa.select(sa.func.count()).select_from(GuidelineAck)) == 0


class TestShareSheet:
    def test_checkbox_shows_only_while_a_version_is_pending(self, app, client, login_as,
                                                            make_user, db):
        item = factories.make_item(db, language="en")
        db.commit()
        employee = make_user(roles={"employee"})
        browser = other_client(app, employee.email)

        def sheet() -> str:
            response = browser.get(f"/share/{item.id}")
            assert response.status_code == 200
            return response.get_data(as_text=True)

        assert CHECKBOX not in sheet()  # nothing published yet

        login_as("admin")
        publish(client, "Rules", "<p>x</p>")
        page = sheet()
        assert CHECKBOX in page
        assert "social-media guidelines (version 1)" in page

        browser.post_form("/guidelines/acknowledge")
        assert CHECKBOX not in sheet()

        publish(client, "Rules again", "<p>y</p>")
        page = sheet()
        assert CHECKBOX in page
        assert "social-media guidelines (version 2)" in page

    def test_sharing_while_pending_needs_the_checkbox(self, app, client, login_as, make_user,
                                                      db):
        item = factories.make_item(db, language="en")
        db.commit()
        login_as("admin")
        publish(client, "Rules", "<p>x</p>")
        employee = make_user(roles={"employee"})
        browser = other_client(app, employee.email)
        share = {"network": "x", "text": "Worth a read", "share_text_id": ""}

        response = browser.post_form(f"/share/{item.id}", share)
        assert response.status_code == 400
        assert "Please confirm that you have read the social-media guidelines" in \
            response.get_data(as_text=True)
        assert ack_entries(db, employee) == []

        response = browser.post_form(f"/share/{item.id}", {**share, "acknowledge_guidelines": "y"})
        assert response.status_code == 302
        assert pending_guideline(db, employee) is None
        assert [e.points for e in ack_entries(db, employee)] == [10]
