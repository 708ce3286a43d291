"""Feed, leaderboard and reach report page times on a small and a large database, with a
bare baseline.

Usage (after generating both presets with bench.generate):

    python -m bench.pages --label sqlite \\
        --small sqlite:////tmp/bench/small.sqlite --large sqlite:////tmp/bench/large.sqlite
    python -m bench.pages --label postgresql \\
        --small postgresql://postgres@127.0.0.1:5432/advocacy_bench_small \\
        --large postgresql://postgres@127.0.0.1:5432/advocacy_bench_large

Both apps run in this process in production configuration (a secret key, not debug, not
testing, log level WARNING) and are driven through Flask's test client over https (the
session cookie is Secure outside debug and test mode), logged in as bench@example.com by
POST /login with the CSRF token from GET /login. After a warm-up, the pages are requested in
rounds, alternating small and large, so noise hits both alike. Reported per page: median
and p90 in milliseconds, the SQL statements it ran, and the ratio large/small (goal <= 1.5).
GET /healthz (one `SELECT 1`, no template) is the bare baseline of the same run: its ratio
shows how much two identical requests differ on this machine.

Apart from the login (which sets the user's last_login_at) and the report's audit entry per
view, the databases are only read.
Results go to bench/out/pages-<label>.json; the exit status is 1 when a page's median ratio
exceeds 1.5.
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import event

from bench.common import BENCH_EMAIL, BENCH_PASSWORD, machine, median, percentile, save

PAGES = {
    "healthz (baseline)": "/healthz",
    "feed": "/",
    "feed for you": "/?for_you=1",
    "leaderboard month": "/leaderboard?period=month",
    "leaderboard all": "/leaderboard?period=all",
    # A full quarter of the data's year, as HR sees it (works-council mode, by group).
    "reach quarter by group": "/reports/reach?period=quarter&day=2026-08-15&by=group",
}
BASE = "https://localhost"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class Site:
    """One app on one database, logged in as the benchmark user."""

    def __init__(self, name: str, url: str) -> None:
        from advocacy import create_app

        self.name = name
        self.app = create_app({"SECRET_KEY": "bench-secret-key-not-for-production",
                               "TOKEN_KEYS": "yDlHkq4uVmgKxJo9dN1xy3x4wZ3q8lX0o3o4v1k2y8g=",
                               "DATABASE_URL": url, "LOG_LEVEL": "WARNING"})
        assert not (self.app.debug or self.app.testing)
        self.client = self.app.test_client()
        self.statements = 0
        engine = self.app.extensions["advocacy.db"].engine
        event.listen(engine, "before_cursor_execute", self._count)
        self._login()

    def _count(self, *_args: Any) -> None:
        self.statements += 1

    def _login(self) -> None:
        page = self.client.get("/login", base_url=BASE)
        match = CSRF.search(page.get_data(as_text=True))
        if page.status_code != 200 or match is None:
            raise SystemExit(f"{self.name}: no login form ({page.status_code})")
        # Over https Flask-WTF also wants a same-origin Referer, as a browser sends it.
        form = {"email": BENCH_EMAIL, "password": BENCH_PASSWORD,
                "csrf_token": match.group(1) or match.group(2)}
        answer = self.client.post("/login", base_url=BASE, data=form,
                                  headers={"Referer": f"{BASE}/login"})
        if answer.status_code != 302:
            raise SystemExit(f"{self.name}: login failed ({answer.status_code})")

    def get(self, path: str) -> float:
        started = time.perf_counter()
        response = self.client.get(path, base_url=BASE)
        response.get_data()
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{self.name} {path}: HTTP {response.status_code}")
        return elapsed

    def statements_of(self, path: str) -> int:
        before = self.statements
        self.get(path)
        return self.statements - before

    def close(self) -> None:
        self.app.extensions["advocacy.db"].engine.dispose()


def check_pages(site: Site) -> dict[str, Any]:
    """What the pages show, so a broken page cannot pass as a fast one."""
    feed = site.client.get("/", base_url=BASE).get_data(as_text=True)
    board = site.client.get("/leaderboard?period=month", base_url=BASE).get_data(as_text=True)
    return {"feed_cards": feed.count('class="card item-card'),
            "board_rows": board.count('<li class="board-row'),
            "board_viewer_row": '<p class="board-row me">' in board}


def run(label: str, urls: dict[str, str], rounds: int, warmup: int) -> dict[str, Any]:
    sites = [Site(name, url) for name, url in urls.items()]
    try:
        shown = {site.name: check_pages(site) for site in sites}
        for site in sites:
            for _ in range(warmup):
                for path in PAGES.values():
                    site.get(path)
        statements = {site.name: {page: site.statements_of(path)
                                  for page, path in PAGES.items()} for site in sites}
        times: dict[str, dict[str, list[float]]] = {
            site.name: {page: [] for page in PAGES} for site in sites}
        for number in range(rounds):
            order = sites if number % 2 == 0 else sites[::-1]
            for site in order:
                for page, path in PAGES.items():
                    times[site.name][page].append(site.get(path))
    finally:
        for site in sites:
            site.close()
    table = []
    small, large = (site.name for site in sites)
    for page in PAGES:
        row: dict[str, Any] = {"page": page}
        for name in (small, large):
            values = times[name][page]
            row[name] = {"median_ms": round(median(values) * 1000, 2),
                         "p90_ms": round(percentile(values, 0.9) * 1000, 2),
                         "statements": statements[name][page]}
        row["ratio_median"] = round(row[large]["median_ms"] / row[small]["median_ms"], 2)
        row["ratio_p90"] = round(row[large]["p90_ms"] / row[small]["p90_ms"], 2)
        table.append(row)
    return {"label": label, "urls": urls, "rounds": rounds, "warmup": warmup,
            "shown": shown, "pages": table, "machine": machine()}


def print_table(result: dict[str, Any]) -> None:
    small, large = result["urls"]
    print(f"\n{result['label']}: {result['rounds']} rounds after {result['warmup']} warm-up "
          f"rounds; times in ms")
    print(f"{'page':<20} {'small med':>9} {'p90':>7} {'large med':>9} {'p90':>7} "
          f"{'ratio med':>9} {'ratio p90':>9} {'SQL s/l':>8}")
    for row in result["pages"]:
        s, l_ = row[small], row[large]
        print(f"{row['page']:<20} {s['median_ms']:>9.2f} {s['p90_ms']:>7.2f} "
              f"{l_['median_ms']:>9.2f} {l_['p90_ms']:>7.2f} {row['ratio_median']:>9.2f} "
              f"{row['ratio_p90']:>9.2f} {s['statements']:>4}/{l_['statements']}")
    print(f"shown: {result['shown']}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--label", required=True, help="name of this run, e.g. sqlite")
    parser.add_argument("--small", required=True, help="URL of the small (100k clicks) DB")
    parser.add_argument("--large", required=True, help="URL of the large (10M clicks) DB")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args(argv)
    result = run(args.label, {"small": args.small, "large": args.large}, args.rounds,
                 args.warmup)
    result["command"] = ("python -m bench.pages " + " ".join(
        f"--{k} {v}" for k, v in (("label", args.label), ("small", args.small),
                                  ("large", args.large), ("rounds", args.rounds),
                                  ("warmup", args.warmup))))
    print_table(result)
    path = save(f"pages-{args.label}.json", result)
    print(f"saved {path}")
    worst = max(row["ratio_median"] for row in result["pages"][1:])
    return 0 if worst <= 1.5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
