"""Fake LinkedIn (share-apis.md §1, §10.2).

Implements: GET+POST /oauth/v2/authorization, POST /oauth/v2/accessToken,
POST /oauth/v2/introspectToken (§1.2), GET /v2/userinfo (§1.1), POST /rest/posts and
DELETE /rest/posts/{urn} (§1.4), POST /rest/images?action=initializeUpload and the PUT of
the bytes to the upload URL (§1.4).

Enforced: client_id and client_secret in the form body (HTTP Basic alone → 400
invalid_request); a code_verifier → 401 invalid_client (PKCE not enabled for the app);
codes single-use; tokens 60 days (fake clock), then 401; no refresh tokens; every /rest/
call needs `LinkedIn-Version: YYYYMM` from the active window (else 426
NONEXISTENT_VERSION) and `X-Restli-Protocol-Version: 2.0.0`; the author must be the
token's member; commentary > 3000 UTF-16 units → 400 FIELD_ARRAY_SIZE_TOO_HIGH; an
unescaped reserved character of the little text format is accepted (201) but the post is
stored cut at that character, as LinkedIn does (§1.5); identical commentary twice from the
same member → 422 DUPLICATE_POST; success → 201, empty body, `x-restli-id`; a per-member
daily limit (reset at midnight UTC, fake clock) that answers 429 without any reset header
(§1.7).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from typing import Any
from urllib.parse import unquote

from flask import Flask, Response, jsonify, request

from tests.fakes import (
    FakeState,
    bearer,
    consent_page,
    decided,
    error_page,
    make_app,
    oauth_params,
    to_callback,
)

CLIENT_ID = "fake-linkedin-client-id"
CLIENT_SECRET = "fake-linkedin-client-secret"
REDIRECT_URI = "http://localhost/accounts/linkedin/callback"
APP_SCOPES = {"openid", "profile", "email", "w_member_social"}  # the self-serve products
ACTIVE_VERSIONS = {f"2026{month:02d}" for month in range(4, 13)}
TOKEN_SECONDS = 5_184_000  # 60 days
CODE_SECONDS = 1800
MAX_COMMENTARY = 3000
RESERVED = set("\\|{}@[]()<>*_~")  # '#' is not: hashtags stay clickable
VISIBILITIES = {"PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER"}
LIFECYCLES = {"PUBLISHED", "DRAFT"}
FEEDS = {"MAIN_FEED", "NONE"}

_URL = re.compile(r"(?:https?://|www\.)[^\s\\<>\"]+", re.IGNORECASE)
_VERSION = re.compile(r"^(\d{6})(?:\.\d{2})?$")


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def displayed(commentary: str) -> str:
    """What members see of `commentary`: escapes resolved, and everything from the first
    unescaped reserved character outside a URL cut off."""
    out, i = [], 0
    while i < len(commentary):
        url = _URL.match(commentary, i)
        if url:
            out.append(url.group())
            i = url.end()
            continue
        char = commentary[i]
        if char == "\\" and i + 1 < len(commentary) and commentary[i + 1] in RESERVED:
            out.append(commentary[i + 1])
            i += 2
            continue
        if char in RESERVED:
            break
        out.append(char)
        i += 1
    return "".join(out)


def _error(status: int, message: str, code: str | None = None,
           **extra: Any) -> tuple[Response, int]:
    body: dict[str, Any] = {"status": status, "message": message}
    if code:
        body["code"] = code
    body.update(extra)
    return jsonify(body), status


def _oauth_error(status: int, error: str, description: str) -> tuple[Response, int]:
    return jsonify({"error": error, "error_description": description}), status


def _id_token(member: dict[str, Any], issued: int) -> str:
    """An unsigned stand-in for LinkedIn's ID token (carries no nonce, like LinkedIn's)."""
    def part(value: dict[str, Any]) -> str:
        raw = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    claims = {"iss": "https://www.linkedin.com/oauth", "aud": CLIENT_ID, "iat": issued,
              "exp": issued + 3600, "sub": member["sub"], "name": member["name"],
              "email": member["email"], "email_verified": True}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


class LinkedInState(FakeState):
    """Control API of the fake LinkedIn."""

    def __init__(self) -> None:
        super().__init__()
        self.client_id = CLIENT_ID
        self.client_secret = CLIENT_SECRET
        self.redirect_uris = {REDIRECT_URI}
        self.active_versions = set(ACTIVE_VERSIONS)
        # What the app may ask for: the self-serve products, plus what LinkedIn approved
        # (add "r_member_postAnalytics" to play an approved partner).
        self.app_scopes = set(APP_SCOPES)
        self.post_stats: dict[str, dict[str, int]] = {}  # urn -> {"REACTION": 3, ...}
        self.token_lifetime = TOKEN_SECONDS
        self.daily_post_limit: int | None = None  # None: unlimited; else 429 beyond it
        self.members: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.posts: dict[str, dict[str, Any]] = {}
        self.images: dict[str, dict[str, Any]] = {}
        self._daily: dict[tuple[str, str], int] = {}
        self.member = self.add_member("Lena Linke", email="lena@example.com")

    # -- control API -----------------------------------------------------------------------
    def add_member(self, name: str, *, email: str = "", sub: str | None = None
                   ) -> dict[str, Any]:
        """A member; the first one is `self.member`, who approves authorizations."""
        given, _, family = name.partition(" ")
        with self.lock:
            member = {"sub": sub or f"m{secrets.token_hex(5)}", "name": name,
                      "given_name": given, "family_name": family,
                      "email": email or f"{given.lower()}@example.com",
                      "picture": "https://media.licdn.com/dms/image/fake.jpg"}
            self.members[member["sub"]] = member
            return member

    def urn(self, member: dict[str, Any] | None = None) -> str:
        return f"urn:li:person:{(member or self.member)['sub']}"

    def issue_token(self, sub: str | None = None, *,
                    scopes: str = "openid profile email w_member_social") -> str:
        """A valid access token without the OAuth dance (for service tests)."""
        with self.lock:
            token = "AQ" + secrets.token_urlsafe(40)
            self.tokens[token] = {"sub": sub or self.member["sub"], "scopes": set(scopes.split()),
                                  "issued_at": self.timestamp(), "revoked": False}
            return token

    def revoke_token(self, token: str) -> None:
        with self.lock:
            self.tokens[token]["revoked"] = True

    def live_posts(self, author: str | None = None) -> list[dict[str, Any]]:
        """Posts not deleted (of one author URN, if given), oldest first."""
        with self.lock:
            return [p for p in self.posts.values() if not p["deleted"]
                    and (author is None or p["author"] == author)]

    def failure(self, status: int) -> tuple[Any, dict[str, str]]:
        if status == 429:
            return {"status": 429, "serviceErrorCode": 101, "code": "TOO_MANY_REQUESTS",
                    "message": "Resource level throttle MEMBER DAY limit for calls to this "
                               "resource is reached."}, {}
        if status == 426:
            return {"status": 426, "code": "NONEXISTENT_VERSION",
                    "message": "Requested version 202401 is not active"}, {}
        if status == 401:
            return {"status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN",
                    "message": "Invalid access token"}, {}
        return {"status": status, "message": f"Error {status}"}, {}


def create_app(state: LinkedInState) -> Flask:
    app = make_app("fake_linkedin", state)

    # -- OAuth -----------------------------------------------------------------------------
    @app.route("/oauth/v2/authorization", methods=["GET", "POST"])
    def authorize() -> Any:
        params = oauth_params()
        if params.get("client_id") != state.client_id:
            return error_page(400, "invalid_client", "The passed in client_id is invalid "
                                                     f"\"{params.get('client_id', '')}\"")
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in state.redirect_uris:
            return error_page(400, "invalid_redirect_uri",
                              "The redirect_uri does not match the registered value")
        oauth_state = params.get("state")
        if params.get("response_type") != "code":
            return to_callback(redirect_uri, error="invalid_request",
                               error_description="response_type must be code", state=oauth_state)
        scopes = set((params.get("scope") or "").split())
        if not scopes:
            return to_callback(redirect_uri, error="invalid_request",
                               error_description='You need to pass the "scope" parameter',
                               state=oauth_state)
        unauthorized = sorted(scopes - state.app_scopes)
        if unauthorized:
            return to_callback(redirect_uri, error="unauthorized_scope_error",
                               error_description=f'Scope "{unauthorized[0]}" is not authorized '
                                                 "for your application",
                               state=oauth_state)
        decision = decided()
        if decision is None:
            return consent_page("LinkedIn", "advocacy", " ".join(sorted(scopes)))
        if decision == "deny":
            return to_callback(redirect_uri, error="user_cancelled_authorize",
                               error_description="The user cancelled the authorization",
                               state=oauth_state)
        code = "AQ" + secrets.token_urlsafe(32)
        with state.lock:
            state.codes[code] = {"redirect_uri": redirect_uri, "scopes": scopes,
                                 "sub": state.member["sub"], "issued_at": state.timestamp(),
                                 "used": False}
        return to_callback(redirect_uri, code=code, state=oauth_state)

    @app.post("/oauth/v2/accessToken")
    def access_token() -> Any:
        form = request.form
        if not form.get("client_id"):
            return _oauth_error(400, "invalid_request",
                                'A required parameter "client_id" is missing')
        if not form.get("client_secret"):
            return _oauth_error(400, "invalid_request",
                                'A required parameter "client_secret" is missing')
        if "code_verifier" in form:
            return _oauth_error(401, "invalid_client", "Client authentication failed")
        if (form["client_id"], form["client_secret"]) != (state.client_id,
                                                          state.client_secret):
            return _oauth_error(401, "invalid_client", "Client authentication failed")
        if form.get("grant_type") != "authorization_code":
            return _oauth_error(400, "unsupported_grant_type",
                                "The provided grant type is not supported")
        with state.lock:
            code = state.codes.get(form.get("code") or "")
            if (code is None or code["used"] or code["redirect_uri"] != form.get("redirect_uri")
                    or state.timestamp() > code["issued_at"] + CODE_SECONDS):
                return _oauth_error(
                    400, "invalid_request",
                    "Unable to retrieve access token: appid/redirect uri/code verifier does "
                    "not match authorization code. Or authorization code expired. Or external "
                    "member binding exists")
            code["used"] = True
            token = state.issue_token(code["sub"], scopes=" ".join(code["scopes"]))
        answer: dict[str, Any] = {"access_token": token, "expires_in": state.token_lifetime,
                                  "scope": ",".join(sorted(code["scopes"])),
                                  "token_type": "Bearer"}
        if "openid" in code["scopes"]:
            answer["id_token"] = _id_token(state.members[code["sub"]], int(state.timestamp()))
        return jsonify(answer)

    @app.post("/oauth/v2/introspectToken")
    def introspect() -> Any:
        form = request.form
        if (form.get("client_id"), form.get("client_secret")) != (state.client_id,
                                                                  state.client_secret):
            return _oauth_error(401, "invalid_client", "Client authentication failed")
        info = state.tokens.get(form.get("token") or "")
        if info is None:
            return jsonify({"active": False})
        expires = int(info["issued_at"] + state.token_lifetime)
        status = ("revoked" if info["revoked"]
                  else "expired" if state.timestamp() >= expires else "active")
        return jsonify({"active": status == "active", "client_id": state.client_id,
                        "authorized_at": int(info["issued_at"]),
                        "created_at": int(info["issued_at"]), "status": status,
                        "expires_at": expires, "scope": ",".join(sorted(info["scopes"])),
                        "auth_type": "3L"})

    # -- API -------------------------------------------------------------------------------
    def authenticate(scope: str) -> tuple[dict[str, Any] | None, Any]:
        token = bearer()
        with state.lock:
            info = state.tokens.get(token or "")
            if info is None:
                return None, _error(401, "Invalid access token", "INVALID_ACCESS_TOKEN",
                                    serviceErrorCode=65600)
            if info["revoked"]:
                return None, _error(401, "The token used in the request has been revoked by "
                                         "the user", "REVOKED_ACCESS_TOKEN",
                                    serviceErrorCode=65601)
            if state.timestamp() >= info["issued_at"] + state.token_lifetime:
                return None, _error(401, "The token used in the request has expired",
                                    "EXPIRED_ACCESS_TOKEN", serviceErrorCode=65602)
            if scope not in info["scopes"]:
                return None, _error(403, f"Not enough permissions to access: "
                                         f"{request.method} {request.path}", "ACCESS_DENIED",
                                    serviceErrorCode=100)
            return info, None

    def versioned() -> Any:
        """The checks every /rest/ call goes through (§1.6)."""
        version = request.headers.get("LinkedIn-Version")
        if version is None:
            return _error(426, "A version must be present. Please specify a version by adding "
                               "the LinkedIn-Version header.", "VERSION_MISSING")
        match = _VERSION.match(version.strip())
        if not match or match.group(1) not in state.active_versions:
            return _error(426, f"Requested version {version} is not active",
                          "NONEXISTENT_VERSION")
        if request.headers.get("X-Restli-Protocol-Version") != "2.0.0":
            return _error(400, "X-Restli-Protocol-Version 2.0.0 is required for this resource",
                          "ILLEGAL_ARGUMENT")
        return None

    @app.get("/v2/userinfo")
    def userinfo() -> Any:
        info, failed = authenticate("openid")
        if failed:
            return failed
        assert info is not None
        member = state.members[info["sub"]]
        data: dict[str, Any] = {"sub": member["sub"]}
        if "profile" in info["scopes"]:
            data.update(name=member["name"], given_name=member["given_name"],
                        family_name=member["family_name"], picture=member["picture"],
                        locale={"country": "DE", "language": "de"})
        if "email" in info["scopes"]:
            data.update(email=member["email"], email_verified=True)
        return jsonify(data)

    def missing(field: str) -> tuple[Response, int]:
        return _error(422, f"ERROR :: /{field} :: field is required but not found and has no "
                           "default value\n")

    def invalid(field: str, value: Any) -> tuple[Response, int]:
        return _error(422, f"ERROR :: /{field} :: \"{value}\" is not an enum symbol\n")

    def check_post(body: Any, author_urn: str) -> Any:
        if not isinstance(body, dict):
            return _error(400, "Request body must be a JSON object")
        for field in ("author", "visibility", "distribution", "lifecycleState"):
            if field not in body:
                return missing(field)
        if body["author"] != author_urn:
            return _error(403, "Unpermitted fields present in REQUEST_BODY: Data Processing "
                               "Exception while processing fields [/author]", "ACCESS_DENIED",
                          serviceErrorCode=100)
        if body["visibility"] not in VISIBILITIES:
            return invalid("visibility", body["visibility"])
        if body["lifecycleState"] not in LIFECYCLES:
            return invalid("lifecycleState", body["lifecycleState"])
        distribution = body["distribution"]
        if not isinstance(distribution, dict) or "feedDistribution" not in distribution:
            return missing("distribution/feedDistribution")
        if distribution["feedDistribution"] not in FEEDS:
            return invalid("distribution/feedDistribution", distribution["feedDistribution"])
        commentary = body.get("commentary", "")
        if not isinstance(commentary, str):
            return _error(422, "ERROR :: /commentary :: not a string\n")
        content = body.get("content")
        if content is not None:
            article = content.get("article") if isinstance(content, dict) else None
            if not isinstance(article, dict):
                return _error(422, "ERROR :: /content :: unsupported content type\n")
            for field in ("source", "title"):
                if not article.get(field):
                    return missing(f"content/article/{field}")
            if not re.match(r"^https?://\S+$", article["source"]):
                return _error(422, "ERROR :: /content/article/source :: invalid URL\n")
            thumbnail = article.get("thumbnail")
            if thumbnail is not None and thumbnail not in state.images:
                return _error(400, f"Invalid thumbnail: {thumbnail} does not exist",
                              "INVALID_VALUE")
        elif not commentary:
            return missing("commentary")
        length = utf16_units(commentary)
        if length > MAX_COMMENTARY:
            return jsonify({
                "errorDetailType": "com.linkedin.common.error.BadRequest",
                "message": f"ShareCommentary text length ({length} characters) exceeded the "
                           f"maximum allowed ({MAX_COMMENTARY} characters)",
                "errorDetails": {"inputErrors": [{
                    "description": "Array or string has too many elements",
                    "input": {"inputPath": {"fieldPath": "/commentary"}},
                    "code": "FIELD_ARRAY_SIZE_TOO_HIGH"}]},
                "code": "FIELD_ARRAY_SIZE_TOO_HIGH",
                "status": 400}), 400
        return None

    @app.post("/rest/posts")
    def create_post() -> Any:
        failed = versioned()
        if failed:
            return failed
        info, failed = authenticate("w_member_social")
        if failed:
            return failed
        assert info is not None
        author = f"urn:li:person:{info['sub']}"
        with state.lock:
            if state.daily_post_limit is not None:
                day = (info["sub"], state.now().date().isoformat())
                state._daily[day] = state._daily.get(day, 0) + 1
                if state._daily[day] > state.daily_post_limit:
                    body, headers = state.failure(429)
                    return jsonify(body), 429, headers
            body = request.get_json(silent=True) if request.is_json else None
            failed = check_post(body, author)
            if failed:
                return failed
            commentary = body.get("commentary", "")
            for post in state.posts.values():
                if post["author"] == author and not post["deleted"] and commentary \
                        and post["commentary"] == commentary:
                    return _error(422, f"Content is a duplicate of {post['urn']}",
                                  "DUPLICATE_POST")
            # LinkedIn's ids carry their creation time (ms) above the lowest 22 bits.
            urn = f"urn:li:share:{(int(state.timestamp() * 1000) << 22) | state.next_number()}"
            state.posts[urn] = {"urn": urn, "author": author, "commentary": commentary,
                                "text": displayed(commentary),
                                "article": (body.get("content") or {}).get("article"),
                                "visibility": body["visibility"], "body": body,
                                "created_at": state.timestamp(), "deleted": False}
        response = Response(status=201)
        response.headers["x-restli-id"] = urn
        return response

    @app.get("/rest/memberCreatorPostAnalytics")
    def post_analytics() -> Any:
        """Single post statistics (entity finder, TOTAL aggregation): one element with the
        count of the requested metric."""
        failed = versioned()
        if failed:
            return failed
        info, failed = authenticate("r_member_postAnalytics")
        if failed:
            return failed
        assert info is not None
        urn, kind = request.args.get("entity", ""), request.args.get("queryType", "")
        if request.args.get("q") != "entity" or kind not in (
                "IMPRESSION", "MEMBERS_REACHED", "RESHARE", "REACTION", "COMMENT"):
            return _error(400, "Invalid finder or query type", "ILLEGAL_ARGUMENT")
        with state.lock:
            post = state.posts.get(urn)
            if post is None or post["author"] != f"urn:li:person:{info['sub']}":
                return _error(404, f"Post {urn} does not exist", "NOT_FOUND")
            count = state.post_stats.get(urn, {}).get(kind, 0)
        entity_key = "ugcPost" if ":ugcPost:" in urn else "share"
        return jsonify({"paging": {"start": 0, "count": 10, "links": []}, "elements": [
            {"count": count, "metricType": {"com.linkedin.adsexternalapi.memberanalytics.v1"
                                            ".CreatorPostAnalyticsMetricTypeV1": kind},
             "entity": {entity_key: urn}}]})

    @app.delete("/rest/posts/<path:urn>")
    def delete_post(urn: str) -> Any:
        failed = versioned()
        if failed:
            return failed
        info, failed = authenticate("w_member_social")
        if failed:
            return failed
        assert info is not None
        urn = unquote(urn)
        with state.lock:
            post = state.posts.get(urn)
            if post is None or post["deleted"]:
                return _error(404, f"Post {urn} does not exist", "NOT_FOUND")
            if post["author"] != f"urn:li:person:{info['sub']}":
                return _error(403, "Not enough permissions to delete this post",
                              "ACCESS_DENIED", serviceErrorCode=100)
            post["deleted"] = True
        return Response(status=204)

    @app.post("/rest/images")
    def initialize_upload() -> Any:
        if request.args.get("action") != "initializeUpload":
            return _error(400, "Unsupported action", "ILLEGAL_ARGUMENT")
        failed = versioned()
        if failed:
            return failed
        info, failed = authenticate("w_member_social")
        if failed:
            return failed
        assert info is not None
        body = request.get_json(silent=True) or {}
        owner = (body.get("initializeUploadRequest") or {}).get("owner")
        if owner is None:
            return missing("initializeUploadRequest/owner")
        if owner != f"urn:li:person:{info['sub']}":
            return _error(403, "Not enough permissions for this owner", "ACCESS_DENIED")
        number = state.next_number()
        image = f"urn:li:image:D4D10AQ{number:08d}"
        with state.lock:
            state.images[image] = {"owner": owner, "data": None, "status": "WAITING_UPLOAD",
                                   "content_type": None}
        expires = int((state.timestamp() + 86400) * 1000)
        return jsonify({"value": {
            "uploadUrlExpiresAt": expires,
            "uploadUrl": f"{request.host_url.rstrip('/')}/dms-uploads/{number}",
            "image": image}})

    @app.put("/dms-uploads/<int:number>")
    def upload(number: int) -> Any:
        _info, failed = authenticate("w_member_social")
        if failed:
            return failed
        image = f"urn:li:image:D4D10AQ{number:08d}"
        with state.lock:
            if image not in state.images:
                return _error(404, "Unknown upload", "NOT_FOUND")
            state.images[image].update(data=request.get_data(), status="AVAILABLE",
                                       content_type=request.content_type)
        return Response(status=201)

    return app
