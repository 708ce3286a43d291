"""The e-mail digest: new items for the person (their tier, groups, languages, and what
fits their worksheet first) and their own numbers, daily or weekly as they chose, sent
only when there is something to tell.

From 7:00 in the programme's time zone (Mondays for the weekly one) the hourly job sends
each due person one mail per day or week: a `DigestSent` row is written with the mail in
one transaction, so running the job twice sends nothing twice. Every digest carries an
unsubscribe link that works without logging in (a signed token of the person's id).
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from advocacy import mail
from advocacy.notifications.models import DigestSent
from advocacy.people.models import User, UserRole
from advocacy.sharing.models import Share
from advocacy.sharing.services import new_for

log = logging.getLogger(__name__)

SEND_FROM = dt.time(7)
SPAN = {"daily": dt.timedelta(days=1), "weekly": dt.timedelta(days=7)}
_SALT = "digest-unsubscribe"


def unsubscribe_token(secret: str, user_id: int) -> str:
    return URLSafeSerializer(secret, salt=_SALT).dumps(user_id)


def person_from_token(secret: str, token: str) -> int | None:
    try:
        value = URLSafeSerializer(secret, salt=_SALT).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def period_start(kind: str, local_now: dt.datetime) -> dt.date | None:
    """The day or week whose digest is due now, or None before 7:00 on its first day."""
    today = local_now.date()
    start = today if kind == "daily" else today - dt.timedelta(days=today.weekday())
    if start == today and local_now.time() < SEND_FROM:
        return None
    return start


def send_digests(session: Session, now: dt.datetime, timezone: str, base_url: str,
                 secret: str) -> int:
    """Queue the digests that are due; return how many."""
    local_now = now.astimezone(ZoneInfo(timezone))
    sent = 0
    for kind, span in SPAN.items():
        start = period_start(kind, local_now)
        if start is None:
            continue
        done = sa.select(DigestSent.user_id).where(DigestSent.kind == kind,
                                                    DigestSent.period_start == start)
        people = list(session.scalars(
            sa.select(User).join(UserRole, UserRole.user_id == User.id)
            .where(User.is_active, User.digest == kind, UserRole.role == "employee",
                   User.id.not_in(done)).order_by(User.id)))
        for person in people:
            sent += _send_one(session, person, kind, start, now, now - span, base_url, secret)
    if sent:
        log.info("%d digests queued", sent)
    return sent


def _send_one(session: Session, person: User, kind: str, start: dt.date, now: dt.datetime,
              since: dt.datetime, base_url: str, secret: str) -> int:
    items = new_for(session, person, since, now)
    shares, clicks = session.execute(
        sa.select(sa.func.count(Share.id), sa.func.coalesce(sa.func.sum(Share.click_count), 0))
        .where(Share.user_id == person.id, Share.posted_at >= since)).one()
    if not items and not shares:
        return 0  # nothing to tell: no mail (and the job looks again next hour)
    try:
        with session.begin_nested():
            session.add(DigestSent(user_id=person.id, kind=kind, period_start=start,
                                   sent_at=now))
    except IntegrityError:
        return 0  # another run got there first
    base = base_url.rstrip("/")
    with force_locale(person.language):
        mail.queue(session, mail.Mail(
            to=person.email,
            subject=_("New to share this week") if kind == "weekly" else _("New to share today"),
            body=render_template(
                "email/digest.txt", person=person, items=items, shares=shares,
                clicks=int(clicks), base=base, weekly=kind == "weekly",
                unsubscribe=f"{base}/notifications/unsubscribe/"
                            f"{unsubscribe_token(secret, person.id)}")))
    return 1
