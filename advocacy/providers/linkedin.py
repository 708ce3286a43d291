"""LinkedIn. The share-offsite page takes a URL only (the text is pasted); API posting
through the versioned Posts API with OpenID Connect sign-in and `w_member_social`. Tokens
last 60 days and cannot be refreshed by self-serve apps: people reconnect, and are
reminded a week before."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import httpx

from advocacy.providers.api import (
    Access,
    AlreadyPosted,
    Capabilities,
    ContentRejected,
    Metrics,
    Outgoing,
    Profile,
    Provider,
    Published,
    RateLimited,
    ReauthRequired,
    Tokens,
    Unavailable,
    UnknownOutcome,
    VersionRetired,
    error_detail,
    raise_for_status,
    sent_but_unanswered,
)
from advocacy.providers.base import Composition, Network, query
from advocacy.providers.little import escape_little

SCOPES = "openid profile email w_member_social"
ANALYTICS_SCOPE = "r_member_postAnalytics"


def intent(c: Composition) -> str:
    return query("https://www.linkedin.com/sharing/share-offsite/", url=c.link)


NETWORK = Network("linkedin", "LinkedIn", intent, url_only=True, order=1)
LABEL = NETWORK.label


# LinkedIn's duplicate refusal names the post it duplicates ("... duplicate of urn:li:...").
_DUPLICATE_OF = re.compile(r"urn:li:(?:share|ugcPost|activity):\d+")


def urn_time(urn: str) -> dt.datetime | None:
    """When the post a URN names was made: LinkedIn's ids carry their creation time in
    milliseconds in the bits above the lowest 22 (not documented by LinkedIn; widely
    relied on). Only used to refuse a duplicate answer naming an older post as ours, so
    a wrong reading errs towards asking the person."""
    try:
        millis = int(urn.rsplit(":", 1)[1]) >> 22
        return dt.datetime.fromtimestamp(millis / 1000, dt.UTC)
    except (IndexError, ValueError, OverflowError, OSError):
        return None


def _code(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("code") or "") if isinstance(body, dict) else ""


def _post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"


def _next_midnight() -> dt.datetime:
    """LinkedIn's daily limits reset at midnight UTC and it sends no reset header."""
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(), dt.UTC)


class LinkedInAPI(Provider):
    network = NETWORK
    capabilities = Capabilities(
        network="linkedin", char_limit=3000, counts_urls_as=None, auth="oauth",
        refresh="none", token_lifetime=dt.timedelta(days=60), idempotency=False, lookup=False,
        metrics=False, needs_credentials=True, per_server=False)

    def configured(self) -> bool:
        return bool(self.config["LINKEDIN_CLIENT_ID"] and self.config["LINKEDIN_CLIENT_SECRET"])

    def _auth_url(self, path: str) -> str:
        return f"{self.config['LINKEDIN_AUTH_URL'].rstrip('/')}{path}"

    def _api(self, path: str) -> str:
        return f"{self.config['LINKEDIN_API_URL'].rstrip('/')}{path}"

    def _headers(self, access: Access) -> dict[str, str]:
        return {"Authorization": f"Bearer {access.access_token}",
                "LinkedIn-Version": self.config["LINKEDIN_API_VERSION"],
                "X-Restli-Protocol-Version": "2.0.0"}

    def _call(self, method: str, url: str, *, creating: bool = False,
              **kwargs: object) -> httpx.Response:
        try:
            with self.http() as http:
                response = http.request(method, url, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            if creating and sent_but_unanswered(exc):
                raise UnknownOutcome("timeout", network=LABEL) from exc
            raise Unavailable("unreachable", detail=str(exc), network=LABEL) from exc
        if response.status_code == 426:
            raise VersionRetired("version_retired", network=LABEL,
                                 version=str(self.config["LINKEDIN_API_VERSION"]))
        if response.status_code == 429:
            raise RateLimited("daily_limit", retry_at=_next_midnight(), network=LABEL)
        if response.status_code == 422 and _code(response) == "DUPLICATE_POST":
            urn = _DUPLICATE_OF.search(error_detail(response))
            raise AlreadyPosted(
                "duplicate", Published(urn.group(), _post_url(urn.group())) if urn else None,
                created_at=urn_time(urn.group()) if urn else None, status=422,
                detail=urn.group() if urn else "", network=LABEL)
        if response.status_code == 401:
            code = _code(response)
            reason = {"REVOKED_ACCESS_TOKEN": "revoked", "EXPIRED_ACCESS_TOKEN": "expired"}.get(
                code, "auth")
            raise ReauthRequired("refused_access", detail=error_detail(response), status=401,
                                 reason=reason, network=LABEL)
        raise_for_status(response, network=LABEL, creating=creating)
        return response

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        # No PKCE: LinkedIn enables it per app only on request and refuses it otherwise.
        return query(self._auth_url("/oauth/v2/authorization"), response_type="code",
                     client_id=self.config["LINKEDIN_CLIENT_ID"], redirect_uri=redirect_uri,
                     state=state, scope=self._scopes())

    def _scopes(self) -> str:
        # Post statistics need a scope LinkedIn grants only to approved partner apps.
        return f"{SCOPES} {ANALYTICS_SCOPE}" if self.config["LINKEDIN_ANALYTICS"] else SCOPES

    def exchange(self, code: str, redirect_uri: str) -> Tokens:
        # LinkedIn wants the client credentials in the form body, not as HTTP Basic.
        answer = self._call("POST", self._auth_url("/oauth/v2/accessToken"), data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "client_id": self.config["LINKEDIN_CLIENT_ID"],
            "client_secret": self.config["LINKEDIN_CLIENT_SECRET"]}).json()
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=int(answer["expires_in"]))
        return Tokens(answer["access_token"], None, expires, answer.get("scope", self._scopes()))

    def profile(self, access: Access) -> Profile:
        # /v2/me answers 403 to apps with only the self-serve products; /v2/userinfo works.
        info = self._call("GET", self._api("/v2/userinfo"),
                          headers={"Authorization": f"Bearer {access.access_token}"}).json()
        return Profile(f"urn:li:person:{info['sub']}", info.get("email") or info["sub"],
                       info.get("name", ""), None)

    def publish(self, access: Access, post: Outgoing) -> Published:
        response = self._call("POST", self._api("/rest/posts"), headers=self._headers(access),
                              creating=True, json={
            "author": access.external_id,
            "commentary": escape_little(post.body),
            "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                             "thirdPartyDistributionChannels": []},
            # LinkedIn does not scrape article links: the card's fields come from us.
            "content": {"article": {"source": post.link, "title": post.title[:200],
                                    "description": post.summary[:250]}},
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        })
        urn = response.headers.get("x-restli-id", "")
        if not urn:
            raise UnknownOutcome("no_post_id", network=LABEL)
        return Published(urn, _post_url(urn))

    def delete(self, access: Access, remote_id: str) -> None:
        self._call("DELETE", self._api(f"/rest/posts/{quote(remote_id, safe='')}"),
                   headers=self._headers(access))

    def metrics(self, access: Access, remote_id: str) -> Metrics:
        if not self.config["LINKEDIN_ANALYTICS"]:
            return Metrics(note="not available: LinkedIn keeps member post statistics for "
                                "approved partners")
        counts: dict[str, int | None] = {}
        for kind in ("REACTION", "RESHARE", "COMMENT", "IMPRESSION"):
            try:
                answer = self._call("GET", self._api("/rest/memberCreatorPostAnalytics"),
                                    headers=self._headers(access), params={
                                        "q": "entity", "entity": remote_id, "queryType": kind,
                                        "aggregation": "TOTAL"}).json()
            except ContentRejected as exc:
                if exc.status == 403:  # the scope was not granted to this account
                    return Metrics(note="not available: this LinkedIn account did not grant "
                                        "post statistics")
                raise
            elements = answer.get("elements") or []
            counts[kind] = sum(int(e.get("count") or 0) for e in elements) if elements else None
        return Metrics(likes=counts["REACTION"], reposts=counts["RESHARE"],
                       replies=counts["COMMENT"], impressions=counts["IMPRESSION"])
