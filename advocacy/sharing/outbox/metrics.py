"""Reading back the engagement of posts, for 14 days after posting."""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from flask import Flask

from advocacy.accounts.services import fresh_access
from advocacy.db import session_scope, utcnow
from advocacy.providers.api import ProviderError
from advocacy.providers.registry import api_for
from advocacy.sharing.models import OutboxPost, PostState, ShareMetric
from advocacy.sharing.outbox import budget

log = logging.getLogger(__name__)

METRICS_DAYS = 14
METRICS_EVERY = dt.timedelta(hours=6)


def fetch_metrics(app: Flask, now: dt.datetime | None = None, limit: int = 200) -> int:
    """The job: read likes, reposts and replies of posts from the last 14 days (not on a
    network whose API use is stopped for cost: reading is billed too)."""
    now = now or utcnow()
    with session_scope(app) as session:
        stopped = [n for n in budget.billed_networks()
                   if budget.spend(session, n, now).stopped]
        due = [(p.id, p.account_id, p.share.network, p.remote_id) for p in session.scalars(
            sa.select(OutboxPost).where(
                OutboxPost.state == PostState.POSTED, OutboxPost.deleted_at.is_(None),
                OutboxPost.posted_at > now - dt.timedelta(days=METRICS_DAYS),
                OutboxPost.account_id.is_not(None), OutboxPost.remote_id.is_not(None),
                sa.or_(OutboxPost.metrics_at.is_(None),
                       OutboxPost.metrics_at < now - METRICS_EVERY))
            .order_by(OutboxPost.metrics_at.nullsfirst(), OutboxPost.id).limit(limit))
            if p.share.network not in stopped]
    fetched = 0
    for post_id, account_id, network, remote_id in due:
        assert account_id is not None  # selected so
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
