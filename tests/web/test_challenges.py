"""Challenges: standings from the daily rollups (who takes part, periods, campaigns, shared
places, names only for people who opted in), teams compared by the average per active
member, results fixed and bonus points given once the night after the last day, and the
pages for everyone and for communications. The app's time zone is Europe/Berlin (ZONE)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from advocacy.admin.services import get_settings
from advocacy.challenges import services
from advocacy.challenges.models import Challenge, ChallengeResult
from advocacy.db import utcnow
from advocacy.engagement.badges import award_badges
from advocacy.engagement.models import PointEntry, PointTotal, UserBadge
from advocacy.engagement.services import local_date
from advocacy.notifications.models import Notification
from advocacy.reports.models import ActivityRollup
from advocacy.reports.rollup import roll_up
from tests import factories

ZONE = "Europe/Berlin"
START, END = dt.date(2026, 11, 2), dt.date(2026, 11, 8)


def counted(db, person, day, shares=0, clicks=0, campaign_id=None, network="linkedin"):
    """A day's totals of one person, as the rollup job writes them."""
    db.add(ActivityRollup(grain="day", start=day, person_id=person.id, network=network,
                          campaign_id=campaign_id, shares=shares, clicks=clicks))
    db.flush()


def challenge(db, **fields) -> Challenge:
    values = {"title": "Energy week", "starts_on": START, "ends_on": END, "kind": "individual",
              "metric": "shares", "minimum": 1, "winners": 2, "bonus_points": 40, **fields}
    groups = values.pop("groups", [])
    row = Challenge(**values)
    row.groups = groups
    db.add(row)
    db.flush()
    return row


@pytest.fixture
def people(db, make_user):
    named = make_user(name="Nina Named")
    named.leaderboard_opt_in = True
    found = {"named": named, "quiet": make_user(name="Quentin Quiet"),
             "third": make_user(name="Theo Third"), "idle": make_user(name="Ida Idle"),
             "comms_only": make_user(name="Carl Comms", roles={"comms"}),
             "gone": make_user(name="Gina Gone", is_active=False)}
    db.flush()
    return found


def test_individual_standings_count_the_period_and_share_places(db, people):
    named, quiet, third = people["named"], people["quiet"], people["third"]
    counted(db, named, START, shares=2)
    counted(db, named, END, shares=3, network="x")
    counted(db, quiet, dt.date(2026, 11, 4), shares=3)
    counted(db, third, dt.date(2026, 11, 5), shares=3)
    counted(db, third, START - dt.timedelta(days=1), shares=10)  # before the start
    counted(db, third, END + dt.timedelta(days=1), shares=10)  # after the end
    counted(db, people["comms_only"], START, shares=9)  # not an employee: not taking part
    counted(db, people["gone"], START, shares=9)  # deactivated: not taking part
    row = challenge(db)
    standings = services.individual_standings(db, row, END, quiet.id, "anonymous")
    assert [(s.rank, s.score, s.user_id) for s in standings] == [
        (1, 5, named.id), (2, 3, quiet.id), (2, 3, third.id)]
    # Names only for who opted in, and the viewer's own.
    assert [s.name for s in standings] == ["Nina Named", "Quentin Quiet", None]
    assert [s.is_viewer for s in standings] == [False, True, False]
    # Halfway through, only the days so far count.
    midweek = services.individual_standings(db, row, dt.date(2026, 11, 4), None, "anonymous")
    assert [(s.user_id, s.score) for s in midweek] == [(quiet.id, 3), (named.id, 2)]
    # "hidden": people who did not opt in are left out, except the viewer.
    hidden = services.individual_standings(db, row, END, third.id, "hidden")
    assert [s.user_id for s in hidden] == [named.id, third.id]


def test_clicks_of_one_campaign_and_the_minimum(db, people):
    campaign = factories.make_campaign(db)
    named, quiet = people["named"], people["quiet"]
    counted(db, named, START, clicks=7, campaign_id=campaign.id)
    counted(db, named, START, clicks=50)  # other items: do not count
    counted(db, quiet, START, clicks=2, campaign_id=campaign.id)
    row = challenge(db, metric="clicks", campaign_id=campaign.id, minimum=5)
    standings = services.individual_standings(db, row, END, None, "anonymous")
    assert [(s.user_id, s.score, s.places) for s in standings] == [
        (named.id, 7, True), (quiet.id, 2, False)]


def test_teams_compare_the_average_per_active_member(db, make_user):
    small, big = factories.make_group(db, name="Lab"), factories.make_group(db, name="Sales")
    lab = [make_user(groups=[small]) for _ in range(2)]
    sales = [make_user(groups=[big]) for _ in range(5)]
    make_user(groups=[small], is_active=False)  # not an active member: not counted
    counted(db, lab[0], START, shares=4)
    for person in sales:
        counted(db, person, START, shares=1)
    row = challenge(db, kind="team", groups=[small, big])
    standings = services.team_standings(db, row, END, sales[0].id)
    # Sales shared more in all (5 against 4), but Lab shared more per member.
    assert [(s.group_id, s.score, s.members, s.is_viewer) for s in standings] == [
        (small.id, 2.0, 2, False), (big.id, 1.0, 5, True)]


def test_results_and_bonus_points_the_night_after_the_last_day(db, people):
    named, quiet, third = people["named"], people["quiet"], people["third"]
    counted(db, named, START, shares=5)
    counted(db, quiet, START, shares=3)
    counted(db, third, START, shares=3)  # shares the second place: wins too
    counted(db, people["idle"], START, shares=0)
    row = challenge(db, winners=2, bonus_points=40)
    settings = get_settings(db)
    evening = dt.datetime(2026, 11, 8, 22, 0, tzinfo=dt.UTC)  # 23:00 in Berlin, last day
    assert services.settle_due(db, settings, evening, ZONE) == 0
    night = dt.datetime(2026, 11, 9, 0, 30, tzinfo=dt.UTC)  # 01:30 in Berlin
    assert services.settle_due(db, settings, night, ZONE) == 1
    results = services.results(db, row.id)
    assert [(r.rank, r.user_id, r.score, r.points) for r in results] == [
        (1, named.id, 5, 40), (2, quiet.id, 3, 40), (2, third.id, 3, 40)]
    assert row.settled_at == night
    entries = db.scalars(sa.select(PointEntry).where(PointEntry.reason == "challenge"))
    assert sorted((e.user_id, e.points) for e in entries) == sorted(
        [(named.id, 40), (quiet.id, 40), (third.id, 40)])
    assert db.scalar(sa.select(PointTotal.points).where(
        PointTotal.user_id == named.id, PointTotal.period == "all")) == 40
    assert db.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.kind == "challenge_won")) == 3
    # Settled once: a second run, or later changes to the numbers, change nothing.
    counted(db, people["idle"], END, shares=50)
    assert services.settle_due(db, settings, night + dt.timedelta(hours=1), ZONE) == 0
    assert [r.user_id for r in services.results(db, row.id)] == [named.id, quiet.id,
                                                                  third.id]
    award_badges(db, night)
    assert set(db.scalars(sa.select(UserBadge.user_id).where(
        UserBadge.badge == "challenge_winner"))) == {named.id, quiet.id, third.id}


def test_a_bonus_is_not_cut_by_the_daily_cap(db, people):
    named = people["named"]
    counted(db, named, START, shares=1)
    row = challenge(db, bonus_points=500)
    settings = get_settings(db)
    assert settings.points_daily_cap < 500
    assert services.settle(db, row, settings, utcnow(), ZONE) == 500


def test_a_winning_team_rewards_each_active_member(db, make_user):
    small, big = factories.make_group(db, name="Lab"), factories.make_group(db, name="Sales")
    lab = [make_user(groups=[small]) for _ in range(2)]
    sales = [make_user(groups=[big]) for _ in range(3)]
    counted(db, lab[0], START, shares=6)
    counted(db, sales[0], START, shares=3)
    row = challenge(db, kind="team", groups=[small, big], winners=1, minimum=2)
    services.settle(db, row, get_settings(db), utcnow(), ZONE)
    results = services.results(db, row.id)
    assert [(r.group_name, r.score, r.members, r.points) for r in results] == [
        ("Lab", 3.0, 2, 40), ("Sales", 1.0, 3, 0)]
    winners = set(db.scalars(sa.select(PointEntry.user_id).where(
        PointEntry.reason == "challenge")))
    assert winners == {p.id for p in lab}  # the member who shared nothing too: a team win


def test_standings_come_from_shares_through_the_rollup(db, people):
    now = utcnow()
    today = local_date(now, ZONE)
    for _ in range(2):
        factories.make_posted_share(db, user=people["named"], days_ago=0.01)
    factories.make_posted_share(db, user=people["quiet"], days_ago=0.01)
    roll_up(db, ZONE, now)
    row = challenge(db, starts_on=today - dt.timedelta(days=3),
                    ends_on=today + dt.timedelta(days=3))
    standings = services.individual_standings(db, row, today, None, "anonymous")
    assert [(s.user_id, s.score) for s in standings] == [(people["named"].id, 2),
                                                         (people["quiet"].id, 1)]


def form(**fields):
    return {"title": "Campaign sprint", "description": "", "kind": "individual",
            "metric": "shares", "campaign_id": "0", "starts_on": "2026-11-02",
            "ends_on": "2026-11-08", "minimum": "1", "winners": "3", "bonus_points": "50",
            **fields}


@pytest.fixture
def comms(make_user):
    return make_user(roles={"comms", "employee"}, name="Cleo Comms")


def test_communications_writes_a_challenge_and_employees_follow_it(client, db, comms,
                                                                   people):
    client.login(comms.email)
    today = local_date(utcnow(), ZONE)
    response = client.post_form("/challenges/new", form(
        starts_on=(today - dt.timedelta(days=1)).isoformat(),
        ends_on=(today + dt.timedelta(days=5)).isoformat()))
    assert response.status_code == 302
    row = db.scalar(sa.select(Challenge))
    assert (row.title, row.winners, row.bonus_points) == ("Campaign sprint", 3, 50)
    counted(db, people["named"], today, shares=4)
    counted(db, people["quiet"], today, shares=1)
    db.commit()
    client.login(people["quiet"].email)
    page = client.get("/challenges/").get_data(as_text=True)
    assert "Campaign sprint" in page and "Nina Named" in page
    assert page.count("<meter") == 2 and 'value="1.0"' in page  # the viewer's bar
    assert "You" in page
    detail = client.get(f"/challenges/{row.id}").get_data(as_text=True)
    assert "4 shares" in detail and "Edit" not in detail  # not for employees
    assert client.post_form("/challenges/new", form()).status_code == 403


@pytest.mark.parametrize(("fields", "message"), [
    ({"ends_on": "2026-11-01"}, "The last day cannot be before the first."),
    ({"kind": "team"}, "A team challenge needs at least two groups."),
    ({"title": ""}, "This field is required."),
    ({"winners": "11"}, "Number must be between 1 and 10."),
])
def test_a_challenge_with_mistakes_is_refused_with_a_reason(client, db, comms, fields,
                                                            message):
    client.login(comms.email)
    response = client.post_form("/challenges/new", form(**fields))
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count(Challenge.id))) == 0


def test_an_ended_challenge_can_be_neither_changed_nor_deleted(client, db, comms, people):
    row = challenge(db)
    counted(db, people["named"], START, shares=1)
    services.settle(db, row, get_settings(db), utcnow(), ZONE)
    db.commit()
    client.login(comms.email)
    response = client.post_form(f"/challenges/{row.id}/edit", form(title="Changed"))
    assert response.status_code == 400 and "results are fixed" in response.get_data(
        as_text=True)
    response = client.post_form(f"/challenges/{row.id}/delete", follow_redirects=True)
    assert "its results stay" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Challenge, row.id).title == "Energy week"
    assert db.scalar(sa.select(sa.func.count(ChallengeResult.id))) == 1


def test_an_upcoming_challenge_can_be_deleted(client, db, comms):
    row = challenge(db, starts_on=local_date(utcnow(), ZONE) + dt.timedelta(days=7),
                    ends_on=local_date(utcnow(), ZONE) + dt.timedelta(days=14))
    db.commit()
    client.login(comms.email)
    assert "Coming up" in client.get("/challenges/").get_data(as_text=True)
    assert client.post_form(f"/challenges/{row.id}/delete").status_code == 302
    assert db.scalar(sa.select(sa.func.count(Challenge.id))) == 0


def test_the_list_does_not_grow_with_people(client, db, people, make_user, count_queries):
    today = local_date(utcnow(), ZONE)
    challenge(db, starts_on=today - dt.timedelta(days=2), ends_on=today)
    counted(db, people["named"], today, shares=1)
    db.commit()
    client.login(people["quiet"].email)

    def queries() -> int:
        with count_queries() as counter:
            assert client.get("/challenges/").status_code == 200
        return len(counter.statements)

    few = queries()
    for _ in range(15):
        counted(db, make_user(), today, shares=2)
    db.commit()
    assert queries() == few
