"""Admins manage people, groups and tiers."""

from __future__ import annotations

import sqlalchemy as sa

from advocacy.people.models import Group, Tier, User
from tests import factories


def _person(**overrides):
    data = {"name": "Paula Person", "email": "paula@example.org", "language": "de",
            "tier_id": "2", "roles": ["employee"], "is_active": "y"}
    data.update(overrides)
    return data


def test_admin_adds_a_person_with_groups_and_roles(client, login_as, db):
    login_as("admin")
    sales = factories.make_group(db, name="Sales")
    berlin = factories.make_group(db, kind="location", name="Berlin")
    db.commit()
    response = client.post_form("/admin/people/new", _person(
        email="  Paula@Example.ORG ", roles=["employee", "comms"], group_ids=[sales.id, berlin.id]))
    assert response.status_code == 302
    user = db.scalar(sa.select(User).where(User.email == "paula@example.org"))
    assert user is not None
    assert (user.name, user.language, user.tier_id) == ("Paula Person", "de", 2)
    assert user.roles == {"employee", "comms"}
    assert {g.name for g in user.groups} == {"Sales", "Berlin"}
    assert user.password_hash is None  # set by the person through the invitation


def test_form_errors_are_shown_in_words(client, login_as):
    login_as("admin")
    response = client.post_form("/admin/people/new", _person(email="not-an-address", name="",
                                                             roles=[]))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Invalid email address." in page
    assert "This field is required." in page
    assert "Choose at least one role." in page


def test_duplicate_email_is_refused(client, login_as, make_user):
    login_as("admin")
    other = make_user()
    response = client.post_form("/admin/people/new", _person(email=other.email.upper()))
    assert response.status_code == 400
    assert b"exists already" in response.data


def test_unknown_role_or_tier_is_refused(client, login_as):
    login_as("admin")
    assert client.post_form("/admin/people/new", _person(roles=["boss"])).status_code == 400
    assert client.post_form("/admin/people/new", _person(tier_id="7")).status_code == 400


def test_admin_edits_and_deactivates_a_person(client, login_as, make_user, db):
    login_as("admin")
    person = make_user(roles={"employee"})
    page = client.get(f"/admin/people/{person.id}")
    assert page.status_code == 200 and person.email.encode() in page.data
    response = client.post_form(f"/admin/people/{person.id}", _person(
        name="Renamed", email=person.email, tier_id="1", roles=["employee", "hr"], is_active=""))
    assert response.status_code == 302
    db.refresh(person)
    assert (person.name, person.tier_id, person.is_active) == ("Renamed", 1, False)
    assert person.roles == {"employee", "hr"}


def test_role_change_logs_the_person_out(app, client, login_as, make_user):
    login_as("admin")
    person = make_user(roles={"employee"})
    theirs = app.test_client()
    theirs.login(person.email)
    assert theirs.get("/").status_code == 200
    client.post_form(f"/admin/people/{person.id}", _person(
        email=person.email, roles=["employee", "comms"]))
    assert theirs.get("/").status_code == 302


def test_admin_cannot_lock_themselves_out(client, login_as, db):
    me = login_as("admin", "employee")
    for change in ({"roles": ["employee"]}, {"is_active": ""}):
        data = {"email": me.email, "roles": ["admin", "employee"], "is_active": "y", **change}
        response = client.post_form(f"/admin/people/{me.id}", _person(**data))
        assert response.status_code == 400
        assert b"cannot remove your own admin role" in response.data
    db.refresh(me)
    assert me.is_active and "admin" in me.roles


def test_unknown_person_is_404(client, login_as):
    login_as("admin")
    assert client.get("/admin/people/999999").status_code == 404


class TestList:
    def test_filters(self, client, login_as, make_user, db):
        login_as("admin")
        team = factories.make_group(db, name="Filter team")
        db.commit()
        make_user(name="Zora Zentral", tier_id=1, groups=[team])
        make_user(name="Otto Other", tier_id=3, is_active=False)
        make_user(name="Hugo Hr", roles={"employee", "hr"})

        def names(**query):
            page = client.get("/admin/people", query_string=query).get_data(as_text=True)
            return {n for n in ("Zora Zentral", "Otto Other", "Hugo Hr") if n in page}

        assert names() == {"Zora Zentral", "Otto Other", "Hugo Hr"}
        assert names(q="zentral") == {"Zora Zentral"}
        assert names(tier=1) == {"Zora Zentral"}
        assert names(group=team.id) == {"Zora Zentral"}
        assert names(role="hr") == {"Hugo Hr"}
        assert names(active="no") == {"Otto Other"}

    def test_query_count_does_not_grow_with_people(self, app, client, login_as, make_user,
                                                   count_queries):
        login_as("admin")

        def queries() -> int:
            with count_queries() as counter:
                assert client.get("/admin/people").status_code == 200
            return counter.count

        for _ in range(3):
            make_user()
        few = queries()
        for _ in range(25):
            make_user()
        assert queries() == few

    def test_pagination(self, client, login_as, make_user):
        login_as("admin")
        for number in range(55):
            make_user(name=f"Bulk {number:02d}")
        first = client.get("/admin/people").get_data(as_text=True)
        second = client.get("/admin/people?page=2").get_data(as_text=True)
        assert "Page 1 of 2" in first and "Page 2 of 2" in second


class TestGroups:
    def test_create_rename_delete(self, client, login_as, db, make_user):
        login_as("admin")
        assert client.post_form("/admin/groups", {"kind": "location", "name": " Köln "}
                                ).status_code == 302
        group = db.scalar(sa.select(Group).where(Group.name == "Köln"))
        assert group.kind == "location"
        member = make_user(groups=[group])

        assert client.post_form(f"/admin/groups/{group.id}", {"kind": "location",
                                                              "name": "Cologne"}).status_code == 302
        db.refresh(group)
        assert group.name == "Cologne"

        group_id, member_id = group.id, member.id
        response = client.post_form(f"/admin/groups/{group_id}/delete", {"choice": "end"})
        assert response.status_code == 302
        db.expire_all()
        assert db.get(Group, group_id) is None
        assert db.get(User, member_id) is not None  # people stay

    def test_duplicate_name_per_kind_is_refused(self, client, login_as, db):
        login_as("admin")
        factories.make_group(db, kind="department", name="Sales")
        db.commit()
        response = client.post_form("/admin/groups", {"kind": "department", "name": "Sales"})
        assert response.status_code == 400
        assert b"exists already" in response.data
        # The same name as a location is a different group.
        assert client.post_form("/admin/groups", {"kind": "location", "name": "Sales"}
                                ).status_code == 302

    def test_page_lists_member_counts(self, client, login_as, db, make_user):
        login_as("admin")
        group = factories.make_group(db, name="Counted")
        db.commit()
        make_user(groups=[group])
        make_user(groups=[group])
        page = client.get("/admin/groups").get_data(as_text=True)
        assert "Counted" in page and "2 people" in page


class TestTiers:
    def test_rename_and_reset_a_tier(self, client, login_as, db):
        login_as("admin")
        response = client.post_form("/admin/tiers/1", {"name": "Leadership voices",
                                                       "description": "Our board."})
        assert response.status_code == 302
        page = client.get("/admin/tiers").get_data(as_text=True)
        assert "Leadership voices" in page and "Our board." in page

        client.post_form("/admin/tiers/1", {"name": "", "description": ""})
        page = client.get("/admin/tiers").get_data(as_text=True)
        assert "White glove" in page
        tier = db.get(Tier, 1)
        db.refresh(tier)
        assert tier.custom_name is None

    def test_builtin_names_follow_the_language(self, client, login_as):
        login_as("admin", language="de")
        page = client.get("/admin/tiers").get_data(as_text=True)
        assert "Stufen" in page

    def test_unknown_tier_is_404(self, client, login_as):
        login_as("admin")
        assert client.get("/admin/tiers/4").status_code == 404
