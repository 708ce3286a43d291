"""Request limits per client address: fixed one-minute windows, in memory or in Redis.

Used where a flood does harm: the login form (guessing, on top of the failed-login pause in
`auth.services`) and the tracked links `/r/<code>` (inflated clicks, scanning for codes).
Memory storage counts per process, which is right for one machine; with several web
processes or nodes, `RATELIMIT_STORAGE = "redis://..."` makes them share one count.

Addresses are kept only as keyed hashes, and only for the window. When Redis does not
answer, requests are let through (and a warning logged): a limit must not take the site down.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import threading
import time
from typing import Any, Protocol

from flask import Flask, current_app

from advocacy.config import ConfigError
from advocacy.security import keyed_hash

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60


class Storage(Protocol):
    def increment(self, key: str, expires_in: int) -> int:
        """Add one to `key` (created with a lifetime of `expires_in` s); the new count."""


class MemoryStorage:
    """Counters in this process; expired windows are swept at most once per window."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._counts: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()
        self._clock = clock
        self._next_sweep = 0.0

    def increment(self, key: str, expires_in: int) -> int:
        now = self._clock()
        with self._lock:
            if now >= self._next_sweep:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
                self._next_sweep = now + expires_in
            count, expires = self._counts.get(key, (0, now + expires_in))
            if expires <= now:
                count, expires = 0, now + expires_in
            self._counts[key] = (count + 1, expires)
            return count + 1


class RedisStorage:
    """Counters in Redis, shared by every web process that uses the same server."""

    def __init__(self, url: str) -> None:
        import redis  # imported only when Redis is configured

        self._client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._error = redis.RedisError

    def increment(self, key: str, expires_in: int) -> int:
        try:
            pipe = self._client.pipeline()
            pipe.set(key, 0, ex=expires_in, nx=True)  # the window's lifetime, set once
            pipe.incr(key)
            _, count = pipe.execute()
            return int(count)
        except self._error as exc:
            log.warning("rate limit storage unavailable, request let through: %s", exc)
            return 0


class Limiter:
    """Counts requests per (scope, address) in fixed windows of WINDOW_SECONDS."""

    def __init__(self, storage: Storage, secret: str, clock: Any = time.time) -> None:
        self.storage = storage
        self.secret = secret
        self._clock = clock

    def wait(self, scope: str, address: str, per_minute: int) -> int:
        """Count this request; the seconds to wait when it is over the limit, else 0."""
        if per_minute <= 0:
            return 0
        now = self._clock()
        window = int(now // WINDOW_SECONDS)
        client = keyed_hash(self.secret, client_of(address))[:24]
        key = f"advocacy:rl:{scope}:{window}:{client}"
        if self.storage.increment(key, WINDOW_SECONDS) <= per_minute:
            return 0
        return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))


def client_of(address: str) -> str:
    """Whom a limit counts: an IPv4 address, or an IPv6 address's /64 network (one
    household or machine gets a whole /64 and could otherwise take a new address per try)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped is None:  # type: ignore[union-attr]
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def storage_from(setting: str) -> Storage:
    if setting == "memory":
        return MemoryStorage()
    if setting.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage(setting)
    raise ValueError(f'RATELIMIT_STORAGE must be "memory" or a redis:// URL, not {setting!r}')


def init_app(app: Flask) -> None:
    try:
        storage = storage_from(app.config["RATELIMIT_STORAGE"])
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    app.extensions["advocacy.limiter"] = Limiter(storage, app.config["SECRET_KEY"])


def limiter(app: Flask | None = None) -> Limiter:
    return (app or current_app).extensions["advocacy.limiter"]  # type: ignore[no-any-return]
