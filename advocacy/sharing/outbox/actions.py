"""What a person can do with their own posts in "My shares"."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import sqlalchemy as sa
from flask import Flask
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from advocacy.accounts.models import SocialAccount
from advocacy.accounts.services import fresh_access
from advocacy.admin.services import ProgrammeSettings
from advocacy.db import session_scope, utcnow
from advocacy.errors import DomainError
from advocacy.people.models import User
from advocacy.providers.api import ProviderError
from advocacy.providers.registry import API_PROVIDERS, NETWORKS, api_for
from advocacy.sharing.models import OutboxPost, PostState, Share
from advocacy.sharing.outbox import budget, states
from advocacy.sharing.outbox.sender import account_for, record_posted
from advocacy.sharing.services import composition, count_share


def own_post(session: Session, user: User, post_id: int, *,
             to_change: bool = False) -> OutboxPost:
    """The person's own post. `to_change`: locked until the transaction ends, so the job
    cannot claim it between our check of its state and our change (nor can a second click
    of the person change it twice)."""
    post = session.get(OutboxPost, post_id, with_for_update=to_change or None,
                       populate_existing=to_change)
    if post is None or post.share.user_id != user.id:
        raise DomainError(_("This post is not yours."))
    return post


def retry_post(session: Session, user: User, post_id: int,
               now: dt.datetime | None = None) -> OutboxPost:
    """Send a failed post again (the person saw why it failed)."""
    now = now or utcnow()
    post = own_post(session, user, post_id, to_change=True)
    if post.state != PostState.FAILED:
        raise DomainError(_("Only failed posts can be sent again."))
    spent = budget.spend(session, post.share.network, now)
    if spent.stopped and spent.budget is not None and spent.budget.stopped_until:
        raise DomainError(_("Posting to %(network)s by API is paused until %(day)s. Share "
                            "it by link instead.", network=NETWORKS[post.share.network].label,
                            day=spent.budget.stopped_until.date().isoformat()))
    states.queued_again(post, now)
    session.flush()
    return post


def cancel_post(session: Session, user: User, post_id: int) -> OutboxPost:
    post = own_post(session, user, post_id, to_change=True)
    if post.state != PostState.QUEUED:
        raise DomainError(_("Only posts that have not been sent can be cancelled."))
    states.cancelled(post)
    session.flush()
    return post


def looked(session: Session, user: User, post_id: int) -> str:
    """The person is off to look at their profile for a post in doubt; from now on they
    are asked whether it is there. Returns where to look."""
    post = own_post(session, user, post_id, to_change=True)
    if post.state != PostState.IN_DOUBT:
        raise DomainError(_("This post is not waiting for you to look."))
    post.looked_at = utcnow()
    session.flush()
    return profile_url(post.share.network,
                       account_for(session, post.share.user_id, post.share.network))


def profile_url(network: str, account: SocialAccount | None) -> str:
    """Where the person sees their latest posts on the network (built from what we
    stored of their account; LinkedIn's address for "my activity" needs no name)."""
    handle = (account.handle if account else "").lstrip("@")
    if network == "x" and handle:
        return f"https://x.com/{quote(handle)}"
    if network == "mastodon" and account is not None and account.base_url:
        return f"{account.base_url}/@{quote(handle.split('@')[0])}"
    if network == "bluesky" and handle:
        return f"https://bsky.app/profile/{quote(handle)}"
    return "https://www.linkedin.com/in/me/recent-activity/all/"


def confirm_posted(session: Session, user: User, post_id: int, timezone: str,
                   now: dt.datetime | None = None) -> OutboxPost:
    """"It is there": the person found the post in doubt on their profile."""
    post = _doubted_and_looked(session, user, post_id)
    record_posted(session, post, None, now or utcnow(), timezone)
    session.flush()
    return post


def send_again(session: Session, user: User, post_id: int,
               now: dt.datetime | None = None) -> OutboxPost:
    """"Send it again": the person looked and did not find it. Where the network can be
    asked, it is asked once more first (people miss posts; an idempotency key may have
    run out); where it cannot (LinkedIn), it is sent, and a duplicate answer naming the
    post records it as posted instead of sending it twice."""
    post = _doubted_and_looked(session, user, post_id)
    if API_PROVIDERS[post.share.network].capabilities.lookup:
        states.settle_again(post, now or utcnow())
    else:
        states.queued_again(post, now or utcnow())
    session.flush()
    return post


def _doubted_and_looked(session: Session, user: User, post_id: int) -> OutboxPost:
    post = own_post(session, user, post_id, to_change=True)
    if post.state != PostState.IN_DOUBT:
        raise DomainError(_("This post is no longer in doubt."))
    if post.looked_at is None:
        raise DomainError(_("Please look at your profile first."))
    return post


def share_by_link(session: Session, user: User, post_id: int, settings: ProgrammeSettings,
                  timezone: str, now: dt.datetime | None = None) -> str:
    """Post it through the network's share page instead: the post by API is called off,
    the share counts now (as a share by link does), and the share page is returned."""
    now = now or utcnow()
    post = own_post(session, user, post_id, to_change=True)
    looked_and_missed = post.state == PostState.IN_DOUBT and post.looked_at is not None
    if post.state not in (PostState.QUEUED, PostState.FAILED) and not looked_and_missed:
        raise DomainError(_("Only a post that did not go out can be shared by link."))
    if looked_and_missed:
        post.outcome_unknown = False  # the person looked: it is not there
    states.cancelled(post, "by_link", None)
    share = post.share
    share.method = "intent"
    count_share(session, share, settings, now, timezone)
    session.flush()
    return NETWORKS[share.network].intent(composition(share))


def forget_person(session: Session, user_id: int) -> None:
    """A person's data are deleted: their posts by API keep their state and figures (the
    programme's totals stay right) but lose what leads back to them on the network."""
    theirs = sa.select(Share.id).where(Share.user_id == user_id).scalar_subquery()
    session.execute(sa.update(OutboxPost).where(OutboxPost.share_id.in_(theirs)).values(
        remote_id=None, remote_url=None, last_error=None, account_id=None)
        .execution_options(synchronize_session=False))


def delete_post(app: Flask, user: User, post_id: int) -> None:
    """Remove a post from the network (where it allows it) and mark it deleted."""
    with session_scope(app) as session:
        post = own_post(session, user, post_id)
        if post.state != PostState.POSTED or post.deleted_at is not None \
                or post.account_id is None or not post.remote_id:
            raise DomainError(_("Only posts that are online can be deleted."))
        account_id, network, remote_id = post.account_id, post.share.network, post.remote_id
    provider = api_for(network, app.config)
    try:
        access = fresh_access(app, account_id)
        provider.delete(access, remote_id)
    except ProviderError as exc:
        raise DomainError(_("%(network)s did not delete the post: %(reason)s",
                            network=provider.network.label, reason=exc.problem.text())
                          ) from None
    with session_scope(app) as session:
        deleted = session.get(OutboxPost, post_id)
        assert deleted is not None
        deleted.deleted_at = utcnow()
