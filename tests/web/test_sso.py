"""Single sign-on against a real OpenID provider (panva's oidc-provider, tests/oidc), through
the app's own routes: the login button, the provider's login form, the callback."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from advocacy.config import ConfigError, load_config
from advocacy.people.models import User
from advocacy.sso.models import SsoGroupGrant, SsoRule
from advocacy.sso.services import RuleData, save_rule
from advocacy.training import services as training
from tests import factories
from tests.oidc.provider import Provider

pytestmark = pytest.mark.slow


@pytest.fixture
def config_overrides(request, oidc_provider: Provider):
    """The provider's settings; a test adds more with indirect parametrization."""
    return oidc_provider.app_config(**getattr(request, "param", {}))


@pytest.fixture
def sub() -> str:
    """A subject of this test's own: the provider is shared by the whole session."""
    return f"sub-{uuid.uuid4().hex[:10]}"


def start(client) -> str:
    """Press the login button; return the provider's address it sends the browser to."""
    response = client.get("/auth/oidc/login?next=/points")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def callback_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def sso_login(client, provider: Provider, sub: str):
    """The whole flow; return the app's answer to the callback."""
    return client.get(callback_path(provider.sign_in(start(client), sub)))


def flashed(client) -> str:
    return client.get("/login").get_data(as_text=True)


def logged_in_as(client) -> str | None:
    page = client.get("/")
    if page.status_code != 200:
        return None
    match = re.search(r'class="account-name"[^>]*>([^<]+)<', page.get_data(as_text=True))
    return match.group(1).strip() if match else None


def test_login_page_shows_the_button_next_to_the_password_form(client):
    page = client.get("/login?next=/points").get_data(as_text=True)
    assert "Log in with Company account" in page
    assert 'href="/auth/oidc/login?next=/points"' in page
    assert 'name="password"' in page


def test_first_sign_in_creates_the_person_with_groups_and_tier_from_rules(
        client, db, oidc_provider, sub):
    sales = factories.make_group(db, name="Sales team")
    speakers = factories.make_group(db, kind="custom", name="Speakers")
    save_rule(db, None, RuleData("groups", "contains", "sales", sales.id, None))
    save_rule(db, None, RuleData("groups", "contains", "board", None, 1))
    save_rule(db, None, RuleData("groups", "contains", "SPEAKERS", speakers.id, 2))
    save_rule(db, None, RuleData("groups", "contains", "marketing", None, 3))  # no match
    db.commit()
    oidc_provider.set_account(sub, email=f"{sub}@Example.org", email_verified=True,
                              name="Nina Neu", locale="en-GB", groups=["Sales", "speakers"])

    response = sso_login(client, oidc_provider, sub)

    assert response.status_code == 302
    assert response.headers["Location"] == "/points"  # where the login button was pressed
    person = db.scalar(sa.select(User).where(User.oidc_subject == sub))
    assert person is not None
    assert (person.email, person.name, person.language) == (f"{sub}@example.org", "Nina Neu",
                                                            "en")
    assert person.roles == {"employee"}
    assert person.oidc_issuer == oidc_provider.issuer
    assert {g.name for g in person.groups} == {"Sales team", "Speakers"}
    assert person.tier_id == 2  # the first matching tier rule ("board" did not match)
    assert person.last_login_at is not None
    assert person.password_hash is None
    assert logged_in_as(client) == "Nina Neu"


def test_a_known_person_is_found_by_verified_e_mail_and_linked(client, db, oidc_provider, sub,
                                                               make_user):
    person = make_user(email=f"{sub}@example.org", name="Kim Known", tier_id=1)
    oidc_provider.set_account(sub, email=f"{sub}@example.org", email_verified=True,
                              name="Somebody Else")

    assert sso_login(client, oidc_provider, sub).status_code == 302

    db.expire_all()
    linked = db.get(User, person.id)
    assert (linked.oidc_issuer, linked.oidc_subject) == (oidc_provider.issuer, sub)
    assert linked.name == "Kim Known" and linked.tier_id == 1  # their own, no rules here
    assert db.scalar(sa.select(sa.func.count()).select_from(User)
                     .where(User.email.like(f"{sub}%"))) == 1
    assert logged_in_as(client) == "Kim Known"


def test_the_subject_still_finds_the_person_after_their_e_mail_changed(
        client, db, oidc_provider, sub, make_user):
    person = make_user(email=f"{sub}@example.org", name="Mara Moved")
    oidc_provider.set_account(sub, email=f"{sub}@example.org", email_verified=True)
    sso_login(client, oidc_provider, sub)
    client.logout()

    oidc_provider.set_account(sub, email=f"{sub}@new.example.org", email_verified=True)
    assert sso_login(client, oidc_provider, sub).status_code == 302

    assert logged_in_as(client) == "Mara Moved"
    db.expire_all()
    assert db.get(User, person.id).email == f"{sub}@new.example.org"  # the provider's word
    assert db.scalar(sa.select(sa.func.count()).select_from(User)
                     .where(User.oidc_subject == sub)) == 1


def test_a_deactivated_person_is_refused_in_the_password_login_words(
        client, db, oidc_provider, sub, make_user):
    make_user(email=f"{sub}@example.org", is_active=False)
    oidc_provider.set_account(sub, email=f"{sub}@example.org", email_verified=True)

    response = sso_login(client, oidc_provider, sub)

    assert response.headers["Location"] == "/login"
    assert "Your account has been deactivated. Please contact your programme administrator." \
        in flashed(client)
    assert logged_in_as(client) is None


def test_an_e_mail_claim_does_not_take_over_an_account_linked_to_another_subject(
        client, db, oidc_provider, sub, make_user):
    owner = make_user(email=f"{sub}@example.org", name="Olga Owner")
    oidc_provider.set_account(sub, email=f"{sub}@example.org", email_verified=True)
    sso_login(client, oidc_provider, sub)
    client.logout()

    intruder = f"{sub}-other"
    oidc_provider.set_account(intruder, email=f"{sub}@EXAMPLE.org", email_verified=True)
    response = sso_login(client, oidc_provider, intruder)

    assert response.headers["Location"] == "/login"
    assert "is linked to a different company account" in flashed(client)
    assert logged_in_as(client) is None
    db.expire_all()
    assert db.get(User, owner.id).oidc_subject == sub


def test_an_unverified_e_mail_neither_links_nor_creates(client, db, oidc_provider, sub,
                                                        make_user):
    person = make_user(email=f"{sub}@example.org")
    oidc_provider.set_account(sub, email=f"{sub}@example.org", email_verified=False)

    assert sso_login(client, oidc_provider, sub).headers["Location"] == "/login"

    assert "did not give us a confirmed e-mail address" in flashed(client)
    db.expire_all()
    assert db.get(User, person.id).oidc_subject is None
    assert logged_in_as(client) is None


@pytest.mark.parametrize("config_overrides", [{"OIDC_CREATE_USERS": False}], indirect=True)
def test_without_just_in_time_accounts_an_unknown_person_is_refused(client, db, oidc_provider,
                                                                    sub):
    oidc_provider.set_account(sub, email=f"{sub}@example.org", email_verified=True)

    assert sso_login(client, oidc_provider, sub).headers["Location"] == "/login"

    assert f"There is no account for {sub}@example.org here yet" in flashed(client)
    assert db.scalar(sa.select(User).where(User.email == f"{sub}@example.org")) is None


def test_an_unknown_or_reused_state_is_refused(client, oidc_provider, sub):
    oidc_provider.set_account(sub, email=f"{sub}@example.org", email_verified=True)
    back = callback_path(oidc_provider.sign_in(start(client), sub))
    query = parse_qs(urlsplit(back).query)

    forged = back.replace(query["state"][0], "not-the-state")
    assert client.get(forged).headers["Location"] == "/login"
    assert "The sign-in took too long or was started in another window" in flashed(client)

    assert client.get(back).status_code == 302  # the real answer still works, once
    assert logged_in_as(client) is not None
    client.logout()
    assert client.get(back).headers["Location"] == "/login"
    assert logged_in_as(client) is None


def test_an_id_token_with_another_nonce_is_refused(client, oidc_provider, sub):
    oidc_provider.set_account(sub, email=f"{sub}@example.org", email_verified=True)
    back = callback_path(oidc_provider.sign_in(start(client), sub))
    with client.session_transaction() as session:  # as if the token was meant for another
        for entry in session["oidc_pending"].values():
            entry["nonce"] = "a-different-nonce"
        session.modified = True

    assert client.get(back).headers["Location"] == "/login"

    assert "The sign-in with your company account did not work" in flashed(client)
    assert logged_in_as(client) is None


def test_a_code_from_another_browser_is_refused(client, app, oidc_provider, sub):
    """Login CSRF: an attacker's callback address in the victim's browser."""
    oidc_provider.set_account(sub, email=f"{sub}@example.org", email_verified=True)
    attacker = app.test_client()
    back = callback_path(oidc_provider.sign_in(start(attacker), sub))
    start(client)  # the victim has a sign-in of their own under way

    assert client.get(back).headers["Location"] == "/login"
    assert logged_in_as(client) is None


def test_a_cancelled_sign_in_says_so(client, oidc_provider):
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    response = client.get(f"/auth/oidc/callback?error=access_denied&state={state}")
    assert response.headers["Location"] == "/login"
    assert "was cancelled or refused there" in flashed(client)


def test_groups_follow_the_rules_and_hand_given_groups_stay(client, db, oidc_provider, sub,
                                                            make_user):
    by_rule = factories.make_group(db, name="By rule")
    by_hand = factories.make_group(db, name="By hand")
    both = factories.make_group(db, name="Both")
    person = make_user(email=f"{sub}@example.org", groups=[by_hand, both])
    save_rule(db, None, RuleData("groups", "contains", "team-a", by_rule.id, None))
    save_rule(db, None, RuleData("groups", "contains", "team-a", both.id, None))
    save_rule(db, None, RuleData("department", "equals", "Research", None, 1))
    db.commit()
    oidc_provider.set_account(sub, email=f"{sub}@example.org", email_verified=True,
                              groups=["team-a"], department="Research")
    sso_login(client, oidc_provider, sub)
    db.expire_all()
    assert {g.name for g in db.get(User, person.id).groups} == {"By rule", "By hand", "Both"}
    assert db.get(User, person.id).tier_id == 1
    client.logout()

    oidc_provider.set_account(sub, email=f"{sub}@example.org", email_verified=True, groups=[])
    sso_login(client, oidc_provider, sub)

    db.expire_all()
    person = db.get(User, person.id)
    # "Both" was the person's before the rule gave it: it is not the rule's to take.
    assert {g.name for g in person.groups} == {"By hand", "Both"}
    assert person.tier_id == 1  # no matching tier rule: the tier stays
    assert db.scalar(sa.select(sa.func.count()).select_from(SsoGroupGrant)
                     .where(SsoGroupGrant.user_id == person.id)) == 0


def test_a_tier_that_needs_training_waits_for_the_training(client, db, oidc_provider, sub):
    row = training.save_module(db, None, None, training.ModuleData(
        title="Social media licence", summary="", body_html="<p>Think.</p>", published=True,
        quiz="What is it?\n* yes\n- no\n"))
    training.set_requirement(db, row, "tier2")
    save_rule(db, None, RuleData("groups", "contains", "experts", None, 2))
    db.commit()
    oidc_provider.set_account(sub, email=f"{sub}@example.org", email_verified=True,
                              name="Tom Trainee", groups=["experts"])

    response = sso_login(client, oidc_provider, sub)

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "has to complete the training “Social media licence” before joining tier 2" in page
    person = db.scalar(sa.select(User).where(User.oidc_subject == sub))
    assert person.tier_id == 3


def plant_csrf_token(client, app) -> str:
    """A valid CSRF token for a page that has no form (Flask-WTF's own scheme)."""
    from itsdangerous import URLSafeTimedSerializer

    raw = uuid.uuid4().hex
    with client.session_transaction() as session:
        session["csrf_token"] = raw
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


@pytest.mark.parametrize("config_overrides", [{"PASSWORD_LOGIN": False}], indirect=True)
def test_with_password_login_off_only_the_button_remains(client, app, make_user):
    person = make_user()
    page = client.get("/login").get_data(as_text=True)
    assert "Log in with Company account" in page
    assert 'name="password"' not in page
    assert "Forgot your password?" not in page

    # A password POST is refused, even with the right password, and says why.
    response = client.post("/login", data={"csrf_token": plant_csrf_token(client, app),
                                           "email": person.email,
                                           "password": factories.PASSWORD})
    assert response.status_code == 403
    assert "Passwords are not used here: please log in with “Company account”." in \
        response.get_data(as_text=True)
    assert logged_in_as(client) is None

    forgot = client.get("/password/forgot")
    assert forgot.headers["Location"] == "/login"
    assert "Passwords are not used here" in flashed(client)
    link = client.get("/invitation/whatever-token")
    assert link.status_code == 410
    assert "Passwords are not used here" in link.get_data(as_text=True)
    assert client.get("/password/reset/whatever-token").status_code == 410


@pytest.mark.parametrize("config_overrides", [{"PASSWORD_LOGIN": False,
                                               "OIDC_BUTTON_LABEL": "Contoso ID"}],
                         indirect=True)
def test_with_password_login_off_single_sign_on_still_works(client, oidc_provider, sub):
    assert "Log in with Contoso ID" in client.get("/login").get_data(as_text=True)
    oidc_provider.set_account(sub, email=f"{sub}@example.org", email_verified=True,
                              name="Sam Solo")
    sso_login(client, oidc_provider, sub)
    assert logged_in_as(client) == "Sam Solo"
    assert "Change password" not in client.get("/profile").get_data(as_text=True)


def test_without_an_issuer_the_button_and_its_routes_are_absent(database_url, tmp_path):
    from advocacy import create_app
    from advocacy.db import get_database
    from tests.conftest import base_config

    app = create_app(base_config(database_url, UPLOAD_DIR=str(tmp_path)))
    try:
        client = app.test_client()
        assert "Log in with" not in client.get("/login").get_data(as_text=True)
        assert client.get("/auth/oidc/login").status_code == 404
        assert client.get("/auth/oidc/callback?state=x&code=y").status_code == 404
    finally:
        get_database(app).engine.dispose()


@pytest.mark.parametrize(("values", "message"), [
    ({"PASSWORD_LOGIN": False}, "nobody could log in"),
    ({"OIDC_ISSUER": "https://login.example.org"}, "OIDC_CLIENT_ID"),
    ({"OIDC_ISSUER": "http://login.example.org", "OIDC_CLIENT_ID": "a",
      "OIDC_CLIENT_SECRET": "b"}, "must be an https address"),
    ({"OIDC_ISSUER": "http://127.0.0.1:9", "OIDC_CLIENT_ID": "a", "OIDC_CLIENT_SECRET": "b"},
     "must be an https address"),  # loopback http only with ALLOW_INSECURE_PROVIDERS
    ({"OIDC_ISSUER": "https://login.example.org", "OIDC_CLIENT_ID": "a",
      "OIDC_CLIENT_SECRET": "b", "OIDC_SCOPES": "email"}, "must contain openid"),
])
def test_configuration_that_cannot_work_stops_the_start(tmp_path: Path, values, message):
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path, {"TESTING": True, **values}, environ={})


def test_an_intranet_https_issuer_is_accepted(tmp_path: Path):
    config = load_config(tmp_path, {"TESTING": True, "OIDC_ISSUER": "https://10.1.2.3/realms/x",
                                    "OIDC_CLIENT_ID": "a", "OIDC_CLIENT_SECRET": "b",
                                    "PASSWORD_LOGIN": False}, environ={})
    assert config["OIDC_ISSUER"] == "https://10.1.2.3/realms/x"


# ---------------------------------------------------------------------------------------
# The rules page


def test_only_admins_reach_the_rules(client, login_as):
    login_as("employee", "comms", "hr")
    assert client.get("/admin/sso").status_code == 403
    assert client.post_form("/admin/sso", {"claim": "groups", "kind": "contains",
                                           "value": "x", "tier_id": "1"}).status_code == 403


def test_admins_add_edit_reorder_and_delete_rules(client, db, login_as):
    login_as("admin")
    group = factories.make_group(db, name="Vertrieb")
    db.commit()
    page = client.get("/admin/sso").get_data(as_text=True)
    assert "No rules yet" in page
    assert 'aria-current="page">Single sign-on<' in page

    assert client.post_form("/admin/sso", {"claim": "groups", "kind": "contains",
                                           "value": "Sales", "group_id": str(group.id),
                                           "tier_id": ""}).status_code == 302
    assert client.post_form("/admin/sso", {"claim": "realm_access.roles", "kind": "equals",
                                           "value": "exec", "group_id": "",
                                           "tier_id": "1"}).status_code == 302
    empty = client.post_form("/admin/sso", {"claim": "groups", "kind": "contains",
                                            "value": "x", "group_id": "", "tier_id": ""})
    assert empty.status_code == 400
    assert "Choose a group, a tier or both." in empty.get_data(as_text=True)
    spaced = client.post_form("/admin/sso", {"claim": "my groups", "kind": "contains",
                                             "value": "x", "tier_id": "1"})
    assert spaced.status_code == 400

    first, second = db.scalars(sa.select(SsoRule).order_by(SsoRule.position)).all()
    page = client.get("/admin/sso").get_data(as_text=True)
    assert page.index("Sales") < page.index("exec")
    assert client.post_form(f"/admin/sso/{second.id}/up").status_code == 302
    page = client.get("/admin/sso").get_data(as_text=True)
    assert page.index("exec") < page.index("Sales")

    assert client.get(f"/admin/sso/{first.id}").status_code == 200
    assert client.post_form(f"/admin/sso/{first.id}", {
        "claim": "groups", "kind": "equals", "value": "Sales-DE", "group_id": str(group.id),
        "tier_id": "2"}).status_code == 302
    db.expire_all()
    changed = db.get(SsoRule, first.id)
    assert (changed.kind, changed.value, changed.tier_id) == ("equals", "Sales-DE", 2)

    assert client.post_form(f"/admin/sso/{first.id}/delete").status_code == 302
    assert db.scalars(sa.select(SsoRule.id)).all() == [second.id]
    assert client.get("/admin/sso/999999").status_code == 404


def test_an_e_mail_without_email_verified_links_only_a_trusted_provider(
        client, db, oidc_provider, sub, make_user):
    """Entra ID sends no `email_verified`; an unverified address must not open an account
    unless the operator trusts the provider's addresses."""
    person = make_user(email=f"{sub}@example.org")
    oidc_provider.set_account(sub, email=f"{sub}@example.org")  # no email_verified at all

    assert sso_login(client, oidc_provider, sub).headers["Location"] == "/login"
    assert "did not give us a confirmed e-mail address" in flashed(client)
    db.expire_all()
    assert db.get(User, person.id).oidc_subject is None


@pytest.mark.parametrize("config_overrides", [{"OIDC_TRUST_EMAIL": True}], indirect=True)
def test_a_trusted_provider_links_without_email_verified(client, db, oidc_provider, sub,
                                                         make_user):
    person = make_user(email=f"{sub}@example.org", name="Tess Trusted")
    oidc_provider.set_account(sub, email=f"{sub}@example.org")

    assert sso_login(client, oidc_provider, sub).status_code == 302
    assert logged_in_as(client) == "Tess Trusted"
    db.expire_all()
    assert db.get(User, person.id).oidc_subject == sub


@pytest.mark.parametrize("config_overrides", [{"OIDC_EMAIL_DOMAINS": "example.com"}],
                         indirect=True)
def test_addresses_outside_the_allowed_domains_are_refused(client, db, oidc_provider, sub):
    oidc_provider.set_account(sub, email=f"{sub}@example.org", email_verified=True)

    assert sso_login(client, oidc_provider, sub).headers["Location"] == "/login"
    assert "is not one this programme accepts" in flashed(client)
    assert db.scalar(sa.select(User).where(User.oidc_subject == sub)) is None


def test_a_group_removed_by_hand_is_given_again_at_the_next_sign_in(client, db, oidc_provider,
                                                                    sub):
    sales = factories.make_group(db, kind="department", name="Sales again")
    save_rule(db, None, RuleData("groups", "contains", "sales", sales.id, None))
    db.commit()
    oidc_provider.set_account(sub, email=f"{sub}@example.org", email_verified=True,
                              groups=["Sales"])
    sso_login(client, oidc_provider, sub)
    client.logout()
    person = db.scalar(sa.select(User).where(User.oidc_subject == sub))
    person.groups = []  # an admin took the group away; the rule's grant row stays
    db.commit()

    assert sso_login(client, oidc_provider, sub).status_code == 302
    db.expire_all()
    assert [g.name for g in db.get(User, person.id).groups] == ["Sales again"]


def test_a_person_linked_to_an_earlier_issuer_is_linked_anew(client, db, oidc_provider, sub,
                                                            make_user):
    person = make_user(email=f"{sub}@example.org", name="Ida Issuer")
    person.oidc_issuer, person.oidc_subject = "https://old-login.example.org", "old-subject"
    db.commit()
    oidc_provider.set_account(sub, email=f"{sub}@example.org", email_verified=True)

    assert sso_login(client, oidc_provider, sub).status_code == 302
    assert logged_in_as(client) == "Ida Issuer"
    db.expire_all()
    assert (db.get(User, person.id).oidc_issuer, db.get(User, person.id).oidc_subject) == (
        oidc_provider.issuer, sub)


@pytest.mark.parametrize("config_overrides", [{"PASSWORD_LOGIN": False}], indirect=True)
def test_with_password_login_off_no_invitations_go_out(client, db, oidc_provider, sub,
                                                       make_user):
    from advocacy.auth.models import AuthToken

    make_user(email=f"{sub}@example.org", roles={"admin", "employee"})
    oidc_provider.set_account(sub, email=f"{sub}@example.org", email_verified=True)
    sso_login(client, oidc_provider, sub)

    response = client.post_form("/admin/people/new", {
        "name": "Nora New", "email": f"nora-{sub}@example.org", "language": "de",
        "tier_id": "3", "roles": ["employee"], "is_active": "y", "send_invitation": "y"})
    assert response.status_code == 302  # added all the same
    nora = db.scalar(sa.select(User).where(User.email == f"nora-{sub}@example.org"))
    assert nora is not None
    page = client.post_form(f"/admin/people/{nora.id}/invite", follow_redirects=True)
    assert "No invitation was sent" in page.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(AuthToken)
                     .where(AuthToken.user_id == nora.id)) == 0
