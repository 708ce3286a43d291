"""Newsroom feeds: registering them, and turning their new entries into content items.

A check has two halves so no database transaction waits for another server: `fetch_feed`
reads the document (no session), `apply` records what it found in one transaction. The
job and the "Check now" button both go through `check`. A feed that cannot be read or
parsed changes nothing but its error line; the next check tries again.

Duplicates are recognised by link: an entry whose link (without tracking parameters and
fragment) this feed already gave, or that is in the library, makes no item. At most
`MAX_PER_CHECK` items per check, newest first; the rest wait for the next check. A new
feed starts with its entries of the last `FIRST_DAYS` days, not the whole archive.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import sqlalchemy as sa
from flask import Flask
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from advocacy.admin.services import get_settings
from advocacy.content.models import ContentItem
from advocacy.content.services import ItemData, TextData, publish_trusted, save_item
from advocacy.db import session_scope, utcnow
from advocacy.errors import DomainError
from advocacy.feeds.models import INTERVALS, FeedEntry, NewsFeed
from advocacy.feeds.parse import Feed, FeedError, parse_feed
from advocacy.fetching import Fetched, FetchError, fetch, web_address
from advocacy.problems import Problem

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_PER_CHECK = 10
FIRST_DAYS = 14
FEED_TYPES = ("xml", "rss", "atom")  # application/rss+xml, application/atom+xml, text/xml

Fetch = Callable[[str, dict[str, str]], Fetched]


@dataclass
class FeedData:
    name: str
    url: str
    trusted: bool = False
    paused: bool = False
    language: str = "de"
    source_class: str = "own"
    topics: str = ""
    interval_minutes: int = 60


def save_feed(session: Session, actor_id: int | None, feed: NewsFeed | None,
              data: FeedData) -> NewsFeed:
    url = web_address(data.url)
    if data.interval_minutes not in INTERVALS:
        raise DomainError(_("Please choose how often the feed is checked."))
    taken = session.scalar(sa.select(NewsFeed.id).where(NewsFeed.url == url))
    if taken is not None and (feed is None or taken != feed.id):
        raise DomainError(_("This feed is already registered."))
    if feed is None:
        feed = NewsFeed(created_by_id=actor_id)
        session.add(feed)
    if feed.url != url:  # another document: forget what the old one said about caching
        feed.etag = feed.last_modified = None
    feed.name, feed.url = data.name.strip(), url
    feed.trusted, feed.paused = data.trusted, data.paused
    feed.language, feed.source_class = data.language, data.source_class
    feed.topics = ", ".join(t.strip() for t in data.topics.split(",") if t.strip())[:500]
    feed.interval_minutes = data.interval_minutes
    session.flush()
    return feed


def delete_feed(session: Session, feed: NewsFeed) -> None:
    """The feed and its memory of entries go; the items made of them stay in the library."""
    session.delete(feed)
    session.flush()


def list_feeds(session: Session) -> list[NewsFeed]:
    return list(session.scalars(sa.select(NewsFeed).order_by(sa.func.lower(NewsFeed.name))))


def recent_entries(session: Session, feed_id: int, limit: int = 20) -> list[FeedEntry]:
    return list(session.scalars(
        sa.select(FeedEntry).where(FeedEntry.feed_id == feed_id)
        .order_by(FeedEntry.seen_at.desc(), FeedEntry.id.desc()).limit(limit)))


def canonical(url: str) -> str:
    """The link without its fragment and utm_ tracking parameters, which feeds like to add
    and which would make one article look like two."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith("utm_")]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))


def fetch_feed(url: str, conditional: dict[str, str], *, timeout: float,
               allow_insecure: bool) -> Fetched:
    return fetch(url, accept="application/rss+xml, application/atom+xml, application/xml;q=0.9,"
                 " text/xml;q=0.8", kinds=FEED_TYPES, what="feed",
                 max_bytes=MAX_BYTES, timeout=timeout, allow_insecure=allow_insecure,
                 conditional=conditional)


def _conditional(feed: NewsFeed) -> dict[str, str]:
    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    return headers


@dataclass(frozen=True)
class CheckResult:
    created: int = 0
    published: int = 0
    duplicates: int = 0
    waiting: int = 0  # new entries left for the next check (more than MAX_PER_CHECK)
    unchanged: bool = False  # the server said 304
    error: Problem | None = None  # why the feed could not be read


def _new_entries(session: Session, feed: NewsFeed, parsed: Feed,
                 now: dt.datetime) -> list[tuple[str, str, str, dt.datetime | None]]:
    """(canonical link, title, summary, date) of entries this feed has not given yet,
    newest first; on the first check only those of the last FIRST_DAYS days."""
    oldest = feed.created_at - dt.timedelta(days=FIRST_DAYS)
    found: dict[str, tuple[str, str, str, dt.datetime | None]] = {}
    for entry in parsed.entries:
        if entry.published is not None and entry.published < oldest:
            continue
        url = canonical(entry.url)
        if len(url) <= 2000:
            found.setdefault(url, (url, entry.title, entry.summary, entry.published))
    if not found:
        return []
    seen = set(session.scalars(sa.select(FeedEntry.url).where(
        FeedEntry.feed_id == feed.id, FeedEntry.url.in_(list(found)))))
    fresh = [e for url, e in found.items() if url not in seen]
    # Undated entries count as new as now; Python's sort is stable for equal dates.
    return sorted(fresh, key=lambda e: e[3] or now, reverse=True)


def apply(session: Session, feed: NewsFeed, parsed: Feed, now: dt.datetime,
          base_url: str) -> CheckResult:
    """Make items of the feed's new entries; record each entry so it is never taken twice."""
    fresh = _new_entries(session, feed, parsed, now)
    batch = fresh[:MAX_PER_CHECK]
    in_library = set(session.scalars(sa.select(ContentItem.url).where(
        ContentItem.url.in_([e[0] for e in batch])))) if batch else set()
    settings = get_settings(session) if feed.trusted else None
    created = published = duplicates = 0
    for url, title, summary, _published in batch:
        if url in in_library:
            session.add(FeedEntry(feed_id=feed.id, url=url, title=title, outcome="duplicate",
                                  seen_at=now))
            duplicates += 1
            continue
        item = save_item(session, None, None, ItemData(
            title=title, url=url, summary=summary, language=feed.language,
            source_class=feed.source_class, topics=feed.topic_list,
            texts=[TextData(title)]))
        outcome = "created"
        if settings is not None and not publish_trusted(session, item, settings, base_url, now):
            outcome = "published"
            published += 1
        else:
            created += 1
        session.add(FeedEntry(feed_id=feed.id, url=url, title=title, outcome=outcome,
                              item_id=item.id, seen_at=now))
    feed.last_checked_at = feed.last_success_at = now
    feed.last_error, feed.failures = None, 0
    session.flush()
    return CheckResult(created, published, duplicates, len(fresh) - len(batch))


def _record_failure(session: Session, feed: NewsFeed, problem: Problem,
                    now: dt.datetime) -> None:
    feed.last_checked_at = now
    feed.last_error = problem.dump(300)  # worded in the reader's language when shown
    feed.failures += 1
    session.flush()


def check(app: Flask, feed_id: int, fetch_document: Fetch, now: dt.datetime | None = None
          ) -> CheckResult:
    """Check one feed: read it without holding a transaction, then record what it gave in
    one. A failure (unreachable, not a feed, broken XML) keeps everything as it was and
    only notes the error on the feed."""
    now = now or utcnow()
    with session_scope(app) as session:
        feed = session.get(NewsFeed, feed_id)
        if feed is None:
            raise DomainError(_("This feed no longer exists."))
        url, conditional = feed.url, _conditional(feed)
    try:
        document = fetch_document(url, conditional)
        parsed = None if document.status == 304 else parse_feed(document.body, document.url)
    except (FetchError, FeedError) as exc:
        log.info("feed %s could not be read: %s", feed_id, exc)
        with session_scope(app) as session:
            feed = session.get(NewsFeed, feed_id)
            if feed is not None:
                _record_failure(session, feed, exc.problem, now)
        return CheckResult(error=exc.problem)
    with session_scope(app) as session:
        feed = session.get(NewsFeed, feed_id)
        if feed is None:  # deleted while we were reading it
            return CheckResult()
        if parsed is None:
            feed.last_checked_at = feed.last_success_at = now
            feed.last_error, feed.failures = None, 0
            return CheckResult(unchanged=True)
        result = apply(session, feed, parsed, now, app.config["BASE_URL"])
        feed.etag = (document.headers.get("etag") or "")[:300] or None
        feed.last_modified = (document.headers.get("last-modified") or "")[:100] or None
    log.info("feed %s checked: %s", feed_id, result)
    return result


def due_feeds(session: Session, now: dt.datetime) -> list[int]:
    """Feeds not paused whose interval has passed since their last check."""
    rows = session.execute(sa.select(NewsFeed.id, NewsFeed.last_checked_at,
                                     NewsFeed.interval_minutes)
                           .where(NewsFeed.paused.is_(False)).order_by(NewsFeed.id))
    return [feed_id for feed_id, checked, minutes in rows
            if checked is None or checked + dt.timedelta(minutes=minutes) <= now]


def fetcher(app: Flask, timeout: float | None = None) -> Fetch:
    """How this app reads feeds: its time-out (or a shorter one), and loopback only when
    the app allows insecure providers (the tests' local servers)."""
    config = app.config
    wait = float(config["PROVIDER_TIMEOUT"]) if timeout is None else timeout
    return partial(fetch_feed, timeout=wait, allow_insecure=config["ALLOW_INSECURE_PROVIDERS"])


def import_feeds(app: Flask, fetch_document: Fetch | None = None) -> int:
    """The job: check every feed that is due; return how many items were made."""
    fetch_document = fetch_document or fetcher(app)
    now = utcnow()
    with session_scope(app) as session:
        due = due_feeds(session, now)
    made = 0
    for feed_id in due:
        try:
            result = check(app, feed_id, fetch_document, now)
        except Exception:  # one feed's surprise must not keep the others from being read
            log.exception("feed %s could not be checked", feed_id)
            continue
        made += result.created + result.published
    return made
