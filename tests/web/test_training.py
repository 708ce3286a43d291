"""Training: communications writes modules with a quiz in plain text, employees pass them
(every answer right), admins require a module before the first share or before joining
tier 2, and passing earns the "Trained" badge."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from advocacy.db import utcnow
from advocacy.engagement.badges import award_badges
from advocacy.engagement.models import UserBadge
from advocacy.errors import DomainError
from advocacy.people import importer
from advocacy.people.models import User
from advocacy.training import services
from advocacy.training.models import TrainingModule, TrainingProgress
from tests import factories

QUIZ = """Who may see a public post?
- Only my contacts
* Anyone

What goes with every share about the company?
* The disclosure line
- Nothing
- A customer's name"""


def module(db, **fields) -> TrainingModule:
    data = services.ModuleData(**{"title": "Social media licence", "published": True,
                                  "body_html": "<p>Think before you post.</p>", "quiz": QUIZ,
                                  **fields})
    return services.save_module(db, None, None, data)


def answers_for(row: TrainingModule, right: bool = True) -> dict[str, str]:
    return {f"q{q.id}": str(q.correct if right else (q.correct + 1) % len(q.option_list))
            for q in row.questions}


def test_the_quiz_text_is_read_and_written_back():
    questions = services.parse_quiz(QUIZ)
    assert [(q.text, q.options, q.correct) for q in questions] == [
        ("Who may see a public post?", ["Only my contacts", "Anyone"], 1),
        ("What goes with every share about the company?",
         ["The disclosure line", "Nothing", "A customer's name"], 0)]
    assert services.parse_quiz("") == []


@pytest.mark.parametrize(("quiz", "message"), [
    ("Question?\n- only one answer", "Question 1: give at least two answers"),
    ("Q?\n- a\n- b", "Question 1: mark exactly one answer as right"),
    ("Q?\n* a\n* b", "Question 1: mark exactly one answer as right"),
    ("Q?\n* a\n- b\n\n- no question\n* x", "Question 2: start with the question itself"),
    ("Q?\n* a\nb without a mark", "Question 1: give at least two answers"),
    ("Q?\n* a\n- ", "Question 1 has an empty answer"),
])
def test_a_malformed_quiz_says_where(quiz, message):
    with pytest.raises(DomainError, match=message):
        services.parse_quiz(quiz)


def test_an_employee_passes_with_every_answer_right(client, db, make_user):
    row = module(db)
    erin = make_user(name="Erin Employee")
    db.commit()
    client.login(erin.email)
    page = client.get(f"/training/{row.id}").get_data(as_text=True)
    assert "Think before you post." in page and 'type="radio"' in page
    wrong = client.post_form(f"/training/{row.id}", {**answers_for(row), f"q{row.questions[0].id}":
                                                     str(1 - row.questions[0].correct)})
    assert wrong.status_code == 400
    assert "1 of 2 answers are right" in wrong.get_data(as_text=True)
    response = client.post_form(f"/training/{row.id}", answers_for(row), follow_redirects=True)
    assert "Passed!" in response.get_data(as_text=True)
    progress = db.get(TrainingProgress, (erin.id, row.id))
    assert progress.attempts == 2 and progress.passed_at is not None
    award_badges(db, utcnow())
    assert db.scalar(sa.select(UserBadge.badge).where(UserBadge.user_id == erin.id,
                                                      UserBadge.badge == "trained"))
    assert "Completed on" in client.get("/training/").get_data(as_text=True)


def test_unanswered_questions_count_as_wrong(client, db, make_user):
    row = module(db)
    erin = make_user()
    db.commit()
    client.login(erin.email)
    response = client.post_form(f"/training/{row.id}", {})
    assert response.status_code == 400
    assert "0 of 2 answers are right" in response.get_data(as_text=True)


def test_communications_writes_and_admins_require(client, db, make_user):
    comms = make_user(roles={"comms", "employee"})
    admin = make_user(roles={"admin", "employee"})
    db.commit()
    client.login(comms.email)
    bad = client.post_form("/training/new", {"title": "Licence", "quiz": "Q?\n- a\n- b",
                                             "published": "y"})
    assert bad.status_code == 400 and "mark exactly one answer" in bad.get_data(as_text=True)
    empty = client.post_form("/training/new", {"title": "Licence", "quiz": "",
                                               "published": "y"})
    assert "needs at least one quiz question" in empty.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count(TrainingModule.id))) == 0
    assert client.post_form("/training/new", {"title": "Licence", "quiz": QUIZ,
                                              "body_html": "<p>Hi<script>x()</script></p>",
                                              "published": "y"}).status_code == 302
    row = db.scalar(sa.select(TrainingModule))
    assert "<script>" not in row.body_html and len(row.questions) == 2
    assert client.post_form(f"/training/{row.id}/requirement",
                            {"requirement": "tier2"}).status_code == 403  # admins only
    client.login(admin.email)
    client.post_form(f"/training/{row.id}/requirement", {"requirement": "first_share"})
    db.expire_all()
    assert db.get(TrainingModule, row.id).requirement == "first_share"
    # Editing keeps the question rows when the quiz did not change.
    ids = [q.id for q in row.questions]
    client.login(comms.email)
    client.post_form(f"/training/{row.id}/edit", {"title": "Licence 2", "quiz": QUIZ,
                                                  "published": "y"})
    db.expire_all()
    assert [q.id for q in db.get(TrainingModule, row.id).questions] == ids


def test_drafts_are_for_communications_only(client, db, make_user):
    draft = module(db, published=False, quiz="")
    erin = make_user()
    db.commit()
    client.login(erin.email)
    assert client.get(f"/training/{draft.id}").status_code == 404
    assert "Social media licence" not in client.get("/training/").get_data(as_text=True)
    assert client.post_form("/training/new", {"title": "x"}).status_code == 403


def test_a_required_module_comes_before_the_first_share(client, db, make_user):
    row = module(db)
    services.set_requirement(db, row, "first_share")
    item = factories.make_item(db, title="Wind power")
    newcomer, veteran = make_user(name="Nora Newcomer"), make_user(name="Vic Veteran")
    factories.make_posted_share(db, user=veteran)
    db.commit()
    with pytest.raises(services.TrainingRequired, match="“Social media licence”"):
        services.require_before_first_share(db, newcomer)
    services.require_before_first_share(db, veteran)  # shared before: not asked again
    client.login(newcomer.email)
    response = client.post_form(f"/share/{item.id}", {
        "network": "xing", "text": "Worth reading", "acknowledge_guidelines": "y"})
    assert response.status_code == 400
    assert "Before your first share, please complete the training" in response.get_data(
        as_text=True)
    client.post_form(f"/training/{row.id}", answers_for(row))
    services.require_before_first_share(db, newcomer)  # passed: nothing raised


def test_joining_tier_2_needs_the_required_module(client, db, make_user):
    row = module(db)
    services.set_requirement(db, row, "tier2")
    admin = make_user(roles={"admin", "employee"})
    erin = make_user(name="Erin Employee", tier_id=3)
    db.commit()
    client.login(admin.email)
    form = {"name": erin.name, "email": erin.email, "language": "en", "tier_id": "2",
            "roles": ["employee"], "is_active": "y"}
    response = client.post_form(f"/admin/people/{erin.id}", form)
    assert response.status_code == 400
    assert "has to complete the training “Social media licence” before joining tier 2" in \
        response.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, erin.id).tier_id == 3
    db.add(TrainingProgress(user_id=erin.id, module_id=row.id, attempts=1,
                            passed_at=utcnow()))
    db.commit()
    assert client.post_form(f"/admin/people/{erin.id}", form).status_code == 302
    db.expire_all()
    assert db.get(User, erin.id).tier_id == 2


def test_a_passed_module_cannot_be_deleted(client, db, make_user):
    row = module(db)
    comms = make_user(roles={"comms", "employee"})
    db.add(TrainingProgress(user_id=comms.id, module_id=row.id, attempts=1,
                            passed_at=utcnow()))
    db.commit()
    client.login(comms.email)
    response = client.post_form(f"/training/{row.id}/delete", follow_redirects=True)
    assert "unpublish it instead" in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count(TrainingModule.id))) == 1


def test_an_import_into_tier_2_names_who_lacks_the_training(db, make_user):
    row = module(db)
    services.set_requirement(db, row, "tier2")
    admin = make_user(roles={"admin", "employee"})
    erin = make_user(email="erin@example.org", name="Erin Employee", tier_id=3)
    make_user(email="theo@example.org", name="Theo Trained", tier_id=3)
    db.flush()
    theo = db.scalar(sa.select(User).where(User.email == "theo@example.org"))
    db.add(TrainingProgress(user_id=theo.id, module_id=row.id, attempts=1, passed_at=utcnow()))
    db.flush()
    plan = importer.parse(db, b"email,name,tier\nerin@example.org,,2\ntheo@example.org,,2\n"
                              b"new@example.org,Nina New,2\n", admin, 100)
    problems = {r.email: r.problems for r in plan.rows}
    assert "Erin Employee has to complete the training" in " ".join(problems[erin.email])
    assert problems["theo@example.org"] == []
    assert "Nina New has to complete the training" in " ".join(problems["new@example.org"])
    assert not plan.is_valid


def test_a_quiz_emptied_while_open_is_refused_in_words(client, db, make_user):
    row = module(db)
    erin = make_user()
    stale = answers_for(row)
    row.questions = []  # communications' change, made while the page was open
    db.commit()
    client.login(erin.email)
    response = client.post_form(f"/training/{row.id}", stale, follow_redirects=True)
    assert "This module is not available." in response.get_data(as_text=True)
    assert db.get(TrainingProgress, (erin.id, row.id)) is None
