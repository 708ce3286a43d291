"""Campaigns: a name, a goal, a period, and the items that serve it."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from advocacy.content.models import Campaign, ContentItem
from advocacy.errors import DomainError

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def slugify(name: str) -> str:
    """"Tag der offenen Tür 2026" -> "tag-der-offenen-tuer-2026" (used as utm_campaign)."""
    ascii_name = unicodedata.normalize("NFKD", name.lower().translate(_GERMAN))
    ascii_name = ascii_name.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:70] or "campaign"


def save_campaign(session: Session, campaign: Campaign | None, name: str, goal: str,
                  starts_on: dt.date, ends_on: dt.date | None) -> Campaign:
    """Create or change a campaign; its slug is fixed once links carry it."""
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_("The campaign cannot end before it starts."))
    if campaign is None:
        campaign = Campaign(slug=_free_slug(session, slugify(name)))
        session.add(campaign)
    campaign.name, campaign.goal = " ".join(name.split()), goal.strip()
    campaign.starts_on, campaign.ends_on = starts_on, ends_on
    session.flush()
    return campaign


def _free_slug(session: Session, base: str) -> str:
    taken = set(session.scalars(sa.select(Campaign.slug).where(Campaign.slug.like(f"{base}%"))))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


@dataclass(frozen=True)
class CampaignStats:
    items: int
    live_items: int
    shares: int
    clicks: int


def campaign_stats(session: Session, campaign: Campaign) -> CampaignStats:
    """Totals over the campaign's items, from their pre-aggregated counters (one query)."""
    row = session.execute(
        sa.select(sa.func.count(), sa.func.count().filter(ContentItem.state == "approved"),
                  sa.func.coalesce(sa.func.sum(ContentItem.share_count), 0),
                  sa.func.coalesce(sa.func.sum(ContentItem.click_count), 0))
        .where(ContentItem.campaign_id == campaign.id)).one()
    return CampaignStats(*row)


def campaign_items(session: Session, campaign: Campaign) -> list[ContentItem]:
    return list(session.scalars(
        sa.select(ContentItem).where(ContentItem.campaign_id == campaign.id)
        .order_by(ContentItem.click_count.desc(), ContentItem.id)))
