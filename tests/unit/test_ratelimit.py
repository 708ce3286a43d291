"""Request limits: fixed windows in memory and in a real Redis server."""

from __future__ import annotations

import os
import uuid

import pytest

from advocacy import create_app
from advocacy.config import ConfigError
from advocacy.ratelimit import Limiter, MemoryStorage, RedisStorage, storage_from
from tests.conftest import base_config
from tests.support import skip_or_fail

REDIS_URL = os.environ.get("ADVOCACY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_memory_window_counts_up_and_starts_again_when_it_ends():
    clock = Clock(1000.0)
    storage = MemoryStorage(clock=clock)
    assert [storage.increment("k", 60) for _ in range(3)] == [1, 2, 3]
    clock.now += 61
    assert storage.increment("k", 60) == 1
    assert storage.increment("other", 60) == 1


def test_limiter_says_how_long_to_wait_until_the_next_window():
    wall = Clock(6000.0 + 45.5)  # 45.5 s into a minute window
    limiter = Limiter(MemoryStorage(), "secret", clock=wall)
    assert [limiter.wait("login", "203.0.113.1", 2) for _ in range(3)] == [0, 0, 15]
    assert limiter.wait("login", "203.0.113.2", 2) == 0  # per address
    assert limiter.wait("redirect", "203.0.113.1", 2) == 0  # per scope
    assert limiter.wait("login", "203.0.113.1", 0) == 0  # 0 switches the limit off
    wall.now += 15
    assert limiter.wait("login", "203.0.113.1", 2) == 0


def test_ipv6_addresses_count_by_their_64_network():
    limiter = Limiter(MemoryStorage(), "secret", clock=Clock(6000.0))
    assert limiter.wait("login", "2001:db8:1:2::1", 1) == 0
    assert limiter.wait("login", "2001:db8:1:2:ffff::9", 1) > 0  # same /64: same client
    assert limiter.wait("login", "2001:db8:1:3::1", 1) == 0  # another network
    assert limiter.wait("login", "203.0.113.5", 1) == 0
    assert limiter.wait("login", "203.0.113.6", 1) == 0  # IPv4: each address


def test_unknown_storage_setting_stops_the_start(tmp_path):
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE"):
        create_app(base_config(f"sqlite:///{tmp_path / 'x.sqlite'}",
                               RATELIMIT_STORAGE="memcached://127.0.0.1"))


@pytest.fixture
def redis_storage() -> RedisStorage:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        skip_or_fail(f"no Redis at {REDIS_URL}: {exc}")
    return storage_from(REDIS_URL)  # type: ignore[return-value]


def test_two_processes_share_one_count_in_redis(redis_storage):
    """Two limiters on the same server stand for two web processes."""
    address = f"203.0.113.{uuid.uuid4().int % 250}-{uuid.uuid4().hex}"
    clock = Clock(1_800_000_000.0)  # one window for all four requests, whatever the time
    first = Limiter(redis_storage, "secret", clock=clock)
    second = Limiter(storage_from(REDIS_URL), "secret", clock=clock)
    results = [limiter.wait("login", address, 3) for limiter in (first, second, first, second)]
    assert results[:3] == [0, 0, 0]
    assert results[3] > 0


def test_redis_keys_expire_and_hold_no_address(redis_storage):
    import redis

    address = "198.51.100.77"
    Limiter(redis_storage, "secret-" + uuid.uuid4().hex).wait("redirect", address, 5)
    client = redis.Redis.from_url(REDIS_URL)
    keys = [k for k in client.scan_iter("advocacy:rl:redirect:*")]
    assert keys and not any(address.encode() in key for key in keys)
    assert all(0 < client.ttl(key) <= 60 for key in keys)


def test_requests_pass_when_redis_does_not_answer(caplog):
    limiter = Limiter(RedisStorage("redis://127.0.0.1:1/0"), "secret")
    assert [limiter.wait("login", "203.0.113.9", 1) for _ in range(3)] == [0, 0, 0]
    assert "rate limit storage unavailable" in caplog.text
