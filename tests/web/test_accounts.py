"""Connecting LinkedIn, X and Mastodon through the whole app, against the local fakes
(tests/fakes/): OAuth round trips, refusals, who may do what, disconnecting, token renewal
and the daily account job. Bluesky has its own module (test_posting_bluesky.py)."""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
import secrets
import types
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa
from babel.dates import format_date

from advocacy.accounts import views
from advocacy.accounts.jobs import refresh_accounts
from advocacy.accounts.models import MastodonApp, SocialAccount
from advocacy.accounts.services import fresh_access
from advocacy.crypto import vault
from advocacy.db import utcnow
from advocacy.problems import Problem
from advocacy.providers.api import ReauthRequired
from advocacy.sharing.models import OutboxPost, Share
from advocacy.sharing.outbox import process_outbox
from tests import factories
from tests.fakes import s256
from tests.fakes.fixtures import approve, deny, provider_config
from tests.fakes.linkedin import CLIENT_ID as LINKEDIN_CLIENT_ID
from tests.fakes.x import CLIENT_ID as X_CLIENT_ID
from tests.fakes.x import CLIENT_SECRET as X_CLIENT_SECRET

EXPIRED = "The connection attempt expired or did not start here"


@pytest.fixture
def config_overrides(smtp_config, fake_linkedin, fake_x):
    return {**smtp_config, **provider_config(linkedin=fake_linkedin, x=fake_x)}


@pytest.fixture
def employee(login_as):
    return login_as("employee")


# -- helpers -----------------------------------------------------------------------------------

def start(client, network: str, **data: str) -> str:
    """Press "Connect": the authorize URL the app redirects to."""
    response = client.post_form(f"/accounts/{network}/connect", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def params(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def come_back(client, network: str, answer: dict[str, str], **kwargs):
    """The person's browser arriving at our callback with what the network sent."""
    return client.get(f"/accounts/{network}/callback", query_string=answer, **kwargs)


def connect(client, network: str, **data: str):
    """The whole connection: start, approve on the fake, come back. The callback's answer."""
    response = come_back(client, network, approve(start(client, network, **data)))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == "/accounts/"
    return response


def account_of(db, user, network: str) -> SocialAccount | None:
    db.expire_all()
    return db.scalar(sa.select(SocialAccount).where(SocialAccount.user_id == user.id,
                                                    SocialAccount.network == network))


def accounts_count(db) -> int:
    db.expire_all()
    return db.scalar(sa.select(sa.func.count()).select_from(SocialAccount))


def flashed(client) -> str:
    """The connections page as the person sees it next (with the pending flash)."""
    return html.unescape(client.get("/accounts/").get_data(as_text=True))


def columns_of(account: SocialAccount) -> str:
    """Every stored value of the row, as text."""
    return " ".join(str(getattr(account, c.key)) for c in sa.inspect(SocialAccount).columns)


def opened(app, account: SocialAccount, field: str) -> str:
    return vault(app).open(f"account:{account.id}:{field}", getattr(account, f"{field}_enc"))


def login_in_new_client(app, user):
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert other.login(user.email).status_code == 302
    return other


# -- LinkedIn ----------------------------------------------------------------------------------

def test_linkedin_connect_redirects_to_the_consent_page_with_our_client_and_scopes(
        client, employee, fake_linkedin):
    url = start(client, "linkedin")
    assert url.startswith(f"{fake_linkedin.url}/oauth/v2/authorization?")
    query = params(url)
    assert query["client_id"] == LINKEDIN_CLIENT_ID
    assert query["redirect_uri"] == "http://localhost/accounts/linkedin/callback"
    assert query["response_type"] == "code"
    assert set(query["scope"].split()) == {"openid", "profile", "email", "w_member_social"}
    assert len(query["state"]) >= 20
    assert "code_challenge" not in query  # LinkedIn refuses PKCE unless enabled per app
    # The fake agrees: it shows its consent page for these parameters.
    page = httpx.get(url)
    assert page.status_code == 200 and "wants to use your LinkedIn account" in page.text


def test_linkedin_connect_stores_the_member_with_sealed_tokens(client, employee, db, app,
                                                              fake_linkedin):
    connect(client, "linkedin")

    account = account_of(db, employee, "linkedin")
    member = fake_linkedin.state.member
    assert account.external_id == f"urn:li:person:{member['sub']}"
    assert (account.handle, account.display_name) == (member["email"], member["name"])
    assert account.status == "active"
    assert account.refresh_token_enc is None  # LinkedIn gives none to self-serve apps
    assert abs(account.expires_at - (utcnow() + dt.timedelta(days=60))) < dt.timedelta(
        minutes=5)
    [token] = fake_linkedin.state.tokens
    assert token not in columns_of(account)
    assert opened(app, account, "access_token") == token
    # The exchange sent the client credentials in the form, as LinkedIn wants.
    exchange = fake_linkedin.state.last("/oauth/v2/accessToken")
    assert exchange.answered == 200
    assert exchange.form["client_id"] == LINKEDIN_CLIENT_ID
    assert fake_linkedin.state.last("/v2/userinfo").header("Authorization") == f"Bearer {token}"

    page = flashed(client)
    assert "LinkedIn is connected." in page
    assert member["email"] in page and member["name"] in page


# -- X -----------------------------------------------------------------------------------------

def test_x_connect_uses_pkce_and_basic_auth_and_keeps_the_refresh_token_sealed(
        client, employee, db, app, fake_x):
    url = start(client, "x")
    assert url.startswith(f"{fake_x.url}/i/oauth2/authorize?")
    query = params(url)
    assert query["client_id"] == X_CLIENT_ID
    assert query["redirect_uri"] == "http://localhost/accounts/x/callback"
    assert query["code_challenge_method"] == "S256"
    assert "offline.access" in query["scope"].split()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", query["code_challenge"])

    response = come_back(client, "x", approve(url))
    assert response.headers["Location"] == "/accounts/"

    exchange = fake_x.state.last("/2/oauth2/token")
    assert exchange.answered == 200
    assert exchange.form["grant_type"] == "authorization_code"
    assert s256(exchange.form["code_verifier"]) == query["code_challenge"]
    assert "client_secret" not in exchange.form
    expected = base64.b64encode(f"{X_CLIENT_ID}:{X_CLIENT_SECRET}".encode()).decode()
    assert exchange.header("Authorization") == f"Basic {expected}"

    account = account_of(db, employee, "x")
    user = fake_x.state.user
    assert account.external_id == user["id"]
    assert (account.handle, account.display_name) == (f"@{user['username']}", user["name"])
    assert account.followers == user["public_metrics"]["followers_count"] == 1234
    [access] = fake_x.state.access_tokens
    [refresh] = fake_x.state.refresh_tokens
    stored = columns_of(account)
    assert access not in stored and refresh not in stored
    assert opened(app, account, "access_token") == access
    assert opened(app, account, "refresh_token") == refresh
    assert abs(account.expires_at - (utcnow() + dt.timedelta(hours=2))) < dt.timedelta(
        minutes=5)
    assert "@ada_advocate" in flashed(client)


# -- Mastodon ----------------------------------------------------------------------------------

def test_mastodon_connect_registers_our_app_and_stores_the_server_limit(
        client, employee, db, app, fake_mastodon):
    fake_mastodon.state.max_characters = 1000
    url = start(client, "mastodon", server=f"{fake_mastodon.url}/")

    [registered] = fake_mastodon.state.apps.values()
    assert registered["redirect_uris"] == ["http://localhost/accounts/mastodon/callback"]
    query = params(url)
    assert url.startswith(f"{fake_mastodon.url}/oauth/authorize?")
    assert query["client_id"] == registered["client_id"]
    assert query["code_challenge_method"] == "S256"
    stored_app = db.get(MastodonApp, fake_mastodon.url)
    assert stored_app.client_id == registered["client_id"]
    assert registered["client_secret"] not in stored_app.client_secret_enc

    response = come_back(client, "mastodon", approve(url))
    assert response.headers["Location"] == "/accounts/"
    assert "Mastodon is connected." in flashed(client)
    exchange = fake_mastodon.state.last("/oauth/token")
    assert exchange.answered == 200
    assert s256(exchange.form["code_verifier"]) == query["code_challenge"]
    account = account_of(db, employee, "mastodon")
    person = fake_mastodon.state.account
    host = fake_mastodon.url.split("://")[1]
    assert account is not None
    assert (account.base_url, account.external_id) == (fake_mastodon.url, person["id"])
    assert account.handle == f"@alice@{host}"
    assert account.followers == 42
    assert account.char_limit == 1000
    [token] = [t for t, info in fake_mastodon.state.tokens.items()
               if info["account_id"] == person["id"]]
    assert token not in columns_of(account)
    assert opened(app, account, "access_token") == token


def test_a_second_person_on_the_same_mastodon_server_reuses_our_app(
        client, employee, db, app, make_user, fake_mastodon):
    connect(client, "mastodon", server=fake_mastodon.url)
    colleague = make_user(roles={"employee"})
    other = login_in_new_client(app, colleague)

    connect(other, "mastodon", server=fake_mastodon.url)

    assert len(fake_mastodon.state.apps) == 1
    assert len(fake_mastodon.state.requests_to("/api/v1/apps")) == 1
    assert account_of(db, colleague, "mastodon").base_url == fake_mastodon.url
    assert db.scalar(sa.select(sa.func.count()).select_from(MastodonApp)) == 1


def test_a_mastodon_server_that_forgot_our_app_gets_a_new_registration(
        client, employee, db, fake_mastodon):
    url = start(client, "mastodon", server=fake_mastodon.url)
    first = params(url)["client_id"]
    fake_mastodon.state.vacuum(first)

    url = start(client, "mastodon", server=fake_mastodon.url)

    second = params(url)["client_id"]
    assert second != first
    assert list(fake_mastodon.state.apps) == [second]
    db.expire_all()
    assert db.get(MastodonApp, fake_mastodon.url).client_id == second
    come_back(client, "mastodon", approve(url))
    assert account_of(db, employee, "mastodon") is not None


@pytest.mark.parametrize("typed", ["{host}", "@alice@{host}"])
def test_mastodon_server_typed_without_scheme_is_taken_as_https(client, employee, db, typed,
                                                                 fake_mastodon):
    host = fake_mastodon.url.split("://")[1]
    response = client.post_form("/accounts/mastodon/connect",
                                {"server": typed.format(host=host)})
    # The fake speaks plain http only: an https request to it cannot succeed.
    assert response.status_code == 400
    assert "cannot be reached" in html.unescape(response.get_data(as_text=True))
    assert fake_mastodon.state.requests == []
    assert db.scalar(sa.select(sa.func.count()).select_from(MastodonApp)) == 0


@pytest.mark.parametrize(("server", "message"), [
    ("10.0.0.1", "10.0.0.1 is not a public address"),
    ("http://192.168.1.2", "Only https addresses are accepted"),
    ("social.example:99999", "Enter the server's address"),
    ("https://mastodon.example/@alice/123", "Enter the server's address"),
    ("https://mastodon.example/@alice", "mastodon.example cannot be found"),
    ("ftp://mastodon.example", "Enter the server's address"),
    ("https://:443", "Enter the server's address"),
])
def test_mastodon_server_that_must_not_be_contacted_is_refused(client, employee, db,
                                                               monkeypatch, server, message):
    def no_request(*_args, **_kwargs):
        raise AssertionError("a request was sent")

    monkeypatch.setattr(httpx.Client, "send", no_request)
    response = client.post_form("/accounts/mastodon/connect", {"server": server})
    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))
    assert db.scalar(sa.select(sa.func.count()).select_from(MastodonApp)) == 0


def test_mastodon_server_with_a_broken_ipv6_literal_is_refused(client, employee, db):
    response = client.post_form("/accounts/mastodon/connect", {"server": "https://[::1"})
    assert response.status_code == 400
    assert "Enter the server's address" in html.unescape(response.get_data(as_text=True))


def test_a_pasted_mastodon_profile_address_names_the_server(client, employee, db):
    response = client.post_form("/accounts/mastodon/connect",
                                {"server": "mastodon.example/@alice"})
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "alice cannot be found" not in page
    assert "mastodon.example cannot be found" in page  # the server, looked up (no DNS here)


# -- refusals ----------------------------------------------------------------------------------

@pytest.mark.parametrize("spoil", [
    lambda state: state[:-1] + ("A" if state[-1] != "A" else "B"),
    lambda state: secrets.token_urlsafe(24),
    lambda state: "",
], ids=["tampered", "unknown", "missing"])
def test_callback_with_a_state_we_did_not_issue_is_refused(client, employee, db,
                                                           fake_linkedin, spoil):
    answer = approve(start(client, "linkedin"))
    response = come_back(client, "linkedin", {**answer, "state": spoil(answer["state"])})
    assert response.headers["Location"] == "/accounts/"
    assert EXPIRED in flashed(client)
    assert fake_linkedin.state.requests_to("/oauth/v2/accessToken") == []
    assert accounts_count(db) == 0


def test_callback_with_the_state_of_another_network_is_refused(client, employee, db,
                                                               fake_linkedin, fake_x):
    answer = approve(start(client, "linkedin"))
    response = come_back(client, "x", answer)
    assert response.headers["Location"] == "/accounts/"
    assert EXPIRED in flashed(client)
    assert fake_x.state.requests_to("/2/oauth2/token") == []
    assert fake_linkedin.state.requests_to("/oauth/v2/accessToken") == []
    assert accounts_count(db) == 0


def test_callback_more_than_ten_minutes_after_the_start_is_refused(client, employee, db,
                                                                   monkeypatch, fake_x):
    answer = approve(start(client, "x"))
    later = views.time.time() + 10 * 60 + 1
    monkeypatch.setattr(views, "time", types.SimpleNamespace(time=lambda: later))
    response = come_back(client, "x", answer)
    assert response.headers["Location"] == "/accounts/"
    assert EXPIRED in flashed(client)
    assert fake_x.state.requests_to("/2/oauth2/token") == []
    assert accounts_count(db) == 0


def test_callback_just_within_ten_minutes_is_accepted(client, employee, db, monkeypatch,
                                                      fake_x):
    answer = approve(start(client, "x"))
    later = views.time.time() + 10 * 60 - 5
    monkeypatch.setattr(views, "time", types.SimpleNamespace(time=lambda: later))
    come_back(client, "x", answer)
    assert account_of(db, employee, "x") is not None


def test_a_state_works_only_once(client, employee, db, fake_x):
    answer = approve(start(client, "x"))
    come_back(client, "x", answer)
    assert "X is connected." in flashed(client)
    come_back(client, "x", answer)
    assert EXPIRED in flashed(client)
    assert len(fake_x.state.requests_to("/2/oauth2/token")) == 1


@pytest.mark.parametrize("network", ["linkedin", "x"])
def test_refusing_on_the_consent_page_stores_nothing(client, employee, db, network,
                                                    fake_linkedin, fake_x):
    fake = {"linkedin": fake_linkedin, "x": fake_x}[network]
    answer = deny(start(client, network))
    assert "error" in answer and "code" not in answer
    response = come_back(client, network, answer)
    assert response.headers["Location"] == "/accounts/"
    label = {"linkedin": "LinkedIn", "x": "X"}[network]
    assert f"{label} was not connected: access was not granted." in flashed(client)
    token_path = {"linkedin": "/oauth/v2/accessToken", "x": "/2/oauth2/token"}[network]
    assert fake.state.requests_to(token_path) == []
    assert accounts_count(db) == 0


def test_a_failed_token_exchange_is_explained_and_stores_nothing(client, employee, db,
                                                                 fake_x):
    answer = approve(start(client, "x"))
    fake_x.state.advance(31)  # X's codes are valid 30 seconds
    come_back(client, "x", answer)
    page = flashed(client)
    assert "X could not be connected:" in page
    assert fake_x.state.last("/2/oauth2/token").answered == 400
    assert accounts_count(db) == 0


@pytest.mark.parametrize(("network", "label", "key"), [
    ("linkedin", "LinkedIn", "LINKEDIN_CLIENT_ID"), ("x", "X", "X_CLIENT_ID")])
def test_a_network_without_client_credentials_is_not_offered(client, employee, app, network,
                                                             label, key, fake_linkedin,
                                                             fake_x):
    app.config[key] = ""
    response = client.post_form(f"/accounts/{network}/connect")
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/"
    page = flashed(client)
    assert (f"Posting to {label} by API is not set up here; sharing opens its share page "
            "instead.") in page
    assert f"/accounts/{network}/connect" not in page
    assert fake_linkedin.state.requests == [] and fake_x.state.requests == []


# -- who may do what ---------------------------------------------------------------------------

ROUTES = [
    ("GET", "/accounts/"),
    ("POST", "/accounts/linkedin/connect"),
    ("POST", "/accounts/mastodon/connect"),
    ("GET", "/accounts/x/callback?code=c&state=s"),
    ("POST", "/accounts/bluesky"),
    ("POST", "/accounts/x/disconnect"),
]


@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_every_route_sends_anonymous_visitors_to_the_login(client, method, url):
    response = client.open(url, method=method, data={"csrf_token": client.csrf_token()})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_every_route_refuses_people_without_the_employee_role(client, login_as, method, url,
                                                              fake_linkedin, fake_x):
    login_as("hr")
    response = client.open(url, method=method, data={"csrf_token": client.csrf_token()})
    assert response.status_code == 403
    assert fake_linkedin.state.requests == [] and fake_x.state.requests == []


@pytest.mark.parametrize("url", ["/accounts/linkedin/connect", "/accounts/mastodon/connect",
                                 "/accounts/bluesky", "/accounts/x/disconnect"])
def test_post_routes_answer_get_with_405(client, employee, url):
    assert client.get(url).status_code == 405


@pytest.mark.parametrize("url", ["/accounts/linkedin/connect", "/accounts/x/connect",
                                 "/accounts/mastodon/connect", "/accounts/x/disconnect"])
def test_post_without_csrf_token_is_refused(client, employee, url, fake_linkedin, fake_x):
    response = client.post(url, data={"server": "mastodon.example"})
    assert response.status_code == 400
    assert fake_linkedin.state.requests == [] and fake_x.state.requests == []


def test_unknown_network_is_404(client, employee):
    assert client.post_form("/accounts/myspace/connect").status_code == 404
    assert client.post_form("/accounts/myspace/disconnect").status_code == 404


def test_disconnect_acts_only_on_the_current_persons_account(client, employee, db, app,
                                                             make_user, fake_x):
    connect(client, "x")
    mine = account_of(db, employee, "x")
    other = login_in_new_client(app, make_user(roles={"employee"}))

    response = other.post_form("/accounts/x/disconnect", follow_redirects=True)

    assert "This account is not connected." in response.get_data(as_text=True)
    assert account_of(db, employee, "x").id == mine.id
    assert "@ada_advocate" not in other.get("/accounts/").get_data(as_text=True)
    assert "@ada_advocate" in client.get("/accounts/").get_data(as_text=True)


# -- disconnect --------------------------------------------------------------------------------

def test_disconnect_removes_the_account(client, employee, db, fake_x):
    connect(client, "x")
    response = client.post_form("/accounts/x/disconnect")
    assert response.headers["Location"] == "/accounts/"
    assert "X is disconnected." in flashed(client)
    assert account_of(db, employee, "x") is None


def test_disconnect_leaves_queued_posts_visibly_waiting_instead_of_dropping_them(
        client, employee, db, app, fake_x):
    item = factories.make_item(db, title="Queued item", texts=[("Worth a read", None)])
    db.commit()
    connect(client, "x")
    account = account_of(db, employee, "x")
    later = (dt.datetime.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post_form(f"/share/{item.id}", {
        "text": "My own words", "post": "1", "accounts": [str(account.id)], "post_at": later})
    assert response.status_code == 302, response.get_data(as_text=True)
    post = db.scalar(sa.select(OutboxPost))
    assert (post.state, post.account_id) == ("queued", account.id)

    client.post_form("/accounts/x/disconnect")

    db.expire_all()
    post = db.get(OutboxPost, post.id)
    assert post.state == "queued"  # the accounts area writes no outbox row
    assert post.account_id is None
    assert db.get(Share, post.share_id) is not None
    shares = html.unescape(client.get("/shares").get_data(as_text=True))
    assert "waiting for reconnection" in shares and "Share by link instead" in shares
    assert process_outbox(app, now=utcnow() + dt.timedelta(days=2)) == {}
    assert fake_x.state.created == []


# -- token renewal -----------------------------------------------------------------------------

def connect_x_expiring_soon(client, fake_x) -> None:
    """Connect X with an access token that runs out within the renewal margin."""
    fake_x.state.token_lifetime = 120
    connect(client, "x")
    fake_x.state.token_lifetime = 7200


def test_x_access_near_expiry_is_renewed_once_and_the_new_refresh_token_kept(
        client, employee, db, app, fake_x):
    connect_x_expiring_soon(client, fake_x)
    account = account_of(db, employee, "x")
    old_access, old_refresh = opened(app, account, "access_token"), opened(
        app, account, "refresh_token")

    access = fresh_access(app, account.id)

    renewals = fake_x.state.requests_to("/2/oauth2/token")[1:]
    assert [r.form["grant_type"] for r in renewals] == ["refresh_token"]
    assert renewals[0].form["refresh_token"] == old_refresh
    assert renewals[0].answered == 200
    account = account_of(db, employee, "x")
    new_refresh = opened(app, account, "refresh_token")
    assert access.access_token == opened(app, account, "access_token") != old_access
    assert new_refresh != old_refresh
    assert fake_x.state.refresh_tokens[old_refresh]["used"]
    assert not fake_x.state.refresh_tokens[new_refresh]["used"]
    assert account.expires_at - utcnow() > dt.timedelta(hours=1)
    # The new access token works on X.
    me = httpx.get(f"{fake_x.url}/2/users/me",
                   headers={"Authorization": f"Bearer {access.access_token}"})
    assert me.status_code == 200

    assert fresh_access(app, account.id).access_token == access.access_token
    assert len(fake_x.state.requests_to("/2/oauth2/token")) == 2  # one exchange, one renewal


def test_x_refresh_token_works_only_once_on_the_fake(client, employee, db, app, fake_x):
    connect_x_expiring_soon(client, fake_x)
    account = account_of(db, employee, "x")
    old_refresh = opened(app, account, "refresh_token")
    fresh_access(app, account.id)

    replay = httpx.post(f"{fake_x.url}/2/oauth2/token", auth=(X_CLIENT_ID, X_CLIENT_SECRET),
                        data={"grant_type": "refresh_token", "refresh_token": old_refresh})
    assert replay.status_code == 400


def test_a_revoked_x_refresh_family_asks_the_person_to_reconnect(client, employee, db, app,
                                                                 mailbox, fake_x):
    connect_x_expiring_soon(client, fake_x)
    account = account_of(db, employee, "x")
    fake_x.state.revoke_family(fake_x.state.family_of(opened(app, account, "refresh_token")))

    with pytest.raises(ReauthRequired, match="reconnect"):
        fresh_access(app, account.id)

    assert fake_x.state.last("/2/oauth2/token").answered == 400
    account = account_of(db, employee, "x")
    assert account.status == "reconnect"
    assert Problem.load(account.last_error).code == "renewal_refused"
    [message] = mailbox.wait_for(1)
    assert message["To"] == employee.email
    assert message["Subject"].lower() == "please reconnect your x account"
    assert "@ada_advocate" in message.get_body(preferencelist=("plain",)).get_content()
    assert "Reconnect needed" in client.get("/accounts/").get_data(as_text=True)
    # Later calls do not knock on X again.
    with pytest.raises(ReauthRequired):
        fresh_access(app, account.id)
    assert len(fake_x.state.requests_to("/2/oauth2/token")) == 2


def test_reconnecting_makes_the_account_active_again(client, employee, db, app, fake_x):
    connect_x_expiring_soon(client, fake_x)
    account = account_of(db, employee, "x")
    fake_x.state.revoke_family(fake_x.state.family_of(opened(app, account, "refresh_token")))
    with pytest.raises(ReauthRequired):
        fresh_access(app, account.id)

    connect(client, "x")

    again = account_of(db, employee, "x")
    assert again.id == account.id
    assert (again.status, again.last_error) == ("active", None)
    assert fresh_access(app, account.id).access_token == opened(app, again, "access_token")


# -- the daily job -----------------------------------------------------------------------------

def tomorrow() -> dt.datetime:
    return utcnow() + dt.timedelta(days=1)


def test_refresh_accounts_reads_follower_counts_from_each_network(client, employee, db, app,
                                                                  fake_linkedin, fake_x):
    connect(client, "linkedin")
    connect(client, "x")
    fake_x.state.user["public_metrics"]["followers_count"] = 2000

    result = refresh_accounts(app, now=tomorrow())

    assert result["followers"] == 1  # LinkedIn does not tell follower counts
    assert account_of(db, employee, "x").followers == 2000
    assert account_of(db, employee, "linkedin").followers is None
    assert len(fake_x.state.requests_to("/2/users/me")) == 2
    assert len(fake_linkedin.state.requests_to("/v2/userinfo")) == 2
    assert "2000" in client.get("/accounts/").get_data(as_text=True)


def test_refresh_accounts_reads_mastodon_follower_counts(client, employee, db, app,
                                                         fake_mastodon):
    connect(client, "mastodon", server=fake_mastodon.url)
    fake_mastodon.state.account["followers_count"] = 99

    assert refresh_accounts(app, now=tomorrow())["followers"] == 1
    assert account_of(db, employee, "mastodon").followers == 99


def test_refresh_accounts_leaves_recent_counts_alone(client, employee, db, app, fake_x):
    connect(client, "x")
    fake_x.state.user["public_metrics"]["followers_count"] = 2000
    assert refresh_accounts(app)["followers"] == 0
    assert account_of(db, employee, "x").followers == 1234
    assert len(fake_x.state.requests_to("/2/users/me")) == 1


def test_linkedin_expiry_is_reminded_once_a_week_before(client, employee, db, app, mailbox,
                                                        fake_linkedin):
    connect(client, "linkedin")
    account = account_of(db, employee, "linkedin")
    too_early = account.expires_at - dt.timedelta(days=8)
    assert refresh_accounts(app, now=too_early)["reminded"] == 0
    week_before = account.expires_at - dt.timedelta(days=6)

    assert refresh_accounts(app, now=week_before)["reminded"] == 1
    assert refresh_accounts(app, now=week_before + dt.timedelta(hours=1))["reminded"] == 0

    [message] = mailbox.wait_for(1)
    assert message["To"] == employee.email
    assert message["Subject"].lower() == "your linkedin connection ends soon"
    body = message.get_body(preferencelist=("plain",)).get_content()
    local_day = account.expires_at.replace(tzinfo=dt.UTC).astimezone(
        ZoneInfo(app.config["TIMEZONE"])).date()
    assert format_date(local_day, "long", locale=employee.language) in body  # "May 4, 2027"
    assert fake_linkedin.state.member["email"] in body
    assert account_of(db, employee, "linkedin").reminded_at is not None


def test_reconnecting_linkedin_starts_a_new_reminder_period(client, employee, db, app, mailbox,
                                                             fake_linkedin):
    connect(client, "linkedin")
    expires = account_of(db, employee, "linkedin").expires_at
    refresh_accounts(app, now=expires - dt.timedelta(days=6))
    mailbox.wait_for(1)
    connect(client, "linkedin")
    assert account_of(db, employee, "linkedin").reminded_at is None


def test_mails_name_the_network_as_people_know_it(client, employee, db, app, mailbox,
                                                   fake_linkedin, fake_x):
    connect(client, "linkedin")
    expires = account_of(db, employee, "linkedin").expires_at
    refresh_accounts(app, now=expires - dt.timedelta(days=6))
    connect_x_expiring_soon(client, fake_x)
    account = account_of(db, employee, "x")
    fake_x.state.revoke_family(fake_x.state.family_of(opened(app, account, "refresh_token")))
    with pytest.raises(ReauthRequired):
        fresh_access(app, account.id)

    subjects = sorted(m["Subject"] for m in mailbox.wait_for(2))
    assert subjects == ["Please reconnect your X account", "Your LinkedIn connection ends soon"]


@pytest.mark.parametrize("network", ["linkedin", "x"])
def test_refresh_accounts_marks_an_account_the_network_rejects(client, employee, db, app,
                                                               mailbox, network,
                                                               fake_linkedin, fake_x):
    connect(client, network)
    account = account_of(db, employee, network)
    token = opened(app, account, "access_token")
    if network == "linkedin":
        fake_linkedin.state.revoke_token(token)
    else:
        fake_x.state.revoke_family(fake_x.state.family_of(token))

    refresh_accounts(app, now=tomorrow())

    assert account_of(db, employee, network).status == "reconnect"
    assert "reconnect" in mailbox.wait_for(1)[0]["Subject"].lower()
