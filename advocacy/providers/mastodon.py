"""Mastodon: any server the person names. Share page on their server (or the official
picker); API posting with our app registered once per server; tokens do not expire."""

import datetime as dt
import html
import re
from urllib.parse import quote

import httpx

from advocacy.providers.api import (
    Access,
    AddressRefused,
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
    error_detail,
    raise_for_status,
    sent_but_unanswered,
)
from advocacy.providers.base import Composition, Network, query
from advocacy.providers.http import UnsafeAddress

PICKER = "https://share.joinmastodon.org/"
_HOST = re.compile(r"^(?=.{4,200}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def normalize_instance(value: str) -> str | None:
    """A bare host name such as "mastodon.social", or None when it is not one."""
    host = value.strip().lower().removeprefix("https://").removeprefix("@").rstrip("/")
    host = host.split("@")[-1]  # "@name@server" -> "server"
    return host if _HOST.match(host) else None


def intent(c: Composition) -> str:
    base = f"https://{c.mastodon_instance}/share" if c.mastodon_instance else PICKER
    return query(base, text=c.full)


NETWORK = Network("mastodon", "Mastodon", intent, order=4)
LABEL = NETWORK.label

SCOPES = "read:accounts read:statuses write:statuses"
# Mastodon keeps an Idempotency-Key for about an hour; after 50 minutes we read instead.
IDEMPOTENCY_WINDOW = dt.timedelta(minutes=50)
LOOKUP_MARGIN = dt.timedelta(minutes=2)
LOOKUP_PAGES = 5


def _created(status: dict[str, object]) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(str(status.get("created_at")).replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.UTC)


def _reset_time(response: httpx.Response) -> dt.datetime | None:
    """Mastodon sends X-RateLimit-Reset as an ISO 8601 time."""
    value = response.headers.get("X-RateLimit-Reset")
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


class MastodonAPI(Provider):
    """Mastodon: any server; our app registered once per server; tokens do not expire."""

    network = NETWORK
    capabilities = Capabilities(
        network="mastodon", char_limit=500, counts_urls_as=23, auth="oauth_pkce",
        refresh="none", token_lifetime=None, idempotency=True, lookup=True, metrics=True,
        needs_credentials=False, per_server=True)

    def _call(self, method: str, url: str, *, creating: bool = False,
              **kwargs: object) -> httpx.Response:
        try:
            with self.http(guard=True) as http:
                response = http.request(method, url, **kwargs)  # type: ignore[arg-type]
        except UnsafeAddress as exc:
            raise AddressRefused("server_refused", cause=exc.problem, network=LABEL) from None
        except httpx.HTTPError as exc:
            if creating and sent_but_unanswered(exc):
                raise UnknownOutcome("timeout", network=LABEL) from exc
            raise Unavailable("unreachable", detail=str(exc), network=LABEL) from exc
        if response.status_code == 429:
            raise RateLimited("slow_down", retry_at=_reset_time(response), status=429,
                              network=LABEL)
        if response.status_code == 401:
            # Doorkeeper says which: "The access token was revoked" (by the person, in
            # their settings, or by the server), "... expired", or "... is invalid".
            detail = error_detail(response)
            reason = "revoked" if "revoked" in detail else "expired" if "expired" in detail \
                else "auth"
            raise ReauthRequired("refused_access", detail=detail, status=401, reason=reason,
                                 network=LABEL)
        raise_for_status(response, network=LABEL, creating=creating)
        return response

    def register(self, base_url: str, redirect_uri: str, app_name: str,
                 website: str) -> Client:
        """Register our app on a server (once; the caller stores the result)."""
        answer = self._call("POST", f"{base_url}/api/v1/apps", json={
            "client_name": app_name, "redirect_uris": [redirect_uri], "scopes": SCOPES,
            "website": website}).json()
        return Client(answer["client_id"], answer["client_secret"])

    def knows(self, base_url: str, client: Client) -> bool:
        """Whether the server still knows our app: older servers removed apps that had no
        tokens, and their sign-in page then fails before the person comes back to us."""
        try:
            self._call("POST", f"{base_url}/oauth/token", data={
                "grant_type": "client_credentials", "client_id": client.client_id,
                "client_secret": client.client_secret, "scope": SCOPES})
        except ReauthRequired:
            return False
        return True

    def authorize_url(self, base_url: str, client: Client, redirect_uri: str, state: str,
                      challenge: str) -> str:
        return query(f"{base_url}/oauth/authorize", response_type="code",
                     client_id=client.client_id, redirect_uri=redirect_uri, scope=SCOPES,
                     state=state, code_challenge=challenge, code_challenge_method="S256")

    def exchange(self, base_url: str, client: Client, code: str, redirect_uri: str,
                 verifier: str) -> Tokens:
        answer = self._call("POST", f"{base_url}/oauth/token", data={
            "grant_type": "authorization_code", "code": code, "client_id": client.client_id,
            "client_secret": client.client_secret, "redirect_uri": redirect_uri,
            "code_verifier": verifier, "scope": SCOPES}).json()
        return Tokens(answer["access_token"], scopes=answer.get("scope", SCOPES))

    def _auth(self, access: Access) -> dict[str, str]:
        return {"Authorization": f"Bearer {access.access_token}"}

    def profile(self, access: Access) -> Profile:
        me = self._call("GET", f"{access.base_url}/api/v1/accounts/verify_credentials",
                        headers=self._auth(access)).json()
        host = (access.base_url or "").split("://", 1)[-1]
        return Profile(str(me["id"]), f"@{me['acct']}@{host}", me.get("display_name") or "",
                       me.get("followers_count"))

    def limits(self, base_url: str) -> tuple[int, int]:
        """The server's character limit and what a URL counts (GET /api/v2/instance)."""
        answer = self._call("GET", f"{base_url}/api/v2/instance").json()
        statuses = answer.get("configuration", {}).get("statuses", {})
        return (int(statuses.get("max_characters", 500)),
                int(statuses.get("characters_reserved_per_url", 23)))

    def publish(self, access: Access, post: Outgoing) -> Published:
        # The Idempotency-Key makes a resend within an hour return the same status.
        status = self._call("POST", f"{access.base_url}/api/v1/statuses", creating=True,
                            headers={**self._auth(access),
                                     "Idempotency-Key": post.idempotency_key},
                            data={"status": post.text, "visibility": "public",
                                  "language": post.language}).json()
        return Published(str(status["id"]), status.get("url") or "")

    def settle(self, access: Access, post: Outgoing, now: dt.datetime) -> Published | None:
        """While the server still remembers the Idempotency-Key (about an hour), sending
        again returns the status the first attempt made, or makes it if that one never
        arrived. Later, the account's own statuses since the first attempt are read."""
        if post.sent_at is not None and now - post.sent_at < IDEMPOTENCY_WINDOW:
            try:
                return self.publish(access, post)
            except ContentRejected as exc:
                if exc.status == 422:
                    # The key is checked before the text: a refusal means no status was
                    # made under this key. Sending it (again) is refused the same way.
                    return None
                raise LookupFailed("lookup_failed", cause=exc.problem, network=LABEL,
                                   retry_at=exc.retry_at) from None
            except (UnknownOutcome, Unavailable, RateLimited) as exc:
                raise LookupFailed("lookup_failed", cause=exc.problem, network=LABEL,
                                   retry_at=exc.retry_at) from None
        return self._look_up(access, post, now)

    def _look_up(self, access: Access, post: Outgoing, now: dt.datetime) -> Published | None:
        since = (post.sent_at or now) - LOOKUP_MARGIN
        params: dict[str, object] = {"limit": 40, "exclude_reblogs": "true"}
        url = f"{access.base_url}/api/v1/accounts/{quote(access.external_id)}/statuses"
        for _page in range(LOOKUP_PAGES):
            try:
                statuses = self._call("GET", url, params=params,
                                      headers=self._auth(access)).json()
            except ReauthRequired:
                raise
            except ProviderError as exc:
                raise LookupFailed("lookup_failed", cause=exc.problem, network=LABEL,
                                   retry_at=exc.retry_at) from None
            for status in statuses:
                # The link is in the href of the status's HTML, whole, even where the text
                # shows it shortened.
                if post.link in html.unescape(status.get("content") or ""):
                    return Published(str(status["id"]), status.get("url") or "")
            if not statuses or _created(statuses[-1]) < since:
                return None  # read back to before the first attempt: it is not there
            params["max_id"] = statuses[-1]["id"]
        raise CannotAsk("too_many_to_read", network=LABEL)

    def delete(self, access: Access, remote_id: str) -> None:
        self._call("DELETE", f"{access.base_url}/api/v1/statuses/{quote(remote_id)}",
                   headers=self._auth(access))

    def metrics(self, access: Access, remote_id: str) -> Metrics:
        status = self._call("GET", f"{access.base_url}/api/v1/statuses/{quote(remote_id)}",
                            headers=self._auth(access)).json()
        return Metrics(likes=status.get("favourites_count"),
                       reposts=status.get("reblogs_count"),
                       replies=status.get("replies_count"))
