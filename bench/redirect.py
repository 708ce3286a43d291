"""Throughput and latency of the tracked redirect /r/<code>, against a bare baseline.

Usage (after `python -m bench.generate --preset large --url sqlite:////tmp/bench/large.sqlite`
and, for the PostgreSQL column, the same preset into advocacy_bench_large):

    python -m bench.redirect --sqlite /tmp/bench/large.sqlite \\
        --postgresql postgresql://postgres@127.0.0.1:5432/advocacy_bench_large \\
        --configs sync:2 sync:4 --duration 30 --connections 16 --repeats 3

For every gunicorn configuration (same worker class and count for every app) and repeat,
in alternating order:
  * bare-sqlite   bench/bare_app.py (Flask + sqlite3: one indexed SELECT, one INSERT, 302)
                  on its own copy of the SQLite database,
  * ours-sqlite   the app (`app:app`) in production configuration (ADVOCACY_SECRET_KEY set,
                  ADVOCACY_LOG_LEVEL=WARNING, not debug) on another copy of the same file,
  * ours-postgresql  the app on the PostgreSQL database, if given (clicks it stores are
                  deleted afterwards, so the database stays as generated).
Each gets a warm-up, then wrk on loopback for --duration seconds with bench/wrk.lua
(random codes among --codes shares sampled with --seed, a browser User-Agent so the app
stores the click, a random X-Forwarded-For per request as a reverse proxy sends it: the app
runs with ADVOCACY_PROXY_HOPS=1, so its per-address redirect limit stays on, as in
production, without one loopback address tripping it). Reported: requests/s, p50/p90/p99
from wrk --latency, wrk's errors and non-2xx/3xx count, and clicks stored (rows added to
`click`) against requests wrk sent and completed: every completed request must have stored
its row (stored >= completed), and stored can exceed completed only by requests still in
flight when wrk stopped (stored <= sent). The ratio ours/bare is taken per repeat, then the
median. Results go to bench/out/redirect.json (see --name); the exit status is 1 when a
click was lost or a request failed.
"""

from __future__ import annotations

import argparse
import http.client
import random
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from bench.common import (
    BROWSER_UA,
    OUT,
    Gunicorn,
    machine,
    median,
    pg_conninfo,
    save,
    wrk,
)
from bench.common import WRK_LUA as LUA

SECRET = "bench-secret-key-not-for-production-0123456789"  # noqa: S105


@dataclass(frozen=True)
class Config:
    worker_class: str
    workers: int
    threads: int

    @classmethod
    def parse(cls, text: str) -> Config:
        kind, _sep, size = text.partition(":")
        workers, _x, threads = size.partition("x")
        return cls(kind, int(workers), int(threads or 1))

    def __str__(self) -> str:
        return f"{self.worker_class}:{self.workers}" + \
            (f"x{self.threads}" if self.threads > 1 else "")


class Store:
    """Counts click rows in one database."""

    def __init__(self, sqlite: Path | None = None, url: str | None = None) -> None:
        self.sqlite, self.url = sqlite, url

    def _query(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if self.sqlite is not None:
            with sqlite3.connect(self.sqlite, timeout=30) as con:
                return con.execute(sql.replace("%s", "?"), params).fetchone()[0]
        with psycopg.connect(pg_conninfo(self.url or "")) as conn:
            row = conn.execute(sql, params).fetchone()
            return row[0] if row else None

    def max_click(self) -> int:
        return int(self._query("SELECT coalesce(max(id), 0) FROM click"))

    def clicks_after(self, click_id: int) -> int:
        return int(self._query("SELECT count(*) FROM click WHERE id > %s", [click_id]))

    def delete_after(self, click_id: int) -> None:
        if self.url is not None:
            with psycopg.connect(pg_conninfo(self.url)) as conn:
                conn.execute("DELETE FROM click WHERE id > %s", [click_id])

    def sample_codes(self, count: int, seed: int) -> list[str]:
        top = int(self._query("SELECT max(id) FROM share"))
        ids = sorted(random.Random(seed).sample(range(1, top + 1), k=min(count, top)))
        codes: list[str] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join(["%s"] * len(chunk))
            sql = f"SELECT code FROM share WHERE id IN ({marks}) ORDER BY id"
            if self.sqlite is not None:
                with sqlite3.connect(self.sqlite) as con:
                    codes += [r[0] for r in con.execute(sql.replace("%s", "?"), chunk)]
            else:
                with psycopg.connect(pg_conninfo(self.url or "")) as conn:
                    codes += [r[0] for r in conn.execute(sql, chunk)]
        return codes


@dataclass
class Target:
    name: str
    wsgi: str
    env: dict[str, str]
    store: Store


def ours_env(url: str) -> dict[str, str]:
    return {"ADVOCACY_SECRET_KEY": SECRET, "ADVOCACY_DATABASE_URL": url,
            "ADVOCACY_TOKEN_KEYS": "yDlHkq4uVmgKxJo9dN1xy3x4wZ3q8lX0o3o4v1k2y8g=",
            "ADVOCACY_LOG_LEVEL": "WARNING", "ADVOCACY_DEBUG": "0", "ADVOCACY_TESTING": "0",
            "ADVOCACY_DEMO": "0", "ADVOCACY_PROXY_HOPS": "1"}


def check_redirect(port: int, code: str) -> str:
    """One request by hand: it must answer 302 with a Location."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", f"/r/{code}", headers={"User-Agent": BROWSER_UA})
        response = conn.getresponse()
        response.read()
        location = response.getheader("Location") or ""
        if response.status != 302 or not location:
            raise SystemExit(f"/r/{code} answered {response.status} {location!r}")
        return location
    finally:
        conn.close()


def measure(target: Target, config: Config, args: argparse.Namespace, codes: Path,
            sample_code: str, log_dir: Path) -> dict[str, Any]:
    gunicorn = Gunicorn(target.wsgi, config.workers, target.env, log_dir / f"{target.name}.log",
                        worker_class=config.worker_class, threads=config.threads)
    with gunicorn:
        location = check_redirect(gunicorn.port, sample_code)
        wrk(gunicorn.url, args.warmup, args.connections, "codes", str(codes), args.seed + 1,
            True)
        time.sleep(1)  # let the warm-up's last requests finish
        before = target.store.max_click()
        result = wrk(gunicorn.url, args.duration, args.connections, "codes", str(codes),
                     args.seed, True)
        time.sleep(2)  # requests in flight when wrk stopped
    stored = target.store.clicks_after(before)
    target.store.delete_after(before)
    seconds = result["duration_us"] / 1e6
    errors = {k: int(result[k]) for k in ("connect", "read", "write", "timeout")}
    run = {
        "app": target.name, "config": str(config),
        "rps": round(result["completed"] / seconds, 1),
        "p50_ms": round(result["p50_us"] / 1000, 2), "p90_ms": round(result["p90_us"] / 1000, 2),
        "p99_ms": round(result["p99_us"] / 1000, 2), "max_ms": round(result["max_us"] / 1000, 1),
        "sent": int(result["sent"]), "completed": int(result["completed"]), "stored": stored,
        "non_2xx_3xx": int(result["status"]), "socket_errors": errors,
        "location_example": location,
    }
    run["clicks_ok"] = (run["completed"] <= stored <= run["sent"] and not any(errors.values())
                        and run["non_2xx_3xx"] == 0)
    print(f"  {run['config']:<10} {run['app']:<16} {run['rps']:>8.1f} req/s  "
          f"p50 {run['p50_ms']:>7.2f} ms  p99 {run['p99_ms']:>8.2f} ms  "
          f"sent {run['sent']} completed {run['completed']} stored {stored} "
          f"non-2xx/3xx {run['non_2xx_3xx']} errors {sum(errors.values())}"
          f"{'' if run['clicks_ok'] else '  <-- CHECK'}", flush=True)
    return run


def summarize(runs: list[dict[str, Any]], configs: list[Config]) -> list[dict[str, Any]]:
    rows = []
    for config in configs:
        mine = [r for r in runs if r["config"] == str(config)]
        by_app: dict[str, list[dict[str, Any]]] = {}
        for run in mine:
            by_app.setdefault(run["app"], []).append(run)
        bare = by_app.get("bare-sqlite", [])
        for app, app_runs in by_app.items():
            ratios = [r["rps"] / b["rps"] for r, b in zip(app_runs, bare, strict=False)]
            rows.append({
                "config": str(config), "app": app,
                "rps_median": round(median([r["rps"] for r in app_runs]), 1),
                "p50_ms_median": round(median([r["p50_ms"] for r in app_runs]), 2),
                "p99_ms_median": round(median([r["p99_ms"] for r in app_runs]), 2),
                "ratio_vs_bare_median": round(median(ratios), 2) if ratios else None,
                "ratios": [round(x, 2) for x in ratios],
                "requests": sum(r["completed"] for r in app_runs),
                "stored": sum(r["stored"] for r in app_runs),
                "all_clicks_ok": all(r["clicks_ok"] for r in app_runs),
            })
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.redirect",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", type=Path, required=True,
                        help="the generated SQLite database (copied, never written)")
    parser.add_argument("--postgresql", help="URL of the generated PostgreSQL database")
    parser.add_argument("--configs", nargs="+", default=["sync:2", "sync:4"],
                        help="gunicorn worker class:workers[xthreads], e.g. sync:2 gthread:2x4")
    parser.add_argument("--duration", type=int, default=30, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up per run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--codes", type=int, default=100_000,
                        help="how many distinct shares the requests pick from")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "bench" / "redirect",
                        help="where the two database copies go (deleted at the end)")
    parser.add_argument("--only", nargs="+", help="run only these apps")
    parser.add_argument("--name", default="redirect",
                        help="results go to bench/out/<name>.json (default redirect)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing (Debian: apt-get install -y wrk)")
    configs = [Config.parse(c) for c in args.configs]
    args.work_dir.mkdir(parents=True, exist_ok=True)
    copies = {}
    for name in ("bare", "ours"):
        copy = args.work_dir / f"{name}.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        started = time.perf_counter()
        shutil.copyfile(args.sqlite, copy)
        print(f"copied {args.sqlite} to {copy} in {time.perf_counter() - started:.1f} s")
        copies[name] = copy
    targets = [
        Target("bare-sqlite", "bench.bare_app:app", {"BENCH_BARE_DB": str(copies["bare"])},
               Store(sqlite=copies["bare"])),
        Target("ours-sqlite", "app:app", ours_env(f"sqlite:///{copies['ours']}"),
               Store(sqlite=copies["ours"])),
    ]
    if args.postgresql:
        targets.append(Target("ours-postgresql", "app:app", ours_env(args.postgresql),
                              Store(url=args.postgresql)))
    if args.only:
        targets = [t for t in targets if t.name in args.only]
    codes = Store(sqlite=copies["ours"]).sample_codes(args.codes, args.seed)
    codes_file = args.work_dir / "codes.txt"
    codes_file.write_text("\n".join(codes) + "\n", encoding="ascii")
    if args.postgresql:
        pg_codes = Store(url=args.postgresql).sample_codes(args.codes, args.seed)
        if pg_codes != codes:
            raise SystemExit("the PostgreSQL database holds other shares than the SQLite one; "
                             "generate both with the same seed, anchor and counts")
    log_dir = OUT / f"{args.name}-logs"
    runs = []
    for config in configs:
        for repeat in range(args.repeats):
            order = targets if repeat % 2 == 0 else targets[::-1]
            for target in order:
                runs.append(measure(target, config, args, codes_file, codes[0], log_dir))
    summary = summarize(runs, configs)
    print(f"\n{'config':<10} {'app':<16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'ours/bare':>9}  clicks")
    for row in summary:
        ratio = row["ratio_vs_bare_median"]
        print(f"{row['config']:<10} {row['app']:<16} {row['rps_median']:>8.1f} "
              f"{row['p50_ms_median']:>8.2f} {row['p99_ms_median']:>8.2f} "
              f"{ratio if ratio is not None else '':>9}  "
              f"{row['stored']}/{row['requests']} {'ok' if row['all_clicks_ok'] else 'CHECK'}")
    command = "python -m bench.redirect " + " ".join(
        [f"--sqlite {args.sqlite}"] + ([f"--postgresql {args.postgresql}"]
                                       if args.postgresql else [])
        + [f"--configs {' '.join(args.configs)}", f"--duration {args.duration}",
           f"--warmup {args.warmup}", f"--connections {args.connections}",
           f"--codes {args.codes}", f"--repeats {args.repeats}", f"--seed {args.seed}"]
        + ([f"--only {' '.join(args.only)}"] if args.only else []))
    save(f"{args.name}.json", {"summary": summary, "runs": runs, "command": command,
                           "wrk": f"wrk -t1 -c{args.connections} -d{args.duration}s --latency "
                                  f"--timeout 10s -H 'User-Agent: {BROWSER_UA}' -s {LUA} "
                                  "http://127.0.0.1:PORT -- codes.txt SEED",
                           "machine": machine()})
    for copy in copies.values():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
    return 0 if all(r["clicks_ok"] for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
