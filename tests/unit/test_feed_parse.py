"""Reading RSS 2.0, RSS 1.0 and Atom, and refusing malformed or hostile documents with a
message communications can pass on."""

from __future__ import annotations

import datetime as dt

import pytest

from advocacy.feeds.parse import FeedError, parse_feed

BASE = "https://news.example.com/feed.xml"

RSS2 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Example &amp; Co newsroom</title>
<item><title>Plant &lt;b&gt;opens&lt;/b&gt;</title><link>https://news.example.com/plant</link>
  <description>&lt;p&gt;The new plant stores   wind energy.&lt;/p&gt;</description>
  <pubDate>Tue, 17 Nov 2026 09:30:00 +0100</pubDate><category>Energy</category></item>
<item><title>Relative link</title><link>/jobs/42</link><pubDate>not a date</pubDate></item>
<item><title>Guid only</title><guid>https://news.example.com/guid-only</guid>
  <content:encoded>&lt;p&gt;From content:encoded&lt;/p&gt;</content:encoded></item>
<item><title>Guid not a link</title><guid isPermaLink="false">tag:1234</guid></item>
<item><title>Mail link</title><link>mailto:press@example.com</link></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title type="text">Engineering blog</title>
<entry><title type="html">Rust &amp;amp; us</title>
  <link rel="edit" href="https://blog.example.com/api/1"/>
  <link rel="alternate" type="text/html" href="https://blog.example.com/rust"/>
  <id>urn:uuid:1</id><updated>2026-11-18T10:00:00Z</updated>
  <summary>Why we moved.</summary><category term="eng" label="Engineering"/></entry>
<entry><title>No rel means alternate</title><link href="posts/2"/>
  <published>2026-11-19T08:00:00+02:00</published>
  <content type="html">&lt;p&gt;Body text&lt;/p&gt;</content></entry>
<entry><title>No link at all</title><id>urn:uuid:3</id></entry>
</feed>"""

RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://old.example.com/"><title>Old style</title></channel>
<item rdf:about="https://old.example.com/1"><title>One</title>
  <link>https://old.example.com/1</link><description>First</description>
  <dc:date>2026-11-01T12:00:00Z</dc:date><dc:subject>History</dc:subject></item>
</rdf:RDF>"""


def test_rss2_entries_with_plain_text_dates_and_resolved_links():
    feed = parse_feed(RSS2, BASE)
    assert feed.title == "Example & Co newsroom"
    assert [e.url for e in feed.entries] == [
        "https://news.example.com/plant", "https://news.example.com/jobs/42",
        "https://news.example.com/guid-only"]
    assert feed.skipped == 2  # a guid that is no link, a mailto link
    plant, relative, guid = feed.entries
    assert plant.title == "Plant opens"  # escaped markup becomes words
    assert plant.summary == "The new plant stores wind energy."
    assert plant.published == dt.datetime(2026, 11, 17, 8, 30, tzinfo=dt.UTC)
    assert plant.categories == ("Energy",)
    assert relative.published is None  # an unreadable date keeps the entry
    assert guid.summary == "From content:encoded"


def test_atom_entries_use_the_alternate_link():
    feed = parse_feed(ATOM, BASE)
    assert feed.title == "Engineering blog"
    assert [e.url for e in feed.entries] == ["https://blog.example.com/rust",
                                             "https://news.example.com/posts/2"]
    assert feed.skipped == 1
    rust, second = feed.entries
    assert rust.title == "Rust & us"
    assert rust.published == dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)
    assert rust.categories == ("Engineering",)
    assert second.published == dt.datetime(2026, 11, 19, 6, 0, tzinfo=dt.UTC)
    assert second.summary == "Body text"


def test_rss1_entries():
    feed = parse_feed(RSS1, BASE)
    assert feed.title == "Old style"
    (entry,) = feed.entries
    assert (entry.url, entry.title, entry.summary) == ("https://old.example.com/1", "One", "First")
    assert entry.published == dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
    assert entry.categories == ("History",)


def test_an_entry_without_a_title_is_named_by_its_link():
    feed = parse_feed(b"<rss><channel><item><link>https://a.example/x</link></item>"
                      b"</channel></rss>", BASE)
    assert feed.entries[0].title == "https://a.example/x"


@pytest.mark.parametrize(("document", "message"), [
    (b"<rss><channel><item><title>Cut off", "not well-formed XML (line 1, column 35)"),
    (b"", "not well-formed XML"),
    (b"<!doctype html><html><body><p>Hello<br></body></html>", "not well-formed XML"),
    (b"<html><body><p>A web page</p></body></html>", "neither an RSS nor an Atom feed"),
    (b"<rss version='2.0'><title>No channel</title></rss>", "neither an RSS nor an Atom"),
    (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
     b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><rss><channel><title>&lol2;</title>'
     b"</channel></rss>", "refused for safety"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
     b"<rss><channel><title>&secret;</title></channel></rss>", "refused for safety"),
])
def test_malformed_and_hostile_documents_are_refused_with_a_reason(document, message):
    with pytest.raises(FeedError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_feed(document, BASE)


def test_an_empty_feed_is_fine():
    feed = parse_feed(b"<feed xmlns='http://www.w3.org/2005/Atom'><title>Quiet</title></feed>",
                      BASE)
    assert (feed.title, feed.entries, feed.skipped) == ("Quiet", [], 0)
