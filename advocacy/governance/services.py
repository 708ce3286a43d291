"""Social-media guidelines: admins publish versions; people acknowledge the current one
before their first share and again after every new version.

A version has one text per language (German, English); each person reads it in their
language, or in the other one where it has none in theirs. What people acknowledge is the
version: its texts say the same, so one acknowledgement counts whichever text was read.
That is also why a text is never changed once published: new words make a new version,
which everyone acknowledges again. Only a language the current version lacks may be added
to it (a translation of what people already acknowledged).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from advocacy.core.services import audit
from advocacy.db import utcnow
from advocacy.errors import DomainError
from advocacy.governance.models import Guideline, GuidelineAck, GuidelineText
from advocacy.i18n import LANGUAGES
from advocacy.people.models import User
from advocacy.sanitize import sanitize_html

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GuidelineData:
    title: str
    body_html: str


def current_guideline(session: Session) -> Guideline | None:
    return session.scalar(sa.select(Guideline).order_by(Guideline.version.desc()).limit(1))


def list_guidelines(session: Session) -> list[Guideline]:
    return list(session.scalars(sa.select(Guideline).order_by(Guideline.version.desc())))


def _text(language: str, data: GuidelineData) -> GuidelineText:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    title, body = data.title.strip(), sanitize_html(data.body_html)
    if not title or not body.strip():
        raise DomainError(_("Give each language a title and a text."))
    return GuidelineText(language=language, title=title, body_html=body)


def publish_guideline(session: Session, actor: User, texts: Mapping[str, GuidelineData],
                      now: dt.datetime | None = None) -> Guideline:
    """Publish a new version in the given languages (at least one); everyone acknowledges
    it again before sharing."""
    if not texts:
        raise DomainError(_("Write the guidelines in at least one language."))
    latest = session.scalar(sa.select(sa.func.max(Guideline.version))) or 0
    guideline = Guideline(version=latest + 1, published_at=now or utcnow(),
                          published_by_id=actor.id,
                          texts=[_text(language, data) for language, data in texts.items()])
    session.add(guideline)
    session.flush()
    audit(session, actor.id, "guidelines.published", {
        "version": guideline.version, "title": guideline.texts[0].title,
        "languages": guideline.languages}, guideline.published_at)
    log.info("guidelines version %s published by %s", guideline.version, actor.id)
    return guideline


def add_translation(session: Session, actor: User, guideline: Guideline, language: str,
                    data: GuidelineData, now: dt.datetime | None = None) -> GuidelineText:
    """Add the text in a language the current version lacks. Acknowledgements stay: the
    version says what it said, now in one more language."""
    if guideline.id != getattr(current_guideline(session), "id", None):
        raise DomainError(_("Only the current version can get another language."))
    if language in guideline.languages:
        raise DomainError(_("This version has its text in %(language)s already; new words "
                            "need a new version.", language=LANGUAGES[language]))
    text = _text(language, data)
    guideline.texts.append(text)
    session.flush()
    audit(session, actor.id, "guidelines.translated", {
        "version": guideline.version, "language": language, "title": text.title}, now)
    log.info("guidelines version %s: %s added by %s", guideline.version, language, actor.id)
    return text


def pending_guideline(session: Session, user: User) -> Guideline | None:
    """The current guidelines if `user` has not acknowledged them yet, else None."""
    current = current_guideline(session)
    if current is None:
        return None
    acknowledged = session.get(GuidelineAck, (user.id, current.id))
    return None if acknowledged else current


def acknowledge(session: Session, user: User, guideline: Guideline,
                now: dt.datetime | None = None) -> bool:
    """Record that `user` read this version (in whichever language); False when they had
    already."""
    if session.get(GuidelineAck, (user.id, guideline.id)) is not None:
        return False
    session.add(GuidelineAck(user_id=user.id, guideline_id=guideline.id,
                             acknowledged_at=now or utcnow()))
    session.flush()
    return True


def acknowledged_at(session: Session, user: User, guideline: Guideline) -> dt.datetime | None:
    ack = session.get(GuidelineAck, (user.id, guideline.id))
    return ack.acknowledged_at if ack else None
