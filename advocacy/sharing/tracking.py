"""Tracked links: the redirect (hot path) and the job that judges the clicks it stored.

The redirect does as little as possible: it finds the share by its code (cached in the
process: a share's target never changes), stores one row for a human visitor, and answers
302. Whether the click counts (the first visit of that visitor within 24 hours), the
counters, and the sharer's point are settled by `process_clicks`, a job that reads the new
rows in id order from a bookmark, so its cost per run does not depend on the table size.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from advocacy.admin.services import ProgrammeSettings
from advocacy.content.models import ContentItem
from advocacy.core.models import JobState
from advocacy.engagement.services import award
from advocacy.sharing.models import Click, Share

log = logging.getLogger(__name__)

# Link-preview fetchers and crawlers: redirected like everyone, never counted.
BOT_PATTERN = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|preview|facebookexternalhit|facebookcatalog|linkedinbot|"
    r"twitterbot|slackbot|slack-imgproxy|mastodon|bluesky|cardyb|whatsapp|discordbot|"
    r"telegrambot|skypeuripreview|embedly|applebot|googlebot|bingbot|yandex|baiduspider|"
    r"duckduckbot|headlesschrome|curl/|wget/|python-requests|python-urllib|httpx|aiohttp|"
    r"go-http-client|okhttp|java/|libwww|scrapy|node-fetch|axios/",
    re.IGNORECASE,
)
DEDUP_WINDOW = dt.timedelta(hours=24)


def is_bot(user_agent: str) -> bool:
    return not user_agent.strip() or bool(BOT_PATTERN.search(user_agent))


@dataclass(frozen=True)
class ShareTarget:
    share_id: int
    user_id: int | None
    network: str
    code: str
    target_url: str
    utm_campaign: str | None


class TargetCache:
    """A bounded, thread-safe cache of share targets, kept per app (per process)."""

    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self._items: OrderedDict[str, ShareTarget] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, code: str) -> ShareTarget | None:
        with self._lock:
            target = self._items.get(code)
            if target is not None:
                self._items.move_to_end(code)
            return target

    def put(self, target: ShareTarget) -> None:
        with self._lock:
            self._items[target.code] = target
            if len(self._items) > self.size:
                self._items.popitem(last=False)


def resolve(connection: Connection, cache: TargetCache, code: str) -> ShareTarget | None:
    """The share behind a tracked code, or None for an unknown code."""
    if not (code.isascii() and code.isalnum() and len(code) <= 16):
        return None  # not a code we ever issued; keep odd bytes away from the database
    target = cache.get(code)
    if target is not None:
        return target
    table = Share.__table__
    row = connection.execute(
        sa.select(table.c.id, table.c.user_id, table.c.network, table.c.target_url,
                  table.c.utm_campaign).where(table.c.code == code)).first()
    if row is None:
        return None
    target = ShareTarget(row.id, row.user_id, row.network, code, row.target_url,
                         row.utm_campaign)
    cache.put(target)
    return target


def destination(target: ShareTarget, utm_medium: str) -> str:
    """The stored URL with our UTM parameters merged into its own query.

    Only the stored URL's scheme, host and path are used: nothing in the request can
    change where the visitor ends up.
    """
    parts = urlsplit(target.target_url)
    ours = {"utm_source": target.network, "utm_medium": utm_medium,
            "utm_content": target.code}
    if target.utm_campaign:
        ours["utm_campaign"] = target.utm_campaign
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ours]
    return urlunsplit(parts._replace(query=urlencode(kept + list(ours.items()))))


def visitor_hashes(secret: str, address: str, user_agent: str,
                   now: dt.datetime) -> tuple[str, str]:
    """The visitor's hash with today's salt, and with yesterday's (for the 24-hour check
    across midnight). Salts derive from the secret key and the date; raw values never
    leave this function."""
    def salted(day: dt.date) -> str:
        salt = hmac.new(secret.encode(), f"click-salt:{day.isoformat()}".encode(),
                        hashlib.sha256).digest()
        return hmac.new(salt, f"{address}\n{user_agent}".encode(),
                        hashlib.sha256).hexdigest()[:32]

    today = now.astimezone(dt.UTC).date()
    return salted(today), salted(today - dt.timedelta(days=1))


def record_click(connection: Connection, target: ShareTarget, hashes: tuple[str, str],
                 now: dt.datetime) -> None:
    """Store one visit, not yet judged (the caller commits)."""
    connection.execute(sa.insert(Click.__table__).values(
        share_id=target.share_id, network=target.network, clicked_at=now,
        visitor_hash=hashes[0], visitor_hash_prev=hashes[1]))


BOOKMARK = "clicks"


def process_clicks(session: Session, settings: ProgrammeSettings, timezone: str,
                   batch: int = 2000) -> int:
    """Judge the clicks stored since the last run; return how many were looked at.

    A click counts unless the same visitor (same hash, or yesterday's hash for a visit
    across midnight) already has a counted click on this share within the 24 hours
    before it. Counted clicks raise the share's and the item's counters and give the
    sharer their point. Idempotent: the bookmark moves in the same transaction.
    """
    state = session.get(JobState, BOOKMARK) or JobState(key=BOOKMARK, value=0)
    session.add(state)
    clicks = list(session.scalars(
        sa.select(Click).where(Click.id > state.value).order_by(Click.id).limit(batch)))
    per_share: dict[int, int] = {}
    for click in clicks:
        click.counted = not _seen_before(session, click)
        session.flush()  # later clicks of this batch must see this verdict
        if click.counted:
            per_share[click.share_id] = per_share.get(click.share_id, 0) + 1
    if per_share:
        _raise_counters(session, per_share, settings, timezone, clicks)
    if clicks:
        state.value = clicks[-1].id
    session.flush()
    return len(clicks)


def _seen_before(session: Session, click: Click) -> bool:
    earlier = sa.select(Click.id).where(
        Click.share_id == click.share_id,
        Click.visitor_hash.in_([click.visitor_hash, click.visitor_hash_prev]),
        Click.clicked_at > click.clicked_at - DEDUP_WINDOW,
        Click.clicked_at <= click.clicked_at,
        Click.id != click.id,
        Click.counted.is_(True),
    ).limit(1)
    return session.scalar(earlier) is not None


def _raise_counters(session: Session, per_share: dict[int, int], settings: ProgrammeSettings,
                    timezone: str, clicks: list[Click]) -> None:
    rows = session.execute(sa.select(Share.id, Share.user_id, Share.item_id).where(
        Share.id.in_(per_share))).all()
    owners = {share_id: user_id for share_id, user_id, _item in rows}
    items = {share_id: item_id for share_id, _user, item_id in rows}
    for share_id, count in per_share.items():
        session.execute(sa.update(Share).where(Share.id == share_id)
                        .values(click_count=Share.click_count + count))
        session.execute(sa.update(ContentItem).where(ContentItem.id == items[share_id])
                        .values(click_count=ContentItem.click_count + count))
    for click in clicks:
        owner = owners.get(click.share_id)
        if click.counted and owner is not None:
            award(session, owner, "unique_click", "click", click.id, settings,
                  click.clicked_at, timezone)
