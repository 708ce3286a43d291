"""Fake X API (share-apis.md §2, §10.2).

Implements: GET+POST /i/oauth2/authorize, POST /2/oauth2/token, POST /2/oauth2/revoke
(§2.1), GET /2/users/me, POST /2/tweets, DELETE /2/tweets/:id, GET /2/tweets/:id,
GET /2/users/:id/tweets (§2.2).

Enforced: PKCE with S256 (plain refused, as our client must use S256), the verifier checked
at the token endpoint; codes single-use and valid 30 s (fake clock); the confidential
client authenticates with HTTP Basic (missing → 401 unauthorized_client); access tokens
valid 7200 s; refresh tokens single-use: a used one presented again → 400 invalid_request
and the whole token family (everything descended from that authorization) is revoked;
weighted length ≤ 280 (URLs 23, NFC, emoji 2, CJK 2); posts are shown with every URL
replaced by a t.co link (the original only in `entities.urls`, §2.5); duplicate text of the
same user → 403 "duplicate content"; 100 posts / 15 min per user with x-rate-limit-*
headers and the 429 body of code 88; every created post charged $0.015, or $0.200 when it
holds a URL (§2.4).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from decimal import Decimal
from typing import Any

import regex
from flask import Flask, Response, jsonify, request

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

CLIENT_ID = "fake-x-client-id"
CLIENT_SECRET = "fake-x-client-secret"
REDIRECT_URI = "http://localhost/accounts/x/callback"
SCOPES_KNOWN = {
    "tweet.read", "tweet.write", "tweet.moderate.write", "users.read", "users.email",
    "follows.read", "follows.write", "offline.access", "space.read", "mute.read",
    "mute.write", "like.read", "like.write", "list.read", "list.write", "block.read",
    "block.write", "bookmark.read", "bookmark.write", "media.write", "dm.read", "dm.write",
}
TWEET_FIELDS = {
    "article", "attachments", "author_id", "card_uri", "community_id", "context_annotations",
    "conversation_id", "created_at", "display_text_range", "edit_controls",
    "edit_history_tweet_ids", "entities", "geo", "id", "in_reply_to_user_id", "lang",
    "media_metadata", "non_public_metrics", "note_tweet", "organic_metrics",
    "possibly_sensitive", "promoted_metrics", "public_metrics", "referenced_tweets",
    "reply_settings", "scopes", "source", "text", "withheld",
}
USER_FIELDS = {
    "affiliation", "connection_status", "created_at", "description", "entities", "id",
    "location", "most_recent_tweet_id", "name", "pinned_tweet_id", "profile_banner_url",
    "profile_image_url", "protected", "public_metrics", "receives_your_dm",
    "subscription_type", "url", "username", "verified", "verified_type", "withheld",
}
TWEET_BODY_FIELDS = {
    "text", "reply", "quote_tweet_id", "media", "poll", "reply_settings",
    "direct_message_deep_link", "for_super_followers_only", "geo", "nullcast", "card_uri",
    "community_id", "share_with_followers", "made_with_ai", "paid_partnership",
}
PRICE_POST = Decimal("0.015")
PRICE_POST_WITH_URL = Decimal("0.200")

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
_CLUSTER = regex.compile(r"\X")
_EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3")
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_NARROW = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def _urls(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _URL.finditer(text):
        end = match.end()
        while end > match.start() and text[end - 1] in ".,;:!?'\")]":
            end -= 1
        spans.append((match.start(), end))
    return spans


def weighted_length(text: str) -> int:
    """X's weighted length (twitter-text v3 config): NFC; each URL 23; an emoji cluster 2;
    other code points 1 inside the narrow ranges, else 2."""
    text = unicodedata.normalize("NFC", text)
    pieces, position, total = [], 0, 0
    for start, end in _urls(text):
        pieces.append(text[position:start])
        total += 23
        position = end
    pieces.append(text[position:])
    for piece in pieces:
        for cluster in _CLUSTER.findall(piece):
            if _EMOJI.search(cluster):
                total += 2
                continue
            for char in cluster:
                code = ord(char)
                total += 1 if any(lo <= code <= hi for lo, hi in _NARROW) else 2
    return total


def has_url(text: str) -> bool:
    return bool(_urls(text))


def shorten(text: str) -> tuple[str, list[dict[str, Any]]]:
    """The text as X shows it: every URL replaced by a t.co link; and the `entities.urls`
    that tell the original (expanded) URLs."""
    shown, entities, position = [], [], 0
    for start, end in _urls(text):
        shown.append(text[position:start])
        original = text[start:end]
        link = "https://t.co/" + "".join(secrets.choice(_ALNUM) for _ in range(10))
        offset = sum(len(piece) for piece in shown)
        expanded = original if "://" in original else f"http://{original}"
        display = expanded.split("://", 1)[1]
        entities.append({"start": offset, "end": offset + len(link), "url": link,
                         "expanded_url": expanded,
                         "display_url": display if len(display) <= 26 else display[:25] + "…"})
        shown.append(link)
        position = end
    shown.append(text[position:])
    return "".join(shown), entities


def problem(status: int, title: str, detail: str, kind: str = "about:blank",
            **extra: Any) -> tuple[Response, int]:
    return jsonify({"title": title, "detail": detail, "type": kind, "status": status,
                    **extra}), status


def invalid_request(parameter: str, values: list[str], message: str) -> tuple[Response, int]:
    return jsonify({
        "errors": [{"parameters": {parameter: values}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request"}), 400


def oauth_error(status: int, error: str, description: str) -> tuple[Response, int]:
    return jsonify({"error": error, "error_description": description}), status


class XState(FakeState):
    """Control API of the fake X API."""

    def __init__(self) -> None:
        super().__init__()
        self.client_id = CLIENT_ID
        self.client_secret = CLIENT_SECRET
        self.redirect_uris = {REDIRECT_URI}
        self.code_lifetime = 30
        self.token_lifetime = 7200
        self.tweet_limit = 100  # POST /2/tweets per user and window
        self.tweet_window = 900
        self.users: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.access_tokens: dict[str, dict[str, Any]] = {}
        self.refresh_tokens: dict[str, dict[str, Any]] = {}
        self.revoked_families: set[str] = set()
        self.tweets: dict[str, dict[str, Any]] = {}
        self.billing: list[dict[str, Any]] = []
        self._windows: dict[str, tuple[float, int]] = {}
        self.user = self.add_user("ada_advocate", name="Ada Advocate", followers_count=1234)

    # -- control API -----------------------------------------------------------------------
    def add_user(self, username: str, *, name: str = "",
                 followers_count: int = 0) -> dict[str, Any]:
        """A person on X; the first is `self.user`, who approves authorizations."""
        with self.lock:
            user = {"id": str(1_400_000_000_000_000_000 + self.next_number()),
                    "username": username, "name": name or username,
                    "public_metrics": {"followers_count": followers_count,
                                       "following_count": 10, "tweet_count": 0,
                                       "listed_count": 0, "like_count": 0}}
            self.users[user["id"]] = user
            return user

    def issue_token(self, user_id: str | None = None, *,
                    scopes: str = "tweet.read tweet.write users.read offline.access",
                    family: str | None = None) -> dict[str, Any]:
        """A fresh token pair (a new family unless given), as the token endpoint answers."""
        with self.lock:
            family = family or secrets.token_hex(8)
            user_id = user_id or self.user["id"]
            scope_set = set(scopes.split())
            access = secrets.token_urlsafe(32)
            self.access_tokens[access] = {"user_id": user_id, "scopes": scope_set,
                                          "issued_at": self.timestamp(), "family": family,
                                          "revoked": False}
            answer: dict[str, Any] = {"token_type": "bearer", "expires_in": self.token_lifetime,
                                      "access_token": access, "scope": " ".join(sorted(scope_set))}
            if "offline.access" in scope_set:
                refresh = secrets.token_urlsafe(32)
                self.refresh_tokens[refresh] = {"user_id": user_id, "scopes": scope_set,
                                                "family": family, "used": False,
                                                "revoked": False}
                answer["refresh_token"] = refresh
            return answer

    def revoke_family(self, family: str) -> None:
        with self.lock:
            self.revoked_families.add(family)

    def family_of(self, token: str) -> str | None:
        with self.lock:
            info = self.access_tokens.get(token) or self.refresh_tokens.get(token)
            return info["family"] if info else None

    @property
    def created(self) -> list[dict[str, Any]]:
        """Posts not deleted, oldest first."""
        with self.lock:
            return [t for t in self.tweets.values() if not t["deleted"]]

    def billing_total(self) -> Decimal:
        with self.lock:
            return sum((entry["amount"] for entry in self.billing), Decimal("0"))

    def set_metrics(self, tweet_id: str, **counts: int) -> None:
        """like_count, retweet_count, reply_count, quote_count, impression_count, ..."""
        with self.lock:
            self.tweets[tweet_id]["public_metrics"].update(counts)

    def failure(self, status: int) -> tuple[Any, dict[str, str]]:
        if status == 429:
            reset = int(self.timestamp()) + self.tweet_window
            return ({"errors": [{"code": 88, "message": "Rate limit exceeded"}]},
                    {"x-rate-limit-limit": str(self.tweet_limit),
                     "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)})
        if status == 401:
            return {"title": "Unauthorized", "type": "about:blank", "status": 401,
                    "detail": "Unauthorized"}, {}
        if status == 403:
            return {"title": "Forbidden", "type": "about:blank", "status": 403,
                    "detail": "You are not permitted to perform this action."}, {}
        if status == 503:
            return {"title": "Service Unavailable", "type": "about:blank", "status": 503,
                    "detail": "Service Unavailable"}, {}
        if status >= 500:
            return {"title": "Internal Server Error", "type": "about:blank",
                    "status": status, "detail": "Internal Server Error"}, {}
        return {"title": "Error", "type": "about:blank", "status": status,
                "detail": f"Error {status}"}, {}


def create_app(state: XState) -> Flask:
    app = make_app("fake_x", state)

    # -- OAuth -----------------------------------------------------------------------------
    @app.route("/i/oauth2/authorize", methods=["GET", "POST"])
    def authorize() -> Any:
        params = oauth_params()
        if params.get("client_id") != state.client_id:
            return error_page(400, "invalid_client", "Something went wrong: this app is not "
                                                     "known.")
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in state.redirect_uris:
            return error_page(400, "invalid_request", "Something went wrong: the callback URL "
                                                      "is not registered for this app.")
        problems = []
        if params.get("response_type") != "code":
            problems.append("response_type must be code")
        scopes = set((params.get("scope") or "").split())
        if not scopes or not scopes <= SCOPES_KNOWN:
            problems.append("invalid scope")
        if not params.get("state") or len(params["state"]) > 500:
            problems.append("state is required (at most 500 characters)")
        if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
            problems.append("PKCE with code_challenge_method=S256 is required")
        if problems:
            return error_page(400, "invalid_request", "; ".join(problems))
        decision = decided()
        if decision is None:
            return consent_page("X", "advocacy", " ".join(sorted(scopes)))
        if decision == "deny":
            return to_callback(redirect_uri, error="access_denied", state=params["state"])
        code = secrets.token_urlsafe(32)
        with state.lock:
            state.codes[code] = {"redirect_uri": redirect_uri, "scopes": scopes,
                                 "challenge": params["code_challenge"],
                                 "user_id": state.user["id"], "issued_at": state.timestamp(),
                                 "used": False}
        return to_callback(redirect_uri, code=code, state=params["state"])

    def client_authenticated() -> bool:
        return basic_credentials() == (state.client_id, state.client_secret)

    @app.post("/2/oauth2/token")
    def token() -> Any:
        if not client_authenticated():
            return oauth_error(401, "unauthorized_client", "Missing valid authorization header")
        form = request.form
        grant = form.get("grant_type")
        with state.lock:
            if grant == "authorization_code":
                if not form.get("code_verifier"):
                    return oauth_error(400, "invalid_request",
                                       "Missing required parameter [code_verifier].")
                code = state.codes.get(form.get("code") or "")
                if (code is None or code["used"]
                        or state.timestamp() > code["issued_at"] + state.code_lifetime
                        or code["redirect_uri"] != form.get("redirect_uri")
                        or s256(form["code_verifier"]) != code["challenge"]):
                    return oauth_error(400, "invalid_request",
                                       "Value passed for the authorization code was invalid.")
                code["used"] = True
                return jsonify(state.issue_token(code["user_id"],
                                                 scopes=" ".join(code["scopes"])))
            if grant == "refresh_token":
                info = state.refresh_tokens.get(form.get("refresh_token") or "")
                invalid = oauth_error(400, "invalid_request",
                                      "Value passed for the token was invalid.")
                if info is None:
                    return invalid
                if info["used"] or info["revoked"] or info["family"] in state.revoked_families:
                    # Reuse of a rotated refresh token: the whole family is revoked.
                    state.revoke_family(info["family"])
                    return invalid
                info["used"] = True
                return jsonify(state.issue_token(info["user_id"],
                                                 scopes=" ".join(info["scopes"]),
                                                 family=info["family"]))
        return oauth_error(400, "invalid_request", "Missing required parameter [grant_type].")

    @app.post("/2/oauth2/revoke")
    def revoke() -> Any:
        credentials = basic_credentials()
        if credentials != (state.client_id, state.client_secret) and \
                request.form.get("client_id") != state.client_id:
            return oauth_error(401, "unauthorized_client", "Missing valid authorization header")
        with state.lock:
            token = request.form.get("token") or ""
            info = state.access_tokens.get(token) or state.refresh_tokens.get(token)
            if info is not None:
                info["revoked"] = True
        return jsonify({"revoked": True})

    # -- API -------------------------------------------------------------------------------
    def authenticate(*needed: str) -> tuple[dict[str, Any] | None, Any]:
        with state.lock:
            info = state.access_tokens.get(bearer() or "")
            if (info is None or info["revoked"] or info["family"] in state.revoked_families
                    or state.timestamp() >= info["issued_at"] + state.token_lifetime):
                return None, problem(401, "Unauthorized", "Unauthorized")
            if not set(needed) <= info["scopes"]:
                return None, problem(403, "Forbidden",
                                     "You are not permitted to perform this action.")
            return info, None

    def fields(parameter: str, allowed: set[str]) -> tuple[set[str], Any]:
        value = request.args.get(parameter)
        if value is None:
            return set(), None
        asked = set(value.split(","))
        unknown = sorted(asked - allowed)
        if unknown:
            return asked, invalid_request(
                parameter, unknown,
                f"The `{parameter}` query parameter value [{unknown[0]}] is not one of "
                f"[{','.join(sorted(allowed))}]")
        return asked, None

    def tweet_json(tweet: dict[str, Any], asked: set[str]) -> dict[str, Any]:
        data = {"id": tweet["id"], "text": tweet["shown"],
                "edit_history_tweet_ids": [tweet["id"]]}
        if "entities" in asked and tweet["urls"]:
            data["entities"] = {"urls": [dict(url) for url in tweet["urls"]]}
        if "public_metrics" in asked:
            data["public_metrics"] = dict(tweet["public_metrics"])
        if "author_id" in asked:
            data["author_id"] = tweet["author_id"]
        if "created_at" in asked:
            data["created_at"] = dt.datetime.fromtimestamp(
                tweet["created_at"], dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        return data

    def not_found(tweet_id: str) -> dict[str, Any]:
        return {"value": tweet_id, "detail": f"Could not find tweet with id: [{tweet_id}].",
                "title": "Not Found Error", "resource_type": "tweet", "parameter": "id",
                "resource_id": tweet_id,
                "type": "https://api.twitter.com/2/problems/resource-not-found"}

    @app.get("/2/users/me")
    def me() -> Any:
        info, failed = authenticate("tweet.read", "users.read")
        if failed:
            return failed
        asked, failed = fields("user.fields", USER_FIELDS)
        if failed:
            return failed
        assert info is not None
        user = state.users[info["user_id"]]
        data = {"id": user["id"], "name": user["name"], "username": user["username"]}
        if "public_metrics" in asked:
            data["public_metrics"] = dict(user["public_metrics"])
        return jsonify({"data": data})

    def rate_window(user_id: str) -> tuple[bool, dict[str, str]]:
        now = state.timestamp()
        start, count = state._windows.get(user_id, (now, 0))
        if now >= start + state.tweet_window:
            start, count = now, 0
        count += 1
        state._windows[user_id] = (start, count)
        headers = {"x-rate-limit-limit": str(state.tweet_limit),
                   "x-rate-limit-remaining": str(max(0, state.tweet_limit - count)),
                   "x-rate-limit-reset": str(int(start + state.tweet_window))}
        return count > state.tweet_limit, headers

    @app.post("/2/tweets")
    def create_tweet() -> Any:
        info, failed = authenticate("tweet.read", "tweet.write", "users.read")
        if failed:
            return failed
        assert info is not None
        with state.lock:
            limited, headers = rate_window(info["user_id"])
            result = create(info["user_id"], limited)
        response, status = result
        response.headers.update(headers)
        return response, status

    def create(author: str, limited: bool) -> tuple[Response, int]:
        if limited:
            return jsonify({"errors": [{"code": 88, "message": "Rate limit exceeded"}]}), 429
        body = request.get_json(silent=True) if request.is_json else None
        if not isinstance(body, dict):
            return problem(400, "Invalid Request", "Request body must be JSON.",
                           "https://api.twitter.com/2/problems/invalid-request")
        unexpected = sorted(set(body) - TWEET_BODY_FIELDS)
        if unexpected:
            return invalid_request(unexpected[0], [str(body[unexpected[0]])],
                                   f"$.{unexpected[0]}: is not defined in the schema and "
                                   "the schema does not allow additional properties")
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return invalid_request("text", [str(text)], "$.text: must not be empty")
        if weighted_length(text) > 280:
            return problem(403, "Forbidden", "Your Tweet text is too long.")
        if any(t["text"] == text for t in state.tweets.values()
               if t["author_id"] == author and not t["deleted"]):
            return problem(403, "Forbidden",
                           "You are not allowed to create a Tweet with duplicate content.")
        tweet_id = str(1_850_000_000_000_000_000 + state.next_number())
        shown, urls = shorten(text)
        state.tweets[tweet_id] = {
            "id": tweet_id, "author_id": author, "text": text, "shown": shown, "urls": urls,
            "created_at": state.timestamp(), "deleted": False,
            "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 0,
                               "quote_count": 0, "bookmark_count": 0, "impression_count": 0}}
        state.users[author]["public_metrics"]["tweet_count"] += 1
        with_url = has_url(text)
        state.billing.append({"tweet_id": tweet_id, "with_url": with_url,
                              "amount": PRICE_POST_WITH_URL if with_url else PRICE_POST})
        return jsonify({"data": {"id": tweet_id, "text": shown,
                                 "edit_history_tweet_ids": [tweet_id]}}), 201

    @app.delete("/2/tweets/<tweet_id>")
    def delete_tweet(tweet_id: str) -> Any:
        info, failed = authenticate("tweet.read", "tweet.write", "users.read")
        if failed:
            return failed
        assert info is not None
        with state.lock:
            tweet = state.tweets.get(tweet_id)
            if tweet is None or tweet["deleted"]:
                return problem(404, "Not Found Error",
                               f"Could not find tweet with id: [{tweet_id}].",
                               "https://api.twitter.com/2/problems/resource-not-found")
            if tweet["author_id"] != info["user_id"]:
                return problem(403, "Forbidden", "You are not allowed to delete this Tweet.")
            tweet["deleted"] = True
        return jsonify({"data": {"deleted": True}})

    @app.get("/2/tweets/<tweet_id>")
    def show_tweet(tweet_id: str) -> Any:
        _info, failed = authenticate("tweet.read", "users.read")
        if failed:
            return failed
        asked, failed = fields("tweet.fields", TWEET_FIELDS)
        if failed:
            return failed
        tweet = state.tweets.get(tweet_id)
        if tweet is None or tweet["deleted"]:
            return jsonify({"errors": [not_found(tweet_id)]})
        return jsonify({"data": tweet_json(tweet, asked)})

    @app.get("/2/users/<user_id>/tweets")
    def user_tweets(user_id: str) -> Any:
        _info, failed = authenticate("tweet.read", "users.read")
        if failed:
            return failed
        asked, failed = fields("tweet.fields", TWEET_FIELDS)
        if failed:
            return failed
        raw = request.args.get("max_results", "10")
        if not raw.isdigit() or not 5 <= int(raw) <= 100:
            return invalid_request("max_results", [raw],
                                   f"The `max_results` query parameter value [{raw}] is not "
                                   "between 5 and 100")
        if user_id not in state.users:
            return jsonify({"errors": [{
                "value": user_id, "detail": f"Could not find user with id: [{user_id}].",
                "title": "Not Found Error", "resource_type": "user", "parameter": "id",
                "resource_id": user_id,
                "type": "https://api.twitter.com/2/problems/resource-not-found"}]})
        with state.lock:
            mine = [t for t in state.tweets.values()
                    if t["author_id"] == user_id and not t["deleted"]]
        mine.sort(key=lambda t: (t["created_at"], int(t["id"])), reverse=True)
        page = mine[:int(raw)]
        if not page:
            return jsonify({"meta": {"result_count": 0}})
        return jsonify({"data": [tweet_json(t, asked) for t in page],
                        "meta": {"result_count": len(page), "newest_id": page[0]["id"],
                                 "oldest_id": page[-1]["id"]}})

    return app
