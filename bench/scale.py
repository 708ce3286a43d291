"""Throughput of the hot paths with one and with two web processes, on the large data.

Usage (after `python -m bench.generate --preset large --url <URL> --anchor $A`):

    python -m bench.scale \\
        --url postgresql://postgres@127.0.0.1:5432/advocacy_bench_large \\
        --configs sync:1 sync:2 --duration 20 --warmup 3 --connections 16 --repeats 2

For every gunicorn configuration and repeat (configurations alternating, so noise hits
both alike), the app (`app:app`, production configuration as in bench.redirect, plus
PROXY_HOPS=1 when the app knows it: wrk then plays the reverse proxy and sends a random
X-Forwarded-For per request, so the per-address limits count visitors, not wrk) is started,
bench@example.com logs in over HTTP, and wrk (bench/wrk.lua, --connections
connections, one thread) loads one path at a time for --duration s after --warmup s:
  healthz      GET /healthz (one SELECT 1, no template): the bare baseline of the run,
  redirect     GET /r/<code> anonymous, random among --codes shares (mostly cache misses):
               one lookup and one INSERT,
  feed         GET / as bench@example.com,
  leaderboard  GET /leaderboard?period=month,
  reach        GET /reports/reach?period=quarter&day=2026-08-15&by=group (HR view).
Reported per path and configuration: requests/s, p50/p99 (medians over repeats), errors
(non-2xx/3xx and socket errors), the ratio two processes / one (the scaling) and the
ratio path / healthz (what the path costs against the bare baseline of the same run).
Clicks stored by the redirect runs are checked against wrk's count and deleted afterwards;
the report views leave audit entries. Results go to bench/out/scale.json.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import (
    BENCH_EMAIL,
    BENCH_PASSWORD,
    ROOT,
    Gunicorn,
    machine,
    median,
    save,
    wrk,
)
from bench.load import app_env, proxy_supported
from bench.redirect import Config, Store
from bench.traffic import Employee, Traffic

PATHS = {
    "healthz": "/healthz",
    "redirect": None,
    "feed": "/",
    "leaderboard": "/leaderboard?period=month",
    "reach": "/reports/reach?period=quarter&day=2026-08-15&by=group",
}


def login(base: str, proxied: bool) -> str:
    """The Cookie header of bench@example.com, logged in over HTTP."""
    employee = Employee(BENCH_EMAIL, "172.16.9.1")
    traffic = Traffic(base, proxied=proxied, codes=[], employees=[employee])

    async def go() -> None:
        async with traffic.client(1, timeout=120) as client:
            await traffic.login(client, employee, BENCH_PASSWORD)
            for path in PATHS.values():
                if path:
                    await traffic.get_page(client, employee, path)  # 200 or it raises

    asyncio.run(go())
    return employee.cookie_header()["Cookie"]


def measure(args: argparse.Namespace, config: Config, codes_file: Path, store: Store,
            proxied: bool, log: Path) -> list[dict[str, Any]]:
    runs = []
    env = app_env(args.url, proxied)
    with Gunicorn("app:app", config.workers, env, log, worker_class=config.worker_class,
                  threads=config.threads) as server:
        cookie = login(server.url, proxied)
        for name, path in PATHS.items():
            if args.only and name not in args.only:
                continue
            mode, value = ("codes", str(codes_file)) if path is None else ("path", path)
            use_cookie = None if name in ("redirect", "healthz") else cookie
            wrk(server.url, args.warmup, args.connections, mode, value, args.seed + 1,
                proxied, use_cookie)
            time.sleep(0.5)
            before = store.max_click() if name == "redirect" else 0
            result = wrk(server.url, args.duration, args.connections, mode, value, args.seed,
                         proxied, use_cookie)
            seconds = result["duration_us"] / 1e6
            errors = int(result["status"] + result["connect"] + result["read"]
                         + result["write"] + result["timeout"])
            run = {"config": str(config), "path": name,
                   "rps": round(result["completed"] / seconds, 1),
                   "p50_ms": round(result["p50_us"] / 1000, 2),
                   "p99_ms": round(result["p99_us"] / 1000, 2),
                   "completed": int(result["completed"]), "errors": errors}
            if name == "redirect":
                time.sleep(2)  # requests in flight when wrk stopped
                stored = store.clicks_after(before)
                store.delete_after(before)
                run["stored"] = stored
                run["clicks_ok"] = run["completed"] <= stored <= int(result["sent"])
            print(f"  {run['config']:<8} {name:<12} {run['rps']:>8.1f} req/s  "
                  f"p50 {run['p50_ms']:>8.2f} ms  p99 {run['p99_ms']:>8.2f} ms  "
                  f"errors {errors}" + (f"  clicks {run['stored']}/{run['completed']}"
                                        if name == "redirect" else ""), flush=True)
            runs.append(run)
    return runs


def summarize(runs: list[dict[str, Any]], configs: list[Config]) -> list[dict[str, Any]]:
    rows = []
    names = [str(c) for c in configs]
    for path in PATHS:
        row: dict[str, Any] = {"path": path}
        for name in names:
            mine = [r for r in runs if r["path"] == path and r["config"] == name]
            if not mine:
                continue
            base = [r for r in runs if r["path"] == "healthz" and r["config"] == name]
            row[name] = {"rps": round(median([r["rps"] for r in mine]), 1),
                         "p50_ms": round(median([r["p50_ms"] for r in mine]), 2),
                         "p99_ms": round(median([r["p99_ms"] for r in mine]), 2),
                         "errors": sum(r["errors"] for r in mine),
                         "vs_healthz": round(median([r["rps"] for r in mine])
                                             / median([r["rps"] for r in base]), 3)
                         if base else None}
        if len(names) == 2 and all(n in row for n in names):
            row[f"{names[1]} / {names[0]}"] = round(row[names[1]]["rps"]
                                                    / row[names[0]]["rps"], 2)
        rows.append(row)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale",
                                     description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--url", required=True, help="the large database (PostgreSQL)")
    parser.add_argument("--configs", nargs="+", default=["sync:1", "sync:2"],
                        help="gunicorn worker class:workers[xthreads]")
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--codes", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", nargs="+", choices=list(PATHS))
    parser.add_argument("--name", default="scale", help="bench/out/<name>.json")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing (Debian: apt-get install -y wrk)")
    configs = [Config.parse(c) for c in args.configs]
    store = Store(url=args.url)
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    codes_file = work / "codes.txt"
    codes_file.write_text("\n".join(store.sample_codes(args.codes, args.seed)) + "\n",
                          encoding="ascii")
    proxied = proxy_supported()
    log = ROOT / "bench" / "out" / f"{args.name}-gunicorn.log"
    runs: list[dict[str, Any]] = []
    try:
        for repeat in range(args.repeats):
            for config in configs if repeat % 2 == 0 else configs[::-1]:
                runs += measure(args, config, codes_file, store, proxied, log)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary = summarize(runs, configs)
    names = [str(c) for c in configs]
    print(f"\n{'path':<12} " + " ".join(f"{n + ' req/s':>14} {'p50':>7} {'p99':>7}"
                                         for n in names) + "   ratio")
    for row in summary:
        cells = " ".join(f"{row[n]['rps']:>14.1f} {row[n]['p50_ms']:>7.1f} "
                         f"{row[n]['p99_ms']:>7.1f}" if n in row else f"{'':>30}"
                         for n in names)
        ratio = row.get(f"{names[1]} / {names[0]}", "") if len(names) == 2 else ""
        print(f"{row['path']:<12} {cells}   {ratio}")
    command = "python -m bench.scale " + " ".join(
        [f"--url {args.url}", f"--configs {' '.join(args.configs)}",
         f"--duration {args.duration}", f"--warmup {args.warmup}",
         f"--connections {args.connections}", f"--codes {args.codes}",
         f"--repeats {args.repeats}", f"--seed {args.seed}"]
        + ([f"--only {' '.join(args.only)}"] if args.only else []))
    save(f"{args.name}.json", {"summary": summary, "runs": runs, "command": command,
                               "proxied": proxied, "machine": machine()})
    clicks_ok = all(r.get("clicks_ok", True) for r in runs)
    errors = sum(r["errors"] for r in runs)
    print(f"errors {errors}, clicks {'ok' if clicks_ok else 'CHECK'}")
    return 0 if clicks_ok and not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
