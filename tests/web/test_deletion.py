"""A person asks for their data to be deleted, an admin confirms: the person's data are
gone, their shares are anonymised, and the programme's figures stay as they were (the
dataset of `test_reach_report`, whose figures are computed by hand there)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from advocacy.accounts.models import SocialAccount
from advocacy.core.models import AuditEvent
from advocacy.core.services import audit
from advocacy.engagement.models import PointEntry
from advocacy.me.models import DeletionRequest
from advocacy.people.models import User
from advocacy.reports.models import ActivityRollup, ItemRollup
from advocacy.reports.rollup import rebuild_days, roll_up
from advocacy.sharing.models import OutboxPost, Share
from tests import factories
from tests.web.test_reach_report import NOW, ZONE, _build, dataset


@pytest.fixture
def config_overrides(smtp_config):
    return smtp_config


@pytest.fixture
def data(db):
    return dataset(db)


@pytest.fixture
def admin(make_user):
    return make_user(roles={"admin", "employee"}, name="Ada Admin")


def _ask(client, person, **form):
    client.login(person.email)
    response = client.post_form("/me/deletion", {"understood": "y", **form})
    client.logout()
    return response


def _open_request(db, person):
    return db.scalar(sa.select(DeletionRequest).where(DeletionRequest.user_id == person.id,
                                                      DeletionRequest.state == "pending"))


def _totals(db):
    report = _build(db, k=None, by="network")
    figures = dataclasses.asdict(report.total.current)
    figures.pop("population")  # the enrolled people of today: one fewer afterwards
    return figures, report.emv, [(i.clicks, i.shares) for i in report.items]


def test_asking_tells_the_admins_and_shows_the_request(client, db, data, admin, mailbox):
    s1 = data["s"][0]
    response = _ask(client, s1, reason="I am leaving the company.")
    assert response.status_code == 302
    [message] = mailbox.wait_for(1)
    assert message["To"] == admin.email
    assert mailbox.link_in(message) == "/admin/people/deletions"
    ask = _open_request(db, s1)
    assert ask.reason == "I am leaving the company."
    client.login(s1.email)
    page = client.get("/me/data").get_data(as_text=True)
    assert "Withdraw my request" in page and 'action="/me/deletion"' not in page
    # Asking twice is refused; the first request stays the only one.
    client.post_form("/me/deletion", {"understood": "y"})
    assert db.scalar(sa.select(sa.func.count()).select_from(DeletionRequest)) == 1


def test_asking_without_confirming_says_what_is_missing(client, db, data, admin, mailbox):
    client.login(data["s"][0].email)
    response = client.post_form("/me/deletion", {"reason": "Please"})
    assert response.status_code == 400
    assert "Please confirm that you understand" in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(DeletionRequest)) == 0
    assert mailbox.messages == []


def test_confirming_deletes_the_person_and_keeps_the_figures(client, db, data, admin,
                                                              mailbox):
    s1 = data["s"][0]
    before, enrolled = _totals(db), _build(db, k=None).total.current.population
    # Things of s1 that must go: an account, points, a share that never went out, and
    # their address in someone else's audit entry.
    db.add(SocialAccount(user_id=s1.id, network="mastodon", external_id="1", handle="@s1"))
    db.add(PointEntry(user_id=s1.id, points=5, reason="share", ref_type="share", ref_id=1))
    queued = factories.make_share(db, item=factories.make_item(db), user=s1)
    queued.method = "api"
    db.add(OutboxPost(share_id=queued.id, state="queued", idempotency_key="q", run_at=NOW))
    other = data["s"][1]
    audit(db, other.id, "worksheet.shared", f"with {s1.email}", NOW)
    db.commit()
    pid, email, queued_id = s1.id, s1.email, queued.id
    _ask(client, s1)
    ask_id = _open_request(db, s1).id

    client.login(admin.email)
    page = client.get("/admin/people/deletions").get_data(as_text=True)
    assert s1.name in page and email in page
    response = client.post_form(f"/admin/people/deletions/{ask_id}/confirm")
    assert response.status_code == 302
    db.expire_all()

    assert db.get(User, pid) is None
    assert db.scalar(sa.select(sa.func.count()).select_from(SocialAccount)
                     .where(SocialAccount.handle == "@s1")) == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(PointEntry)
                     .where(PointEntry.user_id == pid)) == 0
    assert db.get(Share, queued_id) is None
    shares = db.scalars(sa.select(Share).where(Share.anon_person.is_not(None))).all()
    assert len(shares) == 3 and {s.anon_person for s in shares} == {-1}
    assert all(s.user_id is None and s.text == "" for s in shares)
    post = db.scalar(sa.select(OutboxPost).where(OutboxPost.idempotency_key == "k-x"))
    assert post.likes == 3 and post.account_id is None and post.remote_url is None
    assert db.scalar(sa.select(sa.func.count()).select_from(ActivityRollup)
                     .where(ActivityRollup.person_id == pid)) == 0
    assert not db.scalars(sa.select(AuditEvent.detail)
                          .where(AuditEvent.detail.contains(email))).all()
    ask = db.get(DeletionRequest, ask_id)
    assert (ask.state, ask.user_id, ask.former_person, ask.decided_by_id) == (
        "done", None, -1, admin.id)

    assert _totals(db) == before
    assert _build(db, k=None).total.current.population == enrolled - 1
    # The job recomputing October from the raw rows finds the same figures.
    rebuild_days(db, [dt.date(2026, 10, day) for day in range(1, 32)], ZoneInfo(ZONE))
    roll_up(db, ZONE, NOW + dt.timedelta(minutes=10))
    assert _totals(db) == before

    messages = mailbox.wait_for(2)
    assert messages[-1]["To"] == email
    assert "have been deleted" in messages[-1]["Subject"]
    assert client.login(email).status_code != 302  # the account is gone


def test_each_former_colleague_gets_a_number_of_their_own(client, db, data, admin):
    before = _totals(db)
    first, second = data["s"][0], data["s"][1]
    for person in (first, second):
        _ask(client, person)
    asks = [_open_request(db, person).id for person in (first, second)]
    client.login(admin.email)
    for ask in asks:
        client.post_form(f"/admin/people/deletions/{ask}/confirm")
    db.expire_all()
    numbers = db.scalars(sa.select(Share.anon_person).distinct()
                         .where(Share.anon_person.is_not(None))).all()
    assert sorted(numbers) == [-2, -1]
    assert _totals(db) == before  # still seven different people
    assert db.scalar(sa.select(sa.func.max(ItemRollup.sharers))) == 1


def test_nobody_confirms_their_own_deletion(client, db, admin):
    db.add(DeletionRequest(user_id=admin.id, state="pending", requested_at=NOW))
    db.commit()
    client.login(admin.email)
    ask = db.scalar(sa.select(DeletionRequest.id))
    response = client.post_form(f"/admin/people/deletions/{ask}/confirm", follow_redirects=True)
    assert "Another admin must confirm" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, admin.id) is not None


def test_declining_needs_a_reason_and_tells_the_person(client, db, data, admin, mailbox):
    s1 = data["s"][0]
    _ask(client, s1)
    mailbox.wait_for(1)
    ask = _open_request(db, s1).id
    client.login(admin.email)
    empty = client.post_form(f"/admin/people/deletions/{ask}/decline", {"answer": ""})
    assert empty.status_code == 400 and "This field is required" in empty.get_data(
        as_text=True)
    client.post_form(f"/admin/people/deletions/{ask}/decline",
                     {"answer": "Legal hold until the audit ends."})
    [_, told] = mailbox.wait_for(2)
    assert told["To"] == s1.email
    assert "Legal hold" in told.get_body(preferencelist=("plain",)).get_content()
    db.expire_all()
    assert db.get(DeletionRequest, ask).state == "declined"
    # The person sees the answer and may ask again.
    client.login(s1.email)
    page = client.get("/me/data").get_data(as_text=True)
    assert "Legal hold until the audit ends." in page and 'action="/me/deletion"' in page
    # A decided request can no longer be confirmed.
    client.login(admin.email)
    late = client.post_form(f"/admin/people/deletions/{ask}/confirm", follow_redirects=True)
    assert "no longer open" in late.get_data(as_text=True)
    assert db.get(User, s1.id) is not None


def test_a_request_can_be_withdrawn(client, db, data, admin):
    s1 = data["s"][0]
    _ask(client, s1)
    client.login(s1.email)
    client.post_form("/me/deletion/withdraw")
    db.expire_all()
    assert _open_request(db, s1) is None
    assert db.scalar(sa.select(DeletionRequest.state)) == "withdrawn"
