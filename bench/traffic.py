"""Mixed HTTP traffic against a running app, counted request by request.

Usage (a library for bench.load, bench.faults and bench.scale; it has no command of its own):

    python -m bench.traffic --help

An asyncio client (httpx) with N tasks, each sending one request at a time, so N is the
number of concurrent connections. Request kinds:
  * redirect      GET /r/<code> as an anonymous browser (a random code from the pool, the
                  visitor's address from a large pool); must answer 302,
  * feed          GET / as a logged-in employee; must answer 200,
  * share_sheet   GET /share/<item> (an item from the employee's feed); must answer 200,
  * share_post    POST /share/<item> with the sheet's CSRF token, text and suggestion, as
                  "open the network's share page": must answer 302 to the network. The new
                  share's tracked link joins the redirect pool,
  * any other     GET <path> as a logged-in employee (e.g. the leaderboard); must answer 200.
Everything else counts as an error: other statuses, timeouts, connection errors. Each
request is also put in a timeline (per `bucket` seconds since the start, by the time its
answer or failure came) so an outage can be seen. Cookies are kept per employee by hand
(the app's session cookie is Secure outside debug mode; over plain http to 127.0.0.1 a
cookie jar would not send it back).

Behind a proxy (`proxied=True`, the app started with PROXY_HOPS=1) every request carries
X-Forwarded-Proto: https and X-Forwarded-For: the visitor's address, as nginx would send
them; the app then sees https and one address per visitor (its per-address rate limits
count each visitor, not the load generator).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from bench.common import BROWSER_UA, percentile

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
SHARE_LINK = re.compile(r'href="/share/(\d+)"')
TEXTAREA = re.compile(r'<textarea[^>]*name="text"[^>]*>(.*?)</textarea>', re.S)
TEXT_ID = re.compile(r'name="share_text_id"[^>]*value="([^"]*)"|'
                     r'value="([^"]*)"[^>]*name="share_text_id"')
CHECKED_NETWORK = re.compile(r'<input[^>]*name="network"[^>]*value="([^"]+)"[^>]*checked'
                             r'|<input[^>]*checked[^>]*name="network"[^>]*value="([^"]+)"')
TRACKED = re.compile(r"/r/([A-Za-z0-9]{4,16})")


class TrafficError(Exception):
    """An answer that is not what the request kind must get."""


@dataclass
class Kind:
    """What one kind of request did."""

    sent: int = 0
    ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)

    def summary(self, seconds: float) -> dict[str, Any]:
        return {"sent": self.sent, "ok": self.ok, "errors": sum(self.errors.values()),
                "error_kinds": dict(self.errors),
                "rps": round(self.ok / seconds, 1) if seconds else None,
                "p50_ms": round(percentile(self.latencies, 0.5) * 1000, 1),
                "p90_ms": round(percentile(self.latencies, 0.9) * 1000, 1),
                "p99_ms": round(percentile(self.latencies, 0.99) * 1000, 1),
                "max_ms": round(max(self.latencies, default=float("nan")) * 1000, 1)}


@dataclass
class Stats:
    """Every request of one run: per kind, per time bucket, and the 302s per code."""

    bucket: float = 1.0
    kinds: dict[str, Kind] = field(default_factory=dict)
    timeline: dict[int, Counter[str]] = field(default_factory=dict)
    redirects_by_code: Counter[str] = field(default_factory=Counter)
    new_codes: list[str] = field(default_factory=list)
    first_error: dict[str, str] = field(default_factory=dict)
    started: float = 0.0
    seconds: float = 0.0

    def record(self, kind: str, began: float, error: str | None, detail: str = "") -> None:
        entry = self.kinds.setdefault(kind, Kind())
        entry.sent += 1
        now = time.monotonic()
        # By the time the answer (or the failure) came: an outage shows when it was seen.
        slot = self.timeline.setdefault(int((now - self.started) / self.bucket), Counter())
        if error is None:
            entry.ok += 1
            entry.latencies.append(now - began)
            slot["ok"] += 1
        else:
            entry.errors[error] += 1
            slot["error"] += 1
            self.first_error.setdefault(f"{kind}:{error}", detail[:300])

    def summary(self) -> dict[str, Any]:
        kinds = {name: kind.summary(self.seconds) for name, kind in sorted(self.kinds.items())}
        total_ok = sum(k.ok for k in self.kinds.values())
        return {"seconds": round(self.seconds, 1),
                "requests": sum(k.sent for k in self.kinds.values()), "ok": total_ok,
                "errors": sum(sum(k.errors.values()) for k in self.kinds.values()),
                "rps": round(total_ok / self.seconds, 1) if self.seconds else None,
                "kinds": kinds, "first_errors": self.first_error}


@dataclass
class Employee:
    """A logged-in person: their cookies, their address, the items of their feed."""

    email: str
    address: str
    cookies: dict[str, str] = field(default_factory=dict)
    items: list[int] = field(default_factory=list)

    def cookie_header(self) -> dict[str, str]:
        if not self.cookies:
            return {}
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def take_cookies(self, response: httpx.Response) -> None:
        for raw in response.headers.get_list("set-cookie"):
            pair, *attributes = raw.split(";")
            name, _sep, value = pair.strip().partition("=")
            gone = any(a.strip().lower() in ("max-age=0", "expires=thu, 01 jan 1970 00:00:00 gmt")
                       for a in attributes)
            if gone or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value


def no_cookie_jar() -> CookieJar:
    """A jar that keeps nothing: cookies are handled per employee by hand."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


class Traffic:
    """One app under test and the people and codes the requests use."""

    def __init__(self, base: str, *, proxied: bool, codes: Sequence[str],
                 employees: Sequence[Employee] = (), seed: int = 7, timeout: float = 30.0,
                 visitors: int = 200_000) -> None:
        self.base = base
        self.host = urlsplit(base).netloc
        self.scheme = "https" if proxied else "http"
        self.proxied = proxied
        self.codes = list(codes)
        self.employees = list(employees)
        self.rng = random.Random(seed)
        self.timeout = timeout
        self.visitors = visitors

    def client(self, connections: int, timeout: float | None = None) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.base, timeout=timeout or self.timeout, follow_redirects=False,
            cookies=no_cookie_jar(),
            # A new connection per request: reusing a kept-alive one races with the server
            # closing it when idle (gunicorn keepalive 2-5 s), which a browser retries but
            # httpx reports as an error. The proxy in front would hold its own connections.
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=0))

    def _headers(self, address: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"User-Agent": BROWSER_UA, "Accept": "text/html"}
        if self.proxied:
            headers["X-Forwarded-For"] = address
            headers["X-Forwarded-Proto"] = "https"
        return {**headers, **(extra or {})}

    def visitor_address(self) -> str:
        number = self.rng.randrange(self.visitors)
        return f"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}"

    # -- the logged-in side ---------------------------------------------------------------
    async def login(self, client: httpx.AsyncClient, employee: Employee, password: str) -> None:
        page = await client.get("/login", headers=self._headers(employee.address))
        employee.take_cookies(page)
        match = CSRF.search(page.text)
        if page.status_code != 200 or match is None:
            raise TrafficError(f"{employee.email}: no login form ({page.status_code})")
        answer = await client.post(
            "/login", headers=self._headers(employee.address, {
                **employee.cookie_header(), "Referer": f"{self.scheme}://{self.host}/login"}),
            data={"email": employee.email, "password": password,
                  "csrf_token": match.group(1) or match.group(2)})
        employee.take_cookies(answer)
        if answer.status_code != 302 or "/login" in answer.headers.get("location", ""):
            raise TrafficError(f"{employee.email}: login failed ({answer.status_code})")

    async def get_page(self, client: httpx.AsyncClient, employee: Employee,
                       path: str) -> httpx.Response:
        response = await client.get(path, headers=self._headers(
            employee.address, employee.cookie_header()))
        employee.take_cookies(response)
        if response.status_code != 200:
            location = response.headers.get("location", "")
            raise TrafficError(f"HTTP {response.status_code} {location}")
        return response

    async def feed(self, client: httpx.AsyncClient, employee: Employee) -> None:
        response = await self.get_page(client, employee, "/")
        if not employee.items:
            employee.items = sorted({int(x) for x in SHARE_LINK.findall(response.text)})
            if not employee.items:
                raise TrafficError("the feed shows no item to share")

    async def share(self, client: httpx.AsyncClient, employee: Employee,
                    stats: Stats) -> None:
        """The share sheet, then "open the network's share page": two requests."""
        if not employee.items:
            began = time.monotonic()
            try:
                await self.feed(client, employee)
            except Exception as exc:
                stats.record("feed", began, classify(exc), repr(exc))
                return
            stats.record("feed", began, None)
        item = self.rng.choice(employee.items)
        began = time.monotonic()
        try:
            sheet = await self.get_page(client, employee, f"/share/{item}")
            page = sheet.text
            csrf, text = CSRF.search(page), TEXTAREA.search(page)
            if csrf is None or text is None:
                raise TrafficError("the share sheet has no form")
        except Exception as exc:
            stats.record("share_sheet", began, classify(exc), repr(exc))
            return
        stats.record("share_sheet", began, None)
        text_id = TEXT_ID.search(page)
        network = CHECKED_NETWORK.search(page)
        words = html.unescape(text.group(1)).strip() or "Worth reading."
        form = {"csrf_token": csrf.group(1) or csrf.group(2), "text": words,
                "share_text_id": (text_id.group(1) or text_id.group(2) or "") if text_id else "",
                "network": (network.group(1) or network.group(2)) if network else "linkedin",
                "acknowledge_guidelines": "y", "open": "1"}
        began = time.monotonic()
        try:
            answer = await client.post(f"/share/{item}", data=form, headers=self._headers(
                employee.address, {**employee.cookie_header(),
                                   "Referer": f"{self.scheme}://{self.host}/share/{item}"}))
            employee.take_cookies(answer)
            location = answer.headers.get("location", "")
            code = TRACKED.search(unquote(unquote(location)))
            if answer.status_code != 302 or code is None:
                raise TrafficError(f"HTTP {answer.status_code} {location[:120]}")
        except Exception as exc:
            stats.record("share_post", began, classify(exc), repr(exc))
            return
        stats.record("share_post", began, None)
        stats.new_codes.append(code.group(1))
        self.codes.append(code.group(1))

    # -- the anonymous side ---------------------------------------------------------------
    async def redirect(self, client: httpx.AsyncClient, stats: Stats) -> None:
        code = self.rng.choice(self.codes)
        began = time.monotonic()
        try:
            response = await client.get(f"/r/{code}", headers=self._headers(
                self.visitor_address()))
            if response.status_code != 302 or not response.headers.get("location"):
                raise TrafficError(f"HTTP {response.status_code}")
        except Exception as exc:
            stats.record("redirect", began, classify(exc), repr(exc))
            return
        stats.record("redirect", began, None)
        stats.redirects_by_code[code] += 1

    async def page(self, client: httpx.AsyncClient, kind: str, path: str,
                   stats: Stats) -> None:
        employee = self.rng.choice(self.employees)
        began = time.monotonic()
        try:
            if kind == "feed":
                await self.feed(client, employee)
            else:
                await self.get_page(client, employee, path)
        except Exception as exc:
            stats.record(kind, began, classify(exc), repr(exc))
            return
        stats.record(kind, began, None)

    # -- the run ----------------------------------------------------------------------------
    async def run(self, seconds: float, connections: int, mix: dict[str, float],
                  paths: dict[str, str] | None = None, bucket: float = 1.0,
                  on_start: Callable[[Stats], Any] | None = None) -> Stats:
        """`connections` tasks send requests of the kinds in `mix` (weights) for `seconds`;
        `paths` gives the path of kinds other than redirect, feed and share."""
        paths = paths or {}
        stats = Stats(bucket=bucket)
        kinds, weights = list(mix), [mix[k] for k in mix]
        async with self.client(connections) as client:
            stats.started = time.monotonic()
            deadline = stats.started + seconds

            async def worker(number: int) -> None:
                rng = random.Random(number)
                while time.monotonic() < deadline:
                    kind = rng.choices(kinds, weights)[0]
                    if kind == "redirect":
                        await self.redirect(client, stats)
                    elif kind == "share":
                        await self.share(client, rng.choice(self.employees), stats)
                    else:
                        await self.page(client, kind, paths.get(kind, "/"), stats)

            tasks = [asyncio.create_task(worker(n)) for n in range(connections)]
            if on_start is not None:
                tasks.append(asyncio.create_task(on_start(stats)))
            await asyncio.gather(*tasks)
            stats.seconds = time.monotonic() - stats.started
        return stats


def classify(exc: BaseException) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.TransportError):
        return "connection"
    if isinstance(exc, TrafficError):
        text = str(exc)
        return text.split()[1] if text.startswith("HTTP ") else "answer"
    return type(exc).__name__


def parse_mix(text: str) -> dict[str, float]:
    """"redirect=70,feed=20,share=10" -> weights."""
    mix = {}
    for part in text.split(","):
        name, _sep, weight = part.partition("=")
        mix[name.strip()] = float(weight or 1)
    return mix


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.traffic",
                                     description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
