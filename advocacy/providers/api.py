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
from typing import Any, Literal

import httpx

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
    idempotency: bool  # the network accepts an idempotency key
    lookup: bool  # after an unknown outcome, the network can be asked whether the post exists
    metrics: bool  # engagement can be read back
    needs_credentials: bool  # client id and secret must be configured
    per_server: bool  # the person names their server (Mastodon, Bluesky)


# What goes wrong, as the outbox needs to tell it apart.
ErrorKind = Literal["auth", "rate", "content", "transient", "unknown", "version", "config"]


class ProviderError(Exception):
    kind: ErrorKind = "transient"

    def __init__(self, message: str, *, retry_at: dt.datetime | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_at = retry_at
        self.status = status  # the HTTP status, where one came


class ReauthRequired(ProviderError):
    """The token was revoked or expired for good: the person must reconnect."""

    kind = "auth"


class RateLimited(ProviderError):
    kind = "rate"


class ContentRejected(ProviderError):
    """The network refused this post (too long, duplicate, invalid): retrying won't help."""

    kind = "content"


class Unavailable(ProviderError):
    """The network is down or answered 5xx before taking the post: retry later."""

    kind = "transient"


class UnknownOutcome(ProviderError):
    """The request went out but no answer came: the post may exist. Never resend blindly."""

    kind = "unknown"


class AddressRefused(ProviderError):
    """The server's name leads to an address we never send requests to (SSRF guard)."""

    kind = "config"


class VersionRetired(ProviderError):
    """LinkedIn no longer serves the configured API version (HTTP 426)."""

    kind = "version"


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
    idempotency_key: str
    image: bytes | None = None
    image_type: str | None = None


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

    def find(self, access: Access, post: Outgoing) -> Published | None:
        """Look for `post` after an unknown outcome; None when the network cannot be asked."""
        return None

    def metrics(self, access: Access, remote_id: str) -> Metrics:
        return Metrics(note="not available")

    @abstractmethod
    def profile(self, access: Access) -> Profile:
        """Who the account is, and its follower count where the network tells it."""

    def refresh(self, access: Access, refresh_token: str, client: Client | None) -> Tokens:
        raise ReauthRequired("This account cannot renew its access; please reconnect it.")


def raise_for_status(response: httpx.Response, *, retry_at: dt.datetime | None = None,
                     auth_statuses: tuple[int, ...] = (401,)) -> None:
    """The common mapping of HTTP errors; providers handle their special cases first."""
    status = response.status_code
    if status < 400:
        return
    detail = _detail(response)
    if status in auth_statuses:
        raise ReauthRequired(f"The network no longer accepts this account's access ({detail}).")
    if status == 429:
        raise RateLimited(f"The network asks us to slow down ({detail}).",
                          retry_at=retry_at)
    if status >= 500:
        raise Unavailable(f"The network is not available right now ({status}).", status=status)
    raise ContentRejected(f"The network refused the post: {detail}", status=status)


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or str(response.status_code)
    if isinstance(body, dict):
        for key in ("message", "error_description", "error", "detail", "title"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value[:200]
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("message") or errors[0])[:200]
    return str(body)[:200]


def sent_but_unanswered(exc: httpx.HTTPError) -> bool:
    """A timeout while reading means the network may have taken the post."""
    return isinstance(exc, (httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError))
