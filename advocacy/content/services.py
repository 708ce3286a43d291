"""The content library: write items and their share texts, move them through the workflow.

Workflow: draft -> review (submitted) -> approved (live from `publish_at`) -> expired
(its date or its image licence ran out) / archived. With the four-eyes setting on, the
person approving must be neither the author nor the one who submitted it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from advocacy.admin.services import ProgrammeSettings
from advocacy.content.budget import over_budget
from advocacy.content.models import Campaign, ContentItem, ShareText, Topic, item_topic
from advocacy.db import Page, like_pattern, paginate, utcnow
from advocacy.errors import DomainError
from advocacy.people.models import Group, Tier, User
from advocacy.providers.registry import NETWORKS
from advocacy.sanitize import sanitize_html

log = logging.getLogger(__name__)

PAGE_SIZE = 25
_HASHTAG_CHARS = re.compile(r"[^\w]", re.UNICODE)


def normalize_hashtags(raw: str) -> str:
    """"#Cloud, ai  ##KI" -> "#Cloud #ai #KI": one leading #, no punctuation, no repeats."""
    seen: set[str] = set()
    tags = []
    for part in re.split(r"[\s,;]+", raw or ""):
        word = _HASHTAG_CHARS.sub("", part.lstrip("#"))
        if word and word.lower() not in seen:
            seen.add(word.lower())
            tags.append(f"#{word}")
    return " ".join(tags)


def topics_by_name(session: Session, names: list[str]) -> list[Topic]:
    """Existing topics by name (case-insensitive), new ones created."""
    wanted: dict[str, str] = {}  # lower-case name -> name as first typed
    for raw in names:
        name = " ".join(raw.split())[:60]
        if name:
            wanted.setdefault(name.lower(), name)
    if not wanted:
        return []
    existing = {t.name.lower(): t for t in session.scalars(
        sa.select(Topic).where(sa.func.lower(Topic.name).in_(list(wanted))))}
    topics = []
    for name in wanted.values():
        topic = existing.get(name.lower())
        if topic is None:
            topic = Topic(name=name)
            session.add(topic)
            existing[name.lower()] = topic
        topics.append(topic)
    return topics


@dataclass
class TextData:
    text: str
    network: str | None = None
    tier_id: int | None = None


@dataclass
class ItemData:
    """Everything comms types into the item form."""

    title: str
    url: str
    summary: str = ""
    body_html: str = ""
    hashtags: str = ""
    topics: list[str] = field(default_factory=list)
    language: str = "de"
    source_class: str = "own"
    intention: str = "inform"
    campaign_id: int | None = None
    tier_ids: set[int] = field(default_factory=set)
    group_ids: set[int] = field(default_factory=set)
    publish_at: dt.datetime | None = None
    expire_at: dt.datetime | None = None
    is_pinned: bool = False
    suggested_post_at: dt.datetime | None = None
    image_alt: str = ""
    image_licence: str = ""
    image_credit: str = ""
    image_licence_ends_on: dt.date | None = None
    texts: list[TextData] = field(default_factory=list)


def save_item(session: Session, actor: User | None, item: ContentItem | None,
              data: ItemData) -> ContentItem:
    """Create or change an item. A change to an approved item sends it back to review:
    what employees see has always been approved as it stands. `actor` is None when a
    newsroom feed writes the item."""
    actor_id = actor.id if actor is not None else None
    if item is None:
        item = ContentItem(created_by_id=actor_id, state="draft")
        session.add(item)
    elif item.state == "approved":
        item.state = "review"
        item.submitted_by_id = actor_id
        item.approved_by_id = item.approved_at = item.live_from = None
    elif item.state in ("expired", "archived"):
        raise DomainError(_("Restore the item to a draft before changing it."))
    item.title = data.title.strip()
    item.url = data.url.strip()
    item.summary = data.summary.strip()
    item.body_html = sanitize_html(data.body_html)
    item.hashtags = normalize_hashtags(data.hashtags)
    item.language = data.language
    item.source_class = data.source_class
    item.intention = data.intention
    item.campaign_id = data.campaign_id
    item.publish_at, item.expire_at = data.publish_at, data.expire_at
    item.is_pinned = data.is_pinned
    item.suggested_post_at = data.suggested_post_at
    item.image_alt = data.image_alt.strip()
    item.image_licence = data.image_licence.strip()
    item.image_credit = data.image_credit.strip()
    item.image_licence_ends_on = data.image_licence_ends_on
    item.topics = topics_by_name(session, data.topics)
    item.target_tiers = list(session.scalars(sa.select(Tier).where(Tier.id.in_(data.tier_ids))))
    item.target_groups = list(session.scalars(
        sa.select(Group).where(Group.id.in_(data.group_ids))))
    if actor is not None:  # communications chose the audience again
        item.targets_removed = False
    _replace_texts(item, data.texts)
    session.flush()
    log.info("content item %s saved by %s", item.id, actor_id or "a feed")
    return item


def _replace_texts(item: ContentItem, texts: list[TextData]) -> None:
    """Keep the rows (and their usage counts) of texts that stay, in the new order."""
    current = {(t.network, t.tier_id, t.text): t for t in item.share_texts}
    rows = []
    for position, data in enumerate(t for t in texts if t.text.strip()):
        key = (data.network or None, data.tier_id or None, data.text.strip())
        row = current.pop(key, None) or ShareText(network=key[0], tier_id=key[1], text=key[2])
        row.position = position
        rows.append(row)
    item.share_texts = rows


def set_image(session: Session, item: ContentItem, image_name: str | None) -> None:
    item.image_name = image_name
    session.flush()


def publish_problems(item: ContentItem, settings: ProgrammeSettings, base_url: str,
                     now: dt.datetime) -> list[str]:
    """Why this item cannot go live yet, in words comms understands (empty: it can)."""
    problems = []
    if item.targets_removed:
        problems.append(_("The group this item was aimed at was deleted. Choose whom it is "
                          "for and save it."))
    if not item.share_texts:
        problems.append(_("Add at least one suggested share text."))
    disclosure = settings.disclosure_line(item.language)
    for network in NETWORKS:
        specific = [t for t in item.share_texts if t.network == network]
        for text in specific or [t for t in item.share_texts if t.network is None]:
            if network in over_budget(text.text, network, disclosure, base_url):
                problems.append(_("Text %(n)d is too long for %(network)s (with the disclosure "
                                  "line and the link).", n=text.position + 1,
                                  network=NETWORKS[network].label))
    if item.expire_at is not None and item.expire_at <= now:
        problems.append(_("The expiry date has passed."))
    if item.image_name and not item.image_licence:
        problems.append(_("Say under which licence the image may be used."))
    if item.image_licence_ends_on is not None and item.image_licence_ends_on < now.date():
        problems.append(_("The image licence has ended."))
    return problems


def submit_for_review(session: Session, actor: User, item: ContentItem,
                      settings: ProgrammeSettings, base_url: str) -> None:
    if item.state != "draft":
        raise DomainError(_("Only drafts can be submitted for review."))
    _require_publishable(item, settings, base_url)
    item.state = "review"
    item.submitted_by_id = actor.id
    session.flush()


def approve(session: Session, actor: User, item: ContentItem, settings: ProgrammeSettings,
            base_url: str, now: dt.datetime | None = None) -> None:
    """Approve an item in review; it goes live at `publish_at`, or now."""
    now = now or utcnow()
    if item.state != "review":
        raise DomainError(_("Only items in review can be approved."))
    if settings.four_eyes and actor.id in (item.created_by_id, item.submitted_by_id):
        raise DomainError(_("Four-eyes principle: someone else from communications has to "
                            "approve what you wrote or submitted."))
    _require_publishable(item, settings, base_url, now)
    item.state = "approved"
    item.approved_by_id, item.approved_at = actor.id, now
    item.live_from = max(now, item.publish_at) if item.publish_at else now
    item.withdrawn_reason = None
    session.flush()
    log.info("content item %s approved by %s", item.id, actor.id)


def publish_trusted(session: Session, item: ContentItem, settings: ProgrammeSettings,
                    base_url: str, now: dt.datetime) -> list[str]:
    """Put a draft from a trusted source (a newsroom feed communications marked trusted)
    live without review, if nothing stands in the way; else say what does. Registering the
    feed as trusted was communications' approval of what it publishes."""
    problems = publish_problems(item, settings, base_url, now)
    if not problems:
        item.state = "approved"
        item.approved_by_id, item.approved_at = None, now
        item.live_from = now
        session.flush()
    return problems


def _require_publishable(item: ContentItem, settings: ProgrammeSettings, base_url: str,
                         now: dt.datetime | None = None) -> None:
    problems = publish_problems(item, settings, base_url, now or utcnow())
    if problems:
        raise DomainError(" ".join(problems))


def return_to_draft(session: Session, item: ContentItem) -> None:
    """Send an item in review back to its author, or take an approved one off the feed."""
    if item.state not in ("review", "approved", "expired"):
        raise DomainError(_("This item is not in review or live."))
    item.state = "draft"
    item.approved_by_id = item.approved_at = item.live_from = None
    session.flush()


def archive(session: Session, item: ContentItem) -> None:
    item.state = "archived"
    item.live_from = None
    session.flush()


def restore(session: Session, item: ContentItem) -> None:
    if item.state not in ("archived", "expired"):
        raise DomainError(_("Only archived or expired items can be restored."))
    item.state = "draft"
    item.withdrawn_reason = None
    session.flush()


def withdraw_expired(session: Session, now: dt.datetime | None = None) -> int:
    """Take items off the feed whose expiry or image licence end has passed (a job)."""
    now = now or utcnow()
    table = ContentItem.__table__
    expired = session.execute(
        sa.update(table)
        .where(table.c.state == "approved", table.c.expire_at <= now)
        .values(state="expired", withdrawn_reason="expired", live_from=None))
    licence = session.execute(
        sa.update(table)
        .where(table.c.state == "approved", table.c.image_licence_ends_on < now.date())
        .values(state="expired", withdrawn_reason="licence", live_from=None))
    count = int(expired.rowcount or 0) + int(licence.rowcount or 0)  # type: ignore[attr-defined]
    if count:
        log.info("withdrew %d content items", count)
    return count


@dataclass
class ItemFilter:
    state: str | None = None
    campaign_id: int | None = None
    topic_id: int | None = None
    search: str = ""


def list_items(session: Session, flt: ItemFilter, page: int = 1) -> Page[ContentItem]:
    """Items for the library list, newest first; topics and campaign in two extra queries."""
    query = sa.select(ContentItem)
    if flt.state:
        query = query.where(ContentItem.state == flt.state)
    if flt.campaign_id:
        query = query.where(ContentItem.campaign_id == flt.campaign_id)
    if flt.topic_id:
        query = query.where(ContentItem.id.in_(
            sa.select(item_topic.c.item_id).where(item_topic.c.topic_id == flt.topic_id)))
    if flt.search:
        query = query.where(sa.func.lower(ContentItem.title).like(like_pattern(flt.search),
                                                                  escape="\\"))
    return paginate(session, query, page, PAGE_SIZE, ContentItem.updated_at.desc(),
                    ContentItem.id.desc(), options=(selectinload(ContentItem.topics),
                                                    selectinload(ContentItem.campaign)))


def list_topics(session: Session) -> list[Topic]:
    return list(session.scalars(sa.select(Topic).order_by(sa.func.lower(Topic.name))))


def list_campaigns(session: Session) -> list[Campaign]:
    return list(session.scalars(
        sa.select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.name)))


def state_labels() -> dict[str, str]:
    return {"draft": _("Draft"), "review": _("In review"), "approved": _("Approved"),
            "expired": _("Expired"), "archived": _("Archived")}


def source_labels() -> dict[str, str]:
    return {"external": _("External source"), "own": _("Our own content"),
            "personal": _("Personal")}


def intention_labels() -> dict[str, str]:
    return {"educate": _("Educate"), "inform": _("Inform"), "inspire": _("Inspire"),
            "entertain": _("Entertain")}
