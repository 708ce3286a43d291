"""Works-council mode beyond the reach report's own examples: the cases found by trying it
as HR and comms would (one active advocate in a large programme, parts of a cell resting on
a few people, small groups on the leaderboard and in team challenges)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advocacy.admin.services import get_settings, save_settings
from advocacy.challenges import services as challenges
from advocacy.challenges.models import Challenge
from advocacy.db import utcnow
from advocacy.engagement.services import award, leaderboard
from advocacy.reports import ranking, reach
from advocacy.reports.exports import text
from advocacy.reports.models import ActivityRollup, ItemRollup
from advocacy.reports.periods import make_period
from tests import factories
from tests.web.test_reach_report import OCTOBER, _build, dataset

WEEK = make_period("week", dt.date(2026, 10, 12))


def _rollup(db, person, day, **sums):
    db.add(ActivityRollup(grain="day", start=day, person_id=person.id, network="linkedin",
                          campaign_id=None, **sums))
    db.flush()


def test_one_active_advocate_is_hidden_however_many_contributed_clicks(db):
    """The reported case: a week in which one person shared while the links of six others,
    shared earlier, were clicked. The week's total rested on the active advocate alone."""
    people = [factories.make_user(db) for _ in range(8)]
    _rollup(db, people[0], dt.date(2026, 10, 13), shares=1, clicks=10)
    for person in people[1:7]:
        _rollup(db, person, dt.date(2026, 10, 14), clicks=3)
    report = reach.build(db, reach.Request(WEEK, reach.Filters(), "tier"), 5, "none", {})
    total = report.total.current
    assert (total.people, total.contributors) == (1, 7)
    assert total.suppressed and not total.shows("clicks")
    unprotected = reach.build(db, reach.Request(WEEK, reach.Filters(), "tier"), None, "none", {})
    assert unprotected.total.current.shares == 1


def test_parts_of_a_cell_rest_on_their_own_people(db):
    """October of the fixed dataset: seven active advocates, but one person shared by API
    and was measured by a network, and two people's links were clicked."""
    dataset(db)
    total = _build(db, k=5).total.current
    assert total.shows("cell") and total.shares == 8
    assert not total.shows("split")  # one person shared by API
    assert not total.shows("measured")  # one person's impressions and interactions
    assert not total.shows("clicks")  # s1's and s2's links
    assert _build(db, k=2).total.current.shows("clicks")
    assert _build(db, k=5).emv[0] == reach.Value(None, None)


def test_items_show_clicks_only_when_enough_people_behind_them(db):
    dataset(db)
    item = factories.make_item(db, title="Shared by many")
    db.add(ItemRollup(grain="month", start=OCTOBER.first, item_id=item.id, shares=5,
                      clicks=9, reach=500, sharers=5, clickers=1))
    db.flush()
    ranked = {r.name: r for r in ranking.top_items(db, OCTOBER, None, 5)}
    assert ranked["Shared by many"].shares == 5
    assert ranked["Shared by many"].clicks is None
    ranked = {r.name: r for r in ranking.top_items(db, OCTOBER, None, None)}
    assert ranked["Shared by many"].clicks == 9


def _give(db, app, user, points, ref):
    settings = dataclasses.replace(get_settings(db), points_share=points,
                                   points_daily_cap=10_000)
    award(db, user.id, "share", "share", ref, settings, utcnow(), app.config["TIMEZONE"])


def test_small_group_board_is_shown_only_to_its_members(client, login_as, db, app):
    """The reported case: HR filtered the leaderboard to a group of four."""
    circle = factories.make_group(db, name="Führungskreis")
    members = [factories.make_user(db, groups=[circle]) for _ in range(4)]
    for ref, person in enumerate(members):
        _give(db, app, person, 10 + ref, ref)
    db.commit()
    login_as("employee", "hr")
    page = client.get(f"/leaderboard?period=week&group={circle.id}").get_data(as_text=True)
    assert "Fewer than 5 people are in this selection" in page
    assert "13 points" not in page
    save_settings(db, {"works_council_mode": False})
    db.commit()
    assert "13 points" in client.get(f"/leaderboard?period=week&group={circle.id}").get_data(
        as_text=True)


def test_a_member_sees_the_board_of_their_small_group(client, login_as, db, app):
    circle = factories.make_group(db, name="Führungskreis")
    me = login_as("employee", groups=[circle])
    other = factories.make_user(db, groups=[circle])
    _give(db, app, other, 13, 1)
    _give(db, app, me, 4, 2)
    db.commit()
    page = client.get(f"/leaderboard?period=week&group={circle.id}").get_data(as_text=True)
    assert "13 points" in page and "Fewer than 5" not in page


@pytest.mark.parametrize("viewer_in_team", [False, True])
def test_small_team_shows_its_figure_only_to_its_members(db, viewer_in_team):
    small = factories.make_group(db, name="Messe-Team")
    large = factories.make_group(db, name="Sales")
    few = [factories.make_user(db, groups=[small]) for _ in range(2)]
    many = [factories.make_user(db, groups=[large]) for _ in range(6)]
    day = dt.date(2026, 11, 3)
    for person in few + many:
        _rollup(db, person, day, shares=2)
    row = Challenge(title="Teams", starts_on=day, ends_on=day, kind="team", metric="shares",
                    minimum=1, winners=1, bonus_points=10)
    row.groups = [small, large]
    db.add(row)
    db.flush()
    viewer = few[0] if viewer_in_team else many[0]
    standings = {s.group_id: s for s in challenges.team_standings(db, row, day, viewer.id, 5)}
    assert standings[small.id].hidden is not viewer_in_team
    assert not standings[large.id].hidden
    assert all(not s.hidden for s in challenges.team_standings(db, row, day, viewer.id, None))


def test_chosen_days_the_wrong_way_round_are_an_error_not_the_quarter(client, login_as):
    login_as("hr")
    query = "period=custom&first=2026-10-20&last=2026-10-01"
    response = client.get(f"/reports/reach?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The last day comes before the first." in page and "compared with" not in page
    assert client.get(f"/reports/reach.csv?{query}").status_code == 400


@pytest.mark.parametrize("value", ["=1+1", " =1+1", "\n=HYPERLINK(1)", "\r\n -2", "  @SUM(A1)",
                                   "\t+3"])
def test_csv_cells_that_a_spreadsheet_reads_as_formulas_are_neutralised(value):
    assert text(value) == "'" + value
    assert text("Sales - North") == "Sales - North"


def test_pages_behind_login_are_not_stored(client, login_as):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    login_as("employee")
    assert client.get("/points").headers["Cache-Control"] == "no-store"


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(size=st.integers(0, 8), inside=st.booleans(), k=st.integers(2, 6),
       team_sizes=st.lists(st.integers(0, 7), min_size=2, max_size=3))
def test_boards_and_teams_of_fewer_than_k_reach_only_their_members(
        db, app, size, inside, k, team_sizes):
    """Whatever the sizes: an outsider sees a group's board or a team's figure only when
    at least k people are in it; a member always does."""
    nested = db.begin_nested()
    try:
        group = factories.make_group(db)
        members = [factories.make_user(db, password=None, groups=[group]) for _ in range(size)]
        viewer = members[0] if inside and members else factories.make_user(db, password=None)
        for ref, person in enumerate(members):
            _give(db, app, person, 3 + ref, 1000 + ref)
        board = leaderboard(db, "week", utcnow().date(), "anonymous", viewer.id,
                            group_id=group.id, k=k)
        member = viewer in members
        assert board.withheld == (not member and size < k)
        if not board.withheld:
            assert len(board.rows) == size
        day = dt.date(2026, 11, 3)
        teams = []
        for team_size in team_sizes:
            team = factories.make_group(db)
            for _ in range(team_size):
                _rollup(db, factories.make_user(db, password=None, groups=[team]), day, shares=1)
            teams.append(team)
        row = Challenge(title="Teams", starts_on=day, ends_on=day, kind="team",
                        metric="shares", minimum=1, winners=1, bonus_points=10)
        row.groups = teams
        db.add(row)
        db.flush()
        for standing in challenges.team_standings(db, row, day, viewer.id, k):
            assert standing.hidden == (not standing.is_viewer and standing.members < k)
    finally:
        nested.rollback()
