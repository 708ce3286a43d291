"""The CSV import: reading Excel's dialects, checking every row, all-or-nothing writes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from advocacy.people import importer
from advocacy.people.models import Group, User
from tests import factories


@pytest.fixture
def actor(db):
    user = factories.make_user(db, email="importing.admin@example.org", roles={"admin"})
    db.commit()
    return user


def parse(db, actor, text: str | bytes, max_rows: int = 1000):
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    return importer.parse(db, data, actor, max_rows)


def count_people(db) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(User))


GOOD = ("email,name,language,tier,roles,department,location,groups,active\n"
        "anna@example.org,Anna Alt,de,2,employee|comms,Sales,Berlin,Speakers|Mentors,yes\n"
        "ben@example.org,Ben Berg,en,1,employee,Finance,,,ja\n")


class TestReading:
    def test_comma_file(self, db, actor):
        plan = parse(db, actor, GOOD)
        assert plan.is_valid
        assert [row.email for row in plan.rows] == ["anna@example.org", "ben@example.org"]
        assert plan.rows[0].roles == {"employee", "comms"}
        assert plan.rows[0].groups == ["Speakers", "Mentors"]
        assert plan.rows[1].tier_id == 1 and plan.rows[1].active is True

    def test_excel_semicolon_file_with_bom_and_crlf(self, db, actor):
        text = "\ufeffE-Mail;Name;Stufe;Abteilung;Aktiv\r\ncarla@example.org;Carla Çelik;3;" \
               "Vertrieb;nein\r\n\"dora@example.org\";\"Dora; die Zweite\";2;;\r\n"
        plan = parse(db, actor, text.encode("utf-8"))
        assert plan.is_valid, [row.problems for row in plan.rows]
        assert plan.columns == ["email", "name", "tier", "department", "active"]
        assert plan.rows[0].name == "Carla Çelik" and plan.rows[0].active is False
        assert plan.rows[1].name == "Dora; die Zweite"

    def test_headers_are_matched_loosely(self, db, actor):
        plan = parse(db, actor, " EMAIL , Full Name ,Language\nx@example.org,X Y,EN\n")
        assert plan.is_valid and plan.rows[0].language == "en"

    def test_blank_lines_are_ignored_and_line_numbers_kept(self, db, actor):
        plan = parse(db, actor, "email,name\n\na@example.org,A\n,\nbad,B\n")
        assert [row.line for row in plan.rows] == [3, 5]
        assert plan.rows[1].problems

    @pytest.mark.parametrize(("data", "message"), [
        (b"Name;Abteilung\nA;B\n", "no “email” column"),
        (b"email,name\n", "no people"),
        (b"", "The file is empty"),
        (b"email,name,colour\na@example.org,A,blue\n", "Unknown columns: colour"),
        (b"email,name,e-mail\na@example.org,A,b\n", "appears twice"),
        ("email,name\nä@example.org,Ä\n".encode("cp1252"), "not saved as UTF-8"),
        (b'email,name\n"a@example.org,A\n', "could not be read as CSV"),
    ])
    def test_unreadable_files_are_explained(self, db, actor, data, message):
        with pytest.raises(importer.ImportFileError, match=message):
            parse(db, actor, data)

    def test_too_many_rows(self, db, actor):
        text = "email\n" + "".join(f"p{n}@example.org\n" for n in range(6))
        with pytest.raises(importer.ImportFileError, match="at most 5"):
            parse(db, actor, text, max_rows=5)


class TestRowChecks:
    def test_every_problem_is_reported_in_words(self, db, actor):
        text = ("email,name,language,tier,roles,active\n"
                "not-an-address,Nobody,de,1,employee,yes\n"
                ",Missing,de,1,employee,yes\n"
                "new@example.org,,de,1,employee,yes\n"
                "lang@example.org,L,fr,1,employee,yes\n"
                "tier@example.org,T,de,7,employee,yes\n"
                "role@example.org,R,de,1,boss,yes\n"
                "active@example.org,A,de,1,employee,maybe\n")
        plan = parse(db, actor, text)
        problems = {row.line: " ".join(row.problems) for row in plan.rows}
        assert "“not-an-address” is not a valid e-mail address." in problems[2]
        assert "The e-mail address is missing." in problems[3]
        assert "A name is needed for a new person." in problems[4]
        assert "Language must be de or en, not “fr”." in problems[5]
        assert "Tier must be 1, 2 or 3, not “7”." in problems[6]
        assert "Unknown role “boss”." in problems[7]
        assert "Active must be yes or no, not “maybe”." in problems[8]
        assert not plan.is_valid

    def test_duplicates_in_the_file_are_flagged_on_both_rows(self, db, actor):
        plan = parse(db, actor, "email,name\nsame@example.org,A\nSAME@example.org,B\n")
        assert all("appears more than once (lines 2 and 3)" in row.problems[0]
                   for row in plan.rows)

    def test_extra_cells_are_flagged(self, db, actor):
        plan = parse(db, actor, "email,name\na@example.org,Smith, John\n")
        assert "more cells than the header" in plan.rows[0].problems[0]

    def test_own_admin_role_cannot_be_removed(self, db, actor):
        plan = parse(db, actor, f"email,roles\n{actor.email},employee\n")
        assert "your own account" in plan.rows[0].problems[0]

    def test_tier_by_name(self, db, actor):
        plan = parse(db, actor, "email,name,tier\nt@example.org,T,High touch\n")
        assert plan.rows[0].tier_id == 2


class TestApplying:
    def test_nothing_is_written_when_any_row_is_bad(self, db, actor):
        before = count_people(db)
        plan = parse(db, actor, GOOD + "broken,Someone\n")
        assert not plan.is_valid
        with pytest.raises(ValueError, match="cannot be applied"):
            importer.apply(db, plan)
        assert count_people(db) == before

    def test_valid_file_creates_people_and_groups(self, db, actor):
        created = importer.apply(db, parse(db, actor, GOOD))
        db.commit()
        assert {u.email for u in created} == {"anna@example.org", "ben@example.org"}
        anna = db.scalar(sa.select(User).where(User.email == "anna@example.org"))
        assert anna.tier_id == 2 and anna.language == "de"
        assert anna.roles == {"employee", "comms"}
        assert sorted((g.kind, g.name) for g in anna.groups) == [
            ("custom", "Mentors"), ("custom", "Speakers"), ("department", "Sales"),
            ("location", "Berlin")]
        assert db.scalar(sa.select(sa.func.count()).select_from(Group)) == 5

    def test_reimport_updates_by_email_instead_of_duplicating(self, db, actor):
        importer.apply(db, parse(db, actor, GOOD))
        db.commit()
        before = count_people(db)
        changed = ("email,name,tier,department\n"
                   "ANNA@example.org,Anna Neu,3,Marketing\n"
                   "ben@example.org,,,\n")
        plan = parse(db, actor, changed)
        assert [row.action for row in plan.rows] == ["update", "unchanged"]
        assert "tier 2 → 3" in plan.rows[0].changes
        importer.apply(db, plan)
        db.commit()
        assert count_people(db) == before
        anna = db.scalar(sa.select(User).where(User.email == "anna@example.org"))
        db.refresh(anna)
        assert (anna.name, anna.tier_id, anna.language) == ("Anna Neu", 3, "de")
        # The new department replaces the old one; location and custom groups stay.
        assert sorted(g.name for g in anna.groups) == ["Berlin", "Marketing", "Mentors",
                                                       "Speakers"]
        assert anna.roles == {"employee", "comms"}  # no roles column: unchanged

    def test_reimport_that_deactivates_ends_sessions(self, db, actor):
        importer.apply(db, parse(db, actor, GOOD))
        db.commit()
        anna = db.scalar(sa.select(User).where(User.email == "anna@example.org"))
        version = anna.session_version
        importer.apply(db, parse(db, actor, "email,active\nanna@example.org,no\n"))
        db.commit()
        db.refresh(anna)
        assert anna.is_active is False and anna.session_version == version + 1

    def test_group_names_match_existing_groups_ignoring_case(self, db, actor):
        factories.make_group(db, name="Sales")
        db.commit()
        plan = parse(db, actor, "email,name,department\nx@example.org,X,sales\n")
        assert plan.new_groups == []
        importer.apply(db, plan)
        assert db.scalar(sa.select(sa.func.count()).select_from(Group)) == 1


def test_sample_file_imports_cleanly(db, actor):
    plan = parse(db, actor, importer.template_csv())
    assert plan.is_valid and plan.count("new") == 2
