"""Reading a suggested page's title, description and image from its Open Graph tags.

The address comes from an employee, so it is read by the guarded fetcher in
`advocacy.fetching` (public https addresses only, every redirect checked), and only the
first `MAX_BYTES` of the page (the tags are in its head). Nothing from the page is
trusted: the texts are plain strings (escaped when shown), the image only an address that
is never loaded by our pages.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from advocacy.fetching import FetchError, fetch
from advocacy.problems import Trouble

MAX_BYTES = 512 * 1024


class PreviewError(Trouble):
    """The page could not be read; `problem` says why (see `advocacy.problems`)."""


@dataclass(frozen=True)
class Preview:
    url: str  # where the last redirect led
    title: str = ""
    description: str = ""
    image: str = ""
    site_name: str = ""


class _Tags(HTMLParser):
    """Collects <meta property|name=... content=...> and the <title> text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            found = dict(attrs)
            key = (found.get("property") or found.get("name") or "").strip().lower()
            if key and found.get("content") and key not in self.meta:
                self.meta[key] = found["content"] or ""
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)


def _clean(text: str, limit: int) -> str:
    return " ".join(text.split())[:limit]


def parse(html: str, url: str) -> Preview:
    tags = _Tags()
    tags.feed(html)
    tags.close()
    meta = tags.meta
    image = urljoin(url, meta.get("og:image", "").strip()) if meta.get("og:image") else ""
    if urlsplit(image).scheme not in ("http", "https"):
        image = ""
    return Preview(
        url=url,
        title=_clean(meta.get("og:title") or meta.get("twitter:title") or "".join(tags.title),
                     300),
        description=_clean(meta.get("og:description") or meta.get("description") or "", 1000),
        image=image[:2000], site_name=_clean(meta.get("og:site_name", ""), 200))


def fetch_preview(url: str, *, timeout: float = 5.0, allow_insecure: bool = False,
                  resolve: Callable[..., Any] = socket.getaddrinfo) -> Preview:
    """Fetch `url` (following at most three checked redirects) and read its tags."""
    try:
        page = fetch(url, accept="text/html", kinds=("html",), what="page",
                     max_bytes=MAX_BYTES, truncate=True, timeout=timeout,
                     allow_insecure=allow_insecure, resolve=resolve)
    except FetchError as exc:
        raise PreviewError(exc.problem) from None
    return parse(page.text, page.url)
