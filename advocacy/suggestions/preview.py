"""Reading a suggested page's title, description and image from its Open Graph tags.

The address comes from an employee, so fetching it must not let anyone make our server
talk to the company network: every hop (at most three redirects) is checked by
`providers.http.check_public_url` after resolving its name, only public addresses over
https are contacted, the whole exchange has a time-out, and at most `MAX_BYTES` of the
page are read (the tags are in its head). Nothing from the page is trusted: the texts
are plain strings (escaped when shown), the image only an address that is never loaded
by our pages.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from advocacy.providers.http import UnsafeAddress, check_public_url

MAX_BYTES = 512 * 1024
MAX_REDIRECTS = 3


class PreviewError(Exception):
    """The page could not be read; the message says why in plain words."""


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


def _read(response: httpx.Response) -> str:
    body = bytearray()
    for chunk in response.iter_bytes():
        body.extend(chunk)
        if len(body) >= MAX_BYTES:
            break  # enough: the tags are at the top
    return bytes(body[:MAX_BYTES]).decode(response.encoding or "utf-8", errors="replace")


def fetch_preview(url: str, *, timeout: float = 5.0, allow_insecure: bool = False,
                  resolve: Callable[..., Any] = socket.getaddrinfo) -> Preview:
    """Fetch `url` (following at most three redirects, each checked) and read its tags."""
    current = url
    headers = {"User-Agent": "advocacy/1.0 (link preview)", "Accept": "text/html"}
    try:
        with httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
                          follow_redirects=False, headers=headers) as client:
            for _hop in range(MAX_REDIRECTS + 1):
                check_public_url(current, allow_insecure, resolve)
                with client.stream("GET", current) as response:
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        if not location:
                            raise PreviewError("the page redirects to nowhere")
                        current = urljoin(current, location)
                        continue
                    if response.status_code >= 400:
                        raise PreviewError(f"the page answered with status "
                                           f"{response.status_code}")
                    kind = response.headers.get("content-type", "")
                    if "html" not in kind:
                        raise PreviewError("the address is not a web page")
                    return parse(_read(response), current)
    except UnsafeAddress as exc:
        raise PreviewError(str(exc)) from None
    except httpx.TimeoutException:
        raise PreviewError("the page took too long to answer") from None
    except httpx.HTTPError:
        raise PreviewError("the page could not be reached") from None
    raise PreviewError("the page redirects more than three times")
