"""Local fake servers of the social networks' APIs (docs/share-apis.md §10).

Each fake is a Flask app built by `create_app(state)` in its module; `serve(app)` runs it
on 127.0.0.1 on a free port. The state object is the test-only control API (plain Python,
never reachable over HTTP): it records every request, injects failures, delays answers
and owns a clock that only moves when a test moves it.

The fakes enforce the contracts as the reference describes them and deliberately import
nothing from `advocacy` (counting, escaping and limits are written again here), so a wrong
rule in the app cannot make both sides agree (§10.4).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import Flask, Response, g, jsonify, redirect, request
from werkzeug.datastructures import Headers
from werkzeug.serving import WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 (a free port) in a daemon thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    # A short poll interval: shutdown() waits for the loop to notice, once per test.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              name=f"fake-{app.name}", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        state = app.extensions.get("fake_state")
        if state is not None:
            state.release()  # wake requests still held by hang_after_next
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class Recorded:
    """One request as the fake received it."""

    method: str
    path: str
    raw_path: str  # as sent, before percent-decoding
    query: dict[str, str]
    headers: Headers
    form: dict[str, str]
    json: Any
    data: bytes
    answered: int | None = None  # the status code the fake answered with

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


@dataclass
class _Rule:
    path_prefix: str
    method: str | None
    times: int
    status: int = 0
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        return path.startswith(self.path_prefix) and (self.method is None
                                                      or self.method == method)


class FakeState:
    """What every fake shares: recorded requests, injected failures, a clock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.requests: list[Recorded] = []
        self._failures: list[_Rule] = []
        self._late_failures: list[_Rule] = []
        self._hangs: list[_Rule] = []
        self._released = threading.Event()
        self._now = float(int(time.time()))
        self._counter = 0

    # -- clock -----------------------------------------------------------------------------
    def now(self) -> dt.datetime:
        """The fake's time (UTC); it only moves with `advance` and `set_now`."""
        with self.lock:
            return dt.datetime.fromtimestamp(self._now, dt.UTC)

    def timestamp(self) -> float:
        with self.lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self.lock:
            self._now += seconds

    def set_now(self, when: dt.datetime) -> None:
        with self.lock:
            self._now = when.timestamp()

    # -- faults ----------------------------------------------------------------------------
    def fail_next(self, status: int, *, path_prefix: str = "", body: Any = None,
                  headers: dict[str, str] | None = None, times: int = 1,
                  method: str | None = None) -> None:
        """The next `times` requests under `path_prefix` (and `method`, if given) answer
        `status` without doing anything. `body`: dict/list → JSON, str → text; None → the
        network's usual body for that status (see `failure`). `headers` are added to the
        network's usual ones (e.g. a rate-limit reset)."""
        with self.lock:
            self._failures.append(_Rule(path_prefix, method, times, status, body,
                                        dict(headers or {})))

    def fail_after_next(self, status: int, *, path_prefix: str = "", body: Any = None,
                        method: str | None = None, times: int = 1) -> None:
        """The next `times` requests under `path_prefix` are CARRIED OUT (a post is
        created), then answered with `status` instead of the real answer: the network's
        "500 after it took the post"."""
        with self.lock:
            self._late_failures.append(_Rule(path_prefix, method, times, status, body))

    def hang_after_next(self, path_prefix: str, seconds: float, *,
                        method: str | None = None) -> None:
        """The next request under `path_prefix` is carried out (the post IS created), then
        its answer is held back `seconds`: a client with a shorter timeout sees nothing."""
        with self.lock:
            self._hangs.append(_Rule(path_prefix, method, 1, seconds=seconds))

    def release(self) -> None:
        """Let held answers go now (the server is shutting down)."""
        self._released.set()

    def failure(self, status: int) -> tuple[Any, dict[str, str]]:
        """The network's usual body and headers for an injected `status`."""
        return {"error": f"injected failure {status}"}, {}

    # -- inspection ------------------------------------------------------------------------
    def requests_to(self, path_prefix: str = "", method: str | None = None) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.path.startswith(path_prefix)
                    and (method is None or r.method == method)]

    def last(self, path_prefix: str = "", method: str | None = None) -> Recorded:
        found = self.requests_to(path_prefix, method)
        assert found, f"no {method or ''} request to {path_prefix!r} was received"
        return found[-1]

    # -- helpers for the fakes -------------------------------------------------------------
    def next_number(self) -> int:
        with self.lock:
            self._counter += 1
            return self._counter

    def _take(self, rules: list[_Rule], method: str, path: str) -> _Rule | None:
        with self.lock:
            for rule in rules:
                if rule.matches(method, path):
                    rule.times -= 1
                    if rule.times <= 0:
                        rules.remove(rule)
                    return rule
        return None


def _injected(state: FakeState, rule: _Rule) -> Response:
    """The answer an injected failure gives: the network's usual body and headers for its
    status, unless the rule names its own."""
    default_body, default_headers = state.failure(rule.status)
    body = default_body if rule.body is None else rule.body
    response = (jsonify(body) if isinstance(body, dict | list)
                else Response(body, content_type="text/plain"))
    response.status_code = rule.status
    response.headers.update({**default_headers, **rule.headers})
    return response


def make_app(name: str, state: FakeState) -> Flask:
    """A Flask app that records requests and applies injected failures and delays."""
    app = Flask(name)
    app.extensions["fake_state"] = state

    @app.before_request
    def _record() -> Response | None:
        raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or ""
        recorded = Recorded(
            method=request.method, path=request.path, raw_path=raw.split("?", 1)[0],
            query=request.args.to_dict(), headers=Headers(list(request.headers.items())),
            form=request.form.to_dict(), json=request.get_json(silent=True),
            data=request.get_data(cache=True))
        with state.lock:
            state.requests.append(recorded)
        g.recorded = recorded
        rule = state._take(state._failures, request.method, request.path)
        if rule is not None:
            return _injected(state, rule)
        hang = state._take(state._hangs, request.method, request.path)
        g.hang = hang.seconds if hang else 0.0
        g.late = state._take(state._late_failures, request.method, request.path)
        return None

    @app.after_request
    def _finish(response: Response) -> Response:
        late = g.get("late")
        if late is not None:
            response = _injected(state, late)  # the request was carried out all the same
        recorded = g.get("recorded")
        if recorded is not None:
            recorded.answered = response.status_code
        if g.get("hang"):
            state._released.wait(g.hang)
        return response

    return app


# -- OAuth helpers shared by the fakes --------------------------------------------------------

def s256(verifier: str) -> str:
    """The PKCE S256 challenge of `verifier` (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    extra = urlencode({k: v for k, v in params.items() if v is not None})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def basic_credentials() -> tuple[str, str] | None:
    """The client id and secret of an HTTP Basic Authorization header, if any."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
    except ValueError:
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


def bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


def consent_page(network: str, app_name: str, scopes: str) -> str:
    """The authorize page: the request's own parameters go back in hidden fields."""
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in request.args.items() if k != "approve")
    return (
        f"<!doctype html><title>Authorize {html.escape(app_name)} - {network}</title>"
        f"<h1>{html.escape(app_name)} wants to use your {network} account</h1>"
        f"<p>Permissions: {html.escape(scopes)}</p>"
        f'<form method="post">{hidden}'
        '<button type="submit" name="decision" value="allow">Authorize</button>'
        '<button type="submit" name="decision" value="deny">Deny</button></form>')


def oauth_params() -> dict[str, str]:
    """The authorize parameters: from the query (GET) or the consent form (POST)."""
    return request.form.to_dict() if request.method == "POST" else request.args.to_dict()


def decided() -> str | None:
    """"allow", "deny", or None when the consent page must be shown."""
    if request.method == "POST":
        return "allow" if request.form.get("decision") == "allow" else "deny"
    return "allow" if request.args.get("approve") in ("1", "true", "yes") else None


def to_callback(redirect_uri: str, **params: str) -> Response:
    return redirect(with_query(redirect_uri, **params), code=302)  # type: ignore[return-value]


def error_page(status: int, error: str, description: str) -> tuple[str, int]:
    """What an authorize endpoint shows when it must not redirect (bad client/redirect)."""
    return (f"<!doctype html><title>{html.escape(error)}</title>"
            f"<h1>{html.escape(error)}</h1><p>{html.escape(description)}</p>", status)
