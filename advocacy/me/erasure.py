"""Deleting a person's data on their request, once an admin has confirmed it.

What goes: the account row and, through the database's cascades, everything hanging off it
(roles, groups, connected accounts and their tokens, follower history, points, worksheet,
guideline confirmations, drafts, sign-in links). Shares that never went out are deleted.
What stays: posted shares and their clicks, without the person: their text and the link to
the post are cleared and `user_id` becomes NULL, and the shares and the report rollups
carry a new negative number instead, the same for all of this person's rows. Programme
figures therefore stay exactly as they were, people counts included, while nothing leads
back to the person. Tier and group slices no longer include them (those are read from
people as they are today); the README says so.
"""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from advocacy import mail
from advocacy.core.models import AuditEvent
from advocacy.core.services import audit
from advocacy.errors import DomainError
from advocacy.me.models import DeletionRequest
from advocacy.people.models import User
from advocacy.people.services import active_with_role
from advocacy.reports.models import ActivityRollup
from advocacy.sharing.models import Share
from advocacy.sharing.outbox import forget_person

log = logging.getLogger(__name__)

REASON_MAX = 2000
# What replaces the person's e-mail address in other people's audit entries.
FORMER = "former colleague"


def latest(session: Session, user: User) -> DeletionRequest | None:
    """The person's most recent request, whatever its state."""
    return session.scalar(sa.select(DeletionRequest).where(DeletionRequest.user_id == user.id)
                          .order_by(DeletionRequest.id.desc()).limit(1))


def request(session: Session, user: User, reason: str, review_link: str,
            now: dt.datetime) -> DeletionRequest:
    """Ask for deletion; the active admins get an e-mail with a link to the review page."""
    pending = latest(session, user)
    if pending is not None and pending.state == "pending":
        raise DomainError(_("You have already asked for your data to be deleted."))
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise DomainError(_("Please keep the reason under %(max)d characters.", max=REASON_MAX))
    ask = DeletionRequest(user_id=user.id, state="pending", reason=reason, requested_at=now)
    session.add(ask)
    session.flush()
    audit(session, user.id, "deletion.requested", {"request": ask.id}, now)
    for admin in active_with_role(session, "admin"):
        with force_locale(admin.language):
            mail.queue(session, mail.Mail(
                to=admin.email, subject=_("A request to delete a person's data"),
                body=render_template("email/deletion_requested.txt", admin=admin,
                                     person=user, link=review_link)))
    log.info("person %s asked for deletion (request %s)", user.id, ask.id)
    return ask


def withdraw(session: Session, user: User, now: dt.datetime) -> None:
    ask = latest(session, user)
    if ask is None or ask.state != "pending":
        raise DomainError(_("There is no open request to withdraw."))
    ask.state, ask.decided_at = "withdrawn", now
    audit(session, user.id, "deletion.withdrawn", {"request": ask.id}, now)


def requests(session: Session, limit: int = 200) -> list[DeletionRequest]:
    """Open requests first (oldest first), then the latest decided ones."""
    return list(session.scalars(
        sa.select(DeletionRequest)
        .options(selectinload(DeletionRequest.user), selectinload(DeletionRequest.decided_by))
        .order_by(sa.case((DeletionRequest.state == "pending", 0), else_=1),
                  sa.case((DeletionRequest.state == "pending", DeletionRequest.id),
                          else_=-DeletionRequest.id))
        .limit(limit)))


def open_count(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(DeletionRequest)
                          .where(DeletionRequest.state == "pending")) or 0


def _open(session: Session, request_id: int) -> DeletionRequest:
    ask = session.get(DeletionRequest, request_id)
    if ask is None or ask.state != "pending" or ask.user is None:
        raise DomainError(_("This request is no longer open."))
    return ask


def decline(session: Session, admin: User, request_id: int, answer: str,
            now: dt.datetime) -> None:
    """Keep the data (a legal hold, say); the person is told why by e-mail."""
    ask = _open(session, request_id)
    answer = answer.strip()
    if not answer:
        raise DomainError(_("Please tell the person why their data are kept."))
    person = ask.user
    assert person is not None  # checked by _open
    ask.state, ask.decided_at, ask.decided_by_id, ask.answer = "declined", now, admin.id, answer
    audit(session, admin.id, "deletion.declined", {"request": ask.id}, now)
    with force_locale(person.language):
        mail.queue(session, mail.Mail(
            to=person.email, subject=_("Your request to delete your data"),
            body=render_template("email/deletion_declined.txt", person=person, answer=answer)))


def _former_number(session: Session) -> int:
    """A negative number no share or rollup row uses yet."""
    lowest = min(session.scalar(sa.select(sa.func.min(Share.anon_person))) or 0,
                 session.scalar(sa.select(sa.func.min(ActivityRollup.person_id))) or 0, 0)
    return lowest - 1


def confirm(session: Session, admin: User, request_id: int, now: dt.datetime) -> int:
    """Delete the person's data as the module docstring says; returns their new number."""
    ask = _open(session, request_id)
    person = ask.user
    assert person is not None  # checked by _open
    if person.id == admin.id:
        raise DomainError(_("Another admin must confirm the deletion of your own data."))
    pid, email, language, name = person.id, person.email, person.language, person.name
    former = _former_number(session)
    never_sent = sa.select(Share.id).where(Share.user_id == pid, Share.posted_at.is_(None))
    session.execute(sa.delete(Share).where(Share.id.in_(never_sent)))
    forget_person(session, pid)
    session.execute(sa.update(Share).where(Share.user_id == pid).values(
        user_id=None, anon_person=former, text=""))
    session.execute(sa.update(ActivityRollup).where(ActivityRollup.person_id == pid)
                    .values(person_id=former))
    # Their address in other people's entries (a worksheet shared with them, say).
    session.execute(sa.update(AuditEvent).where(AuditEvent.detail.contains(email, autoescape=True))
                    .values(detail=sa.func.replace(AuditEvent.detail, email, FORMER)))
    ask.state, ask.decided_at, ask.decided_by_id = "done", now, admin.id
    ask.reason, ask.former_person, ask.user = "", former, None
    session.flush()
    session.expunge(person)
    session.execute(sa.delete(User).where(User.id == pid))
    audit(session, admin.id, "deletion.confirmed", {"request": ask.id, "former": -former},
          now)
    with force_locale(language):
        mail.queue(session, mail.Mail(
            to=email, subject=_("Your data have been deleted"),
            body=render_template("email/deletion_done.txt", name=name)))
    log.info("request %s: person %s deleted, now former colleague %s", ask.id, pid, -former)
    return former
