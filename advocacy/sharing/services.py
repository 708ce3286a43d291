"""The employee side: the feed, suggested texts and making a share."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from advocacy.accounts.models import SocialAccount
from advocacy.admin.services import ProgrammeSettings
from advocacy.brand.models import BrandTerm, Worksheet
from advocacy.content.models import (
    ContentItem,
    ShareText,
    Topic,
    item_group,
    item_tier,
    item_topic,
)
from advocacy.db import Page, paginate, utcnow
from advocacy.engagement.services import award
from advocacy.errors import DomainError
from advocacy.governance.services import acknowledge, pending_guideline
from advocacy.people.models import User, user_group
from advocacy.providers.base import Composition
from advocacy.providers.counting import measure
from advocacy.providers.registry import NETWORKS, get_network
from advocacy.sharing.models import Share
from advocacy.training.services import require_before_first_share

log = logging.getLogger(__name__)

FEED_PAGE_SIZE = 20
CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 10  # 62**10 ≈ 8e17 codes: unguessable in practice
MAX_TEXT = 5000


class GuidelinesRequired(DomainError):
    pass


def _visible_to(user: User, now: dt.datetime) -> list[sa.ColumnElement[bool]]:
    """Conditions for items live now and targeted at `user` (no targets = everyone)."""
    group_ids = sa.select(user_group.c.group_id).where(user_group.c.user_id == user.id)
    tier_targets = sa.select(item_tier.c.item_id).where(item_tier.c.item_id == ContentItem.id)
    group_targets = sa.select(item_group.c.item_id).where(item_group.c.item_id == ContentItem.id)
    return [
        ContentItem.state == "approved",
        ContentItem.targets_removed.is_(False),  # never shown wider than it was aimed
        ContentItem.live_from <= now,
        sa.or_(ContentItem.expire_at.is_(None), ContentItem.expire_at > now),
        ContentItem.language.in_(user.feed_languages),
        sa.or_(~tier_targets.exists(), tier_targets.where(item_tier.c.tier_id == user.tier_id)
               .exists()),
        sa.or_(~group_targets.exists(), group_targets.where(item_group.c.group_id.in_(group_ids))
               .exists()),
    ]


def new_for(session: Session, user: User, since: dt.datetime, now: dt.datetime,
            limit: int = 5) -> list[ContentItem]:
    """Items that went live for `user` since `since`, what fits their worksheet first
    (the e-mail digest)."""
    score = relevance(interests(session, user.id))
    return list(session.scalars(
        sa.select(ContentItem).where(*_visible_to(user, now), ContentItem.live_from > since)
        .order_by(ContentItem.is_pinned.desc(), score.desc(), ContentItem.live_from.desc(),
                  ContentItem.id.desc()).limit(limit)))


@dataclass
class FeedPage:
    items: list[ContentItem]
    shared_ids: set[int]
    page: int
    pages: int
    total: int
    matches: dict[int, list[str]] = field(default_factory=dict)  # item id -> why it fits
    has_worksheet: bool = False


@dataclass(frozen=True)
class Interests:
    """A person's worksheet terms, the ids of the topics they name, and whether they have
    a worksheet at all (the feed invites those who have none)."""

    terms: frozenset[tuple[str, str]]
    topic_ids: frozenset[int]
    has_worksheet: bool


def interests(session: Session, user_id: int) -> Interests:
    """One query: the worksheet row (if any) with its terms, each topic term with the id of
    the topic so named. No row means no worksheet; a row without a term, no terms yet."""
    rows = session.execute(
        sa.select(BrandTerm.kind, BrandTerm.term, Topic.id).select_from(Worksheet)
        .outerjoin(BrandTerm, BrandTerm.user_id == Worksheet.user_id)
        .outerjoin(Topic, sa.and_(BrandTerm.kind == "topic",
                                  sa.func.lower(Topic.name) == BrandTerm.term))
        .where(Worksheet.user_id == user_id)).all()
    return Interests(
        frozenset((kind, term) for kind, term, _id in rows if term is not None),
        frozenset(topic_id for _k, _t, topic_id in rows if topic_id is not None),
        bool(rows))


def relevance(found: Interests) -> sa.ColumnElement[int]:
    """How well an item fits the worksheet: two per matching topic, one per matching hashtag.

    The person's few terms are known before the feed query, so this is a membership test
    per topic plus one LIKE per hashtag on the item's own row: no per-item subquery, and
    nothing at all for people without a worksheet."""
    # One uncorrelated IN per topic: the database builds each list of items once (a hash or
    # an ephemeral index) instead of running a subquery for every live item.
    parts: list[sa.ColumnElement[int]] = [
        sa.case((ContentItem.id.in_(sa.select(item_topic.c.item_id).where(
            item_topic.c.topic_id == topic_id)), 2), else_=0)
        for topic_id in sorted(found.topic_ids)]
    # Item hashtags are stored normalised ("#Cloud #KI"): a term matches a whole word.
    spaced = sa.literal(" ", sa.String).concat(
        sa.func.lower(ContentItem.hashtags, type_=sa.String)).concat(" ")
    for kind, term in sorted(found.terms):
        if kind == "hashtag":
            pattern = "% " + term.replace("\\", "\\\\").replace("_", "\\_") + " %"
            parts.append(sa.case((spaced.like(pattern, escape="\\"), 1), else_=0))
    return sum(parts[1:], parts[0]) if parts else sa.literal(0)


def feed(session: Session, user: User, now: dt.datetime | None = None,
         topic_id: int | None = None, page: int = 1, for_you: bool = False) -> FeedPage:
    """Live items targeted at `user`: pinned first, then what fits their worksheet, then the
    newest. Five queries per page (the person's terms, count, items, their topics, which of
    them the person has shared); `for_you` keeps only items that fit."""
    now = now or utcnow()
    found_interests = interests(session, user.id)
    score = relevance(found_interests)
    query = sa.select(ContentItem).where(*_visible_to(user, now))
    if topic_id:
        query = query.where(ContentItem.id.in_(
            sa.select(item_topic.c.item_id).where(item_topic.c.topic_id == topic_id)))
    if for_you:
        query = query.where(score > 0)
    order = (ContentItem.is_pinned.desc(), score.desc()) if found_interests.terms else (
        ContentItem.is_pinned.desc(),)
    found = paginate(session, query, page, FEED_PAGE_SIZE, *order,
                     ContentItem.live_from.desc(), ContentItem.id.desc(),
                     options=(selectinload(ContentItem.topics),))
    shared = set(session.scalars(sa.select(Share.item_id).where(
        Share.user_id == user.id, Share.item_id.in_([i.id for i in found.items])).distinct())) \
        if found.items else set()
    reasons = {item.id: why_shown(item, found_interests.terms) for item in found.items}
    return FeedPage(found.items, shared, found.page, found.pages, found.total, reasons,
                    found_interests.has_worksheet)


def why_shown(item: ContentItem, terms: frozenset[tuple[str, str]]) -> list[str]:
    """The worksheet topics and hashtags an item matches, as the card names them."""
    topics = [t.name for t in item.topics if ("topic", t.name.lower()) in terms]
    hashtags = [tag for tag in item.hashtag_list if ("hashtag", tag.lower()) in terms]
    return topics + hashtags


def visible_item(session: Session, user: User, item_id: int,
                 now: dt.datetime | None = None) -> ContentItem | None:
    """The item if it is live and meant for `user`, else None."""
    return session.scalar(sa.select(ContentItem).where(
        ContentItem.id == item_id, *_visible_to(user, now or utcnow())))


def suggested_text(item: ContentItem, user: User, network: str) -> ShareText | None:
    """The variant for this network and tier, rotated so colleagues do not post the same.

    The most specific variants win (network and tier, then network, then tier, then any);
    among them, the one used least so far, then the first in the editor's order.
    """
    def specificity(text: ShareText) -> int:
        return 2 * (text.network == network) + (text.tier_id == user.tier_id)

    candidates = [t for t in item.share_texts
                  if t.network in (None, network) and t.tier_id in (None, user.tier_id)]
    if not candidates:
        return None
    best = max(specificity(t) for t in candidates)
    return min((t for t in candidates if specificity(t) == best),
               key=lambda t: (t.times_used, t.position))


def default_network(user: User) -> str:
    return user.last_network if user.last_network in NETWORKS else next(iter(NETWORKS))


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@dataclass(frozen=True)
class ShareRequest:
    network: str
    text: str
    share_text_id: int | None
    acknowledge_guidelines: bool = False


def confirm_guidelines(session: Session, user: User, acknowledged: bool,
                       settings: ProgrammeSettings, timezone: str, now: dt.datetime) -> None:
    """Before the first share the training an admin requires for it must be passed; before
    the first share, and after a new version, the current guidelines must be
    acknowledged; the acknowledgement is recorded (with its points) here."""
    require_before_first_share(session, user)
    pending = pending_guideline(session, user)
    if pending is None:
        return
    if not acknowledged:
        raise GuidelinesRequired(_("Please confirm that you have read the social-media "
                                   "guidelines before sharing."))
    acknowledge(session, user, pending, now)
    award(session, user.id, "guidelines_ack", "guideline", pending.id, settings, now, timezone)


def new_share(session: Session, user: User, item: ContentItem, network: str, text: str,
              share_text_id: int | None, settings: ProgrammeSettings,
              link_for: Callable[[str], str], *, method: str,
              now: dt.datetime) -> Share:
    """The share row with its own tracked link, the person's words and the disclosure line
    kept apart. Counting it is `count_share`'s: a share link counts at once, a post by API
    when the network confirms it."""
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise DomainError(_("The text is longer than %(n)d characters.", n=MAX_TEXT))
    code = _unused_code(session)
    suggestion = next((t for t in item.share_texts if t.id == share_text_id), None)
    share = Share(
        code=code, user_id=user.id, item_id=item.id, tier_id=user.tier_id, network=network,
        method=method, share_text_id=suggestion.id if suggestion else None, text=text,
        disclosure=settings.disclosure_line(item.language), link=link_for(code),
        edited=suggestion is None or suggestion.text.strip() != text,
        target_url=item.url, utm_campaign=item.campaign.slug if item.campaign else None,
        created_at=now)
    share.followers, share.reach_source = reach_of(session, user, network)
    session.add(share)
    user.last_network = network
    session.flush()
    return share


def reach_of(session: Session, user: User, network: str) -> tuple[int | None, str | None]:
    """The sharer's followers on the network now, and where the count comes from: their
    connected account's count as the network last told it, else (LinkedIn, which does not
    tell apps) the count they entered on their profile, else nothing known."""
    followers = session.scalar(sa.select(SocialAccount.followers).where(
        SocialAccount.user_id == user.id, SocialAccount.network == network))
    if followers is not None:
        return followers, "followers"
    if network == "linkedin" and user.reported_followers is not None:
        return user.reported_followers, "reported"
    return None, None


def composition(share: Share) -> Composition:
    """The share as a network's share page takes it."""
    user = share.user
    return Composition(text=share.text, disclosure=share.disclosure, link=share.link,
                       title=share.item.title,
                       mastodon_instance=user.mastodon_instance if user else None)


def count_share(session: Session, share: Share, settings: ProgrammeSettings, now: dt.datetime,
                timezone: str) -> None:
    """What happens once a share went out, by share page or by API: it counts for its
    suggestion, for the item and in points (and the first share of a person earns more)."""
    first = first_share_of(session, share.user_id, excluding=share.id)
    share.posted_at = now
    if share.share_text_id is not None:
        session.execute(sa.update(ShareText).where(ShareText.id == share.share_text_id)
                        .values(times_used=ShareText.times_used + 1))
    session.execute(sa.update(ContentItem).where(ContentItem.id == share.item_id)
                    .values(share_count=ContentItem.share_count + 1))
    if share.user_id is not None:
        award(session, share.user_id, "share", "share", share.id, settings, now, timezone)
        if first:
            award(session, share.user_id, "first_share", "share", share.id, settings, now,
                  timezone)


def first_share_of(session: Session, user_id: int | None, excluding: int | None = None) -> bool:
    """True when the person has no share that went out yet (besides `excluding`)."""
    query = sa.select(Share.id).where(Share.user_id == user_id, Share.posted_at.is_not(None))
    if excluding is not None:
        query = query.where(Share.id != excluding)
    return session.scalar(query.limit(1)) is None


def as_sent(share: Share) -> str:
    """The text the network receives for this share, which is what its limit counts. Where
    the network takes the link apart (LinkedIn, by API as a card or on its share page
    beside the pasted text), that is the words and the disclosure line; everywhere else
    the whole post with its link."""
    return share.body if NETWORKS[share.network].url_only else share.full


def too_long(network: str, text: str, limit: int | None = None,
             url_length: int | None = None) -> DomainError | None:
    """The error to show when `text` (as the network receives it) is over its budget."""
    size = measure(network, text, limit=limit, url_length=url_length)
    if not size.over:
        return None
    return DomainError(_("Your text is too long for %(network)s: %(used)d of %(limit)d "
                         "(including the disclosure line and the link). Please shorten it.",
                         network=NETWORKS[network].label, used=size.used,
                         limit=size.limit or 0))


def create_share(session: Session, user: User, item: ContentItem, request: ShareRequest,
                 settings: ProgrammeSettings, link_for: Callable[[str], str], timezone: str,
                 now: dt.datetime | None = None) -> tuple[Share, str]:
    """Record a share by link and return it with the network's share-intent URL.

    `link_for(code)` builds the absolute tracked link.
    """
    now = now or utcnow()
    network = get_network(request.network)
    confirm_guidelines(session, user, request.acknowledge_guidelines, settings, timezone, now)
    share = new_share(session, user, item, network.key, request.text, request.share_text_id,
                      settings, link_for, method="intent", now=now)
    error = too_long(network.key, as_sent(share))
    if error is not None:
        raise error
    count_share(session, share, settings, now, timezone)
    log.debug("share %s of item %s on %s", share.id, item.id, network.key)
    return share, network.intent(composition(share))


def _unused_code(session: Session) -> str:
    for _attempt in range(5):
        code = new_code()
        if session.scalar(sa.select(Share.id).where(Share.code == code)) is None:
            return code
    raise RuntimeError("could not find an unused share code")  # 62**10 codes: not in practice


def my_shares(session: Session, user: User, page: int = 1, per_page: int = 20) -> Page[Share]:
    """A person's own shares, newest first, with their items."""
    return paginate(session, sa.select(Share).where(Share.user_id == user.id), page, per_page,
                    Share.created_at.desc(), Share.id.desc(),
                    options=(selectinload(Share.item), selectinload(Share.post)))
