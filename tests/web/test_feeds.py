"""Newsroom feeds end to end: registered by communications, read from a real HTTP server on
loopback whose documents change between checks, turned into drafts or live items, never
twice; broken, hostile, oversized and redirecting feeds change nothing but the error line."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from advocacy.content.models import ContentItem
from advocacy.db import utcnow
from advocacy.feeds import services
from advocacy.feeds.models import FeedEntry, NewsFeed
from advocacy.problems import Problem
from advocacy.scheduler import find_job, run_job
from tests import factories
from tests.support import free_port


@dataclass
class Document:
    body: bytes
    kind: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class FeedServer:
    """Serves `documents[path]`; records the request headers of each GET."""

    def __init__(self) -> None:
        self.documents: dict[str, Document] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers)))
                doc = server.documents.get(self.path, Document(b"missing", "text/plain", 404))
                etag = doc.headers.get("ETag")
                if etag and self.headers.get("If-None-Match") == etag:
                    doc = Document(b"", doc.kind, 304, {"ETag": etag})
                self.send_response(doc.status)
                self.send_header("Content-Type", doc.kind)
                for name, value in doc.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(doc.body)))
                self.end_headers()
                self.wfile.write(doc.body)

        self.port = free_port()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FeedServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with FeedServer() as feeds:
        yield feeds


@pytest.fixture(autouse=True)
def fresh(server):
    server.documents.clear()
    server.requests.clear()


@pytest.fixture
def config_overrides():
    return {"ALLOW_INSECURE_PROVIDERS": True, "PROVIDER_TIMEOUT": 2}


def rss(*entries: tuple[str, str, dt.datetime | None]) -> bytes:
    """An RSS 2.0 document of (path or link, title, date) entries."""
    items = "".join(
        f"<item><title>{title}</title><link>{link}</link>"
        + (f"<pubDate>{format_datetime(when)}</pubDate>" if when else "")
        + f"<description>About {title}</description></item>"
        for link, title, when in entries)
    return f"<rss version='2.0'><channel><title>News</title>{items}</channel></rss>".encode()


def ago(**delta: float) -> dt.datetime:
    return utcnow() - dt.timedelta(**delta)


@pytest.fixture
def comms(make_user):
    return make_user(roles={"comms", "employee"}, name="Cleo Comms")


def register(client, comms, url, **fields):
    client.login(comms.email)
    form = {"name": "Press releases", "url": url, "language": "en", "source_class": "own",
            "topics": "Energy, Press", "interval_minutes": "60", **fields}
    return client.post_form("/feeds/", form)


def only_feed(db) -> NewsFeed:
    return db.scalar(sa.select(NewsFeed))


def check_now(client, feed_id):
    return client.post_form(f"/feeds/{feed_id}/check", follow_redirects=True).get_data(
        as_text=True)


def items(db) -> list[ContentItem]:
    db.expire_all()
    return list(db.scalars(sa.select(ContentItem).order_by(ContentItem.id)))


def test_new_entries_become_drafts_newest_first_with_the_feeds_settings(client, db, comms,
                                                                        server):
    server.documents["/news.xml"] = Document(rss(
        ("https://news.example.com/older?utm_source=rss", "Older news", ago(days=2)),
        ("https://news.example.com/newer#top", "Newer &amp; better", ago(hours=1))))
    assert register(client, comms, f"{server.base}/news.xml").status_code == 302
    feed = only_feed(db)
    page = check_now(client, feed.id)
    assert "2 new drafts." in page
    newer, older = items(db)
    assert (newer.title, older.title) == ("Newer & better", "Older news")
    # Tracking parameters and fragments go, so the same article is recognised later.
    assert (newer.url, older.url) == ("https://news.example.com/newer",
                                      "https://news.example.com/older")
    assert newer.state == "draft" and newer.created_by_id is None
    assert (newer.language, newer.source_class) == ("en", "own")
    assert [t.name for t in newer.topics] == ["Energy", "Press"]
    assert newer.summary == "About Newer & better"
    assert [t.text for t in newer.share_texts] == ["Newer & better"]
    db.expire_all()
    assert only_feed(db).last_error is None and only_feed(db).last_success_at is not None
    assert "Newer &amp; better" in client.get(f"/feeds/{feed.id}").get_data(as_text=True)


def test_an_entry_is_taken_once_and_a_link_in_the_library_not_at_all(client, db, comms,
                                                                      server):
    factories.make_item(db, url="https://news.example.com/known", title="Made by hand")
    server.documents["/news.xml"] = Document(rss(
        ("https://news.example.com/known", "Known", ago(hours=3)),
        ("https://news.example.com/a", "A", ago(hours=2))))
    register(client, comms, f"{server.base}/news.xml")
    feed = only_feed(db)
    assert "1 new draft. 1 entry was already in the library." in check_now(client, feed.id)
    server.documents["/news.xml"] = Document(rss(
        ("https://news.example.com/b", "B", ago(hours=1)),
        ("https://news.example.com/a?utm_medium=feed", "A again", ago(hours=2)),
        ("https://news.example.com/known", "Known", ago(hours=3))))
    assert "1 new draft." in check_now(client, feed.id)
    assert "No new entries." in check_now(client, feed.id)
    assert [i.title for i in items(db)] == ["Made by hand", "A", "B"]
    outcomes = dict(db.execute(sa.select(FeedEntry.url, FeedEntry.outcome)).all())
    assert outcomes == {"https://news.example.com/known": "duplicate",
                        "https://news.example.com/a": "created",
                        "https://news.example.com/b": "created"}


def test_a_trusted_feed_publishes_at_once(client, db, comms, server):
    server.documents["/own.xml"] = Document(rss(
        ("https://news.example.com/live", "Straight to the feed", ago(hours=1))))
    register(client, comms, f"{server.base}/own.xml", trusted="y")
    assert "1 item published." in check_now(client, only_feed(db).id)
    (item,) = items(db)
    assert item.state == "approved" and item.live_from is not None
    assert item.is_live(utcnow())
    employee = factories.make_user(db, name="Erin Employee")
    db.commit()
    client.login(employee.email)
    assert "Straight to the feed" in client.get("/").get_data(as_text=True)


def test_an_unchanged_feed_is_asked_conditionally(client, db, comms, server):
    server.documents["/news.xml"] = Document(
        rss(("https://news.example.com/a", "A", ago(hours=1))), headers={"ETag": '"v1"'})
    register(client, comms, f"{server.base}/news.xml")
    feed = only_feed(db)
    check_now(client, feed.id)
    page = check_now(client, feed.id)
    assert "has not changed since the last check" in page
    first, second = [headers for path, headers in server.requests]
    assert "If-None-Match" not in first and second["If-None-Match"] == '"v1"'
    assert len(items(db)) == 1


def test_only_recent_entries_on_the_first_check_and_ten_at_a_time(client, db, comms,
                                                                   server):
    entries = [(f"https://news.example.com/{n}", f"News {n}", ago(hours=n + 1))
               for n in range(12)]
    entries.append(("https://news.example.com/archive", "From the archive", ago(days=40)))
    server.documents["/news.xml"] = Document(rss(*entries))
    register(client, comms, f"{server.base}/news.xml")
    feed = only_feed(db)
    page = check_now(client, feed.id)
    assert "10 new drafts." in page and "2 more entries wait for the next check." in page
    assert {i.title for i in items(db)} == {f"News {n}" for n in range(10)}  # the newest
    assert "2 new drafts." in check_now(client, feed.id)
    assert "From the archive" not in {i.title for i in items(db)}


@pytest.mark.parametrize(("document", "why"), [
    (Document(b"<rss><channel><item><title>Cut"), "not well-formed XML"),
    (Document(b"<html><body>Our news</body></html>", "text/html"), "not an RSS or Atom feed"),
    (Document(b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY e 'x'>]><rss><channel>"
              b"<title>&e;</title></channel></rss>"), "refused for safety"),
    (Document(b"gone", "text/plain", 500), "status 500"),
    (Document(b"", status=302, headers={"Location": "https://10.0.0.8/feed"}),
     "not a public address"),
    (Document(b"<rss>" + b" " * (services.MAX_BYTES + 10) + b"</rss>"), "larger than"),
])
def test_a_broken_feed_changes_nothing_but_its_error_line(client, db, comms, server,
                                                         document, why):
    server.documents["/news.xml"] = Document(
        rss(("https://news.example.com/a", "A", ago(hours=1))), headers={"ETag": '"v1"'})
    register(client, comms, f"{server.base}/news.xml")
    feed = only_feed(db)
    check_now(client, feed.id)
    server.documents["/news.xml"] = document
    page = check_now(client, feed.id)
    assert "The feed could not be read" in page and why in page
    db.expire_all()
    feed = only_feed(db)
    # Stored as a code with its values, worded when shown (tests/web/test_german.py).
    assert Problem.load(feed.last_error).code != "legacy" and feed.failures == 1
    assert feed.etag == '"v1"'  # the last good state stays
    assert len(items(db)) == 1 and db.scalar(sa.select(sa.func.count(FeedEntry.id))) == 1
    listed = client.get("/feeds/").get_data(as_text=True)
    assert "Failing" in listed and why in listed
    # Mended, it works again and forgets the failure.
    server.documents["/news.xml"] = Document(rss(
        ("https://news.example.com/b", "B", ago(minutes=5)),
        ("https://news.example.com/a", "A", ago(hours=1))))
    assert "1 new draft." in check_now(client, feed.id)
    db.expire_all()
    assert only_feed(db).last_error is None and only_feed(db).failures == 0


def test_the_job_checks_feeds_that_are_due_and_skips_paused_ones(app, client, db, comms,
                                                                 server):
    server.documents["/a.xml"] = Document(rss(("https://a.example.com/1", "A1", ago(hours=1))))
    server.documents["/b.xml"] = Document(rss(("https://b.example.com/1", "B1", ago(hours=1))))
    register(client, comms, f"{server.base}/a.xml", name="A")
    register(client, comms, f"{server.base}/b.xml", name="B", paused="y")
    assert run_job(app, find_job("import-feeds")) == 1
    assert run_job(app, find_job("import-feeds")) == 0  # checked a moment ago: not due
    assert [path for path, _headers in server.requests] == ["/a.xml"]
    feed_a = db.scalar(sa.select(NewsFeed).where(NewsFeed.name == "A"))
    feed_a.last_checked_at = utcnow() - dt.timedelta(minutes=61)
    db.commit()
    server.documents["/a.xml"] = Document(rss(("https://a.example.com/2", "A2", ago(minutes=1)),
                                              ("https://a.example.com/1", "A1", ago(hours=1))))
    assert run_job(app, find_job("import-feeds")) == 1
    assert [i.title for i in items(db)] == ["A1", "A2"]


def test_registering_refuses_bad_and_repeated_addresses(client, db, comms, server):
    response = register(client, comms, "javascript:alert(1)")
    assert response.status_code == 400 and "full web address" in response.get_data(as_text=True)
    response = register(client, comms, f"{server.base}/news.xml", name="")
    assert response.status_code == 400
    assert register(client, comms, f"{server.base}/news.xml").status_code == 302
    again = register(client, comms, f"{server.base}/news.xml", name="Twice")
    assert again.status_code == 400
    assert "already registered" in again.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count(NewsFeed.id))) == 1


def test_changing_and_removing_a_feed_keeps_its_items(client, db, comms, server):
    server.documents["/news.xml"] = Document(rss(("https://n.example.com/1", "One", ago(hours=1))),
                                             headers={"ETag": '"v1"'})
    register(client, comms, f"{server.base}/news.xml")
    feed = only_feed(db)
    check_now(client, feed.id)
    response = client.post_form(f"/feeds/{feed.id}", {
        "name": "Renamed", "url": f"{server.base}/other.xml", "language": "de",
        "source_class": "external", "topics": "", "interval_minutes": "1440"})
    assert response.status_code == 302
    db.expire_all()
    feed = only_feed(db)
    assert (feed.name, feed.interval_minutes, feed.source_class) == ("Renamed", 1440,
                                                                      "external")
    assert feed.etag is None  # another address: its cache validator no longer applies
    assert client.post_form(f"/feeds/{feed.id}/delete").status_code == 302
    assert only_feed(db) is None and [i.title for i in items(db)] == ["One"]
    assert db.scalar(sa.select(sa.func.count(FeedEntry.id))) == 0


def test_feeds_are_for_communications_only(client, make_user, server):
    employee = make_user(name="Erin Employee")
    client.login(employee.email)
    assert client.get("/feeds/").status_code == 403
    assert client.post_form("/feeds/", {"name": "x", "url": f"{server.base}/x.xml",
                                        "language": "en", "source_class": "own",
                                        "interval_minutes": "60"}).status_code == 403


def test_one_feeds_surprise_does_not_stop_the_others(app, client, db, comms, server):
    server.documents["/b.xml"] = Document(rss(("https://b.example.com/1", "B1", ago(hours=1))))
    register(client, comms, f"{server.base}/a.xml", name="A")
    register(client, comms, f"{server.base}/b.xml", name="B")
    real = services.fetcher(app)

    def fetch(url, conditional):
        if url.endswith("/a.xml"):
            raise RuntimeError("a bug in reading this one")
        return real(url, conditional)

    assert services.import_feeds(app, fetch) == 1
    assert [i.title for i in items(db)] == ["B1"]
