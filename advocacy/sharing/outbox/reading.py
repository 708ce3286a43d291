"""The outbox as people read it: what waits, and where each post stands."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.accounts.models import SocialAccount
from advocacy.db import utcnow
from advocacy.problems import stored_text
from advocacy.providers.registry import NETWORKS
from advocacy.sharing.models import OutboxPost, PostState, Share
from advocacy.sharing.outbox.words import account_problem, explain


def waiting_counts(session: Session, now: dt.datetime | None = None) -> dict[str, int]:
    """How many posts wait: due now, scheduled for later, waiting for a reconnection (the
    account's status says so, not the post), being settled, in doubt, failed."""
    now = now or utcnow()
    account = sa.orm.aliased(SocialAccount)
    queued = OutboxPost.state == PostState.QUEUED
    held = sa.or_(account.id.is_(None), account.status != "active")
    rows = session.execute(
        sa.select(
            sa.func.count().filter(queued, ~held, OutboxPost.run_at <= now),
            sa.func.count().filter(queued, ~held, OutboxPost.run_at > now),
            sa.func.count().filter(queued, held),
            sa.func.count().filter(OutboxPost.state.in_((PostState.UNKNOWN,
                                                         PostState.SENDING))),
            sa.func.count().filter(OutboxPost.state == PostState.IN_DOUBT),
            sa.func.count().filter(OutboxPost.state == PostState.FAILED))
        .select_from(OutboxPost).join(Share, Share.id == OutboxPost.share_id)
        .outerjoin(account, sa.and_(account.user_id == Share.user_id,
                                    account.network == Share.network))).one()
    return dict(zip(("due", "scheduled", "waiting", "settling", "in_doubt", "failed"), rows,
                    strict=True))


@dataclass(frozen=True)
class Standing:
    """Where one post stands, as "My shares" shows it."""

    state: str  # a PostState, or "waiting" (for a reconnection), derived from the account
    sentence: str  # what it means and what to do next, in the reader's language
    words: str  # what happened, in the reader's language (the network's own words quoted)


def standing(post: OutboxPost, accounts: dict[str, SocialAccount]) -> Standing:
    network = post.share.network
    label = NETWORKS[network].label if network in NETWORKS else network
    account = accounts.get(network)
    waits_for = (PostState.QUEUED, PostState.UNKNOWN, PostState.SENDING)
    if post.state in waits_for and (account is None or account.needs_reconnect):
        # Revoked or expired: say which (the network's words follow); then what happens.
        why = account_problem(post.error_kind, label) \
            if post.error_kind in ("revoked", "expired") else ""
        return Standing("waiting", " ".join(filter(None, (why, explain(post, label, "")))),
                        stored_text(account.last_error, network=label)
                        if account is not None else "")
    return Standing(post.state, explain(post, label),
                    stored_text(post.last_error, network=label))
