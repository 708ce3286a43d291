"""Bluesky. The compose intent takes the whole text. API posting signs in with the handle
and an app password once, keeps the session and refreshes it (a login per post would hit
Bluesky's createSession limits); links become facets with UTF-8 byte offsets, and the link
card is built by us, because Bluesky does not fetch pages."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass

import httpx

from advocacy.providers.api import (
    Access,
    AddressRefused,
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
    raise_for_status,
    sent_but_unanswered,
)
from advocacy.providers.base import Composition, Network, query
from advocacy.providers.counting import find_urls
from advocacy.providers.http import UnsafeAddress
from advocacy.providers.keys import is_tid

POST = "app.bsky.feed.post"


def intent(c: Composition) -> str:
    return query("https://bsky.app/intent/compose", text=c.full)


NETWORK = Network("bluesky", "Bluesky", intent, order=5)
LABEL = NETWORK.label


class TokenExpired(ReauthRequired):
    """The access token is out of date: refresh the session and try again."""


@dataclass(frozen=True)
class Session:
    tokens: Tokens
    did: str
    handle: str
    pds_url: str


def jwt_expiry(token: str) -> dt.datetime | None:
    """When a session JWT runs out (read, not verified: the PDS verifies it)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return dt.datetime.fromtimestamp(int(claims["exp"]), dt.UTC)
    except (IndexError, KeyError, ValueError):
        return None


def link_facets(text: str) -> list[dict[str, object]]:
    """A link facet per URL, with start and end as UTF-8 byte offsets (end exclusive)."""
    facets = []
    for start, end in find_urls(text):
        byte_start = len(text[:start].encode("utf-8"))
        byte_end = byte_start + len(text[start:end].encode("utf-8"))
        uri = text[start:end]
        facets.append({
            "index": {"byteStart": byte_start, "byteEnd": byte_end},
            "features": [{"$type": "app.bsky.richtext.facet#link",
                          "uri": uri if "://" in uri else f"https://{uri}"}],
        })
    return facets


class BlueskyAPI(Provider):
    network = NETWORK
    capabilities = Capabilities(
        network="bluesky", char_limit=300, counts_urls_as=None, auth="app_password",
        refresh="session", token_lifetime=None, idempotency=False, lookup=True, metrics=True,
        needs_credentials=False, per_server=True)

    def _call(self, method: str, base_url: str, nsid: str, *, token: str | None = None,
              creating: bool = False, **kwargs: object) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})  # type: ignore[call-overload]
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            with self.http(guard=True) as http:
                response = http.request(method, f"{base_url.rstrip('/')}/xrpc/{nsid}",
                                        headers=headers, **kwargs)  # type: ignore[arg-type]
        except UnsafeAddress as exc:
            raise AddressRefused("server_refused", cause=exc.problem, network=LABEL) from None
        except httpx.HTTPError as exc:
            if creating and sent_but_unanswered(exc):
                raise UnknownOutcome("timeout", network=LABEL) from exc
            raise Unavailable("unreachable", detail=str(exc), network=LABEL) from exc
        error = _error_name(response)
        if error == "ExpiredToken":
            raise TokenExpired("session_expired", network=LABEL)
        if response.status_code == 429:
            reset = response.headers.get("RateLimit-Reset")
            raise RateLimited("slow_down", network=LABEL, retry_at=(
                dt.datetime.fromtimestamp(int(reset), dt.UTC) if reset and reset.isdigit()
                else None))
        if response.status_code in (401, 400) and error in (
                "AuthenticationRequired", "InvalidToken", "AuthMissing", "AccountTakedown"):
            raise ReauthRequired("sign_in_refused", detail=_message(response), network=LABEL)
        if response.status_code == 400:
            raise ContentRejected("refused_post", detail=_message(response), status=400,
                                  reason=error or "content", network=LABEL)
        raise_for_status(response, network=LABEL, creating=creating)
        return response

    def login(self, base_url: str, identifier: str, app_password: str) -> Session:
        answer = self._call("POST", base_url, "com.atproto.server.createSession",
                            json={"identifier": identifier, "password": app_password}).json()
        return self._session(answer, base_url)

    def _session(self, answer: dict[str, object], base_url: str) -> Session:
        access, refresh = str(answer["accessJwt"]), str(answer["refreshJwt"])
        return Session(Tokens(access, refresh, jwt_expiry(access)), str(answer["did"]),
                       str(answer["handle"]), _pds_endpoint(answer) or base_url)

    def refresh(self, access: Access, refresh_token: str, client: Client | None) -> Tokens:
        try:
            answer = self._call("POST", access.base_url or "", "com.atproto.server.refreshSession",
                                token=refresh_token).json()
        except TokenExpired:
            raise ReauthRequired("renewal_refused", network=LABEL) from None
        return self._session(answer, access.base_url or "").tokens

    def profile(self, access: Access) -> Profile:
        try:
            answer = self._call("GET", access.base_url or "", "app.bsky.actor.getProfile",
                                token=access.access_token,
                                params={"actor": access.external_id}).json()
        except (ContentRejected, Unavailable):
            return Profile(access.external_id, access.handle)  # no AppView behind this PDS
        return Profile(access.external_id, answer.get("handle") or access.handle,
                       answer.get("displayName") or "", answer.get("followersCount"))

    def upload_image(self, access: Access, image: bytes, mime_type: str) -> dict[str, object]:
        answer = self._call("POST", access.base_url or "", "com.atproto.repo.uploadBlob",
                            token=access.access_token, content=image,
                            headers={"Content-Type": mime_type}).json()
        return dict(answer["blob"])

    def publish(self, access: Access, post: Outgoing) -> Published:
        card: dict[str, object] = {"uri": post.link, "title": post.title[:300],
                                   "description": post.summary[:1000]}
        if post.image and post.image_type:
            card["thumb"] = self.upload_image(access, post.image, post.image_type)
        record = {
            "$type": POST, "text": post.text, "facets": link_facets(post.text),
            "createdAt": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
                         .replace("+00:00", "Z"),
            "langs": [post.language],
            "embed": {"$type": "app.bsky.embed.external", "external": card},
        }
        request: dict[str, object] = {"repo": access.external_id, "collection": POST,
                                      "record": record}
        if is_tid(post.idempotency_key):
            # Our own record key: a second create of the same post is refused by the PDS
            # (it answers 500), so a resend can never make a second post.
            request["rkey"] = post.idempotency_key
        answer = self._call("POST", access.base_url or "", "com.atproto.repo.createRecord",
                            token=access.access_token, creating=True, json=request).json()
        return Published(answer["uri"], _web_url(access, answer["uri"]))

    def settle(self, access: Access, post: Outgoing, now: dt.datetime) -> Published | None:
        """The record key is ours: ask for exactly that record. (Rows queued before keys
        were TIDs are looked for among the latest records.)"""
        try:
            if is_tid(post.idempotency_key):
                return self._record(access, post.idempotency_key)
            return self._latest(access, post)
        except (ReauthRequired, TokenExpired):
            raise
        except ProviderError as exc:
            raise LookupFailed("lookup_failed", cause=exc.problem, network=LABEL,
                               retry_at=exc.retry_at) from None

    def _record(self, access: Access, rkey: str) -> Published | None:
        try:
            answer = self._call("GET", access.base_url or "", "com.atproto.repo.getRecord",
                                token=access.access_token,
                                params={"repo": access.external_id, "collection": POST,
                                        "rkey": rkey}).json()
        except ContentRejected as exc:
            if exc.reason == "RecordNotFound":
                return None
            raise
        return Published(answer["uri"], _web_url(access, answer["uri"]))

    def _latest(self, access: Access, post: Outgoing) -> Published | None:
        answer = self._call("GET", access.base_url or "", "com.atproto.repo.listRecords",
                            token=access.access_token,
                            params={"repo": access.external_id, "collection": POST,
                                    "limit": 25}).json()
        for record in answer.get("records", []):
            if post.link in record.get("value", {}).get("text", ""):
                return Published(record["uri"], _web_url(access, record["uri"]))
        return None

    def delete(self, access: Access, remote_id: str) -> None:
        self._call("POST", access.base_url or "", "com.atproto.repo.deleteRecord",
                   token=access.access_token,
                   json={"repo": access.external_id, "collection": POST,
                         "rkey": remote_id.rsplit("/", 1)[-1]})

    def metrics(self, access: Access, remote_id: str) -> Metrics:
        try:
            answer = self._call("GET", access.base_url or "", "app.bsky.feed.getPosts",
                                token=access.access_token, params={"uris": remote_id}).json()
        except (ContentRejected, Unavailable) as exc:
            # A PDS without an AppView behind it cannot answer this at all (501, or 400
            # naming the method); anything else (down, rate limit, expired) is tried again
            # at the next fetch instead of being recorded as "not available".
            if exc.status != 501 and not isinstance(exc, ContentRejected):
                raise
            return Metrics(note="not available from this Bluesky server")
        posts = answer.get("posts", [])
        if not posts:
            return Metrics(note="not available from this Bluesky server")
        found = posts[0]
        return Metrics(likes=found.get("likeCount"), reposts=found.get("repostCount"),
                       replies=found.get("replyCount"))


def _error_name(response: httpx.Response) -> str:
    if response.status_code < 400:
        return ""
    try:
        return str(response.json().get("error") or "")
    except ValueError:
        return ""


def _message(response: httpx.Response) -> str:
    try:
        return str(response.json().get("message") or response.status_code)[:200]
    except ValueError:
        return str(response.status_code)


def _pds_endpoint(answer: dict[str, object]) -> str | None:
    """The account's own PDS, from the DID document the login returns."""
    doc = answer.get("didDoc")
    if not isinstance(doc, dict):
        return None
    for service in doc.get("service", []):
        if isinstance(service, dict) and str(service.get("id", "")).endswith("#atproto_pds"):
            return str(service.get("serviceEndpoint")) or None
    return None


def _web_url(access: Access, uri: str) -> str:
    return f"https://bsky.app/profile/{access.handle or access.external_id}/post/" \
           f"{uri.rsplit('/', 1)[-1]}"
