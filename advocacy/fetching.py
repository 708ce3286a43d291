"""Reading public web resources that people name: suggested pages, newsroom feeds.

The addresses come from employees and communications, so fetching them must not let
anyone make our server talk to the company network: every hop (at most three redirects)
is checked by `providers.http.check_public_url` after resolving its name, only public
addresses over https are contacted, the whole exchange has a time-out, and at most
`max_bytes` are read.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import httpx
from flask_babel import gettext as _

from advocacy.errors import DomainError
from advocacy.problems import Trouble
from advocacy.providers.http import UnsafeAddress, check_public_url

MAX_REDIRECTS = 3


def web_address(url: str) -> str:
    """`url` without surrounding blanks if it is a web address we could store and fetch."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000:
        raise DomainError(_("Please enter a web address starting with https:// (or http://)."))
    return url


class FetchError(Trouble):
    """The resource could not be read; `problem` says why (stored by feeds and suggestions,
    worded in the reader's language when shown)."""


@dataclass(frozen=True)
class Fetched:
    url: str  # where the last redirect led
    status: int  # 200, or 304 when the resource has not changed since `etag`/`modified`
    body: bytes = b""
    encoding: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.body.decode(self.encoding or "utf-8", errors="replace")


def _read(response: httpx.Response, max_bytes: int, truncate: bool) -> bytes:
    body = bytearray()
    for chunk in response.iter_bytes():
        body.extend(chunk)
        if len(body) > max_bytes:
            if truncate:
                break
            raise FetchError("too_large", kib=max_bytes // 1024)
    return bytes(body[:max_bytes])


def fetch(url: str, *, accept: str, kinds: Iterable[str], what: Literal["feed", "page"],
          max_bytes: int,
          truncate: bool = False, timeout: float = 5.0, allow_insecure: bool = False,
          conditional: dict[str, str] | None = None,
          resolve: Callable[..., Any] = socket.getaddrinfo) -> Fetched:
    """GET `url`, following at most three redirects (each checked). The content type must
    contain one of `kinds` (else the error says the address is not a `what`). `truncate`
    keeps the first `max_bytes` of a longer body (enough for a page's head); without it a
    longer body is an error. `conditional` holds If-None-Match / If-Modified-Since
    headers; a 304 answer comes back without a body."""
    current = url
    headers = {"User-Agent": "advocacy/1.0 (+employee advocacy)", "Accept": accept,
               **(conditional or {})}
    try:
        with httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
                          follow_redirects=False, headers=headers) as client:
            for _hop in range(MAX_REDIRECTS + 1):
                check_public_url(current, allow_insecure, resolve)
                with client.stream("GET", current) as response:
                    if response.status_code == 304:  # (httpx counts it as a redirect)
                        return Fetched(current, 304, headers=dict(response.headers))
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        if not location:
                            raise FetchError("redirect_nowhere")
                        current = urljoin(current, location)
                        continue
                    if response.status_code >= 400:
                        raise FetchError("http_status", status=response.status_code)
                    kind = response.headers.get("content-type", "").lower()
                    if not any(k in kind for k in kinds):
                        raise FetchError(f"not_a_{what}", type=kind.split(";")[0] or "–")
                    return Fetched(current, response.status_code,
                                   _read(response, max_bytes, truncate), response.encoding,
                                   dict(response.headers))
    except UnsafeAddress as exc:
        raise FetchError(exc.problem) from None
    except httpx.TimeoutException:
        raise FetchError("slow_server") from None
    except httpx.HTTPError:
        raise FetchError("no_server") from None
    raise FetchError("too_many_redirects")
