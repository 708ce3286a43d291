"""Logging in and out, the next parameter, CSRF, throttling, cookies, profile."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from advocacy.auth.models import LoginFailure
from advocacy.db import utcnow
from tests import factories


def test_login_form_labels_in_english(client):
    client.post_form("/language", {"language": "en", "next": "/login"})
    page = client.get("/login").get_data(as_text=True)
    assert ">Email</label>" in page
    assert ">Password</label>" in page
    assert ">Log in</button>" in page


def test_login_success_and_logout(client, make_user):
    user = make_user()
    response = client.login(user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200

    response = client.logout()
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # back to the login page


def test_login_is_case_insensitive_on_email(client, make_user):
    user = make_user(email="Mixed.Case@Example.org".lower())
    assert client.login("MIXED.case@example.ORG").status_code == 302
    assert client.get("/").status_code == 200
    assert user.email == "mixed.case@example.org"


def test_wrong_password_says_so_without_revealing_which_part(client, make_user):
    user = make_user()
    wrong = client.login(user.email, "not the password")
    unknown = client.login("nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 400
    message = b"The e-mail address or password is not correct."
    assert message in wrong.data
    assert message in unknown.data


def test_deactivated_person_cannot_log_in(client, make_user):
    user = make_user(is_active=False)
    response = client.login(user.email)
    assert response.status_code == 400
    assert b"deactivated" in response.data


def test_invited_person_without_password_cannot_log_in(client, make_user):
    user = make_user(password=None)
    assert client.login(user.email, "").status_code == 400
    assert client.login(user.email, "anything at all").status_code == 400


@pytest.mark.parametrize("target", ["/admin/people", "/profile?tab=1"])
def test_next_leads_to_a_local_page(client, make_user, target):
    user = make_user(roles={"admin", "employee"})
    response = client.post_form(f"/login?next={target}",
                                {"email": user.email, "password": factories.PASSWORD})
    assert response.headers["Location"] == target


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)",
    "http:/evil.example", "/\r\nSet-Cookie:x=1", "\\\\evil.example", "/\tevil",
])
def test_next_never_leads_off_site(client, make_user, target):
    user = make_user()
    response = client.post_form("/login", {"email": user.email, "password": factories.PASSWORD},
                                query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_protected_page_sends_anonymous_to_login_with_next(client):
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_post_without_csrf_token_is_refused(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 400
    assert b"expired" in response.data
    assert client.get("/").status_code == 302  # not logged in


def test_logout_needs_csrf_token(client, make_user):
    client.login(make_user().email)
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200  # still logged in


def test_session_cookie_flags(client, make_user):
    response = client.login(make_user().email)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_remember_me_cookie_is_httponly(client, make_user):
    user = make_user()
    response = client.post_form("/login", {"email": user.email, "password": factories.PASSWORD,
                                           "remember": "y"})
    cookie = next(h for h in response.headers.getlist("Set-Cookie")
                  if h.startswith("remember_token="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_config_marks_cookies_secure(database_url):
    from advocacy import create_app
    from tests.conftest import TEST_TOKEN_KEY

    app = create_app({"SECRET_KEY": "s" * 40, "DATABASE_URL": database_url,
                      "TOKEN_KEYS": TEST_TOKEN_KEY})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


class TestThrottling:
    def test_account_is_paused_after_repeated_failures(self, client, make_user, app):
        user = make_user()
        limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        for _ in range(limit):
            assert client.login(user.email, "wrong password!").status_code == 400
        response = client.login(user.email)  # the right password, too late
        assert response.status_code == 429
        assert b"Too many failed attempts" in response.data
        assert b"15 minutes" in response.data

    def test_other_accounts_are_not_paused_by_one_accounts_failures(self, client, make_user, app):
        victim, other = make_user(), make_user()
        for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
            client.login(victim.email, "wrong password!")
        assert client.login(other.email).status_code == 302

    def test_address_is_paused_after_many_accounts_fail(self, client, make_user, app):
        user = make_user()
        for number in range(app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]):
            client.login(f"guess{number}@example.org", "wrong password!")
        assert client.login(user.email).status_code == 429

    def test_failures_leave_the_window(self, client, make_user, app, db):
        user = make_user()
        for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
            client.login(user.email, "wrong password!")
        # Age the recorded failures beyond the window, as time would.
        db.execute(sa.update(LoginFailure).values(created_at=utcnow() - dt.timedelta(hours=1)))
        db.commit()
        assert client.login(user.email).status_code == 302

    def test_success_clears_the_accounts_failures(self, client, make_user, app, db):
        user = make_user()
        for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] - 1):
            client.login(user.email, "wrong password!")
        assert client.login(user.email).status_code == 302
        assert db.scalar(sa.select(sa.func.count()).select_from(LoginFailure)) == 0

    def test_no_address_is_stored_in_clear(self, client, db):
        client.login("someone@example.org", "wrong password!")
        row = db.scalars(sa.select(LoginFailure)).one()
        assert "someone" not in row.account_key and "127.0.0.1" not in row.address_key
        assert len(row.account_key) == len(row.address_key) == 64


class TestProfile:
    def test_change_name_and_language(self, client, login_as, db):
        user = login_as("employee")
        response = client.post_form("/profile", {"name": "New Name", "language": "de"})
        assert response.status_code == 302
        db.refresh(user)
        assert (user.name, user.language) == ("New Name", "de")
        assert b"Dein Profil" not in client.get("/profile").data  # formal German
        assert b"Ihr Profil" in client.get("/profile").data

    def test_empty_name_is_refused(self, client, login_as):
        login_as("employee")
        response = client.post_form("/profile", {"name": "", "language": "en"})
        assert response.status_code == 400
        assert b"This field is required." in response.data

    def test_change_password_ends_other_sessions(self, app, client, login_as):
        user = login_as("employee")
        other_device = app.test_client()
        assert other_device.login(user.email).status_code == 302

        response = client.post_form("/profile/password", {
            "current": factories.PASSWORD, "password": "a brand new secret", "confirm":
            "a brand new secret"})
        assert response.status_code == 302
        assert client.get("/").status_code == 200  # this device stays logged in
        assert other_device.get("/").status_code == 302  # the other one is out
        client.logout()
        assert client.login(user.email, "a brand new secret").status_code == 302

    def test_change_password_needs_the_current_one(self, client, login_as):
        login_as("employee")
        response = client.post_form("/profile/password", {
            "current": "not it", "password": "a brand new secret", "confirm": "a brand new secret"})
        assert response.status_code == 400
        assert b"Your current password is not correct." in response.data

    @pytest.mark.parametrize(("password", "message"), [
        ("short", b"Use at least 10 characters."),
        ("1234567890", b"too easy to guess"),
        ("aaaaaaaaaaaa", b"too easy to guess"),
    ])
    def test_weak_new_password_is_refused(self, client, login_as, password, message):
        login_as("employee")
        response = client.post_form("/profile/password", {
            "current": factories.PASSWORD, "password": password, "confirm": password})
        assert response.status_code == 400
        assert message in response.data


def test_deactivated_person_is_logged_out_at_next_request(client, login_as, db):
    user = login_as("employee")
    assert client.get("/").status_code == 200
    user.is_active = False
    db.commit()
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
