"""Outbound HTTP for the network APIs: timeouts, and no requests to private addresses.

Addresses people type in (a Mastodon server, a Bluesky PDS) must not let anyone make our
server talk to the company network (SSRF). Every request to such a host is checked when it
is sent: https only, and every address the name resolves to must be a public one. Loopback
over plain http is allowed only with ALLOW_INSECURE_PROVIDERS (local test servers).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from advocacy.problems import Trouble


class UnsafeAddress(Trouble, ValueError):
    """The URL points somewhere we do not send requests to; `problem` says why."""


def check_public_url(url: str, allow_insecure: bool,
                     resolve: Callable[..., list] = socket.getaddrinfo) -> None:  # type: ignore[type-arg]
    """Raise UnsafeAddress unless `url` is https to public addresses (or, when allowed,
    http to loopback)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host:
        raise UnsafeAddress("no_host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # urlsplit checks the port only when asked for it
        raise UnsafeAddress("bad_port") from None
    try:
        infos = resolve(host, port, proto=socket.IPPROTO_TCP)
    except OSError:
        raise UnsafeAddress("host_not_found", host=host) from None
    addresses = {ipaddress.ip_address(info[4][0]) for info in infos}
    if allow_insecure and all(a.is_loopback for a in addresses):
        return
    if parts.scheme != "https":
        raise UnsafeAddress("https_only")
    if not all(a.is_global for a in addresses):
        raise UnsafeAddress("not_public", host=host)


def client(timeout: float, *, guard: bool = False, allow_insecure: bool = False,
           headers: dict[str, str] | None = None) -> httpx.Client:
    """An HTTP client for one conversation with a network. With `guard`, every request is
    checked by `check_public_url` first (redirects are not followed)."""
    hooks = {}
    if guard:
        def verify(request: httpx.Request) -> None:
            check_public_url(str(request.url), allow_insecure)

        hooks["request"] = [verify]
    return httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
                        follow_redirects=False, event_hooks=hooks,  # type: ignore[arg-type]
                        headers={"User-Agent": "advocacy/1.0 (employee advocacy)",
                                 **(headers or {})})
