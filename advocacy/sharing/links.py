"""Tracked links `/r/<code>`, answered in front of Flask.

This is the busiest URL of the product: every visitor of every shared post passes here, and
link previews of every network too. It therefore runs as a thin WSGI layer before Flask,
with two prepared statements on a pooled database connection, and does only this: find the
share by its code (cached: a share's target never changes), store one row for a human
visitor in a single-statement transaction, and answer 302 to the stored URL. Everything
else (is it a repeat visit, counters, points) is settled later by the click job
(`advocacy.sharing.tracking.process_clicks`). Unknown codes fall through to Flask, which
renders its 404 page.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import sqlalchemy as sa
from flask import Flask
from werkzeug.http import parse_cookie

from advocacy.admin.models import Setting
from advocacy.admin.services import DEFAULTS
from advocacy.db import Database, get_database
from advocacy.ratelimit import limiter
from advocacy.sharing.models import Click, Share

PREFIX = "/r/"
# Set in the WSGI environ when a client went over REDIRECT_LIMIT_PER_MINUTE: the seconds
# until its next window.
RATE_LIMITED = "advocacy.rate_limited"

# Link-preview fetchers and crawlers: redirected like everyone, never recorded. Matched
# against the lower-cased agent (a case-insensitive alternation is ten times slower).
BOT_PATTERN = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|preview|facebookexternalhit|facebookcatalog|linkedinbot|"
    r"twitterbot|slackbot|slack-imgproxy|mastodon|bluesky|cardyb|whatsapp|discordbot|"
    r"telegrambot|skypeuripreview|embedly|applebot|googlebot|bingbot|yandex|baiduspider|"
    r"duckduckbot|headlesschrome|curl/|wget/|python-requests|python-urllib|httpx|aiohttp|"
    r"go-http-client|okhttp|java/|libwww|scrapy|node-fetch|axios/"
)


@functools.lru_cache(maxsize=4096)
def is_bot(user_agent: str) -> bool:
    """True for crawlers, link previews, scripts, and requests without a browser name."""
    return not user_agent.strip() or bool(BOT_PATTERN.search(user_agent.lower()))


def is_code(code: str) -> bool:
    """Only what we issue (letters and digits) ever reaches the database."""
    return code.isascii() and code.isalnum() and len(code) <= 16


@dataclass(frozen=True)
class ShareTarget:
    share_id: int
    user_id: int | None
    network: str
    code: str
    target_url: str
    utm_campaign: str | None


class TargetCache:
    """A bounded, thread-safe cache of share targets, kept per app (per process)."""

    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self._items: OrderedDict[str, ShareTarget] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, code: str) -> ShareTarget | None:
        with self._lock:
            target = self._items.get(code)
            if target is not None:
                self._items.move_to_end(code)
            return target

    def put(self, target: ShareTarget) -> None:
        with self._lock:
            self._items[target.code] = target
            if len(self._items) > self.size:
                self._items.popitem(last=False)


@functools.lru_cache(maxsize=10_000)
def destination(target: ShareTarget, utm_medium: str) -> str:
    """The stored URL with our UTM parameters merged into its own query.

    Only the stored URL is used: nothing in the request can change where the visitor ends
    up. Our parameters replace any of the same name the URL had.
    """
    parts = urlsplit(target.target_url)
    ours = {"utm_source": target.network, "utm_medium": utm_medium,
            "utm_content": target.code}
    if target.utm_campaign:
        ours["utm_campaign"] = target.utm_campaign
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ours]
    return urlunsplit(parts._replace(query=urlencode(kept + list(ours.items()))))


@functools.lru_cache(maxsize=8)
def _daily_salt(secret: str, day: dt.date) -> bytes:
    return hmac.new(secret.encode(), f"click-salt:{day.isoformat()}".encode(),
                    hashlib.sha256).digest()


def visitor_hashes(secret: str, address: str, user_agent: str,
                   now: dt.datetime) -> tuple[str, str]:
    """The visitor's hash with today's salt, and with yesterday's (for the 24-hour check
    across midnight). Salts derive from the secret key and the date; raw values never
    leave this function, and a hash cannot be linked to one from two days before."""
    today = now.astimezone(dt.UTC).date()
    visitor = f"{address}\n{user_agent}".encode()
    return tuple(  # type: ignore[return-value]
        hmac.new(_daily_salt(secret, day), visitor, hashlib.sha256).hexdigest()[:32]
        for day in (today, today - dt.timedelta(days=1)))


class Statements:
    """The two statements of the hot path, compiled once for the database's dialect."""

    def __init__(self, dialect: sa.Dialect) -> None:
        share, click, setting = Share.__table__, Click.__table__, Setting.__table__
        self.sqlite = dialect.name == "sqlite"
        self.lookup = self._compile(dialect, sa.select(
            share.c.id, share.c.user_id, share.c.network, share.c.target_url,
            share.c.utm_campaign).where(share.c.code == sa.bindparam("code")))
        self.insert = self._compile(dialect, sa.insert(click).values(
            share_id=sa.bindparam("share_id"), network=sa.bindparam("network"),
            clicked_at=sa.bindparam("clicked_at"), visitor_hash=sa.bindparam("visitor_hash"),
            visitor_hash_prev=sa.bindparam("visitor_hash_prev")))
        self.medium = self._compile(dialect, sa.select(setting.c.value).where(
            setting.c.key == sa.bindparam("key")))

    @staticmethod
    def _compile(dialect: sa.Dialect, statement: Any) -> tuple[str, Callable[..., Any]]:
        compiled = statement.compile(dialect=dialect)
        names = compiled.positiontup
        if compiled.positional:
            return str(compiled), lambda **values: tuple(values[n] for n in names)
        return str(compiled), lambda **values: values

    def timestamp(self, moment: dt.datetime) -> Any:
        """As the ORM stores it: naive UTC text on SQLite, an aware value elsewhere."""
        if self.sqlite:
            return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return moment


class TrackedLinks:
    """The `/r/<code>` answer of one app: its cache, statements and settings copy."""

    MEDIUM_SECONDS = 30.0  # how long a changed UTM medium may take to arrive

    def __init__(self, app: Flask) -> None:
        self.database: Database = get_database(app)
        self.statements = Statements(self.database.engine.dialect)
        self.targets = TargetCache()
        self.secret = app.config["SECRET_KEY"]
        self.cookie_name = app.config["SESSION_COOKIE_NAME"]
        self.serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        self._medium = (str(DEFAULTS["utm_medium"]()), 0.0)
        self.limiter = limiter(app)
        self.per_minute = app.config["REDIRECT_LIMIT_PER_MINUTE"]

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """A DB-API connection: the pool's in production, the test's own in tests (where
        everything runs inside one transaction that is rolled back)."""
        if self.database.bound is not None:
            yield self.database.bound.connection.dbapi_connection
            return
        connection = self.database.engine.raw_connection()
        driver = connection.driver_connection
        # Each statement here is a transaction of its own (SQLite connections are opened in
        # autocommit mode already); on PostgreSQL this saves the COMMIT round trip.
        autocommit = getattr(driver, "autocommit", None)
        if autocommit is False:
            driver.autocommit = True
        try:
            yield connection
        finally:
            try:
                if autocommit is False:
                    driver.autocommit = False  # as the pool's other users expect it
            except Exception:
                connection.invalidate()  # broken: the pool must not hand it out again
            connection.close()

    def resolve(self, cursor: Any, code: str) -> ShareTarget | None:
        target = self.targets.get(code)
        if target is not None:
            return target
        sql, params = self.statements.lookup
        cursor.execute(sql, params(code=code))
        row = cursor.fetchone()
        if row is None:
            return None
        target = ShareTarget(row[0], row[1], row[2], code, row[3], row[4])
        self.targets.put(target)
        return target

    def medium(self, cursor: Any) -> str:
        value, read_at = self._medium
        if time.monotonic() - read_at > self.MEDIUM_SECONDS:
            sql, params = self.statements.medium
            cursor.execute(sql, params(key="utm_medium"))
            row = cursor.fetchone()
            value = row[0] if row else str(DEFAULTS["utm_medium"]())
            self._medium = (value, time.monotonic())
        return value

    def own_click(self, environ: dict[str, Any], user_id: int | None) -> bool:
        """The sharer opening their own link, recognised from the signed login cookie."""
        if user_id is None or self.cookie_name not in environ.get("HTTP_COOKIE", ""):
            return False
        try:
            session = self.serializer.loads(parse_cookie(environ).get(self.cookie_name, ""))
        except Exception:  # an expired or forged cookie is simply nobody
            return False
        return str(session.get("_user_id") or "").partition(".")[0] == str(user_id)

    def answer(self, environ: dict[str, Any], code: str) -> str | None:
        """The Location to send for `code`, recording the visit; None for unknown codes."""
        agent = environ.get("HTTP_USER_AGENT", "")
        with self.connection() as connection:
            cursor = connection.cursor()
            target = self.resolve(cursor, code)
            if target is None:
                return None
            if (environ.get("REQUEST_METHOD") == "GET" and not is_bot(agent)
                    and not self.own_click(environ, target.user_id)):
                now = dt.datetime.now(dt.UTC)
                first, previous = visitor_hashes(self.secret, environ.get("REMOTE_ADDR", ""),
                                                 agent, now)
                sql, params = self.statements.insert
                cursor.execute(sql, params(
                    share_id=target.share_id, network=target.network,
                    clicked_at=self.statements.timestamp(now), visitor_hash=first,
                    visitor_hash_prev=previous))
            return destination(target, self.medium(cursor))

    def middleware(self, next_app: Callable[..., Iterable[bytes]]) -> Callable[..., Any]:
        def tracked_links(environ: dict[str, Any],
                          start_response: Callable[..., Any]) -> Iterable[bytes]:
            path = environ.get("PATH_INFO", "")
            if path.startswith(PREFIX) and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
                wait = self.limiter.wait("redirect", environ.get("REMOTE_ADDR", ""),
                                         self.per_minute)
                if wait:
                    # Flask answers with its translated 429 page; nothing is recorded.
                    environ[RATE_LIMITED] = wait
                    return next_app(environ, start_response)
                code = path[len(PREFIX):]
                location = self.answer(environ, code) if is_code(code) else None
                if location is not None:
                    start_response("302 Found", [
                        ("Location", location), ("Content-Length", "0"),
                        ("Cache-Control", "no-store"), ("Referrer-Policy", "no-referrer"),
                        ("X-Content-Type-Options", "nosniff")])
                    return [b""]
            return next_app(environ, start_response)

        return tracked_links


def init_app(app: Flask) -> None:
    links = TrackedLinks(app)
    app.extensions["advocacy.links"] = links
    app.wsgi_app = links.middleware(app.wsgi_app)  # type: ignore[method-assign]
