"""Scheduled jobs: one registry, thin adapters, and a lease so only one scheduler runs them.

Jobs are plain functions taking a session (and optionally `app`); they flush, the adapter
commits. Each runs under the lease: a second scheduler started by mistake keeps waiting and
takes over only when the first stops renewing (crash) or releases the lease (shutdown).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from sqlalchemy.orm import Session

from advocacy.accounts.jobs import refresh_accounts
from advocacy.admin.services import get_settings
from advocacy.auth.services import purge_expired
from advocacy.challenges.services import settle_due
from advocacy.content.services import withdraw_expired
from advocacy.core.services import acquire_lease, release_lease
from advocacy.db import get_database, session_scope, utcnow
from advocacy.engagement.badges import award_badges as give_badges
from advocacy.feeds.services import import_feeds
from advocacy.notifications.digests import send_digests as queue_digests
from advocacy.reports.cells import refresh as refresh_cells
from advocacy.reports.retention import purge_clicks
from advocacy.reports.rollup import roll_up
from advocacy.sharing.outbox import fetch_metrics, process_outbox, send_posts
from advocacy.sharing.outbox.lanes import lanes_of
from advocacy.sharing.tracking import process_clicks

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A scheduled job. Most take one session and are committed once by the adapter; jobs
    that talk to networks (`per_app`) take the app and keep their own short transactions,
    so no database lock is held while waiting for a network."""

    id: str
    func: Callable[[Any], Any]
    trigger: str  # "interval" or "cron"
    trigger_args: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    per_app: bool = False
    # What `flask advocacy run-job` runs instead, where the scheduler's version returns
    # before its work is done (the outbox's lanes go on in their threads).
    once: Callable[[Any], Any] | None = None


def judge_clicks(session: Session) -> int:
    """Adapter: settings and time zone for the click job."""
    return process_clicks(session, get_settings(session), current_app.config["TIMEZONE"])


def update_rollups(session: Session) -> int:
    """Adapter: the programme's time zone for the rollup job, then the report cells of
    the weeks, months and quarters it touched."""
    zone, now = current_app.config["TIMEZONE"], utcnow()
    days = roll_up(session, zone, now)
    refresh_cells(session, now.astimezone(ZoneInfo(zone)).date())
    return days


def award_badges(session: Session) -> int:
    """Adapter: the badge job at the current time."""
    return give_badges(session, utcnow())


def send_digests(session: Session) -> int:
    """Adapter: time zone, address and key for the digest job."""
    config = current_app.config
    return queue_digests(session, utcnow(), config["TIMEZONE"], config["BASE_URL"],
                         config["SECRET_KEY"])


def settle_challenges(session: Session) -> int:
    """Adapter: settings and time zone for fixing the results of ended challenges."""
    return settle_due(session, get_settings(session), utcnow(), current_app.config["TIMEZONE"])


def purge_old_clicks(session: Session) -> int:
    """Adapter: the retention period the admins set, for the retention job."""
    return purge_clicks(session, get_settings(session).click_retention_months,
                        current_app.config["TIMEZONE"], utcnow())


JOBS: tuple[Job, ...] = (
    Job("process-clicks", judge_clicks, "interval", {"seconds": 10},
        "count new clicks on tracked links (once per visitor and day) and give their points"),
    Job("update-rollups", update_rollups, "interval", {"minutes": 10},
        "bring the daily and monthly report figures up to date"),
    Job("send-posts", send_posts, "interval", {"seconds": "OUTBOX_INTERVAL_SECONDS"},
        "post queued and scheduled shares through the networks' APIs (each network server "
        "in a lane of its own) and settle posts whose outcome is open", per_app=True,
        once=process_outbox),
    Job("fetch-metrics", fetch_metrics, "interval", {"hours": 1},
        "read likes, reposts and replies of posts from the last 14 days", per_app=True),
    Job("refresh-accounts", refresh_accounts, "interval", {"hours": 24},
        "update follower counts and remind people a week before LinkedIn access ends",
        per_app=True),
    Job("withdraw-expired-content", withdraw_expired, "interval", {"minutes": 5},
        "take items off the feed whose expiry or image licence has passed"),
    Job("purge-expired-logins", purge_expired, "interval", {"hours": 1},
        "delete expired reset and invitation links and old failed-login records"),
    Job("award-badges", award_badges, "interval", {"minutes": 10},
        "give badges to people who earned them and tell them"),
    Job("send-digests", send_digests, "interval", {"hours": 1},
        "send the daily and weekly e-mail digests that are due (each once)"),
    Job("settle-challenges", settle_challenges, "interval", {"hours": 1},
        "fix the results of challenges that ended and give their bonus points (once)"),
    Job("import-feeds", import_feeds, "interval", {"minutes": 15},
        "read the newsroom feeds that are due and make items of their new entries",
        per_app=True),
    Job("purge-old-clicks", purge_old_clicks, "cron", {"hour": 3, "minute": 40},
        "delete raw clicks older than the retention period; their daily totals stay"),
)


def find_job(job_id: str) -> Job:
    for job in JOBS:
        if job.id == job_id:
            return job
    raise KeyError(job_id)


def run_job(app: Flask, job: Job, *, once: bool = False) -> Any:
    """Run one job once in its own session and transaction; log how long it took.
    `once`: from the command line, where the whole work must be done before returning."""
    started = time.monotonic()
    if job.per_app:
        with app.app_context():
            result = (job.once if once and job.once else job.func)(app)
        # The outbox runs every few seconds: an empty run is not worth a line in the log.
        log.log(logging.INFO if result else logging.DEBUG, "job %s finished in %.2fs: %s",
                job.id, time.monotonic() - started, result)
        return result
    with app.app_context(), session_scope(app) as session:
        result = job.func(session)
    log.info("job %s finished in %.2fs: %s", job.id, time.monotonic() - started, result)
    return result


class LeasedScheduler:
    """APScheduler plus the database lease. `blocking=True` for the dedicated process."""

    def __init__(self, app: Flask, *, blocking: bool, jobs: tuple[Job, ...] = JOBS) -> None:
        self.app = app
        self.jobs = jobs
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.ttl = dt.timedelta(seconds=app.config["SCHEDULER_LEASE_SECONDS"])
        self.tick = app.config["SCHEDULER_TICK_SECONDS"]
        self.has_lease: bool | None = None  # unknown until the first renewal, which logs it
        self.renewed_at = 0.0  # monotonic time of the last successful renewal
        self.scheduler: BaseScheduler = (BlockingScheduler if blocking else BackgroundScheduler)(
            timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                          "misfire_grace_time": 300})

    def renew(self) -> bool:
        """Take or renew the lease; log only when ownership changes."""
        engine = get_database(self.app).engine
        try:
            holds = acquire_lease(engine, self.holder, self.ttl)
        except Exception:
            log.exception("scheduler %s could not reach the database for its lease", self.holder)
            holds = False
        if holds != self.has_lease:
            log.info("scheduler %s %s", self.holder,
                     "holds the lease and runs jobs" if holds
                     else "is waiting: another scheduler holds the lease")
        self.has_lease = holds
        if holds:
            self.renewed_at = time.monotonic()
        return holds

    def holds(self) -> bool:
        """Whether this scheduler may run a job now. A lease renewed within the last tick
        is trusted without writing again (it runs for SCHEDULER_LEASE_SECONDS, longer than
        a tick, and a failed renewal at the tick drops it at once): the outbox runs every
        second, and a write per run would be a write per second for nothing."""
        if self.has_lease and time.monotonic() - self.renewed_at < self.tick:
            return True
        return self.renew()

    def _guarded(self, job: Job) -> Callable[[], None]:
        def run() -> None:
            if not self.holds():
                return
            try:
                run_job(self.app, job)
            except Exception:
                log.exception("job %s failed; it runs again at its next time", job.id)

        return run

    def start(self) -> None:
        self.scheduler.add_job(self.renew, "interval", seconds=self.tick, id="lease",
                               replace_existing=True, next_run_time=_now())
        for job in self.jobs:
            # A trigger argument given as a name is read from the configuration.
            args = {key: self.app.config[value] if isinstance(value, str) else value
                    for key, value in job.trigger_args.items()}
            self.scheduler.add_job(self._guarded(job), job.trigger, id=job.id,
                                   replace_existing=True, **args)
        log.info("scheduler %s starting with jobs: %s", self.holder,
                 ", ".join(job.id for job in self.jobs))
        self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        # Lanes still sending finish the post in hand (a post cut off between the
        # network's answer and our record would have to be settled later), then stop.
        config = self.app.config
        lanes_of(self.app).stop(float(config["PROVIDER_TIMEOUT"]) * 2 + 5)
        if self.has_lease:
            release_lease(get_database(self.app).engine, self.holder)
            self.has_lease = False


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
