"""Every change of a post's state, in one place.

Nothing else writes `OutboxPost.state`. Each function names the states it may start from
and refuses any other (a programming error, not a user's): the rules that keep a post from
going out twice live here and are tested as such (tests/unit/test_outbox_states.py).

    queued ──claim──▶ sending ──▶ posted
      ▲                  │ ├──▶ failed        (certainly not on the network)
      │                  │ ├──▶ queued        (not taken: tried again later)
      │                  │ └──▶ unknown ──claim──▶ sending (settling: look-up or safe resend)
      │                  └────▶ in_doubt      (cannot be asked: the person looks)
      └── send again ── in_doubt ── it is there ──▶ posted
                           └── (network can be asked) send again ──▶ unknown
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.problems import Problem
from advocacy.providers.api import Published
from advocacy.sharing.models import OutboxPost, PostState

STALE_CLAIM = dt.timedelta(minutes=10)  # a claim this old means the sender died mid-way

Q, S, U, D = PostState.QUEUED, PostState.SENDING, PostState.UNKNOWN, PostState.IN_DOUBT
P, F, C = PostState.POSTED, PostState.FAILED, PostState.CANCELLED


class InvalidTransition(RuntimeError):
    """A state change the rules do not allow (a bug in the caller)."""


def _move(post: OutboxPost, to: PostState, *allowed: PostState) -> None:
    if post.state not in allowed:
        raise InvalidTransition(f"post {post.id}: {post.state} -> {to} is not allowed")
    post.state = to


def due(now: dt.datetime) -> sa.ColumnElement[bool]:
    """Posts to take now: queued or unknown ones whose time has come, and claims
    abandoned by a sender that died."""
    return sa.or_(
        sa.and_(OutboxPost.state.in_((Q.value, U.value)), OutboxPost.run_at <= now),
        sa.and_(OutboxPost.state == S.value, OutboxPost.claimed_at < now - STALE_CLAIM))


def claim(session: Session, post_id: int, now: dt.datetime) -> bool:
    """Take a due post for sending; False when it is not due or someone else has it.

    One conditional UPDATE, so two senders can never both win. Taking over a stale claim
    (or an unknown outcome) marks the outcome open: the earlier attempt may have posted,
    so the post is settled before anything is sent again.
    """
    open_before = OutboxPost.state.in_((S.value, U.value)) | OutboxPost.outcome_unknown
    result = session.execute(
        sa.update(OutboxPost).where(OutboxPost.id == post_id, due(now))
        .values(outcome_unknown=open_before, doubted=OutboxPost.doubted | open_before,
                state=S.value, claimed_at=now, attempts=OutboxPost.attempts + 1,
                # An open outcome's attempt went out before now: never later than queuing.
                first_sent_at=sa.func.coalesce(
                    OutboxPost.first_sent_at,
                    sa.case((open_before, OutboxPost.created_at), else_=now)))
        .execution_options(synchronize_session=False))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def release(post: OutboxPost) -> None:
    """Give a claimed post back untouched (its account is not usable just now)."""
    _move(post, U if post.outcome_unknown else Q, S)
    post.claimed_at = None
    post.attempts = max(0, post.attempts - 1)


def posted(post: OutboxPost, published: Published | None, now: dt.datetime) -> None:
    """The network has the post (or the person saw it there: `published` is None)."""
    _move(post, P, S, D)
    post.remote_id = published.remote_id if published else None
    post.remote_url = (published.url or None) if published else None
    post.posted_at, post.claimed_at = now, None
    post.outcome_unknown = False
    post.last_error = post.error_kind = None


def failed(post: OutboxPost, reason: str, words: Problem | None) -> None:
    """Certainly not on the network: refused, given up, or held back by a budget."""
    if post.outcome_unknown:
        raise InvalidTransition(f"post {post.id}: an open outcome cannot become a failure")
    _move(post, F, S)
    _note(post, reason, words)
    post.claimed_at = None


def later(post: OutboxPost, reason: str, words: Problem, at: dt.datetime) -> None:
    """Not taken this time (or not settled yet): the job tries again at `at`."""
    _move(post, U if post.outcome_unknown else Q, S)
    _note(post, reason, words)
    post.run_at, post.claimed_at = at, None


def outcome_open(post: OutboxPost, reason: str, words: Problem, at: dt.datetime) -> None:
    """Sent, and no clear answer: the job settles it from `at` on."""
    _move(post, U, S)
    post.outcome_unknown = post.doubted = True
    _note(post, reason, words)
    post.run_at, post.claimed_at = at, None


def in_doubt(post: OutboxPost, reason: str, words: Problem) -> None:
    """The network cannot tell us: the person looks at their profile and decides (again,
    if they looked before: this is a new doubt)."""
    _move(post, D, S)
    post.outcome_unknown = post.doubted = True
    _note(post, reason, words)
    post.claimed_at = post.looked_at = None


def cancelled(post: OutboxPost, reason: str | None = None,
              words: Problem | None = None) -> None:
    """Not sent, on purpose: by its author, because the item was withdrawn, or because the
    person shared it by link instead (a post in doubt only once they looked and did not
    find it, which closes its outcome)."""
    if post.outcome_unknown:
        raise InvalidTransition(f"post {post.id}: an open outcome cannot be cancelled")
    _move(post, C, Q, S, F, D)
    post.error_kind, post.claimed_at = reason, None
    post.last_error = words.dump(500) if words else None


def queued_again(post: OutboxPost, now: dt.datetime) -> None:
    """Its author asks for it to be sent again: after a failure, or after looking and not
    finding it (the open outcome is closed by that look; `doubted` stays)."""
    if post.state == F:  # certainly not there: a new first attempt, looked up from then
        post.first_sent_at = None
    _move(post, Q, F, D)
    post.outcome_unknown = False
    post.run_at, post.attempts = now, 0
    post.last_error = post.error_kind = post.looked_at = None


def settle_again(post: OutboxPost, now: dt.datetime) -> None:
    """Its author did not find a post in doubt on a network that can be asked: ask once
    more before sending (a post the author missed is then found, not doubled)."""
    _move(post, U, D)
    post.outcome_unknown = True
    post.run_at, post.attempts = now, 0
    post.last_error = post.error_kind = post.looked_at = None


def _note(post: OutboxPost, reason: str, words: Problem | None) -> None:
    """Our reason code (`error_kind`, what "My shares" explains) and what happened, as a
    problem worded in the reader's language when shown (`advocacy.problems`)."""
    post.error_kind, post.last_error = reason[:20], words.dump(500) if words else None
