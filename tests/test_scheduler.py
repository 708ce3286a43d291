"""The scheduler lease: one scheduler runs jobs, a second one waits and takes over."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from advocacy import create_app
from advocacy.core.models import SchedulerLease
from advocacy.core.services import acquire_lease, release_lease
from advocacy.db import get_database, utcnow
from advocacy.scheduler import Job, LeasedScheduler
from tests.conftest import TEST_TOKEN_KEY, base_config

ROOT = Path(__file__).resolve().parents[1]
TTL = dt.timedelta(seconds=30)
both_backends = pytest.mark.parametrize("fresh_database_url", ["sqlite", "postgresql"],
                                        indirect=True)


@pytest.fixture
def engine(fresh_database_url):
    app = create_app(base_config(fresh_database_url))
    yield get_database(app).engine
    get_database(app).engine.dispose()


@both_backends
def test_lease_is_exclusive_until_it_expires(engine):
    now = utcnow()
    assert acquire_lease(engine, "a", TTL, now)
    assert not acquire_lease(engine, "b", TTL, now)
    assert acquire_lease(engine, "a", TTL, now + dt.timedelta(seconds=20))  # renewal
    assert not acquire_lease(engine, "b", TTL, now + dt.timedelta(seconds=40))  # renewed
    later = now + dt.timedelta(seconds=51)
    assert acquire_lease(engine, "b", TTL, later)  # a stopped renewing
    assert not acquire_lease(engine, "a", TTL, later)


@both_backends
def test_release_lets_the_other_take_over_at_once(engine):
    assert acquire_lease(engine, "a", TTL)
    release_lease(engine, "a")
    assert acquire_lease(engine, "b", TTL)


@both_backends
def test_simultaneous_first_acquire_has_one_winner(engine):
    results: dict[str, bool] = {}
    barrier = threading.Barrier(4)

    def race(name: str) -> None:
        barrier.wait()
        results[name] = acquire_lease(engine, name, TTL)

    threads = [threading.Thread(target=race, args=(f"s{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [False, False, False, True]


@both_backends
def test_jobs_run_only_in_the_scheduler_holding_the_lease(fresh_database_url):
    app = create_app(base_config(fresh_database_url))
    ran: list[str] = []
    first = LeasedScheduler(app, blocking=False, jobs=())
    second = LeasedScheduler(app, blocking=False, jobs=())
    for runner in (first, second):
        job = Job("probe", lambda _session, r=runner: ran.append(r.holder), "interval")
        runner._guarded(job)()
    assert ran == [first.holder]
    assert first.has_lease and not second.has_lease
    first.shutdown()  # releases the lease
    second._guarded(Job("probe", lambda _s: ran.append(second.holder), "interval"))()
    assert ran == [first.holder, second.holder]
    second.shutdown()
    get_database(app).engine.dispose()


def _start_scheduler(url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ADVOCACY_DATABASE_URL": url, "ADVOCACY_SECRET_KEY": "k" * 32,
           "ADVOCACY_TOKEN_KEYS": TEST_TOKEN_KEY,
           "ADVOCACY_SCHEDULER_TICK_SECONDS": "1", "ADVOCACY_SCHEDULER_LEASE_SECONDS": "3",
           "ADVOCACY_LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "advocacy", "scheduler"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def _holder(url: str) -> str | None:
    from advocacy.db import make_engine

    engine = make_engine(url)
    with engine.connect() as connection:
        row = connection.execute(sa.select(SchedulerLease.holder)).scalar()
    engine.dispose()
    return row


def _wait_until(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
@both_backends
def test_two_scheduler_processes_one_runs_the_other_takes_over(fresh_database_url, tmp_path):
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    procs = [_start_scheduler(fresh_database_url, log) for log in logs]
    try:
        assert _wait_until(lambda: _holder(fresh_database_url) is not None), logs[0].read_text()
        # Both have run their first tick once each one has logged its state.
        assert _wait_until(lambda: all(
            "holds the lease and runs jobs" in log.read_text() or "is waiting" in log.read_text()
            for log in logs)), [log.read_text() for log in logs]
        holding = [i for i, log in enumerate(logs)
                   if "holds the lease and runs jobs" in log.read_text()]
        assert len(holding) == 1, [log.read_text() for log in logs]
        winner, waiter = holding[0], 1 - holding[0]
        assert f":{procs[winner].pid}:" in _holder(fresh_database_url)
        assert "is waiting: another scheduler holds the lease" in logs[waiter].read_text()

        # A crash (no chance to release): the waiter takes over once the lease expires.
        procs[winner].send_signal(signal.SIGKILL)
        procs[winner].wait(10)
        took_over = _wait_until(
            lambda: f":{procs[waiter].pid}:" in (_holder(fresh_database_url) or ""))
        assert took_over, logs[waiter].read_text()
        assert "holds the lease and runs jobs" in logs[waiter].read_text()
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
    # A clean stop (SIGTERM) released the lease for the next scheduler.
    assert _holder(fresh_database_url) is None


@pytest.mark.slow
def test_embedded_serve_runs_site_and_scheduler_in_one_process(fresh_database_url, tmp_path):
    """What the README's first command starts: the site and, in the same process, the
    scheduler holding the lease."""
    import urllib.request

    from tests.support import free_port

    port = free_port()
    env = {**os.environ, "ADVOCACY_DATABASE_URL": fresh_database_url, "ADVOCACY_DEMO": "1",
           "ADVOCACY_SCHEDULER_TICK_SECONDS": "1", "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "advocacy", "serve",
             "--port", str(port)], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    try:
        assert _wait_until(healthy), log.read_text()
        assert _wait_until(lambda: f":{proc.pid}:" in (_holder(fresh_database_url) or "")), \
            log.read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
    assert _holder(fresh_database_url) is None
