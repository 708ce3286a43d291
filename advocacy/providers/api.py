"""The interface every network with an API implements, and the errors it may raise.

Providers talk HTTP and nothing else: they never touch the database. The accounts and
posting services hand them an `Access` (decrypted tokens and where to send them) and store
what comes back. Every base URL comes from the configuration (or, for Mastodon and
Bluesky, from the account), so tests point them at local servers.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

import httpx

from advocacy.problems import Problem, Trouble, Value
from advocacy.providers.base import Network
from advocacy.providers.http import client


@dataclass(frozen=True)
class Capabilities:
    """What a network allows, as the share sheet and the outbox need to know it."""

    network: str
    char_limit: int
    counts_urls_as: int | None  # None: URLs count with their real length
    auth: Literal["oauth", "oauth_pkce", "app_password"]
    refresh: Literal["none", "rotating", "session"]  # X: one-time refresh tokens
    token_lifetime: dt.timedelta | None  # None: tokens do not expire
    idempotency: bool  # the network accepts an idempotency key (or a record key we choose)
    lookup: bool  # after an unknown outcome, the network can be asked whether the post exists
    metrics: bool  # engagement can be read back
    needs_credentials: bool  # client id and secret must be configured
    per_server: bool  # the person names their server (Mastodon, Bluesky)
    # What the network bills per post by API (X), in `currency`; None: posting is free.
    cost_per_post: Decimal | None = None
    cost_per_link_post: Decimal | None = None  # a post that carries a link, where it differs
    currency: str = "USD"

    def cost(self, with_link: bool) -> Decimal:
        """What one post costs (0 on free networks)."""
        price = self.cost_per_link_post if with_link and self.cost_per_link_post is not None \
            else self.cost_per_post
        return price or Decimal(0)


# What goes wrong, as the outbox needs to tell it apart. The first question is always
# whether the network may have taken the post: only "unknown" (and "duplicate") say it may.
ErrorKind = Literal["auth", "rate", "capped", "content", "transient", "unknown", "duplicate",
                    "lookup", "doubt", "version", "config"]


class ProviderError(Trouble):
    """What went wrong, as a `Problem` (a code from `advocacy.problems.WORDS`, plain values,
    the network's own words as `detail`): stored with the post or account and worded in
    the reader's language when shown. `message` is the English wording, for logs."""

    kind: ErrorKind = "transient"

    def __init__(self, code: str | Problem, *, detail: str = "", cause: Problem | None = None,
                 retry_at: dt.datetime | None = None, status: int | None = None,
                 reason: str = "", **params: Value) -> None:
        if status is not None:
            params.setdefault("status", status)
        super().__init__(code, detail=detail, cause=cause, **params)
        self.retry_at = retry_at
        self.status = status  # the HTTP status, where one came
        # A finer reason the person is told about ("revoked", "expired", "too_long", ...).
        self.reason = reason or self.kind


class ReauthRequired(ProviderError):
    """The token was revoked or expired for good: the person must reconnect. `reason` is
    "revoked" or "expired" where the network says which."""

    kind = "auth"


class RateLimited(ProviderError):
    """The network did not take the request and asks us to wait (until `retry_at`)."""

    kind: ErrorKind = "rate"


class UsageCapped(RateLimited):
    """A paid network's usage cap is reached (X: 429 `usage_capped`): nothing goes out by
    API until the cap resets. Not a slow-down: retrying in a minute only costs again."""

    kind = "capped"


class ContentRejected(ProviderError):
    """The network refused this post (too long, invalid): retrying won't help."""

    kind = "content"


class Unavailable(ProviderError):
    """The request did not reach the network, or the network answered before taking the
    post (a refused connection, a look-up that failed): the post is certainly not there."""

    kind = "transient"


class UnknownOutcome(ProviderError):
    """The request went out and no clear answer came (a time-out, a reset connection, a 5xx
    to a create): the post may exist. Never resend blindly; settle it first."""

    kind = "unknown"


class AlreadyPosted(ProviderError):
    """The network refused the post as a duplicate of one that exists. `published` names it
    when the network says which (LinkedIn's DUPLICATE_POST names the URN); otherwise the
    outbox looks it up."""

    kind = "duplicate"

    def __init__(self, code: str | Problem, published: Published | None = None, *,
                 created_at: dt.datetime | None = None, **kwargs: Any) -> None:
        super().__init__(code, **kwargs)
        self.published = published
        self.created_at = created_at  # when the named post was made, where that is known


class LookupFailed(ProviderError):
    """Asking the network whether a post exists failed: ask again later. Never a reason
    to think the post was refused."""

    kind = "lookup"


class CannotAsk(ProviderError):
    """The network offers no way to find a post of ours (LinkedIn, for self-serve apps):
    the person looks at their profile and decides."""

    kind = "doubt"


class AddressRefused(ProviderError):
    """The server's name leads to an address we never send requests to (SSRF guard)."""

    kind = "config"


class VersionRetired(ProviderError):
    """LinkedIn no longer serves the configured API version (HTTP 426)."""

    kind = "version"


def next_month(now: dt.datetime | None = None) -> dt.datetime:
    """The start of the next calendar month (UTC), when a monthly cap is taken to reset."""
    now = now or dt.datetime.now(dt.UTC)
    first = now.astimezone(dt.UTC).date().replace(day=1)
    return dt.datetime.combine((first + dt.timedelta(days=32)).replace(day=1), dt.time(),
                               dt.UTC)


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str | None = None
    expires_at: dt.datetime | None = None
    scopes: str = ""


@dataclass(frozen=True)
class Profile:
    external_id: str
    handle: str
    display_name: str = ""
    followers: int | None = None


@dataclass(frozen=True)
class Access:
    """What a call on behalf of an account needs: where, and with which token."""

    access_token: str
    external_id: str
    handle: str = ""
    base_url: str | None = None


@dataclass(frozen=True)
class Outgoing:
    """One post as the outbox sends it."""

    text: str  # the full text: the person's words, the disclosure line and the link
    body: str  # the same without the link (for networks that show it as a card)
    link: str  # the tracked link
    title: str
    summary: str
    language: str
    # Unique per outbox row and the same on every attempt: Mastodon's Idempotency-Key, and
    # Bluesky's record key (a TID), so that a resend can never make a second post.
    idempotency_key: str
    image: bytes | None = None
    image_type: str | None = None
    sent_at: dt.datetime | None = None  # when the first attempt went out (look-ups start there)


@dataclass(frozen=True)
class Published:
    remote_id: str
    url: str


@dataclass(frozen=True)
class Metrics:
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    impressions: int | None = None
    note: str | None = None  # why there are none, when there are none


@dataclass(frozen=True)
class Client:
    """OAuth client credentials, per network (Mastodon: per server)."""

    client_id: str
    client_secret: str


@dataclass
class ProviderConfig:
    """The part of the app configuration the providers read."""

    values: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    @property
    def timeout(self) -> float:
        return float(self.values.get("PROVIDER_TIMEOUT", 10))

    @property
    def allow_insecure(self) -> bool:
        return bool(self.values.get("ALLOW_INSECURE_PROVIDERS", False))


class Provider(ABC):
    """One network's API. Subclasses set `network` and `capabilities`."""

    network: Network
    capabilities: Capabilities

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config

    def http(self, *, guard: bool = False) -> httpx.Client:
        return client(self.config.timeout, guard=guard,
                      allow_insecure=self.config.allow_insecure)

    def configured(self) -> bool:
        """True when posting by API is possible (client credentials are set)."""
        return True

    @abstractmethod
    def publish(self, access: Access, post: Outgoing) -> Published: ...

    @abstractmethod
    def delete(self, access: Access, remote_id: str) -> None: ...

    def settle(self, access: Access, post: Outgoing, now: dt.datetime) -> Published | None:
        """After an unknown outcome: the post if it exists, None when it certainly does not
        (so it may be sent). Raises LookupFailed when asking failed (ask again later) and
        CannotAsk where the network cannot be asked at all."""
        raise CannotAsk("cannot_ask", network=self.network.label)

    def metrics(self, access: Access, remote_id: str) -> Metrics:
        return Metrics(note="not available")

    @abstractmethod
    def profile(self, access: Access) -> Profile:
        """Who the account is, and its follower count where the network tells it."""

    def refresh(self, access: Access, refresh_token: str, client: Client | None) -> Tokens:
        raise ReauthRequired("cannot_renew")


def raise_for_status(response: httpx.Response, *, network: str,
                     retry_at: dt.datetime | None = None, auth_statuses: tuple[int, ...] = (401,),
                     creating: bool = False) -> None:
    """The common mapping of HTTP errors; providers handle their special cases first.
    `network` is the network's name for the words; `creating`: the request creates a
    post, so a 5xx means the post may exist."""
    status = response.status_code
    if status < 400:
        return
    detail = error_detail(response)
    if detail == str(status):  # nothing but the status: no words of its own
        detail = ""
    if status in auth_statuses:
        raise ReauthRequired("refused_access", detail=detail, status=status, network=network)
    if status == 429:
        raise RateLimited("slow_down", detail=detail, retry_at=retry_at, status=status,
                          network=network)
    if status >= 500 and creating:
        raise UnknownOutcome("post_status", status=status, network=network)
    if status >= 500:
        raise Unavailable("unavailable_status", status=status, network=network)
    if creating:
        raise ContentRejected("refused_post", detail=detail, status=status, network=network)
    raise ContentRejected("answered_status", detail=detail, status=status, network=network)


# Texts some networks put in a generic field while the specific one sits elsewhere (X's
# "invalid request" problem names what was wrong only in errors[0].message).
_GENERIC = ("One or more parameters to your request was invalid.",)


def error_detail(response: httpx.Response) -> str:
    """The network's own words for a failed request: the most specific field it filled."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:200] if text and not text.startswith("<") else str(response.status_code)
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            message = errors[0].get("message") or errors[0].get("detail")
            if isinstance(message, str) and message:
                return message[:200]
        for key in ("message", "error_description", "detail", "error", "title"):
            value = body.get(key)
            if isinstance(value, str) and value and value not in _GENERIC:
                return value[:200]
    return str(body)[:200]


def sent_but_unanswered(exc: httpx.HTTPError) -> bool:
    """A failure after the request went out means the network may have taken the post; a
    connection that was never made (refused, no route, connect time-out) means it did not."""
    return isinstance(exc, (httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError,
                            httpx.WriteError, httpx.WriteTimeout))
