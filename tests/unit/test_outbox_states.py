"""The outbox's state rules (advocacy/sharing/outbox/states.py): one claim wins, an open
outcome can only be settled, never failed or cancelled, and a refused change changes
nothing. The rules are run as a state machine under Hypothesis."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from advocacy.db import make_engine, utcnow
from advocacy.people.models import User
from advocacy.problems import Problem
from advocacy.providers.api import Published
from advocacy.sharing.models import OutboxPost, PostState
from advocacy.sharing.outbox import states
from advocacy.sharing.outbox.actions import own_post
from tests import factories

WORDS = Problem("unreachable", {"network": "X"})
NOW = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)
OPEN_STATES = {PostState.SENDING, PostState.UNKNOWN, PostState.IN_DOUBT}


def queued_post(db, run_at: dt.datetime | None = None) -> OutboxPost:
    user = factories.make_user(db)
    share = factories.make_share(db, item=factories.make_item(db), user=user, network="x")
    post = OutboxPost(share=share, state=PostState.QUEUED, idempotency_key=share.code,
                      run_at=run_at or utcnow())
    db.add(post)
    db.commit()
    return post


def state_of(db, post_id: int) -> tuple[str, bool, bool, int]:
    db.expire_all()
    post = db.get(OutboxPost, post_id)
    return post.state, post.outcome_unknown, post.doubted, post.attempts


def test_a_due_post_is_claimed_once(db):
    post = queued_post(db)
    assert states.claim(db, post.id, utcnow())
    assert not states.claim(db, post.id, utcnow())
    db.commit()
    assert state_of(db, post.id) == ("sending", False, False, 1)


def test_a_post_not_yet_due_is_not_claimed(db):
    post = queued_post(db, run_at=utcnow() + dt.timedelta(minutes=5))
    assert not states.claim(db, post.id, utcnow())


def test_a_claim_left_by_a_dead_sender_is_taken_as_an_open_outcome(db):
    post = queued_post(db, run_at=utcnow() - dt.timedelta(hours=1))
    assert states.claim(db, post.id, utcnow() - dt.timedelta(minutes=11))
    db.commit()
    assert not states.claim(db, post.id, utcnow() - dt.timedelta(minutes=5))  # still fresh
    assert states.claim(db, post.id, utcnow())
    db.commit()
    assert state_of(db, post.id) == ("sending", True, True, 2)


@pytest.mark.parametrize("fresh_database_url", ["sqlite", "postgresql"], indirect=True)
def test_two_senders_on_two_connections_claim_a_post_once(fresh_database_url):
    """Real concurrency: two threads, each with its own connection and transaction, on a
    database of their own (on SQLite the second waits for the first's write lock, then
    finds the post taken)."""
    engine = make_engine(fresh_database_url)
    with sa.orm.Session(engine) as setup:  # committed rows both senders can see
        post_id = queued_post(setup).id
    wins: list[bool] = []
    barrier = threading.Barrier(2)

    def sender() -> None:
        with sa.orm.Session(engine) as session:
            barrier.wait()
            won = states.claim(session, post_id, utcnow())
            session.commit()
            wins.append(won)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert sorted(wins) == [False, True]


def test_an_open_outcome_without_a_first_attempt_is_looked_up_from_when_it_was_queued(db):
    """Rows from before first_sent_at existed: never "just now", which would put a look-up
    after the post and let Mastodon's idempotency window seem open."""
    queued = utcnow() - dt.timedelta(hours=3)
    post = queued_post(db, run_at=queued)
    post.state, post.outcome_unknown, post.created_at = PostState.UNKNOWN, True, queued
    db.commit()
    assert states.claim(db, post.id, utcnow())
    db.commit()
    db.expire_all()
    assert db.get(OutboxPost, post.id).first_sent_at == queued


@pytest.mark.parametrize("fresh_database_url", ["sqlite", "postgresql"], indirect=True)
def test_the_person_and_the_job_never_both_change_a_post(fresh_database_url):
    """A person's action holds the row from the moment it reads its state: the job's claim
    waits, then finds the post cancelled, instead of the person's "cancelled" landing on a
    post the job is sending."""
    engine = make_engine(fresh_database_url)
    with sa.orm.Session(engine) as setup:
        post = queued_post(setup)
        post_id, user_id = post.id, post.share.user_id
    claimed: list[bool] = []
    person = sa.orm.Session(engine)
    mine = own_post(person, person.get(User, user_id), post_id, to_change=True)
    assert mine.state == "queued"  # read (and held) before the job runs

    def job() -> None:
        with sa.orm.Session(engine) as session:
            claimed.append(states.claim(session, post_id, utcnow()))
            session.commit()

    sender = threading.Thread(target=job)
    sender.start()
    sender.join(0.5)
    assert sender.is_alive()  # waiting for the person's transaction
    states.cancelled(mine)  # what cancel_post does after its check
    person.commit()
    person.close()
    sender.join(15)
    with sa.orm.Session(engine) as check:
        assert (claimed, check.get(OutboxPost, post_id).state) == ([False], "cancelled")
    engine.dispose()


class PostRules(RuleBasedStateMachine):
    """Any sequence of state changes on one post, as the sender and its author make
    them: refused ones change nothing, and what has been open stays known."""

    def __init__(self) -> None:
        super().__init__()
        self.post = OutboxPost(id=1, state=PostState.QUEUED, run_at=NOW, attempts=0,
                               outcome_unknown=False, doubted=False)
        self.was_doubted = False

    def _try(self, change, *args) -> None:
        before = {c: getattr(self.post, c) for c in ("state", "outcome_unknown", "doubted",
                                                     "error_kind", "remote_id")}
        try:
            change(self.post, *args)
        except states.InvalidTransition:
            after = {c: getattr(self.post, c) for c in before}
            assert after == before, "a refused change changed the post"
        self.was_doubted = self.was_doubted or self.post.doubted

    @rule(open_before=st.booleans())
    def claim(self, open_before: bool) -> None:
        # What states.claim does in SQL, for a post it may take.
        if self.post.state in (PostState.QUEUED, PostState.UNKNOWN) or (
                self.post.state == PostState.SENDING and open_before):
            opened = self.post.state != PostState.QUEUED or self.post.outcome_unknown
            self.post.outcome_unknown = opened
            self.post.doubted = self.post.doubted or opened
            self.post.state = PostState.SENDING
            self.post.attempts += 1
            self.was_doubted = self.was_doubted or self.post.doubted

    @rule()
    def posted(self) -> None:
        self._try(states.posted, Published("1", "https://x.com/a/status/1"), NOW)

    @rule(reason=st.sampled_from(["content", "transient", "budget"]))
    def failed(self, reason: str) -> None:
        self._try(states.failed, reason, WORDS)

    @rule()
    def later(self) -> None:
        self._try(states.later, "transient", WORDS, NOW)

    @rule()
    def outcome_open(self) -> None:
        self._try(states.outcome_open, "unknown", WORDS, NOW)

    @rule()
    def in_doubt(self) -> None:
        self._try(states.in_doubt, "doubt", WORDS)

    @rule()
    def cancelled(self) -> None:
        self._try(states.cancelled, "by_link", None)

    @rule()
    def queued_again(self) -> None:
        self._try(states.queued_again, NOW)

    @rule()
    def settle_again(self) -> None:
        self._try(states.settle_again, NOW)

    @precondition(lambda self: self.post.state == PostState.SENDING)
    @rule()
    def release(self) -> None:
        self._try(states.release)

    @precondition(lambda self: self.post.state == PostState.SENDING)
    @rule()
    def settled_absent(self) -> None:
        self.post.outcome_unknown = False  # what the sender does once it knows

    @invariant()
    def an_open_outcome_is_never_failed_cancelled_or_queued(self) -> None:
        if self.post.outcome_unknown:
            assert self.post.state in OPEN_STATES, self.post.state

    @invariant()
    def a_doubt_is_remembered(self) -> None:
        assert self.post.doubted == self.was_doubted

    @invariant()
    def a_posted_post_has_no_open_outcome(self) -> None:
        if self.post.state == PostState.POSTED:
            assert not self.post.outcome_unknown


PostRules.TestCase.settings = settings(max_examples=300, stateful_step_count=30,
                                       deadline=None)
test_post_state_rules = PostRules.TestCase
