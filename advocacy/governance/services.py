"""Social-media guidelines: admins publish versions; people acknowledge the current one
before their first share and again after every new version."""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.core.services import audit
from advocacy.db import utcnow
from advocacy.governance.models import Guideline, GuidelineAck
from advocacy.people.models import User
from advocacy.sanitize import sanitize_html

log = logging.getLogger(__name__)


def current_guideline(session: Session) -> Guideline | None:
    return session.scalar(sa.select(Guideline).order_by(Guideline.version.desc()).limit(1))


def list_guidelines(session: Session) -> list[Guideline]:
    return list(session.scalars(sa.select(Guideline).order_by(Guideline.version.desc())))


def publish_guideline(session: Session, actor: User, title: str, body_html: str,
                      now: dt.datetime | None = None) -> Guideline:
    """Publish a new version; everyone acknowledges it again before sharing."""
    latest = session.scalar(sa.select(sa.func.max(Guideline.version))) or 0
    guideline = Guideline(version=latest + 1, title=title.strip(),
                          body_html=sanitize_html(body_html), published_at=now or utcnow(),
                          published_by_id=actor.id)
    session.add(guideline)
    audit(session, actor.id, "guidelines.published", f"version {guideline.version}: "
          f"{guideline.title}", guideline.published_at)
    log.info("guidelines version %s published by %s", guideline.version, actor.id)
    return guideline


def pending_guideline(session: Session, user: User) -> Guideline | None:
    """The current guidelines if `user` has not acknowledged them yet, else None."""
    current = current_guideline(session)
    if current is None:
        return None
    acknowledged = session.get(GuidelineAck, (user.id, current.id))
    return None if acknowledged else current


def acknowledge(session: Session, user: User, guideline: Guideline,
                now: dt.datetime | None = None) -> bool:
    """Record that `user` read this version; False when they had already."""
    if session.get(GuidelineAck, (user.id, guideline.id)) is not None:
        return False
    session.add(GuidelineAck(user_id=user.id, guideline_id=guideline.id,
                             acknowledged_at=now or utcnow()))
    session.flush()
    return True


def acknowledged_at(session: Session, user: User, guideline: Guideline) -> dt.datetime | None:
    ack = session.get(GuidelineAck, (user.id, guideline.id))
    return ack.acknowledged_at if ack else None
