"""Mixed traffic at 64 concurrent connections for five minutes: errors and lost clicks.

Usage (PostgreSQL by default; the database is generated with the small preset and
replaced unless --no-generate; its name must contain "bench"):

    python -m bench.load                        # 300 s, 64 connections, gthread:5x4
    python -m bench.load --duration 60 --connections 32 --config sync:2
    python -m bench.load --url sqlite:////tmp/bench/load.sqlite

What it does:
  1. `python -m bench.generate --preset small --anchor <now> --replace --url URL` (10,000
     people, 5,000 items, 10,000 shares, 100,000 clicks), then gives --users active
     employees (user 2 onwards) the benchmark password, bench-password-1.
  2. Serves `app:app` with gunicorn (production configuration as in bench.redirect, plus
     PROXY_HOPS=1: the load generator plays the reverse proxy and sends X-Forwarded-For
     with one address per visitor and X-Forwarded-Proto: https).
  3. Logs those employees in over HTTP (GET /login for the CSRF token, POST /login).
  4. Warm-up (--warmup s), then --duration s of traffic from --connections asyncio tasks
     (bench.traffic), each one request at a time on a new connection, timeout --timeout s,
     mix by weight (--mix):
       redirect  anonymous GET /r/<code> (a random code among --codes existing shares and
                 the shares made during the run): 302,
       feed      GET / as a random logged-in employee: 200,
       share     the share sheet GET /share/<item> (an item of their feed), then its POST
                 "open the network's share page" with the CSRF token: 200, then 302 to the
                 network with the new share's tracked link.
  5. After the last answer: clicks stored in `click` since the run began, per share code,
     against the 302s the client received per code (every 302 must have stored its row:
     zero lost; more rows than 302s only for requests that timed out on the client), and
     shares stored against successful share POSTs.
Reported per kind: requests, errors (non-2xx/3xx or the wrong status, timeouts, connection
errors), requests/s, p50/p90/p99; saved to bench/out/load-<label>.json. Exit status 1 when
a request failed or a click or share was lost.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import subprocess
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from bench.common import (
    BENCH_PASSWORD,
    OUT,
    PYTHON,
    ROOT,
    Gunicorn,
    backend,
    machine,
    pg_conninfo,
    save,
    sqlite_path,
)
from bench.redirect import Config, Store, ours_env
from bench.traffic import Employee, Stats, Traffic, parse_mix

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/advocacy_bench_load"


class Database:
    """The few statements the load test runs itself, on SQLite or PostgreSQL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = sa.create_engine(
            url if backend(url) == "sqlite"
            else sa.make_url(pg_conninfo(url)).set(drivername="postgresql+psycopg"),
            pool_pre_ping=True)

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(sa.text(sql), params))

    def give_passwords(self, count: int) -> list[str]:
        """Active employees from user 2 on get user 1's password hash (bench-password-1)."""
        with self.engine.begin() as conn:
            rows = list(conn.execute(sa.text(
                "SELECT u.id, u.email FROM user_account u JOIN user_role r "
                "ON r.user_id = u.id AND r.role = 'employee' "
                "WHERE u.is_active AND u.id > 1 ORDER BY u.id LIMIT :n"), {"n": count}))
            conn.execute(sa.text(
                "UPDATE user_account SET password_hash = "
                "(SELECT password_hash FROM user_account WHERE id = 1) "
                "WHERE id IN (" + ",".join(str(r[0]) for r in rows) + ")"))
        return [r[1] for r in rows]

    def clicks_by_code(self, after_id: int) -> Counter[str]:
        return Counter({code: n for code, n in self.rows(
            "SELECT s.code, count(*) FROM click c JOIN share s ON s.id = c.share_id "
            "WHERE c.id > :after GROUP BY s.code", after=after_id)})

    def close(self) -> None:
        self.engine.dispose()


def generate(url: str, preset: str) -> None:
    anchor = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0, tzinfo=None)
    if backend(url) == "sqlite":
        sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([PYTHON, "-m", "bench.generate", "--preset", preset, "--anchor",
                    anchor.isoformat(), "--replace", "--url", url], cwd=ROOT, check=True)


def app_env(url: str, proxied: bool) -> dict[str, str]:
    env = ours_env(url)  # trusts one proxy hop
    if not proxied:
        del env["ADVOCACY_PROXY_HOPS"]
    return env


def proxy_supported() -> bool:
    from advocacy.config import DEFAULTS

    return "PROXY_HOPS" in DEFAULTS


async def login_all(traffic: Traffic, password: str, parallel: int = 2) -> None:
    """Log everyone in, `parallel` at a time (scrypt takes most of a second per login)."""
    async with traffic.client(parallel, timeout=120) as client:
        pending = list(traffic.employees)
        while pending:
            batch, pending = pending[:parallel], pending[parallel:]
            await asyncio.gather(*(traffic.login(client, e, password) for e in batch))


def check_clicks(db: Database, before_click: int, stats: Stats) -> dict[str, Any]:
    """Every 302 of a redirect stored its click row: per code, rows >= 302s."""
    stored = db.clicks_by_code(before_click)
    answered = stats.redirects_by_code
    lost = {code: n - stored.get(code, 0) for code, n in answered.items()
            if stored.get(code, 0) < n}
    extra = {code: n - answered.get(code, 0) for code, n in stored.items()
             if n > answered.get(code, 0)}
    redirect = stats.kinds.get("redirect")
    return {"redirect_302": sum(answered.values()), "clicks_stored": sum(stored.values()),
            "codes_clicked": len(answered), "lost_clicks": sum(lost.values()),
            "codes_with_lost_clicks": len(lost),
            "extra_rows": sum(extra.values()),
            "redirects_failed_or_timed_out": sum(redirect.errors.values()) if redirect else 0}


def run(args: argparse.Namespace) -> dict[str, Any]:
    url = args.url
    if args.generate:
        generate(url, args.preset)
    db = Database(url)
    try:
        emails = db.give_passwords(args.users)
        codes = (Store(sqlite=sqlite_path(url)) if backend(url) == "sqlite"
                 else Store(url=url)).sample_codes(args.codes, args.seed)
        proxied = args.proxy and proxy_supported()
        config = Config.parse(args.config)
        env = app_env(url, proxied)
        log = OUT / f"load-{args.label}-gunicorn.log"
        with Gunicorn("app:app", config.workers, env, log, worker_class=config.worker_class,
                      threads=config.threads) as server:
            employees = [Employee(email, f"172.16.{n // 250}.{n % 250 + 1}")
                         for n, email in enumerate(emails)]
            traffic = Traffic(server.url, proxied=proxied, codes=codes, employees=employees,
                              seed=args.seed, timeout=args.timeout)
            started = time.perf_counter()
            asyncio.run(login_all(traffic, BENCH_PASSWORD))
            print(f"{len(employees)} employees logged in in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
            mix = parse_mix(args.mix)
            if args.warmup:
                warm = asyncio.run(traffic.run(args.warmup, args.connections, mix))
                print(f"warm-up: {warm.summary()['requests']} requests, "
                      f"{warm.summary()['errors']} errors", flush=True)
            before_click = int(db.scalar("SELECT coalesce(max(id), 0) FROM click"))
            before_share = int(db.scalar("SELECT coalesce(max(id), 0) FROM share"))
            stats = asyncio.run(traffic.run(args.duration, args.connections, mix,
                                            bucket=10.0))
            time.sleep(1)  # nothing is in flight any more (every answer was awaited)
        clicks = check_clicks(db, before_click, stats)
        shares_stored = int(db.scalar("SELECT count(*) FROM share WHERE id > :b",
                                      b=before_share))
        new_codes = set(stats.new_codes)
        stored_codes = {r[0] for r in db.rows("SELECT code FROM share WHERE id > :b",
                                              b=before_share)}
    finally:
        db.close()
    summary = stats.summary()
    share_post = stats.kinds.get("share_post")
    result = {
        "label": args.label, "url": url, "backend": backend(url), "config": str(config),
        "connections": args.connections, "duration_s": args.duration, "warmup_s": args.warmup,
        "mix": mix, "employees": len(employees), "proxied": proxied,
        "traffic": summary, "clicks": clicks,
        "shares": {"posted_ok": share_post.ok if share_post else 0,
                   "stored": shares_stored,
                   "answered_but_missing": len(new_codes - stored_codes)},
        "timeline_10s": {str(k * 10): dict(v) for k, v in sorted(stats.timeline.items())},
        "command": "python -m bench.load " + " ".join(args.argv),
        "machine": machine(),
    }
    result["ok"] = (summary["errors"] == 0 and clicks["lost_clicks"] == 0
                    and result["shares"]["answered_but_missing"] == 0)
    return result


def print_result(result: dict[str, Any]) -> None:
    traffic = result["traffic"]
    print(f"\n{result['label']}: {result['config']}, {result['connections']} connections, "
          f"{traffic['seconds']} s, {traffic['requests']} requests, "
          f"{traffic['rps']} req/s, {traffic['errors']} errors")
    print(f"{'kind':<12} {'sent':>8} {'ok':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>8} "
          f"{'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, kind in traffic["kinds"].items():
        print(f"{name:<12} {kind['sent']:>8} {kind['ok']:>8} {kind['errors']:>6} "
              f"{kind['rps']:>8} {kind['p50_ms']:>8} {kind['p90_ms']:>8} {kind['p99_ms']:>8} "
              f"{kind['max_ms']:>8}")
    print(f"clicks: {result['clicks']}")
    print(f"shares: {result['shares']}")
    if traffic["first_errors"]:
        print(f"first errors: {traffic['first_errors']}")
    print("OK" if result["ok"] else "CHECK: errors or lost clicks")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load",
                                     description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--url", default=DEFAULT_URL,
                        help=f"SQLAlchemy URL of the database (default {DEFAULT_URL})")
    parser.add_argument("--preset", default="small", help="bench.generate preset")
    parser.add_argument("--no-generate", dest="generate", action="store_false",
                        help="use the database as it is (generated before)")
    parser.add_argument("--duration", type=int, default=300, help="measured seconds")
    parser.add_argument("--warmup", type=int, default=10, help="seconds of warm-up")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--config", default="gthread:5x4",
                        help="gunicorn worker class:workers[xthreads] (default gthread:5x4, "
                             "what deploy/gunicorn.conf.py runs on 2 cores)")
    parser.add_argument("--mix", default="redirect=70,feed=20,share=10",
                        help="kinds and weights; share = sheet GET + POST")
    parser.add_argument("--users", type=int, default=64, help="logged-in employees")
    parser.add_argument("--codes", type=int, default=10_000,
                        help="existing share codes the redirects pick from")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="client timeout, s (default 30: the worker timeout of "
                             "deploy/gunicorn.conf.py, and less than nginx's 60)")
    parser.add_argument("--no-proxy", dest="proxy", action="store_false",
                        help="no X-Forwarded-* headers (then the per-address rate limits "
                             "count the load generator as one visitor)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--label", help="results go to bench/out/load-<label>.json")
    args = parser.parse_args(argv)
    args.argv = list(argv) if argv is not None else __import__("sys").argv[1:]
    args.label = args.label or backend(args.url)
    result = run(args)
    print_result(result)
    path = save(f"load-{args.label}.json", result)
    print(f"saved {path}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
