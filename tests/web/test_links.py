"""Password reset and invitation links, delivered by a real SMTP server on loopback."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from advocacy.auth.models import AuthToken
from advocacy.db import utcnow


@pytest.fixture
def config_overrides(smtp_config):
    return smtp_config


def _reset(client, email):
    return client.post_form("/password/forgot", {"email": email})


class TestPasswordReset:
    def test_full_flow(self, client, make_user, mailbox):
        user = make_user(name="Rita Reset")
        response = _reset(client, user.email)
        assert response.status_code == 302
        message = mailbox.wait_for(1)[0]
        assert message["To"] == user.email
        assert "Reset your password" in message["Subject"]
        link = mailbox.link_in(message)
        assert link.startswith("/password/reset/")

        page = client.get(link)
        assert page.status_code == 200
        assert user.email.encode() in page.data
        response = client.post_form(link, {"password": "fresh secret words", "confirm":
                                           "fresh secret words"})
        assert response.status_code == 302
        assert client.get("/").status_code == 200  # logged in right away
        client.logout()
        assert client.login(user.email, "fresh secret words").status_code == 302

    def test_same_answer_for_known_and_unknown_addresses(self, client, make_user, mailbox):
        user = make_user()
        unknown = _reset(client, "nobody-here@example.org")
        unknown_page = client.get("/login").get_data(as_text=True)
        known = _reset(client, user.email)
        known_page = client.get("/login").get_data(as_text=True)
        assert known.status_code == unknown.status_code == 302
        assert "If an account exists for nobody-here@example.org" in unknown_page
        assert f"If an account exists for {user.email}" in known_page
        mailbox.wait_for(1)  # the known address's mail; any mail for the other came first
        assert [m["To"] for m in mailbox.messages] == [user.email]

    def test_link_works_only_once(self, client, make_user, mailbox):
        user = make_user()
        _reset(client, user.email)
        link = mailbox.link_in(mailbox.wait_for(1)[0])
        data = {"password": "fresh secret words", "confirm": "fresh secret words"}
        assert client.post_form(link, data).status_code == 302
        client.logout()
        again = client.get(link)
        assert again.status_code == 410
        assert b"no longer valid" in again.data
        assert client.post_form(link, data).status_code == 410

    def test_expired_link_is_refused(self, client, make_user, mailbox, db):
        user = make_user()
        _reset(client, user.email)
        link = mailbox.link_in(mailbox.wait_for(1)[0])
        db.execute(sa.update(AuthToken).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
        db.commit()
        assert client.get(link).status_code == 410

    def test_a_newer_link_replaces_the_older_one(self, client, make_user, mailbox):
        user = make_user()
        _reset(client, user.email)
        _reset(client, user.email)
        first, second = (mailbox.link_in(m) for m in mailbox.wait_for(2)[:2])
        assert client.get(first).status_code == 410
        assert client.get(second).status_code == 200

    def test_deactivated_person_gets_no_mail(self, client, make_user, mailbox):
        user = make_user(is_active=False)
        assert _reset(client, user.email).status_code == 302
        other = make_user()  # mailed afterwards, so it shows that nothing came before
        _reset(client, other.email)
        mailbox.wait_for(1)
        assert [m["To"] for m in mailbox.messages] == [other.email]

    def test_mismatched_passwords_are_refused(self, client, make_user, mailbox):
        user = make_user()
        _reset(client, user.email)
        link = mailbox.link_in(mailbox.wait_for(1)[0])
        response = client.post_form(link, {"password": "fresh secret words",
                                           "confirm": "other secret words"})
        assert response.status_code == 400
        assert b"The two passwords differ." in response.data

    def test_unknown_token_is_refused(self, client):
        assert client.get("/password/reset/not-a-token").status_code == 410

    def test_reset_ends_other_sessions(self, app, client, make_user, mailbox):
        user = make_user()
        other_device = app.test_client()
        assert other_device.login(user.email).status_code == 302
        _reset(client, user.email)
        link = mailbox.link_in(mailbox.wait_for(1)[0])
        client.post_form(link, {"password": "fresh secret words", "confirm": "fresh secret words"})
        assert other_device.get("/").status_code == 302

    def test_only_a_hash_of_the_token_is_stored(self, client, make_user, mailbox, db):
        user = make_user()
        _reset(client, user.email)
        token = mailbox.link_in(mailbox.wait_for(1)[0]).rsplit("/", 1)[1]
        stored = db.scalars(sa.select(AuthToken.token_hash)).all()
        assert token not in stored and len(stored) == 1

    def test_mail_is_written_in_the_persons_language(self, client, make_user, mailbox):
        user = make_user(language="de")
        _reset(client, user.email)
        message = mailbox.wait_for(1)[0]
        assert "Passwort" in message["Subject"]
        assert "Hallo" in message.get_body().get_content()


class TestInvitation:
    def test_admin_invites_and_person_sets_password(self, app, client, login_as, mailbox, db):
        login_as("admin", "employee")
        response = client.post_form("/admin/people/new", {
            "name": "Nora Neu", "email": "nora@example.org", "language": "en", "tier_id": "2",
            "roles": ["employee"], "is_active": "y", "send_invitation": "y"})
        assert response.status_code == 302, response.get_data(as_text=True)
        message = mailbox.wait_for(1)[0]
        assert message["To"] == "nora@example.org"
        link = mailbox.link_in(message)
        assert link.startswith("/invitation/")

        newcomer = app.test_client()
        page = newcomer.get(link)
        assert page.status_code == 200 and b"Nora Neu" in page.data
        response = newcomer.post_form(link, {"password": "my own good words",
                                             "confirm": "my own good words"})
        assert response.status_code == 302
        assert newcomer.get("/").status_code == 200
        assert newcomer.get(link).status_code == 410  # used up

    def test_invitation_link_cannot_reset_and_reset_link_cannot_invite(self, client, make_user,
                                                                        mailbox):
        user = make_user()
        _reset(client, user.email)
        token = mailbox.link_in(mailbox.wait_for(1)[0]).rsplit("/", 1)[1]
        assert client.get(f"/invitation/{token}").status_code == 410

    def test_resend_from_the_person_page(self, client, login_as, make_user, mailbox):
        login_as("admin")
        invitee = make_user(password=None)
        response = client.post_form(f"/admin/people/{invitee.id}/invite")
        assert response.status_code == 302
        assert mailbox.wait_for(1)[0]["To"] == invitee.email

    def test_no_mail_when_the_transaction_fails(self, client, login_as, make_user, mailbox):
        login_as("admin")
        existing = make_user()
        response = client.post_form("/admin/people/new", {
            "name": "Dup", "email": existing.email, "language": "en", "tier_id": "3",
            "roles": ["employee"], "is_active": "y", "send_invitation": "y"})
        assert response.status_code == 400
        assert b"exists already" in response.data
        # A later, successful invitation arrives alone: nothing was queued by the failure.
        client.post_form(f"/admin/people/{existing.id}/invite")
        mailbox.wait_for(1)
        assert [m["To"] for m in mailbox.messages] == [existing.email]
