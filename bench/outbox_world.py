"""The networks of `bench.outbox_faults`: four servers, their faults, and what they hold.

X, Mastodon and LinkedIn are the fake servers of the test suite (tests/fakes), served in
this process. Bluesky is a real PDS (../shared/peers/bluesky, started on ports and a
state folder of its own, so a peer the test suite runs is left alone) behind a small
proxy that can fail like the fakes: the proxy is a fake app too (`tests.fakes.make_app`),
so its `fail_next`, `fail_after_next` and `hang_after_next` work as theirs do.

In front of each server sits an `Injector` (a WSGI wrapper): for every request that
creates a post, or looks one up, it draws from a seeded random source whether to inject a
fault, and arms it through the server's own control API just before the request reaches
it. The kinds rotate, so every kind gets an equal share:

    created_then_5xx      the post is created, then the answer is a 500/502/503
    5xx_before            500/502/503 before anything is done
    429                   the network's slow-down answer (its own headers)
    timeout_after_accept  the post is created, the answer is held past the app's timeout
    lookup_5xx, lookup_404    a look-up (X timeline, Mastodon statuses, Bluesky getRecord)
                          fails
    lookup_empty          (X only) the timeline answers without the post, as a lagging
                          timeline would: the app sends again and X refuses the duplicate

`slow` makes every request of a server hang past the timeout (scenario "slow").
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import re
import subprocess
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import httpx
from flask import Flask, Response, request

from bench.common import ROOT, free_port

NETWORKS = ("mastodon", "x", "linkedin", "bluesky")
LINK_BASE = "https://advocacy.example.com"
TRACKED = re.compile(r"/r/([A-Za-z0-9]{4,16})\b")
CREATE_FAULTS = ("created_then_5xx", "5xx_before", "429", "timeout_after_accept")
LOOKUP_FAULTS = {"x": ("lookup_5xx", "lookup_404", "lookup_empty"),
                 "mastodon": ("lookup_5xx", "lookup_404"),
                 "bluesky": ("lookup_5xx", "lookup_404"), "linkedin": ()}
CREATE_PATHS = {"mastodon": "/api/v1/statuses", "x": "/2/tweets", "linkedin": "/rest/posts",
                "bluesky": "/xrpc/com.atproto.repo.createRecord"}
PEER_DIR = Path(os.environ.get("ADVOCACY_BLUESKY_PEER")
                or ROOT.parent / "shared" / "peers" / "bluesky")
if not (PEER_DIR / "start.sh").exists():
    PEER_DIR = Path("/work/shared/peers/bluesky")


def role(network: str, method: str, path: str) -> str | None:
    """"create" for a request that makes a post, "lookup" for one that looks for it."""
    if method == "POST" and path == CREATE_PATHS[network]:
        return "create"
    if method != "GET":
        return None
    if network == "x" and path.startswith("/2/users/") and path.endswith("/tweets"):
        return "lookup"
    if network == "mastodon" and path.startswith("/api/v1/accounts/") \
            and path.endswith("/statuses"):
        return "lookup"
    if network == "bluesky" and path in ("/xrpc/com.atproto.repo.getRecord",
                                         "/xrpc/com.atproto.repo.listRecords"):
        return "lookup"
    return None


def codes_in(text: str) -> list[str]:
    return TRACKED.findall(text or "")


class Injector:
    """WSGI wrapper of a fake: draws faults per request, arms them on the fake's state."""

    def __init__(self, network: str, inner: Callable[..., Iterable[bytes]], state: Any,
                 seed: int, hang_seconds: float) -> None:
        self.network = network
        self.inner = inner
        self.state = state
        self.rng = random.Random(f"{seed}:{network}")
        self.hang_seconds = hang_seconds
        self.rate = 0.0  # of create requests
        self.lookup_rate = 0.0  # of look-ups
        self.slow = False  # every request hangs past the timeout
        self.lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.injected: list[dict[str, Any]] = []
        self._queues: dict[str, list[str]] = {}

    def reset(self, rate: float = 0.0, lookup_rate: float = 0.0) -> None:
        with self.lock:
            self.rate, self.lookup_rate, self.slow = rate, lookup_rate, False
            self.requests.clear()
            self.injected.clear()

    def _next_kind(self, kind_of: str) -> str | None:
        kinds = CREATE_FAULTS if kind_of == "create" else LOOKUP_FAULTS[self.network]
        if not kinds:
            return None
        queue = self._queues.setdefault(kind_of, [])
        if not queue:
            queue.extend(self.rng.sample(kinds, len(kinds)))
        return queue.pop()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
        kind_of = role(self.network, method, path)
        if kind_of is not None:
            with self.lock:
                self.requests[kind_of] += 1
                fault = None
                if self.slow:
                    fault = "slow"
                else:
                    rate = self.rate if kind_of == "create" else self.lookup_rate
                    if rate and self.rng.random() < rate:
                        fault = self._next_kind(kind_of)
                if fault is not None:
                    code = _code_of(environ) if kind_of == "create" else None
                    self._arm(fault, method, path)
                    self.injected.append({"fault": fault, "role": kind_of, "code": code})
        return self.inner(environ, start_response)

    def _arm(self, fault: str, method: str, path: str) -> None:
        state, status = self.state, self.rng.choice((500, 502, 503))
        if fault in ("timeout_after_accept", "slow"):
            state.hang_after_next(path, self.hang_seconds, method=method)
        elif fault == "created_then_5xx":
            state.fail_after_next(status, path_prefix=path, method=method)
        elif fault == "5xx_before":
            state.fail_next(status, path_prefix=path, method=method)
        elif fault == "429":
            headers = {}
            if self.network == "bluesky":  # the PDS names the reset time (epoch seconds)
                headers["RateLimit-Reset"] = str(int(state.timestamp()) + 60)
            state.fail_next(429, path_prefix=path, method=method, headers=headers)
        elif fault == "lookup_5xx":
            state.fail_next(503, path_prefix=path, method=method)
        elif fault == "lookup_404":
            state.fail_next(404, path_prefix=path, method=method)
        elif fault == "lookup_empty":
            state.fail_next(200, path_prefix=path, method=method,
                            body={"meta": {"result_count": 0}})
        else:
            raise ValueError(fault)

    def summary(self) -> dict[str, Any]:
        with self.lock:
            return {"requests": dict(self.requests),
                    "injected": dict(Counter(i["fault"] for i in self.injected)),
                    "posts_hit_at_create": len({i["code"] for i in self.injected
                                                if i["code"]})}


def _code_of(environ: dict[str, Any]) -> str | None:
    """The tracked code in a create request's body (read, then put back)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    found = codes_in(unquote_plus(body.decode("utf-8", "replace")))
    return found[0] if found else None


def bluesky_proxy(pds_url: str, client: httpx.Client) -> tuple[Flask, Any]:
    """A fake app that forwards XRPC calls to the PDS (faults armed on its state)."""
    from tests.fakes import FakeState, make_app

    state = FakeState()
    app = make_app("bluesky_proxy", state)

    @app.route("/xrpc/<path:nsid>", methods=["GET", "POST"])
    def forward(nsid: str) -> Response:
        query = request.query_string.decode("ascii")
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() in ("authorization", "content-type", "accept")}
        upstream = client.request(request.method,
                                  f"{pds_url}/xrpc/{nsid}" + (f"?{query}" if query else ""),
                                  content=request.get_data(), headers=headers)
        kept = {k: v for k, v in upstream.headers.items()
                if k.lower() == "content-type" or k.lower().startswith("ratelimit-")}
        return Response(upstream.content, status=upstream.status_code, headers=kept)

    return app, state


class BlueskyPeer:
    """A PDS of our own (ports and state folder of its own), stopped at the end."""

    def __init__(self, state_dir: Path) -> None:
        self.env = {**os.environ, "BSKY_PEER_STATE_DIR": str(state_dir),
                    "BSKY_PEER_PDS_PORT": str(free_port()),
                    "BSKY_PEER_PLC_PORT": str(free_port()),
                    "BSKY_PEER_APPVIEW_PORT": str(free_port())}
        self.info: dict[str, Any] = {}
        self.http = httpx.Client(timeout=30)

    def __enter__(self) -> BlueskyPeer:
        result = subprocess.run([str(PEER_DIR / "start.sh")], env=self.env, capture_output=True,
                                text=True, timeout=180, check=False)
        if result.returncode != 0:
            raise SystemExit(f"the Bluesky peer did not start: {result.stderr.strip()[-400:]}")
        self.info = json.loads(result.stdout)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.http.close()
        subprocess.run([str(PEER_DIR / "stop.sh")], env=self.env, capture_output=True,
                       timeout=60, check=False)

    @property
    def url(self) -> str:
        return str(self.info["pds_url"])

    def new_account(self, name: str) -> tuple[str, str, str]:
        """A new account with an app password: handle, DID, app password."""
        handle = f"{name}.test"
        made = self.http.post(f"{self.url}/xrpc/com.atproto.server.createAccount", json={
            "handle": handle, "email": f"{name}@example.test",
            "password": f"{name}-main-password"})
        made.raise_for_status()
        answer = made.json()
        password = self.http.post(
            f"{self.url}/xrpc/com.atproto.server.createAppPassword",
            headers={"Authorization": f"Bearer {answer['accessJwt']}"},
            json={"name": "advocacy-bench"})
        password.raise_for_status()
        return answer["handle"], answer["did"], password.json()["password"]

    def records(self, did: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        cursor = None
        while True:
            params: dict[str, str | int] = {"repo": did, "collection": "app.bsky.feed.post",
                                            "limit": 100}
            if cursor:
                params["cursor"] = cursor
            answer = self.http.get(f"{self.url}/xrpc/com.atproto.repo.listRecords",
                                   params=params).json()
            found.extend(answer.get("records", []))
            cursor = answer.get("cursor")
            if not cursor or not answer.get("records"):
                return found


@dataclass
class World:
    """The four servers, their injectors, and what each holds."""

    urls: dict[str, str]
    states: dict[str, Any]
    injectors: dict[str, Injector]
    peer: BlueskyPeer

    def set_clock(self, when: dt.datetime) -> None:
        for state in self.states.values():
            state.set_now(when)

    def reset(self, rate: float = 0.0, lookup_rate: float = 0.0) -> None:
        for injector in self.injectors.values():
            injector.reset(rate, lookup_rate)

    def truth(self, authors: dict[str, set[str]]) -> dict[str, dict[str, list[str]]]:
        """Per network: tracked code -> the ids of the live posts that carry it, among the
        posts of `authors` (network -> the authors' ids there)."""
        held: dict[str, dict[str, list[str]]] = {}
        for network, ids in authors.items():
            found: dict[str, list[str]] = {}
            for remote_id, text in self._posts(network, ids):
                for code in set(codes_in(text)):
                    found.setdefault(code, []).append(remote_id)
            held[network] = found
        return held

    def _posts(self, network: str, authors: set[str]) -> list[tuple[str, str]]:
        state = self.states[network]
        if network == "x":
            return [(t["id"], t["text"]) for t in state.created if t["author_id"] in authors]
        if network == "mastodon":
            return [(s["id"], s["text"]) for s in state.live_statuses()
                    if s["account_id"] in authors]
        if network == "linkedin":
            return [(p["urn"], (p.get("article") or {}).get("source", "") or p.get("text", ""))
                    for p in state.live_posts() if p["author"] in authors]
        return [(r["uri"], (r.get("value") or {}).get("text", ""))
                for did in sorted(authors) for r in self.peer.records(did)]


def open_world(stack: Any, seed: int, hang_seconds: float, state_dir: Path) -> World:
    """Start the servers (closed by `stack`, an ExitStack)."""
    from tests.fakes import linkedin as linkedin_fake
    from tests.fakes import mastodon as mastodon_fake
    from tests.fakes import serve
    from tests.fakes import x as x_fake

    states: dict[str, Any] = {"mastodon": mastodon_fake.MastodonState(),
                              "x": x_fake.XState(), "linkedin": linkedin_fake.LinkedInState()}
    apps = {"mastodon": mastodon_fake.create_app(states["mastodon"]),
            "x": x_fake.create_app(states["x"]),
            "linkedin": linkedin_fake.create_app(states["linkedin"])}
    peer = stack.enter_context(BlueskyPeer(state_dir))
    client = httpx.Client(timeout=30)
    stack.callback(client.close)
    apps["bluesky"], states["bluesky"] = bluesky_proxy(peer.url, client)
    injectors, urls = {}, {}
    for network in NETWORKS:
        app = apps[network]
        injectors[network] = Injector(network, app.wsgi_app, states[network], seed, hang_seconds)
        app.wsgi_app = injectors[network]  # type: ignore[method-assign]
        urls[network] = stack.enter_context(serve(app))
    return World(urls, states, injectors, peer)
