"""Suggestions from submission to decision: an employee suggests a link (its preview is read
once, by the fetcher in `preview`), communications accepts it as a draft item or declines
it with a reason, the suggester is told by e-mail and gets points once the item is
approved. Callable without a request; the caller commits."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from advocacy import mail
from advocacy.admin.services import ProgrammeSettings
from advocacy.content.models import ContentItem
from advocacy.content.services import ItemData, TextData, save_item
from advocacy.engagement.services import award
from advocacy.errors import DomainError
from advocacy.fetching import web_address
from advocacy.notifications.services import notify
from advocacy.people.models import User
from advocacy.sharing.models import Share
from advocacy.suggestions.models import Suggestion
from advocacy.suggestions.preview import Preview, PreviewError

log = logging.getLogger(__name__)

NOTE_MAX = 1000
Fetch = Callable[[str], Preview]


def submit(session: Session, user: User, url: str, note: str, fetch: Fetch,
           now: dt.datetime) -> Suggestion:
    """Record a suggestion with its page's preview; a page that cannot be read is fine
    (communications sees why), a link already suggested or in the library is not."""
    url = web_address(url)
    if len(note) > NOTE_MAX:
        raise DomainError(_("Please keep the note under %(max)d characters.", max=NOTE_MAX))
    if session.scalar(sa.select(ContentItem.id).where(ContentItem.url == url).limit(1)):
        raise DomainError(_("This link is already in the library."))
    if session.scalar(sa.select(Suggestion.id).where(
            Suggestion.url == url, Suggestion.state == "pending").limit(1)):
        raise DomainError(_("Someone has already suggested this link; communications is "
                            "looking at it."))
    suggestion = Suggestion(user_id=user.id, url=url, note=note.strip(), created_at=now)
    try:
        preview = fetch(url)
    except PreviewError as exc:
        suggestion.preview_error = exc.problem.dump(300)  # worded when shown
    else:
        suggestion.title, suggestion.description = preview.title, preview.description
        suggestion.image_url, suggestion.site_name = preview.image, preview.site_name
    session.add(suggestion)
    session.flush()
    log.info("suggestion %s by person %s", suggestion.id, user.id)
    return suggestion


def inbox(session: Session, limit: int = 50) -> tuple[list[Suggestion], list[Suggestion]]:
    """Open suggestions, oldest first, and the latest decided ones."""
    query = sa.select(Suggestion).options(selectinload(Suggestion.user),
                                          selectinload(Suggestion.item))
    pending = list(session.scalars(query.where(Suggestion.state == "pending")
                                   .order_by(Suggestion.created_at, Suggestion.id)))
    decided = list(session.scalars(query.where(Suggestion.state != "pending")
                                   .order_by(Suggestion.decided_at.desc()).limit(limit)))
    return pending, decided


def open_count(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Suggestion)
                          .where(Suggestion.state == "pending")) or 0


def _open(session: Session, suggestion_id: int) -> Suggestion:
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is None or suggestion.state != "pending":
        raise DomainError(_("This suggestion has already been decided."))
    return suggestion


def _tell(session: Session, suggestion: Suggestion, subject: Any, template: str) -> None:
    person = suggestion.user
    with force_locale(person.language):
        mail.queue(session, mail.Mail(
            to=person.email, subject=str(subject),
            body=render_template(template, person=person, suggestion=suggestion)))


def accept(session: Session, actor: User, suggestion_id: int, now: dt.datetime) -> ContentItem:
    """Make a draft item of the suggestion for communications to finish and approve."""
    suggestion = _open(session, suggestion_id)
    item = save_item(session, actor, None, ItemData(
        title=suggestion.title or suggestion.url[:200], url=suggestion.url,
        summary=suggestion.description, language=suggestion.user.language,
        source_class="external",
        texts=[TextData(suggestion.title or suggestion.url[:200])]))
    suggestion.state, suggestion.item_id = "accepted", item.id
    suggestion.decided_by_id, suggestion.decided_at = actor.id, now
    _tell(session, suggestion, _l("Your suggestion was accepted"),
          "email/suggestion_accepted.txt")
    notify(session, suggestion.user_id, "suggestion_accepted", "/suggestions/", now,
           title=suggestion.title or suggestion.url)
    return item


def decline(session: Session, actor: User, suggestion_id: int, reason: str,
            now: dt.datetime) -> None:
    suggestion = _open(session, suggestion_id)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Please tell the colleague why."))
    suggestion.state, suggestion.reason = "declined", reason
    suggestion.decided_by_id, suggestion.decided_at = actor.id, now
    _tell(session, suggestion, _l("About your suggestion"), "email/suggestion_declined.txt")
    notify(session, suggestion.user_id, "suggestion_declined", "/suggestions/", now,
           title=suggestion.title or suggestion.url, reason=reason)


def reward_published(session: Session, item: ContentItem, settings: ProgrammeSettings,
                     now: dt.datetime, timezone: str) -> int:
    """Points for whoever suggested `item`, once it is approved (at most once each: the
    points ledger refuses a second entry for the same suggestion)."""
    given = 0
    for suggestion in session.scalars(sa.select(Suggestion).where(
            Suggestion.item_id == item.id, Suggestion.state == "accepted")):
        points = award(session, suggestion.user_id, "suggestion", "suggestion", suggestion.id,
                       settings, now, timezone)
        if points:  # the first time only: the ledger refuses a second award
            notify(session, suggestion.user_id, "suggestion_published", "/suggestions/", now,
                   title=suggestion.title or suggestion.url)
        given += points
    return given


@dataclass(frozen=True)
class Performance:
    shares: int
    clicks: int


def performance(session: Session, suggestions: list[Suggestion]) -> dict[int, Performance]:
    """Shares and clicks of the items made of these suggestions (one query)."""
    items = {s.item_id for s in suggestions if s.item_id is not None}
    if not items:
        return {}
    rows = session.execute(
        sa.select(Share.item_id, sa.func.count(Share.id), sa.func.sum(Share.click_count))
        .where(Share.item_id.in_(items), Share.posted_at.is_not(None))
        .group_by(Share.item_id))
    return {item: Performance(shares, int(clicks or 0)) for item, shares, clicks in rows}


def mine(session: Session, user: User, limit: int = 50) -> list[Suggestion]:
    return list(session.scalars(
        sa.select(Suggestion).where(Suggestion.user_id == user.id)
        .options(selectinload(Suggestion.item))
        .order_by(Suggestion.created_at.desc(), Suggestion.id.desc()).limit(limit)))
