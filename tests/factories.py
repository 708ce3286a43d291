"""Plain functions that build test data through the real services."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy.orm import Session

from advocacy.content.models import Campaign, ContentItem, ShareText
from advocacy.db import utcnow
from advocacy.people.models import Group, User
from advocacy.people.services import PersonData, create_user
from advocacy.security import hash_password
from advocacy.sharing.models import Share

PASSWORD = "correct horse battery"
_counter = itertools.count(1)
_PASSWORD_HASH = hash_password(PASSWORD)  # hashing is slow on purpose; do it once


def make_user(session: Session, *, email: str | None = None, name: str | None = None,
              roles: set[str] | None = None, tier_id: int = 3, language: str = "en",
              password: str | None = PASSWORD, is_active: bool = True,
              groups: list[Group] | None = None) -> User:
    number = next(_counter)
    user = create_user(session, PersonData(
        email=email or f"person{number}@example.org", name=name or f"Person {number}",
        language=language, tier_id=tier_id, roles=roles or {"employee"},
        group_ids={g.id for g in groups or []}, is_active=is_active,
    ))
    if password is not None:
        user.password_hash = _PASSWORD_HASH if password == PASSWORD else hash_password(password)
    session.flush()
    return user


def make_group(session: Session, *, kind: str = "department", name: str | None = None) -> Group:
    group = Group(kind=kind, name=name or f"Group {next(_counter)}")
    session.add(group)
    session.flush()
    return group




def make_item(session: Session, *, title: str | None = None, state: str = "approved",
              language: str = "en", texts: list[tuple[str, str | None]] | None = None,
              **fields: Any) -> ContentItem:
    """A content item; approved and live unless told otherwise."""
    number = next(_counter)
    now = utcnow()
    if state == "approved":
        fields.setdefault("live_from", now - dt.timedelta(hours=1))
        fields.setdefault("approved_at", now)
    fields.setdefault("url", f"https://example.com/news/{number}")
    fields.setdefault("summary", f"Summary {number}")
    item = ContentItem(title=title or f"Item {number}", language=language, state=state,
                       **fields)
    texts = texts if texts is not None else [(f"Worth reading, item {number}", None)]
    item.share_texts = [ShareText(text=text, network=network, position=position)
                        for position, (text, network) in enumerate(texts)]
    session.add(item)
    session.flush()
    return item


def make_campaign(session: Session, *, name: str | None = None) -> Campaign:
    number = next(_counter)
    campaign = Campaign(name=name or f"Campaign {number}", slug=f"campaign-{number}",
                        starts_on=dt.date(2026, 1, 1))
    session.add(campaign)
    session.flush()
    return campaign


def make_share(session: Session, *, item: ContentItem, user: User | None = None,
               network: str = "linkedin", created_at: dt.datetime | None = None) -> Share:
    code = f"code{next(_counter):06d}"
    share = Share(code=code, user_id=user.id if user else None,
                  item_id=item.id, tier_id=user.tier_id if user else None, network=network,
                  text="Shared text", link=f"http://localhost/r/{code}",
                  target_url=item.url, created_at=created_at or utcnow())
    session.add(share)
    session.flush()
    return share


def make_posted_share(session: Session, *, user: User, days_ago: float = 1,
                      item: ContentItem | None = None, **fields: Any) -> Share:
    """A share that went out `days_ago` days ago (of a new item unless given); `fields` set
    share columns such as network, method, edited, click_count, followers."""
    when = utcnow() - dt.timedelta(days=days_ago)
    share = make_share(session, item=item or make_item(session), user=user,
                       network=fields.pop("network", "linkedin"), created_at=when)
    share.posted_at = when
    for name, value in fields.items():
        setattr(share, name, value)
    session.flush()
    return share
