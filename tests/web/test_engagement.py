"""Points page, leaderboard page, opt-in, and the point rules admins set."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa

from advocacy.admin.services import get_settings
from advocacy.db import utcnow
from advocacy.engagement.models import PointEntry
from advocacy.engagement.services import award
from tests import factories


def give(db, app, user, points, ref):
    settings = dataclasses.replace(get_settings(db), points_share=points, points_daily_cap=10_000)
    award(db, user.id, "share", "share", ref, settings, utcnow(), app.config["TIMEZONE"])
    db.commit()


def test_points_page_explains_every_entry(client, login_as, db, app):
    user = login_as("employee")
    give(db, app, user, 5, 1)
    page = client.get("/points").get_data(as_text=True)
    assert "Shared an item" in page and "+5" in page
    assert "At most 100 points a day." in page


def test_leaderboard_names_only_who_opted_in(client, login_as, make_user, db, app):
    me = login_as("employee", name="Me Myself")
    shy = make_user(name="Shy Person")
    proud = make_user(name="Proud Person")
    proud.leaderboard_opt_in = True
    db.commit()
    for ref, (person, points) in enumerate(((shy, 30), (proud, 20), (me, 10))):
        give(db, app, person, points, ref)
    page = client.get("/leaderboard?period=week").get_data(as_text=True)
    assert "Shy Person" not in page and "A colleague" in page
    assert "Proud Person" in page
    assert page.index("A colleague") < page.index("Proud Person") < page.index(">You<")


def test_opt_in_from_the_profile(client, login_as, make_user, db, app):
    me = login_as("employee", name="Me Myself")
    response = client.post_form("/profile", {"name": "Me Myself", "language": "en",
                                             "leaderboard_opt_in": "y"})
    assert response.status_code == 302
    db.refresh(me)
    assert me.leaderboard_opt_in is True
    give(db, app, me, 10, 1)
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    other.login(make_user().email)
    assert "Me Myself" in other.get("/leaderboard").get_data(as_text=True)


def test_admin_hides_people_who_did_not_opt_in(client, login_as, make_user, db, app):
    from advocacy.admin.services import save_settings

    login_as("employee")
    give(db, app, make_user(name="Shy Person"), 30, 1)
    save_settings(db, {"leaderboard_others": "hidden"})
    db.commit()
    page = client.get("/leaderboard").get_data(as_text=True)
    assert "A colleague" not in page and "No points in this period yet." in page


def test_leaderboard_query_count_does_not_grow(client, login_as, make_user, db, app,
                                               count_queries):
    me = login_as("employee")
    give(db, app, me, 1, 0)

    def queries() -> int:
        with count_queries() as counter:
            assert client.get("/leaderboard?period=month").status_code == 200
        return counter.count

    for number in range(21):  # the viewer is below the top 20: their place is looked up
        give(db, app, make_user(), number + 5, number + 1)
    before = queries()
    for number in range(30):
        give(db, app, make_user(), number + 5, number + 100)
    assert queries() == before


def test_admin_edits_the_point_rules(client, login_as, db):
    login_as("admin", "employee")
    response = client.post_form("/admin/points", {
        "points_share": "7", "points_first_share": "0", "points_unique_click": "2",
        "points_guidelines_ack": "3", "points_worksheet": "40", "points_suggestion": "12",
        "points_daily_cap": "50"})
    assert response.status_code == 302
    settings = get_settings(db)
    assert (settings.points_share, settings.points_first_share, settings.points_daily_cap,
            settings.points_worksheet, settings.points_suggestion) == (7, 0, 50, 40, 12)


def test_point_rules_are_validated(client, login_as):
    login_as("admin")
    response = client.post_form("/admin/points", {
        "points_share": "-1", "points_first_share": "x", "points_unique_click": "",
        "points_guidelines_ack": "3", "points_daily_cap": "0"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Number must be between 0 and 1000." in page
    assert "Not a valid integer value." in page


def test_new_rules_apply_to_the_next_share(client, login_as, db):
    from advocacy.admin.services import save_settings

    user = login_as("employee")
    save_settings(db, {"points_share": 9, "points_first_share": 0})
    item = factories.make_item(db)
    db.commit()
    client.post_form(f"/share/{item.id}", {"network": "linkedin", "text": "Look"})
    assert db.scalars(sa.select(PointEntry.points).where(PointEntry.user_id == user.id)).all() \
        == [9]


def test_the_period_select_shows_the_period_on_the_board(client, login_as):
    login_as("employee")
    page = client.get("/leaderboard").get_data(as_text=True)
    assert '<option selected value="month">' in page
    assert "<h2>This month</h2>" in page
