"""Faults: the scheduler killed while it posts, PostgreSQL restarted under traffic.

Usage:

    python -m bench.faults scheduler                      # 200 posts, kill -9 at the 60th
    python -m bench.faults scheduler --posts 200 --kill-at 60 --kill-mode timer
    python -m bench.faults scheduler --stale backdate     # do not wait out the 10 minutes
    python -m bench.faults postgres                       # restart during 60 s of traffic
    python -m bench.faults postgres --duration 90 --restart-at 30 --connections 32

Both scenarios run on a PostgreSQL cluster of their own (bench.pgcluster: initdb in a
temporary directory, 127.0.0.1:--port, removed at the end); the shared server is not used.

scheduler: a fresh migrated database; --people employees, each with a Mastodon account on
  the fake Mastodon server of the test suite (tests/fakes/mastodon.py, served in this
  process on loopback; the app reaches it with ALLOW_INSECURE_PROVIDERS), and --posts posts
  queued through the app's own `queue_post` (as the share sheet's "Post" does), all due
  now. Then `flask --app app advocacy scheduler` runs as a subprocess (lease
  --lease-seconds, tick 2 s) and is killed with SIGKILL while it posts:
    --kill-mode answer  (default) when the fake server has created the --kill-at'th status
                        and before its answer leaves: the network has the post, our
                        database still says "sending" - the worst moment,
    --kill-mode timer   a random 0-50 ms after the --kill-at'th status was created: anywhere
                        in claim, send, record.
  A second scheduler is started at once; it must wait for the lease to expire, then send
  the rest. A post left "sending" by the dead one is taken up again once its claim is
  STALE_CLAIM (10 minutes, advocacy/sharing/outbox/states.py) old, with its outcome open:
  --stale wait (default) waits for that; --stale backdate moves that claim's time back by
  10 minutes instead (a simulation of the wait, reported as such). When nothing is
  queued, sending or unknown any more (the states the job itself moves on; "in_doubt"
  would wait for the person and counts as a disagreement): every queued share must be on
  the fake server exactly once (its tracked link in exactly one status), and our database
  must agree (posted, remote id = that status, the item's share counter = posts, no share
  point twice). An open outcome is settled on Mastodon by sending again with the same
  Idempotency-Key while the server still remembers it (50 minutes after the first
  attempt; the fake keeps keys for an hour, as Mastodon does), and only later by reading
  the account's statuses. --hide-from-lookup makes that timeline answer [], so a settle
  by reading finds nothing and sends again (only after 50 minutes; within them it changes
  nothing).

postgres: the small preset (bench.generate) in the own cluster; gunicorn (--config) on it;
  --connections clients send anonymous redirects and logged-in feed requests
  (bench.traffic, --mix) for --duration s; at --restart-at s, `pg_ctl restart -m fast`.
  Reported: the timeline per 0.5 s, errors and when they happened against the restart,
  whether every request in the last --settle s succeeded (recovery without restarting
  gunicorn: the worker pids before and after are compared), and clicks stored against the
  302s answered.
Results go to bench/out/faults-<scenario>.json; exit status 1 when a check failed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import re
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.common import BENCH_PASSWORD, OUT, PYTHON, ROOT, Gunicorn, machine, save
from bench.pgcluster import Cluster
from bench.redirect import SECRET, Config, Store, ours_env
from bench.traffic import Employee, Traffic, parse_mix

TOKEN_KEYS = ours_env("")["ADVOCACY_TOKEN_KEYS"]  # the key the app processes get
TRACKED = re.compile(r"/r/([A-Za-z0-9]{4,16})")
# The outbox states the job moves on by itself (advocacy.sharing.models.PostState): the
# queue is drained when none is left. "in_doubt" waits for its author, not for the job.
JOB_STATES = {"queued", "sending", "unknown"}


# --------------------------------------------------------------------------- scheduler kill

class KillSwitch:
    """WSGI wrapper of the fake server: counts created statuses, kills the scheduler at
    the chosen one."""

    def __init__(self, app: Callable[..., Iterable[bytes]], kill_at: int, mode: str,
                 seed: int) -> None:
        self.app = app
        self.kill_at = kill_at
        self.mode = mode
        self.rng = random.Random(seed)
        self.created = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.killed_at: float | None = None
        self.killed_wall = 0.0
        self.created_when_killed: int | None = None
        self.lock = threading.Lock()
        self.hide_from_lookup = False
        self.hidden_lookups = 0

    def kill(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGKILL)  # its own session: flask and nothing else
        process.wait()
        self.killed_at = time.monotonic()
        self.killed_wall = time.time()
        with self.lock:
            self.created_when_killed = self.created

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if self.hide_from_lookup and environ.get("REQUEST_METHOD") == "GET" \
                and path.startswith("/api/v1/accounts/") and path.endswith("/statuses"):
            # As if the post were further back than the 40 statuses the app looks at.
            self.hidden_lookups += 1
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b"[]"]
        status: list[str] = []

        def remember(code: str, headers: list[Any], *rest: Any) -> Any:
            status.append(code)
            return start_response(code, headers, *rest)

        body = self.app(environ, remember)
        if (environ.get("REQUEST_METHOD") == "POST"
                and environ.get("PATH_INFO") == "/api/v1/statuses"
                and status and status[0].startswith("200")):
            with self.lock:
                self.created += 1
                now = self.created == self.kill_at and self.process is not None
            if now and self.mode == "answer":
                self.kill()  # before this answer is sent
            elif now:
                threading.Timer(self.rng.uniform(0, 0.05), self.kill).start()
        return body


def _setup_posting(url: str, fake_url: str, state: Any, people: int, posts: int) -> list[str]:
    """People, items, accounts on the fake server and the queued posts; their codes."""
    from advocacy import create_app
    from advocacy.accounts.models import SocialAccount
    from advocacy.admin.services import get_settings
    from advocacy.crypto import vault
    from advocacy.db import session_scope
    from advocacy.sharing.outbox import PostRequest, queue_post
    from tests import factories

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "TOKEN_KEYS": TOKEN_KEYS,
                      "ALLOW_INSECURE_PROVIDERS": True, "LOG_LEVEL": "WARNING",
                      "BASE_URL": "https://advocacy.example.com"})
    codes = []
    with app.app_context(), session_scope(app) as session:
        box = vault(app)
        settings = get_settings(session)
        items = [factories.make_item(session, title=f"Bench item {n}",
                                     texts=[(f"Worth reading, bench item {n}", None)])
                 for n in range(10)]
        accounts = []
        for number in range(people):
            user = factories.make_user(session, email=f"poster{number}@example.com",
                                       password=None)
            remote = state.add_account(f"poster{number}", followers_count=10 + number)
            account = SocialAccount(user_id=user.id, network="mastodon", base_url=fake_url,
                                    external_id=remote["id"],
                                    handle=f"@poster{number}@127.0.0.1", char_limit=500,
                                    scopes="read:accounts read:statuses write:statuses",
                                    status="active")
            session.add(account)
            session.flush()
            account.access_token_enc = box.seal(f"account:{account.id}:access_token",
                                                state.issue_token(remote["id"]))
            account.user = user
            accounts.append(account)
        for number in range(posts):
            account = accounts[number % people]
            share = queue_post(
                session, account.user, items[number % len(items)],
                PostRequest(account, f"Bench post {number}: worth reading.", None),
                settings, lambda code: f"https://advocacy.example.com/r/{code}")
            codes.append(share.code)
    app.extensions["advocacy.db"].engine.dispose()
    return codes


def _scheduler_env(url: str, lease: int) -> dict[str, str]:
    return {**os.environ, **ours_env(url), "ADVOCACY_ALLOW_INSECURE_PROVIDERS": "1",
            "ADVOCACY_SCHEDULER_LEASE_SECONDS": str(lease),
            "ADVOCACY_SCHEDULER_TICK_SECONDS": "2", "ADVOCACY_LOG_LEVEL": "INFO",
            "ADVOCACY_PROVIDER_TIMEOUT": "10"}


def _start_scheduler(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("ab")
    return subprocess.Popen([PYTHON, "-m", "flask", "--app", "app", "advocacy", "scheduler"],
                            cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _post_states(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {state: n for state, n in conn.execute(sa.text(
            "SELECT state, count(*) FROM outbox_post GROUP BY state"))}


def _wait_for(predicate: Callable[[], bool], timeout: float, every: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return predicate()


def scheduler_kill(args: argparse.Namespace) -> dict[str, Any]:
    from advocacy.sharing.models import POST_STATES
    from tests.fakes import mastodon as mastodon_fake
    from tests.fakes import serve
    from tests.support import migrate

    assert JOB_STATES.issubset(POST_STATES), "the outbox states changed: update JOB_STATES"
    OUT.mkdir(parents=True, exist_ok=True)
    log = OUT / "faults-scheduler.log"
    log.write_text("", encoding="utf-8")
    result: dict[str, Any] = {"posts": args.posts, "people": args.people,
                              "kill_at": args.kill_at, "kill_mode": args.kill_mode,
                              "stale": args.stale, "lease_seconds": args.lease_seconds,
                              "hide_from_lookup": args.hide_from_lookup}
    with Cluster(args.port) as cluster:
        cluster.query("CREATE DATABASE advocacy_bench_faults")
        url = cluster.url("advocacy_bench_faults")
        migrate(url)
        state = mastodon_fake.MastodonState()
        state.rate_limit = 10_000  # its clock stands still: the window would never reset
        fake_app = mastodon_fake.create_app(state)
        switch = KillSwitch(fake_app.wsgi_app, args.kill_at, args.kill_mode, args.seed)
        switch.hide_from_lookup = args.hide_from_lookup
        fake_app.wsgi_app = switch  # type: ignore[method-assign]
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with serve(fake_app) as fake_url:
            codes = _setup_posting(url, fake_url, state, args.people, args.posts)
            print(f"{len(codes)} posts queued for {args.people} people; fake Mastodon at "
                  f"{fake_url}", flush=True)
            env = _scheduler_env(url, args.lease_seconds)
            began = time.monotonic()
            first = _start_scheduler(env, log)
            switch.process = first
            if not _wait_for(lambda: first.poll() is not None, 180):
                raise SystemExit("the scheduler was not killed within 180 s (see the log)")
            if switch.killed_at is None:
                raise SystemExit(f"the scheduler ended by itself ({first.returncode})")
            killed = switch.killed_at - began
            time.sleep(0.5)  # a request the dead process had in flight
            at_kill = {"seconds_after_start": round(killed, 1),
                       "statuses_created": len(state.statuses),
                       "post_requests": len(state.requests_to("/api/v1/statuses", "POST")),
                       "db_states": _post_states(engine)}
            print(f"killed after {killed:.1f} s: {at_kill}", flush=True)
            if args.stale == "backdate":
                with engine.begin() as conn:
                    moved = conn.execute(sa.text(
                        "UPDATE outbox_post SET claimed_at = claimed_at - interval "
                        "'10 minutes 1 second' WHERE state = 'sending'")).rowcount
                at_kill["claims_backdated"] = moved
            restarted = time.monotonic()
            second = _start_scheduler(env, log)
            try:
                done = _wait_for(lambda: not (JOB_STATES & set(_post_states(engine))),
                                 args.timeout, every=1.0)
            finally:
                second.send_signal(signal.SIGTERM)
                try:
                    second.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(second.pid, signal.SIGKILL)
                    second.wait()
            drained = time.monotonic() - restarted
            result.update(at_kill=at_kill, drained=done,
                          seconds_to_drain_after_restart=round(drained, 1))
            result.update(_check_posts(engine, state, codes))
            result["lookups_answered_empty"] = switch.hidden_lookups
            result.update(_takeover(log.read_text(encoding="utf-8"), switch.killed_wall))
        engine.dispose()
    result["ok"] = bool(done and not result["lost"] and not result["doubled"]
                        and not result["db_disagrees"])
    return result


def _takeover(text: str, killed: float) -> dict[str, Any]:
    """The scheduler log lines about the lease (as evidence), and how long after the kill
    the second scheduler took the lease over (log times are local time)."""
    lines = [line.strip() for line in text.splitlines()
             if "lease" in line and ("holds" in line or "waiting" in line)]
    taken = None
    for line in lines[1:]:
        if "holds the lease" in line:
            stamp = dt.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
            taken = round(stamp.timestamp() - killed, 1)
            break
    return {"lease_log": lines, "lease_taken_over_after_kill_s": taken}


def _check_posts(engine: sa.Engine, state: Any, codes: list[str]) -> dict[str, Any]:
    statuses = [s for s in state.statuses.values() if not s["deleted"]]
    by_code: dict[str, list[dict[str, Any]]] = {}
    for status in statuses:
        match = TRACKED.search(status["text"])
        by_code.setdefault(match.group(1) if match else "?", []).append(status)
    lost = [c for c in codes if c not in by_code]
    doubled = {c: len(v) for c, v in by_code.items() if len(v) > 1}
    posts = state.requests_to("/api/v1/statuses", "POST")
    keys = Counter(r.header("Idempotency-Key") for r in posts)
    lookups = [r for r in state.requests_to("/api/v1/accounts/") if r.path.endswith("/statuses")]
    with engine.connect() as conn:
        rows = list(conn.execute(sa.text(
            "SELECT s.code, p.state, p.remote_id, p.attempts, p.outcome_unknown, "
            "s.posted_at IS NOT NULL FROM outbox_post p JOIN share s ON s.id = p.share_id")))
        share_count = conn.execute(sa.text("SELECT sum(share_count) FROM content_item")).scalar()
        doubled_points = conn.execute(sa.text(
            "SELECT count(*) FROM (SELECT ref_id FROM point_entry WHERE reason = 'share' "
            "GROUP BY ref_id HAVING count(*) > 1) AS d")).scalar()
    disagree = []
    for code, post_state, remote_id, _attempts, _unknown, posted in rows:
        found = by_code.get(code, [])
        if post_state != "posted" or not posted or len(found) != 1 \
                or found[0]["id"] != remote_id:
            disagree.append({"code": code, "state": post_state, "remote_id": remote_id,
                             "on_server": [s["id"] for s in found]})
    return {
        "statuses_on_server": len(statuses), "queued_codes": len(codes),
        "lost": lost, "doubled": doubled,
        "post_requests": len(posts), "post_requests_repeating_a_key": sum(
            n - 1 for n in keys.values() if n > 1),
        "lookups_after_unknown_outcome": len(lookups),
        "db_states": Counter(r[1] for r in rows),
        "db_attempts": Counter(r[3] for r in rows),
        "db_outcome_unknown_left": sum(1 for r in rows if r[4]),
        "item_share_count": share_count, "share_points_twice": doubled_points,
        "db_disagrees": disagree[:20], "db_disagrees_count": len(disagree),
    }


# --------------------------------------------------------------------------- PostgreSQL restart

def _worker_pids(master: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True,
                         text=True, check=False).stdout
    return sorted(int(x) for x in out.split())


def postgres_restart(args: argparse.Namespace) -> dict[str, Any]:
    from bench.load import Database, app_env, check_clicks, login_all, proxy_supported

    with Cluster(args.port) as cluster:
        url = cluster.url("advocacy_bench_faults")
        subprocess.run([PYTHON, "-m", "bench.generate", "--preset", "small", "--replace",
                        "--url", url], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        db = Database(url)
        emails = db.give_passwords(args.users)
        codes = Store(url=url).sample_codes(10_000, args.seed)
        config = Config.parse(args.config)
        proxied = proxy_supported()
        env = app_env(url, proxied)
        log = OUT / "faults-postgres-gunicorn.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text("", encoding="utf-8")
        restart: dict[str, float] = {}
        with Gunicorn("app:app", config.workers, env, log, worker_class=config.worker_class,
                      threads=config.threads) as server:
            assert server.process is not None
            employees = [Employee(e, f"172.16.0.{n + 1}") for n, e in enumerate(emails)]
            traffic = Traffic(server.url, proxied=proxied, codes=codes, employees=employees,
                              seed=args.seed, timeout=args.timeout)
            asyncio.run(login_all(traffic, BENCH_PASSWORD))
            asyncio.run(traffic.run(5, args.connections, parse_mix(args.mix)))  # warm-up
            pids_before = _worker_pids(server.process.pid)
            before_click = int(db.scalar("SELECT max(id) FROM click"))

            async def restart_later(stats: Any) -> None:
                await asyncio.sleep(args.restart_at)
                restart["begin"] = time.monotonic() - stats.started
                took = await asyncio.to_thread(cluster.restart)
                restart["end"] = restart["begin"] + took
                print(f"pg_ctl restart -m fast at {restart['begin']:.1f} s took {took:.2f} s",
                      flush=True)

            stats = asyncio.run(traffic.run(args.duration, args.connections,
                                            parse_mix(args.mix), bucket=0.5,
                                            on_start=restart_later))
            pids_after = _worker_pids(server.process.pid)
            clicks = check_clicks(db, before_click, stats)
            after_ok = asyncio.run(traffic.run(5, 4, parse_mix(args.mix)))
        db.close()
    log_text = log.read_text(encoding="utf-8", errors="replace")
    timeline = {round(k * 0.5, 1): dict(v) for k, v in sorted(stats.timeline.items())}
    error_times = [t for t, v in timeline.items() if v.get("error")]
    settle_from = args.duration - args.settle
    late = [v for t, v in timeline.items() if t >= settle_from]
    summary = stats.summary()
    result = {
        "config": str(config), "connections": args.connections, "duration_s": args.duration,
        "mix": parse_mix(args.mix), "restart": {k: round(v, 2) for k, v in restart.items()},
        "traffic": summary, "timeline_0_5s": timeline,
        "errors_first_s": min(error_times, default=None),
        "errors_last_s": max(error_times, default=None),
        "errors_window_s": (round(max(error_times) - min(error_times) + 0.5, 1)
                            if error_times else 0),
        "last_settle_s": {"from_s": settle_from, "ok": sum(v.get("ok", 0) for v in late),
                          "errors": sum(v.get("error", 0) for v in late)},
        "after_run": after_ok.summary(),
        "worker_pids_before": pids_before, "worker_pids_after": pids_after,
        "gunicorn_restarted_workers": pids_before != pids_after,
        "server_log_tracebacks": log_text.count("Traceback"),
        "server_log_errors": sorted(set(re.findall(r"(\w+(?:Error|Exception)):", log_text)))[:10],
        "clicks": clicks,
    }
    result["ok"] = (result["last_settle_s"]["errors"] == 0 and result["last_settle_s"]["ok"] > 0
                    and after_ok.summary()["errors"] == 0 and clicks["lost_clicks"] == 0
                    and not result["gunicorn_restarted_workers"])
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults",
                                     description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("scenario", choices=["scheduler", "postgres"])
    parser.add_argument("--port", type=int, default=55433, help="port of the own cluster")
    parser.add_argument("--seed", type=int, default=7)
    group = parser.add_argument_group("scheduler")
    group.add_argument("--posts", type=int, default=200)
    group.add_argument("--people", type=int, default=20)
    group.add_argument("--kill-at", type=int, default=60,
                       help="kill when the fake server has created this many statuses")
    group.add_argument("--kill-mode", choices=["answer", "timer"], default="answer")
    group.add_argument("--stale", choices=["wait", "backdate"], default="wait")
    group.add_argument("--lease-seconds", type=int, default=10)
    group.add_argument("--hide-from-lookup", action="store_true",
                       help="the fake server's account timeline answers [] (the post is "
                            "not found); matters only to a settle by reading, 50 minutes "
                            "after the first attempt")
    group.add_argument("--timeout", type=float, default=900,
                       help="seconds to wait for the queue to empty after the restart "
                            "(scheduler), or the client timeout (postgres: default 10)")
    group = parser.add_argument_group("postgres")
    group.add_argument("--duration", type=int, default=60)
    group.add_argument("--restart-at", type=float, default=20)
    group.add_argument("--settle", type=float, default=20,
                       help="the last seconds in which every request must succeed")
    group.add_argument("--connections", type=int, default=16)
    group.add_argument("--config", default="sync:2")
    group.add_argument("--mix", default="redirect=80,feed=20")
    group.add_argument("--users", type=int, default=16)
    args = parser.parse_args(argv)
    if args.scenario == "postgres" and args.timeout == 900:
        args.timeout = 10.0
    result = scheduler_kill(args) if args.scenario == "scheduler" else postgres_restart(args)
    result["command"] = "python -m bench.faults " + " ".join(
        argv if argv is not None else __import__("sys").argv[1:])
    result["machine"] = machine()
    path = save(f"faults-{args.scenario}.json", result)
    brief = {k: v for k, v in result.items() if k not in ("timeline_0_5s", "machine")}
    if "traffic" in brief:
        brief["traffic"] = {k: v for k, v in brief["traffic"].items() if k != "kinds"}
    print(brief)
    print(f"saved {path}\n{'OK' if result['ok'] else 'CHECK'}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
