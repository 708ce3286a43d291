"""The job that empties the outbox, one lane per network server, side by side.

A lane is a network and, for Mastodon and Bluesky, the person's server. Each lane sends
its due posts one after another in a thread of its own, under its own time budget: a
lane whose server times out or cannot be reached stops for this run and rests a little,
while the other lanes go on. So a slow network never holds up posts to another.

Within one process the lanes remember which are busy (a run never starts a second sender
on a busy lane) and which rest. Across processes nothing is shared or needed: each post is
claimed by one conditional UPDATE before it is sent.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from advocacy.accounts.models import SocialAccount
from advocacy.admin.services import get_settings
from advocacy.db import db_guard, session_scope, utcnow
from advocacy.sharing.models import OutboxPost, Share
from advocacy.sharing.outbox import states
from advocacy.sharing.outbox.sender import send_post

log = logging.getLogger(__name__)

PER_LANE = 50  # posts a lane takes per run
MAX_LANES = 8  # threads sending at once in one process (many Mastodon servers: in turns)
# Outcomes that say the lane's server is in trouble: the rest of the lane waits.
UNHEALTHY = frozenset({"unreachable", "unknown", "capped", "in_doubt", "error"})


@dataclass(frozen=True, order=True)
class Lane:
    network: str
    server: str  # "" where the network has one server (LinkedIn, X)


@dataclass
class Lanes:
    """Per process: lanes being sent, and lanes resting after their server failed."""

    busy: set[Lane] = field(default_factory=set)
    resting: dict[Lane, float] = field(default_factory=dict)  # lane -> monotonic time
    lock: threading.Lock = field(default_factory=threading.Lock)
    threads: set[threading.Thread] = field(default_factory=set)
    stopping: threading.Event = field(default_factory=threading.Event)

    def stop(self, timeout: float) -> None:
        """No lane takes another post; wait up to `timeout` s for the ones in hand. (Then
        lanes may be started again: the scheduler that stopped has stopped its runs.)"""
        self.stopping.set()
        try:
            deadline = time.monotonic() + timeout
            with self.lock:
                running = list(self.threads)
            for thread in running:
                thread.join(max(0.0, deadline - time.monotonic()))
        finally:
            self.stopping.clear()

    def take(self, lane: Lane) -> str | None:
        """Start sending on `lane`: None when taken, else why not ("busy", "resting")."""
        with self.lock:
            if lane in self.busy:
                return "busy"
            if self.resting.get(lane, 0.0) > time.monotonic():
                return "resting"
            self.busy.add(lane)
            return None

    def give_back(self, lane: Lane, rest: float = 0.0) -> None:
        with self.lock:
            self.busy.discard(lane)
            if rest:
                self.resting[lane] = time.monotonic() + rest
            else:
                self.resting.pop(lane, None)


def lanes_of(app: Flask) -> Lanes:
    lanes: Lanes = app.extensions.setdefault("advocacy.outbox_lanes", Lanes())
    return lanes


def due_by_lane(session: Session, now: dt.datetime,
                per_lane: int = PER_LANE) -> dict[Lane, list[int]]:
    """The due posts of each lane (at most `per_lane`, oldest first). Posts whose account
    needs reconnecting, or is gone, are not due: they wait for the person."""
    server = sa.case((Share.network.in_(("mastodon", "bluesky")),
                      sa.func.coalesce(SocialAccount.base_url, "")), else_="")
    ranked = (
        sa.select(OutboxPost.id.label("id"), Share.network.label("network"),
                  server.label("server"), OutboxPost.run_at.label("run_at"),
                  sa.func.row_number().over(partition_by=(Share.network, server),
                                            order_by=(OutboxPost.run_at, OutboxPost.id))
                  .label("place"))
        .join(Share, Share.id == OutboxPost.share_id)
        .join(SocialAccount, sa.and_(SocialAccount.user_id == Share.user_id,
                                     SocialAccount.network == Share.network))
        .where(states.due(now), SocialAccount.status == "active")
        .subquery())
    rows = session.execute(
        sa.select(ranked.c.id, ranked.c.network, ranked.c.server)
        .where(ranked.c.place <= per_lane).order_by(ranked.c.run_at, ranked.c.id))
    found: dict[Lane, list[int]] = {}
    for post_id, network, base in rows:
        found.setdefault(Lane(network, base), []).append(post_id)
    return found


def process_outbox(app: Flask, now: dt.datetime | None = None, *,
                   wait: float | None = None, rest: float = 0.0) -> dict[str, int]:
    """The job: send every due post, lanes side by side (nothing while posting is paused).

    `wait`: how long to wait for the lanes (None: until all are done, as the command line
    and the tests want). The scheduler waits a little and lets slow lanes finish on their
    own; the next run leaves a lane alone while it is still busy. `rest`: seconds a lane
    whose server failed is left alone by later runs (the scheduler's frequent runs would
    otherwise meet the same time-out every few seconds).
    """
    with db_guard(app), session_scope(app) as session:
        if get_settings(session).posting_paused:
            return {"paused": 1}
        due = due_by_lane(session, now or utcnow())
    registry = lanes_of(app)
    if registry.stopping.is_set():  # a scheduler is shutting down in this process
        return {"stopping": 1}
    outcomes: Counter[str] = Counter()
    threads = []
    for lane, post_ids in sorted(due.items()):
        if len(registry.busy) >= MAX_LANES:
            outcomes["deferred"] += len(post_ids)  # enough threads at once: next run
            continue
        refused = registry.take(lane)
        if refused is not None:
            outcomes[refused] += len(post_ids)
            continue
        thread = threading.Thread(target=_run_lane, name=f"outbox-{lane.network}",
                                  args=(app, registry, lane, post_ids, now, rest, outcomes),
                                  daemon=True)
        with registry.lock:
            registry.threads.add(thread)
        thread.start()
        threads.append(thread)
    deadline = None if wait is None else time.monotonic() + wait
    for thread in threads:
        thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
    with registry.lock:
        return dict(outcomes)


def _run_lane(app: Flask, registry: Lanes, lane: Lane, post_ids: list[int],
              now: dt.datetime | None, rest_after_failure: float,
              outcomes: Counter[str]) -> None:
    budget = float(app.config["OUTBOX_LANE_SECONDS"])
    rest = 0.0
    started = time.monotonic()
    done: Counter[str] = Counter()
    try:
        with app.app_context():  # mails (a reconnect request) are written in a language
            for number, post_id in enumerate(post_ids):
                if time.monotonic() - started > budget or registry.stopping.is_set():
                    _count(registry, outcomes, "deferred", len(post_ids) - number)
                    break
                try:
                    outcome = send_post(app, post_id, now)
                except Exception:  # one post's surprise must not stop the others
                    log.exception("post %s could not be sent", post_id)
                    outcome = "error"
                _count(registry, outcomes, outcome)
                done[outcome] += 1
                if outcome in UNHEALTHY:
                    # The server is in trouble: leave its other posts for a later run.
                    rest = rest_after_failure
                    _count(registry, outcomes, "deferred", len(post_ids) - number - 1)
                    log.info("lane %s rests after %s", lane, outcome)
                    break
    finally:
        registry.give_back(lane, rest)
        with registry.lock:
            registry.threads.discard(threading.current_thread())
        if done:  # the job may have returned long ago: the lane says what it did
            log.info("lane %s/%s: %s in %.2fs", lane.network, lane.server or "-", dict(done),
                     time.monotonic() - started)


def send_posts(app: Flask) -> dict[str, int]:
    """The scheduler's adapter: start the lanes and return. A lane still sending is left
    alone by the next run (it is busy), so a network that times out holds up nothing,
    not even the next run for the others (bench/outbox_faults.py measured a job that
    waited for its lanes: the runs that fell due meanwhile were skipped)."""
    return process_outbox(app, wait=0.0, rest=float(app.config["OUTBOX_LANE_REST_SECONDS"]))


def _count(registry: Lanes, outcomes: Counter[str], outcome: str, number: int = 1) -> None:
    if number:
        with registry.lock:
            outcomes[outcome] += number
