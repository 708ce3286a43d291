"""X. Share intent with text and URL; API posting with OAuth 2.0 and PKCE, two-hour
tokens and one-time refresh tokens (each refresh returns a new pair; the old refresh token
must never be used again, or X may revoke the whole family)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import quote

import httpx

from advocacy.providers.api import (
    Access,
    AlreadyPosted,
    CannotAsk,
    Capabilities,
    Client,
    ContentRejected,
    LookupFailed,
    Metrics,
    Outgoing,
    Profile,
    Provider,
    ProviderError,
    Published,
    RateLimited,
    ReauthRequired,
    Tokens,
    Unavailable,
    UnknownOutcome,
    UsageCapped,
    error_detail,
    next_month,
    raise_for_status,
    sent_but_unanswered,
)
from advocacy.providers.base import Composition, Network, query

SCOPES = "tweet.read tweet.write users.read offline.access"


def intent(c: Composition) -> str:
    return query("https://x.com/intent/tweet", text=c.body, url=c.link)


NETWORK = Network("x", "X", intent, order=3)
LABEL = NETWORK.label


LOOKUP_MARGIN = dt.timedelta(minutes=2)  # clocks differ: start reading a little earlier
LOOKUP_PAGES = 3


def _usage_capped(response: httpx.Response) -> bool:
    """X's answer when the app's monthly usage cap is used up (a problem whose type ends in
    usage-capped, or a title UsageCapExceeded), as opposed to a 15-minute rate limit."""
    try:
        body = response.json()
    except ValueError:
        return "usage_capped" in response.text.lower() or "usage-capped" in response.text
    if not isinstance(body, dict):
        return False
    marks = (str(body.get("type", "")), str(body.get("title", "")), str(body.get("detail", "")))
    return any(m.endswith("usage-capped") or m in ("UsageCapExceeded", "usage_capped")
               or "usage cap" in m.lower() for m in marks)


def _reset_time(response: httpx.Response) -> dt.datetime | None:
    value = response.headers.get("x-rate-limit-reset")
    return dt.datetime.fromtimestamp(int(value), dt.UTC) if value and value.isdigit() else None


class XAPI(Provider):
    network = NETWORK
    capabilities = Capabilities(
        network="x", char_limit=280, counts_urls_as=23, auth="oauth_pkce", refresh="rotating",
        token_lifetime=dt.timedelta(hours=2), idempotency=False, lookup=True, metrics=True,
        needs_credentials=True, per_server=False,
        # Pay-per-use since February 2026 (share-apis.md, updates of December 2026).
        cost_per_post=Decimal("0.015"), cost_per_link_post=Decimal("0.20"))

    @property
    def client(self) -> Client:
        return Client(self.config["X_CLIENT_ID"], self.config["X_CLIENT_SECRET"])

    def configured(self) -> bool:
        return bool(self.config["X_CLIENT_ID"] and self.config["X_CLIENT_SECRET"])

    def _api(self, path: str) -> str:
        return f"{self.config['X_API_URL'].rstrip('/')}{path}"

    def _call(self, method: str, path: str, *, creating: bool = False,
              **kwargs: object) -> httpx.Response:
        try:
            with self.http() as http:
                response = http.request(method, self._api(path), **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            if creating and sent_but_unanswered(exc):
                raise UnknownOutcome("timeout", network=LABEL) from exc
            raise Unavailable("unreachable", detail=str(exc), network=LABEL) from exc
        if response.status_code == 429 and _usage_capped(response):
            raise UsageCapped("usage_capped", detail=error_detail(response),
                              retry_at=next_month(), status=429, network=LABEL)
        if response.status_code == 429:
            raise RateLimited("slow_down", retry_at=_reset_time(response), status=429,
                              network=LABEL)
        if response.status_code == 403 and "duplicate" in response.text.lower():
            raise AlreadyPosted("duplicate", status=403, network=LABEL)
        if response.status_code in (400, 403) and "too long" in response.text.lower():
            raise ContentRejected("refused_post", detail=error_detail(response), status=403,
                                  reason="too_long", network=LABEL)
        raise_for_status(response, network=LABEL, creating=creating)
        return response

    def authorize_url(self, redirect_uri: str, state: str, challenge: str) -> str:
        # x.com, not twitter.com: the latter does not share the login and picks wrong accounts.
        return query(f"{self.config['X_AUTH_URL'].rstrip('/')}/i/oauth2/authorize",
                     response_type="code", client_id=self.client.client_id,
                     redirect_uri=redirect_uri, scope=SCOPES, state=state,
                     code_challenge=challenge, code_challenge_method="S256")

    def _token(self, form: dict[str, str]) -> Tokens:
        # A confidential client authenticates with HTTP Basic, not in the form.
        try:
            with self.http() as http:
                response = http.post(self._api("/2/oauth2/token"), data=form,
                                     auth=(self.client.client_id, self.client.client_secret))
        except httpx.HTTPError as exc:
            raise Unavailable("unreachable", detail=str(exc), network=LABEL) from exc
        if response.status_code in (400, 401) and form["grant_type"] == "refresh_token":
            raise ReauthRequired("renewal_refused", network=LABEL)
        raise_for_status(response, network=LABEL)
        answer = response.json()
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=int(answer["expires_in"]))
        return Tokens(answer["access_token"], answer.get("refresh_token"), expires,
                      answer.get("scope", SCOPES))

    def exchange(self, code: str, redirect_uri: str, verifier: str) -> Tokens:
        return self._token({"grant_type": "authorization_code", "code": code,
                            "redirect_uri": redirect_uri, "code_verifier": verifier})

    def refresh(self, access: Access, refresh_token: str, client: Client | None) -> Tokens:
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _auth(self, access: Access) -> dict[str, str]:
        return {"Authorization": f"Bearer {access.access_token}"}

    def profile(self, access: Access) -> Profile:
        data = self._call("GET", "/2/users/me", params={"user.fields": "public_metrics"},
                          headers=self._auth(access)).json()["data"]
        followers = data.get("public_metrics", {}).get("followers_count")
        return Profile(str(data["id"]), f"@{data['username']}", data.get("name", ""), followers)

    def _url(self, access: Access, post_id: str) -> str:
        return f"https://x.com/{access.handle.lstrip('@') or 'i'}/status/{post_id}"

    def publish(self, access: Access, post: Outgoing) -> Published:
        data = self._call("POST", "/2/tweets", json={"text": post.text}, creating=True,
                          headers=self._auth(access)).json()["data"]
        return Published(str(data["id"]), self._url(access, str(data["id"])))

    def settle(self, access: Access, post: Outgoing, now: dt.datetime) -> Published | None:
        """X takes no idempotency key: read the author's posts since the first attempt and
        look for the tracked link (X shows every URL as a t.co link; the original is in the
        entities). Every page read is billed, so the window is as short as the facts allow."""
        since = (post.sent_at or now) - LOOKUP_MARGIN
        params: dict[str, object] = {
            "max_results": 100, "tweet.fields": "entities",
            "start_time": since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        for _page in range(LOOKUP_PAGES):
            try:
                answer = self._call("GET", f"/2/users/{quote(access.external_id)}/tweets",
                                    params=params, headers=self._auth(access)).json()
            except (ReauthRequired, UsageCapped):
                raise
            except ProviderError as exc:
                raise LookupFailed("lookup_failed", cause=exc.problem, network=LABEL,
                                   retry_at=exc.retry_at) from None
            if answer.get("errors") and not answer.get("data"):
                raise LookupFailed("lookup_failed", network=LABEL, detail=str(
                    answer["errors"][0].get("detail", "error")))
            for tweet in answer.get("data", []):
                # X shows a URL it recognises as a t.co link and names the original in
                # the entities; one it does not recognise stays in the text as it is.
                urls = tweet.get("entities", {}).get("urls", [])
                if post.link in (tweet.get("text") or "") or any(
                        u.get("expanded_url") == post.link for u in urls):
                    return Published(str(tweet["id"]), self._url(access, str(tweet["id"])))
            token = answer.get("meta", {}).get("next_token")
            if not token:
                return None
            params["pagination_token"] = token
        raise CannotAsk("too_many_to_read", network=LABEL)

    def delete(self, access: Access, remote_id: str) -> None:
        self._call("DELETE", f"/2/tweets/{quote(remote_id)}", headers=self._auth(access))

    def metrics(self, access: Access, remote_id: str) -> Metrics:
        try:
            answer = self._call("GET", f"/2/tweets/{quote(remote_id)}",
                                params={"tweet.fields": "public_metrics"},
                                headers=self._auth(access)).json()
        except ContentRejected as exc:
            if exc.status == 403:  # reading is not part of this app's access level
                return Metrics(note="not available at this API access level")
            raise
        data = answer.get("data") or {}
        if not data and answer.get("errors"):  # X answers 200 with errors for a deleted post
            return Metrics(note="not available: the post is no longer on X")
        numbers = data.get("public_metrics")
        if not numbers:
            return Metrics(note="not available at this API access level")
        return Metrics(likes=numbers.get("like_count"), reposts=numbers.get("retweet_count"),
                       replies=numbers.get("reply_count"),
                       impressions=numbers.get("impression_count"))
