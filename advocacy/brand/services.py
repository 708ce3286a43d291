"""The worksheet: save with history, share with a coach, the terms the feed ranks by.

Every function takes a session and flushes; the caller commits (views, demo, tests).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from advocacy.brand.models import BrandTerm, Worksheet, WorksheetVersion
from advocacy.brand.sheet import BLOCKS, CEO_QUESTIONS, filled_blocks
from advocacy.core.services import audit
from advocacy.db import utcnow
from advocacy.errors import DomainError
from advocacy.people.models import User, UserRole


def worksheet_of(session: Session, user: User) -> Worksheet:
    """The person's worksheet, empty and unsaved if they never opened it."""
    sheet = session.get(Worksheet, user.id)
    return sheet if sheet is not None else Worksheet(user_id=user.id, data={}, ceo={},
                                                     checks={}, version=0)


def save_worksheet(session: Session, user: User, data: dict[str, Any],
                   now: dt.datetime | None = None) -> tuple[Worksheet, bool]:
    """Store the answers; a new version only when something changed. Returns the worksheet
    and whether it was completed (all seven blocks) for the first time."""
    now = now or utcnow()
    sheet = worksheet_of(session, user)
    if sheet not in session:
        session.add(sheet)
    if sheet.version and sheet.data == data:
        return sheet, False
    sheet.data, sheet.version, sheet.updated_at = data, sheet.version + 1, now
    session.flush()
    session.add(WorksheetVersion(user_id=user.id, number=sheet.version, saved_at=now,
                                 data=data))
    _store_terms(session, user.id, data)
    first_completion = sheet.completed_at is None and len(filled_blocks(data)) == len(BLOCKS)
    if first_completion:
        sheet.completed_at = now
    session.flush()
    return sheet, first_completion


def terms_of(data: dict[str, Any]) -> set[tuple[str, str]]:
    """(kind, term) pairs: topics named in the worksheet and the words of its hashtags as
    topics (an item tagged "KI" fits "#KI"), and the hashtags themselves."""
    terms: set[tuple[str, str]] = set()
    for pair in data.get("pairs", []):
        terms.add(("topic", pair["topic"].lower()))
        for tag in pair["hashtags"].split():
            terms.add(("hashtag", tag.lower()))
            terms.add(("topic", tag[1:].lower()))
    for topic in (data.get("other_topics") or "").split(","):
        if topic.strip():
            terms.add(("topic", " ".join(topic.split()).lower()[:80]))
    return {(kind, term[:80]) for kind, term in terms if term}


def _store_terms(session: Session, user_id: int, data: dict[str, Any]) -> None:
    session.execute(sa.delete(BrandTerm).where(BrandTerm.user_id == user_id))
    session.add_all(BrandTerm(user_id=user_id, kind=kind, term=term)
                    for kind, term in sorted(terms_of(data)))


def versions(session: Session, user: User) -> list[WorksheetVersion]:
    return list(session.scalars(sa.select(WorksheetVersion).where(
        WorksheetVersion.user_id == user.id).order_by(WorksheetVersion.number.desc())))


def version(session: Session, user: User, number: int) -> WorksheetVersion | None:
    return session.get(WorksheetVersion, (user.id, number))


def coaches(session: Session) -> list[User]:
    """People who can coach: active members of communications."""
    return list(session.scalars(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "comms", User.is_active.is_(True)).order_by(User.name)))


def share_with(session: Session, user: User, coach_id: int,
               now: dt.datetime | None = None) -> Worksheet:
    coach = next((c for c in coaches(session) if c.id == coach_id), None)
    if coach is None or coach.id == user.id:
        raise DomainError(_("Choose a coach from communications."))
    sheet = session.get(Worksheet, user.id)
    if sheet is None:
        raise DomainError(_("Save your worksheet before you share it."))
    sheet.coach_id, sheet.shared_at = coach.id, now or utcnow()
    audit(session, user.id, "worksheet.shared", {"coach": coach.email}, now)
    return sheet


def withdraw_sharing(session: Session, user: User, now: dt.datetime | None = None) -> None:
    sheet = session.get(Worksheet, user.id)
    if sheet is None or sheet.coach_id is None:
        return
    sheet.coach_id, sheet.shared_at = None, None
    audit(session, user.id, "worksheet.unshared", "", now)
    session.flush()


def shared_with(session: Session, coach: User) -> list[Worksheet]:
    """Worksheets people shared with `coach` (only while the coach is in communications)."""
    if not coach.has_role("comms"):
        return []
    return list(session.scalars(sa.select(Worksheet).join(Worksheet.user).where(
        Worksheet.coach_id == coach.id).order_by(User.name)))


def readable_by(session: Session, reader: User, owner_id: int) -> Worksheet | None:
    """The worksheet of `owner_id` if `reader` may read it: its owner, or the comms coach it
    is shared with. Nobody else: not HR, not admins."""
    sheet = session.get(Worksheet, owner_id)
    if sheet is None:
        return None
    if sheet.user_id == reader.id:
        return sheet
    if sheet.coach_id == reader.id and reader.has_role("comms"):
        return sheet
    return None


def save_ceo_answer(session: Session, user: User, step: int, answer: str) -> Worksheet:
    if user.tier_id != 1:
        raise DomainError(_("The Social-CEO questions are for tier 1."))
    key = CEO_QUESTIONS[step - 1][0]
    sheet = worksheet_of(session, user)
    if sheet not in session:
        session.add(sheet)
    answers = dict(sheet.ceo or {})
    if answer:
        answers[key] = answer
    else:
        answers.pop(key, None)
    sheet.ceo = answers  # a new dict, so the JSON column sees the change
    session.flush()
    return sheet


def ceo_progress(sheet: Worksheet) -> int:
    return sum(1 for key, _label in CEO_QUESTIONS if (sheet.ceo or {}).get(key))
