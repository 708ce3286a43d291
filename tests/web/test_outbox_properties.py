"""The outbox's promise under random failures (Hypothesis): nothing doubled, nothing lost.

Each example is a fresh post through the share sheet and a script of failures the local
network servers inject (a post made and then answered 500, a 5xx before anything was
made, a rate limit, look-ups that fail), run through the real job with the clock moving
on. Where a post ends in doubt, the person looks at the network (the fake's truth) and
decides as a person would. Then the queue is drained. Checked after every step and at
the end: never more than one post on the network; posted exactly when it is there;
failed exactly when it is not; counted once, and only when posted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advocacy.content.models import ContentItem
from advocacy.db import utcnow
from advocacy.engagement.models import PointEntry
from advocacy.sharing.models import OutboxPost, Share
from advocacy.sharing.outbox import process_outbox
from tests import factories
from tests.fakes.fixtures import provider_config
from tests.web.test_outbox import connect_linkedin, connect_mastodon, connect_x, post

STEP = dt.timedelta(hours=3)  # longer than any back-off: every step finds the post due

CREATE = {"x": "/2/tweets", "mastodon": "/api/v1/statuses", "linkedin": "/rest/posts"}
LOOKUP = {"x": "/2/users/", "mastodon": "/api/v1/accounts/"}
FAILURES = ("none", "created_then_500", "500_before", "503_before", "429", "lookup_404",
            "lookup_500", "timeout_after_accept")


@pytest.fixture
def config_overrides(smtp_config, fake_linkedin, fake_x, fake_mastodon):
    return {**smtp_config,
            **provider_config(linkedin=fake_linkedin, x=fake_x, PROVIDER_TIMEOUT=1)}


@pytest.fixture
def employee(login_as):
    return login_as("employee")


class World:
    """One network, its fake, the employee's account on it, and a clock that only moves
    forward (the fake's clock moves with ours, as real clocks do)."""

    def __init__(self, network: str, fake: Any, client: Any, db: Any, app: Any,
                 employee: Any) -> None:
        self.network, self.fake, self.client, self.db, self.app = network, fake, client, db, app
        self.employee = employee
        self.now = utcnow()
        connect = {"x": connect_x, "mastodon": connect_mastodon,
                   "linkedin": connect_linkedin}[network]
        connect(app, db, employee, fake)

    def tick(self) -> None:
        self.now += STEP
        if self.network != "linkedin":  # LinkedIn's tokens would run out (60 days)
            self.fake.state.set_now(self.now)

    def inject(self, failure: str) -> None:
        state, create = self.fake.state, CREATE[self.network]
        if failure == "created_then_500":
            state.fail_after_next(500, path_prefix=create, method="POST")
        elif failure == "timeout_after_accept":  # made, and the answer comes too late
            state.hang_after_next(create, 1.5, method="POST")
        elif failure in ("500_before", "503_before", "429"):
            status = {"500_before": 500, "503_before": 503, "429": 429}[failure]
            state.fail_next(status, path_prefix=create, method="POST")
        elif failure.startswith("lookup_") and self.network in LOOKUP:
            state.fail_next(int(failure[7:]), path_prefix=LOOKUP[self.network], method="GET")

    def on_network(self, link: str) -> int:
        state = self.fake.state
        if self.network == "x":
            return sum(1 for t in state.created if t["text"].endswith(link))
        if self.network == "mastodon":
            return sum(1 for s in state.live_statuses() if s["text"].endswith(link))
        return sum(1 for p in state.live_posts()
                   if (p["article"] or {}).get("source") == link)

    def row(self, share_id: int) -> OutboxPost:
        self.db.expire_all()
        return self.db.scalars(sa.select(OutboxPost).where(OutboxPost.share_id == share_id)).one()

    def decide_if_in_doubt(self, row: OutboxPost, link: str) -> None:
        """The person looks at their profile and says what they see."""
        if row.state != "in_doubt":
            return
        assert self.client.post_form(f"/shares/{row.id}/look").status_code == 302
        answer = "there" if self.on_network(link) else "again"
        assert self.client.post_form(f"/shares/{row.id}/{answer}").status_code == 302


def run_script(world: World, script: list[str]) -> None:
    item = factories.make_item(world.db, title="Property item", texts=[("Worth it", None)])
    world.db.commit()
    post(world.client, item, text=f"Words {item.id}")
    share = world.db.scalars(sa.select(Share).where(Share.item_id == item.id)).one()
    link = share.link
    for failure in [*script, *(["none"] * 12)]:  # the script, then the queue is drained
        world.inject(failure)
        process_outbox(world.app, now=world.now)
        assert world.on_network(link) <= 1, "posted twice"
        row = world.row(share.id)
        world.decide_if_in_doubt(row, link)
        world.tick()
        if world.row(share.id).state in ("posted", "failed", "cancelled") and \
                failure == "none":
            break
    row = world.row(share.id)
    there = world.on_network(link)
    assert row.state in ("posted", "failed"), (script, row.state, row.error_kind)
    assert (row.state == "posted") == (there == 1), (script, row.state, there)
    if row.remote_id is not None:
        assert row.state == "posted"
    world.db.expire_all()
    counted = world.db.get(Share, share.id).posted_at is not None
    assert counted == (row.state == "posted")
    # Counted once for the item, and only when posted.
    assert world.db.get(ContentItem, item.id).share_count == (1 if counted else 0)
    points = world.db.scalar(sa.select(sa.func.count()).select_from(PointEntry).where(
        PointEntry.ref_type == "share", PointEntry.ref_id == share.id,
        PointEntry.reason == "share"))
    # Never twice; none unless posted. (Once the day's points cap is reached by earlier
    # examples, a post earns none: hence "at most".)
    assert points <= (1 if counted else 0)


@pytest.mark.parametrize("network", ["x", "mastodon", "linkedin"])
@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(script=st.lists(st.sampled_from(FAILURES), min_size=1, max_size=6))
def test_no_post_is_doubled_or_lost_whatever_fails(
        client, employee, db, app, fake_x, fake_mastodon, fake_linkedin, network, script,
        request):
    world = request.node.__dict__.setdefault("world", None)
    if world is None or world.network != network:
        fake = {"x": fake_x, "mastodon": fake_mastodon, "linkedin": fake_linkedin}[network]
        world = World(network, fake, client, db, app, employee)
        request.node.world = world
    run_script(world, script)
