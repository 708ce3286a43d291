"""Logging in, throttling, password resets and invitations."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from advocacy import mail
from advocacy.admin.services import ProgrammeSettings, get_settings
from advocacy.auth.models import AuthToken, LoginFailure
from advocacy.db import utcnow
from advocacy.errors import DomainError
from advocacy.people.models import User
from advocacy.people.services import get_user_by_email, normalize_email
from advocacy.security import hash_password, keyed_hash, verify_password

log = logging.getLogger(__name__)

LinkBuilder = Callable[[str], str]


class InvalidCredentials(DomainError):
    pass


class LoginThrottled(DomainError):
    pass


class InvalidToken(DomainError):
    pass


@dataclass(frozen=True)
class ThrottlePolicy:
    secret: str
    window: dt.timedelta
    max_per_account: int
    max_per_address: int

    @classmethod
    def from_config(cls, config: dict) -> ThrottlePolicy:  # type: ignore[type-arg]
        return cls(
            secret=config["SECRET_KEY"],
            window=dt.timedelta(minutes=config["LOGIN_WINDOW_MINUTES"]),
            max_per_account=config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
            max_per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
        )


def _wait_minutes(session: Session, column: sa.ColumnElement[str], key: str,
                  limit: int, policy: ThrottlePolicy, now: dt.datetime) -> int:
    """Minutes until `key` may try again, or 0 when it is below `limit` in the window."""
    since = now - policy.window
    recent = list(
        session.scalars(
            sa.select(LoginFailure.created_at)
            .where(column == key, LoginFailure.created_at > since)
            .order_by(LoginFailure.created_at.desc())
            .limit(limit)
        )
    )
    if len(recent) < limit:
        return 0
    # The oldest of the last `limit` failures has to leave the window first.
    free_at = recent[-1] + policy.window
    return max(1, math.ceil((free_at - now).total_seconds() / 60))


def authenticate(session: Session, email: str, password: str, address: str,
                 policy: ThrottlePolicy, now: dt.datetime | None = None) -> User:
    """Return the active person with these credentials, or raise with a message to show.

    Failures are counted per account (whether or not it exists, so the answer reveals
    nothing) and per client address. While either is over its limit, even the right
    password is refused. The caller must commit after a failure too, so it is counted.
    """
    now = now or utcnow()
    email = normalize_email(email)
    account_key = keyed_hash(policy.secret, "account:" + email)
    address_key = keyed_hash(policy.secret, "address:" + address)
    wait = max(
        _wait_minutes(session, LoginFailure.account_key, account_key,
                      policy.max_per_account, policy, now),
        _wait_minutes(session, LoginFailure.address_key, address_key,
                      policy.max_per_address, policy, now),
    )
    if wait:
        raise LoginThrottled(
            _("Too many failed attempts. For your protection, logging in is paused; please "
              "try again in %(minutes)d minutes or reset your password.", minutes=wait)
        )
    user = get_user_by_email(session, email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        session.add(LoginFailure(account_key=account_key, address_key=address_key, created_at=now))
        session.flush()
        raise InvalidCredentials(_("The e-mail address or password is not correct."))
    if not user.is_active:
        raise InvalidCredentials(
            _("Your account has been deactivated. Please contact your programme administrator.")
        )
    session.execute(sa.delete(LoginFailure).where(LoginFailure.account_key == account_key))
    user.last_login_at = now
    session.flush()
    log.info("person %s logged in", user.id)
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue_token(session: Session, user: User, purpose: str, lifetime: dt.timedelta,
                 now: dt.datetime) -> str:
    """A new single-use token; earlier unused tokens of the same purpose stop working."""
    session.execute(
        sa.update(AuthToken)
        .where(AuthToken.user_id == user.id, AuthToken.purpose == purpose,
               AuthToken.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    session.add(AuthToken(user_id=user.id, purpose=purpose, token_hash=_token_hash(token),
                          created_at=now, expires_at=now + lifetime))
    session.flush()
    return token


def _send(session: Session, user: User, template: str,
          subject: Callable[[ProgrammeSettings], str], **context: object) -> None:
    """Queue a mail to `user`, written in their language."""
    with force_locale(user.language):
        settings = get_settings(session)
        body = render_template(template, user=user, settings=settings, **context)
        mail.queue(session, mail.Mail(to=user.email, subject=subject(settings), body=body))


def request_password_reset(session: Session, email: str, link_for: LinkBuilder,
                           lifetime: dt.timedelta, now: dt.datetime | None = None) -> None:
    """Mail a reset link if an active account has this address; otherwise do nothing.

    The caller shows the same message either way, so the page reveals no addresses.
    """
    user = get_user_by_email(session, email)
    if user is None or not user.is_active:
        log.info("password reset requested for an unknown or inactive address")
        return
    token = _issue_token(session, user, "reset", lifetime, now or utcnow())
    minutes = int(lifetime.total_seconds() // 60)
    _send(session, user, "email/reset_password.txt",
          lambda s: _("Reset your password for %(programme)s", programme=s.programme_name),
          link=link_for(token), minutes=minutes)


def invite_user(session: Session, user: User, link_for: LinkBuilder, lifetime: dt.timedelta,
                now: dt.datetime | None = None) -> None:
    """Mail an invitation link with which the person sets their password."""
    if not user.is_active:
        raise DomainError(_("%(name)s is deactivated; activate the account before inviting.",
                            name=user.name))
    now = now or utcnow()
    token = _issue_token(session, user, "invite", lifetime, now)
    user.invited_at = now
    session.flush()
    _send(session, user, "email/invitation.txt",
          lambda s: _("Your invitation to %(programme)s", programme=s.programme_name),
          link=link_for(token), days=lifetime.days)
    log.info("person %s invited", user.id)


def find_token(session: Session, token: str, purpose: str,
               now: dt.datetime | None = None) -> AuthToken:
    """The usable token, or InvalidToken with a message that says what to do next."""
    row = session.scalar(sa.select(AuthToken).where(AuthToken.token_hash == _token_hash(token)))
    now = now or utcnow()
    if row is None or row.purpose != purpose or row.used_at is not None or row.expires_at <= now \
            or not row.user.is_active:
        if purpose == "invite":
            raise InvalidToken(_("This invitation link is no longer valid. It may have been used "
                                 "already or expired. Ask your administrator for a new one."))
        raise InvalidToken(_("This link is no longer valid. It may have been used already or "
                             "expired. Please request a new one."))
    return row


def use_token(session: Session, token: str, purpose: str, password: str,
              now: dt.datetime | None = None) -> User:
    """Set the password through a reset or invitation link; the link then stops working."""
    now = now or utcnow()
    row = find_token(session, token, purpose, now)
    row.used_at = now
    set_password(session, row.user, password)
    return row.user


def set_password(session: Session, user: User, password: str) -> None:
    """Store a new password; every other session of this person ends."""
    user.password_hash = hash_password(password)
    user.session_version += 1
    session.flush()
    log.info("person %s set a new password", user.id)


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise DomainError(_("Your current password is not correct."))
    set_password(session, user, new)


def purge_expired(session: Session, now: dt.datetime | None = None,
                  keep_failures: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Delete tokens past their expiry and failed-login records past any window."""
    now = now or utcnow()
    tokens = session.execute(sa.delete(AuthToken).where(AuthToken.expires_at < now))
    failures = session.execute(
        sa.delete(LoginFailure).where(LoginFailure.created_at < now - keep_failures)
    )
    session.flush()
    return int(tokens.rowcount or 0) + int(failures.rowcount or 0)  # type: ignore[attr-defined]
