"""Putting a post in the outbox: checked now, sent by the job when it is due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from advocacy.accounts.models import SocialAccount
from advocacy.admin.services import ProgrammeSettings
from advocacy.content.models import ContentItem
from advocacy.db import utcnow
from advocacy.errors import DomainError
from advocacy.people.models import User
from advocacy.providers.keys import new_post_key
from advocacy.providers.registry import NETWORKS
from advocacy.sharing.models import OutboxPost, PostState, Share
from advocacy.sharing.services import as_sent, new_share, too_long

MAX_AHEAD = dt.timedelta(days=31)


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
    error = too_long(account.network, as_sent(share), account.char_limit, account.url_length)
    if error is not None:
        raise error
    share.posted_at = None
    session.add(OutboxPost(share=share, account_id=account.id, state=PostState.QUEUED,
                           idempotency_key=new_post_key(),
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
               OutboxPost.state.in_([PostState.QUEUED, PostState.SENDING, PostState.POSTED]),
               OutboxPost.run_at > run_at - gap).order_by(OutboxPost.run_at))
    slot = run_at
    for other in taken:
        if other >= slot + gap:
            break  # a free slot: everything after is later still
        slot = max(slot, other + gap)
    return slot
