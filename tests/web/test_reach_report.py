"""The reach report on a small fixed dataset, every figure computed by hand (below), the
works-council protections, and the exports.

October 2026 (times in UTC; the programme's zone is Europe/Berlin):
  Sales (6 enrolled): s1 (tier 1) .. s6 (tier 3); Lab (5 enrolled): l1 .. l5 (tier 3).
  s1..s5 share on LinkedIn on 10 Oct, 100 followers each      5 shares, reach 500
  s1 posts on X by API on 12 Oct: 50 followers, 3 likes, 1 repost, 1 reply,
      1,000 impressions, 20 counted clicks on 13 Oct (+1 repeat, not counted)
  s2's LinkedIn share gets 4 counted clicks on 11 Oct
  l1, l2 share on Mastodon on 20 Oct, 200 followers each      2 shares, reach 400
  => active 7 of 11 enrolled (63.6 %), 8 shares (1 by API, 7 by link), reach 950,
     clicks 24, interactions 5 on 50 followers (10 %), CTR 20 / 1,000 = 2 %,
     EMV with X 10 / 0.50 and LinkedIn 20 / 1: impressions 1000/1000*10 = 10,
     clicks 20*0.5 + 4*1 = 14.
September 2026: s1 shares once on LinkedIn (100 followers) on 15 Sep, 2 clicks on 16 Sep.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
import sqlalchemy as sa

from advocacy.admin.services import get_settings, save_settings
from advocacy.core.models import AuditEvent, JobState
from advocacy.reports import cells as report_cells
from advocacy.reports import reach
from advocacy.reports.activity import SLICES
from advocacy.reports.periods import make_period
from advocacy.reports.rollup import roll_up
from advocacy.reports.services import parse_rates
from advocacy.sharing.models import Click, OutboxPost
from advocacy.sharing.tracking import BOOKMARK
from tests import factories

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 21, 12, tzinfo=UTC)
TODAY = NOW.date()
OCTOBER = make_period("month", dt.date(2026, 10, 1))
ZONE = "Europe/Berlin"


def _at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=UTC)


def _share(db: Any, user: Any, when: dt.datetime, network: str, followers: int,
           **fields: Any) -> Any:
    share = factories.make_share(db, item=factories.make_item(db), user=user, network=network,
                                 created_at=when)
    share.posted_at, share.followers = when, followers
    for name, value in fields.items():
        setattr(share, name, value)
    db.flush()
    return share


def _clicks(db: Any, share: Any, when: dt.datetime, count: int, counted: bool = True) -> None:
    for n in range(count):
        db.add(Click(share_id=share.id, network=share.network, visitor_hash=f"v{n:031d}",
                     visitor_hash_prev=f"p{n:031d}", clicked_at=when, counted=counted))
    db.flush()


def _judged(db: Any) -> None:
    state = db.get(JobState, BOOKMARK) or JobState(key=BOOKMARK)
    state.value = db.scalar(sa.select(sa.func.max(Click.id))) or 0
    db.add(state)
    db.flush()


@pytest.fixture(params=["live", "cells"])
def data(db: Any, request: pytest.FixtureRequest) -> dict[str, Any]:
    """Every figure twice: computed from the rollups, and read from the report cells."""
    return dataset(db, cells=request.param == "cells")


def dataset(db: Any, cells: bool = False) -> dict[str, Any]:
    """The dataset of the module docstring, rolled up (and its cells computed) and
    committed."""
    sales = factories.make_group(db, name="Sales")
    lab = factories.make_group(db, name="Lab")
    s = [factories.make_user(db, tier_id=1 if n == 0 else 3, groups=[sales]) for n in range(6)]
    labs = [factories.make_user(db, groups=[lab]) for _ in range(5)]
    linkedin = [_share(db, person, _at(10, 10), "linkedin", 100) for person in s[:5]]
    x = _share(db, s[0], _at(10, 12), "x", 50, method="api", click_count=20)
    db.add(OutboxPost(share_id=x.id, state="posted", idempotency_key="k-x", run_at=_at(10, 12),
                      posted_at=_at(10, 12), likes=3, reposts=1, replies=1, impressions=1000,
                      metrics_at=_at(10, 14)))
    _clicks(db, x, _at(10, 13), 20)
    _clicks(db, x, _at(10, 13, 11), 1, counted=False)
    linkedin[1].click_count = 4
    _clicks(db, linkedin[1], _at(10, 11), 4)
    for person in labs[:2]:
        _share(db, person, _at(10, 20), "mastodon", 200)
    september = _share(db, s[0], _at(9, 15), "linkedin", 100, click_count=2)
    _clicks(db, september, _at(9, 16), 2)
    _judged(db)
    roll_up(db, ZONE, NOW)
    if cells:
        assert report_cells.refresh(db, TODAY) > 0
    db.commit()
    return {"sales": sales, "lab": lab, "s": s, "labs": labs}


def _build(db: Any, k: int | None, filters: reach.Filters | None = None, by: str = "group",
           individuals: str = "none") -> reach.Report:
    rates = parse_rates("x=10/0.5;linkedin=20/1")
    return reach.build(db, reach.Request(OCTOBER, filters or reach.Filters(), by), k,
                       individuals, rates)


def test_totals_match_the_hand_computed_figures(db, data):
    report = _build(db, k=None)
    total = report.total.current
    assert (total.population, total.people, total.shares, total.api_shares, total.link_shares,
            total.reach, total.clicks) == (11, 7, 8, 1, 7, 950, 24)
    assert round(total.participation, 1) == 63.6
    assert total.engagement_rate == 10.0
    assert total.ctr == 2.0
    assert report.emv[0] == reach.Value(impressions=pytest.approx(10.0),
                                        clicks=pytest.approx(14.0))
    before = report.total.previous
    assert (before.people, before.shares, before.reach, before.clicks) == (1, 1, 100, 2)
    assert report.emv[1] == reach.Value(0, pytest.approx(2.0))  # two LinkedIn clicks at 1


def test_group_slice_and_previous_period(db, data):
    rows = {row.key: row for row in _build(db, k=None).rows}
    sales, lab = rows[data["sales"].id], rows[data["lab"].id]
    assert (sales.current.population, sales.current.people, sales.current.shares,
            sales.current.clicks, sales.current.reach) == (6, 5, 6, 24, 550)
    assert (lab.current.population, lab.current.people, lab.current.shares,
            lab.current.reach) == (5, 2, 2, 400)
    assert (sales.previous.people, sales.previous.clicks) == (1, 2)


def test_small_cells_are_hidden_in_works_council_mode(db, data):
    report = _build(db, k=5)
    rows = {row.key: row for row in report.rows}
    assert rows[data["lab"].id].current.suppressed  # two people behind the figures
    # Sales (five active) alone would be large enough, but the whole programme (seven)
    # minus Sales would give Lab's two people back: groups do not divide the programme.
    assert rows[data["sales"].id].current.suppressed
    assert not report.total.current.suppressed
    assert report.total.previous.suppressed  # September: one person
    assert report.emv[1] == reach.Value(None, None)


def test_a_lone_small_tier_takes_the_next_one_with_it(db, data):
    """Tier 1 has one person. Hiding only it would let the total minus tier 3 give s1's
    figures back, so tier 3 is hidden as well."""
    rows = {row.key: row.current for row in _build(db, k=5, by="tier").rows}
    assert rows[1].suppressed and rows[3].suppressed
    assert not _build(db, k=5, by="tier").total.current.suppressed


def test_trend_points_are_protected_together(db, data):
    trend = {point.first: point.cell for point in _build(db, k=5).trend}
    # 11, 12, 13 and 20 Oct each have fewer than five people behind them; together they
    # cover only four different people, so 10 Oct (five people) is hidden too.
    assert all(trend[dt.date(2026, 10, day)].suppressed for day in (10, 11, 12, 13, 20))
    unprotected = {point.first: point.cell for point in _build(db, k=None).trend}
    assert unprotected[dt.date(2026, 10, 10)].shares == 5
    assert unprotected[dt.date(2026, 10, 13)].clicks == 20


def test_selection_of_fewer_than_k_people_is_refused(db, data):
    report = _build(db, k=5, filters=reach.Filters(tier=1))
    assert report.refused == "selection" and report.total is None


def test_differencing_through_two_overlapping_filters_is_refused(db, data):
    """Each report alone may be large enough; what is refused is a pair whose difference
    covers fewer than five people."""
    lab = _build(db, k=5, filters=reach.Filters(group=data["lab"].id))
    assert lab.refused is None and lab.total.current.suppressed  # two active: hidden
    # The whole programme (7 active) minus Sales (5 active) would be Lab's two people.
    assert _build(db, k=5, filters=reach.Filters(group=data["sales"].id)).refused \
        == "difference"
    # Sales on LinkedIn (the same five) against Sales: the difference is s1's X post.
    both = reach.Filters(group=data["sales"].id, network="linkedin")
    assert _build(db, k=5, filters=both).refused == "difference"
    # The whole programme minus LinkedIn would be three people (s1 on X, l1 and l2).
    assert _build(db, k=5, filters=reach.Filters(network="linkedin")).refused == "difference"
    # Tier 3 has ten people, but the rest of the programme is s1 alone.
    assert _build(db, k=5, filters=reach.Filters(tier=3)).refused == "difference"
    assert _build(db, k=None, filters=both).refused is None


def test_top_items_need_k_sharers(db, data):
    assert _build(db, k=5).items == []  # every item was shared by one person
    items = _build(db, k=None).items
    assert [(item.clicks, item.shares) for item in items[:2]] == [(20, 1), (4, 1)]


def test_individual_figures_follow_the_opt_in(db, data):
    data["s"][1].leaderboard_opt_in = True
    db.commit()
    opted = _build(db, k=5, individuals="opted_in").advocates
    assert [a.name for a in opted] == [data["s"][1].name]
    assert len(_build(db, k=None, individuals="all").advocates) == 7
    assert _build(db, k=5, individuals="none").advocates is None


def test_rollup_is_incremental_and_idempotent(db, data):
    before = _build(db, k=None).total.current
    roll_up(db, ZONE, NOW + dt.timedelta(minutes=10))
    assert _build(db, k=None).total.current == before
    share = db.scalar(sa.select(OutboxPost)).share
    _clicks(db, share, _at(10, 14), 3)
    _judged(db)
    roll_up(db, ZONE, NOW + dt.timedelta(minutes=20))
    roll_up(db, ZONE, NOW + dt.timedelta(minutes=30))
    assert _build(db, k=None).total.current.clicks == before.clicks + 3


def test_cells_give_the_live_figures_and_spare_the_rollups(db, data, count_queries):
    report_cells.refresh(db, TODAY)
    quarter = make_period("quarter", dt.date(2026, 10, 1))
    for period in (quarter, OCTOBER, make_period("week", dt.date(2026, 10, 10))):
        for by in (None, *SLICES):
            assert report_cells.read(db, period, by) == reach.live_activity(
                db, period, reach.Filters(), by), (period, by)
    with count_queries() as counter:
        report = reach.build(db, reach.Request(quarter, reach.Filters(), "group"), 5, "none",
                             {})
    assert report.total.current.shares == 8
    assert not [sql for sql in counter.statements if "activity_rollup" in sql]
    # A filtered report, or a custom period, is computed from the rollups.
    assert report_cells.read(db, make_period("custom", dt.date(2026, 10, 1),
                                             dt.date(2026, 10, 31)), None) is None


def test_cells_follow_moves_between_groups(db, data):
    report_cells.refresh(db, TODAY)
    mover = data["labs"][0]  # shared on 20 Oct
    mover.groups = [data["sales"]]
    db.flush()
    assert report_cells.read(db, OCTOBER, "group") is None  # computed live meanwhile
    assert report_cells.read(db, OCTOBER, None) is not None  # totals do not depend on it
    sales = {row.key: row for row in _build(db, k=None).rows}[data["sales"].id]
    assert (sales.current.population, sales.current.people) == (7, 6)
    assert report_cells.refresh(db, TODAY) > 0
    assert report_cells.read(db, OCTOBER, "group") == reach.live_activity(
        db, OCTOBER, reach.Filters(), "group")


def test_new_rollups_replace_the_cells_of_their_periods(db, data):
    report_cells.refresh(db, TODAY)
    share = db.scalar(sa.select(OutboxPost)).share
    _clicks(db, share, _at(10, 14), 3)
    _judged(db)
    roll_up(db, ZONE, NOW + dt.timedelta(minutes=10))
    assert report_cells.read(db, OCTOBER, None) is None
    assert report_cells.read(db, make_period("month", dt.date(2026, 9, 1)), None) is not None
    assert report_cells.refresh(db, TODAY) > 0
    clicks = report_cells.FIGURES.index("clicks")
    assert report_cells.read(db, OCTOBER, None)[None][clicks] == 27  # 24 + 3


# Pages and exports


def _csv(response: Any, semicolon: bool = False) -> list[list[str]]:
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";" if semicolon else ","))


QUERY = "period=month&day=2026-10-15"


def test_page_shows_totals_and_records_the_view(client, db, login_as, data):
    user = login_as("comms")
    page = client.get(f"/reports/reach?{QUERY}&by=group").get_data(as_text=True)
    assert "Sales" in page and "fewer than 5" in page and "<svg" in page
    assert "63.6" in page
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "report.viewed"))
    assert event.actor_id == user.id and "2026-10-01..2026-10-31 by group" in event.detail


def test_csv_exports_with_bom_and_semicolons(client, db, login_as, data):
    login_as("comms")
    rows = _csv(client.get(f"/reports/reach.csv?table=totals&{QUERY}"))
    assert rows[0][:4] == ["Period", "From", "To", "Active advocates"]
    assert rows[1][3:5] == ["7", "11"]
    semi = _csv(client.get(f"/reports/reach.csv?table=totals&sep=semicolon&{QUERY}"), True)
    assert semi[1][5] == "63,64"
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "report.exported")) == 2


def test_hr_never_receives_individual_figures(client, db, login_as, data):
    for person in data["s"]:
        person.leaderboard_opt_in = True
    db.commit()
    login_as("hr")
    page = client.get(f"/reports/reach?{QUERY}").get_data(as_text=True)
    assert "Top advocates" not in page
    assert not any(person.name in page for person in data["s"] + data["labs"])
    assert client.get(f"/reports/reach.csv?table=advocates&{QUERY}").status_code == 403
    for table in ("totals", "rows", "trend", "items", "topics"):
        body = client.get(f"/reports/reach.csv?table={table}&{QUERY}&by=group")
        text = body.get_data(as_text=True)
        assert not any(person.name in text for person in data["s"] + data["labs"])


def test_comms_sees_opted_in_people_only(client, db, login_as, data):
    data["s"][2].leaderboard_opt_in = True
    db.commit()
    login_as("comms")
    page = client.get(f"/reports/reach?{QUERY}").get_data(as_text=True)
    assert data["s"][2].name in page and data["s"][3].name not in page


def test_refused_filters_explain_and_export_nothing(client, data, login_as):
    login_as("hr")
    page = client.get(f"/reports/reach?{QUERY}&network=linkedin").get_data(as_text=True)
    assert "would reveal the figures of fewer than 5 people" in page
    response = client.get(f"/reports/reach.csv?table=rows&{QUERY}&network=linkedin")
    assert response.status_code == 400


def test_works_council_mode_off_shows_small_cells(client, db, login_as, data):
    save_settings(db, {"works_council_mode": False})
    db.commit()
    login_as("hr")
    rows = _csv(client.get(f"/reports/reach.csv?table=rows&{QUERY}&by=group"))
    lab = next(row for row in rows if row[0] == "Lab" and row[1] == "This period")
    assert lab[2:4] == ["2", "5"]


def test_report_page_query_count_does_not_grow_with_rows(client, db, login_as, data,
                                                          count_queries):
    login_as("comms")
    with count_queries() as few:
        client.get(f"/reports/reach?{QUERY}&by=group")
    for person in data["labs"][2:]:
        _share(db, person, _at(10, 21), "mastodon", 10)
    _judged(db)
    roll_up(db, ZONE, NOW + dt.timedelta(hours=1))
    db.commit()
    with count_queries() as more:
        client.get(f"/reports/reach?{QUERY}&by=group")
    assert more.count == few.count


def test_admin_sets_rates_and_bad_input_is_refused(client, db, login_as):
    login_as("admin")
    form = {"works_council_mode": "y", "min_group_size": "7", "click_retention_months": "13",
            "cpm_linkedin": "12.50", "cpc_linkedin": "1.20", "cpc_x": "0.80"}
    assert client.post_form("/admin/settings/reports", form).status_code == 302
    page = client.get("/admin/settings/reports").get_data(as_text=True)
    assert 'value="12.50"' in page and 'value="7"' in page
    db.expire_all()
    stored = get_settings(db)
    assert parse_rates(stored.emv_rates) == {"linkedin": reach.Rates(12.5, 1.2),
                                             "x": reach.Rates(0, 0.8)}
    bad = client.post_form("/admin/settings/reports", {**form, "min_group_size": "1",
                                                       "cpm_x": "-3"})
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "Number must be between 3 and 50." in text
    assert "Number must be between 0 and 100000." in text
    db.expire_all()
    assert get_settings(db).min_group_size == 7  # nothing changed


def test_quarterly_summary_prints_the_quarter_protected(client, db, login_as, data):
    """October's quarter: totals as computed above, tiers and networks, no names for HR."""
    login_as("hr")
    page = client.get("/reports/summary?day=2026-10-15").get_data(as_text=True)
    assert "Employee advocacy: quarterly summary" in page and "data-print" in page
    assert "Oct 1, 2026 – Dec 31, 2026" in page and "<svg" in page
    assert "By tier" in page and "By network" in page and "LinkedIn" in page
    assert "fewer than 5" in page  # tier 1 is one person, and tier 3 goes with it
    assert "63.6 %" in page  # participation of the whole quarter: 7 of 11
    for person in data["s"] + data["labs"]:
        assert person.name not in page
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "report.viewed"))
    assert event.detail.startswith("summary quarter 2026-10-01..2026-12-31")
    # A day that is no date shows the current quarter instead of failing.
    assert client.get("/reports/summary?day=someday").status_code == 200
