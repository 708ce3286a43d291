"""Posting by API: the outbox and the job that empties it.

The share sheet queues a post (now, or up to 31 days ahead); the job sends what is due.
Each post is sent outside any database transaction: claimed in one, sent, then recorded in
another, so a slow network never holds a lock and a crash in between is recognised (a
claim left behind means the outcome is unknown). Nothing is sent twice: Mastodon gets an
idempotency key, X and Bluesky are asked whether the post exists before it is sent again,
and LinkedIn, which cannot be asked, is not sent again without the person's decision.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from advocacy.accounts.models import SocialAccount
from advocacy.accounts.services import fresh_access, mark_reconnect
from advocacy.admin.services import ProgrammeSettings, get_settings
from advocacy.content.images import card_image
from advocacy.content.models import ContentItem, ShareText
from advocacy.db import session_scope, utcnow
from advocacy.engagement.services import award
from advocacy.errors import DomainError
from advocacy.people.models import User
from advocacy.providers.api import (
    Access,
    Outgoing,
    Provider,
    ProviderError,
    Published,
    RateLimited,
    ReauthRequired,
    UnknownOutcome,
)
from advocacy.providers.base import Composition
from advocacy.providers.counting import measure
from advocacy.providers.registry import API_PROVIDERS, NETWORKS, api_for
from advocacy.sharing.models import OutboxPost, Share, ShareMetric
from advocacy.sharing.services import first_share_of, new_share

log = logging.getLogger(__name__)

MAX_AHEAD = dt.timedelta(days=31)
STALE_CLAIM = dt.timedelta(minutes=10)  # a claim this old means the sender died mid-way
BACKOFF_MINUTES = (1, 2, 5, 10, 30, 60, 120)  # then failed: about four hours in all
METRICS_DAYS = 14
METRICS_EVERY = dt.timedelta(hours=6)


@dataclass(frozen=True)
class PostRequest:
    account: SocialAccount
    text: str
    share_text_id: int | None
    run_at: dt.datetime | None = None  # None: now


def queue_post(session: Session, user: User, item: ContentItem, request: PostRequest,
               settings: ProgrammeSettings, link_for: Callable[[str], str],
               now: dt.datetime | None = None) -> Share:
    """A share posted by the job from the person's account: checked now, sent when due."""
    now = now or utcnow()
    account = request.account
    if account.user_id != user.id:
        raise DomainError(_("This account is not yours."))
    if account.needs_reconnect:
        raise DomainError(_("Your %(network)s account needs reconnecting first (profile).",
                            network=NETWORKS[account.network].label))
    run_at = request.run_at or now
    if run_at > now + MAX_AHEAD:
        raise DomainError(_("Shares can be scheduled up to 31 days ahead."))
    if run_at < now - dt.timedelta(minutes=1):
        raise DomainError(_("The time to post has passed; choose a later one."))
    share = new_share(session, user, item, account.network, request.text, request.share_text_id,
                      settings, link_for, method="api", now=now)
    size = measure(account.network, share.text, limit=account.char_limit)
    if size.over:
        raise DomainError(_("Your text is too long for %(network)s: %(used)d of %(limit)d "
                            "(including the disclosure line and the link). Please shorten it.",
                            network=NETWORKS[account.network].label, used=size.used,
                            limit=size.limit or 0))
    share.followers = account.followers
    share.posted_at = None
    session.add(OutboxPost(share=share, account_id=account.id, state="queued",
                           idempotency_key=uuid.uuid4().hex,
                           run_at=_staggered(session, item.id, user.id, run_at, settings),
                           created_at=now))
    session.flush()
    return share


def _staggered(session: Session, item_id: int, user_id: int, run_at: dt.datetime,
               settings: ProgrammeSettings) -> dt.datetime:
    """With a stagger set, the first slot from `run_at` on that is at least the stagger
    away from colleagues' posts of the same item (one's own posts to several networks
    may go together)."""
    gap = dt.timedelta(minutes=settings.stagger_minutes)
    if not gap:
        return run_at
    taken = session.scalars(
        sa.select(OutboxPost.run_at).join(Share, Share.id == OutboxPost.share_id)
        .where(Share.item_id == item_id, Share.user_id != user_id,
               OutboxPost.state.in_(["queued", "sending", "posted"]),
               OutboxPost.run_at > run_at - gap).order_by(OutboxPost.run_at))
    slot = run_at
    for other in taken:
        if other >= slot + gap:
            break  # a free slot: everything after is later still
        slot = max(slot, other + gap)
    return slot


def due_posts(session: Session, now: dt.datetime, limit: int = 50) -> list[int]:
    """Queued posts whose time has come, and claims abandoned by a crashed sender."""
    return list(session.scalars(
        sa.select(OutboxPost.id).where(sa.or_(
            sa.and_(OutboxPost.state == "queued", OutboxPost.run_at <= now),
            sa.and_(OutboxPost.state == "sending", OutboxPost.claimed_at < now - STALE_CLAIM)))
        .order_by(OutboxPost.run_at, OutboxPost.id).limit(limit)))


def _claim(session: Session, post_id: int, now: dt.datetime) -> bool:
    """Take a post for sending; False when someone else did. A stale claim is taken over
    with the outcome marked unknown: the previous sender may have posted."""
    table = OutboxPost.__table__
    result = session.execute(
        sa.update(table).where(table.c.id == post_id, sa.or_(
            table.c.state == "queued",
            sa.and_(table.c.state == "sending", table.c.claimed_at < now - STALE_CLAIM)))
        .values(outcome_unknown=sa.or_(table.c.outcome_unknown, table.c.state == "sending"),
                state="sending", claimed_at=now, attempts=table.c.attempts + 1))
    return bool(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Job:
    post_id: int
    account_id: int | None
    network: str
    outgoing: Outgoing
    unknown: bool
    attempts: int


def _prepare(app: Flask, post_id: int, now: dt.datetime) -> _Job | str:
    """Claim the post and gather what the network needs, or say why it is not sent."""
    with session_scope(app) as session:
        if get_settings(session).posting_paused or not _claim(session, post_id, now):
            return "skipped"
        post = session.get(OutboxPost, post_id)
        assert post is not None
        share, item = post.share, post.share.item
        if item.state != "approved":
            # Expired, archived, or back in review since it was scheduled: what was
            # approved then is not approved now.
            post.state, post.claimed_at, post.error_kind = "cancelled", None, "withdrawn"
            post.last_error = "The item was withdrawn before the post went out."
            return "cancelled"
        image = None
        if share.network == "bluesky":
            image = card_image(Path(app.config["UPLOAD_DIR"]), item.image_name)
        link = share.text.rsplit("\n", 1)[-1]
        outgoing = Outgoing(
            text=share.text, body=share.text.rsplit("\n", 1)[0], link=link, title=item.title,
            summary=item.summary, language=item.language,
            idempotency_key=post.idempotency_key, image=image[0] if image else None,
            image_type=image[1] if image else None)
        return _Job(post.id, post.account_id, share.network, outgoing, post.outcome_unknown,
                    post.attempts)


def send_post(app: Flask, post_id: int, now: dt.datetime | None = None) -> str:
    """Send one queued post; return what happened ("posted", "retry", "failed", ...)."""
    now = now or utcnow()
    job = _prepare(app, post_id, now)
    if isinstance(job, str):
        return job
    if job.account_id is None:
        return _record(app, job, error=ReauthRequired(_("The account was disconnected.")))
    provider = api_for(job.network, app.config)
    try:
        access = fresh_access(app, job.account_id)
        published = _deliver(app, provider, access, job)
    except ProviderError as exc:
        return _record(app, job, error=exc)
    return _record(app, job, published=published)


def _deliver(app: Flask, provider: Provider, access: Access, job: _Job) -> Published:
    """Look first after an unknown outcome; on an expired token, renew once and retry."""
    for attempt in range(2):
        try:
            if job.unknown:
                if not provider.capabilities.lookup:
                    raise UnknownOutcome(_(
                        "%(network)s did not confirm the post and cannot be asked whether it "
                        "exists. Look at your profile; retry only if it is not there.",
                        network=provider.network.label))
                found = provider.find(access, job.outgoing)
                if found is not None:
                    return found
            return provider.publish(access, job.outgoing)
        except ReauthRequired:
            if attempt or job.account_id is None:
                raise
            access = fresh_access(app, job.account_id, force=True)
    raise AssertionError("unreachable")


def _record(app: Flask, job: _Job, *, published: Published | None = None,
            error: ProviderError | None = None) -> str:
    now = utcnow()
    with session_scope(app) as session:
        post = session.get(OutboxPost, job.post_id)
        assert post is not None
        post.claimed_at = None
        if published is not None:
            return record_posted(session, post, published, now, app.config["TIMEZONE"])
        assert error is not None
        post.last_error, post.error_kind = error.message[:500], error.kind
        if isinstance(error, ReauthRequired):
            account = session.get(SocialAccount, job.account_id) if job.account_id else None
            if account is not None:
                mark_reconnect(session, account, error.message)
            post.state = "blocked"
            return "blocked"
        if isinstance(error, UnknownOutcome) and not API_PROVIDERS[
                job.network].capabilities.lookup:
            # Sending again could post twice; the person looks, and retries if need be.
            post.state, post.outcome_unknown = "failed", True
            post.last_error = (f"{error.message} It cannot be asked whether the post arrived. "
                               "Look at your profile; retry only if it is not there.")[:500]
            return "failed"
        if isinstance(error, UnknownOutcome):
            post.state, post.outcome_unknown = "queued", True
            post.run_at = now + dt.timedelta(minutes=1)
            return "retry"
        if error.kind in ("content", "config", "version") or \
                job.attempts > len(BACKOFF_MINUTES):
            post.state = "failed"
            return "failed"
        post.state = "queued"
        backoff = now + dt.timedelta(minutes=BACKOFF_MINUTES[job.attempts - 1])
        post.run_at = max(backoff, error.retry_at) if isinstance(error, RateLimited) \
            and error.retry_at else backoff
        return "retry"


def record_posted(session: Session, post: OutboxPost, published: Published, now: dt.datetime,
                  timezone: str) -> str:
    """The network confirmed the post: now it counts, for the item and in points."""
    share = post.share
    first = first_share_of(session, share.user_id, excluding=share.id)
    post.state, post.remote_id, post.remote_url = "posted", published.remote_id, published.url
    post.posted_at, share.posted_at = now, now
    post.last_error = post.error_kind = None
    post.outcome_unknown = False
    if share.share_text_id is not None:
        session.execute(sa.update(ShareText).where(ShareText.id == share.share_text_id)
                        .values(times_used=ShareText.times_used + 1))
    session.execute(sa.update(ContentItem).where(ContentItem.id == share.item_id)
                    .values(share_count=ContentItem.share_count + 1))
    if share.user_id is not None:
        settings = get_settings(session)
        award(session, share.user_id, "share", "share", share.id, settings, now, timezone)
        if first:
            award(session, share.user_id, "first_share", "share", share.id, settings, now,
                  timezone)
    log.info("post %s published on %s", post.id, share.network)
    return "posted"


def process_outbox(app: Flask, now: dt.datetime | None = None) -> dict[str, int]:
    """The job: send every due post (nothing while posting is paused)."""
    now = now or utcnow()
    with session_scope(app) as session:
        if get_settings(session).posting_paused:
            return {"paused": 1}
        ids = due_posts(session, now)
    outcomes: dict[str, int] = {}
    with app.app_context():  # a reconnect mail is written in the person's language
        for post_id in ids:
            outcome = send_post(app, post_id, now)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def waiting_counts(session: Session, now: dt.datetime | None = None) -> dict[str, int]:
    """How many posts wait: due now, scheduled for later, held for a reconnection."""
    now = now or utcnow()
    rows = session.execute(sa.select(
        sa.func.count().filter(OutboxPost.state == "queued", OutboxPost.run_at <= now),
        sa.func.count().filter(OutboxPost.state == "queued", OutboxPost.run_at > now),
        sa.func.count().filter(OutboxPost.state == "blocked"),
        sa.func.count().filter(OutboxPost.state == "failed"))).one()
    return dict(zip(("due", "scheduled", "blocked", "failed"), rows, strict=True))


def own_post(session: Session, user: User, post_id: int) -> OutboxPost:
    post = session.get(OutboxPost, post_id)
    if post is None or post.share.user_id != user.id:
        raise DomainError(_("This post is not yours."))
    return post


def retry_post(session: Session, user: User, post_id: int) -> OutboxPost:
    """Send a failed post again (after an unknown outcome it is looked for first)."""
    post = own_post(session, user, post_id)
    if post.state != "failed":
        raise DomainError(_("Only failed posts can be sent again."))
    post.state, post.run_at, post.attempts = "queued", utcnow(), 0
    post.last_error = post.error_kind = None  # "My shares" shows it queued, not delayed
    if post.outcome_unknown and not API_PROVIDERS[post.share.network].capabilities.lookup:
        post.outcome_unknown = False  # the person looked and decided: send it
    session.flush()
    return post


def cancel_post(session: Session, user: User, post_id: int) -> OutboxPost:
    post = own_post(session, user, post_id)
    if post.state not in ("queued", "blocked"):
        raise DomainError(_("Only posts that have not been sent can be cancelled."))
    post.state = "cancelled"
    session.flush()
    return post


def delete_post(app: Flask, user: User, post_id: int) -> None:
    """Remove a post from the network (where it allows it) and mark it deleted."""
    with session_scope(app) as session:
        post = own_post(session, user, post_id)
        if post.state != "posted" or post.deleted_at is not None or post.account_id is None:
            raise DomainError(_("Only posts that are online can be deleted."))
        account_id, network, remote_id = post.account_id, post.share.network, post.remote_id
    provider = api_for(network, app.config)
    try:
        access = fresh_access(app, account_id)
        provider.delete(access, remote_id or "")
    except ProviderError as exc:
        raise DomainError(_("%(network)s did not delete the post: %(reason)s",
                            network=provider.network.label, reason=exc.message)) from None
    with session_scope(app) as session:
        post = session.get(OutboxPost, post_id)
        assert post is not None
        post.deleted_at = utcnow()


def fetch_metrics(app: Flask, now: dt.datetime | None = None, limit: int = 200) -> int:
    """The job: read likes, reposts and replies of posts from the last 14 days."""
    now = now or utcnow()
    with session_scope(app) as session:
        due = [(p.id, p.account_id, p.share.network, p.remote_id) for p in session.scalars(
            sa.select(OutboxPost).where(
                OutboxPost.state == "posted", OutboxPost.deleted_at.is_(None),
                OutboxPost.posted_at > now - dt.timedelta(days=METRICS_DAYS),
                OutboxPost.account_id.is_not(None),
                sa.or_(OutboxPost.metrics_at.is_(None),
                       OutboxPost.metrics_at < now - METRICS_EVERY))
            .order_by(OutboxPost.metrics_at.nullsfirst(), OutboxPost.id).limit(limit))]
    fetched = 0
    for post_id, account_id, network, remote_id in due:
        provider = api_for(network, app.config)
        try:
            numbers = provider.metrics(fresh_access(app, account_id), remote_id or "")
        except ProviderError as exc:
            log.info("no metrics for post %s: %s", post_id, exc.message)
            continue
        with session_scope(app) as session:
            post = session.get(OutboxPost, post_id)
            assert post is not None
            post.metrics_at, post.metrics_note = now, numbers.note
            if numbers.note is None:
                post.likes, post.reposts = numbers.likes, numbers.reposts
                post.replies, post.impressions = numbers.replies, numbers.impressions
                session.add(ShareMetric(share_id=post.share_id, fetched_at=now,
                                        likes=numbers.likes, reposts=numbers.reposts,
                                        replies=numbers.replies,
                                        impressions=numbers.impressions))
        fetched += 1
    return fetched


def error_explanations() -> dict[str, str]:
    """What each kind of failure means for the person, in their language (the network's
    own words are shown too, as they came)."""
    return {
        "auth": _("The network no longer accepts your account's access: reconnect it."),
        "rate": _("The network asked us to slow down; the post will be sent again later."),
        "content": _("The network refused the post."),
        "transient": _("The network could not be reached."),
        "unknown": _("The network did not confirm the post. Look at your profile first "
                     "and try again only if it is not there."),
        "version": _("The network no longer supports the API version set up here; an "
                     "administrator needs to update it."),
        "config": _("The server's address is refused by our security rules."),
        "withdrawn": _("Communications withdrew the item before the post went out."),
    }


def intent_fallback(share: Share, settings: ProgrammeSettings) -> str:
    """The network's share page for a post that could not be sent by API."""
    body = share.text.rsplit("\n", 1)
    composition = Composition(text=body[0], disclosure="", link=body[-1],
                              title=share.item.title)
    return NETWORKS[share.network].intent(composition)
