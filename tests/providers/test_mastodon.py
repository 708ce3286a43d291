"""MastodonAPI against the fake Mastodon server (share-apis.md §3), and the SSRF guard that
every request to a server someone typed in goes through (advocacy/providers/http.py)."""

from __future__ import annotations

import datetime as dt
import socket
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from advocacy.providers.api import (
    Access,
    ContentRejected,
    LookupFailed,
    Metrics,
    ProviderConfig,
    ProviderError,
    RateLimited,
    ReauthRequired,
    Unavailable,
    UnknownOutcome,
)
from advocacy.providers.http import UnsafeAddress, check_public_url
from advocacy.providers.mastodon import SCOPES, MastodonAPI
from tests.fakes import s256
from tests.fakes.fixtures import NOWHERE, REDIRECT_URIS, approve, deny, pkce, provider_config
from tests.providers import LINK, outgoing

REDIRECT = REDIRECT_URIS["mastodon"]


@pytest.fixture
def api(fake_mastodon: Any) -> MastodonAPI:
    return MastodonAPI(ProviderConfig(provider_config(mastodon=fake_mastodon)))


@pytest.fixture
def access(fake_mastodon: Any) -> Access:
    state = fake_mastodon.state
    return Access(state.issue_token(), state.account["id"], "@alice", base_url=fake_mastodon.url)


# -- app registration and OAuth ----------------------------------------------------------------

def test_register_creates_an_app_with_our_scopes_and_callback(api: MastodonAPI,
                                                              fake_mastodon: Any) -> None:
    client = api.register(fake_mastodon.url, REDIRECT, "advocacy", "https://advocacy.example")

    app = fake_mastodon.state.apps[client.client_id]
    assert app["client_secret"] == client.client_secret
    assert app["redirect_uris"] == [REDIRECT]
    assert set(app["scopes"]) == set(SCOPES.split())
    sent = fake_mastodon.state.last("/api/v1/apps", "POST")
    assert sent.json == {"client_name": "advocacy", "redirect_uris": [REDIRECT],
                         "scopes": SCOPES, "website": "https://advocacy.example"}


def test_authorize_url_asks_for_code_with_pkce(api: MastodonAPI, fake_mastodon: Any) -> None:
    client = api.register(fake_mastodon.url, REDIRECT, "advocacy", "https://advocacy.example")
    url = api.authorize_url(fake_mastodon.url, client, REDIRECT, "st4te", "ch4llenge")

    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{fake_mastodon.url}/oauth/authorize"
    assert dict(parse_qsl(parts.query)) == {
        "response_type": "code", "client_id": client.client_id, "redirect_uri": REDIRECT,
        "scope": SCOPES, "state": "st4te", "code_challenge": "ch4llenge",
        "code_challenge_method": "S256"}


def test_connect_from_authorize_to_profile(api: MastodonAPI, fake_mastodon: Any) -> None:
    state = fake_mastodon.state
    client = api.register(fake_mastodon.url, REDIRECT, "advocacy", "https://advocacy.example")
    verifier, challenge = pkce()
    page = httpx.get(api.authorize_url(fake_mastodon.url, client, REDIRECT, "xyz", challenge))
    assert page.status_code == 200 and "Authorize" in page.text  # the consent page

    callback = approve(api.authorize_url(fake_mastodon.url, client, REDIRECT, "xyz",
                                         challenge))
    assert callback["state"] == "xyz"
    tokens = api.exchange(fake_mastodon.url, client, callback["code"], REDIRECT, verifier)

    assert tokens.refresh_token is None and tokens.expires_at is None  # never expire
    assert state.tokens[tokens.access_token]["scopes"] == set(SCOPES.split())
    sent = state.last("/oauth/token", "POST")
    assert sent.form["client_secret"] == client.client_secret
    assert s256(sent.form["code_verifier"]) == challenge
    profile = api.profile(Access(tokens.access_token, "", base_url=fake_mastodon.url))
    assert profile.external_id == state.account["id"]


def test_a_code_is_single_use_and_bound_to_its_verifier(api: MastodonAPI,
                                                        fake_mastodon: Any) -> None:
    client = api.register(fake_mastodon.url, REDIRECT, "advocacy", "https://advocacy.example")
    verifier, challenge = pkce()
    code = approve(api.authorize_url(fake_mastodon.url, client, REDIRECT, "s", challenge))["code"]

    with pytest.raises(ProviderError):
        api.exchange(fake_mastodon.url, client, code, REDIRECT, "not-the-verifier")
    assert fake_mastodon.state.last("/oauth/token").answered == 400
    api.exchange(fake_mastodon.url, client, code, REDIRECT, verifier)
    with pytest.raises(ProviderError):
        api.exchange(fake_mastodon.url, client, code, REDIRECT, verifier)


def test_deny_comes_back_as_access_denied(api: MastodonAPI, fake_mastodon: Any) -> None:
    client = api.register(fake_mastodon.url, REDIRECT, "advocacy", "https://advocacy.example")
    answer = deny(api.authorize_url(fake_mastodon.url, client, REDIRECT, "s1", pkce()[1]))
    assert answer["error"] == "access_denied" and answer["state"] == "s1"


def test_a_vacuumed_app_is_unknown_to_the_server(api: MastodonAPI, fake_mastodon: Any) -> None:
    client = api.register(fake_mastodon.url, REDIRECT, "advocacy", "https://advocacy.example")
    verifier, challenge = pkce()
    url = api.authorize_url(fake_mastodon.url, client, REDIRECT, "s", challenge)
    code = approve(url)["code"]
    fake_mastodon.state.vacuum(client.client_id)

    assert httpx.get(url + "&approve=1").status_code == 401
    with pytest.raises(ReauthRequired):  # 401 invalid_client
        api.exchange(fake_mastodon.url, client, code, REDIRECT, verifier)


# -- account -----------------------------------------------------------------------------------

def test_profile_and_followers(api: MastodonAPI, fake_mastodon: Any, access: Access) -> None:
    fake_mastodon.state.account["followers_count"] = 99
    profile = api.profile(access)
    host = fake_mastodon.url.split("://", 1)[1]
    assert (profile.external_id, profile.handle, profile.display_name, profile.followers) == (
        fake_mastodon.state.account["id"], f"@alice@{host}", "Alice Example", 99)


def test_limits_come_from_the_instance(api: MastodonAPI, fake_mastodon: Any) -> None:
    assert api.limits(fake_mastodon.url) == (500, 23)
    fake_mastodon.state.max_characters = 1000
    assert api.limits(fake_mastodon.url) == (1000, 23)


# -- posting -----------------------------------------------------------------------------------

def test_publish_sends_the_text_with_an_idempotency_key(api: MastodonAPI, fake_mastodon: Any,
                                                        access: Access) -> None:
    post = outgoing()
    published = api.publish(access, post)

    sent = fake_mastodon.state.last("/api/v1/statuses", "POST")
    assert sent.header("Idempotency-Key") == post.idempotency_key
    assert sent.header("Authorization") == f"Bearer {access.access_token}"
    assert sent.form == {"status": post.text, "visibility": "public", "language": "en"}
    status = fake_mastodon.state.statuses[published.remote_id]
    assert status["text"] == post.text and status["visibility"] == "public"
    assert published.url == f"{fake_mastodon.url}/@alice/{published.remote_id}"


def test_the_same_key_gives_the_same_status(api: MastodonAPI, fake_mastodon: Any,
                                            access: Access) -> None:
    post = outgoing()
    first = api.publish(access, post)
    again = api.publish(access, post)
    other = api.publish(access, outgoing(idempotency_key="another-key"))

    assert again.remote_id == first.remote_id != other.remote_id
    assert len(fake_mastodon.state.live_statuses()) == 2


def test_the_idempotency_window_is_one_hour(api: MastodonAPI, fake_mastodon: Any,
                                            access: Access) -> None:
    post = outgoing()
    first = api.publish(access, post)
    fake_mastodon.state.advance(3601)
    assert api.publish(access, post).remote_id != first.remote_id


def test_unanswered_post_is_settled_by_sending_it_again_with_the_same_key(
        api: MastodonAPI, fake_mastodon: Any, access: Access) -> None:
    """Within the hour the server keeps the Idempotency-Key, sending again returns the
    status the first attempt made."""
    state = fake_mastodon.state
    post = outgoing(sent_at=state.now())
    state.hang_after_next("/api/v1/statuses", 2.5, method="POST")
    with pytest.raises(UnknownOutcome):
        api.publish(access, post)
    state.advance(30 * 60)
    found = api.settle(access, post, state.now())
    assert found is not None and found.remote_id == state.live_statuses()[0]["id"]
    assert len(state.live_statuses()) == 1
    assert state.requests_to("/api/v1/accounts/") == []  # no reading needed


def test_within_the_hour_a_post_that_never_arrived_is_made_by_settling(
        api: MastodonAPI, fake_mastodon: Any, access: Access) -> None:
    state = fake_mastodon.state
    post = outgoing(sent_at=state.now())
    assert api.settle(access, post, state.now()) is not None
    assert [s["text"] for s in state.live_statuses()] == [post.text]


def test_unanswered_post_is_found_among_the_latest_statuses_after_the_hour(
        api: MastodonAPI, fake_mastodon: Any, access: Access) -> None:
    state = fake_mastodon.state
    post = outgoing(sent_at=state.now())
    state.hang_after_next("/api/v1/statuses", 2.5, method="POST")

    with pytest.raises(UnknownOutcome):
        api.publish(access, post)
    assert [s["text"] for s in state.live_statuses()] == [post.text]  # it was created
    for number in range(60):  # more than a page of later statuses
        state.advance(60)
        api.publish(access, outgoing(f"A later one {number}",
                                     link=f"https://other.example/{number}"))
    state.advance(2 * 3600)  # long after the server forgot the idempotency key

    found = api.settle(access, post, state.now())
    assert found is not None and found.remote_id == state.live_statuses()[0]["id"]
    assert len(state.live_statuses()) == 61  # nothing posted again
    assert "max_id" in state.last("/api/v1/accounts/").query
    never = outgoing(link="https://never.example/posted",
                     sent_at=state.now() - dt.timedelta(hours=2))
    assert api.settle(access, never, state.now()) is None


@pytest.mark.parametrize("status", [404, 500, 503])
def test_a_failed_look_up_is_never_a_refusal_of_the_post(
        api: MastodonAPI, fake_mastodon: Any, access: Access, status: int) -> None:
    """Reproduced: a 404 from the statuses endpoint made the post "refused by the network"."""
    state = fake_mastodon.state
    fake_mastodon.state.fail_next(status, path_prefix="/api/v1/accounts/", method="GET")
    with pytest.raises(LookupFailed):
        api.settle(access, outgoing(sent_at=state.now() - dt.timedelta(hours=2)), state.now())


def test_urls_count_23_and_emoji_sequences_one(api: MastodonAPI, fake_mastodon: Any,
                                               access: Access) -> None:
    family = "\U0001F468\u200D\U0001F469\u200D\U0001F467"  # one grapheme
    body = family * 10 + "a" * 466  # 476 graphemes; "\n" + a 23-character link = 500
    assert len(LINK) > 23
    api.publish(access, outgoing(body))
    with pytest.raises(ContentRejected, match="character limit"):
        api.publish(access, outgoing(body + "b"))


def test_a_raised_limit_is_honoured(api: MastodonAPI, fake_mastodon: Any,
                                    access: Access) -> None:
    fake_mastodon.state.max_characters = 1000
    api.publish(access, outgoing("x" * 900))


def test_blank_text_is_rejected(api: MastodonAPI, access: Access) -> None:
    with pytest.raises(ContentRejected, match="can't be blank"):
        api.publish(access, outgoing(text="   "))


def test_delete_and_metrics(api: MastodonAPI, fake_mastodon: Any, access: Access) -> None:
    published = api.publish(access, outgoing())
    fake_mastodon.state.set_counts(published.remote_id, favourites=3, reblogs=2, replies=1)

    assert api.metrics(access, published.remote_id) == Metrics(likes=3, reposts=2, replies=1)
    api.delete(access, published.remote_id)
    assert fake_mastodon.state.statuses[published.remote_id]["deleted"]
    assert fake_mastodon.state.last("/api/v1/statuses/").method == "DELETE"


# -- errors ------------------------------------------------------------------------------------

def test_a_revoked_token_needs_reconnecting(api: MastodonAPI, fake_mastodon: Any,
                                            access: Access) -> None:
    client = fake_mastodon.state.register_app([REDIRECT])
    response = httpx.post(f"{fake_mastodon.url}/oauth/revoke", data={
        "client_id": client["client_id"], "client_secret": client["client_secret"],
        "token": access.access_token})
    assert response.status_code == 200

    with pytest.raises(ReauthRequired) as raised:
        api.publish(access, outgoing())
    assert raised.value.reason == "revoked"
    assert "was revoked" in raised.value.message
    with pytest.raises(ReauthRequired):
        api.profile(access)
    assert fake_mastodon.state.live_statuses() == []
    assert fake_mastodon.state.last("/api/v1/statuses").answered == 401


def test_an_expired_token_is_told_apart_from_a_revoked_one(
        api: MastodonAPI, fake_mastodon: Any, access: Access) -> None:
    fake_mastodon.state.expire_token(access.access_token)
    with pytest.raises(ReauthRequired) as raised:
        api.publish(access, outgoing())
    assert raised.value.reason == "expired"


def test_the_rate_limit_gives_an_iso_reset_time(api: MastodonAPI, fake_mastodon: Any,
                                                access: Access) -> None:
    state = fake_mastodon.state
    state.rate_limit = 2
    api.publish(access, outgoing("one"))
    api.profile(access)

    with pytest.raises(RateLimited) as raised:
        api.publish(access, outgoing("two"))
    assert raised.value.retry_at == state.now() + dt.timedelta(minutes=5)
    assert state.last("/api/v1/statuses").header("Idempotency-Key")
    assert len(state.live_statuses()) == 1


def test_an_injected_429_is_parsed(api: MastodonAPI, fake_mastodon: Any,
                                   access: Access) -> None:
    fake_mastodon.state.fail_next(429, path_prefix="/api/v1/statuses",
                                  headers={"X-RateLimit-Reset": "2026-12-01T10:00:00.000000Z"})
    with pytest.raises(RateLimited) as raised:
        api.publish(access, outgoing())
    assert raised.value.retry_at == dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)
    assert fake_mastodon.state.live_statuses() == []


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_to_a_post_leave_its_outcome_unknown(
        api: MastodonAPI, fake_mastodon: Any, access: Access, status: int) -> None:
    fake_mastodon.state.fail_next(status)
    with pytest.raises(UnknownOutcome):
        api.publish(access, outgoing())
    assert fake_mastodon.state.live_statuses() == []


def test_a_status_made_before_the_server_failed_is_settled_without_a_second(
        api: MastodonAPI, fake_mastodon: Any, access: Access) -> None:
    state = fake_mastodon.state
    post = outgoing(sent_at=state.now())
    state.fail_after_next(502, path_prefix="/api/v1/statuses", method="POST")
    with pytest.raises(UnknownOutcome):
        api.publish(access, post)
    found = api.settle(access, post, state.now())
    assert [s["id"] for s in state.live_statuses()] == [found.remote_id if found else None]


def test_an_unreachable_server_is_unavailable(api: MastodonAPI, access: Access) -> None:
    gone = Access(access.access_token, access.external_id, base_url=NOWHERE)
    with pytest.raises(Unavailable):
        api.publish(gone, outgoing())


# -- the SSRF guard ----------------------------------------------------------------------------

def _insecure_refused(fake_mastodon: Any) -> tuple[MastodonAPI, Access]:
    api = MastodonAPI(ProviderConfig(provider_config(ALLOW_INSECURE_PROVIDERS=False)))
    access = Access(fake_mastodon.state.issue_token(), "1", base_url=fake_mastodon.url)
    return api, access


def test_without_allow_insecure_loopback_servers_get_no_request(fake_mastodon: Any) -> None:
    api, access = _insecure_refused(fake_mastodon)
    with pytest.raises((ProviderError, UnsafeAddress)):
        api.publish(access, outgoing())
    assert fake_mastodon.state.requests == []


def test_a_refused_address_is_a_provider_error(fake_mastodon: Any) -> None:
    api, access = _insecure_refused(fake_mastodon)
    with pytest.raises(ProviderError):
        api.publish(access, outgoing())


def resolver(*addresses: str) -> Any:
    """A stand-in for socket.getaddrinfo that answers `addresses`."""
    def resolve(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        family = socket.AF_INET6 if ":" in addresses[0] else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port)) for address in addresses]

    return resolve


def unknown_host(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@pytest.mark.parametrize("address", [
    "10.0.0.5", "172.16.3.4", "192.168.1.1",  # private
    "169.254.169.254",  # link-local (cloud metadata)
    "127.0.0.1", "::1",  # loopback, without allow_insecure
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0", "fc00::1", "fe80::1", "::ffff:10.0.0.1",  # noqa: S104
])
def test_non_public_addresses_are_refused(address: str) -> None:
    with pytest.raises(UnsafeAddress, match="not a public address"):
        check_public_url("https://social.example", False, resolve=resolver(address))


def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    with pytest.raises(UnsafeAddress):
        check_public_url("https://social.example", False,
                         resolve=resolver("93.184.216.34", "10.1.2.3"))


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700:4700::1111"])
def test_public_https_is_accepted(address: str) -> None:
    check_public_url("https://social.example/api/v1/statuses", False,
                     resolve=resolver(address))


def test_http_is_refused_for_public_hosts_even_when_insecure_is_allowed() -> None:
    for allow in (False, True):
        with pytest.raises(UnsafeAddress, match="https"):
            check_public_url("http://social.example", allow, resolve=resolver("93.184.216.34"))


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
def test_loopback_only_with_allow_insecure(address: str) -> None:
    check_public_url("http://localhost:8000", True, resolve=resolver(address))
    with pytest.raises(UnsafeAddress):
        check_public_url("http://localhost:8000", False, resolve=resolver(address))


def test_allow_insecure_does_not_open_private_networks() -> None:
    with pytest.raises(UnsafeAddress):
        check_public_url("http://intranet.example", True, resolve=resolver("10.0.0.1"))
    with pytest.raises(UnsafeAddress):
        check_public_url("https://intranet.example", True,
                         resolve=resolver("127.0.0.1", "10.0.0.1"))


def test_names_that_do_not_resolve_and_urls_without_host_are_refused() -> None:
    with pytest.raises(UnsafeAddress, match="cannot be found"):
        check_public_url("https://nowhere.invalid", False, resolve=unknown_host)
    with pytest.raises(UnsafeAddress, match="no host"):
        check_public_url("https:///path", False, resolve=resolver("93.184.216.34"))


def test_the_resolver_is_asked_for_the_url_port() -> None:
    asked = []

    def resolve(host: str, port: int, **kwargs: Any) -> list[tuple[Any, ...]]:
        asked.append((host, port))
        return resolver("93.184.216.34")(host, port)

    check_public_url("https://social.example", False, resolve=resolve)
    check_public_url("https://social.example:8443/x", False, resolve=resolve)
    assert asked == [("social.example", 443), ("social.example", 8443)]


@pytest.mark.parametrize("url", ["https://social.example:99999", "https://social.example:x"])
def test_an_invalid_port_is_refused(url: str) -> None:
    with pytest.raises(UnsafeAddress):
        check_public_url(url, False, resolve=resolver("93.184.216.34"))
