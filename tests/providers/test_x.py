"""XAPI against the fake X API (share-apis.md §2)."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from advocacy.providers.api import (
    Access,
    AlreadyPosted,
    CannotAsk,
    ContentRejected,
    LookupFailed,
    Metrics,
    ProviderConfig,
    ProviderError,
    RateLimited,
    ReauthRequired,
    Unavailable,
    UnknownOutcome,
    UsageCapped,
)
from advocacy.providers.x import SCOPES, XAPI, next_month
from tests.fakes import s256
from tests.fakes import x as x_fake
from tests.fakes.fixtures import REDIRECT_URIS, approve, deny, pkce, provider_config
from tests.providers import outgoing

REDIRECT = REDIRECT_URIS["x"]


@pytest.fixture
def api(fake_x: Any) -> XAPI:
    return XAPI(ProviderConfig(provider_config(x=fake_x)))


@pytest.fixture
def access(fake_x: Any) -> Access:
    user = fake_x.state.user
    return Access(fake_x.state.issue_token()["access_token"], user["id"],
                  f"@{user['username']}")


def connect(api: XAPI) -> Any:
    verifier, challenge = pkce()
    callback = approve(api.authorize_url(REDIRECT, "st", challenge))
    return api.exchange(callback["code"], REDIRECT, verifier)


# -- OAuth -------------------------------------------------------------------------------------

def test_authorize_url_uses_x_com_and_pkce(api: XAPI, fake_x: Any) -> None:
    url = api.authorize_url(REDIRECT, "st4te", "ch4llenge")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{fake_x.url}/i/oauth2/authorize"
    assert dict(parse_qsl(parts.query)) == {
        "response_type": "code", "client_id": x_fake.CLIENT_ID, "redirect_uri": REDIRECT,
        "scope": SCOPES, "state": "st4te", "code_challenge": "ch4llenge",
        "code_challenge_method": "S256"}
    assert "offline.access" in SCOPES.split()  # or there is no refresh token


def test_code_exchange_authenticates_with_basic_and_sends_the_verifier(
        api: XAPI, fake_x: Any) -> None:
    verifier, challenge = pkce()
    assert httpx.get(api.authorize_url(REDIRECT, "st", challenge)).status_code == 200
    callback = approve(api.authorize_url(REDIRECT, "st", challenge))
    assert callback["state"] == "st"
    before = dt.datetime.now(dt.UTC)
    tokens = api.exchange(callback["code"], REDIRECT, verifier)
    after = dt.datetime.now(dt.UTC)

    sent = fake_x.state.last("/2/oauth2/token", "POST")
    expected = base64.b64encode(f"{x_fake.CLIENT_ID}:{x_fake.CLIENT_SECRET}".encode()).decode()
    assert sent.header("Authorization") == f"Basic {expected}"
    assert "client_secret" not in sent.form
    assert sent.form["grant_type"] == "authorization_code"
    assert s256(sent.form["code_verifier"]) == challenge
    assert tokens.refresh_token and tokens.expires_at is not None
    two_hours = dt.timedelta(seconds=7200)
    assert before + two_hours <= tokens.expires_at <= after + two_hours
    assert set(tokens.scopes.split()) == set(SCOPES.split())
    assert api.profile(Access(tokens.access_token, "")).external_id == fake_x.state.user["id"]


def test_a_wrong_verifier_is_refused(api: XAPI) -> None:
    _verifier, challenge = pkce()
    code = approve(api.authorize_url(REDIRECT, "st", challenge))["code"]
    with pytest.raises(ProviderError, match="authorization code was invalid"):
        api.exchange(code, REDIRECT, pkce()[0])


def test_codes_expire_after_30_seconds_and_work_once(api: XAPI, fake_x: Any) -> None:
    verifier, challenge = pkce()
    code = approve(api.authorize_url(REDIRECT, "st", challenge))["code"]
    fake_x.state.advance(31)
    with pytest.raises(ProviderError):
        api.exchange(code, REDIRECT, verifier)

    code = approve(api.authorize_url(REDIRECT, "st", challenge))["code"]
    fake_x.state.advance(29)
    api.exchange(code, REDIRECT, verifier)
    with pytest.raises(ProviderError):
        api.exchange(code, REDIRECT, verifier)


def test_plain_pkce_and_unregistered_callbacks_are_refused(api: XAPI, fake_x: Any) -> None:
    url = api.authorize_url(REDIRECT, "st", "challenge").replace("S256", "plain")
    assert httpx.get(url + "&approve=1").status_code == 400
    url = api.authorize_url("http://evil.example/cb", "st", "challenge")
    assert httpx.get(url + "&approve=1").status_code == 400


def test_deny_comes_back_as_access_denied(api: XAPI) -> None:
    answer = deny(api.authorize_url(REDIRECT, "s9", pkce()[1]))
    assert answer == {"error": "access_denied", "state": "s9"}


def test_token_endpoint_requires_basic_auth(fake_x: Any) -> None:
    response = httpx.post(f"{fake_x.url}/2/oauth2/token", data={
        "grant_type": "authorization_code", "code": "x", "redirect_uri": REDIRECT,
        "code_verifier": "v", "client_id": x_fake.CLIENT_ID})
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized_client"


# -- refresh -----------------------------------------------------------------------------------

def test_refresh_rotates_and_a_reused_token_revokes_the_family(api: XAPI, fake_x: Any) -> None:
    first = connect(api)
    second = api.refresh(Access(first.access_token, ""), first.refresh_token or "", None)
    assert second.access_token != first.access_token
    assert second.refresh_token and second.refresh_token != first.refresh_token
    sent = fake_x.state.last("/2/oauth2/token")
    assert sent.form == {"grant_type": "refresh_token", "refresh_token": first.refresh_token}
    assert sent.header("Authorization").startswith("Basic ")

    with pytest.raises(ReauthRequired):  # the old refresh token, a second time
        api.refresh(Access(second.access_token, ""), first.refresh_token or "", None)
    # ... and X revoked everything descended from that authorization:
    with pytest.raises(ReauthRequired):
        api.refresh(Access(second.access_token, ""), second.refresh_token or "", None)
    with pytest.raises(ReauthRequired):
        api.profile(Access(second.access_token, ""))


def test_a_new_authorization_is_a_new_family(api: XAPI) -> None:
    first = connect(api)
    api.refresh(Access(first.access_token, ""), first.refresh_token or "", None)
    with pytest.raises(ReauthRequired):
        api.refresh(Access(first.access_token, ""), first.refresh_token or "", None)
    other = connect(api)
    api.profile(Access(other.access_token, ""))  # untouched


def test_access_tokens_last_two_hours(api: XAPI, fake_x: Any) -> None:
    tokens = connect(api)
    access = Access(tokens.access_token, fake_x.state.user["id"], "@ada_advocate")
    fake_x.state.advance(7199)
    api.profile(access)
    fake_x.state.advance(1)
    with pytest.raises(ReauthRequired):
        api.publish(access, outgoing())
    fresh = api.refresh(access, tokens.refresh_token or "", None)
    api.publish(Access(fresh.access_token, access.external_id, access.handle), outgoing())


# -- account and posting -----------------------------------------------------------------------

def test_profile_with_followers(api: XAPI, fake_x: Any, access: Access) -> None:
    profile = api.profile(access)
    assert (profile.external_id, profile.handle, profile.display_name, profile.followers) == (
        fake_x.state.user["id"], "@ada_advocate", "Ada Advocate", 1234)
    assert fake_x.state.last("/2/users/me").query == {"user.fields": "public_metrics"}


def test_publish_posts_the_full_text_and_costs_the_url_price(api: XAPI, fake_x: Any,
                                                             access: Access) -> None:
    post = outgoing()
    published = api.publish(access, post)

    sent = fake_x.state.last("/2/tweets", "POST")
    assert sent.json == {"text": post.text}
    assert sent.header("Authorization") == f"Bearer {access.access_token}"
    assert [t["text"] for t in fake_x.state.created] == [post.text]
    assert published.remote_id == fake_x.state.created[0]["id"]
    assert published.url == f"https://x.com/ada_advocate/status/{published.remote_id}"
    assert fake_x.state.billing_total() == Decimal("0.200")


def test_a_post_without_url_costs_less(api: XAPI, fake_x: Any, access: Access) -> None:
    api.publish(access, outgoing(text="Just words"))
    assert fake_x.state.billing_total() == Decimal("0.015")


def test_the_weighted_limit(api: XAPI, fake_x: Any, access: Access) -> None:
    body = "e\u0301" * 126 + "漢" * 65  # NFC é: 126 + 130 = 256; "\n" + URL (23) = 280
    api.publish(access, outgoing(body))
    with pytest.raises(ContentRejected, match="too long"):
        api.publish(access, outgoing(body + "a"))
    assert len(fake_x.state.created) == 1
    assert len(fake_x.state.billing) == 1  # refused posts are not charged


def test_a_duplicate_refusal_says_the_post_is_already_there(api: XAPI, fake_x: Any,
                                                            access: Access) -> None:
    """Our texts carry their own tracked link: X refusing one as a duplicate means it has
    the post already (an earlier attempt got through), not that the text is bad."""
    post = outgoing()
    api.publish(access, post)
    with pytest.raises(AlreadyPosted, match="identical"):
        api.publish(access, outgoing(text=post.text))


def test_delete_and_metrics(api: XAPI, fake_x: Any, access: Access) -> None:
    published = api.publish(access, outgoing())
    fake_x.state.set_metrics(published.remote_id, like_count=5, retweet_count=2,
                             reply_count=1, impression_count=400)

    assert api.metrics(access, published.remote_id) == Metrics(
        likes=5, reposts=2, replies=1, impressions=400)
    assert fake_x.state.last("/2/tweets/").query == {"tweet.fields": "public_metrics"}
    api.delete(access, published.remote_id)
    assert fake_x.state.created == []
    assert api.metrics(access, published.remote_id).note == \
        "not available: the post is no longer on X"


def test_metrics_beyond_the_access_level_are_not_available(api: XAPI, fake_x: Any,
                                                            access: Access) -> None:
    published = api.publish(access, outgoing())
    fake_x.state.fail_next(403, path_prefix="/2/tweets/", method="GET")
    assert api.metrics(access, published.remote_id).note == \
        "not available at this API access level"


def test_settling_when_nothing_was_posted(api: XAPI, fake_x: Any, access: Access) -> None:
    api.publish(access, outgoing("Something else", link="https://other.example/x"))
    sent = fake_x.state.now() - dt.timedelta(minutes=3)
    assert api.settle(access, outgoing(sent_at=sent), fake_x.state.now()) is None
    query = fake_x.state.last("/2/users/").query
    # Only what was posted since the first attempt (a little earlier, clocks differ).
    assert query["start_time"] == (sent - dt.timedelta(minutes=2)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    assert query["max_results"] == "100"


def test_unanswered_post_times_out_as_unknown_outcome(api: XAPI, fake_x: Any,
                                                      access: Access) -> None:
    post = outgoing()
    fake_x.state.hang_after_next("/2/tweets", 2.5, method="POST")
    with pytest.raises(UnknownOutcome):
        api.publish(access, post)
    assert [t["text"] for t in fake_x.state.created] == [post.text]  # it was created


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_after_the_post_was_created_is_an_unknown_outcome(
        api: XAPI, fake_x: Any, access: Access, status: int) -> None:
    post = outgoing()
    fake_x.state.fail_after_next(status, path_prefix="/2/tweets", method="POST")
    with pytest.raises(UnknownOutcome):
        api.publish(access, post)
    assert [t["text"] for t in fake_x.state.created] == [post.text]
    found = api.settle(access, post, fake_x.state.now())
    assert found is not None and found.remote_id == fake_x.state.created[0]["id"]


def test_settling_finds_the_post_by_its_tracked_link(api: XAPI, fake_x: Any,
                                                     access: Access) -> None:
    post = outgoing(sent_at=fake_x.state.now())
    created = api.publish(access, post)
    api.publish(access, outgoing("A later one", link="https://other.example/y"))

    found = api.settle(access, post, fake_x.state.now())
    assert found is not None and found.remote_id == created.remote_id


def test_settling_reads_further_pages(api: XAPI, fake_x: Any, access: Access) -> None:
    fake_x.state.tweet_limit = 1000
    post = outgoing(sent_at=fake_x.state.now())
    created = api.publish(access, post)
    for number in range(130):  # more than a page of later posts
        api.publish(access, outgoing(f"Later {number}", link=f"https://other.example/{number}"))
    found = api.settle(access, post, fake_x.state.now())
    assert found is not None and found.remote_id == created.remote_id
    assert "pagination_token" in fake_x.state.last("/2/users/").query


def test_settling_gives_up_honestly_when_too_much_was_posted_since(api: XAPI, fake_x: Any,
                                                                   access: Access) -> None:
    fake_x.state.tweet_limit = 1000
    post = outgoing(sent_at=fake_x.state.now())
    for number in range(320):
        api.publish(access, outgoing(f"Other {number}", link=f"https://other.example/{number}"))
    with pytest.raises(CannotAsk):
        api.settle(access, post, fake_x.state.now())


@pytest.mark.parametrize("status", [404, 500, 503])
def test_a_failed_look_up_is_never_a_refusal_of_the_post(api: XAPI, fake_x: Any,
                                                         access: Access, status: int) -> None:
    """Reproduced: a 404 from the timeline endpoint made the post "refused by the network"."""
    fake_x.state.fail_next(status, path_prefix="/2/users/", method="GET")
    with pytest.raises(LookupFailed):
        api.settle(access, outgoing(), fake_x.state.now())


def test_the_monthly_usage_cap_is_not_a_slow_down(api: XAPI, fake_x: Any,
                                                   access: Access) -> None:
    fake_x.state.usage_cap = fake_x.state.usage  # nothing more this month
    with pytest.raises(UsageCapped) as raised:
        api.publish(access, outgoing())
    assert raised.value.retry_at == next_month()
    assert "Monthly product cap" in raised.value.message
    assert fake_x.state.created == []


def test_x_names_the_invalid_parameter_not_the_generic_title(api: XAPI, fake_x: Any,
                                                             access: Access) -> None:
    """X's "invalid request" problem says what was wrong only in errors[0].message."""
    with pytest.raises(ContentRejected) as raised:
        api._call("POST", "/2/tweets", json={"text": "x", "colour": "red"},
                  headers={"Authorization": f"Bearer {access.access_token}"})
    assert "is not defined in the schema" in raised.value.message
    assert "One or more parameters" not in raised.value.message


def test_x_shows_urls_as_t_co_links(api: XAPI, fake_x: Any, access: Access) -> None:
    """The fact the find test above depends on, checked on the wire."""
    post = outgoing()
    created = api.publish(access, post)
    answer = httpx.get(f"{fake_x.url}/2/tweets/{created.remote_id}",
                       params={"tweet.fields": "entities"},
                       headers={"Authorization": f"Bearer {access.access_token}"}).json()
    assert post.link not in answer["data"]["text"]
    assert "https://t.co/" in answer["data"]["text"]
    assert answer["data"]["entities"]["urls"][0]["expanded_url"] == post.link


# -- errors ------------------------------------------------------------------------------------

def test_rate_limit_reset_is_read_from_the_epoch_header(api: XAPI, fake_x: Any,
                                                        access: Access) -> None:
    fake_x.state.fail_next(429, path_prefix="/2/tweets",
                           headers={"x-rate-limit-reset": "1790000000"})
    with pytest.raises(RateLimited) as raised:
        api.publish(access, outgoing())
    assert raised.value.retry_at == dt.datetime.fromtimestamp(1790000000, dt.UTC)
    assert fake_x.state.created == []


def test_the_per_user_post_limit(api: XAPI, fake_x: Any, access: Access) -> None:
    state = fake_x.state
    state.tweet_limit = 2
    api.publish(access, outgoing("one"))
    api.publish(access, outgoing("two"))
    assert state.last("/2/tweets").header("Authorization")  # recorded
    with pytest.raises(RateLimited) as raised:
        api.publish(access, outgoing("three"))
    assert raised.value.retry_at == state.now() + dt.timedelta(minutes=15)
    state.advance(900)
    api.publish(access, outgoing("three"))


def test_a_revoked_token_needs_reconnecting(api: XAPI, fake_x: Any, access: Access) -> None:
    response = httpx.post(f"{fake_x.url}/2/oauth2/revoke",
                          data={"token": access.access_token, "client_id": x_fake.CLIENT_ID})
    assert response.json() == {"revoked": True}
    with pytest.raises(ReauthRequired):
        api.publish(access, outgoing())


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_to_a_post_leave_its_outcome_unknown(api: XAPI, fake_x: Any,
                                                           access: Access, status: int) -> None:
    """A 5xx may come after the post was made: it never means "not taken"."""
    fake_x.state.fail_next(status, path_prefix="/2/tweets")
    with pytest.raises(UnknownOutcome):
        api.publish(access, outgoing())
    api.publish(access, outgoing())  # only the next one failed
    assert len(fake_x.state.created) == 1


def test_a_server_that_cannot_be_reached_has_certainly_not_posted(access: Access) -> None:
    api = XAPI(ProviderConfig(provider_config()))  # X points at a closed port
    with pytest.raises(Unavailable):
        api.publish(access, outgoing())


def test_a_token_without_tweet_write_cannot_post(api: XAPI, fake_x: Any) -> None:
    user = fake_x.state.user
    token = fake_x.state.issue_token(scopes="tweet.read users.read")["access_token"]
    with pytest.raises(ProviderError):
        api.publish(Access(token, user["id"], "@x"), outgoing())
    assert fake_x.state.last("/2/tweets").answered == 403
    assert fake_x.state.created == []
