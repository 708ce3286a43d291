"""Raw clicks older than the retention period are deleted once the rollups hold them,
and the reports stay as they were (the dataset of `test_reach_report`)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from advocacy.admin.services import get_settings, save_settings
from advocacy.reports.retention import months_before, purge_clicks
from advocacy.reports.rollup import rebuild_all, roll_up
from advocacy.scheduler import find_job, run_job
from advocacy.sharing.models import Click, Share
from tests.web.test_reach_report import NOW, ZONE, _at, _build, _clicks, _judged, dataset


@pytest.fixture
def data(db):
    return dataset(db)


def _clicks_left(db):
    return db.scalar(sa.select(sa.func.count()).select_from(Click))


def test_months_before_keeps_the_day_or_the_months_last():
    assert months_before(dt.date(2026, 11, 21), 13) == dt.date(2025, 10, 21)
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 1, 15), 1) == dt.date(2025, 12, 15)


def test_default_retention_keeps_this_years_clicks(db, data):
    assert get_settings(db).click_retention_months == 13
    assert purge_clicks(db, 13, ZONE, NOW) == 0
    assert _clicks_left(db) == 27


def test_old_clicks_go_and_the_reports_stay(db, data):
    october = _build(db, k=None).total.current
    # An old click the rollups have not read yet (14 Oct) keeps its day open.
    x_post = db.scalar(sa.select(Share).where(Share.network == "x"))
    _clicks(db, x_post, _at(10, 14), 1)
    _judged(db)
    assert purge_clicks(db, 1, ZONE, NOW) == 27  # all that was rolled up, 13 Oct and before
    assert _clicks_left(db) == 1
    assert _build(db, k=None).total.current == october
    # Rebuilding everything leaves the sealed days alone instead of recounting them from
    # the rows left, and folds the late click into its open day.
    rebuild_all(db, ZONE, NOW + dt.timedelta(minutes=10))
    after = _build(db, k=None).total.current
    assert (after.clicks, after.shares, after.people) == (october.clicks + 1, 8, 7)
    # A new click on the September share counts on its own day, not on the sealed one.
    september = db.scalar(sa.select(Share).where(Share.click_count == 2))
    _clicks(db, september, NOW - dt.timedelta(hours=1), 1)
    _judged(db)
    roll_up(db, ZONE, NOW + dt.timedelta(minutes=20))
    assert _build(db, k=None).total.previous.clicks == 2
    assert purge_clicks(db, 1, ZONE, NOW + dt.timedelta(days=1)) == 1  # the 14 Oct click
    rebuild_all(db, ZONE, NOW + dt.timedelta(days=1))
    assert _build(db, k=None).total.current == after
    assert _clicks_left(db) == 1  # today's


def test_the_job_reads_the_admins_setting(app, db, data):
    save_settings(db, {"click_retention_months": 1})
    db.commit()
    assert run_job(app, find_job("purge-old-clicks")) == 27
    assert _clicks_left(db) == 0
