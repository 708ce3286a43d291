"""Points: the ledger, the running totals, and the leaderboards that read them."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from advocacy.admin.services import get_settings
from advocacy.engagement.models import PointEntry, PointTotal
from advocacy.engagement.services import award, leaderboard, period_start, points_of
from tests import factories

TZ = "Europe/Berlin"
AT = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)  # a Wednesday
DAY = AT.date()


@pytest.fixture
def settings(db):
    return dataclasses.replace(get_settings(db), points_share=5, points_daily_cap=12)


@pytest.mark.parametrize(("period", "start"), [
    ("day", dt.date(2026, 11, 18)), ("week", dt.date(2026, 11, 16)),
    ("month", dt.date(2026, 11, 1)), ("quarter", dt.date(2026, 10, 1)),
    ("all", dt.date(1970, 1, 1)),
])
def test_period_starts(period, start):
    assert period_start(period, DAY) == start


def test_quarters():
    assert period_start("quarter", dt.date(2026, 3, 31)) == dt.date(2026, 1, 1)
    assert period_start("quarter", dt.date(2026, 7, 1)) == dt.date(2026, 7, 1)
    with pytest.raises(ValueError, match="unknown period"):
        period_start("year", DAY)


def test_award_writes_the_ledger_and_every_total(db, settings):
    user = factories.make_user(db)
    assert award(db, user.id, "share", "share", 1, settings, AT, TZ) == 5
    assert award(db, user.id, "share", "share", 2, settings, AT, TZ) == 5
    totals = {(t.period, t.period_start): t.points for t in db.scalars(
        sa.select(PointTotal).where(PointTotal.user_id == user.id))}
    assert totals == {("day", DAY): 10, ("week", dt.date(2026, 11, 16)): 10,
                      ("month", dt.date(2026, 11, 1)): 10, ("quarter", dt.date(2026, 10, 1)): 10,
                      ("all", dt.date(1970, 1, 1)): 10}


def test_nothing_twice_for_the_same_reference(db, settings):
    user = factories.make_user(db)
    assert award(db, user.id, "share", "share", 1, settings, AT, TZ) == 5
    assert award(db, user.id, "share", "share", 1, settings, AT, TZ) == 0
    assert points_of(db, user.id, "all", DAY) == 5
    assert db.scalar(sa.select(sa.func.count()).select_from(PointEntry)) == 1


def test_daily_cap(db, settings):
    user = factories.make_user(db)
    given = [award(db, user.id, "share", "share", n, settings, AT, TZ) for n in range(4)]
    assert given == [5, 5, 2, 0]
    capped = db.scalars(sa.select(PointEntry.capped).order_by(PointEntry.id)).all()
    assert capped == [False, False, True]
    tomorrow = AT + dt.timedelta(days=1)
    assert award(db, user.id, "share", "share", 9, settings, tomorrow, TZ) == 5


def test_days_follow_the_company_time_zone(db, settings):
    user = factories.make_user(db)
    late_utc = dt.datetime(2026, 11, 18, 23, 30, tzinfo=dt.UTC)  # already the 19th in Berlin
    award(db, user.id, "share", "share", 1, settings, late_utc, TZ)
    assert points_of(db, user.id, "day", dt.date(2026, 11, 19)) == 5


def test_a_zero_rule_gives_nothing(db, settings):
    user = factories.make_user(db)
    off = dataclasses.replace(settings, points_share=0)
    assert award(db, user.id, "share", "share", 1, off, AT, TZ) == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(PointEntry)) == 0


class TestLeaderboard:
    @pytest.fixture
    def people(self, db, settings):
        group = factories.make_group(db, name="Team A")
        made = {}
        for name, points, minutes, tier, opted in (
            ("Ann", 20, 30, 1, True), ("Bob", 20, 10, 2, True), ("Cid", 30, 0, 2, False),
            ("Dee", 5, 0, 3, True), ("Eve", 0, 0, 3, True),
        ):
            user = factories.make_user(db, name=name, tier_id=tier,
                                       groups=[group] if name in ("Ann", "Dee") else [])
            user.leaderboard_opt_in = opted
            generous = dataclasses.replace(settings, points_share=points, points_daily_cap=999)
            if points:
                award(db, user.id, "share", "share", user.id, generous,
                      AT + dt.timedelta(minutes=minutes), TZ)
            made[name] = user
        db.commit()
        return made

    def board(self, db, viewer, **kwargs):
        others = kwargs.pop("others", "anonymous")
        return leaderboard(db, kwargs.pop("period", "week"), DAY, others, viewer.id, **kwargs)

    def test_order_and_tie_break(self, db, people):
        board = self.board(db, people["Dee"])
        assert [(r.rank, r.name, r.points) for r in board.rows] == [
            (1, None, 30), (2, "Bob", 20), (3, "Ann", 20), (4, "Dee", 5)]
        assert [r.is_viewer for r in board.rows] == [False, False, False, True]
        assert board.viewer is None

    def test_hidden_mode_leaves_out_who_did_not_opt_in(self, db, people):
        board = self.board(db, people["Ann"], others="hidden")
        assert [r.name for r in board.rows] == ["Bob", "Ann", "Dee"]
        board = self.board(db, people["Cid"], others="hidden")
        assert board.rows[0].name == "Cid"  # the viewer sees themselves

    def test_scopes(self, db, people):
        by_tier = self.board(db, people["Bob"], tier_id=2)
        assert [r.user_id for r in by_tier.rows] == [people["Cid"].id, people["Bob"].id]
        group_id = people["Ann"].groups[0].id
        by_group = self.board(db, people["Bob"], group_id=group_id)
        assert [r.name for r in by_group.rows] == ["Ann", "Dee"]

    def test_viewer_outside_the_top_sees_their_place(self, db, people):
        board = self.board(db, people["Dee"], limit=2)
        assert len(board.rows) == 2
        assert (board.viewer.rank, board.viewer.points) == (4, 5)

    def test_viewer_without_points_has_no_place(self, db, people):
        assert self.board(db, people["Eve"]).viewer is None

    def test_other_periods_are_empty(self, db, people):
        assert leaderboard(db, "week", DAY + dt.timedelta(days=7), "anonymous",
                           people["Ann"].id).rows == []
        assert len(self.board(db, people["Ann"], period="all").rows) == 4

    def test_inactive_people_are_not_ranked(self, db, people):
        people["Cid"].is_active = False
        db.commit()
        assert people["Cid"].id not in [r.user_id for r in self.board(db, people["Ann"]).rows]
