"""Sending one post: claim it, settle an open outcome, send, record what happened.

The network is called outside any database transaction: the post is claimed in one,
sent, then recorded in another, so a slow network never holds a lock, and a crash in
between leaves a claim that the next run takes as an unknown outcome. Nothing is sent
twice: an open outcome is settled first (each network its own way, `Provider.settle`), a
duplicate refusal is read as "already there", and where the network cannot be asked the
person decides.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from advocacy.accounts.models import SocialAccount
from advocacy.accounts.services import fresh_access, mark_reconnect
from advocacy.admin.services import get_settings
from advocacy.content.images import card_image
from advocacy.db import db_guard, session_scope, utcnow
from advocacy.notifications.services import notify
from advocacy.problems import Problem
from advocacy.providers.api import (
    Access,
    AlreadyPosted,
    CannotAsk,
    ContentRejected,
    Outgoing,
    Provider,
    ProviderError,
    Published,
    ReauthRequired,
    UnknownOutcome,
    UsageCapped,
)
from advocacy.providers.registry import API_PROVIDERS, NETWORKS, api_for
from advocacy.sharing.models import OutboxPost, Share
from advocacy.sharing.outbox import budget, states
from advocacy.sharing.services import count_share

log = logging.getLogger(__name__)

BACKOFF_MINUTES = (1, 2, 5, 10, 30, 60, 120)  # then given up: about four hours in all
DUPLICATE_MARGIN = dt.timedelta(minutes=5)  # clocks differ
# Reason codes the person is told about (advocacy.sharing.outbox.words); anything else a
# network says is kept only in its own words.
REASONS = frozenset({"content", "too_long", "duplicate", "config", "version"})
# Outcomes the author is notified of, beside "Your shares".
NOTIFIED = {"in_doubt": "post_in_doubt", "failed": "post_failed", "capped": "post_held"}


def account_for(session: Session, user_id: int | None, network: str) -> SocialAccount | None:
    """The person's current account on the network (reconnecting makes a new one)."""
    return session.scalar(sa.select(SocialAccount).where(
        SocialAccount.user_id == user_id, SocialAccount.network == network))


@dataclass(frozen=True)
class Job:
    """One claimed post and everything the network call needs."""

    post_id: int
    account_id: int
    network: str
    outgoing: Outgoing
    unknown: bool  # an earlier attempt may have posted: settle before sending
    doubted: bool  # some attempt's outcome was open (a duplicate answer means "there")
    withdrawn: bool  # the item is no longer live: settle, but send nothing new
    held: str | None = None  # a budget stop holds it back: settle, but send nothing new


@dataclass
class Attempt:
    """What the network call came to."""

    published: Published | None = None
    by_duplicate: bool = False  # the network refused a duplicate and named the post
    error: ProviderError | None = None
    settled_absent: bool = False  # settling showed the post is not on the network


def send_post(app: Flask, post_id: int, now: dt.datetime | None = None) -> str:
    """Send (or settle) one due post; return what happened: "posted", "retry", "unknown",
    "unreachable", "in_doubt", "failed", "held", "capped", "cancelled", "waiting" or
    "skipped"."""
    now = now or utcnow()
    try:
        with db_guard(app):
            job = _prepare(app, post_id, now)
    except Exception:  # a surprise before anything went out: say so, do not loop on it
        log.exception("post %s could not be prepared", post_id)
        with db_guard(app):
            _give_up(app, post_id, now)
        return "error"
    if isinstance(job, str):
        return job
    attempt = _deliver(app, api_for(job.network, app.config), job, now)
    with db_guard(app), session_scope(app) as session:
        post = session.get(OutboxPost, job.post_id)
        assert post is not None
        if attempt.settled_absent:
            post.outcome_unknown = False
        if attempt.published is not None:
            return _record_published(session, post, attempt, app.config["TIMEZONE"])
        if attempt.error is None and job.held:  # not there, and held back by a budget
            states.failed(post, job.held, None)
            tell_author(session, post, "post_held", utcnow())
            return "held"
        if attempt.error is None:  # settled as not there, and the item is gone
            states.cancelled(post, "withdrawn", None)
            return "cancelled"
        outcome = _record_error(session, post, job, attempt.error, utcnow())
        if outcome in NOTIFIED:
            tell_author(session, post, NOTIFIED[outcome], utcnow())
        return outcome


def _prepare(app: Flask, post_id: int, now: dt.datetime) -> Job | str:
    """Claim the post and gather what the network needs, or say why it is not sent."""
    with session_scope(app) as session:
        if get_settings(session).posting_paused or not states.claim(session, post_id, now):
            return "skipped"
        post = session.get(OutboxPost, post_id)
        assert post is not None
        share = post.share
        withdrawn = share.item.state != "approved"
        if withdrawn and not post.outcome_unknown:
            # Expired, archived, or back in review since it was queued: what was approved
            # then is not approved now.
            states.cancelled(post, "withdrawn", None)
            return "cancelled"
        account = account_for(session, share.user_id, share.network)
        if account is None or account.needs_reconnect:
            states.release(post)  # it waits; the account's status says why
            return "waiting"
        held = budget.held_back(session, share.network, share.full, now)
        if held is not None and not post.outcome_unknown:
            states.failed(post, held, None)
            tell_author(session, post, "post_held", now)
            return "held"
        post.account_id = account.id
        return Job(post.id, account.id, share.network, _outgoing(app, post, share),
                   post.outcome_unknown, post.doubted, withdrawn, held)


def _give_up(app: Flask, post_id: int, now: dt.datetime) -> None:
    """After an unexpected error while preparing: the post fails where nothing went out,
    or goes to its author where an earlier attempt may have (the error is in the log)."""
    with session_scope(app) as session:
        if not states.claim(session, post_id, now):
            return
        post = session.get(OutboxPost, post_id)
        assert post is not None
        if post.outcome_unknown:
            states.in_doubt(post, "unanswered", Problem("unexpected_error"))
        else:
            states.failed(post, "error", None)
        tell_author(session, post, "post_failed", now)


def _outgoing(app: Flask, post: OutboxPost, share: Share) -> Outgoing:
    item = share.item
    image = None
    if share.network == "bluesky":
        try:
            image = card_image(Path(app.config["UPLOAD_DIR"]), item.image_name)
        except Exception:  # a broken upload costs the card its picture, not the post
            log.exception("no card image for post %s", post.id)
    return Outgoing(
        text=share.full, body=share.body, link=share.link, title=item.title,
        summary=item.summary, language=item.language, idempotency_key=post.idempotency_key,
        image=image[0] if image else None, image_type=image[1] if image else None,
        sent_at=post.first_sent_at)


def _deliver(app: Flask, provider: Provider, job: Job, now: dt.datetime) -> Attempt:
    """Settle first after an unknown outcome, then send. On a token the network calls
    expired, renew once (where the network renews tokens) and try again."""
    attempt = Attempt()
    try:
        with db_guard(app):
            access = fresh_access(app, job.account_id)
        for renewal in range(2):
            try:
                return _settle_and_send(provider, access, job, now, attempt)
            except ReauthRequired as exc:
                if renewal or not _renewable(provider, exc):
                    raise
                with db_guard(app):
                    access = fresh_access(app, job.account_id, force=True)
    except ProviderError as exc:
        attempt.error = exc
    except Exception:  # an answer we could not read: the post may exist all the same
        log.exception("post %s: unexpected error while sending", job.post_id)
        attempt.error = UnknownOutcome("unexpected_answer")
    return attempt


def _settle_and_send(provider: Provider, access: Access, job: Job, now: dt.datetime,
                     attempt: Attempt) -> Attempt:
    if job.unknown and not attempt.settled_absent:
        found = provider.settle(access, job.outgoing, now)
        if found is not None:
            attempt.published = found
            return attempt
        attempt.settled_absent = True
        if job.withdrawn or job.held:
            return attempt  # not there, and not to be sent (now)
    try:
        attempt.published = provider.publish(access, job.outgoing)
    except AlreadyPosted as exc:
        if exc.published is not None:
            if not job.doubted:
                # No attempt of ours can have made it: the person posted this text before.
                raise ContentRejected(exc.problem, status=exc.status,
                                      reason="duplicate") from None
            sent = job.outgoing.sent_at
            if exc.created_at is not None and sent is not None \
                    and exc.created_at < sent - DUPLICATE_MARGIN:
                # Older than our first attempt: the same words posted another time.
                raise CannotAsk("duplicate_older", detail=exc.problem.detail,
                                network=provider.network.label,
                                url=exc.published.url) from None
            attempt.published, attempt.by_duplicate = exc.published, True
            return attempt
        # The network has it and did not say which post it is: look it up.
        found = provider.settle(access, job.outgoing, now)
        if found is None:
            raise CannotAsk("duplicate_not_found", detail=exc.problem.detail,
                            network=provider.network.label) from None
        attempt.published = found
    return attempt


def _renewable(provider: Provider, exc: ReauthRequired) -> bool:
    """Renewing helps only where the network renews tokens, and not a revoked one."""
    return provider.capabilities.refresh != "none" and exc.reason != "revoked"


def _record_published(session: Session, post: OutboxPost, attempt: Attempt,
                      timezone: str) -> str:
    assert attempt.published is not None
    if attempt.by_duplicate and session.scalar(sa.select(OutboxPost.id).where(
            OutboxPost.remote_id == attempt.published.remote_id,
            OutboxPost.id != post.id).limit(1)) is not None:
        # The post it duplicates is another share's: this one never went out.
        post.outcome_unknown = False
        states.failed(post, "duplicate", Problem("duplicate", {
            "network": NETWORKS[post.share.network].label}))
        return "failed"
    return record_posted(session, post, attempt.published, utcnow(), timezone)


def record_posted(session: Session, post: OutboxPost, published: Published | None,
                  now: dt.datetime, timezone: str) -> str:
    """The network has the post (or its author saw it there): it counts, and it cost
    what the network bills for a post (the first attempt made it, either way)."""
    share = post.share
    states.posted(post, published, now)
    post.cost = budget.price(share.network, share.full) or None
    count_share(session, share, get_settings(session), now, timezone)
    log.info("post %s published on %s", post.id, share.network)
    return "posted"


def tell_author(session: Session, post: OutboxPost, kind: str, now: dt.datetime) -> None:
    """A post that needs its author (in doubt, failed, held back) is also a notification:
    the person need not be looking at "Your shares" to know."""
    share = post.share
    if share.user_id is None:
        return
    notify(session, share.user_id, kind, "/shares", now, title=share.item.title,
           network=NETWORKS[share.network].label)


def _backoff(attempts: int, now: dt.datetime) -> dt.datetime | None:
    """When to try again after `attempts` tries, or None when it is time to give up."""
    if attempts > len(BACKOFF_MINUTES):
        return None
    return now + dt.timedelta(minutes=BACKOFF_MINUTES[max(attempts, 1) - 1])


def _record_error(session: Session, post: OutboxPost, job: Job, error: ProviderError,
                  now: dt.datetime) -> str:
    """Where the post stands after `error`. The first question is always whether it may be
    on the network: then it is settled (or put to its author), never failed or resent."""
    words, kind = error.problem, error.kind
    if isinstance(error, ReauthRequired):
        account = session.get(SocialAccount, job.account_id)
        if account is not None:
            mark_reconnect(session, account, error.problem)
        states.later(post, error.reason, words, post.run_at)  # until it is reconnected
        return "waiting"
    if isinstance(error, UsageCapped):
        until = error.retry_at or budget.next_month(now)
        budget.stop(session, job.network, "capped", until, now, error.problem)
        if post.outcome_unknown:  # X will not answer before next month: the person looks
            states.in_doubt(post, "unanswered", words)
            return "in_doubt"
        states.failed(post, "capped", words)
        return "capped"
    if isinstance(error, UnknownOutcome):
        if not API_PROVIDERS[job.network].capabilities.lookup:
            states.in_doubt(post, "doubt", words)
            return "in_doubt"
        states.outcome_open(post, "unknown", words, _backoff(post.attempts, now) or now)
        return "unknown"
    if kind == "doubt":
        states.in_doubt(post, "doubt", words)
        return "in_doubt"
    if kind == "lookup" and not post.outcome_unknown:
        # The network said the post exists (a duplicate) and could not say which: settle.
        states.outcome_open(post, "lookup", words, _backoff(post.attempts, now) or now)
        return "unknown"
    if post.outcome_unknown:  # asking (or a safe resend) failed: ask again later
        again = _backoff(post.attempts, now)
        if again is None:
            states.in_doubt(post, "unanswered", words)
            return "in_doubt"
        states.later(post, "lookup", words, max(again, error.retry_at or again))
        return "unknown"
    if kind in ("content", "config", "version", "duplicate"):
        states.failed(post, error.reason if error.reason in REASONS else kind, words)
        return "failed"
    reason = "rate" if kind == "rate" else "transient"
    again = _backoff(post.attempts, now)
    if again is None:
        states.failed(post, reason, words)
        return "failed"
    states.later(post, reason, words, max(again, error.retry_at or again))
    return "retry" if kind == "rate" else "unreachable"
