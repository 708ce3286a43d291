"""Security headers, trusted proxies, cacheable static files, request limits, the audit log."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from advocacy.core.models import AuditEvent
from advocacy.db import get_database
from advocacy.sharing.models import Click
from tests import factories
from tests.web.test_tracking import BROWSER, share, visit  # noqa: F401 - the share fixture

LIMITS = {"REDIRECT_LIMIT_PER_MINUTE": 3, "LOGIN_LIMIT_PER_MINUTE": 2}


def click_count(db) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(Click))


class TestHeaders:
    def test_policy_forbids_inline_code_framing_and_foreign_sources(self, client):
        headers = client.get("/login").headers
        policy = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "default-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "object-src 'none'" in policy
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"

    def test_hsts_only_over_https(self, client):
        assert "Strict-Transport-Security" not in client.get("/login").headers
        secure = client.get("/login", base_url="https://localhost")
        assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"

    @pytest.mark.parametrize("config_overrides", [{"HSTS_SECONDS": 0}], indirect=True)
    def test_hsts_can_be_switched_off(self, client):
        secure = client.get("/login", base_url="https://localhost")
        assert "Strict-Transport-Security" not in secure.headers

    def test_templates_carry_no_inline_script_or_style(self, app):
        """What the policy would block must not be in the templates in the first place."""
        folder = app.jinja_loader.searchpath[0]  # type: ignore[union-attr]
        from pathlib import Path

        offenders = []
        for path in Path(folder).rglob("*.html"):
            # Jinja expressions aside: a macro argument named style is not an attribute.
            text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", path.read_text("utf-8"), flags=re.S)
            if re.search(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\s(?:style|on[a-z]+)=[\"']",
                         text):
                offenders.append(path.name)
        assert offenders == []


class TestProxies:
    @pytest.mark.parametrize("config_overrides", [{"PROXY_HOPS": 1}], indirect=True)
    def test_a_forwarded_prefix_or_port_is_never_believed(self, client):
        response = client.get("/profile", headers={"X-Forwarded-Prefix": "//evil.example",
                                                   "X-Forwarded-Port": "4444"})
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")

    def test_forwarded_headers_are_ignored_without_trusted_hops(self, client):
        response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
        assert "Strict-Transport-Security" not in response.headers

    @pytest.mark.parametrize("config_overrides", [{"PROXY_HOPS": 1}], indirect=True)
    def test_one_trusted_hop_gives_scheme_and_client_address(self, client, db, share):  # noqa: F811
        response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
        assert "Strict-Transport-Security" in response.headers
        # The tracked-link layer sits in front of Flask and must see the client too: two
        # visitors behind the same proxy are two visitors, not one.
        for client_address in ("198.51.100.1", "198.51.100.2"):
            client.get(f"/r/{share.code}", headers={
                "User-Agent": BROWSER, "X-Forwarded-For": client_address},
                environ_base={"REMOTE_ADDR": "10.0.0.5"})
        db.expire_all()
        hashes = db.scalars(sa.select(Click.visitor_hash)).all()
        assert len(hashes) == 2 and hashes[0] != hashes[1]


class TestStaticFiles:
    def test_pages_link_versioned_assets_that_may_be_cached_for_a_year(self, client):
        page = client.get("/login").get_data(as_text=True)
        url = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', page)
        assert url, "the stylesheet link carries a content hash"
        response = client.get(url.group(1))
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"

    def test_unversioned_or_stale_urls_are_revalidated(self, client):
        for path in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
            assert client.get(path).headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("config_overrides", [LIMITS], indirect=True)
class TestRequestLimits:
    def test_redirects_over_the_limit_get_429_and_record_nothing(self, client, db, share):  # noqa: F811
        assert [visit(client, share).status_code for _ in range(3)] == [302] * 3
        recorded = click_count(db)
        response = visit(client, share)
        assert response.status_code == 429
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        assert click_count(db) == recorded
        # Someone else is not held back by that address.
        assert visit(client, share, address="203.0.113.99").status_code == 302

    def test_scanning_unknown_codes_counts_too(self, client):
        statuses = [client.get(f"/r/nothere{n}").status_code for n in range(4)]
        assert statuses == [404, 404, 404, 429]

    def test_logins_over_the_limit_are_refused_even_with_the_right_password(
            self, client, make_user):
        user = make_user()
        for _ in range(2):
            client.post_form("/login", {"email": user.email, "password": "wrong password"})
        response = client.post_form("/login", {"email": user.email,
                                               "password": factories.PASSWORD})
        assert response.status_code == 429
        assert b"Too many login attempts" in response.data
        assert "Retry-After" in response.headers


class TestAuditLog:
    def test_admin_changes_are_recorded_and_listed(self, client, login_as, make_user, db):
        admin = login_as("admin")
        person = make_user(name="Bea Beispiel")
        old_email = person.email
        response = client.post_form(f"/admin/people/{person.id}", {
            "email": "bea.b@example.org", "name": "Bea B.", "language": "de", "tier_id": "2",
            "roles": ["employee", "comms"], "is_active": "y"})
        assert response.status_code == 302
        response = client.post_form("/admin/settings", {
            "programme_name": "Stimmen der Firma", "company_name": "Beispiel GmbH",
            "disclosure_line_de": "Ich arbeite bei {company}.",
            "disclosure_line_en": "I work at {company}.", "utm_medium": "advocacy",
            "leaderboard_others": "hidden", "stagger_minutes": "0"})
        assert response.status_code == 302
        db.expire_all()
        events = {e.action: e for e in db.scalars(sa.select(AuditEvent))}
        assert events["person.updated"].actor_id == admin.id
        detail = events["person.updated"].detail
        assert detail.startswith("bea.b@example.org: name changed; email changed; ")
        assert "roles: employee → comms, employee" in detail and "tier: 3 → 2" in detail
        # Old names and addresses do not stay behind in the log (erasure replaces the
        # current address only).
        assert old_email not in detail and "Bea Beispiel" not in detail
        assert events["settings.updated"].actor_id == admin.id
        changes = json.loads(events["settings.updated"].detail)["changes"]
        assert [new for key, _old, new in changes if key == "programme_name"] == [
            "Stimmen der Firma"]

        page = client.get("/admin/audit").get_data(as_text=True)
        assert "changed a person" in page and "bea.b@example.org" in page
        assert "Programme name: " in page and " → Stimmen der Firma" in page
        only_people = client.get("/admin/audit?kind=person").get_data(as_text=True)
        assert "changed a person" in only_people
        assert "changed settings" not in only_people

    def test_an_unchanged_save_records_nothing(self, client, login_as, make_user, db):
        login_as("admin")
        person = make_user(name="Cem Chef")
        response = client.post_form(f"/admin/people/{person.id}", {
            "email": person.email, "name": person.name, "language": person.language,
            "tier_id": str(person.tier_id), "roles": sorted(person.roles), "is_active": "y"})
        assert response.status_code == 302  # saved, and nothing to record
        assert db.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0

    def test_a_tier_saved_twice_is_recorded_once(self, client, login_as, db):
        login_as("admin")
        for _ in range(2):
            response = client.post_form("/admin/tiers/2", {"name": "Fachleute",
                                                           "description": ""})
            assert response.status_code == 302
        details = db.scalars(sa.select(AuditEvent.detail)
                             .where(AuditEvent.action == "tier.updated")).all()
        assert [json.loads(detail) for detail in details] == [
            {"subject": "tier 2", "changes": [["name", None, "Fachleute"]]}]
        assert "tier 2: Name: – → Fachleute" in client.get("/admin/audit").get_data(
            as_text=True)

    def test_only_admins_see_the_audit_log(self, client, login_as):
        login_as("hr", "comms")
        assert client.get("/admin/audit").status_code == 403


def test_error_page_while_the_database_is_down(tmp_path):
    """The usual error page needs the database (language, programme name); without it
    visitors still get a page of ours in both languages, not the server's bare 500."""
    from advocacy import create_app
    from tests.conftest import TEST_TOKEN_KEY

    app = create_app({"SECRET_KEY": "s" * 32, "TOKEN_KEYS": TEST_TOKEN_KEY,
                      "LOG_LEVEL": "CRITICAL",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'gone' / 'db.sqlite'}"})
    response = app.test_client().get("/login", base_url="https://localhost")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Bei uns ist etwas schiefgelaufen" in page and "Something went wrong" in page
    get_database(app).engine.dispose()
