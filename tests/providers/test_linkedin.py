"""LinkedInAPI against the fake LinkedIn (share-apis.md §1)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pytest

from advocacy.providers.api import (
    Access,
    AlreadyPosted,
    CannotAsk,
    ContentRejected,
    Metrics,
    ProviderConfig,
    ProviderError,
    RateLimited,
    ReauthRequired,
    Unavailable,
    UnknownOutcome,
    VersionRetired,
)
from advocacy.providers.linkedin import ANALYTICS_SCOPE, SCOPES, LinkedInAPI
from tests.fakes import linkedin as linkedin_fake
from tests.fakes.fixtures import REDIRECT_URIS, approve, deny, provider_config
from tests.providers import LINK, outgoing

REDIRECT = REDIRECT_URIS["linkedin"]


@pytest.fixture
def api(fake_linkedin: Any) -> LinkedInAPI:
    return LinkedInAPI(ProviderConfig(provider_config(linkedin=fake_linkedin)))


@pytest.fixture
def access(fake_linkedin: Any) -> Access:
    state = fake_linkedin.state
    return Access(state.issue_token(), state.urn(), state.member["email"])


def _next_midnight(now: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), dt.UTC)


# -- OAuth -------------------------------------------------------------------------------------

def test_authorize_url_has_no_pkce(api: LinkedInAPI, fake_linkedin: Any) -> None:
    parts = urlsplit(api.authorize_url(REDIRECT, "st4te"))
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == \
        f"{fake_linkedin.url}/oauth/v2/authorization"
    assert dict(parse_qsl(parts.query)) == {
        "response_type": "code", "client_id": linkedin_fake.CLIENT_ID,
        "redirect_uri": REDIRECT, "state": "st4te", "scope": SCOPES}


def test_code_exchange_sends_the_client_secret_in_the_body(api: LinkedInAPI,
                                                           fake_linkedin: Any) -> None:
    assert httpx.get(api.authorize_url(REDIRECT, "st")).status_code == 200  # consent page
    callback = approve(api.authorize_url(REDIRECT, "st"))
    assert callback["state"] == "st"
    before = dt.datetime.now(dt.UTC)
    tokens = api.exchange(callback["code"], REDIRECT)

    sent = fake_linkedin.state.last("/oauth/v2/accessToken", "POST")
    assert sent.form == {"grant_type": "authorization_code", "code": callback["code"],
                         "redirect_uri": REDIRECT, "client_id": linkedin_fake.CLIENT_ID,
                         "client_secret": linkedin_fake.CLIENT_SECRET}
    assert sent.header("Authorization") is None
    assert tokens.refresh_token is None  # self-serve apps get none
    assert tokens.expires_at is not None
    assert tokens.expires_at - before >= dt.timedelta(days=60)
    assert api.profile(Access(tokens.access_token, "")).external_id == \
        fake_linkedin.state.urn()
    with pytest.raises(ProviderError):  # single use
        api.exchange(callback["code"], REDIRECT)


def test_the_fake_refuses_basic_auth_and_pkce_like_linkedin(fake_linkedin: Any) -> None:
    code = approve(f"{fake_linkedin.url}/oauth/v2/authorization?response_type=code&client_id="
                   f"{linkedin_fake.CLIENT_ID}&redirect_uri={quote(REDIRECT)}&scope=openid")["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    basic = httpx.post(f"{fake_linkedin.url}/oauth/v2/accessToken", data=form,
                       auth=(linkedin_fake.CLIENT_ID, linkedin_fake.CLIENT_SECRET))
    assert basic.status_code == 400 and basic.json()["error"] == "invalid_request"
    pkce = httpx.post(f"{fake_linkedin.url}/oauth/v2/accessToken", data={
        **form, "client_id": linkedin_fake.CLIENT_ID,
        "client_secret": linkedin_fake.CLIENT_SECRET, "code_verifier": "v"})
    assert pkce.status_code == 401 and pkce.json()["error"] == "invalid_client"


def test_unapproved_scopes_and_deny_come_back_as_errors(api: LinkedInAPI) -> None:
    url = api.authorize_url(REDIRECT, "st").replace("w_member_social", "r_member_social")
    assert approve(url)["error"] == "unauthorized_scope_error"
    assert deny(api.authorize_url(REDIRECT, "s2"))["state"] == "s2"


# -- profile and posting -----------------------------------------------------------------------

def test_profile_comes_from_userinfo(api: LinkedInAPI, fake_linkedin: Any,
                                     access: Access) -> None:
    profile = api.profile(access)
    assert (profile.external_id, profile.handle, profile.display_name, profile.followers) == (
        fake_linkedin.state.urn(), "lena@example.com", "Lena Linke", None)
    assert fake_linkedin.state.last("/v2/userinfo").header("LinkedIn-Version") is None


def test_publish_sends_a_versioned_post_with_an_article_card(api: LinkedInAPI,
                                                             fake_linkedin: Any,
                                                             access: Access) -> None:
    post = outgoing("Proud of the team!", title="T" * 250, summary="S" * 300)
    published = api.publish(access, post)

    sent = fake_linkedin.state.last("/rest/posts", "POST")
    assert sent.header("LinkedIn-Version") == "202609"
    assert sent.header("X-Restli-Protocol-Version") == "2.0.0"
    assert sent.json["author"] == access.external_id
    assert sent.json["commentary"] == "Proud of the team!"
    assert sent.json["content"] == {"article": {"source": LINK, "title": "T" * 200,
                                                "description": "S" * 250}}
    assert sent.json["lifecycleState"] == "PUBLISHED"
    assert published.remote_id.startswith("urn:li:share:")
    assert published.url == f"https://www.linkedin.com/feed/update/{published.remote_id}/"
    stored = fake_linkedin.state.posts[published.remote_id]
    assert stored["text"] == "Proud of the team!" and stored["article"]["source"] == LINK


def test_reserved_characters_are_escaped_so_nothing_is_cut(api: LinkedInAPI,
                                                           fake_linkedin: Any,
                                                           access: Access) -> None:
    body = ("Read (this) [now]: a_b *bold* ~x~ <tag> {c} @team | back\\slash #Hiring\n"
            "https://example.com/a_b_(c)?q=1 end")
    published = api.publish(access, outgoing(body))

    commentary = fake_linkedin.state.last("/rest/posts").json["commentary"]
    assert commentary.startswith(r"Read \(this\) \[now\]: a\_b \*bold\* \~x\~ \<tag\> \{c\} "
                                 r"\@team \| back\\slash #Hiring")
    assert "https://example.com/a_b_(c)?q=1 end" in commentary  # URLs stay as they are
    assert fake_linkedin.state.posts[published.remote_id]["text"] == body


def test_the_fake_cuts_unescaped_text_like_linkedin(fake_linkedin: Any,
                                                    access: Access) -> None:
    """Why escaping matters: LinkedIn accepts the post and silently truncates it."""
    response = httpx.post(f"{fake_linkedin.url}/rest/posts", headers={
        "Authorization": f"Bearer {access.access_token}", "LinkedIn-Version": "202609",
        "X-Restli-Protocol-Version": "2.0.0"}, json={
        "author": access.external_id, "commentary": "Read (this) #now",
        "visibility": "PUBLIC", "distribution": {"feedDistribution": "MAIN_FEED"},
        "lifecycleState": "PUBLISHED"})
    assert response.status_code == 201 and response.content == b""
    assert fake_linkedin.state.posts[response.headers["x-restli-id"]]["text"] == "Read "


def test_commentary_over_3000_utf16_units_is_rejected(api: LinkedInAPI, fake_linkedin: Any,
                                                      access: Access) -> None:
    api.publish(access, outgoing("😀" * 1500))  # 3000 UTF-16 units
    with pytest.raises(ContentRejected, match="exceeded the maximum allowed"):
        api.publish(access, outgoing("😀" * 1500 + "!"))
    assert len(fake_linkedin.state.live_posts()) == 1


def test_a_duplicate_is_refused_naming_the_post_that_exists(api: LinkedInAPI,
                                                             access: Access) -> None:
    first = api.publish(access, outgoing("Same words"))
    with pytest.raises(AlreadyPosted, match="identical") as raised:
        api.publish(access, outgoing("Same words"))
    assert raised.value.published == first


def test_the_author_must_be_the_member(api: LinkedInAPI, fake_linkedin: Any,
                                       access: Access) -> None:
    other = Access(access.access_token, "urn:li:person:someone-else")
    with pytest.raises(ContentRejected):
        api.publish(other, outgoing())
    assert fake_linkedin.state.live_posts() == []


def test_delete_sends_the_urn_url_encoded(api: LinkedInAPI, fake_linkedin: Any,
                                          access: Access) -> None:
    published = api.publish(access, outgoing())
    api.delete(access, published.remote_id)

    sent = fake_linkedin.state.last("/rest/posts/", "DELETE")
    assert sent.raw_path == f"/rest/posts/{quote(published.remote_id, safe='')}"
    assert sent.header("LinkedIn-Version") == "202609"
    assert sent.answered == 204
    assert fake_linkedin.state.live_posts() == []


def test_no_metrics_no_lookup_no_refresh(api: LinkedInAPI, access: Access) -> None:
    assert api.metrics(access, "urn:li:share:1").note
    with pytest.raises(CannotAsk):
        api.settle(access, outgoing(), dt.datetime.now(dt.UTC))
    with pytest.raises(ReauthRequired):
        api.refresh(access, "anything", None)


def _with_analytics(fake_linkedin: Any) -> LinkedInAPI:
    return LinkedInAPI(ProviderConfig(provider_config(linkedin=fake_linkedin,
                                                      LINKEDIN_ANALYTICS=True)))


def test_without_the_analytics_option_no_statistics_are_asked_for(
        api: LinkedInAPI, fake_linkedin: Any, access: Access) -> None:
    assert ANALYTICS_SCOPE not in api.authorize_url(REDIRECT, "st")
    published = api.publish(access, outgoing())
    assert api.metrics(access, published.remote_id).note.startswith("not available")
    assert fake_linkedin.state.requests_to("/rest/memberCreatorPostAnalytics") == []


def test_an_approved_partner_reads_post_statistics(fake_linkedin: Any) -> None:
    state = fake_linkedin.state
    state.app_scopes.add(ANALYTICS_SCOPE)
    api = _with_analytics(fake_linkedin)
    callback = approve(api.authorize_url(REDIRECT, "st"))
    tokens = api.exchange(callback["code"], REDIRECT)
    assert ANALYTICS_SCOPE in tokens.scopes
    access = Access(tokens.access_token, state.urn(), state.member["email"])
    published = api.publish(access, outgoing())
    state.post_stats[published.remote_id] = {"REACTION": 7, "RESHARE": 2, "COMMENT": 3,
                                             "IMPRESSION": 410}

    assert api.metrics(access, published.remote_id) == Metrics(
        likes=7, reposts=2, replies=3, impressions=410)
    asked = state.requests_to("/rest/memberCreatorPostAnalytics")
    assert {r.query["queryType"] for r in asked} == {"REACTION", "RESHARE", "COMMENT",
                                                     "IMPRESSION"}
    assert all(r.query["entity"] == published.remote_id and r.query["q"] == "entity"
               and r.header("LinkedIn-Version") == "202609" for r in asked)


def test_an_unapproved_app_asking_for_statistics_is_turned_away(fake_linkedin: Any) -> None:
    callback = approve(_with_analytics(fake_linkedin).authorize_url(REDIRECT, "st"))
    assert callback["error"] == "unauthorized_scope_error"


def test_a_token_without_the_statistics_scope_gets_not_available(
        fake_linkedin: Any, access: Access) -> None:
    api = _with_analytics(fake_linkedin)
    published = api.publish(access, outgoing())
    assert "did not grant" in (api.metrics(access, published.remote_id).note or "")


# -- errors ------------------------------------------------------------------------------------

def test_a_retired_version_is_reported_as_such(fake_linkedin: Any, access: Access) -> None:
    api = LinkedInAPI(ProviderConfig(provider_config(linkedin=fake_linkedin,
                                                     LINKEDIN_API_VERSION="202401")))
    with pytest.raises(VersionRetired, match="202401"):
        api.publish(access, outgoing())
    answer = fake_linkedin.state.requests[-1]
    assert answer.answered == 426
    assert fake_linkedin.state.live_posts() == []


def test_the_active_window_moves(api: LinkedInAPI, fake_linkedin: Any,
                                 access: Access) -> None:
    fake_linkedin.state.active_versions = {"202610", "202611"}
    with pytest.raises(VersionRetired):
        api.publish(access, outgoing())


def test_an_expired_token_needs_reconnecting(api: LinkedInAPI, fake_linkedin: Any,
                                             access: Access) -> None:
    fake_linkedin.state.advance(60 * 86400 - 1)
    api.profile(access)
    fake_linkedin.state.advance(1)
    with pytest.raises(ReauthRequired) as raised:
        api.publish(access, outgoing())
    assert raised.value.reason == "expired"
    with pytest.raises(ReauthRequired):
        api.profile(access)


def test_a_revoked_token_is_told_apart_from_an_expired_one(
        api: LinkedInAPI, fake_linkedin: Any, access: Access) -> None:
    fake_linkedin.state.revoke_token(access.access_token)
    with pytest.raises(ReauthRequired) as raised:
        api.publish(access, outgoing())
    assert raised.value.reason == "revoked"


def test_the_daily_limit_waits_for_midnight_utc(api: LinkedInAPI, fake_linkedin: Any,
                                                access: Access) -> None:
    fake_linkedin.state.daily_post_limit = 1
    api.publish(access, outgoing("one"))
    before = dt.datetime.now(dt.UTC)
    with pytest.raises(RateLimited) as raised:
        api.publish(access, outgoing("two"))
    after = dt.datetime.now(dt.UTC)
    assert raised.value.retry_at in {_next_midnight(before), _next_midnight(after)}
    fake_linkedin.state.set_now(_next_midnight(fake_linkedin.state.now()))
    api.publish(access, outgoing("two"))


def test_an_injected_429_also_waits_for_midnight(api: LinkedInAPI, fake_linkedin: Any,
                                                 access: Access) -> None:
    fake_linkedin.state.fail_next(429, path_prefix="/rest/posts")
    with pytest.raises(RateLimited) as raised:
        api.publish(access, outgoing())
    assert raised.value.retry_at is not None
    assert raised.value.retry_at.time() == dt.time(0, 0)
    assert raised.value.retry_at > dt.datetime.now(dt.UTC)


@pytest.mark.parametrize("status", [500, 503, 504])
def test_server_errors_to_a_post_leave_its_outcome_unknown(
        api: LinkedInAPI, fake_linkedin: Any, access: Access, status: int) -> None:
    fake_linkedin.state.fail_next(status)
    with pytest.raises(UnknownOutcome):
        api.publish(access, outgoing())
    assert fake_linkedin.state.live_posts() == []


def test_created_then_500_then_sent_again_names_the_post_that_exists(
        api: LinkedInAPI, fake_linkedin: Any, access: Access) -> None:
    """Reproduced: LinkedIn made the post and answered 500; the resend was refused as
    DUPLICATE_POST, which names the URN of the live post."""
    post = outgoing()
    fake_linkedin.state.fail_after_next(500, path_prefix="/rest/posts", method="POST")
    with pytest.raises(UnknownOutcome):
        api.publish(access, post)
    [live] = fake_linkedin.state.live_posts()
    with pytest.raises(AlreadyPosted) as raised:
        api.publish(access, post)
    assert raised.value.published is not None
    assert raised.value.published.remote_id == live["urn"]


def test_a_reader_gets_nothing_from_a_server_that_is_down(api: LinkedInAPI,
                                                          access: Access) -> None:
    with pytest.raises(Unavailable):
        LinkedInAPI(ProviderConfig(provider_config())).profile(access)


def test_unanswered_post_times_out_as_unknown_outcome(api: LinkedInAPI, fake_linkedin: Any,
                                                      access: Access) -> None:
    post = outgoing()
    fake_linkedin.state.hang_after_next("/rest/posts", 2.5, method="POST")
    with pytest.raises(UnknownOutcome):
        api.publish(access, post)
    assert [p["text"] for p in fake_linkedin.state.live_posts()] == [post.body]  # created
