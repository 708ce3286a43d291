"""Health check, settings, language, layout and the programme overview."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from advocacy import create_app
from tests.conftest import base_config

ROOT = Path(__file__).resolve().parents[2]


class TestHealth:
    def test_healthy(self, client):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json == {"status": "ok", "database": "ok"}

    def test_unreachable_database_answers_503(self, tmp_path):
        # A SQLite path inside a missing directory cannot be opened.
        app = create_app(base_config(f"sqlite:///{tmp_path}/missing/dir/db.sqlite"))
        response = app.test_client().get("/healthz")
        assert response.status_code == 503
        assert response.json["status"] == "error"
        assert response.json["database"] == "OperationalError"

    def test_unreachable_postgres_answers_503(self):
        app = create_app(base_config("postgresql://nobody@127.0.0.1:1/none"))
        response = app.test_client().get("/healthz")
        assert response.status_code == 503
        assert response.json["status"] == "error"


class TestSettings:
    def test_admin_changes_programme_settings(self, client, login_as, db):
        login_as("admin")
        response = client.post_form("/admin/settings", {
            "programme_name": "Stimmen der Firma", "company_name": "Muster AG",
            "legal_notice_url": "https://muster.example/impressum", "privacy_notice_url": "",
            "disclosure_line_de": "Ich arbeite bei {company}.",
            "disclosure_line_en": "I work at {company}.", "four_eyes": "y",
            "utm_medium": "advocacy", "leaderboard_others": "hidden", "stagger_minutes": "0"})
        assert response.status_code == 302
        page = client.get("/").get_data(as_text=True)
        assert "Stimmen der Firma" in page
        assert "Muster AG" in page
        assert 'href="https://muster.example/impressum"' in page
        from advocacy.admin.services import get_settings

        settings = get_settings(db)
        assert (settings.utm_medium, settings.leaderboard_others) == ("advocacy", "hidden")
        assert settings.four_eyes is True

    @pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.example", "www.example.com"])
    def test_links_must_be_web_addresses(self, client, login_as, url):
        login_as("admin")
        response = client.post_form("/admin/settings", {
            "programme_name": "P", "company_name": "C", "legal_notice_url": url,
            "disclosure_line_de": "x", "disclosure_line_en": "y", "utm_medium": "m",
            "leaderboard_others": "anonymous", "stagger_minutes": "0"})
        assert response.status_code == 400
        assert b"Enter a full web address" in response.data

    def test_required_fields(self, client, login_as):
        login_as("admin")
        response = client.post_form("/admin/settings", {"programme_name": ""})
        assert response.status_code == 400
        assert response.get_data(as_text=True).count("This field is required.") >= 3

    def test_disclosure_line_fills_in_the_company(self, db):
        from advocacy.admin.services import get_settings, save_settings

        save_settings(db, {"company_name": "Muster AG"})
        settings = get_settings(db)
        assert settings.disclosure_line("de") == "Ich arbeite bei Muster AG. #Mitarbeiter"
        assert settings.disclosure_line("en") == "I work at Muster AG. #employee"

    def test_saving_a_default_stores_nothing(self, db):
        from advocacy.admin.models import Setting
        from advocacy.admin.services import save_settings

        save_settings(db, {"disclosure_line_en": "I work at {company}. #employee"})
        assert db.get(Setting, "disclosure_line_en") is None


class TestLanguage:
    def test_anonymous_switch_follows_the_session(self, client):
        assert b"Log in" in client.get("/login").data
        client.post_form("/language", {"language": "de", "next": "/login"})
        assert b"Anmelden" in client.get("/login").data

    def test_browser_language_is_the_default(self, app):
        anonymous = app.test_client()
        page = anonymous.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"})
        assert b"Anmelden" in page.data

    def test_logged_in_switch_is_saved_on_the_person(self, client, login_as, db):
        user = login_as("employee", language="en")
        response = client.post_form("/language", {"language": "de", "next": "/profile"})
        assert response.headers["Location"] == "/profile"
        db.refresh(user)
        assert user.language == "de"

    def test_switch_never_redirects_off_site(self, client):
        response = client.post_form("/language", {"language": "de",
                                                  "next": "https://evil.example/"})
        assert response.headers["Location"] == "/"


def test_security_headers(client):
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_pages_load_no_third_party_assets(client, login_as):
    login_as("admin", "hr")
    for url in ("/login", "/", "/admin/people", "/reports/", "/admin/settings"):
        page = client.get(url).get_data(as_text=True)
        for ref in re.findall(r'(?:src|href)="([^"]+)"', page):
            assert not ref.startswith(("http://", "https://", "//")) or "example" in ref, ref


def test_static_assets_are_served(client):
    for path in ("/static/css/app.css", "/static/js/app.js", "/static/img/logo.svg"):
        assert client.get(path).status_code == 200


def test_no_ui_text_says_influencer():
    """The programme name is configurable because the word puts people off."""
    sources = [*ROOT.joinpath("templates").rglob("*.*"), *ROOT.joinpath("advocacy").rglob("*.py"),
               *ROOT.joinpath("advocacy").rglob("*.po")]
    offenders = [str(p) for p in sources if "influencer" in p.read_text("utf-8").lower()]
    assert offenders == []


class TestNavigation:
    @pytest.mark.parametrize(("roles", "visible", "hidden"), [
        ({"employee"}, [], ["/admin/people", "/reports/", "/admin/settings"]),
        ({"hr", "employee"}, ["/reports/"], ["/admin/people", "/admin/settings"]),
        ({"comms", "employee"}, ["/reports/"], ["/admin/people"]),
        ({"admin", "employee"}, ["/admin/people", "/reports/", "/admin/settings",
                                 "/admin/groups", "/admin/tiers"], []),
    ])
    def test_navigation_per_role(self, client, login_as, roles, visible, hidden):
        login_as(*roles)
        nav = client.get("/").get_data(as_text=True).split('class="main-nav"')[1].split("</nav>")[0]
        for link in visible:
            assert f'href="{link}"' in nav
        for link in hidden:
            assert f'href="{link}"' not in nav


class TestOverview:
    def test_counts_by_tier_and_group(self, client, login_as, make_user, db):
        from tests import factories

        login_as("hr")  # without the employee role: not enrolled
        team = factories.make_group(db, name="Overview team")
        db.commit()
        make_user(tier_id=1, groups=[team])
        make_user(tier_id=1, groups=[team], is_active=False)
        page = client.get("/reports/").get_data(as_text=True)
        assert "1 person is enrolled" in page
        row = page.split("Overview team")[1].split("</tr>")[0]
        assert '<td class="num">1</td>' in row

    def test_query_count_is_constant(self, client, login_as, make_user, count_queries):
        login_as("hr")

        def queries() -> int:
            with count_queries() as counter:
                client.get("/reports/")
            return counter.count

        make_user()
        before = queries()
        for _ in range(10):
            make_user()
        assert queries() == before


@pytest.mark.parametrize(("url", "current"), [
    ("/admin/people", "/admin/people"), ("/admin/people/import", "/admin/people"),
    ("/admin/groups", "/admin/groups"), ("/admin/tiers/2", "/admin/tiers"), ("/", "/"),
])
def test_navigation_marks_exactly_the_current_section(client, login_as, url, current):
    login_as("admin", "employee")
    page = client.get(url).get_data(as_text=True)
    marked = re.findall(r'<a href="([^"]+)" aria-current="page">', page)
    assert marked == [current]
