"""Reading entries out of RSS 2.0, RSS 1.0 (RDF) and Atom documents.

The document comes from another server, so it is parsed by defusedxml: no entity
expansion, no external references. Anything not understood is a `FeedError` whose
problem says what is wrong, so communications can tell the feed's owner. Entries without a
web link are left out (there would be nothing to share).
"""

from __future__ import annotations

import datetime as dt
import email.utils
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from advocacy.problems import Trouble
from advocacy.sanitize import html_to_text

ATOM = "{http://www.w3.org/2005/Atom}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
RSS1 = "{http://purl.org/rss/1.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"


class FeedError(Trouble):
    """The document is not a feed we can read; `problem` says why."""


@dataclass(frozen=True)
class Entry:
    url: str
    title: str
    summary: str = ""
    published: dt.datetime | None = None  # in UTC
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Feed:
    title: str
    entries: list[Entry]
    skipped: int = 0  # entries without a usable link


def _text(element: Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def _plain(raw: str, limit: int) -> str:
    """Feeds put escaped HTML in titles and descriptions; we keep words only."""
    return html_to_text(raw)[:limit]


def _date(raw: str) -> dt.datetime | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(raw)  # RSS: RFC 822
    except (TypeError, ValueError):
        try:
            parsed = dt.datetime.fromisoformat(raw)  # Atom, Dublin Core: RFC 3339
        except ValueError:
            return None  # an unreadable date is no reason to lose the entry
    if parsed.tzinfo is None:  # no zone given: the standards mean UTC then
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _web_link(raw: str, base: str) -> str | None:
    url = urljoin(base, raw.strip())
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000:
        return None
    return url


def _entry(url: str | None, title: str, summary: str, published: str,
           categories: list[str]) -> Entry | None:
    if url is None:
        return None
    return Entry(url=url, title=_plain(title, 200) or url[:200], summary=_plain(summary, 2000),
                 published=_date(published),
                 categories=tuple(c for c in (" ".join(c.split())[:60] for c in categories) if c))


def _rss2(channel: Element, base: str) -> tuple[str, list[Entry | None]]:
    entries = []
    for item in channel.findall("item"):
        link = _text(item.find("link"))
        guid = item.find("guid")
        if not link and guid is not None and guid.get("isPermaLink", "true") == "true":
            link = _text(guid)
        entries.append(_entry(
            _web_link(link, base) if link else None, _text(item.find("title")),
            _text(item.find("description")) or _text(item.find(f"{CONTENT}encoded")),
            _text(item.find("pubDate")) or _text(item.find(f"{DC}date")),
            [_text(c) for c in item.findall("category")]))
    return _text(channel.find("title")), entries


def _rss1(root: Element, base: str) -> tuple[str, list[Entry | None]]:
    entries = []
    for item in root.findall(f"{RSS1}item"):
        link = _text(item.find(f"{RSS1}link"))
        entries.append(_entry(
            _web_link(link, base) if link else None, _text(item.find(f"{RSS1}title")),
            _text(item.find(f"{RSS1}description")), _text(item.find(f"{DC}date")),
            [_text(c) for c in item.findall(f"{DC}subject")]))
    return _text(root.find(f"{RSS1}channel/{RSS1}title")), entries


def _atom_link(entry: Element, base: str) -> str | None:
    for link in entry.findall(f"{ATOM}link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return _web_link(link.get("href", ""), base)
    return None


def _atom(root: Element, base: str) -> tuple[str, list[Entry | None]]:
    entries = []
    for entry in root.findall(f"{ATOM}entry"):
        entries.append(_entry(
            _atom_link(entry, base), _text(entry.find(f"{ATOM}title")),
            _text(entry.find(f"{ATOM}summary")) or _text(entry.find(f"{ATOM}content")),
            _text(entry.find(f"{ATOM}published")) or _text(entry.find(f"{ATOM}updated")),
            [c.get("label") or c.get("term") or "" for c in entry.findall(f"{ATOM}category")]))
    return _text(root.find(f"{ATOM}title")), entries


def parse_feed(document: bytes, base: str) -> Feed:
    """The entries of an RSS or Atom document fetched from `base` (relative links are
    resolved against it), in the feed's order."""
    try:
        root = fromstring(document)
    except ParseError as exc:
        line, column = exc.position  # expat counts columns from 0, people from 1
        raise FeedError("not_xml", line=line, column=column + 1) from None
    except DefusedXmlException:
        raise FeedError("xml_refused") from None
    if root.tag == "rss" and root.find("channel") is not None:
        title, found = _rss2(root.find("channel"), base)  # type: ignore[arg-type]
    elif root.tag == f"{RDF}RDF":
        title, found = _rss1(root, base)
    elif root.tag == f"{ATOM}feed":
        title, found = _atom(root, base)
    else:
        raise FeedError("not_rss")
    entries = [e for e in found if e is not None]
    return Feed(title=_plain(title, 200), entries=entries, skipped=len(found) - len(entries))
