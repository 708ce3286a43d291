"""Fake X API (share-apis.md §2, §10.2).

Implements: GET+POST /i/oauth2/authorize, POST /2/oauth2/token, POST /2/oauth2/revoke
(§2.1), GET /2/users/me, POST /2/tweets, DELETE /2/tweets/:id, GET /2/tweets/:id,
GET /2/users/:id/tweets (§2.2).

Enforced: PKCE with S256 (plain refused, as our client must use S256), the verifier checked
at the token endpoint; codes single-use and valid 30 s (fake clock); the confidential
client authenticates with HTTP Basic (missing → 401 unauthorized_client); access tokens
valid 7200 s; refresh tokens single-use: a used one presented again → 400 invalid_request
and the whole token family (everything descended from that authorization) is revoked;
weighted length ≤ 280 (links 23 even without a scheme, NFC, emoji 2, CJK 2); posts show each URL
replaced by a t.co link (the original only in `entities.urls`, §2.5); duplicate text of the
same user → 403 "duplicate content"; 100 posts / 15 min per user with x-rate-limit-*
headers and the 429 body of code 88; every created post charged $0.015, or $0.200 when it
holds a URL (§2.4); past `usage_cap` billed calls a month, every API call answers 429
with the usage-capped problem (updates of December 2026); the author's timeline takes
`start_time` and pages by `pagination_token`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import secrets
import unicodedata
from decimal import Decimal
from pathlib import Path
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
# X's answer (HTTP 429) once the app's monthly usage cap is used up (xdevplatform/xdk#25).
USAGE_CAPPED = {"account_id": "1790000000000000000", "product_name": "standard-basic",
                "title": "UsageCapExceeded", "period": "Monthly", "scope": "Product",
                "detail": "Usage cap exceeded: Monthly product cap",
                "type": "https://api.twitter.com/2/problems/usage-capped"}
PRICE_POST = Decimal("0.015")
PRICE_POST_WITH_URL = Decimal("0.200")

# X's counting (twitter-text v3), written again for this fake without the app's code: one
# regular expression finds what looks like a link, as twitter-text's own does; the facts
# (TLDs, weights, emoji sequences) are read from static/js/counting-data.js, which
# tests/unit/test_x_counting.py holds to twitter-text itself.
_FACTS = Path(__file__).resolve().parents[2] / "static" / "js" / "counting-data.js"
_ACCENT = (r"\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
           r"\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff")
_PATH = rf"[a-z\u0400-\u04ff0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&{_ACCENT}]"
_PATH_END = rf"[+\-a-z\u0400-\u04ff0-9=_#/{_ACCENT}]"
_PARENS = rf"\((?:{_PATH}+|{_PATH}*\({_PATH}+\){_PATH}*)\)"
_QUERY = r"\?[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*[a-z0-9\-_&=#/]"
_LABEL = (r"[^!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$\t-\r \x85\xa0\u1680\u180e\u2000-\u200a"
          r"\u2028\u2029\u202f\u205f\u3000\ufffe\ufeff\uffff\u202a-\u202e\u061c\u200e\u200f"
          r"\u2066-\u2069]")
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@functools.cache
def _x_facts() -> dict[str, Any]:
    source = _FACTS.read_text("utf-8")
    facts: dict[str, Any] = json.loads(source[source.index("= ") + 2:source.rindex(";")])
    tlds = sorted(facts["tlds"]["generic"] + facts["tlds"]["country"], key=len, reverse=True)
    tld = "(?:" + "|".join(map(regex.escape, tlds)) + r"|xn--[a-z0-9\-]+)(?=[^a-z0-9@+\-]|$)"
    facts["link"] = regex.compile(
        r"(?:(?P<before>[^a-z0-9@\uff20$#\uff03\ufffe\ufeff\uffff])|^)"
        rf"(?P<url>(?P<scheme>https?://)?(?P<domain>(?:{_LABEL}(?:[_-]*{_LABEL})*\.)*"
        rf"{_LABEL}(?:-*{_LABEL})*\.{tld})(?::[0-9]+)?"
        rf"(?P<path>/(?:{_PATH}*(?:{_PARENS}{_PATH}*)*{_PATH_END}|{_PARENS})*)?(?:{_QUERY})?)",
        regex.IGNORECASE | regex.V0)
    facts["ascii"] = regex.compile(rf"(?:[a-z0-9\-{_ACCENT}]+\.)+{tld}",
                                   regex.IGNORECASE | regex.V0)
    tones = ["\U0001f3fb", "\U0001f3fc", "\U0001f3fd", "\U0001f3fe", "\U0001f3ff"]
    facts["emoji"] = {sequence.replace(tones[0], tone) for sequence in
                      facts["x"]["emoji_sequences"] for tone in tones}
    return facts


def _label_ok(label: str) -> bool:
    """At most 63 characters once in punycode."""
    try:
        encoded = label if label.isascii() else "xn--" + label.encode("punycode").decode()
    except UnicodeError:
        return False
    return 0 < len(encoded) <= 63


def _urls(text: str) -> list[tuple[int, int]]:
    """The links X counts: with a scheme whole (a t.co link up to its slug); without one
    only the ASCII domain names, not after "-", "_", "." or "/"."""
    facts, spans = _x_facts(), []
    for match in facts["link"].finditer(text):
        url, domain = match.group("url"), match.group("domain")
        if (len(url.encode("utf-16-le")) // 2 + (0 if match.group("scheme") else 8) > 4096
                or not all(_label_ok(label) for label in domain.split("."))
                or (domain.startswith("xn--") and not facts["ascii"].search(domain))):
            continue
        if match.group("scheme"):
            tco = regex.match(rf"https?://t\.co/([a-z0-9]+)(?:{_QUERY})?", url, regex.I)
            if tco and len(tco.group(1)) > 40:
                continue
            spans.append((match.start("url"), match.start("url") + len(tco[0] if tco else url)))
        elif match.group("before") not in {"-", "_", ".", "/"}:
            names = [(match.start("domain") + name.start(), match.start("domain") + name.end())
                     for name in facts["ascii"].finditer(domain)]
            if names and match.group("path"):
                names[-1] = (names[-1][0], match.end("url"))
            spans.extend(names)
    return spans


def weighted_length(text: str) -> int:
    """X's weighted length (twitter-text v3 config): NFC; each link 23; each emoji sequence
    X knows 2; other code points 1 inside the light ranges, else 2."""
    text = unicodedata.normalize("NFC", text)
    facts = _x_facts()
    links = dict(_urls(text))
    total = position = 0
    while position < len(text):
        if position in links:
            total, position = total + 23, links[position]
            continue
        size = next((size for size in range(min(16, len(text) - position), 1, -1)
                     if text[position:position + size] in facts["emoji"]), 1)
        code = ord(text[position])
        light = size == 1 and any(low <= code <= high for low, high in facts["x"]["light_ranges"])
        total, position = total + (1 if light else 2), position + size
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
        # The app's monthly usage cap in billed requests (None: none). Past it every call
        # answers 429 with the usage-capped problem until `reset_usage` (a new month).
        self.usage_cap: int | None = None
        self.usage = 0
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

    def reset_usage(self) -> None:
        """A new billing month."""
        with self.lock:
            self.usage = 0

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
    @app.before_request
    def _usage_cap() -> Any:
        """Every API call (not OAuth) is billed and counts against the monthly cap."""
        if not request.path.startswith("/2/") or request.path.startswith("/2/oauth2/"):
            return None
        with state.lock:
            if state.usage_cap is not None and state.usage >= state.usage_cap:
                return jsonify(USAGE_CAPPED), 429
            state.usage += 1
        return None

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
        since = request.args.get("start_time")
        after = None
        if since is not None:
            try:
                after = dt.datetime.strptime(since, "%Y-%m-%dT%H:%M:%SZ").replace(
                    tzinfo=dt.UTC).timestamp()
            except ValueError:
                return invalid_request("start_time", [since],
                                       f"Invalid date for `start_time`: {since}")
        with state.lock:
            mine = [t for t in state.tweets.values()
                    if t["author_id"] == user_id and not t["deleted"]
                    and (after is None or t["created_at"] >= after)]
        mine.sort(key=lambda t: (t["created_at"], int(t["id"])), reverse=True)
        # Pages are cut by id: the token names the last id of the previous page.
        token = request.args.get("pagination_token")
        if token:
            mine = [t for t in mine if int(t["id"]) < int(token)]
        page = mine[:int(raw)]
        if not page:
            return jsonify({"meta": {"result_count": 0}})
        meta = {"result_count": len(page), "newest_id": page[0]["id"],
                "oldest_id": page[-1]["id"]}
        if len(mine) > len(page):
            meta["next_token"] = page[-1]["id"]
        return jsonify({"data": [tweet_json(t, asked) for t in page], "meta": meta})

    return app
