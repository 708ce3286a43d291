"""The outbox under injected faults on four networks, and beside a network that times out.

Usage:

    python -m bench.outbox_faults                        # all three scenarios, 1,000 posts
    python -m bench.outbox_faults --posts 200 --arrivals 80 --arrival-seconds 20   # smoke
    python -m bench.outbox_faults --scenarios faults --posts 1000 --fault-rate 0.1
    python -m bench.outbox_faults --scenarios slow --slow x --interval 1 --timeout 1
    python -m bench.outbox_faults --scenarios slow --scheduler-wait 20   # a job that waits

Everything runs in this process against local servers (bench/outbox_world.py): the fake X,
Mastodon and LinkedIn servers of the test suite, and a real Bluesky PDS (its own ports and
state folder) behind a proxy that fails like the fakes. Each scenario gets a fresh migrated
SQLite database in a temporary folder, an app from `create_app` pointing at those servers
(`ALLOW_INSECURE_PROVIDERS`, `PROVIDER_TIMEOUT` --timeout), and --people people with an
account on every network, connected as connecting stores them (`save_account`; Bluesky
through `connect_bluesky` with an app password). Posts are queued with the app's own
`queue_post`.

faults: --posts posts, a quarter per network, each with its own words and tracked link,
  all due at once. A fault is injected into --fault-rate of the requests that create a
  post (kinds in rotation: created then 5xx, 5xx before creating, 429, time-out after
  the post was accepted) and into --lookup-fault-rate of the look-ups that settle an
  open outcome (5xx, 404, and on X an answer without the post). Then the queue is
  drained as the scheduler would, one `process_outbox(app, now=clock)` after another,
  with a simulated clock (the fakes' clocks follow it): when nothing is due the clock
  moves to the next post's time, and every --long-jump-every'th time 55 minutes on
  instead (the scheduler was down a while: Mastodon then settles by reading statuses,
  not by resending with the same Idempotency-Key). Posts in doubt are settled as their
  author would after looking at their profile: "it is there" when the network has it,
  "send it again" when not; a --careless share of authors press "send it again" without
  looking well (LinkedIn and X refuse the duplicate, Bluesky a second record under the
  same key, and Mastodon, X and Bluesky are asked once more before anything is sent). At
  the end every row is compared with each network's own record.
slow: the same servers without random faults; --arrivals posts arrive over
  --arrival-seconds (Poisson, round-robin over the networks), each due when it arrives,
  while the app's scheduler (`LeasedScheduler` with the send-posts job alone, every
  --interval s) sends them. Measured per post to a healthy network: wait = posted_at -
  due time. Twice in this process: a baseline with every network healthy, then with
  every request to --slow hanging past the timeout (the network accepts, and answers
  never). Reported: p50/p95/p99/max of the healthy networks' waits in both runs, their
  ratio, and the durations of the scheduler's runs. The job is the shipped `send_posts`
  (starts the lanes and returns; a busy lane is left alone by the next run) unless
  --scheduler-wait makes it wait that long for them. Afterwards the slow network heals
  and the queue is drained and checked as above.
cap: --cap-posts posts to X; the first is created and answered 503 (its outcome open),
  then X's monthly usage cap is reached. The open post is settled when the month turns
  (the clock jumps there, X resets its usage); every other post ends failed with the cap
  as its reason. Checked as above.

Checks (every scenario): no tracked link on any network more than once (doubled); every
row posted and on its network exactly once, with the remote id the network has where one
was recorded (lost, mismatched), or failed/cancelled with a reason and not on the network;
nothing left queued, sending, unknown or in doubt (stuck); the items' share counters equal
the posted rows; no share point awarded twice. slow also requires the healthy networks'
p99 wait under --p99-limit (2 s) with the slow network. Results go to
bench/out/outbox-faults.json; exit status 1 when a check failed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from bench.common import machine, median, percentile, save
from bench.outbox_world import LINK_BASE, NETWORKS, World, open_world
from bench.redirect import SECRET, ours_env

TOKEN_KEYS = ours_env("")["ADVOCACY_TOKEN_KEYS"]
OPEN_STATES = ("queued", "sending", "unknown", "in_doubt")
# Where "send it again" on a post that is there cannot make a second one: LinkedIn and X
# refuse the duplicate, Bluesky refuses a second record under the same key, and networks
# that can be asked (Mastodon, X, Bluesky) are asked once more before sending again.
CARELESS_SAFE = ("linkedin", "x", "bluesky", "mastodon")
WORDS = ("energy", "plant", "team", "customers", "hydrogen", "trainees", "research", "rail",
         "software", "safety", "design", "logistics", "award", "study", "event", "service")


def link_for(code: str) -> str:
    return f"{LINK_BASE}/r/{code}"


# --------------------------------------------------------------------------- the app and people

@dataclass
class Run:
    """One scenario's app, its people and what they queued."""

    app: Any
    people: list[dict[str, Any]] = field(default_factory=list)  # user_id, accounts
    authors: dict[str, set[str]] = field(default_factory=lambda: {n: set() for n in NETWORKS})
    items: list[int] = field(default_factory=list)
    queued: list[dict[str, Any]] = field(default_factory=list)  # code, network, share_id


def new_app(world: World, directory: Path, name: str, args: argparse.Namespace,
            **extra: Any) -> Any:
    from advocacy import create_app
    from tests.fakes.fixtures import provider_config
    from tests.support import migrate

    url = f"sqlite:///{directory / name}.sqlite"
    migrate(url)
    fakes = {n: SimpleNamespace(url=world.urls[n]) for n in ("linkedin", "x")}
    config = {"DATABASE_URL": url, "SECRET_KEY": SECRET, "TOKEN_KEYS": TOKEN_KEYS,
              "LOG_LEVEL": "WARNING", "BASE_URL": LINK_BASE,
              "UPLOAD_DIR": str(directory / "uploads"),
              **provider_config(linkedin=fakes["linkedin"], x=fakes["x"],  # type: ignore[arg-type]
                                PROVIDER_TIMEOUT=args.timeout),
              "OUTBOX_LANE_SECONDS": args.lane_seconds, "OUTBOX_LANE_REST_SECONDS": args.rest,
              "OUTBOX_INTERVAL_SECONDS": args.interval, **extra}
    return create_app(config)


def add_people(run: Run, world: World, count: int, prefix: str, items: int) -> None:
    """People with an account on every network (connected as connecting stores them),
    and `items` approved items."""
    from advocacy.accounts.services import connect_bluesky, save_account
    from advocacy.crypto import vault
    from advocacy.db import session_scope, utcnow
    from advocacy.providers.api import Profile, Tokens
    from tests import factories

    app, states, urls = run.app, world.states, world.urls
    host = urls["mastodon"].split("://", 1)[1]
    with app.app_context(), session_scope(app) as session:
        box = vault(app)
        run.items = [factories.make_item(session, title=f"Bench item {n}",
                                         texts=[(f"Worth reading, bench item {n}", None)]).id
                     for n in range(items)]
        for number in range(count):
            name = f"{prefix}{number:03d}"
            user = factories.make_user(session, email=f"{name}@example.com",
                                       name=f"Poster {name}", password=None)
            accounts = {}
            remote = states["mastodon"].add_account(name, followers_count=10 + number)
            accounts["mastodon"] = save_account(
                session, box, user, "mastodon",
                Profile(remote["id"], f"@{remote['acct']}@{host}", user.name,
                        remote["followers_count"]),
                Tokens(states["mastodon"].issue_token(remote["id"]),
                       scopes="read:accounts read:statuses write:statuses"),
                base_url=urls["mastodon"], char_limit=states["mastodon"].max_characters)
            run.authors["mastodon"].add(remote["id"])
            x_user = states["x"].add_user(name, name=user.name, followers_count=100 + number)
            issued = states["x"].issue_token(x_user["id"])
            accounts["x"] = save_account(
                session, box, user, "x",
                Profile(x_user["id"], f"@{name}", user.name, 100 + number),
                Tokens(issued["access_token"], issued["refresh_token"],
                       utcnow() + dt.timedelta(seconds=issued["expires_in"]), issued["scope"]))
            run.authors["x"].add(x_user["id"])
            member = states["linkedin"].add_member(f"Poster {name}", email=f"{name}@example.com")
            accounts["linkedin"] = save_account(
                session, box, user, "linkedin",
                Profile(states["linkedin"].urn(member), member["email"], member["name"]),
                Tokens(states["linkedin"].issue_token(member["sub"]), None,
                       utcnow() + dt.timedelta(days=60), "email,openid,profile,w_member_social"))
            run.authors["linkedin"].add(states["linkedin"].urn(member))
            handle, did, password = world.peer.new_account(name)
            account = connect_bluesky(session, box, user, app.config, urls["bluesky"], handle,
                                      password)
            account.base_url = urls["bluesky"]  # the login names the PDS itself: use the proxy
            accounts["bluesky"] = account
            run.authors["bluesky"].add(did)
            session.flush()
            run.people.append({"user_id": user.id,
                               "accounts": {n: a.id for n, a in accounts.items()}})


def queue(run: Run, specs: list[tuple[int, str]], now: dt.datetime | None = None) -> list[str]:
    """Queue one post per (number, network) as the share sheet's "Post" does; each has
    its own words (LinkedIn refuses a text it has seen from the same person)."""
    from advocacy.accounts.models import SocialAccount
    from advocacy.admin.services import get_settings
    from advocacy.content.models import ContentItem
    from advocacy.db import session_scope, utcnow
    from advocacy.people.models import User
    from advocacy.sharing.outbox import PostRequest, queue_post

    codes = []
    with run.app.app_context(), session_scope(run.app) as session:
        settings = get_settings(session)
        for number, network in specs:
            person = run.people[number % len(run.people)]
            user = session.get(User, person["user_id"])
            account = session.get(SocialAccount, person["accounts"][network])
            item = session.get(ContentItem, run.items[number % len(run.items)])
            assert user is not None and account is not None and item is not None
            text = (f"Note {number} on {WORDS[number % len(WORDS)]} and "
                    f"{WORDS[number * 7 % len(WORDS)]}: worth reading.")
            share = queue_post(session, user, item, PostRequest(account, text, None), settings,
                               link_for, now or utcnow())
            codes.append(share.code)
            run.queued.append({"code": share.code, "network": network, "share_id": share.id})
    return codes


# --------------------------------------------------------------------------- draining

def open_rows(app: Any) -> tuple[Counter[str], dt.datetime | None]:
    """Rows per open state, and when the next one falls due."""
    from advocacy.db import session_scope
    from advocacy.sharing.models import OutboxPost
    from advocacy.sharing.outbox.states import STALE_CLAIM

    with session_scope(app) as session:
        rows = session.execute(sa.select(OutboxPost.state, OutboxPost.run_at,
                                         OutboxPost.claimed_at)
                               .where(OutboxPost.state.in_(OPEN_STATES))).all()
    times = [run_at for state, run_at, _c in rows if state in ("queued", "unknown")]
    times += [claimed + STALE_CLAIM for state, _r, claimed in rows
              if state == "sending" and claimed is not None]
    return Counter(state for state, _r, _c in rows), min(times, default=None)


def settle_doubts(run: Run, world: World, rng: random.Random, careless: float,
                  now: dt.datetime) -> Counter[str]:
    """Each post in doubt, as its author settles it: look at the profile (the network's own
    record), then "it is there" or "send it again"."""
    from advocacy.db import session_scope
    from advocacy.people.models import User
    from advocacy.sharing.models import OutboxPost, Share
    from advocacy.sharing.outbox import confirm_posted, looked, send_again

    app, done = run.app, Counter[str]()
    with app.app_context(), session_scope(app) as session:
        rows = session.execute(sa.select(OutboxPost.id, Share.code, Share.network, Share.user_id)
                               .join(Share, Share.id == OutboxPost.share_id)
                               .where(OutboxPost.state == "in_doubt")
                               .order_by(OutboxPost.id)).all()
        if not rows:
            return done
        truth = world.truth({n: run.authors[n] for n in {r.network for r in rows}})
        for post_id, code, network, user_id in rows:
            user = session.get(User, user_id)
            assert user is not None
            looked(session, user, post_id)
            there = code in truth[network]
            if there and network in CARELESS_SAFE and rng.random() < careless:
                send_again(session, user, post_id, now)
                done[f"{network}:sent_again_though_there"] += 1
            elif there:
                confirm_posted(session, user, post_id, app.config["TIMEZONE"], now)
                done[f"{network}:confirmed"] += 1
            else:
                send_again(session, user, post_id, now)
                done[f"{network}:sent_again"] += 1
    return done


def drain(run: Run, world: World, args: argparse.Namespace, clock: dt.datetime, *,
          careless: float = 0.0, long_jump_every: int = 0,
          on_clock: Callable[[dt.datetime], None] | None = None) -> dict[str, Any]:
    """`process_outbox(app, now=clock)` until nothing is open; the clock moves on to the
    next due post when nothing is due (every `long_jump_every`'th time 55 minutes on)."""
    from advocacy.db import utcnow
    from advocacy.sharing.outbox import process_outbox

    rng = random.Random(args.seed)
    outcomes: Counter[str] = Counter()
    authors: Counter[str] = Counter()
    rounds = quiet = long_jumps = 0
    began_clock, began = clock, time.monotonic()
    states: Counter[str] = Counter()
    while rounds < args.max_rounds and time.monotonic() - began < args.drain_timeout:
        clock = max(clock, utcnow())  # back-offs are counted from the real time of recording
        world.set_clock(clock)
        if on_clock is not None:
            on_clock(clock)
        outcomes.update(process_outbox(run.app, now=clock))
        rounds += 1
        authors.update(settle_doubts(run, world, rng, careless, clock))
        states, next_due = open_rows(run.app)
        if not states:
            break
        if next_due is not None and next_due <= clock:
            clock += dt.timedelta(seconds=1)  # posts a stopped lane left: the next run
            continue
        quiet += 1
        if long_jump_every and quiet % long_jump_every == 0:
            clock += dt.timedelta(minutes=55)
            long_jumps += 1
        else:
            clock = (next_due or clock) + dt.timedelta(seconds=1)
    return {"drained": not states, "left_open": dict(states), "rounds": rounds,
            "clock_span_h": round((clock - began_clock).total_seconds() / 3600, 2),
            "long_jumps": long_jumps, "seconds": round(time.monotonic() - began, 1),
            "outcomes": dict(outcomes), "authors_settled": dict(sorted(authors.items()))}


# --------------------------------------------------------------------------- checks

def check(run: Run, world: World) -> dict[str, Any]:
    """Our rows against each network's own record."""
    from advocacy.content.models import ContentItem
    from advocacy.db import session_scope
    from advocacy.sharing.models import OutboxPost, Share

    networks = sorted({q["network"] for q in run.queued})
    truth = world.truth({n: run.authors[n] for n in networks})
    with session_scope(run.app) as session:
        rows = session.execute(
            sa.select(Share.code, Share.network, OutboxPost.state, OutboxPost.error_kind,
                      OutboxPost.remote_id, Share.posted_at, OutboxPost.doubted)
            .join(Share, Share.id == OutboxPost.share_id)).all()
        share_count = session.scalar(sa.select(sa.func.sum(ContentItem.share_count))) or 0
        points_twice = session.scalar(sa.text(
            "SELECT count(*) FROM (SELECT ref_id FROM point_entry WHERE reason = 'share' "
            "GROUP BY ref_id HAVING count(*) > 1) AS d"))
    problems: dict[str, list[Any]] = {k: [] for k in (
        "doubled", "lost", "stuck", "remote_id_mismatch", "failed_but_on_network",
        "failed_without_reason", "posted_not_counted", "strays")}
    per_network: dict[str, Counter[str]] = {n: Counter() for n in networks}
    reasons: dict[str, Counter[str]] = {n: Counter() for n in networks}
    confirmed_by_author, doubted_rows = Counter[str](), Counter[str]()
    for code, network, state, kind, remote_id, posted_at, doubted in rows:
        found = truth[network].get(code, [])
        per_network[network][state] += 1
        doubted_rows[network] += bool(doubted)
        if len(found) > 1:
            problems["doubled"].append({"code": code, "network": network, "ids": found})
        if state == "posted":
            if not found:
                problems["lost"].append({"code": code, "network": network})
            elif remote_id is not None and remote_id not in found:
                problems["remote_id_mismatch"].append(
                    {"code": code, "network": network, "ours": remote_id, "theirs": found})
            if remote_id is None:
                confirmed_by_author[network] += 1
            if posted_at is None:
                problems["posted_not_counted"].append(code)
        elif state in ("failed", "cancelled"):
            reasons[network][kind or "-"] += 1
            if found:
                problems["failed_but_on_network"].append(
                    {"code": code, "network": network, "ids": found})
            if not kind:
                problems["failed_without_reason"].append(code)
        else:
            problems["stuck"].append({"code": code, "network": network, "state": state})
    ours = {code for code, *_rest in rows}
    for network in networks:
        problems["strays"] += [{"code": c, "network": network} for c in truth[network]
                               if c not in ours]
    posted = sum(1 for r in rows if r[2] == "posted")
    counters_ok = share_count == posted and not points_twice
    failed = {k: len(v) for k, v in problems.items()}
    return {
        "rows": len(rows),
        "final_states": {n: dict(c) for n, c in per_network.items()},
        "failure_reasons": {n: dict(c) for n, c in reasons.items() if c},
        "on_network": {n: sum(len(v) for v in truth[n].values()) for n in networks},
        "posted_confirmed_by_author": dict(confirmed_by_author),
        "rows_whose_outcome_was_open": dict(doubted_rows),
        "problems": failed,
        "problem_examples": {k: v[:10] for k, v in problems.items() if v},
        "item_share_count": share_count, "posted_rows": posted,
        "share_points_twice": points_twice,
        "ok": not any(failed.values()) and counters_ok,
    }


# --------------------------------------------------------------------------- scenarios

def scenario_faults(world: World, args: argparse.Namespace, directory: Path) -> dict[str, Any]:
    from advocacy.db import utcnow

    world.reset()
    run = Run(new_app(world, directory, "faults", args))
    add_people(run, world, args.people, "fa", items=max(1, args.posts // 8))
    clock = utcnow()
    world.set_clock(clock)
    queue(run, [(n, NETWORKS[n % 4]) for n in range(args.posts)], clock)
    print(f"faults: {args.posts} posts queued for {args.people} people", flush=True)
    world.reset(args.fault_rate, args.lookup_fault_rate)
    drained = drain(run, world, args, clock, careless=args.careless,
                    long_jump_every=args.long_jump_every)
    injected = {n: world.injectors[n].summary() for n in NETWORKS}
    world.reset()
    result = {"posts": args.posts, "people": args.people, "fault_rate": args.fault_rate,
              "lookup_fault_rate": args.lookup_fault_rate, "careless": args.careless,
              "injected": injected,
              "injected_total": dict(sum((Counter(i["injected"]) for i in injected.values()),
                                         Counter())),
              **drained, "check": check(run, world)}
    result["ok"] = bool(drained["drained"] and result["check"]["ok"])
    return result


class SkippedRuns(logging.Handler):
    """Counts the scheduler's runs skipped because the previous one was still going
    (APScheduler logs each; they are kept off the console)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0
        self.logger = logging.getLogger("apscheduler.scheduler")

    def emit(self, record: logging.LogRecord) -> None:
        if "maximum number of running instances" in record.getMessage():
            self.count += 1

    def __enter__(self) -> SkippedRuns:
        self.logger.addHandler(self)
        self.logger.propagate = False
        return self

    def __exit__(self, *_exc: object) -> None:
        self.logger.removeHandler(self)
        self.logger.propagate = True


class TimedJob:
    """The send-posts job, with the start and end of every run kept."""

    def __init__(self, func: Callable[[Any], dict[str, int]]) -> None:
        self.func = func
        self.runs: list[tuple[float, float, dict[str, int]]] = []
        self.running = threading.Event()

    def __call__(self, app: Any) -> dict[str, int]:
        self.running.set()
        started = time.monotonic()
        try:
            result = self.func(app)
        finally:
            self.running.clear()
        self.runs.append((started, time.monotonic(), result))
        return result


def _arrivals(args: argparse.Namespace) -> list[tuple[float, str]]:
    rng = random.Random(args.seed)
    rate = args.arrivals / args.arrival_seconds
    at, schedule = 0.0, []
    for number in range(args.arrivals):
        at += rng.expovariate(rate)
        schedule.append((min(at, args.arrival_seconds), NETWORKS[number % 4]))
    return schedule


def slow_run(world: World, args: argparse.Namespace, directory: Path,
             slow: str | None, label: str) -> dict[str, Any]:
    from advocacy.db import session_scope, utcnow
    from advocacy.scheduler import Job, LeasedScheduler
    from advocacy.sharing.models import OutboxPost, Share
    from advocacy.sharing.outbox import process_outbox, send_posts
    from advocacy.sharing.outbox.lanes import lanes_of

    world.reset()
    run = Run(new_app(world, directory, f"slow-{label}", args))
    add_people(run, world, args.slow_people, f"s{label[:1]}", items=8)
    if args.scheduler_wait is None:
        job_func: Callable[[Any], dict[str, int]] = send_posts
    else:
        def job_func(app: Any) -> dict[str, int]:
            return process_outbox(app, wait=args.scheduler_wait,
                                  rest=float(app.config["OUTBOX_LANE_REST_SECONDS"]))
    timed = TimedJob(job_func)
    job = Job("send-posts", timed, "interval", {"seconds": "OUTBOX_INTERVAL_SECONDS"},
              per_app=True)
    if slow:
        world.injectors[slow].slow = True
    scheduler = LeasedScheduler(run.app, blocking=False, jobs=(job,))
    healthy = [n for n in NETWORKS if n != (slow or args.slow)]
    with SkippedRuns() as skipped:
        world.set_clock(utcnow())
        scheduler.start()
        began = time.monotonic()
        for number, (at, network) in enumerate(_arrivals(args)):
            time.sleep(max(0.0, began + at - time.monotonic()))
            world.set_clock(utcnow())
            queue(run, [(number, network)])
        wanted = {q["share_id"] for q in run.queued if q["network"] in healthy}

        def healthy_open() -> int:
            with session_scope(run.app) as session:
                return len(wanted & set(session.scalars(
                    sa.select(OutboxPost.share_id).where(OutboxPost.state != "posted"))))

        deadline = time.monotonic() + args.settle_seconds
        while healthy_open() and time.monotonic() < deadline:
            time.sleep(0.5)
        scheduler.shutdown()
    quiet = time.monotonic() + args.lane_seconds + args.timeout + 5
    while (timed.running.is_set() or lanes_of(run.app).busy) and time.monotonic() < quiet:
        time.sleep(0.1)
    with session_scope(run.app) as session:
        rows = session.execute(sa.select(Share.network, OutboxPost.state, OutboxPost.run_at,
                                         OutboxPost.posted_at)
                               .join(Share, Share.id == OutboxPost.share_id)).all()
    waits = {n: [(p - r).total_seconds() for net, s, r, p in rows if net == n and p]
             for n in NETWORKS}
    healthy_waits = [w for n in healthy for w in waits[n]]
    unfinished = sum(1 for net, s, _r, _p in rows if net in healthy and s != "posted")
    durations = [end - start for start, end, _r in timed.runs]
    job_outcomes: Counter[str] = Counter()
    for _s, _e, outcome in timed.runs:
        job_outcomes.update(outcome)
    result = {
        "slow_network": slow, "arrivals": len(rows), "healthy_networks": healthy,
        "healthy_posts": len(wanted), "healthy_unfinished": unfinished,
        "wait_s": _figures(healthy_waits),
        "wait_s_by_network": {n: _figures(waits[n]) for n in healthy},
        "slow_network_states": dict(Counter(s for net, s, _r, _p in rows
                                            if net == (slow or args.slow))),
        "scheduler_runs": len(durations),
        "scheduler_run_s": {"median": round(median(durations), 3),
                            "p99": round(percentile(durations, 0.99), 3),
                            "max": round(max(durations, default=0.0), 3),
                            "over_1s": sum(1 for d in durations if d > 1.0)},
        "scheduler_outcomes": dict(job_outcomes),
        "scheduler_runs_skipped_while_one_ran": skipped.count,
        "requests_to_slow_network": (world.injectors[slow].summary()["requests"]
                                     if slow else {}),
    }
    # The slow network heals; the queue is drained and checked like the faults scenario.
    world.reset()
    lanes_of(run.app).resting.clear()
    result["drain_after"] = drain(run, world, args, utcnow())
    result["check"] = check(run, world)
    return result


def _figures(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    return {"n": len(values), "p50": round(percentile(values, 0.50), 3),
            "p95": round(percentile(values, 0.95), 3),
            "p99": round(percentile(values, 0.99), 3), "max": round(max(values), 3)}


def scenario_slow(world: World, args: argparse.Namespace, directory: Path) -> dict[str, Any]:
    print(f"slow: baseline, {args.arrivals} posts over {args.arrival_seconds} s", flush=True)
    baseline = slow_run(world, args, directory, None, "baseline")
    print(f"slow: {args.slow} times out, {args.arrivals} posts over {args.arrival_seconds} s",
          flush=True)
    faulty = slow_run(world, args, directory, args.slow, "faulty")
    base_p99, slow_p99 = baseline["wait_s"].get("p99"), faulty["wait_s"].get("p99")
    ratio = round(slow_p99 / base_p99, 2) if base_p99 and slow_p99 is not None else None
    result = {"interval_s": args.interval, "timeout_s": args.timeout,
              "lane_seconds": args.lane_seconds, "rest_s": args.rest,
              "scheduler_wait_s": ("send_posts (returns at once)"
                                   if args.scheduler_wait is None else args.scheduler_wait),
              "p99_limit_s": args.p99_limit, "baseline": baseline, "with_slow_network": faulty,
              "p99_ratio": ratio}
    result["p99_met"] = bool(slow_p99 is not None and slow_p99 < args.p99_limit
                             and not faulty["healthy_unfinished"])
    result["ok"] = bool(result["p99_met"] and baseline["check"]["ok"]
                        and faulty["check"]["ok"] and baseline["drain_after"]["drained"]
                        and faulty["drain_after"]["drained"])
    return result


def scenario_cap(world: World, args: argparse.Namespace, directory: Path) -> dict[str, Any]:
    from advocacy.db import utcnow
    from advocacy.sharing.outbox import process_outbox
    from advocacy.sharing.outbox.budget import next_month

    world.reset()
    run = Run(new_app(world, directory, "cap", args))
    add_people(run, world, 3, "cap", items=4)
    clock = utcnow()
    world.set_clock(clock)
    queue(run, [(n, "x") for n in range(args.cap_posts)], clock)
    state = world.states["x"]
    state.fail_after_next(503, path_prefix="/2/tweets", method="POST")
    first = process_outbox(run.app, now=clock)
    with state.lock:
        state.usage_cap = state.usage  # from now on every call answers usage-capped
    month = next_month(clock)

    def new_month(now: dt.datetime) -> None:
        if now >= month and state.usage_cap is not None:
            state.reset_usage()
            state.usage_cap = None

    drained = drain(run, world, args, clock, on_clock=new_month)
    result = {"posts": args.cap_posts, "first_run": first, **drained, "check": check(run, world)}
    result["ok"] = bool(drained["drained"] and result["check"]["ok"])
    return result


SCENARIOS = {"faults": scenario_faults, "slow": scenario_slow, "cap": scenario_cap}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.outbox_faults",
                                     description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--scenarios", default="faults,slow,cap",
                        help="comma-separated: faults, slow, cap")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=1.0, help="PROVIDER_TIMEOUT, s")
    parser.add_argument("--lane-seconds", type=float, default=20.0, help="OUTBOX_LANE_SECONDS")
    parser.add_argument("--rest", type=float, default=30.0, help="OUTBOX_LANE_REST_SECONDS")
    parser.add_argument("--interval", type=float, default=1.0,
                        help="OUTBOX_INTERVAL_SECONDS (the scheduler's period in slow)")
    parser.add_argument("--max-rounds", type=int, default=5000)
    parser.add_argument("--drain-timeout", type=float, default=900.0, help="wall seconds")
    group = parser.add_argument_group("faults")
    group.add_argument("--posts", type=int, default=1000)
    group.add_argument("--people", type=int, default=25)
    group.add_argument("--fault-rate", type=float, default=0.10,
                       help="share of create requests that fail")
    group.add_argument("--lookup-fault-rate", type=float, default=0.25,
                       help="share of look-ups that fail")
    group.add_argument("--careless", type=float, default=0.3,
                       help="share of authors who send a post in doubt again though it is "
                            "there")
    group.add_argument("--long-jump-every", type=int, default=5)
    group = parser.add_argument_group("slow")
    group.add_argument("--slow", choices=NETWORKS, default="x")
    group.add_argument("--arrivals", type=int, default=400)
    group.add_argument("--arrival-seconds", type=float, default=90.0)
    group.add_argument("--slow-people", type=int, default=12)
    group.add_argument("--settle-seconds", type=float, default=30.0,
                       help="how long to wait for the healthy posts after the last arrival")
    group.add_argument("--scheduler-wait", type=float, default=None,
                       help="the job waits this long for its lanes (default: send_posts, "
                            "which starts them and returns)")
    group.add_argument("--p99-limit", type=float, default=2.0)
    group = parser.add_argument_group("cap")
    group.add_argument("--cap-posts", type=int, default=30)
    parser.add_argument("--name", default="outbox-faults", help="bench/out/<name>.json")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(unknown)}")
    result: dict[str, Any] = {
        "command": "python -m bench.outbox_faults " + " ".join(
            argv if argv is not None else sys.argv[1:]),
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="outbox-faults-") as tmp, \
            contextlib.ExitStack() as stack:
        directory = Path(tmp)
        world = open_world(stack, args.seed, args.timeout + 0.5, directory / "bsky")
        for name in chosen:
            started = time.monotonic()
            result[name] = SCENARIOS[name](world, args, directory)
            result[name]["wall_s"] = round(time.monotonic() - started, 1)
            print(f"{name}: {'OK' if result[name]['ok'] else 'CHECK'} "
                  f"({result[name]['wall_s']} s)", flush=True)
    result["wall_s"] = round(time.monotonic() - began, 1)
    result["machine"] = machine()
    result["ok"] = all(result[name]["ok"] for name in chosen)
    path = save(f"{args.name}.json", result)
    _print_brief(result, chosen)
    print(f"saved {path}\n{'OK' if result['ok'] else 'CHECK'}")
    return 0 if result["ok"] else 1


def _print_brief(result: dict[str, Any], chosen: list[str]) -> None:
    for name in chosen:
        part = result[name]
        if name == "slow":
            for label in ("baseline", "with_slow_network"):
                run = part[label]
                print(f"slow/{label}: healthy wait {run['wait_s']}, unfinished "
                      f"{run['healthy_unfinished']}, scheduler runs {run['scheduler_run_s']}, "
                      f"check {run['check']['problems']}")
            print(f"slow: p99 ratio {part['p99_ratio']}, p99 under {part['p99_limit_s']} s: "
                  f"{part['p99_met']}")
            continue
        print(f"{name}: rounds {part['rounds']}, clock {part['clock_span_h']} h, "
              f"outcomes {part['outcomes']}")
        if "injected_total" in part:
            print(f"{name}: injected {part['injected_total']}")
        print(f"{name}: final {part['check']['final_states']}, problems "
              f"{part['check']['problems']}")


if __name__ == "__main__":
    raise SystemExit(main())
