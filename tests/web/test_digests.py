"""E-mail digests through a real SMTP server: due once a day or week, only with something
new, never twice, and an unsubscribe link that works without logging in."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from advocacy import mail
from advocacy.db import utcnow
from advocacy.notifications.digests import period_start, send_digests
from advocacy.notifications.models import DigestSent
from advocacy.people.models import User
from advocacy.scheduler import find_job, run_job
from tests import factories

ZONE = "Europe/Berlin"
MONDAY_8 = dt.datetime(2026, 11, 16, 7, tzinfo=dt.UTC)  # 8:00 in Berlin
TUESDAY_6 = dt.datetime(2026, 11, 17, 5, tzinfo=dt.UTC)  # 6:00 in Berlin
SECRET = "s" * 40


@pytest.fixture
def config_overrides(smtp_config):
    return {**smtp_config, "SECRET_KEY": SECRET}


def _send(app, db, now):
    """Run the digest job at `now` as the scheduler would: commit, then deliver."""
    with app.app_context():
        count = send_digests(db, now, ZONE, "http://advocacy.test", SECRET)
        db.commit()
        mail.deliver(app, mail.take_ready(db))
    return count


@pytest.fixture
def people(db, make_user):
    weekly = make_user(name="Wendy Weekly")
    daily = make_user(name="Dan Daily")
    daily.digest = "daily"
    quiet = make_user(name="Nora None")
    quiet.digest = "none"
    fresh = factories.make_item(db, title="Fresh news",
                                live_from=MONDAY_8 - dt.timedelta(hours=20))
    factories.make_item(db, title="Old news", live_from=MONDAY_8 - dt.timedelta(days=10))
    db.commit()
    return {"weekly": weekly, "daily": daily, "quiet": quiet, "fresh": fresh}


def test_period_starts_at_seven_local_time():
    berlin = dt.timezone(dt.timedelta(hours=1))
    assert period_start("daily", dt.datetime(2026, 11, 17, 6, 59, tzinfo=berlin)) is None
    assert period_start("daily", dt.datetime(2026, 11, 17, 7, tzinfo=berlin)) == \
        dt.date(2026, 11, 17)
    assert period_start("weekly", dt.datetime(2026, 11, 16, 6, tzinfo=berlin)) is None
    assert period_start("weekly", dt.datetime(2026, 11, 19, 6, tzinfo=berlin)) == \
        dt.date(2026, 11, 16)


def test_digests_go_out_once_with_what_is_new(app, db, people, mailbox):
    assert _send(app, db, MONDAY_8) == 2  # weekly and daily; not the one who said none
    messages = mailbox.wait_for(2)
    to = {message["To"]: message for message in messages}
    assert set(to) == {people["weekly"].email, people["daily"].email}
    body = to[people["weekly"].email].get_body(preferencelist=("plain",)).get_content()
    assert "Fresh news" in body and "Old news" not in body
    assert f"http://advocacy.test/share/{people['fresh'].id}" in body
    assert "http://advocacy.test/notifications/unsubscribe/" in body
    assert _send(app, db, MONDAY_8 + dt.timedelta(hours=1)) == 0  # the job ran again
    assert db.scalar(sa.select(sa.func.count()).select_from(DigestSent)) == 2
    # Tuesday 6:00 is before the daily digest's time; at 8:00 nothing new: no mail.
    assert _send(app, db, TUESDAY_6) == 0
    assert _send(app, db, TUESDAY_6 + dt.timedelta(hours=2)) == 0


def test_the_unsubscribe_link_needs_no_login_and_asks_first(app, client, db, people,
                                                             mailbox):
    _send(app, db, MONDAY_8)
    [message] = [m for m in mailbox.wait_for(2) if m["To"] == people["weekly"].email]
    body = message.get_body(preferencelist=("plain",)).get_content()
    path = body[body.index("/notifications/unsubscribe/"):].split()[0]
    page = client.get(path)
    assert page.status_code == 200 and "Stop the digest" in page.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, people["weekly"].id).digest == "weekly"  # opening it changes nothing
    client.post_form(path)
    db.expire_all()
    assert db.get(User, people["weekly"].id).digest == "none"
    assert client.get("/notifications/unsubscribe/forged-token").status_code == 404


def test_the_scheduled_job_sends_the_weekly_digest(app, db, people, mailbox):
    """Run by the scheduler's adapter at the real time: the week's digest is due unless it
    is Monday before 7:00 in Berlin."""
    people["daily"].digest = "none"
    factories.make_item(db, title="Just now", live_from=utcnow() - dt.timedelta(hours=1))
    db.commit()
    due = period_start("weekly", utcnow().astimezone(ZoneInfo(ZONE))) is not None
    assert run_job(app, find_job("send-digests")) == (1 if due else 0)
    assert run_job(app, find_job("send-digests")) == 0
    if due:
        [message] = mailbox.wait_for(1)
        assert message["To"] == people["weekly"].email


def test_the_profile_sets_how_often(client, login_as, db):
    person = login_as("employee")
    client.post_form("/profile", {"name": person.name, "language": "en", "digest": "daily"})
    db.expire_all()
    assert db.get(User, person.id).digest == "daily"
    bad = client.post_form("/profile", {"name": person.name, "language": "en",
                                        "digest": "hourly"})
    assert bad.status_code == 400
