"""Retention of raw clicks: after the period the admins set (13 months by default) a
click survives only in the daily and monthly rollups, and the row itself is deleted.

A click is deleted only once it is in the rollups (its id is at most the rollup job's
bookmark, so the run that read it also recomputed its day). The first kept day is
recorded, and `rollup.rebuild_days` never recomputes a day before it, so no later run can
lose what was folded in; a click the rollups have not read yet keeps its day open. Shares
themselves keep their click counters.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.core.models import JobState
from advocacy.reports.rollup import CLICKS_BOOKMARK, KEPT_FROM, local_window
from advocacy.sharing.models import Click

log = logging.getLogger(__name__)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the month's last day if shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def purge_clicks(session: Session, months: int, timezone: str, now: dt.datetime) -> int:
    """Delete raw clicks older than `months` that the rollups hold; return how many."""
    zone = ZoneInfo(timezone)
    keep_from = months_before(now.astimezone(zone).date(), months)
    rolled = session.get(JobState, CLICKS_BOOKMARK)
    if rolled is None:
        return 0  # nothing has been rolled up yet: keep everything
    # A click the rollups have not read yet holds the seal back to its day, so that day
    # can still be recomputed with it.
    waiting = session.scalar(sa.select(sa.func.min(Click.clicked_at))
                             .where(Click.id > rolled.value))
    if waiting is not None:
        keep_from = min(keep_from, waiting.astimezone(zone).date())
    kept = session.get(JobState, KEPT_FROM) or JobState(key=KEPT_FROM, value=0)
    kept.value = max(kept.value, keep_from.toordinal())
    session.add(kept)
    cutoff = local_window(dt.date.fromordinal(kept.value), zone)[0]
    deleted = session.execute(sa.delete(Click).where(
        Click.clicked_at < cutoff, Click.id <= rolled.value, Click.counted.is_not(None))
    ).rowcount or 0
    session.flush()
    if deleted:
        log.info("deleted %d clicks from before %s (kept in the rollups)", deleted,
                 dt.date.fromordinal(kept.value))
    return deleted
