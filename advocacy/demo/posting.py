"""Demo posting by API: connected accounts, posts in every state, engagement the networks
reported, a scheduled post, and a draft waiting for the executive.

The accounts point at `social.example` and `bsky.example`, which do not exist: the demo
shows what posting looks like without pretending that anything reaches a network. When
the scheduled post falls due, the job reports honestly that the server cannot be reached.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.accounts.models import SocialAccount
from advocacy.admin.services import ProgrammeSettings
from advocacy.content.models import ContentItem
from advocacy.crypto import Vault, parse_keys
from advocacy.demo.activity import add_clicks
from advocacy.people.models import User
from advocacy.problems import Problem
from advocacy.providers.api import Published
from advocacy.providers.registry import NETWORKS
from advocacy.sharing.models import ExecutiveDraft, NetworkBudget, OutboxPost, Share, ShareMetric
from advocacy.sharing.outbox import PostRequest, queue_post, record_posted, states
from advocacy.sharing.services import suggested_text, visible_item

# email: [(network, server, handle, followers, status)]
ACCOUNTS = {
    "employee@example.com": [
        ("mastodon", "https://social.example", "@emma@social.example", 240, "active"),
        ("bluesky", "https://bsky.example", "emma.bsky.example", 180, "reconnect")],
    "sme@example.com": [
        ("mastodon", "https://social.example", "@samuel@social.example", 1850, "active"),
        ("bluesky", "https://bsky.example", "samuel.bsky.example", 960, "active")],
    "exec@example.com": [
        ("mastodon", "https://social.example", "@eva@social.example", 5400, "active")],
}
POSTS_EACH = 3


def load_posting(session: Session, settings: ProgrammeSettings, config: Mapping[str, Any],
                 now: dt.datetime, seed: int = 4) -> int:
    """Accounts, posts and a draft for the demo logins; nothing when accounts exist."""
    if session.scalar(sa.select(SocialAccount.id).limit(1)) is not None:
        return 0
    rng = random.Random(seed)  # noqa: S311 - demo data
    box = Vault(parse_keys(config["TOKEN_KEYS"]))
    people = {u.email: u for u in session.scalars(sa.select(User).where(
        User.email.in_([*ACCOUNTS, "comms@example.com"])))}
    items = list(session.scalars(sa.select(ContentItem).where(ContentItem.state == "approved")
                                 .order_by(ContentItem.id)))
    link_for = _link_maker(config["BASE_URL"])
    posted: list[Share] = []
    for email, accounts in ACCOUNTS.items():
        person = people[email]
        connected = [_account(session, box, person, spec, now) for spec in accounts]
        active = [a for a in connected if a.status == "active"]
        for number in range(POSTS_EACH):
            when = now - dt.timedelta(days=rng.uniform(2, 60), hours=rng.uniform(0, 6))
            item = _item_for(session, person, items, when, rng)
            if item is not None:
                posted.append(_posted(session, rng, person, item, active[number % len(active)],
                                      settings, link_for, (when, now), config["TIMEZONE"]))
    _waiting(session, people["employee@example.com"], items, settings, link_for, now)
    _budget(session)
    _draft(session, people["comms@example.com"], people["exec@example.com"], items, now)
    _suggest_time(items, now, config["TIMEZONE"])
    add_clicks(session, rng, now, posted, settings, config["TIMEZONE"])
    return len(posted)


def _link_maker(base_url: str) -> Any:
    return lambda code: f"{base_url}/r/{code}"


def _account(session: Session, box: Vault, person: User, spec: tuple[str, str, str, int, str],
             now: dt.datetime) -> SocialAccount:
    network, server, handle, followers, status = spec
    account = SocialAccount(
        user_id=person.id, network=network, base_url=server, handle=handle,
        external_id=f"demo-{uuid.uuid4().hex[:12]}", display_name=person.name,
        followers=followers, followers_at=now, status="active",
        created_at=now - dt.timedelta(days=75))
    session.add(account)
    session.flush()
    account.access_token_enc = box.seal(f"account:{account.id}:access_token",
                                        "demo token, not valid anywhere")
    account.user = person
    if status == "reconnect":
        account.last_error = Problem("refused_access", {
            "network": NETWORKS[network].label}, "The session was revoked.").dump(500)
    return account


def _item_for(session: Session, person: User, items: list[ContentItem], when: dt.datetime,
              rng: random.Random) -> ContentItem | None:
    candidates = [i for i in items if i.live_from is not None and i.live_from <= when]
    rng.shuffle(candidates)
    for item in candidates:
        if visible_item(session, person, item.id, now=when) is not None:
            return item
    return None


def _text(item: ContentItem, person: User, network: str) -> tuple[str, int | None]:
    suggestion = suggested_text(item, person, network)
    return (suggestion.text, suggestion.id) if suggestion else (item.title, None)


def _posted(session: Session, rng: random.Random, person: User, item: ContentItem,
            account: SocialAccount, settings: ProgrammeSettings, link_for: Any,
            times: tuple[dt.datetime, dt.datetime], timezone: str) -> Share:
    """A post the network confirmed, and what it reported over the following days (up to
    now: metrics are fetched for 14 days)."""
    when, now = times
    text, text_id = _text(item, person, account.network)
    share = queue_post(session, person, item, PostRequest(account, text, text_id), settings,
                       link_for, now=when)
    post = share.post
    assert post is not None
    states.claim(session, post.id, when)
    session.refresh(post)
    remote = f"{account.base_url}/demo/{share.code}"
    record_posted(session, post, Published(remote, remote), when + dt.timedelta(seconds=20),
                  timezone)
    likes = reposts = replies = 0
    for day in (1, 3, 7, 14):
        fetched = when + dt.timedelta(days=day)
        if fetched > now:
            break
        likes += rng.randint(0, 12)
        reposts += rng.randint(0, 3)
        replies += rng.randint(0, 2)
        session.add(ShareMetric(share_id=share.id, fetched_at=fetched, likes=likes,
                                reposts=reposts, replies=replies))
        post.likes, post.reposts, post.replies, post.metrics_at = likes, reposts, replies, \
            fetched
    return share


def _waiting(session: Session, person: User, items: list[ContentItem],
             settings: ProgrammeSettings, link_for: Any, now: dt.datetime) -> None:
    """Emma's posts in the states people meet: scheduled, failed, waiting for her Bluesky
    account, being checked after the server did not answer, and one in doubt that she is
    asked to look for."""
    mastodon, bluesky = sorted(
        session.scalars(sa.select(SocialAccount).where(SocialAccount.user_id == person.id)),
        key=lambda a: a.network != "mastodon")
    visible = [i for i in items if visible_item(session, person, i.id, now=now) is not None]
    if len(visible) < 5:
        return

    def queued(item: ContentItem, account: SocialAccount, at: dt.datetime) -> OutboxPost:
        text, text_id = _text(item, person, account.network)
        post = queue_post(session, person, item, PostRequest(account, text, text_id),
                          settings, link_for, at).post
        assert post is not None
        states.claim(session, post.id, at)
        session.refresh(post)
        return post

    text, text_id = _text(visible[0], person, "mastodon")
    queue_post(session, person, visible[0], PostRequest(
        mastodon, text, text_id, now + dt.timedelta(days=3, hours=2)), settings, link_for, now)

    failed = queued(visible[1], mastodon, now - dt.timedelta(days=1))
    failed.attempts = 8
    states.failed(failed, "transient", Problem("unreachable", {"network": "Mastodon"},
                                               "social.example did not answer"))

    text, text_id = _text(visible[2], person, "bluesky")
    queue_post(session, person, visible[2], PostRequest(bluesky, text, text_id), settings,
               link_for, now - dt.timedelta(hours=5))
    bluesky.status = "reconnect"  # so that post waits: the account says why

    checking = queued(visible[3], mastodon, now - dt.timedelta(minutes=40))
    states.outcome_open(checking, "unknown", Problem("timeout", {"network": "Mastodon"}),
                        now + dt.timedelta(minutes=5))

    doubt = queued(visible[4], mastodon, now - dt.timedelta(hours=6))
    states.in_doubt(doubt, "doubt", Problem(
        "lookup_failed", {"network": "Mastodon"},
        cause=Problem("unavailable_status", {"network": "Mastodon", "status": 502})))


def _budget(session: Session) -> None:
    """X bills every post by API: the admins have set a monthly budget for it."""
    session.add(NetworkBudget(network="x", monthly_posts=300, monthly_amount=Decimal("60")))


def _suggest_time(items: list[ContentItem], now: dt.datetime, timezone: str) -> None:
    """Communications suggests tomorrow morning for the newest live item: its share sheet
    offers that time to whoever schedules."""
    tomorrow = (now.astimezone(ZoneInfo(timezone)) + dt.timedelta(days=1)).replace(
        hour=8, minute=30, second=0, microsecond=0).astimezone(dt.UTC)
    for item in sorted(items, key=lambda i: i.live_from or now, reverse=True):
        if item.live_from and item.live_from <= now and (
                item.expire_at is None or item.expire_at > tomorrow):
            item.suggested_post_at = tomorrow
            return


def _draft(session: Session, author: User, executive: User, items: list[ContentItem],
           now: dt.datetime) -> None:
    """A post communications prepared for the executive, waiting for her approval."""
    shared = set(session.scalars(sa.select(Share.item_id).where(Share.user_id == executive.id)))
    for item in items:
        if item.id not in shared and visible_item(session, executive, item.id, now=now):
            session.add(ExecutiveDraft(
                item=item, executive_id=executive.id, author_id=author.id,
                network="mastodon", post_at=now + dt.timedelta(days=1, hours=3),
                text=(f"{item.title}: Darauf bin ich stolz. Danke an alle, die daran "
                      "mitgearbeitet haben."),
                note="Passt zur Rede am Donnerstag. Gern in eigenen Worten.", created_at=now))
            return

