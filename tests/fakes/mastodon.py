"""Fake Mastodon server (share-apis.md §3, §10.2).

Implements: POST /api/v1/apps (§3.1), GET+POST /oauth/authorize, POST /oauth/token,
POST /oauth/revoke (§3.2), GET /api/v2/instance, GET /api/v1/accounts/verify_credentials,
POST /api/v1/statuses, GET/DELETE /api/v1/statuses/:id (§3.3, §3.4).

Enforced: scope ⊆ the app's scopes (invalid_scope); redirect_uri among the app's; unknown
or vacuumed client → 401 invalid_client; PKCE S256 checked when a challenge was given
(plain refused); tokens expire only where a server sets an expiry (`expire_token`); 401
with Doorkeeper's words: "The access token is invalid", "... was revoked", "... expired"; 422
"Validation failed: ..." for blank or too long text (graphemes, every http(s) URL = 23,
"@user@domain" = "@user");
Idempotency-Key: the same key from the same account within one hour returns the same
status; 300 requests per 5 minutes per token with X-RateLimit-* headers, the reset as an
ISO 8601 time.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import secrets
from typing import Any

import regex
from flask import Flask, Response, g, jsonify, request

from tests.fakes import (
    FakeState,
    basic_credentials,
    bearer,
    consent_page,
    decided,
    error_page,
    make_app,
    oauth_params,
    s256,
    to_callback,
)

SCOPES_KNOWN = {
    "read", "write", "follow", "push", "profile",
    "read:accounts", "read:blocks", "read:bookmarks", "read:favourites", "read:filters",
    "read:follows", "read:lists", "read:mutes", "read:notifications", "read:search",
    "read:statuses",
    "write:accounts", "write:blocks", "write:bookmarks", "write:conversations",
    "write:favourites", "write:filters", "write:follows", "write:lists", "write:media",
    "write:mutes", "write:notifications", "write:reports", "write:statuses",
    "admin:read", "admin:write",
}
VISIBILITIES = {"public", "unlisted", "private", "direct"}
# Doorkeeper's descriptions, which Mastodon passes on as the error (401).
INVALID_TOKEN = {"error": "The access token is invalid"}
REVOKED_TOKEN = {"error": "The access token was revoked"}
EXPIRED_TOKEN = {"error": "The access token expired"}
INVALID_CLIENT = {"error": "invalid_client",
                  "error_description": "Client authentication failed due to unknown client, "
                                       "no client authentication included, or unsupported "
                                       "authentication method."}
INVALID_GRANT = {"error": "invalid_grant",
                 "error_description": "The provided authorization grant is invalid, expired, "
                                      "revoked, does not match the redirection URI used in the "
                                      "authorization request, or was issued to another client."}
INVALID_SCOPE = {"error": "invalid_scope",
                 "error_description": "The requested scope is invalid, unknown, or malformed."}
IDEMPOTENCY_SECONDS = 3600
CODE_SECONDS = 600

_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_GRAPHEME = regex.compile(r"\X")
# A mention, "@user" or "@user@domain": not right after "=", "/" or a word character, and
# no mention at all when "@", an accented Latin letter or "://" follows it.
_MENTION = regex.compile(r"(?<![=/\w])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@\w+(?:[.-]+\w+)*)?",
                         regex.IGNORECASE)
_NOT_A_MENTION = regex.compile(r"[@\uff20\xc0-\xd6\xd8-\xf6\xf8-\u024f\u0253\u0254\u0256\u0257"
                               r"\u0259\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb"
                               r"\u0300-\u036f\u1e00-\u1eff]|://")


def status_length(text: str, per_url: int = 23) -> int:
    """Mastodon's count (StatusLengthValidator): every http(s) URL as `per_url` characters,
    every mention as its local part ("@user@domain" counts as "@user"), then grapheme
    clusters of the rewritten text."""
    entities = []
    for match in _URL.finditer(text):
        end = match.end()
        while end > match.start() and text[end - 1] in ".,;:!?'\")]":
            end -= 1
        entities.append((match.start(), end, "x" * per_url))
    for match in _MENTION.finditer(text):
        if not _NOT_A_MENTION.match(text, match.end()):
            entities.append((match.start(), match.end(), "@" + match.group(1)))
    rewritten, position = [], 0
    for start, end, counted_as in sorted(entities):
        if start >= position:  # a mention inside a URL is part of the URL
            rewritten.extend((text[position:start], counted_as))
            position = end
    rewritten.append(text[position:])
    return len(_GRAPHEME.findall("".join(rewritten)))


def _scopes(value: str | None, default: str = "read") -> set[str]:
    return set((value or default).replace("+", " ").split())


def _satisfies(granted: set[str], *accepted: str) -> bool:
    return any(scope in granted for scope in accepted)


class MastodonState(FakeState):
    """Control API of the fake Mastodon server."""

    def __init__(self) -> None:
        super().__init__()
        self.max_characters = 500
        self.characters_reserved_per_url = 23
        self.rate_limit = 300  # requests per token and window
        self.rate_window = 300  # seconds
        self.apps: dict[str, dict[str, Any]] = {}  # client_id -> app
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.accounts: dict[str, dict[str, Any]] = {}
        self.statuses: dict[str, dict[str, Any]] = {}
        self.idempotency: dict[tuple[str, str], tuple[str, float]] = {}
        self._windows: dict[str, tuple[float, int]] = {}
        self.account = self.add_account("alice", display_name="Alice Example",
                                        followers_count=42)

    # -- control API -----------------------------------------------------------------------
    def add_account(self, username: str, *, display_name: str = "",
                    followers_count: int = 0) -> dict[str, Any]:
        """A person on this server; the first one is `self.account`, who authorizes."""
        with self.lock:
            account = {"id": str(109_000_000_000_000_000 + self.next_number()),
                       "username": username, "acct": username,
                       "display_name": display_name, "followers_count": followers_count,
                       "following_count": 0, "statuses_count": 0}
            self.accounts[account["id"]] = account
            return account

    def register_app(self, redirect_uris: list[str] | str, *, name: str = "advocacy",
                     scopes: str = "read write", website: str = "") -> dict[str, Any]:
        """Register an app as POST /api/v1/apps does."""
        uris = redirect_uris.split() if isinstance(redirect_uris, str) else list(redirect_uris)
        with self.lock:
            app = {"id": str(self.next_number()), "name": name, "website": website or None,
                   "scopes": sorted(_scopes(scopes)), "redirect_uris": uris,
                   "client_id": secrets.token_urlsafe(24),
                   "client_secret": secrets.token_urlsafe(32)}
            self.apps[app["client_id"]] = app
            return app

    def vacuum(self, client_id: str) -> None:
        """Forget an app (pre-4.3 servers removed apps without tokens): its client id
        becomes unknown, its codes and tokens stop working."""
        with self.lock:
            self.apps.pop(client_id, None)
            for code in [c for c, v in self.codes.items() if v["client_id"] == client_id]:
                del self.codes[code]
            for token in self.tokens.values():
                if token["client_id"] == client_id:
                    token["revoked"] = True

    def issue_token(self, account_id: str | None = None, *,
                    scopes: str = "read:accounts read:statuses write:statuses",
                    client_id: str | None = None) -> str:
        """A valid access token without the OAuth dance (for service tests)."""
        with self.lock:
            token = secrets.token_urlsafe(32)
            self.tokens[token] = {"account_id": account_id or self.account["id"],
                                  "client_id": client_id, "scopes": _scopes(scopes),
                                  "revoked": False, "created_at": self.timestamp()}
            return token

    def expire_token(self, token: str) -> None:
        """The token runs out now (a server that gives tokens a lifetime)."""
        with self.lock:
            self.tokens[token]["expires_at"] = self.timestamp()

    def revoke_token(self, token: str) -> None:
        with self.lock:
            if token in self.tokens:
                self.tokens[token]["revoked"] = True

    def set_counts(self, status_id: str, *, favourites: int | None = None,
                   reblogs: int | None = None, replies: int | None = None) -> None:
        with self.lock:
            status = self.statuses[status_id]
            for key, value in (("favourites_count", favourites), ("reblogs_count", reblogs),
                               ("replies_count", replies)):
                if value is not None:
                    status[key] = value

    def live_statuses(self, account_id: str | None = None) -> list[dict[str, Any]]:
        """Statuses not deleted (of one account, if given), oldest first."""
        with self.lock:
            return [s for s in self.statuses.values() if not s["deleted"]
                    and (account_id is None or s["account_id"] == account_id)]

    def failure(self, status: int) -> tuple[Any, dict[str, str]]:
        if status == 429:
            reset = self.now() + dt.timedelta(seconds=self.rate_window)
            return {"error": "Too many requests"}, {
                "X-RateLimit-Limit": str(self.rate_limit), "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": iso(reset)}
        if status == 401:
            return INVALID_TOKEN, {}
        if status == 422:
            return {"error": "Validation failed: Text can't be blank"}, {}
        if status == 404:
            return {"error": "Record not found"}, {}
        if status >= 500:
            return "<html><body><h1>We're sorry, but something went wrong.</h1></body></html>", {}
        return {"error": f"Error {status}"}, {}


def iso(when: dt.datetime) -> str:
    """Ruby's Time#iso8601(6) as Mastodon sends it."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _params() -> dict[str, Any]:
    """Form or JSON parameters (Mastodon accepts both)."""
    if request.is_json:
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else {}
    return request.form.to_dict()


def create_app(state: MastodonState) -> Flask:
    app = make_app("fake_mastodon", state)

    def error(status: int, body: dict[str, Any]) -> tuple[Response, int]:
        return jsonify(body), status

    def rate_limited(token: str) -> tuple[Response, int] | None:
        """Count the request against the token's window; 429 when it is used up."""
        with state.lock:
            now = state.timestamp()
            start, count = state._windows.get(token, (now, 0))
            if now >= start + state.rate_window:
                start, count = now, 0
            count += 1
            state._windows[token] = (start, count)
            reset = dt.datetime.fromtimestamp(start + state.rate_window, dt.UTC)
            g.rate_headers = {"X-RateLimit-Limit": str(state.rate_limit),
                              "X-RateLimit-Remaining": str(max(0, state.rate_limit - count)),
                              "X-RateLimit-Reset": iso(reset)}
            if count > state.rate_limit:
                return error(429, {"error": "Too many requests"})
        return None

    def authenticate(*accepted: str, optional: bool = False
                     ) -> tuple[dict[str, Any] | None, tuple[Response, int] | None]:
        token = bearer()
        if token is None and optional:
            return None, None
        with state.lock:
            info = state.tokens.get(token or "")
            if info is None:
                return None, error(401, INVALID_TOKEN)
            if info["revoked"]:
                return None, error(401, REVOKED_TOKEN)
            if info.get("expires_at") is not None and state.timestamp() >= info["expires_at"]:
                return None, error(401, EXPIRED_TOKEN)
            limited = rate_limited(token or "")
            if limited:
                return None, limited
            if not _satisfies(info["scopes"], *accepted):
                return None, error(403, {"error": "This action is outside the authorized "
                                                  "scopes"})
            return info, None

    @app.after_request
    def _rate_headers(response: Response) -> Response:
        response.headers.update(g.get("rate_headers", {}))
        return response

    def account_json(account: dict[str, Any]) -> dict[str, Any]:
        base = request.host_url.rstrip("/")
        return {**account, "url": f"{base}/@{account['username']}", "locked": False,
                "bot": False, "note": "", "avatar": f"{base}/avatars/original/missing.png"}

    def status_json(status: dict[str, Any], *, source: bool = False) -> dict[str, Any]:
        base = request.host_url.rstrip("/")
        account = state.accounts[status["account_id"]]
        data = {
            "id": status["id"],
            "created_at": iso(dt.datetime.fromtimestamp(status["created_at"], dt.UTC)),
            "in_reply_to_id": None, "in_reply_to_account_id": None,
            "sensitive": status["sensitive"], "spoiler_text": status["spoiler_text"],
            "visibility": status["visibility"], "language": status["language"],
            "uri": f"{base}/users/{account['username']}/statuses/{status['id']}",
            "url": f"{base}/@{account['username']}/{status['id']}",
            "replies_count": status["replies_count"], "reblogs_count": status["reblogs_count"],
            "favourites_count": status["favourites_count"],
            "content": "<p>" + html.escape(status["text"]).replace("\n", "<br />") + "</p>",
            "account": account_json(account), "media_attachments": [], "mentions": [],
            "tags": [], "emojis": [], "card": None, "poll": None,
        }
        if source:
            data["text"] = status["text"]
        return data

    # -- apps and OAuth --------------------------------------------------------------------
    @app.post("/api/v1/apps")
    def create_application() -> Any:
        params = _params()
        if request.form and "redirect_uris[]" in request.form:
            params["redirect_uris"] = request.form.getlist("redirect_uris[]")
        name = (params.get("client_name") or "").strip()
        uris = params.get("redirect_uris") or params.get("redirect_uri") or []
        if isinstance(uris, str):
            uris = uris.split()
        if not name:
            return error(422, {"error": "Validation failed: Application name can't be blank"})
        if not uris:
            return error(422, {"error": "Validation failed: Redirect URI can't be blank"})
        for uri in uris:
            if not (uri == "urn:ietf:wg:oauth:2.0:oob" or re.match(r"^[a-z][a-z0-9+.-]*://\S+$",
                                                                    uri, re.I)):
                return error(422, {"error": "Validation failed: Redirect URI must be an "
                                             "absolute URI."})
        scopes = params.get("scopes") or "read"
        if not _scopes(scopes) <= SCOPES_KNOWN:
            return error(422, {"error": "Validation failed: Scopes doesn't match configured "
                                        "on the server."})
        created = state.register_app(uris, name=name, scopes=scopes,
                                     website=params.get("website") or "")
        return jsonify({**created, "redirect_uri": "\n".join(created["redirect_uris"]),
                        "vapid_key": "BFake=", "client_secret_expires_at": 0})

    @app.route("/oauth/authorize", methods=["GET", "POST"])
    def authorize() -> Any:
        params = oauth_params()
        client = state.apps.get(params.get("client_id", ""))
        if client is None:
            return error_page(401, "invalid_client", INVALID_CLIENT["error_description"])
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in client["redirect_uris"]:
            return error_page(400, "invalid_redirect_uri",
                              "The redirect URI included is not valid.")
        if params.get("response_type") != "code":
            return error_page(400, "unsupported_response_type",
                              "The authorization server does not support this response type.")
        scopes = _scopes(params.get("scope"))
        if not scopes <= set(client["scopes"]):
            return error_page(400, "invalid_scope", INVALID_SCOPE["error_description"])
        challenge = params.get("code_challenge")
        method = params.get("code_challenge_method")
        if (challenge and method != "S256") or (method and not challenge):
            return error_page(400, "invalid_request",
                              "Code challenge method must be S256 (plain is not supported).")
        decision = decided()
        if decision is None:
            return consent_page("Mastodon", client["name"], " ".join(sorted(scopes)))
        if decision == "deny":
            return to_callback(redirect_uri, error="access_denied",
                               error_description="The resource owner or authorization "
                                                 "server denied the request.",
                               state=params.get("state"))
        code = secrets.token_urlsafe(32)
        with state.lock:
            state.codes[code] = {"client_id": client["client_id"], "redirect_uri": redirect_uri,
                                 "scopes": scopes, "challenge": challenge,
                                 "account_id": state.account["id"],
                                 "issued_at": state.timestamp(), "used": False}
        return to_callback(redirect_uri, code=code, state=params.get("state"))

    def client_from_request(params: dict[str, Any]) -> dict[str, Any] | None:
        credentials = basic_credentials() or (params.get("client_id"),
                                              params.get("client_secret"))
        client = state.apps.get(credentials[0] or "")
        if client is None or client["client_secret"] != credentials[1]:
            return None
        return client

    @app.post("/oauth/token")
    def token() -> Any:
        params = _params()
        client = client_from_request(params)
        if client is None:
            return error(401, INVALID_CLIENT)
        grant = params.get("grant_type")
        if grant == "client_credentials":
            scopes = _scopes(params.get("scope"))
            if not scopes <= set(client["scopes"]):
                return error(400, INVALID_SCOPE)
            issued = state.issue_token(None, scopes=" ".join(scopes),
                                       client_id=client["client_id"])
            state.tokens[issued]["account_id"] = None
            return jsonify({"access_token": issued, "token_type": "Bearer",
                            "scope": " ".join(sorted(scopes)),
                            "created_at": int(state.timestamp())})
        if grant != "authorization_code":
            return error(400, {"error": "unsupported_grant_type",
                               "error_description": "The authorization grant type is not "
                                                    "supported by the authorization server."})
        if params.get("scope") and not _scopes(params["scope"]) <= set(client["scopes"]):
            return error(400, INVALID_SCOPE)
        with state.lock:
            code = state.codes.get(params.get("code") or "")
            if (code is None or code["used"] or code["client_id"] != client["client_id"]
                    or code["redirect_uri"] != params.get("redirect_uri")
                    or state.timestamp() > code["issued_at"] + CODE_SECONDS):
                return error(400, INVALID_GRANT)
            if code["challenge"] and s256(params.get("code_verifier") or "") != code["challenge"]:
                return error(400, INVALID_GRANT)
            code["used"] = True
            issued = state.issue_token(code["account_id"], scopes=" ".join(code["scopes"]),
                                       client_id=client["client_id"])
        return jsonify({"access_token": issued, "token_type": "Bearer",
                        "scope": " ".join(sorted(code["scopes"])),
                        "created_at": int(state.timestamp())})

    @app.post("/oauth/revoke")
    def revoke() -> Any:
        params = _params()
        client = client_from_request(params)
        if client is None:
            return error(401, INVALID_CLIENT)
        with state.lock:
            info = state.tokens.get(params.get("token") or "")
            if info is not None:
                if info["client_id"] not in (None, client["client_id"]):
                    return error(403, {"error": "unauthorized_client",
                                       "error_description": "You are not authorized to "
                                                            "revoke this token"})
                info["revoked"] = True
        return jsonify({})

    # -- API -------------------------------------------------------------------------------
    @app.get("/api/v2/instance")
    def instance() -> Any:
        host = request.host
        return jsonify({
            "domain": host, "title": "Fake Mastodon", "version": "4.3.0",
            "source_url": "https://github.com/mastodon/mastodon",
            "configuration": {
                "urls": {"streaming": f"ws://{host}"},
                "accounts": {"max_featured_tags": 10},
                "statuses": {"max_characters": state.max_characters,
                             "max_media_attachments": 4,
                             "characters_reserved_per_url": state.characters_reserved_per_url},
                "media_attachments": {"image_size_limit": 16777216},
            },
            "registrations": {"enabled": False, "approval_required": False},
        })

    @app.get("/api/v1/accounts/verify_credentials")
    def verify_credentials() -> Any:
        info, failed = authenticate("profile", "read", "read:accounts")
        if failed:
            return failed
        assert info is not None
        account = state.accounts.get(info["account_id"] or "")
        if account is None:
            return error(422, {"error": "This method requires an authenticated user"})
        return jsonify({**account_json(account), "source": {"privacy": "public",
                                                            "sensitive": False, "note": ""}})

    @app.post("/api/v1/statuses")
    def create_status() -> Any:
        info, failed = authenticate("write", "write:statuses")
        if failed:
            return failed
        assert info is not None
        account_id = info["account_id"]
        if account_id is None:
            return error(422, {"error": "This method requires an authenticated user"})
        key = request.headers.get("Idempotency-Key")
        with state.lock:
            if key:
                seen = state.idempotency.get((account_id, key))
                if seen and state.timestamp() < seen[1] + IDEMPOTENCY_SECONDS:
                    status = state.statuses[seen[0]]
                    if status["deleted"]:
                        return error(404, {"error": "Record not found"})
                    return jsonify(status_json(status))
            params = _params()
            text = params.get("status") or ""
            spoiler = params.get("spoiler_text") or ""
            visibility = params.get("visibility") or "public"
            if not isinstance(text, str) or not text.strip():
                return error(422, {"error": "Validation failed: Text can't be blank"})
            if visibility not in VISIBILITIES:
                return error(422, {"error": f"Validation failed: '{visibility}' is not a "
                                            "valid visibility"})
            used = (status_length(text, state.characters_reserved_per_url)
                    + status_length(spoiler, state.characters_reserved_per_url))
            if used > state.max_characters:
                return error(422, {"error": "Validation failed: Text character limit of "
                                            f"{state.max_characters} exceeded"})
            status = {"id": str(113_000_000_000_000_000 + state.next_number()),
                      "account_id": account_id, "text": text, "spoiler_text": spoiler,
                      "sensitive": str(params.get("sensitive", "")).lower() in ("true", "1"),
                      "visibility": visibility, "language": params.get("language") or None,
                      "created_at": state.timestamp(), "favourites_count": 0,
                      "reblogs_count": 0, "replies_count": 0, "deleted": False,
                      "idempotency_key": key}
            state.statuses[status["id"]] = status
            state.accounts[account_id]["statuses_count"] += 1
            if key:
                state.idempotency[(account_id, key)] = (status["id"], state.timestamp())
        return jsonify(status_json(status))

    @app.get("/api/v1/accounts/<account_id>/statuses")
    def account_statuses(account_id: str) -> Any:
        """Newest first; `limit` defaults to 20 and is capped at 40."""
        _info, failed = authenticate("read", "read:statuses", optional=True)
        if failed:
            return failed
        if account_id not in state.accounts:
            return error(404, {"error": "Record not found"})
        try:
            limit = min(max(int(request.args.get("limit", 20)), 1), 40)
        except ValueError:
            limit = 20
        found = [s for s in reversed(state.live_statuses(account_id))
                 if s["visibility"] in ("public", "unlisted")]
        max_id = request.args.get("max_id")
        if max_id and max_id.isdigit():  # older than this one (Mastodon's paging)
            found = [s for s in found if int(s["id"]) < int(max_id)]
        return jsonify([status_json(s) for s in found[:limit]])

    @app.get("/api/v1/statuses/<status_id>")
    def show_status(status_id: str) -> Any:
        _info, failed = authenticate("read", "read:statuses", optional=True)
        if failed:
            return failed
        status = state.statuses.get(status_id)
        if status is None or status["deleted"] or status["visibility"] == "direct":
            return error(404, {"error": "Record not found"})
        return jsonify(status_json(status))

    @app.delete("/api/v1/statuses/<status_id>")
    def delete_status(status_id: str) -> Any:
        info, failed = authenticate("write", "write:statuses")
        if failed:
            return failed
        assert info is not None
        with state.lock:
            status = state.statuses.get(status_id)
            if status is None or status["deleted"] or status["account_id"] != info["account_id"]:
                return error(404, {"error": "Record not found"})
            status["deleted"] = True
        return jsonify(status_json(status, source=True))

    return app
