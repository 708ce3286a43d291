"""No network holds up another: each network server's posts go out in a lane of their
own, under their own time budget."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from advocacy.db import utcnow
from advocacy.sharing.models import OutboxPost, Share
from advocacy.sharing.outbox import process_outbox
from advocacy.sharing.outbox.lanes import Lane, due_by_lane, lanes_of
from tests import factories
from tests.fakes.fixtures import provider_config
from tests.web.test_outbox import connect_mastodon, connect_x, other_client, post


@pytest.fixture
def config_overrides(smtp_config, fake_x):
    return {**smtp_config, **provider_config(x=fake_x, PROVIDER_TIMEOUT=1)}


def test_a_network_that_times_out_does_not_hold_up_the_others(
        client, login_as, make_user, db, app, fake_x, fake_mastodon):
    """Reproduced: a run with three time-outs took 30 s, every other post waiting."""
    people = [make_user() for _ in range(3)]
    items = [factories.make_item(db, title=f"Item {n}") for n in range(3)]
    db.commit()
    for person, item in zip(people, items, strict=True):
        connect_x(app, db, person, fake_x, fake_x.state.add_user(f"p{person.id}"))
        connect_mastodon(app, db, person, fake_mastodon)
        post(other_client(app, person), item, text=f"Words of {person.id}")
    for _ in range(3):
        fake_x.state.hang_after_next("/2/tweets", 5, method="POST")

    outcomes = process_outbox(app)
    # Mastodon's three went out; X's lane met one time-out (not three) and left the rest
    # for later. (How long healthy posts wait beside a slow network is measured, not
    # asserted: bench/outbox_faults.py, scenario "slow".)
    assert outcomes == {"posted": 3, "unknown": 1, "deferred": 2}
    db.expire_all()
    posted = db.scalars(sa.select(Share.network).join(OutboxPost).where(
        OutboxPost.state == "posted")).all()
    assert posted == ["mastodon"] * 3
    assert len(fake_x.state.requests_to("/2/tweets", "POST")) == 1


def test_every_lane_gets_its_share_of_a_long_queue(db, app, make_user, fake_mastodon,
                                                   fake_x, client):
    """A thousand posts due on X must not keep one due on Mastodon out of the run."""
    person = make_user()
    connect_x(app, db, person, fake_x)
    connect_mastodon(app, db, person, fake_mastodon)
    sharer = other_client(app, person)
    for number in range(60):
        item = factories.make_item(db, title=f"Many {number}")
        db.commit()
        post(sharer, item, text=f"Text {number}")
    due = due_by_lane(db, utcnow(), per_lane=50)
    server = fake_mastodon.url
    assert sorted(due) == [Lane("mastodon", server), Lane("x", "")]
    assert [len(ids) for _, ids in sorted(due.items())] == [50, 50]


def test_a_busy_lane_is_not_started_twice(db, app, make_user, fake_x, client):
    person = make_user()
    connect_x(app, db, person, fake_x)
    item = factories.make_item(db)
    db.commit()
    post(other_client(app, person), item)
    lanes = lanes_of(app)
    assert lanes.take(Lane("x", "")) is None  # as if a slow run were still sending
    assert process_outbox(app) == {"busy": 1}
    assert fake_x.state.requests_to("/2/tweets", "POST") == []
    lanes.give_back(Lane("x", ""))
    assert process_outbox(app) == {"posted": 1}


def test_a_lane_whose_server_failed_rests_for_the_schedulers_runs(db, app, make_user, fake_x,
                                                                   client):
    person = make_user()
    connect_x(app, db, person, fake_x)
    sharer = other_client(app, person)
    for number in range(2):
        item = factories.make_item(db, title=f"Rest {number}")
        db.commit()
        post(sharer, item, text=f"Rest {number}")
    fake_x.state.hang_after_next("/2/tweets", 3, method="POST")
    assert process_outbox(app, wait=10, rest=60) == {"unknown": 1, "deferred": 1}
    assert process_outbox(app, wait=10, rest=60) == {"resting": 1}
    lanes_of(app).give_back(Lane("x", ""))  # the rest is over
    assert process_outbox(app) == {"posted": 1}


def test_run_job_from_the_command_line_sends_before_it_returns(db, app, make_user, fake_x,
                                                               client):
    """The scheduler's run returns at once (the lanes go on); `flask advocacy run-job`
    does the whole work, as every job run from the command line does."""
    person = make_user()
    connect_x(app, db, person, fake_x)
    item = factories.make_item(db)
    db.commit()
    post(other_client(app, person), item)
    result = app.test_cli_runner().invoke(args=["advocacy", "run-job", "send-posts"])
    assert result.exit_code == 0, result.output
    assert "send-posts: {'posted': 1}" in result.output
    assert len(fake_x.state.created) == 1


def test_stopping_lets_the_post_in_hand_be_recorded(db, app, make_user, fake_x, client):
    """A scheduler that shuts down waits for its lanes' current posts, so a post is not
    cut off between the network's answer and our record."""
    person = make_user()
    connect_x(app, db, person, fake_x)
    sharer = other_client(app, person)
    for number in range(2):
        item = factories.make_item(db, title=f"Stop {number}")
        db.commit()
        post(sharer, item, text=f"Stop {number}")
    fake_x.state.hang_after_next("/2/tweets", 3, method="POST")
    assert process_outbox(app, wait=0) == {}  # returned at once; the lane goes on
    lanes = lanes_of(app)
    lanes.stop(10)
    assert lanes.threads == set()
    db.expire_all()
    # The post in hand was recorded; the next was not taken while stopping.
    assert sorted(db.scalars(sa.select(OutboxPost.state))) == ["queued", "unknown"]
    assert process_outbox(app) == {"posted": 1}  # a later run (the command line) goes on
