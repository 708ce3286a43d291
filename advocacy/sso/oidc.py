"""The OpenID Connect relying party: discovery, the authorization request (state, nonce,
PKCE), the code exchange and the ID token's verification.

Why not Authlib's Flask client: it needs `requests`, and Authlib's httpx client (1.9) warns
that plain httpx is deprecated in favour of httpx2. The few requests of the code flow are
written here with the httpx the project already uses; the security-sensitive parts are
Authlib's and joserfc's (which Authlib itself builds on): the PKCE challenge and random
tokens, the JWS signature check against the provider's JWKS, and the ID token's claim rules
(iss, aud, exp, iat, nonce, azp, at_hash).

The issuer is the operator's choice, so it may be an intranet address: requests go there
without the public-address guard of `advocacy.fetching`, but over https only (plain http
only to loopback with ALLOW_INSECURE_PROVIDERS, for tests).
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

log = logging.getLogger(__name__)

# Signatures with the provider's public keys only; an HMAC with the client secret would let
# anyone who holds that secret write ID tokens.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
              "EdDSA")
METADATA_SECONDS = 3600  # discovery and keys are read again after an hour (key rotation)
LEEWAY_SECONDS = 60  # clocks of two servers differ a little


class OidcError(Exception):
    """The sign-in cannot go on; the message is for the log, never shown to people."""


def insecure_url_problem(url: str, allow_insecure: bool) -> str | None:
    """Why `url` may not be used for the provider, or None: https, or http to a loopback
    address when `allow_insecure` (local test providers)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and allow_insecure and _is_loopback(parts.hostname or ""):
        return None
    return f"must be an https address, not {url!r}"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    redirect_uri: str
    timeout: float
    allow_insecure: bool

    @classmethod
    def from_config(cls, config: Any) -> Settings:
        return cls(issuer=config["OIDC_ISSUER"], client_id=config["OIDC_CLIENT_ID"],
                   client_secret=config["OIDC_CLIENT_SECRET"], scopes=config["OIDC_SCOPES"],
                   redirect_uri=config["BASE_URL"].rstrip("/") + "/auth/oidc/callback",
                   timeout=float(config["PROVIDER_TIMEOUT"]),
                   allow_insecure=bool(config["ALLOW_INSECURE_PROVIDERS"]))


@dataclass(frozen=True)
class Pending:
    """What the callback needs to check the answer to one authorization request."""

    state: str
    nonce: str
    code_verifier: str


@dataclass
class _Cache:
    metadata: dict[str, Any] = field(default_factory=dict)
    keys: dict[str, Any] | None = None
    read_at: float = 0.0


class Client:
    """One provider, with its discovery document and keys cached (one per app)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._cache = _Cache()
        self._lock = threading.Lock()

    def _http(self) -> httpx.Client:
        timeout = self.settings.timeout
        return httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
                            follow_redirects=False,
                            headers={"User-Agent": "advocacy/1.0 (single sign-on)"})

    def _get_json(self, url: str, what: str, **kwargs: Any) -> dict[str, Any]:
        self._check_url(url, what)
        try:
            with self._http() as http:
                response = http.get(url, **kwargs)
        except httpx.HTTPError as exc:
            raise OidcError(f"{what} at {url} did not answer: {exc}") from None
        if response.status_code != 200:
            raise OidcError(f"{what} at {url} answered {response.status_code}")
        try:
            data = response.json()
        except ValueError:
            raise OidcError(f"{what} at {url} is not JSON") from None
        if not isinstance(data, dict):
            raise OidcError(f"{what} at {url} is not a JSON object")
        return data

    def _check_url(self, url: str, what: str) -> None:
        problem = insecure_url_problem(url, self.settings.allow_insecure)
        if problem:
            raise OidcError(f"{what} {problem}")

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document, read at most once an hour."""
        with self._lock:
            if self._cache.metadata and time.monotonic() - self._cache.read_at < METADATA_SECONDS:
                return self._cache.metadata
        url = self.settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
        data = self._get_json(url, "the discovery document")
        # OpenID Connect Discovery 1.0, 4.3: the issuer must be exactly the one configured,
        # or a provider could speak for another.
        if data.get("issuer") != self.settings.issuer:
            raise OidcError(f"the discovery document names the issuer {data.get('issuer')!r}, "
                            f"not {self.settings.issuer!r}")
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(data.get(key), str):
                raise OidcError(f"the discovery document has no {key}")
            self._check_url(data[key], key)
        with self._lock:
            self._cache = _Cache(metadata=data, read_at=time.monotonic())
        return data

    def _keys(self, *, again: bool = False) -> KeySet:
        with self._lock:
            cached = None if again else self._cache.keys
        if cached is None:
            cached = self._get_json(self.metadata()["jwks_uri"], "the key set")
            with self._lock:
                self._cache.keys = cached
        try:
            return KeySet.import_key_set(cached)  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise OidcError(f"the provider's key set cannot be read: {exc}") from None

    def start(self, login_hint: str = "") -> tuple[str, Pending]:
        """The provider's address to send the browser to, and what to keep until it comes
        back (in the session)."""
        pending = Pending(state=generate_token(32), nonce=generate_token(32),
                          code_verifier=generate_token(64))
        params = {
            "response_type": "code",
            "client_id": self.settings.client_id,
            "redirect_uri": self.settings.redirect_uri,
            "scope": self.settings.scopes,
            "state": pending.state,
            "nonce": pending.nonce,
            "code_challenge": create_s256_code_challenge(pending.code_verifier),
            "code_challenge_method": "S256",
        }
        if login_hint:
            params["login_hint"] = login_hint
        endpoint = self.metadata()["authorization_endpoint"]
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}", pending

    def finish(self, code: str, pending: Pending, iss: str | None = None) -> dict[str, Any]:
        """Exchange the code, verify the ID token and return the person's claims (those of
        the ID token, completed by the userinfo endpoint where the provider has one)."""
        metadata = self.metadata()
        # RFC 9207: a provider that names itself in the answer must be ours (mix-up attacks).
        if iss is not None and iss != self.settings.issuer:
            raise OidcError(f"the answer came from the issuer {iss!r}")
        tokens = self._exchange(metadata, code, pending)
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise OidcError("the token answer has no ID token")
        claims = self._verify(metadata, id_token, pending, tokens.get("access_token"))
        userinfo_url = metadata.get("userinfo_endpoint")
        access_token = tokens.get("access_token")
        if isinstance(userinfo_url, str) and isinstance(access_token, str):
            extra = self._userinfo(userinfo_url, access_token)
            # OpenID Connect Core 5.3.2: userinfo about someone else must not be used.
            if extra.get("sub") == claims["sub"]:
                claims = {**extra, **claims}
            else:
                log.warning("single sign-on: userinfo names another subject; ignored")
        return claims

    def _exchange(self, metadata: dict[str, Any], code: str, pending: Pending) -> dict[str, Any]:
        form = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": self.settings.redirect_uri,
                "code_verifier": pending.code_verifier}
        methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        auth = None
        if "client_secret_basic" in methods:
            # RFC 6749, 2.3.1: id and secret are form-encoded before Basic encoding.
            auth = (quote(self.settings.client_id, safe=""),
                    quote(self.settings.client_secret, safe=""))
        else:
            form |= {"client_id": self.settings.client_id,
                     "client_secret": self.settings.client_secret}
        try:
            with self._http() as http:
                response = http.post(metadata["token_endpoint"], data=form, auth=auth,
                                     headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise OidcError(f"the token endpoint did not answer: {exc}") from None
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code != 200 or not isinstance(data, dict):
            error = data.get("error") if isinstance(data, dict) else None
            raise OidcError(f"the token endpoint answered {response.status_code} {error or ''}")
        return data

    def _verify(self, metadata: dict[str, Any], id_token: str, pending: Pending,
                access_token: Any) -> dict[str, Any]:
        offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [alg for alg in ALGORITHMS if alg in offered]
        if not algorithms:  # joserfc would take any algorithm, HS256 with guessable keys too
            raise OidcError(f"the provider signs ID tokens only with {offered}")
        try:
            try:
                token = jwt.decode(id_token, self._keys(), algorithms=algorithms)
            except InvalidKeyIdError:  # the provider rotated its keys since we read them
                token = jwt.decode(id_token, self._keys(again=True), algorithms=algorithms)
            params: dict[str, Any] = {"nonce": pending.nonce,
                                      "client_id": self.settings.client_id}
            if isinstance(access_token, str):
                params["access_token"] = access_token
            claims = CodeIDToken(token.claims, token.header, {
                "iss": {"essential": True, "value": self.settings.issuer},
                "aud": {"essential": True, "value": self.settings.client_id},
            }, params)
            claims.validate(leeway=LEEWAY_SECONDS)
        except (JoseError, ValueError) as exc:
            raise OidcError(f"the ID token is not valid: {exc}") from None
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise OidcError("the ID token names no subject")
        return dict(claims)

    def _userinfo(self, url: str, access_token: str) -> dict[str, Any]:
        try:
            return self._get_json(url, "the userinfo endpoint",
                                  headers={"Authorization": f"Bearer {access_token}",
                                           "Accept": "application/json"})
        except OidcError as exc:
            # The ID token is enough to sign in; missing profile claims are said later.
            log.warning("single sign-on: %s", exc)
            return {}
